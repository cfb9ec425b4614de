/*
 * Soft payoffs (SPEC section 2): parameters, the public entry points (argument checks, the active
 * path's kernel, the status of the first invalid row) and the fused observables -> payoffs call.
 */
#include <math.h>
#include <string.h>

#include "dispatch.h"
#include "payoff_internal.h"
#include "proxy_internal.h"

void sl_payoff_params_default(sl_payoff_params *out)
{
    if (!out)
        return;
    *out = (sl_payoff_params){
        .s_plus = 2.0, .s_minus = 1.0, .h = 2.0, .theta = 0.5,
        .rho_a = 0.0, .rho_b = 0.0, .w_rep = 1.0,
    };
}

static int valid_magnitude(double x) { return isfinite(x) && x >= 0.0; }
static int valid_share(double x) { return x >= 0.0 && x <= 1.0; } /* false for NaN */

sl_status sl_payoff_validate(const sl_payoff_params *pp)
{
    if (!pp) return SL_ERR_NULL_ARGUMENT;
    if (!valid_magnitude(pp->s_plus)) return SL_ERR_PARAM_S_PLUS;
    if (!valid_magnitude(pp->s_minus)) return SL_ERR_PARAM_S_MINUS;
    if (!valid_magnitude(pp->h)) return SL_ERR_PARAM_H;
    if (!valid_share(pp->theta)) return SL_ERR_PARAM_THETA;
    if (!valid_share(pp->rho_a)) return SL_ERR_PARAM_RHO_A;
    if (!valid_share(pp->rho_b)) return SL_ERR_PARAM_RHO_B;
    if (!(pp->w_rep >= 0.0 && pp->w_rep <= 100.0)) return SL_ERR_PARAM_W_REP;
    return SL_OK;
}

sl_status sl_payoff_prepare(const sl_payoff_params *pp, sl_payoff_consts *pc)
{
    sl_status st = sl_payoff_validate(pp);
    if (st != SL_OK)
        return st;
    pc->s_plus = pp->s_plus;
    pc->s_minus = pp->s_minus;
    pc->h = pp->h;
    pc->theta = pp->theta;
    pc->one_minus_theta = 1 - pp->theta;
    pc->rho_a = pp->rho_a;
    pc->rho_b = pp->rho_b;
    pc->w_rep = pp->w_rep;
    pc->s_plus_f32 = (float)pc->s_plus;
    pc->s_minus_f32 = (float)pc->s_minus;
    pc->h_f32 = (float)pc->h;
    pc->theta_f32 = (float)pc->theta;
    pc->one_minus_theta_f32 = (float)pc->one_minus_theta;
    pc->rho_a_f32 = (float)pc->rho_a;
    pc->rho_b_f32 = (float)pc->rho_b;
    pc->w_rep_f32 = (float)pc->w_rep;
    pc->affine_safe = isfinite(4.0 * (pc->s_plus + pc->s_minus + pc->h));
    return SL_OK;
}

sl_status sl_break_even_p(const sl_payoff_params *pp, double *out)
{
    sl_status st = sl_payoff_validate(pp);
    if (st != SL_OK)
        return st;
    if (!out)
        return SL_ERR_NULL_ARGUMENT;
    double denominator = pp->s_plus + pp->s_minus;
    if (denominator == 0.0)
        return SL_ERR_BREAK_EVEN_UNDEFINED;
    *out = pp->s_minus / denominator;
    return SL_OK;
}

sl_status sl_social_break_even_p(const sl_payoff_params *pp, double *out)
{
    sl_status st = sl_payoff_validate(pp);
    if (st != SL_OK)
        return st;
    if (!out)
        return SL_ERR_NULL_ARGUMENT;
    double numerator = pp->s_minus + pp->h;
    double denominator = pp->s_plus + pp->s_minus + pp->h;
    if (denominator == 0.0)
        return SL_ERR_BREAK_EVEN_UNDEFINED;
    *out = numerator / denominator;
    return SL_OK;
}

/* Rows scored per block of the fused calls; the p buffer stays in L1. */
#define FUSED_BLOCK 256

/* Checks shared by the fused calls; columns_present: the observables' required columns. */
static sl_status check_fused_args(const sl_payoff_params *pp, const sl_proxy *px, const void *obs,
                                  const void *in_p, int has_in, const void *out, size_t n,
                                  int columns_present)
{
    if (!pp || !px || !obs || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (has_in && in_p)
        return SL_ERR_P_GIVEN;
    return sl_check_score_args(px, obs, n, columns_present);
}

/* The payoff entry points and row statuses, written once in payoff_prec.inc and compiled here
 * once per precision, each function's name bound on one line (see api.c). */
#include "api_prec_f64.h"
#define SL_PAYOFF sl_payoff_f64
#define SL_PAYOFF_OBSERVABLES sl_payoff_observables_f64
#define SL_PAYOFF_COLUMNS_STATUS sl_payoff_columns_status_f64
#include "payoff_prec.inc"
#include "api_prec_undef.h"

#include "api_prec_f32.h"
#define SL_PAYOFF sl_payoff_f32
#define SL_PAYOFF_OBSERVABLES sl_payoff_observables_f32
#define SL_PAYOFF_COLUMNS_STATUS sl_payoff_columns_status_f32
#include "payoff_prec.inc"
#include "api_prec_undef.h"
