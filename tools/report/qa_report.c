/* The QA report's content, its HTML rendering and QA.json's per-task and per-reviewer sections:
 * see qa_report.h. */
#include "qa_report.h"
#include "utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- content --------------------------------------------------------------------------------- */

const char *const QA_CLASS_NAMES[SL_DISAGREEMENT_CLASSES] = {"agreement", "minor", "major",
                                                             "unresolved"};
const unsigned char QA_CLASS_RGB[SL_DISAGREEMENT_CLASSES][3] = {
    {0x2e, 0x7d, 0x32}, {0x1f, 0x77, 0xb4}, {0xd6, 0x27, 0x28}, {0x7f, 0x7f, 0x7f}};
const unsigned char QA_HISTOGRAM_RGB[1][3] = {{0xc0, 0x70, 0x3a}};

/* A cell's text (malloc'ed): printf-style. */
static char *cell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cell_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* Reals to 4 decimals, "n/a" where undefined: the one format of every real in the report. */
static char *cell_real(double v) { return isnan(v) ? cell_printf("n/a") : cell_printf("%.4f", v); }

static char *cell_count(size_t v) { return cell_printf("%zu", v); }

static char *cell_text(const char *s, size_t len) { return cell_printf("%.*s", (int)len, s); }

static int table_alloc(qa_table *t, const char *id, const char *title, size_t cols, size_t rows,
                       const char *const *head, const unsigned char *numeric)
{
    t->id = id;
    t->title = title;
    t->cols = cols;
    t->rows = rows;
    t->head = head;
    t->numeric = numeric;
    t->cell = calloc(rows * cols + 1, sizeof *t->cell);
    return t->cell ? 0 : -1;
}

static void table_free(qa_table *t)
{
    for (size_t j = 0; t->cell && j < t->rows * t->cols; j++)
        free(t->cell[j]);
    free(t->cell);
    t->cell = NULL;
}

/* Whether every cell was formatted (none lost to a failed allocation). */
static int table_complete(const qa_table *t)
{
    for (size_t j = 0; j < t->rows * t->cols; j++)
        if (!t->cell[j])
            return 0;
    return 1;
}

static const char *const SUMMARY_HEAD[] = {"figure", "value"};
static const unsigned char SUMMARY_NUMERIC[] = {0, 1};
static const char *const TASK_HEAD[] = {"task",       "items",  "votes",     "alpha",
                                        "mean entropy\n(bits)",     "agreement", "minor",
                                        "major",      "unresolved", "flagged", "gold pass\nrate"};
static const unsigned char TASK_NUMERIC[] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
#define TASK_COLS 11
static const char *const LABEL_HEAD[] = {"task", "label", "votes", "share of the\ntask's votes"};
static const unsigned char LABEL_NUMERIC[] = {0, 0, 1, 1};
static const char *const REVIEWER_HEAD[] = {"reviewer",         "votes",         "LOO\nagreement",
                                            "mean\nconfidence", "gold pass\nrate", "DS\naccuracy",
                                            "error\nmarks"};
static const unsigned char REVIEWER_NUMERIC[] = {0, 1, 1, 1, 1, 1, 1};
static const char *const FLAGGED_HEAD[] = {"item", "task", "entropy\n(bits)", "mean\nconfidence",
                                           "class", "reason"};
static const unsigned char FLAGGED_NUMERIC[] = {0, 0, 1, 1, 0, 0};

static int build_summary(const panel_summary *s, size_t n_tasks, size_t n_labels, qa_table *t)
{
    static const char *const names[] = {
        "items", "annotations", "reviewers", "mean entropy (bits)",
        "Krippendorff's alpha (nominal)", "classes: agreement / minor / major / unresolved",
        "tasks", "labels (over all tasks)", "items flagged for re-review",
        "input errors (records or values refused)"};
    if (table_alloc(t, "summary", "Summary", 2, 10, SUMMARY_HEAD, SUMMARY_NUMERIC))
        return -1;
    char *v[10] = {cell_count(s->items), cell_count(s->annotations), cell_count(s->reviewers),
                   cell_real(s->mean_entropy_bits), cell_real(s->alpha),
                   cell_printf("%zu / %zu / %zu / %zu", s->classes[0], s->classes[1],
                               s->classes[2], s->classes[3]),
                   cell_count(n_tasks), cell_count(n_labels), cell_count(s->n_flagged),
                   cell_count(s->input_errors)};
    for (size_t r = 0; r < 10; r++) {
        t->cell[2 * r] = cell_printf("%s", names[r]);
        t->cell[2 * r + 1] = v[r];
    }
    return 0;
}

