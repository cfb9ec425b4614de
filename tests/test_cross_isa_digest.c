/*
 * SPEC 1: every SIMD path gives the same output bits as every other SIMD path of the same
 * precision, on any machine. Proof across architectures: a fixed, generated set of 1,000,003 rows
 * (integer-only generator, so the same rows on every machine) is scored on every SIMD path this
 * machine runs; a digest of the output bits must equal the constants below. The constants were
 * produced by the x86-64 AVX2 path and are checked, by this same test, against AVX2 and AVX-512 on
 * x86-64 and against NEON on AArch64 (under qemu in CI): one set of numbers for all of them.
 *
 * The rows include what SIMD gets wrong: +-0, +-1, +-inf, subnormals, values just inside and
 * outside [-1, 1], huge finite values, counts 0..70 (inside and past the 64-entry signal table) and
 * huge counts up to 2^31-1, and a few invalid rows (NaN, negative counts), whose outputs must stay
 * untouched. The two halves use different parameters; the second half starts at an odd row, so
 * its buffers are misaligned for every vector width, and both halves end in a partial vector.
 * The sigmoid kernels get the same treatment, with -k*x reaching exp's overflow and underflow.
 *
 * Beside the digests, each SIMD path is compared row by row with the scalar path: v_hat the same
 * bits, p within 4 ULP (SPEC 1: libm's exp and the SIMD exp differ by about 1 ULP), the same status
 * and first invalid row. The scalar path itself is not held to the digests (libm's exp).
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define ROWS 1000003u
#define HALF 500001u /* odd: the second half starts misaligned */

/* Digests of the generated inputs and of the SIMD outputs (FNV-1a 64, see digest_*). The output
 * digests were regenerated (on AVX2, equal on AVX-512) when the SIMD paths' own exp replaced
 * SLEEF's (kernels/simd/score_simd.inc): p changed by up to an ULP, v_hat not at all; the f64
 * ones again (equal on AVX2 and AVX-512) when its polynomial moved from Horner's rule to Estrin's
 * scheme: f64 p changed in the last bits, f32 not at all. */
#define INPUT_DIGEST UINT64_C(0x601c2283b9a8820a)
#define SCORE_F64_DIGEST UINT64_C(0x3daf6f5deb978599)
#define SCORE_F32_DIGEST UINT64_C(0x6659b01528fb2d98)
#define SIGMOID_F64_DIGEST UINT64_C(0xe9e45109a640d0d9)
#define SIGMOID_F32_DIGEST UINT64_C(0x1c24bbb3bcc85073)

/* Output bytes before a call: invalid rows must keep them. */
#define SENTINEL_BYTE 0xA5

/* ---- digest: FNV-1a 64 over each value's bits as little-endian bytes (any host byte order) -- */
#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t fnv_bits(uint64_t h, uint64_t bits, unsigned bytes)
{
    for (unsigned b = 0; b < bytes; b++) {
        h ^= (bits >> (8 * b)) & 0xFF;
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t digest_f64(uint64_t h, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        h = fnv_bits(h, bits, 8);
    }
    return h;
}

static uint64_t digest_f32(uint64_t h, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        h = fnv_bits(h, bits, 4);
    }
    return h;
}

static uint64_t digest_i32(uint64_t h, const int32_t *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = fnv_bits(h, (uint32_t)x[i], 4);
    return h;
}

/* ---- the generated rows ---------------------------------------------------------------------- */
typedef struct rows {
    double *progress, *engagement, *x;        /* x: sigmoid input */
    float *progress32, *engagement32, *x32;
    int32_t *rework, *rejections, *misuse;
} rows;

static rows in;
static sl_proxy px_a, px_b;
#define K_A 2.0
#define K_B 7.5

/* Edge values of a real field, side by side in both precisions. */
static const double edge64[] = {
    0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, 0x1p-1074, -0x1p-1074, 0x1p-1022 - 0x1p-1074,
    -(0x1p-1022 - 0x1p-1074), DBL_MIN, 1.0 - 0x1p-53, -(1.0 - 0x1p-53), 1.0 + 0x1p-52,
    -(1.0 + 0x1p-52), DBL_MAX, -DBL_MAX, 0.5, -0.5, 1e-300,
};
static const float edge32[] = {
    0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, 0x1p-149f, -0x1p-149f, 0x1p-126f - 0x1p-149f,
    -(0x1p-126f - 0x1p-149f), FLT_MIN, 1.0f - 0x1p-24f, -(1.0f - 0x1p-24f), 1.0f + 0x1p-23f,
    -(1.0f + 0x1p-23f), FLT_MAX, -FLT_MAX, 0.5f, -0.5f, 1e-30f,
};
#define N_EDGES (sizeof edge64 / sizeof edge64[0])

