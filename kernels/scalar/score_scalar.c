/*
 * The scalar reference path: SPEC.md section 1 written out plainly, one row at a time, with libm.
 * Every SIMD path is checked against this file, so it stays simple and literal; it is also the
 * path any CPU can run. The f64 version reproduces the golden vectors exactly.
 */
#include <math.h>

#include "kernels.h"

static double clamp_f64(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

static float clamp_f32(float x, float lo, float hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Computed directly for every row (the SIMD paths use sl_proxy's precomputed tables instead),
 * so comparing the two paths also checks the tables. */
static double row_signal_f64(const sl_proxy *px, int which, int32_t count)
{
    return sl_count_signal_f64(px->decay_[which], count);
}

static float row_signal_f32(const sl_proxy *px, int which, int32_t count)
{
    return sl_count_signal_f32(px->decay_[which], count);
}

size_t sl_score_f64_scalar(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                           size_t ahead, double *v_hat_out, double *p_out)
{
    (void)ahead; /* the reference path is bound by its arithmetic, not by memory */
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        double progress_in = obs->task_progress_delta[i];
        double engagement_in = obs->counterparty_engagement_delta[i];
        int32_t rework_count = obs->rework_count[i];
        int32_t rejections = obs->verifier_rejections[i];
        int32_t misuse = obs->tool_misuse_flags ? obs->tool_misuse_flags[i] : 0;
        if (isnan(progress_in) || isnan(engagement_in) || rework_count < 0 || rejections < 0 ||
            misuse < 0) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        double progress = clamp_f64(progress_in, -1.0, 1.0);
        double engagement = clamp_f64(engagement_in, -1.0, 1.0);
        double rework = row_signal_f64(px, SL_REWORK, rework_count);
        double verifier = (row_signal_f64(px, SL_REJECTION, rejections) +
                           row_signal_f64(px, SL_MISUSE, misuse)) / 2.0;
        double v_hat = px->w_[0] * progress + px->w_[1] * rework + px->w_[2] * verifier +
                       px->w_[3] * engagement;
        v_hat = clamp_f64(v_hat, -1.0, 1.0);
        if (v_hat_out)
            v_hat_out[i] = v_hat;
        if (p_out)
            p_out[i] = 1.0 / (1.0 + exp(px->neg_k_ * v_hat));
    }
    return first_invalid;
}

size_t sl_score_f32_scalar(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                           size_t ahead, float *v_hat_out, float *p_out)
{
    (void)ahead; /* the reference path is bound by its arithmetic, not by memory */
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        float progress_in = obs->task_progress_delta[i];
        float engagement_in = obs->counterparty_engagement_delta[i];
        int32_t rework_count = obs->rework_count[i];
        int32_t rejections = obs->verifier_rejections[i];
        int32_t misuse = obs->tool_misuse_flags ? obs->tool_misuse_flags[i] : 0;
        if (isnan(progress_in) || isnan(engagement_in) || rework_count < 0 || rejections < 0 ||
            misuse < 0) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        float progress = clamp_f32(progress_in, -1.0f, 1.0f);
        float engagement = clamp_f32(engagement_in, -1.0f, 1.0f);
        float rework = row_signal_f32(px, SL_REWORK, rework_count);
        float verifier = (row_signal_f32(px, SL_REJECTION, rejections) +
                          row_signal_f32(px, SL_MISUSE, misuse)) / 2.0f;
        float v_hat = px->w_f32_[0] * progress + px->w_f32_[1] * rework +
                      px->w_f32_[2] * verifier + px->w_f32_[3] * engagement;
        v_hat = clamp_f32(v_hat, -1.0f, 1.0f);
        if (v_hat_out)
            v_hat_out[i] = v_hat;
        if (p_out)
            p_out[i] = 1.0f / (1.0f + expf(px->neg_k_f32_ * v_hat));
    }
    return first_invalid;
}

size_t sl_sigmoid_f64_scalar(double neg_k, const double *x, size_t n, double *out)
{
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        double xi = x[i];
        if (isnan(xi)) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        out[i] = 1.0 / (1.0 + exp(neg_k * xi));
    }
    return first_invalid;
}

size_t sl_sigmoid_f32_scalar(float neg_k, const float *x, size_t n, float *out)
{
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        float xi = x[i];
        if (isnan(xi)) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        out[i] = 1.0f / (1.0f + expf(neg_k * xi));
    }
    return first_invalid;
}