/* The labels of every task, added up. */
static int count_labels(const sl_panel *pb, size_t *n_labels)
{
    *n_labels = 0;
    for (size_t t = 0; t < sl_panel_task_count(pb); t++) {
        sl_panel_task task;
        if (sl_panel_task_get(pb, t, &task) != SL_OK)
            return -1;
        *n_labels += task.n_labels;
    }
    return 0;
}

static int build_tasks(const sl_panel *pb, const sl_panel_quality *q, size_t n_label_rows,
                       qa_table *tasks, qa_table *labels)
{
    size_t n_tasks = sl_panel_quality_task_count(q);
    if (table_alloc(tasks, "tasks", "Per task", TASK_COLS, n_tasks, TASK_HEAD, TASK_NUMERIC) ||
        table_alloc(labels, "labels", "Votes per label", 4, n_label_rows, LABEL_HEAD,
                    LABEL_NUMERIC))
        return -1;
    tasks->note = "Votes: counted votes without error marks. Alpha: Krippendorff's alpha "
                  "(nominal) of the task's items. Agreement, minor, major, unresolved: items per "
                  "disagreement class. The gold pass rate counts every annotation of the task's "
                  "gold items.";
    size_t row = 0;
    for (size_t t = 0; t < n_tasks; t++) {
        sl_panel_task task;
        sl_panel_task_quality tq;
        if (sl_panel_task_get(pb, t, &task) != SL_OK || sl_panel_quality_task(q, t, &tq) != SL_OK)
            return -1;
        char **c = tasks->cell + t * TASK_COLS;
        c[0] = cell_printf("%s", task.name);
        c[1] = cell_count(tq.items);
        c[2] = cell_count(tq.annotations);
        c[3] = cell_real(tq.krippendorff_alpha);
        c[4] = cell_real(tq.mean_entropy_bits);
        for (int k = 0; k < SL_DISAGREEMENT_CLASSES; k++)
            c[5 + k] = cell_count(tq.classes[k]);
        c[9] = cell_count(tq.flagged);
        c[10] = cell_real(tq.gold_pass_rate);
        for (size_t l = 0; l < task.n_labels; l++, row++) {
            char **lc = labels->cell + row * 4;
            lc[0] = cell_printf("%s", task.name);
            lc[1] = cell_printf("%s", task.labels[l]);
            lc[2] = cell_count(tq.label_votes[l]);
            lc[3] = cell_real(tq.annotations ? (double)tq.label_votes[l] / (double)tq.annotations
                                             : NAN);
        }
    }
    return 0;
}

static int build_reviewers(const sl_panel *pb, const sl_panel_quality *q, qa_table *t)
{
    size_t n = sl_panel_quality_reviewer_count(q);
    if (table_alloc(t, "reviewers", "Per reviewer (outliers first)", 7, n, REVIEWER_HEAD,
                    REVIEWER_NUMERIC))
        return -1;
    t->note = "Votes: counted votes without error marks. LOO agreement: each vote against the "
              "plurality of the item's other counted votes (leave-one-out; a t-way tie counts "
              "1/t); sorted by it, lowest first. DS accuracy: Dawid-Skene, the trace of the "
              "reviewer's confusion matrix weighted by the class priors, fitted per task "
              "(crowd-kit's DawidSkene rules).";
    for (size_t p = 0; p < n; p++) {
        sl_panel_reviewer_quality rq;
        sl_panel_reviewer rev;
        if (sl_panel_quality_reviewer(q, p, &rq) != SL_OK ||
            sl_panel_reviewer_get(pb, rq.reviewer, &rev) != SL_OK)
            return -1;
        char **c = t->cell + p * 7;
        c[0] = cell_text(rev.name, rev.name_len);
        c[1] = cell_count(rq.votes);
        c[2] = cell_real(rq.agreement);
        c[3] = cell_real(rq.mean_confidence);
        c[4] = cell_real(rq.gold_pass_rate);
        c[5] = cell_real(rq.ds_accuracy);
        c[6] = cell_count(rq.error_marks);
    }
    return 0;
}

