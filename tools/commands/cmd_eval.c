/*
 * softlabel eval: a model's (or an LLM panel's) distributions against the human panels' (SPEC
 * section 4): per item cross-entropy, KL and Jensen-Shannon divergence (bits), total variation,
 * multi-class Brier score and top-label agreement, computed by the library's batch kernel per
 * task; averaged overall and per disagreement class, printed as JSON.
 *
 * --human: the ITEMS.jsonl `softlabel panel` writes (item_id, task, distribution in the task's
 * label order, disagreement_class). --model: {"item_id", "distribution": {label: probability}}
 * per line; absent labels are 0; the values must be numbers in [0, 1] summing to 1 within 1e-6.
 * Bad lines are reported with file, line and value and left out; the rest is evaluated; the exit
 * code is then 65. Items on one side only are an error listing them, or with --allow-missing
 * skipped and counted.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "json.h"
#include "numtext.h"
#include "options.h"
#include "panel_intern.h"
#include "panel_json.h"
#include "softlabel.h"

#define N_METRICS 6
static const char *const metric_names[N_METRICS] = {
    "cross_entropy_bits", "kl_bits", "js_bits", "total_variation", "brier", "top_label_agreement",
};

typedef struct eval_task {
    sl_intern labels; /* label -> index, in the order of the first item of the task */
    size_t n;         /* evaluated items */
    double *human, *model; /* k x n label-major, filled once n is known */
    double *metric[N_METRICS];
} eval_task;

typedef struct eval_item {
    uint32_t task, row;
    int cls;            /* sl_disagreement, -1 when unknown */
    size_t line;
    double *human;      /* k shares (NULL: the panel had no counted votes) */
    double *model;      /* k probabilities, NULL until the model gives them */
    size_t model_line;
} eval_item;

typedef struct eval_state {
    const char *human_path, *model_path;
    sl_intern items, tasks;
    eval_item *item;
    size_t cap;
    eval_task *task;
    size_t task_cap;
    size_t errors;
    size_t max_errors;
} eval_state;

static void bad_line(eval_state *s, const char *path, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void bad_line(eval_state *s, const char *path, size_t line, const char *fmt, ...)
{
    if (s->errors++ >= s->max_errors)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%zu: ", path, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* One line being read: its number and where its unescaped strings go. */
typedef struct eval_line {
    const char *path;
    size_t number;
    char *text;   /* room for the line's strings, unescaped and NUL-terminated */
    size_t used;
} eval_line;

/* Reads a JSONL file line by line: fn(state, line, text, length) for each non-blank line, with
 * room in line->text for its strings. Returns 0, or the exit code after printing why the file
 * could not be read: SL_EX_NOINPUT (cannot open), SL_EX_IOERR (a read error, or the file changed
 * while being read: then its last line, cut where the file now ends, is not parsed). */
static int read_jsonl(eval_state *s, const char *path,
                      void (*fn)(eval_state *, eval_line *, const char *, size_t))
{
    int fd = sl_input_open("eval", path);
    FILE *f = fd == STDIN_FILENO ? stdin : fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd > STDIN_FILENO)
            close(fd);
        return SL_EX_NOINPUT;
    }
    sl_input_guard guard;
    sl_input_guard_start(&guard, fd);
    char *line = NULL, *text = NULL;
    size_t cap = 0, text_cap = 0, number = 0;
    uint64_t consumed = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        number++;
        consumed += (uint64_t)len;
        if (line[len - 1] != '\n' && sl_input_guard_end(&guard, fd, "eval", path, consumed)) {
            rc = SL_EX_IOERR; /* the last line: parsed only when the file is whole */
            break;
        }
        if (number == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) { /* UTF-8 BOM */
            memmove(line, line + 3, (size_t)len - 2);
            len -= 3;
        }
        size_t blank = 0;
        while (blank < (size_t)len && strchr(" \t\r\n", line[blank]))
            blank++;
        if (blank == (size_t)len)
            continue;
        if (text_cap < (size_t)len + 1) { /* the strings and a NUL each fit in the line's length */
            char *p = realloc(text, (size_t)len + 1);
            if (!p) {
                fprintf(stderr, "softlabel eval: out of memory\n");
                rc = SL_EX_OSERR;
                break;
            }
            text = p;
            text_cap = (size_t)len + 1;
        }
        eval_line l = {path, number, text, 0};
        fn(s, &l, line, (size_t)len);
    }
    if (!rc && ferror(f)) {
        fprintf(stderr, "softlabel eval: %s: read error: %s\n", path, strerror(errno));
        rc = SL_EX_IOERR;
    } else if (!rc && sl_input_guard_end(&guard, fd, "eval", path, consumed)) {
        rc = SL_EX_IOERR;
    }
    free(line);
    free(text);
    if (f != stdin)
        fclose(f);
    return rc;
}

