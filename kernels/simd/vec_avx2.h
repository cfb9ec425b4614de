/*
 * The AVX2+FMA vector layer: the few operations the generic kernels (score_simd.inc,
 * panel_simd.inc) need, for
 * f64 (4 lanes, int32 counts in a 128-bit register) and f32 (8 lanes, counts in 256 bits).
 * Lane masks travel as plain bit sets (bit j = lane j), so the generic code never sees the ISA's
 * mask representation. FMA is enabled by the flags but never used for arithmetic the scalar path
 * does with a separate multiply and add (the build also sets -ffp-contract=off).
 */
#ifndef SL_VEC_AVX2_H
#define SL_VEC_AVX2_H

#include <immintrin.h>
#include <sleef.h> /* log2 for the panel kernels */

#define SL_F64_LANES 4
#define SL_F32_LANES 8

typedef __m256d sl_vf64;
typedef __m128i sl_vi_f64; /* int32 counts of 4 f64 lanes */
typedef __m256 sl_vf32;
typedef __m256i sl_vi_f32; /* int32 counts of 8 f32 lanes */

/* bits -> all-ones/all-zeros lane masks, for maskload/maskstore */
static inline __m128i sl_mask4_i32(unsigned bits)
{
    const __m128i sel = _mm_setr_epi32(1, 2, 4, 8);
    return _mm_cmpeq_epi32(_mm_and_si128(_mm_set1_epi32((int)bits), sel), sel);
}
static inline __m256i sl_mask4_i64(unsigned bits)
{
    const __m256i sel = _mm256_setr_epi64x(1, 2, 4, 8);
    return _mm256_cmpeq_epi64(_mm256_and_si256(_mm256_set1_epi64x(bits), sel), sel);
}
static inline __m256i sl_mask8_i32(unsigned bits)
{
    const __m256i sel = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), sel), sel);
}

/* ---- f64 ---- */
static inline sl_vf64 sl_load_f64(const double *p) { return _mm256_loadu_pd(p); }
static inline sl_vf64 sl_load_part_f64(const double *p, unsigned bits)
{
    return _mm256_maskload_pd(p, sl_mask4_i64(bits));
}
static inline void sl_store_f64(double *p, sl_vf64 v) { _mm256_storeu_pd(p, v); }
static inline void sl_store_part_f64(double *p, sl_vf64 v, unsigned bits)
{
    _mm256_maskstore_pd(p, sl_mask4_i64(bits), v);
}
static inline sl_vf64 sl_set1_f64(double x) { return _mm256_set1_pd(x); }
static inline sl_vf64 sl_add_f64(sl_vf64 a, sl_vf64 b) { return _mm256_add_pd(a, b); }
static inline sl_vf64 sl_mul_f64(sl_vf64 a, sl_vf64 b) { return _mm256_mul_pd(a, b); }
static inline sl_vf64 sl_div_f64(sl_vf64 a, sl_vf64 b) { return _mm256_div_pd(a, b); }
static inline sl_vf64 sl_min_f64(sl_vf64 a, sl_vf64 b) { return _mm256_min_pd(a, b); }
static inline sl_vf64 sl_max_f64(sl_vf64 a, sl_vf64 b) { return _mm256_max_pd(a, b); }
static inline sl_vf64 sl_sub_f64(sl_vf64 a, sl_vf64 b) { return _mm256_sub_pd(a, b); }
/* a*b + c rounded once (a true fused multiply-add on every path, so the same bits everywhere) */
static inline sl_vf64 sl_fma_f64(sl_vf64 a, sl_vf64 b, sl_vf64 c) { return _mm256_fmadd_pd(a, b, c); }
/* fl(a + b) * 2^n, the product rounded once, for an integer-valued n in [-1021, 1024]; `biased`
 * holds n + 1022 in its low mantissa bits (the exp's shifter). Computed as fl(2a + 2b) * 2^(n-1):
 * fl(2a + 2b) is exactly 2 fl(a + b), and 2^(n-1), built by shifting n + 1022 into the exponent
 * field, is a normal double for every n in range (2^n itself is not, for n = 1024). */
