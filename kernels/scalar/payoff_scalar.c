/*
 * The scalar reference path for soft payoffs: SPEC.md section 2 written out plainly, one row at a
 * time, each expression in the reference's order of operations (so the f64 path reproduces the
 * reference's values exactly). A NULL payoff column reads as zero; a NULL output is skipped.
 */
#include <math.h>

#include "kernels.h"

static double column_f64(const double *column, size_t i) { return column ? column[i] : 0.0; }
static float column_f32(const float *column, size_t i) { return column ? column[i] : 0.0f; }

size_t sl_payoff_f64_scalar(const sl_payoff_consts *pc, const sl_payoff_inputs_f64 *in, size_t n,
                            const sl_payoff_outputs_f64 *out)
{
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        double p = in->p[i];
        double tau = column_f64(in->tau, i), c_a = column_f64(in->c_a, i);
        double c_b = column_f64(in->c_b, i), r_a = column_f64(in->r_a, i);
        double r_b = column_f64(in->r_b, i);

        double S = p * pc->s_plus - (1 - p) * pc->s_minus;
        double E = (1 - p) * pc->h;
        double pi_a = pc->theta * S - tau - c_a - pc->rho_a * E + pc->w_rep * r_a;
        double pi_b = pc->one_minus_theta * S + tau - c_b - pc->rho_b * E + pc->w_rep * r_b;
        double social = S - E;
        double welfare = pi_a + pi_b;

        /* NaN p fails both comparisons; a non-finite column or an overflow shows in welfare
         * (pi_a + pi_b is non-finite when either is) or in social */
        if (!(p >= 0.0 && p <= 1.0) || !isfinite(welfare) || !isfinite(social)) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        if (out->expected_surplus) out->expected_surplus[i] = S;
        if (out->expected_harm) out->expected_harm[i] = E;
        if (out->payoff_initiator) out->payoff_initiator[i] = pi_a;
        if (out->payoff_counterparty) out->payoff_counterparty[i] = pi_b;
        if (out->social_surplus) out->social_surplus[i] = social;
        if (out->total_welfare) out->total_welfare[i] = welfare;
    }
    return first_invalid;
}

size_t sl_payoff_f32_scalar(const sl_payoff_consts *pc, const sl_payoff_inputs_f32 *in, size_t n,
                            const sl_payoff_outputs_f32 *out)
{
    size_t first_invalid = n;
    for (size_t i = 0; i < n; i++) {
        float p = in->p[i];
        float tau = column_f32(in->tau, i), c_a = column_f32(in->c_a, i);
        float c_b = column_f32(in->c_b, i), r_a = column_f32(in->r_a, i);
        float r_b = column_f32(in->r_b, i);

        float S = p * pc->s_plus_f32 - (1.0f - p) * pc->s_minus_f32;
        float E = (1.0f - p) * pc->h_f32;
        float pi_a = pc->theta_f32 * S - tau - c_a - pc->rho_a_f32 * E + pc->w_rep_f32 * r_a;
        float pi_b = pc->one_minus_theta_f32 * S + tau - c_b - pc->rho_b_f32 * E +
                     pc->w_rep_f32 * r_b;
        float social = S - E;
        float welfare = pi_a + pi_b;

        if (!(p >= 0.0f && p <= 1.0f) || !isfinite(welfare) || !isfinite(social)) {
            if (first_invalid == n)
                first_invalid = i;
            continue;
        }
        if (out->expected_surplus) out->expected_surplus[i] = S;
        if (out->expected_harm) out->expected_harm[i] = E;
        if (out->payoff_initiator) out->payoff_initiator[i] = pi_a;
        if (out->payoff_counterparty) out->payoff_counterparty[i] = pi_b;
        if (out->social_surplus) out->social_surplus[i] = social;
        if (out->total_welfare) out->total_welfare[i] = welfare;
    }
    return first_invalid;
}
