/*
 * Parameters (SPEC 1): defaults, each out-of-range parameter rejected with its own status and
 * nothing scored, range edges accepted, weight normalization (all zero -> 0.25 each), and the
 * argument checks of every entry point.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "test_util.h"

static void defaults_are_the_spec(void **state)
{
    (void)state;
    sl_proxy_params p;
    sl_proxy_params_default(&p);
    assert_true(p.w_progress == 0.4 && p.w_rework == 0.2 && p.w_verifier == 0.2 &&
                p.w_engagement == 0.2 && p.sigmoid_k == 2.0 && p.rework_decay == 0.3 &&
                p.rejection_decay == 0.4 && p.misuse_decay == 0.5);
}

typedef struct bad_case {
    size_t field_offset;
    double value;
    sl_status expect;
} bad_case;

#define F(name) offsetof(sl_proxy_params, name)

static void each_bad_parameter_has_its_status(void **state)
{
    (void)state;
    const bad_case cases[] = {
        {F(w_progress), -0.1, SL_ERR_PARAM_W_PROGRESS},   {F(w_progress), NAN, SL_ERR_PARAM_W_PROGRESS},
        {F(w_progress), INFINITY, SL_ERR_PARAM_W_PROGRESS},
        {F(w_rework), -1e-300, SL_ERR_PARAM_W_REWORK},    {F(w_rework), NAN, SL_ERR_PARAM_W_REWORK},
        {F(w_verifier), -INFINITY, SL_ERR_PARAM_W_VERIFIER},
        {F(w_engagement), -2.0, SL_ERR_PARAM_W_ENGAGEMENT},
        {F(sigmoid_k), 0.0, SL_ERR_PARAM_SIGMOID_K},      {F(sigmoid_k), -1.0, SL_ERR_PARAM_SIGMOID_K},
        {F(sigmoid_k), 0x1.9000000000001p6 /* just above 100 */, SL_ERR_PARAM_SIGMOID_K},
        {F(sigmoid_k), NAN, SL_ERR_PARAM_SIGMOID_K},      {F(sigmoid_k), INFINITY, SL_ERR_PARAM_SIGMOID_K},
        {F(rework_decay), 0.0099999999, SL_ERR_PARAM_REWORK_DECAY},
        {F(rework_decay), 1.0, SL_ERR_PARAM_REWORK_DECAY}, {F(rework_decay), NAN, SL_ERR_PARAM_REWORK_DECAY},
        {F(rejection_decay), 0.0, SL_ERR_PARAM_REJECTION_DECAY},
        {F(rejection_decay), 1.5, SL_ERR_PARAM_REJECTION_DECAY},
        {F(misuse_decay), -0.5, SL_ERR_PARAM_MISUSE_DECAY}, {F(misuse_decay), INFINITY, SL_ERR_PARAM_MISUSE_DECAY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_proxy_params p;
        sl_proxy_params_default(&p);
        memcpy((char *)&p + cases[i].field_offset, &cases[i].value, sizeof(double));
        sl_proxy px;
        assert_int_equal(sl_proxy_init(&px, &p), cases[i].expect);
        /* the rejected proxy cannot score */
        double prog = 0.5, eng = 0.5, v = 7.0, pv = 7.0;
        int32_t zero = 0;
        sl_observables_f64 obs = {&prog, &zero, &zero, NULL, &eng};
        assert_int_equal(sl_score_f64(&px, &obs, 1, &v, &pv, NULL), SL_ERR_NOT_INITIALIZED);
        assert_true(v == 7.0 && pv == 7.0);
    }
    /* four finite weights whose sum overflows */
    sl_proxy_params p = {DBL_MAX, DBL_MAX, 0.0, 0.0, 2.0, 0.3, 0.4, 0.5};
    sl_proxy px;
    assert_int_equal(sl_proxy_init(&px, &p), SL_ERR_PARAM_WEIGHT_SUM);
}

static void range_edges_are_accepted(void **state)
{
    (void)state;
    sl_proxy_params p = {0.0, 0.0, 0.0, 1e300, 100.0, 0.01, 0.01, 0x1.fffffffffffffp-1};
    sl_proxy px;
    assert_int_equal(sl_proxy_init(&px, &p), SL_OK);
    p.sigmoid_k = 5e-324; /* smallest positive k */
    assert_int_equal(sl_proxy_init(&px, &p), SL_OK);
}

/* Scores one row with the given weights on the active path. */
static double v_hat_of(double wp, double wr, double wv, double we, double prog, int32_t rework,
                       int32_t rej, int32_t mis, double eng)
{
    sl_proxy_params p = {wp, wr, wv, we, 2.0, 0.3, 0.4, 0.5};
    sl_proxy px;
    assert_int_equal(sl_proxy_init(&px, &p), SL_OK);
    sl_observables_f64 obs = {&prog, &rework, &rej, &mis, &eng};
    double v;
    assert_int_equal(sl_score_f64(&px, &obs, 1, &v, NULL, NULL), SL_OK);
    return v;
}