static inline sl_vf64 sl_exp_scale_f64(sl_vf64 a, sl_vf64 b, sl_vf64 n, sl_vf64 biased)
{
    (void)n;
    __m256d pow2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(biased), 52));
    __m256d twice = _mm256_fmadd_pd(b, _mm256_set1_pd(2.0), _mm256_add_pd(a, a));
    return _mm256_mul_pd(twice, pow2);
}

static inline sl_vf64 sl_abs_f64(sl_vf64 x) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x); }
/* log2 with SLEEF's 1-ULP algorithm (the same bits as on AVX-512); log2(0) = -inf */
static inline sl_vf64 sl_log2_f64(sl_vf64 x) { return Sleef_log2d4_u10avx2(x); }
/* lanes where a < b (false for NaN), as a bit set */
static inline unsigned sl_lt_bits_f64(sl_vf64 a, sl_vf64 b)
{
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_LT_OQ));
}
/* lanes where a == b (false for NaN), as a bit set */
static inline unsigned sl_eq_bits_f64(sl_vf64 a, sl_vf64 b)
{
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_EQ_OQ));
}
/* lane j: a if bit j of bits is set, else b */
static inline sl_vf64 sl_select_f64(unsigned bits, sl_vf64 a, sl_vf64 b)
{
    return _mm256_blendv_pd(b, a, _mm256_castsi256_pd(sl_mask4_i64(bits)));
}
static inline unsigned sl_nan_bits_f64(sl_vf64 x)
{
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}
/* lanes where a or b (or both) is NaN */
static inline unsigned sl_nan_bits2_f64(sl_vf64 a, sl_vf64 b)
{
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_UNORD_Q));
}
static inline sl_vi_f64 sl_load_i_f64(const int32_t *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}
static inline sl_vi_f64 sl_load_part_i_f64(const int32_t *p, unsigned bits)
{
    return _mm_maskload_epi32(p, sl_mask4_i32(bits));
}
static inline void sl_store_i_f64(int32_t *p, sl_vi_f64 c) { _mm_storeu_si128((__m128i *)p, c); }
static inline sl_vi_f64 sl_zero_i_f64(void) { return _mm_setzero_si128(); }
static inline unsigned sl_negative_bits_f64(sl_vi_f64 c)
{
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(c));
}
static inline unsigned sl_above_bits_f64(sl_vi_f64 c, int32_t limit)
{
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(c, _mm_set1_epi32(limit))));
}
static inline sl_vi_f64 sl_clamp_i_f64(sl_vi_f64 c, int32_t lo, int32_t hi)
{
    return _mm_max_epi32(_mm_min_epi32(c, _mm_set1_epi32(hi)), _mm_set1_epi32(lo));
}
static inline sl_vf64 sl_gather_f64(const double *table, sl_vi_f64 idx)
{
    return _mm256_i32gather_pd(table, idx, 8);
}
static inline sl_vi_f64 sl_or_i_f64(sl_vi_f64 a, sl_vi_f64 b) { return _mm_or_si128(a, b); }
/* nonzero when some lane of c has one of the given bits set */
static inline int sl_any_bits_i_f64(sl_vi_f64 c, int32_t bits)
{
    return !_mm_testz_si128(c, _mm_set1_epi32(bits));
}
/* 16 table entries and a lookup of indices 0..15. AVX2 has no cross-lane permute of doubles by a
 * variable index (16 doubles would take four registers and three blends), so this one gathers
 * from memory; the 4-lane gather is cheap. */
typedef const double *sl_table16_f64;
static inline sl_table16_f64 sl_table16_load_f64(const double *table) { return table; }
static inline sl_vf64 sl_table16_lookup_f64(sl_table16_f64 t, sl_vi_f64 idx)
{
    return _mm256_i32gather_pd(t, idx, 8);
}
/* non-temporal store (p aligned to SL_STREAM_ALIGN bytes): bypasses the caches on its way to DRAM */
static inline void sl_stream_f64(double *p, sl_vf64 v) { _mm256_stream_pd(p, v); }

