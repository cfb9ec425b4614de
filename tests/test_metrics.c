/*
 * Batch metrics, properties (SPEC 3):
 *  - every SIMD path gives the same bits as every other, and agrees with the scalar path to
 *    1e-13 (1 + |v|) (same terms, different summation order), for lengths across block edges;
 *  - merging states built on random splits (and in threads) equals one pass;
 *  - discrimination_auc equals a brute-force all-pairs count (the reference's algorithm) on small
 *    sets with many ties, exactly;
 *  - quality bins follow the literal definition at and around every bin edge;
 *  - invalid rows: statuses in field order, first row, and the valid rows counted as if alone;
 *  - f32 updates equal f64 updates of the widened values; the fused observables call equals
 *    scoring then updating, bit for bit; argument errors.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h" /* private: sl_metrics_bin_of, tested against the literal definition */
#include "test_util.h"

/* ---- random batches ---- */

typedef struct rows {
    size_t n;
    double *p, *col[5]; /* tau, c_a, c_b, r_a, r_b */
    uint8_t *accepted;
    int8_t *truth;
} rows;

static rows make_rows(size_t n, uint64_t seed, int ties)
{
    rows r = {n, malloc((n + 1) * sizeof(double)), {0}, malloc(n + 1), malloc(n + 1)};
    for (int c = 0; c < 5; c++)
        r.col[c] = malloc((n + 1) * sizeof(double));
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        r.p[i] = ties ? (double)(rng_next(&s) % 21) / 20 : rng_uniform(&s, 0, 1);
        for (int c = 0; c < 5; c++)
            r.col[c][i] = rng_uniform(&s, -2, 2);
        r.accepted[i] = (uint8_t)(rng_next(&s) % 3 != 0);
        r.truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
    }
    return r;
}

static void free_rows(rows *r)
{
    free(r->p);
    for (int c = 0; c < 5; c++)
        free(r->col[c]);
    free(r->accepted);
    free(r->truth);
}

static sl_payoff_inputs_f64 inputs(const rows *r, size_t off)
{
    return (sl_payoff_inputs_f64){r->p + off, r->col[0] + off, r->col[1] + off,
                                  r->col[2] + off, r->col[3] + off, r->col[4] + off};
}

static const sl_payoff_params params = {3.1, 4.7, 1.9, 0.88, 0.53, 0.6, 1.77};

/* ---- the report as a flat list of numbers (counts as doubles; nulls as NaN, present flags) ---- */

enum { MAX_FIELDS = 128 };

static size_t flatten(const sl_metrics_report *r, double *v)
{
    size_t k = 0;
    const double scalars[] = {
        (double)r->n, (double)r->n_accepted, (double)r->n_rejected, (double)r->n_labelled,
        (double)r->n_positive, (double)r->n_negative, r->toxicity_rate, r->toxicity_rate_all,
        r->conditional_loss_initiator, r->conditional_loss_counterparty, r->spread, r->quality_gap,
        r->high_quality_acceptance, r->low_quality_acceptance, (double)r->high_quality_count,
        (double)r->low_quality_count, r->uncertain_fraction, r->average_quality,
        r->average_quality_accepted, (double)r->quality_distribution_len, r->total_welfare,
        r->total_social_surplus, r->net_social_welfare, r->avg_initiator_payoff,
        r->avg_counterparty_payoff, r->calibration_error.present, r->calibration_error.value,
        r->brier_score.present, r->brier_score.value, r->expected_calibration_error.present,
        r->expected_calibration_error.value, (double)r->calibration_curve_len, r->log_loss.present,
        r->log_loss.value, r->discrimination_auc.present, r->discrimination_auc.value,
        r->auc_tracked, r->quality_variance, r->quality_variance_accepted,
        r->payoff_variance_initiator, r->payoff_variance_counterparty, r->cv_p,
        r->cv_payoff_initiator, r->cv_payoff_counterparty};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
        v[k++] = scalars[i];
    for (int b = 0; b < SL_METRICS_BINS; b++) {
        v[k++] = r->quality_distribution[b].start;
        v[k++] = r->quality_distribution[b].end;
        v[k++] = (double)r->quality_distribution[b].count;
        v[k++] = r->calibration_curve[b].mean_predicted;
        v[k++] = r->calibration_curve[b].fraction_positive;
        v[k++] = (double)r->calibration_curve[b].count;
    }
    assert_true(k <= MAX_FIELDS);
    return k;
}

static double max_diff(const sl_metrics_report *a, const sl_metrics_report *b, const char *what)
{
    double va[MAX_FIELDS], vb[MAX_FIELDS], worst = 0;
    size_t n = flatten(a, va);
    flatten(b, vb);
    for (size_t i = 0; i < n; i++) {
        if (isnan(va[i]) && isnan(vb[i]))
            continue;
        double err = fabs(va[i] - vb[i]) / (1 + fabs(va[i]));
        if (!(err <= 1e-13))
            fail_msg("%s: field %zu: %.17g vs %.17g", what, i, va[i], vb[i]);
        worst = fmax(worst, err);
    }
    /* counts and flags (fields that must be exact) */
    static const size_t exact[] = {0, 1, 2, 3, 4, 5, 14, 15, 19, 25, 27, 29, 31, 32, 34, 36};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        assert_true(va[exact[i]] == vb[exact[i]]);
    return worst;
}

static void assert_same_bits(const sl_metrics_report *a, const sl_metrics_report *b, const char *what)
{
    double va[MAX_FIELDS], vb[MAX_FIELDS];
    size_t n = flatten(a, va);
    flatten(b, vb);
    if (memcmp(va, vb, n * sizeof(double)) != 0)
        for (size_t i = 0; i < n; i++)
            if (memcmp(&va[i], &vb[i], sizeof(double)) != 0)
                fail_msg("%s: field %zu differs: %.17g vs %.17g", what, i, va[i], vb[i]);
}

