/* What `softlabel panel` writes: see panel_report.h. */
#include "panel_report.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- items JSONL ------------------------------------------------------------------------------ */

#define BLOCK_ITEMS 4096
#define SHARE_CACHE 64 /* shares c/n with n <= SHARE_CACHE are formatted once per thread */

typedef struct write_shared {
    const panel_data *d;
    FILE *out;
    pthread_mutex_t lock;
    pthread_cond_t turn;
    size_t next_to_format; /* the next block a thread takes */
    size_t next_to_write;  /* the block whose turn it is to be written */
    int failed;
} write_shared;

typedef struct write_job {
    write_shared *sh;
    char (*share)[SHARE_CACHE + 1][24]; /* share[n][c]: c/n formatted, "" until needed */
    sl_double_cache *numbers;           /* confidences, entropies */
} write_job;

/* c / n as the kernel computed it, formatted once (vote shares repeat endlessly). */
static void put_share(write_job *job, sl_jbuf *b, double votes, double total, double share)
{
    if (total <= SHARE_CACHE && votes == floor(votes)) {
        char *s = job->share[(size_t)total][(size_t)votes];
        if (!s[0])
            sl_format_double(s, share);
        sl_jbuf_puts(b, s);
    } else {
        sl_jbuf_json_double(b, share);
    }
}

/* Why the panel was, or was not, collapsed to one label; the label (or -1) in *label. */
static void adjudicate(const panel_data *d, const panel_item *it, const panel_task *task,
                       size_t row, int32_t *label, char *reason, size_t cap)
{
    *label = -1;
    size_t o;
    if (it->gold >= 0) {
        *label = it->gold;
        o = (size_t)snprintf(reason, cap, "gold: the item has a verifiable answer");
    } else if (task->adjudicate && task->total[row] == 0) {
        o = (size_t)snprintf(reason, cap, "hard labels requested, not adjudicated: no counted votes");
    } else if (task->adjudicate && task->top_ties[row] >= 2) {
        o = (size_t)snprintf(reason, cap,
                             "hard labels requested, not adjudicated: %d labels tie for the "
                             "plurality", task->top_ties[row]);
    } else if (task->adjudicate) {
        *label = task->top_label[row];
        o = (size_t)snprintf(reason, cap, "plurality: hard labels requested for this task");
    } else {
        o = (size_t)snprintf(reason, cap, "not requested: the panel is kept as a soft label");
    }
    if (it->error_marks && o < cap)
        snprintf(reason + o, cap - o,
                 "; %u reviewer record%s marked as error%s by QA: excluded from the distribution, "
                 "kept in the rationales",
                 it->error_marks, it->error_marks == 1 ? "" : "s", it->error_marks == 1 ? "" : "s");
    (void)d;
}

static void put_label(sl_jbuf *b, const panel_task *task, int32_t l)
{
    sl_jbuf_json_str(b, task->labels[l], task->label_len[l]);
}