/* ---- f64, payoffs and metrics ---- */
static inline sl_vf64 sl_zero_f64(void) { return _mm256_setzero_pd(); }
/* lanes where !(0 <= x <= 1), NaN included */
static inline unsigned sl_outside01_bits_f64(sl_vf64 x)
{
    __m256d inside = _mm256_and_pd(_mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ),
                                   _mm256_cmp_pd(x, _mm256_set1_pd(1.0), _CMP_LE_OQ));
    return (unsigned)_mm256_movemask_pd(inside) ^ 0xFu;
}
/* lanes holding NaN or +-infinity (x - x is 0 exactly for every finite x) */
static inline unsigned sl_nonfinite_bits_f64(sl_vf64 x)
{
    return (unsigned)_mm256_movemask_pd(
        _mm256_cmp_pd(_mm256_sub_pd(x, x), _mm256_setzero_pd(), _CMP_NEQ_UQ));
}
static inline sl_vf64 sl_log_f64(sl_vf64 x) { return Sleef_logd4_u10avx2(x); }

/* Lane masks of compares (all-ones lanes); C-style bit sets convert both ways. */
typedef __m256d sl_mf64;
static inline sl_mf64 sl_mlt_f64(sl_vf64 a, sl_vf64 b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
static inline sl_mf64 sl_mfrom_bits_f64(unsigned bits) { return _mm256_castsi256_pd(sl_mask4_i64(bits)); }
static inline unsigned sl_mbits_f64(sl_mf64 m) { return (unsigned)_mm256_movemask_pd(m); }
/* acc + x in the lanes of m, acc elsewhere. Adding +0.0 leaves every accumulator that never
 * holds -0.0 unchanged, and one that starts at +0.0 never does, so this matches a masked add. */
static inline sl_vf64 sl_add_if_f64(sl_vf64 acc, sl_mf64 m, sl_vf64 x)
{
    return _mm256_add_pd(acc, _mm256_and_pd(m, x));
}
/* acc + a * b (one rounding) in the lanes of m, acc elsewhere: a and b are zeroed outside m (so
 * a NaN or infinity there adds nothing; one AND when a is b), and adding 0 * 0 = +0.0 leaves the
 * accumulator as sl_add_if_f64 explains */
static inline sl_vf64 sl_fma_if_f64(sl_vf64 acc, sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm256_fmadd_pd(_mm256_and_pd(m, a), _mm256_and_pd(m, b), acc);
}
static inline sl_vf64 sl_select_m_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b) { return _mm256_blendv_pd(b, a, m); }

/* 64-bit integer lanes of counters: ten 6-bit bin counters packed per lane */
typedef __m256i sl_vc_f64;
static inline sl_vc_f64 sl_cnt_zero_f64(void) { return _mm256_setzero_si256(); }
static inline sl_vc_f64 sl_cnt_add_if_f64(sl_vc_f64 acc, sl_mf64 m, sl_vc_f64 x)
{
    return _mm256_add_epi64(acc, _mm256_and_si256(_mm256_castpd_si256(m), x));
}
/* 1 << shift per lane, for a shift held as an exact small whole number in a double lane (adding
 * 2^52 puts it in the low mantissa bits) */
static inline sl_vc_f64 sl_cnt_bit_f64(sl_vf64 shift)
{
    __m256i s = _mm256_and_si256(_mm256_castpd_si256(_mm256_add_pd(shift, _mm256_set1_pd(0x1p52))),
                                 _mm256_set1_epi64x(63));
    return _mm256_sllv_epi64(_mm256_set1_epi64x(1), s);
}
/* acc + ((c >> shift) & fields), per lane: every other 6-bit field of a packed counter, widened
 * to 12 bits (fields = 0x03F03F03F03F03F) */
static inline sl_vc_f64 sl_cnt_add_fields_f64(sl_vc_f64 acc, sl_vc_f64 c, unsigned shift,
                                              uint64_t fields)
{
    __m256i f = _mm256_and_si256(_mm256_srli_epi64(c, (int)shift),
                                 _mm256_set1_epi64x((long long)fields));
    return _mm256_add_epi64(acc, f);
}
static inline void sl_cnt_store_f64(uint64_t *p, sl_vc_f64 c) { _mm256_storeu_si256((__m256i *)p, c); }
/* 1 << (6 * bin) per lane, from key = 2^52 + bin, bin a whole number 0..10, 10 (p = 1 before its
 * clamp to the last bin) counted as 9: 6 (key - 2^52) in one exact FMA */
