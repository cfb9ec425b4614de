/*
 * The panel aggregation API (include/softlabel_panel.h) through the public header only: the SPEC
 * worked example, every field error (nothing added before is lost), the rubric's errors, the
 * conflicts found at finish, adjudication, flags, the QA figures against the dense kernels, the
 * same bits for every thread count, and the library items of issue #18 (sl_panel_stats_f64 size
 * overflow, sl_alpha_nominal_value(NULL)).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "softlabel.h"

static sl_panel *new_panel(size_t threads)
{
    sl_panel_options o;
    sl_panel_options_default(&o);
    o.threads = threads;
    sl_panel *pb = NULL;
    assert_int_equal(sl_panel_create(&o, &pb), SL_OK);
    assert_non_null(pb);
    return pb;
}

static sl_status add(sl_panel *pb, const char *item, const char *task, const char *reviewer,
                     const char *label)
{
    sl_annotation a = {item, task, reviewer, label, NAN, 0, NULL, NULL};
    return sl_panel_add(pb, &a);
}

/* SPEC 4's worked example: four reviewers split moderate, moderate, severe, mild. */
static void test_worked_example(void **state)
{
    (void)state;
    sl_panel *pb = new_panel(1);
    assert_int_equal(add(pb, "i1", "severity", "r1", "moderate"), SL_OK);
    assert_int_equal(add(pb, "i1", "severity", "r2", "moderate"), SL_OK);
    assert_int_equal(add(pb, "i1", "severity", "r3", "severe"), SL_OK);
    assert_int_equal(add(pb, "i1", "severity", "r4", "mild"), SL_OK);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    assert_int_equal(sl_panel_count(pb), 1);
    sl_panel_item it;
    assert_int_equal(sl_panel_get(pb, 0, &it), SL_OK);
    assert_string_equal(it.item_id, "i1");
    assert_string_equal(it.task, "severity");
    assert_int_equal(it.n_labels, 3); /* no rubric: the labels seen, sorted */
    assert_string_equal(it.labels[0], "mild");
    assert_string_equal(it.labels[1], "moderate");
    assert_string_equal(it.labels[2], "severe");
    assert_true(it.distribution[0] == 0.25 && it.distribution[1] == 0.5 &&
                it.distribution[2] == 0.25);
    assert_int_equal(it.reviewer_count, 4);
    assert_true(fabs(it.entropy_bits - 1.5) < 1e-15);
    assert_string_equal(it.disagreement_class, "major");
    assert_null(it.adjudicated_label);
    assert_string_equal(it.adjudication_reason, "not requested: the panel is kept as a soft label");
    assert_int_equal(it.n_votes, 4);
    assert_int_equal(it.n_label_votes, 3);
    /* the dense distribution is built once: the same pointer again */
    sl_panel_item again;
    assert_int_equal(sl_panel_get(pb, 0, &again), SL_OK);
    assert_ptr_equal(again.distribution, it.distribution);
    sl_panel_item sparse;
    assert_int_equal(sl_panel_get_sparse(pb, 0, &sparse), SL_OK);
    assert_null(sparse.distribution);
    assert_int_equal(sl_panel_get(pb, 1, &it), SL_ERR_PANEL_INDEX);
    sl_panel_free(pb);
}

