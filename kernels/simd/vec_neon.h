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
 */
#ifndef SL_VEC_NEON_H
#define SL_VEC_NEON_H

#include <arm_neon.h>
#include <sleef.h>

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
static inline sl_vf64 sl_exp_f64(sl_vf64 x) { return Sleef_expd2_u10advsimd(x); }
static inline unsigned sl_nan_bits_f64(sl_vf64 x)
{
    /* x == x is false exactly for NaN */
    return sl_bits2_u64(veorq_u64(vceqq_f64(x, x), vdupq_n_u64(UINT64_MAX)));
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
static inline sl_vf32 sl_exp_f32(sl_vf32 x) { return Sleef_expf4_u10advsimd(x); }
static inline unsigned sl_nan_bits_f32(sl_vf32 x) { return sl_bits4_u32(vmvnq_u32(vceqq_f32(x, x))); }
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

#endif /* SL_VEC_NEON_H */
