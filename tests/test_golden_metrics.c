/*
 * Every batch of golden/metrics_items.csv against golden/metrics_expected.jsonl (SPEC 3), on every
 * path this machine can run, three ways: one update with the whole batch; updates in random
 * chunks into one state; random chunks into several states merged in a random order. Every
 * metric within 1e-12 (1 + |v|), counts exact, nulls exactly where the reference has null, and
 * every key of the reference's object checked. Prints the largest error seen per path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_min.h"
#include "test_util.h"

typedef struct batch {
    long id;
    sl_payoff_params pp;
    size_t n;
    double *p, *tau, *c_a, *c_b, *r_a, *r_b;
    uint8_t *accepted;
    int8_t *truth;
    json_value expected; /* the whole line; "expected" inside */
} batch;

static batch *batches;
static size_t n_batches;
static double worst;

static char *slurp(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", SL_GOLDEN_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

static sl_payoff_params config(csv_table *cfg, const char *id)
{
    for (size_t r = 0; r < cfg->rows; r++)
        if (!strcmp(cfg->cells[r][csv_col(cfg, "config_id")], id))
            return (sl_payoff_params){
                csv_double(cfg, r, csv_col(cfg, "s_plus")), csv_double(cfg, r, csv_col(cfg, "s_minus")),
                csv_double(cfg, r, csv_col(cfg, "h")), csv_double(cfg, r, csv_col(cfg, "theta")),
                csv_double(cfg, r, csv_col(cfg, "rho_a")), csv_double(cfg, r, csv_col(cfg, "rho_b")),
                csv_double(cfg, r, csv_col(cfg, "w_rep"))};
    fail_msg("no payoff config %s", id);
    return (sl_payoff_params){0};
}

static void fill_batch(batch *b, csv_table *items)
{
    size_t cap = items->rows + 1;
    b->p = malloc(cap * sizeof(double));
    b->tau = malloc(cap * sizeof(double));
    b->c_a = malloc(cap * sizeof(double));
    b->c_b = malloc(cap * sizeof(double));
    b->r_a = malloc(cap * sizeof(double));
    b->r_b = malloc(cap * sizeof(double));
    b->accepted = malloc(cap);
    b->truth = malloc(cap);
    size_t id_col = csv_col(items, "batch_id"), gt_col = csv_col(items, "ground_truth");
    for (size_t r = 0; r < items->rows; r++) {
        if (strtol(items->cells[r][id_col], NULL, 10) != b->id)
            continue;
        size_t i = b->n++;
        b->p[i] = csv_double(items, r, csv_col(items, "p"));
        b->tau[i] = csv_double(items, r, csv_col(items, "tau"));
        b->c_a[i] = csv_double(items, r, csv_col(items, "c_a"));
        b->c_b[i] = csv_double(items, r, csv_col(items, "c_b"));
        b->r_a[i] = csv_double(items, r, csv_col(items, "r_a"));
        b->r_b[i] = csv_double(items, r, csv_col(items, "r_b"));
        b->accepted[i] = (uint8_t)csv_int32(items, r, csv_col(items, "accepted"));
        b->truth[i] = items->cells[r][gt_col][0] ? (int8_t)csv_int32(items, r, gt_col) : 0;
    }
}

static int load(void **state)
{
    (void)state;
    csv_table cfg = csv_read_golden("payoff_configs.csv");
    csv_table items = csv_read_golden("metrics_items.csv");
    char *text = slurp("metrics_expected.jsonl");
    for (char *c = text; *c; c++)
        n_batches += *c == '\n';
    batches = calloc(n_batches + 1, sizeof *batches);
    size_t k = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        batch *b = &batches[k++];
        if (json_parse(line, &b->expected) != 0)
            fail_msg("metrics_expected.jsonl line %zu: not JSON", k);
        b->id = (long)json_get(&b->expected, "batch_id")->number;
        b->pp = config(&cfg, json_get(&b->expected, "payoff_config_id")->string);
        fill_batch(b, &items);
        assert_int_equal(b->n, (size_t)json_get(&b->expected, "n")->number);
    }
    n_batches = k;
    size_t total = 0;
    for (size_t i = 0; i < n_batches; i++)
        total += batches[i].n;
    assert_int_equal(total, items.rows); /* every item belongs to a checked batch */
    free(text);
    csv_free(&cfg);
    csv_free(&items);
    return 0;
}

