/*
 * The sigmoid utilities the Python binding's SWARM drop-in needs: sl_sigmoid_ex_* (the sigmoid
 * with the first NaN's index), sl_inverse_sigmoid_* (SPEC 1's inverse_sigmoid),
 * sl_metrics_count (how many valid rows a metrics state holds) and sl_metrics_get_params (the
 * payoff parameters of a state, also of a deserialized one), on every path this CPU runs.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "test_util.h"

#define N 101
static const double UNTOUCHED = 777.0;

/* sl_sigmoid_ex_f64 gives sl_sigmoid_f64's outputs and status, and the first NaN's index. */
static void sigmoid_ex_reports_first_nan(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        double x[N], plain[N], ex[N];
        uint64_t rng = 7;
        for (size_t i = 0; i < N; i++)
            x[i] = rng_uniform(&rng, -3, 3);
        size_t where;
        assert_int_equal(sl_sigmoid_ex_f64(2.0, x, N, ex, &where), SL_OK);
        assert_int_equal(where, N);
        const size_t nan_rows[] = {0, 7, 8, 33, 100};
        for (size_t t = 0; t < sizeof nan_rows / sizeof nan_rows[0]; t++) {
            double xs[N];
            memcpy(xs, x, sizeof xs);
            xs[nan_rows[t]] = NAN;
            if (nan_rows[t] + 5 < N)
                xs[nan_rows[t] + 5] = NAN; /* a second NaN later: still the first is reported */
            for (size_t i = 0; i < N; i++)
                plain[i] = ex[i] = UNTOUCHED;
            assert_int_equal(sl_sigmoid_f64(2.0, xs, N, plain), SL_ERR_NAN_INPUT);
            assert_int_equal(sl_sigmoid_ex_f64(2.0, xs, N, ex, &where), SL_ERR_NAN_INPUT);
            assert_int_equal(where, nan_rows[t]);
            assert_memory_equal(plain, ex, sizeof plain);
            assert_true(ex[nan_rows[t]] == UNTOUCHED);
        }
        float xf[N], outf[N];
        for (size_t i = 0; i < N; i++)
            xf[i] = (float)x[i];
        xf[42] = NAN;
        assert_int_equal(sl_sigmoid_ex_f32(2.0f, xf, N, outf, &where), SL_ERR_NAN_INPUT);
        assert_int_equal(where, 42);
        assert_int_equal(sl_sigmoid_ex_f32(2.0f, xf, 42, outf, &where), SL_OK);
        assert_int_equal(where, 42);
        assert_int_equal(sl_sigmoid_ex_f64(0.0, x, N, ex, &where), SL_ERR_PARAM_SIGMOID_K);
    }
    assert_int_equal(sl_set_isa("auto"), SL_OK);
}

/* inverse_sigmoid(sigmoid(v)) = v within rounding, on every path (the sigmoid is the path's own).
 * The logit's condition number bounds the error: a relative error e in p (a few ULP from the
 * sigmoid and the subtraction 1 - p) moves v by about e / (k p (1-p)). */
static void inverse_sigmoid_round_trip(void **state)
{
    (void)state;
    const double ks[] = {0.5, 2.0, 7.5};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (size_t kk = 0; kk < 3; kk++) {
            double v[N], p[N], back[N];
            for (size_t i = 0; i < N; i++)
                v[i] = -1.0 + 2.0 * (double)i / (N - 1);
            assert_int_equal(sl_sigmoid_f64(ks[kk], v, N, p), SL_OK);
            size_t where = 0;
            assert_int_equal(sl_inverse_sigmoid_f64(ks[kk], p, N, back, &where), SL_OK);
            assert_int_equal(where, N);
            for (size_t i = 0; i < N; i++)
                assert_true(fabs(back[i] - v[i]) <= 4 * DBL_EPSILON / (ks[kk] * p[i] * (1 - p[i])));
            float vf[N], pf[N], backf[N];
            for (size_t i = 0; i < N; i++)
                vf[i] = (float)v[i];
            assert_int_equal(sl_sigmoid_f32((float)ks[kk], vf, N, pf), SL_OK);
            assert_int_equal(sl_inverse_sigmoid_f32((float)ks[kk], pf, N, backf, NULL), SL_OK);
            for (size_t i = 0; i < N; i++)
                assert_true(fabsf(backf[i] - vf[i]) <=
                            4 * FLT_EPSILON / ((float)ks[kk] * pf[i] * (1 - pf[i])));
        }
    }
    assert_int_equal(sl_set_isa("auto"), SL_OK);
    double half = 0.5, zero = UNTOUCHED;
    assert_int_equal(sl_inverse_sigmoid_f64(2.0, &half, 1, &zero, NULL), SL_OK);
    assert_true(zero == 0.0);
}