static inline sl_vc_f64 sl_cnt_bin_bit_f64(sl_vf64 key)
{
    __m256d clamped = _mm256_min_pd(key, _mm256_set1_pd(0x1p52 + 9));
    __m256d shift = _mm256_fmadd_pd(clamped, _mm256_set1_pd(6.0), _mm256_set1_pd(-6 * 0x1p52));
    return sl_cnt_bit_f64(shift);
}
/* Flag bytes (0/1 accepted, -1/0/+1 labels) widened to 64-bit integer lanes */
static inline sl_vc_f64 sl_cnt_load_u8_f64(const uint8_t *p)
{
    int32_t word;
    __builtin_memcpy(&word, p, sizeof word);
    return _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(word));
}
static inline sl_vc_f64 sl_cnt_load_i8_f64(const int8_t *p)
{
    int32_t word;
    __builtin_memcpy(&word, p, sizeof word);
    return _mm256_cvtepi8_epi64(_mm_cvtsi32_si128(word));
}
/* m AND (a OP b): compare results folded into a running lane mask */
static inline sl_mf64 sl_mand_ge_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm256_and_pd(m, _mm256_cmp_pd(a, b, _CMP_GE_OQ));
}
static inline sl_mf64 sl_mand_le_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm256_and_pd(m, _mm256_cmp_pd(a, b, _CMP_LE_OQ));
}
static inline sl_mf64 sl_mand_eq_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm256_and_pd(m, _mm256_cmp_pd(a, b, _CMP_EQ_OQ));
}
static inline sl_mf64 sl_mand_ceq_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm256_and_pd(m, _mm256_castsi256_pd(_mm256_cmpeq_epi64(a, _mm256_set1_epi64x(b))));
}
static inline sl_mf64 sl_mand_cle_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm256_andnot_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(a, _mm256_set1_epi64x(b))), m);
}
static inline sl_mf64 sl_mand_cge_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm256_andnot_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_set1_epi64x(b), a)), m);
}
static inline sl_mf64 sl_mand_cne_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm256_andnot_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(a, _mm256_set1_epi64x(b))), m);
}
/* m AND (sign bit of x clear) */
static inline sl_mf64 sl_mand_sign_clear_f64(sl_mf64 m, sl_vf64 x)
{
    return _mm256_andnot_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_setzero_si256(),
                                                                   _mm256_castpd_si256(x))), m);
}
/* |x| with the sign bit of the integer lane c (so -|x|, -0.0 for 0, where c < 0) */
static inline sl_vf64 sl_abs_sign_of_f64(sl_vf64 x, sl_vc_f64 c)
{
    __m256d sign = _mm256_set1_pd(-0.0);
    return _mm256_or_pd(_mm256_andnot_pd(sign, x), _mm256_and_pd(sign, _mm256_castsi256_pd(c)));
}
static inline sl_mf64 sl_mall_f64(void) { return _mm256_castsi256_pd(_mm256_set1_epi64x(-1)); }
/* For positive normal x: its binary exponent floor(log2 x) as a double, and its significand
 * scaled into [1, 2); both exact (bit manipulations, as AVX-512's getexp / getmant give). */
static inline sl_vf64 sl_getexp_f64(sl_vf64 x)
{
    const __m256i magic = _mm256_set1_epi64x(0x4330000000000000ll); /* 2^52 */
    __m256i biased = _mm256_srli_epi64(_mm256_castpd_si256(x), 52);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(biased, magic)),
                         _mm256_set1_pd(0x1p52 + 1023));
}
static inline sl_vf64 sl_getmant_f64(sl_vf64 x)
{
    const __m256i fraction = _mm256_set1_epi64x(0x000FFFFFFFFFFFFFll);
    const __m256i one = _mm256_set1_epi64x(0x3FF0000000000000ll);
    return _mm256_castsi256_pd(
        _mm256_or_si256(_mm256_and_si256(_mm256_castpd_si256(x), fraction), one));
}
/* Stores the lanes of m, in lane order, contiguously at dst (a whole vector is written);
 * returns how many. */