static sl_metrics_report report_of(const rows *r, size_t off, size_t n, int with_truth)
{
    sl_metrics *m;
    assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
    sl_payoff_inputs_f64 in = inputs(r, off);
    assert_int_equal(sl_metrics_update_f64(m, &in, r->accepted + off,
                                           with_truth ? r->truth + off : NULL, n, NULL), SL_OK);
    sl_metrics_report rep;
    assert_int_equal(sl_metrics_finalize(m, &rep), SL_OK);
    sl_metrics_free(m);
    return rep;
}

/* ---- tests ---- */

static void test_paths_agree(void **state)
{
    (void)state;
    rows r = make_rows(1100, 5, 0);
    double worst = 0;
    static const size_t lengths[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 63, 255, 256, 257,
                                     511, 512, 513, 700, 1100};
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++)
        for (int with_truth = 0; with_truth < 2; with_truth++) {
            size_t n = lengths[li], off = li % 3;
            if (off + n > r.n)
                off = 0;
            force_isa("scalar");
            sl_metrics_report ref = report_of(&r, off, n, with_truth), first_simd;
            int have_simd = 0;
            for (const char *const *isa = supported_isas(); *isa; isa++) {
                if (!strcmp(*isa, "scalar"))
                    continue;
                force_isa(*isa);
                sl_metrics_report got = report_of(&r, off, n, with_truth);
                char what[64];
                snprintf(what, sizeof what, "%s vs scalar, n %zu", *isa, n);
                worst = fmax(worst, max_diff(&ref, &got, what));
                if (have_simd) {
                    assert_same_bits(&first_simd, &got, "SIMD paths differ");
                    sl_metrics_report_free(&got);
                } else {
                    first_simd = got;
                    have_simd = 1;
                }
            }
            sl_metrics_report_free(&ref);
            if (have_simd)
                sl_metrics_report_free(&first_simd);
        }
    printf("SIMD vs scalar metrics: max |diff|/(1+|v|) = %.3g; SIMD paths bit-identical\n", worst);
    free_rows(&r);
}

static void test_merge_equals_one_pass(void **state)
{
    (void)state;
    enum { N = 30000 };
    rows r = make_rows(N, 11, 0);
    uint64_t s = 3;
    double worst = 0;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        sl_metrics_report one = report_of(&r, 0, N, 1);
        for (int trial = 0; trial < 6; trial++) {
            int parts = 2 + (int)(rng_next(&s) % 7);
            sl_metrics *m[8];
            for (int k = 0; k < parts; k++)
                assert_int_equal(sl_metrics_init(&m[k], &params, 0), SL_OK);
            for (size_t off = 0; off < N;) {
                size_t len = 1 + rng_next(&s) % 2000;
                len = len > N - off ? N - off : len;
                sl_payoff_inputs_f64 in = inputs(&r, off);
                assert_int_equal(sl_metrics_update_f64(m[rng_next(&s) % (uint64_t)parts], &in,
                                                       r.accepted + off, r.truth + off, len, NULL),
                                 SL_OK);
                off += len;
            }
            for (int k = parts - 1; k > 0; k--) {
                int into = (int)(rng_next(&s) % (uint64_t)k);
                assert_int_equal(sl_metrics_merge(m[into], m[k]), SL_OK);
                sl_metrics_free(m[k]);
            }
            sl_metrics_report got;
            assert_int_equal(sl_metrics_finalize(m[0], &got), SL_OK);
            sl_metrics_free(m[0]);
            worst = fmax(worst, max_diff(&one, &got, "merged vs one pass"));
            /* the AUC, from the same keys, is exactly equal */
            assert_true(got.discrimination_auc.value == one.discrimination_auc.value);
            sl_metrics_report_free(&got);
        }
        sl_metrics_report_free(&one);
    }
    printf("merge of random splits vs one pass: max |diff|/(1+|v|) = %.3g\n", worst);
    free_rows(&r);
}

typedef struct job {
    const rows *r;
    size_t off, len;
    sl_metrics *m;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    sl_payoff_inputs_f64 in = inputs(j->r, j->off);
    sl_status st = sl_metrics_update_f64(j->m, &in, j->r->accepted + j->off, j->r->truth + j->off,
                                         j->len, NULL);
    return st == SL_OK ? NULL : j;
}

static void test_threads(void **state)
{
    (void)state;
    enum { N = 100000, THREADS = 4 };
    rows r = make_rows(N, 17, 0);
    sl_metrics_report one = report_of(&r, 0, N, 1);
    job jobs[THREADS];
    pthread_t t[THREADS];
    for (int k = 0; k < THREADS; k++) {
        jobs[k] = (job){&r, (size_t)k * N / THREADS, N / THREADS, NULL};
        assert_int_equal(sl_metrics_init(&jobs[k].m, &params, 0), SL_OK);
        assert_int_equal(pthread_create(&t[k], NULL, run_job, &jobs[k]), 0);
    }
    for (int k = 0; k < THREADS; k++) {
        void *bad;
        pthread_join(t[k], &bad);
        assert_null(bad);
    }
    for (int k = 1; k < THREADS; k++) {
        assert_int_equal(sl_metrics_merge(jobs[0].m, jobs[k].m), SL_OK);
        sl_metrics_free(jobs[k].m);
    }
    sl_metrics_report got;
    assert_int_equal(sl_metrics_finalize(jobs[0].m, &got), SL_OK);
    sl_metrics_free(jobs[0].m);
    printf("%d threads merged vs one pass: max |diff|/(1+|v|) = %.3g\n", THREADS,
           max_diff(&one, &got, "threads vs one pass"));
    sl_metrics_report_free(&one);
    sl_metrics_report_free(&got);
    free_rows(&r);
}

