/*
 * Internal: the kernel entry points every instruction-set path provides, and the helpers they
 * share. Private to the library (tests of internals include it on purpose).
 *
 * A kernel trusts its caller (src/api.c) to have validated the proxy, the pointers and the
 * parameters. It scores or transforms every valid row, leaves the outputs of invalid rows
 * untouched, and returns the index of the first invalid row, or n when all are valid.
 */
#ifndef SL_KERNELS_H
#define SL_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "exact_sum.h"
#include "softlabel.h"

/* Scores rows [0, n) of obs; returns the first invalid row, or n. `ahead`: how many rows after
 * them the caller scores next (the columns extend that far): the SIMD paths prefetch those rows'
 * columns while scoring these, so a caller going through a large input a block at a time keeps
 * memory busy between its calls (0: only the rows given). */
typedef size_t (*sl_score_f32_fn)(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                                  size_t ahead, float *v_hat, float *p);
typedef size_t (*sl_score_f64_fn)(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                                  size_t ahead, double *v_hat, double *p);
/* out[i] = 1 / (1 + exp(neg_k * x[i])); the first NaN index is returned */
typedef size_t (*sl_sigmoid_f32_fn)(float neg_k, const float *x, size_t n, float *out);
typedef size_t (*sl_sigmoid_f64_fn)(double neg_k, const double *x, size_t n, double *out);

/* ---- payoffs and metrics (SPEC 2 and 3) ---- */

/* Validated payoff parameters as the kernels use them, in both precisions. one_minus_theta is
 * 1 - theta computed once in double, as the reference computes (1 - theta). */
typedef struct sl_payoff_consts {
    double s_plus, s_minus, h, theta, one_minus_theta, rho_a, rho_b, w_rep;
    float s_plus_f32, s_minus_f32, h_f32, theta_f32, one_minus_theta_f32, rho_a_f32, rho_b_f32,
        w_rep_f32;
    /* 1 when, with all payoff columns zero, no payoff of any p in [0, 1] can overflow (every
     * |payoff| <= 2 (s_plus + s_minus + h), finite), so sl_metrics_block_affine_payoffs applies */
    int affine_safe;
} sl_payoff_consts;

/* Payoffs of n rows; returns the first invalid row (p NaN or outside [0, 1], a non-finite
 * total_welfare or social_surplus, which covers non-finite columns and overflow), or n. */
typedef size_t (*sl_payoff_f64_fn)(const sl_payoff_consts *pc, const sl_payoff_inputs_f64 *in,
                                   size_t n, const sl_payoff_outputs_f64 *out);
typedef size_t (*sl_payoff_f32_fn)(const sl_payoff_consts *pc, const sl_payoff_inputs_f32 *in,
                                   size_t n, const sl_payoff_outputs_f32 *out);

/* Rows per metrics block: the most one feed of a metrics span takes (see sl_metrics_span). Its
 * working set stays in L1, next to the observables a fused pass scores it from. 504 = 8 * 63 is the
 * most that keeps every per-lane bin count of a block below 64 (the SIMD paths pack ten 6-bit
 * counters into a 64-bit lane, and widen them after every block). */
#define SL_METRICS_BLOCK 504

/* Rows per metrics span: what the SIMD paths accumulate in plain double (in 8 fixed interleaved
 * partial sums, see metrics_simd.inc) before the span is ended into a sl_metrics_block and added
 * to the state with compensated arithmetic, so a sum's error is at most about (SL_METRICS_SPAN /
 * 8) units in the last place of the sum of magnitudes, whatever the number of rows. Four blocks:
 * the per-span work (reductions, the state's compensated adds and variance merges) is spread over
 * 2016 rows while each block fed stays small. */
#define SL_METRICS_SPAN (4 * SL_METRICS_BLOCK)

/* The rows of one metrics block (pointers already offset to the block's first row). */
typedef struct sl_metrics_rows {
    const double *p, *tau, *c_a, *c_b, *r_a, *r_b; /* tau .. r_b may be NULL: zero */
    const uint8_t *accepted;                       /* required */
    const int8_t *ground_truth;                    /* NULL: none */
    int p_in_range; /* every p is known to lie in [0, 1] (scored here): not checked again */
} sl_metrics_rows;

