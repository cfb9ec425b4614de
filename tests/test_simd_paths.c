/*
 * Every SIMD path against the scalar reference and against each other, through the public API,
 * on the cases the optimized kernels treat specially:
 *   - counts below 16 (register lookups), 16..63 (the sl_proxy table), 64 and above (computed),
 *     negative counts (invalid), mixed within one vector; NaN and +-inf reals; misuse column NULL;
 *   - every length from 0 to a few vectors past the unroll, then longer ones; outputs at every
 *     element offset, either output NULL;
 *   - outputs large enough for non-temporal stores (1 MiB), aligned, misaligned by a few elements,
 *     and misaligned relative to each other, with invalid rows in the head, body and tail;
 *   - sigmoid_k in and beyond the range where the exp needs no clamp, weight sets that switch the
 *     kernels' shortcuts off (see score_simd.inc);
 *   - sl_sigmoid_* on NaN, infinities and large inputs, in place and not.
 * Checks (SPEC 1): same status and first invalid row as the scalar path; v_hat bit-identical to the
 * scalar path; p within 4 ULP of it; both outputs bit-identical across SIMD paths; outputs of
 * invalid rows untouched.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define SENTINEL_F32 -7.0f /* outside [-1, 1] and [0, 1]: a scored row can never hold it */
#define SENTINEL_F64 -7.0

typedef struct rows_f32 {
    size_t n;
    float *progress, *engagement;
    int32_t *rework, *rejections, *misuse;
} rows_f32;

typedef struct rows_f64 {
    size_t n;
    double *progress, *engagement;
    int32_t *rework, *rejections, *misuse;
} rows_f64;

/* A count: mostly small, sometimes 16..63, sometimes 64..300, rarely negative (when allowed). */
static int32_t random_count(uint64_t *rng, int allow_negative)
{
    uint64_t r = rng_next(rng) % 1000;
    if (allow_negative && r < 3)
        return -(int32_t)(1 + r);
    if (r < 20)
        return 16 + (int32_t)(rng_next(rng) % 48);
    if (r < 30)
        return 64 + (int32_t)(rng_next(rng) % 237);
    return (int32_t)(rng_next(rng) % 16);
}

static double random_real(uint64_t *rng, int allow_nan)
{
    uint64_t r = rng_next(rng) % 1000;
    if (allow_nan && r < 3)
        return NAN;
    if (r < 6)
        return r % 2 ? INFINITY : -INFINITY;
    return rng_uniform(rng, -1.3, 1.3);
}

static rows_f64 make_rows(size_t n, uint64_t seed, int allow_invalid)
{
    rows_f64 r = {n, malloc((n + 1) * sizeof(double)), malloc((n + 1) * sizeof(double)),
                  malloc((n + 1) * sizeof(int32_t)), malloc((n + 1) * sizeof(int32_t)),
                  malloc((n + 1) * sizeof(int32_t))};
    assert_true(r.progress && r.engagement && r.rework && r.rejections && r.misuse);
    uint64_t rng = seed;
    for (size_t i = 0; i < n; i++) {
        r.progress[i] = random_real(&rng, allow_invalid);
        r.engagement[i] = random_real(&rng, allow_invalid);
        r.rework[i] = random_count(&rng, allow_invalid);
        r.rejections[i] = random_count(&rng, allow_invalid);
        r.misuse[i] = random_count(&rng, allow_invalid);
    }
    return r;
}

static rows_f32 to_f32(const rows_f64 *d)
{
    rows_f32 r = {d->n, malloc((d->n + 1) * sizeof(float)), malloc((d->n + 1) * sizeof(float)),
                  d->rework, d->rejections, d->misuse};
    assert_true(r.progress && r.engagement);
    for (size_t i = 0; i < d->n; i++) {
        r.progress[i] = (float)d->progress[i];
        r.engagement[i] = (float)d->engagement[i];
    }
    return r;
}

