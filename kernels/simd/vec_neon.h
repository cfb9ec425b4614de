/*
 * The AArch64 Advanced SIMD (NEON) vector layer: f64 (2 lanes, int32 counts in 64 bits) and f32
 * (4 lanes, counts in 128 bits). Same operations, same semantics and same bit-set masks (bit j =
 * lane j) as vec_avx2.h and vec_avx512.h, so score_simd.inc gives the same bits on every path.
 * Advanced SIMD is part of the AArch64 baseline: no compiler flags are needed.
 *
 * Where NEON differs from x86 the layer follows x86, on purpose:
 *  - min/max: x86 MINPD/MAXPD return the second operand when the operands are unordered or equal
 *    (a NaN, or +0 against -0); NEON FMIN/FMAX would return NaN or order the zeros. Here
 *    min(a, b) = a < b ? a : b and max(a, b) = a > b ? a : b, exactly as on x86.
 *  - Part loads and stores touch only the lanes of the bit set (like maskload/maskstore: nothing
 *    outside a buffer is read or written); lanes not loaded are zero.
 *  - No gather instruction exists: table lookups are done lane by lane (same loads, same bits).
 *  - Non-temporal stores are plain stores here (STNP gives no alignment or ordering guarantee
 *    that the kernels would need, and no gain was measured on this project's machines).
 */
#ifndef SL_VEC_NEON_H
#define SL_VEC_NEON_H

#include <arm_neon.h>
#include <sleef.h> /* log2 for the panel kernels */

#define SL_F64_LANES 2
#define SL_F32_LANES 4

typedef float64x2_t sl_vf64;
typedef int32x2_t sl_vi_f64; /* int32 counts of 2 f64 lanes */
typedef float32x4_t sl_vf32;
typedef int32x4_t sl_vi_f32; /* int32 counts of 4 f32 lanes */

/* all-ones/all-zeros lane masks -> bit sets */
static inline unsigned sl_bits2_u64(uint64x2_t m)
{
    const uint64x2_t sel = {1, 2};
    return (unsigned)vaddvq_u64(vandq_u64(m, sel));
}
static inline unsigned sl_bits2_u32(uint32x2_t m)
{
    const uint32x2_t sel = {1, 2};
    return vaddv_u32(vand_u32(m, sel));
}
static inline unsigned sl_bits4_u32(uint32x4_t m)
{
    const uint32x4_t sel = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, sel));
}