/* ---- comparison ---- */

typedef struct where {
    const char *isa, *mode;
    long batch;
} where;

static void check_number(const where *w, const char *key, const json_value *e, double got)
{
    if (!e || e->type != JSON_NUMBER)
        fail_msg("batch %ld: expected %s is not a number", w->batch, key);
    double err = fabs(got - e->number);
    if (!(err <= 1e-12 * (1 + fabs(e->number))))
        fail_msg("%s %s batch %ld %s: got %.17g, reference %.17g", w->isa, w->mode, w->batch, key,
                 got, e->number);
    worst = fmax(worst, err / (1 + fabs(e->number)));
}

static void check_count(const where *w, const char *key, const json_value *e, uint64_t got)
{
    if (!e || e->type != JSON_NUMBER || !e->is_integer || e->number != (double)got)
        fail_msg("%s %s batch %ld %s: got count %llu, reference %s %.17g", w->isa, w->mode,
                 w->batch, key, (unsigned long long)got, e && e->is_integer ? "int" : "non-int",
                 e ? e->number : NAN);
}

static void check_optional(const where *w, const char *key, const json_value *e, sl_opt_f64 got)
{
    if (!e)
        fail_msg("reference lacks %s", key);
    if (e->type == JSON_NULL) {
        if (got.present || !isnan(got.value))
            fail_msg("%s %s batch %ld %s: got %.17g, reference null", w->isa, w->mode, w->batch,
                     key, got.value);
        return;
    }
    if (!got.present)
        fail_msg("%s %s batch %ld %s: got null, reference %.17g", w->isa, w->mode, w->batch, key,
                 e->number);
    check_number(w, key, e, got.value);
}

/* A list of [a, b, count] triples; len is the report's list length. */
static void check_bins(const where *w, const char *key, const json_value *e, size_t len,
                       const double *a, const double *b, const uint64_t *count, size_t stride)
{
    if (!e || e->type != JSON_ARRAY || e->len != len)
        fail_msg("%s %s batch %ld %s: %zu bins, reference %zu", w->isa, w->mode, w->batch, key,
                 len, e ? e->len : 0);
    for (size_t i = 0; i < len; i++) {
        const json_value *t = &e->items[i];
        assert_int_equal(t->len, 3);
        const char *c = (const char *)count + i * stride;
        check_number(w, key, &t->items[0], *(const double *)((const char *)a + i * stride));
        check_number(w, key, &t->items[1], *(const double *)((const char *)b + i * stride));
        check_count(w, key, &t->items[2], *(const uint64_t *)c);
    }
}

