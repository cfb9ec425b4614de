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
#include "options.h"
#include "panel_build.h"
#include "panel_report.h"
#include "qa_report.h"

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
    size_t max_errors;
    bool omit_zeros;
    int reliability; /* 1: --reliability dawid-skene */
} panel_args;

static int parse_args(int argc, char **argv, panel_args *a)
{
    memset(a, 0, sizeof *a);
    sl_panel_options *p = &a->opt.panel;
    sl_panel_options_default(p);
    a->opt.threads = default_threads();
    a->max_errors = 50;
    const sl_option options[] = {
        {"--in", SL_OPT_PATH, &a->opt.in, "ANNOTATIONS", .help = "the annotations ('-': standard input)",
         .flags = SL_OPT_REQUIRED},
        {"--out", SL_OPT_PATH, &a->out, "ITEMS.jsonl", .help = "one soft label per item",
         .flags = SL_OPT_REQUIRED},
        {"--rubric", SL_OPT_PATH, &a->opt.rubric_path, "RUBRIC.yaml",
         .help = "YAML: task -> labels in order (else each task's labels seen, sorted)"},
        {"--summary", SL_OPT_PATH, &a->summary, "QA.json", .help = "the QA summary"},
        {"--report", SL_OPT_PATH, &a->report, "QA.html",
         .help = "QA.pdf (a printable PDF) or any other name (an HTML page)"},
        {"--min-reviewers", SL_OPT_COUNT, &p->min_reviewers, "N",
         .help = "fewer counted reviewers make an item 'unresolved' (default 2)", .lo = 1,
         .hi = 1000000},
        {"--majority", SL_OPT_REAL, &p->majority, "T",
         .help = "top share for 'minor' (default 2/3; a decimal or a fraction a/b)",
         .flags = SL_OPT_FRACTION | SL_OPT_ABOVE_MIN, .min = 0.0, .max = 1.0},
        {"--adjudicate", SL_OPT_ENUM, &p->adjudicate, NULL,
         .help = "plurality: hard labels (never on a tie) for every task (default none)",
         .choices = "none|plurality"},
        {"--flag-entropy", SL_OPT_REAL, &p->flag_entropy, "E",
         .help = "normalized entropy from which items are flagged (default 0.5)",
         .flags = SL_OPT_FRACTION, .min = 0.0, .max = 1.0},
        {"--flag-confidence", SL_OPT_REAL, &p->flag_confidence, "C",
         .help = "mean confidence below which a flag points at the rubric (0.5)",
         .flags = SL_OPT_FRACTION, .min = 0.0, .max = 1.0},
        {"--threads", SL_OPT_COUNT, &a->opt.threads, "N", .help = "threads (default: the online CPUs)",
         .lo = 1, .hi = 64},
        {"--max-errors", SL_OPT_COUNT, &a->max_errors, "N",
         .help = "input errors printed in full (default 50; all are counted)", .hi = 1000000000},
        {"--omit-zeros", SL_OPT_FLAG, &a->omit_zeros,
         .help = "distributions list only the labels with votes (not every label)"},
        {"--reliability", SL_OPT_ENUM, &a->reliability, NULL,
         .help = "dawid-skene: each item also gets reviewer_weighted_distribution, its\n"
                 "Dawid-Skene posterior (fitted per task; the summary and the report\n"
                 "always give each reviewer's Dawid-Skene accuracy)",
         .choices = "none|dawid-skene"},
    };
    const sl_command_options command = {
        "panel",
        "  ANNOTATIONS: CSV with a header, or JSONL (.jsonl/.ndjson/.json, or a first byte '{'),\n"
        "  one record per (item, reviewer): item_id, task, reviewer, label, and optionally\n"
        "  confidence (0..1), evidence, error (0/1: a QA-marked reviewer error, excluded from the\n"
        "  distribution), gold (the item's verifiable answer: the item is adjudicated to it).\n"
        "  '-' reads standard input. The input need not be sorted.\n\n",
        NULL, options, sizeof options / sizeof options[0]};
    int rc = sl_options_parse(&command, argc, argv);
    if (rc)
        return rc;
    a->opt.panel.threads = a->opt.threads;
#ifndef SOFTLABEL_HAVE_PDF
    if (a->report && report_is_pdf(a->report)) {
        fprintf(stderr, "softlabel panel: --report %s: this build writes no PDF (built without "
                        "cairo: SOFTLABEL_PDF=OFF); name an .html report\n", a->report);
        return SL_EX_USAGE;
    }
#endif
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
    panel_report_errors(&d, a.max_errors);
    code = write_outputs(&d, &a);
    if (!code && d.errors.n) {
        fprintf(stderr, "softlabel panel: %zu input error%s (above); the %zu valid items were "
                        "written\n", d.errors.n, d.errors.n == 1 ? "" : "s", sl_panel_count(d.pb));
        code = SL_EX_DATAERR;
    }
    panel_free(&d);
    return code;
}
