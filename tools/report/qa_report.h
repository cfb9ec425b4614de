/*
 * The QA report of `softlabel panel`, as HTML (inline SVG charts) and as PDF (cairo, vector
 * charts): one content, built once from the library's figures (sl_panel_qa, sl_panel_quality),
 * rendered twice, so both state the same numbers in the same words. Every cell is formatted
 * here; the renderers only lay it out.
 *
 * Content, in order: the batch summary; items per disagreement class; the entropy histogram;
 * per task; votes per label; per reviewer (outliers first); the confidence x entropy scatter of
 * the items (coloured by disagreement class, the flag thresholds drawn); the flagged items with
 * their reasons (the first QA_FLAGGED_SHOWN, then the count of the rest).
 */
#ifndef SL_TOOLS_QA_REPORT_H
#define SL_TOOLS_QA_REPORT_H

#include <stdio.h>

#include "panel_build.h"
#include "panel_json.h"
#include "panel_report.h"

#define QA_FLAGGED_SHOWN 40

/* The scatter's words, in both renderings. */
#define QA_SCATTER_TITLE "Mean confidence x normalized entropy, one dot per item"
#define QA_SCATTER_X "mean self-reported confidence"
#define QA_SCATTER_Y "entropy / log2(labels)"

/* The disagreement classes' names and colours (RGB), in sl_disagreement order. */
extern const char *const QA_CLASS_NAMES[SL_DISAGREEMENT_CLASSES];
extern const unsigned char QA_CLASS_RGB[SL_DISAGREEMENT_CLASSES][3];
extern const unsigned char QA_HISTOGRAM_RGB[1][3];

/* A table of formatted cells; a heading may hold '\n' where the PDF breaks it (HTML: a space). */
#define QA_MAX_COLS 12
typedef struct qa_table {
    const char *id, *title;      /* HTML id; heading */
    const char *note;            /* a sentence under it, or NULL */
    size_t cols, rows;
    const char *const *head;     /* cols headings */
    const unsigned char *numeric;/* per column: 1 = right-aligned */
    char **cell;                 /* rows x cols, row-major */
} qa_table;

/* An item in the scatter: mean confidence (x), entropy / log2(labels) (y). */
typedef struct qa_point {
    double confidence, entropy;
    sl_disagreement cls;
} qa_point;

typedef struct qa_content {
    char *input;                 /* the annotations' path, as sl_utf8_display shows it */
    qa_table summary, tasks, labels, reviewers, flagged;
    size_t classes[SL_DISAGREEMENT_CLASSES];
    size_t histogram[10];
    char histogram_label[10][32];/* each bin's range, in bits */
    char histogram_note[160];
    qa_point *points;
    size_t n_points, without_confidence;
    double flag_entropy, flag_confidence;
    char flagged_rest[96];       /* "N more flagged items are listed in the QA summary (JSON)." */
    char scatter_note[400];      /* under the scatter: the thresholds, the items not drawn */
} qa_content;

/* Builds the content; q may have been made without Dawid-Skene (its columns then say n/a).
 * Returns 0, or -1 when memory runs out (c can be freed either way). */
int qa_content_build(const panel_data *d, const panel_summary *s, const sl_panel_quality *q,
                     qa_content *c);
void qa_content_free(qa_content *c);

/* The report as a self-contained XHTML page (no script, no external resource). 0, or -1 on a
 * write error. */
int qa_write_html(const qa_content *c, FILE *out);

/* The report as a multi-page A4 PDF; no creation date unless SOURCE_DATE_EPOCH asks for one
 * (the same input gives the same bytes). 0, or -1 on a write or rendering error. */
int qa_write_pdf(const qa_content *c, FILE *out);

/* QA.json's per-task and per-reviewer sections (",\n  \"per_task\": [...]", "per_reviewer",
 * then "reliability": the model's settings), appended to b; keys in README. */
void qa_json_sections(sl_buf *b, const panel_data *d, const sl_panel_quality *q,
                      const sl_panel_quality_options *o);

#endif