/* The reference's algorithm: every positive against every negative, ties count 1/2. */
static double brute_auc(const double *p, const int8_t *truth, size_t n, int *defined)
{
    double concordant = 0;
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        pos += truth[i] == 1;
        neg += truth[i] == -1;
    }
    *defined = pos > 0 && neg > 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (truth[i] == 1 && truth[j] == -1) {
                if (p[i] > p[j])
                    concordant += 1;
                else if (p[i] == p[j])
                    concordant += 0.5;
            }
    return *defined ? concordant / (double)(pos * neg) : NAN;
}

static void test_auc_brute_force(void **state)
{
    (void)state;
    uint64_t s = 99;
    for (int trial = 0; trial < 400; trial++) {
        size_t n = rng_next(&s) % 300;
        int distinct = 1 + (int)(rng_next(&s) % 12); /* few distinct values: many ties */
        double p[300];
        int8_t truth[300];
        for (size_t i = 0; i < n; i++) {
            p[i] = (double)(rng_next(&s) % (uint64_t)distinct) / (distinct > 1 ? distinct - 1 : 1);
            if (p[i] == 0 && rng_next(&s) % 2)
                p[i] = -0.0; /* -0.0 ties with 0.0, as in the reference */
            if (trial % 5 == 0)
                p[i] = rng_uniform(&s, 0, 1);
            truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
            if (trial % 7 == 0)
                truth[i] = truth[i] < 0 ? 1 : truth[i]; /* sometimes one class only */
        }
        int defined;
        double expected = brute_auc(p, truth, n, &defined);
        sl_opt_f64 got;
        assert_int_equal(sl_discrimination_auc_f64(p, truth, n, &got, NULL), SL_OK);
        assert_int_equal(got.present, defined);
        if (defined && got.value != expected)
            fail_msg("trial %d: AUC %.17g, brute force %.17g", trial, got.value, expected);
        /* the metrics state gives the same */
        sl_metrics *m;
        uint8_t acc[300] = {0};
        assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
        sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
        assert_int_equal(sl_metrics_update_f64(m, &in, acc, truth, n, NULL), SL_OK);
        sl_metrics_report rep;
        assert_int_equal(sl_metrics_finalize(m, &rep), SL_OK);
        sl_metrics_free(m);
        assert_int_equal(rep.discrimination_auc.present, defined);
        if (defined)
            assert_true(rep.discrimination_auc.value == expected);
        else
            assert_true(isnan(rep.discrimination_auc.value));
        sl_metrics_report_free(&rep);
    }
    /* invalid rows are left out and reported */
    double p[4] = {0.2, NAN, 0.7, 0.9};
    int8_t truth[4] = {-1, 1, 5, 1};
    sl_opt_f64 got;
    size_t bad;
    assert_int_equal(sl_discrimination_auc_f64(p, truth, 4, &got, &bad), SL_ERR_INVALID_P);
    assert_int_equal(bad, 1);
    assert_true(got.present && got.value == 1.0);
}

/* An independent O(n log n) count: qsort of (p, label) by p, then groups of equal p. */
typedef struct labelled_p {
    double p;
    int positive;
} labelled_p;

static int by_p(const void *a, const void *b)
{
    double x = ((const labelled_p *)a)->p, y = ((const labelled_p *)b)->p;
    return (x > y) - (x < y);
}

