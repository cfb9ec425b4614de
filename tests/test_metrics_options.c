/*
 * sl_metrics_options (SWARM's bins, quality threshold, uncertainty band and log-loss epsilon):
 * every option-dependent metric against a literal transcription of SWARM 1.9.0's SoftMetrics
 * (swarm/metrics/soft_metrics.py: a linear scan of every bin's edges per row, plain sums, the
 * log loss as v*log(q) + (1-v)*log(1-q)), on batches whose p sit on and next to every bin edge,
 * at 0 and 1, and between bins*w and 1 where bins*w < 1; on every path; merged and chunked;
 * validation; merges of states with different options refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const sl_payoff_params params = {2.0, 1.0, 2.0, 0.5, 0.1, 0.2, 1.0};

/* ---- the reference, transcribed ---- */

typedef struct batch {
    size_t n;
    double *p;
    uint8_t *accepted;
    int8_t *truth;
} batch;

typedef struct reference {
    size_t n_bins;
    uint64_t quality_count[SL_METRICS_MAX_BINS];
    double quality_start[SL_METRICS_MAX_BINS], quality_end[SL_METRICS_MAX_BINS];
    double cal_mean[SL_METRICS_MAX_BINS], cal_share[SL_METRICS_MAX_BINS];
    uint64_t cal_count[SL_METRICS_MAX_BINS];
    int has_truth;
    double ece, calibration_error, log_loss;
    int ece_present;
    uint64_t high, low, high_accepted;
    double high_acceptance, low_acceptance, uncertain_fraction;
} reference;

/* SoftMetrics.quality_distribution / calibration_curve / expected_calibration_error /
 * calibration_error / log_loss / participation_by_quality / uncertain_fraction */
static void reference_metrics(const batch *b, const sl_metrics_options *o, reference *r)
{
    memset(r, 0, sizeof *r);
    int bins = (int)o->bins;
    double bin_width = 1.0 / bins;
    r->n_bins = bins;
    for (int i = 0; i < bins; i++) {
        double bin_start = i * bin_width, bin_end = (i + 1) * bin_width;
        r->quality_start[i] = bin_start;
        r->quality_end[i] = bin_end;
        double sum_p = 0;
        uint64_t positives = 0;
        for (size_t k = 0; k < b->n; k++) {
            double p = b->p[k];
            int in_bin = (bin_start <= p && p < bin_end) || (i == bins - 1 && p == 1.0);
            if (!in_bin)
                continue;
            r->quality_count[i]++;
            if (b->truth[k] != 0) {
                r->cal_count[i]++;
                sum_p += p;
                positives += b->truth[k] == 1;
            }
        }
        if (r->cal_count[i] == 0) {
            r->cal_mean[i] = bin_start + bin_width / 2;
            r->cal_share[i] = 0.0;
        } else {
            r->cal_mean[i] = sum_p / (double)r->cal_count[i];
            r->cal_share[i] = (double)positives / (double)r->cal_count[i];
        }
    }
    uint64_t with_truth = 0, positive = 0, total_count = 0;
    double sum_p = 0, log_total = 0, eps = o->log_loss_eps;
    for (size_t k = 0; k < b->n; k++) {
        if (b->truth[k] == 0)
            continue;
        with_truth++;
        positive += b->truth[k] == 1;
        sum_p += b->p[k];
        double v = (b->truth[k] + 1) / 2.0;
        double q = fmax(eps, fmin(1 - eps, b->p[k]));
        log_total -= v * log(q) + (1 - v) * log(1 - q);
    }
    r->has_truth = with_truth > 0;
    if (r->has_truth) {
        r->calibration_error = sum_p / (double)with_truth - (double)positive / (double)with_truth;
        r->log_loss = log_total / (double)with_truth;
        for (int i = 0; i < bins; i++)
            total_count += r->cal_count[i];
        r->ece_present = total_count > 0;
        for (int i = 0; i < bins; i++)
            if (r->cal_count[i] > 0)
                r->ece += ((double)r->cal_count[i] / (double)total_count) *
                          fabs(r->cal_mean[i] - r->cal_share[i]);
    }
    uint64_t high_acc = 0, low_acc = 0, uncertain = 0;
    for (size_t k = 0; k < b->n; k++) {
        double p = b->p[k];
        if (p >= o->quality_threshold) {
            r->high++;
            high_acc += b->accepted[k];
        } else {
            r->low++;
            low_acc += b->accepted[k];
        }
        uncertain += 0.5 - o->uncertainty_band < p && p < 0.5 + o->uncertainty_band;
    }
    r->high_accepted = high_acc;
    r->high_acceptance = r->high ? (double)high_acc / (double)r->high : 0.0;
    r->low_acceptance = r->low ? (double)low_acc / (double)r->low : 0.0;
    r->uncertain_fraction = b->n ? (double)uncertain / (double)b->n : 0.0;
}