/* ---- f64 ---- */
static inline sl_vf64 sl_load_f64(const double *p) { return vld1q_f64(p); }
static inline sl_vf64 sl_load_part_f64(const double *p, unsigned bits)
{
    double lanes[SL_F64_LANES] = {0.0, 0.0};
    for (unsigned j = 0; j < SL_F64_LANES; j++)
        if (bits & (1u << j))
            lanes[j] = p[j];
    return vld1q_f64(lanes);
}
static inline void sl_store_f64(double *p, sl_vf64 v) { vst1q_f64(p, v); }
static inline void sl_store_part_f64(double *p, sl_vf64 v, unsigned bits)
{
    double lanes[SL_F64_LANES];
    vst1q_f64(lanes, v);
    for (unsigned j = 0; j < SL_F64_LANES; j++)
        if (bits & (1u << j))
            p[j] = lanes[j];
}
static inline sl_vf64 sl_set1_f64(double x) { return vdupq_n_f64(x); }
static inline sl_vf64 sl_add_f64(sl_vf64 a, sl_vf64 b) { return vaddq_f64(a, b); }
static inline sl_vf64 sl_mul_f64(sl_vf64 a, sl_vf64 b) { return vmulq_f64(a, b); }
static inline sl_vf64 sl_div_f64(sl_vf64 a, sl_vf64 b) { return vdivq_f64(a, b); }
static inline sl_vf64 sl_min_f64(sl_vf64 a, sl_vf64 b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
static inline sl_vf64 sl_max_f64(sl_vf64 a, sl_vf64 b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
static inline sl_vf64 sl_sub_f64(sl_vf64 a, sl_vf64 b) { return vsubq_f64(a, b); }
/* a*b + c rounded once (FMLA is fused, like x86's FMA: the same bits) */
static inline sl_vf64 sl_fma_f64(sl_vf64 a, sl_vf64 b, sl_vf64 c) { return vfmaq_f64(c, a, b); }
/* fl(a + b) * 2^n, the product rounded once, for an integer-valued n in [-1021, 1024]; `biased`
 * holds n + 1022 in its low mantissa bits. As on AVX2: fl(2a + 2b) * 2^(n-1), 2^(n-1) built by
 * shifting n + 1022 into the exponent field. */
static inline sl_vf64 sl_exp_scale_f64(sl_vf64 a, sl_vf64 b, sl_vf64 n, sl_vf64 biased)
{
    (void)n;
    float64x2_t pow2 = vreinterpretq_f64_s64(vshlq_n_s64(vreinterpretq_s64_f64(biased), 52));
    float64x2_t twice = vfmaq_f64(vaddq_f64(a, a), b, vdupq_n_f64(2.0));
    return vmulq_f64(twice, pow2);
}
static inline sl_vf64 sl_abs_f64(sl_vf64 x) { return vabsq_f64(x); }
/* log2 with SLEEF's 1-ULP algorithm (the same bits as on AVX2 / AVX-512) */
static inline sl_vf64 sl_log2_f64(sl_vf64 x) { return Sleef_log2d2_u10advsimd(x); }
static inline unsigned sl_lt_bits_f64(sl_vf64 a, sl_vf64 b) { return sl_bits2_u64(vcltq_f64(a, b)); }
static inline unsigned sl_eq_bits_f64(sl_vf64 a, sl_vf64 b) { return sl_bits2_u64(vceqq_f64(a, b)); }
/* lane j: a if bit j of bits is set, else b */
static inline sl_vf64 sl_select_f64(unsigned bits, sl_vf64 a, sl_vf64 b)
{
    const uint64x2_t sel = {1, 2};
    return vbslq_f64(vtstq_u64(vdupq_n_u64(bits), sel), a, b);
}
static inline unsigned sl_nan_bits_f64(sl_vf64 x)
{
    /* x == x is false exactly for NaN */
    return sl_bits2_u64(veorq_u64(vceqq_f64(x, x), vdupq_n_u64(UINT64_MAX)));
}
/* lanes where a or b (or both) is NaN */
static inline unsigned sl_nan_bits2_f64(sl_vf64 a, sl_vf64 b)
{
    uint64x2_t ordered = vandq_u64(vceqq_f64(a, a), vceqq_f64(b, b));
    return sl_bits2_u64(veorq_u64(ordered, vdupq_n_u64(UINT64_MAX)));
}
static inline sl_vi_f64 sl_load_i_f64(const int32_t *p) { return vld1_s32(p); }
static inline sl_vi_f64 sl_load_part_i_f64(const int32_t *p, unsigned bits)
{
    int32_t lanes[SL_F64_LANES] = {0, 0};
    for (unsigned j = 0; j < SL_F64_LANES; j++)
        if (bits & (1u << j))
            lanes[j] = p[j];
    return vld1_s32(lanes);
}
static inline void sl_store_i_f64(int32_t *p, sl_vi_f64 c) { vst1_s32(p, c); }
static inline sl_vi_f64 sl_zero_i_f64(void) { return vdup_n_s32(0); }
static inline unsigned sl_negative_bits_f64(sl_vi_f64 c) { return sl_bits2_u32(vcltz_s32(c)); }
static inline unsigned sl_above_bits_f64(sl_vi_f64 c, int32_t limit)
{
    return sl_bits2_u32(vcgt_s32(c, vdup_n_s32(limit)));
}
static inline sl_vi_f64 sl_clamp_i_f64(sl_vi_f64 c, int32_t lo, int32_t hi)
{
    return vmax_s32(vmin_s32(c, vdup_n_s32(hi)), vdup_n_s32(lo));
}
/* table[idx[j]] per lane; the caller keeps every index inside the table */
static inline sl_vf64 sl_gather_f64(const double *table, sl_vi_f64 idx)
{
    sl_vf64 v = vdupq_n_f64(table[vget_lane_s32(idx, 0)]);
    return vsetq_lane_f64(table[vget_lane_s32(idx, 1)], v, 1);
}
static inline sl_vi_f64 sl_or_i_f64(sl_vi_f64 a, sl_vi_f64 b) { return vorr_s32(a, b); }
/* nonzero when some lane of c has one of the given bits set */
static inline int sl_any_bits_i_f64(sl_vi_f64 c, int32_t bits)
{
    return vmaxv_u32(vreinterpret_u32_s32(vand_s32(c, vdup_n_s32(bits)))) != 0;
}
/* 16 table entries and a lookup of indices 0..15: two lanes, loaded one by one */
typedef const double *sl_table16_f64;
static inline sl_table16_f64 sl_table16_load_f64(const double *table) { return table; }
static inline sl_vf64 sl_table16_lookup_f64(sl_table16_f64 t, sl_vi_f64 idx)
{
    return sl_gather_f64(t, idx);
}
/* the kernels' "non-temporal" store: a plain one on this layer (see the top of the file) */
static inline void sl_stream_f64(double *p, sl_vf64 v) { vst1q_f64(p, v); }

/* ---- f64, payoffs and metrics ---- */
static inline sl_vf64 sl_zero_f64(void) { return vdupq_n_f64(0.0); }
/* lanes where !(0 <= x <= 1), NaN included */
static inline unsigned sl_outside01_bits_f64(sl_vf64 x)
{
    uint64x2_t inside = vandq_u64(vcgeq_f64(x, vdupq_n_f64(0.0)), vcleq_f64(x, vdupq_n_f64(1.0)));
    return sl_bits2_u64(inside) ^ 0x3u;
}
/* lanes holding NaN or +-infinity (x - x is 0 exactly for every finite x) */
static inline unsigned sl_nonfinite_bits_f64(sl_vf64 x)
{
    return sl_bits2_u64(vceqq_f64(vsubq_f64(x, x), vdupq_n_f64(0.0))) ^ 0x3u;
}
static inline sl_vf64 sl_log_f64(sl_vf64 x) { return Sleef_logd2_u10advsimd(x); }

/* Lane masks of compares (all-ones lanes); C-style bit sets convert both ways. */
typedef uint64x2_t sl_mf64;
static inline sl_mf64 sl_mlt_f64(sl_vf64 a, sl_vf64 b) { return vcltq_f64(a, b); }
static inline sl_mf64 sl_mfrom_bits_f64(unsigned bits)
{
    const uint64x2_t sel = {1, 2};
    return vtstq_u64(vdupq_n_u64(bits), sel);
}
static inline unsigned sl_mbits_f64(sl_mf64 m) { return sl_bits2_u64(m); }
/* acc + x in the lanes of m, acc elsewhere (adding +0.0 elsewhere: see vec_avx2.h) */
static inline sl_vf64 sl_add_if_f64(sl_vf64 acc, sl_mf64 m, sl_vf64 x)
{
    return vaddq_f64(acc, vreinterpretq_f64_u64(vandq_u64(m, vreinterpretq_u64_f64(x))));
}
/* acc + a * b (one rounding) in the lanes of m, acc elsewhere: a and b are zeroed outside m (see
 * vec_avx2.h) */
static inline sl_vf64 sl_fma_if_f64(sl_vf64 acc, sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    float64x2_t a_in = vreinterpretq_f64_u64(vandq_u64(m, vreinterpretq_u64_f64(a)));
    float64x2_t b_in = vreinterpretq_f64_u64(vandq_u64(m, vreinterpretq_u64_f64(b)));
    return vfmaq_f64(acc, a_in, b_in);
}
static inline sl_vf64 sl_select_m_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b) { return vbslq_f64(m, a, b); }

/* 64-bit integer lanes of counters: ten 6-bit bin counters packed per lane */
typedef int64x2_t sl_vc_f64;
static inline sl_vc_f64 sl_cnt_zero_f64(void) { return vdupq_n_s64(0); }
static inline sl_vc_f64 sl_cnt_add_if_f64(sl_vc_f64 acc, sl_mf64 m, sl_vc_f64 x)
{
    return vaddq_s64(acc, vandq_s64(vreinterpretq_s64_u64(m), x));
}
/* 1 << shift per lane, for a shift held as an exact small whole number in a double lane */
static inline sl_vc_f64 sl_cnt_bit_f64(sl_vf64 shift)
{
    return vshlq_s64(vdupq_n_s64(1), vcvtq_s64_f64(shift));
}
/* acc + ((c >> shift) & fields), per lane: every other 6-bit field of a packed counter, widened
 * to 12 bits (fields = 0x03F03F03F03F03F) */
static inline sl_vc_f64 sl_cnt_add_fields_f64(sl_vc_f64 acc, sl_vc_f64 c, unsigned shift,
                                              uint64_t fields)
{
    uint64x2_t f = vandq_u64(vshlq_u64(vreinterpretq_u64_s64(c), vdupq_n_s64(-(int64_t)shift)),
                             vdupq_n_u64(fields));
    return vaddq_s64(acc, vreinterpretq_s64_u64(f));
}
static inline void sl_cnt_store_f64(uint64_t *p, sl_vc_f64 c) { vst1q_u64(p, vreinterpretq_u64_s64(c)); }
/* 1 << (6 * bin) per lane, from key = 2^52 + bin, bin a whole number 0..10, 10 (p = 1 before its
 * clamp to the last bin) counted as 9: 6 (key - 2^52) in one exact FMA */
static inline sl_vc_f64 sl_cnt_bin_bit_f64(sl_vf64 key)
{
    float64x2_t clamped = vminq_f64(key, vdupq_n_f64(0x1p52 + 9));
    return sl_cnt_bit_f64(vfmaq_f64(vdupq_n_f64(-6 * 0x1p52), clamped, vdupq_n_f64(6.0)));
}
/* Flag bytes (0/1 accepted, -1/0/+1 labels) widened to 64-bit integer lanes */
static inline sl_vc_f64 sl_cnt_load_u8_f64(const uint8_t *p)
{
    int64x2_t v = vdupq_n_s64(p[0]);
    return vsetq_lane_s64(p[1], v, 1);
}
static inline sl_vc_f64 sl_cnt_load_i8_f64(const int8_t *p)
{
    int64x2_t v = vdupq_n_s64(p[0]);
    return vsetq_lane_s64(p[1], v, 1);
}
/* m AND (a OP b): compare results folded into a running lane mask */
static inline sl_mf64 sl_mand_ge_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b) { return vandq_u64(m, vcgeq_f64(a, b)); }
static inline sl_mf64 sl_mand_le_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b) { return vandq_u64(m, vcleq_f64(a, b)); }
static inline sl_mf64 sl_mand_eq_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b) { return vandq_u64(m, vceqq_f64(a, b)); }
static inline sl_mf64 sl_mand_ceq_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return vandq_u64(m, vceqq_s64(a, vdupq_n_s64(b)));
}
static inline sl_mf64 sl_mand_cne_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return vbicq_u64(m, vceqq_s64(a, vdupq_n_s64(b)));
}
static inline sl_mf64 sl_mand_cle_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return vandq_u64(m, vcleq_s64(a, vdupq_n_s64(b)));
}
static inline sl_mf64 sl_mand_cge_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return vandq_u64(m, vcgeq_s64(a, vdupq_n_s64(b)));
}
static inline sl_mf64 sl_mall_f64(void) { return vdupq_n_u64(UINT64_MAX); }
/* m AND (sign bit of x clear) */
static inline sl_mf64 sl_mand_sign_clear_f64(sl_mf64 m, sl_vf64 x)
{
    return vbicq_u64(m, vcltzq_s64(vreinterpretq_s64_f64(x)));
}
/* |x| with the sign bit of the integer lane c (so -|x|, -0.0 for 0, where c < 0): one bitwise
 * select */
