/*
 * Summation accuracy at scale (SPEC 3): 10^8 rows (SOFTLABEL_TEST_ROWS overrides the count, for
 * runs under emulation) streamed through one metrics state in chunks
 * (generated on the fly, never stored), on the best path of this machine, once with payoff
 * columns (payoffs computed per row) and once without (payoff sums from p statistics). The
 * reported sums are checked against the exactly rounded sums of the same per-row values,
 * accumulated here without any rounding in a long fixed-point accumulator:
 *   total_welfare, total_social_surplus (sums over accepted rows), and the means
 *   average_quality, avg_initiator_payoff, toxicity_rate_all (sum / count),
 * each within 1e-12 relative. A plain left-to-right double sum of the same values is printed
 * beside them for comparison (not checked).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define CHUNK 65536

/* ---- an exact accumulator: sum of doubles as a fixed-point integer ---- */

/* 70 limbs of 32 bits (kept in int64 so that 2^31 additions cannot overflow a limb) cover bit
 * positions 2^-1074 .. 2^1166: every finite double, with room for the carries of 10^8 terms. */
#define LIMBS 70
typedef struct exact_sum {
    int64_t limb[LIMBS];
} exact_sum;

static void exact_add(exact_sum *s, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int biased = (int)((bits >> 52) & 0x7FF);
    uint64_t mantissa = bits & 0x000FFFFFFFFFFFFFull;
    if (biased)
        mantissa |= 1ull << 52;
    int pos = biased ? biased - 1 : 0; /* x = mantissa * 2^(pos - 1074) */
    unsigned __int128 v = (unsigned __int128)mantissa << (pos % 32);
    int k = pos / 32;
    int64_t sign = bits >> 63 ? -1 : 1;
    s->limb[k] += sign * (int64_t)(uint64_t)(v & 0xFFFFFFFFu);
    s->limb[k + 1] += sign * (int64_t)(uint64_t)((v >> 32) & 0xFFFFFFFFu);
    s->limb[k + 2] += sign * (int64_t)(uint64_t)(v >> 64);
}

/* Carries every limb into [0, 2^32) but the top one, which keeps the sign. */
static void normalize(int64_t *l)
{
    for (int k = 0; k < LIMBS - 1; k++) {
        int64_t carry = l[k] >> 32; /* arithmetic shift: floor division by 2^32 */
        l[k] -= carry * ((int64_t)1 << 32);
        l[k + 1] += carry;
    }
}

/* The exact sum rounded once to the nearest double (ties to even). */
static double exact_value(const exact_sum *s)
{
    int64_t l[LIMBS];
    memcpy(l, s->limb, sizeof l);
    normalize(l);
    double sign = 1.0;
    if (l[LIMBS - 1] < 0) {
        for (int k = 0; k < LIMBS; k++)
            l[k] = -l[k];
        normalize(l);
        sign = -1.0;
    }
    int h = LIMBS - 1;
    while (h >= 0 && l[h] == 0)
        h--;
    if (h < 0)
        return 0.0;
    if (h < 2)
        fail_msg("exact_value: sums this small are not needed here");
    unsigned __int128 top = ((unsigned __int128)(uint64_t)l[h] << 64) |
                            ((unsigned __int128)(uint64_t)l[h - 1] << 32) | (uint64_t)l[h - 2];
    int sticky = 0;
    for (int k = 0; k < h - 2; k++)
        sticky |= l[k] != 0;
    int bitlen = 128 - (int)__builtin_clzll((uint64_t)(top >> 64));
    int shift = bitlen - 53; /* top has at least 65 bits: l[h] >= 1 */
    uint64_t m = (uint64_t)(top >> shift);
    unsigned __int128 rest = top & (((unsigned __int128)1 << shift) - 1);
    unsigned __int128 half = (unsigned __int128)1 << (shift - 1);
    if (rest > half || (rest == half && (sticky || (m & 1)))) /* nearest, ties to even */
        m++; /* m may become 2^53: still exact, ldexp scales it */
    return sign * ldexp((double)m, shift + 32 * (h - 2) - 1074);
}

/* ---- the data: deterministic, generated a chunk at a time ---- */

typedef struct sums {
    exact_sum welfare_a, social_a, p_all, pi_a_a, one_minus_p;
    double naive_welfare_a, naive_p_all;
    uint64_t n_accepted;
} sums;

static double small_uniform(uint64_t r, int which) /* 16 random bits -> [-1, 1) */
{
    return (double)((r >> (16 * which)) & 0xFFFF) / 32768.0 - 1.0;
}