/* Sums of one block, over its valid rows, by subset (A accepted, R rejected, T labelled). */
enum {
    SL_MS_P_A, SL_MS_P_R,        /* p */
    SL_MS_PA_A, SL_MS_PA_R,      /* payoff_initiator */
    SL_MS_PB_A, SL_MS_PB_R,      /* payoff_counterparty */
    SL_MS_SOCIAL_A,              /* social_surplus */
    SL_MS_WELFARE_A,             /* total_welfare of each row */
    SL_MS_BRIER,                 /* (p - v)^2 over T */
    SL_MS_LOG,                   /* ln(q) or ln(1-q) over T (log loss = -sum / |T|) */
    SL_MS_COUNT
};
/* Quantities whose variance is tracked, and over which subset */
enum { SL_MV_P, SL_MV_P_A, SL_MV_PA, SL_MV_PB, SL_MV_COUNT };

/* What the scalar path's metrics kernel takes from sl_metrics_options (the SIMD paths run only
 * with the defaults, which they build in): the bins, and the thresholds as the reference
 * computes them in double. */
typedef struct sl_metrics_config {
    unsigned bins;
    double bin_width;                  /* 1.0 / bins */
    double quality_threshold;          /* high quality: p >= quality_threshold */
    double uncertain_lo, uncertain_hi; /* uncertain: lo < p < hi (0.5 -/+ band) */
    double log_eps;                    /* log loss clamps p to [eps, 1 - eps] */
    int exact;                         /* SL_METRICS_EXACT_SUMS: sums into sl_metrics_block.exact */
} sl_metrics_config;

/* One bin's counts and sum of p over a block, as the scalar path accumulates them for any
 * number of bins (sl_metrics_span.bin_sums). */
typedef struct sl_metrics_bin_sums {
    uint64_t count, accepted;          /* valid rows, accepted rows */
    uint64_t cal_count, cal_positive;  /* labelled rows, rows with ground_truth +1 */
    double cal_sum_p;                  /* sum of p over the labelled rows */
    sl_u128 cal_sum_x;                 /* exact sums: of x = p 2^64 rounded (exact_sum.h) */
} sl_metrics_bin_sums;

typedef struct sl_metrics_block {
    /* with cfg->exact (scalar path only) the sums are in `exact`, and sum, m2 and cal_sum_p
     * are not set */
    sl_exact_sums exact;
    double sum[SL_MS_COUNT];
    double m2[SL_MV_COUNT];                 /* sum of squared deviations from the block's mean */
    /* counts over the valid rows: all, accepted, ground_truth +1, p >= threshold and of those
     * the accepted, uncertain (the labelled rows: n_labelled) */
    uint64_t n, n_accepted, n_positive, high, high_accepted, uncertain;
    /* the SIMD paths' ten default bins (the scalar path fills sl_metrics_span.bin_sums) */
    uint64_t bin[SL_METRICS_BINS];          /* quality bins, valid rows */
    uint64_t bin_accepted[SL_METRICS_BINS]; /* quality bins, accepted rows */
    uint64_t cal_count[SL_METRICS_BINS];    /* quality bins, labelled rows */
    uint64_t cal_positive[SL_METRICS_BINS]; /* quality bins, rows with ground_truth +1 */
    double cal_sum_p[SL_METRICS_BINS];      /* sum of p per bin over labelled rows */
    /* the valid labelled rows in row order (the AUC's input): |p| for ground_truth +1, -|p| for
     * -1 (a sign flip, so p = 0 gives -0.0: the sign bit is the class); room for a whole vector
     * past the end, as the SIMD paths store whole vectors */
    size_t n_labelled;
    double labelled[SL_METRICS_SPAN + 16];
} sl_metrics_block;

/* The counts n, n_accepted, high and high_accepted of a block of the SIMD paths from its ten
 * default bins (every valid row is binned; high quality, p >= 0.5, is bins 5..9 since
 * 5 * 0.1 = 0.5 exactly). */
static inline void sl_metrics_block_counts_from_bins(sl_metrics_block *blk)
{
    blk->n = blk->n_accepted = blk->high = blk->high_accepted = 0;
    for (int b = 0; b < SL_METRICS_BINS; b++) {
        blk->n += blk->bin[b];
        blk->n_accepted += blk->bin_accepted[b];
        if (b >= SL_METRICS_BINS / 2) {
            blk->high += blk->bin[b];
            blk->high_accepted += blk->bin_accepted[b];
        }
    }
}