static inline sl_vf64 sl_abs_sign_of_f64(sl_vf64 x, sl_vc_f64 c)
{
    return vbslq_f64(vdupq_n_u64(0x8000000000000000ull), vreinterpretq_f64_s64(c), x);
}
/* For positive normal x: its binary exponent floor(log2 x) as a double, and its significand
 * scaled into [1, 2); both exact (bit manipulations, as on x86). */
static inline sl_vf64 sl_getexp_f64(sl_vf64 x)
{
    int64x2_t biased = vreinterpretq_s64_u64(vshrq_n_u64(vreinterpretq_u64_f64(x), 52));
    return vcvtq_f64_s64(vsubq_s64(biased, vdupq_n_s64(1023)));
}
static inline sl_vf64 sl_getmant_f64(sl_vf64 x)
{
    uint64x2_t fraction = vandq_u64(vreinterpretq_u64_f64(x), vdupq_n_u64(0x000FFFFFFFFFFFFFull));
    return vreinterpretq_f64_u64(vorrq_u64(fraction, vdupq_n_u64(0x3FF0000000000000ull)));
}
/* Stores the lanes of m, in lane order, contiguously at dst (a whole vector is written);
 * returns how many. */
static inline unsigned sl_compress_store_f64(double *dst, sl_mf64 m, sl_vf64 x)
{
    unsigned bits = sl_bits2_u64(m);
    vst1q_f64(dst, bits == 2u ? vextq_f64(x, x, 1) : x);
    return (unsigned)__builtin_popcount(bits);
}