/* One real value in both precisions: an edge value one time in 8, else uniform in [-scale,
 * scale) (scale * 1.25 for observables, so clamping is exercised); NaN one time in 2^17. */
static void gen_real(uint64_t *s, double scale, double *out64, float *out32)
{
    uint64_t r = rng_next(s);
    if ((r & 0x1FFFF) == 0) {
        *out64 = NAN;
        *out32 = NAN;
    } else if ((r & 7) == 0) {
        *out64 = edge64[(r >> 3) % N_EDGES];
        *out32 = edge32[(r >> 3) % N_EDGES];
    } else {
        *out64 = rng_uniform(s, -scale, scale);
        *out32 = (float)*out64;
    }
}

/* A count: mostly 0..3, often 0..70 (the signal table holds 0..63), one time in 64 huge, one
 * time in 2^17 negative (invalid). */
static int32_t gen_count(uint64_t *s)
{
    static const int32_t huge[] = {64, 65, 100, 1000, 1 << 20, INT32_MAX - 1, INT32_MAX};
    uint64_t r = rng_next(s);
    if ((r & 0x1FFFF) == 1)
        return (r >> 17) & 1 ? -1 : INT32_MIN;
    if ((r & 63) == 0) {
        uint64_t pick = (r >> 6) % 8;
        return pick < 7 ? huge[pick] : (int32_t)(71 + (r >> 9) % (UINT64_C(2147483647) - 71));
    }
    return (r >> 6) & 1 ? (int32_t)((r >> 7) % 4) : (int32_t)((r >> 7) % 71);
}

