/* Internal: helpers over observables shared by the entry points (api, parallel, payoff, metrics). */
#ifndef SL_OBS_INTERNAL_H
#define SL_OBS_INTERNAL_H

#include <math.h>

#include "dispatch.h"

/* Views of rows [offset, ...) of a set of observable columns. */
static inline sl_observables_f64 sl_obs_view_f64(const sl_observables_f64 *o, size_t offset)
{
    sl_observables_f64 v = {o->task_progress_delta + offset, o->rework_count + offset,
                            o->verifier_rejections + offset,
                            o->tool_misuse_flags ? o->tool_misuse_flags + offset : NULL,
                            o->counterparty_engagement_delta + offset};
    return v;
}

static inline sl_observables_f32 sl_obs_view_f32(const sl_observables_f32 *o, size_t offset)
{
    sl_observables_f32 v = {o->task_progress_delta + offset, o->rework_count + offset,
                            o->verifier_rejections + offset,
                            o->tool_misuse_flags ? o->tool_misuse_flags + offset : NULL,
                            o->counterparty_engagement_delta + offset};
    return v;
}

/* Whether the observables' required columns are all present */
static inline int sl_obs_complete_f64(const sl_observables_f64 *o)
{
    return o->task_progress_delta && o->rework_count && o->verifier_rejections &&
           o->counterparty_engagement_delta;
}
static inline int sl_obs_complete_f32(const sl_observables_f32 *o)
{
    return o->task_progress_delta && o->rework_count && o->verifier_rejections &&
           o->counterparty_engagement_delta;
}

/* Scores a block into p (no v_hat) on the given path. The kernel leaves the p of invalid
 * observables untouched, so a block holding one (rare) is scored again into a buffer of NaN:
 * NaN then marks those rows invalid for the payoff and metrics kernels that read p. */
static inline void sl_score_block_nan_f64(const sl_impl *impl, const sl_proxy *px,
                                          const sl_observables_f64 *obs, size_t n, double *p)
{
    if (impl->score_f64(px, obs, n, NULL, p) == n)
        return;
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
    impl->score_f64(px, obs, n, NULL, p);
}

static inline void sl_score_block_nan_f32(const sl_impl *impl, const sl_proxy *px,
                                          const sl_observables_f32 *obs, size_t n, float *p)
{
    if (impl->score_f32(px, obs, n, NULL, p) == n)
        return;
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
    impl->score_f32(px, obs, n, NULL, p);
}

#endif
