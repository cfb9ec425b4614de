/* The aggregation behind `softlabel panel`: see panel_build.h. */
#include "panel_build.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers ---------------------------------------------------------------------- */

static int errors_add(panel_errors *l, uint32_t code, uint32_t field, uint64_t offset, uint64_t aux)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        panel_error *e = realloc(l->e, cap * sizeof *e);
        if (!e)
            return -1;
        l->e = e;
        l->cap = cap;
    }
    l->e[l->n++] = (panel_error){offset, aux, code, field};
    return 0;
}

/* Runs fn(arg + i * size) for i < n on n threads (the calling thread runs the first). */
static int run_parallel(size_t n, void *(*fn)(void *), void *arg, size_t size)
{
    pthread_t *th = calloc(n, sizeof *th);
    if (!th)
        return -1;
    size_t started = 1;
    for (size_t i = 1; i < n; i++, started++)
        if (pthread_create(&th[i], NULL, fn, (char *)arg + i * size))
            break;
    fn(arg);
    for (size_t i = 1; i < started; i++)
        pthread_join(th[i], NULL);
    /* a thread that could not be started: its share runs here */
    for (size_t i = started; i < n; i++)
        fn((char *)arg + i * size);
    free(th);
    return 0;
}

/* ---- parsing one chunk ----------------------------------------------------------------------- */

typedef struct parse_job {
    panel_data *d;
    size_t part;
} parse_job;

/* A confidence value: 0 and *out (NaN when not given), or -1 when it is not a number in [0, 1]. */
static int read_confidence(const pio_value *v, double *out)
{
    *out = NAN;
    if (v->kind == PV_ABSENT || v->kind == PV_NULL)
        return 0;
    if (v->kind == PV_NUM) {
        *out = v->num;
    } else if (v->kind == PV_STR) {
        char tmp[64], *end;
        if (v->len == 0 || v->len >= sizeof tmp)
            return -1;
        memcpy(tmp, v->s, v->len);
        tmp[v->len] = '\0';
        *out = strtod(tmp, &end);
        if (*end)
            return -1;
    } else {
        return -1;
    }
    return *out >= 0.0 && *out <= 1.0 ? 0 : -1; /* false for NaN */
}

/* The error mark: 0 or 1, or -1 when it is not 0, 1, true or false. */
static int read_error_flag(const pio_value *v)
{
    switch (v->kind) {
    case PV_ABSENT:
    case PV_NULL: return 0;
    case PV_BOOL: return (int)v->num;
    case PV_NUM: return v->num == 0.0 ? 0 : v->num == 1.0 ? 1 : -1;
    case PV_STR:
        if (v->len == 1 && (v->s[0] == '0' || v->s[0] == '1'))
            return v->s[0] - '0';
        if (v->len == 4 && strncasecmp(v->s, "true", 4) == 0)
            return 1;
        if (v->len == 5 && strncasecmp(v->s, "false", 5) == 0)
            return 0;
        return -1;
    default: return -1;
    }
}

static int is_blank(const pio_value *v)
{
    return v->kind == PV_ABSENT || v->kind == PV_NULL || v->len == 0;
}

/* The label key of (task, label): the task id's 4 bytes, then the label. */
static int64_t label_key(sl_intern *labels, sl_jbuf *tmp, uint32_t task, const char *s, size_t len)
{
    tmp->len = 0;
    sl_jbuf_put(tmp, (const char *)&task, sizeof task);
    sl_jbuf_put(tmp, s, len);
    if (tmp->oom)
        return -1;
    return sl_intern_add(labels, tmp->p, tmp->len, NULL);
}

static int part_reserve_item(panel_part *p, size_t id)
{
    if (id < p->item_cap)
        return 0;
    size_t cap = p->item_cap ? p->item_cap * 2 : 1024;
    uint32_t *task = realloc(p->item_task, cap * sizeof *task);
    if (!task)
        return -1;
    p->item_task = task;
    uint64_t *first = realloc(p->item_first, cap * sizeof *first);
    if (!first)
        return -1;
    p->item_first = first;
    p->item_cap = cap;
    return 0;
}

