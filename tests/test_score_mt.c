/*
 * sl_score_f32_mt / sl_score_f64_mt against the single-threaded entry points: the same status, the
 * same first invalid row over all rows (wherever it falls among the threads' blocks), the same
 * output bits, invalid rows untouched; thread counts 1 .. 7 and more threads than rows justify;
 * argument errors reported before any thread starts; n_threads = 0 or above SL_MAX_THREADS refused.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define ROWS 300007 /* about 9 minimum shares: up to 9 threads; a short last block */

typedef struct data {
    size_t n;
    float *progress32, *engagement32;
    double *progress64, *engagement64;
    int32_t *rework, *rejections, *misuse;
} data;

static data make_data(size_t n, const size_t *bad, size_t n_bad)
{
    data d = {n, malloc((n + 1) * sizeof(float)), malloc((n + 1) * sizeof(float)), malloc((n + 1) * sizeof(double)),
              malloc((n + 1) * sizeof(double)), malloc((n + 1) * sizeof(int32_t)), malloc((n + 1) * sizeof(int32_t)),
              malloc((n + 1) * sizeof(int32_t))};
    assert_true(d.progress32 && d.engagement32 && d.progress64 && d.engagement64 && d.rework &&
                d.rejections && d.misuse);
    uint64_t rng = 11;
    for (size_t i = 0; i < n; i++) {
        d.progress64[i] = rng_uniform(&rng, -1.2, 1.2);
        d.engagement64[i] = rng_uniform(&rng, -1.2, 1.2);
        d.rework[i] = (int32_t)(rng_next(&rng) % 5);
        d.rejections[i] = (int32_t)(rng_next(&rng) % 3);
        d.misuse[i] = (int32_t)(rng_next(&rng) % 2);
    }
    for (size_t j = 0; j < n_bad; j++) {
        if (j % 2)
            d.misuse[bad[j]] = -2;
        else
            d.progress64[bad[j]] = NAN;
    }
    for (size_t i = 0; i < n; i++) {
        d.progress32[i] = (float)d.progress64[i];
        d.engagement32[i] = (float)d.engagement64[i];
    }
    return d;
}

static void free_data(data *d)
{
    free(d->progress32), free(d->engagement32), free(d->progress64), free(d->engagement64);
    free(d->rework), free(d->rejections), free(d->misuse);
}

static sl_proxy default_proxy(void)
{
    sl_proxy_params params;
    sl_proxy_params_default(&params);
    sl_proxy px;
    assert_int_equal(sl_proxy_init(&px, &params), SL_OK);
    return px;
}

/* Runs both precisions single- and multi-threaded and compares everything. */
static void check_against_single(const data *d, unsigned threads)
{
    sl_proxy px = default_proxy();
    sl_observables_f32 o32 = {d->progress32, d->rework, d->rejections, d->misuse, d->engagement32};
    sl_observables_f64 o64 = {d->progress64, d->rework, d->rejections, d->misuse, d->engagement64};
    size_t n = d->n;
    float *v1 = malloc((n + 1) * sizeof(float)), *p1 = malloc((n + 1) * sizeof(float));
    float *v2 = malloc((n + 1) * sizeof(float)), *p2 = malloc((n + 1) * sizeof(float));
    double *w1 = malloc((n + 1) * sizeof(double)), *q1 = malloc((n + 1) * sizeof(double));
    double *w2 = malloc((n + 1) * sizeof(double)), *q2 = malloc((n + 1) * sizeof(double));
    assert_true(v1 && p1 && v2 && p2 && w1 && q1 && w2 && q2);
    for (size_t i = 0; i < n; i++) {
        v1[i] = v2[i] = p1[i] = p2[i] = -5.0f;
        w1[i] = w2[i] = q1[i] = q2[i] = -5.0;
    }
    size_t bad1 = 1, bad2 = 2;
    sl_status s1 = sl_score_f32(&px, &o32, n, v1, p1, &bad1);
    sl_status s2 = sl_score_f32_mt(&px, &o32, n, v2, p2, &bad2, threads);
    assert_int_equal(s2, s1);
    assert_int_equal(bad2, bad1);
    assert_memory_equal(v2, v1, n * sizeof(float));
    assert_memory_equal(p2, p1, n * sizeof(float));
    s1 = sl_score_f64(&px, &o64, n, w1, q1, &bad1);
    s2 = sl_score_f64_mt(&px, &o64, n, w2, q2, &bad2, threads);
    assert_int_equal(s2, s1);
    assert_int_equal(bad2, bad1);
    assert_memory_equal(w2, w1, n * sizeof(double));
    assert_memory_equal(q2, q1, n * sizeof(double));
    /* either output alone */
    assert_int_equal(sl_score_f32_mt(&px, &o32, n, NULL, p2, NULL, threads), s1);
    assert_memory_equal(p2, p1, n * sizeof(float));
    assert_int_equal(sl_score_f64_mt(&px, &o64, n, w2, NULL, NULL, threads), s1);
    assert_memory_equal(w2, w1, n * sizeof(double));
    free(v1), free(p1), free(v2), free(p2), free(w1), free(q1), free(w2), free(q2);
}