static void write_item(write_job *job, sl_jbuf *b, uint32_t g)
{
    const panel_data *d = job->sh->d;
    const panel_item *it = &d->item[g];
    const panel_task *task = &d->task[it->task];
    size_t row = it->row, n = task->n;
    double total = task->total[row];
    sl_jbuf_puts(b, "{\"item_id\":");
    sl_jbuf_json_str(b, d->items.str[g], d->items.len[g]);
    sl_jbuf_puts(b, ",\"task\":");
    sl_jbuf_json_str(b, task->name, strlen(task->name));
    sl_jbuf_puts(b, ",\"distribution\":");
    if (total > 0) {
        sl_jbuf_putc(b, '{');
        for (size_t l = 0; l < task->k; l++) {
            if (l)
                sl_jbuf_putc(b, ',');
            put_label(b, task, (int32_t)l);
            sl_jbuf_putc(b, ':');
            put_share(job, b, task->votes[l * n + row], total, task->dist[l * n + row]);
        }
        sl_jbuf_putc(b, '}');
    } else {
        sl_jbuf_puts(b, "null");
    }
    sl_jbuf_puts(b, ",\"reviewer_count\":");
    sl_jbuf_u64(b, (uint64_t)total);
    sl_jbuf_puts(b, ",\"entropy_bits\":");
    if (total > 0)
        sl_jbuf_json_double_cached(b, job->numbers, task->entropy[row]);
    else
        sl_jbuf_puts(b, "null");
    sl_jbuf_puts(b, ",\"confidence\":{");
    const uint32_t *recs = d->perm + it->first;
    int first = 1;
    for (size_t j = 0; j < it->count; j++) {
        const panel_ann *a = &d->ann[recs[j]];
        if (a->flags & PA_DROPPED)
            continue;
        if (!first)
            sl_jbuf_putc(b, ',');
        first = 0;
        sl_jbuf_json_str(b, d->reviewers.str[a->reviewer], d->reviewers.len[a->reviewer]);
        sl_jbuf_putc(b, ':');
        sl_jbuf_json_double_cached(b, job->numbers, a->confidence); /* NaN: null */
    }
    sl_jbuf_puts(b, "},\"disagreement_class\":\"");
    sl_jbuf_puts(b, sl_disagreement_name(task->cls[row]));
    sl_jbuf_puts(b, "\",\"rationales\":[");
    first = 1;
    for (size_t j = 0; j < it->count; j++) {
        const panel_ann *a = &d->ann[recs[j]];
        if (a->flags & PA_DROPPED)
            continue;
        sl_jbuf_puts(b, first ? "{\"reviewer\":" : ",{\"reviewer\":");
        first = 0;
        sl_jbuf_json_str(b, d->reviewers.str[a->reviewer], d->reviewers.len[a->reviewer]);
        sl_jbuf_puts(b, ",\"label\":");
        put_label(b, task, d->label_index[a->label]);
        sl_jbuf_puts(b, ",\"evidence\":");
        size_t len;
        int csvq;
        const char *ev = panel_evidence(d, a, &len, &csvq);
        if (!ev)
            sl_jbuf_puts(b, "null");
        else if (csvq)
            sl_jbuf_json_csv_quoted(b, ev, len);
        else
            sl_jbuf_json_str(b, ev, len);
        if (a->flags & PA_ERROR)
            sl_jbuf_puts(b, ",\"error\":true");
        sl_jbuf_putc(b, '}');
    }
    int32_t label;
    char reason[256];
    adjudicate(d, it, task, row, &label, reason, sizeof reason);
    sl_jbuf_puts(b, "],\"adjudicated_label\":");
    if (label >= 0)
        put_label(b, task, label);
    else
        sl_jbuf_puts(b, "null");
    sl_jbuf_puts(b, ",\"adjudication_reason\":");
    sl_jbuf_json_str(b, reason, strlen(reason));
    sl_jbuf_puts(b, "}\n");
}

/* Takes blocks of items in order, formats each into memory, and writes it when every earlier
 * block has been written: the output order does not depend on the threads. */
static void *write_blocks(void *arg)
{
    write_job job = {arg, NULL, NULL};
    write_shared *sh = job.sh;
    const panel_data *d = sh->d;
    size_t blocks = (d->n_items + BLOCK_ITEMS - 1) / BLOCK_ITEMS;
    sl_jbuf b = {0};
    job.share = calloc(SHARE_CACHE + 1, sizeof *job.share);
    job.numbers = calloc(1, sizeof *job.numbers); /* NULL: formatted without the cache */
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        size_t blk = sh->next_to_format++;
        pthread_mutex_unlock(&sh->lock);
        if (blk >= blocks)
            break;
        b.len = 0;
        size_t end = (blk + 1) * BLOCK_ITEMS < d->n_items ? (blk + 1) * BLOCK_ITEMS : d->n_items;
        for (size_t i = blk * BLOCK_ITEMS; job.share && i < end; i++)
            write_item(&job, &b, d->order[i]);
        pthread_mutex_lock(&sh->lock);
        while (sh->next_to_write != blk)
            pthread_cond_wait(&sh->turn, &sh->lock);
        if (b.oom || !job.share || sl_jbuf_flush(&b, sh->out))
            sh->failed = 1;
        sh->next_to_write++;
        pthread_cond_broadcast(&sh->turn);
        pthread_mutex_unlock(&sh->lock);
    }
    sl_jbuf_free(&b);
    free(job.share);
    free(job.numbers);
    return NULL;
}

