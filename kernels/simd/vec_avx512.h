/*
 * The AVX-512F vector layer: f64 (8 lanes, int32 counts in 256 bits) and f32 (16 lanes, counts in
 * 512 bits). Same operations and same bit-set masks as vec_avx2.h; only AVX-512F (plus the AVX2
 * every AVX-512 CPU has) is required, so no VL/BW/DQ instructions appear here.
 */
#ifndef SL_VEC_AVX512_H
#define SL_VEC_AVX512_H

#include <immintrin.h>
#include <sleef.h> /* log2 for the panel kernels */

#define SL_F64_LANES 8
#define SL_F32_LANES 16

typedef __m512d sl_vf64;
typedef __m256i sl_vi_f64; /* int32 counts of 8 f64 lanes */
typedef __m512 sl_vf32;
typedef __m512i sl_vi_f32; /* int32 counts of 16 f32 lanes */

/* ---- f64 ---- */
static inline sl_vf64 sl_load_f64(const double *p) { return _mm512_loadu_pd(p); }
static inline sl_vf64 sl_load_part_f64(const double *p, unsigned bits)
{
    return _mm512_maskz_loadu_pd((__mmask8)bits, p);
}
static inline void sl_store_f64(double *p, sl_vf64 v) { _mm512_storeu_pd(p, v); }
static inline void sl_store_part_f64(double *p, sl_vf64 v, unsigned bits)
{
    _mm512_mask_storeu_pd(p, (__mmask8)bits, v);
}
static inline sl_vf64 sl_set1_f64(double x) { return _mm512_set1_pd(x); }
static inline sl_vf64 sl_add_f64(sl_vf64 a, sl_vf64 b) { return _mm512_add_pd(a, b); }
static inline sl_vf64 sl_mul_f64(sl_vf64 a, sl_vf64 b) { return _mm512_mul_pd(a, b); }
static inline sl_vf64 sl_div_f64(sl_vf64 a, sl_vf64 b) { return _mm512_div_pd(a, b); }
static inline sl_vf64 sl_min_f64(sl_vf64 a, sl_vf64 b) { return _mm512_min_pd(a, b); }
static inline sl_vf64 sl_max_f64(sl_vf64 a, sl_vf64 b) { return _mm512_max_pd(a, b); }
static inline sl_vf64 sl_sub_f64(sl_vf64 a, sl_vf64 b) { return _mm512_sub_pd(a, b); }
/* a*b + c rounded once (a true fused multiply-add on every path, so the same bits everywhere) */
static inline sl_vf64 sl_fma_f64(sl_vf64 a, sl_vf64 b, sl_vf64 c) { return _mm512_fmadd_pd(a, b, c); }
/* fl(a + b) * 2^n, the product rounded once, for an integer-valued n in [-1021, 1024]; `biased`
 * holds n + 1022 in its low mantissa bits (the exp's shifter), which the AVX2 layer uses instead.
 * Here one scalef does the scaling. */
