/*
 * softlabel sample: generate the built-in synthetic sample in memory, score it on the active path,
 * print the path, throughput and a summary of p (the README's main job).
 * softlabel info: version, active path, paths this machine can run.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "sample.h"
#include "softlabel.h"

static const char *const isa_names[] = {"scalar", "avx2", "avx512", "neon"};

static int sample_usage(FILE *f, int code)
{
    fputs("usage: softlabel sample [--n N] [--seed S] [--precision f64|f32] [--repeat R]\n"
          "  Scores N synthetic interactions (default 10000000, seed 42) in memory on the active\n"
          "  instruction-set path and prints the path, items/s (median of R runs, default 5,\n"
          "  single thread) and a summary of p. The sample's distributions: tools/sample.h.\n",
          f);
    return code;
}

static int parse_size(const char *arg, const char *opt, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || *end || arg[0] == '-' || end == arg) {
        fprintf(stderr, "softlabel: %s: not a non-negative integer: '%s'\n", opt, arg);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Neumaier-compensated running sum */
typedef struct { double sum, carry; } ksum;
static void ksum_add(ksum *k, double x)
{
    double t = k->sum + x;
    k->carry += fabs(k->sum) >= fabs(x) ? (k->sum - t) + x : (x - t) + k->sum;
    k->sum = t;
}
static double ksum_value(const ksum *k) { return k->sum + k->carry; }

static void print_summary(const double *p, size_t n)
{
    ksum sum = {0, 0}, sumsq = {0, 0};
    double lo = INFINITY, hi = -INFINITY;
    size_t beneficial = 0, bins[10] = {0};
    for (size_t i = 0; i < n; i++) {
        ksum_add(&sum, p[i]);
        ksum_add(&sumsq, p[i] * p[i]);
        lo = p[i] < lo ? p[i] : lo;
        hi = p[i] > hi ? p[i] : hi;
        beneficial += p[i] >= 0.5;
        int b = (int)(p[i] * 10.0);
        bins[b > 9 ? 9 : b]++;
    }
    double mean = ksum_value(&sum) / (double)n;
    double var = ksum_value(&sumsq) / (double)n - mean * mean;
    printf("p: mean %.6f  sd %.6f  min %.6f  max %.6f  share p>=0.5 %.4f\n", mean,
           sqrt(var > 0 ? var : 0), lo, hi, (double)beneficial / (double)n);
    printf("p histogram (10 bins of width 0.1):");
    for (int b = 0; b < 10; b++)
        printf(" %zu", bins[b]);
    printf("\n");
}

int sl_cmd_sample(int argc, char **argv)
{
    size_t n = 10000000, seed = 42, repeat = 5;
    int f32 = 0;
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
            return sample_usage(stdout, 0);
        if (i + 1 >= argc) {
            fprintf(stderr, "softlabel sample: unknown option or missing value: '%s'\n", opt);
            return 64;
        }
        const char *val = argv[++i];
        if (!strcmp(opt, "--n")) {
            if (parse_size(val, opt, &n)) return 64;
        } else if (!strcmp(opt, "--seed")) {
            if (parse_size(val, opt, &seed)) return 64;
        } else if (!strcmp(opt, "--repeat")) {
            if (parse_size(val, opt, &repeat) || repeat == 0) return 64;
        } else if (!strcmp(opt, "--precision")) {
            if (strcmp(val, "f32") && strcmp(val, "f64")) {
                fprintf(stderr, "softlabel sample: --precision must be f32 or f64, not '%s'\n", val);
                return 64;
            }
            f32 = !strcmp(val, "f32");
        } else {
            fprintf(stderr, "softlabel sample: unknown option '%s'\n", opt);
            return 64;
        }
    }
    if (n == 0) {
        fprintf(stderr, "softlabel sample: --n must be at least 1\n");
        return 64;
    }
    if (sl_isa_status() != SL_OK) {
        fprintf(stderr, "softlabel: SOFTLABEL_ISA='%s': %s\n", getenv("SOFTLABEL_ISA"),
                sl_status_str(sl_isa_status()));
        return 78;
    }

    sl_sample s;
    if (sl_sample_generate(&s, n, seed)) {
        fprintf(stderr, "softlabel sample: out of memory for %zu rows\n", n);
        return 71;
    }
    sl_proxy px;
    sl_proxy_params params;
    sl_proxy_params_default(&params);
    sl_proxy_init(&px, &params);

    /* f32 works on rounded copies of the real columns; p is summarized in double either way */
    float *prog32 = NULL, *eng32 = NULL, *v32 = NULL, *p32 = NULL;
    double *v_hat = malloc(n * sizeof(double)), *p = malloc(n * sizeof(double));
    double *seconds = malloc(repeat * sizeof(double));
    if (f32) {
        prog32 = malloc(n * sizeof(float)); eng32 = malloc(n * sizeof(float));
        v32 = malloc(n * sizeof(float)); p32 = malloc(n * sizeof(float));
    }
    if (!v_hat || !p || !seconds || (f32 && (!prog32 || !eng32 || !v32 || !p32))) {
        fprintf(stderr, "softlabel sample: out of memory for %zu rows\n", n);
        return 71;
    }
    sl_observables_f64 obs = {s.task_progress_delta, s.rework_count, s.verifier_rejections,
                              s.tool_misuse_flags, s.counterparty_engagement_delta};
    sl_observables_f32 obs32 = {prog32, s.rework_count, s.verifier_rejections, s.tool_misuse_flags,
                                eng32};
    if (f32)
        for (size_t i = 0; i < n; i++) {
            prog32[i] = (float)s.task_progress_delta[i];
            eng32[i] = (float)s.counterparty_engagement_delta[i];
        }

    sl_status st = SL_OK;
    size_t bad = n;
    for (size_t r = 0; r < repeat && st == SL_OK; r++) {
        double t0 = now_seconds();
        st = f32 ? sl_score_f32(&px, &obs32, n, v32, p32, &bad)
                 : sl_score_f64(&px, &obs, n, v_hat, p, &bad);
        seconds[r] = now_seconds() - t0;
    }
    if (st != SL_OK) {
        fprintf(stderr, "softlabel sample: row %zu: %s\n", bad, sl_status_str(st));
        return 65;
    }
    if (f32)
        for (size_t i = 0; i < n; i++)
            p[i] = p32[i];
    qsort(seconds, repeat, sizeof(double), cmp_double);
    double median = repeat % 2 ? seconds[repeat / 2]
                               : 0.5 * (seconds[repeat / 2 - 1] + seconds[repeat / 2]);

    printf("softlabel %s: scored %zu synthetic interactions (seed %zu, %s, default parameters)\n",
           sl_version(), n, seed, f32 ? "f32" : "f64");
    printf("path: %s\n", sl_isa_name());
    printf("throughput: %.1f M items/s (median of %zu runs, %.3f s per run, single thread)\n",
           (double)n / median / 1e6, repeat, median);
    print_summary(p, n);

    free(prog32); free(eng32); free(v32); free(p32);
    free(v_hat); free(p); free(seconds);
    sl_sample_free(&s);
    return 0;
}

int sl_cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("softlabel %s\n", sl_version());
    sl_status st = sl_isa_status();
    printf("active path: %s%s%s\n", sl_isa_name(), st == SL_OK ? "" : "  (SOFTLABEL_ISA error: ",
           st == SL_OK ? "" : sl_status_str(st));
    printf("paths this machine can run:");
    for (size_t i = 0; i < sizeof isa_names / sizeof isa_names[0]; i++)
        if (sl_isa_supported(isa_names[i]))
            printf(" %s", isa_names[i]);
    printf("\n");
    return 0;
}

