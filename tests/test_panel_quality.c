/*
 * sl_panel_quality_* on a small panel worked out by hand: per-task counts, alpha, entropy, gold
 * pass rates; per-reviewer leave-one-out agreement (ties, error marks, lone votes), confidences,
 * outlier order; the Dawid-Skene posteriors and accuracies equal to sl_dawid_skene's on the same
 * votes; errors. (Against independent implementations: tests/qa/check_report.py.)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

typedef struct rec {
    const char *item, *task, *reviewer, *label;
    double confidence;
    int error;
    const char *gold;
} rec;

/* Task t (a, b): i1 a a b; i2 a b b; i3 a a (r3's b marked as an error); i4 b (r1 alone).
 * Task u (x, y, z): j1 x x (gold x); j2 y z (gold z). */
static const rec RECS[] = {
    {"i1", "t", "r1", "a", 0.5, 0, NULL},  {"i1", "t", "r2", "a", NAN, 0, NULL},
    {"i1", "t", "r3", "b", 0.9, 0, NULL},  {"i2", "t", "r1", "a", 0.5, 0, NULL},
    {"i2", "t", "r2", "b", NAN, 0, NULL},  {"i2", "t", "r3", "b", 0.7, 0, NULL},
    {"i3", "t", "r1", "a", 0.5, 0, NULL},  {"i3", "t", "r2", "a", NAN, 0, NULL},
    {"i3", "t", "r3", "b", 0.2, 1, NULL},  {"i4", "t", "r1", "b", 0.5, 0, NULL},
    {"j1", "u", "r1", "x", 0.5, 0, "x"},   {"j1", "u", "r2", "x", NAN, 0, "x"},
    {"j2", "u", "r2", "y", NAN, 0, "z"},   {"j2", "u", "r3", "z", 0.4, 0, "z"},
};
#define N_RECS (sizeof RECS / sizeof RECS[0])

static sl_panel *make_panel(void)
{
    sl_panel_options o;
    sl_panel_options_default(&o);
    sl_panel *pb;
    assert_int_equal(sl_panel_create(&o, &pb), SL_OK);
    const char *t_labels[] = {"a", "b"}, *u_labels[] = {"x", "y", "z"};
    assert_int_equal(sl_panel_add_task(pb, "t", t_labels, 2), SL_OK);
    assert_int_equal(sl_panel_add_task(pb, "u", u_labels, 3), SL_OK);
    for (size_t j = 0; j < N_RECS; j++) {
        const rec *r = &RECS[j];
        sl_annotation a = {r->item, r->task, r->reviewer, r->label, r->confidence, r->error,
                           r->gold, NULL};
        assert_int_equal(sl_panel_add(pb, &a), SL_OK);
    }
    return pb;
}

static sl_panel_reviewer_quality reviewer_named(const sl_panel *pb, const sl_panel_quality *q,
                                                const char *name, size_t *position)
{
    for (size_t p = 0; p < sl_panel_quality_reviewer_count(q); p++) {
        sl_panel_reviewer_quality rq;
        sl_panel_reviewer rev;
        assert_int_equal(sl_panel_quality_reviewer(q, p, &rq), SL_OK);
        assert_int_equal(sl_panel_reviewer_get(pb, rq.reviewer, &rev), SL_OK);
        if (!strcmp(rev.name, name)) {
            *position = p;
            return rq;
        }
    }
    fail_msg("reviewer %s not found", name);
    return (sl_panel_reviewer_quality){0};
}

