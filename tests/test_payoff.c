/*
 * Soft payoffs (SPEC 2):
 *  - every row of golden/payoff_cases.csv with its configuration from payoff_configs.csv, on every
 *    path this machine can run: f64 within 4e-15 (1 + |v|) (SPEC) and in fact exact (the kernels do
 *    the reference's operations in its order); f32 (inputs rounded to float) within
 *    1e-6 (1 + M), M the sum of the magnitudes of the terms of the expression;
 *    break_even_p and social_break_even_p of every configuration;
 *  - every SIMD path bit-identical to the scalar path, f64 and f32, for every length 0..67 (tails),
 *    NULL columns, NULL outputs, in-place outputs, and random invalid rows (never written, statuses);
 *  - parameter validation, one status per field; break-even errors;
 *  - the fused observables -> payoffs call equals scoring then payoffs on each path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

enum { S, E, PA, PB, SOC, WEL, N_OUT };
static const char *const out_names[N_OUT] = {"expected_surplus", "expected_harm",
                                             "payoff_initiator", "payoff_counterparty",
                                             "social_surplus", "total_welfare"};

typedef struct golden_cfg {
    char name[64];
    sl_payoff_params pp;
    double break_even, social_break_even;
    size_t n;
    double *p, *tau, *c_a, *c_b, *r_a, *r_b, *expected[N_OUT];
} golden_cfg;

static golden_cfg *cfgs;
static size_t n_cfgs;

static double *column_for(csv_table *t, size_t col, const char *id, size_t id_col, size_t n)
{
    double *v = malloc(n * sizeof(double));
    size_t k = 0;
    for (size_t r = 0; r < t->rows; r++)
        if (strcmp(t->cells[r][id_col], id) == 0)
            v[k++] = csv_double(t, r, col);
    return v;
}

static int load(void **state)
{
    (void)state;
    csv_table cfg = csv_read_golden("payoff_configs.csv");
    csv_table cases = csv_read_golden("payoff_cases.csv");
    n_cfgs = cfg.rows;
    cfgs = calloc(n_cfgs, sizeof *cfgs);
    size_t id_col = csv_col(&cases, "config_id");
    for (size_t c = 0; c < n_cfgs; c++) {
        golden_cfg *g = &cfgs[c];
        snprintf(g->name, sizeof g->name, "%s", cfg.cells[c][csv_col(&cfg, "config_id")]);
        g->pp = (sl_payoff_params){
            csv_double(&cfg, c, csv_col(&cfg, "s_plus")), csv_double(&cfg, c, csv_col(&cfg, "s_minus")),
            csv_double(&cfg, c, csv_col(&cfg, "h")), csv_double(&cfg, c, csv_col(&cfg, "theta")),
            csv_double(&cfg, c, csv_col(&cfg, "rho_a")), csv_double(&cfg, c, csv_col(&cfg, "rho_b")),
            csv_double(&cfg, c, csv_col(&cfg, "w_rep"))};
        g->break_even = csv_double(&cfg, c, csv_col(&cfg, "break_even_p"));
        g->social_break_even = csv_double(&cfg, c, csv_col(&cfg, "social_break_even_p"));
        for (size_t r = 0; r < cases.rows; r++)
            g->n += strcmp(cases.cells[r][id_col], g->name) == 0;
        if (g->n == 0)
            fail_msg("config %s has no golden rows", g->name);
        g->p = column_for(&cases, csv_col(&cases, "p"), g->name, id_col, g->n);
        g->tau = column_for(&cases, csv_col(&cases, "tau"), g->name, id_col, g->n);
        g->c_a = column_for(&cases, csv_col(&cases, "c_a"), g->name, id_col, g->n);
        g->c_b = column_for(&cases, csv_col(&cases, "c_b"), g->name, id_col, g->n);
        g->r_a = column_for(&cases, csv_col(&cases, "r_a"), g->name, id_col, g->n);
        g->r_b = column_for(&cases, csv_col(&cases, "r_b"), g->name, id_col, g->n);
        for (int o = 0; o < N_OUT; o++)
            g->expected[o] = column_for(&cases, csv_col(&cases, out_names[o]), g->name, id_col, g->n);
    }
    csv_free(&cfg);
    csv_free(&cases);
    return 0;
}

/* Magnitude scale of row i's terms, for the f32 bound. */
static double term_magnitude(const golden_cfg *g, size_t i)
{
    const sl_payoff_params *pp = &g->pp;
    double p = g->p[i], q = 1 - p;
    double S = fabs(p * pp->s_plus) + fabs(q * pp->s_minus), Ex = fabs(q * pp->h);
    return S + Ex + fabs(g->tau[i]) + fabs(g->c_a[i]) + fabs(g->c_b[i]) +
           pp->w_rep * (fabs(g->r_a[i]) + fabs(g->r_b[i])) + fabs(g->expected[PA][i]) +
           fabs(g->expected[PB][i]);
}

