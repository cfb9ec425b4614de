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
    dd sum[SL_MS_COUNT];
    moments var[SL_MV_COUNT];
    metrics_counts count;
    bin_state *bins; /* options.bins of them, then one for the rows in no bin (sl_metrics_bin_of) */
    /* AUC: one key per labelled row (sl_auc_key) */
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

#endif