/* Scans a line and picks its members by name; reports it as bad when it is not a JSON object. */
static int pick(eval_state *s, eval_line *l, const char *text, size_t len,
                const char *const *names, size_t count, sl_json_member *found)
{
    sl_json_iter it;
    if (!sl_json_pick(&it, text, len, SL_JSON_UTF8, names, count, found))
        return 0;
    bad_line(s, l->path, l->number, "invalid JSON: %s (column %zu)", it.error, it.error_offset + 1);
    return -1;
}

/* A string's text (a value with its quotes, or a key without), unescaped and NUL-terminated in
 * l->text: NULL (the line reported) when it holds \u0000, which no C string can. */
static const char *text_of(eval_state *s, eval_line *l, const char *str, size_t len)
{
    char *out = l->text + l->used;
    size_t n = sl_json_unescape(str, len, out);
    if (memchr(out, '\0', n)) {
        bad_line(s, l->path, l->number, "a string holds a NUL character (\\u0000)");
        return NULL;
    }
    out[n] = '\0';
    l->used += n + 1;
    return out;
}

/* A member's string value (NULL when it is absent or not a string, *bad set when it holds NUL). */
static const char *string_of(eval_state *s, eval_line *l, const sl_json_member *m, int *bad)
{
    if (!m->value || m->type != SL_JSON_STRING)
        return NULL;
    const char *t = text_of(s, l, m->value + 1, m->value_len - 2);
    *bad |= !t;
    return t;
}

/* The next member of a nested object (a distribution) with its key unescaped into l->text:
 * 1, 0 at its end, -1 when the key holds NUL (the line reported). */
static int next_label(eval_state *s, eval_line *l, sl_json_iter *it, sl_json_member *m,
                      const char **label)
{
    if (sl_json_next(it, m) != 1)
        return 0; /* the line was scanned whole before: it is valid */
    *label = text_of(s, l, m->key, m->key_len);
    return *label ? 1 : -1;
}

static int class_of(const char *name)
{
    for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++)
        if (name && strcmp(name, sl_disagreement_name((sl_disagreement)c)) == 0)
            return c;
    return -1;
}

static int64_t task_of(eval_state *s, const char *name)
{
    int added;
    int64_t t = sl_intern_add(&s->tasks, name, strlen(name), &added);
    if (t < 0 || !added)
        return t;
    if (sl_array_reserve((void **)&s->task, &s->task_cap, (size_t)t + 1, sizeof *s->task, 16))
        return -1;
    memset(&s->task[t], 0, sizeof s->task[t]);
    return t;
}

/* The members of a line of either file. */
enum { M_ITEM, M_DIST, M_TASK, M_CLASS, M_COUNT };
static const char *const member_names[M_COUNT] = {"item_id", "distribution", "task",
                                                  "disagreement_class"};