/* Validates and interns one record into the part. Returns 0, or -1 when memory ran out. */
static int accept_record(panel_data *d, panel_part *p, size_t part_index, const pio_record *rec,
                         sl_jbuf *tmp)
{
    for (int i = PIO_ITEM; i <= PIO_LABEL; i++) {
        if (is_blank(&rec->f[i]))
            return errors_add(&p->errors, PE_MISSING, (uint32_t)i, rec->offset, 0);
        if (rec->f[i].kind == PV_BOOL)
            return errors_add(&p->errors, PE_NOT_TEXT, (uint32_t)i, rec->offset, 0);
    }
    panel_ann a;
    memset(&a, 0, sizeof a);
    a.offset = rec->offset;
    if (read_confidence(&rec->f[PIO_CONFIDENCE], &a.confidence))
        return errors_add(&p->errors, PE_CONFIDENCE, PIO_CONFIDENCE, rec->offset, 0);
    int mark = read_error_flag(&rec->f[PIO_ERROR]);
    if (mark < 0)
        return errors_add(&p->errors, PE_ERROR_FLAG, PIO_ERROR, rec->offset, 0);
    if (rec->f[PIO_GOLD].kind == PV_BOOL)
        return errors_add(&p->errors, PE_NOT_TEXT, PIO_GOLD, rec->offset, 0);

    const pio_value *v = rec->f;
    int64_t task = sl_intern_add(&p->tasks, v[PIO_TASK].s, v[PIO_TASK].len, NULL);
    int64_t label = task < 0 ? -1 : label_key(&p->labels, tmp, (uint32_t)task, v[PIO_LABEL].s,
                                              v[PIO_LABEL].len);
    int64_t gold = 0;
    if (label >= 0 && !is_blank(&v[PIO_GOLD]))
        gold = label_key(&p->labels, tmp, (uint32_t)task, v[PIO_GOLD].s, v[PIO_GOLD].len) + 1;
    int added = 0;
    int64_t item = sl_intern_add(&p->items, v[PIO_ITEM].s, v[PIO_ITEM].len, &added);
    int64_t reviewer = sl_intern_add(&p->reviewers, v[PIO_REVIEWER].s, v[PIO_REVIEWER].len, NULL);
    if (label < 0 || gold < 0 || item < 0 || reviewer < 0 || part_reserve_item(p, (size_t)item))
        return -1;
    if (added) {
        p->item_task[item] = (uint32_t)task;
        p->item_first[item] = rec->offset;
    }
    a.item = (uint32_t)item;
    a.reviewer = (uint32_t)reviewer;
    a.label = (uint32_t)label;
    a.gold = (uint32_t)gold;
    a.flags = mark ? PA_ERROR : 0;
    a.part = (uint8_t)part_index;
    const pio_value *ev = &v[PIO_EVIDENCE];
    if (!is_blank(ev) && ev->kind != PV_NUM && ev->kind != PV_BOOL) {
        a.flags |= PA_EVIDENCE | (ev->kind == PV_CSVQ ? PA_EV_CSVQ : 0);
        if (ev->len > UINT32_MAX)
            return -1;
        a.ev_len = (uint32_t)ev->len;
        if (d->file.format == PIO_CSV) {
            a.ev_off = (uint64_t)(ev->s - d->file.data);
        } else {
            a.ev_off = p->evidence.len;
            sl_jbuf_put(&p->evidence, ev->s, ev->len);
            if (p->evidence.oom)
                return -1;
        }
    }
    if (p->n_ann == p->cap_ann) {
        size_t cap = p->cap_ann ? p->cap_ann * 2 : 4096;
        panel_ann *ann = realloc(p->ann, cap * sizeof *ann);
        if (!ann)
            return -1;
        p->ann = ann;
        p->cap_ann = cap;
    }
    p->ann[p->n_ann++] = a;
    return 0;
}

static void *parse_part(void *arg)
{
    parse_job *job = arg;
    panel_data *d = job->d;
    panel_part *p = &d->parts[job->part];
    pio_reader r;
    pio_record rec;
    sl_jbuf tmp = {0};
    pio_reader_init(&r, &d->file, p->start, p->end);
    for (;;) {
        int got = pio_next(&r, &rec);
        if (got == 0)
            break;
        int rc = got > 0 ? accept_record(d, p, job->part, &rec, &tmp)
                         : errors_add(&p->errors, PE_RECORD, UINT32_MAX, rec.offset, 0);
        if (rc) {
            p->oom = 1;
            break;
        }
    }
    p->final_pos = r.pos;
    pio_reader_free(&r);
    sl_jbuf_free(&tmp);
    return NULL;
}

static void part_free(panel_part *p)
{
    sl_intern_free(&p->items);
    sl_intern_free(&p->reviewers);
    sl_intern_free(&p->tasks);
    sl_intern_free(&p->labels);
    free(p->item_task);
    free(p->item_first);
    free(p->ann);
    free(p->errors.e);
    sl_jbuf_free(&p->evidence);
    memset(p, 0, sizeof *p);
}

/* Parses the input on n threads; when a chunk did not end exactly where the next one starts (a
 * quote out of place made the quote-parity split wrong), parses it again on one thread, so the
 * result never depends on the number of threads. */
static int parse_all(panel_data *d, size_t threads)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t n = attempt == 0 ? threads : 1;
        size_t *starts = calloc(n + 1, sizeof *starts);
        d->parts = calloc(n, sizeof *d->parts);
        parse_job *jobs = calloc(n, sizeof *jobs);
        if (!starts || !d->parts || !jobs)
            return -1;
        d->n_parts = n;
        pio_split(&d->file, n, starts);
        for (size_t i = 0; i < n; i++) {
            d->parts[i].start = starts[i];
            d->parts[i].end = starts[i + 1];
            jobs[i] = (parse_job){d, i};
        }
        run_parallel(n, parse_part, jobs, sizeof *jobs);
        int consistent = 1;
        for (size_t i = 0; i < n; i++) {
            if (d->parts[i].oom)
                return -1;
            if (i + 1 < n && d->parts[i].final_pos != starts[i + 1])
                consistent = 0;
        }
        free(starts);
        free(jobs);
        if (consistent)
            return 0;
        for (size_t i = 0; i < n; i++)
            part_free(&d->parts[i]);
        free(d->parts);
        d->parts = NULL;
    }
    return 0;
}

