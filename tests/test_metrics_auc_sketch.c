/*
 * The AUC sketch (sl_metrics_options.auc_sketch_bins): on data of several shapes (spread p,
 * heavy ties, p crowded into a few bins, separated classes) and sketch sizes, the sketch's AUC
 * lies within its reported error bound of the exact AUC (sl_discrimination_auc_f64); any
 * partitioning and merge order gives the same bits; the state's size does not grow with the
 * rows; the exact mode reports a bound of 0; bad sizes are refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const sl_payoff_params params = {2.0, 1.0, 2.0, 0.5, 0.0, 0.0, 1.0};

typedef struct data {
    size_t n;
    double *p;
    uint8_t *accepted;
    int8_t *truth;
} data;

enum { SPREAD, TIES, CROWDED, SEPARATED, SHAPES };
static const char *const shape_names[SHAPES] = {"spread", "ties", "crowded", "separated"};

/* n rows of a shape; ground truth +1 with probability p (so the AUC is well above 1/2), some
 * rows unlabelled */
static data make_data(int shape, size_t n, uint64_t seed)
{
    data d = {n, malloc(n * sizeof(double)), malloc(n), malloc(n)};
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        double u = rng_uniform(&s, 0, 1), p;
        switch (shape) {
        case SPREAD: p = u; break;
        case TIES: p = (double)(rng_next(&s) % 11) / 10; break;
        case CROWDED: p = 0.5 + (u - 0.5) * 1e-3; break;
        default: p = u < 0.5 ? u * 0.2 : 0.8 + u * 0.2; break;
        }
        d.p[i] = p;
        d.accepted[i] = (uint8_t)(rng_next(&s) % 2);
        d.truth[i] = rng_next(&s) % 10 == 0 ? 0 : rng_uniform(&s, 0, 1) < p ? 1 : -1;
    }
    return d;
}

static void free_data(data *d)
{
    free(d->p);
    free(d->accepted);
    free(d->truth);
}

static sl_metrics *sketch_state(unsigned bins)
{
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    o.auc_sketch_bins = bins;
    sl_metrics *m;
    assert_int_equal(sl_metrics_init_ex(&m, &params, &o), SL_OK);
    return m;
}

static void add(sl_metrics *m, const data *d, size_t off, size_t len)
{
    sl_payoff_inputs_f64 in = {d->p + off, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_metrics_update_f64(m, &in, d->accepted + off, d->truth + off, len, NULL),
                     SL_OK);
}

static sl_metrics_report report(const sl_metrics *m)
{
    sl_metrics_report r;
    assert_int_equal(sl_metrics_finalize(m, &r), SL_OK);
    return r;
}

/* The sketch's AUC within its bound of the exact AUC. The bound is exact arithmetic's; the
 * three doubles compared are each one rounding of an exact ratio, so 2^-52 is added for those
 * roundings (the three values are at most 1). */
static void test_error_within_bound(void **state)
{
    (void)state;
    static const unsigned sizes[] = {16, 256, 4096, 1u << 20};
    for (int shape = 0; shape < SHAPES; shape++) {
        data d = make_data(shape, 200000, 10 + (uint64_t)shape);
        sl_opt_f64 exact;
        assert_int_equal(sl_discrimination_auc_f64(d.p, d.truth, d.n, &exact, NULL), SL_OK);
        assert_true(exact.present);
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            sl_metrics *m = sketch_state(sizes[k]);
            add(m, &d, 0, d.n);
            sl_metrics_report r = report(m);
            assert_true(r.discrimination_auc.present);
            double error = fabs(r.discrimination_auc.value - exact.value);
            printf("%-9s B = %7u: AUC %.9f, exact %.9f, |error| %.3g, bound %.3g\n",
                   shape_names[shape], sizes[k], r.discrimination_auc.value, exact.value, error,
                   r.discrimination_auc_error_bound);
            if (!(error <= r.discrimination_auc_error_bound + 0x1p-52))
                fail_msg("%s, %u bins: error %.17g above the bound %.17g", shape_names[shape],
                         sizes[k], error, r.discrimination_auc_error_bound);
            assert_true(r.discrimination_auc_error_bound <= 0.5);
            sl_metrics_report_free(&r);
            sl_metrics_free(m);
        }
        free_data(&d);
    }
}

/* Any cut into parts, updated in any order into any of several states merged in any order:
 * the same AUC and bound bits as one pass. */
