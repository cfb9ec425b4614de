/*
 * sl_dawid_skene through the public API (its agreement with crowd-kit is tests/qa/ds_conformance.py):
 *  - defaults, argument errors (nothing written), invalid annotations left out with the first one
 *    reported and the others fitted exactly as if it were absent;
 *  - the same bits for 1, 2, 3 and 7 threads on 300,000 annotations;
 *  - items, labels and reviewers without annotations (NaN, 0, NaN), posteriors summing to 1
 *    within k * 1e-10, the 1e-10 floor, unanimous panels, a reviewer who always gives one label.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

typedef struct annotations {
    size_t n, items, reviewers, labels;
    uint32_t *item, *reviewer, *label;
} annotations;

/* items x per_item annotations from `reviewers` reviewers of accuracy 0.5 .. 0.95 (reviewer 0
 * always answers label 0), the true label uniform over `labels`. */
static annotations simulate(uint64_t seed, size_t items, size_t reviewers, size_t labels,
                            size_t per_item)
{
    annotations a = {items * per_item, items, reviewers, labels, NULL, NULL, NULL};
    a.item = malloc(a.n * sizeof *a.item);
    a.reviewer = malloc(a.n * sizeof *a.reviewer);
    a.label = malloc(a.n * sizeof *a.label);
    assert_non_null(a.item);
    assert_non_null(a.reviewer);
    assert_non_null(a.label);
    uint64_t s = seed;
    for (size_t i = 0; i < items; i++) {
        uint32_t truth = (uint32_t)(rng_next(&s) % labels);
        size_t first = rng_next(&s) % reviewers;
        for (size_t j = 0; j < per_item; j++) {
            size_t at = i * per_item + j;
            uint32_t r = (uint32_t)((first + j) % reviewers); /* distinct reviewers per item */
            double skill = 0.5 + 0.45 * (double)r / (double)reviewers;
            a.item[at] = (uint32_t)i;
            a.reviewer[at] = r;
            a.label[at] = r == 0 ? 0
                          : rng_uniform(&s, 0, 1) < skill ? truth
                                                          : (uint32_t)(rng_next(&s) % labels);
        }
    }
    return a;
}

static void annotations_free(annotations *a)
{
    free(a->item);
    free(a->reviewer);
    free(a->label);
}

typedef struct fit {
    double *posterior, *prior, *confusion, *accuracy;
    sl_dawid_skene_out out;
    sl_status status;
    size_t first_invalid;
} fit;

static fit run(const annotations *a, unsigned threads)
{
    fit f;
    f.posterior = malloc(a->items * a->labels * sizeof(double));
    f.prior = malloc(a->labels * sizeof(double));
    f.confusion = malloc(a->reviewers * a->labels * a->labels * sizeof(double));
    f.accuracy = malloc(a->reviewers * sizeof(double));
    f.out = (sl_dawid_skene_out){f.posterior, a->items, f.prior, f.confusion, f.accuracy, 0, 0, 0};
    sl_dawid_skene_options opt;
    sl_dawid_skene_options_default(&opt);
    opt.n_threads = threads;
    f.status = sl_dawid_skene(&opt, a->n, a->item, a->reviewer, a->label, a->items, a->reviewers,
                              a->labels, &f.out, &f.first_invalid);
    return f;
}

static void fit_free(fit *f)
{
    free(f->posterior);
    free(f->prior);
    free(f->confusion);
    free(f->accuracy);
}

/* The same bits everywhere (NaN equal to NaN). */
static void assert_same_fit(const fit *x, const fit *y, const annotations *a)
{
    assert_memory_equal(x->posterior, y->posterior, a->items * a->labels * sizeof(double));
    assert_memory_equal(x->prior, y->prior, a->labels * sizeof(double));
    assert_memory_equal(x->confusion, y->confusion,
                        a->reviewers * a->labels * a->labels * sizeof(double));
    assert_memory_equal(x->accuracy, y->accuracy, a->reviewers * sizeof(double));
    assert_int_equal(x->out.iterations, y->out.iterations);
    assert_int_equal(x->out.converged, y->out.converged);
    assert_memory_equal(&x->out.elbo_per_annotation, &y->out.elbo_per_annotation, sizeof(double));
}