/* Each bad field has its status, the annotation is not added and nothing before it is lost. */
static void test_field_errors(void **state)
{
    (void)state;
    sl_panel *pb = new_panel(1);
    assert_int_equal(add(pb, "i1", "t", "r1", "a"), SL_OK);
    assert_int_equal(add(pb, NULL, "t", "r2", "a"), SL_ERR_PANEL_ITEM_ID);
    assert_int_equal(add(pb, "", "t", "r2", "a"), SL_ERR_PANEL_ITEM_ID);
    assert_int_equal(add(pb, "i1", "", "r2", "a"), SL_ERR_PANEL_TASK);
    assert_int_equal(add(pb, "i1", "t", NULL, "a"), SL_ERR_PANEL_REVIEWER);
    assert_int_equal(add(pb, "i1", "t", "r2", ""), SL_ERR_PANEL_LABEL);
    sl_annotation a = {"i1", "t", "r2", "b", 1.5, 0, NULL, NULL};
    assert_int_equal(sl_panel_add(pb, &a), SL_ERR_PANEL_CONFIDENCE);
    a.confidence = -0.0001;
    assert_int_equal(sl_panel_add(pb, &a), SL_ERR_PANEL_CONFIDENCE);
    a.confidence = 0.5;
    a.error = 2;
    assert_int_equal(sl_panel_add(pb, &a), SL_ERR_PANEL_ERROR_MARK);
    assert_int_equal(sl_panel_add(pb, NULL), SL_ERR_NULL_ARGUMENT);
    sl_annotation_span s = {{"i2", 2}, {"t", 1}, {NULL, 3}, {"a", 1}, NAN, 0, {0}, {0}, 7};
    assert_int_equal(sl_panel_add_span(pb, &s), SL_ERR_NULL_ARGUMENT);
    /* a span may hold any bytes, a NUL included */
    s.reviewer = (sl_str){"r\0x", 3};
    assert_int_equal(sl_panel_add_span(pb, &s), SL_OK);
    assert_int_equal(add(pb, "i1", "t", "r2", "a"), SL_OK);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    assert_int_equal(add(pb, "i3", "t", "r1", "a"), SL_ERR_PANEL_STATE);
    assert_int_equal(sl_panel_finish(pb), SL_ERR_PANEL_STATE);
    assert_int_equal(sl_panel_count(pb), 2);
    sl_panel_item it;
    assert_int_equal(sl_panel_get(pb, 0, &it), SL_OK);
    assert_string_equal(it.item_id, "i1");
    assert_int_equal(it.reviewer_count, 2);
    assert_int_equal(it.votes[0].tag, 0);  /* sl_panel_add: the number of add calls before */
    assert_int_equal(it.votes[1].tag, 11);
    assert_int_equal(sl_panel_get(pb, 1, &it), SL_OK);
    assert_int_equal(it.votes[0].tag, 7);  /* sl_panel_add_span: the caller's */
    sl_panel_reviewer r;
    assert_int_equal(sl_panel_reviewer_get(pb, it.votes[0].reviewer, &r), SL_OK);
    assert_int_equal(r.name_len, 3);
    assert_memory_equal(r.name, "r\0x", 3);
    sl_panel_qa qa;
    assert_int_equal(sl_panel_qa_summary(pb, &qa), SL_OK);
    assert_int_equal(qa.items, 2);
    assert_int_equal(qa.annotations, 3);
    assert_int_equal(qa.reviewers, 3);
    sl_panel_free(pb);
}

static void test_options(void **state)
{
    (void)state;
    sl_panel_options o;
    sl_panel_options_default(&o);
    assert_int_equal(o.min_reviewers, 2);
    assert_true(o.majority == 2.0 / 3.0);
    assert_int_equal(o.adjudicate, 0);
    assert_true(o.flag_entropy == 0.5 && o.flag_confidence == 0.5);
    sl_panel *pb = (sl_panel *)&o; /* must be set to NULL on failure */
    sl_panel_options bad = o;
    bad.min_reviewers = 0;
    assert_int_equal(sl_panel_create(&bad, &pb), SL_ERR_PARAM_MIN_REVIEWERS);
    assert_null(pb);
    bad = o;
    bad.majority = 0.0;
    assert_int_equal(sl_panel_create(&bad, &pb), SL_ERR_PARAM_MAJORITY);
    bad = o;
    bad.adjudicate = 2;
    assert_int_equal(sl_panel_create(&bad, &pb), SL_ERR_PARAM_ADJUDICATE);
    bad = o;
    bad.flag_entropy = NAN;
    assert_int_equal(sl_panel_create(&bad, &pb), SL_ERR_PARAM_FLAG_ENTROPY);
    bad = o;
    bad.flag_confidence = 1.5;
    assert_int_equal(sl_panel_create(&bad, &pb), SL_ERR_PARAM_FLAG_CONFIDENCE);
    bad = o;
    bad.threads = SL_MAX_THREADS + 1;
    assert_int_equal(sl_panel_create(&bad, &pb), SL_ERR_THREAD_COUNT);
    assert_int_equal(sl_panel_create(NULL, &pb), SL_ERR_NULL_ARGUMENT);
    /* a zero-initialized struct with the contract's fields set works (threads 0: one) */
    sl_panel_options z = {2, 0.5, 0, 0.5, 0.5, 0};
    assert_int_equal(sl_panel_create(&z, &pb), SL_OK);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    assert_int_equal(sl_panel_count(pb), 0);
    sl_panel_qa qa;
    assert_int_equal(sl_panel_qa_summary(pb, &qa), SL_OK);
    assert_true(isnan(qa.mean_entropy_bits) && isnan(qa.krippendorff_alpha) &&
                isnan(qa.reviewer_gold_pass_rate));
    sl_panel_free(pb);
    sl_panel_free(NULL);
}

