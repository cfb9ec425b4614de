/*
 * The aggregation behind `softlabel panel` (SPEC section 4): annotations read in parallel chunks,
 * interned, validated, grouped by item, turned into vote matrices (one per task, label-major) and
 * summarized by the library's panel kernels.
 *
 * Memory: the distinct strings (items, reviewers, tasks, labels) once each; per item a few
 * counters and its row of its task's vote matrix; per annotation one fixed 48-byte record that
 * points into the mapped input for its evidence (strings are not copied per annotation; only
 * JSONL evidence, which must be decoded, is copied).
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

enum { PA_ERROR = 1, PA_EVIDENCE = 2, PA_EV_CSVQ = 4, PA_DROPPED = 8 };

/* One accepted annotation. */
typedef struct panel_ann {
    uint64_t offset;   /* first byte of its record in the input */
    uint64_t ev_off;   /* evidence: input offset (CSV) or offset in its part's evidence buffer */
    double confidence; /* NaN when not given */
    uint32_t item, reviewer;
    uint32_t label;    /* label key (task + label) */
    uint32_t gold;     /* label key + 1 of the gold answer given on this record; 0: none */
    uint32_t ev_len;
    uint8_t flags;     /* PA_* */
    uint8_t part;      /* the part whose evidence buffer holds a JSONL evidence */
} panel_ann;

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

/* One chunk of the input, parsed by one thread. */
typedef struct panel_part {
    size_t start, end, final_pos;
    sl_intern items, reviewers, tasks, labels; /* labels: key = task id (4 bytes) + label */
    uint32_t *item_task;  /* local item -> local task of its first record */
    uint64_t *item_first; /* local item -> offset of its first record */
    size_t item_cap;
    panel_ann *ann;
    size_t n_ann, cap_ann;
    panel_errors errors;
    sl_jbuf evidence;
    int oom;
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

/* One item, in first-appearance order. */
typedef struct panel_item {
    uint32_t task, row;
    uint32_t first, count; /* its records: perm[first .. first + count) */
    int32_t gold;          /* label index of the gold answer, -1: none */
    uint32_t error_marks;  /* records marked as reviewer errors */
    uint32_t with_conf;    /* counted records that gave a confidence */
    double conf_sum;
} panel_item;

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
    panel_part *parts;
    size_t n_parts;
    /* merged */
    sl_intern items, reviewers, tasks, labels;
    uint32_t *label_task;  /* label key -> task */
    int32_t *label_index;  /* label key -> index in its task, -1: not a label of the task */
    uint32_t *item_task;
    uint64_t *item_first;
    panel_ann *ann;        /* every accepted record, in input order */
    size_t n_ann;
    uint32_t *perm;        /* record indices grouped by item, input order within an item */
    panel_item *item;      /* per merged item */
    size_t n_items;        /* items with at least one valid record, first appearance order */
    uint32_t *order;       /* the output order: merged item ids */
    panel_task *task;
    size_t n_tasks;
    panel_errors errors;   /* every part's, and the later checks' */
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

/* The evidence of record a (NULL when none): bytes and whether they are CSV-quoted. */
const char *panel_evidence(const panel_data *d, const panel_ann *a, size_t *len, int *csvq);

#endif
