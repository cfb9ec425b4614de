/*
 * Internal: the exact sums of a metrics state created with SL_METRICS_EXACT_SUMS.
 *
 * Each row's contribution is rounded once to an integer, and every later addition is an integer
 * addition, so the sums are the same bits for any partitioning of the rows and any merge order:
 *   - quantities of p in [0, 1] on the fixed grid 2^-64: x = p 2^64 rounded to nearest (even),
 *     0 <= x <= 2^64, summed in 128 bits; their squares x^2 (and (x - v 2^64)^2 for Brier)
 *     exactly, in 192 bits (2^-128 grid); the log-loss terms -ln(q) <= 37.5 on the 2^-64 grid in
 *     128 bits. 128 bits hold the sums of 2^57 rows (7e16; see sl_metrics_options).
 *   - payoffs (unbounded doubles) and their squares (each split exactly into two doubles by an
 *     FMA) in a superaccumulator (sl_xsum): the exact sum of any finite doubles, as signed 32-bit
 *     limbs in int64 words whose carries are deferred.
 * Finalize (src/metrics_exact.c) converts each sum to double once.
 */
#ifndef SL_EXACT_SUM_H
#define SL_EXACT_SUM_H

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 sl_u128;

/* An unsigned integer of three 64-bit words, least significant first */
typedef struct sl_u192 {
    uint64_t w[3];
} sl_u192;

/* Superaccumulator: limb k weighs 2^(32 k - 1074), so every finite double (multiples of 2^-1074
 * below 2^1024) and sums of up to 2^64 of them fit. Normalized (sl_xsum_normalize), limbs
 * 0 .. SL_XSUM_LIMBS - 2 lie in [0, 2^32) and the top one carries the sign. Between
 * normalizations a limb takes at most SL_XSUM_DEFER additions of |v| < 2^32 each. `overflow`:
 * a non-finite term was added (a square that overflowed): the sum is +infinity. */
#define SL_XSUM_LIMBS 70
#define SL_XSUM_DEFER (1u << 30)
typedef struct sl_xsum {
    int64_t limb[SL_XSUM_LIMBS];
    uint32_t pending, overflow;
} sl_xsum;

/* The exact sums of a block or a state (beside its counts and bins): by subset, A accepted,
 * R rejected, T labelled. */
enum { SL_XS_PA_A, SL_XS_PA_R, SL_XS_PB_A, SL_XS_PB_R, SL_XS_SOCIAL_A, SL_XS_WELFARE_A,
       SL_XS_PA_SQ, SL_XS_PB_SQ, /* payoff_initiator^2, payoff_counterparty^2 over all rows */
       SL_XS_COUNT };
typedef struct sl_exact_sums {
    sl_u128 p[2];   /* sum of x over A, R */
    sl_u192 p2[2];  /* sum of x^2 over A, R */
    sl_u192 brier;  /* sum of (x - v 2^64)^2 over T */
    sl_u128 log;    /* sum of -ln(q) or -ln(1 - q) on the 2^-64 grid, over T */
    sl_xsum pay[SL_XS_COUNT];
} sl_exact_sums;

/* y 2^64 rounded to the nearest integer (ties to even), for 0 <= y < 2^62, from y's bits:
 * y 2^64 = m 2^shift with m its 53-bit significand (integer operations only: floor and rint
 * are library calls on baseline x86-64). */
static inline sl_u128 sl_fix64(double y)
{
    uint64_t bits;
    memcpy(&bits, &y, sizeof bits);
    int biased = (int)(bits >> 52);
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    if (biased) /* normal: the hidden bit; a subnormal weighs as the smallest exponent */
        m |= UINT64_C(1) << 52;
    int shift = (biased ? biased : 1) - 1075 + 64;
    if (shift >= 0)
        return (sl_u128)m << shift;
    if (shift < -53) /* below 2^-1: rounds to 0 */
        return 0;
    unsigned s = (unsigned)-shift; /* 1 .. 53 */
    uint64_t q = m >> s, rest = m & ((UINT64_C(1) << s) - 1), half = UINT64_C(1) << (s - 1);
    return q + (rest > half || (rest == half && (q & 1)));
}

static inline void sl_u192_add(sl_u192 *s, sl_u128 v)
{
    sl_u128 low = ((sl_u128)s->w[1] << 64 | s->w[0]) + v;
    s->w[2] += low < v;
    s->w[0] = (uint64_t)low;
    s->w[1] = (uint64_t)(low >> 64);
}

/* d^2 into s, for 0 <= d <= 2^64 (d = 2^64 squares to 2^128: one unit of the top word) */
static inline void sl_u192_add_square(sl_u192 *s, sl_u128 d)
{
    if (d >> 64)
        s->w[2]++;
    else
        sl_u192_add(s, (sl_u128)(uint64_t)d * (uint64_t)d);
}

static inline void sl_u192_add_u192(sl_u192 *s, const sl_u192 *v)
{
    sl_u192_add(s, (sl_u128)v->w[1] << 64 | v->w[0]);
    s->w[2] += v->w[2];
}

/* Carries every limb's excess into the next, so limbs 0 .. LIMBS-2 lie in [0, 2^32). */
static inline void sl_xsum_normalize(sl_xsum *s)
{
    int64_t carry = 0;
    for (int k = 0; k < SL_XSUM_LIMBS - 1; k++) {
        int64_t v = s->limb[k] + carry;
        int64_t low = v & 0xFFFFFFFF;
        carry = (v - low) / ((int64_t)1 << 32); /* exact: v - low is a multiple of 2^32 */
        s->limb[k] = low;
    }
    s->limb[SL_XSUM_LIMBS - 1] += carry;
    s->pending = 0;
}

/* Adds the double x exactly (a non-finite x sets overflow). */
static inline void sl_xsum_add(sl_xsum *s, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned biased = (unsigned)(bits >> 52) & 0x7FF;
    uint64_t mantissa = bits & ((UINT64_C(1) << 52) - 1);
    if (biased == 0x7FF) {
        s->overflow = 1;
        return;
    }
    if (biased) /* normal: the hidden bit; a subnormal weighs as the smallest exponent */
        mantissa |= UINT64_C(1) << 52;
    unsigned pos = biased ? biased - 1 : 0; /* x = mantissa 2^(pos - 1074) */
    unsigned k = pos / 32;
    sl_u128 v = (sl_u128)mantissa << (pos % 32); /* < 2^85: three limbs */
    int64_t part[3] = {(int64_t)((uint64_t)v & 0xFFFFFFFF),
                       (int64_t)((uint64_t)(v >> 32) & 0xFFFFFFFF), (int64_t)(v >> 64)};
    int negative = (int)(bits >> 63);
    for (int j = 0; j < 3; j++)
        s->limb[k + j] += negative ? -part[j] : part[j];
    if (++s->pending == SL_XSUM_DEFER)
        sl_xsum_normalize(s);
}

/* x^2 exactly: the rounded square and its error (an FMA), unless the square overflows. */
static inline void sl_xsum_add_square(sl_xsum *s, double x)
{
    double sq = x * x;
    sl_xsum_add(s, sq);
    if (isfinite(sq))
        sl_xsum_add(s, fma(x, x, -sq));
}

/* s += t (t normalized or with pending additions; the result is normalized) */
static inline void sl_xsum_merge(sl_xsum *s, const sl_xsum *t)
{
    sl_xsum_normalize(s);
    for (int k = 0; k < SL_XSUM_LIMBS; k++)
        s->limb[k] += t->limb[k];
    s->overflow |= t->overflow;
    sl_xsum_normalize(s);
}

#endif