static void check_report(const where *w, const sl_metrics_report *r, const json_value *x)
{
    static const char *const keys[] = {
        "toxicity_rate", "toxicity_rate_all", "conditional_loss_initiator",
        "conditional_loss_counterparty", "spread", "quality_gap", "participation_by_quality",
        "uncertain_fraction", "average_quality", "average_quality_accepted",
        "quality_distribution", "welfare_metrics", "calibration_error", "brier_score",
        "expected_calibration_error", "calibration_curve", "log_loss", "discrimination_auc",
        "quality_variance", "quality_variance_accepted", "payoff_variance_initiator",
        "payoff_variance_counterparty", "coefficient_of_variation"};
    size_t n_keys = sizeof keys / sizeof keys[0];
    assert_int_equal(x->len, n_keys); /* no key of the reference goes unchecked */
    for (size_t k = 0; k < n_keys; k++)
        if (!json_get(x, keys[k]))
            fail_msg("reference object lacks %s", keys[k]);

    check_number(w, "toxicity_rate", json_get(x, "toxicity_rate"), r->toxicity_rate);
    check_number(w, "toxicity_rate_all", json_get(x, "toxicity_rate_all"), r->toxicity_rate_all);
    check_number(w, "conditional_loss_initiator", json_get(x, "conditional_loss_initiator"),
                 r->conditional_loss_initiator);
    check_number(w, "conditional_loss_counterparty", json_get(x, "conditional_loss_counterparty"),
                 r->conditional_loss_counterparty);
    check_number(w, "spread", json_get(x, "spread"), r->spread);
    check_number(w, "quality_gap", json_get(x, "quality_gap"), r->quality_gap);
    const json_value *pq = json_get(x, "participation_by_quality");
    assert_int_equal(pq->len, 4);
    check_number(w, "high_quality_acceptance", json_get(pq, "high_quality_acceptance"),
                 r->high_quality_acceptance);
    check_number(w, "low_quality_acceptance", json_get(pq, "low_quality_acceptance"),
                 r->low_quality_acceptance);
    check_count(w, "high_quality_count", json_get(pq, "high_quality_count"), r->high_quality_count);
    check_count(w, "low_quality_count", json_get(pq, "low_quality_count"), r->low_quality_count);
    check_number(w, "uncertain_fraction", json_get(x, "uncertain_fraction"), r->uncertain_fraction);
    check_number(w, "average_quality", json_get(x, "average_quality"), r->average_quality);
    check_number(w, "average_quality_accepted", json_get(x, "average_quality_accepted"),
                 r->average_quality_accepted);
    check_bins(w, "quality_distribution", json_get(x, "quality_distribution"),
               r->quality_distribution_len, &r->quality_distribution[0].start,
               &r->quality_distribution[0].end, &r->quality_distribution[0].count,
               sizeof r->quality_distribution[0]);
    const json_value *wm = json_get(x, "welfare_metrics");
    assert_int_equal(wm->len, 5);
    check_number(w, "total_welfare", json_get(wm, "total_welfare"), r->total_welfare);
    check_number(w, "total_social_surplus", json_get(wm, "total_social_surplus"),
                 r->total_social_surplus);
    check_number(w, "net_social_welfare", json_get(wm, "net_social_welfare"), r->net_social_welfare);
    check_number(w, "avg_initiator_payoff", json_get(wm, "avg_initiator_payoff"),
                 r->avg_initiator_payoff);
    check_number(w, "avg_counterparty_payoff", json_get(wm, "avg_counterparty_payoff"),
                 r->avg_counterparty_payoff);
    check_optional(w, "calibration_error", json_get(x, "calibration_error"), r->calibration_error);
    check_optional(w, "brier_score", json_get(x, "brier_score"), r->brier_score);
    check_optional(w, "expected_calibration_error", json_get(x, "expected_calibration_error"),
                   r->expected_calibration_error);
    check_bins(w, "calibration_curve", json_get(x, "calibration_curve"), r->calibration_curve_len,
               &r->calibration_curve[0].mean_predicted, &r->calibration_curve[0].fraction_positive,
               &r->calibration_curve[0].count, sizeof r->calibration_curve[0]);
    check_optional(w, "log_loss", json_get(x, "log_loss"), r->log_loss);
    check_optional(w, "discrimination_auc", json_get(x, "discrimination_auc"), r->discrimination_auc);
    check_number(w, "quality_variance", json_get(x, "quality_variance"), r->quality_variance);
    check_number(w, "quality_variance_accepted", json_get(x, "quality_variance_accepted"),
                 r->quality_variance_accepted);
    check_number(w, "payoff_variance_initiator", json_get(x, "payoff_variance_initiator"),
                 r->payoff_variance_initiator);
    check_number(w, "payoff_variance_counterparty", json_get(x, "payoff_variance_counterparty"),
                 r->payoff_variance_counterparty);
    const json_value *cv = json_get(x, "coefficient_of_variation");
    assert_int_equal(cv->len, 3);
    check_number(w, "cv_p", json_get(cv, "cv_p"), r->cv_p);
    check_number(w, "cv_payoff_initiator", json_get(cv, "cv_payoff_initiator"), r->cv_payoff_initiator);
    check_number(w, "cv_payoff_counterparty", json_get(cv, "cv_payoff_counterparty"),
                 r->cv_payoff_counterparty);
}

