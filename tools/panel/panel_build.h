/*
 * The aggregation behind `softlabel panel` (SPEC section 4), in two parallel phases:
 *  1. the input is split into chunks at record boundaries, one per thread; each record is parsed,
 *     validated, its small strings (task, label, reviewer) interned in its chunk's tables, and it
 *     is appended, with its item id, to one of P streams chosen by the hash of the item id;
 *  2. the P partitions are grouped by the threads in turn, each on its own: its records in input
 *     order (chunk after chunk), its item ids interned in its own small table (cache-resident),
 *     its records grouped by item and checked (duplicates, gold answers).
 * The output order (first appearance) is the merge of the partitions' item lists by the offset
 * of each item's first record; vote matrices (one per task, label-major) are then filled and
 * summarized by the library's panel kernels. The result never depends on the thread count.
 *
 * Memory: the distinct strings once each; per item its id, a 56-byte panel_item and its row of
 * its task's matrices; per annotation a 24-byte panel_rec and its evidence text, if any (the
 * output's rationales are per annotation, so per-annotation state is unavoidable with unsorted
 * input). Phase 1's streams hold each record with its item id and evidence until its partition is
 * grouped; the input's pages are given back as soon as they are parsed.
 */
#ifndef SL_TOOLS_PANEL_BUILD_H
#define SL_TOOLS_PANEL_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "panel_intern.h"
#include "panel_io.h"
#include "panel_json.h"
#include "panel_rubric.h"
#include "softlabel.h"

enum { PA_ERROR = 1, PA_EVIDENCE = 2, PA_DROPPED = 4, PA_EV_CSVQ = 8 /* "" stands for " */ };

/* One accepted annotation. */
typedef struct panel_rec {
    /* low 56 bits: the byte offset of its record in the input until its partition is grouped
     * (error messages name it), then the position of its evidence in its partition's evidence
     * buffer; PA_* flags above */
    uint64_t where;
    double confidence; /* NaN when not given */
    uint32_t reviewer; /* reviewer id */
    uint32_t label;    /* label key (task + label) */
} panel_rec;

#define PANEL_OFFSET_BITS 56

static inline uint64_t panel_rec_offset(const panel_rec *r)
{
    return r->where & ((UINT64_C(1) << PANEL_OFFSET_BITS) - 1);
}

static inline unsigned panel_rec_flags(const panel_rec *r)
{
    return (unsigned)(r->where >> PANEL_OFFSET_BITS);
}

static inline void panel_rec_set_flags(panel_rec *r, unsigned flags)
{
    r->where |= (uint64_t)flags << PANEL_OFFSET_BITS;
}