static void worked_example(void **state)
{
    (void)state;
    sl_panel *pb = make_panel();
    sl_panel_quality_options o;
    sl_panel_quality_options_default(&o);
    sl_panel_quality *q;
    assert_int_equal(sl_panel_quality_create(pb, &o, &q), SL_ERR_PANEL_STATE); /* not finished */
    assert_null(q);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    assert_int_equal(sl_panel_quality_create(pb, &o, &q), SL_OK);
    assert_int_equal(sl_panel_quality_task_count(q), 2);

    sl_panel_task_quality t, u;
    assert_int_equal(sl_panel_quality_task(q, 0, &t), SL_OK);
    assert_int_equal(sl_panel_quality_task(q, 1, &u), SL_OK);
    assert_int_equal(sl_panel_quality_task(q, 2, &u), SL_ERR_PANEL_INDEX);
    assert_int_equal(sl_panel_quality_task(q, 1, &u), SL_OK);
    assert_int_equal(t.items, 4);
    assert_int_equal(t.annotations, 9); /* 10 votes, one marked as an error */
    assert_int_equal(t.label_votes[0], 5);
    assert_int_equal(t.label_votes[1], 4);
    /* units i1 {a,a,b}, i2 {a,b,b}, i3 {a,a}: N = 8, A = 4, S = 5^2 + 3^2: 1 - 7*4/30 */
    assert_true(fabs(t.krippendorff_alpha - (1.0 - 28.0 / 30.0)) <= 1e-15);
    double h3 = -(2.0 / 3.0) * log2(2.0 / 3.0) - (1.0 / 3.0) * log2(1.0 / 3.0);
    assert_true(fabs(t.mean_entropy_bits - (2.0 * h3) / 4.0) <= 1e-15); /* i3, i4: 0 bits */
    assert_int_equal(t.classes[SL_MINOR], 2);
    assert_int_equal(t.classes[SL_AGREEMENT], 1);
    assert_int_equal(t.classes[SL_UNRESOLVED], 1);
    assert_true(isnan(t.gold_pass_rate));
    assert_int_equal(u.gold_items, 2);
    assert_int_equal(u.gold_votes, 4);
    assert_int_equal(u.gold_passes, 3);
    assert_true(u.gold_pass_rate == 0.75);
    assert_true(t.ds_iterations >= 1 && u.ds_iterations >= 1);

    /* leave-one-out: r1 on i1 ties (1/2), i2 disagrees, i3 agrees (r3's error mark does not
     * count), i4 alone (not compared); r2: 1/2, 1/2, 1, and j1 (x vs x: 1), j2 (y vs z: 0);
     * r3: 0, 1/2 (i3 is an error mark), j2 (z vs y: 0) */
    size_t p1, p2, p3;
    sl_panel_reviewer_quality r1 = reviewer_named(pb, q, "r1", &p1);
    sl_panel_reviewer_quality r2 = reviewer_named(pb, q, "r2", &p2);
    sl_panel_reviewer_quality r3 = reviewer_named(pb, q, "r3", &p3);
    assert_int_equal(r1.votes, 5);
    assert_int_equal(r1.compared, 4); /* i1, i2, i3, j1 */
    assert_true(fabs(r1.agreement - (0.5 + 0 + 1 + 1) / 4.0) <= 1e-15);
    assert_int_equal(r2.compared, 5);
    assert_true(fabs(r2.agreement - (0.5 + 0.5 + 1 + 1 + 0) / 5.0) <= 1e-15);
    assert_int_equal(r3.votes, 3);
    assert_int_equal(r3.error_marks, 1);
    assert_int_equal(r3.compared, 3);
    assert_true(fabs(r3.agreement - (0 + 0.5 + 0) / 3.0) <= 1e-15);
    assert_true(r1.mean_confidence == 0.5);
    assert_true(isnan(r2.mean_confidence) && r2.confidences == 0);
    assert_true(fabs(r3.mean_confidence - (0.9 + 0.7 + 0.4) / 3.0) <= 1e-15); /* not 0.2 */
    assert_true(r2.gold_pass_rate == 0.5 && r3.gold_pass_rate == 1.0);
    assert_true(p3 == 0 && p2 == 1 && p1 == 2); /* lowest agreement first */

    /* Dawid-Skene: the posteriors and accuracies of sl_dawid_skene on task t's votes */
    uint32_t item[] = {0, 0, 0, 1, 1, 1, 2, 2, 3};
    uint32_t rev[] = {0, 1, 2, 0, 1, 2, 0, 1, 0};
    uint32_t lab[] = {0, 0, 1, 0, 1, 1, 0, 0, 1};
    double post[8], acc[3];
    sl_dawid_skene_out out = {post, 4, NULL, NULL, acc, 0, 0, 0};
    assert_int_equal(sl_dawid_skene(&o.ds, 9, item, rev, lab, 4, 3, 2, &out, NULL), SL_OK);
    assert_int_equal(out.iterations, t.ds_iterations);
    for (size_t i = 0; i < 4; i++) {
        const double *p;
        assert_int_equal(sl_panel_quality_posterior(q, i, &p), SL_OK);
        assert_non_null(p);
        assert_true(p[0] == post[i] && p[1] == post[4 + i]);
    }
    assert_int_equal(r3.ds_votes, 3);
    sl_panel_quality_free(q);

    o.dawid_skene = 0;
    assert_int_equal(sl_panel_quality_create(pb, &o, &q), SL_OK);
    const double *p = post;
    assert_int_equal(sl_panel_quality_posterior(q, 0, &p), SL_OK);
    assert_null(p);
    assert_true(isnan(reviewer_named(pb, q, "r1", &p1).ds_accuracy));
    sl_panel_quality_free(q);
    sl_panel_free(pb);
}

/* Each reviewer's accuracy is its per-task accuracies weighted by its votes per task. */
static void accuracy_weighted_over_tasks(void **state)
{
    (void)state;
    sl_panel *pb = make_panel();
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    sl_panel_quality_options o;
    sl_panel_quality_options_default(&o);
    sl_panel_quality *q;
    assert_int_equal(sl_panel_quality_create(pb, &o, &q), SL_OK);
    /* task t as above; task u: j1 r1 x, r2 x; j2 r2 y, r3 z (reviewers 0, 1, 2) */
    uint32_t t_item[] = {0, 0, 0, 1, 1, 1, 2, 2, 3}, t_rev[] = {0, 1, 2, 0, 1, 2, 0, 1, 0};
    uint32_t t_lab[] = {0, 0, 1, 0, 1, 1, 0, 0, 1};
    uint32_t u_item[] = {0, 0, 1, 1}, u_rev[] = {0, 1, 1, 2}, u_lab[] = {0, 0, 1, 2};
    double acc_t[3], acc_u[3];
    sl_dawid_skene_out out = {NULL, 0, NULL, NULL, acc_t, 0, 0, 0};
    assert_int_equal(sl_dawid_skene(&o.ds, 9, t_item, t_rev, t_lab, 4, 3, 2, &out, NULL), SL_OK);
    out.accuracy = acc_u;
    assert_int_equal(sl_dawid_skene(&o.ds, 4, u_item, u_rev, u_lab, 2, 3, 3, &out, NULL), SL_OK);
    const double votes_t[3] = {4, 3, 2}, votes_u[3] = {1, 2, 1};
    for (size_t p = 0; p < 3; p++) {
        sl_panel_reviewer_quality rq;
        assert_int_equal(sl_panel_quality_reviewer(q, p, &rq), SL_OK);
        size_t r = rq.reviewer;
        double expected = (acc_t[r] * votes_t[r] + acc_u[r] * votes_u[r]) / (votes_t[r] + votes_u[r]);
        assert_true(fabs(rq.ds_accuracy - expected) <= 1e-15);
        assert_int_equal(rq.ds_votes, (size_t)(votes_t[r] + votes_u[r]));
    }
    sl_panel_quality_free(q);
    sl_panel_free(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(accuracy_weighted_over_tasks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