static void weights_are_normalized(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        /* all zero -> 0.25 each: the same as equal weights */
        assert_true(v_hat_of(0, 0, 0, 0, 0.3, 2, 1, 0, -0.7) == v_hat_of(1, 1, 1, 1, 0.3, 2, 1, 0, -0.7));
        /* scaling every weight by a power of two changes nothing */
        assert_true(v_hat_of(0.4, 0.2, 0.2, 0.2, 0.9, 1, 0, 3, 0.1) ==
                    v_hat_of(3.2, 1.6, 1.6, 1.6, 0.9, 1, 0, 3, 0.1));
        /* one weight alone: v_hat is that signal: progress clamps, rework 2*0.3^2-1 */
        assert_true(v_hat_of(5, 0, 0, 0, 7.0, 9, 9, 9, 0) == 1.0);
        assert_true(fabs(v_hat_of(0, 5, 0, 0, 0, 2, 0, 0, 0) - (2 * 0.09 - 1)) < 1e-15);
    }
}

static void argument_checks(void **state)
{
    (void)state;
    sl_proxy px;
    sl_proxy_params p;
    sl_proxy_params_default(&p);
    assert_int_equal(sl_proxy_init(NULL, &p), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_proxy_init(&px, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_proxy_init(&px, &p), SL_OK);

    double prog = 0.1, eng = 0.2, out = 0;
    float prog32 = 0.1f, eng32 = 0.2f, out32 = 0;
    int32_t c = 1;
    sl_observables_f64 obs = {&prog, &c, &c, NULL, &eng};
    sl_observables_f32 obs32 = {&prog32, &c, &c, NULL, &eng32};
    assert_int_equal(sl_score_f64(NULL, &obs, 1, &out, NULL, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_score_f64(&px, NULL, 1, &out, NULL, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_score_f32(&px, NULL, 1, &out32, NULL, NULL), SL_ERR_NULL_ARGUMENT);
    sl_observables_f64 missing = obs;
    missing.verifier_rejections = NULL;
    assert_int_equal(sl_score_f64(&px, &missing, 1, &out, NULL, NULL), SL_ERR_NULL_ARGUMENT);
    sl_observables_f32 missing32 = obs32;
    missing32.counterparty_engagement_delta = NULL;
    assert_int_equal(sl_score_f32(&px, &missing32, 1, &out32, NULL, NULL), SL_ERR_NULL_ARGUMENT);
    /* n = 0 needs no arrays and reports first_invalid = 0 = n */
    sl_observables_f64 empty = {NULL, NULL, NULL, NULL, NULL};
    size_t first = 99;
    assert_int_equal(sl_score_f64(&px, &empty, 0, NULL, NULL, &first), SL_OK);
    assert_int_equal(first, 0);
    /* a proxy never initialized */
    sl_proxy garbage;
    memset(&garbage, 0xAB, sizeof garbage);
    assert_int_equal(sl_score_f64(&garbage, &obs, 1, &out, NULL, NULL), SL_ERR_NOT_INITIALIZED);
    /* sigmoid */
    assert_int_equal(sl_sigmoid_f64(2.0, NULL, 1, &out), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_sigmoid_f32(2.0f, &prog32, 1, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_sigmoid_f64(0.0, &prog, 1, &out), SL_ERR_PARAM_SIGMOID_K);
    assert_int_equal(sl_sigmoid_f64(100.5, &prog, 1, &out), SL_ERR_PARAM_SIGMOID_K);
    assert_int_equal(sl_sigmoid_f32(NAN, &prog32, 1, &out32), SL_ERR_PARAM_SIGMOID_K);
    assert_int_equal(sl_sigmoid_f64(2.0, NULL, 0, NULL), SL_OK);
}

static void every_status_has_its_own_message(void **state)
{
    (void)state;
    const sl_status all[] = {
        SL_OK, SL_ERR_NULL_ARGUMENT, SL_ERR_NOT_INITIALIZED, SL_ERR_PARAM_W_PROGRESS,
        SL_ERR_PARAM_W_REWORK, SL_ERR_PARAM_W_VERIFIER, SL_ERR_PARAM_W_ENGAGEMENT,
        SL_ERR_PARAM_SIGMOID_K, SL_ERR_PARAM_REWORK_DECAY, SL_ERR_PARAM_REJECTION_DECAY,
        SL_ERR_PARAM_MISUSE_DECAY, SL_ERR_PARAM_WEIGHT_SUM, SL_ERR_NAN_TASK_PROGRESS, SL_ERR_NEGATIVE_REWORK_COUNT,
        SL_ERR_NEGATIVE_VERIFIER_REJECTIONS, SL_ERR_NEGATIVE_TOOL_MISUSE, SL_ERR_NAN_ENGAGEMENT,
        SL_ERR_NAN_INPUT, SL_ERR_ISA_UNKNOWN, SL_ERR_ISA_UNSUPPORTED};
    const size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        const char *msg = sl_status_str(all[i]);
        assert_non_null(msg);
        assert_string_not_equal(msg, "unknown status");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(msg, sl_status_str(all[j]));
    }
    assert_string_equal(sl_status_str((sl_status)12345), "unknown status");
    assert_string_equal(sl_version(), SOFTLABEL_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_spec),
        cmocka_unit_test(each_bad_parameter_has_its_status),
        cmocka_unit_test(range_edges_are_accepted),
        cmocka_unit_test(weights_are_normalized),
        cmocka_unit_test(argument_checks),
        cmocka_unit_test(every_status_has_its_own_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