/* One line of the human file. */
static void human_line(eval_state *s, eval_line *l, const char *text, size_t len)
{
    const char *path = s->human_path;
    size_t line = l->number;
    sl_json_member m[M_COUNT];
    if (pick(s, l, text, len, member_names, M_COUNT, m))
        return;
    int bad = 0;
    const char *id = string_of(s, l, &m[M_ITEM], &bad);
    const char *task_name = string_of(s, l, &m[M_TASK], &bad);
    const char *cls = string_of(s, l, &m[M_CLASS], &bad);
    const sl_json_member *dist = &m[M_DIST];
    if (bad)
        return;
    if (!id || !task_name) {
        bad_line(s, path, line, "'item_id' and 'task' must be strings");
        return;
    }
    int is_object = dist->value && dist->type == SL_JSON_OBJECT;
    if (!is_object && !(dist->value && dist->type == SL_JSON_NULL)) {
        bad_line(s, path, line, "'distribution' of item '%s' must be an object or null", id);
        return;
    }
    int64_t t = task_of(s, task_name);
    if (t < 0) {
        bad_line(s, path, line, "out of memory");
        return;
    }
    eval_task *task = &s->task[t];
    sl_json_iter it;
    sl_json_member e;
    size_t size = 0; /* the distribution's labels */
    if (is_object) {
        sl_json_begin(&it, dist->value, dist->value_len, SL_JSON_UTF8);
        while (sl_json_next(&it, &e) == 1)
            size++;
    }
    /* the first valid item of a task fixes its labels and their order: they are collected apart
     * and become the task's only once the whole line is valid */
    int first_of_task = task->labels.count == 0;
    size_t k = first_of_task ? size : task->labels.count;
    double *shares = NULL;
    unsigned char *given = NULL;
    sl_intern fresh;
    sl_intern_init(&fresh);
    sl_intern *labels = first_of_task ? &fresh : &task->labels;
    if (is_object) {
        if (!first_of_task && size != k) {
            bad_line(s, path, line, "item '%s' has %zu labels; task '%s' has %zu", id, size,
                     task_name, k);
            return;
        }
        shares = calloc(k ? k : 1, sizeof *shares);
        given = calloc(k ? k : 1, 1);
        const char *label;
        int r = shares && given ? 1 : -1;
        sl_json_begin(&it, dist->value, dist->value_len, SL_JSON_UTF8);
        while (r == 1 && (r = next_label(s, l, &it, &e, &label)) == 1) {
            int64_t lab = first_of_task ? sl_intern_add(labels, label, strlen(label), NULL)
                                        : sl_intern_find(labels, label, strlen(label));
            const char *problem = lab < 0 ? "is not a label of its task"
                                  : given[lab] ? "appears twice"
                                  : e.type != SL_JSON_NUMBER ? "has no numeric share"
                                                             : NULL;
            if (problem) {
                bad_line(s, path, line, "distribution of item '%s': label '%s' %s", id, label,
                         problem);
                r = -1;
                break;
            }
            given[lab] = 1;
            sl_parse_f64(e.value, e.value_len, &shares[lab]);
        }
        free(given);
        if (r < 0) {
            free(shares);
            sl_intern_free(&fresh);
            return;
        }
        double sum = 0.0;
        int inside = 1;
        for (size_t lab = 0; lab < k; lab++) {
            sum += shares[lab];
            inside &= shares[lab] >= 0.0 && shares[lab] <= 1.0;
        }
        if (!inside || !(fabs(sum - 1.0) <= SL_DIST_SUM_TOLERANCE)) {
            bad_line(s, path, line, "distribution of item '%s': shares outside [0, 1] or summing "
                     "to %.17g, not 1", id, sum);
            free(shares);
            sl_intern_free(&fresh);
            return;
        }
    }
    int added;
    int64_t i = sl_intern_add(&s->items, id, strlen(id), &added);
    if (i < 0 || !added) {
        if (i >= 0)
            bad_line(s, path, line, "item '%s' appears twice (line %zu)", id, s->item[i].line);
        free(shares);
        sl_intern_free(&fresh);
        return;
    }
    if (first_of_task) { /* the line is valid: its labels are the task's */
        sl_intern_free(&task->labels);
        task->labels = fresh;
    }
    if (sl_array_reserve((void **)&s->item, &s->cap, (size_t)i + 1, sizeof *s->item, 1024)) {
        free(shares);
        return;
    }
    s->item[i] = (eval_item){(uint32_t)t, 0, class_of(cls), line, shares, NULL, 0};
}

