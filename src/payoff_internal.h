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

/* sl_payoff_inputs_view_f64 / _f32: views of rows [offset, ...) of a set of payoff columns with
 * their p from a block buffer, written once for both precisions in payoff_internal_prec.inc. */
#include "api_prec_f64.h"
#include "payoff_internal_prec.inc"
#include "api_prec_undef.h"

#include "api_prec_f32.h"
#include "payoff_internal_prec.inc"
#include "api_prec_undef.h"

#endif