/* Bytes a path may keep its running accumulators in (sl_metrics_span.accumulators) */
#define SL_METRICS_ACCUMULATOR_BYTES 2048

/*
 * A metrics span: the rows of one update, a block at a time, accumulated by the active path until
 * the span is ended into `blk` (its statistics, as if the span's rows were one block), which the
 * caller adds to the state. The calls, all on one path:
 *   begin(pc, rows, span)      rows: any block of the update (only which columns are given
 *                              matters: those, and pc, fix the work per row); sets `capacity`
 *   feed(pc, rows, n, span)    n <= SL_METRICS_BLOCK rows; returns the first invalid row (as the
 *                              payoff kernel, or accepted not 0/1, ground_truth not in
 *                              {+1, -1, 0}), or n. Invalid rows contribute nothing.
 *   end(pc, span)              fills blk with the rows fed since begin or the last end (at least
 *                              one feed), and makes the span ready for more rows (same columns)
 * A caller ends the span before `rows` + the next feed would exceed `capacity`, and after its
 * last feed. The scalar path ends every block; the SIMD paths carry their vector accumulators
 * across the feeds of a span (SL_METRICS_SPAN rows, one block with payoff columns).
 */
typedef struct sl_metrics_span {
    size_t rows, capacity;
    int payoffs, labels; /* every row's payoffs are computed; a ground_truth column is given */
    double shift;        /* the SIMD paths' variance shift: the span's first p in [0, 1] */
    _Alignas(64) unsigned char accumulators[SL_METRICS_ACCUMULATOR_BYTES];
    /* with payoff columns, what the SIMD paths' second look at the block needs */
    _Alignas(64) double pi_a[SL_METRICS_BLOCK], pi_b[SL_METRICS_BLOCK];
    unsigned valid[SL_METRICS_BLOCK];
    /* the scalar path: its configuration, and a table of cfg->bins + 1 bin sums (the last for
     * rows in no bin) that it fills and the caller empties after each end (the SIMD paths use
     * neither) */
    const sl_metrics_config *cfg;
    sl_metrics_bin_sums *bin_sums;
    sl_metrics_block blk; /* labelled fills as rows are fed; the rest is set by end */
} sl_metrics_span;

typedef void (*sl_metrics_begin_fn)(const sl_payoff_consts *pc, const sl_metrics_rows *rows,
                                    sl_metrics_span *span);
typedef size_t (*sl_metrics_feed_fn)(const sl_payoff_consts *pc, const sl_metrics_rows *rows,
                                     size_t n, sl_metrics_span *span);
typedef void (*sl_metrics_end_fn)(const sl_payoff_consts *pc, sl_metrics_span *span);

/* Whether every row's payoffs must be computed: some payoff column is given, or they could
 * overflow (otherwise they follow from p's statistics: sl_metrics_block_affine_payoffs). */
static inline int sl_metrics_rows_need_payoffs(const sl_payoff_consts *pc,
                                               const sl_metrics_rows *rows)
{
    return rows->tau || rows->c_a || rows->c_b || rows->r_a || rows->r_b || !pc->affine_safe;
}

/* The number of rows, and the sum, a block's variance quantity `which` is taken over: the mean
 * its m2 is centred on is sum / count. Shared by the kernels and the state's merge. */
static inline uint64_t sl_metrics_block_var_count(const sl_metrics_block *blk, int which)
{
    return which == SL_MV_P_A ? blk->n_accepted : blk->n;
}
static inline double sl_metrics_block_var_sum(const sl_metrics_block *blk, int which)
{
    switch (which) {
    case SL_MV_P: return blk->sum[SL_MS_P_A] + blk->sum[SL_MS_P_R];
    case SL_MV_P_A: return blk->sum[SL_MS_P_A];
    case SL_MV_PA: return blk->sum[SL_MS_PA_A] + blk->sum[SL_MS_PA_R];
    default: return blk->sum[SL_MS_PB_A] + blk->sum[SL_MS_PB_R];
    }
}

