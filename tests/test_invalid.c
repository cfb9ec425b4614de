/*
 * Invalid input (SPEC 1): NaN in a real field or a negative count. On every path and precision:
 * the status names the column of the first invalid row, first_invalid is its index, the outputs of
 * every invalid row stay untouched (no NaN, nothing out of range written), and every valid row
 * gets exactly the result it gets when the invalid rows are removed from the input.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define N 203
static const double UNTOUCHED = 777.0;

enum kind { NAN_PROGRESS, NEG_REWORK, NEG_REJECTIONS, NEG_MISUSE, NAN_ENGAGEMENT, N_KINDS };
static const sl_status kind_status[N_KINDS] = {
    SL_ERR_NAN_TASK_PROGRESS, SL_ERR_NEGATIVE_REWORK_COUNT, SL_ERR_NEGATIVE_VERIFIER_REJECTIONS,
    SL_ERR_NEGATIVE_TOOL_MISUSE, SL_ERR_NAN_ENGAGEMENT};

typedef struct table {
    double progress[N], engagement[N];
    int32_t rework[N], rejections[N], misuse[N];
} table;

static sl_proxy px;

static void make_valid(table *t, uint64_t seed)
{
    uint64_t rng = seed;
    for (size_t i = 0; i < N; i++) {
        t->progress[i] = rng_uniform(&rng, -1.5, 1.5);
        t->engagement[i] = rng_uniform(&rng, -1.5, 1.5);
        t->rework[i] = (int32_t)(rng_next(&rng) % 70);
        t->rejections[i] = (int32_t)(rng_next(&rng) % 4);
        t->misuse[i] = (int32_t)(rng_next(&rng) % 3);
    }
}

static double nan_variant(size_t which)
{
    double v[3] = {NAN, -NAN, 0.0};
    uint64_t snan_bits = 0x7FF0000000000001ull; /* signalling NaN */
    memcpy(&v[2], &snan_bits, sizeof(double));
    return v[which % 3];
}

static void inject(table *t, size_t row, enum kind k, size_t variant)
{
    static const int32_t negatives[] = {-1, INT32_MIN, -64};
    int32_t neg = negatives[variant % 3];
    switch (k) {
    case NAN_PROGRESS: t->progress[row] = nan_variant(variant); break;
    case NEG_REWORK: t->rework[row] = neg; break;
    case NEG_REJECTIONS: t->rejections[row] = neg; break;
    case NEG_MISUSE: t->misuse[row] = neg; break;
    case NAN_ENGAGEMENT: t->engagement[row] = nan_variant(variant); break;
    default: break;
    }
}

static int row_invalid(const table *t, size_t i)
{
    return isnan(t->progress[i]) || isnan(t->engagement[i]) || t->rework[i] < 0 ||
           t->rejections[i] < 0 || t->misuse[i] < 0;
}

/* Scores t (with invalid rows) and checks it against scoring only its valid rows. */
static void check_table(const table *t, sl_status expect_status, size_t expect_first, int f32)
{
    table valid;
    size_t map[N], n_valid = 0;
    for (size_t i = 0; i < N; i++)
        if (!row_invalid(t, i)) {
            valid.progress[n_valid] = t->progress[i];
            valid.engagement[n_valid] = t->engagement[i];
            valid.rework[n_valid] = t->rework[i];
            valid.rejections[n_valid] = t->rejections[i];
            valid.misuse[n_valid] = t->misuse[i];
            map[i] = n_valid++;
        }
    const char *isa = sl_isa_name();
    if (f32) {
        float p32[N], v32[N], pv[N], vv[N], prog32[N], eng32[N], vprog[N], veng[N];
        for (size_t i = 0; i < N; i++) {
            prog32[i] = (float)t->progress[i]; eng32[i] = (float)t->engagement[i];
            vprog[i] = (float)valid.progress[i]; veng[i] = (float)valid.engagement[i];
            p32[i] = v32[i] = (float)UNTOUCHED;
        }
        sl_observables_f32 o = {prog32, t->rework, t->rejections, t->misuse, eng32};
        sl_observables_f32 ov = {vprog, valid.rework, valid.rejections, valid.misuse, veng};
        size_t first = 0;
        assert_int_equal(sl_score_f32(&px, &o, N, v32, p32, &first), expect_status);
        assert_int_equal(first, expect_first);
        /* validation only (no outputs) reports the same */
        first = 0;
        assert_int_equal(sl_score_f32(&px, &o, N, NULL, NULL, &first), expect_status);
        assert_int_equal(first, expect_first);
        assert_int_equal(sl_score_f32(&px, &ov, n_valid, vv, pv, NULL), SL_OK);
        for (size_t i = 0; i < N; i++) {
            if (row_invalid(t, i)) {
                if (v32[i] != (float)UNTOUCHED || p32[i] != (float)UNTOUCHED)
                    fail_msg("%s f32: invalid row %zu was written", isa, i);
            } else if (memcmp(&v32[i], &vv[map[i]], sizeof(float)) ||
                       memcmp(&p32[i], &pv[map[i]], sizeof(float))) {
                fail_msg("%s f32: valid row %zu differs from scoring it without the invalid rows", isa, i);
            }
        }
    } else {
        double p[N], v[N], pv[N], vv[N];
        for (size_t i = 0; i < N; i++)
            p[i] = v[i] = UNTOUCHED;
        sl_observables_f64 o = {t->progress, t->rework, t->rejections, t->misuse, t->engagement};
        sl_observables_f64 ov = {valid.progress, valid.rework, valid.rejections, valid.misuse,
                                 valid.engagement};
        size_t first = 0;
        assert_int_equal(sl_score_f64(&px, &o, N, v, p, &first), expect_status);
        assert_int_equal(first, expect_first);
        first = 0;
        assert_int_equal(sl_score_f64(&px, &o, N, NULL, NULL, &first), expect_status);
        assert_int_equal(first, expect_first);
        assert_int_equal(sl_score_f64(&px, &ov, n_valid, vv, pv, NULL), SL_OK);
        for (size_t i = 0; i < N; i++) {
            if (row_invalid(t, i)) {
                if (v[i] != UNTOUCHED || p[i] != UNTOUCHED)
                    fail_msg("%s f64: invalid row %zu was written", isa, i);
            } else if (memcmp(&v[i], &vv[map[i]], sizeof(double)) ||
                       memcmp(&p[i], &pv[map[i]], sizeof(double))) {
                fail_msg("%s f64: valid row %zu differs from scoring it without the invalid rows", isa, i);
            }
        }
    }
}