/* ---- f32 ---- */
static inline sl_vf32 sl_load_f32(const float *p) { return vld1q_f32(p); }
static inline sl_vf32 sl_load_part_f32(const float *p, unsigned bits)
{
    float lanes[SL_F32_LANES] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (unsigned j = 0; j < SL_F32_LANES; j++)
        if (bits & (1u << j))
            lanes[j] = p[j];
    return vld1q_f32(lanes);
}
static inline void sl_store_f32(float *p, sl_vf32 v) { vst1q_f32(p, v); }
static inline void sl_store_part_f32(float *p, sl_vf32 v, unsigned bits)
{
    float lanes[SL_F32_LANES];
    vst1q_f32(lanes, v);
    for (unsigned j = 0; j < SL_F32_LANES; j++)
        if (bits & (1u << j))
            p[j] = lanes[j];
}
static inline sl_vf32 sl_set1_f32(float x) { return vdupq_n_f32(x); }
static inline sl_vf32 sl_add_f32(sl_vf32 a, sl_vf32 b) { return vaddq_f32(a, b); }
static inline sl_vf32 sl_mul_f32(sl_vf32 a, sl_vf32 b) { return vmulq_f32(a, b); }
static inline sl_vf32 sl_div_f32(sl_vf32 a, sl_vf32 b) { return vdivq_f32(a, b); }
static inline sl_vf32 sl_min_f32(sl_vf32 a, sl_vf32 b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline sl_vf32 sl_max_f32(sl_vf32 a, sl_vf32 b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline sl_vf32 sl_sub_f32(sl_vf32 a, sl_vf32 b) { return vsubq_f32(a, b); }
static inline sl_vf32 sl_fma_f32(sl_vf32 a, sl_vf32 b, sl_vf32 c) { return vfmaq_f32(c, a, b); }
/* fl(a + b) * 2^n, the product rounded once, for an integer-valued n in [-125, 128]; `biased`
 * holds n + 126 in its low mantissa bits. As for f64: fl(2a + 2b) * 2^(n-1). */
static inline sl_vf32 sl_exp_scale_f32(sl_vf32 a, sl_vf32 b, sl_vf32 n, sl_vf32 biased)
{
    (void)n;
    float32x4_t pow2 = vreinterpretq_f32_s32(vshlq_n_s32(vreinterpretq_s32_f32(biased), 23));
    float32x4_t twice = vfmaq_f32(vaddq_f32(a, a), b, vdupq_n_f32(2.0f));
    return vmulq_f32(twice, pow2);
}
static inline sl_vf32 sl_abs_f32(sl_vf32 x) { return vabsq_f32(x); }
static inline sl_vf32 sl_log2_f32(sl_vf32 x) { return Sleef_log2f4_u10advsimd(x); }
static inline unsigned sl_lt_bits_f32(sl_vf32 a, sl_vf32 b) { return sl_bits4_u32(vcltq_f32(a, b)); }
static inline unsigned sl_eq_bits_f32(sl_vf32 a, sl_vf32 b) { return sl_bits4_u32(vceqq_f32(a, b)); }
static inline sl_vf32 sl_select_f32(unsigned bits, sl_vf32 a, sl_vf32 b)
{
    const uint32x4_t sel = {1, 2, 4, 8};
    return vbslq_f32(vtstq_u32(vdupq_n_u32(bits), sel), a, b);
}
static inline unsigned sl_nan_bits_f32(sl_vf32 x) { return sl_bits4_u32(vmvnq_u32(vceqq_f32(x, x))); }
static inline unsigned sl_nan_bits2_f32(sl_vf32 a, sl_vf32 b)
{
    return sl_bits4_u32(vmvnq_u32(vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b))));
}
static inline sl_vi_f32 sl_load_i_f32(const int32_t *p) { return vld1q_s32(p); }
static inline sl_vi_f32 sl_load_part_i_f32(const int32_t *p, unsigned bits)
{
    int32_t lanes[SL_F32_LANES] = {0, 0, 0, 0};
    for (unsigned j = 0; j < SL_F32_LANES; j++)
        if (bits & (1u << j))
            lanes[j] = p[j];
    return vld1q_s32(lanes);
}
static inline void sl_store_i_f32(int32_t *p, sl_vi_f32 c) { vst1q_s32(p, c); }
static inline sl_vi_f32 sl_zero_i_f32(void) { return vdupq_n_s32(0); }
static inline unsigned sl_negative_bits_f32(sl_vi_f32 c) { return sl_bits4_u32(vcltzq_s32(c)); }
static inline unsigned sl_above_bits_f32(sl_vi_f32 c, int32_t limit)
{
    return sl_bits4_u32(vcgtq_s32(c, vdupq_n_s32(limit)));
}
static inline sl_vi_f32 sl_clamp_i_f32(sl_vi_f32 c, int32_t lo, int32_t hi)
{
    return vmaxq_s32(vminq_s32(c, vdupq_n_s32(hi)), vdupq_n_s32(lo));
}
/* table[idx[j]] per lane; the caller keeps every index inside the table */
static inline sl_vf32 sl_gather_f32(const float *table, sl_vi_f32 idx)
{
    sl_vf32 v = vdupq_n_f32(table[vgetq_lane_s32(idx, 0)]);
    v = vsetq_lane_f32(table[vgetq_lane_s32(idx, 1)], v, 1);
    v = vsetq_lane_f32(table[vgetq_lane_s32(idx, 2)], v, 2);
    return vsetq_lane_f32(table[vgetq_lane_s32(idx, 3)], v, 3);
}
static inline sl_vi_f32 sl_or_i_f32(sl_vi_f32 a, sl_vi_f32 b) { return vorrq_s32(a, b); }
static inline int sl_any_bits_i_f32(sl_vi_f32 c, int32_t bits)
{
    return vmaxvq_u32(vreinterpretq_u32_s32(vandq_s32(c, vdupq_n_s32(bits)))) != 0;
}
/* 16 floats in four registers: one TBL over their 64 bytes, with byte indices 4 idx + 0..3 */
typedef uint8x16x4_t sl_table16_f32;
static inline sl_table16_f32 sl_table16_load_f32(const float *table)
{
    return vld1q_u8_x4((const uint8_t *)table);
}
static inline sl_vf32 sl_table16_lookup_f32(sl_table16_f32 t, sl_vi_f32 idx)
{
    /* lane j's 4 bytes: 4 idx_j + {0, 1, 2, 3} (little-endian), as one 32-bit multiply-add */
    uint32x4_t bytes = vmlaq_n_u32(vdupq_n_u32(0x03020100u), vreinterpretq_u32_s32(idx), 0x04040404u);
    return vreinterpretq_f32_u8(vqtbl4q_u8(t, vreinterpretq_u8_u32(bytes)));
}
static inline void sl_stream_f32(float *p, sl_vf32 v) { vst1q_f32(p, v); }

/* ---- both precisions ---- */
#define SL_STREAM_ALIGN 16
/* plain stores need no fence */
static inline void sl_stream_fence(void) {}

/* ---- f32, payoffs ---- */
static inline sl_vf32 sl_zero_f32(void) { return vdupq_n_f32(0.0f); }
static inline unsigned sl_outside01_bits_f32(sl_vf32 x)
{
    uint32x4_t inside = vandq_u32(vcgeq_f32(x, vdupq_n_f32(0.0f)), vcleq_f32(x, vdupq_n_f32(1.0f)));
    return sl_bits4_u32(inside) ^ 0xFu;
}
static inline unsigned sl_nonfinite_bits_f32(sl_vf32 x)
{
    return sl_bits4_u32(vceqq_f32(vsubq_f32(x, x), vdupq_n_f32(0.0f))) ^ 0xFu;
}

#endif /* SL_VEC_NEON_H */
