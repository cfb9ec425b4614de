/*
 * Public entry points of the panel part (SPEC section 4): argument checks, the active path's
 * kernels, the disagreement classes and Krippendorff's alpha (a plain reduction, one path).
 */
#include <math.h>

#include "args_internal.h"
#include "dispatch.h"

/* Whether sl_panel_stats_f64's outputs overlap each other or the votes, beyond the one in-place
 * case: the distribution over the votes themselves (same start, same extent, so the same ld). */
static int panel_stats_overlap(const double *votes, size_t ld, size_t n, size_t k,
                               const sl_panel_stats_out *out)
{
    sl_span in = sl_span_of(votes, sl_matrix_extent(ld, n, k, sizeof(double)), sizeof(double));
    size_t dist =
        out->distribution ? sl_matrix_extent(out->distribution_ld, n, k, sizeof(double)) : 0;
    sl_span outs[6] = {sl_span_of(out->distribution, dist, sizeof(double)),
                       sl_span_of(out->total, n, sizeof(double)),
                       sl_span_of(out->entropy_bits, n, sizeof(double)),
                       sl_span_of(out->top_share, n, sizeof(double)),
                       sl_span_of(out->top_label, n, sizeof(int32_t)),
                       sl_span_of(out->top_ties, n, sizeof(int32_t))};
    return sl_check_overlap(outs + 1, 5, &in, 1, 0) != SL_OK ||
           sl_check_overlap(outs, 6, &in, 1, 1) != SL_OK;
}

sl_status sl_panel_stats_f64(const double *votes, size_t ld, size_t n, size_t k,
                             const sl_panel_stats_out *out, size_t *first_invalid)
{
    if (first_invalid)
        *first_invalid = n;
    if (n > 0 && (!votes || !out))
        return SL_ERR_NULL_ARGUMENT;
    if (k == 0 || ld < n || (out && out->distribution && out->distribution_ld < n))
        return SL_ERR_PANEL_SHAPE;
    if (n > 0 && (sl_matrix_extent(ld, n, k, sizeof(double)) == 0 ||
                  (out->distribution &&
                   sl_matrix_extent(out->distribution_ld, n, k, sizeof(double)) == 0)))
        return SL_ERR_SIZE_OVERFLOW;
    if (n > 0 && panel_stats_overlap(votes, ld, n, k, out))
        return SL_ERR_OVERLAP;
    sl_status st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->panel_stats_f64(votes, ld, n, k, out) : 0;
    if (first_invalid)
        *first_invalid = bad;
    return bad < n ? SL_ERR_PANEL_BAD_VOTES : SL_OK;
}

const char *sl_disagreement_name(sl_disagreement c)
{
    switch (c) {
    case SL_AGREEMENT: return "agreement";
    case SL_MINOR: return "minor";
    case SL_MAJOR: return "major";
    case SL_UNRESOLVED: return "unresolved";
    }
    return NULL;
}

void sl_panel_rules_default(sl_panel_rules *out)
{
    out->min_reviewers = 2;
    out->majority_threshold = 2.0 / 3.0;
}

static sl_status check_rules(const sl_panel_rules *rules)
{
    if (rules->min_reviewers < 1)
        return SL_ERR_PARAM_MIN_REVIEWERS;
    if (!(rules->majority_threshold > 0.0 && rules->majority_threshold <= 1.0))
        return SL_ERR_PARAM_MAJORITY;
    return SL_OK;
}

sl_status sl_panel_classify(const sl_panel_rules *rules, size_t n, const int32_t *reviewers,
                            const double *top_share, const int32_t *top_ties, sl_disagreement *out)
{
    if (!rules || (n > 0 && (!reviewers || !top_share || !top_ties || !out)))
        return SL_ERR_NULL_ARGUMENT;
    sl_status st = check_rules(rules);
    if (st != SL_OK)
        return st;
    if (!sl_array_fits(n, sizeof(double)) || !sl_array_fits(n, sizeof *out))
        return SL_ERR_SIZE_OVERFLOW;
    sl_span ins[3] = {sl_span_of(reviewers, n, sizeof *reviewers),
                      sl_span_of(top_share, n, sizeof *top_share),
                      sl_span_of(top_ties, n, sizeof *top_ties)};
    sl_span result = sl_span_of(out, n, sizeof *out);
    if (sl_check_overlap(&result, 1, ins, 3, 0) != SL_OK)
        return SL_ERR_OVERLAP;
    for (size_t i = 0; i < n; i++) {
        if (reviewers[i] < rules->min_reviewers || top_ties[i] >= 2)
            out[i] = SL_UNRESOLVED;
        else if (top_share[i] == 1.0)
            out[i] = SL_AGREEMENT;
        else if (top_share[i] >= rules->majority_threshold)
            out[i] = SL_MINOR;
        else
            out[i] = SL_MAJOR;
    }
    return SL_OK;
}