static void test_golden_f64(void **state)
{
    (void)state;
    size_t rows = 0;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        double worst = 0.0;
        size_t inexact = 0;
        for (size_t c = 0; c < n_cfgs; c++) {
            golden_cfg *g = &cfgs[c];
            double *got[N_OUT];
            for (int o = 0; o < N_OUT; o++)
                got[o] = malloc(g->n * sizeof(double));
            sl_payoff_inputs_f64 in = {g->p, g->tau, g->c_a, g->c_b, g->r_a, g->r_b};
            sl_payoff_outputs_f64 out = {got[S], got[E], got[PA], got[PB], got[SOC], got[WEL]};
            size_t bad = 99;
            assert_int_equal(sl_payoff_f64(&g->pp, &in, g->n, &out, &bad), SL_OK);
            assert_int_equal(bad, g->n);
            for (size_t i = 0; i < g->n; i++)
                for (int o = 0; o < N_OUT; o++) {
                    double v = g->expected[o][i], err = fabs(got[o][i] - v);
                    if (err > 4e-15 * (1 + fabs(v)))
                        fail_msg("%s %s row %zu %s: %.17g, golden %.17g", *isa, g->name, i,
                                 out_names[o], got[o][i], v);
                    inexact += got[o][i] != v;
                    worst = fmax(worst, err / (1 + fabs(v)));
                }
            if (strcmp(*isa, "scalar") == 0)
                rows += g->n;
            for (int o = 0; o < N_OUT; o++)
                free(got[o]);
        }
        printf("payoff f64 %-7s: max |err|/(1+|v|) = %.3g, outputs differing from golden: %zu\n",
               *isa, worst, inexact);
        assert_int_equal(inexact, 0); /* the reference's operations in its order: exact */
    }
    assert_int_equal(rows, 1000);
}

static float *to_f32(const double *v, size_t n)
{
    float *f = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        f[i] = (float)v[i];
    return f;
}

static void test_golden_f32(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        double worst = 0.0;
        for (size_t c = 0; c < n_cfgs; c++) {
            golden_cfg *g = &cfgs[c];
            float *p = to_f32(g->p, g->n), *tau = to_f32(g->tau, g->n), *c_a = to_f32(g->c_a, g->n),
                  *c_b = to_f32(g->c_b, g->n), *r_a = to_f32(g->r_a, g->n), *r_b = to_f32(g->r_b, g->n);
            float *got[N_OUT];
            for (int o = 0; o < N_OUT; o++)
                got[o] = malloc(g->n * sizeof(float));
            sl_payoff_inputs_f32 in = {p, tau, c_a, c_b, r_a, r_b};
            sl_payoff_outputs_f32 out = {got[S], got[E], got[PA], got[PB], got[SOC], got[WEL]};
            assert_int_equal(sl_payoff_f32(&g->pp, &in, g->n, &out, NULL), SL_OK);
            for (size_t i = 0; i < g->n; i++) {
                double bound = 1e-6 * (1 + term_magnitude(g, i));
                for (int o = 0; o < N_OUT; o++) {
                    double err = fabs((double)got[o][i] - g->expected[o][i]);
                    if (err > bound)
                        fail_msg("f32 %s %s row %zu %s: %.9g, golden %.17g", *isa, g->name, i,
                                 out_names[o], (double)got[o][i], g->expected[o][i]);
                    worst = fmax(worst, err / bound * 1e-6);
                }
            }
            free(p); free(tau); free(c_a); free(c_b); free(r_a); free(r_b);
            for (int o = 0; o < N_OUT; o++)
                free(got[o]);
        }
        printf("payoff f32 %-7s: max |err|/(1+M) = %.3g (bound 1e-6)\n", *isa, worst);
    }
}