static int build_items(const panel_data *d, const panel_summary *s, qa_content *c)
{
    const sl_panel *pb = d->pb;
    size_t shown = s->n_flagged < QA_FLAGGED_SHOWN ? s->n_flagged : QA_FLAGGED_SHOWN;
    if (table_alloc(&c->flagged, "flagged", "Flagged for re-review", 6, shown, FLAGGED_HEAD,
                    FLAGGED_NUMERIC))
        return -1;
    for (size_t f = 0; f < shown; f++) {
        sl_panel_item it;
        if (sl_panel_get_sparse(pb, s->flagged[f], &it) != SL_OK)
            return -1;
        char **cell = c->flagged.cell + f * 6;
        cell[0] = cell_text(it.item_id, it.item_id_len);
        cell[1] = cell_printf("%s", it.task);
        cell[2] = cell_real(it.entropy_bits);
        cell[3] = cell_real(it.mean_confidence);
        cell[4] = cell_printf("%s", it.disagreement_class);
        cell[5] = cell_printf("%s", it.flag);
    }
    if (s->n_flagged > shown)
        snprintf(c->flagged_rest, sizeof c->flagged_rest,
                 "%zu more flagged items are listed in the QA summary (JSON).",
                 s->n_flagged - shown);
    size_t n_items = sl_panel_count(pb);
    c->points = malloc((n_items ? n_items : 1) * sizeof *c->points);
    if (!c->points)
        return -1;
    for (size_t i = 0; i < n_items; i++) {
        sl_panel_item it;
        if (sl_panel_get_sparse(pb, i, &it) != SL_OK)
            return -1;
        if (!it.reviewer_count)
            continue;
        if (isnan(it.mean_confidence)) {
            c->without_confidence++;
            continue;
        }
        double normalized = it.n_labels > 1 ? it.entropy_bits / log2((double)it.n_labels) : 0.0;
        c->points[c->n_points++] = (qa_point){it.mean_confidence, normalized, it.disagreement};
    }
    return 0;
}

int qa_content_build(const panel_data *d, const panel_summary *s, const sl_panel_quality *q,
                     qa_content *c)
{
    memset(c, 0, sizeof *c);
    const sl_panel *pb = d->pb;
    c->input = sl_utf8_display(d->file.path);
    if (!c->input)
        return -1;
    c->flag_entropy = s->flag_entropy;
    c->flag_confidence = s->flag_confidence;
    memcpy(c->classes, s->classes, sizeof c->classes);
    memcpy(c->histogram, s->histogram, sizeof c->histogram);
    for (int b = 0; b < 10; b++)
        snprintf(c->histogram_label[b], sizeof c->histogram_label[b], "%.2f-%.2f",
                 s->max_entropy * b / 10.0, s->max_entropy * (b + 1) / 10.0);
    snprintf(c->histogram_note, sizeof c->histogram_note,
             "%zu items with at least one counted vote; bins of entropy_bits over [0, %.3f] "
             "(log2 of the largest label count).", s->with_votes, s->max_entropy);
    size_t n_tasks = sl_panel_task_count(pb), n_labels;
    if (count_labels(pb, &n_labels) || build_summary(s, n_tasks, n_labels, &c->summary) ||
        build_tasks(pb, q, n_labels, &c->tasks, &c->labels) ||
        build_reviewers(pb, q, &c->reviewers) || build_items(d, s, c))
        return -1;
    snprintf(c->scatter_note, sizeof c->scatter_note,
             "Dashed lines: the flag thresholds (normalized entropy %.2f, mean confidence %.2f). "
             "Above the first, items are flagged: left of the second they point at the rubric, "
             "right of it at genuine ambiguity. Items with votes but no confidence (not drawn): "
             "%zu.", c->flag_entropy, c->flag_confidence, c->without_confidence);
    const qa_table *all[] = {&c->summary, &c->tasks, &c->labels, &c->reviewers, &c->flagged};
    for (size_t t = 0; t < 5; t++)
        if (!table_complete(all[t]))
            return -1;
    return 0;
}

void qa_content_free(qa_content *c)
{
    table_free(&c->summary);
    table_free(&c->tasks);
    table_free(&c->labels);
    table_free(&c->reviewers);
    table_free(&c->flagged);
    free(c->points);
    c->points = NULL;
    free(c->input);
    c->input = NULL;
}

/* ---- HTML ------------------------------------------------------------------------------------ */