static void defaults_and_argument_errors(void **state)
{
    (void)state;
    sl_dawid_skene_options opt;
    sl_dawid_skene_options_default(&opt);
    assert_int_equal(opt.max_iterations, 100);
    assert_true(opt.tolerance == 1e-5);
    assert_int_equal(opt.n_threads, 1);
    uint32_t zero = 0;
    double post = -7.0;
    sl_dawid_skene_out out = {&post, 1, NULL, NULL, NULL, 0, 0, 0};
    size_t bad = 99;
    assert_int_equal(sl_dawid_skene(NULL, 1, &zero, &zero, &zero, 1, 1, 1, &out, &bad),
                     SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, NULL, &zero, 1, 1, 1, &out, &bad),
                     SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 1, 1, NULL, &bad),
                     SL_ERR_NULL_ARGUMENT);
    out.posterior_ld = 0;
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 1, 1, &out, &bad),
                     SL_ERR_PANEL_SHAPE);
    out.posterior_ld = 1;
    opt.max_iterations = 0;
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 1, 1, &out, &bad),
                     SL_ERR_PARAM_DS_ITERATIONS);
    opt.max_iterations = 100;
    opt.tolerance = NAN;
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 1, 1, &out, &bad),
                     SL_ERR_PARAM_DS_TOLERANCE);
    opt.tolerance = 1e-5;
    opt.n_threads = 0;
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 1, 1, &out, &bad),
                     SL_ERR_THREAD_COUNT);
    opt.n_threads = SL_MAX_THREADS + 1;
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 1, 1, &out, &bad),
                     SL_ERR_THREAD_COUNT);
    opt.n_threads = 1;
    double acc[2];
    out.accuracy = acc;
    out.prior = acc + 1; /* inside accuracy (2 reviewers) */
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 2, 1, &out, &bad),
                     SL_ERR_OVERLAP);
    out.prior = NULL;
    out.posterior_ld = SIZE_MAX / 4;
    assert_int_equal(sl_dawid_skene(&opt, 1, &zero, &zero, &zero, 1, 1, 3, &out, &bad),
                     SL_ERR_SIZE_OVERFLOW);
    assert_true(post == -7.0); /* nothing written */
    assert_string_equal(sl_status_str(SL_ERR_DS_LABEL),
                        "an annotation's label index is not below the label count");
}

/* An out-of-range index at position j: that status, j reported, the rest fitted as without it. */
static void invalid_annotations_left_out(void **state)
{
    (void)state;
    annotations a = simulate(11, 300, 7, 3, 4);
    fit clean = run(&a, 1);
    assert_int_equal(clean.status, SL_OK);
    assert_int_equal(clean.first_invalid, a.n);
    const sl_status kinds[3] = {SL_ERR_DS_ITEM, SL_ERR_DS_REVIEWER, SL_ERR_DS_LABEL};
    for (int kind = 0; kind < 3; kind++) {
        annotations b = a;
        b.n = a.n + 2;
        b.item = malloc(b.n * sizeof *b.item);
        b.reviewer = malloc(b.n * sizeof *b.reviewer);
        b.label = malloc(b.n * sizeof *b.label);
        size_t j = 100 + 37 * (size_t)kind; /* two bad annotations inserted at j and j + 50 */
        for (size_t s = 0, d = 0; d < b.n; d++) {
            int bad = d == j || d == j + 50;
            b.item[d] = bad ? (kind == 0 ? (uint32_t)a.items : 0) : a.item[s];
            b.reviewer[d] = bad ? (kind == 1 ? (uint32_t)a.reviewers + 5 : 0) : a.reviewer[s];
            b.label[d] = bad ? (kind == 2 ? UINT32_MAX : 0) : a.label[s];
            s += !bad;
        }
        fit f = run(&b, 2);
        assert_int_equal(f.status, kinds[kind]);
        assert_int_equal(f.first_invalid, j);
        assert_same_fit(&f, &clean, &a);
        fit_free(&f);
        free(b.item);
        free(b.reviewer);
        free(b.label);
    }
    fit_free(&clean);
    annotations_free(&a);
}

static void same_bits_for_every_thread_count(void **state)
{
    (void)state;
    annotations a = simulate(5, 60000, 40, 4, 5); /* 300,000 annotations: up to 9 threads */
    fit one = run(&a, 1);
    assert_int_equal(one.status, SL_OK);
    assert_true(one.out.iterations >= 2);
    const unsigned threads[] = {2, 3, 7};
    for (size_t t = 0; t < 3; t++) {
        fit many = run(&a, threads[t]);
        assert_int_equal(many.status, SL_OK);
        assert_same_fit(&one, &many, &a);
        fit_free(&many);
    }
    fit_free(&one);
    annotations_free(&a);
}