/* ---- batches ---- */

/* p on, just below and just above every edge of `bins` bins and of the threshold and band, 0, 1,
 * values in [bins*w, 1), and random p; labels -1, 0, +1 and accepted flags at random. */
static batch make_batch(const sl_metrics_options *o, uint64_t seed, size_t random_rows)
{
    size_t cap = 16 * (size_t)o->bins + 64 + random_rows;
    batch b = {0, malloc(cap * sizeof(double)), malloc(cap), malloc(cap)};
    double w = 1.0 / o->bins;
    double specials[] = {0.0, 1.0, o->quality_threshold, 0.5 - o->uncertainty_band,
                         0.5 + o->uncertainty_band, o->log_loss_eps, 1 - o->log_loss_eps,
                         nextafter(1.0, 0.0), o->bins * w};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        for (int d = -2; d <= 2; d++) {
            double x = specials[i];
            for (int k = 0; k < abs(d); k++)
                x = nextafter(x, d < 0 ? -1.0 : 2.0);
            if (x >= 0 && x <= 1)
                b.p[b.n++] = x;
        }
    for (unsigned e = 1; e <= o->bins; e++) {
        double edge = e * w, x = nextafter(nextafter(edge, -1.0), -1.0);
        for (int k = 0; k < 5; k++, x = nextafter(x, 2.0))
            if (x >= 0 && x <= 1)
                b.p[b.n++] = x;
    }
    uint64_t s = seed;
    for (size_t i = 0; i < random_rows; i++)
        b.p[b.n++] = rng_uniform(&s, 0, 1);
    for (size_t i = 0; i < b.n; i++) {
        b.accepted[i] = (uint8_t)(rng_next(&s) % 3 != 0);
        b.truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
    }
    return b;
}

static void free_batch(batch *b)
{
    free(b->p);
    free(b->accepted);
    free(b->truth);
}

/* ---- comparison ---- */

static void close_to(double got, double want, const char *what, const char *where)
{
    if (!(fabs(got - want) <= 1e-12 * (1 + fabs(want))))
        fail_msg("%s: %s = %.17g, reference %.17g", where, what, got, want);
}