static void test_partition_independent(void **state)
{
    (void)state;
    data d = make_data(SPREAD, 50000, 3);
    sl_metrics *one = sketch_state(1024);
    add(one, &d, 0, d.n);
    sl_metrics_report ref = report(one);
    uint64_t s = 77;
    for (int trial = 0; trial < 20; trial++) {
        enum { PARTS = 5 };
        sl_metrics *m[PARTS];
        for (int k = 0; k < PARTS; k++)
            m[k] = sketch_state(1024);
        for (size_t off = 0; off < d.n;) {
            size_t len = 1 + rng_next(&s) % 7000;
            len = len > d.n - off ? d.n - off : len;
            add(m[rng_next(&s) % PARTS], &d, off, len);
            off += len;
        }
        for (int k = PARTS - 1; k > 0; k--) {
            int into = (int)(rng_next(&s) % (uint64_t)k);
            assert_int_equal(sl_metrics_merge(m[into], m[k]), SL_OK);
            sl_metrics_free(m[k]);
        }
        sl_metrics_report r = report(m[0]);
        assert_memory_equal(&r.discrimination_auc, &ref.discrimination_auc, sizeof ref.discrimination_auc);
        assert_true(r.discrimination_auc_error_bound == ref.discrimination_auc_error_bound);
        sl_metrics_report_free(&r);
        sl_metrics_free(m[0]);
    }
    sl_metrics_report_free(&ref);
    sl_metrics_free(one);
    free_data(&d);
}

/* The sketch's state does not grow with the rows; the exact mode's keys do (8 bytes each). */
static void test_state_size(void **state)
{
    (void)state;
    data d = make_data(SPREAD, 100000, 4);
    sl_metrics *small = sketch_state(4096), *large = sketch_state(4096);
    add(small, &d, 0, 1000);
    add(large, &d, 0, d.n);
    size_t fixed = sl_metrics_serialized_size(small);
    assert_int_equal(fixed, 520 + 48 * 11 + 16 * 4096);
    assert_int_equal(sl_metrics_serialized_size(large), fixed);
    sl_metrics *exact;
    assert_int_equal(sl_metrics_init(&exact, &params, 0), SL_OK);
    add(exact, &d, 0, d.n);
    sl_metrics_report r = report(exact);
    assert_int_equal(sl_metrics_serialized_size(exact), 520 + 48 * 11 + 8 * r.n_labelled);
    assert_true(r.discrimination_auc_error_bound == 0.0);
    printf("state bytes for %llu labelled rows: exact %zu, sketch of 4096 bins %zu\n",
           (unsigned long long)r.n_labelled, sl_metrics_serialized_size(exact), fixed);
    sl_metrics_report_free(&r);
    sl_metrics_free(small);
    sl_metrics_free(large);
    sl_metrics_free(exact);
    free_data(&d);
}

static void test_validation(void **state)
{
    (void)state;
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    static const unsigned bad[] = {1, 8, 100, 4095, 1u << 21};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.auc_sketch_bins = bad[i];
        assert_int_equal(sl_metrics_options_validate(&o), SL_ERR_PARAM_AUC_SKETCH_BINS);
    }
    o.auc_sketch_bins = 16;
    assert_int_equal(sl_metrics_options_validate(&o), SL_OK);
    o.flags = SL_METRICS_NO_AUC;
    assert_int_equal(sl_metrics_options_validate(&o), SL_ERR_PARAM_AUC_SKETCH_BINS);
    /* sketch and exact states, or sketches of other sizes, do not merge */
    sl_metrics *a = sketch_state(16), *b = sketch_state(32), *c;
    assert_int_equal(sl_metrics_init(&c, &params, 0), SL_OK);
    assert_int_equal(sl_metrics_merge(a, b), SL_ERR_STATE_MISMATCH);
    assert_int_equal(sl_metrics_merge(a, c), SL_ERR_STATE_MISMATCH);
    /* one class only: null AUC, NaN bound */
    double p[2] = {0.2, 0.9};
    uint8_t acc[2] = {1, 1};
    int8_t truth[2] = {1, 1};
    sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_metrics_update_f64(a, &in, acc, truth, 2, NULL), SL_OK);
    sl_metrics_report r = report(a);
    assert_false(r.discrimination_auc.present);
    assert_true(isnan(r.discrimination_auc_error_bound));
    sl_metrics_report_free(&r);
    sl_metrics_free(a);
    sl_metrics_free(b);
    sl_metrics_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_within_bound),
        cmocka_unit_test(test_partition_independent),
        cmocka_unit_test(test_state_size),
        cmocka_unit_test(test_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
