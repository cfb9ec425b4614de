/*
 * The size and overlap rules of softlabel.h ("Conventions"): sizes whose byte count exceeds
 * PTRDIFF_MAX (n, k * ld) return SL_ERR_SIZE_OVERFLOW before any element is touched; outputs that
 * overlap another output or an input (other than the documented in-place cases) return
 * SL_ERR_OVERLAP and write nothing; the in-place cases give the out-of-place results.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define ROWS 300
#define MT_ROWS (3 * SL_MT_MIN_ROWS_PER_THREAD) /* enough rows for the _mt calls to start threads */
#define GUARD -12345.0

static sl_proxy px;
static double progress[MT_ROWS], engagement[MT_ROWS];
static float progress32[MT_ROWS], engagement32[MT_ROWS];
static int32_t rework[MT_ROWS], rejections[MT_ROWS];
static double out_buf[2 * MT_ROWS + 8];
static float out_buf32[2 * MT_ROWS + 8];

static int setup(void **state)
{
    (void)state;
    uint64_t rng = 18;
    for (size_t i = 0; i < MT_ROWS; i++) {
        progress[i] = rng_uniform(&rng, -1.2, 1.2);
        engagement[i] = rng_uniform(&rng, -1.2, 1.2);
        progress32[i] = (float)progress[i];
        engagement32[i] = (float)engagement[i];
        rework[i] = (int32_t)(rng_next(&rng) % 5);
        rejections[i] = (int32_t)(rng_next(&rng) % 5);
    }
    sl_proxy_params params;
    sl_proxy_params_default(&params);
    return sl_proxy_init(&px, &params) == SL_OK ? 0 : -1;
}

static sl_observables_f64 obs64(void)
{
    sl_observables_f64 o = {progress, rework, rejections, NULL, engagement};
    return o;
}

static sl_observables_f32 obs32(void)
{
    sl_observables_f32 o = {progress32, rework, rejections, NULL, engagement32};
    return o;
}

static void fill_guard(double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = GUARD;
}

static void assert_all_guard(const double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_true(a[i] == GUARD);
}

/* ---- sizes ---- */

static void test_score_sizes(void **state)
{
    (void)state;
    sl_observables_f64 o = obs64();
    sl_observables_f32 o32 = obs32();
    double v[4], p[4];
    float v32[4], p32[4];
    size_t too_many64 = (size_t)PTRDIFF_MAX / sizeof(double) + 1;
    size_t too_many32 = (size_t)PTRDIFF_MAX / sizeof(float) + 1;
    fill_guard(v, 4);
    fill_guard(p, 4);
    size_t first = 7;
    assert_int_equal(sl_score_f64(&px, &o, SIZE_MAX, v, p, &first), SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_score_f64(&px, &o, too_many64, v, p, &first), SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_score_f64(&px, &o, too_many64, NULL, NULL, NULL), SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_score_f64_mt(&px, &o, too_many64, v, p, &first, 2), SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_score_f32(&px, &o32, too_many32, v32, p32, &first), SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_score_f32_mt(&px, &o32, SIZE_MAX, v32, p32, &first, 4),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_sigmoid_f64(2.0, progress, too_many64, v), SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_sigmoid_f32(2.0f, progress32, too_many32, v32), SL_ERR_SIZE_OVERFLOW);
    assert_all_guard(v, 4);
    assert_all_guard(p, 4);
    assert_int_equal(first, 7); /* argument errors report no row */
    /* the largest n that fits is not refused for its size (zero rows' worth of checks only) */
    assert_int_equal(sl_score_f64(&px, &o, 0, v, p, NULL), SL_OK);
}

static void test_payoff_sizes(void **state)
{
    (void)state;
    sl_payoff_params pp;
    sl_payoff_params_default(&pp);
    double pcol[4] = {0.5, 0.5, 0.5, 0.5}, s[4];
    fill_guard(s, 4);
    sl_payoff_inputs_f64 in = {pcol, NULL, NULL, NULL, NULL, NULL};
    sl_payoff_outputs_f64 out = {s, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_payoff_f64(&pp, &in, SIZE_MAX, &out, NULL), SL_ERR_SIZE_OVERFLOW);
    sl_observables_f64 o = obs64();
    assert_int_equal(sl_payoff_observables_f64(&pp, &px, &o, NULL, SIZE_MAX / 2, &out, NULL),
                     SL_ERR_SIZE_OVERFLOW);
    assert_all_guard(s, 4);
}

