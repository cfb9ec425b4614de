/*
 * Picks the vector layer of the ISA this translation unit is compiled for. CMake compiles each
 * SIMD source once per ISA with -DSL_ISA=<name> and that ISA's flags; adding an ISA means writing
 * its vec_<isa>.h and adding it here, once for every kernel family.
 */
#ifndef SL_VEC_SELECT_H
#define SL_VEC_SELECT_H

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
#error "define SL_ISA as one of avx2, avx512, neon"
#endif

#endif
