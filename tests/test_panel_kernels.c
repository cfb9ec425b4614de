/*
 * The panel kernels and rules of SPEC section 4, through the public API, on every path this
 * machine can run:
 *  - SPEC's worked example (2-1-1 split -> {0.25, 0.5, 0.25}, 1.5 bits, "major");
 *  - every SIMD path against the scalar reference (exact for the distribution, totals, top share,
 *    ties and top label; a few ULP for the logarithmic results) and against every other SIMD path
 *    (the same bits), over every item count from 0 to a few vectors past the widest (tails),
 *    padded leading dimensions and in-place distributions;
 *  - properties: distributions sum to 1, 0 <= H <= log2 k, KL >= 0 and 0 only for equal
 *    distributions, 0 <= JS <= 1, CE >= H;
 *  - invalid items reported, left untouched, the others computed as if they were absent;
 *  - disagreement-class boundaries (ties, exactly at the threshold, one reviewer);
 *  - Krippendorff's alpha against the published worked examples.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define MAX_K 9
#define MAX_N 70 /* > 4 vectors of the widest path (8 doubles) plus a tail */

/* ---- worked example ---------------------------------------------------------------------- */

static void worked_example(void **state)
{
    (void)state;
    /* labels in rubric order: mild, moderate, severe; reviewers: moderate, moderate, severe, mild */
    const double votes[3] = {1, 2, 1};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        double dist[3], total, entropy, top_share;
        int32_t top_label, ties;
        sl_panel_stats_out out = {dist, 1, &total, &entropy, &top_share, &top_label, &ties};
        size_t bad;
        assert_int_equal(sl_panel_stats_f64(votes, 1, 1, 3, &out, &bad), SL_OK);
        assert_int_equal(bad, 1);
        assert_true(dist[0] == 0.25 && dist[1] == 0.5 && dist[2] == 0.25);
        assert_true(entropy == 1.5);
        assert_true(total == 4.0 && top_share == 0.5);
        assert_int_equal(top_label, 1);
        assert_int_equal(ties, 1);
        sl_panel_rules rules;
        sl_panel_rules_default(&rules);
        int32_t reviewers = 4;
        sl_disagreement cls;
        assert_int_equal(sl_panel_classify(&rules, 1, &reviewers, &top_share, &ties, &cls), SL_OK);
        assert_string_equal(sl_disagreement_name(cls), "major");
    }
}

/* ---- random batches ------------------------------------------------------------------------ */

typedef struct stats_result {
    double dist[MAX_K * MAX_N], total[MAX_N], entropy[MAX_N], top_share[MAX_N];
    int32_t top_label[MAX_N], ties[MAX_N];
} stats_result;

static void fill_sentinel(stats_result *r)
{
    for (size_t i = 0; i < MAX_K * MAX_N; i++)
        r->dist[i] = -7.0;
    for (size_t i = 0; i < MAX_N; i++) {
        r->total[i] = r->entropy[i] = r->top_share[i] = -7.0;
        r->top_label[i] = r->ties[i] = -7;
    }
}

static sl_status run_stats(const char *isa, const double *votes, size_t ld, size_t n, size_t k,
                           stats_result *r, size_t *bad)
{
    force_isa(isa);
    fill_sentinel(r);
    sl_panel_stats_out out = {r->dist, ld, r->total, r->entropy, r->top_share, r->top_label, r->ties};
    return sl_panel_stats_f64(votes, ld, n, k, &out, bad);
}

/* Random integer vote counts 0..max_votes; some items get no votes at all. */
static void random_votes(uint64_t *rng, double *votes, size_t ld, size_t n, size_t k, int max_votes)
{
    for (size_t i = 0; i < n; i++) {
        int empty = rng_next(rng) % 16 == 0;
        for (size_t c = 0; c < k; c++)
            votes[c * ld + i] = empty ? 0.0 : (double)(rng_next(rng) % (uint64_t)(max_votes + 1));
    }
}

static double max_rel_entropy_diff;