static void test_panel_sizes(void **state)
{
    (void)state;
    double votes[8] = {1, 0, 0, 1, 1, 1, 0, 0}, total[4] = {1, 1, 1, 1}, out[4];
    fill_guard(out, 4);
    sl_divergence_out d = {out, NULL, NULL, NULL, NULL, NULL};
    /* k * ld overflows although n, k and ld are each small enough */
    size_t big_k = (size_t)1 << 40, big_ld = (size_t)1 << 30;
    assert_int_equal(sl_divergence_f64(votes, big_ld, votes, 4, 4, big_k, &d, NULL),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_divergence_f64(votes, 4, votes, SIZE_MAX, 4, 2, &d, NULL),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_divergence_f64(votes, SIZE_MAX, votes, SIZE_MAX, SIZE_MAX, 1, &d, NULL),
                     SL_ERR_SIZE_OVERFLOW);
    assert_all_guard(out, 4);
    sl_alpha_nominal acc;
    sl_alpha_nominal_init(&acc);
    assert_int_equal(sl_alpha_nominal_add(&acc, votes, big_ld, 4, big_k, total),
                     SL_ERR_SIZE_OVERFLOW);
    assert_true(acc.pairable == 0.0 && acc.agreement == 0.0 && acc.marginal_sq == 0.0);
    sl_panel_rules rules;
    sl_panel_rules_default(&rules);
    int32_t reviewers[4] = {2, 2, 2, 2}, ties[4] = {1, 1, 1, 1};
    sl_disagreement cls[4] = {SL_MAJOR, SL_MAJOR, SL_MAJOR, SL_MAJOR};
    assert_int_equal(sl_panel_classify(&rules, SIZE_MAX, reviewers, total, ties, cls),
                     SL_ERR_SIZE_OVERFLOW);
    for (int i = 0; i < 4; i++)
        assert_int_equal(cls[i], SL_MAJOR);
}

/* The metrics updates and the AUC read n elements of each column: a larger n than an array can
 * have is refused before any is read (ground_truth used to be counted first, past its end), and
 * the state is unchanged. */
