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

#include "vec_select.h"

#include "prec_f64.h"
#define SCORE_KERNEL SL_ISA_NAME(sl_score_f64)
#define SIGMOID_KERNEL SL_ISA_NAME(sl_sigmoid_f64)
#define EXP_ARRAY_KERNEL SL_ISA_NAME(sl_exp_array_f64)
#include "score_simd.inc"
#define PAYOFF_KERNEL SL_ISA_NAME(sl_payoff_f64)
#include "payoff_simd.inc"
/* double precision only: metrics always accumulate in double */
#define METRICS_BEGIN_KERNEL SL_ISA_NAME(sl_metrics_begin_f64)
#define METRICS_FEED_KERNEL SL_ISA_NAME(sl_metrics_feed_f64)
#define METRICS_END_KERNEL SL_ISA_NAME(sl_metrics_end_f64)
#include "metrics_simd.inc"
#include "prec_undef.h"

#include "prec_f32.h"
#define SCORE_KERNEL SL_ISA_NAME(sl_score_f32)
#define SIGMOID_KERNEL SL_ISA_NAME(sl_sigmoid_f32)
#define EXP_ARRAY_KERNEL SL_ISA_NAME(sl_exp_array_f32)
#include "score_simd.inc"
#define PAYOFF_KERNEL SL_ISA_NAME(sl_payoff_f32)
#include "payoff_simd.inc"
#include "prec_undef.h"
