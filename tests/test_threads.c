/*
 * Thread safety: many threads make their first library call at the same moment (dispatch is
 * resolved once, concurrently) and score disjoint slices with one shared sl_proxy; the result must
 * equal a single-threaded run.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define THREADS 8
#define ROWS_PER_THREAD 100003

static sl_proxy px;
static double *progress, *engagement, *v_hat, *p;
static int32_t *rework, *rejections, *misuse;
static pthread_barrier_t start;

static void *worker(void *arg)
{
    size_t t = (size_t)arg, off = t * ROWS_PER_THREAD;
    pthread_barrier_wait(&start);
    sl_observables_f64 obs = {progress + off, rework + off, rejections + off, misuse + off,
                              engagement + off};
    size_t bad;
    sl_status st = sl_score_f64(&px, &obs, ROWS_PER_THREAD, v_hat + off, p + off, &bad);
    return (void *)(st == SL_OK && bad == ROWS_PER_THREAD ? (size_t)1 : (size_t)0);
}

static void concurrent_first_use_and_scoring(void **state)
{
    (void)state;
    const size_t n = (size_t)THREADS * ROWS_PER_THREAD;
    progress = malloc(n * sizeof(double)); engagement = malloc(n * sizeof(double));
    v_hat = malloc(n * sizeof(double)); p = malloc(n * sizeof(double));
    rework = malloc(n * sizeof(int32_t)); rejections = malloc(n * sizeof(int32_t));
    misuse = malloc(n * sizeof(int32_t));
    uint64_t rng = 99;
    for (size_t i = 0; i < n; i++) {
        progress[i] = rng_uniform(&rng, -1.2, 1.2);
        engagement[i] = rng_uniform(&rng, -1.2, 1.2);
        rework[i] = (int32_t)(rng_next(&rng) % 90);
        rejections[i] = (int32_t)(rng_next(&rng) % 5);
        misuse[i] = (int32_t)(rng_next(&rng) % 3);
    }
    sl_proxy_params pp;
    sl_proxy_params_default(&pp);
    assert_int_equal(sl_proxy_init(&px, &pp), SL_OK); /* no dispatch needed for this */

    pthread_t threads[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (size_t t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, worker, (void *)t), 0);
    for (size_t t = 0; t < THREADS; t++) {
        void *ok;
        pthread_join(threads[t], &ok);
        assert_true((size_t)ok == 1);
    }
    pthread_barrier_destroy(&start);

    double *v_ref = malloc(n * sizeof(double)), *p_ref = malloc(n * sizeof(double));
    sl_observables_f64 all = {progress, rework, rejections, misuse, engagement};
    assert_int_equal(sl_score_f64(&px, &all, n, v_ref, p_ref, NULL), SL_OK);
    assert_memory_equal(v_hat, v_ref, n * sizeof(double));
    assert_memory_equal(p, p_ref, n * sizeof(double));
    free(v_ref); free(p_ref); free(progress); free(engagement); free(v_hat); free(p);
    free(rework); free(rejections); free(misuse);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(concurrent_first_use_and_scoring)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