/* One line of the model file. */
static void model_line(eval_state *s, eval_line *l, const char *text, size_t len)
{
    const char *path = s->model_path;
    size_t line = l->number;
    sl_json_member m[M_COUNT];
    if (pick(s, l, text, len, member_names, 2 /* item_id, distribution */, m))
        return;
    int bad = 0;
    const char *id = string_of(s, l, &m[M_ITEM], &bad);
    const sl_json_member *dist = &m[M_DIST];
    if (bad)
        return;
    if (!id || !dist->value || dist->type != SL_JSON_OBJECT) {
        bad_line(s, path, line, "expected {\"item_id\": string, \"distribution\": {label: p}}");
        return;
    }
    int64_t i = sl_intern_find(&s->items, id, strlen(id));
    if (i < 0) {
        /* counted as missing on the human side below */
        int added;
        i = sl_intern_add(&s->items, id, strlen(id), &added);
        if (i < 0)
            return;
        if (sl_array_reserve((void **)&s->item, &s->cap, (size_t)i + 1, sizeof *s->item, 1024))
            return;
        s->item[i] = (eval_item){UINT32_MAX, 0, -1, 0, NULL, NULL, line};
        return;
    }
    eval_item *it = &s->item[i];
    if (it->model_line) {
        bad_line(s, path, line, "item '%s' appears twice (line %zu)", id, it->model_line);
        return;
    }
    it->model_line = line;
    if (it->task == UINT32_MAX)
        return;
    eval_task *task = &s->task[it->task];
    size_t k = task->labels.count;
    double *p = calloc(k ? k : 1, sizeof *p);
    unsigned char *given = calloc(k ? k : 1, 1);
    sl_json_iter di;
    sl_json_member e;
    const char *label;
    int r = p && given ? 1 : -1;
    sl_json_begin(&di, dist->value, dist->value_len, SL_JSON_UTF8);
    while (r == 1 && (r = next_label(s, l, &di, &e, &label)) == 1) {
        int64_t lab = sl_intern_find(&task->labels, label, strlen(label));
        double x = NAN;
        if (e.type == SL_JSON_NUMBER)
            sl_parse_f64(e.value, e.value_len, &x);
        if (lab < 0) {
            bad_line(s, path, line, "item '%s': label '%s' is not a label of task '%s'", id,
                     label, s->tasks.str[it->task]);
        } else if (given[lab]) {
            bad_line(s, path, line, "item '%s': label '%s' appears twice", id, label);
        } else if (!(x >= 0.0 && x <= 1.0)) {
            bad_line(s, path, line, "item '%s': probability of '%s' is %.*s, not a number in [0, 1]",
                     id, label, (int)e.value_len, e.value);
        } else {
            p[lab] = x;
            given[lab] = 1;
            continue;
        }
        r = -1;
        break;
    }
    free(given);
    if (r != 0) {
        free(p);
        return;
    }
    double sum = 0.0; /* in label order, as the kernel sums */
    for (size_t lab = 0; lab < k; lab++)
        sum += p[lab];
    if (!(fabs(sum - 1.0) <= SL_DIST_SUM_TOLERANCE)) {
        bad_line(s, path, line, "item '%s': the distribution sums to %.17g, not 1 (within 1e-6)",
                 id, sum);
        free(p);
        return;
    }
    it->model = p;
}