static void compare_stats(const char *isa, const stats_result *a, const stats_result *b, size_t ld,
                          size_t n, size_t k, int exact)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < k; c++)
            if (a->dist[c * ld + i] != b->dist[c * ld + i])
                fail_msg("%s: item %zu label %zu: share %.17g vs %.17g", isa, i, c,
                         a->dist[c * ld + i], b->dist[c * ld + i]);
        if (a->total[i] != b->total[i] || a->top_share[i] != b->top_share[i] ||
            a->top_label[i] != b->top_label[i] || a->ties[i] != b->ties[i])
            fail_msg("%s: item %zu: total/top share/top label/ties differ", isa, i);
        double ea = a->entropy[i], eb = b->entropy[i];
        if (exact ? memcmp(&ea, &eb, sizeof ea) != 0 : ulp_diff_f64(ea, eb) > 4)
            fail_msg("%s: item %zu: entropy %.17g vs %.17g (%llu ULP)", isa, i, ea, eb,
                     (unsigned long long)ulp_diff_f64(ea, eb));
        if (eb != 0.0 && fabs(ea - eb) / eb > max_rel_entropy_diff)
            max_rel_entropy_diff = fabs(ea - eb) / eb;
    }
}

static void stats_paths_agree(void **state)
{
    (void)state;
    uint64_t rng = 7;
    static double votes[MAX_K * (MAX_N + 3)];
    static stats_result ref, got, first_simd;
    size_t cases = 0;
    for (size_t k = 1; k <= MAX_K; k++) {
        for (size_t n = 0; n <= MAX_N; n++) {
            size_t ld = n + (size_t)(rng_next(&rng) % 4); /* padded columns too */
            random_votes(&rng, votes, ld, n, k, k <= 3 ? 3 : 6);
            size_t bad;
            assert_int_equal(run_stats("scalar", votes, ld, n, k, &ref, &bad), SL_OK);
            assert_int_equal(bad, n);
            int have_simd = 0;
            for (const char *const *isa = supported_isas(); *isa; isa++) {
                if (!strcmp(*isa, "scalar"))
                    continue;
                assert_int_equal(run_stats(*isa, votes, ld, n, k, &got, &bad), SL_OK);
                assert_int_equal(bad, n);
                compare_stats(*isa, &got, &ref, ld, n, k, 0);
                if (have_simd)
                    compare_stats(*isa, &got, &first_simd, ld, n, k, 1);
                else
                    first_simd = got, have_simd = 1;
                /* nothing written past the n items of each column */
                for (size_t c = 0; c < k; c++)
                    for (size_t i = n; i < ld; i++)
                        assert_true(got.dist[c * ld + i] == -7.0);
                for (size_t i = n; i < MAX_N; i++)
                    assert_true(got.entropy[i] == -7.0 && got.ties[i] == -7);
            }
            cases++;
        }
    }
    printf("[panel] %zu batches: SIMD entropy within 4 ULP of scalar (max relative diff %.3g), "
           "SIMD paths bit-identical\n", cases, max_rel_entropy_diff);
}

static void stats_in_place(void **state)
{
    (void)state;
    uint64_t rng = 11;
    double votes[4 * 37], copy[4 * 37];
    random_votes(&rng, votes, 37, 37, 4, 5);
    static stats_result ref;
    size_t bad;
    assert_int_equal(run_stats("scalar", votes, 37, 37, 4, &ref, &bad), SL_OK);
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        memcpy(copy, votes, sizeof votes);
        double entropy[37];
        sl_panel_stats_out out = {copy, 37, NULL, entropy, NULL, NULL, NULL};
        assert_int_equal(sl_panel_stats_f64(copy, 37, 37, 4, &out, &bad), SL_OK);
        for (size_t i = 0; i < 4 * 37; i++)
            assert_true(copy[i] == ref.dist[i]);
    }
}