static void test_break_even(void **state)
{
    (void)state;
    for (size_t c = 0; c < n_cfgs; c++) {
        double be, sbe;
        assert_int_equal(sl_break_even_p(&cfgs[c].pp, &be), SL_OK);
        assert_int_equal(sl_social_break_even_p(&cfgs[c].pp, &sbe), SL_OK);
        assert_true(be == cfgs[c].break_even);
        assert_true(sbe == cfgs[c].social_break_even);
    }
    sl_payoff_params zero = {0, 0, 0, 0.5, 0, 0, 1};
    double out = 42;
    assert_int_equal(sl_break_even_p(&zero, &out), SL_ERR_BREAK_EVEN_UNDEFINED);
    assert_int_equal(sl_social_break_even_p(&zero, &out), SL_ERR_BREAK_EVEN_UNDEFINED);
    assert_true(out == 42);
    zero.h = 1; /* social denominator no longer 0 */
    assert_int_equal(sl_social_break_even_p(&zero, &out), SL_OK);
    assert_true(out == 1.0);
    assert_int_equal(sl_break_even_p(NULL, &out), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_break_even_p(&zero, NULL), SL_ERR_NULL_ARGUMENT);
}

static void test_validation(void **state)
{
    (void)state;
    sl_payoff_params d;
    sl_payoff_params_default(&d);
    assert_true(d.s_plus == 2 && d.s_minus == 1 && d.h == 2 && d.theta == 0.5 && d.rho_a == 0 &&
                d.rho_b == 0 && d.w_rep == 1);
    assert_int_equal(sl_payoff_validate(&d), SL_OK);
    assert_int_equal(sl_payoff_validate(NULL), SL_ERR_NULL_ARGUMENT);
    struct { double *field; double bad; sl_status st; } cases[] = {
        {&d.s_plus, -1e-300, SL_ERR_PARAM_S_PLUS}, {&d.s_plus, INFINITY, SL_ERR_PARAM_S_PLUS},
        {&d.s_minus, NAN, SL_ERR_PARAM_S_MINUS}, {&d.h, -1, SL_ERR_PARAM_H},
        {&d.theta, 1.0000000001, SL_ERR_PARAM_THETA}, {&d.theta, NAN, SL_ERR_PARAM_THETA},
        {&d.rho_a, -0.1, SL_ERR_PARAM_RHO_A}, {&d.rho_b, 2, SL_ERR_PARAM_RHO_B},
        {&d.w_rep, 100.5, SL_ERR_PARAM_W_REP}, {&d.w_rep, NAN, SL_ERR_PARAM_W_REP},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sl_payoff_params_default(&d);
        double keep = *cases[c].field;
        *cases[c].field = cases[c].bad;
        assert_int_equal(sl_payoff_validate(&d), cases[c].st);
        double p = 0.5, out = 7;
        sl_payoff_inputs_f64 in = {&p, NULL, NULL, NULL, NULL, NULL};
        sl_payoff_outputs_f64 o = {&out, NULL, NULL, NULL, NULL, NULL};
        assert_int_equal(sl_payoff_f64(&d, &in, 1, &o, NULL), cases[c].st);
        assert_true(out == 7); /* nothing computed */
        *cases[c].field = keep;
    }
    /* edges of the ranges are valid */
    sl_payoff_params edge = {0, 0, 0, 1, 1, 0, 100};
    assert_int_equal(sl_payoff_validate(&edge), SL_OK);
    /* the first bad field in field order decides */
    sl_payoff_params two = {-1, 0, 0, 2, 0, 0, 1};
    assert_int_equal(sl_payoff_validate(&two), SL_ERR_PARAM_S_PLUS);
}