static void test_rubric(void **state)
{
    (void)state;
    sl_panel *pb = new_panel(1);
    const char *sev[] = {"mild", "moderate", "severe"};
    const char *twice[] = {"a", "b", "a"};
    const char *empty[] = {"a", ""};
    assert_int_equal(sl_panel_add_task(pb, "severity", sev, 3), SL_OK);
    assert_int_equal(sl_panel_add_task(pb, "severity", sev, 3), SL_ERR_PANEL_TASK_TWICE);
    assert_int_equal(sl_panel_add_task(pb, "x", twice, 3), SL_ERR_PANEL_LABEL_TWICE);
    assert_int_equal(sl_panel_add_task(pb, "x", empty, 2), SL_ERR_PANEL_LABEL);
    assert_int_equal(sl_panel_add_task(pb, "x", sev, 0), SL_ERR_PANEL_LABEL);
    assert_int_equal(sl_panel_add_task(pb, "", sev, 3), SL_ERR_PANEL_TASK);
    /* a refused entry leaves no trace: the same task with valid labels is accepted */
    const char *x[] = {"b", "a"};
    assert_int_equal(sl_panel_add_task(pb, "x", x, 2), SL_OK);
    assert_int_equal(sl_panel_set_adjudicate(pb, "x", 1), SL_OK);
    assert_int_equal(sl_panel_set_adjudicate(pb, "y", 1), SL_ERR_PANEL_UNKNOWN_TASK);
    assert_int_equal(sl_panel_set_adjudicate(pb, "x", 3), SL_ERR_PARAM_ADJUDICATE);
    assert_int_equal(add(pb, "i1", "severity", "r1", "mild"), SL_OK);
    assert_int_equal(sl_panel_add_task(pb, "late", sev, 3), SL_ERR_PANEL_STATE);
    assert_int_equal(add(pb, "i1", "other", "r2", "mild"), SL_ERR_PANEL_UNKNOWN_TASK);
    assert_int_equal(add(pb, "i1", "severity", "r2", "critical"), SL_ERR_PANEL_UNKNOWN_LABEL);
    assert_int_equal(add(pb, "i1", "x", "r2", "mild"), SL_ERR_PANEL_UNKNOWN_LABEL);
    sl_annotation g = {"i1", "severity", "r2", "severe", NAN, 0, "fatal", NULL};
    assert_int_equal(sl_panel_add(pb, &g), SL_ERR_PANEL_UNKNOWN_GOLD); /* added, gold ignored */
    assert_int_equal(add(pb, "i2", "x", "r1", "a"), SL_OK);
    assert_int_equal(add(pb, "i2", "x", "r2", "a"), SL_OK);
    assert_int_equal(add(pb, "i2", "x", "r3", "b"), SL_OK);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    assert_int_equal(sl_panel_task_count(pb), 2);
    sl_panel_task t;
    assert_int_equal(sl_panel_task_get(pb, 1, &t), SL_OK);
    assert_string_equal(t.name, "x");
    assert_string_equal(t.labels[0], "b"); /* the rubric's order */
    assert_int_equal(t.adjudicate, 1);
    sl_panel_item it;
    assert_int_equal(sl_panel_get(pb, 0, &it), SL_OK);
    assert_int_equal(it.n_labels, 3);
    assert_true(it.distribution[0] == 0.5 && it.distribution[1] == 0.0 &&
                it.distribution[2] == 0.5);
    assert_int_equal(it.gold, -1);
    assert_string_equal(it.disagreement_class, "unresolved"); /* a tie */
    assert_int_equal(sl_panel_get(pb, 1, &it), SL_OK);
    assert_string_equal(it.adjudicated_label, "a");
    assert_int_equal(it.adjudicated, 1);
    assert_string_equal(it.adjudication_reason, "plurality: hard labels requested for this task");
    assert_string_equal(it.disagreement_class, "minor");
    sl_panel_free(pb);
}

