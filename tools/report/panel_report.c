/* What `softlabel panel` writes: see panel_report.h. */
#include "panel_report.h"
#include "numtext.h"
#include "pipeline.h"

#include "qa_report.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- items JSONL ------------------------------------------------------------------------------ */

/* A block of items formatted at once ends after BLOCK_ITEMS items or BLOCK_VALUES values
 * (distribution entries, rationales): its text stays a few MiB even when every item has tens of
 * thousands of labels (one task of 20k labels, 20k items: 856 MiB per block of 4096 items). */
#define BLOCK_ITEMS 4096
#define BLOCK_VALUES ((size_t)1 << 18)
#define SHARE_CACHE 64 /* shares c/n with n <= SHARE_CACHE are formatted once per thread */
#define NUMBER_ROOM 32 /* the longest number text (24 bytes) and a separator, rounded up */

/* A string's JSON literal (quotes and escapes included), rendered once. */
typedef struct json_text {
    const char *s;
    size_t len;
} json_text;

typedef struct write_shared {
    const panel_data *d;
    FILE *out;
    int omit_zeros;        /* distributions list only the labels with votes */
    const sl_panel_quality *reliability; /* NULL, or the Dawid-Skene posteriors to add */
    json_text *reviewer;   /* per reviewer id */
    json_text **label;     /* per task, per label index */
    json_text *task;       /* per task: its name */
    size_t *label_room;    /* per task: the bytes of all its label literals */
    sl_buf text;          /* the literals' bytes */
    pthread_mutex_t lock;
    pthread_cond_t turn;
    size_t next_to_format; /* the next block a thread takes */
    size_t next_item;      /* its first item */
    size_t next_to_write;  /* the block whose turn it is to be written */
    int failed;
} write_shared;

typedef struct write_job {
    write_shared *sh;
    char (*share)[SHARE_CACHE + 1][24]; /* share[n][c]: c/n formatted, "" until needed */
    sl_double_cache *numbers;           /* confidences, entropies */
} write_job;

/* Appends s[0..len) to b, which has the room (reserved before). */
static void raw(sl_buf *b, const char *s, size_t len)
{
    memcpy(b->p + b->len, s, len);
    b->len += len;
}

static void raw_str(sl_buf *b, const char *s) { raw(b, s, strlen(s)); }

static void raw_text(sl_buf *b, json_text t) { raw(b, t.s, t.len); }

/* c / n as the kernel computed it, formatted once (vote shares repeat endlessly); needs
 * NUMBER_ROOM bytes of room. */
static void raw_share(write_job *job, sl_buf *b, double votes, double total, double share)
{
    if (total <= SHARE_CACHE && votes == floor(votes)) {
        char *s = job->share[(size_t)total][(size_t)votes];
        if (!s[0])
            s[sl_format_f64_g15(share, s)] = '\0';
        raw_str(b, s);
    } else if (!isfinite(share)) {
        raw_str(b, "null");
    } else {
        char tmp[32];
        raw(b, tmp, sl_format_f64_g15(share, tmp));
    }
}

/* A number through the thread's cache; needs NUMBER_ROOM bytes of room. */
static void raw_number(write_job *job, sl_buf *b, double v)
{
    size_t len;
    const char *text = sl_double_cache_text(job->numbers, v, &len);
    raw(b, text, len);
}

/* The adjudication reason (at most REASON_ROOM bytes, none of which needs a JSON escape). */
#define REASON_ROOM 256

/* One item's JSON line. Each piece reserves its room, then writes without checks; on a failed
 * reservation (b->oom) the line is abandoned. */
/* ,"reviewer_weighted_distribution":{...}: the item's Dawid-Skene posterior over its task's
 * labels (with omit_zeros, the non-zero ones); null for an item whose votes are all error marks or
 * whose task was not fitted (more labels than sl_panel_quality_options.ds_max_labels). */
