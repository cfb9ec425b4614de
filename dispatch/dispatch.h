/* Internal: the table of instruction-set paths and the active choice. */
#ifndef SL_DISPATCH_H
#define SL_DISPATCH_H

#include "kernels.h"

typedef struct sl_impl {
    const char *name;
    const char *description;
    int (*supported)(void);
    sl_score_f32_fn score_f32;
    sl_score_f64_fn score_f64;
    sl_sigmoid_f32_fn sigmoid_f32;
    sl_sigmoid_f64_fn sigmoid_f64;
    sl_payoff_f32_fn payoff_f32;
    sl_payoff_f64_fn payoff_f64;
    sl_metrics_begin_fn metrics_begin;
    sl_metrics_feed_fn metrics_feed;
    sl_metrics_end_fn metrics_end;
    sl_panel_stats_f64_fn panel_stats_f64;
    sl_divergence_f64_fn divergence_f64;
} sl_impl;

/* The active path (chosen at first use, honouring SOFTLABEL_ISA). NULL while a bad override is
 * in force; *status then says why (SL_OK otherwise). */
const sl_impl *sl_active_impl(sl_status *status);

/* The path of that name in this build, or NULL. */
const sl_impl *sl_find_impl(const char *name);

#endif