/* ---- merging the parts --------------------------------------------------------------------- */

/* Maps every string of a part's table to the merged table's id. */
static uint32_t *merge_table(sl_intern *into, const sl_intern *from)
{
    uint32_t *map = malloc((from->count ? from->count : 1) * sizeof *map);
    if (!map)
        return NULL;
    for (size_t i = 0; i < from->count; i++) {
        int64_t id = sl_intern_add(into, from->str[i], from->len[i], NULL);
        if (id < 0) {
            free(map);
            return NULL;
        }
        map[i] = (uint32_t)id;
    }
    return map;
}

static int grow_u32(uint32_t **a, size_t n)
{
    uint32_t *p = realloc(*a, (n ? n : 1) * sizeof **a);
    if (!p)
        return -1;
    *a = p;
    return 0;
}

/* Part 0's tables become the merged ones; every other part's ids are mapped into them and its
 * records appended (input order: the parts are consecutive chunks). */
static int merge_parts(panel_data *d)
{
    panel_part *p0 = &d->parts[0];
    d->items = p0->items;
    d->reviewers = p0->reviewers;
    d->tasks = p0->tasks;
    d->labels = p0->labels;
    memset(&p0->items, 0, sizeof p0->items);
    memset(&p0->reviewers, 0, sizeof p0->reviewers);
    memset(&p0->tasks, 0, sizeof p0->tasks);
    memset(&p0->labels, 0, sizeof p0->labels);
    d->item_task = p0->item_task;
    d->item_first = p0->item_first;
    p0->item_task = NULL;
    p0->item_first = NULL;
    size_t total = 0;
    for (size_t i = 0; i < d->n_parts; i++)
        total += d->parts[i].n_ann;
    if (total > UINT32_MAX)
        return -1;
    d->ann = realloc(p0->ann, (total ? total : 1) * sizeof *d->ann);
    if (!d->ann)
        return -1;
    p0->ann = NULL;
    d->n_ann = p0->n_ann;
    sl_jbuf tmp = {0};
    for (size_t pi = 1; pi < d->n_parts; pi++) {
        panel_part *p = &d->parts[pi];
        uint32_t *tasks = merge_table(&d->tasks, &p->tasks);
        uint32_t *reviewers = merge_table(&d->reviewers, &p->reviewers);
        uint32_t *labels = malloc((p->labels.count ? p->labels.count : 1) * sizeof *labels);
        uint32_t *items = malloc((p->items.count ? p->items.count : 1) * sizeof *items);
        if (!tasks || !reviewers || !labels || !items)
            return -1;
        for (size_t i = 0; i < p->labels.count; i++) {
            uint32_t local_task;
            memcpy(&local_task, p->labels.str[i], sizeof local_task);
            int64_t id = label_key(&d->labels, &tmp, tasks[local_task],
                                   p->labels.str[i] + sizeof local_task,
                                   p->labels.len[i] - sizeof local_task);
            if (id < 0)
                return -1;
            labels[i] = (uint32_t)id;
        }
        /* room for every item of this part being new */
        size_t most = d->items.count + p->items.count;
        uint64_t *first = realloc(d->item_first, (most ? most : 1) * sizeof *first);
        if (!first || grow_u32(&d->item_task, most))
            return -1;
        d->item_first = first;
        for (size_t i = 0; i < p->items.count; i++) {
            int added;
            int64_t id = sl_intern_add(&d->items, p->items.str[i], p->items.len[i], &added);
            if (id < 0)
                return -1;
            if (added) {
                d->item_task[id] = tasks[p->item_task[i]];
                d->item_first[id] = p->item_first[i];
            }
            items[i] = (uint32_t)id;
        }
        for (size_t i = 0; i < p->n_ann; i++) {
            panel_ann a = p->ann[i];
            a.item = items[a.item];
            a.reviewer = reviewers[a.reviewer];
            a.label = labels[a.label];
            a.gold = a.gold ? labels[a.gold - 1] + 1 : 0;
            d->ann[d->n_ann++] = a;
        }
        free(tasks);
        free(reviewers);
        free(labels);
        free(items);
        free(p->ann);
        p->ann = NULL;
    }
    sl_jbuf_free(&tmp);
    /* every part's errors in one list */
    for (size_t pi = 0; pi < d->n_parts; pi++) {
        panel_errors *e = &d->parts[pi].errors;
        for (size_t i = 0; i < e->n; i++)
            if (errors_add(&d->errors, e->e[i].code, e->e[i].field, e->e[i].offset, e->e[i].aux))
                return -1;
    }
    return 0;
}