static void write_posterior(write_job *job, sl_buf *b, const write_shared *sh, size_t i,
                            const sl_panel_item *it)
{
    const double *post;
    if (sl_panel_quality_posterior(sh->reliability, i, &post) != SL_OK ||
        sl_buf_reserve(b, sh->label_room[it->task_index] + it->n_labels * (NUMBER_ROOM + 2) + 48)) {
        b->oom = 1;
        return;
    }
    raw_str(b, ",\"reviewer_weighted_distribution\":");
    if (!post || it->reviewer_count == 0) { /* a task not fitted, or no counted votes */
        raw_str(b, "null");
        return;
    }
    b->p[b->len++] = '{';
    for (size_t l = 0; l < it->n_labels; l++) {
        if (sh->omit_zeros && post[l] == 0.0)
            continue;
        if (b->p[b->len - 1] != '{')
            b->p[b->len++] = ',';
        raw_text(b, sh->label[it->task_index][l]);
        b->p[b->len++] = ':';
        raw_number(job, b, post[l]);
    }
    b->p[b->len++] = '}';
}

static void write_item(write_job *job, sl_buf *b, size_t i)
{
    const write_shared *sh = job->sh;
    sl_panel_item it;
    if (sl_panel_get_sparse(sh->d->pb, i, &it) != SL_OK) {
        b->oom = 1;
        return;
    }
    size_t t = it.task_index;
    const json_text *labels = sh->label[t];
    double total = (double)it.reviewer_count;
    sl_buf_puts(b, "{\"item_id\":");
    sl_json_put_string(b, it.item_id, it.item_id_len);
    if (sl_buf_reserve(b, sh->task[t].len + sh->label_room[t] +
                               it.n_labels * (NUMBER_ROOM + 2) + 3 * NUMBER_ROOM + 96))
        return;
    raw_str(b, ",\"task\":");
    raw_text(b, sh->task[t]);
    raw_str(b, ",\"distribution\":");
    if (total > 0) {
        /* every label of the task (0 where none), or with omit_zeros those with votes */
        b->p[b->len++] = '{';
        size_t c = 0;
        for (size_t l = 0; l < it.n_labels; l++) {
            const sl_panel_label_votes *lv = c < it.n_label_votes && it.label_votes[c].label == l
                                                 ? &it.label_votes[c++]
                                                 : NULL;
            if (!lv && sh->omit_zeros)
                continue;
            if (b->p[b->len - 1] != '{')
                b->p[b->len++] = ',';
            raw_text(b, labels[l]);
            b->p[b->len++] = ':';
            raw_share(job, b, lv ? lv->votes : 0.0, total, lv ? lv->share : 0.0);
            if (sh->omit_zeros && c == it.n_label_votes)
                break;
        }
        b->p[b->len++] = '}';
    } else {
        raw_str(b, "null");
    }
    raw_str(b, ",\"reviewer_count\":");
    char count[SL_NUMTEXT_MAX];
    raw(b, count, sl_format_u64((uint64_t)it.reviewer_count, count));
    raw_str(b, ",\"entropy_bits\":");
    if (total > 0)
        raw_number(job, b, it.entropy_bits);
    else
        raw_str(b, "null");
    raw_str(b, ",\"confidence\":{");
    for (size_t j = 0; j < it.n_votes; j++) {
        json_text rev = sh->reviewer[it.votes[j].reviewer];
        if (sl_buf_reserve(b, rev.len + NUMBER_ROOM + 2))
            return;
        if (j)
            b->p[b->len++] = ',';
        raw_text(b, rev);
        b->p[b->len++] = ':';
        raw_number(job, b, it.votes[j].confidence); /* NaN: null */
    }
    if (sl_buf_reserve(b, 64))
        return;
    raw_str(b, "},\"disagreement_class\":\"");
    raw_str(b, it.disagreement_class);
    raw_str(b, "\",\"rationales\":[");
    for (size_t j = 0; j < it.n_votes; j++) {
        const sl_panel_vote *v = &it.votes[j];
        json_text rev = sh->reviewer[v->reviewer];
        json_text label = labels[v->label];
        if (sl_buf_reserve(b, rev.len + label.len + 64))
            return;
        raw_str(b, j ? ",{\"reviewer\":" : "{\"reviewer\":");
        raw_text(b, rev);
        raw_str(b, ",\"label\":");
        raw_text(b, label);
        raw_str(b, ",\"evidence\":");
        if (!v->evidence)
            raw_str(b, "null");
        else
            sl_json_put_string(b, v->evidence, v->evidence_len);
        if (sl_buf_reserve(b, 16))
            return;
        if (v->error)
            raw_str(b, ",\"error\":true");
        b->p[b->len++] = '}';
    }
    if (sl_buf_reserve(b, sh->label_room[t] + REASON_ROOM + 64))
        return;
    raw_str(b, "],\"adjudicated_label\":");
    if (it.adjudicated >= 0)
        raw_text(b, labels[it.adjudicated]);
    else
        raw_str(b, "null");
    raw_str(b, ",\"adjudication_reason\":\"");
    raw_str(b, it.adjudication_reason);
    b->p[b->len++] = '"';
    if (sh->reliability)
        write_posterior(job, b, sh, i, &it);
    if (!sl_buf_reserve(b, 2))
        raw_str(b, "}\n");
}