/* Duplicates and task conflicts are refused at finish whatever the order; gold conflicts keep the
 * vote. */
static void test_conflicts(void **state)
{
    (void)state;
    sl_panel *pb = new_panel(1);
    sl_annotation a[] = {
        {"i1", "t", "r1", "a", 0.9, 0, "a", NULL},  /* tag 0 */
        {"i1", "t", "r2", "b", 0.8, 0, "b", "why"}, /* tag 1: gold conflict with 0 */
        {"i1", "t", "r1", "b", NAN, 0, NULL, NULL}, /* tag 2: duplicate of 0 */
        {"i1", "u", "r3", "a", NAN, 0, NULL, NULL}, /* tag 3: task conflict with 0 */
        {"i1", "t", "r3", "a", NAN, 1, NULL, NULL}, /* tag 4: an error mark */
    };
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(sl_panel_add(pb, &a[i]), SL_OK);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    assert_int_equal(sl_panel_conflict_count(pb), 3);
    sl_panel_conflict c;
    assert_int_equal(sl_panel_conflict_get(pb, 0, &c), SL_OK);
    assert_true(c.tag == 1 && c.other_tag == 0 && c.status == SL_ERR_PANEL_GOLD_CONFLICT);
    assert_int_equal(sl_panel_conflict_get(pb, 1, &c), SL_OK);
    assert_true(c.tag == 2 && c.other_tag == 0 && c.status == SL_ERR_PANEL_DUPLICATE);
    assert_int_equal(sl_panel_conflict_get(pb, 2, &c), SL_OK);
    assert_true(c.tag == 3 && c.other_tag == 0 && c.status == SL_ERR_PANEL_TASK_CONFLICT);
    assert_int_equal(sl_panel_conflict_get(pb, 3, &c), SL_ERR_PANEL_INDEX);
    sl_panel_item it;
    assert_int_equal(sl_panel_get(pb, 0, &it), SL_OK);
    assert_int_equal(it.n_votes, 3);
    assert_int_equal(it.reviewer_count, 2);
    assert_int_equal(it.error_marks, 1);
    assert_int_equal(it.votes[2].error, 1);
    assert_string_equal(it.votes[1].evidence, "why");
    assert_int_equal(it.votes[1].evidence_len, 3);
    assert_null(it.votes[0].evidence);
    assert_string_equal(it.labels[it.gold], "a");
    assert_string_equal(it.adjudicated_label, "a");
    assert_string_equal(it.adjudication_reason,
                        "gold: the item has a verifiable answer; 1 reviewer record marked as error "
                        "by QA: excluded from the distribution, kept in the rationales");
    assert_true(it.mean_confidence == (0.9 + 0.8) / 2);
    assert_int_equal(it.confidences, 2);
    /* gold passes: r1 and r3 answered a (the gold), r2 b */
    sl_panel_reviewer r;
    for (size_t i = 0; i < sl_panel_reviewer_count(pb); i++) {
        assert_int_equal(sl_panel_reviewer_get(pb, i, &r), SL_OK);
        assert_int_equal(r.gold_items, 1);
        assert_int_equal(r.gold_passes, strcmp(r.name, "r2") != 0);
    }
    sl_panel_qa qa;
    assert_int_equal(sl_panel_qa_summary(pb, &qa), SL_OK);
    assert_true(fabs(qa.reviewer_gold_pass_rate - 2.0 / 3.0) < 1e-15);
    assert_int_equal(qa.gold_items, 1);
    assert_int_equal(qa.annotations, 3);
    sl_panel_free(pb);
}

/* A deterministic pseudo-random panel: items of three tasks, unsorted, with error marks,
 * confidences, gold answers and duplicates. */
static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33) % n;
}