/* ---- label sets ---------------------------------------------------------------------------- */

static const sl_rubric_task *rubric_task(const sl_rubric *r, const char *name)
{
    for (size_t t = 0; t < r->n_tasks; t++)
        if (strcmp(r->tasks[t].name, name) == 0)
            return &r->tasks[t];
    return NULL;
}

static const sl_intern *sort_labels_table; /* for cmp_label_keys (qsort has no context) */

static int cmp_label_keys(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const sl_intern *t = sort_labels_table;
    size_t lx = t->len[x] - 4, ly = t->len[y] - 4;
    int c = memcmp(t->str[x] + 4, t->str[y] + 4, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* Each task's labels: the rubric's, in its order; without a rubric the labels seen (votes and
 * gold answers), sorted bytewise. Every label key gets its index in its task, or -1. */
static int build_label_sets(panel_data *d, const panel_options *opt)
{
    size_t n_keys = d->labels.count;
    d->n_tasks = d->tasks.count;
    d->task = calloc(d->n_tasks ? d->n_tasks : 1, sizeof *d->task);
    d->label_task = malloc((n_keys ? n_keys : 1) * sizeof *d->label_task);
    d->label_index = malloc((n_keys ? n_keys : 1) * sizeof *d->label_index);
    uint32_t *sorted = malloc((n_keys ? n_keys : 1) * sizeof *sorted);
    if (!d->task || !d->label_task || !d->label_index || !sorted)
        return -1;
    for (size_t key = 0; key < n_keys; key++) {
        memcpy(&d->label_task[key], d->labels.str[key], 4);
        d->label_index[key] = -1;
        sorted[key] = (uint32_t)key;
    }
    sort_labels_table = &d->labels;
    qsort(sorted, n_keys, sizeof *sorted, cmp_label_keys);
    for (size_t t = 0; t < d->n_tasks; t++) {
        panel_task *task = &d->task[t];
        task->name = d->tasks.str[t];
        task->adjudicate = opt->adjudicate;
        const sl_rubric_task *rt = d->have_rubric ? rubric_task(&d->rubric, task->name) : NULL;
        if (rt) {
            task->k = rt->n_labels;
            task->labels = (const char **)rt->labels;
            if (rt->adjudicate >= 0)
                task->adjudicate = rt->adjudicate;
        } else if (!d->have_rubric) {
            for (size_t i = 0; i < n_keys; i++)
                task->k += d->label_task[sorted[i]] == t;
            task->labels = calloc(task->k ? task->k : 1, sizeof *task->labels);
            if (!task->labels)
                return -1;
        }
        task->label_len = calloc(task->k ? task->k : 1, sizeof *task->label_len);
        if (!task->label_len)
            return -1;
    }
    /* index of each key: the rubric's position, or the sorted position among its task's keys */
    size_t *next = calloc(d->n_tasks ? d->n_tasks : 1, sizeof *next);
    if (!next)
        return -1;
    for (size_t i = 0; i < n_keys; i++) {
        uint32_t key = sorted[i], t = d->label_task[key];
        panel_task *task = &d->task[t];
        const char *label = d->labels.str[key] + 4;
        const sl_rubric_task *rt = d->have_rubric ? rubric_task(&d->rubric, task->name) : NULL;
        if (d->have_rubric) {
            for (size_t l = 0; rt && l < rt->n_labels; l++)
                if (strlen(rt->labels[l]) == d->labels.len[key] - 4 &&
                    memcmp(rt->labels[l], label, d->labels.len[key] - 4) == 0)
                    d->label_index[key] = (int32_t)l;
        } else {
            d->label_index[key] = (int32_t)next[t];
            task->labels[next[t]++] = label;
        }
    }
    for (size_t t = 0; t < d->n_tasks; t++)
        for (size_t l = 0; l < d->task[t].k; l++)
            d->task[t].label_len[l] = (uint32_t)strlen(d->task[t].labels[l]);
    free(next);
    free(sorted);
    return 0;
}

/* ---- checks across records, grouping ----------------------------------------------------------- */

/* Unknown tasks and labels, tasks that change within an item, unknown gold answers. */
static int check_records(panel_data *d)
{
    for (size_t i = 0; i < d->n_ann; i++) {
        panel_ann *a = &d->ann[i];
        uint32_t t = d->label_task[a->label];
        int rc = 0;
        if (d->have_rubric && !rubric_task(&d->rubric, d->task[t].name)) {
            rc = errors_add(&d->errors, PE_UNKNOWN_TASK, PIO_TASK, a->offset, 0);
            a->flags |= PA_DROPPED;
        } else if (d->label_index[a->label] < 0) {
            rc = errors_add(&d->errors, PE_UNKNOWN_LABEL, PIO_LABEL, a->offset, 0);
            a->flags |= PA_DROPPED;
        } else if (d->item_task[a->item] != t) {
            rc = errors_add(&d->errors, PE_TASK_CONFLICT, PIO_TASK, a->offset,
                            d->item_first[a->item]);
            a->flags |= PA_DROPPED;
        } else if (a->gold && d->label_index[a->gold - 1] < 0) {
            rc = errors_add(&d->errors, PE_UNKNOWN_GOLD, PIO_GOLD, a->offset, 0);
            a->gold = 0; /* the vote stands; the gold answer is ignored */
        }
        if (rc)
            return -1;
    }
    return 0;
}

/* Groups the records by item (a stable counting sort: input order within an item), and gives
 * every item with a valid record its place in the output and its row in its task's matrix. */
static int group_items(panel_data *d)
{
    size_t n_merged = d->items.count;
    d->item = calloc(n_merged ? n_merged : 1, sizeof *d->item);
    d->perm = malloc((d->n_ann ? d->n_ann : 1) * sizeof *d->perm);
    d->order = malloc((n_merged ? n_merged : 1) * sizeof *d->order);
    if (!d->item || !d->perm || !d->order)
        return -1;
    for (size_t i = 0; i < d->n_ann; i++)
        if (!(d->ann[i].flags & PA_DROPPED))
            d->item[d->ann[i].item].count++;
    uint32_t next = 0;
    for (size_t g = 0; g < n_merged; g++) {
        panel_item *it = &d->item[g];
        it->first = next;
        next += it->count;
        it->gold = -1;
        if (it->count == 0)
            continue;
        it->task = d->item_task[g];
        it->row = (uint32_t)d->task[it->task].n++;
        d->order[d->n_items++] = (uint32_t)g;
        it->count = 0; /* refilled below */
    }
    for (size_t i = 0; i < d->n_ann; i++) {
        if (d->ann[i].flags & PA_DROPPED)
            continue;
        panel_item *it = &d->item[d->ann[i].item];
        d->perm[it->first + it->count++] = (uint32_t)i;
    }
    for (size_t t = 0; t < d->n_tasks; t++) {
        panel_task *task = &d->task[t];
        size_t n = task->n ? task->n : 1, k = task->k ? task->k : 1;
        task->votes = calloc(k * n, sizeof *task->votes);
        task->dist = malloc(k * n * sizeof *task->dist);
        task->total = malloc(n * sizeof *task->total);
        task->entropy = malloc(n * sizeof *task->entropy);
        task->top_share = malloc(n * sizeof *task->top_share);
        task->top_label = malloc(n * sizeof *task->top_label);
        task->top_ties = malloc(n * sizeof *task->top_ties);
        task->cls = malloc(n * sizeof *task->cls);
        if (!task->votes || !task->dist || !task->total || !task->entropy || !task->top_share ||
            !task->top_label || !task->top_ties || !task->cls)
            return -1;
    }
    return 0;
}

/* ---- per item: duplicates, gold, votes (in parallel over ranges of items) ------------------- */

typedef struct item_job {
    panel_data *d;
    size_t from, to;       /* positions in d->order */
    panel_errors errors;
    uint64_t *attempts, *passes; /* per reviewer, gold items */
    uint64_t *scratch;     /* reviewer << 32 | position, for large panels */
    size_t scratch_cap;
    int oom;
} item_job;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Drops the later records of a reviewer who annotated the item twice. */
static int drop_duplicates(item_job *job, const uint32_t *recs, size_t count)
{
    panel_ann *ann = job->d->ann;
    if (count <= 32) {
        for (size_t j = 1; j < count; j++)
            for (size_t i = 0; i < j; i++) {
                panel_ann *a = &ann[recs[i]], *b = &ann[recs[j]];
                if (!(a->flags & PA_DROPPED) && a->reviewer == b->reviewer) {
                    b->flags |= PA_DROPPED;
                    if (errors_add(&job->errors, PE_DUPLICATE, PIO_REVIEWER, b->offset, a->offset))
                        return -1;
                    break;
                }
            }
        return 0;
    }
    if (count > job->scratch_cap) {
        uint64_t *s = realloc(job->scratch, count * sizeof *s);
        if (!s)
            return -1;
        job->scratch = s;
        job->scratch_cap = count;
    }
    for (size_t j = 0; j < count; j++)
        job->scratch[j] = (uint64_t)ann[recs[j]].reviewer << 32 | j;
    qsort(job->scratch, count, sizeof *job->scratch, cmp_u64);
    for (size_t j = 1; j < count; j++) {
        uint64_t prev = job->scratch[j - 1], cur = job->scratch[j];
        if (prev >> 32 != cur >> 32)
            continue;
        /* sorted by position within a reviewer: the first of the run is kept */
        size_t first = j - 1;
        while (first > 0 && job->scratch[first - 1] >> 32 == cur >> 32)
            first--;
        panel_ann *keep = &ann[recs[(uint32_t)job->scratch[first]]];
        panel_ann *b = &ann[recs[(uint32_t)cur]];
        b->flags |= PA_DROPPED;
        if (errors_add(&job->errors, PE_DUPLICATE, PIO_REVIEWER, b->offset, keep->offset))
            return -1;
    }
    return 0;
}

static int process_item(item_job *job, uint32_t g)
{
    panel_data *d = job->d;
    panel_item *it = &d->item[g];
    panel_task *task = &d->task[it->task];
    const uint32_t *recs = d->perm + it->first;
    if (drop_duplicates(job, recs, it->count))
        return -1;
    const panel_ann *gold_from = NULL;
    for (size_t j = 0; j < it->count; j++) {
        panel_ann *a = &d->ann[recs[j]];
        if (a->flags & PA_DROPPED)
            continue;
        if (a->gold) {
            int32_t gold = d->label_index[a->gold - 1];
            if (!gold_from) {
                gold_from = a;
                it->gold = gold;
            } else if (gold != it->gold &&
                       errors_add(&job->errors, PE_GOLD_CONFLICT, PIO_GOLD, a->offset,
                                  gold_from->offset)) {
                return -1;
            }
        }
        if (a->flags & PA_ERROR) {
            it->error_marks++;
            continue;
        }
        task->votes[(size_t)d->label_index[a->label] * task->n + it->row] += 1.0;
        if (!isnan(a->confidence)) {
            it->with_conf++;
            it->conf_sum += a->confidence;
        }
    }
    if (it->gold < 0)
        return 0;
    for (size_t j = 0; j < it->count; j++) {
        const panel_ann *a = &d->ann[recs[j]];
        if (a->flags & PA_DROPPED)
            continue;
        job->attempts[a->reviewer]++;
        job->passes[a->reviewer] += d->label_index[a->label] == it->gold;
    }
    return 0;
}

static void *process_items(void *arg)
{
    item_job *job = arg;
    size_t reviewers = job->d->reviewers.count ? job->d->reviewers.count : 1;
    job->attempts = calloc(reviewers, sizeof *job->attempts);
    job->passes = calloc(reviewers, sizeof *job->passes);
    if (!job->attempts || !job->passes) {
        job->oom = 1;
        return NULL;
    }
    for (size_t i = job->from; i < job->to && !job->oom; i++)
        if (process_item(job, job->d->order[i]))
            job->oom = 1;
    return NULL;
}

/* Splits the items into ranges of about equal record counts, one per thread. */
static int process_all_items(panel_data *d, size_t threads)
{
    item_job *jobs = calloc(threads, sizeof *jobs);
    if (!jobs)
        return -1;
    size_t pos = 0, done = 0;
    for (size_t t = 0; t < threads; t++) {
        jobs[t].d = d;
        jobs[t].from = pos;
        size_t goal = d->n_ann / threads * (t + 1);
        while (pos < d->n_items && (t + 1 == threads || done < goal))
            done += d->item[d->order[pos++]].count;
        jobs[t].to = pos;
    }
    run_parallel(threads, process_items, jobs, sizeof *jobs);
    int rc = 0;
    size_t reviewers = d->reviewers.count;
    d->gold_attempts = calloc(reviewers ? reviewers : 1, sizeof *d->gold_attempts);
    d->gold_passes = calloc(reviewers ? reviewers : 1, sizeof *d->gold_passes);
    if (!d->gold_attempts || !d->gold_passes)
        rc = -1;
    for (size_t t = 0; t < threads; t++) {
        item_job *job = &jobs[t];
        if (job->oom)
            rc = -1;
        for (size_t r = 0; rc == 0 && r < reviewers; r++) {
            d->gold_attempts[r] += job->attempts[r];
            d->gold_passes[r] += job->passes[r];
        }
        for (size_t i = 0; rc == 0 && i < job->errors.n; i++) {
            panel_error *e = &job->errors.e[i];
            rc = errors_add(&d->errors, e->code, e->field, e->offset, e->aux);
        }
        free(job->attempts);
        free(job->passes);
        free(job->scratch);
        free(job->errors.e);
    }
    for (size_t g = 0; g < d->n_items; g++)
        d->any_gold |= d->item[d->order[g]].gold >= 0;
    free(jobs);
    return rc;
}

/* ---- the library's kernels per task ------------------------------------------------------------ */

static int compute_tasks(panel_data *d, const panel_options *opt, char *err, size_t errlen)
{
    sl_alpha_nominal_init(&d->alpha);
    for (size_t t = 0; t < d->n_tasks; t++) {
        panel_task *task = &d->task[t];
        if (task->n == 0)
            continue;
        sl_panel_stats_out out = {task->dist, task->n, task->total, task->entropy,
                                  task->top_share, task->top_label, task->top_ties};
        int32_t *reviewers = malloc(task->n * sizeof *reviewers);
        if (!reviewers)
            return 71;
        sl_status st = sl_panel_stats_f64(task->votes, task->n, task->n, task->k, &out, NULL);
        for (size_t i = 0; st == SL_OK && i < task->n; i++)
            reviewers[i] = (int32_t)task->total[i];
        if (st == SL_OK)
            st = sl_panel_classify(&opt->rules, task->n, reviewers, task->top_share,
                                   task->top_ties, task->cls);
        if (st == SL_OK)
            st = sl_alpha_nominal_add(&d->alpha, task->votes, task->n, task->n, task->k,
                                      task->total);
        free(reviewers);
        if (st != SL_OK) {
            snprintf(err, errlen, "task '%s': %s", task->name, sl_status_str(st));
            return st == SL_ERR_ISA_UNKNOWN || st == SL_ERR_ISA_UNSUPPORTED ? 78 : 70;
        }
    }
    return 0;
}

int panel_build(panel_data *d, const panel_options *opt, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    if (opt->rubric_path) {
        if (sl_rubric_load(opt->rubric_path, &d->rubric, err, errlen))
            return 65;
        d->have_rubric = 1;
    }
    int code;
    if (pio_open(&d->file, opt->in, err, errlen, &code))
        return code;
    if (parse_all(d, opt->threads) || merge_parts(d) || build_label_sets(d, opt) ||
        check_records(d) || group_items(d) || process_all_items(d, opt->threads)) {
        snprintf(err, errlen, "out of memory");
        return 71;
    }
    return compute_tasks(d, opt, err, errlen);
}

void panel_free(panel_data *d)
{
    for (size_t i = 0; i < d->n_parts; i++)
        part_free(&d->parts[i]);
    free(d->parts);
    for (size_t t = 0; t < d->n_tasks; t++) {
        panel_task *task = &d->task[t];
        if (!d->have_rubric || !rubric_task(&d->rubric, task->name))
            free(task->labels);
        free(task->label_len);
        free(task->votes);
        free(task->dist);
        free(task->total);
        free(task->entropy);
        free(task->top_share);
        free(task->top_label);
        free(task->top_ties);
        free(task->cls);
    }
    free(d->task);
    sl_intern_free(&d->items);
    sl_intern_free(&d->reviewers);
    sl_intern_free(&d->tasks);
    sl_intern_free(&d->labels);
    free(d->label_task);
    free(d->label_index);
    free(d->item_task);
    free(d->item_first);
    free(d->ann);
    free(d->perm);
    free(d->item);
    free(d->order);
    free(d->errors.e);
    free(d->gold_attempts);
    free(d->gold_passes);
    sl_rubric_free(&d->rubric);
    pio_close(&d->file);
    memset(d, 0, sizeof *d);
}

const char *panel_evidence(const panel_data *d, const panel_ann *a, size_t *len, int *csvq)
{
    if (!(a->flags & PA_EVIDENCE))
        return NULL;
    *len = a->ev_len;
    *csvq = (a->flags & PA_EV_CSVQ) != 0;
    if (d->file.format == PIO_CSV)
        return d->file.data + a->ev_off;
    return d->parts[a->part].evidence.p + a->ev_off;
}

/* ---- error messages ---------------------------------------------------------------------------- */

static int cmp_errors(const void *a, const void *b)
{
    const panel_error *x = a, *y = b;
    if (x->offset != y->offset)
        return (x->offset > y->offset) - (x->offset < y->offset);
    return (x->code > y->code) - (x->code < y->code);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static size_t line_of(const size_t *off, const size_t *lines, size_t n, size_t offset)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (off[mid] < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n ? lines[lo] : 0;
}

/* The value of one field of the record at offset, quoted and shortened for a message. */
static void field_value(const panel_data *d, size_t offset, uint32_t field, char *out, size_t cap)
{
    pio_reader r;
    pio_record rec;
    pio_reader_init(&r, &d->file, offset, d->file.size);
    snprintf(out, cap, "(none)");
    if (pio_next(&r, &rec) > 0 && field < PIO_NFIELDS) {
        const pio_value *v = &rec.f[field];
        if (v->kind == PV_BOOL)
            snprintf(out, cap, "%s", v->num ? "true" : "false");
        else if (v->kind == PV_STR || v->kind == PV_CSVQ || v->kind == PV_NUM) {
            size_t o = 0;
            out[o++] = '\'';
            for (size_t i = 0; i < v->len && o + 8 < cap; i++) {
                unsigned char c = (unsigned char)v->s[i];
                if (c == '\n' || c == '\r' || c == '\t' || c < 0x20)
                    o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
                else
                    out[o++] = (char)c;
            }
            if (o + 8 >= cap)
                o += (size_t)snprintf(out + o, cap - o, "...");
            out[o++] = '\'';
            out[o] = '\0';
        }
    }
    pio_reader_free(&r);
}

/* "mild, moderate, severe" */
static void label_list(const panel_task *task, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t l = 0; l < task->k && o + 1 < cap; l++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", l ? ", " : "", task->labels[l]);
}

static void print_error(const panel_data *d, const panel_error *e, size_t line, size_t aux_line)
{
    const char *path = d->file.path;
    char value[160], aux_value[160], labels[512];
    const char *col = e->field < PIO_NFIELDS ? pio_field_names[e->field] : "";
    field_value(d, e->offset, e->field, value, sizeof value);
    if (e->code == PE_RECORD) {
        pio_reader r;
        pio_record rec;
        pio_reader_init(&r, &d->file, e->offset, d->file.size);
        pio_next(&r, &rec);
        fprintf(stderr, "%s:%zu: malformed record, skipped: %s\n", path, line, r.message);
        pio_reader_free(&r);
        return;
    }
    /* the task of the record, for label messages */
    const panel_task *task = NULL;
    char task_name[160];
    field_value(d, e->offset, PIO_TASK, task_name, sizeof task_name);
    for (size_t t = 0; t < d->n_tasks; t++) {
        char quoted[160];
        snprintf(quoted, sizeof quoted, "'%s'", d->task[t].name);
        if (strcmp(quoted, task_name) == 0)
            task = &d->task[t];
    }
    labels[0] = '\0';
    if (task)
        label_list(task, labels, sizeof labels);
    fprintf(stderr, "%s:%zu: column '%s': ", path, line, col);
    switch ((panel_error_code)e->code) {
    case PE_MISSING:
        fprintf(stderr, "missing value (required); record skipped\n");
        break;
    case PE_NOT_TEXT:
        fprintf(stderr, "value %s is not an id (expected a string); record skipped\n", value);
        break;
    case PE_CONFIDENCE:
        fprintf(stderr, "value %s is not a number in [0, 1]; record skipped\n", value);
        break;
    case PE_ERROR_FLAG:
        fprintf(stderr, "value %s is not 0, 1, true or false; record skipped\n", value);
        break;
    case PE_UNKNOWN_TASK:
        fprintf(stderr, "value %s is not a task of the rubric; record skipped\n", value);
        break;
    case PE_UNKNOWN_LABEL:
        fprintf(stderr, "value %s is not a label of task %s (rubric labels: %s); record skipped\n",
                value, task_name, labels);
        break;
    case PE_UNKNOWN_GOLD:
        fprintf(stderr, "value %s is not a label of task %s (labels: %s); gold answer ignored\n",
                value, task_name, labels);
        break;
    case PE_TASK_CONFLICT:
        field_value(d, e->aux, PIO_TASK, aux_value, sizeof aux_value);
        fprintf(stderr, "value %s, but this item has task %s (line %zu); record skipped\n", value,
                aux_value, aux_line);
        break;
    case PE_DUPLICATE:
        field_value(d, e->offset, PIO_ITEM, aux_value, sizeof aux_value);
        fprintf(stderr,
                "value %s: duplicate (item, reviewer): item %s was already annotated by this "
                "reviewer (line %zu); duplicate skipped\n",
                value, aux_value, aux_line);
        break;
    case PE_GOLD_CONFLICT:
        field_value(d, e->aux, PIO_GOLD, aux_value, sizeof aux_value);
        fprintf(stderr, "value %s, but this item's gold answer is %s (line %zu); ignored\n", value,
                aux_value, aux_line);
        break;
    default:
        fprintf(stderr, "value %s: invalid\n", value);
    }
}

void panel_report_errors(panel_data *d, size_t limit)
{
    panel_errors *l = &d->errors;
    if (l->n == 0)
        return;
    qsort(l->e, l->n, sizeof *l->e, cmp_errors);
    size_t shown = l->n < limit ? l->n : limit;
    size_t *off = malloc(2 * shown * sizeof *off), *lines = malloc(2 * shown * sizeof *lines);
    if (!off || !lines) {
        fprintf(stderr, "softlabel panel: %zu input errors (out of memory for details)\n", l->n);
        free(off);
        free(lines);
        return;
    }
    size_t m = 0;
    for (size_t i = 0; i < shown; i++) {
        off[m++] = l->e[i].offset;
        if (l->e[i].code >= PE_TASK_CONFLICT)
            off[m++] = l->e[i].aux;
    }
    qsort(off, m, sizeof *off, cmp_size);
    pio_lines(&d->file, off, m, lines);
    for (size_t i = 0; i < shown; i++)
        print_error(d, &l->e[i], line_of(off, lines, m, l->e[i].offset),
                    l->e[i].code >= PE_TASK_CONFLICT ? line_of(off, lines, m, l->e[i].aux) : 0);
    if (shown < l->n) {
        static const char *const kinds[PE_KINDS] = {
            "malformed records", "missing values", "ids that are not text",
            "bad confidences", "bad error marks", "unknown tasks", "unknown labels",
            "unknown gold answers", "task conflicts", "duplicate (item, reviewer)",
            "conflicting gold answers"};
        size_t count[PE_KINDS] = {0};
        for (size_t i = 0; i < l->n; i++)
            count[l->e[i].code]++;
        fprintf(stderr, "... %zu more input errors not shown (--max-errors); in all:", l->n - shown);
        for (int k = 0; k < PE_KINDS; k++)
            if (count[k])
                fprintf(stderr, " %zu %s;", count[k], kinds[k]);
        fprintf(stderr, "\n");
    }
    free(off);
    free(lines);
}
