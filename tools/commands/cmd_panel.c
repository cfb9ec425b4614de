/*
 * softlabel panel: reviewer annotations -> one soft label per item (SPEC section 4), with the
 * batch QA summary (JSON) and report (HTML). Bad records are reported with file, line, column
 * and value and left out; everything valid is still written; the exit code is then 65.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "panel_build.h"
#include "panel_report.h"

static int panel_usage(FILE *f, int code)
{
    fputs("usage: softlabel panel --in ANNOTATIONS --out ITEMS.jsonl [--rubric RUBRIC.yaml]\n"
          "                       [--summary QA.json] [--report QA.html] [--min-reviewers N]\n"
          "                       [--majority T] [--adjudicate none|plurality]\n"
          "                       [--flag-entropy E] [--flag-confidence C] [--threads N]\n"
          "                       [--max-errors N] [--omit-zeros]\n"
          "  ANNOTATIONS: CSV with a header, or JSONL (.jsonl/.ndjson/.json, or a first byte '{'),\n"
          "  one record per (item, reviewer): item_id, task, reviewer, label, and optionally\n"
          "  confidence (0..1), evidence, error (0/1: a QA-marked reviewer error, excluded from the\n"
          "  distribution), gold (the item's verifiable answer: the item is adjudicated to it).\n"
          "  '-' reads standard input. The input need not be sorted.\n"
          "  --rubric        YAML: task -> labels in order (else each task's labels seen, sorted)\n"
          "  --min-reviewers fewer counted reviewers make an item 'unresolved' (default 2)\n"
          "  --majority      top share for 'minor' (default 2/3; a decimal or a fraction a/b)\n"
          "  --adjudicate    plurality: hard labels (never on a tie) for every task (default none)\n"
          "  --flag-entropy  normalized entropy from which items are flagged (default 0.5)\n"
          "  --flag-confidence  mean confidence below which a flag points at the rubric (0.5)\n"
          "  --threads       threads (default: the online CPUs)\n"
          "  --max-errors    input errors printed in full (default 50; all are counted)\n"
          "  --omit-zeros    distributions list only the labels with votes (not every label)\n",
          f);
    return code;
}

/* A decimal, or a fraction a/b, into *out. */
static int parse_real(const char *s, double *out)
{
    char *end;
    errno = 0;
    double a = strtod(s, &end);
    if (end == s || errno)
        return -1;
    if (*end == '/') {
        const char *den = end + 1;
        double b = strtod(den, &end);
        if (end == den || *end || b == 0.0)
            return -1;
        a /= b;
    } else if (*end) {
        return -1;
    }
    *out = a;
    return isfinite(a) ? 0 : -1;
}

static int parse_count(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static size_t default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (size_t)n;
}

typedef struct panel_args {
    panel_options opt;
    const char *out, *summary, *report;
    long max_errors;
    int omit_zeros;
} panel_args;

