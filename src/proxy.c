/* Proxy parameters: defaults, validation, normalization and the precomputed count signals. */
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "proxy_internal.h"

void sl_proxy_params_default(sl_proxy_params *out)
{
    if (!out)
        return;
    *out = (sl_proxy_params){
        .w_progress = 0.4, .w_rework = 0.2, .w_verifier = 0.2, .w_engagement = 0.2,
        .sigmoid_k = 2.0,
        .rework_decay = 0.3, .rejection_decay = 0.4, .misuse_decay = 0.5,
    };
}

static int valid_weight(double w) { return isfinite(w) && w >= 0.0; }
static int valid_decay(double d) { return d >= 0.01 && d < 1.0; } /* false for NaN */

int sl_valid_sigmoid_k(double k) { return k > 0.0 && k <= 100.0; } /* false for NaN */

static sl_status validate(const sl_proxy_params *p)
{
    if (!valid_weight(p->w_progress)) return SL_ERR_PARAM_W_PROGRESS;
    if (!valid_weight(p->w_rework)) return SL_ERR_PARAM_W_REWORK;
    if (!valid_weight(p->w_verifier)) return SL_ERR_PARAM_W_VERIFIER;
    if (!valid_weight(p->w_engagement)) return SL_ERR_PARAM_W_ENGAGEMENT;
    if (!sl_valid_sigmoid_k(p->sigmoid_k)) return SL_ERR_PARAM_SIGMOID_K;
    if (!valid_decay(p->rework_decay)) return SL_ERR_PARAM_REWORK_DECAY;
    if (!valid_decay(p->rejection_decay)) return SL_ERR_PARAM_REJECTION_DECAY;
    if (!valid_decay(p->misuse_decay)) return SL_ERR_PARAM_MISUSE_DECAY;
    return SL_OK;
}

sl_status sl_proxy_init(sl_proxy *px, const sl_proxy_params *params)
{
    if (!px || !params)
        return SL_ERR_NULL_ARGUMENT;
    memset(px, 0, sizeof *px);
    sl_status st = validate(params);
    if (st != SL_OK)
        return st;

    /* normalized exactly as the reference: each weight divided by the sum, in field order */
    const double raw[4] = {params->w_progress, params->w_rework, params->w_verifier,
                           params->w_engagement};
    const double total = raw[0] + raw[1] + raw[2] + raw[3];
    if (!isfinite(total))
        return SL_ERR_PARAM_WEIGHT_SUM;
    for (int j = 0; j < 4; j++) {
        px->w_[j] = total == 0.0 ? 0.25 : raw[j] / total;
        px->w_f32_[j] = (float)px->w_[j];
    }
    px->neg_k_ = -params->sigmoid_k;
    px->neg_k_f32_ = (float)px->neg_k_;
    px->decay_[SL_REWORK] = params->rework_decay;
    px->decay_[SL_REJECTION] = params->rejection_decay;
    px->decay_[SL_MISUSE] = params->misuse_decay;
    for (int which = 0; which < 3; which++)
        for (int32_t c = 0; c < SL_SIGNAL_TABLE_SIZE; c++) {
            px->signal_f64_[which][c] = sl_count_signal_f64(px->decay_[which], c);
            px->signal_f32_[which][c] = sl_count_signal_f32(px->decay_[which], c);
        }
    px->magic_ = SL_PROXY_MAGIC;
    return SL_OK;
}