static inline sl_vf64 sl_exp_scale_f64(sl_vf64 a, sl_vf64 b, sl_vf64 n, sl_vf64 biased)
{
    (void)biased;
    return _mm512_scalef_pd(_mm512_add_pd(a, b), n);
}
static inline sl_vf64 sl_abs_f64(sl_vf64 x) { return _mm512_abs_pd(x); }
static inline sl_vf64 sl_log2_f64(sl_vf64 x) { return Sleef_log2d8_u10avx512f(x); }
static inline unsigned sl_lt_bits_f64(sl_vf64 a, sl_vf64 b)
{
    return (unsigned)_mm512_cmp_pd_mask(a, b, _CMP_LT_OQ);
}
static inline unsigned sl_eq_bits_f64(sl_vf64 a, sl_vf64 b)
{
    return (unsigned)_mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ);
}
static inline sl_vf64 sl_select_f64(unsigned bits, sl_vf64 a, sl_vf64 b)
{
    return _mm512_mask_blend_pd((__mmask8)bits, b, a);
}
static inline unsigned sl_nan_bits_f64(sl_vf64 x)
{
    return (unsigned)_mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
}
/* lanes where a or b (or both) is NaN */
static inline unsigned sl_nan_bits2_f64(sl_vf64 a, sl_vf64 b)
{
    return (unsigned)_mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q);
}
static inline sl_vi_f64 sl_load_i_f64(const int32_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}
static inline sl_vi_f64 sl_load_part_i_f64(const int32_t *p, unsigned bits)
{
    const __m256i sel = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    __m256i mask = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), sel), sel);
    return _mm256_maskload_epi32(p, mask);
}
static inline void sl_store_i_f64(int32_t *p, sl_vi_f64 c) { _mm256_storeu_si256((__m256i *)p, c); }
static inline sl_vi_f64 sl_zero_i_f64(void) { return _mm256_setzero_si256(); }
static inline unsigned sl_negative_bits_f64(sl_vi_f64 c)
{
    return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(c));
}
static inline unsigned sl_above_bits_f64(sl_vi_f64 c, int32_t limit)
{
    return (unsigned)_mm256_movemask_ps(
        _mm256_castsi256_ps(_mm256_cmpgt_epi32(c, _mm256_set1_epi32(limit))));
}
static inline sl_vi_f64 sl_clamp_i_f64(sl_vi_f64 c, int32_t lo, int32_t hi)
{
    return _mm256_max_epi32(_mm256_min_epi32(c, _mm256_set1_epi32(hi)), _mm256_set1_epi32(lo));
}
static inline sl_vf64 sl_gather_f64(const double *table, sl_vi_f64 idx)
{
    return _mm512_i32gather_pd(idx, table, 8);
}
static inline sl_vi_f64 sl_or_i_f64(sl_vi_f64 a, sl_vi_f64 b) { return _mm256_or_si256(a, b); }
/* nonzero when some lane of c has one of the given bits set */
static inline int sl_any_bits_i_f64(sl_vi_f64 c, int32_t bits)
{
    return !_mm256_testz_si256(c, _mm256_set1_epi32(bits));
}
/* 16 table entries held in registers, and a lookup of indices 0..15 (two-table permute) */
typedef struct sl_table16_f64 {
    __m512d lo, hi;
} sl_table16_f64;
static inline sl_table16_f64 sl_table16_load_f64(const double *table)
{
    return (sl_table16_f64){_mm512_loadu_pd(table), _mm512_loadu_pd(table + 8)};
}
static inline sl_vf64 sl_table16_lookup_f64(sl_table16_f64 t, sl_vi_f64 idx)
{
    return _mm512_permutex2var_pd(t.lo, _mm512_cvtepi32_epi64(idx), t.hi);
}
/* non-temporal store (p aligned to SL_STREAM_ALIGN bytes): bypasses the caches on its way to DRAM */
static inline void sl_stream_f64(double *p, sl_vf64 v) { _mm512_stream_pd(p, v); }

/* ---- f64, payoffs and metrics ---- */
static inline sl_vf64 sl_zero_f64(void) { return _mm512_setzero_pd(); }
/* lanes where !(0 <= x <= 1), NaN included */
static inline unsigned sl_outside01_bits_f64(sl_vf64 x)
{
    __mmask8 inside = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_GE_OQ) &
                      _mm512_cmp_pd_mask(x, _mm512_set1_pd(1.0), _CMP_LE_OQ);
    return (unsigned)inside ^ 0xFFu;
}
/* lanes holding NaN or +-infinity (x - x is 0 exactly for every finite x) */
static inline unsigned sl_nonfinite_bits_f64(sl_vf64 x)
{
    return (unsigned)_mm512_cmp_pd_mask(_mm512_sub_pd(x, x), _mm512_setzero_pd(), _CMP_NEQ_UQ);
}
static inline sl_vf64 sl_log_f64(sl_vf64 x) { return Sleef_logd8_u10avx512f(x); }