/* Random rows, a share of them invalid in one field each; columns optionally NULL. */
typedef struct rows_f64 {
    size_t n;
    double *col[6]; /* p, tau, c_a, c_b, r_a, r_b */
} rows_f64;

static rows_f64 random_rows(size_t n, uint64_t seed, int with_invalid)
{
    rows_f64 r = {n, {0}};
    for (int c = 0; c < 6; c++)
        r.col[c] = malloc((n + 1) * sizeof(double));
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        r.col[0][i] = rng_uniform(&s, 0, 1);
        if (rng_next(&s) % 16 == 0) /* exact edges and ties */
            r.col[0][i] = (double)(rng_next(&s) % 3) / 2;
        for (int c = 1; c < 6; c++)
            r.col[c][i] = rng_uniform(&s, -3, 3);
        if (with_invalid && rng_next(&s) % 9 == 0) {
            static const double bad_p[] = {NAN, -1e-17, 1.0000000000000002, INFINITY};
            static const double bad_col[] = {NAN, INFINITY, -INFINITY};
            int which = (int)(rng_next(&s) % 7);
            if (which == 0)
                r.col[0][i] = bad_p[rng_next(&s) % 4];
            else if (which == 6)
                r.col[1][i] = 1e308, r.col[4][i] = 1e308; /* finite, but pi_b overflows */
            else
                r.col[which][i] = bad_col[rng_next(&s) % 3];
        }
    }
    return r;
}

static void free_rows(rows_f64 *r)
{
    for (int c = 0; c < 6; c++)
        free(r->col[c]);
}

/* Independent statement of row validity: p in [0, 1], payoffs finite (SPEC 2 + header). */
static int row_valid(const sl_payoff_params *pp, const sl_payoff_inputs_f64 *in, size_t i)
{
    double p = in->p[i];
    double tau = in->tau ? in->tau[i] : 0, c_a = in->c_a ? in->c_a[i] : 0;
    double c_b = in->c_b ? in->c_b[i] : 0, r_a = in->r_a ? in->r_a[i] : 0;
    double r_b = in->r_b ? in->r_b[i] : 0;
    double S = p * pp->s_plus - (1 - p) * pp->s_minus, E = (1 - p) * pp->h;
    double a = pp->theta * S - tau - c_a - pp->rho_a * E + pp->w_rep * r_a;
    double b = (1 - pp->theta) * S + tau - c_b - pp->rho_b * E + pp->w_rep * r_b;
    return p >= 0 && p <= 1 && isfinite(a) && isfinite(b) && isfinite(a + b) && isfinite(S - E);
}

/* Runs sl_payoff_f64 on `isa` into fresh outputs prefilled with a sentinel. */
static sl_status run_f64(const char *isa, const sl_payoff_params *pp, const sl_payoff_inputs_f64 *in,
                         size_t n, double *outs[N_OUT], int null_mask, size_t *bad)
{
    force_isa(isa);
    for (int o = 0; o < N_OUT; o++)
        for (size_t i = 0; i < n + 1; i++)
            outs[o][i] = -12345.0;
    sl_payoff_outputs_f64 out = {
        null_mask & 1 ? NULL : outs[S], null_mask & 2 ? NULL : outs[E],
        null_mask & 4 ? NULL : outs[PA], null_mask & 8 ? NULL : outs[PB],
        null_mask & 16 ? NULL : outs[SOC], null_mask & 32 ? NULL : outs[WEL]};
    return sl_payoff_f64(pp, in, n, &out, bad);
}