static void fill_random(sl_panel *pb, size_t n)
{
    static const char *tasks[] = {"t0", "t1", "t2"};
    static const char *labels[] = {"a", "b", "c", "d", "e", "f", "g"};
    rng_state = 42;
    for (size_t i = 0; i < n; i++) {
        char item[32], reviewer[32], ev[32];
        uint32_t it = rnd((uint32_t)n / 4 + 1);
        snprintf(item, sizeof item, "item%u", it);
        snprintf(reviewer, sizeof reviewer, "r%u", rnd(12));
        snprintf(ev, sizeof ev, "ev%zu", i);
        sl_annotation a = {item, tasks[it % 3], reviewer, labels[rnd(3 + it % 3 * 2)],
                           rnd(3) ? rnd(101) / 100.0 : NAN, rnd(20) == 0,
                           rnd(10) == 0 ? labels[rnd(3)] : NULL, rnd(2) ? ev : NULL};
        sl_panel_add(pb, &a);
    }
}

/* The same bits for any thread count: every item field and the QA figures. */
static void test_threads_same_bits(void **state)
{
    (void)state;
    sl_panel *one = new_panel(1);
    fill_random(one, 20000);
    assert_int_equal(sl_panel_finish(one), SL_OK);
    size_t threads[] = {2, 3, 8};
    for (size_t t = 0; t < 3; t++) {
        sl_panel *pb = new_panel(threads[t]);
        fill_random(pb, 20000);
        assert_int_equal(sl_panel_finish(pb), SL_OK);
        assert_int_equal(sl_panel_count(pb), sl_panel_count(one));
        for (size_t i = 0; i < sl_panel_count(pb); i++) {
            sl_panel_item x, y;
            assert_int_equal(sl_panel_get(one, i, &x), SL_OK);
            assert_int_equal(sl_panel_get(pb, i, &y), SL_OK);
            assert_string_equal(x.item_id, y.item_id);
            assert_int_equal(x.n_labels, y.n_labels);
            assert_memory_equal(x.distribution, y.distribution, x.n_labels * sizeof(double));
            assert_memory_equal(&x.entropy_bits, &y.entropy_bits, sizeof(double));
            assert_int_equal(x.disagreement, y.disagreement);
            assert_int_equal(x.n_votes, y.n_votes);
            assert_string_equal(x.adjudication_reason, y.adjudication_reason);
        }
        sl_panel_qa a, b;
        assert_int_equal(sl_panel_qa_summary(one, &a), SL_OK);
        assert_int_equal(sl_panel_qa_summary(pb, &b), SL_OK);
        assert_memory_equal(&a, &b, sizeof a);
        assert_int_equal(sl_panel_conflict_count(pb), sl_panel_conflict_count(one));
        sl_panel_free(pb);
    }
    sl_panel_free(one);
}

/* Everything the library reports, recomputed from the items' votes with the dense kernels
 * (sl_panel_stats_f64, sl_panel_classify, sl_alpha_nominal_add): the same bits. */
