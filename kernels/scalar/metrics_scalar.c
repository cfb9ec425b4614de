/*
 * The scalar reference path of the batch-metrics kernel (SPEC.md section 3): one row at a time,
 * plain sums, libm's log, and a span of one block (every block is ended on its own). The payoffs
 * of each row are computed exactly as payoff_scalar.c computes them. The SIMD paths add the same
 * terms in a different (fixed, interleaved) order, so their sums agree with these to the last few
 * places. This path also takes any sl_metrics_options (span->cfg): bins into span->bin_sums,
 * the quality threshold, uncertainty band and log-loss epsilon; the SIMD paths only the defaults.
 * With cfg->exact (SL_METRICS_EXACT_SUMS) it adds each valid row's terms to the block's exact
 * sums (exact_sum.h) instead of plain double sums.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "kernels.h"

typedef struct row_payoffs {
    double pi_a, pi_b, social, welfare;
} row_payoffs;

static double column(const double *c, size_t i) { return c ? c[i] : 0.0; }

static row_payoffs payoffs_of_row(const sl_payoff_consts *pc, const sl_metrics_rows *rows,
                                  size_t i)
{
    double p = rows->p[i];
    double S = p * pc->s_plus - (1 - p) * pc->s_minus;
    double E = (1 - p) * pc->h;
    row_payoffs r;
    r.pi_a = pc->theta * S - column(rows->tau, i) - column(rows->c_a, i) - pc->rho_a * E +
             pc->w_rep * column(rows->r_a, i);
    r.pi_b = pc->one_minus_theta * S + column(rows->tau, i) - column(rows->c_b, i) -
             pc->rho_b * E + pc->w_rep * column(rows->r_b, i);
    r.social = S - E;
    r.welfare = r.pi_a + r.pi_b;
    return r;
}

static int row_valid(double p, const row_payoffs *r, uint8_t accepted, int8_t truth)
{
    return p >= 0.0 && p <= 1.0 && isfinite(r->welfare) && isfinite(r->social) && accepted <= 1 &&
           truth >= -1 && truth <= 1;
}

/* ln of the clamped probability of the observed outcome: the reference's
 * v*ln(q) + (1-v)*ln(1-q) with q = max(eps, min(1-eps, p)), whose other term is exactly 0 */
static double log_likelihood(double p, int positive, double eps)
{
    double q = p < 1 - eps ? p : 1 - eps;
    q = q > eps ? q : eps;
    return positive ? log(q) : log(1 - q);
}

/* The exact sums' terms of a valid row (sl_metrics_config.exact, exact_sum.h) */
static void add_exact_row(sl_exact_sums *x, double p, const row_payoffs *r, int accepted,
                          int8_t truth, double log_term, sl_u128 *bin_sum_x)
{
    sl_u128 px = sl_fix64(p);
    int subset = accepted ? 0 : 1;
    x->p[subset] += px;
    sl_u192_add_square(&x->p2[subset], px);
    sl_xsum_add(&x->pay[accepted ? SL_XS_PA_A : SL_XS_PA_R], r->pi_a);
    sl_xsum_add(&x->pay[accepted ? SL_XS_PB_A : SL_XS_PB_R], r->pi_b);
    if (accepted) {
        sl_xsum_add(&x->pay[SL_XS_SOCIAL_A], r->social);
        sl_xsum_add(&x->pay[SL_XS_WELFARE_A], r->welfare);
    }
    sl_xsum_add_square(&x->pay[SL_XS_PA_SQ], r->pi_a);
    sl_xsum_add_square(&x->pay[SL_XS_PB_SQ], r->pi_b);
    if (truth != 0) {
        sl_u192_add_square(&x->brier, truth == 1 ? ((sl_u128)1 << 64) - px : px);
        x->log += sl_fix64(-log_term);
        *bin_sum_x += px;
    }
}

/* The plain double sums' terms of a valid row */
static void add_row(sl_metrics_block *blk, double p, const row_payoffs *r, int accepted,
                    int8_t truth, double log_term, double *bin_sum_p)
{
    if (accepted) {
        blk->sum[SL_MS_P_A] += p;
        blk->sum[SL_MS_PA_A] += r->pi_a;
        blk->sum[SL_MS_PB_A] += r->pi_b;
        blk->sum[SL_MS_SOCIAL_A] += r->social;
        blk->sum[SL_MS_WELFARE_A] += r->welfare;
    } else {
        blk->sum[SL_MS_P_R] += p;
        blk->sum[SL_MS_PA_R] += r->pi_a;
        blk->sum[SL_MS_PB_R] += r->pi_b;
    }
    if (truth != 0) {
        double v = truth == 1 ? 1.0 : 0.0;
        *bin_sum_p += p;
        blk->sum[SL_MS_BRIER] += (p - v) * (p - v);
        blk->sum[SL_MS_LOG] += log_term;
    }
}

