/*
 * `softlabel panel`'s input side: the library's panel aggregation (softlabel_panel.h) fed from an
 * annotation file, as `score` feeds sl_score_*. The input is cut into chunks at record boundaries;
 * threads parse chunks ahead (at most a few per thread in memory), and the calling thread adds
 * their annotations to the panel in input order, each tagged with its record's byte offset, so
 * every refusal (the add call's status, or a conflict the library found at finish) is reported
 * with file, line, column and value. Nothing here aggregates: that is all in the library.
 */
#ifndef SL_TOOLS_PANEL_BUILD_H
#define SL_TOOLS_PANEL_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "panel_io.h"
#include "panel_rubric.h"
#include "softlabel.h"

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

typedef struct panel_options {
    const char *in, *rubric_path;
    size_t threads;
    sl_panel_options panel;
} panel_options;

typedef struct panel_data {
    pio_file file;
    sl_rubric rubric;
    sl_panel *pb;        /* finished */
    panel_errors errors; /* every refused record or value, by offset */
} panel_data;

/* Reads the rubric and the input into a finished panel. Returns 0 (bad records are in d->errors),
 * or a sysexits code with a message in err for a failure that stops the run. */
int panel_build(panel_data *d, const panel_options *opt, char *err, size_t errlen);
void panel_free(panel_data *d);

/* Prints the errors to stderr with file, line, column and value, in input order: the first
 * `limit`, then a count per kind. */
void panel_report_errors(panel_data *d, size_t limit);

#endif
