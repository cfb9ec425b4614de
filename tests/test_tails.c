/*
 * What SIMD gets wrong: every length 0..257 at several element offsets from an aligned base
 * (tails and misalignment), NULL output variants, the absent misuse column, in-place sigmoid,
 * and nothing written past n (guard cells around every output). Each path forced in turn and
 * compared with the scalar path (v_hat bit-identical, p within 4 ULP).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define MAX_LEN 257
#define MAX_OFFSET 17 /* past a whole AVX-512 f32 vector */
#define GUARD 32
#define CAP (MAX_LEN + MAX_OFFSET + 2 * GUARD)

static const double GUARD_F64 = -12345.0;
static const float GUARD_F32 = -12345.0f;

typedef struct inputs {
    double progress[CAP], engagement[CAP];
    float progress32[CAP], engagement32[CAP];
    int32_t rework[CAP], rejections[CAP], misuse[CAP];
} inputs;

static inputs in;
static sl_proxy px;

static int setup(void **state)
{
    (void)state;
    uint64_t rng = 7;
    for (size_t i = 0; i < CAP; i++) {
        in.progress[i] = rng_uniform(&rng, -1.2, 1.2);
        in.engagement[i] = rng_uniform(&rng, -1.2, 1.2);
        in.progress32[i] = (float)in.progress[i];
        in.engagement32[i] = (float)in.engagement[i];
        in.rework[i] = (int32_t)(rng_next(&rng) % 80); /* some past the signal table */
        in.rejections[i] = (int32_t)(rng_next(&rng) % 5);
        in.misuse[i] = (int32_t)(rng_next(&rng) % 3);
    }
    sl_proxy_params pp;
    sl_proxy_params_default(&pp);
    pp.sigmoid_k = 3.0;
    assert_int_equal(sl_proxy_init(&px, &pp), SL_OK);
    return 0;
}

/* Output buffers with guards on both sides of [offset, offset + len). */
static void fill_guard_f64(double *b) { for (size_t i = 0; i < CAP; i++) b[i] = GUARD_F64; }
static void fill_guard_f32(float *b) { for (size_t i = 0; i < CAP; i++) b[i] = GUARD_F32; }

static void check_guards_f64(const double *b, size_t start, size_t len, const char *what)
{
    for (size_t i = 0; i < CAP; i++)
        if ((i < start || i >= start + len) && b[i] != GUARD_F64)
            fail_msg("%s: wrote cell %zu outside [%zu, %zu)", what, i, start, start + len);
}

static void check_guards_f32(const float *b, size_t start, size_t len, const char *what)
{
    for (size_t i = 0; i < CAP; i++)
        if ((i < start || i >= start + len) && b[i] != GUARD_F32)
            fail_msg("%s: wrote cell %zu outside [%zu, %zu)", what, i, start, start + len);
}

static void score_f64_on(const char *isa, size_t start, size_t len, int with_misuse, double *v,
                         double *p, int want_v, int want_p)
{
    force_isa(isa);
    sl_observables_f64 obs = {in.progress + start, in.rework + start, in.rejections + start,
                              with_misuse ? in.misuse + start : NULL, in.engagement + start};
    size_t bad = 99999;
    assert_int_equal(sl_score_f64(&px, &obs, len, want_v ? v + start : NULL,
                                  want_p ? p + start : NULL, &bad), SL_OK);
    assert_int_equal(bad, len);
}

static void score_f32_on(const char *isa, size_t start, size_t len, int with_misuse, float *v,
                         float *p, int want_v, int want_p)
{
    force_isa(isa);
    sl_observables_f32 obs = {in.progress32 + start, in.rework + start, in.rejections + start,
                              with_misuse ? in.misuse + start : NULL, in.engagement32 + start};
    size_t bad = 99999;
    assert_int_equal(sl_score_f32(&px, &obs, len, want_v ? v + start : NULL,
                                  want_p ? p + start : NULL, &bad), SL_OK);
    assert_int_equal(bad, len);
}

