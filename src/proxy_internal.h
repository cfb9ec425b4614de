/* Internal: shared between the parameter code and the API layer. */
#ifndef SL_PROXY_INTERNAL_H
#define SL_PROXY_INTERNAL_H

#include <stddef.h>

#include "softlabel.h"

/* Set in sl_proxy.magic_ by a successful sl_proxy_init ("softlbl1"). */
#define SL_PROXY_MAGIC 0x736f66746c626c31ull

/* The checks of a scoring call's proxy and observables struct, in both precisions and in the fused
 * calls: SL_ERR_NULL_ARGUMENT, SL_ERR_NOT_INITIALIZED, or SL_OK. `columns_present`: every
 * required column of obs is non-NULL (needed only when n > 0). */
static inline sl_status sl_check_score_args(const sl_proxy *px, const void *obs, size_t n,
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

/* sigmoid_k's valid range (0, 100], shared by the proxy and the sigmoid entry points. */
int sl_valid_sigmoid_k(double k);

/* SL_OK when row `row` of obs is valid, else the status of its first bad field (SPEC 1), as
 * sl_score_* reports it. Used by the fused payoff and metrics calls. */
sl_status sl_obs_row_status_f64(const sl_observables_f64 *obs, size_t row);
sl_status sl_obs_row_status_f32(const sl_observables_f32 *obs, size_t row);

#endif