static void check_against_reference(const sl_metrics_report *r, const reference *ref,
                                    const char *where)
{
    assert_int_equal(r->quality_distribution_len, ref->n_bins);
    for (size_t i = 0; i < ref->n_bins; i++) {
        assert_true(r->quality_distribution[i].start == ref->quality_start[i]);
        assert_true(r->quality_distribution[i].end == ref->quality_end[i]);
        if (r->quality_distribution[i].count != ref->quality_count[i])
            fail_msg("%s: quality bin %zu: %llu rows, reference %llu", where, i,
                     (unsigned long long)r->quality_distribution[i].count,
                     (unsigned long long)ref->quality_count[i]);
    }
    assert_int_equal(r->calibration_curve_len, ref->has_truth ? ref->n_bins : 0);
    for (size_t i = 0; i < r->calibration_curve_len; i++) {
        assert_int_equal(r->calibration_curve[i].count, ref->cal_count[i]);
        close_to(r->calibration_curve[i].mean_predicted, ref->cal_mean[i], "bin mean", where);
        assert_true(r->calibration_curve[i].fraction_positive == ref->cal_share[i]);
    }
    assert_int_equal(r->calibration_error.present, ref->has_truth);
    assert_int_equal(r->log_loss.present, ref->has_truth);
    assert_int_equal(r->expected_calibration_error.present, ref->ece_present);
    if (ref->has_truth) {
        close_to(r->calibration_error.value, ref->calibration_error, "calibration_error", where);
        close_to(r->log_loss.value, ref->log_loss, "log_loss", where);
    }
    if (ref->ece_present)
        close_to(r->expected_calibration_error.value, ref->ece, "ECE", where);
    assert_int_equal(r->high_quality_count, ref->high);
    assert_int_equal(r->low_quality_count, ref->low);
    assert_int_equal(r->high_quality_accepted, ref->high_accepted);
    assert_true(r->high_quality_acceptance == ref->high_acceptance);
    assert_true(r->low_quality_acceptance == ref->low_acceptance);
    assert_true(r->uncertain_fraction == ref->uncertain_fraction);
}

/* The report of b under o: in one update, or in chunks of `chunk` rows spread over three
 * states that are then merged. */
static sl_metrics_report report_of(const batch *b, const sl_metrics_options *o, size_t chunk)
{
    sl_metrics *m[3];
    for (int k = 0; k < 3; k++)
        assert_int_equal(sl_metrics_init_ex(&m[k], &params, o), SL_OK);
    sl_payoff_inputs_f64 in = {b->p, NULL, NULL, NULL, NULL, NULL};
    if (chunk == 0) {
        assert_int_equal(sl_metrics_update_f64(m[0], &in, b->accepted, b->truth, b->n, NULL),
                         SL_OK);
    } else {
        for (size_t off = 0, k = 0; off < b->n; off += chunk, k++) {
            size_t len = b->n - off < chunk ? b->n - off : chunk;
            sl_payoff_inputs_f64 part = {b->p + off, NULL, NULL, NULL, NULL, NULL};
            assert_int_equal(sl_metrics_update_f64(m[k % 3], &part, b->accepted + off,
                                                   b->truth + off, len, NULL),
                             SL_OK);
        }
    }
    assert_int_equal(sl_metrics_merge(m[0], m[1]), SL_OK);
    assert_int_equal(sl_metrics_merge(m[0], m[2]), SL_OK);
    sl_metrics_report r;
    assert_int_equal(sl_metrics_finalize(m[0], &r), SL_OK);
    for (int k = 0; k < 3; k++)
        sl_metrics_free(m[k]);
    return r;
}

/* ---- tests ---- */

static void test_options_against_reference(void **state)
{
    (void)state;
    /* 49 and 98: bins*w < 1, so rows in [bins*w, 1) lie in no bin (the counts add up to less
     * than n, and ECE is weighed over the binned rows only) */
    static const unsigned bins[] = {1, 2, 3, 5, 7, 10, 20, 49, 98, 100, 1000, SL_METRICS_MAX_BINS};
    static const double thresholds[] = {0.5, 0.0, 0.3, 0.7000000000000001, 1.0, 1.5};
    static const double bands[] = {0.2, 0.0, 0.1, 0.15, 0.5, -0.1};
    static const double epsilons[] = {1e-15, 1e-3, 0.25, 0.7, 0x1.0000000000001p-54};
    int nobin_seen = 0;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
            sl_metrics_options o;
            sl_metrics_options_default(&o);
            o.bins = bins[i];
            o.quality_threshold = thresholds[i % 6];
            o.uncertainty_band = bands[(i + 1) % 6];
            o.log_loss_eps = epsilons[i % 5];
            batch b = make_batch(&o, 1000 + i, 3000);
            reference ref;
            reference_metrics(&b, &o, &ref);
            uint64_t binned = 0;
            for (size_t k = 0; k < ref.n_bins; k++)
                binned += ref.quality_count[k];
            nobin_seen |= binned < b.n;
            static const size_t chunks[] = {0, 1, 503, 2017};
            for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
                char where[96];
                snprintf(where, sizeof where, "%s, bins %u, chunks of %zu", *isa, o.bins,
                         chunks[c]);
                sl_metrics_report r = report_of(&b, &o, chunks[c]);
                assert_int_equal(r.n, b.n);
                check_against_reference(&r, &ref, where);
                sl_metrics_report_free(&r);
            }
            free_batch(&b);
        }
    }
    assert_true(nobin_seen); /* the case of rows outside every bin was exercised */
}