static void test_against_dense_kernels(void **state)
{
    (void)state;
    sl_panel *pb = new_panel(2);
    fill_random(pb, 30000);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    sl_panel_rules rules;
    sl_panel_rules_default(&rules);
    sl_alpha_nominal acc;
    sl_alpha_nominal_init(&acc);
    double entropy_sum = 0.0, carry = 0.0;
    size_t with_votes = 0;
    for (size_t t = 0; t < sl_panel_task_count(pb); t++) {
        sl_panel_task task;
        assert_int_equal(sl_panel_task_get(pb, t, &task), SL_OK);
        size_t n = task.items, k = task.n_labels, row = 0;
        double *votes = calloc(n * k, sizeof *votes), *dist = calloc(n * k, sizeof *dist);
        double *total = calloc(n, sizeof *total), *entropy = calloc(n, sizeof *entropy);
        double *top = calloc(n, sizeof *top);
        int32_t *top_label = calloc(n, sizeof *top_label), *ties = calloc(n, sizeof *ties);
        size_t *index = calloc(n, sizeof *index);
        for (size_t i = 0; i < sl_panel_count(pb); i++) {
            sl_panel_item it;
            assert_int_equal(sl_panel_get_sparse(pb, i, &it), SL_OK);
            if (it.task_index != t)
                continue;
            for (size_t j = 0; j < it.n_votes; j++)
                if (!it.votes[j].error)
                    votes[it.votes[j].label * n + row] += 1.0;
            index[row++] = i;
        }
        assert_int_equal(row, n);
        sl_panel_stats_out out = {dist, n, total, entropy, top, top_label, ties};
        assert_int_equal(sl_panel_stats_f64(votes, n, n, k, &out, NULL), SL_OK);
        if (n)
            assert_int_equal(sl_alpha_nominal_add(&acc, votes, n, n, k, total), SL_OK);
        for (size_t r = 0; r < n; r++) {
            sl_panel_item it;
            assert_int_equal(sl_panel_get(pb, index[r], &it), SL_OK);
            for (size_t c = 0; c < k; c++)
                assert_memory_equal(&it.distribution[c], &dist[c * n + r], sizeof(double));
            assert_memory_equal(&it.entropy_bits, &entropy[r], sizeof(double));
            assert_int_equal(it.reviewer_count, (size_t)total[r]);
            assert_int_equal(it.top_label, top_label[r]);
            assert_int_equal(it.top_ties, ties[r]);
            int32_t reviewers = (int32_t)total[r];
            sl_disagreement cls;
            assert_int_equal(sl_panel_classify(&rules, 1, &reviewers, &top[r], &ties[r], &cls),
                             SL_OK);
            assert_int_equal(it.disagreement, cls);
        }
        free(votes);
        free(dist);
        free(total);
        free(entropy);
        free(top);
        free(top_label);
        free(ties);
        free(index);
    }
    for (size_t i = 0; i < sl_panel_count(pb); i++) { /* Neumaier, in item order */
        sl_panel_item it;
        assert_int_equal(sl_panel_get_sparse(pb, i, &it), SL_OK);
        if (!it.reviewer_count)
            continue;
        double h = it.entropy_bits, t = entropy_sum + h;
        carry += fabs(entropy_sum) >= fabs(h) ? (entropy_sum - t) + h : (h - t) + entropy_sum;
        entropy_sum = t;
        with_votes++;
    }
    sl_panel_qa qa;
    assert_int_equal(sl_panel_qa_summary(pb, &qa), SL_OK);
    double alpha = sl_alpha_nominal_value(&acc);
    assert_memory_equal(&qa.krippendorff_alpha, &alpha, sizeof alpha);
    double mean = (entropy_sum + carry) / (double)with_votes;
    assert_memory_equal(&qa.mean_entropy_bits, &mean, sizeof mean);
    assert_int_equal(qa.with_votes, with_votes);
    sl_panel_free(pb);
}

/* Issue #18, library: sl_panel_stats_f64 with sizes whose products overflow returns a status (it
 * crashed: n = SIZE_MAX, k * ld past the address space). */
static void test_stats_size_overflow(void **state)
{
    (void)state;
    double votes[4] = {1, 2, 3, 4}, total[2];
    sl_panel_stats_out out = {NULL, 0, total, NULL, NULL, NULL, NULL};
    size_t bad = 0;
    assert_int_equal(sl_panel_stats_f64(votes, SIZE_MAX, SIZE_MAX, 2, &out, &bad),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_panel_stats_f64(votes, SIZE_MAX / 2 + 1, 2, 3, &out, &bad),
                     SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_panel_stats_f64(votes, 2, 2, SIZE_MAX / 2 + 2, &out, &bad),
                     SL_ERR_SIZE_OVERFLOW);
    double dist[4];
    sl_panel_stats_out with_dist = {dist, SIZE_MAX / 2 + 1, total, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_panel_stats_f64(votes, 2, 2, 2, &with_dist, &bad), SL_ERR_SIZE_OVERFLOW);
    assert_int_equal(sl_panel_stats_f64(votes, 2, 2, 2, &out, &bad), SL_OK);
    assert_true(total[0] == 4.0 && total[1] == 6.0);
}

static void test_alpha_value_null(void **state)
{
    (void)state;
    assert_true(isnan(sl_alpha_nominal_value(NULL)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_rubric),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_threads_same_bits),
        cmocka_unit_test(test_against_dense_kernels),
        cmocka_unit_test(test_stats_size_overflow),
        cmocka_unit_test(test_alpha_value_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