static void free_rows(rows_f64 *d, rows_f32 *s)
{
    free(d->progress);
    free(d->engagement);
    free(d->rework);
    free(d->rejections);
    free(d->misuse);
    free(s->progress);
    free(s->engagement);
}

static sl_proxy proxy_with_k(double k)
{
    sl_proxy_params params;
    sl_proxy_params_default(&params);
    params.sigmoid_k = k;
    sl_proxy px;
    assert_int_equal(sl_proxy_init(&px, &params), SL_OK);
    return px;
}

/* One path's outputs, with `offset` unused elements before them so every alignment is tried. */
typedef struct outputs {
    void *v_hat_block, *p_block;
    void *v_hat, *p;
    sl_status st;
    size_t first_invalid;
} outputs;

static void fill_f32(float *a, size_t n, float v)
{
    for (size_t i = 0; i < n; i++)
        a[i] = v;
}

static void fill_f64(double *a, size_t n, double v)
{
    for (size_t i = 0; i < n; i++)
        a[i] = v;
}

static outputs run_f32(const char *isa, const sl_proxy *px, const rows_f32 *r, int with_misuse,
                       size_t v_offset, size_t p_offset, int want_v, int want_p)
{
    outputs o = {.v_hat_block = malloc((r->n + 32) * sizeof(float)),
                 .p_block = malloc((r->n + 32) * sizeof(float))};
    assert_true(o.v_hat_block && o.p_block);
    float *v = (float *)o.v_hat_block + v_offset, *p = (float *)o.p_block + p_offset;
    fill_f32(v, r->n, SENTINEL_F32);
    fill_f32(p, r->n, SENTINEL_F32);
    o.v_hat = want_v ? v : NULL;
    o.p = want_p ? p : NULL;
    sl_observables_f32 obs = {r->progress, r->rework, r->rejections, with_misuse ? r->misuse : NULL,
                              r->engagement};
    force_isa(isa);
    o.first_invalid = 12345;
    o.st = sl_score_f32(px, &obs, r->n, o.v_hat, o.p, &o.first_invalid);
    return o;
}

static outputs run_f64(const char *isa, const sl_proxy *px, const rows_f64 *r, int with_misuse,
                       size_t v_offset, size_t p_offset, int want_v, int want_p)
{
    outputs o = {.v_hat_block = malloc((r->n + 32) * sizeof(double)),
                 .p_block = malloc((r->n + 32) * sizeof(double))};
    assert_true(o.v_hat_block && o.p_block);
    double *v = (double *)o.v_hat_block + v_offset, *p = (double *)o.p_block + p_offset;
    fill_f64(v, r->n, SENTINEL_F64);
    fill_f64(p, r->n, SENTINEL_F64);
    o.v_hat = want_v ? v : NULL;
    o.p = want_p ? p : NULL;
    sl_observables_f64 obs = {r->progress, r->rework, r->rejections, with_misuse ? r->misuse : NULL,
                              r->engagement};
    force_isa(isa);
    o.first_invalid = 12345;
    o.st = sl_score_f64(px, &obs, r->n, o.v_hat, o.p, &o.first_invalid);
    return o;
}

static void free_outputs(outputs *o)
{
    free(o->v_hat_block);
    free(o->p_block);
}