/* Items on one side only: listed (an error) or counted (--allow-missing). */
static void missing_items(eval_state *s, int allow, size_t *no_model, size_t *no_human)
{
    *no_model = *no_human = 0;
    size_t listed = 0;
    for (size_t i = 0; i < s->items.count; i++) {
        eval_item *it = &s->item[i];
        int human_missing = it->task == UINT32_MAX || !it->human;
        int model_missing = !it->model_line;
        if (!human_missing && !model_missing)
            continue;
        if (human_missing && !it->model_line)
            continue; /* a panel without votes and no model line: nothing to compare, no error */
        if (human_missing)
            (*no_human)++;
        else
            (*no_model)++;
        if (allow)
            continue;
        if (listed++ < s->max_errors)
            fprintf(stderr, "%s:%zu: item '%s' %s\n",
                    human_missing ? s->model_path : s->human_path,
                    human_missing ? it->model_line : it->line, s->items.str[i],
                    human_missing ? (it->task == UINT32_MAX ? "is not in the human file"
                                                            : "has no human votes (distribution null)")
                                  : "has no model distribution");
    }
    if (!allow && *no_model + *no_human)
        fprintf(stderr, "softlabel eval: %zu items without a model distribution, %zu model items "
                        "without a human distribution (use --allow-missing to skip them)\n",
                *no_model, *no_human);
}

/* Fills each task's matrices with its evaluable items and runs the kernel. */
static int compute(eval_state *s)
{
    for (size_t i = 0; i < s->items.count; i++) {
        eval_item *it = &s->item[i];
        if (it->task != UINT32_MAX && it->human && it->model)
            it->row = (uint32_t)s->task[it->task].n++;
    }
    for (size_t t = 0; t < s->tasks.count; t++) {
        eval_task *task = &s->task[t];
        size_t k = task->labels.count, n = task->n;
        if (n == 0)
            continue;
        task->human = malloc(k * n * sizeof(double));
        task->model = malloc(k * n * sizeof(double));
        for (int m = 0; m < N_METRICS; m++)
            task->metric[m] = malloc(n * sizeof(double));
        if (!task->human || !task->model || !task->metric[N_METRICS - 1])
            return SL_EX_OSERR;
    }
    for (size_t i = 0; i < s->items.count; i++) {
        eval_item *it = &s->item[i];
        if (it->task == UINT32_MAX || !it->human || !it->model)
            continue;
        eval_task *task = &s->task[it->task];
        for (size_t l = 0; l < task->labels.count; l++) {
            task->human[l * task->n + it->row] = it->human[l];
            task->model[l * task->n + it->row] = it->model[l];
        }
    }
    for (size_t t = 0; t < s->tasks.count; t++) {
        eval_task *task = &s->task[t];
        if (task->n == 0)
            continue;
        sl_divergence_out out = {task->metric[0], task->metric[1], task->metric[2],
                                 task->metric[3], task->metric[4], task->metric[5]};
        size_t bad;
        sl_status st = sl_divergence_f64(task->human, task->n, task->model, task->n, task->n,
                                         task->labels.count, &out, &bad);
        if (st != SL_OK) {
            /* a human distribution off by more than the tolerance (the model side was checked) */
            for (size_t i = 0; i < s->items.count; i++)
                if (s->item[i].task == t && s->item[i].model && s->item[i].row == bad)
                    fprintf(stderr, "%s:%zu: item '%s': %s\n", s->human_path, s->item[i].line,
                            s->items.str[i], sl_status_str(st));
            return SL_EX_DATAERR;
        }
    }
    return 0;
}

typedef struct mean_acc {
    double sum[N_METRICS], carry[N_METRICS];
    size_t n;
} mean_acc;

static void acc_add(mean_acc *a, const double *v)
{
    for (int m = 0; m < N_METRICS; m++) { /* Neumaier summation */
        double t = a->sum[m] + v[m];
        a->carry[m] += fabs(a->sum[m]) >= fabs(v[m]) ? (a->sum[m] - t) + v[m] : (v[m] - t) + a->sum[m];
        a->sum[m] = t;
    }
    a->n++;
}

