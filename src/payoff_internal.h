/* Internal: payoff parameters and row statuses shared by the payoff and metrics entry points. */
#ifndef SL_PAYOFF_INTERNAL_H
#define SL_PAYOFF_INTERNAL_H

#include "kernels.h"
#include "obs_internal.h"

/* Validates *pp (SL_OK or the first bad field's status) and, when valid, fills *pc. */
sl_status sl_payoff_prepare(const sl_payoff_params *pp, sl_payoff_consts *pc);

/* SL_OK when every payoff column of row `row` is finite, else the first non-finite column's
 * status (SL_ERR_NONFINITE_TAU .. _R_B). in->p is not looked at. */
sl_status sl_payoff_columns_status_f64(const sl_payoff_inputs_f64 *in, size_t row);
sl_status sl_payoff_columns_status_f32(const sl_payoff_inputs_f32 *in, size_t row);

/* Views of rows [offset, ...) of a set of columns; the payoff view takes its p from p_block
 * (in may be NULL: all columns zero). */
static inline sl_payoff_inputs_f64 sl_payoff_inputs_view_f64(const sl_payoff_inputs_f64 *in,
                                                             size_t offset, const double *p_block)
{
    sl_payoff_inputs_f64 v = {p_block, NULL, NULL, NULL, NULL, NULL};
    if (in) {
        v.tau = in->tau ? in->tau + offset : NULL;
        v.c_a = in->c_a ? in->c_a + offset : NULL;
        v.c_b = in->c_b ? in->c_b + offset : NULL;
        v.r_a = in->r_a ? in->r_a + offset : NULL;
        v.r_b = in->r_b ? in->r_b + offset : NULL;
    }
    return v;
}

static inline sl_payoff_inputs_f32 sl_payoff_inputs_view_f32(const sl_payoff_inputs_f32 *in,
                                                             size_t offset, const float *p_block)
{
    sl_payoff_inputs_f32 v = {p_block, NULL, NULL, NULL, NULL, NULL};
    if (in) {
        v.tau = in->tau ? in->tau + offset : NULL;
        v.c_a = in->c_a ? in->c_a + offset : NULL;
        v.c_b = in->c_b ? in->c_b + offset : NULL;
        v.r_a = in->r_a ? in->r_a + offset : NULL;
        v.r_b = in->r_b ? in->r_b + offset : NULL;
    }
    return v;
}

#endif