static void stats_properties(void **state)
{
    (void)state;
    uint64_t rng = 13;
    static double votes[MAX_K * MAX_N];
    static stats_result r;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        for (size_t k = 1; k <= MAX_K; k++) {
            random_votes(&rng, votes, MAX_N, MAX_N, k, 7);
            size_t bad;
            assert_int_equal(run_stats(*isa, votes, MAX_N, MAX_N, k, &r, &bad), SL_OK);
            for (size_t i = 0; i < MAX_N; i++) {
                double sum = 0.0, top = 0.0;
                int32_t ties = 0;
                for (size_t c = 0; c < k; c++) {
                    double p = r.dist[c * MAX_N + i];
                    assert_true(p >= 0.0 && p <= 1.0);
                    sum += p;
                    top = fmax(top, p);
                }
                for (size_t c = 0; c < k; c++)
                    ties += r.dist[c * MAX_N + i] == top;
                if (r.total[i] > 0) {
                    assert_true(fabs(sum - 1.0) <= (double)k * DBL_EPSILON);
                    assert_true(r.top_share[i] == top);
                    assert_int_equal(r.ties[i], ties);
                    assert_true(r.dist[(size_t)r.top_label[i] * MAX_N + i] == top);
                } else {
                    assert_true(sum == 0.0 && r.entropy[i] == 0.0 && r.ties[i] == (int32_t)k);
                }
                /* 0 <= H <= log2 k (a few ULP of slack above: the uniform case is log2 k) */
                assert_true(r.entropy[i] >= 0.0 && !signbit(r.entropy[i]));
                assert_true(r.entropy[i] <= log2((double)k) * (1 + 8 * DBL_EPSILON));
                if (ties == 1 && top == 1.0)
                    assert_true(r.entropy[i] == 0.0);
            }
        }
    }
}

static void stats_invalid_items(void **state)
{
    (void)state;
    uint64_t rng = 17;
    const size_t n = 29, k = 3;
    double votes[3 * 29], clean[3 * 29];
    random_votes(&rng, votes, n, n, k, 4);
    const size_t bad_rows[] = {5, 9, 17, 28};
    const double bad_values[] = {-1.0, NAN, INFINITY, -0.5};
    for (size_t b = 0; b < 4; b++)
        votes[(b % k) * n + bad_rows[b]] = bad_values[b];
    /* the clean batch: invalid items removed */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int is_bad = i == 5 || i == 9 || i == 17 || i == 28;
        if (is_bad)
            continue;
        for (size_t c = 0; c < k; c++)
            clean[c * n + m] = votes[c * n + i];
        m++;
    }
    static stats_result r, rc;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        size_t bad;
        assert_int_equal(run_stats(*isa, votes, n, n, k, &r, &bad), SL_ERR_PANEL_BAD_VOTES);
        assert_int_equal(bad, 5);
        assert_int_equal(run_stats(*isa, clean, n, m, k, &rc, &bad), SL_OK);
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
            if (i == 5 || i == 9 || i == 17 || i == 28) {
                assert_true(r.entropy[i] == -7.0 && r.total[i] == -7.0 && r.ties[i] == -7);
                for (size_t c = 0; c < k; c++)
                    assert_true(r.dist[c * n + i] == -7.0);
                continue;
            }
            assert_true(memcmp(&r.entropy[i], &rc.entropy[j], sizeof(double)) == 0);
            for (size_t c = 0; c < k; c++)
                assert_true(r.dist[c * n + i] == rc.dist[c * n + j]);
            j++;
        }
    }
}

