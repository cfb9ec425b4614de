/*
 * The scalar reference path of the panel kernels (SPEC section 4), one item at a time, with libm's
 * log2. Written plainly from the definitions in include/softlabel.h; the SIMD paths
 * (kernels/simd/panel_simd.inc) are checked against this file.
 *
 * Matrices are label-major: the value of item i for label c is m[c * ld + i].
 */
#include <math.h>

#include "kernels.h"

/* A vote must be finite and >= 0. */
static int valid_vote(double v)
{
    return v >= 0.0 && v < INFINITY; /* false for NaN */
}

size_t sl_panel_stats_f64_scalar(const double *votes, size_t ld, size_t n, size_t k,
                                 const sl_panel_stats_out *out)
{
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        double total = 0.0, top = votes[i];
        int valid = 1;
        for (size_t c = 0; c < k; c++) {
            double v = votes[c * ld + i];
            valid &= valid_vote(v);
            total += v;
            if (v > top)
                top = v;
        }
        if (!valid) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        double acc = 0.0; /* sum of p log2 p, <= 0 */
        int32_t ties = 0, top_label = -1;
        for (size_t c = 0; c < k; c++) {
            double v = votes[c * ld + i];
            double p = total > 0.0 ? v / total : 0.0;
            if (out->distribution)
                out->distribution[c * out->distribution_ld + i] = p;
            if (p > 0.0)
                acc += p * log2(p);
            if (v == top) {
                ties++;
                if (top_label < 0)
                    top_label = (int32_t)c;
            }
        }
        if (out->total)
            out->total[i] = total;
        if (out->entropy_bits)
            out->entropy_bits[i] = 0.0 - acc; /* 0 - (+-0) is +0: never prints as -0 */
        if (out->top_share)
            out->top_share[i] = total > 0.0 ? top / total : 0.0;
        if (out->top_label)
            out->top_label[i] = top_label;
        if (out->top_ties)
            out->top_ties[i] = ties;
    }
    return first_invalid;
}

/* x log2 x with 0 log 0 = 0 */
static double xlog2x(double x)
{
    return x > 0.0 ? x * log2(x) : 0.0;
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

size_t sl_divergence_f64_scalar(const double *human, size_t ld_human, const double *model,
                                 size_t ld_model, size_t n, size_t k,
                                 const sl_divergence_out *out)
{
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        /* validity, sums, the human maximum and the model's first most probable label */
        double sum_h = 0.0, sum_m = 0.0;
        double h_max = human[i], m_best = model[i], h_at_m_best = human[i];
        int valid = 1;
        for (size_t c = 0; c < k; c++) {
            double h = human[c * ld_human + i], m = model[c * ld_model + i];
            valid &= h >= 0.0 && h <= 1.0 && m >= 0.0 && m <= 1.0;
            sum_h += h;
            sum_m += m;
            if (h > h_max)
                h_max = h;
            if (m > m_best) {
                m_best = m;
                h_at_m_best = h;
            }
        }
        valid &= fabs(sum_h - 1.0) <= SL_DIST_SUM_TOLERANCE &&
                 fabs(sum_m - 1.0) <= SL_DIST_SUM_TOLERANCE;
        if (!valid) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        double ce = 0.0, kl = 0.0, js = 0.0, tv = 0.0, brier = 0.0;
        for (size_t c = 0; c < k; c++) {
            double h = human[c * ld_human + i], m = model[c * ld_model + i];
            double log_q = log2(clamp(m, SL_PROB_FLOOR, 1.0));
            ce += h * log_q;
            if (h > 0.0)
                kl += h * (log2(h) - log_q);
            double mid = (h + m) * 0.5;
            js += (xlog2x(h) + xlog2x(m)) * 0.5 - xlog2x(mid);
            tv += fabs(h - m);
            brier += (m - h) * (m - h);
        }
        if (out->cross_entropy_bits)
            out->cross_entropy_bits[i] = 0.0 - ce;
        if (out->kl_bits)
            out->kl_bits[i] = kl > 0.0 ? kl : 0.0;
        if (out->js_bits)
            out->js_bits[i] = clamp(js, 0.0, 1.0);
        if (out->total_variation)
            out->total_variation[i] = tv * 0.5;
        if (out->brier)
            out->brier[i] = brier;
        if (out->top_label_agreement)
            out->top_label_agreement[i] = h_at_m_best == h_max ? 1.0 : 0.0;
    }
    return first_invalid;
}