static double qsort_auc(const double *p, const int8_t *truth, size_t n, int *defined)
{
    labelled_p *v = malloc((n + 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (truth[i] != 0)
            v[k++] = (labelled_p){p[i], truth[i] == 1};
    qsort(v, k, sizeof *v, by_p);
    double concordant = 0, below = 0, pos = 0;
    for (size_t i = 0; i < k;) {
        double cp = 0, cn = 0;
        size_t j = i;
        for (; j < k && v[j].p == v[i].p; j++)
            v[j].positive ? cp++ : cn++;
        concordant += cp * below + 0.5 * cp * cn; /* exact: small whole and half numbers */
        below += cn;
        pos += cp;
        i = j;
    }
    free(v);
    *defined = pos > 0 && below > 0;
    return *defined ? concordant / (pos * below) : NAN;
}

static void test_auc_large(void **state)
{
    (void)state;
    static const size_t sizes[] = {1000, 100000, 400000};
    uint64_t s = 5150;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int kind = 0; kind < 4; kind++) {
            size_t n = sizes[si];
            double *p = malloc(n * sizeof *p);
            int8_t *truth = malloc(n);
            for (size_t i = 0; i < n; i++) {
                switch (kind) {
                case 0: p[i] = rng_uniform(&s, 0, 1); break;                   /* distinct */
                case 1: p[i] = (double)(rng_next(&s) % 7) / 6; break;         /* long runs */
                case 2: p[i] = 0.5 + (double)(rng_next(&s) % 300) * 0x1p-53; break; /* low bits */
                default: p[i] = rng_next(&s) % 2 ? 0.0 : -0.0;                  /* one value */
                }
                truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
            }
            int defined;
            double expected = qsort_auc(p, truth, n, &defined);
            sl_opt_f64 got;
            assert_int_equal(sl_discrimination_auc_f64(p, truth, n, &got, NULL), SL_OK);
            assert_int_equal(got.present, defined);
            if (got.value != expected)
                fail_msg("n %zu kind %d: AUC %.17g, qsort count %.17g", n, kind, got.value, expected);
            free(p);
            free(truth);
        }
}

static void test_bin_edges(void **state)
{
    (void)state;
    /* the literal definition: b*w <= p < (b+1)*w, w = 1.0/10, and p == 1.0 in the last bin */
    const sl_metrics_config default_cfg = sl_metrics_config_of(SL_METRICS_BINS, 0.5, 0.2, 1e-15, 0);
    double p[600];
    size_t n = 0;
    for (int b = 0; b <= SL_METRICS_BINS; b++) {
        double edge = b * (1.0 / SL_METRICS_BINS), x = edge;
        for (int k = 0; k < 3; k++)
            x = nextafter(x, -1);
        for (int k = 0; k < 7; k++, x = nextafter(x, 2))
            if (x >= 0 && x <= 1)
                p[n++] = x;
    }
    p[n++] = 0.3; /* SPEC: falls in bin 2 */
    p[n++] = 0.7; /* not uncertain (strict) */
    p[n++] = nextafter(0.7, 0);
    p[n++] = nextafter(0.3, 1);
    uint64_t expected[SL_METRICS_BINS] = {0};
    size_t uncertain = 0;
    for (size_t i = 0; i < n; i++) {
        int found = -1;
        for (int b = 0; b < SL_METRICS_BINS; b++) {
            double lo = b * (1.0 / SL_METRICS_BINS), hi = (b + 1) * (1.0 / SL_METRICS_BINS);
            if ((lo <= p[i] && p[i] < hi) || (b == SL_METRICS_BINS - 1 && p[i] == 1.0))
                found = b;
        }
        assert_int_equal(sl_metrics_bin_of(&default_cfg, p[i]), found);
        expected[found]++;
        uncertain += 0.5 - 0.2 < p[i] && p[i] < 0.5 + 0.2;
    }
    assert_int_equal(sl_metrics_bin_of(&default_cfg, 0.3), 2);
    /* the AVX-512 path takes the bin as floor(10 p) of the exact product (metrics_simd.inc): that
     * is the bin for every double because each edge fl(b*w) is the smallest double x with
     * 10 x >= b (the FMA's sign is that of the exact 10 x - b) */
    for (int b = 1; b <= SL_METRICS_BINS; b++) {
        double edge = b * (1.0 / SL_METRICS_BINS);
        assert_true(fma(edge, 10.0, -b) >= 0.0);
        assert_true(fma(nextafter(edge, 0.0), 10.0, -b) < 0.0);
    }
    /* and their uncertain rows (SL_UNCERTAIN_LO < p < SL_UNCERTAIN_HI) are bins 3 to 6 less the
     * rows at p = SL_UNCERTAIN_HI */
    assert_true(nextafter(SL_UNCERTAIN_LO, 1.0) == 3 * (1.0 / SL_METRICS_BINS));
    assert_true(nextafter(SL_UNCERTAIN_HI, 1.0) == 7 * (1.0 / SL_METRICS_BINS));
    uint8_t acc[600] = {0};
    int8_t truth[600];
    for (size_t i = 0; i < n; i++)
        truth[i] = i % 2 ? 1 : -1;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        sl_metrics *m;
        assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
        sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
        assert_int_equal(sl_metrics_update_f64(m, &in, acc, truth, n, NULL), SL_OK);
        sl_metrics_report rep;
        assert_int_equal(sl_metrics_finalize(m, &rep), SL_OK);
        sl_metrics_free(m);
        for (int b = 0; b < SL_METRICS_BINS; b++) {
            assert_int_equal(rep.quality_distribution[b].count, expected[b]);
            assert_int_equal(rep.calibration_curve[b].count, expected[b]);
        }
        assert_true(rep.uncertain_fraction == (double)uncertain / (double)n);
        sl_metrics_report_free(&rep);
    }
    /* a whole block in one bin: the packed per-lane counters reach their largest value */
    enum { SAME = 3 * SL_METRICS_BLOCK + 5 };
    static double same[SAME];
    static uint8_t acc1[SAME];
    static int8_t positive[SAME];
    for (int i = 0; i < SAME; i++)
        same[i] = 0.55, acc1[i] = 1, positive[i] = 1;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        sl_metrics *m;
        assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
        sl_payoff_inputs_f64 in = {same, NULL, NULL, NULL, NULL, NULL};
        assert_int_equal(sl_metrics_update_f64(m, &in, acc1, positive, SAME, NULL), SL_OK);
        sl_metrics_report rep;
        assert_int_equal(sl_metrics_finalize(m, &rep), SL_OK);
        sl_metrics_free(m);
        assert_int_equal(rep.quality_distribution[5].count, SAME);
        assert_int_equal(rep.calibration_curve[5].count, SAME);
        assert_int_equal(rep.n_positive, SAME);
        assert_int_equal(rep.high_quality_count, SAME);
        assert_true(rep.high_quality_acceptance == 1.0);
        sl_metrics_report_free(&rep);
    }
}