/* outputs: 0 both, 1 v_hat only, 2 p only, 3 neither (validation only) */
static void lengths_and_offsets(int f32)
{
    static double v_ref[CAP], p_ref[CAP], v[CAP], p[CAP];
    static float v_ref32[CAP], p_ref32[CAP], v32[CAP], p32[CAP];
    const char *const *isas = supported_isas();
    for (size_t offset = 0; offset <= MAX_OFFSET; offset++)
        for (size_t len = 0; len <= MAX_LEN; len++)
            for (int with_misuse = 0; with_misuse <= 1; with_misuse++) {
                size_t start = GUARD + offset;
                if (f32) {
                    fill_guard_f32(v_ref32);
                    fill_guard_f32(p_ref32);
                    score_f32_on("scalar", start, len, with_misuse, v_ref32, p_ref32, 1, 1);
                } else {
                    fill_guard_f64(v_ref);
                    fill_guard_f64(p_ref);
                    score_f64_on("scalar", start, len, with_misuse, v_ref, p_ref, 1, 1);
                }
                for (size_t s = 0; isas[s]; s++)
                    for (int outputs = 0; outputs < 4; outputs++) {
                        int want_v = outputs == 0 || outputs == 1, want_p = outputs == 0 || outputs == 2;
                        if (f32) {
                            fill_guard_f32(v32);
                            fill_guard_f32(p32);
                            score_f32_on(isas[s], start, len, with_misuse, v32, p32, want_v, want_p);
                            check_guards_f32(v32, start, want_v ? len : 0, isas[s]);
                            check_guards_f32(p32, start, want_p ? len : 0, isas[s]);
                            for (size_t i = start; i < start + len; i++) {
                                if (want_v && memcmp(&v32[i], &v_ref32[i], sizeof(float)))
                                    fail_msg("%s f32 len %zu offset %zu row %zu: v_hat %a vs %a",
                                             isas[s], len, offset, i - start, (double)v32[i],
                                             (double)v_ref32[i]);
                                if (want_p && ulp_diff_f32(p32[i], p_ref32[i]) > 4)
                                    fail_msg("%s f32 len %zu offset %zu row %zu: p %a vs %a",
                                             isas[s], len, offset, i - start, (double)p32[i],
                                             (double)p_ref32[i]);
                            }
                        } else {
                            fill_guard_f64(v);
                            fill_guard_f64(p);
                            score_f64_on(isas[s], start, len, with_misuse, v, p, want_v, want_p);
                            check_guards_f64(v, start, want_v ? len : 0, isas[s]);
                            check_guards_f64(p, start, want_p ? len : 0, isas[s]);
                            for (size_t i = start; i < start + len; i++) {
                                if (want_v && memcmp(&v[i], &v_ref[i], sizeof(double)))
                                    fail_msg("%s f64 len %zu offset %zu row %zu: v_hat %a vs %a",
                                             isas[s], len, offset, i - start, v[i], v_ref[i]);
                                if (want_p && ulp_diff_f64(p[i], p_ref[i]) > 4)
                                    fail_msg("%s f64 len %zu offset %zu row %zu: p %a vs %a",
                                             isas[s], len, offset, i - start, p[i], p_ref[i]);
                            }
                        }
                    }
            }
}

static void tails_f64(void **state) { (void)state; lengths_and_offsets(0); }
static void tails_f32(void **state) { (void)state; lengths_and_offsets(1); }

/* Sigmoid: every length and offset, out of place and in place (out == x). */
static void sigmoid_tails(void **state)
{
    (void)state;
    static double ref[CAP], out[CAP];
    static float ref32[CAP], out32[CAP];
    const char *const *isas = supported_isas();
    for (size_t offset = 0; offset <= MAX_OFFSET; offset++)
        for (size_t len = 0; len <= MAX_LEN; len++) {
            size_t start = GUARD + offset;
            force_isa("scalar");
            fill_guard_f64(ref);
            fill_guard_f32(ref32);
            assert_int_equal(sl_sigmoid_f64(2.0, in.progress + start, len, ref + start), SL_OK);
            assert_int_equal(sl_sigmoid_f32(2.0f, in.progress32 + start, len, ref32 + start), SL_OK);
            for (size_t s = 0; isas[s]; s++) {
                force_isa(isas[s]);
                for (int in_place = 0; in_place <= 1; in_place++) {
                    fill_guard_f64(out);
                    fill_guard_f32(out32);
                    const double *src = in.progress + start;
                    const float *src32 = in.progress32 + start;
                    if (in_place) {
                        memcpy(out + start, src, len * sizeof(double));
                        memcpy(out32 + start, src32, len * sizeof(float));
                        src = out + start;
                        src32 = out32 + start;
                    }
                    assert_int_equal(sl_sigmoid_f64(2.0, src, len, out + start), SL_OK);
                    assert_int_equal(sl_sigmoid_f32(2.0f, src32, len, out32 + start), SL_OK);
                    check_guards_f64(out, start, len, isas[s]);
                    check_guards_f32(out32, start, len, isas[s]);
                    for (size_t i = start; i < start + len; i++)
                        if (ulp_diff_f64(out[i], ref[i]) > 4 || ulp_diff_f32(out32[i], ref32[i]) > 4)
                            fail_msg("sigmoid %s len %zu offset %zu in_place %d row %zu", isas[s],
                                     len, offset, in_place, i - start);
                }
            }
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tails_f64),
        cmocka_unit_test(tails_f32),
        cmocka_unit_test(sigmoid_tails),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