static void test_simd_equals_scalar_f64(void **state)
{
    (void)state;
    sl_payoff_params pp = {3.1, 4.7, 1.9, 0.88, 0.53, 0.6, 1.77};
    double *ref[N_OUT], *got[N_OUT];
    for (int o = 0; o < N_OUT; o++) {
        ref[o] = malloc(200 * sizeof(double));
        got[o] = malloc(200 * sizeof(double));
    }
    for (size_t n = 0; n < 68; n++) {
        rows_f64 r = random_rows(n, 1000 + n, 1);
        for (int null_cols = 0; null_cols < 32; null_cols += 7) {
            sl_payoff_inputs_f64 in = {r.col[0], null_cols & 1 ? NULL : r.col[1],
                                       null_cols & 2 ? NULL : r.col[2], null_cols & 4 ? NULL : r.col[3],
                                       null_cols & 8 ? NULL : r.col[4], null_cols & 16 ? NULL : r.col[5]};
            int null_outs = (int)((n * 7 + (size_t)null_cols) % 64);
            size_t bad_ref, bad;
            sl_status st_ref = run_f64("scalar", &pp, &in, n, ref, null_outs, &bad_ref);
            /* the scalar path: exactly the invalid rows keep the sentinel; the first is reported */
            size_t first_expected = n;
            for (size_t i = 0; i < n; i++) {
                int valid = row_valid(&pp, &in, i);
                if (!valid && first_expected == n)
                    first_expected = i;
                for (int o = 0; o < N_OUT; o++)
                    if (!(null_outs & (1 << o)))
                        assert_int_equal(ref[o][i] == -12345.0, !valid);
            }
            assert_int_equal(bad_ref, first_expected);
            assert_int_equal(st_ref == SL_OK, bad_ref == n);
            if (bad_ref < n && !(r.col[0][bad_ref] >= 0 && r.col[0][bad_ref] <= 1))
                assert_int_equal(st_ref, SL_ERR_INVALID_P);
            for (const char *const *isa = supported_isas(); *isa; isa++) {
                sl_status st = run_f64(*isa, &pp, &in, n, got, null_outs, &bad);
                assert_int_equal(st, st_ref);
                assert_int_equal(bad, bad_ref);
                for (int o = 0; o < N_OUT; o++)
                    if (memcmp(got[o], ref[o], (n + 1) * sizeof(double)) != 0)
                        fail_msg("%s differs from scalar: n %zu, output %s", *isa, n, out_names[o]);
            }
        }
        free_rows(&r);
    }
    for (int o = 0; o < N_OUT; o++) {
        free(ref[o]);
        free(got[o]);
    }
}

/* Statuses of single bad rows, in field order, and their outputs untouched. */
static void test_row_statuses(void **state)
{
    (void)state;
    sl_payoff_params pp;
    sl_payoff_params_default(&pp);
    struct { int col; double v; sl_status st; } cases[] = {
        {0, NAN, SL_ERR_INVALID_P}, {0, -0.5, SL_ERR_INVALID_P}, {0, 1.5, SL_ERR_INVALID_P},
        {1, NAN, SL_ERR_NONFINITE_TAU}, {2, INFINITY, SL_ERR_NONFINITE_C_A},
        {3, -INFINITY, SL_ERR_NONFINITE_C_B}, {4, NAN, SL_ERR_NONFINITE_R_A},
        {5, INFINITY, SL_ERR_NONFINITE_R_B}, {4, 1.7e308, SL_ERR_PAYOFF_OVERFLOW},
    };
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            double col[6][20];
            for (int k = 0; k < 6; k++)
                for (int i = 0; i < 20; i++)
                    col[k][i] = k == 0 ? 0.25 : 0.1;
            col[cases[c].col][13] = cases[c].v;
            if (cases[c].st == SL_ERR_PAYOFF_OVERFLOW)
                col[5][13] = cases[c].v; /* pi_a, pi_b finite; their sum is not */
            col[0][17] = NAN; /* a later bad row does not change the report */
            double w[20];
            for (int i = 0; i < 20; i++)
                w[i] = -1;
            sl_payoff_inputs_f64 in = {col[0], col[1], col[2], col[3], col[4], col[5]};
            sl_payoff_outputs_f64 out = {NULL, NULL, NULL, NULL, NULL, w};
            size_t bad;
            assert_int_equal(sl_payoff_f64(&pp, &in, 20, &out, &bad), cases[c].st);
            assert_int_equal(bad, 13);
            for (int i = 0; i < 20; i++)
                assert_true((i == 13 || i == 17) ? w[i] == -1 : isfinite(w[i]) && w[i] != -1);
        }
    }
    /* p given in a fused call; NULL arguments */
    double p = 0.5;
    sl_payoff_inputs_f64 with_p = {&p, NULL, NULL, NULL, NULL, NULL};
    sl_payoff_outputs_f64 out = {NULL, NULL, NULL, NULL, NULL, NULL};
    sl_proxy px;
    sl_proxy_params xp;
    sl_proxy_params_default(&xp);
    sl_proxy_init(&px, &xp);
    double prog = 0, eng = 0;
    int32_t zero = 0;
    sl_observables_f64 obs = {&prog, &zero, &zero, NULL, &eng};
    assert_int_equal(sl_payoff_observables_f64(&pp, &px, &obs, &with_p, 1, &out, NULL), SL_ERR_P_GIVEN);
    sl_payoff_inputs_f64 no_p = {NULL, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_payoff_f64(&pp, &no_p, 1, &out, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_payoff_f64(&pp, &no_p, 0, &out, NULL), SL_OK);
}