static void test_invalid_rows(void **state)
{
    (void)state;
    enum { N = 700 };
    struct { int what; double v; sl_status st; } cases[] = {
        {0, NAN, SL_ERR_INVALID_P}, {0, 1.5, SL_ERR_INVALID_P}, {0, -0.25, SL_ERR_INVALID_P},
        {1, INFINITY, SL_ERR_NONFINITE_TAU}, {2, NAN, SL_ERR_NONFINITE_C_A},
        {3, -INFINITY, SL_ERR_NONFINITE_C_B}, {4, NAN, SL_ERR_NONFINITE_R_A},
        {5, INFINITY, SL_ERR_NONFINITE_R_B}, {6, 2, SL_ERR_INVALID_ACCEPTED},
        {7, 3, SL_ERR_INVALID_GROUND_TRUTH}, {8, 1e308, SL_ERR_PAYOFF_OVERFLOW},
    };
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            rows r = make_rows(N, 40 + c, 0);
            size_t bad_rows[] = {258, 259, 600};
            for (int k = 0; k < 3; k++) {
                size_t i = bad_rows[k];
                switch (cases[c].what) {
                case 0: r.p[i] = cases[c].v; break;
                case 6: r.accepted[i] = (uint8_t)cases[c].v; break;
                case 7: r.truth[i] = (int8_t)cases[c].v; break;
                case 8: r.col[3][i] = r.col[4][i] = cases[c].v; break; /* r_a, r_b */
                default: r.col[cases[c].what - 1][i] = cases[c].v;
                }
            }
            sl_metrics *m;
            assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
            sl_payoff_inputs_f64 in = inputs(&r, 0);
            size_t bad;
            assert_int_equal(sl_metrics_update_f64(m, &in, r.accepted, r.truth, N, &bad), cases[c].st);
            assert_int_equal(bad, 258);
            sl_metrics_report got;
            assert_int_equal(sl_metrics_finalize(m, &got), SL_OK);
            sl_metrics_free(m);
            /* the same rows without the bad ones */
            rows clean = make_rows(N, 40 + c, 0);
            size_t k = 0;
            for (size_t i = 0; i < N; i++) {
                if (i == 258 || i == 259 || i == 600)
                    continue;
                clean.p[k] = clean.p[i];
                for (int col = 0; col < 5; col++)
                    clean.col[col][k] = clean.col[col][i];
                clean.accepted[k] = clean.accepted[i];
                clean.truth[k] = clean.truth[i];
                k++;
            }
            sl_metrics_report ref = report_of(&clean, 0, k, 1);
            assert_int_equal(got.n, N - 3);
            max_diff(&ref, &got, "valid rows of a batch with invalid rows vs those rows alone");
            sl_metrics_report_free(&ref);
            sl_metrics_report_free(&got);
            free_rows(&r);
            free_rows(&clean);
        }
    }
}

/* px with the default proxy parameters */
static void init_default_proxy(sl_proxy *px)
{
    sl_proxy_params params;
    sl_proxy_params_default(&params);
    assert_int_equal(sl_proxy_init(px, &params), SL_OK);
}

/* Random observables (reals in [-1.3, 1.3], so some clamp; counts 0-3, 0-2, 0-1; the f32 reals
 * are the f64 ones rounded), accepted flags and labels (-1, 0, +1) for rows [0, n) */
static void random_observable_rows(uint64_t *s, int n, double *prog, double *eng, float *prog32,
                                   float *eng32, int32_t *rw, int32_t *rj, int32_t *mu,
                                   uint8_t *acc, int8_t *truth)
{
    for (int i = 0; i < n; i++) {
        prog[i] = rng_uniform(s, -1.3, 1.3);
        eng[i] = rng_uniform(s, -1.3, 1.3);
        rw[i] = (int32_t)(rng_next(s) % 4);
        rj[i] = (int32_t)(rng_next(s) % 3);
        mu[i] = (int32_t)(rng_next(s) % 2);
        acc[i] = (uint8_t)(rng_next(s) % 2);
        truth[i] = (int8_t)((int)(rng_next(s) % 3) - 1);
        prog32[i] = (float)prog[i];
        eng32[i] = (float)eng[i];
    }
}