/* One invalid row of each kind at positions around vector boundaries. */
static void single_invalid_row(void **state)
{
    (void)state;
    static const size_t rows[] = {0, 1, 3, 4, 7, 8, 15, 16, 17, 63, 64, 100, N - 2, N - 1};
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int f32 = 0; f32 <= 1; f32++)
            for (int k = 0; k < N_KINDS; k++)
                for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
                    table t;
                    make_valid(&t, 11 + r);
                    inject(&t, rows[r], (enum kind)k, r);
                    check_table(&t, kind_status[k], rows[r], f32);
                }
    }
}

/* Many invalid rows of mixed kinds: the first one decides; all others are untouched too. */
static void many_invalid_rows(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int f32 = 0; f32 <= 1; f32++)
            for (uint64_t trial = 0; trial < 40; trial++) {
                table t;
                make_valid(&t, 1000 + trial);
                uint64_t rng = trial * 31 + 5;
                size_t first = N;
                enum kind first_kind = NAN_PROGRESS;
                size_t count = 1 + rng_next(&rng) % 30;
                for (size_t j = 0; j < count; j++) {
                    size_t row = rng_next(&rng) % N;
                    enum kind k = (enum kind)(rng_next(&rng) % N_KINDS);
                    if (row_invalid(&t, row))
                        continue; /* keep one bad field per row: the status is then unambiguous */
                    inject(&t, row, k, j);
                    if (row < first) {
                        first = row;
                        first_kind = k;
                    }
                }
                check_table(&t, kind_status[first_kind], first, f32);
            }
    }
}

/* Several bad fields in one row: the status names the first in field order. */
static void several_bad_fields_in_one_row(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int f32 = 0; f32 <= 1; f32++) {
            table t;
            make_valid(&t, 5);
            inject(&t, 9, NAN_ENGAGEMENT, 0);
            inject(&t, 9, NEG_MISUSE, 0);
            check_table(&t, SL_ERR_NEGATIVE_TOOL_MISUSE, 9, f32);
            inject(&t, 9, NEG_REWORK, 0);
            check_table(&t, SL_ERR_NEGATIVE_REWORK_COUNT, 9, f32);
            inject(&t, 9, NAN_PROGRESS, 0);
            check_table(&t, SL_ERR_NAN_TASK_PROGRESS, 9, f32);
        }
    }
}

static void sigmoid_nan(void **state)
{
    (void)state;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        double x[N], out[N], ref[N];
        float x32[N], out32[N], ref32[N];
        for (size_t i = 0; i < N; i++) {
            x[i] = -3.0 + 6.0 * (double)i / N;
            x32[i] = (float)x[i];
        }
        assert_int_equal(sl_sigmoid_f64(2.0, x, N, ref), SL_OK);
        assert_int_equal(sl_sigmoid_f32(2.0f, x32, N, ref32), SL_OK);
        static const size_t bad[] = {0, 8, 9, 31, N - 1};
        for (size_t b = 0; b < 5; b++) {
            x[bad[b]] = NAN;
            x32[bad[b]] = NAN;
        }
        for (size_t i = 0; i < N; i++) {
            out[i] = UNTOUCHED;
            out32[i] = (float)UNTOUCHED;
        }
        assert_int_equal(sl_sigmoid_f64(2.0, x, N, out), SL_ERR_NAN_INPUT);
        assert_int_equal(sl_sigmoid_f32(2.0f, x32, N, out32), SL_ERR_NAN_INPUT);
        for (size_t i = 0; i < N; i++) {
            if (isnan(x[i])) {
                assert_true(out[i] == UNTOUCHED && out32[i] == (float)UNTOUCHED);
            } else {
                assert_memory_equal(&out[i], &ref[i], sizeof(double));
                assert_memory_equal(&out32[i], &ref32[i], sizeof(float));
            }
        }
    }
}

static int setup(void **state)
{
    (void)state;
    sl_proxy_params pp;
    sl_proxy_params_default(&pp);
    return sl_proxy_init(&px, &pp) == SL_OK ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_invalid_row),
        cmocka_unit_test(many_invalid_rows),
        cmocka_unit_test(several_bad_fields_in_one_row),
        cmocka_unit_test(sigmoid_nan),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