/* Takes blocks of items in order, formats each into memory, and writes it when every earlier
 * block has been written: the output order does not depend on the threads. */
static void *write_blocks(void *arg)
{
    write_job job = {arg, NULL, NULL};
    write_shared *sh = job.sh;
    size_t n_items = sl_panel_count(sh->d->pb);
    sl_buf b = {0};
    job.share = calloc(SHARE_CACHE + 1, sizeof *job.share);
    job.numbers = calloc(1, sizeof *job.numbers);
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        size_t blk = sh->next_to_format++, start = sh->next_item, end = start, values = 0;
        while (end < n_items && end - start < BLOCK_ITEMS && values < BLOCK_VALUES) {
            sl_panel_item it;
            sl_panel_get_sparse(sh->d->pb, end++, &it);
            values += (sh->omit_zeros ? it.n_label_votes : it.n_labels) + it.n_votes +
                      (sh->reliability ? it.n_labels : 0);
        }
        sh->next_item = end;
        pthread_mutex_unlock(&sh->lock);
        if (start == end)
            break;
        b.len = 0;
        for (size_t i = start; job.share && job.numbers && i < end && !b.oom; i++)
            write_item(&job, &b, i);
        pthread_mutex_lock(&sh->lock);
        while (sh->next_to_write != blk)
            pthread_cond_wait(&sh->turn, &sh->lock);
        if (b.oom || !job.share || !job.numbers || sl_buf_flush(&b, sh->out))
            sh->failed = 1;
        sh->next_to_write++;
        pthread_cond_broadcast(&sh->turn);
        pthread_mutex_unlock(&sh->lock);
    }
    sl_buf_free(&b);
    free(job.share);
    free(job.numbers);
    return NULL;
}

/* Renders the JSON literals of the reviewers, the task names and their labels once. Offsets are
 * collected first and turned into pointers at the end (the text buffer moves while it grows). */