/* Fills one chunk and adds its exact per-row values (the reference's formulas). */
static void make_chunk(uint64_t *rng, size_t n, int columns, const sl_payoff_params *pp,
                       double *p, double *col[5], uint8_t *accepted, sums *s)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (double)(rng_next(rng) >> 11) * 0x1p-53;
        uint64_t r = rng_next(rng);
        accepted[i] = (uint8_t)((r >> 60) < 13); /* about 81 % */
        double c[5] = {0, 0, 0, 0, 0};
        if (columns)
            for (int k = 0; k < 4; k++)
                c[k] = col[k][i] = small_uniform(r, k);
        if (columns)
            c[4] = col[4][i] = (double)((r >> 52) & 0xFF) / 128.0 - 1.0;
        double S = p[i] * pp->s_plus - (1 - p[i]) * pp->s_minus, E = (1 - p[i]) * pp->h;
        double pi_a = pp->theta * S - c[0] - c[1] - pp->rho_a * E + pp->w_rep * c[3];
        double pi_b = (1 - pp->theta) * S + c[0] - c[2] - pp->rho_b * E + pp->w_rep * c[4];
        exact_add(&s->p_all, p[i]);
        exact_add(&s->one_minus_p, 1 - p[i]);
        s->naive_p_all += p[i];
        if (accepted[i]) {
            exact_add(&s->welfare_a, pi_a + pi_b);
            exact_add(&s->social_a, S - E);
            exact_add(&s->pi_a_a, pi_a);
            s->naive_welfare_a += pi_a + pi_b;
            s->n_accepted++;
        }
    }
}

static void check(const char *what, double got, double exact_total, double divisor, double naive)
{
    double want = exact_total / divisor;
    double rel = fabs(got - want) / fabs(want);
    printf("  %-22s %.17g  exact %.17g  rel. error %.2g", what, got, want, rel);
    if (!isnan(naive))
        printf("  (plain double sum: %.2g)", fabs(naive / divisor - want) / fabs(want));
    printf("\n");
    if (!(rel <= 1e-12))
        fail_msg("%s: relative error %.3g > 1e-12", what, rel);
}

static uint64_t total_rows(void)
{
    const char *env = getenv("SOFTLABEL_TEST_ROWS");
    return env ? strtoull(env, NULL, 10) : 100000000ull;
}

static void run(int columns)
{
    const uint64_t ROWS = total_rows();
    sl_payoff_params pp = {2.0, 1.0, 2.0, 0.3, 0.5, 0.2, 1.0};
    sl_metrics *m;
    assert_int_equal(sl_metrics_init(&m, &pp, SL_METRICS_NO_AUC), SL_OK);
    double *p = malloc(CHUNK * sizeof(double)), *col[5];
    for (int k = 0; k < 5; k++)
        col[k] = malloc(CHUNK * sizeof(double));
    uint8_t *accepted = malloc(CHUNK);
    sums *s = calloc(1, sizeof *s);
    uint64_t rng = 12345;
    for (uint64_t done = 0; done < ROWS; done += CHUNK) {
        size_t n = ROWS - done < CHUNK ? (size_t)(ROWS - done) : CHUNK;
        make_chunk(&rng, n, columns, &pp, p, col, accepted, s);
        sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
        if (columns)
            in = (sl_payoff_inputs_f64){p, col[0], col[1], col[2], col[3], col[4]};
        assert_int_equal(sl_metrics_update_f64(m, &in, accepted, NULL, n, NULL), SL_OK);
    }
    sl_metrics_report r;
    assert_int_equal(sl_metrics_finalize(m, &r), SL_OK);
    assert_int_equal(r.n, ROWS);
    assert_int_equal(r.n_accepted, s->n_accepted);
    printf("%llu rows, %s, path %s:\n", (unsigned long long)ROWS,
           columns ? "with payoff columns" : "without payoff columns", sl_isa_name());
    double n = (double)ROWS, na = (double)s->n_accepted;
    check("total_welfare", r.total_welfare, exact_value(&s->welfare_a), 1.0, s->naive_welfare_a);
    check("total_social_surplus", r.total_social_surplus, exact_value(&s->social_a), 1.0, NAN);
    check("average_quality", r.average_quality, exact_value(&s->p_all), n, s->naive_p_all);
    check("avg_initiator_payoff", r.avg_initiator_payoff, exact_value(&s->pi_a_a), na, NAN);
    check("toxicity_rate_all", r.toxicity_rate_all, exact_value(&s->one_minus_p), n, NAN);
    sl_metrics_report_free(&r);
    sl_metrics_free(m);
    free(p);
    for (int k = 0; k < 5; k++)
        free(col[k]);
    free(accepted);
    free(s);
}

/* The accumulator itself, on sums whose exact value is known. */
static void test_exact_accumulator(void **state)
{
    (void)state;
    exact_sum s = {{0}};
    exact_add(&s, 1e100);
    exact_add(&s, 1.0);
    exact_add(&s, -1e100);
    assert_true(exact_value(&s) == 1.0);
    exact_sum t = {{0}};
    for (int i = 0; i < 10; i++)
        exact_add(&t, 0.1);
    assert_true(exact_value(&t) == 1.0000000000000000555 + 0.0); /* 10 * fl(0.1), rounded once */
    exact_sum u = {{0}};
    exact_add(&u, 0x1p53);
    exact_add(&u, 1.0); /* 2^53 + 1: a tie, to even */
    assert_true(exact_value(&u) == 0x1p53);
    exact_add(&u, 0x1p-60); /* just above the tie */
    assert_true(exact_value(&u) == 0x1p53 + 2);
    exact_sum v = {{0}};
    exact_add(&v, -3.5);
    exact_add(&v, 1.25);
    assert_true(exact_value(&v) == -2.25);
}

static void test_sums_at_1e8(void **state)
{
    (void)state;
    run(1);
    run(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_accumulator),
        cmocka_unit_test(test_sums_at_1e8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