static void test_f32_and_fused(void **state)
{
    (void)state;
    enum { N = 5000 }; /* three spans of SIMD metrics */
    static double prog[N], eng[N], p[N], wide[6][N];
    static float prog32[N], eng32[N], p32[N], c32[6][N];
    static int32_t rw[N], rj[N], mu[N];
    static uint8_t acc[N];
    static int8_t truth[N], truth_all[N];
    uint64_t s = 8;
    random_observable_rows(&s, N, prog, eng, prog32, eng32, rw, rj, mu, acc, truth);
    prog[1234] = prog32[1234] = NAN;
    for (int i = 0; i < N; i++) {
        /* every row labelled except in rows 600-699 (block 1 of the first span) */
        truth_all[i] = (int8_t)(i >= 600 && i < 700 ? 0 : rng_next(&s) % 2 ? 1 : -1);
        for (int c = 1; c < 6; c++) {
            c32[c][i] = (float)rng_uniform(&s, -1, 1);
            wide[c][i] = c32[c][i];
        }
    }
    sl_proxy px;
    init_default_proxy(&px);
    sl_observables_f64 obs = {prog, rw, rj, mu, eng};
    sl_observables_f32 obs32 = {prog32, rw, rj, mu, eng32};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        sl_metrics *a, *b;
        sl_metrics_report ra, rb;
        size_t bad;

        /* fused f64 == score then update (row 1234 is invalid in both), with the payoff columns
         * and without (spans of several blocks; the fused pass then skips the range check of p
         * in the blocks whose observables are all valid, not in row 1234's), with a third of the
         * rows labelled and with every row labelled but in block 1 */
        for (int i = 0; i < N; i++)
            p[i] = NAN;
        sl_score_f64(&px, &obs, N, NULL, p, NULL);
        for (int run = 0; run < 4; run++) {
            int with_columns = run % 2;
            const int8_t *labels = run < 2 ? truth : truth_all;
            sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
            sl_payoff_inputs_f64 cols = {NULL, wide[1], wide[2], wide[3], wide[4], wide[5]};
            if (with_columns)
                in = (sl_payoff_inputs_f64){p, wide[1], wide[2], wide[3], wide[4], wide[5]};
            assert_int_equal(sl_metrics_init(&a, &params, 0), SL_OK);
            assert_int_equal(sl_metrics_init(&b, &params, 0), SL_OK);
            assert_int_equal(sl_metrics_update_f64(a, &in, acc, labels, N, &bad),
                             SL_ERR_INVALID_P);
            assert_int_equal(sl_metrics_update_observables_f64(b, &px, &obs,
                                                               with_columns ? &cols : NULL, acc,
                                                               labels, N, &bad),
                             SL_ERR_NAN_TASK_PROGRESS);
            assert_int_equal(bad, 1234);
            sl_metrics_finalize(a, &ra);
            sl_metrics_finalize(b, &rb);
            assert_int_equal(rb.n, N - 1);
            assert_same_bits(&ra, &rb, "fused f64 vs score + update");
            sl_metrics_report_free(&ra);
            sl_metrics_report_free(&rb);
            sl_metrics_free(a);
            sl_metrics_free(b);
        }

        /* f32 update == f64 update of the widened values; fused f32 == score f32 + update f32 */
        sl_score_f32(&px, &obs32, N, NULL, p32, NULL);
        for (int i = 0; i < N; i++)
            wide[0][i] = p32[i];
        p32[1234] = wide[0][1234] = 0.5; /* never scored: give it a valid p in both */
        sl_payoff_inputs_f32 in32 = {p32, c32[1], c32[2], c32[3], c32[4], c32[5]};
        sl_payoff_inputs_f64 in64 = {wide[0], wide[1], wide[2], wide[3], wide[4], wide[5]};
        assert_int_equal(sl_metrics_init(&a, &params, 0), SL_OK);
        assert_int_equal(sl_metrics_init(&b, &params, 0), SL_OK);
        assert_int_equal(sl_metrics_update_f32(a, &in32, acc, truth, N, NULL), SL_OK);
        assert_int_equal(sl_metrics_update_f64(b, &in64, acc, truth, N, NULL), SL_OK);
        sl_metrics_finalize(a, &ra);
        sl_metrics_finalize(b, &rb);
        assert_same_bits(&ra, &rb, "f32 update vs f64 update of widened values");
        sl_metrics_report_free(&ra);
        sl_metrics_report_free(&rb);
        sl_metrics_free(a);
        sl_metrics_free(b);

        p32[1234] = NAN;
        sl_payoff_inputs_f32 cols32 = {NULL, c32[1], c32[2], c32[3], c32[4], c32[5]};
        assert_int_equal(sl_metrics_init(&a, &params, 0), SL_OK);
        assert_int_equal(sl_metrics_init(&b, &params, 0), SL_OK);
        assert_int_equal(sl_metrics_update_f32(a, &in32, acc, truth, N, NULL), SL_ERR_INVALID_P);
        assert_int_equal(sl_metrics_update_observables_f32(b, &px, &obs32, &cols32, acc, truth, N,
                                                           &bad), SL_ERR_NAN_TASK_PROGRESS);
        sl_metrics_finalize(a, &ra);
        sl_metrics_finalize(b, &rb);
        assert_same_bits(&ra, &rb, "fused f32 vs score f32 + update f32");
        sl_metrics_report_free(&ra);
        sl_metrics_report_free(&rb);
        sl_metrics_free(a);
        sl_metrics_free(b);
    }
}

/* The fused update on threads: the same bits for every thread count (1, 2, 3 and 7 threads), a
 * few units in the last place from one single-threaded update, the first invalid row and its
 * status as the single-threaded call reports them, f64 and f32, with payoff columns, labels and
 * AUC keys; argument errors before anything is added. */