static size_t metrics_block(const sl_payoff_consts *pc, const sl_metrics_config *cfg,
                            const sl_metrics_rows *rows, size_t n, sl_metrics_block *blk,
                            sl_metrics_bin_sums *bins)
{
    double pi_a[SL_METRICS_BLOCK], pi_b[SL_METRICS_BLOCK];
    unsigned char valid[SL_METRICS_BLOCK], accepted[SL_METRICS_BLOCK];
    size_t first_invalid = n;
    memset(blk, 0, offsetof(sl_metrics_block, labelled));

    for (size_t i = 0; i < n; i++) {
        double p = rows->p[i];
        row_payoffs r = payoffs_of_row(pc, rows, i);
        int8_t truth = rows->ground_truth ? rows->ground_truth[i] : 0;
        valid[i] = (unsigned char)row_valid(p, &r, rows->accepted[i], truth);
        accepted[i] = valid[i] && rows->accepted[i] == 1;
        if (!valid[i]) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        pi_a[i] = r.pi_a;
        pi_b[i] = r.pi_b;
        int bin = sl_metrics_bin_of(cfg, p);
        if (bin < 0) /* in no bin: the table's last entry */
            bin = (int)cfg->bins;
        int high = p >= cfg->quality_threshold;
        blk->n++;
        blk->high += high;
        bins[bin].count++;
        if (accepted[i]) {
            blk->n_accepted++;
            blk->high_accepted += high;
            bins[bin].accepted++;
        }
        if (p > cfg->uncertain_lo && p < cfg->uncertain_hi)
            blk->uncertain++;
        double log_term = truth ? log_likelihood(p, truth == 1, cfg->log_eps) : 0.0;
        if (cfg->exact)
            add_exact_row(&blk->exact, p, &r, accepted[i], truth, log_term, &bins[bin].cal_sum_x);
        else
            add_row(blk, p, &r, accepted[i], truth, log_term, &bins[bin].cal_sum_p);
        if (truth != 0) {
            blk->n_positive += truth == 1;
            bins[bin].cal_count++;
            bins[bin].cal_positive += truth == 1;
            blk->labelled[blk->n_labelled++] = truth == 1 ? fabs(p) : -fabs(p); /* -0.0 too */
        }
    }
    if (cfg->exact) /* the variances follow from the exact sums of squares */
        return first_invalid;

    /* second pass: squared deviations from the block means */
    double mean[SL_MV_COUNT];
    for (int w = 0; w < SL_MV_COUNT; w++)
        mean[w] = sl_metrics_block_var_sum(blk, w) / (double)sl_metrics_block_var_count(blk, w);
    for (size_t i = 0; i < n; i++) {
        if (!valid[i])
            continue;
        double p = rows->p[i];
        blk->m2[SL_MV_P] += (p - mean[SL_MV_P]) * (p - mean[SL_MV_P]);
        if (accepted[i])
            blk->m2[SL_MV_P_A] += (p - mean[SL_MV_P_A]) * (p - mean[SL_MV_P_A]);
        blk->m2[SL_MV_PA] += (pi_a[i] - mean[SL_MV_PA]) * (pi_a[i] - mean[SL_MV_PA]);
        blk->m2[SL_MV_PB] += (pi_b[i] - mean[SL_MV_PB]) * (pi_b[i] - mean[SL_MV_PB]);
    }
    return first_invalid;
}

void sl_metrics_begin_f64_scalar(const sl_payoff_consts *pc, const sl_metrics_rows *rows,
                                 sl_metrics_span *span)
{
    span->rows = 0;
    span->capacity = SL_METRICS_BLOCK;
    span->payoffs = sl_metrics_rows_need_payoffs(pc, rows);
    span->labels = rows->ground_truth != NULL;
}

size_t sl_metrics_feed_f64_scalar(const sl_payoff_consts *pc, const sl_metrics_rows *rows,
                                  size_t n, sl_metrics_span *span)
{
    span->rows = n;
    return metrics_block(pc, span->cfg, rows, n, &span->blk, span->bin_sums);
}

void sl_metrics_end_f64_scalar(const sl_payoff_consts *pc, sl_metrics_span *span)
{
    (void)pc;
    span->rows = 0;
}