/* With the default options, sl_metrics_init_ex and sl_metrics_init give the same bits, and the
 * defaults agree with the reference too (the SIMD paths' built-in bins). */
static void test_defaults(void **state)
{
    (void)state;
    sl_metrics_options d;
    sl_metrics_options_default(&d);
    assert_int_equal(d.flags, 0);
    assert_int_equal(d.bins, 10);
    assert_true(d.quality_threshold == 0.5 && d.uncertainty_band == 0.2 && d.log_loss_eps == 1e-15);
    batch b = make_batch(&d, 5, 5000);
    reference ref;
    reference_metrics(&b, &d, &ref);
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        sl_metrics *a, *c;
        assert_int_equal(sl_metrics_init_ex(&a, &params, NULL), SL_OK);
        assert_int_equal(sl_metrics_init(&c, &params, 0), SL_OK);
        sl_payoff_inputs_f64 in = {b.p, NULL, NULL, NULL, NULL, NULL};
        assert_int_equal(sl_metrics_update_f64(a, &in, b.accepted, b.truth, b.n, NULL), SL_OK);
        assert_int_equal(sl_metrics_update_f64(c, &in, b.accepted, b.truth, b.n, NULL), SL_OK);
        sl_metrics_report ra, rc;
        assert_int_equal(sl_metrics_finalize(a, &ra), SL_OK);
        assert_int_equal(sl_metrics_finalize(c, &rc), SL_OK);
        check_against_reference(&ra, &ref, *isa);
        assert_true(memcmp(&ra.log_loss, &rc.log_loss, sizeof ra.log_loss) == 0);
        assert_true(ra.brier_score.value == rc.brier_score.value);
        for (size_t i = 0; i < ra.calibration_curve_len; i++)
            assert_true(memcmp(&ra.calibration_curve[i], &rc.calibration_curve[i],
                               sizeof ra.calibration_curve[i]) == 0);
        sl_metrics_options got;
        assert_int_equal(sl_metrics_get_options(a, &got), SL_OK);
        assert_true(got.flags == d.flags && got.bins == d.bins &&
                    got.quality_threshold == d.quality_threshold &&
                    got.uncertainty_band == d.uncertainty_band &&
                    got.log_loss_eps == d.log_loss_eps && got.auc_sketch_bins == 0);
        sl_metrics_report_free(&ra);
        sl_metrics_report_free(&rc);
        sl_metrics_free(a);
        sl_metrics_free(c);
    }
    free_batch(&b);
}

/* Options other than the defaults run on the scalar path whatever path is active; the rest of
 * the report (sums, variances, payoffs, AUC) does not depend on the options and agrees with the
 * default state's to the last few places. */