int panel_write_items(const panel_data *d, FILE *out, size_t threads)
{
    write_shared sh = {d, out, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    pthread_t *th = calloc(threads, sizeof *th);
    if (!th)
        return -1;
    size_t started = 1; /* a thread that cannot be started leaves its blocks to the others */
    for (; started < threads; started++)
        if (pthread_create(&th[started], NULL, write_blocks, &sh))
            break;
    write_blocks(&sh);
    for (size_t t = 1; t < started; t++)
        pthread_join(th[t], NULL);
    free(th);
    return sh.failed || fflush(out) ? -1 : 0;
}

/* ---- the QA summary ------------------------------------------------------------------------ */

int panel_summarize(const panel_data *d, const panel_options *opt, panel_summary *s)
{
    memset(s, 0, sizeof *s);
    s->items = d->n_items;
    s->reviewers = d->reviewers.count;
    s->input_errors = d->errors.n;
    s->alpha = sl_alpha_nominal_value(&d->alpha);
    s->flag_entropy = opt->flag_entropy;
    s->flag_confidence = opt->flag_confidence;
    for (size_t i = 0; i < d->n_ann; i++)
        s->annotations += !(d->ann[i].flags & PA_DROPPED);
    for (size_t t = 0; t < d->n_tasks; t++)
        if (d->task[t].n && d->task[t].k > 1 && log2((double)d->task[t].k) > s->max_entropy)
            s->max_entropy = log2((double)d->task[t].k);
    s->flagged = malloc((d->n_items ? d->n_items : 1) * sizeof *s->flagged);
    s->flag_reason = malloc((d->n_items ? d->n_items : 1) * sizeof *s->flag_reason);
    if (!s->flagged || !s->flag_reason)
        return -1;
    double sum = 0.0, carry = 0.0; /* Neumaier summation of the entropies */
    for (size_t i = 0; i < d->n_items; i++) {
        const panel_item *it = &d->item[d->order[i]];
        const panel_task *task = &d->task[it->task];
        s->classes[task->cls[it->row]]++;
        if (task->total[it->row] <= 0)
            continue;
        double h = task->entropy[it->row];
        s->with_votes++;
        double t = sum + h;
        carry += fabs(sum) >= fabs(h) ? (sum - t) + h : (h - t) + sum;
        sum = t;
        int bin = s->max_entropy > 0 ? (int)(h / s->max_entropy * 10.0) : 0;
        s->histogram[bin > 9 ? 9 : bin < 0 ? 0 : bin]++;
        double normalized = task->k > 1 ? h / log2((double)task->k) : 0.0;
        if (normalized < opt->flag_entropy)
            continue;
        s->flagged[s->n_flagged] = (uint32_t)i;
        s->flag_reason[s->n_flagged++] =
            it->with_conf == 0 ? "high_entropy_no_confidence"
            : it->conf_sum / it->with_conf < opt->flag_confidence ? "rubric_review"
                                                                  : "genuine_ambiguity";
    }
    s->mean_entropy_bits = s->with_votes ? (sum + carry) / (double)s->with_votes : NAN;
    return 0;
}

void panel_summary_free(panel_summary *s)
{
    free(s->flagged);
    free(s->flag_reason);
    memset(s, 0, sizeof *s);
}

static void put_item_id(sl_jbuf *b, const panel_data *d, uint32_t position)
{
    uint32_t g = d->order[position];
    sl_jbuf_json_str(b, d->items.str[g], d->items.len[g]);
}

int panel_write_summary(const panel_data *d, const panel_summary *s, FILE *out)
{
    sl_jbuf b = {0};
    sl_jbuf_printf(&b, "{\n  \"items\": %zu,\n  \"annotations\": %zu,\n  \"reviewers\": %zu,\n",
                  s->items, s->annotations, s->reviewers);
    sl_jbuf_puts(&b, "  \"mean_entropy_bits\": ");
    sl_jbuf_json_double(&b, s->mean_entropy_bits);
    sl_jbuf_puts(&b, ",\n  \"disagreement_classes\": {");
    for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++)
        sl_jbuf_printf(&b, "%s\"%s\": %zu", c ? ", " : "", sl_disagreement_name((sl_disagreement)c),
                      s->classes[c]);
    sl_jbuf_puts(&b, "},\n  \"krippendorff_alpha\": ");
    sl_jbuf_json_double(&b, s->alpha);
    sl_jbuf_puts(&b, ",\n  \"reviewer_gold_pass_rate\": ");
    if (!d->any_gold) {
        sl_jbuf_puts(&b, "null");
    } else {
        sl_jbuf_putc(&b, '{');
        int first = 1;
        for (size_t r = 0; r < d->reviewers.count; r++) {
            if (!d->gold_attempts[r])
                continue;
            sl_jbuf_puts(&b, first ? "\n    " : ",\n    ");
            first = 0;
            sl_jbuf_json_str(&b, d->reviewers.str[r], d->reviewers.len[r]);
            sl_jbuf_puts(&b, ": ");
            sl_jbuf_json_double(&b, (double)d->gold_passes[r] / (double)d->gold_attempts[r]);
        }
        sl_jbuf_puts(&b, "\n  }");
    }
    sl_jbuf_puts(&b, ",\n  \"flagged\": [");
    for (size_t i = 0; i < s->n_flagged; i++) {
        sl_jbuf_puts(&b, i ? ",\n    {\"item_id\": " : "\n    {\"item_id\": ");
        put_item_id(&b, d, s->flagged[i]);
        sl_jbuf_printf(&b, ", \"reason\": \"%s\"}", s->flag_reason[i]);
        if (b.len > (1u << 20) && sl_jbuf_flush(&b, out))
            break;
    }
    sl_jbuf_puts(&b, s->n_flagged ? "\n  ],\n" : "],\n");
    sl_jbuf_printf(&b, "  \"flag_thresholds\": {\"normalized_entropy\": ");
    sl_jbuf_json_double(&b, s->flag_entropy);
    sl_jbuf_puts(&b, ", \"mean_confidence\": ");
    sl_jbuf_json_double(&b, s->flag_confidence);
    sl_jbuf_printf(&b, "},\n  \"input_errors\": %zu\n}\n", s->input_errors);
    int rc = b.oom || sl_jbuf_flush(&b, out) || fflush(out) ? -1 : 0;
    sl_jbuf_free(&b);
    return rc;
}

