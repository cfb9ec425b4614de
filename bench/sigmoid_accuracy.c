/*
 * sigmoid_accuracy: the largest relative error of sl_sigmoid_f32 (every path this CPU runs) and of
 * XNNPACK's f32 sigmoid, over a dense sweep of inputs, against a double-precision reference
 * 1 / (1 + exp(-k x)) computed with libm's exp in double from the same float x.
 *
 * The sweep covers every float x (or every stride-th one) with 2^-20 <= |x|, -87 <= x <= 20 and
 * k = 1: below -87 the true p is no longer a normal float (relative error is meaningless there),
 * above 20 p rounds to 1, and for |x| < 2^-20, p is 1/2 + x/4 to within float rounding. With
 * k = 1 the product k x is exact, so the figure measures the exp, the add and the divide.
 *
 * Usage: sigmoid_accuracy [--stride S]   (S >= 1, default 1: every float in the range)
 * Prints one JSON object: {"k":1,"inputs":N,"max_rel_error":{"scalar":e,...,"xnnpack":e},
 * "worst_x":{...}}. Exit status 1 when a call fails.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xnnpack.h>

#include "softlabel.h"

#define BLOCK 65536
#define MAX_PATHS 8

typedef struct path_result {
    const char *name; /* an ISA name, or "xnnpack" */
    double max_rel;
    float worst_x;
} path_result;

static float from_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint32_t to_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static void record(path_result *r, const float *x, const double *ref, const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double rel = fabs((double)out[i] - ref[i]) / ref[i];
        if (!(rel <= r->max_rel)) { /* also catches a NaN output */
            r->max_rel = isnan(rel) ? INFINITY : rel;
            r->worst_x = x[i];
        }
    }
}

/* Evaluates every path on x[0..n) and folds the errors into results. */
static int measure_block(path_result *results, size_t n_paths, xnn_operator_t xnn, const float *x,
                         size_t n, double *ref, float *out)
{
    for (size_t i = 0; i < n; i++)
        ref[i] = 1.0 / (1.0 + exp(-(double)x[i]));
    for (size_t p = 0; p < n_paths; p++) {
        if (strcmp(results[p].name, "xnnpack") == 0) {
            if (xnn_setup_sigmoid_nc_f32(xnn, n, x, out, NULL) != xnn_status_success ||
                xnn_run_operator(xnn, NULL) != xnn_status_success)
                return -1;
        } else {
            if (sl_set_isa(results[p].name) != SL_OK || sl_sigmoid_f32(1.0f, x, n, out) != SL_OK)
                return -1;
        }
        record(&results[p], x, ref, out, n);
    }
    return 0;
}

/* Sweeps the floats from bit pattern `first` up to `last` (same sign) with the given stride. */
static int sweep(path_result *results, size_t n_paths, xnn_operator_t xnn, uint32_t first,
                 uint32_t last, uint32_t stride, float *x, double *ref, float *out, size_t *count)
{
    size_t n = 0;
    for (uint64_t b = first; b <= last; b += stride) {
        x[n++] = from_bits((uint32_t)b);
        if (n == BLOCK) {
            if (measure_block(results, n_paths, xnn, x, n, ref, out) != 0)
                return -1;
            *count += n;
            n = 0;
        }
    }
    if (n > 0 && measure_block(results, n_paths, xnn, x, n, ref, out) != 0)
        return -1;
    *count += n;
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t stride = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stride") == 0 && i + 1 < argc) {
            stride = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--stride S]\n", argv[0]);
            return 2;
        }
    }
    if (stride == 0) {
        fprintf(stderr, "sigmoid_accuracy: --stride must be >= 1\n");
        return 2;
    }
    if (xnn_initialize(NULL) != xnn_status_success) {
        fprintf(stderr, "sigmoid_accuracy: xnn_initialize failed\n");
        return 1;
    }
    xnn_operator_t xnn = NULL;
    if (xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &xnn) != xnn_status_success) {
        fprintf(stderr, "sigmoid_accuracy: cannot create the XNNPACK sigmoid operator\n");
        return 1;
    }

    path_result results[MAX_PATHS];
    size_t n_paths = 0;
    for (size_t i = sl_isa_count(); i-- > 0;) /* the library's list, scalar first */
        if (sl_isa_supported(sl_isa_at(i)) && n_paths + 1 < MAX_PATHS)
            results[n_paths++] = (path_result){sl_isa_at(i), 0.0, 0.0f};
    results[n_paths++] = (path_result){"xnnpack", 0.0, 0.0f};

    float *x = malloc(BLOCK * sizeof *x);
    float *out = malloc(BLOCK * sizeof *out);
    double *ref = malloc(BLOCK * sizeof *ref);
    if (!x || !out || !ref) {
        fprintf(stderr, "sigmoid_accuracy: out of memory\n");
        return 1;
    }
    const float tiny = 0x1p-20f;
    size_t count = 0;
    int rc = sweep(results, n_paths, xnn, to_bits(tiny), to_bits(20.0f), stride, x, ref, out,
                   &count);
    if (rc == 0)
        rc = sweep(results, n_paths, xnn, to_bits(-tiny), to_bits(-87.0f), stride, x, ref, out,
                   &count);
    if (rc != 0) {
        fprintf(stderr, "sigmoid_accuracy: a sigmoid call failed\n");
        return 1;
    }

    printf("{\"k\": 1, \"x_range\": [-87, 20], \"min_abs_x\": %.9g, \"stride\": %u, \"inputs\": %zu,\n",
           (double)tiny, stride, count);
    printf(" \"max_rel_error\": {");
    for (size_t p = 0; p < n_paths; p++)
        printf("%s\"%s\": %.6g", p ? ", " : "", results[p].name, results[p].max_rel);
    printf("},\n \"worst_x\": {");
    for (size_t p = 0; p < n_paths; p++)
        printf("%s\"%s\": %.9g", p ? ", " : "", results[p].name, (double)results[p].worst_x);
    printf("}}\n");

    free(x);
    free(out);
    free(ref);
    xnn_delete_operator(xnn);
    xnn_deinitialize();
    sl_set_isa("auto");
    return 0;
}