static void test_update_mt(void **state)
{
    (void)state;
    enum { N = 300007, BAD = 123457 }; /* several blocks of the threaded update */
    static double prog[N], eng[N], cols[5][N];
    static float prog32[N], eng32[N], cols32[5][N];
    static int32_t rw[N], rj[N], mu[N];
    static uint8_t acc[N];
    static int8_t truth[N];
    uint64_t s = 31;
    random_observable_rows(&s, N, prog, eng, prog32, eng32, rw, rj, mu, acc, truth);
    for (int c = 0; c < 5; c++)
        for (int i = 0; i < N; i++)
            cols32[c][i] = (float)(cols[c][i] = rng_uniform(&s, -1, 1));
    prog[BAD] = prog32[BAD] = NAN;
    sl_proxy px;
    init_default_proxy(&px);
    sl_observables_f64 obs = {prog, rw, rj, mu, eng};
    sl_observables_f32 obs32 = {prog32, rw, rj, mu, eng32};
    sl_payoff_inputs_f64 in = {NULL, cols[0], cols[1], cols[2], cols[3], cols[4]};
    sl_payoff_inputs_f32 in32 = {NULL, cols32[0], cols32[1], cols32[2], cols32[3], cols32[4]};
    static const unsigned threads[] = {1, 2, 3, 7};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int f32 = 0; f32 < 2; f32++) {
            sl_metrics *m;
            sl_metrics_report one, first, got;
            size_t bad;
            assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
            sl_status st = f32 ? sl_metrics_update_observables_f32(m, &px, &obs32, &in32, acc,
                                                                   truth, N, &bad)
                               : sl_metrics_update_observables_f64(m, &px, &obs, &in, acc, truth,
                                                                   N, &bad);
            assert_int_equal(st, SL_ERR_NAN_TASK_PROGRESS);
            assert_int_equal(bad, BAD);
            assert_int_equal(sl_metrics_finalize(m, &one), SL_OK);
            sl_metrics_free(m);
            for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
                bad = 0;
                st = f32 ? sl_metrics_update_observables_f32_mt(m, &px, &obs32, &in32, acc,
                                                                truth, N, &bad, threads[t])
                         : sl_metrics_update_observables_f64_mt(m, &px, &obs, &in, acc, truth, N,
                                                                &bad, threads[t]);
                assert_int_equal(st, SL_ERR_NAN_TASK_PROGRESS);
                assert_int_equal(bad, BAD);
                assert_int_equal(sl_metrics_finalize(m, &got), SL_OK);
                sl_metrics_free(m);
                assert_int_equal(got.n, N - 1);
                max_diff(&one, &got, "threaded vs one update");
                if (t == 0) {
                    first = got;
                } else {
                    assert_same_bits(&first, &got, "threaded update: thread counts differ");
                    sl_metrics_report_free(&got);
                }
            }
            sl_metrics_report_free(&one);
            sl_metrics_report_free(&first);
        }
    }

    /* argument errors add nothing */
    sl_metrics *m;
    sl_metrics_report r;
    size_t bad = 7;
    assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
    assert_int_equal(sl_metrics_update_observables_f64_mt(m, &px, &obs, NULL, acc, truth, N,
                                                          &bad, 0), SL_ERR_THREAD_COUNT);
    assert_int_equal(sl_metrics_update_observables_f64_mt(m, &px, &obs, NULL, acc, truth, N,
                                                          &bad, SL_MAX_THREADS + 1),
                     SL_ERR_THREAD_COUNT);
    assert_int_equal(sl_metrics_update_observables_f64_mt(m, &px, &obs, NULL, NULL, truth, N,
                                                          &bad, 2), SL_ERR_NULL_ARGUMENT);
    sl_payoff_inputs_f64 with_p = {prog, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_metrics_update_observables_f64_mt(m, &px, &obs, &with_p, acc, truth, N,
                                                          &bad, 2), SL_ERR_P_GIVEN);
    assert_int_equal(sl_metrics_update_observables_f64_mt(NULL, &px, &obs, NULL, acc, truth, N,
                                                          &bad, 2), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(bad, 7);
    assert_int_equal(sl_metrics_update_observables_f64_mt(m, &px, &obs, NULL, acc, truth, 0,
                                                          &bad, 2), SL_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(sl_metrics_finalize(m, &r), SL_OK);
    assert_int_equal(r.n, 0);
    sl_metrics_report_free(&r);
    sl_metrics_free(m);
}

static void test_arguments(void **state)
{
    (void)state;
    sl_metrics *m, *other;
    double p = 0.5;
    uint8_t acc = 1;
    int8_t truth = 1;
    sl_payoff_inputs_f64 in = {&p, NULL, NULL, NULL, NULL, NULL};
    sl_payoff_params bad_params = params;
    bad_params.theta = 2;
    assert_int_equal(sl_metrics_init(&m, &bad_params, 0), SL_ERR_PARAM_THETA);
    assert_null(m);
    assert_int_equal(sl_metrics_init(NULL, &params, 0), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_metrics_init(&m, &params, SL_METRICS_NO_AUC), SL_OK);
    assert_int_equal(sl_metrics_update_f64(m, &in, NULL, &truth, 1, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_metrics_update_f64(NULL, &in, &acc, &truth, 1, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_metrics_update_f64(m, &in, &acc, &truth, 1, NULL), SL_OK);
    double p0 = 0.1;
    int8_t neg = -1;
    sl_payoff_inputs_f64 in0 = {&p0, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_metrics_update_f64(m, &in0, &acc, &neg, 1, NULL), SL_OK);
    sl_metrics_report r;
    assert_int_equal(sl_metrics_finalize(m, &r), SL_OK);
    assert_int_equal(r.auc_tracked, 0);
    assert_false(r.discrimination_auc.present); /* untracked: null, though both classes exist */
    assert_true(r.brier_score.present);
    sl_metrics_report_free(&r);
    /* merging needs the same parameters and flags; never a state into itself */
    assert_int_equal(sl_metrics_init(&other, &params, 0), SL_OK);
    assert_int_equal(sl_metrics_merge(m, other), SL_ERR_STATE_MISMATCH);
    assert_int_equal(sl_metrics_merge(m, m), SL_ERR_STATE_MISMATCH);
    sl_metrics_free(other);
    sl_payoff_params pp2 = params;
    pp2.w_rep = 2;
    assert_int_equal(sl_metrics_init(&other, &pp2, SL_METRICS_NO_AUC), SL_OK);
    assert_int_equal(sl_metrics_merge(m, other), SL_ERR_STATE_MISMATCH);
    sl_metrics_free(other);
    /* fused with p given */
    sl_proxy px;
    init_default_proxy(&px);
    double prog = 0, eng = 0;
    int32_t zero = 0;
    sl_observables_f64 obs = {&prog, &zero, &zero, NULL, &eng};
    assert_int_equal(sl_metrics_update_observables_f64(m, &px, &obs, &in, &acc, NULL, 1, NULL),
                     SL_ERR_P_GIVEN);
    sl_proxy uninit = {0};
    assert_int_equal(sl_metrics_update_observables_f64(m, &uninit, &obs, NULL, &acc, NULL, 1, NULL),
                     SL_ERR_NOT_INITIALIZED);
    /* an empty state: zeros and nulls, as the reference's empty batch */
    sl_metrics *empty;
    assert_int_equal(sl_metrics_init(&empty, &params, 0), SL_OK);
    assert_int_equal(sl_metrics_finalize(empty, &r), SL_OK);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.quality_distribution_len, 0);
    assert_int_equal(r.calibration_curve_len, 0);
    assert_false(r.log_loss.present);
    assert_true(r.toxicity_rate == 0.0 && r.cv_p == 0.0);
    sl_metrics_report_free(&r);
    sl_metrics_free(empty);
    sl_metrics_free(m);
    sl_metrics_free(NULL);
}

/* Without payoff columns the SIMD paths derive payoff sums and variances from p's statistics
 * (payoffs are then affine in p); the scalar path still computes every row. Both must agree with
 * each other and with explicit all-zero columns. */
static void test_no_payoff_columns(void **state)
{
    (void)state;
    enum { N = 5000 };
    rows r = make_rows(N, 23, 0);
    static double zeros[N];
    sl_metrics_report ref, got, with_zeros, first_simd;
    int have_simd = 0;
    double worst = 0;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int ties = 0; ties < 2; ties++) {
            rows t = ties ? make_rows(N, 24, 1) : r;
            sl_metrics *a, *b;
            sl_payoff_inputs_f64 none = {t.p, NULL, NULL, NULL, NULL, NULL};
            sl_payoff_inputs_f64 zero = {t.p, zeros, zeros, zeros, zeros, zeros};
            assert_int_equal(sl_metrics_init(&a, &params, 0), SL_OK);
            assert_int_equal(sl_metrics_init(&b, &params, 0), SL_OK);
            assert_int_equal(sl_metrics_update_f64(a, &none, t.accepted, t.truth, N, NULL), SL_OK);
            assert_int_equal(sl_metrics_update_f64(b, &zero, t.accepted, t.truth, N, NULL), SL_OK);
            assert_int_equal(sl_metrics_finalize(a, &got), SL_OK);
            assert_int_equal(sl_metrics_finalize(b, &with_zeros), SL_OK);
            worst = fmax(worst, max_diff(&with_zeros, &got, "no columns vs zero columns"));
            sl_metrics_report_free(&with_zeros);
            if (!strcmp(*isa, "scalar") && !ties) {
                ref = got;
            } else if (!ties) {
                worst = fmax(worst, max_diff(&ref, &got, "no columns: SIMD vs scalar"));
                if (have_simd) {
                    assert_same_bits(&first_simd, &got, "no columns: SIMD paths differ");
                    sl_metrics_report_free(&got);
                } else {
                    first_simd = got;
                    have_simd = 1;
                }
            } else {
                sl_metrics_report_free(&got);
            }
            sl_metrics_free(a);
            sl_metrics_free(b);
            if (ties)
                free_rows(&t);
        }
    }
    printf("without payoff columns vs zero columns and vs scalar: max |diff|/(1+|v|) = %.3g\n",
           worst);
    sl_metrics_report_free(&ref);
    if (have_simd)
        sl_metrics_report_free(&first_simd);
    free_rows(&r);

    /* parameters so large that payoffs can overflow: rows are then checked one by one */
    sl_payoff_params huge = {0.0, 1.7e308, 1.7e308, 0.5, 0.0, 0.0, 1.0};
    double p[3] = {0.0, 0.5, 1.0};
    uint8_t acc[3] = {1, 1, 1};
    sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        sl_metrics *m;
        size_t bad;
        assert_int_equal(sl_metrics_init(&m, &huge, 0), SL_OK);
        assert_int_equal(sl_metrics_update_f64(m, &in, acc, NULL, 3, &bad), SL_ERR_PAYOFF_OVERFLOW);
        assert_int_equal(bad, 0); /* p = 0: social_surplus = -1.7e308 - 1.7e308 */
        sl_metrics_report rep;
        assert_int_equal(sl_metrics_finalize(m, &rep), SL_OK);
        assert_int_equal(rep.n, 2);
        assert_true(isfinite(rep.total_welfare) && isfinite(rep.total_social_surplus));
        sl_metrics_report_free(&rep);
        sl_metrics_free(m);
    }
}