static void stats_argument_errors(void **state)
{
    (void)state;
    double votes[4] = {1, 2, 3, 4};
    double dist[4];
    sl_panel_stats_out out = {dist, 1, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_panel_stats_f64(NULL, 2, 2, 2, &out, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_panel_stats_f64(votes, 2, 2, 2, NULL, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_panel_stats_f64(votes, 2, 2, 0, &out, NULL), SL_ERR_PANEL_SHAPE);
    assert_int_equal(sl_panel_stats_f64(votes, 1, 2, 2, &out, NULL), SL_ERR_PANEL_SHAPE);
    out.distribution_ld = 1; /* < n */
    assert_int_equal(sl_panel_stats_f64(votes, 2, 2, 2, &out, NULL), SL_ERR_PANEL_SHAPE);
    out.distribution_ld = 2;
    assert_int_equal(sl_panel_stats_f64(votes, 2, 2, 2, &out, NULL), SL_OK);
    assert_int_equal(sl_panel_stats_f64(NULL, 0, 0, 2, NULL, NULL), SL_OK);
    assert_string_equal(sl_status_str(SL_ERR_PANEL_BAD_VOTES),
                        "a vote count is negative, NaN or infinite");
}

/* ---- disagreement classes ------------------------------------------------------------------ */

/* The class of one panel given as vote counts per label. */
static sl_disagreement class_of(const sl_panel_rules *rules, const double *votes, size_t k)
{
    double top_share, total;
    int32_t ties;
    sl_panel_stats_out out = {NULL, 0, &total, NULL, &top_share, NULL, &ties};
    assert_int_equal(sl_panel_stats_f64(votes, 1, 1, k, &out, NULL), SL_OK);
    int32_t reviewers = (int32_t)total;
    sl_disagreement cls = SL_AGREEMENT;
    assert_int_equal(sl_panel_classify(rules, 1, &reviewers, &top_share, &ties, &cls), SL_OK);
    return cls;
}

static void class_boundaries(void **state)
{
    (void)state;
    sl_panel_rules rules;
    sl_panel_rules_default(&rules);
    assert_int_equal(rules.min_reviewers, 2);
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        struct { double v[3]; sl_disagreement want; const char *why; } cases[] = {
            {{3, 0, 0}, SL_AGREEMENT, "unanimous"},
            {{2, 0, 0}, SL_AGREEMENT, "two reviewers, unanimous"},
            {{1, 0, 0}, SL_UNRESOLVED, "one reviewer (< min_reviewers 2)"},
            {{0, 0, 0}, SL_UNRESOLVED, "no reviewers"},
            {{2, 1, 0}, SL_MINOR, "top share exactly 2/3"},
            {{4, 1, 1}, SL_MINOR, "top share exactly 4/6"},
            {{3, 1, 1}, SL_MAJOR, "3 of 5 = 0.6, below 2/3"},
            {{7, 3, 0}, SL_MINOR, "7 of 10 = 0.7, just above 2/3"},
            {{13, 7, 0}, SL_MAJOR, "13 of 20 = 0.65, just below 2/3"},
            {{1, 1, 0}, SL_UNRESOLVED, "1-1 tie"},
            {{2, 2, 1}, SL_UNRESOLVED, "2-2-1 tie for the top"},
            {{1, 1, 1}, SL_UNRESOLVED, "three-way tie"},
            {{1, 2, 1}, SL_MAJOR, "SPEC worked example"},
            {{5, 2, 0}, SL_MINOR, "5/7 above 2/3"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            sl_disagreement got = class_of(&rules, cases[i].v, 3);
            if (got != cases[i].want)
                fail_msg("%s: %s: got %s, want %s", *isa, cases[i].why, sl_disagreement_name(got),
                         sl_disagreement_name(cases[i].want));
        }
    }
    /* one reviewer is enough with min_reviewers 1 */
    rules.min_reviewers = 1;
    const double single[2] = {0, 1};
    assert_int_equal(class_of(&rules, single, 2), SL_AGREEMENT);
    /* a threshold of exactly 0.75: 3 of 4 is minor, 5 of 7 (0.714) is major */
    rules.majority_threshold = 0.75;
    const double three_of_four[2] = {3, 1}, five_of_seven[2] = {5, 2};
    assert_int_equal(class_of(&rules, three_of_four, 2), SL_MINOR);
    assert_int_equal(class_of(&rules, five_of_seven, 2), SL_MAJOR);
    /* rules out of range are refused and nothing is written */
    int32_t reviewers = 3, ties = 1;
    double share = 1.0;
    sl_disagreement cls = SL_MAJOR;
    rules.min_reviewers = 0;
    assert_int_equal(sl_panel_classify(&rules, 1, &reviewers, &share, &ties, &cls),
                     SL_ERR_PARAM_MIN_REVIEWERS);
    rules.min_reviewers = 2;
    rules.majority_threshold = 1.5;
    assert_int_equal(sl_panel_classify(&rules, 1, &reviewers, &share, &ties, &cls),
                     SL_ERR_PARAM_MAJORITY);
    rules.majority_threshold = NAN;
    assert_int_equal(sl_panel_classify(&rules, 1, &reviewers, &share, &ties, &cls),
                     SL_ERR_PARAM_MAJORITY);
    assert_int_equal(cls, SL_MAJOR);
    assert_null(sl_disagreement_name((sl_disagreement)9));
}

/* ---- divergences --------------------------------------------------------------------------- */

typedef struct div_result {
    double ce[MAX_N], kl[MAX_N], js[MAX_N], tv[MAX_N], brier[MAX_N], top[MAX_N];
} div_result;

static sl_status run_div(const char *isa, const double *h, const double *m, size_t ld, size_t n,
                         size_t k, div_result *r, size_t *bad)
{
    force_isa(isa);
    for (size_t i = 0; i < MAX_N; i++)
        r->ce[i] = r->kl[i] = r->js[i] = r->tv[i] = r->brier[i] = r->top[i] = -7.0;
    sl_divergence_out out = {r->ce, r->kl, r->js, r->tv, r->brier, r->top};
    return sl_divergence_f64(h, ld, m, ld, n, k, &out, bad);
}

/* A random distribution over k labels: normalized counts (zeros included) or, for the model
 * side, normalized uniform reals; sometimes a copy of the other side (equal distributions). */
static void random_dist(uint64_t *rng, double *d, size_t ld, size_t i, size_t k, int counts)
{
    double w[MAX_K], sum = 0.0;
    for (size_t c = 0; c < k; c++) {
        w[c] = counts ? (double)(rng_next(rng) % 4) : rng_uniform(rng, 0.0, 1.0);
        sum += w[c];
    }
    if (sum == 0.0) {
        w[rng_next(rng) % k] = 1.0;
        sum = 1.0;
    }
    for (size_t c = 0; c < k; c++)
        d[c * ld + i] = w[c] / sum;
}

static void random_pairs(uint64_t *rng, double *h, double *m, size_t ld, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++) {
        random_dist(rng, h, ld, i, k, 1);
        uint64_t kind = rng_next(rng) % 5;
        if (kind == 0)
            for (size_t c = 0; c < k; c++)
                m[c * ld + i] = h[c * ld + i];
        else
            random_dist(rng, m, ld, i, k, kind == 1);
    }
}

static double worst_abs_diff;

static void compare_div(const char *isa, const div_result *a, const div_result *b, size_t n,
                        int exact)
{
    for (size_t i = 0; i < n; i++) {
        const double av[6] = {a->ce[i], a->kl[i], a->js[i], a->tv[i], a->brier[i], a->top[i]};
        const double bv[6] = {b->ce[i], b->kl[i], b->js[i], b->tv[i], b->brier[i], b->top[i]};
        static const char *const names[6] = {"cross-entropy", "KL", "JS", "TV", "Brier", "top"};
        for (int f = 0; f < 6; f++) {
            double d = fabs(av[f] - bv[f]);
            /* logarithmic sums: a few ULP of each term (log2 <= 50 bits in size) */
            double bound = f < 3 ? 8 * DBL_EPSILON * (1.0 + fabs(bv[f])) : 0.0;
            if (exact ? memcmp(&av[f], &bv[f], sizeof(double)) != 0 : d > bound)
                fail_msg("%s: item %zu: %s %.17g vs %.17g", isa, i, names[f], av[f], bv[f]);
            if (f < 3 && d / (1.0 + fabs(bv[f])) > worst_abs_diff)
                worst_abs_diff = d / (1.0 + fabs(bv[f]));
        }
    }
}

static void divergence_paths_agree(void **state)
{
    (void)state;
    uint64_t rng = 23;
    static double h[MAX_K * MAX_N], m[MAX_K * MAX_N];
    static div_result ref, got, first_simd;
    for (size_t k = 1; k <= MAX_K; k++) {
        for (size_t n = 0; n <= MAX_N; n++) {
            random_pairs(&rng, h, m, MAX_N, n, k);
            size_t bad;
            assert_int_equal(run_div("scalar", h, m, MAX_N, n, k, &ref, &bad), SL_OK);
            int have_simd = 0;
            for (const char *const *isa = supported_isas(); *isa; isa++) {
                if (!strcmp(*isa, "scalar"))
                    continue;
                assert_int_equal(run_div(*isa, h, m, MAX_N, n, k, &got, &bad), SL_OK);
                assert_int_equal(bad, n);
                compare_div(*isa, &got, &ref, n, 0);
                if (have_simd)
                    compare_div(*isa, &got, &first_simd, n, 1);
                else
                    first_simd = got, have_simd = 1;
                for (size_t i = n; i < MAX_N; i++)
                    assert_true(got.kl[i] == -7.0 && got.top[i] == -7.0);
            }
        }
    }
    printf("[panel] divergences: SIMD within %.3g * (1 + |x|) of scalar, SIMD paths bit-identical\n",
           worst_abs_diff);
}

static void divergence_properties(void **state)
{
    (void)state;
    uint64_t rng = 29;
    static double h[MAX_K * MAX_N], m[MAX_K * MAX_N];
    static div_result r;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        for (size_t k = 1; k <= MAX_K; k++) {
            random_pairs(&rng, h, m, MAX_N, MAX_N, k);
            size_t bad;
            assert_int_equal(run_div(*isa, h, m, MAX_N, MAX_N, k, &r, &bad), SL_OK);
            for (size_t i = 0; i < MAX_N; i++) {
                int equal = 1;
                double entropy = 0.0;
                for (size_t c = 0; c < k; c++) {
                    equal &= h[c * MAX_N + i] == m[c * MAX_N + i];
                    double p = h[c * MAX_N + i];
                    entropy -= p > 0 ? p * log2(p) : 0.0;
                }
                assert_true(r.kl[i] >= 0.0 && r.js[i] >= 0.0 && r.js[i] <= 1.0);
                assert_true(r.tv[i] >= 0.0 && r.tv[i] <= 1.0 + 4 * DBL_EPSILON);
                assert_true(r.brier[i] >= 0.0 && r.brier[i] <= 2.0);
                if (equal) {
                    assert_true(r.kl[i] == 0.0 && r.js[i] == 0.0 && r.tv[i] == 0.0 &&
                                r.brier[i] == 0.0 && r.top[i] == 1.0);
                } else {
                    if (!(r.kl[i] > 0.0 && r.js[i] > 0.0 && r.tv[i] > 0.0))
                        fail_msg("%s k=%zu item %zu: different distributions, KL %.3g JS %.3g",
                                 *isa, k, i, r.kl[i], r.js[i]);
                }
                /* Gibbs: H(P, Q) >= H(P), up to rounding */
                assert_true(r.ce[i] >= entropy - 1e-12);
            }
        }
    }
    /* disjoint supports: JS exactly 1 bit, TV 1, Brier 2, no top-label agreement */
    const double p[2] = {1, 0}, q[2] = {0, 1};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        size_t bad;
        static div_result d;
        assert_int_equal(run_div(*isa, p, q, 1, 1, 2, &d, &bad), SL_OK);
        assert_true(d.js[0] == 1.0 && d.tv[0] == 1.0 && d.brier[0] == 2.0 && d.top[0] == 0.0);
        /* q clamped to 1e-15 before the logarithm: H(P, Q) = -log2(1e-15) */
        assert_true(fabs(d.ce[0] - (-log2(1e-15))) < 1e-12 && d.kl[0] == d.ce[0]);
    }
}

