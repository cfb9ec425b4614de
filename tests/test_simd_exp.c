/*
 * The SIMD paths' own exp (kernels/simd/score_simd.inc, KERNEL(exp)), which replaced SLEEF's in
 * the sigmoid because it is faster (bench/bench_kernels). It is only acceptable at equal or better
 * accuracy than SLEEF's exp, so this test measures both, and libm's, on the same inputs:
 *   f32: every 61st float t in [-86.5, 88.72] against exp() in double; f64: 3 million random t
 *        (uniform over the range, and dense in [-1, 1]) against expl() in long double (with
 *        SOFTLABEL_TEST_ROWS set, as under emulation, a sparser sweep: every 487th float and
 *        SOFTLABEL_TEST_ROWS / 3 doubles);
 *   every SIMD path gives the same bits (SPEC: a score must not depend on the machine);
 *   max ULP error below 1 and not above SLEEF's max over the same inputs;
 *   special values: exp(0) = 1, +inf above ln(MAX) (exactly where the true value overflows),
 *   tiny non-negative values below the range, exp(-inf) tiny.
 * Prints the measured max errors.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
/* sleef.h declares its AVX2 functions only when AVX2 is enabled; enable it for the header alone */
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include <sleef.h>
#pragma GCC pop_options
#else
#include <sleef.h>
#endif

#include "kernels.h"
#include "test_util.h"

typedef void (*exp_f32_fn)(const float *t, size_t n, float *out);
typedef void (*exp_f64_fn)(const double *t, size_t n, double *out);

typedef struct simd_path {
    const char *name;
    exp_f32_fn exp_f32;
    exp_f64_fn exp_f64;
} simd_path;

static const simd_path all_paths[] = {
#if defined(__x86_64__)
    {"avx2", sl_exp_array_f32_avx2, sl_exp_array_f64_avx2},
    {"avx512", sl_exp_array_f32_avx512, sl_exp_array_f64_avx512},
#endif
#if defined(__aarch64__)
    {"neon", sl_exp_array_f32_neon, sl_exp_array_f64_neon},
#endif
    {NULL, NULL, NULL},
};

#define BLOCK 4096

/* Float stride and double count of the sweeps (sparser when SOFTLABEL_TEST_ROWS asks for less). */
static uint32_t f32_stride(void) { return getenv("SOFTLABEL_TEST_ROWS") ? 487 : 61; }
static size_t f64_count(void)
{
    const char *env = getenv("SOFTLABEL_TEST_ROWS");
    size_t rows = env ? (size_t)strtoull(env, NULL, 10) / 3 : 3000000;
    return rows > BLOCK ? rows : BLOCK;
}

/* |got - want| in units of the float ulp at want (want a normal float's magnitude) */
static double ulp_error_f32(float got, double want)
{
    int e;
    frexp(want, &e);
    return fabs((double)got - want) / ldexp(1.0, e - 24);
}

static double ulp_error_f64(double got, long double want)
{
    int e;
    frexpl(want, &e);
    return (double)(fabsl((long double)got - want) / ldexpl(1.0L, e - 53));
}

/* The paths this machine runs, found once by the group setup. */
static const simd_path *paths[8];
static size_t n_paths;

static int find_runnable_paths(void **state)
{
    (void)state;
    for (size_t i = 0; all_paths[i].name; i++)
        if (sl_isa_supported(all_paths[i].name))
            paths[n_paths++] = &all_paths[i];
    return 0;
}

/* Skips the calling test on a machine that runs no SIMD path. */
static void require_simd_paths(void)
{
    if (n_paths == 0)
        skip();
}

/* SLEEF's exp for a block (its AVX2 vector function when this CPU has AVX2, else its scalar one).
 * Only these helpers are compiled for AVX2, and only called after the CPU check. */
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void sleef_avx2_f32(const float *t, size_t n, float *out)
{
    float lanes[8];
    for (size_t i = 0; i < n; i += 8) {
        size_t m = n - i < 8 ? n - i : 8;
        memset(lanes, 0, sizeof lanes);
        memcpy(lanes, t + i, m * sizeof(float));
        _mm256_storeu_ps(lanes, Sleef_expf8_u10avx2(_mm256_loadu_ps(lanes)));
        memcpy(out + i, lanes, m * sizeof(float));
    }
}