/* The report's bits on a fixed generated batch, with and without payoff columns: every SIMD path
 * (AVX2, AVX-512, NEON under qemu) reproduces this FNV-1a digest of all report fields, so the
 * metrics of a batch do not depend on the machine. */
#define METRICS_DIGEST 0xea6e0f81abb33179ull

static void test_cross_isa_digest(void **state)
{
    (void)state;
    enum { N = 100003 };
    static double p[N], col[5][N];
    static uint8_t acc[N];
    static int8_t truth[N];
    uint64_t s = 77;
    for (size_t i = 0; i < N; i++) {
        p[i] = rng_next(&s) % 17 == 0 ? (double)(rng_next(&s) % 11) / 10
                                       : (double)(rng_next(&s) >> 11) * 0x1p-53;
        acc[i] = (uint8_t)(rng_next(&s) % 3 != 0);
        truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
        for (int k = 0; k < 5; k++)
            col[k][i] = (double)(rng_next(&s) >> 11) * 0x1p-52 - 1.0;
    }
    int checked = 0;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        if (!strcmp(*isa, "scalar"))
            continue;
        force_isa(*isa);
        uint64_t h = 1469598103934665603ull;
        for (int with_columns = 0; with_columns < 2; with_columns++) {
            sl_metrics *m;
            assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
            sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
            if (with_columns)
                in = (sl_payoff_inputs_f64){p, col[0], col[1], col[2], col[3], col[4]};
            assert_int_equal(sl_metrics_update_f64(m, &in, acc, truth, N, NULL), SL_OK);
            sl_metrics_report r;
            assert_int_equal(sl_metrics_finalize(m, &r), SL_OK);
            sl_metrics_free(m);
            double v[MAX_FIELDS];
            h = digest_fnv1a(h, v, flatten(&r, v) * sizeof v[0]);
            sl_metrics_report_free(&r);
        }
        printf("metrics digest on %s: %016llx\n", *isa, (unsigned long long)h);
        assert_true(h == METRICS_DIGEST);
        checked++;
    }
    printf("%d SIMD paths reproduce the cross-ISA metrics digest\n", checked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_agree),
        cmocka_unit_test(test_merge_equals_one_pass),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_update_mt),
        cmocka_unit_test(test_auc_brute_force),
        cmocka_unit_test(test_auc_large),
        cmocka_unit_test(test_bin_edges),
        cmocka_unit_test(test_invalid_rows),
        cmocka_unit_test(test_f32_and_fused),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_no_payoff_columns),
        cmocka_unit_test(test_cross_isa_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