/* ---- the QA report (HTML) --------------------------------------------------------------------- */

/* A vertical bar chart as inline SVG: n bars with labels under them and counts above. */
static void svg_bars(sl_jbuf *b, const char *title, const char *const *labels, const size_t *counts,
                     size_t n, const char *color)
{
    const int width = 640, height = 260, left = 50, bottom = 50, top = 30;
    size_t max = 1;
    for (size_t i = 0; i < n; i++)
        max = counts[i] > max ? counts[i] : max;
    double slot = (double)(width - left - 10) / (double)n;
    sl_jbuf_printf(b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                  "role=\"img\" aria-label=\"", width, height);
    sl_jbuf_html(b, title, strlen(title));
    sl_jbuf_puts(b, "\">\n<title>");
    sl_jbuf_html(b, title, strlen(title));
    sl_jbuf_printf(b, "</title>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
                  left, height - bottom, width - 10, height - bottom);
    for (size_t i = 0; i < n; i++) {
        double h = (double)(height - bottom - top) * (double)counts[i] / (double)max;
        double x = left + slot * (double)i + slot * 0.1;
        sl_jbuf_printf(b,
                      "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                      "fill=\"%s\"><title>",
                      x, (double)(height - bottom) - h, slot * 0.8, h, color);
        sl_jbuf_html(b, labels[i], strlen(labels[i]));
        sl_jbuf_printf(b, ": %zu</title></rect>\n", counts[i]);
        sl_jbuf_printf(b,
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%zu"
                      "</text>\n",
                      x + slot * 0.4, (double)(height - bottom) - h - 4, counts[i]);
        sl_jbuf_printf(b,
                      "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">",
                      x + slot * 0.4, height - bottom + 16);
        sl_jbuf_html(b, labels[i], strlen(labels[i]));
        sl_jbuf_puts(b, "</text>\n");
    }
    sl_jbuf_puts(b, "</svg>\n");
}

static void html_row(sl_jbuf *b, const char *name, const char *value)
{
    sl_jbuf_puts(b, "<tr><th>");
    sl_jbuf_html(b, name, strlen(name));
    sl_jbuf_puts(b, "</th><td>");
    sl_jbuf_html(b, value, strlen(value));
    sl_jbuf_puts(b, "</td></tr>\n");
}

static void fmt_or_none(char *out, size_t cap, double v, const char *none)
{
    if (isnan(v))
        snprintf(out, cap, "%s", none);
    else
        snprintf(out, cap, "%.4f", v);
}

#define HTML_FLAGGED_ROWS 500