static void put_means(sl_buf *b, const mean_acc *a, int with_items)
{
    sl_buf_putc(b, '{');
    for (int m = 0; m < N_METRICS; m++) {
        sl_buf_printf(b, "%s\"%s\": ", m ? ", " : "", metric_names[m]);
        sl_json_put_double(b, a->n ? (a->sum[m] + a->carry[m]) / (double)a->n : NAN);
    }
    if (with_items)
        sl_buf_printf(b, ", \"items\": %zu", a->n);
    sl_buf_putc(b, '}');
}

/* Per-item values to per_item when given (committed), then the means overall and per class on
 * standard output. Returns 0, or SL_EX_IOERR after printing which output failed and why. */
static int report(eval_state *s, sl_outfile *per_item, int allow, size_t no_model, size_t no_human)
{
    FILE *items_out = per_item ? sl_outfile_stream(per_item) : NULL;
    if (per_item && !items_out) {
        fprintf(stderr, "softlabel eval: %s: write error: %s\n", per_item->path, strerror(errno));
        return SL_EX_IOERR;
    }
    mean_acc overall, by_class[SL_DISAGREEMENT_CLASSES];
    memset(&overall, 0, sizeof overall);
    memset(by_class, 0, sizeof by_class);
    sl_buf line = {0};
    int rc = 0;
    for (size_t i = 0; i < s->items.count; i++) {
        eval_item *it = &s->item[i];
        if (it->task == UINT32_MAX || !it->human || !it->model)
            continue;
        eval_task *task = &s->task[it->task];
        double v[N_METRICS];
        for (int m = 0; m < N_METRICS; m++)
            v[m] = task->metric[m][it->row];
        acc_add(&overall, v);
        if (it->cls >= 0)
            acc_add(&by_class[it->cls], v);
        if (!items_out || rc)
            continue;
        line.len = 0;
        sl_buf_puts(&line, "{\"item_id\":");
        sl_json_put_string(&line, s->items.str[i], s->items.len[i]);
        sl_buf_puts(&line, ",\"task\":");
        sl_json_put_string(&line, s->tasks.str[it->task], s->tasks.len[it->task]);
        sl_buf_printf(&line, ",\"disagreement_class\":%s%s%s",
                      it->cls >= 0 ? "\"" : "",
                      it->cls >= 0 ? sl_disagreement_name((sl_disagreement)it->cls) : "null",
                      it->cls >= 0 ? "\"" : "");
        for (int m = 0; m < N_METRICS - 1; m++) {
            sl_buf_printf(&line, ",\"%s\":", metric_names[m]);
            sl_json_put_double(&line, v[m]);
        }
        sl_buf_printf(&line, ",\"top_label_agreement\":%s}\n", v[5] == 1.0 ? "true" : "false");
        if (line.oom)
            errno = ENOMEM;
        if (line.oom || sl_buf_flush(&line, items_out)) {
            fprintf(stderr, "softlabel eval: %s: write error: %s\n", per_item->path, strerror(errno));
            rc = SL_EX_IOERR;
        }
    }
    sl_buf_free(&line);
    if (per_item && (rc || sl_outfile_commit(per_item)))
        return SL_EX_IOERR; /* the summary is printed only once the per-item file is complete */
    sl_buf out = {0};
    sl_buf_printf(&out, "{\"items\": %zu,\n \"overall\": ", overall.n);
    put_means(&out, &overall, 0);
    sl_buf_puts(&out, ",\n \"by_disagreement_class\": {");
    for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++) {
        sl_buf_printf(&out, "%s\n  \"%s\": ", c ? "," : "", sl_disagreement_name((sl_disagreement)c));
        put_means(&out, &by_class[c], 1);
    }
    sl_buf_puts(&out, "}");
    if (allow)
        sl_buf_printf(&out, ",\n \"skipped\": {\"missing_model\": %zu, \"missing_human\": %zu}",
                      no_model, no_human);
    sl_buf_puts(&out, "}\n");
    if (out.oom)
        errno = ENOMEM;
    if (out.oom || sl_buf_flush(&out, stdout) || fflush(stdout)) {
        fprintf(stderr, "softlabel eval: standard output: write error: %s\n", strerror(errno));
        rc = SL_EX_IOERR;
    }
    sl_buf_free(&out);
    return rc;
}