/* A colour as "#rrggbb". */
static void css_color(char out[8], const unsigned char rgb[3])
{
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static void html_text(sl_buf *b, const char *s) { sl_html_put(b, s, strlen(s)); }

static void html_table(sl_buf *b, const qa_table *t)
{
    sl_buf_puts(b, "<h2>");
    html_text(b, t->title);
    sl_buf_puts(b, "</h2>\n");
    if (t->note) {
        sl_buf_puts(b, "<p class=\"note\">");
        html_text(b, t->note);
        sl_buf_puts(b, "</p>\n");
    }
    if (!t->rows) {
        sl_buf_puts(b, "<p>None.</p>\n");
        return;
    }
    sl_buf_printf(b, "<table id=\"%s\">\n", t->id);
    int headed = strcmp(t->id, "summary") != 0; /* the summary is name/value rows */
    if (headed) {
        sl_buf_puts(b, "<tr>");
        for (size_t c = 0; c < t->cols; c++) {
            sl_buf_puts(b, "<th>");
            for (const char *s = t->head[c]; s;) { /* the PDF's line breaks become spaces */
                const char *nl = strchr(s, '\n');
                sl_html_put(b, s, nl ? (size_t)(nl - s) : strlen(s));
                if (nl)
                    sl_buf_putc(b, ' ');
                s = nl ? nl + 1 : NULL;
            }
            sl_buf_puts(b, "</th>");
        }
        sl_buf_puts(b, "</tr>\n");
    }
    for (size_t r = 0; r < t->rows; r++) {
        sl_buf_puts(b, "<tr>");
        for (size_t c = 0; c < t->cols; c++) {
            const char *tag = !headed && c == 0 ? "th" : "td";
            sl_buf_printf(b, "<%s%s>", tag, t->numeric[c] ? " class=\"num\"" : "");
            html_text(b, t->cell[r * t->cols + c]);
            sl_buf_printf(b, "</%s>", tag);
        }
        sl_buf_puts(b, "</tr>\n");
    }
    sl_buf_puts(b, "</table>\n");
}

/* A vertical bar chart as inline SVG: n bars with labels under them and counts above. */
static void svg_bars(sl_buf *b, const char *title, const char *const *labels, const size_t *counts,
                     size_t n, const unsigned char (*rgb)[3], size_t n_rgb)
{
    const int width = 640, height = 260, left = 50, bottom = 50, top = 30;
    size_t max = 1;
    for (size_t i = 0; i < n; i++)
        max = counts[i] > max ? counts[i] : max;
    double slot = (double)(width - left - 10) / (double)n;
    sl_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                      "role=\"img\" aria-label=\"", width, height);
    html_text(b, title);
    sl_buf_puts(b, "\">\n<title>");
    html_text(b, title);
    sl_buf_printf(b, "</title>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
                   left, height - bottom, width - 10, height - bottom);
    for (size_t i = 0; i < n; i++) {
        double h = (double)(height - bottom - top) * (double)counts[i] / (double)max;
        double x = left + slot * (double)i + slot * 0.1;
        char color[8];
        css_color(color, rgb[i % n_rgb]);
        sl_buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\" fill=\"%s\"><title>",
                       x, (double)(height - bottom) - h, slot * 0.8, h, color);
        html_text(b, labels[i]);
        sl_buf_printf(b, ": %zu</title></rect>\n", counts[i]);
        sl_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">"
                          "%zu</text>\n", x + slot * 0.4, (double)(height - bottom) - h - 4,
                       counts[i]);
        sl_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">",
                       x + slot * 0.4, height - bottom + 16);
        html_text(b, labels[i]);
        sl_buf_puts(b, "</text>\n");
    }
    sl_buf_puts(b, "</svg>\n");
}