static void test_other_metrics_unchanged(void **state)
{
    (void)state;
    sl_metrics_options d, o;
    sl_metrics_options_default(&d);
    o = d;
    o.bins = 7;
    o.quality_threshold = 0.6;
    batch b = make_batch(&o, 9, 4000);
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        sl_metrics_report rd = report_of(&b, &d, 0), ro = report_of(&b, &o, 0);
        const double pairs[][2] = {
            {rd.toxicity_rate, ro.toxicity_rate},
            {rd.average_quality, ro.average_quality},
            {rd.quality_variance, ro.quality_variance},
            {rd.payoff_variance_initiator, ro.payoff_variance_initiator},
            {rd.total_welfare, ro.total_welfare},
            {rd.brier_score.value, ro.brier_score.value},
            {rd.log_loss.value, ro.log_loss.value},
            {rd.calibration_error.value, ro.calibration_error.value},
            {rd.cv_payoff_counterparty, ro.cv_payoff_counterparty}};
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
            close_to(pairs[i][1], pairs[i][0], "option-independent metric", *isa);
        assert_true(rd.discrimination_auc.value == ro.discrimination_auc.value);
        assert_int_equal(rd.n_positive, ro.n_positive);
        assert_int_equal(rd.uncertain_count, ro.uncertain_count); /* same band */
        sl_metrics_report_free(&rd);
        sl_metrics_report_free(&ro);
    }
    free_batch(&b);
}

static void test_validation(void **state)
{
    (void)state;
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    assert_int_equal(sl_metrics_options_validate(&o), SL_OK);
    assert_int_equal(sl_metrics_options_validate(NULL), SL_ERR_NULL_ARGUMENT);
    sl_metrics_options bad;
#define CASE(field, value, status)                                                               \
    do {                                                                                         \
        bad = o;                                                                                 \
        bad.field = value;                                                                       \
        assert_int_equal(sl_metrics_options_validate(&bad), status);                             \
        sl_metrics *m = (sl_metrics *)&bad;                                                      \
        assert_int_equal(sl_metrics_init_ex(&m, &params, &bad), status);                         \
        assert_null(m);                                                                          \
    } while (0)
    CASE(flags, 4u, SL_ERR_PARAM_METRICS_FLAGS);
    CASE(bins, 0u, SL_ERR_PARAM_BINS);
    CASE(bins, SL_METRICS_MAX_BINS + 1u, SL_ERR_PARAM_BINS);
    CASE(quality_threshold, NAN, SL_ERR_PARAM_QUALITY_THRESHOLD);
    CASE(uncertainty_band, NAN, SL_ERR_PARAM_UNCERTAINTY_BAND);
    CASE(log_loss_eps, 0.0, SL_ERR_PARAM_LOG_LOSS_EPS);
    CASE(log_loss_eps, -1e-3, SL_ERR_PARAM_LOG_LOSS_EPS);
    CASE(log_loss_eps, 1.0, SL_ERR_PARAM_LOG_LOSS_EPS);
    CASE(log_loss_eps, NAN, SL_ERR_PARAM_LOG_LOSS_EPS);
    CASE(log_loss_eps, 0x1p-54, SL_ERR_PARAM_LOG_LOSS_EPS); /* 1 - eps rounds to 1 */
#undef CASE
    /* the edges of the valid ranges */
    bad = o;
    bad.bins = SL_METRICS_MAX_BINS;
    bad.quality_threshold = -INFINITY;
    bad.uncertainty_band = INFINITY;
    bad.log_loss_eps = 0x1.0000000000001p-54;
    bad.flags = SL_METRICS_NO_AUC;
    assert_int_equal(sl_metrics_options_validate(&bad), SL_OK);
    /* a bad payoff parameter is reported before the options */
    sl_payoff_params pp = params;
    pp.h = -1;
    bad.bins = 0;
    sl_metrics *m;
    assert_int_equal(sl_metrics_init_ex(&m, &pp, &bad), SL_ERR_PARAM_H);
    assert_int_equal(sl_metrics_get_options(NULL, &o), SL_ERR_NULL_ARGUMENT);
    sl_metrics_report_free(NULL);
    for (sl_status st = SL_ERR_PARAM_BINS; st <= SL_ERR_PARAM_METRICS_FLAGS; st++)
        assert_string_not_equal(sl_status_str(st), "unknown status");
}