static int setup(void **state)
{
    (void)state;
    in.progress = malloc(ROWS * sizeof(double));
    in.engagement = malloc(ROWS * sizeof(double));
    in.x = malloc(ROWS * sizeof(double));
    in.progress32 = malloc(ROWS * sizeof(float));
    in.engagement32 = malloc(ROWS * sizeof(float));
    in.x32 = malloc(ROWS * sizeof(float));
    in.rework = malloc(ROWS * sizeof(int32_t));
    in.rejections = malloc(ROWS * sizeof(int32_t));
    in.misuse = malloc(ROWS * sizeof(int32_t));
    assert_non_null(in.misuse);
    uint64_t s = 20240601;
    for (size_t i = 0; i < ROWS; i++) {
        gen_real(&s, 1.25, &in.progress[i], &in.progress32[i]);
        gen_real(&s, 1.25, &in.engagement[i], &in.engagement32[i]);
        gen_real(&s, 40.0, &in.x[i], &in.x32[i]);
        in.rework[i] = gen_count(&s);
        in.rejections[i] = gen_count(&s);
        in.misuse[i] = gen_count(&s);
    }
    sl_proxy_params a, b = {1.0, 3.0, 0.5, 2.0, K_B, 0.05, 0.9, 0.99};
    sl_proxy_params_default(&a);
    assert_true(a.sigmoid_k == K_A);
    assert_int_equal(sl_proxy_init(&px_a, &a), SL_OK);
    assert_int_equal(sl_proxy_init(&px_b, &b), SL_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(in.progress), free(in.engagement), free(in.x);
    free(in.progress32), free(in.engagement32), free(in.x32);
    free(in.rework), free(in.rejections), free(in.misuse);
    return 0;
}

/* ---- running one path ------------------------------------------------------------------------- */
typedef struct result {
    double *v_hat, *p, *sig;
    float *v_hat32, *p32, *sig32;
    sl_status st[2], st32[2], sig_st[2], sig_st32[2]; /* per half */
    size_t bad[2], bad32[2];
} result;

static void *sentinel_buffer(size_t bytes)
{
    void *b = malloc(bytes);
    assert_non_null(b);
    memset(b, SENTINEL_BYTE, bytes);
    return b;
}

static void run_half(result *r, const sl_proxy *px, double k, size_t lo, size_t n, int h)
{
    sl_observables_f64 o64 = {in.progress + lo, in.rework + lo, in.rejections + lo, in.misuse + lo,
                              in.engagement + lo};
    sl_observables_f32 o32 = {in.progress32 + lo, in.rework + lo, in.rejections + lo,
                              in.misuse + lo, in.engagement32 + lo};
    r->st[h] = sl_score_f64(px, &o64, n, r->v_hat + lo, r->p + lo, &r->bad[h]);
    r->st32[h] = sl_score_f32(px, &o32, n, r->v_hat32 + lo, r->p32 + lo, &r->bad32[h]);
    r->sig_st[h] = sl_sigmoid_f64(k, in.x + lo, n, r->sig + lo);
    r->sig_st32[h] = sl_sigmoid_f32((float)k, in.x32 + lo, n, r->sig32 + lo);
}

static result run_path(const char *isa)
{
    force_isa(isa);
    result r;
    r.v_hat = sentinel_buffer(ROWS * sizeof(double));
    r.p = sentinel_buffer(ROWS * sizeof(double));
    r.sig = sentinel_buffer(ROWS * sizeof(double));
    r.v_hat32 = sentinel_buffer(ROWS * sizeof(float));
    r.p32 = sentinel_buffer(ROWS * sizeof(float));
    r.sig32 = sentinel_buffer(ROWS * sizeof(float));
    run_half(&r, &px_a, K_A, 0, HALF, 0);
    run_half(&r, &px_b, K_B, HALF, ROWS - HALF, 1);
    return r;
}

static void free_result(result *r)
{
    free(r->v_hat), free(r->p), free(r->sig);
    free(r->v_hat32), free(r->p32), free(r->sig32);
}

static uint64_t score_f64_digest(const result *r)
{
    return digest_f64(digest_f64(FNV_OFFSET, r->v_hat, ROWS), r->p, ROWS);
}
static uint64_t score_f32_digest(const result *r)
{
    return digest_f32(digest_f32(FNV_OFFSET, r->v_hat32, ROWS), r->p32, ROWS);
}

/* ---- the tests -------------------------------------------------------------------------------- */
static void inputs_are_the_recorded_ones(void **state)
{
    (void)state;
    uint64_t h = FNV_OFFSET;
    h = digest_f64(h, in.progress, ROWS), h = digest_f64(h, in.engagement, ROWS);
    h = digest_f64(h, in.x, ROWS);
    h = digest_f32(h, in.progress32, ROWS), h = digest_f32(h, in.engagement32, ROWS);
    h = digest_f32(h, in.x32, ROWS);
    h = digest_i32(h, in.rework, ROWS), h = digest_i32(h, in.rejections, ROWS);
    h = digest_i32(h, in.misuse, ROWS);
    printf("[digest] inputs: 0x%016" PRIx64 "\n", h);
    if (h != INPUT_DIGEST)
        fail_msg("generated rows differ from the recorded ones: digest 0x%016" PRIx64
                 ", expected 0x%016" PRIx64, h, INPUT_DIGEST);
}

static void check_digest(const char *isa, const char *what, uint64_t got, uint64_t expected,
                         int *failures)
{
    printf("[digest] %-7s %-11s 0x%016" PRIx64 "%s\n", isa, what, got,
           got == expected ? "" : "  MISMATCH");
    if (got != expected) {
        printf("[digest]         expected    0x%016" PRIx64 "\n", expected);
        (*failures)++;
    }
}

static void simd_paths_match_recorded_digests(void **state)
{
    (void)state;
    int paths = 0, failures = 0;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        if (strcmp(*isa, "scalar") == 0)
            continue;
        result r = run_path(*isa);
        check_digest(*isa, "score_f64", score_f64_digest(&r), SCORE_F64_DIGEST, &failures);
        check_digest(*isa, "score_f32", score_f32_digest(&r), SCORE_F32_DIGEST, &failures);
        check_digest(*isa, "sigmoid_f64", digest_f64(FNV_OFFSET, r.sig, ROWS), SIGMOID_F64_DIGEST,
                     &failures);
        check_digest(*isa, "sigmoid_f32", digest_f32(FNV_OFFSET, r.sig32, ROWS),
                     SIGMOID_F32_DIGEST, &failures);
        free_result(&r);
        paths++;
    }
    if (paths == 0)
        skip(); /* this machine runs no SIMD path: nothing to compare */
    if (failures)
        fail_msg("%d SIMD digest(s) differ from the recorded cross-ISA digests", failures);
}

