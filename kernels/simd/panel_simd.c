/*
 * The panel kernels' SIMD paths: panel_simd.inc compiled once per instruction set, in double
 * precision (the panel results are reported as doubles; no single-precision variant is offered).
 * CMake builds this file with -DSL_ISA=<name> and that ISA's flags, like score_simd.c, whose
 * selection of the vector layer is repeated here (a new ISA adds its layer to both lists).
 */
#include <math.h>

#include "kernels.h"

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
#error "panel_simd.c: define SL_ISA as one of avx2, avx512, neon"
#endif

#include "prec_f64.h"
#include "panel_simd.inc"
#include "prec_undef.h"