static int render_literals(write_shared *sh)
{
    const sl_panel *pb = sh->d->pb;
    size_t n_labels = 0, n_rev = sl_panel_reviewer_count(pb), n_task = sl_panel_task_count(pb);
    sl_panel_task task;
    sl_panel_reviewer rev;
    for (size_t t = 0; t < n_task; t++)
        n_labels += sl_panel_task_get(pb, t, &task) == SL_OK ? task.n_labels : 0;
    size_t n_all = n_rev + n_task + n_labels;
    size_t *at = malloc((n_all + 1) * sizeof *at);
    sh->reviewer = calloc(n_all ? n_all : 1, sizeof *sh->reviewer);
    sh->label = calloc(n_task ? n_task : 1, sizeof *sh->label);
    sh->label_room = calloc(n_task ? n_task : 1, sizeof *sh->label_room);
    if (!at || !sh->reviewer || !sh->label || !sh->label_room) {
        free(at);
        return -1;
    }
    sh->task = sh->reviewer + n_rev; /* one array: reviewers, tasks, then every task's labels */
    size_t i = 0;
    for (size_t r = 0; r < n_rev && sl_panel_reviewer_get(pb, r, &rev) == SL_OK; r++, i++) {
        at[i] = sh->text.len;
        sl_json_put_string(&sh->text, rev.name, rev.name_len);
    }
    for (size_t t = 0; t < n_task && sl_panel_task_get(pb, t, &task) == SL_OK; t++, i++) {
        at[i] = sh->text.len;
        sl_json_put_string(&sh->text, task.name, strlen(task.name));
    }
    for (size_t t = 0; t < n_task && sl_panel_task_get(pb, t, &task) == SL_OK; t++) {
        size_t from = sh->text.len;
        sh->label[t] = sh->reviewer + i;
        for (size_t l = 0; l < task.n_labels; l++, i++) {
            at[i] = sh->text.len;
            sl_json_put_string(&sh->text, task.labels[l], strlen(task.labels[l]));
        }
        sh->label_room[t] = sh->text.len - from;
    }
    at[n_all] = sh->text.len;
    for (i = 0; !sh->text.oom && i < n_all; i++)
        sh->reviewer[i] = (json_text){sh->text.p + at[i], at[i + 1] - at[i]};
    free(at);
    return sh->text.oom ? -1 : 0;
}

int panel_write_items(const panel_data *d, FILE *out, size_t threads, int omit_zeros,
                      const sl_panel_quality *reliability)
{
    write_shared sh = {d,    out,  omit_zeros, reliability, NULL, NULL, NULL, NULL, {0},
                       PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0};
    int rc = render_literals(&sh) == 0 ? 0 : -1;
    if (rc == 0) { /* a thread that cannot be started leaves its blocks to the others */
        sl_team team;
        sl_team_start(&team, threads - 1, write_blocks, &sh);
        write_blocks(&sh);
        sl_team_join(&team);
    }
    free(sh.reviewer);
    free(sh.label);
    free(sh.label_room);
    sl_buf_free(&sh.text);
    return rc || sh.failed || fflush(out) ? -1 : 0;
}

/* ---- the QA summary ------------------------------------------------------------------------ */

int panel_summarize(const panel_data *d, const panel_options *opt, panel_summary *s)
{
    memset(s, 0, sizeof *s);
    const sl_panel *pb = d->pb;
    sl_panel_qa qa;
    if (sl_panel_qa_summary(pb, &qa) != SL_OK)
        return -1;
    s->items = qa.items;
    s->annotations = qa.annotations;
    s->reviewers = qa.reviewers;
    s->input_errors = d->errors.n;
    s->with_votes = qa.with_votes;
    s->mean_entropy_bits = qa.mean_entropy_bits;
    memcpy(s->classes, qa.classes, sizeof s->classes);
    s->alpha = qa.krippendorff_alpha;
    s->gold_items = qa.gold_items;
    s->flag_entropy = opt->panel.flag_entropy;
    s->flag_confidence = opt->panel.flag_confidence;
    for (size_t t = 0; t < sl_panel_task_count(pb); t++) {
        sl_panel_task task;
        if (sl_panel_task_get(pb, t, &task) == SL_OK && task.items && task.n_labels > 1 &&
            log2((double)task.n_labels) > s->max_entropy)
            s->max_entropy = log2((double)task.n_labels);
    }
    s->flagged = malloc((qa.flagged ? qa.flagged : 1) * sizeof *s->flagged);
    s->flag_reason = malloc((qa.flagged ? qa.flagged : 1) * sizeof *s->flag_reason);
    if (!s->flagged || !s->flag_reason)
        return -1;
    for (size_t i = 0; i < qa.items; i++) {
        sl_panel_item it;
        if (sl_panel_get_sparse(pb, i, &it) != SL_OK)
            return -1;
        if (!it.reviewer_count)
            continue;
        int bin = s->max_entropy > 0 ? (int)(it.entropy_bits / s->max_entropy * 10.0) : 0;
        s->histogram[bin > 9 ? 9 : bin < 0 ? 0 : bin]++;
        if (it.flag) {
            s->flagged[s->n_flagged] = i;
            s->flag_reason[s->n_flagged++] = it.flag;
        }
    }
    return 0;
}

