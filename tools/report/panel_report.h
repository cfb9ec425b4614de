/*
 * What `softlabel panel` writes: the per-item JSONL (SPEC 4 schema), the QA summary (JSON) and
 * the QA report (a self-contained HTML page with inline SVG charts).
 */
#ifndef SL_TOOLS_PANEL_REPORT_H
#define SL_TOOLS_PANEL_REPORT_H

#include <stdio.h>

#include "panel_build.h"
#include "panel_json.h"

/* Writes one JSON object per item, in first-appearance order, formatted on `threads` threads and
 * written in order; omit_zeros: each distribution lists only the labels with votes (output
 * proportional to the annotations, not labels x items); reliability (or NULL): adds each item's
 * Dawid-Skene posterior as "reviewer_weighted_distribution" after the SPEC fields. Returns 0, or
 * -1 on a write error or when memory runs out. */
int panel_write_items(const panel_data *d, FILE *out, size_t threads, int omit_zeros,
                      const sl_panel_quality *reliability);

/* The batch QA summary. */
typedef struct panel_summary {
    size_t items, annotations, reviewers, input_errors;
    size_t with_votes;         /* items with at least one counted vote */
    size_t gold_items;         /* items with a gold answer */
    double mean_entropy_bits;  /* over items with votes; NaN when none */
    size_t classes[SL_DISAGREEMENT_CLASSES];
    double alpha;              /* NaN when undefined */
    double max_entropy;        /* log2 of the largest label count: the histogram's range */
    size_t histogram[10];      /* entropy_bits in 10 equal bins over [0, max_entropy] */
    size_t *flagged;           /* item positions */
    const char **flag_reason;
    size_t n_flagged;
    double flag_entropy, flag_confidence;
} panel_summary;

int panel_summarize(const panel_data *d, const panel_options *opt, panel_summary *s);
void panel_summary_free(panel_summary *s);

/* QA.json: items, annotations, reviewers, mean_entropy_bits, disagreement_classes,
 * krippendorff_alpha, reviewer_gold_pass_rate, flagged (and input_errors, thresholds); with q,
 * then the per-task and per-reviewer sections (qa_report.h). */
int panel_write_summary(const panel_data *d, const panel_summary *s, const sl_panel_quality *q,
                        const sl_panel_quality_options *qopt, FILE *out);

#endif
