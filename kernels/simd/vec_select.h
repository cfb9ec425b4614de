/*
 * Picks the vector layer of the ISA this translation unit is compiled for. CMake compiles each
 * SIMD source once per ISA with -DSL_ISA=<name> and that ISA's flags; adding an ISA means writing
 * its vec_<isa>.h and adding it here, once for every kernel family.
 */
#ifndef SL_VEC_SELECT_H
#define SL_VEC_SELECT_H

/* A kernel helper's name: KERNEL(exp) in f64 on avx2 -> sl_exp_f64_avx2 (the extra level expands
 * SL_ISA first). */
#define SL_KERNEL_NAME_(op, prec, isa) sl_##op##_##prec##_##isa
#define SL_KERNEL_NAME(op, prec, isa) SL_KERNEL_NAME_(op, prec, isa)

/* A kernel entry point's name: its typed name, then the ISA (SL_ISA_NAME(sl_score_f64) on avx2 ->
 * sl_score_f64_avx2). The file that includes a kernel body binds each entry point's typed name
 * on one line with it (score_simd.c), so a search for sl_score_f64 lands there. */
#define SL_ISA_NAME_(name, isa) name##_##isa
#define SL_ISA_NAME_X(name, isa) SL_ISA_NAME_(name, isa)
#define SL_ISA_NAME(name) SL_ISA_NAME_X(name, SL_ISA)

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
