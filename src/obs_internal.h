/* Internal: helpers over observables shared by the entry points (api, parallel, payoff, metrics). */
#ifndef SL_OBS_INTERNAL_H
#define SL_OBS_INTERNAL_H

#include <math.h>

#include "args_internal.h"
#include "dispatch.h"

/* sl_obs_view_f64 / _f32, sl_obs_complete_f64 / _f32, sl_score_buffers_status_f64 / _f32 and
 * sl_score_block_nan_f64 / _f32, written once for both precisions in obs_internal_prec.inc. */
#include "api_prec_f64.h"
#include "obs_internal_prec.inc"
#include "api_prec_undef.h"

#include "api_prec_f32.h"
#include "obs_internal_prec.inc"
#include "api_prec_undef.h"

#endif