static void test_metrics_sizes(void **state)
{
    (void)state;
    sl_payoff_params pp;
    sl_payoff_params_default(&pp);
    sl_metrics *m;
    assert_int_equal(sl_metrics_init(&m, &pp, 0), SL_OK);
    double p[4] = {0.5, 0.5, 0.5, 0.5};
    float p32[4] = {0.5f, 0.5f, 0.5f, 0.5f};
    uint8_t accepted[4] = {1, 1, 1, 1};
    int8_t truth[4] = {1, -1, 1, -1};
    size_t too_many64 = (size_t)PTRDIFF_MAX / sizeof(double) + 1;
    size_t too_many32 = (size_t)PTRDIFF_MAX / sizeof(float) + 1;
    sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
    sl_payoff_inputs_f32 in32 = {p32, NULL, NULL, NULL, NULL, NULL};
    size_t first = 7;
    assert_int_equal(sl_metrics_update_f64(m, &in, accepted, truth, SIZE_MAX, &first),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_metrics_update_f64(m, &in, accepted, truth, too_many64, &first),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_metrics_update_f32(m, &in32, accepted, truth, too_many32, &first),
                     SL_ERR_SIZE_OVERFLOW);
    sl_observables_f64 o = obs64();
    sl_observables_f32 o32 = obs32();
    assert_int_equal(sl_metrics_update_observables_f64(m, &px, &o, NULL, accepted, truth,
                                                       too_many64, &first),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_metrics_update_observables_f32(m, &px, &o32, NULL, accepted, truth,
                                                       SIZE_MAX, &first),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_metrics_update_observables_f64_mt(m, &px, &o, NULL, accepted, truth,
                                                          SIZE_MAX, &first, 2),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_metrics_update_observables_f32_mt(m, &px, &o32, NULL, accepted, truth,
                                                          too_many32, &first, 2),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(first, 7); /* argument errors report no row */
    assert_int_equal(sl_metrics_count(m), 0);
    /* the largest n that fits is not refused for its size: 4 rows are */
    assert_int_equal(sl_metrics_update_f64(m, &in, accepted, truth, 4, &first), SL_OK);
    assert_int_equal(sl_metrics_count(m), 4);
    sl_metrics_free(m);

    sl_opt_f64 auc = {7, 7.0};
    first = 7;
    assert_int_equal(sl_discrimination_auc_f64(p, truth, SIZE_MAX, &auc, &first),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_discrimination_auc_f64(p, truth, too_many64, &auc, &first),
                     SL_ERR_SIZE_OVERFLOW);
    assert_true(auc.present == 7 && auc.value == 7.0 && first == 7);
    assert_int_equal(sl_discrimination_auc_f64(p, truth, 4, &auc, &first), SL_OK);
    assert_true(auc.present && auc.value == 0.5);
}

/* ---- overlap ---- */

static void test_score_overlap(void **state)
{
    (void)state;
    sl_observables_f64 o = obs64();
    double *v = out_buf, *p = out_buf + ROWS + 1;
    /* reference: disjoint outputs */
    assert_int_equal(sl_score_f64(&px, &o, ROWS, v, p, NULL), SL_OK);
    double ref_p[ROWS];
    memcpy(ref_p, p, sizeof ref_p);
    /* p = v_hat + 1: partly overlapping outputs (gave wrong values before the check) */
    fill_guard(out_buf, ROWS + 2);
    assert_int_equal(sl_score_f64(&px, &o, ROWS, out_buf, out_buf + 1, NULL), SL_ERR_OVERLAP);
    assert_all_guard(out_buf, ROWS + 2);
    assert_int_equal(sl_score_f64(&px, &o, ROWS, out_buf, out_buf, NULL), SL_ERR_OVERLAP);
    assert_int_equal(sl_score_f64(&px, &o, ROWS, out_buf + 1, out_buf, NULL), SL_ERR_OVERLAP);
    assert_all_guard(out_buf, ROWS + 2);
    /* an output over an input column */
    double column[ROWS];
    memcpy(column, progress, sizeof column);
    sl_observables_f64 o2 = {column, rework, rejections, NULL, engagement};
    assert_int_equal(sl_score_f64(&px, &o2, ROWS, NULL, column + 5, NULL), SL_ERR_OVERLAP);
    assert_int_equal(sl_score_f64(&px, &o2, ROWS, column, NULL, NULL), SL_ERR_OVERLAP);
    assert_memory_equal(column, progress, sizeof column);
    assert_int_equal(sl_score_f64(&px, &o2, ROWS, NULL, (double *)(void *)rework, NULL),
                     SL_ERR_OVERLAP);
    /* adjacent but disjoint outputs are fine and give the same p */
    assert_int_equal(sl_score_f64(&px, &o, ROWS, out_buf, out_buf + ROWS, NULL), SL_OK);
    assert_memory_equal(out_buf + ROWS, ref_p, sizeof ref_p);
    /* f32 and the threaded calls check the same rule, before any thread writes */
    sl_observables_f32 o32 = obs32();
    assert_int_equal(sl_score_f32(&px, &o32, ROWS, out_buf32, out_buf32 + 3, NULL),
                     SL_ERR_OVERLAP);
    sl_observables_f64 big = obs64();
    for (size_t i = 0; i < 2 * MT_ROWS + 8; i++)
        out_buf[i] = GUARD;
    assert_int_equal(sl_score_f64_mt(&px, &big, MT_ROWS, out_buf, out_buf + MT_ROWS - 64, NULL, 2),
                     SL_ERR_OVERLAP);
    assert_all_guard(out_buf, 2 * MT_ROWS + 8);
    assert_int_equal(sl_score_f32_mt(&px, &o32, MT_ROWS, out_buf32 + 1, out_buf32, NULL, 2),
                     SL_ERR_OVERLAP);
    assert_int_equal(sl_score_f64_mt(&px, &big, MT_ROWS, out_buf, out_buf + MT_ROWS, NULL, 2),
                     SL_OK);
}

static void test_sigmoid_overlap(void **state)
{
    (void)state;
    double x[ROWS + 1], ref[ROWS];
    memcpy(x, progress, sizeof x);
    assert_int_equal(sl_sigmoid_f64(3.0, x, ROWS, ref), SL_OK);
    /* in place: allowed, same results */
    assert_int_equal(sl_sigmoid_f64(3.0, x, ROWS, x), SL_OK);
    assert_memory_equal(x, ref, sizeof ref);
    /* shifted by one element: refused, nothing written */
    memcpy(x, progress, sizeof x);
    assert_int_equal(sl_sigmoid_f64(3.0, x, ROWS, x + 1), SL_ERR_OVERLAP);
    assert_int_equal(sl_sigmoid_f64(3.0, x + 1, ROWS, x), SL_ERR_OVERLAP);
    assert_memory_equal(x, progress, sizeof x);
    float x32[ROWS + 1];
    memcpy(x32, progress32, sizeof x32);
    assert_int_equal(sl_sigmoid_f32(3.0f, x32, ROWS, x32 + 1), SL_ERR_OVERLAP);
    assert_memory_equal(x32, progress32, sizeof x32);
}

static void test_payoff_overlap(void **state)
{
    (void)state;
    sl_payoff_params pp;
    sl_payoff_params_default(&pp);
    enum { N = 100 };
    double pcol[N], tau[N], surplus[N], harm[N];
    for (int i = 0; i < N; i++) {
        pcol[i] = (i + 0.5) / N;
        tau[i] = 0.01 * i;
    }
    sl_payoff_inputs_f64 in = {pcol, tau, NULL, NULL, NULL, NULL};
    sl_payoff_outputs_f64 out = {surplus, harm, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_payoff_f64(&pp, &in, N, &out, NULL), SL_OK);

    /* in place over p: allowed, same surplus */
    double p2[N], buf[2 * N + 1];
    memcpy(p2, pcol, sizeof p2);
    sl_payoff_inputs_f64 in2 = {p2, tau, NULL, NULL, NULL, NULL};
    sl_payoff_outputs_f64 o2 = {p2, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_payoff_f64(&pp, &in2, N, &o2, NULL), SL_OK);
    assert_memory_equal(p2, surplus, sizeof p2);

    /* two outputs partly overlapping, or one output over part of an input: refused */
    fill_guard(buf, 2 * N + 1);
    sl_payoff_outputs_f64 o3 = {buf, buf + 1, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_payoff_f64(&pp, &in, N, &o3, NULL), SL_ERR_OVERLAP);
    sl_payoff_outputs_f64 o4 = {buf, NULL, NULL, NULL, NULL, buf};
    assert_int_equal(sl_payoff_f64(&pp, &in, N, &o4, NULL), SL_ERR_OVERLAP);
    assert_all_guard(buf, 2 * N + 1);
    memcpy(p2, pcol, sizeof p2);
    sl_payoff_outputs_f64 o5 = {NULL, p2 + 1, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_payoff_f64(&pp, &in2, N, &o5, NULL), SL_ERR_OVERLAP);
    assert_memory_equal(p2, pcol, sizeof p2);

    /* fused: an output over an observable column is refused */
    double column[N];
    memcpy(column, progress, sizeof column);
    sl_observables_f64 o = {column, rework, rejections, NULL, engagement};
    sl_payoff_outputs_f64 o6 = {column, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_payoff_observables_f64(&pp, &px, &o, NULL, N, &o6, NULL), SL_ERR_OVERLAP);
    assert_memory_equal(column, progress, sizeof column);
}

static void test_panel_overlap(void **state)
{
    (void)state;
    enum { N = 6, K = 3, LD = 8 };
    double human[K * LD], model[K * LD], out[2 * N];
    for (int c = 0; c < K; c++)
        for (int i = 0; i < LD; i++) {
            human[c * LD + i] = 1.0 / K;
            model[c * LD + i] = c == 0 ? 0.5 : 0.25;
        }
    fill_guard(out, 2 * N);
    sl_divergence_out shared = {out, out + 1, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_divergence_f64(human, LD, model, LD, N, K, &shared, NULL), SL_ERR_OVERLAP);
    assert_all_guard(out, 2 * N);
    double model_copy[K * LD];
    memcpy(model_copy, model, sizeof model);
    sl_divergence_out inside = {NULL, NULL, NULL, model + LD, NULL, NULL};
    assert_int_equal(sl_divergence_f64(human, LD, model, LD, N, K, &inside, NULL), SL_ERR_OVERLAP);
    assert_memory_equal(model, model_copy, sizeof model);
    sl_divergence_out ok = {out, out + N, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_divergence_f64(human, LD, model, LD, N, K, &ok, NULL), SL_OK);

    sl_panel_rules rules;
    sl_panel_rules_default(&rules);
    int32_t buf[2 * N] = {3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1};
    int32_t *reviewers = buf, *ties = buf + N;
    double share[N] = {1, 1, 0.7, 0.5, 0.9, 1};
    assert_int_equal(sl_panel_classify(&rules, N, reviewers, share, ties,
                                       (sl_disagreement *)(void *)(buf + 1)),
                     SL_ERR_OVERLAP);
    assert_int_equal(buf[0], 3);
    assert_int_equal(buf[N], 1);
    sl_disagreement cls[N];
    assert_int_equal(sl_panel_classify(&rules, N, reviewers, share, ties, cls), SL_OK);
    assert_int_equal(cls[2], SL_MINOR);
}

/* sl_panel_stats_f64: the distribution may be the votes themselves (same ld), nothing else may
 * overlap: an output over the votes or over another output is refused with nothing written. */
static void test_panel_stats_overlap(void **state)
{
    (void)state;
    enum { N = 5, K = 3 };
    double votes[K * N], copy[K * N], dist[K * N], total[N + 1], entropy[N], share[N];
    int32_t labels[2 * N];
    for (int i = 0; i < K * N; i++)
        votes[i] = (double)(i % 4);
    memcpy(copy, votes, sizeof votes);
    fill_guard(total, N + 1);
    const sl_panel_stats_out bad[] = {
        {NULL, 0, votes + 1, NULL, NULL, NULL, NULL},          /* total over the votes */
        {NULL, 0, total, total + 1, NULL, NULL, NULL},         /* two outputs partly shared */
        {NULL, 0, NULL, NULL, NULL, labels, labels + N - 1},   /* top_label over top_ties */
        {votes + 1, N, NULL, NULL, NULL, NULL, NULL},          /* distribution shifted by one */
        {votes, N, votes, NULL, NULL, NULL, NULL},             /* total in the in-place distribution */
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        if (sl_panel_stats_f64(votes, N, N, K, &bad[c], NULL) != SL_ERR_OVERLAP)
            fail_msg("overlap case %zu not refused", c);
        assert_memory_equal(votes, copy, sizeof votes);
        assert_all_guard(total, N + 1);
    }
    /* one label: total == votes is the same array, but only the distribution may be in place */
    const sl_panel_stats_out one_label = {NULL, 0, votes, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_panel_stats_f64(votes, N, N, 1, &one_label, NULL), SL_ERR_OVERLAP);
    /* in place gives the out-of-place distribution */
    const sl_panel_stats_out apart = {dist, N, total, entropy, share, labels, labels + N};
    assert_int_equal(sl_panel_stats_f64(votes, N, N, K, &apart, NULL), SL_OK);
    const sl_panel_stats_out in_place = {votes, N, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_panel_stats_f64(votes, N, N, K, &in_place, NULL), SL_OK);
    assert_memory_equal(votes, dist, sizeof dist);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_sizes),   cmocka_unit_test(test_payoff_sizes),
        cmocka_unit_test(test_panel_sizes),   cmocka_unit_test(test_score_overlap),
        cmocka_unit_test(test_sigmoid_overlap), cmocka_unit_test(test_payoff_overlap),
        cmocka_unit_test(test_panel_overlap),
        cmocka_unit_test(test_metrics_sizes), cmocka_unit_test(test_panel_stats_overlap),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