static void svg_scatter(sl_buf *b, const qa_content *c)
{
    const double size = 420, left = 60, top = 20, bottom = 50;
    sl_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                      "role=\"img\" aria-label=\"" QA_SCATTER_TITLE "\">\n<title>" QA_SCATTER_TITLE
                      "</title>\n", left + size + 150, top + size + bottom);
    sl_buf_printf(b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                      "stroke=\"#444\"/>\n", left, top, size, size);
    for (int tick = 0; tick <= 4; tick++) {
        double v = tick / 4.0;
        sl_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">"
                          "%.2f</text>\n", left + v * size, top + size + 14, v);
        sl_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">"
                          "%.2f</text>\n", left - 4, top + size - v * size + 3, v);
    }
    sl_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">"
                      QA_SCATTER_X "</text>\n", left + size / 2, top + size + 32);
    sl_buf_printf(b, "<text x=\"14\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
                      "transform=\"rotate(-90 14 %.1f)\">" QA_SCATTER_Y "</text>\n",
                   top + size / 2, top + size / 2);
    double fy = top + size - c->flag_entropy * size, fx = left + c->flag_confidence * size;
    sl_buf_printf(b, "<line class=\"threshold\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#000\" stroke-dasharray=\"5,4\"/>\n", left, fy, left + size, fy);
    sl_buf_printf(b, "<line class=\"threshold\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#000\" stroke-dasharray=\"5,4\"/>\n", fx, top, fx, fy);
    char color[SL_DISAGREEMENT_CLASSES][8];
    for (int k = 0; k < SL_DISAGREEMENT_CLASSES; k++)
        css_color(color[k], QA_CLASS_RGB[k]);
    for (size_t i = 0; i < c->n_points; i++) {
        const qa_point *p = &c->points[i];
        sl_buf_printf(b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" "
                          "fill-opacity=\"0.6\"/>\n", left + p->confidence * size,
                       top + size - p->entropy * size, color[p->cls]);
    }
    sl_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">rubric review</text>\n"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">"
                      "genuine ambiguity</text>\n", left + 4, top + 12, left + size - 4, top + 12);
    for (int k = 0; k < SL_DISAGREEMENT_CLASSES; k++) {
        double y = top + 10 + 18 * k;
        sl_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n<text x=\"%.1f\" "
                          "y=\"%.1f\" font-size=\"11\">%s</text>\n", left + size + 20, y,
                       color[k], left + size + 30, y + 4, QA_CLASS_NAMES[k]);
    }
    sl_buf_puts(b, "</svg>\n");
}

int qa_write_html(const qa_content *c, FILE *out)
{
    sl_buf b = {0};
    sl_buf_puts(&b,
                 "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
                 "<head>\n<meta charset=\"utf-8\"/>\n<title>softlabel panel QA report</title>\n"
                 "<style>body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}"
                 "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;"
                 "padding:4px 10px;text-align:left}th{background:#f3f3f3}td.num{text-align:right}"
                 "h2{margin-top:1.6em}.note{color:#666;font-size:90%}</style>\n</head>\n<body>\n"
                 "<h1>Reviewer panels: QA report</h1>\n<p class=\"note\">Input: ");
    html_text(&b, c->input);
    sl_buf_puts(&b, "</p>\n");
    html_table(&b, &c->summary);
    sl_buf_puts(&b, "<h2>Disagreement classes</h2>\n");
    svg_bars(&b, "Items per disagreement class", QA_CLASS_NAMES, c->classes,
             SL_DISAGREEMENT_CLASSES, QA_CLASS_RGB, SL_DISAGREEMENT_CLASSES);
    sl_buf_puts(&b, "<h2>Entropy</h2>\n");
    const char *bins[10];
    for (int i = 0; i < 10; i++)
        bins[i] = c->histogram_label[i];
    svg_bars(&b, "Items per entropy bin (bits)", bins, c->histogram, 10, QA_HISTOGRAM_RGB, 1);
    sl_buf_puts(&b, "<p class=\"note\">");
    html_text(&b, c->histogram_note);
    sl_buf_puts(&b, "</p>\n");
    html_table(&b, &c->tasks);
    html_table(&b, &c->labels);
    html_table(&b, &c->reviewers);
    sl_buf_puts(&b, "<h2>Confidence and entropy</h2>\n");
    svg_scatter(&b, c);
    sl_buf_puts(&b, "<p class=\"note\">");
    html_text(&b, c->scatter_note);
    sl_buf_puts(&b, "</p>\n");
    html_table(&b, &c->flagged);
    if (c->flagged_rest[0]) {
        sl_buf_puts(&b, "<p class=\"note\">");
        html_text(&b, c->flagged_rest);
        sl_buf_puts(&b, "</p>\n");
    }
    sl_buf_puts(&b, "</body>\n</html>\n");
    int rc = b.oom || sl_buf_flush(&b, out) || fflush(out) ? -1 : 0;
    sl_buf_free(&b);
    return rc;
}

/* ---- QA.json sections -------------------------------------------------------------------------- */

