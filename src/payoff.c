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

/* ---- row statuses ---- */

static int column_bad_f64(const double *column, size_t row)
{
    return column && !isfinite(column[row]);
}

static int column_bad_f32(const float *column, size_t row)
{
    return column && !isfinite(column[row]);
}

sl_status sl_payoff_columns_status_f64(const sl_payoff_inputs_f64 *in, size_t row)
{
    if (column_bad_f64(in->tau, row)) return SL_ERR_NONFINITE_TAU;
    if (column_bad_f64(in->c_a, row)) return SL_ERR_NONFINITE_C_A;
    if (column_bad_f64(in->c_b, row)) return SL_ERR_NONFINITE_C_B;
    if (column_bad_f64(in->r_a, row)) return SL_ERR_NONFINITE_R_A;
    if (column_bad_f64(in->r_b, row)) return SL_ERR_NONFINITE_R_B;
    return SL_OK;
}

sl_status sl_payoff_columns_status_f32(const sl_payoff_inputs_f32 *in, size_t row)
{
    if (column_bad_f32(in->tau, row)) return SL_ERR_NONFINITE_TAU;
    if (column_bad_f32(in->c_a, row)) return SL_ERR_NONFINITE_C_A;
    if (column_bad_f32(in->c_b, row)) return SL_ERR_NONFINITE_C_B;
    if (column_bad_f32(in->r_a, row)) return SL_ERR_NONFINITE_R_A;
    if (column_bad_f32(in->r_b, row)) return SL_ERR_NONFINITE_R_B;
    return SL_OK;
}

/* The status of invalid row `row` of a plain payoff call: p first, then the columns. */
static sl_status payoff_row_status_f64(const sl_payoff_inputs_f64 *in, size_t row)
{
    if (!(in->p[row] >= 0.0 && in->p[row] <= 1.0))
        return SL_ERR_INVALID_P;
    sl_status st = sl_payoff_columns_status_f64(in, row);
    return st != SL_OK ? st : SL_ERR_PAYOFF_OVERFLOW;
}

static sl_status payoff_row_status_f32(const sl_payoff_inputs_f32 *in, size_t row)
{
    if (!(in->p[row] >= 0.0f && in->p[row] <= 1.0f))
        return SL_ERR_INVALID_P;
    sl_status st = sl_payoff_columns_status_f32(in, row);
    return st != SL_OK ? st : SL_ERR_PAYOFF_OVERFLOW;
}

/* ---- plain payoffs ---- */

sl_status sl_payoff_f64(const sl_payoff_params *pp, const sl_payoff_inputs_f64 *in, size_t n,
                        const sl_payoff_outputs_f64 *out, size_t *first_invalid)
{
    sl_payoff_consts pc;
    if (!pp || !in || !out || (n > 0 && !in->p))
        return SL_ERR_NULL_ARGUMENT;
    sl_status st = sl_payoff_prepare(pp, &pc);
    if (st != SL_OK)
        return st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->payoff_f64(&pc, in, n, out) : 0;
    if (first_invalid)
        *first_invalid = bad;
    return bad == n ? SL_OK : payoff_row_status_f64(in, bad);
}

sl_status sl_payoff_f32(const sl_payoff_params *pp, const sl_payoff_inputs_f32 *in, size_t n,
                        const sl_payoff_outputs_f32 *out, size_t *first_invalid)
{
    sl_payoff_consts pc;
    if (!pp || !in || !out || (n > 0 && !in->p))
        return SL_ERR_NULL_ARGUMENT;
    sl_status st = sl_payoff_prepare(pp, &pc);
    if (st != SL_OK)
        return st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;
    size_t bad = n > 0 ? impl->payoff_f32(&pc, in, n, out) : 0;
    if (first_invalid)
        *first_invalid = bad;
    return bad == n ? SL_OK : payoff_row_status_f32(in, bad);
}

/* ---- fused: observables -> p (a block at a time, in a stack buffer) -> payoffs ---- */

/* Rows scored per block; the p buffer stays in L1. */
#define FUSED_BLOCK 256

static sl_payoff_outputs_f64 outputs_view_f64(const sl_payoff_outputs_f64 *o, size_t off)
{
    sl_payoff_outputs_f64 v = {
        o->expected_surplus ? o->expected_surplus + off : NULL,
        o->expected_harm ? o->expected_harm + off : NULL,
        o->payoff_initiator ? o->payoff_initiator + off : NULL,
        o->payoff_counterparty ? o->payoff_counterparty + off : NULL,
        o->social_surplus ? o->social_surplus + off : NULL,
        o->total_welfare ? o->total_welfare + off : NULL,
    };
    return v;
}