int panel_write_html(const panel_data *d, const panel_summary *s, FILE *out)
{
    sl_jbuf b = {0};
    char v[64];
    sl_jbuf_puts(&b,
                "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
                "<head>\n<meta charset=\"utf-8\"/>\n<title>softlabel panel QA report</title>\n"
                "<style>body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}"
                "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;"
                "padding:4px 10px;text-align:left}th{background:#f3f3f3}"
                "h2{margin-top:1.6em}.note{color:#666;font-size:90%}</style>\n</head>\n<body>\n"
                "<h1>Reviewer panels: QA report</h1>\n<p class=\"note\">Input: ");
    sl_jbuf_html(&b, d->file.path, strlen(d->file.path));
    sl_jbuf_puts(&b, "</p>\n<h2>Summary</h2>\n<table id=\"summary\">\n");
    snprintf(v, sizeof v, "%zu", s->items);
    html_row(&b, "items", v);
    snprintf(v, sizeof v, "%zu", s->annotations);
    html_row(&b, "annotations", v);
    snprintf(v, sizeof v, "%zu", s->reviewers);
    html_row(&b, "reviewers", v);
    fmt_or_none(v, sizeof v, s->mean_entropy_bits, "n/a (no votes)");
    html_row(&b, "mean entropy (bits)", v);
    fmt_or_none(v, sizeof v, s->alpha, "undefined (no pairable values or a single value)");
    html_row(&b, "Krippendorff's alpha (nominal)", v);
    snprintf(v, sizeof v, "%zu", s->n_flagged);
    html_row(&b, "items flagged for re-review", v);
    snprintf(v, sizeof v, "%zu", s->input_errors);
    html_row(&b, "input errors (records or values refused)", v);
    sl_jbuf_puts(&b, "</table>\n<h2>Disagreement classes</h2>\n");
    const char *names[SL_DISAGREEMENT_CLASSES];
    for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++)
        names[c] = sl_disagreement_name((sl_disagreement)c);
    svg_bars(&b, "Items per disagreement class", names, s->classes, SL_DISAGREEMENT_CLASSES,
             "#4a7ab5");
    sl_jbuf_puts(&b, "<h2>Entropy</h2>\n");
    char bin_text[10][32];
    const char *bins[10];
    for (int i = 0; i < 10; i++) {
        snprintf(bin_text[i], sizeof bin_text[i], "%.2f-%.2f", s->max_entropy * i / 10.0,
                 s->max_entropy * (i + 1) / 10.0);
        bins[i] = bin_text[i];
    }
    svg_bars(&b, "Items per entropy bin (bits)", bins, s->histogram, 10, "#c0703a");
    sl_jbuf_printf(&b, "<p class=\"note\">%zu items with at least one counted vote; bins of "
                      "entropy_bits over [0, %.3f] (log2 of the largest label count).</p>\n",
                  s->with_votes, s->max_entropy);
    sl_jbuf_puts(&b, "<h2>Reviewer pass rate on gold items</h2>\n");
    if (!d->any_gold) {
        sl_jbuf_puts(&b, "<p>No gold items.</p>\n");
    } else {
        sl_jbuf_puts(&b, "<table id=\"gold\">\n<tr><th>reviewer</th><th>gold items</th>"
                        "<th>pass rate</th></tr>\n");
        for (size_t r = 0; r < d->reviewers.count; r++) {
            if (!d->gold_attempts[r])
                continue;
            sl_jbuf_puts(&b, "<tr><td>");
            sl_jbuf_html(&b, d->reviewers.str[r], d->reviewers.len[r]);
            sl_jbuf_printf(&b, "</td><td>%llu</td><td>%.4f</td></tr>\n",
                          (unsigned long long)d->gold_attempts[r],
                          (double)d->gold_passes[r] / (double)d->gold_attempts[r]);
        }
        sl_jbuf_puts(&b, "</table>\n");
    }
    sl_jbuf_printf(&b,
                  "<h2>Flagged for re-review</h2>\n<p class=\"note\">Normalized entropy &#8805; "
                  "%.3g: mean confidence &lt; %.3g points at the rubric (rubric_review); "
                  "&#8805; %.3g is genuine ambiguity.</p>\n",
                  s->flag_entropy, s->flag_confidence, s->flag_confidence);
    if (s->n_flagged == 0) {
        sl_jbuf_puts(&b, "<p>None.</p>\n");
    } else {
        sl_jbuf_puts(&b, "<table id=\"flagged\">\n<tr><th>item</th><th>reason</th></tr>\n");
        for (size_t i = 0; i < s->n_flagged && i < HTML_FLAGGED_ROWS; i++) {
            uint32_t g = d->order[s->flagged[i]];
            sl_jbuf_puts(&b, "<tr><td>");
            sl_jbuf_html(&b, d->items.str[g], d->items.len[g]);
            sl_jbuf_printf(&b, "</td><td>%s</td></tr>\n", s->flag_reason[i]);
        }
        sl_jbuf_puts(&b, "</table>\n");
        if (s->n_flagged > HTML_FLAGGED_ROWS)
            sl_jbuf_printf(&b, "<p class=\"note\">%zu more in the QA summary (JSON).</p>\n",
                          s->n_flagged - HTML_FLAGGED_ROWS);
    }
    sl_jbuf_puts(&b, "</body>\n</html>\n");
    int rc = b.oom || sl_jbuf_flush(&b, out) || fflush(out) ? -1 : 0;
    sl_jbuf_free(&b);
    return rc;
}