static void test_in_place(void **state)
{
    (void)state;
    sl_payoff_params pp = {2, 1, 2, 0.3, 0.5, 0.5, 1};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        rows_f64 r = random_rows(37, 77, 0);
        double ref[37];
        sl_payoff_inputs_f64 in = {r.col[0], r.col[1], r.col[2], r.col[3], r.col[4], r.col[5]};
        sl_payoff_outputs_f64 o_ref = {NULL, NULL, NULL, NULL, NULL, ref};
        assert_int_equal(sl_payoff_f64(&pp, &in, 37, &o_ref, NULL), SL_OK);
        sl_payoff_outputs_f64 o_in = {NULL, NULL, NULL, NULL, NULL, r.col[0]}; /* over p */
        assert_int_equal(sl_payoff_f64(&pp, &in, 37, &o_in, NULL), SL_OK);
        assert_memory_equal(ref, r.col[0], sizeof ref);
        free_rows(&r);
    }
}

static void test_simd_equals_scalar_f32(void **state)
{
    (void)state;
    sl_payoff_params pp = {0.19, 0.8, 2.4, 0.04, 0.98, 0.74, 2.75};
    for (size_t n = 0; n < 70; n += 3) {
        rows_f64 r = random_rows(n, 500 + n, 1);
        float *c[6], *ref[N_OUT], *got[N_OUT];
        for (int k = 0; k < 6; k++)
            c[k] = to_f32(r.col[k], n + 1);
        for (int o = 0; o < N_OUT; o++) {
            ref[o] = calloc(n + 1, sizeof(float));
            got[o] = calloc(n + 1, sizeof(float));
        }
        sl_payoff_inputs_f32 in = {c[0], c[1], c[2], c[3], c[4], c[5]};
        force_isa("scalar");
        size_t bad_ref, bad;
        sl_payoff_outputs_f32 o_ref = {ref[0], ref[1], ref[2], ref[3], ref[4], ref[5]};
        sl_status st_ref = sl_payoff_f32(&pp, &in, n, &o_ref, &bad_ref);
        for (const char *const *isa = supported_isas(); *isa; isa++) {
            force_isa(*isa);
            sl_payoff_outputs_f32 o = {got[0], got[1], got[2], got[3], got[4], got[5]};
            assert_int_equal(sl_payoff_f32(&pp, &in, n, &o, &bad), st_ref);
            assert_int_equal(bad, bad_ref);
            for (int k = 0; k < N_OUT; k++)
                if (memcmp(got[k], ref[k], n * sizeof(float)) != 0)
                    fail_msg("f32 %s differs from scalar: n %zu, %s", *isa, n, out_names[k]);
        }
        for (int k = 0; k < 6; k++)
            free(c[k]);
        for (int o = 0; o < N_OUT; o++) {
            free(ref[o]);
            free(got[o]);
        }
        free_rows(&r);
    }
}