static void test_all_valid(void **state)
{
    (void)state;
    data d = make_data(ROWS, NULL, 0);
    for (unsigned t = 1; t <= 7; t++)
        check_against_single(&d, t);
    check_against_single(&d, 64); /* more threads than the rows justify: fewer are used */
    free_data(&d);
}

static void test_invalid_rows_in_every_block(void **state)
{
    (void)state;
    /* first invalid row in the first block, in a middle one, in the last one */
    const size_t firsts[] = {5, ROWS / 2 + 1, ROWS - 2};
    for (size_t k = 0; k < 3; k++) {
        size_t bad[] = {firsts[k], ROWS - 1, firsts[k] + 7};
        data d = make_data(ROWS, bad, k == 2 ? 2 : 3); /* the third would be past the end */
        for (unsigned t = 2; t <= 5; t++)
            check_against_single(&d, t);
        free_data(&d);
    }
}

static void test_small_batches_and_errors(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 17, 1000};
    for (size_t k = 0; k < 4; k++) {
        data d = make_data(sizes[k], NULL, 0);
        check_against_single(&d, 4);
        free_data(&d);
    }
    data d = make_data(ROWS, NULL, 0);
    sl_proxy px = default_proxy();
    sl_observables_f32 o32 = {d.progress32, d.rework, d.rejections, d.misuse, d.engagement32};
    sl_observables_f64 o64 = {d.progress64, d.rework, d.rejections, d.misuse, d.engagement64};
    float *p = malloc(ROWS * sizeof(float));
    double *q = malloc(ROWS * sizeof(double));
    assert_true(p && q);
    assert_int_equal(sl_score_f32_mt(&px, &o32, ROWS, NULL, p, NULL, 0), SL_ERR_THREAD_COUNT);
    assert_int_equal(sl_score_f64_mt(&px, &o64, ROWS, NULL, q, NULL, SL_MAX_THREADS + 1),
                     SL_ERR_THREAD_COUNT);
    assert_int_equal(sl_score_f32_mt(NULL, &o32, ROWS, NULL, p, NULL, 4), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_score_f64_mt(&px, NULL, ROWS, NULL, q, NULL, 4), SL_ERR_NULL_ARGUMENT);
    sl_observables_f32 missing = o32;
    missing.counterparty_engagement_delta = NULL;
    assert_int_equal(sl_score_f32_mt(&px, &missing, ROWS, NULL, p, NULL, 4), SL_ERR_NULL_ARGUMENT);
    sl_proxy blank;
    memset(&blank, 0, sizeof blank);
    assert_int_equal(sl_score_f64_mt(&blank, &o64, ROWS, NULL, q, NULL, 4), SL_ERR_NOT_INITIALIZED);
    assert_string_equal(sl_status_str(SL_ERR_THREAD_COUNT), "n_threads must be in 1 .. SL_MAX_THREADS");
    free(p), free(q);
    free_data(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_valid),
        cmocka_unit_test(test_invalid_rows_in_every_block),
        cmocka_unit_test(test_small_batches_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