/* p outside (0, 1), or NaN: the first is reported, its output untouched, the others computed. */
static void inverse_sigmoid_domain(void **state)
{
    (void)state;
    double p[] = {0.25, 0.0, 0.75, 1.0, -0.5, NAN, 1.5, 0.9};
    const size_t n = sizeof p / sizeof p[0];
    double out[sizeof p / sizeof p[0]], alone;
    for (size_t i = 0; i < n; i++)
        out[i] = UNTOUCHED;
    size_t where = 0;
    assert_int_equal(sl_inverse_sigmoid_f64(2.0, p, n, out, &where), SL_ERR_INVERSE_SIGMOID_DOMAIN);
    assert_int_equal(where, 1);
    const int valid[] = {1, 0, 1, 0, 0, 0, 0, 1};
    for (size_t i = 0; i < n; i++) {
        if (!valid[i]) {
            assert_true(out[i] == UNTOUCHED);
            continue;
        }
        assert_int_equal(sl_inverse_sigmoid_f64(2.0, &p[i], 1, &alone, NULL), SL_OK);
        assert_true(out[i] == alone);
    }
    assert_true(out[0] < 0 && out[2] > 0 && out[0] == -out[2]);
    assert_int_equal(sl_inverse_sigmoid_f64(2.0, p + 2, 1, out, &where), SL_OK);
    assert_int_equal(where, 1);
    assert_int_equal(sl_inverse_sigmoid_f64(101.0, p, n, out, NULL), SL_ERR_PARAM_SIGMOID_K);
    assert_int_equal(sl_inverse_sigmoid_f64(2.0, NULL, 1, out, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_inverse_sigmoid_f64(2.0, NULL, 0, NULL, &where), SL_OK);
    assert_int_equal(where, 0);
    float pf[] = {0.5f, 1.0f, 0.5f};
    float outf[] = {9.0f, 9.0f, 9.0f};
    assert_int_equal(sl_inverse_sigmoid_f32(2.0f, pf, 3, outf, &where), SL_ERR_INVERSE_SIGMOID_DOMAIN);
    assert_int_equal(where, 1);
    assert_true(outf[0] == 0.0f && outf[1] == 9.0f && outf[2] == 0.0f);
    assert_string_equal(sl_status_str(SL_ERR_INVERSE_SIGMOID_DOMAIN),
                        "inverse sigmoid input p must be in (0, 1)");
}

/* sl_metrics_count: the valid rows accumulated, across updates with invalid rows and a merge. */
static void metrics_count_counts_valid_rows(void **state)
{
    (void)state;
    sl_payoff_params pp;
    sl_payoff_params_default(&pp);
    sl_metrics *m, *other;
    assert_int_equal(sl_metrics_init(&m, &pp, 0), SL_OK);
    assert_int_equal(sl_metrics_init(&other, &pp, 0), SL_OK);
    assert_int_equal(sl_metrics_count(m), 0);
    assert_int_equal(sl_metrics_count(NULL), 0);
    double p[] = {0.1, NAN, 0.7, 2.0, 0.9};
    uint8_t accepted[] = {1, 0, 1, 1, 3};
    sl_payoff_inputs_f64 in = {.p = p};
    size_t where;
    assert_int_equal(sl_metrics_update_f64(m, &in, accepted, NULL, 5, &where), SL_ERR_INVALID_P);
    assert_int_equal(where, 1);
    assert_int_equal(sl_metrics_count(m), 2); /* rows 1 (NaN), 3 (p > 1), 4 (accepted 3) left out */
    assert_int_equal(sl_metrics_update_f64(other, &in, accepted, NULL, 1, NULL), SL_OK);
    assert_int_equal(sl_metrics_merge(m, other), SL_OK);
    assert_int_equal(sl_metrics_count(m), 3);
    sl_metrics_report r;
    assert_int_equal(sl_metrics_finalize(m, &r), SL_OK);
    assert_int_equal(r.n, sl_metrics_count(m));
    sl_metrics_free(m);
    sl_metrics_free(other);
}

/* sl_metrics_get_params: the payoff parameters given to init, also after a serialize round trip. */
static void metrics_get_params_gives_init_params(void **state)
{
    (void)state;
    sl_payoff_params pp = {3.0, 0.5, 1.25, 0.3, 0.1, 0.2, 2.0}, got;
    sl_metrics *m, *back;
    assert_int_equal(sl_metrics_init(&m, &pp, 0), SL_OK);
    assert_int_equal(sl_metrics_get_params(m, &got), SL_OK);
    assert_memory_equal(&got, &pp, sizeof pp);
    size_t size = sl_metrics_serialized_size(m), written;
    unsigned char *blob = test_malloc(size);
    assert_int_equal(sl_metrics_serialize(m, blob, size, &written), SL_OK);
    assert_int_equal(sl_metrics_deserialize(&back, blob, written), SL_OK);
    memset(&got, 0, sizeof got);
    assert_int_equal(sl_metrics_get_params(back, &got), SL_OK);
    assert_memory_equal(&got, &pp, sizeof pp);
    assert_int_equal(sl_metrics_get_params(NULL, &got), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_metrics_get_params(m, NULL), SL_ERR_NULL_ARGUMENT);
    test_free(blob);
    sl_metrics_free(m);
    sl_metrics_free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigmoid_ex_reports_first_nan),
        cmocka_unit_test(inverse_sigmoid_round_trip),
        cmocka_unit_test(inverse_sigmoid_domain),
        cmocka_unit_test(metrics_count_counts_valid_rows),
        cmocka_unit_test(metrics_get_params_gives_init_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