static inline unsigned sl_compress_store_f64(double *dst, sl_mf64 m, sl_vf64 x)
{
    /* for each 4-bit lane set, the float indices that move the selected doubles to the front */
    static const int32_t perm[16][8] = {
        {0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}, {2, 3, 0, 1, 4, 5, 6, 7},
        {0, 1, 2, 3, 4, 5, 6, 7}, {4, 5, 0, 1, 2, 3, 6, 7}, {0, 1, 4, 5, 2, 3, 6, 7},
        {2, 3, 4, 5, 0, 1, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}, {6, 7, 0, 1, 2, 3, 4, 5},
        {0, 1, 6, 7, 2, 3, 4, 5}, {2, 3, 6, 7, 0, 1, 4, 5}, {0, 1, 2, 3, 6, 7, 4, 5},
        {4, 5, 6, 7, 0, 1, 2, 3}, {0, 1, 4, 5, 6, 7, 2, 3}, {2, 3, 4, 5, 6, 7, 0, 1},
        {0, 1, 2, 3, 4, 5, 6, 7}};
    unsigned bits = (unsigned)_mm256_movemask_pd(m);
    __m256i idx = _mm256_loadu_si256((const __m256i *)perm[bits]);
    _mm256_storeu_pd(dst, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(x), idx)));
    return (unsigned)__builtin_popcount(bits);
}

/* ---- f32 ---- */
static inline sl_vf32 sl_load_f32(const float *p) { return _mm256_loadu_ps(p); }
static inline sl_vf32 sl_load_part_f32(const float *p, unsigned bits)
{
    return _mm256_maskload_ps(p, sl_mask8_i32(bits));
}
static inline void sl_store_f32(float *p, sl_vf32 v) { _mm256_storeu_ps(p, v); }
static inline void sl_store_part_f32(float *p, sl_vf32 v, unsigned bits)
{
    _mm256_maskstore_ps(p, sl_mask8_i32(bits), v);
}
static inline sl_vf32 sl_set1_f32(float x) { return _mm256_set1_ps(x); }
static inline sl_vf32 sl_add_f32(sl_vf32 a, sl_vf32 b) { return _mm256_add_ps(a, b); }
static inline sl_vf32 sl_mul_f32(sl_vf32 a, sl_vf32 b) { return _mm256_mul_ps(a, b); }
static inline sl_vf32 sl_div_f32(sl_vf32 a, sl_vf32 b) { return _mm256_div_ps(a, b); }
static inline sl_vf32 sl_min_f32(sl_vf32 a, sl_vf32 b) { return _mm256_min_ps(a, b); }
static inline sl_vf32 sl_max_f32(sl_vf32 a, sl_vf32 b) { return _mm256_max_ps(a, b); }
static inline sl_vf32 sl_sub_f32(sl_vf32 a, sl_vf32 b) { return _mm256_sub_ps(a, b); }
static inline sl_vf32 sl_fma_f32(sl_vf32 a, sl_vf32 b, sl_vf32 c) { return _mm256_fmadd_ps(a, b, c); }
/* fl(a + b) * 2^n, the product rounded once, for an integer-valued n in [-125, 128]; `biased`
 * holds n + 126 in its low mantissa bits. As for f64: fl(2a + 2b) * 2^(n-1). */
static inline sl_vf32 sl_exp_scale_f32(sl_vf32 a, sl_vf32 b, sl_vf32 n, sl_vf32 biased)
{
    (void)n;
    __m256 pow2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(biased), 23));
    __m256 twice = _mm256_fmadd_ps(b, _mm256_set1_ps(2.0f), _mm256_add_ps(a, a));
    return _mm256_mul_ps(twice, pow2);
}