/* Fused observables -> payoffs == sl_score then sl_payoff, on each path, with invalid rows. */
static void test_fused(void **state)
{
    (void)state;
    enum { N = 1000 };
    sl_payoff_params pp = {2, 1, 2, 0.3, 0.5, 0.5, 1};
    sl_proxy px;
    sl_proxy_params xp;
    sl_proxy_params_default(&xp);
    assert_int_equal(sl_proxy_init(&px, &xp), SL_OK);
    static double prog[N], eng[N], p[N], a[N], b[N], tau[N];
    static int32_t rw[N], rj[N], mu[N];
    static float prog32[N], eng32[N], p32[N], a32[N], b32[N], tau32[N];
    uint64_t s = 9;
    for (int i = 0; i < N; i++) {
        prog[i] = rng_uniform(&s, -1.2, 1.2);
        eng[i] = rng_uniform(&s, -1.2, 1.2);
        rw[i] = (int32_t)(rng_next(&s) % 4);
        rj[i] = (int32_t)(rng_next(&s) % 3);
        mu[i] = (int32_t)(rng_next(&s) % 2);
        tau[i] = rng_uniform(&s, -1, 1);
        if (i == 300) prog[i] = NAN;
        if (i == 301) rj[i] = -1;
        if (i == 500) tau[i] = INFINITY;
        prog32[i] = (float)prog[i];
        eng32[i] = (float)eng[i];
        tau32[i] = (float)tau[i];
    }
    sl_observables_f64 obs = {prog, rw, rj, mu, eng};
    sl_observables_f32 obs32 = {prog32, rw, rj, mu, eng32};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int i = 0; i < N; i++)
            p[i] = a[i] = b[i] = -7, p32[i] = a32[i] = b32[i] = -7;
        sl_score_f64(&px, &obs, N, NULL, p, NULL);
        sl_payoff_inputs_f64 in = {p, tau, NULL, NULL, NULL, NULL};
        sl_payoff_outputs_f64 out_a = {NULL, NULL, a, NULL, NULL, NULL};
        size_t bad;
        sl_status st = sl_payoff_f64(&pp, &in, N, &out_a, &bad);
        assert_int_equal(st, SL_ERR_INVALID_P); /* the unscored rows still hold -7 */
        assert_int_equal(bad, 300);
        sl_payoff_inputs_f64 cols = {NULL, tau, NULL, NULL, NULL, NULL};
        sl_payoff_outputs_f64 out_b = {NULL, NULL, b, NULL, NULL, NULL};
        assert_int_equal(sl_payoff_observables_f64(&pp, &px, &obs, &cols, N, &out_b, &bad),
                         SL_ERR_NAN_TASK_PROGRESS);
        assert_int_equal(bad, 300);
        assert_memory_equal(a, b, sizeof a);
        assert_true(b[300] == -7 && b[301] == -7 && b[500] == -7);

        sl_score_f32(&px, &obs32, N, NULL, p32, NULL);
        sl_payoff_inputs_f32 in32 = {p32, tau32, NULL, NULL, NULL, NULL};
        sl_payoff_outputs_f32 o32a = {NULL, NULL, a32, NULL, NULL, NULL};
        sl_payoff_f32(&pp, &in32, N, &o32a, NULL);
        sl_payoff_inputs_f32 cols32 = {NULL, tau32, NULL, NULL, NULL, NULL};
        sl_payoff_outputs_f32 o32b = {NULL, NULL, b32, NULL, NULL, NULL};
        assert_int_equal(sl_payoff_observables_f32(&pp, &px, &obs32, &cols32, N, &o32b, &bad),
                         SL_ERR_NAN_TASK_PROGRESS);
        assert_memory_equal(a32, b32, sizeof a32);
    }
    /* the status of a later row's payoff column when the observables are fine */
    prog[300] = 0.1;
    rj[301] = 0;
    force_isa("scalar");
    sl_payoff_inputs_f64 cols = {NULL, tau, NULL, NULL, NULL, NULL};
    sl_payoff_outputs_f64 out_b = {NULL, NULL, b, NULL, NULL, NULL};
    size_t bad;
    assert_int_equal(sl_payoff_observables_f64(&pp, &px, &obs, &cols, N, &out_b, &bad),
                     SL_ERR_NONFINITE_TAU);
    assert_int_equal(bad, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_f64),
        cmocka_unit_test(test_golden_f32),
        cmocka_unit_test(test_break_even),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_simd_equals_scalar_f64),
        cmocka_unit_test(test_row_statuses),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_simd_equals_scalar_f32),
        cmocka_unit_test(test_fused),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