/* ---- the three ways of accumulating a batch ---- */

static void update_rows(sl_metrics *m, const batch *b, size_t from, size_t len)
{
    sl_payoff_inputs_f64 in = {b->p + from, b->tau + from, b->c_a + from,
                               b->c_b + from, b->r_a + from, b->r_b + from};
    size_t bad;
    assert_int_equal(sl_metrics_update_f64(m, &in, b->accepted + from, b->truth + from, len, &bad),
                     SL_OK);
    assert_int_equal(bad, len);
}

static sl_metrics *one_pass(const batch *b)
{
    sl_metrics *m;
    assert_int_equal(sl_metrics_init(&m, &b->pp, 0), SL_OK);
    update_rows(m, b, 0, b->n);
    return m;
}

static sl_metrics *chunked(const batch *b, uint64_t *rng)
{
    sl_metrics *m;
    assert_int_equal(sl_metrics_init(&m, &b->pp, 0), SL_OK);
    for (size_t off = 0; off < b->n;) {
        size_t len = 1 + rng_next(rng) % 300;
        len = len > b->n - off ? b->n - off : len;
        update_rows(m, b, off, len);
        off += len;
    }
    return m;
}

static sl_metrics *merged(const batch *b, uint64_t *rng)
{
    enum { PARTS = 5 };
    sl_metrics *parts[PARTS];
    for (int k = 0; k < PARTS; k++)
        assert_int_equal(sl_metrics_init(&parts[k], &b->pp, 0), SL_OK);
    for (size_t off = 0; off < b->n;) {
        size_t len = 1 + rng_next(rng) % 200;
        len = len > b->n - off ? b->n - off : len;
        update_rows(parts[rng_next(rng) % PARTS], b, off, len);
        off += len;
    }
    /* merge as a random tree: repeatedly fold a random part into another */
    int alive = PARTS;
    while (alive > 1) {
        int from = (int)(rng_next(rng) % (uint64_t)alive), into = (from + 1) % alive;
        assert_int_equal(sl_metrics_merge(parts[into], parts[from]), SL_OK);
        sl_metrics_free(parts[from]);
        parts[from] = parts[--alive];
    }
    return parts[0];
}

static void test_golden_batches(void **state)
{
    (void)state;
    uint64_t rng = 2024;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        worst = 0.0;
        for (size_t i = 0; i < n_batches; i++) {
            const batch *b = &batches[i];
            const json_value *x = json_get(&b->expected, "expected");
            sl_metrics *ways[3] = {one_pass(b), chunked(b, &rng), merged(b, &rng)};
            static const char *const names[3] = {"one-pass", "chunked", "merged"};
            for (int k = 0; k < 3; k++) {
                sl_metrics_report r;
                assert_int_equal(sl_metrics_finalize(ways[k], &r), SL_OK);
                assert_int_equal(r.n, b->n);
                where w = {*isa, names[k], b->id};
                check_report(&w, &r, x);
                sl_metrics_report_free(&r);
                sl_metrics_free(ways[k]);
            }
        }
        printf("golden metrics %-7s: %zu batches x 3 ways, max |err|/(1+|v|) = %.3g\n", *isa,
               n_batches, worst);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_batches),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
