/*
 * Every row of golden/proxy_cases.csv, with its configuration from proxy_configs.csv, scored on
 * every path this machine can run, in f64 and f32, against the SPEC section 1 bounds:
 *   f64: |dv_hat| <= 2e-15, |dp| <= 2e-15 max(1, k); the scalar f64 path reproduces the golden
 *        values exactly (SPEC: libm, written as the formulas)
 *   f32 (inputs rounded to float first): |dv_hat| <= 1e-6, |dp| <= 1e-6 max(1, k/2)
 * Prints the largest error seen per path and precision.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

typedef struct golden_set {
    size_t n;
    double *progress, *engagement, *v_hat, *p;
    int32_t *rework, *rejections, *misuse;
    float *progress32, *engagement32;
    sl_proxy px;
    double k;
    char name[64];
} golden_set;

static golden_set *sets;
static size_t n_sets;

static int load(void **state)
{
    (void)state;
    csv_table cfg = csv_read_golden("proxy_configs.csv");
    csv_table cases = csv_read_golden("proxy_cases.csv");
    sets = calloc(cfg.rows, sizeof *sets);
    n_sets = cfg.rows;
    for (size_t s = 0; s < cfg.rows; s++) {
        golden_set *g = &sets[s];
        snprintf(g->name, sizeof g->name, "%s", cfg.cells[s][csv_col(&cfg, "config_id")]);
        sl_proxy_params pp = {
            csv_double(&cfg, s, csv_col(&cfg, "w_progress")),
            csv_double(&cfg, s, csv_col(&cfg, "w_rework")),
            csv_double(&cfg, s, csv_col(&cfg, "w_verifier")),
            csv_double(&cfg, s, csv_col(&cfg, "w_engagement")),
            csv_double(&cfg, s, csv_col(&cfg, "sigmoid_k")),
            csv_double(&cfg, s, csv_col(&cfg, "rework_decay")),
            csv_double(&cfg, s, csv_col(&cfg, "rejection_decay")),
            csv_double(&cfg, s, csv_col(&cfg, "misuse_decay")),
        };
        g->k = pp.sigmoid_k;
        sl_status st = sl_proxy_init(&g->px, &pp);
        if (st != SL_OK)
            fail_msg("config %s rejected: %s", g->name, sl_status_str(st));
        size_t cap = cases.rows;
        g->progress = malloc(cap * sizeof(double));
        g->engagement = malloc(cap * sizeof(double));
        g->v_hat = malloc(cap * sizeof(double));
        g->p = malloc(cap * sizeof(double));
        g->rework = malloc(cap * sizeof(int32_t));
        g->rejections = malloc(cap * sizeof(int32_t));
        g->misuse = malloc(cap * sizeof(int32_t));
        g->progress32 = malloc(cap * sizeof(float));
        g->engagement32 = malloc(cap * sizeof(float));
        for (size_t r = 0; r < cases.rows; r++) {
            if (strcmp(cases.cells[r][csv_col(&cases, "config_id")], g->name) != 0)
                continue;
            size_t i = g->n++;
            g->progress[i] = csv_double(&cases, r, csv_col(&cases, "task_progress_delta"));
            g->engagement[i] = csv_double(&cases, r, csv_col(&cases, "counterparty_engagement_delta"));
            g->rework[i] = csv_int32(&cases, r, csv_col(&cases, "rework_count"));
            g->rejections[i] = csv_int32(&cases, r, csv_col(&cases, "verifier_rejections"));
            g->misuse[i] = csv_int32(&cases, r, csv_col(&cases, "tool_misuse_flags"));
            g->v_hat[i] = csv_double(&cases, r, csv_col(&cases, "v_hat"));
            g->p[i] = csv_double(&cases, r, csv_col(&cases, "p"));
            g->progress32[i] = (float)g->progress[i];
            g->engagement32[i] = (float)g->engagement[i];
        }
        if (g->n == 0)
            fail_msg("config %s has no golden rows", g->name);
    }
    csv_free(&cfg);
    csv_free(&cases);
    return 0;
}

static int unload(void **state)
{
    (void)state;
    for (size_t s = 0; s < n_sets; s++) {
        golden_set *g = &sets[s];
        free(g->progress); free(g->engagement); free(g->v_hat); free(g->p);
        free(g->rework); free(g->rejections); free(g->misuse);
        free(g->progress32); free(g->engagement32);
    }
    free(sets);
    return 0;
}

static void check_f64_on(const char *isa)
{
    force_isa(isa);
    double worst_v = 0, worst_p = 0;
    size_t rows = 0;
    for (size_t s = 0; s < n_sets; s++) {
        golden_set *g = &sets[s];
        double *v = malloc(g->n * sizeof(double)), *p = malloc(g->n * sizeof(double));
        sl_observables_f64 obs = {g->progress, g->rework, g->rejections, g->misuse, g->engagement};
        size_t bad = 0;
        assert_int_equal(sl_score_f64(&g->px, &obs, g->n, v, p, &bad), SL_OK);
        assert_int_equal(bad, g->n);
        double p_bound = 2e-15 * fmax(1.0, g->k);
        for (size_t i = 0; i < g->n; i++) {
            double dv = fabs(v[i] - g->v_hat[i]), dp = fabs(p[i] - g->p[i]);
            worst_v = fmax(worst_v, dv);
            worst_p = fmax(worst_p, dp / fmax(1.0, g->k));
            if (dv > 2e-15 || dp > p_bound)
                fail_msg("%s f64 config %s row %zu: v_hat %.17g (golden %.17g), p %.17g (golden %.17g)",
                         isa, g->name, i, v[i], g->v_hat[i], p[i], g->p[i]);
            if (strcmp(isa, "scalar") == 0 && (v[i] != g->v_hat[i] || p[i] != g->p[i]))
                fail_msg("scalar f64 is not exact: config %s row %zu: v_hat %.17g vs %.17g, p %.17g vs %.17g",
                         g->name, i, v[i], g->v_hat[i], p[i], g->p[i]);
        }
        rows += g->n;
        free(v);
        free(p);
    }
    printf("[golden] %-7s f64: %zu rows, max |dv_hat| %.3g, max |dp|/max(1,k) %.3g\n", isa, rows,
           worst_v, worst_p);
}

static void check_f32_on(const char *isa)
{
    force_isa(isa);
    double worst_v = 0, worst_p = 0;
    size_t rows = 0;
    for (size_t s = 0; s < n_sets; s++) {
        golden_set *g = &sets[s];
        float *v = malloc(g->n * sizeof(float)), *p = malloc(g->n * sizeof(float));
        sl_observables_f32 obs = {g->progress32, g->rework, g->rejections, g->misuse, g->engagement32};
        size_t bad = 0;
        assert_int_equal(sl_score_f32(&g->px, &obs, g->n, v, p, &bad), SL_OK);
        assert_int_equal(bad, g->n);
        double p_scale = fmax(1.0, g->k / 2.0);
        for (size_t i = 0; i < g->n; i++) {
            double dv = fabs((double)v[i] - g->v_hat[i]), dp = fabs((double)p[i] - g->p[i]);
            worst_v = fmax(worst_v, dv);
            worst_p = fmax(worst_p, dp / p_scale);
            if (dv > 1e-6 || dp > 1e-6 * p_scale)
                fail_msg("%s f32 config %s row %zu: v_hat %.9g (golden %.17g), p %.9g (golden %.17g)",
                         isa, g->name, i, (double)v[i], g->v_hat[i], (double)p[i], g->p[i]);
        }
        rows += g->n;
        free(v);
        free(p);
    }
    printf("[golden] %-7s f32: %zu rows, max |dv_hat| %.3g, max |dp|/max(1,k/2) %.3g\n", isa, rows,
           worst_v, worst_p);
}

static void golden_f64_every_path(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++)
        check_f64_on(*isa);
}

static void golden_f32_every_path(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++)
        check_f32_on(*isa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_f64_every_path),
        cmocka_unit_test(golden_f32_every_path),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
