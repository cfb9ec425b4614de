/*
 * The per-chunk work of `softlabel score`: parse a chunk of whole CSV records or JSONL lines into
 * structure-of-arrays observables, score them with the library, and format the output rows (the
 * input record byte for byte, then v_hat and p). Runs on worker threads: a chunk touches only its
 * own slot and the read-only job.
 */
#ifndef SL_TOOLS_SCORE_CHUNK_H
#define SL_TOOLS_SCORE_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_util.h"
#include "csv.h"
#include "softlabel.h"

/* The observables, in SPEC order. */
enum { OBS_PROGRESS, OBS_REWORK, OBS_VERIFIER, OBS_MISUSE, OBS_ENGAGEMENT, OBS_COUNT };
extern const char *const sl_obs_names[OBS_COUNT];

typedef enum score_format { FORMAT_CSV, FORMAT_JSONL } score_format;

#define COL_ABSENT SIZE_MAX

/* What every chunk of one run shares; read-only while the pipeline runs. */
typedef struct score_job {
    score_format format;
    bool f32;               /* score in single precision */
    bool stop_on_error;     /* stop at the first bad row (else collect them all) */
    bool want_summary;      /* gather the p summary */
    const sl_proxy *px;
    const char *default_eol;/* terminator for a last record that has none */
    /* CSV: fields per record and the field index of each observable (tool_misuse_flags may be
     * COL_ABSENT: all zero); obs_order lists the observables present, by field index. */
    size_t ncols;
    size_t col[OBS_COUNT];
    int obs_order[OBS_COUNT];
    int nobs;
} score_job;

/* One input record of a chunk. */
typedef struct score_rec {
    size_t start, len;      /* bytes of the record in the chunk, terminator excluded */
    uint8_t term_len;       /* 0, 1 ("\n") or 2 ("\r\n") */
    size_t splice;          /* JSONL: offset of the object's closing '}' in the record */
    size_t row;             /* index into the observable arrays; SIZE_MAX: rejected or blank */
} score_rec;

/* A bad record: where and what (the message is in the slot's errtext). */
typedef struct score_error {
    size_t rec;             /* index into recs */
    size_t line;            /* 0-based line of the record's start, counted from the chunk start */
    size_t column;          /* CSV: 1-based field number; JSONL: 1-based byte position */
    size_t msg_off, msg_len;
} score_error;

typedef struct score_slot {
    /* filled by the producer */
    sl_buf in;              /* whole records */
    uint64_t in_offset;     /* where the chunk starts in the input, in bytes */
    const char *fatal;      /* the input could not be split here (an endless record): stop */

    /* filled by score_slot_process */
    size_t lines;           /* '\n' bytes in the chunk */
    size_t nrecs, blank, scored;
    score_rec *recs;
    size_t recs_cap;
    score_error *errs;
    size_t nerrs, errs_cap;
    sl_buf errtext;
    size_t rows_cap;
    double *prog64, *eng64, *v64, *p64;
    float *prog32, *eng32, *v32, *p32;
    int32_t *counts[3];     /* rework, verifier, misuse */
    sl_buf out;
    sl_psummary ps;
    int internal;           /* 0, or a sysexits code: out of memory, library refused */
    sl_status lib_status;
    sl_csv_field *fields;   /* scratch: ncols + 1 fields */
} score_slot;

/* Parses, scores and formats the slot's chunk (see above). On out of memory sets internal. */
void score_slot_process(const score_job *job, score_slot *slot);

/* Frees everything a slot holds. */
void score_slot_free(score_slot *slot);

#endif