static inline sl_vf32 sl_abs_f32(sl_vf32 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
static inline sl_vf32 sl_log2_f32(sl_vf32 x) { return Sleef_log2f8_u10avx2(x); }
static inline unsigned sl_lt_bits_f32(sl_vf32 a, sl_vf32 b)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LT_OQ));
}
static inline unsigned sl_eq_bits_f32(sl_vf32 a, sl_vf32 b)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ));
}
static inline sl_vf32 sl_select_f32(unsigned bits, sl_vf32 a, sl_vf32 b)
{
    return _mm256_blendv_ps(b, a, _mm256_castsi256_ps(sl_mask8_i32(bits)));
}
static inline unsigned sl_nan_bits_f32(sl_vf32 x)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}
static inline unsigned sl_nan_bits2_f32(sl_vf32 a, sl_vf32 b)
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_UNORD_Q));
}
static inline sl_vi_f32 sl_load_i_f32(const int32_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}
static inline sl_vi_f32 sl_load_part_i_f32(const int32_t *p, unsigned bits)
{
    return _mm256_maskload_epi32(p, sl_mask8_i32(bits));
}
static inline void sl_store_i_f32(int32_t *p, sl_vi_f32 c) { _mm256_storeu_si256((__m256i *)p, c); }
static inline sl_vi_f32 sl_zero_i_f32(void) { return _mm256_setzero_si256(); }
static inline unsigned sl_negative_bits_f32(sl_vi_f32 c)
{
    return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(c));
}
static inline unsigned sl_above_bits_f32(sl_vi_f32 c, int32_t limit)
{
    return (unsigned)_mm256_movemask_ps(
        _mm256_castsi256_ps(_mm256_cmpgt_epi32(c, _mm256_set1_epi32(limit))));
}
static inline sl_vi_f32 sl_clamp_i_f32(sl_vi_f32 c, int32_t lo, int32_t hi)
{
    return _mm256_max_epi32(_mm256_min_epi32(c, _mm256_set1_epi32(hi)), _mm256_set1_epi32(lo));
}
static inline sl_vf32 sl_gather_f32(const float *table, sl_vi_f32 idx)
{
    return _mm256_i32gather_ps(table, idx, 4);
}
static inline sl_vi_f32 sl_or_i_f32(sl_vi_f32 a, sl_vi_f32 b) { return _mm256_or_si256(a, b); }
static inline int sl_any_bits_i_f32(sl_vi_f32 c, int32_t bits)
{
    return !_mm256_testz_si256(c, _mm256_set1_epi32(bits));
}
/* 16 floats in two registers: permute both by the low 3 index bits, pick by bit 3 */
typedef struct sl_table16_f32 {
    __m256 lo, hi;
} sl_table16_f32;
static inline sl_table16_f32 sl_table16_load_f32(const float *table)
{
    return (sl_table16_f32){_mm256_loadu_ps(table), _mm256_loadu_ps(table + 8)};
}
static inline sl_vf32 sl_table16_lookup_f32(sl_table16_f32 t, sl_vi_f32 idx)
{
    __m256 from_lo = _mm256_permutevar8x32_ps(t.lo, idx);
    __m256 from_hi = _mm256_permutevar8x32_ps(t.hi, idx);
    __m256 upper = _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28)); /* bit 3 -> sign bit */
    return _mm256_blendv_ps(from_lo, from_hi, upper);
}
static inline void sl_stream_f32(float *p, sl_vf32 v) { _mm256_stream_ps(p, v); }

/* ---- both precisions ---- */
#define SL_STREAM_ALIGN 32
/* orders earlier non-temporal stores before any later store (call once after streaming) */
static inline void sl_stream_fence(void) { _mm_sfence(); }

/* ---- f32, payoffs ---- */
static inline sl_vf32 sl_zero_f32(void) { return _mm256_setzero_ps(); }
static inline unsigned sl_outside01_bits_f32(sl_vf32 x)
{
    __m256 inside = _mm256_and_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ),
                                  _mm256_cmp_ps(x, _mm256_set1_ps(1.0f), _CMP_LE_OQ));
    return (unsigned)_mm256_movemask_ps(inside) ^ 0xFFu;
}
static inline unsigned sl_nonfinite_bits_f32(sl_vf32 x)
{
    return (unsigned)_mm256_movemask_ps(
        _mm256_cmp_ps(_mm256_sub_ps(x, x), _mm256_setzero_ps(), _CMP_NEQ_UQ));
}

#endif /* SL_VEC_AVX2_H */
