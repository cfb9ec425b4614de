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
#include <strings.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "numtext.h"
#include "panel_build.h"
#include "panel_report.h"
#include "qa_report.h"

static int panel_usage(FILE *f, int code)
{
    fputs("usage: softlabel panel --in ANNOTATIONS --out ITEMS.jsonl [--rubric RUBRIC.yaml]\n"
          "                       [--summary QA.json] [--report QA.html] [--min-reviewers N]\n"
          "                       [--majority T] [--adjudicate none|plurality]\n"
          "                       [--flag-entropy E] [--flag-confidence C] [--threads N]\n"
          "                       [--max-errors N] [--omit-zeros]\n"
          "                       [--reliability none|dawid-skene]\n"
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
          "  --omit-zeros    distributions list only the labels with votes (not every label)\n"
          "  --report        QA.pdf (a printable PDF) or any other name (an HTML page)\n"
          "  --reliability   dawid-skene: each item also gets reviewer_weighted_distribution, its\n"
          "                  Dawid-Skene posterior (fitted per task; the summary and the report\n"
          "                  always give each reviewer's Dawid-Skene accuracy)\n",
          f);
    return code;
}

/* A finite real, or a fraction a/b of two, into *out (numtext.h's rule). */
static int parse_real(const char *s, double *out)
{
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    double a, b = 1.0;
    if (sl_parse_f64(s, n, &a) || (slash && (sl_parse_f64(slash + 1, strlen(slash + 1), &b) || b == 0.0)))
        return -1;
    *out = a / b;
    return isfinite(*out) ? 0 : -1;
}

static int parse_count(const char *s, long lo, long hi, long *out)
{
    int64_t v;
    if (sl_parse_whole(s, strlen(s), lo, hi, &v) != SL_WHOLE_OK)
        return -1;
    *out = (long)v;
    return 0;
}

static size_t default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (size_t)n;
}

/* Whether the report is a PDF: its name ends in ".pdf" (any case); anything else is HTML. */
static int report_is_pdf(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && !strcasecmp(path + n - 4, ".pdf");
}

typedef struct panel_args {
    panel_options opt;
    const char *out, *summary, *report;
    long max_errors;
    int omit_zeros;
    int reliability; /* 1: --reliability dawid-skene */
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
            return SL_EX_USAGE;
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
        } else if (!strcmp(opt, "--reliability")) {
            if (strcmp(val, "none") && strcmp(val, "dawid-skene"))
                goto bad;
            a->reliability = !strcmp(val, "dawid-skene");
        } else if (!strcmp(opt, "--max-errors")) {
            if (parse_count(val, 0, 1000000000, &n))
                goto bad;
            a->max_errors = n;
        } else {
            fprintf(stderr, "softlabel panel: unknown option '%s'\n", opt);
            return SL_EX_USAGE;
        }
        continue;
    bad:
        fprintf(stderr, "softlabel panel: %s: invalid value '%s' (see --help)\n", opt, val);
        return SL_EX_USAGE;
    }
    a->opt.panel.threads = a->opt.threads;
#ifndef SOFTLABEL_HAVE_PDF
    if (a->report && report_is_pdf(a->report)) {
        fprintf(stderr, "softlabel panel: --report %s: this build writes no PDF (built without "
                        "cairo: SOFTLABEL_PDF=OFF); name an .html report\n", a->report);
        return SL_EX_USAGE;
    }
#endif
    if (!a->opt.in || !a->out) {
        fprintf(stderr, "softlabel panel: --in and --out are required (see --help)\n");
        return SL_EX_USAGE;
    }
    const char *opts[] = {"--out", "--summary", "--report"}, *paths[] = {a->out, a->summary, a->report};
    if (sl_outputs_distinct("panel", opts, paths, 3))
        return SL_EX_USAGE;
    return 0;
}

static int write_error(const char *path)
{
    fprintf(stderr, "softlabel panel: %s: write error: %s\n", path, strerror(errno));
    return SL_EX_IOERR;
}

/* The report, HTML or PDF, from the summary and the panel's quality figures. */
static int write_report(const panel_data *d, const panel_summary *s, const sl_panel_quality *q,
                        const char *path, FILE *out)
{
    qa_content c;
    int rc = qa_content_build(d, s, q, &c);
    if (rc)
        fprintf(stderr, "softlabel panel: out of memory\n");
#ifdef SOFTLABEL_HAVE_PDF
    else if (report_is_pdf(path) ? qa_write_pdf(&c, out) : qa_write_html(&c, out))
#else
    else if (qa_write_html(&c, out)) /* a .pdf name was refused with the options */
#endif
        rc = write_error(path);
    qa_content_free(&c);
    return rc ? rc < 0 ? SL_EX_OSERR : rc : 0;
}

/* The outputs: items, then the summary and the report when asked, all replaced together at the
 * end (a failing summary or report leaves the old items file untouched). */
static int write_outputs(const panel_data *d, const panel_args *a)
{
    sl_outfile items = SL_OUTFILE_NONE, summary = SL_OUTFILE_NONE, report = SL_OUTFILE_NONE;
    panel_summary s = {0};
    sl_panel_quality *q = NULL;
    sl_panel_quality_options qopt;
    sl_panel_quality_options_default(&qopt);
    qopt.ds.n_threads = (unsigned)a->opt.threads;
    int code = 0;
    if (sl_outfile_open(&items, a->out) || (a->summary && sl_outfile_open(&summary, a->summary)) ||
        (a->report && sl_outfile_open(&report, a->report)))
        code = SL_EX_CANTCREAT;
    if (!code && (a->summary || a->report || a->reliability)) {
        sl_status st = sl_panel_quality_create(d->pb, &qopt, &q);
        if (st != SL_OK) {
            fprintf(stderr, "softlabel panel: %s\n", sl_status_str(st));
            code = SL_EX_OSERR;
        }
    }
    if (!code && panel_write_items(d, sl_outfile_stream(&items), a->opt.threads, a->omit_zeros,
                                   a->reliability ? q : NULL))
        code = write_error(a->out);
    if (!code && (a->summary || a->report) && panel_summarize(d, &a->opt, &s)) {
        fprintf(stderr, "softlabel panel: out of memory\n");
        code = SL_EX_OSERR;
    }
    if (!code && a->summary && panel_write_summary(d, &s, q, &qopt, sl_outfile_stream(&summary)))
        code = write_error(a->summary);
    if (!code && a->report)
        code = write_report(d, &s, q, a->report, sl_outfile_stream(&report));
    sl_outfile *all[] = {&summary, &report, &items}; /* the items file replaced last */
    if (!code && sl_outfile_commit_all(all, 3))
        code = SL_EX_IOERR;
    for (size_t i = 0; i < 3; i++)
        sl_outfile_abort(all[i]);
    if (a->summary || a->report)
        panel_summary_free(&s);
    sl_panel_quality_free(q);
    return code;
}

int sl_cmd_panel(int argc, char **argv)
{
    panel_args a;
    int code = parse_args(argc, argv, &a);
    if (code)
        return code < 0 ? 0 : code;
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
        code = SL_EX_DATAERR;
    }
    panel_free(&d);
    return code;
}