static sl_payoff_outputs_f32 outputs_view_f32(const sl_payoff_outputs_f32 *o, size_t off)
{
    sl_payoff_outputs_f32 v = {
        o->expected_surplus ? o->expected_surplus + off : NULL,
        o->expected_harm ? o->expected_harm + off : NULL,
        o->payoff_initiator ? o->payoff_initiator + off : NULL,
        o->payoff_counterparty ? o->payoff_counterparty + off : NULL,
        o->social_surplus ? o->social_surplus + off : NULL,
        o->total_welfare ? o->total_welfare + off : NULL,
    };
    return v;
}

/* Checks shared by the fused calls; columns_present: the observables' required columns. */
static sl_status check_fused_args(const sl_payoff_params *pp, const sl_proxy *px, const void *obs,
                                  const void *in_p, int has_in, const void *out, size_t n,
                                  int columns_present)
{
    if (!pp || !px || !obs || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (has_in && in_p)
        return SL_ERR_P_GIVEN;
    if (px->magic_ != SL_PROXY_MAGIC)
        return SL_ERR_NOT_INITIALIZED;
    if (n > 0 && !columns_present)
        return SL_ERR_NULL_ARGUMENT;
    return SL_OK;
}

sl_status sl_payoff_observables_f64(const sl_payoff_params *pp, const sl_proxy *px,
                                    const sl_observables_f64 *obs, const sl_payoff_inputs_f64 *in,
                                    size_t n, const sl_payoff_outputs_f64 *out,
                                    size_t *first_invalid)
{
    sl_status st = check_fused_args(
        pp, px, obs, in ? (const void *)in->p : NULL, in != NULL, out, n,
        obs && sl_obs_complete_f64(obs));
    sl_payoff_consts pc;
    if (st == SL_OK)
        st = sl_payoff_prepare(pp, &pc);
    if (st != SL_OK)
        return st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;

    size_t bad = n;
    double p[FUSED_BLOCK];
    for (size_t off = 0; off < n; off += FUSED_BLOCK) {
        size_t m = n - off < FUSED_BLOCK ? n - off : FUSED_BLOCK;
        sl_observables_f64 ob = sl_obs_view_f64(obs, off);
        sl_score_block_nan_f64(impl, px, &ob, m, p); /* NaN p: the payoff kernel skips the row */
        sl_payoff_inputs_f64 view = sl_payoff_inputs_view_f64(in, off, p);
        sl_payoff_outputs_f64 ov = outputs_view_f64(out, off);
        size_t b = impl->payoff_f64(&pc, &view, m, &ov);
        if (b < m && bad == n)
            bad = off + b;
    }
    if (first_invalid)
        *first_invalid = bad;
    if (bad == n)
        return SL_OK;
    st = sl_obs_row_status_f64(obs, bad);
    if (st == SL_OK && in)
        st = sl_payoff_columns_status_f64(in, bad);
    return st != SL_OK ? st : SL_ERR_PAYOFF_OVERFLOW;
}

sl_status sl_payoff_observables_f32(const sl_payoff_params *pp, const sl_proxy *px,
                                    const sl_observables_f32 *obs, const sl_payoff_inputs_f32 *in,
                                    size_t n, const sl_payoff_outputs_f32 *out,
                                    size_t *first_invalid)
{
    sl_status st = check_fused_args(
        pp, px, obs, in ? (const void *)in->p : NULL, in != NULL, out, n,
        obs && sl_obs_complete_f32(obs));
    sl_payoff_consts pc;
    if (st == SL_OK)
        st = sl_payoff_prepare(pp, &pc);
    if (st != SL_OK)
        return st;
    const sl_impl *impl = sl_active_impl(&st);
    if (!impl)
        return st;

    size_t bad = n;
    float p[FUSED_BLOCK];
    for (size_t off = 0; off < n; off += FUSED_BLOCK) {
        size_t m = n - off < FUSED_BLOCK ? n - off : FUSED_BLOCK;
        sl_observables_f32 ob = sl_obs_view_f32(obs, off);
        sl_score_block_nan_f32(impl, px, &ob, m, p);
        sl_payoff_inputs_f32 view = sl_payoff_inputs_view_f32(in, off, p);
        sl_payoff_outputs_f32 ov = outputs_view_f32(out, off);
        size_t b = impl->payoff_f32(&pc, &view, m, &ov);
        if (b < m && bad == n)
            bad = off + b;
    }
    if (first_invalid)
        *first_invalid = bad;
    if (bad == n)
        return SL_OK;
    st = sl_obs_row_status_f32(obs, bad);
    if (st == SL_OK && in)
        st = sl_payoff_columns_status_f32(in, bad);
    return st != SL_OK ? st : SL_ERR_PAYOFF_OVERFLOW;
}
