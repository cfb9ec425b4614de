/*
 * softlabel sample: generate the built-in synthetic sample in memory, score it on the active path,
 * print the path, throughput and a summary of p (the README's main job).
 * softlabel info: version, active path, CPU features seen, paths this machine can run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "options.h"
#include "sample.h"
#include "softlabel.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_summary(const double *p, size_t n)
{
    sl_psummary s;
    sl_psummary_init(&s);
    for (size_t i = 0; i < n; i++)
        sl_psummary_add(&s, p[i]);
    sl_psummary_print(stdout, &s);
}

int sl_cmd_sample(int argc, char **argv)
{
    size_t n = 10000000, seed = 42, repeat = 5;
    int precision = 0; /* 0 f64, 1 f32 */
    const sl_option options[] = {
        {"--n", SL_OPT_COUNT, &n, "N", .help = "interactions (default 10000000)", .lo = 1,
         .hi = SIZE_MAX},
        {"--seed", SL_OPT_COUNT, &seed, "S", .help = "the sample's seed (default 42)", .hi = SIZE_MAX},
        {"--precision", SL_OPT_ENUM, &precision, NULL, .help = "arithmetic (default f64)",
         .choices = "f64|f32"},
        {"--repeat", SL_OPT_COUNT, &repeat, "R", .help = "runs timed; the median is printed (default 5)",
         .lo = 1, .hi = SIZE_MAX},
    };
    const sl_command_options command = {
        "sample",
        "  Scores N synthetic interactions in memory on the active instruction-set path and prints\n"
        "  the path, items/s (median of R runs, single thread) and a summary of p. The sample's\n"
        "  distributions: softlabel gen --help.\n\n",
        NULL, options, sizeof options / sizeof options[0]};
    int rc = sl_options_parse(&command, argc, argv);
    if (rc)
        return rc < 0 ? SL_EX_OK : rc;
    int f32 = precision == 1;

    sl_sample s;
    if (sl_sample_generate(&s, n, seed)) {
        fprintf(stderr, "softlabel sample: out of memory for %zu rows\n", n);
        return SL_EX_OSERR;
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
        return SL_EX_OSERR;
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
        double t0 = sl_now();
        st = f32 ? sl_score_f32(&px, &obs32, n, v32, p32, &bad)
                 : sl_score_f64(&px, &obs, n, v_hat, p, &bad);
        seconds[r] = sl_now() - t0;
    }
    if (st != SL_OK) {
        fprintf(stderr, "softlabel sample: row %zu: %s\n", bad, sl_status_str(st));
        return SL_EX_DATAERR;
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

/* The CPU features the compiler's runtime sees (it checks OS support, as the library does). */
static void print_cpu_features(void)
{
    printf("CPU features seen:");
#if defined(__x86_64__) || defined(__i386__)
    /* __builtin_cpu_supports needs a string literal, hence the two parallel lists */
    static const char *const names[] = {"sse4.2",  "avx",      "avx2",     "fma",
                                        "avx512f", "avx512dq", "avx512bw", "avx512vl"};
    int on[] = {__builtin_cpu_supports("sse4.2"),   __builtin_cpu_supports("avx"),
                __builtin_cpu_supports("avx2"),     __builtin_cpu_supports("fma"),
                __builtin_cpu_supports("avx512f"),  __builtin_cpu_supports("avx512dq"),
                __builtin_cpu_supports("avx512bw"), __builtin_cpu_supports("avx512vl")};
    int any = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (on[i]) {
            printf(" %s", names[i]);
            any = 1;
        }
    if (!any)
        printf(" (none of sse4.2 avx avx2 fma avx512f/dq/bw/vl)");
#else
    printf(" (not probed on this architecture)");
#endif
    printf("\n");
}

int sl_cmd_info(int argc, char **argv)
{
    const sl_command_options command = {
        "info",
        "  Prints the version, the active instruction-set path, the CPU features seen and the\n"
        "  paths this machine can run.\n",
        NULL, NULL, 0};
    int rc = sl_options_parse(&command, argc, argv);
    if (rc)
        return rc < 0 ? SL_EX_OK : rc;
    printf("softlabel %s\n", sl_version());
    sl_status st = sl_isa_status();
    printf("active path: %s%s%s%s\n", sl_isa_name(), st == SL_OK ? "" : "  (SOFTLABEL_ISA error: ",
           st == SL_OK ? "" : sl_status_str(st), st == SL_OK ? "" : ")");
    print_cpu_features();
    printf("paths this machine can run:");
    for (size_t i = 0; i < sl_isa_count(); i++)
        if (sl_isa_supported(sl_isa_at(i)))
            printf(" %s", sl_isa_at(i));
    printf("\n");
    return 0;
}
