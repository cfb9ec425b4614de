/* Internal: the metrics state's layout, shared by metrics.c (accumulation, merge, finalize) and
 * metrics_serialize.c (its byte form). */
#ifndef SL_METRICS_STATE_H
#define SL_METRICS_STATE_H

#include <stdint.h>

#include "kernels.h"
#include "softlabel.h"

#define SL_METRICS_MAGIC 0x736c6d6574726963ull /* "slmetric" */

/* A sum carried as hi + lo, |lo| far below an ulp of hi (Knuth's TwoSum on every addition). */
typedef struct dd {
    double hi, lo;
} dd;

/* Count, sum and sum of squared deviations from the mean of a quantity. */
typedef struct moments {
    uint64_t n;
    dd sum, m2;
} moments;

/* One bin's totals (sl_metrics_bin_sums, the sum compensated) */
typedef struct bin_state {
    uint64_t count, accepted, cal_count, cal_positive;
    dd cal_sum_p;
    sl_u128 cal_sum_x; /* with SL_METRICS_EXACT_SUMS instead of cal_sum_p (exact_sum.h) */
} bin_state;

/* The state's row counts (valid rows only) */
typedef struct metrics_counts {
    uint64_t n, n_accepted, n_labelled, n_positive; /* all, A, T, T with ground_truth +1 */
    uint64_t high, high_accepted;                  /* p >= quality_threshold, and accepted */
    uint64_t uncertain;                             /* inside the uncertainty band */
} metrics_counts;

struct sl_metrics {
    uint64_t magic;
    sl_payoff_params params;
    sl_payoff_consts pc;
    sl_metrics_options options;
    sl_metrics_config cfg;
    int simd; /* the options are the defaults: the active path's kernel runs, else the scalar one */
    /* the sums: compensated, or with SL_METRICS_EXACT_SUMS exact (then sum and var are unused
     * and `exact` is allocated; NULL otherwise, so other states stay 1 KB) */
    dd sum[SL_MS_COUNT];
    moments var[SL_MV_COUNT];
    sl_exact_sums *exact;
    metrics_counts count;
    bin_state *bins; /* options.bins of them, then one for the rows in no bin (sl_metrics_bin_of) */
    /* AUC: one key per labelled row (sl_auc_key); with options.auc_sketch_bins = B instead the
     * sketch, auc_n = 2 B counts: negatives per bin, then positives per bin */
    uint64_t *auc_keys;
    size_t auc_n, auc_cap;
    /* the kernel's workspace during an update (nothing between updates), followed by the
     * scalar path's table of options.bins + 1 sl_metrics_bin_sums (span->bin_sums), all zero */
    sl_metrics_span *span;
};

/* A new empty state (options NULL: the defaults); `workspace`: with the span its updates run
 * through (without, it must borrow one: sl_metrics_swap_workspace). */
sl_status sl_metrics_new_state(sl_metrics **out, const sl_payoff_params *pp,
                               const sl_metrics_options *o, int workspace);

/* Whether m is a live state (not NULL, not freed) */
int sl_metrics_valid_state(const sl_metrics *m);

/* ---- exact sums (SL_METRICS_EXACT_SUMS; src/metrics_exact.c) ---- */

/* What finalize reads from a state's sums, each converted to double once */
typedef struct metrics_totals {
    double p_a, p_r, p_all;        /* sums of p over A, R, all rows */
    double not_p_a, not_p_all;     /* sums of 1 - p over A, all rows */
    double pa_a, pa_all, pb_a, pb_all, social_a, welfare_a; /* payoff sums */
    double brier, log;             /* over T: of (p - v)^2, of ln(q) or ln(1 - q) */
    double p_labelled;             /* sum of p over T */
    double variance[SL_MV_COUNT];  /* population variances; 0 when the set has fewer than 2 rows */
    double pa_mean, pb_mean;       /* the payoffs' means over all rows (0 when there are none) */
} metrics_totals;

/* into += from */
void sl_exact_sums_add(sl_exact_sums *into, const sl_exact_sums *from);

/* The totals of a state with exact sums */
void sl_exact_totals(const sl_metrics *m, metrics_totals *t);

/* A sum of x on the 2^-64 grid as the double nearest it */
double sl_fixed_value(sl_u128 sum_x);

/* Whether the exact sums could come from the state's counts and bins: p sums within their row
 * counts and between what the bins' edges give, sums of squares within what those sums allow
 * (Cauchy-Schwarz both ways), Brier and log-loss sums within their per-row ranges,
 * superaccumulators normalized (and the counts already checked). */
int sl_exact_sums_consistent(const sl_metrics *m);

#endif