/* Lane masks of compares: AVX-512 mask registers; C-style bit sets convert both ways. */
typedef __mmask8 sl_mf64;
static inline sl_mf64 sl_mlt_f64(sl_vf64 a, sl_vf64 b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
static inline sl_mf64 sl_mfrom_bits_f64(unsigned bits) { return (sl_mf64)bits; }
static inline unsigned sl_mbits_f64(sl_mf64 m) { return (unsigned)m; }
/* acc + x in the lanes of m, acc elsewhere */
static inline sl_vf64 sl_add_if_f64(sl_vf64 acc, sl_mf64 m, sl_vf64 x)
{
    return _mm512_mask_add_pd(acc, m, acc, x);
}
/* acc + a * b (one rounding) in the lanes of m, acc elsewhere */
static inline sl_vf64 sl_fma_if_f64(sl_vf64 acc, sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm512_mask3_fmadd_pd(a, b, acc, m);
}
/* a * b + c rounded down (toward -inf): embedded rounding, one instruction */
#define SL_HAVE_FMA_DOWN_F64 1
static inline sl_vf64 sl_fma_down_f64(sl_vf64 a, sl_vf64 b, sl_vf64 c)
{
    return _mm512_fmadd_round_pd(a, b, c, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}
static inline sl_vf64 sl_select_m_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b) { return _mm512_mask_blend_pd(m, b, a); }

/* 64-bit integer lanes of counters: ten 6-bit bin counters packed per lane */
typedef __m512i sl_vc_f64;
static inline sl_vc_f64 sl_cnt_zero_f64(void) { return _mm512_setzero_si512(); }
static inline sl_vc_f64 sl_cnt_add_if_f64(sl_vc_f64 acc, sl_mf64 m, sl_vc_f64 x)
{
    return _mm512_mask_add_epi64(acc, m, acc, x);
}
/* 1 << shift per lane, for a shift held as an exact small whole number in a double lane (adding
 * 2^52 puts it in the low mantissa bits) */
static inline sl_vc_f64 sl_cnt_bit_f64(sl_vf64 shift)
{
    __m512i s = _mm512_and_si512(_mm512_castpd_si512(_mm512_add_pd(shift, _mm512_set1_pd(0x1p52))),
                                 _mm512_set1_epi64(63));
    return _mm512_sllv_epi64(_mm512_set1_epi64(1), s);
}
/* acc + ((c >> shift) & fields), per lane: every other 6-bit field of a packed counter, widened
 * to 12 bits (fields = 0x03F03F03F03F03F) */
static inline sl_vc_f64 sl_cnt_add_fields_f64(sl_vc_f64 acc, sl_vc_f64 c, unsigned shift,
                                              uint64_t fields)
{
    __m512i f = _mm512_and_si512(_mm512_srli_epi64(c, shift), _mm512_set1_epi64((long long)fields));
    return _mm512_add_epi64(acc, f);
}
static inline void sl_cnt_store_f64(uint64_t *p, sl_vc_f64 c) { _mm512_storeu_si512(p, c); }
/* 1 << (6 * bin) per lane, from key = 2^52 + bin, bin a whole number 0..10 (so in the low
 * mantissa bits), 10 (p = 1 before its clamp to the last bin) counted as 9: one lookup in a
 * 16-entry table held in two registers (entry 10 = entry 9, so no clamp) */
static inline sl_vc_f64 sl_cnt_bin_bit_f64(sl_vf64 key)
{
    const __m512i lo = _mm512_setr_epi64(1ll << 0, 1ll << 6, 1ll << 12, 1ll << 18, 1ll << 24,
                                         1ll << 30, 1ll << 36, 1ll << 42);
    const __m512i hi = _mm512_setr_epi64(1ll << 48, 1ll << 54, 1ll << 54, 0, 0, 0, 0, 0);
    return _mm512_permutex2var_epi64(lo, _mm512_castpd_si512(key), hi);
}
/* Flag bytes (0/1 accepted, -1/0/+1 labels) widened to 64-bit integer lanes */
static inline sl_vc_f64 sl_cnt_load_u8_f64(const uint8_t *p)
{
    return _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)p));
}
static inline sl_vc_f64 sl_cnt_load_i8_f64(const int8_t *p)
{
    return _mm512_cvtepi8_epi64(_mm_loadl_epi64((const __m128i *)p));
}
/* m AND (a OP b): the compare takes m as its write mask, so no separate AND */
static inline sl_mf64 sl_mand_ge_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm512_mask_cmp_pd_mask(m, a, b, _CMP_GE_OQ);
}
static inline sl_mf64 sl_mand_le_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm512_mask_cmp_pd_mask(m, a, b, _CMP_LE_OQ);
}
static inline sl_mf64 sl_mand_eq_f64(sl_mf64 m, sl_vf64 a, sl_vf64 b)
{
    return _mm512_mask_cmp_pd_mask(m, a, b, _CMP_EQ_OQ);
}
static inline sl_mf64 sl_mand_ceq_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm512_mask_cmpeq_epi64_mask(m, a, _mm512_set1_epi64(b));
}
static inline sl_mf64 sl_mand_cle_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm512_mask_cmple_epi64_mask(m, a, _mm512_set1_epi64(b));
}
static inline sl_mf64 sl_mand_cge_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm512_mask_cmpge_epi64_mask(m, a, _mm512_set1_epi64(b));
}
static inline sl_mf64 sl_mand_cne_f64(sl_mf64 m, sl_vc_f64 a, int64_t b)
{
    return _mm512_mask_cmpneq_epi64_mask(m, a, _mm512_set1_epi64(b));
}
/* m AND (sign bit of x clear) */
static inline sl_mf64 sl_mand_sign_clear_f64(sl_mf64 m, sl_vf64 x)
{
    return _mm512_mask_cmpge_epi64_mask(m, _mm512_castpd_si512(x), _mm512_setzero_si512());
}
/* |x| with the sign bit of the integer lane c (so -|x|, -0.0 for 0, where c < 0): one bitwise
 * select, the sign bit from c and the rest from x (ternary-logic table 0xD8: C ? B : A) */
