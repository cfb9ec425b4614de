/*
 * The panel kernels' SIMD paths: panel_simd.inc compiled once per instruction set, in double
 * precision (the panel results are reported as doubles; no single-precision variant is offered).
 * CMake builds this file with -DSL_ISA=<name> and that ISA's flags, like score_simd.c
 * (vec_select.h picks the vector layer for both).
 */
#include <math.h>

#include "kernels.h"

#include "vec_select.h"

#include "prec_f64.h"
#define PANEL_STATS_KERNEL SL_ISA_NAME(sl_panel_stats_f64)
#define DIVERGENCE_KERNEL SL_ISA_NAME(sl_divergence_f64)
#include "panel_simd.inc"
#include "prec_undef.h"