static void divergence_top_label(void **state)
{
    (void)state;
    /* label-major, 4 items x 3 labels: human {0.5,0.5,0} tie (both tops), model picks label 1 ->
     * agreement; human {0.5,0.25,0.25}, model tie between labels 1 and 2 -> first is 1 -> no;
     * model tie between 0 and 2 -> first is 0 -> yes; human {0,0,1} model {0,0,1} -> yes */
    const double h[3 * 4] = {0.5, 0.5, 0.5, 0, /* label 0 */ 0.5, 0.25, 0.25, 0, /* label 1 */
                             0, 0.25, 0.25, 1};
    const double m[3 * 4] = {0.2, 0.2, 0.4, 0, 0.7, 0.4, 0.2, 0, 0.1, 0.4, 0.4, 1};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        static div_result r;
        size_t bad;
        assert_int_equal(run_div(*isa, h, m, 4, 4, 3, &r, &bad), SL_OK);
        assert_true(r.top[0] == 1.0 && r.top[1] == 0.0 && r.top[2] == 1.0 && r.top[3] == 1.0);
    }
}

static void divergence_invalid_items(void **state)
{
    (void)state;
    uint64_t rng = 31;
    const size_t n = 21, k = 3;
    double h[3 * 21], m[3 * 21];
    random_pairs(&rng, h, m, n, n, k);
    static div_result ok, r;
    size_t bad;
    assert_int_equal(run_div("scalar", h, m, n, n, k, &ok, &bad), SL_OK);
    m[0 * n + 4] += 1e-5;        /* model sums to 1 + 1e-5 */
    h[2 * n + 7] = NAN;          /* a NaN share */
    m[1 * n + 12] = -0.25;       /* a negative probability */
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        assert_int_equal(run_div(*isa, h, m, n, n, k, &r, &bad), SL_ERR_DIST_SUM);
        assert_int_equal(bad, 4);
        for (size_t i = 0; i < n; i++) {
            if (i == 4 || i == 7 || i == 12) {
                assert_true(r.ce[i] == -7.0 && r.kl[i] == -7.0 && r.top[i] == -7.0);
                continue;
            }
            assert_true(fabs(r.kl[i] - ok.kl[i]) <= 64 * DBL_EPSILON * (1 + ok.kl[i]));
        }
    }
    m[0 * n + 4] -= 1e-5;
    force_isa("scalar");
    sl_divergence_out out = {NULL, r.kl, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_divergence_f64(h, n, m, n, n, k, &out, &bad), SL_ERR_DIST_BAD_VALUE);
    assert_int_equal(bad, 7);
    /* within the tolerance is accepted */
    double hh[2] = {0.5, 0.5}, mm[2] = {0.6, 0.4 + 0.9e-6};
    assert_int_equal(sl_divergence_f64(hh, 1, mm, 1, 1, 2, &out, &bad), SL_OK);
    assert_int_equal(sl_divergence_f64(hh, 1, mm, 0, 1, 2, &out, &bad), SL_ERR_PANEL_SHAPE);
}