/* Why item `i` is invalid: its first value outside [0, 1] (or NaN), else its sum. */
static sl_status divergence_status(const double *human, size_t ld_human, const double *model,
                                   size_t ld_model, size_t i, size_t k)
{
    for (size_t c = 0; c < k; c++) {
        double h = human[c * ld_human + i], m = model[c * ld_model + i];
        if (!(h >= 0.0 && h <= 1.0 && m >= 0.0 && m <= 1.0))
            return SL_ERR_DIST_BAD_VALUE;
    }
    return SL_ERR_DIST_SUM;
}

/* The size and overlap checks of sl_divergence_f64's buffers: the two matrices must fit, and no
 * output may overlap another or either matrix's extent. */
static sl_status divergence_buffers_status(const double *human, size_t ld_human,
                                           const double *model, size_t ld_model, size_t n,
                                           size_t k, const sl_divergence_out *out)
{
    size_t human_extent = sl_matrix_extent(ld_human, n, k, sizeof(double));
    size_t model_extent = sl_matrix_extent(ld_model, n, k, sizeof(double));
    if (n > 0 && (human_extent == 0 || model_extent == 0))
        return SL_ERR_SIZE_OVERFLOW;
    if (n == 0 || !out)
        return SL_OK;
    sl_span ins[2] = {sl_span_of(human, human_extent, sizeof(double)),
                      sl_span_of(model, model_extent, sizeof(double))};
    sl_span outs[6] = {sl_span_of(out->cross_entropy_bits, n, sizeof(double)),
                       sl_span_of(out->kl_bits, n, sizeof(double)),
                       sl_span_of(out->js_bits, n, sizeof(double)),
                       sl_span_of(out->total_variation, n, sizeof(double)),
                       sl_span_of(out->brier, n, sizeof(double)),
                       sl_span_of(out->top_label_agreement, n, sizeof(double))};
    return sl_check_overlap(outs, 6, ins, 2, 0);
}

sl_status sl_divergence_f64(const double *human, size_t ld_human, const double *model,
                            size_t ld_model, size_t n, size_t k, const sl_divergence_out *out,
                            size_t *first_invalid)
{
    if (first_invalid)
        *first_invalid = n;
    if (n > 0 && (!human || !model || !out))
        return SL_ERR_NULL_ARGUMENT;
    if (k == 0 || ld_human < n || ld_model < n)
        return SL_ERR_PANEL_SHAPE;
    sl_status st = divergence_buffers_status(human, ld_human, model, ld_model, n, k, out);
    if (st != SL_OK)
        return st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->divergence_f64(human, ld_human, model, ld_model, n, k, out) : 0;
    if (first_invalid)
        *first_invalid = bad;
    if (bad == n)
        return SL_OK;
    return divergence_status(human, ld_human, model, ld_model, bad, k);
}

void sl_alpha_nominal_init(sl_alpha_nominal *acc)
{
    acc->pairable = 0.0;
    acc->agreement = 0.0;
    acc->marginal_sq = 0.0;
}

sl_status sl_alpha_nominal_add(sl_alpha_nominal *acc, const double *votes, size_t ld, size_t n,
                               size_t k, const double *total)
{
    if (!acc || (n > 0 && (!votes || !total)))
        return SL_ERR_NULL_ARGUMENT;
    if (k == 0 || ld < n)
        return SL_ERR_PANEL_SHAPE;
    if (n > 0 && sl_matrix_extent(ld, n, k, sizeof(double)) == 0)
        return SL_ERR_SIZE_OVERFLOW;
    /* first pass: validity, and the pairable values according to the totals */
    double pairable = 0.0;
    for (size_t u = 0; u < n; u++) {
        if (!(total[u] >= 0.0 && total[u] < INFINITY))
            return SL_ERR_PANEL_BAD_VOTES;
        if (total[u] >= 2.0)
            pairable += total[u];
    }
    /* second pass, label by label: the marginal n_c over pairable units and the within-unit
     * agreement sum_c n_uc (n_uc - 1) / (m_u - 1) */
    double agreement = 0.0, marginal_sq = 0.0, counted = 0.0;
    for (size_t c = 0; c < k; c++) {
        double marginal = 0.0;
        for (size_t u = 0; u < n; u++) {
            double v = votes[c * ld + u];
            if (!(v >= 0.0 && v < INFINITY))
                return SL_ERR_PANEL_BAD_VOTES;
            if (total[u] < 2.0)
                continue;
            marginal += v;
            agreement += v * (v - 1.0) / (total[u] - 1.0);
        }
        marginal_sq += marginal * marginal;
        counted += marginal;
    }
    if (fabs(counted - pairable) > 1e-9 * pairable)
        return SL_ERR_ALPHA_TOTALS;
    acc->pairable += pairable;
    acc->agreement += agreement;
    acc->marginal_sq += marginal_sq;
    return SL_OK;
}

double sl_alpha_nominal_value(const sl_alpha_nominal *acc)
{
    if (!acc)
        return NAN;
    double n = acc->pairable;
    double expected = n * n - acc->marginal_sq; /* sum over c != k of n_c n_k */
    if (n < 2.0 || expected <= 0.0)
        return NAN;
    return 1.0 - (n - 1.0) * (n - acc->agreement) / expected;
}