/* Asks for memory that will be read soon (a hint; nothing happens where it is not supported). */
static inline void panel_prefetch(const void *p)
{
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

/* Kinds of bad input; each is reported with file, line, column and value. */
typedef enum panel_error_code {
    PE_RECORD,         /* malformed record (the reader's message) */
    PE_MISSING,        /* a required field is empty or absent */
    PE_NOT_TEXT,       /* an id given as a boolean */
    PE_CONFIDENCE,     /* not a number in [0, 1] */
    PE_ERROR_FLAG,     /* error not 0/1/true/false */
    PE_UNKNOWN_TASK,   /* task not in the rubric */
    PE_UNKNOWN_LABEL,  /* label not in the rubric's labels of the task */
    PE_UNKNOWN_GOLD,   /* gold not a label of the task */
    PE_TASK_CONFLICT,  /* the item was given another task before (aux: that record) */
    PE_DUPLICATE,      /* the reviewer already annotated the item (aux: that record) */
    PE_GOLD_CONFLICT,  /* another gold answer was given for the item before (aux: that record) */
    PE_KINDS
} panel_error_code;

typedef struct panel_error {
    uint64_t offset, aux;
    uint32_t code, field;
} panel_error;

typedef struct panel_errors {
    panel_error *e;
    size_t n, cap;
} panel_errors;

/* Records appended by one chunk for one partition: each a panel_rec (local ids of its chunk), then
 * three uint32_t: the gold answer's local label key + 1 (0: none), the item id's length and the
 * evidence's length, then the item id's and the evidence's bytes, padded to 8. */
typedef struct panel_stream {
    unsigned char *p;
    size_t len, cap;
    size_t n; /* records */
} panel_stream;

/* One chunk of the input, parsed by one thread (phase 1). */
typedef struct panel_chunk {
    size_t start, end, final_pos;
    sl_intern reviewers, tasks, labels; /* labels: key = task id (4 bytes) + label */
    uint32_t *reviewer_map, *label_map; /* local id -> merged id */
    panel_stream *streams;              /* one per partition */
    panel_errors errors;
    int oom;
} panel_chunk;

/* One item. */
typedef struct panel_item {
    const char *id;        /* its id's bytes (in its partition's table) */
    const panel_rec *rec;  /* its records, in input order; duplicates are marked PA_DROPPED */
    uint32_t id_len, count;
    uint32_t task, row;
    int32_t gold;          /* label index of the gold answer, -1: none */
    uint32_t error_marks;  /* records marked as reviewer errors */
    uint32_t with_conf;    /* counted records that gave a confidence */
    uint32_t part;         /* its partition */
    double conf_sum;
} panel_item;

/* One partition of the items (phase 2): those whose id hash falls in it. */
typedef struct panel_part {
    sl_intern items;   /* local item ids, in first-appearance order */
    uint64_t *first;   /* local item -> offset of its first accepted record */
    uint32_t *task_of; /* local item -> task of that record */
    size_t cap;        /* of first and task_of */
    panel_item *item;  /* local item */
    panel_rec *rec;    /* the records that passed the checks, grouped by item */
    size_t n_rec;
    sl_jbuf evidence;  /* their evidence: each a uint32_t length, then the bytes */
    panel_errors errors;
} panel_part;

/* One task: its labels in order and its items' rows. */
typedef struct panel_task {
    const char *name;
    size_t k;            /* labels */
    const char **labels; /* k names in order */
    uint32_t *label_len;
    size_t n;            /* items (rows) */
    int adjudicate;      /* 1: plurality (hard labels) */
    double *votes;       /* k x n label-major counts of counted (non-error) votes */
    double *dist, *total, *entropy, *top_share;
    int32_t *top_label, *top_ties;
    sl_disagreement *cls;
} panel_task;

typedef struct panel_options {
    const char *in, *rubric_path;
    size_t threads;
    sl_panel_rules rules;
    int adjudicate; /* 1: plurality for every task */
    double flag_entropy, flag_confidence;
} panel_options;

typedef struct panel_data {
    pio_file file;
    sl_rubric rubric;
    int have_rubric;
    panel_chunk *chunks;
    size_t n_chunks;
    panel_part *parts;
    size_t n_parts;        /* a power of two */
    /* merged */
    sl_intern reviewers, tasks, labels;
    uint32_t *label_task;  /* label key -> task */
    int32_t *label_index;  /* label key -> index in its task, -1: not a label of the task */
    uint8_t *task_known;   /* task -> 1 when the rubric has it (or there is no rubric) */
    panel_item **order;    /* items with at least one valid record, in first-appearance order */
    size_t n_items;
    size_t n_counted;      /* records that passed every check (duplicates excluded) */
    panel_task *task;
    size_t n_tasks;
    panel_errors errors;   /* every chunk's and partition's */
    /* per reviewer, over gold items */
    uint64_t *gold_attempts, *gold_passes;
    int any_gold;
    sl_alpha_nominal alpha;
} panel_data;

/* Reads, validates, groups and computes everything. Returns 0 (bad records are in d->errors),
 * or a sysexits code with a message in err for a failure that stops the run. */
int panel_build(panel_data *d, const panel_options *opt, char *err, size_t errlen);
void panel_free(panel_data *d);

/* Prints the errors to stderr with file, line, column and value, in input order: the first
 * `limit`, then a count per kind. */
void panel_report_errors(panel_data *d, size_t limit);

/* The evidence of record a of item it (NULL when none): its bytes and whether they are the raw
 * content of a quoted CSV field ("" standing for "). */
const char *panel_evidence(const panel_data *d, const panel_item *it, const panel_rec *a,
                           size_t *len, int *csvq);

#endif