static inline sl_vf64 sl_abs_sign_of_f64(sl_vf64 x, sl_vc_f64 c)
{
    return _mm512_castsi512_pd(_mm512_ternarylogic_epi64(_mm512_castpd_si512(x), c,
                                                         _mm512_set1_epi64(INT64_MIN), 0xD8));
}
static inline sl_mf64 sl_mall_f64(void) { return (sl_mf64)0xFF; }
/* For positive normal x: its binary exponent floor(log2 x) as a double, and its significand
 * scaled into [1, 2); both exact. */
static inline sl_vf64 sl_getexp_f64(sl_vf64 x) { return _mm512_getexp_pd(x); }
static inline sl_vf64 sl_getmant_f64(sl_vf64 x)
{
    return _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
}
/* Stores the lanes of m, in lane order, contiguously at dst (a whole vector is written);
 * returns how many. */
static inline unsigned sl_compress_store_f64(double *dst, sl_mf64 m, sl_vf64 x)
{
    _mm512_storeu_pd(dst, _mm512_maskz_compress_pd(m, x));
    return (unsigned)__builtin_popcount((unsigned)m);
}

/* ---- f32 ---- */
static inline sl_vf32 sl_load_f32(const float *p) { return _mm512_loadu_ps(p); }
static inline sl_vf32 sl_load_part_f32(const float *p, unsigned bits)
{
    return _mm512_maskz_loadu_ps((__mmask16)bits, p);
}
static inline void sl_store_f32(float *p, sl_vf32 v) { _mm512_storeu_ps(p, v); }
static inline void sl_store_part_f32(float *p, sl_vf32 v, unsigned bits)
{
    _mm512_mask_storeu_ps(p, (__mmask16)bits, v);
}
static inline sl_vf32 sl_set1_f32(float x) { return _mm512_set1_ps(x); }
static inline sl_vf32 sl_add_f32(sl_vf32 a, sl_vf32 b) { return _mm512_add_ps(a, b); }
static inline sl_vf32 sl_mul_f32(sl_vf32 a, sl_vf32 b) { return _mm512_mul_ps(a, b); }
static inline sl_vf32 sl_div_f32(sl_vf32 a, sl_vf32 b) { return _mm512_div_ps(a, b); }
static inline sl_vf32 sl_min_f32(sl_vf32 a, sl_vf32 b) { return _mm512_min_ps(a, b); }
static inline sl_vf32 sl_max_f32(sl_vf32 a, sl_vf32 b) { return _mm512_max_ps(a, b); }
static inline sl_vf32 sl_sub_f32(sl_vf32 a, sl_vf32 b) { return _mm512_sub_ps(a, b); }
static inline sl_vf32 sl_fma_f32(sl_vf32 a, sl_vf32 b, sl_vf32 c) { return _mm512_fmadd_ps(a, b, c); }
/* fl(a + b) * 2^n, the product rounded once, for an integer-valued n in [-125, 128]; `biased`
 * holds n + 126 in its low mantissa bits (unused here: one scalef does the scaling) */