/* got (a SIMD path) against ref (scalar) and against first_simd (NULL for the first one) */
static void compare_f32(const char *isa, size_t n, const outputs *ref, const outputs *got,
                        const outputs *first_simd)
{
    assert_int_equal(got->st, ref->st);
    assert_int_equal(got->first_invalid, ref->first_invalid);
    const float *rv = ref->v_hat, *rp = ref->p, *gv = got->v_hat, *gp = got->p;
    for (size_t i = 0; i < n; i++) {
        if (gv && memcmp(&gv[i], &rv[i], sizeof(float)) != 0)
            fail_msg("%s f32 row %zu of %zu: v_hat %a, scalar %a", isa, i, n, (double)gv[i],
                     (double)rv[i]);
        if (gp) {
            int untouched = rp[i] == SENTINEL_F32;
            if (untouched ? gp[i] != SENTINEL_F32 : ulp_diff_f32(gp[i], rp[i]) > 4)
                fail_msg("%s f32 row %zu of %zu: p %a, scalar %a", isa, i, n, (double)gp[i],
                         (double)rp[i]);
        }
    }
    if (first_simd) {
        if (gv)
            assert_memory_equal(gv, first_simd->v_hat, n * sizeof(float));
        if (gp)
            assert_memory_equal(gp, first_simd->p, n * sizeof(float));
    }
}

static void compare_f64(const char *isa, size_t n, const outputs *ref, const outputs *got,
                        const outputs *first_simd)
{
    assert_int_equal(got->st, ref->st);
    assert_int_equal(got->first_invalid, ref->first_invalid);
    const double *rv = ref->v_hat, *rp = ref->p, *gv = got->v_hat, *gp = got->p;
    for (size_t i = 0; i < n; i++) {
        if (gv && memcmp(&gv[i], &rv[i], sizeof(double)) != 0)
            fail_msg("%s f64 row %zu of %zu: v_hat %a, scalar %a", isa, i, n, gv[i], rv[i]);
        if (gp) {
            int untouched = rp[i] == SENTINEL_F64;
            if (untouched ? gp[i] != SENTINEL_F64 : ulp_diff_f64(gp[i], rp[i]) > 4)
                fail_msg("%s f64 row %zu of %zu: p %a, scalar %a", isa, i, n, gp[i], rp[i]);
        }
    }
    if (first_simd) {
        if (gv)
            assert_memory_equal(gv, first_simd->v_hat, n * sizeof(double));
        if (gp)
            assert_memory_equal(gp, first_simd->p, n * sizeof(double));
    }
}

/* Scores rows on every path (scalar first) with the given layout and compares. */
static void check_case(const sl_proxy *px, const rows_f64 *d, const rows_f32 *s, int with_misuse,
                       size_t v_offset, size_t p_offset, int want_v, int want_p)
{
    const char *const *isas = supported_isas();
    outputs ref32 = run_f32("scalar", px, s, with_misuse, v_offset, p_offset, 1, 1);
    outputs ref64 = run_f64("scalar", px, d, with_misuse, v_offset, p_offset, 1, 1);
    outputs first32 = {0}, first64 = {0};
    int have_first = 0;
    for (size_t k = 0; isas[k]; k++) {
        if (strcmp(isas[k], "scalar") == 0)
            continue;
        outputs o32 = run_f32(isas[k], px, s, with_misuse, v_offset, p_offset, want_v, want_p);
        outputs o64 = run_f64(isas[k], px, d, with_misuse, v_offset, p_offset, want_v, want_p);
        compare_f32(isas[k], s->n, &ref32, &o32, have_first ? &first32 : NULL);
        compare_f64(isas[k], d->n, &ref64, &o64, have_first ? &first64 : NULL);
        if (!have_first) {
            first32 = o32;
            first64 = o64;
            have_first = 1;
        } else {
            free_outputs(&o32);
            free_outputs(&o64);
        }
    }
    if (have_first) {
        free_outputs(&first32);
        free_outputs(&first64);
    }
    free_outputs(&ref32);
    free_outputs(&ref64);
}

static void test_every_length_and_offset(void **state)
{
    (void)state;
    sl_proxy px = proxy_with_k(2.0);
    for (size_t n = 0; n <= 3 * 32 + 5; n++) {
        rows_f64 d = make_rows(n, 1000 + n, 1);
        rows_f32 s = to_f32(&d);
        check_case(&px, &d, &s, 1, n % 16, (n * 7) % 16, 1, 1);
        check_case(&px, &d, &s, 0, 0, 0, 1, 1);
        free_rows(&d, &s);
    }
}