void panel_summary_free(panel_summary *s)
{
    free(s->flagged);
    free(s->flag_reason);
    memset(s, 0, sizeof *s);
}

static void put_item_id(sl_buf *b, const panel_data *d, size_t position)
{
    sl_panel_item it;
    if (sl_panel_get_sparse(d->pb, position, &it) == SL_OK)
        sl_json_put_string(b, it.item_id, it.item_id_len);
}

int panel_write_summary(const panel_data *d, const panel_summary *s, const sl_panel_quality *q,
                        const sl_panel_quality_options *qopt, FILE *out)
{
    sl_buf b = {0};
    sl_buf_printf(&b, "{\n  \"items\": %zu,\n  \"annotations\": %zu,\n  \"reviewers\": %zu,\n",
                  s->items, s->annotations, s->reviewers);
    sl_buf_puts(&b, "  \"mean_entropy_bits\": ");
    sl_json_put_double(&b, s->mean_entropy_bits);
    sl_buf_puts(&b, ",\n  \"disagreement_classes\": {");
    for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++)
        sl_buf_printf(&b, "%s\"%s\": %zu", c ? ", " : "", sl_disagreement_name((sl_disagreement)c),
                      s->classes[c]);
    sl_buf_puts(&b, "},\n  \"krippendorff_alpha\": ");
    sl_json_put_double(&b, s->alpha);
    sl_buf_puts(&b, ",\n  \"reviewer_gold_pass_rate\": ");
    if (!s->gold_items) {
        sl_buf_puts(&b, "null");
    } else {
        sl_buf_putc(&b, '{');
        int first = 1;
        sl_panel_reviewer rev;
        for (size_t r = 0; sl_panel_reviewer_get(d->pb, r, &rev) == SL_OK; r++) {
            if (!rev.gold_items)
                continue;
            sl_buf_puts(&b, first ? "\n    " : ",\n    ");
            first = 0;
            sl_json_put_string(&b, rev.name, rev.name_len);
            sl_buf_puts(&b, ": ");
            sl_json_put_double(&b, (double)rev.gold_passes / (double)rev.gold_items);
        }
        sl_buf_puts(&b, "\n  }");
    }
    sl_buf_puts(&b, ",\n  \"flagged\": [");
    for (size_t i = 0; i < s->n_flagged; i++) {
        sl_buf_puts(&b, i ? ",\n    {\"item_id\": " : "\n    {\"item_id\": ");
        put_item_id(&b, d, s->flagged[i]);
        sl_buf_printf(&b, ", \"reason\": \"%s\"}", s->flag_reason[i]);
        if (b.len > (1u << 20) && sl_buf_flush(&b, out))
            break;
    }
    sl_buf_puts(&b, s->n_flagged ? "\n  ],\n" : "],\n");
    sl_buf_printf(&b, "  \"flag_thresholds\": {\"normalized_entropy\": ");
    sl_json_put_double(&b, s->flag_entropy);
    sl_buf_puts(&b, ", \"mean_confidence\": ");
    sl_json_put_double(&b, s->flag_confidence);
    sl_buf_printf(&b, "},\n  \"input_errors\": %zu", s->input_errors);
    if (q)
        qa_json_sections(&b, d, q, qopt);
    sl_buf_puts(&b, "\n}\n");
    int rc = b.oom || sl_buf_flush(&b, out) || fflush(out) ? -1 : 0;
    sl_buf_free(&b);
    return rc;
}