/* Items 0 and 3 unannotated, label 1 unused, reviewer 2 silent; reviewer 0 always says 0. */
static void unused_items_labels_reviewers(void **state)
{
    (void)state;
    uint32_t item[] = {1, 1, 1, 2, 2, 2, 4, 4, 4, 5, 5};
    uint32_t rev[] = {0, 1, 3, 0, 1, 3, 0, 1, 3, 0, 3};
    uint32_t lab[] = {0, 0, 0, 0, 2, 2, 0, 2, 2, 0, 0};
    annotations a = {11, 6, 4, 3, item, rev, lab};
    fit f = run(&a, 1);
    assert_int_equal(f.status, SL_OK);
    for (size_t l = 0; l < 3; l++) {
        assert_true(isnan(f.posterior[l * 6 + 0]) && isnan(f.posterior[l * 6 + 3]));
        assert_true(f.posterior[1 * 6 + 1] == 0.0 && f.posterior[1 * 6 + 4] == 0.0);
    }
    assert_true(f.prior[1] == 0.0);
    assert_true(isnan(f.accuracy[2]));
    for (size_t j = 0; j < 9; j++)
        assert_true(isnan(f.confusion[2 * 9 + j]));
    for (size_t i = 0; i < 6; i++) {
        if (i == 0 || i == 3)
            continue;
        double sum = 0.0;
        for (size_t l = 0; l < 3; l++) {
            double p = f.posterior[l * 6 + i];
            assert_true(l == 1 ? p == 0.0 : p >= 1e-10 && p <= 1.0);
            sum += p;
        }
        assert_true(fabs(sum - 1.0) <= 2e-10);
    }
    /* reviewer 0 answered 0 only: its confusion column for every true label is (1, 0, 0) */
    for (size_t c = 0; c < 3; c += 2) {
        assert_true(f.confusion[(0 * 3 + 0) * 3 + c] == 1.0);
        assert_true(f.confusion[(0 * 3 + 2) * 3 + c] == 0.0);
    }
    /* reviewers 1 and 3: each true label's column sums to 1 over the labels they used */
    for (size_t r = 1; r < 4; r += 2)
        for (size_t c = 0; c < 3; c += 2) {
            double col = f.confusion[(r * 3 + 0) * 3 + c] + f.confusion[(r * 3 + 2) * 3 + c];
            assert_true(fabs(col - 1.0) <= 1e-15);
        }
    double acc0 = f.prior[0] * 1.0; /* sum_c prior_c e[c][c]: only c = 0 for reviewer 0 */
    assert_true(fabs(f.accuracy[0] - acc0) <= 1e-15);
    fit_free(&f);
}

/* Every reviewer agrees on every item: posteriors at the floor or 1 - floor, accuracy ~1. */
static void unanimous_panels(void **state)
{
    (void)state;
    enum { ITEMS = 50, REVIEWERS = 3 };
    uint32_t item[ITEMS * REVIEWERS], rev[ITEMS * REVIEWERS], lab[ITEMS * REVIEWERS];
    for (size_t i = 0; i < ITEMS; i++)
        for (size_t r = 0; r < REVIEWERS; r++) {
            item[i * REVIEWERS + r] = (uint32_t)i;
            rev[i * REVIEWERS + r] = (uint32_t)r;
            lab[i * REVIEWERS + r] = (uint32_t)(i % 2);
        }
    annotations a = {ITEMS * REVIEWERS, ITEMS, REVIEWERS, 2, item, rev, lab};
    fit f = run(&a, 1);
    assert_int_equal(f.status, SL_OK);
    assert_int_equal(f.out.converged, 1);
    for (size_t i = 0; i < ITEMS; i++) {
        assert_true(f.posterior[(i % 2) * ITEMS + i] > 1.0 - 1e-9);
        assert_true(f.posterior[(1 - i % 2) * ITEMS + i] == 1e-10); /* crowd-kit's floor */
    }
    for (size_t r = 0; r < REVIEWERS; r++)
        assert_true(f.accuracy[r] > 1.0 - 1e-8 && f.accuracy[r] <= 1.0 + 1e-9);
    fit_free(&f);
}

static void no_annotations(void **state)
{
    (void)state;
    annotations a = {0, 2, 2, 2, NULL, NULL, NULL};
    fit f = run(&a, 1);
    assert_int_equal(f.status, SL_OK);
    for (size_t j = 0; j < 4; j++)
        assert_true(isnan(f.posterior[j]));
    assert_true(isnan(f.accuracy[0]) && isnan(f.accuracy[1]));
    assert_true(f.prior[0] == 0.0 && f.prior[1] == 0.0);
    assert_int_equal(f.out.iterations, 0);
    assert_true(isnan(f.out.elbo_per_annotation));
    fit_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_argument_errors),
        cmocka_unit_test(invalid_annotations_left_out),
        cmocka_unit_test(same_bits_for_every_thread_count),
        cmocka_unit_test(unused_items_labels_reviewers),
        cmocka_unit_test(unanimous_panels),
        cmocka_unit_test(no_annotations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
