/*
 * The SIMD paths: one source, compiled once per instruction set. CMake builds this file with
 * -DSL_ISA=<name> and that ISA's flags (e.g. avx2: -mavx2 -mfma; avx512: -mavx512f; neon: none,
 * Advanced SIMD is the AArch64 baseline), which selects the vector layer below; score_simd.inc
 * holds the algorithm, written once against the layer's operations and included once per
 * precision (payoff_simd.inc and metrics_simd.inc likewise hold the payoff and metrics
 * algorithms). Adding an ISA means writing its vector layer, not another copy of the kernels.
 */
#include <stddef.h>
#include <string.h>

#include "kernels.h"

/* KERNEL(score) in f64 on avx2 -> sl_score_f64_avx2 (the extra level expands SL_ISA first) */
#define SL_KERNEL_NAME_(op, prec, isa) sl_##op##_##prec##_##isa
#define SL_KERNEL_NAME(op, prec, isa) SL_KERNEL_NAME_(op, prec, isa)

#define SL_ISA_avx2 1
#define SL_ISA_avx512 2
#define SL_ISA_neon 3
#define SL_ISA_ID_(isa) SL_ISA_##isa
#define SL_ISA_ID(isa) SL_ISA_ID_(isa)

#if SL_ISA_ID(SL_ISA) == SL_ISA_avx2
#include "vec_avx2.h"
#elif SL_ISA_ID(SL_ISA) == SL_ISA_avx512
#include "vec_avx512.h"
#elif SL_ISA_ID(SL_ISA) == SL_ISA_neon
#include "vec_neon.h"
#else
#error "score_simd.c: define SL_ISA as one of avx2, avx512, neon"
#endif

#include "prec_f64.h"
#include "score_simd.inc"
#include "payoff_simd.inc"
#include "metrics_simd.inc" /* double precision only: metrics always accumulate in double */
#include "prec_undef.h"

#include "prec_f32.h"
#include "score_simd.inc"
#include "payoff_simd.inc"
#include "prec_undef.h"