/* States merge only with states of the same options: each field makes them differ. */
static void test_merge_needs_same_options(void **state)
{
    (void)state;
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    sl_metrics_options variants[5];
    for (int i = 0; i < 5; i++)
        variants[i] = o;
    variants[0].flags = SL_METRICS_NO_AUC;
    variants[1].bins = 11;
    variants[2].quality_threshold = 0.55;
    variants[3].uncertainty_band = 0.25;
    variants[4].log_loss_eps = 1e-12;
    sl_metrics *a, *b;
    assert_int_equal(sl_metrics_init_ex(&a, &params, &o), SL_OK);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sl_metrics_init_ex(&b, &params, &variants[i]), SL_OK);
        assert_int_equal(sl_metrics_merge(a, b), SL_ERR_STATE_MISMATCH);
        assert_int_equal(sl_metrics_merge(b, a), SL_ERR_STATE_MISMATCH);
        sl_metrics_free(b);
    }
    assert_int_equal(sl_metrics_init_ex(&b, &params, &o), SL_OK);
    assert_int_equal(sl_metrics_merge(a, b), SL_OK);
    sl_metrics_free(a);
    sl_metrics_free(b);
}

/* The threaded fused update with options: the same bits for every thread count, and the
 * option-dependent metrics as the reference computes them from the scored p. */
static void test_fused_threads_with_options(void **state)
{
    (void)state;
    enum { N = 20011 };
    static double prog[N], eng[N], p[N];
    static int32_t rw[N], rj[N];
    static uint8_t acc[N];
    static int8_t truth[N];
    uint64_t s = 4;
    for (int i = 0; i < N; i++) {
        prog[i] = rng_uniform(&s, -1, 1);
        eng[i] = rng_uniform(&s, -1, 1);
        rw[i] = (int32_t)(rng_next(&s) % 3);
        rj[i] = (int32_t)(rng_next(&s) % 2);
        acc[i] = (uint8_t)(rng_next(&s) % 2);
        truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
    }
    sl_proxy_params pp;
    sl_proxy_params_default(&pp);
    sl_proxy px;
    assert_int_equal(sl_proxy_init(&px, &pp), SL_OK);
    sl_observables_f64 obs = {prog, rw, rj, NULL, eng};
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    o.bins = 13;
    o.uncertainty_band = 0.05;
    o.log_loss_eps = 1e-6;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        assert_int_equal(sl_score_f64(&px, &obs, N, NULL, p, NULL), SL_OK);
        batch b = {N, p, acc, truth};
        reference ref;
        reference_metrics(&b, &o, &ref);
        sl_metrics_report first;
        static const unsigned threads[] = {1, 2, 3};
        for (int t = 0; t < 3; t++) {
            sl_metrics *m;
            assert_int_equal(sl_metrics_init_ex(&m, &params, &o), SL_OK);
            assert_int_equal(sl_metrics_update_observables_f64_mt(m, &px, &obs, NULL, acc, truth,
                                                                  N, NULL, threads[t]),
                             SL_OK);
            sl_metrics_report r;
            assert_int_equal(sl_metrics_finalize(m, &r), SL_OK);
            sl_metrics_free(m);
            check_against_reference(&r, &ref, *isa);
            if (t == 0) {
                first = r;
            } else {
                assert_true(r.log_loss.value == first.log_loss.value);
                assert_true(r.expected_calibration_error.value ==
                            first.expected_calibration_error.value);
                sl_metrics_report_free(&r);
            }
        }
        sl_metrics_report_free(&first);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_against_reference),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_other_metrics_unchanged),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_merge_needs_same_options),
        cmocka_unit_test(test_fused_threads_with_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
