/*
 * The exact sums of a metrics state (SL_METRICS_EXACT_SUMS, kernels/exact_sum.h): merging, their
 * conversion to the doubles finalize reports, and the deserializer's checks of them.
 *
 * Every sum is an integer, so merging is integer addition, and finalize converts each quantity
 * from the integers once: means and sums are the double nearest the exact sum (then divided by
 * the count); the variance of p is computed from the exact power sums as (n P2 - P1^2) / n^2 in
 * 256-bit integers (the exact variance of the grid-rounded p, exactly 0 for constant p), and the
 * payoffs' variance as S2 - S1^2 / n with S1^2 / n in double-double subtracted from the exact S2,
 * then rounded once. So a report depends on the rows only, never on how they were cut.
 */
#include <math.h>
#include <string.h>

#include "metrics_state.h"

/* ---- integers of 64-bit words, least significant first ---- */

/* out[0 .. na + nb) = a * b */
static void words_mul(const uint64_t *a, int na, const uint64_t *b, int nb, uint64_t *out)
{
    memset(out, 0, (size_t)(na + nb) * sizeof *out);
    for (int i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < nb; j++) {
            sl_u128 t = (sl_u128)a[i] * b[j] + out[i + j] + carry;
            out[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        out[i + nb] = carry;
    }
}

/* a -= b over n words; returns the final borrow (1: b was larger) */
static int words_sub(uint64_t *a, const uint64_t *b, int n)
{
    unsigned borrow = 0;
    for (int i = 0; i < n; i++) {
        uint64_t d = a[i] - b[i] - borrow;
        borrow = a[i] < b[i] || (a[i] == b[i] && borrow);
        a[i] = d;
    }
    return (int)borrow;
}

/* a < b over n words */
static int words_less(const uint64_t *a, const uint64_t *b, int n)
{
    for (int i = n - 1; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] < b[i];
    return 0;
}

/* The double nearest the integer of n words times 2^scale (ties to even): its top 128 bits,
 * the bits below them folded into the lowest (a sticky bit: the top word is not 0, so the
 * rounding position lies at least 11 bits higher), converted by one correctly rounded
 * conversion. */
static double words_to_double(const uint64_t *w, int n, int scale)
{
    int h = n - 1;
    while (h >= 0 && w[h] == 0)
        h--;
    if (h < 0)
        return 0.0;
    if (h == 0)
        return ldexp((double)w[0], scale);
    sl_u128 top = (sl_u128)w[h] << 64 | w[h - 1];
    for (int j = 0; j < h - 1; j++)
        top |= w[j] != 0;
    return ldexp((double)top, scale + 64 * (h - 1));
}

double sl_fixed_value(sl_u128 sum_x)
{
    uint64_t w[2] = {(uint64_t)sum_x, (uint64_t)(sum_x >> 64)};
    return words_to_double(w, 2, -64);
}

static double u192_value(const sl_u192 *s, int scale) { return words_to_double(s->w, 3, scale); }

/* The population variance of n values x 2^-64 from P1 = sum x and P2 = sum x^2:
 * (n P2 - P1^2) / (n^2 2^128), the numerator exact in 256 bits. */
static double fixed_variance(uint64_t n, sl_u128 p1, const sl_u192 *p2)
{
    if (n < 2)
        return 0.0;
    uint64_t n_p2[4], p1_sq[4], p1w[2] = {(uint64_t)p1, (uint64_t)(p1 >> 64)};
    words_mul(&n, 1, p2->w, 3, n_p2);
    words_mul(p1w, 2, p1w, 2, p1_sq);
    if (words_sub(n_p2, p1_sq, 4)) /* only a forged state; the deserializer refuses those */
        return 0.0;
    return words_to_double(n_p2, 4, -128) / (double)n / (double)n;
}

/* ---- superaccumulators ---- */

/* The double nearest s (+infinity after an overflow) */
static double xsum_value(const sl_xsum *s)
{
    if (s->overflow)
        return INFINITY;
    sl_xsum t = *s;
    sl_xsum_normalize(&t);
    double sign = 1.0;
    if (t.limb[SL_XSUM_LIMBS - 1] < 0) {
        for (int k = 0; k < SL_XSUM_LIMBS; k++)
            t.limb[k] = -t.limb[k];
        sl_xsum_normalize(&t);
        sign = -1.0;
    }
    uint64_t w[(SL_XSUM_LIMBS + 1) / 2] = {0};
    for (int k = 0; k < SL_XSUM_LIMBS; k++)
        w[k / 2] |= (uint64_t)t.limb[k] << (32 * (k % 2));
    return sign * words_to_double(w, (SL_XSUM_LIMBS + 1) / 2, -1074);
}

/* The double nearest a + b */
static double xsum_value2(const sl_xsum *a, const sl_xsum *b)
{
    sl_xsum t = *a;
    sl_xsum_merge(&t, b);
    return xsum_value(&t);
}

/* The population variance of n values with sum a + b and sum of squares sq: (sq - S^2 / n) / n,
 * S = a + b as a double-double (the nearest double and the nearest double to the rest), S^2 / n
 * in double-double (FMA products and remainder), subtracted from sq exactly, rounded once. */
static double xsum_variance(uint64_t n, const sl_xsum *a, const sl_xsum *b, const sl_xsum *sq)
{
    if (n < 2)
        return 0.0;
    if (sq->overflow)
        return INFINITY;
    sl_xsum s = *a;
    sl_xsum_merge(&s, b);
    double hi = xsum_value(&s);
    sl_xsum_add(&s, -hi);
    double lo = xsum_value(&s), nd = (double)n;
    double sq_hi = hi * hi, sq_lo = fma(hi, hi, -sq_hi) + 2 * hi * lo;
    double q_hi = sq_hi / nd, q_lo = (fma(-q_hi, nd, sq_hi) + sq_lo) / nd;
    sl_xsum m2 = *sq;
    sl_xsum_add(&m2, -q_hi);
    sl_xsum_add(&m2, -q_lo);
    double v = xsum_value(&m2);
    return v > 0.0 ? v / nd : 0.0;
}

/* ---- the state's exact sums ---- */

void sl_exact_sums_add(sl_exact_sums *into, const sl_exact_sums *from)
{
    for (int s = 0; s < 2; s++) {
        into->p[s] += from->p[s];
        sl_u192_add_u192(&into->p2[s], &from->p2[s]);
    }
    sl_u192_add_u192(&into->brier, &from->brier);
    into->log += from->log;
    for (int k = 0; k < SL_XS_COUNT; k++)
        sl_xsum_merge(&into->pay[k], &from->pay[k]);
}

void sl_exact_totals(const sl_metrics *m, metrics_totals *t)
{
    const sl_exact_sums *x = m->exact;
    const metrics_counts *c = &m->count;
    sl_u128 one = (sl_u128)1 << 64, all = x->p[0] + x->p[1];
    t->p_a = sl_fixed_value(x->p[0]);
    t->p_r = sl_fixed_value(x->p[1]);
    t->p_all = sl_fixed_value(all);
    t->not_p_a = sl_fixed_value(c->n_accepted * one - x->p[0]);
    t->not_p_all = sl_fixed_value(c->n * one - all);
    const sl_xsum *pay = x->pay;
    t->pa_a = xsum_value(&pay[SL_XS_PA_A]);
    t->pa_all = xsum_value2(&pay[SL_XS_PA_A], &pay[SL_XS_PA_R]);
    t->pb_a = xsum_value(&pay[SL_XS_PB_A]);
    t->pb_all = xsum_value2(&pay[SL_XS_PB_A], &pay[SL_XS_PB_R]);
    t->social_a = xsum_value(&pay[SL_XS_SOCIAL_A]);
    t->welfare_a = xsum_value(&pay[SL_XS_WELFARE_A]);
    t->brier = u192_value(&x->brier, -128);
    t->log = -sl_fixed_value(x->log);
    sl_u128 labelled = 0;
    for (unsigned b = 0; b <= m->options.bins; b++)
        labelled += m->bins[b].cal_sum_x;
    t->p_labelled = sl_fixed_value(labelled);
    sl_u192 p2_all = x->p2[0];
    sl_u192_add_u192(&p2_all, &x->p2[1]);
    t->variance[SL_MV_P] = fixed_variance(c->n, all, &p2_all);
    t->variance[SL_MV_P_A] = fixed_variance(c->n_accepted, x->p[0], &x->p2[0]);
    t->variance[SL_MV_PA] = xsum_variance(c->n, &pay[SL_XS_PA_A], &pay[SL_XS_PA_R], &pay[SL_XS_PA_SQ]);
    t->variance[SL_MV_PB] = xsum_variance(c->n, &pay[SL_XS_PB_A], &pay[SL_XS_PB_R], &pay[SL_XS_PB_SQ]);
    t->pa_mean = c->n ? t->pa_all / (double)c->n : 0.0;
    t->pb_mean = c->n ? t->pb_all / (double)c->n : 0.0;
}

/* ---- consistency of deserialized sums ---- */

/* sum <= count 2^64 (every x is at most 2^64) */
static int fixed_within(sl_u128 sum, uint64_t count) { return sum <= (sl_u128)count << 64; }

/* Whether n values x in [0, 2^64] can have sum P1 and sum of squares P2: P1^2 <= n P2 (Cauchy-
 * Schwarz) and P2 <= 2^64 P1 (each x^2 <= 2^64 x). */
static int fixed_moments_possible(uint64_t n, sl_u128 p1, const sl_u192 *p2)
{
    uint64_t n_p2[4], p1_sq[4], p1w[2] = {(uint64_t)p1, (uint64_t)(p1 >> 64)};
    words_mul(&n, 1, p2->w, 3, n_p2);
    words_mul(p1w, 2, p1w, 2, p1_sq);
    uint64_t p1_shifted[3] = {0, p1w[0], p1w[1]};
    return !words_less(n_p2, p1_sq, 4) && !words_less(p1_shifted, p2->w, 3);
}

static int xsum_normalized(const sl_xsum *s)
{
    if (s->pending != 0 || s->overflow > 1)
        return 0;
    for (int k = 0; k < SL_XSUM_LIMBS - 1; k++)
        if (s->limb[k] < 0 || s->limb[k] > 0xFFFFFFFF)
            return 0;
    /* sums of 2^64 doubles below 2^1024 stay below 2^1088: limb 68 at most */
    int64_t top = s->limb[SL_XSUM_LIMBS - 1];
    return top == 0 || top == -1;
}

int sl_exact_sums_consistent(const sl_metrics *m)
{
    const sl_exact_sums *x = m->exact;
    const metrics_counts *c = &m->count;
    uint64_t na = c->n_accepted, nr = c->n - c->n_accepted, nt = c->n_labelled;
    if (c->n >> 56) /* the 128-bit sums hold 2^57 rows */
        return 0;
    if (!fixed_within(x->p[0], na) || !fixed_within(x->p[1], nr) ||
        !fixed_moments_possible(na, x->p[0], &x->p2[0]) ||
        !fixed_moments_possible(nr, x->p[1], &x->p2[1]))
        return 0;
    /* Brier terms (x - v 2^64)^2 <= 2^128; -ln(q) <= -ln(eps) (+ rounding) per labelled row */
    if (x->brier.w[2] > nt || (x->brier.w[2] == nt && (x->brier.w[0] | x->brier.w[1])))
        return 0;
    /* a row's -ln: at most -ln(eps), or -ln(1 - (1 - eps)) with 1 - eps rounded (a negative at
     * p = 1: for eps = 1e-15, 34.5392 > -ln(1e-15) = 34.5388) */
    double eps = m->options.log_loss_eps, worst = fmax(-log(eps), -log(1 - (1 - eps)));
    if (x->log > (sl_u128)nt * (sl_fix64(worst * (1 + 0x1p-40)) + 1))
        return 0;
    /* bin b's rows have p in [b w, (b + 1) w] (the last bin and the rows in no bin up to 1), so
     * x in [fix(lo), fix(hi)] (rounding is monotone): each calibration bin's sum, and the sums of
     * p over A and R, lie between what the bins' counts give at their edges */
    sl_u128 a_lo = 0, a_hi = 0, r_lo = 0, r_hi = 0;
    unsigned bins = m->options.bins;
    double w = m->cfg.bin_width;
    for (unsigned b = 0; b <= bins; b++) {
        const bin_state *t = &m->bins[b];
        sl_u128 lo = sl_fix64(b * w), hi = b + 1 < bins ? sl_fix64((b + 1) * w) : (sl_u128)1 << 64;
        if (t->cal_sum_x < t->cal_count * lo || t->cal_sum_x > t->cal_count * hi)
            return 0;
        a_lo += t->accepted * lo, a_hi += t->accepted * hi;
        r_lo += (t->count - t->accepted) * lo, r_hi += (t->count - t->accepted) * hi;
    }
    if (x->p[0] < a_lo || x->p[0] > a_hi || x->p[1] < r_lo || x->p[1] > r_hi)
        return 0;
    for (int k = 0; k < SL_XS_COUNT; k++)
        if (!xsum_normalized(&x->pay[k]))
            return 0;
    /* squares are never negative */
    return x->pay[SL_XS_PA_SQ].limb[SL_XSUM_LIMBS - 1] == 0 &&
           x->pay[SL_XS_PB_SQ].limb[SL_XSUM_LIMBS - 1] == 0;
}
