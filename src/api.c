/*
 * The public entry points: check the arguments, pick the active path, run its kernel, and turn the
 * kernel's "first invalid row" into a status that names the column.
 */
#include <math.h>

#include "dispatch.h"
#include "obs_internal.h"
#include "proxy_internal.h"

/* The status of an invalid row: its first bad field, in field order. */
static sl_status row_status(int progress_nan, int32_t rework, int32_t rejections,
                            const int32_t *misuse_column, size_t row)
{
    if (progress_nan) return SL_ERR_NAN_TASK_PROGRESS;
    if (rework < 0) return SL_ERR_NEGATIVE_REWORK_COUNT;
    if (rejections < 0) return SL_ERR_NEGATIVE_VERIFIER_REJECTIONS;
    if (misuse_column && misuse_column[row] < 0) return SL_ERR_NEGATIVE_TOOL_MISUSE;
    return SL_ERR_NAN_ENGAGEMENT;
}

/* NULL checks shared by both precisions; `columns_present`: every required column is non-NULL. */
static sl_status check_score_args(const sl_proxy *px, const void *obs, size_t n,
                                  int columns_present)
{
    if (!px || !obs)
        return SL_ERR_NULL_ARGUMENT;
    if (px->magic_ != SL_PROXY_MAGIC)
        return SL_ERR_NOT_INITIALIZED;
    if (n > 0 && !columns_present)
        return SL_ERR_NULL_ARGUMENT;
    return SL_OK;
}

sl_status sl_score_f32(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                       float *v_hat, float *p, size_t *first_invalid)
{
    sl_status st = check_score_args(px, obs, n,
                                    obs && sl_obs_complete_f32(obs));
    if (st != SL_OK)
        return st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->score_f32(px, obs, n, v_hat, p) : 0;
    if (first_invalid)
        *first_invalid = bad;
    if (bad == n)
        return SL_OK;
    return row_status(isnan(obs->task_progress_delta[bad]), obs->rework_count[bad],
                      obs->verifier_rejections[bad], obs->tool_misuse_flags, bad);
}

sl_status sl_score_f64(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                       double *v_hat, double *p, size_t *first_invalid)
{
    sl_status st = check_score_args(px, obs, n,
                                    obs && sl_obs_complete_f64(obs));
    if (st != SL_OK)
        return st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->score_f64(px, obs, n, v_hat, p) : 0;
    if (first_invalid)
        *first_invalid = bad;
    if (bad == n)
        return SL_OK;
    return row_status(isnan(obs->task_progress_delta[bad]), obs->rework_count[bad],
                      obs->verifier_rejections[bad], obs->tool_misuse_flags, bad);
}

sl_status sl_sigmoid_f32(float k, const float *x, size_t n, float *out)
{
    if (n > 0 && (!x || !out))
        return SL_ERR_NULL_ARGUMENT;
    if (!sl_valid_sigmoid_k(k))
        return SL_ERR_PARAM_SIGMOID_K;
    sl_status st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->sigmoid_f32(-k, x, n, out) : 0;
    return bad < n ? SL_ERR_NAN_INPUT : SL_OK;
}

sl_status sl_sigmoid_f64(double k, const double *x, size_t n, double *out)
{
    if (n > 0 && (!x || !out))
        return SL_ERR_NULL_ARGUMENT;
    if (!sl_valid_sigmoid_k(k))
        return SL_ERR_PARAM_SIGMOID_K;
    sl_status st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->sigmoid_f64(-k, x, n, out) : 0;
    return bad < n ? SL_ERR_NAN_INPUT : SL_OK;
}

sl_status sl_obs_row_status_f64(const sl_observables_f64 *obs, size_t row)
{
    int progress_nan = isnan(obs->task_progress_delta[row]);
    int32_t misuse = obs->tool_misuse_flags ? obs->tool_misuse_flags[row] : 0;
    if (!progress_nan && obs->rework_count[row] >= 0 && obs->verifier_rejections[row] >= 0 &&
        misuse >= 0 && !isnan(obs->counterparty_engagement_delta[row]))
        return SL_OK;
    return row_status(progress_nan, obs->rework_count[row], obs->verifier_rejections[row],
                      obs->tool_misuse_flags, row);
}

sl_status sl_obs_row_status_f32(const sl_observables_f32 *obs, size_t row)
{
    int progress_nan = isnan(obs->task_progress_delta[row]);
    int32_t misuse = obs->tool_misuse_flags ? obs->tool_misuse_flags[row] : 0;
    if (!progress_nan && obs->rework_count[row] >= 0 && obs->verifier_rejections[row] >= 0 &&
        misuse >= 0 && !isnan(obs->counterparty_engagement_delta[row]))
        return SL_OK;
    return row_status(progress_nan, obs->rework_count[row], obs->verifier_rejections[row],
                      obs->tool_misuse_flags, row);
}