static inline sl_vf32 sl_exp_scale_f32(sl_vf32 a, sl_vf32 b, sl_vf32 n, sl_vf32 biased)
{
    (void)biased;
    return _mm512_scalef_ps(_mm512_add_ps(a, b), n);
}
static inline sl_vf32 sl_abs_f32(sl_vf32 x) { return _mm512_abs_ps(x); }
static inline sl_vf32 sl_log2_f32(sl_vf32 x) { return Sleef_log2f16_u10avx512f(x); }
static inline unsigned sl_lt_bits_f32(sl_vf32 a, sl_vf32 b)
{
    return (unsigned)_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ);
}
static inline unsigned sl_eq_bits_f32(sl_vf32 a, sl_vf32 b)
{
    return (unsigned)_mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ);
}
static inline sl_vf32 sl_select_f32(unsigned bits, sl_vf32 a, sl_vf32 b)
{
    return _mm512_mask_blend_ps((__mmask16)bits, b, a);
}
static inline unsigned sl_nan_bits_f32(sl_vf32 x)
{
    return (unsigned)_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
}
static inline unsigned sl_nan_bits2_f32(sl_vf32 a, sl_vf32 b)
{
    return (unsigned)_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q);
}
static inline sl_vi_f32 sl_load_i_f32(const int32_t *p) { return _mm512_loadu_si512(p); }
static inline sl_vi_f32 sl_load_part_i_f32(const int32_t *p, unsigned bits)
{
    return _mm512_maskz_loadu_epi32((__mmask16)bits, p);
}
static inline void sl_store_i_f32(int32_t *p, sl_vi_f32 c) { _mm512_storeu_si512(p, c); }
static inline sl_vi_f32 sl_zero_i_f32(void) { return _mm512_setzero_si512(); }
static inline unsigned sl_negative_bits_f32(sl_vi_f32 c)
{
    return (unsigned)_mm512_cmplt_epi32_mask(c, _mm512_setzero_si512());
}
static inline unsigned sl_above_bits_f32(sl_vi_f32 c, int32_t limit)
{
    return (unsigned)_mm512_cmpgt_epi32_mask(c, _mm512_set1_epi32(limit));
}
static inline sl_vi_f32 sl_clamp_i_f32(sl_vi_f32 c, int32_t lo, int32_t hi)
{
    return _mm512_max_epi32(_mm512_min_epi32(c, _mm512_set1_epi32(hi)), _mm512_set1_epi32(lo));
}
static inline sl_vf32 sl_gather_f32(const float *table, sl_vi_f32 idx)
{
    return _mm512_i32gather_ps(idx, table, 4);
}
static inline sl_vi_f32 sl_or_i_f32(sl_vi_f32 a, sl_vi_f32 b) { return _mm512_or_si512(a, b); }
static inline int sl_any_bits_i_f32(sl_vi_f32 c, int32_t bits)
{
    return _mm512_test_epi32_mask(c, _mm512_set1_epi32(bits)) != 0;
}
/* 16 floats fill one register: the lookup is a single permute */
typedef __m512 sl_table16_f32;
static inline sl_table16_f32 sl_table16_load_f32(const float *table) { return _mm512_loadu_ps(table); }
static inline sl_vf32 sl_table16_lookup_f32(sl_table16_f32 t, sl_vi_f32 idx)
{
    return _mm512_permutexvar_ps(idx, t);
}
static inline void sl_stream_f32(float *p, sl_vf32 v) { _mm512_stream_ps(p, v); }

/* ---- both precisions ---- */
#define SL_STREAM_ALIGN 64
/* orders earlier non-temporal stores before any later store (call once after streaming) */
static inline void sl_stream_fence(void) { _mm_sfence(); }

/* ---- f32, payoffs ---- */
static inline sl_vf32 sl_zero_f32(void) { return _mm512_setzero_ps(); }
static inline unsigned sl_outside01_bits_f32(sl_vf32 x)
{
    __mmask16 inside = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ) &
                       _mm512_cmp_ps_mask(x, _mm512_set1_ps(1.0f), _CMP_LE_OQ);
    return (unsigned)inside ^ 0xFFFFu;
}
static inline unsigned sl_nonfinite_bits_f32(sl_vf32 x)
{
    return (unsigned)_mm512_cmp_ps_mask(_mm512_sub_ps(x, x), _mm512_setzero_ps(), _CMP_NEQ_UQ);
}

#endif /* SL_VEC_AVX512_H */