static void test_outputs_optional_and_k_range(void **state)
{
    (void)state;
    const double ks[] = {0.5, 2.0, 86.0, 86.5, 87.0, 100.0};
    rows_f64 d = make_rows(4099, 77, 1);
    rows_f32 s = to_f32(&d);
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        sl_proxy px = proxy_with_k(ks[j]);
        check_case(&px, &d, &s, 1, 3, 5, 1, 1);
        check_case(&px, &d, &s, 1, 0, 0, 0, 1);
        check_case(&px, &d, &s, 1, 0, 0, 1, 0);
        check_case(&px, &d, &s, 1, 0, 0, 0, 0);
    }
    free_rows(&d, &s);
}

/* Weight sets whose float sums round above 1, or whose w_verifier cannot be halved exactly (a
 * subnormal in f32), switch the kernels' shortcuts off; the results must not change either way. */
static void test_weight_sets(void **state)
{
    (void)state;
    const double sets[][4] = {{0.1, 0.7, 0.1, 0.1}, {1, 1, 1, 1}, {0.3, 0.3, 0.3, 0.1},
                              {1, 1, 3e-39, 1}, {0, 0, 1, 0}, {7, 0, 0, 3}, {0, 0, 0, 0}};
    rows_f64 d = make_rows(777, 31, 1);
    rows_f32 s = to_f32(&d);
    for (size_t j = 0; j < sizeof sets / sizeof sets[0]; j++) {
        sl_proxy_params params;
        sl_proxy_params_default(&params);
        params.w_progress = sets[j][0];
        params.w_rework = sets[j][1];
        params.w_verifier = sets[j][2];
        params.w_engagement = sets[j][3];
        sl_proxy px;
        assert_int_equal(sl_proxy_init(&px, &params), SL_OK);
        check_case(&px, &d, &s, 1, 1, 2, 1, 1);
    }
    free_rows(&d, &s);
}

/* Rows valid everywhere except a few placed at chosen indices. */
static rows_f64 make_valid_rows_with_bad(size_t n, const size_t *bad, size_t n_bad)
{
    rows_f64 d = make_rows(n, 99, 0);
    for (size_t j = 0; j < n_bad; j++) {
        if (j % 3 == 0)
            d.progress[bad[j]] = NAN;
        else if (j % 3 == 1)
            d.rejections[bad[j]] = -1;
        else
            d.engagement[bad[j]] = NAN;
    }
    return d;
}

static void test_streamed_outputs(void **state)
{
    (void)state;
    /* 300K rows: f32 outputs of 1.2 MB each, f64 of 2.4 MB: above the 1 MiB from which the
     * kernels stream (score_simd.inc, STREAM_MIN_OUTPUT_BYTES) */
    const size_t n = 300000 + 13;
    const size_t bad[] = {2, 100001, n - 3};
    rows_f64 d = make_valid_rows_with_bad(n, bad, 3);
    rows_f32 s = to_f32(&d);
    sl_proxy px = proxy_with_k(2.0);
    check_case(&px, &d, &s, 1, 0, 0, 1, 1);  /* same alignment */
    check_case(&px, &d, &s, 1, 3, 3, 1, 1);  /* a partial head vector first */
    check_case(&px, &d, &s, 1, 1, 6, 1, 1);  /* misaligned relative to each other: no streaming */
    check_case(&px, &d, &s, 0, 5, 5, 0, 1);  /* p alone */
    free_rows(&d, &s);
    rows_f64 clean = make_valid_rows_with_bad(n, NULL, 0);
    rows_f32 clean32 = to_f32(&clean);
    check_case(&px, &clean, &clean32, 1, 2, 2, 1, 1);
    free_rows(&clean, &clean32);
}