/* Largest ULP distance between two arrays; fails on a NaN or on sentinel bits in only one. */
static uint64_t max_ulp_f64(const char *what, const double *a, const double *b)
{
    uint64_t worst = 0;
    for (size_t i = 0; i < ROWS; i++) {
        if (memcmp(&a[i], &b[i], sizeof a[i]) == 0)
            continue;
        if (isnan(a[i]) || isnan(b[i]))
            fail_msg("%s row %zu: %.17g vs %.17g", what, i, a[i], b[i]);
        uint64_t d = ulp_diff_f64(a[i], b[i]);
        worst = d > worst ? d : worst;
    }
    return worst;
}

static uint64_t max_ulp_f32(const char *what, const float *a, const float *b)
{
    uint64_t worst = 0;
    for (size_t i = 0; i < ROWS; i++) {
        if (memcmp(&a[i], &b[i], sizeof a[i]) == 0)
            continue;
        if (isnan(a[i]) || isnan(b[i]))
            fail_msg("%s row %zu: %.9g vs %.9g", what, i, (double)a[i], (double)b[i]);
        uint64_t d = ulp_diff_f32(a[i], b[i]);
        worst = d > worst ? d : worst;
    }
    return worst;
}

static void same_status(const result *s, const result *v)
{
    for (int h = 0; h < 2; h++) {
        assert_int_equal(v->st[h], s->st[h]);
        assert_int_equal(v->bad[h], s->bad[h]);
        assert_int_equal(v->st32[h], s->st32[h]);
        assert_int_equal(v->bad32[h], s->bad32[h]);
        assert_int_equal(v->sig_st[h], s->sig_st[h]);
        assert_int_equal(v->sig_st32[h], s->sig_st32[h]);
    }
}

static void simd_paths_within_4_ulp_of_scalar(void **state)
{
    (void)state;
    result s = run_path("scalar");
    /* the generator plants invalid rows in both halves: the statuses must say so */
    for (int h = 0; h < 2; h++) {
        assert_int_not_equal(s.st[h], SL_OK);
        assert_int_not_equal(s.sig_st[h], SL_OK);
    }
    int paths = 0;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        if (strcmp(*isa, "scalar") == 0)
            continue;
        result v = run_path(*isa);
        same_status(&s, &v);
        /* v_hat: the same operations on every path, so the same bits (sentinels included) */
        assert_memory_equal(v.v_hat, s.v_hat, ROWS * sizeof(double));
        assert_memory_equal(v.v_hat32, s.v_hat32, ROWS * sizeof(float));
        uint64_t u[4] = {max_ulp_f64("p f64", v.p, s.p), max_ulp_f32("p f32", v.p32, s.p32),
                         max_ulp_f64("sigmoid f64", v.sig, s.sig),
                         max_ulp_f32("sigmoid f32", v.sig32, s.sig32)};
        printf("[digest] %-7s vs scalar: max ULP p f64 %" PRIu64 ", p f32 %" PRIu64
               ", sigmoid f64 %" PRIu64 ", sigmoid f32 %" PRIu64 "\n",
               *isa, u[0], u[1], u[2], u[3]);
        for (int j = 0; j < 4; j++)
            if (u[j] > 4)
                fail_msg("%s: %" PRIu64 " ULP from the scalar path (bound 4)", *isa, u[j]);
        free_result(&v);
        paths++;
    }
    printf("[digest] scalar  score_f64 0x%016" PRIx64 ", score_f32 0x%016" PRIx64
           " (libm: not held to the SIMD digests)\n",
           score_f64_digest(&s), score_f32_digest(&s));
    free_result(&s);
    if (paths == 0)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inputs_are_the_recorded_ones),
        cmocka_unit_test(simd_paths_match_recorded_digests),
        cmocka_unit_test(simd_paths_within_4_ulp_of_scalar),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