static void state_free(eval_state *s)
{
    for (size_t i = 0; i < s->items.count; i++) {
        free(s->item[i].human);
        free(s->item[i].model);
    }
    for (size_t t = 0; t < s->tasks.count; t++) {
        eval_task *task = &s->task[t];
        sl_intern_free(&task->labels);
        free(task->human);
        free(task->model);
        for (int m = 0; m < N_METRICS; m++)
            free(task->metric[m]);
    }
    free(s->item);
    free(s->task);
    sl_intern_free(&s->items);
    sl_intern_free(&s->tasks);
}

int sl_cmd_eval(int argc, char **argv)
{
    eval_state s;
    memset(&s, 0, sizeof s);
    s.max_errors = 50;
    const char *out_path = NULL;
    bool allow = false;
    const sl_option options[] = {
        {"--human", SL_OPT_PATH, &s.human_path, "ITEMS.jsonl",
         .help = "the items softlabel panel wrote", .flags = SL_OPT_REQUIRED},
        {"--model", SL_OPT_PATH, &s.model_path, "MODEL.jsonl",
         .help = "the model's distributions", .flags = SL_OPT_REQUIRED},
        {"--out", SL_OPT_PATH, &out_path, "PER_ITEM.jsonl", .help = "the per-item values"},
        {"--allow-missing", SL_OPT_FLAG, &allow,
         .help = "skip (and count) items found on one side only (default: an error)"},
        {"--max-errors", SL_OPT_COUNT, &s.max_errors, "N",
         .help = "input errors printed in full (default 50; all are counted)", .hi = SIZE_MAX},
    };
    const sl_command_options command = {
        "eval",
        "  MODEL.jsonl: one {\"item_id\": ..., \"distribution\": {label: probability}} per line\n"
        "  (absent labels 0; sums to 1 within 1e-6). Prints {\"items\", \"overall\",\n"
        "  \"by_disagreement_class\"} as JSON; each holds the means of cross_entropy_bits, kl_bits,\n"
        "  js_bits (base 2), total_variation, brier and top_label_agreement.\n\n",
        NULL, options, sizeof options / sizeof options[0]};
    int rc = sl_options_parse(&command, argc, argv);
    if (rc)
        return rc < 0 ? SL_EX_OK : rc;
    int code = read_jsonl(&s, s.human_path, human_line);
    if (!code)
        code = read_jsonl(&s, s.model_path, model_line);
    if (code) {
        state_free(&s);
        return code;
    }
    size_t no_model, no_human;
    missing_items(&s, allow, &no_model, &no_human);
    code = compute(&s);
    sl_outfile per_item = SL_OUTFILE_NONE; /* replaced only when complete */
    if (!code && out_path && sl_outfile_open(&per_item, out_path))
        code = SL_EX_CANTCREAT;
    if (!code)
        code = report(&s, out_path ? &per_item : NULL, allow, no_model, no_human);
    sl_outfile_abort(&per_item);
    if (!code && s.errors > s.max_errors)
        fprintf(stderr, "... %zu more input errors not shown (--max-errors)\n",
                s.errors - s.max_errors);
    if (!code && (s.errors || (!allow && no_model + no_human)))
        code = SL_EX_DATAERR;
    state_free(&s);
    return code;
}