/* With every payoff column absent (all zero) each row's payoffs are affine in p:
 *   payoff_initiator    = a_i p + b_i,  a_i = theta (s_plus + s_minus) + rho_a h,
 *                                       b_i = -(theta s_minus + rho_a h)
 *   payoff_counterparty = a_c p + b_c   (1 - theta and rho_b in place of theta and rho_a)
 *   social_surplus      = (s_plus + s_minus + h) p - (s_minus + h)
 * so a block's payoff sums and squared deviations follow from its p statistics: sums as a n + b
 * sums, squared deviations as a^2 times p's. The SIMD paths use this instead of computing the
 * payoffs of every row; the result differs from summing per-row payoffs by their per-row
 * rounding only. Used only when no payoff can overflow (sl_payoff_consts.affine_safe). */
static inline void sl_metrics_block_affine_payoffs(const sl_payoff_consts *pc,
                                                   sl_metrics_block *blk)
{
    double na = (double)blk->n_accepted, nr = (double)(blk->n - blk->n_accepted);
    double s = pc->s_plus + pc->s_minus;
    double a_i = pc->theta * s + pc->rho_a * pc->h, b_i = -(pc->theta * pc->s_minus + pc->rho_a * pc->h);
    double a_c = pc->one_minus_theta * s + pc->rho_b * pc->h;
    double b_c = -(pc->one_minus_theta * pc->s_minus + pc->rho_b * pc->h);
    double a_s = s + pc->h, b_s = -(pc->s_minus + pc->h);
    double p_a = blk->sum[SL_MS_P_A], p_r = blk->sum[SL_MS_P_R];
    blk->sum[SL_MS_PA_A] = a_i * p_a + b_i * na;
    blk->sum[SL_MS_PA_R] = a_i * p_r + b_i * nr;
    blk->sum[SL_MS_PB_A] = a_c * p_a + b_c * na;
    blk->sum[SL_MS_PB_R] = a_c * p_r + b_c * nr;
    blk->sum[SL_MS_SOCIAL_A] = a_s * p_a + b_s * na;
    blk->sum[SL_MS_WELFARE_A] = (a_i + a_c) * p_a + (b_i + b_c) * na;
    blk->m2[SL_MV_PA] = a_i * a_i * blk->m2[SL_MV_P];
    blk->m2[SL_MV_PB] = a_c * a_c * blk->m2[SL_MV_P];
}

/* SPEC 3 thresholds (the defaults of sl_metrics_options), computed in double exactly as the
 * reference computes them */
#define SL_UNCERTAIN_LO (0.5 - 0.2)     /* uncertain: SL_UNCERTAIN_LO < p < SL_UNCERTAIN_HI */
#define SL_UNCERTAIN_HI (0.5 + 0.2)
#define SL_BIN_WIDTH (1.0 / SL_METRICS_BINS)
#define SL_LOG_EPS 1e-15                /* log loss clamps p to [eps, 1 - eps] */

/* The configuration of a state's options (validated by sl_metrics_options_validate). */
static inline sl_metrics_config sl_metrics_config_of(unsigned bins, double quality_threshold,
                                                     double uncertainty_band, double log_eps,
                                                     int exact)
{
    return (sl_metrics_config){bins, 1.0 / bins, quality_threshold, 0.5 - uncertainty_band,
                               0.5 + uncertainty_band, log_eps, exact};
}

/* The bin of p in [0, 1] among cfg->bins bins of width w (the reference's test: b*w <= p <
 * (b+1)*w, products in double, and the last bin for p = 1.0), or -1 when p lies in none (p in
 * [bins*w, 1) when bins*w rounds below 1). floor(p * bins) is at most one bin off the bin whose
 * edges hold p (p * bins and p / w differ by a rounding or two), so each direction is corrected
 * at most once; the edges b*w increase with b, so the bins do not overlap. */
static inline int sl_metrics_bin_of(const sl_metrics_config *cfg, double p)
{
    int last = (int)cfg->bins - 1;
    double w = cfg->bin_width, f = floor(p * cfg->bins);
    int b = f > last ? last : (int)f;
    if (b > 0 && p < b * w)
        b--;
    else if (b < last && p >= (b + 1) * w)
        b++;
    if (b * w <= p && p < (b + 1) * w)
        return b;
    return p == 1.0 ? last : -1;
}

