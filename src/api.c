/*
 * The public entry points: check the arguments, pick the active path, run its kernel, and turn the
 * kernel's "first invalid row" into a status that names the column.
 */
#include <math.h>

#include "args_internal.h"
#include "dispatch.h"
#include "obs_internal.h"
#include "proxy_internal.h"

/* The status of an invalid row: its first bad field, in field order. */
static sl_status row_status(int progress_nan, int32_t rework, int32_t rejections,
                            const int32_t *misuse_column, size_t row)
{
    if (progress_nan) return SL_ERR_NAN_TASK_PROGRESS;
    if (rework < 0) return SL_ERR_NEGATIVE_REWORK_COUNT;
    if (rejections < 0) return SL_ERR_NEGATIVE_VERIFIER_REJECTIONS;
    if (misuse_column && misuse_column[row] < 0) return SL_ERR_NEGATIVE_TOOL_MISUSE;
    return SL_ERR_NAN_ENGAGEMENT;
}

/* The scoring and sigmoid entry points, written once in api_prec.inc and compiled here once per
 * precision: the element types from api_prec_f64.h / _f32.h, the name of each function bound on
 * one line (as glibc's strtof_l.c names the body of strtod_l.c), so that a search for a typed
 * name lands here. */
#include "api_prec_f64.h"
#define SL_SCORE sl_score_f64
#define SL_SIGMOID sl_sigmoid_f64
#define SL_SIGMOID_EX sl_sigmoid_ex_f64
#define SL_INVERSE_SIGMOID sl_inverse_sigmoid_f64
#define SL_OBS_ROW_STATUS sl_obs_row_status_f64
#include "api_prec.inc"
#include "api_prec_undef.h"

#include "api_prec_f32.h"
#define SL_SCORE sl_score_f32
#define SL_SIGMOID sl_sigmoid_f32
#define SL_SIGMOID_EX sl_sigmoid_ex_f32
#define SL_INVERSE_SIGMOID sl_inverse_sigmoid_f32
#define SL_OBS_ROW_STATUS sl_obs_row_status_f32
#include "api_prec.inc"
#include "api_prec_undef.h"