/* sl_sigmoid_f32/f64 on every path against scalar: NaN inputs untouched, others within 4 ULP,
 * SIMD paths identical; in place too. */
static void test_sigmoid(void **state)
{
    (void)state;
    const size_t n = 70000;
    float *x32 = malloc(n * sizeof(float)), *ref32 = malloc(n * sizeof(float));
    float *out32 = malloc(n * sizeof(float)), *first32 = malloc(n * sizeof(float));
    double *x64 = malloc(n * sizeof(double)), *ref64 = malloc(n * sizeof(double));
    double *out64 = malloc(n * sizeof(double)), *first64 = malloc(n * sizeof(double));
    assert_true(x32 && ref32 && out32 && first32 && x64 && ref64 && out64 && first64);
    uint64_t rng = 5;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng_next(&rng) % 100;
        x64[i] = r == 0 ? NAN : r == 1 ? INFINITY : r == 2 ? -INFINITY
                 : r < 10 ? rng_uniform(&rng, -2000.0, 2000.0) : rng_uniform(&rng, -60.0, 60.0);
        x32[i] = (float)x64[i];
    }
    const double ks[] = {1.0, 2.0, 100.0};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        force_isa("scalar");
        fill_f32(ref32, n, SENTINEL_F32);
        fill_f64(ref64, n, SENTINEL_F64);
        assert_int_equal(sl_sigmoid_f32((float)ks[j], x32, n, ref32), SL_ERR_NAN_INPUT);
        assert_int_equal(sl_sigmoid_f64(ks[j], x64, n, ref64), SL_ERR_NAN_INPUT);
        int have_first = 0;
        for (const char *const *isa = supported_isas(); *isa; isa++) {
            if (strcmp(*isa, "scalar") == 0)
                continue;
            force_isa(*isa);
            fill_f32(out32, n, SENTINEL_F32);
            fill_f64(out64, n, SENTINEL_F64);
            assert_int_equal(sl_sigmoid_f32((float)ks[j], x32, n, out32), SL_ERR_NAN_INPUT);
            assert_int_equal(sl_sigmoid_f64(ks[j], x64, n, out64), SL_ERR_NAN_INPUT);
            for (size_t i = 0; i < n; i++) {
                if (isnan(x64[i])) {
                    assert_true(out32[i] == SENTINEL_F32 && out64[i] == SENTINEL_F64);
                    continue;
                }
                if (ulp_diff_f32(out32[i], ref32[i]) > 4 || ulp_diff_f64(out64[i], ref64[i]) > 4)
                    fail_msg("%s sigmoid k=%g x=%a: f32 %a vs %a, f64 %a vs %a", *isa, ks[j],
                             x64[i], (double)out32[i], (double)ref32[i], out64[i], ref64[i]);
            }
            if (have_first) {
                assert_memory_equal(out32, first32, n * sizeof(float));
                assert_memory_equal(out64, first64, n * sizeof(double));
            } else {
                memcpy(first32, out32, n * sizeof(float));
                memcpy(first64, out64, n * sizeof(double));
                have_first = 1;
            }
            /* in place gives the same (NaN inputs stay NaN: untouched) */
            memcpy(out32, x32, n * sizeof(float));
            assert_int_equal(sl_sigmoid_f32((float)ks[j], out32, n, out32), SL_ERR_NAN_INPUT);
            for (size_t i = 0; i < n; i++)
                assert_true(isnan(x32[i]) ? isnan(out32[i]) : out32[i] == first32[i]);
        }
    }
    assert_int_equal(sl_set_isa("auto"), SL_OK);
    free(x32), free(ref32), free(out32), free(first32);
    free(x64), free(ref64), free(out64), free(first64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_length_and_offset),
        cmocka_unit_test(test_outputs_optional_and_k_range),
        cmocka_unit_test(test_weight_sets),
        cmocka_unit_test(test_streamed_outputs),
        cmocka_unit_test(test_sigmoid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