/* Panel kernels (SPEC 4): label-major k x n matrices; return the first invalid item, or n. */
typedef size_t (*sl_panel_stats_f64_fn)(const double *votes, size_t ld, size_t n, size_t k,
                                        const sl_panel_stats_out *out);
typedef size_t (*sl_divergence_f64_fn)(const double *human, size_t ld_human, const double *model,
                                       size_t ld_model, size_t n, size_t k,
                                       const sl_divergence_out *out);

#define SL_DECLARE_KERNELS(isa)                                                                  \
    size_t sl_score_f32_##isa(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,       \
                              size_t ahead, float *v_hat, float *p);                             \
    size_t sl_score_f64_##isa(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,       \
                              size_t ahead, double *v_hat, double *p);                           \
    size_t sl_sigmoid_f32_##isa(float neg_k, const float *x, size_t n, float *out);              \
    size_t sl_sigmoid_f64_##isa(double neg_k, const double *x, size_t n, double *out);            \
    size_t sl_payoff_f32_##isa(const sl_payoff_consts *pc, const sl_payoff_inputs_f32 *in,       \
                               size_t n, const sl_payoff_outputs_f32 *out);                      \
    size_t sl_payoff_f64_##isa(const sl_payoff_consts *pc, const sl_payoff_inputs_f64 *in,       \
                               size_t n, const sl_payoff_outputs_f64 *out);                      \
    void sl_metrics_begin_f64_##isa(const sl_payoff_consts *pc, const sl_metrics_rows *rows,     \
                                    sl_metrics_span *span);                                      \
    size_t sl_metrics_feed_f64_##isa(const sl_payoff_consts *pc, const sl_metrics_rows *rows,    \
                                     size_t n, sl_metrics_span *span);                           \
    void sl_metrics_end_f64_##isa(const sl_payoff_consts *pc, sl_metrics_span *span);            \
    size_t sl_panel_stats_f64_##isa(const double *votes, size_t ld, size_t n, size_t k,          \
                                    const sl_panel_stats_out *out);                              \
    size_t sl_divergence_f64_##isa(const double *human, size_t ld_human, const double *model,    \
                                   size_t ld_model, size_t n, size_t k,                          \
                                   const sl_divergence_out *out);

/* Every SIMD path also exports its exp (score_simd.inc, KERNEL(exp)) over an array, for the tests
 * that check it against SLEEF and libm and across paths. */
#define SL_DECLARE_SIMD_EXP(isa)                                                                 \
    void sl_exp_array_f32_##isa(const float *t, size_t n, float *out);                           \
    void sl_exp_array_f64_##isa(const double *t, size_t n, double *out);

SL_DECLARE_KERNELS(scalar)
#if defined(__x86_64__) || defined(_M_X64)
SL_DECLARE_KERNELS(avx2)
SL_DECLARE_KERNELS(avx512)
SL_DECLARE_SIMD_EXP(avx2)
SL_DECLARE_SIMD_EXP(avx512)
#endif
#if defined(__aarch64__)
SL_DECLARE_KERNELS(neon)
SL_DECLARE_SIMD_EXP(neon)
#endif

/* Decay table indices in sl_proxy.decay_ and .signal_*_ */
enum { SL_REWORK = 0, SL_REJECTION = 1, SL_MISUSE = 2 };

/*
 * SPEC 1: signal(c, d) = 1 if c == 0, else 2 d^c - 1, with d^c from libm's pow exactly as the
 * reference computes decay**count. Every path takes its count signals from this one function
 * (through the tables sl_proxy_init fills, and directly for counts past the table), so v_hat is
 * the same bits on every path.
 */
static inline double sl_count_signal_f64(double decay, int32_t count)
{
    if (count == 0)
        return 1.0;
    return 2.0 * pow(decay, (double)count) - 1.0;
}

/* Single precision: the double signal rounded once to float (a float decay raised to a large
 * count would lose accuracy: its relative error grows with the count). */
static inline float sl_count_signal_f32(double decay, int32_t count)
{
    return (float)sl_count_signal_f64(decay, count);
}

#endif /* SL_KERNELS_H */