static void json_key_real(sl_buf *b, const char *key, double v)
{
    sl_buf_printf(b, ", \"%s\": ", key);
    sl_json_put_double(b, v); /* NaN: null */
}

void qa_json_sections(sl_buf *b, const panel_data *d, const sl_panel_quality *q,
                      const sl_panel_quality_options *o)
{
    const sl_panel *pb = d->pb;
    sl_buf_puts(b, ",\n  \"per_task\": [");
    for (size_t t = 0; t < sl_panel_quality_task_count(q); t++) {
        sl_panel_task task;
        sl_panel_task_quality tq;
        if (sl_panel_task_get(pb, t, &task) != SL_OK || sl_panel_quality_task(q, t, &tq) != SL_OK)
            continue;
        sl_buf_puts(b, t ? ",\n    {\"task\": " : "\n    {\"task\": ");
        sl_json_put_string(b, task.name, strlen(task.name));
        sl_buf_printf(b, ", \"items\": %zu, \"items_with_votes\": %zu, \"annotations\": %zu",
                       tq.items, tq.with_votes, tq.annotations);
        sl_buf_puts(b, ", \"label_votes\": {");
        for (size_t l = 0; l < task.n_labels; l++) {
            if (l)
                sl_buf_puts(b, ", ");
            sl_json_put_string(b, task.labels[l], strlen(task.labels[l]));
            sl_buf_printf(b, ": %zu", tq.label_votes[l]);
        }
        sl_buf_puts(b, "}");
        json_key_real(b, "krippendorff_alpha", tq.krippendorff_alpha);
        json_key_real(b, "mean_entropy_bits", tq.mean_entropy_bits);
        sl_buf_puts(b, ", \"disagreement_classes\": {");
        for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++)
            sl_buf_printf(b, "%s\"%s\": %zu", c ? ", " : "", QA_CLASS_NAMES[c], tq.classes[c]);
        sl_buf_printf(b, "}, \"flagged\": %zu, \"gold_items\": %zu, \"gold_votes\": %zu",
                       tq.flagged, tq.gold_items, tq.gold_votes);
        json_key_real(b, "gold_pass_rate", tq.gold_pass_rate);
        if (o->dawid_skene)
            sl_buf_printf(b, ", \"dawid_skene_fitted\": %s, \"dawid_skene_iterations\": %u, "
                             "\"dawid_skene_converged\": %s", tq.ds_fitted ? "true" : "false",
                          (unsigned)tq.ds_iterations, tq.ds_converged ? "true" : "false");
        sl_buf_puts(b, "}");
    }
    sl_buf_puts(b, "\n  ],\n  \"per_reviewer\": [");
    for (size_t p = 0; p < sl_panel_quality_reviewer_count(q); p++) {
        sl_panel_reviewer_quality rq;
        sl_panel_reviewer rev;
        if (sl_panel_quality_reviewer(q, p, &rq) != SL_OK ||
            sl_panel_reviewer_get(pb, rq.reviewer, &rev) != SL_OK)
            continue;
        sl_buf_puts(b, p ? ",\n    {\"reviewer\": " : "\n    {\"reviewer\": ");
        sl_json_put_string(b, rev.name, rev.name_len);
        sl_buf_printf(b, ", \"annotations\": %zu, \"error_marks\": %zu, \"compared\": %zu",
                       rq.votes, rq.error_marks, rq.compared);
        json_key_real(b, "loo_agreement", rq.agreement);
        sl_buf_printf(b, ", \"confidences\": %zu", rq.confidences);
        json_key_real(b, "mean_confidence", rq.mean_confidence);
        sl_buf_printf(b, ", \"gold_items\": %zu", rq.gold_items);
        json_key_real(b, "gold_pass_rate", rq.gold_pass_rate);
        json_key_real(b, "dawid_skene_accuracy", rq.ds_accuracy);
        sl_buf_puts(b, "}");
    }
    sl_buf_puts(b, "\n  ],\n  \"reliability\": ");
    if (o->dawid_skene) {
        sl_buf_printf(b, "{\"method\": \"dawid-skene\", \"max_iterations\": %u, \"tolerance\": ",
                       (unsigned)o->ds.max_iterations);
        sl_json_put_double(b, o->ds.tolerance);
        sl_buf_printf(b, ", \"max_labels\": %zu}", o->ds_max_labels);
    } else {
        sl_buf_puts(b, "null");
    }
}