static int parse_args(int argc, char **argv, panel_args *a)
{
    memset(a, 0, sizeof *a);
    sl_panel_options_default(&a->opt.panel);
    a->opt.threads = default_threads();
    a->max_errors = 50;
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            panel_usage(stdout, 0);
            return -1; /* stop, exit 0 */
        }
        if (!strcmp(opt, "--omit-zeros")) {
            a->omit_zeros = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "softlabel panel: unknown option or missing value: '%s'\n", opt);
            return 64;
        }
        const char *val = argv[++i];
        long n;
        double x;
        if (!strcmp(opt, "--in")) {
            a->opt.in = val;
        } else if (!strcmp(opt, "--out")) {
            a->out = val;
        } else if (!strcmp(opt, "--rubric")) {
            a->opt.rubric_path = val;
        } else if (!strcmp(opt, "--summary")) {
            a->summary = val;
        } else if (!strcmp(opt, "--report")) {
            a->report = val;
        } else if (!strcmp(opt, "--min-reviewers")) {
            if (parse_count(val, 1, 1000000, &n))
                goto bad;
            a->opt.panel.min_reviewers = (size_t)n;
        } else if (!strcmp(opt, "--majority")) {
            if (parse_real(val, &x) || !(x > 0.0 && x <= 1.0))
                goto bad;
            a->opt.panel.majority = x;
        } else if (!strcmp(opt, "--adjudicate")) {
            if (strcmp(val, "none") && strcmp(val, "plurality"))
                goto bad;
            a->opt.panel.adjudicate = !strcmp(val, "plurality");
        } else if (!strcmp(opt, "--flag-entropy")) {
            if (parse_real(val, &x) || x < 0.0 || x > 1.0)
                goto bad;
            a->opt.panel.flag_entropy = x;
        } else if (!strcmp(opt, "--flag-confidence")) {
            if (parse_real(val, &x) || x < 0.0 || x > 1.0)
                goto bad;
            a->opt.panel.flag_confidence = x;
        } else if (!strcmp(opt, "--threads")) {
            if (parse_count(val, 1, 64, &n))
                goto bad;
            a->opt.threads = (size_t)n;
        } else if (!strcmp(opt, "--max-errors")) {
            if (parse_count(val, 0, 1000000000, &n))
                goto bad;
            a->max_errors = n;
        } else {
            fprintf(stderr, "softlabel panel: unknown option '%s'\n", opt);
            return 64;
        }
        continue;
    bad:
        fprintf(stderr, "softlabel panel: %s: invalid value '%s' (see --help)\n", opt, val);
        return 64;
    }
    a->opt.panel.threads = a->opt.threads;
    if (!a->opt.in || !a->out) {
        fprintf(stderr, "softlabel panel: --in and --out are required (see --help)\n");
        return 64;
    }
    return 0;
}

/* Opens path for writing ("-": standard output). */
static FILE *open_out(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (!f)
        fprintf(stderr, "softlabel panel: cannot create '%s': %s\n", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path, int write_rc)
{
    int rc = write_rc;
    if (f != stdout && fclose(f))
        rc = -1;
    if (rc)
        fprintf(stderr, "softlabel panel: error writing '%s': %s\n", path, strerror(errno));
    return rc;
}

/* The outputs: items, then the summary and the report when asked. */
static int write_outputs(const panel_data *d, const panel_args *a)
{
    FILE *f = open_out(a->out);
    if (!f)
        return 73;
    if (close_out(f, a->out, panel_write_items(d, f, a->opt.threads, a->omit_zeros)))
        return 74;
    if (!a->summary && !a->report)
        return 0;
    panel_summary s;
    if (panel_summarize(d, &a->opt, &s)) {
        panel_summary_free(&s);
        fprintf(stderr, "softlabel panel: out of memory\n");
        return 71;
    }
    int code = 0;
    if (a->summary) {
        f = open_out(a->summary);
        code = !f ? 73 : close_out(f, a->summary, panel_write_summary(d, &s, f)) ? 74 : 0;
    }
    if (!code && a->report) {
        f = open_out(a->report);
        code = !f ? 73 : close_out(f, a->report, panel_write_html(d, &s, f)) ? 74 : 0;
    }
    panel_summary_free(&s);
    return code;
}

int sl_cmd_panel(int argc, char **argv)
{
    panel_args a;
    int code = parse_args(argc, argv, &a);
    if (code)
        return code < 0 ? 0 : code;
    if (sl_isa_status() != SL_OK) {
        fprintf(stderr, "softlabel: SOFTLABEL_ISA='%s': %s\n", getenv("SOFTLABEL_ISA"),
                sl_status_str(sl_isa_status()));
        return 78;
    }
    panel_data d;
    char err[512];
    code = panel_build(&d, &a.opt, err, sizeof err);
    if (code) {
        fprintf(stderr, "softlabel panel: %s\n", err);
        panel_free(&d);
        return code;
    }
    panel_report_errors(&d, (size_t)a.max_errors);
    code = write_outputs(&d, &a);
    if (!code && d.errors.n) {
        fprintf(stderr, "softlabel panel: %zu input error%s (above); the %zu valid items were "
                        "written\n", d.errors.n, d.errors.n == 1 ? "" : "s", sl_panel_count(d.pb));
        code = 65;
    }
    panel_free(&d);
    return code;
}