/* ---- Krippendorff's alpha ------------------------------------------------------------------ */

/* Units given as rows of coder values (0 = missing), turned into label-major counts. */
static double alpha_of(const int *data, size_t coders, size_t units, size_t values)
{
    double votes[5 * 16] = {0}, total[16] = {0};
    for (size_t u = 0; u < units; u++)
        for (size_t o = 0; o < coders; o++) {
            int v = data[o * units + u];
            if (v > 0) {
                votes[(size_t)(v - 1) * units + u] += 1.0;
                total[u] += 1.0;
            }
        }
    sl_alpha_nominal acc;
    sl_alpha_nominal_init(&acc);
    assert_int_equal(sl_alpha_nominal_add(&acc, votes, units, units, values, total), SL_OK);
    return sl_alpha_nominal_value(&acc);
}

static void krippendorff_alpha(void **state)
{
    (void)state;
    /* K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: 4 observers,
     * 12 units, values 1..5, missing data; published nominal alpha 0.743. Exactly 113/152,
     * computed independently by tests/alpha_reference.py (exact fractions, and the PyPI package
     * `krippendorff` 0.9.0, which gives 0.74342105263157898). */
    const int ex_c[4 * 12] = {
        1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0,
        1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3,
        0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0,
        1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0,
    };
    double a = alpha_of(ex_c, 4, 12, 5);
    printf("[alpha] Krippendorff 2011 section C (nominal, missing data): %.17g\n", a);
    assert_true(fabs(a - 113.0 / 152.0) < 1e-14);
    assert_true(fabs(a - 0.743) < 0.0005);
    /* Same paper, section A: 2 observers, 10 units, binary values (coded 1, 2 here), published
     * alpha 0.095; exactly 2/21. */
    const int ex_a[2 * 10] = {
        1, 2, 1, 1, 1, 1, 1, 1, 2, 1,
        2, 2, 2, 1, 1, 2, 1, 1, 1, 1,
    };
    a = alpha_of(ex_a, 2, 10, 2);
    assert_true(fabs(a - 2.0 / 21.0) < 1e-14);
    /* perfect agreement: 1; a single value throughout: undefined (NaN); no pairable unit: NaN */
    const int perfect[2 * 3] = {1, 2, 3, 1, 2, 3};
    assert_true(alpha_of(perfect, 2, 3, 3) == 1.0);
    const int single[2 * 3] = {2, 2, 2, 2, 2, 2};
    assert_true(isnan(alpha_of(single, 2, 3, 3)));
    const int lonely[2 * 3] = {1, 0, 3, 0, 2, 0};
    assert_true(isnan(alpha_of(lonely, 2, 3, 3)));
    /* pooling two value sets (tasks) in one accumulator == one matrix with both label sets */
    sl_alpha_nominal acc, whole;
    sl_alpha_nominal_init(&acc);
    sl_alpha_nominal_init(&whole);
    const double t1[2 * 3] = {2, 1, 0, 0, 1, 3}, tot1[3] = {2, 2, 3};
    const double t2[2 * 2] = {1, 2, 1, 0}, tot2[2] = {2, 2};
    assert_int_equal(sl_alpha_nominal_add(&acc, t1, 3, 3, 2, tot1), SL_OK);
    assert_int_equal(sl_alpha_nominal_add(&acc, t2, 2, 2, 2, tot2), SL_OK);
    const double both[4 * 5] = {2, 1, 0, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 1, 0};
    const double tot[5] = {2, 2, 3, 2, 2};
    assert_int_equal(sl_alpha_nominal_add(&whole, both, 5, 5, 4, tot), SL_OK);
    assert_true(fabs(sl_alpha_nominal_value(&acc) - sl_alpha_nominal_value(&whole)) < 1e-15);
    /* wrong totals and bad counts are refused, nothing added */
    const double wrong[3] = {2, 2, 2};
    sl_alpha_nominal before = acc;
    assert_int_equal(sl_alpha_nominal_add(&acc, t1, 3, 3, 2, wrong), SL_ERR_ALPHA_TOTALS);
    const double negative[2] = {-1, 3}, ntot[1] = {2};
    assert_int_equal(sl_alpha_nominal_add(&acc, negative, 1, 1, 2, ntot), SL_ERR_PANEL_BAD_VOTES);
    assert_true(acc.pairable == before.pairable && acc.agreement == before.agreement);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(stats_paths_agree),
        cmocka_unit_test(stats_in_place),
        cmocka_unit_test(stats_properties),
        cmocka_unit_test(stats_invalid_items),
        cmocka_unit_test(stats_argument_errors),
        cmocka_unit_test(class_boundaries),
        cmocka_unit_test(divergence_paths_agree),
        cmocka_unit_test(divergence_properties),
        cmocka_unit_test(divergence_top_label),
        cmocka_unit_test(divergence_invalid_items),
        cmocka_unit_test(krippendorff_alpha),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