__attribute__((target("avx2,fma"))) static void sleef_avx2_f64(const double *t, size_t n,
                                                              double *out)
{
    double lanes[4];
    for (size_t i = 0; i < n; i += 4) {
        size_t m = n - i < 4 ? n - i : 4;
        memset(lanes, 0, sizeof lanes);
        memcpy(lanes, t + i, m * sizeof(double));
        _mm256_storeu_pd(lanes, Sleef_expd4_u10avx2(_mm256_loadu_pd(lanes)));
        memcpy(out + i, lanes, m * sizeof(double));
    }
}
#endif

static void sleef_exp_f32(const float *t, size_t n, float *out)
{
#if defined(__x86_64__)
    if (sl_isa_supported("avx2")) {
        sleef_avx2_f32(t, n, out);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        out[i] = Sleef_expf_u10(t[i]);
}

static void sleef_exp_f64(const double *t, size_t n, double *out)
{
#if defined(__x86_64__)
    if (sl_isa_supported("avx2")) {
        sleef_avx2_f64(t, n, out);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        out[i] = Sleef_exp_u10(t[i]);
}

static void test_f32_accuracy_and_identity(void **state)
{
    (void)state;
    require_simd_paths();
    float t[BLOCK], mine[8][BLOCK], sleef[BLOCK];
    double max_mine = 0, max_sleef = 0, max_libm = 0;
    float worst_t = 0;
    size_t count = 0, n = 0;
    uint32_t lo_bits, hi_bits;
    float lo = -86.5f, hi = 88.72f;
    memcpy(&lo_bits, &lo, 4);
    memcpy(&hi_bits, &hi, 4);
    /* positive floats up to hi, then negative ones down to lo (bit patterns grow with magnitude) */
    for (int side = 0; side < 2; side++) {
        uint32_t first = side == 0 ? 0u : 0x80000000u, last = side == 0 ? hi_bits : lo_bits;
        const uint32_t stride = f32_stride();
        for (uint64_t b = first; b <= last; b += stride) {
            uint32_t bits = (uint32_t)b;
            memcpy(&t[n++], &bits, 4);
            if (n < BLOCK && b + stride <= last)
                continue;
            for (size_t p = 0; p < n_paths; p++)
                paths[p]->exp_f32(t, n, mine[p]);
            sleef_exp_f32(t, n, sleef);
            for (size_t i = 0; i < n; i++) {
                double want = exp((double)t[i]);
                for (size_t p = 1; p < n_paths; p++)
                    if (memcmp(&mine[p][i], &mine[0][i], sizeof(float)) != 0)
                        fail_msg("exp(%a): %s gives %a, %s gives %a", (double)t[i], paths[p]->name,
                                 (double)mine[p][i], paths[0]->name, (double)mine[0][i]);
                double e = ulp_error_f32(mine[0][i], want);
                if (e > max_mine) {
                    max_mine = e;
                    worst_t = t[i];
                }
                max_sleef = fmax(max_sleef, ulp_error_f32(sleef[i], want));
                max_libm = fmax(max_libm, ulp_error_f32(expf(t[i]), want));
            }
            count += n;
            n = 0;
        }
    }
    printf("exp f32 over %zu inputs: max error %.4f ULP (at %a) here, %.4f SLEEF, %.4f libm\n",
           count, max_mine, (double)worst_t, max_sleef, max_libm);
    assert_true(max_mine < 1.0);
    assert_true(max_mine <= max_sleef);
}

static void test_f32_special_values(void **state)
{
    (void)state;
    require_simd_paths();
    for (size_t p = 0; p < n_paths; p++) {
        static float t[2 * BLOCK], out[2 * BLOCK];
        const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, 88.0f, 89.0f, 100.0f, 1e30f,
                                  -86.5f, -87.0f, -100.0f, -1e30f};
        size_t ns = sizeof specials / sizeof specials[0];
        paths[p]->exp_f32(specials, ns, out);
        assert_true(out[0] == 1.0f && out[1] == 1.0f);
        assert_true(isinf(out[2]) && out[2] > 0);
        assert_true(out[3] >= 0.0f && out[3] < 0x1p-124f);
        assert_true(isfinite(out[4]));
        for (size_t i = 5; i < 8; i++)
            assert_true(isinf(out[i]) && out[i] > 0);
        for (size_t i = 8; i < ns; i++)
            assert_true(out[i] >= 0.0f && out[i] < 0x1p-124f);
        /* around the overflow threshold: +inf exactly when the true value rounds past FLT_MAX,
         * and otherwise within 1 ULP */
        size_t n = 0;
        for (float x = 88.70f; x < 88.75f && n < 2 * BLOCK; x = nextafterf(x, INFINITY))
            t[n++] = x;
        assert_true(t[n - 1] > 88.7229f); /* the range crosses ln(FLT_MAX) */
        paths[p]->exp_f32(t, n, out);
        for (size_t i = 0; i < n; i++) {
            double want = exp((double)t[i]);
            if (want >= (double)FLT_MAX * (1.0 + 0x1p-24))
                assert_true(isinf(out[i]));
            else if (want < (double)FLT_MAX * (1.0 - 0x1p-23))
                assert_true(isfinite(out[i]) && ulp_error_f32(out[i], want) < 1.0);
        }
    }
}

static void test_f64_accuracy_and_identity(void **state)
{
    (void)state;
    require_simd_paths();
    static double t[BLOCK], mine[8][BLOCK], sleef[BLOCK];
    double max_mine = 0, max_sleef = 0, max_libm = 0, worst_t = 0;
    uint64_t rng = 42;
    const size_t total = f64_count();
    for (size_t done = 0; done < total; done += BLOCK) {
        for (size_t i = 0; i < BLOCK; i++)
            t[i] = (i & 1) ? rng_uniform(&rng, -708.0, 709.78) : rng_uniform(&rng, -1.0, 1.0);
        for (size_t p = 0; p < n_paths; p++)
            paths[p]->exp_f64(t, BLOCK, mine[p]);
        sleef_exp_f64(t, BLOCK, sleef);
        for (size_t i = 0; i < BLOCK; i++) {
            long double want = expl((long double)t[i]);
            for (size_t p = 1; p < n_paths; p++)
                if (memcmp(&mine[p][i], &mine[0][i], sizeof(double)) != 0)
                    fail_msg("exp(%a): %s gives %a, %s gives %a", t[i], paths[p]->name,
                             mine[p][i], paths[0]->name, mine[0][i]);
            double e = ulp_error_f64(mine[0][i], want);
            if (e > max_mine) {
                max_mine = e;
                worst_t = t[i];
            }
            max_sleef = fmax(max_sleef, ulp_error_f64(sleef[i], want));
            max_libm = fmax(max_libm, ulp_error_f64(exp(t[i]), want));
        }
    }
    printf("exp f64 over %zu inputs: max error %.4f ULP (at %a) here, %.4f SLEEF, %.4f libm\n",
           total, max_mine, worst_t, max_sleef, max_libm);
    assert_true(max_mine < 1.0);
    assert_true(max_mine <= max_sleef);
}

static void test_f64_special_values(void **state)
{
    (void)state;
    require_simd_paths();
    for (size_t p = 0; p < n_paths; p++) {
        const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, 709.0, 709.79, 710.0, 1e300,
                                   -708.0, -745.0, -1e300};
        double out[16];
        size_t ns = sizeof specials / sizeof specials[0];
        paths[p]->exp_f64(specials, ns, out);
        assert_true(out[0] == 1.0 && out[1] == 1.0);
        assert_true(isinf(out[2]) && out[2] > 0);
        assert_true(out[3] >= 0.0 && out[3] < 0x1p-1020);
        assert_true(isfinite(out[4]));
        for (size_t i = 5; i < 8; i++)
            assert_true(isinf(out[i]) && out[i] > 0);
        for (size_t i = 8; i < ns; i++)
            assert_true(out[i] >= 0.0 && out[i] < 0x1p-1020);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f32_accuracy_and_identity),
        cmocka_unit_test(test_f32_special_values),
        cmocka_unit_test(test_f64_accuracy_and_identity),
        cmocka_unit_test(test_f64_special_values),
    };
    return cmocka_run_group_tests(tests, find_runnable_paths, NULL);
}
