/* The aggregation behind `softlabel panel`: see panel_build.h. */
#include "panel_build.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* Appends the errors of `from` to `into`. */
static int errors_append(panel_errors *into, const panel_errors *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const panel_error *e = &from->e[i];
        if (errors_add(into, e->code, e->field, e->offset, e->aux))
            return -1;
    }
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

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The number of partitions for an input of `size` bytes: a power of two with some 2 MiB of input
 * each, so that a partition's item table (a few thousand items at typical record sizes) stays in
 * a core's cache while it is grouped; at least 16 and 4 per thread, so that the work spreads
 * evenly over the threads. */
static size_t choose_parts(size_t size, size_t threads)
{
    size_t n = 16;
    while (n < 4096 && (n * ((size_t)2 << 20) < size || n < 4 * threads))
        n *= 2;
    return n;
}

/* The partition of an item id's hash: bits 40 and up (a table's slot comes from the low bits). */
static size_t part_of(uint64_t hash, size_t n_parts)
{
    return (size_t)(hash >> 40) & (n_parts - 1);
}

/* ---- phase 1: parsing one chunk ------------------------------------------------------------ */

typedef struct parse_job {
    panel_data *d;
    size_t chunk;
} parse_job;

/* s[0..len) as a plain decimal (digits with at most one '.', 1 to 19 digits, nothing else) whose
 * digits fit 53 bits and whose fraction has at most 22 digits: then it is M / 10^k with M and
 * 10^k exact doubles, and one IEEE division gives the correctly rounded value, the same double as
 * strtod. Returns 0 and *out, or -1 when the text is not of this form (strtod decides then). */
static int parse_plain_decimal(const char *s, size_t len, double *out)
{
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m = 0;
    size_t digits = 0, frac = 0;
    int dot = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = (unsigned char)s[i];
        if (c == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (c - '0' > 9 || ++digits > 19)
            return -1;
        m = m * 10 + (c - '0');
        frac += (size_t)dot;
    }
    if (digits == 0 || m > (UINT64_C(1) << 53) || frac > 22)
        return -1;
    *out = (double)m / pow10[frac];
    return 0;
}

/* A confidence value: 0 and *out (NaN when not given), or -1 when it is not a number in [0, 1]. */
static int read_confidence(const pio_value *v, double *out)
{
    *out = NAN;
    if (v->kind == PV_ABSENT || v->kind == PV_NULL)
        return 0;
    if (v->kind == PV_NUM) {
        *out = v->num;
    } else if (v->kind == PV_STR) {
        if (parse_plain_decimal(v->s, v->len, out)) {
            char tmp[64], *end;
            if (v->len == 0 || v->len >= sizeof tmp)
                return -1;
            memcpy(tmp, v->s, v->len);
            tmp[v->len] = '\0';
            *out = strtod(tmp, &end);
            if (*end)
                return -1;
        }
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

/* ---- a cache in front of a chunk's small tables ---------------------------------------------- */

/* Every record looks up its task, label and reviewer in its chunk's small tables, which see the
 * same few strings again and again. A direct-mapped cache answers most lookups without a call or
 * a byte compare: a string of at most 16 bytes is known exactly by its length and two words read
 * from its start and its end (overlapping when it is shorter than 16). A miss asks the table and
 * fills the slot. */
enum { MEMO_TASK = 1, MEMO_LABEL, MEMO_REVIEWER };
#define MEMO_BITS 12

typedef struct memo_slot {
    uint64_t a, b;
    uint64_t tag; /* 0: empty; else length + 1, the table (MEMO_*) and, for labels, the task */
    uint64_t id;
} memo_slot;

static uint64_t load64(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static uint64_t load32(const char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

/* s[0..len) as two words that determine it, with its length (len <= 16). */
static void short_words(const char *s, size_t len, uint64_t *a, uint64_t *b)
{
    if (len >= 8) {
        *a = load64(s);
        *b = load64(s + len - 8);
    } else if (len >= 4) {
        *a = load32(s);
        *b = load32(s + len - 4);
    } else {
        *a = len ? (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[len / 2] << 8 |
                       (uint64_t)(unsigned char)s[len - 1] << 16
                 : 0;
        *b = 0;
    }
}

/* The id of s in table t (kind MEMO_*; for labels, t holds the (task, label) keys), through the
 * cache; -1 when memory runs out. */
static int64_t memo_intern(memo_slot *memo, int kind, uint32_t task, sl_intern *t, sl_jbuf *tmp,
                           const char *s, size_t len)
{
    uint64_t a = 0, b = 0, tag = 0;
    memo_slot *m = NULL;
    if (len <= 16) {
        short_words(s, len, &a, &b);
        tag = (uint64_t)(len + 1) | (uint64_t)kind << 8 | (uint64_t)task << 16;
        uint64_t h = a * 0x9e3779b97f4a7c15ull + b * 0xbf58476d1ce4e5b9ull +
                     tag * 0x94d049bb133111ebull;
        m = &memo[h >> (64 - MEMO_BITS)];
        if (m->tag == tag && m->a == a && m->b == b)
            return (int64_t)m->id;
    }
    int64_t id = kind == MEMO_LABEL ? label_key(t, tmp, task, s, len)
                                    : sl_intern_add(t, s, len, NULL);
    if (m && id >= 0)
        *m = (memo_slot){a, b, tag, (uint64_t)id};
    return id;
}

/* Appends a record to a stream with its gold key + 1, item id and evidence (see panel_stream). */
static int stream_add(panel_stream *s, const panel_rec *r, uint32_t gold, const pio_value *id,
                      const pio_value *ev, size_t first_cap)
{
    uint32_t head[3] = {gold, (uint32_t)id->len, (uint32_t)ev->len};
    size_t used = sizeof *r + sizeof head + id->len + ev->len, need = pad8(used);
    if (s->cap - s->len < need) {
        size_t cap = s->cap ? s->cap * 2 : first_cap;
        while (cap - s->len < need)
            cap *= 2;
        unsigned char *p = realloc(s->p, cap);
        if (!p)
            return -1;
        s->p = p;
        s->cap = cap;
    }
    unsigned char *at = s->p + s->len;
    memcpy(at, r, sizeof *r);
    memcpy(at + sizeof *r, head, sizeof head);
    memcpy(at + sizeof *r + sizeof head, id->s, id->len);
    if (ev->len)
        memcpy(at + sizeof *r + sizeof head + id->len, ev->s, ev->len);
    memset(at + used, 0, need - used);
    s->len += need;
    s->n++;
    return 0;
}

/* Validates one record, interns its small strings and appends it to the stream of its item's
 * partition. Returns 0, or -1 when memory ran out. */
static int accept_record(panel_data *d, panel_chunk *c, const pio_record *rec, sl_jbuf *tmp,
                         memo_slot *memo)
{
    for (int i = PIO_ITEM; i <= PIO_LABEL; i++) {
        if (is_blank(&rec->f[i]))
            return errors_add(&c->errors, PE_MISSING, (uint32_t)i, rec->offset, 0);
        if (rec->f[i].kind == PV_BOOL)
            return errors_add(&c->errors, PE_NOT_TEXT, (uint32_t)i, rec->offset, 0);
    }
    panel_rec a;
    a.where = rec->offset;
    if (read_confidence(&rec->f[PIO_CONFIDENCE], &a.confidence))
        return errors_add(&c->errors, PE_CONFIDENCE, PIO_CONFIDENCE, rec->offset, 0);
    int mark = read_error_flag(&rec->f[PIO_ERROR]);
    if (mark < 0)
        return errors_add(&c->errors, PE_ERROR_FLAG, PIO_ERROR, rec->offset, 0);
    if (rec->f[PIO_GOLD].kind == PV_BOOL)
        return errors_add(&c->errors, PE_NOT_TEXT, PIO_GOLD, rec->offset, 0);

    const pio_value *v = rec->f;
    int64_t task = memo_intern(memo, MEMO_TASK, 0, &c->tasks, tmp, v[PIO_TASK].s, v[PIO_TASK].len);
    int64_t label = task < 0 ? -1 : memo_intern(memo, MEMO_LABEL, (uint32_t)task, &c->labels, tmp,
                                                v[PIO_LABEL].s, v[PIO_LABEL].len);
    int64_t gold = 0;
    if (label >= 0 && !is_blank(&v[PIO_GOLD]))
        gold = memo_intern(memo, MEMO_LABEL, (uint32_t)task, &c->labels, tmp, v[PIO_GOLD].s,
                           v[PIO_GOLD].len) + 1;
    int64_t reviewer = memo_intern(memo, MEMO_REVIEWER, 0, &c->reviewers, tmp, v[PIO_REVIEWER].s,
                                   v[PIO_REVIEWER].len);
    if (label < 0 || gold < 0 || reviewer < 0 || v[PIO_ITEM].len > UINT32_MAX)
        return -1;
    a.reviewer = (uint32_t)reviewer;
    a.label = (uint32_t)label;
    unsigned flags = mark ? PA_ERROR : 0;
    pio_value ev = v[PIO_EVIDENCE];
    if (!is_blank(&ev) && ev.kind != PV_NUM && ev.kind != PV_BOOL) {
        if (ev.len > UINT32_MAX)
            return -1;
        flags |= PA_EVIDENCE | (ev.kind == PV_CSVQ ? PA_EV_CSVQ : 0);
    } else {
        ev.len = 0;
    }
    panel_rec_set_flags(&a, flags);
    uint64_t h = sl_hash_bytes(v[PIO_ITEM].s, v[PIO_ITEM].len);
    /* a stream's first size: its share of the chunk's bytes (a stream record takes about as
     * much room as a CSV record), so that most streams are allocated once */
    size_t first_cap = (c->end - c->start) / d->n_parts + 4096;
    return stream_add(&c->streams[part_of(h, d->n_parts)], &a, (uint32_t)gold, &v[PIO_ITEM], &ev,
                      first_cap);
}

#define PARSE_AHEAD 1024

static void *parse_chunk(void *arg)
{
    parse_job *job = arg;
    panel_data *d = job->d;
    panel_chunk *c = &d->chunks[job->chunk];
    pio_reader r;
    pio_record rec;
    sl_jbuf tmp = {0};
    memo_slot *memo = calloc((size_t)1 << MEMO_BITS, sizeof *memo);
    if (!memo) {
        c->oom = 1;
        return NULL;
    }
    pio_reader_init(&r, &d->file, c->start, c->end);
    size_t released = c->start; /* the input before this is given back (see pio_release) */
    for (;;) {
        /* the input a little ahead: the first read of a mapped page would wait for memory */
        if (r.pos + PARSE_AHEAD < c->end)
            panel_prefetch(d->file.data + r.pos + PARSE_AHEAD);
        int got = pio_next(&r, &rec);
        if (got == 0)
            break;
        if (r.pos - released >= PIO_RELEASE_STEP) {
            pio_release(&d->file, released, rec.offset);
            released = rec.offset;
        }
        int rc = got > 0 ? accept_record(d, c, &rec, &tmp, memo)
                         : errors_add(&c->errors, PE_RECORD, UINT32_MAX, rec.offset, 0);
        if (rc) {
            c->oom = 1;
            break;
        }
    }
    c->final_pos = r.pos;
    pio_reader_free(&r);
    sl_jbuf_free(&tmp);
    free(memo);
    return NULL;
}

static void chunk_free(panel_chunk *c, size_t n_parts)
{
    sl_intern_free(&c->reviewers);
    sl_intern_free(&c->tasks);
    sl_intern_free(&c->labels);
    free(c->reviewer_map);
    free(c->label_map);
    for (size_t p = 0; c->streams && p < n_parts; p++)
        free(c->streams[p].p);
    free(c->streams);
    free(c->errors.e);
    memset(c, 0, sizeof *c);
}

/* Parses the input on n threads; when a chunk did not end exactly where the next one starts (a
 * quote out of place made the quote-parity split wrong), parses it again on one thread, so the
 * result never depends on the number of threads. */
static int parse_all(panel_data *d, size_t threads)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t n = attempt == 0 ? threads : 1;
        size_t *starts = calloc(n + 1, sizeof *starts);
        d->chunks = calloc(n, sizeof *d->chunks);
        parse_job *jobs = calloc(n, sizeof *jobs);
        if (!starts || !d->chunks || !jobs)
            return -1;
        d->n_chunks = n;
        pio_split(&d->file, n, starts);
        for (size_t i = 0; i < n; i++) {
            d->chunks[i].start = starts[i];
            d->chunks[i].end = starts[i + 1];
            d->chunks[i].streams = calloc(d->n_parts, sizeof *d->chunks[i].streams);
            if (!d->chunks[i].streams)
                return -1;
            jobs[i] = (parse_job){d, i};
        }
        run_parallel(n, parse_chunk, jobs, sizeof *jobs);
        int consistent = 1;
        for (size_t i = 0; i < n; i++) {
            if (d->chunks[i].oom)
                return -1;
            if (i + 1 < n && d->chunks[i].final_pos != starts[i + 1])
                consistent = 0;
        }
        free(starts);
        free(jobs);
        if (consistent)
            return 0;
        for (size_t i = 0; i < n; i++)
            chunk_free(&d->chunks[i], d->n_parts);
        free(d->chunks);
        d->chunks = NULL;
    }
    return 0;
}

/* ---- the chunks' small tables, merged --------------------------------------------------------- */

/* Maps every string of a chunk's table to the merged table's id. */
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

/* Tasks, reviewers and labels of every chunk, in chunk order (so ids follow first appearance in
 * the input); each chunk keeps the map of its local ids. */
static int merge_tables(panel_data *d)
{
    sl_jbuf tmp = {0};
    int rc = 0;
    for (size_t ci = 0; ci < d->n_chunks && rc == 0; ci++) {
        panel_chunk *c = &d->chunks[ci];
        uint32_t *tasks = merge_table(&d->tasks, &c->tasks);
        c->reviewer_map = merge_table(&d->reviewers, &c->reviewers);
        c->label_map = malloc((c->labels.count ? c->labels.count : 1) * sizeof *c->label_map);
        if (!tasks || !c->reviewer_map || !c->label_map)
            rc = -1;
        for (size_t i = 0; rc == 0 && i < c->labels.count; i++) {
            uint32_t local_task;
            memcpy(&local_task, c->labels.str[i], sizeof local_task);
            int64_t id = label_key(&d->labels, &tmp, tasks[local_task],
                                   c->labels.str[i] + sizeof local_task,
                                   c->labels.len[i] - sizeof local_task);
            if (id < 0)
                rc = -1;
            else
                c->label_map[i] = (uint32_t)id;
        }
        free(tasks);
        rc = rc ? rc : errors_append(&d->errors, &c->errors);
    }
    sl_jbuf_free(&tmp);
    return rc;
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
    d->task_known = calloc(d->n_tasks ? d->n_tasks : 1, sizeof *d->task_known);
    d->label_task = malloc((n_keys ? n_keys : 1) * sizeof *d->label_task);
    d->label_index = malloc((n_keys ? n_keys : 1) * sizeof *d->label_index);
    uint32_t *sorted = malloc((n_keys ? n_keys : 1) * sizeof *sorted);
    if (!d->task || !d->task_known || !d->label_task || !d->label_index || !sorted)
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
    for (size_t t = 0; t < d->n_tasks; t++)
        d->task_known[t] = !d->have_rubric || rubric_task(&d->rubric, d->task[t].name) != NULL;
    free(next);
    free(sorted);
    return 0;
}

/* ---- phase 2: grouping one partition ---------------------------------------------------------- */

typedef struct group_worker {
    panel_data *d;
    atomic_size_t *next_part;
    uint64_t *attempts, *passes; /* per reviewer, over gold items */
    uint64_t *scratch;           /* reviewer << 32 | position, for large panels */
    size_t scratch_cap;
    /* a partition's records in input order, kept from one partition to the next */
    panel_rec *recs;
    uint32_t *gold, *item, *at, *grouped_gold;
    /* each record's entry in its stream when it has evidence to keep, else NULL */
    const unsigned char **ev_src, **grouped_ev_src;
    size_t recs_cap, items_cap;
    size_t counted;              /* records kept after the duplicates */
    int oom;
} group_worker;

/* Makes room in the worker's buffers for a partition of n records (the room is kept for the next
 * partitions: one allocation per worker rather than one per partition). */
static int worker_reserve_records(group_worker *w, size_t n)
{
    if (n <= w->recs_cap)
        return 0;
    size_t cap = n + n / 2;
    /* each pointer is replaced only when its realloc succeeded (a failed one leaves the block) */
    panel_rec *recs = realloc(w->recs, cap * sizeof *recs);
    if (recs)
        w->recs = recs;
    uint32_t *gold = realloc(w->gold, cap * sizeof *gold);
    if (gold)
        w->gold = gold;
    uint32_t *item = realloc(w->item, cap * sizeof *item);
    if (item)
        w->item = item;
    uint32_t *grouped_gold = realloc(w->grouped_gold, cap * sizeof *grouped_gold);
    if (grouped_gold)
        w->grouped_gold = grouped_gold;
    const unsigned char **src = realloc(w->ev_src, cap * sizeof *src);
    if (src)
        w->ev_src = src;
    const unsigned char **grouped_src = realloc(w->grouped_ev_src, cap * sizeof *grouped_src);
    if (grouped_src)
        w->grouped_ev_src = grouped_src;
    if (!recs || !gold || !item || !grouped_gold || !src || !grouped_src)
        return -1;
    w->recs_cap = cap;
    return 0;
}

/* As worker_reserve_records, for m items. */
static int worker_reserve_items(group_worker *w, size_t m)
{
    if (m <= w->items_cap)
        return 0;
    size_t cap = m + m / 2;
    uint32_t *at = realloc(w->at, cap * sizeof *at);
    if (!at)
        return -1;
    w->at = at;
    w->items_cap = cap;
    return 0;
}

static int part_reserve_item(panel_part *part, size_t id)
{
    if (id < part->cap)
        return 0;
    size_t cap = part->cap ? part->cap * 2 : 1024;
    uint64_t *first = realloc(part->first, cap * sizeof *first);
    if (!first)
        return -1;
    part->first = first;
    uint32_t *task = realloc(part->task_of, cap * sizeof *task);
    if (!task)
        return -1;
    part->task_of = task;
    part->cap = cap;
    return 0;
}

/* Unknown tasks and labels, a task that changes within an item, unknown gold answers: the record
 * is marked PA_DROPPED, or (unknown gold) its gold answer cleared. */
static int check_record(const panel_data *d, panel_part *part, panel_rec *r, uint32_t *gold,
                        uint32_t item)
{
    uint32_t t = d->label_task[r->label];
    uint64_t offset = panel_rec_offset(r);
    if (!d->task_known[t]) {
        panel_rec_set_flags(r, PA_DROPPED);
        return errors_add(&part->errors, PE_UNKNOWN_TASK, PIO_TASK, offset, 0);
    }
    if (d->label_index[r->label] < 0) {
        panel_rec_set_flags(r, PA_DROPPED);
        return errors_add(&part->errors, PE_UNKNOWN_LABEL, PIO_LABEL, offset, 0);
    }
    if (part->task_of[item] != t) {
        panel_rec_set_flags(r, PA_DROPPED);
        return errors_add(&part->errors, PE_TASK_CONFLICT, PIO_TASK, offset, part->first[item]);
    }
    if (*gold && d->label_index[*gold - 1] < 0) {
        *gold = 0; /* the vote stands; the gold answer is ignored */
        return errors_add(&part->errors, PE_UNKNOWN_GOLD, PIO_GOLD, offset, 0);
    }
    return 0;
}

/* Reads partition p's streams (chunk after chunk: input order) into the worker's arrays (merged
 * ids, checked), interning the item ids. */
static int intern_partition(group_worker *w, size_t p)
{
    panel_data *d = w->d;
    panel_part *part = &d->parts[p];
    panel_rec *recs = w->recs;
    uint32_t *gold = w->gold, *item = w->item;
    size_t k = 0;
    for (size_t ci = 0; ci < d->n_chunks; ci++) {
        panel_chunk *c = &d->chunks[ci];
        panel_stream *s = &c->streams[p];
        for (size_t pos = 0; pos < s->len; k++) {
            const unsigned char *entry = s->p + pos;
            panel_rec r;
            uint32_t head[3]; /* gold key + 1, id length, evidence length */
            memcpy(&r, entry, sizeof r);
            memcpy(head, entry + sizeof r, sizeof head);
            const char *id = (const char *)entry + sizeof r + sizeof head;
            pos += pad8(sizeof r + sizeof head + head[1] + head[2]);
            r.reviewer = c->reviewer_map[r.reviewer];
            r.label = c->label_map[r.label];
            gold[k] = head[0] ? c->label_map[head[0] - 1] + 1 : 0;
            int added;
            int64_t id_item = sl_intern_add(&part->items, id, head[1], &added);
            if (id_item < 0 || part_reserve_item(part, (size_t)id_item))
                return -1;
            if (added) {
                part->first[id_item] = panel_rec_offset(&r);
                part->task_of[id_item] = d->label_task[r.label];
            }
            item[k] = (uint32_t)id_item;
            if (check_record(d, part, &r, &gold[k], item[k]))
                return -1;
            recs[k] = r;
            w->ev_src[k] = panel_rec_flags(&r) & PA_EVIDENCE ? entry : NULL;
        }
    }
    return 0;
}

/* Copies the evidence of the kept records into the partition's buffer, in grouped order (an item's
 * evidence is then contiguous, as its records are), and points each record at it. */
static int place_evidence(group_worker *w, panel_part *part)
{
    size_t bytes = 0;
    for (size_t j = 0; j < part->n_rec; j++) {
        uint32_t head[3];
        if (!w->grouped_ev_src[j] || (panel_rec_flags(&part->rec[j]) & PA_DROPPED))
            continue;
        memcpy(head, w->grouped_ev_src[j] + sizeof(panel_rec), sizeof head);
        bytes += sizeof head[2] + head[2];
    }
    if (sl_jbuf_reserve(&part->evidence, bytes))
        return -1;
    for (size_t j = 0; j < part->n_rec; j++) {
        panel_rec *r = &part->rec[j];
        unsigned flags = panel_rec_flags(r);
        r->where = (uint64_t)part->evidence.len | (uint64_t)flags << PANEL_OFFSET_BITS;
        if (!w->grouped_ev_src[j] || (flags & PA_DROPPED))
            continue;
        const unsigned char *entry = w->grouped_ev_src[j];
        uint32_t head[3];
        memcpy(head, entry + sizeof *r, sizeof head);
        sl_jbuf_put(&part->evidence, (const char *)&head[2], sizeof head[2]);
        sl_jbuf_put(&part->evidence, (const char *)entry + sizeof *r + sizeof head + head[1],
                    head[2]);
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Drops the later records of a reviewer who annotated the item twice. */
static int drop_duplicates(group_worker *w, panel_errors *errors, panel_rec *recs, size_t count)
{
    if (count <= 32) {
        for (size_t j = 1; j < count; j++)
            for (size_t i = 0; i < j; i++) {
                panel_rec *a = &recs[i], *b = &recs[j];
                if (!(panel_rec_flags(a) & PA_DROPPED) && a->reviewer == b->reviewer) {
                    panel_rec_set_flags(b, PA_DROPPED);
                    if (errors_add(errors, PE_DUPLICATE, PIO_REVIEWER, panel_rec_offset(b),
                                   panel_rec_offset(a)))
                        return -1;
                    break;
                }
            }
        return 0;
    }
    if (count > w->scratch_cap) {
        uint64_t *s = realloc(w->scratch, count * sizeof *s);
        if (!s)
            return -1;
        w->scratch = s;
        w->scratch_cap = count;
    }
    for (size_t j = 0; j < count; j++)
        w->scratch[j] = (uint64_t)recs[j].reviewer << 32 | j;
    qsort(w->scratch, count, sizeof *w->scratch, cmp_u64);
    for (size_t j = 1; j < count; j++) {
        uint64_t prev = w->scratch[j - 1], cur = w->scratch[j];
        if (prev >> 32 != cur >> 32)
            continue;
        /* sorted by position within a reviewer: the first of the run is kept */
        size_t first = j - 1;
        while (first > 0 && w->scratch[first - 1] >> 32 == cur >> 32)
            first--;
        panel_rec *keep = &recs[(uint32_t)w->scratch[first]];
        panel_rec *b = &recs[(uint32_t)cur];
        panel_rec_set_flags(b, PA_DROPPED);
        if (errors_add(errors, PE_DUPLICATE, PIO_REVIEWER, panel_rec_offset(b),
                       panel_rec_offset(keep)))
            return -1;
    }
    return 0;
}

/* One item's duplicates, gold answer, error marks and confidences; its reviewers' gold passes. */
static int process_item(group_worker *w, panel_part *part, panel_item *it, panel_rec *recs,
                        const uint32_t *gold)
{
    const panel_data *d = w->d;
    if (drop_duplicates(w, &part->errors, recs, it->count))
        return -1;
    const panel_rec *gold_from = NULL;
    for (size_t j = 0; j < it->count; j++) {
        const panel_rec *a = &recs[j];
        unsigned flags = panel_rec_flags(a);
        if (flags & PA_DROPPED)
            continue;
        w->counted++;
        if (gold[j]) {
            int32_t g = d->label_index[gold[j] - 1];
            if (!gold_from) {
                gold_from = a;
                it->gold = g;
            } else if (g != it->gold &&
                       errors_add(&part->errors, PE_GOLD_CONFLICT, PIO_GOLD, panel_rec_offset(a),
                                  panel_rec_offset(gold_from))) {
                return -1;
            }
        }
        if (flags & PA_ERROR) {
            it->error_marks++;
            continue;
        }
        if (!isnan(a->confidence)) {
            it->with_conf++;
            it->conf_sum += a->confidence;
        }
    }
    if (it->gold < 0)
        return 0;
    for (size_t j = 0; j < it->count; j++) {
        const panel_rec *a = &recs[j];
        if (panel_rec_flags(a) & PA_DROPPED)
            continue;
        w->attempts[a->reviewer]++;
        w->passes[a->reviewer] += d->label_index[a->label] == it->gold;
    }
    return 0;
}

/* Groups the records that passed the checks by item (a stable counting sort: input order within
 * an item) into part->rec, then processes every item. */
static int group_partition(group_worker *w, panel_part *part, size_t n)
{
    size_t m = part->items.count;
    part->item = calloc(m ? m : 1, sizeof *part->item);
    if (!part->item || worker_reserve_items(w, m))
        return -1;
    const panel_rec *recs = w->recs;
    for (size_t k = 0; k < n; k++)
        if (!(panel_rec_flags(&recs[k]) & PA_DROPPED))
            part->item[w->item[k]].count++;
    size_t kept = 0;
    for (size_t i = 0; i < m; i++) {
        w->at[i] = (uint32_t)kept;
        kept += part->item[i].count;
    }
    part->rec = malloc((kept ? kept : 1) * sizeof *part->rec);
    if (!part->rec)
        return -1;
    for (size_t k = 0; k < n; k++) {
        if (panel_rec_flags(&recs[k]) & PA_DROPPED)
            continue;
        uint32_t j = w->at[w->item[k]]++;
        part->rec[j] = recs[k];
        w->grouped_gold[j] = w->gold[k];
        w->grouped_ev_src[j] = w->ev_src[k];
    }
    part->n_rec = kept;
    for (size_t i = 0, start = 0; i < m; i++) {
        panel_item *it = &part->item[i];
        it->id = part->items.str[i];
        it->id_len = part->items.len[i];
        it->rec = part->rec + start;
        it->task = part->task_of[i];
        it->part = (uint32_t)(part - w->d->parts);
        it->gold = -1;
        if (it->count && process_item(w, part, it, part->rec + start, w->grouped_gold + start))
            return -1;
        start += it->count;
    }
    sl_intern_keep_bytes_only(&part->items); /* the items point at their ids' bytes */
    /* the errors are known: from now on each record locates its evidence */
    return place_evidence(w, part);
}

static int process_partition(group_worker *w, size_t p)
{
    panel_data *d = w->d;
    size_t n = 0;
    for (size_t ci = 0; ci < d->n_chunks; ci++)
        n += d->chunks[ci].streams[p].n;
    int rc = worker_reserve_records(w, n);
    if (rc == 0)
        rc = intern_partition(w, p);
    if (rc == 0)
        rc = group_partition(w, &d->parts[p], n);
    free(d->parts[p].task_of);
    d->parts[p].task_of = NULL;
    for (size_t ci = 0; ci < d->n_chunks; ci++) {
        panel_stream *s = &d->chunks[ci].streams[p];
        free(s->p);
        memset(s, 0, sizeof *s);
    }
    return rc;
}

static void *group_parts(void *arg)
{
    group_worker *w = arg;
    size_t reviewers = w->d->reviewers.count ? w->d->reviewers.count : 1;
    w->attempts = calloc(reviewers, sizeof *w->attempts);
    w->passes = calloc(reviewers, sizeof *w->passes);
    if (!w->attempts || !w->passes) {
        w->oom = 1;
        return NULL;
    }
    for (;;) {
        size_t p = atomic_fetch_add(w->next_part, 1);
        if (p >= w->d->n_parts)
            break;
        if (process_partition(w, p)) {
            w->oom = 1;
            break;
        }
    }
    return NULL;
}

/* Groups every partition on `threads` threads (each takes the next partition when done), then
 * gathers the gold passes and the errors. */
static int group_all(panel_data *d, size_t threads)
{
    d->parts = calloc(d->n_parts, sizeof *d->parts);
    group_worker *workers = calloc(threads, sizeof *workers);
    atomic_size_t next_part = 0;
    size_t reviewers = d->reviewers.count;
    d->gold_attempts = calloc(reviewers ? reviewers : 1, sizeof *d->gold_attempts);
    d->gold_passes = calloc(reviewers ? reviewers : 1, sizeof *d->gold_passes);
    if (!d->parts || !workers || !d->gold_attempts || !d->gold_passes) {
        free(workers);
        return -1;
    }
    for (size_t t = 0; t < threads; t++)
        workers[t] = (group_worker){.d = d, .next_part = &next_part};
    run_parallel(threads, group_parts, workers, sizeof *workers);
    int rc = 0;
    for (size_t t = 0; t < threads; t++) {
        group_worker *w = &workers[t];
        if (w->oom)
            rc = -1;
        for (size_t r = 0; rc == 0 && r < reviewers; r++) {
            d->gold_attempts[r] += w->attempts[r];
            d->gold_passes[r] += w->passes[r];
        }
        d->n_counted += w->counted;
        free(w->attempts);
        free(w->passes);
        free(w->scratch);
        free(w->recs);
        free(w->gold);
        free(w->item);
        free(w->at);
        free(w->grouped_gold);
        free(w->ev_src);
        free(w->grouped_ev_src);
    }
    free(workers);
    for (size_t p = 0; rc == 0 && p < d->n_parts; p++)
        rc = errors_append(&d->errors, &d->parts[p].errors);
    return rc;
}

/* ---- the output order, the vote matrices ------------------------------------------------------ */

/* A partition's position in the merge: its next item with records. */
typedef struct merge_cursor {
    uint64_t first; /* that item's first offset */
    uint32_t part, item;
} merge_cursor;

/* Moves c to the next item of its partition with records; 0, or -1 when there is none. */
static int cursor_next(const panel_data *d, merge_cursor *c, size_t from)
{
    const panel_part *part = &d->parts[c->part];
    for (size_t i = from; i < part->items.count; i++)
        if (part->item[i].count) {
            c->item = (uint32_t)i;
            c->first = part->first[i];
            return 0;
        }
    return -1;
}

/* Restores the heap order (smallest first offset on top) below position i. */
static void sift_down(merge_cursor *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && h[l].first < h[m].first)
            m = l;
        if (l + 1 < n && h[l + 1].first < h[m].first)
            m = l + 1;
        if (m == i)
            return;
        merge_cursor t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The items in first-appearance order: within a partition they already are (its records were read
 * in input order), so the order is the merge of the partitions' lists by first offset. Each item
 * gets its row in its task's matrices. */
static int merge_order(panel_data *d)
{
    size_t total = 0;
    for (size_t p = 0; p < d->n_parts; p++)
        for (size_t i = 0; i < d->parts[p].items.count; i++)
            total += d->parts[p].item[i].count > 0;
    d->order = malloc((total ? total : 1) * sizeof *d->order);
    merge_cursor *heap = malloc(d->n_parts * sizeof *heap);
    if (!d->order || !heap) {
        free(heap);
        return -1;
    }
    size_t n = 0;
    for (size_t p = 0; p < d->n_parts; p++) {
        heap[n].part = (uint32_t)p;
        n += cursor_next(d, &heap[n], 0) == 0;
    }
    for (size_t i = n; i-- > 0;)
        sift_down(heap, n, i);
    while (n) {
        panel_item *it = &d->parts[heap[0].part].item[heap[0].item];
        it->row = (uint32_t)d->task[it->task].n++;
        d->order[d->n_items++] = it;
        if (cursor_next(d, &heap[0], heap[0].item + 1))
            heap[0] = heap[--n];
        sift_down(heap, n, 0);
    }
    free(heap);
    for (size_t p = 0; p < d->n_parts; p++) {
        free(d->parts[p].first);
        d->parts[p].first = NULL;
    }
    return 0;
}

static int alloc_tasks(panel_data *d)
{
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
    for (size_t i = 0; i < d->n_items; i++)
        d->any_gold |= d->order[i]->gold >= 0;
    return 0;
}

typedef struct votes_job {
    panel_data *d;
    size_t from, to; /* positions in d->order */
} votes_job;

/* Counts the votes (records kept and not marked as errors) of a range of items. */
static void *count_votes(void *arg)
{
    votes_job *job = arg;
    const panel_data *d = job->d;
    for (size_t i = job->from; i < job->to; i++) {
        const panel_item *it = d->order[i];
        panel_task *task = &d->task[it->task];
        for (size_t j = 0; j < it->count; j++) {
            const panel_rec *a = &it->rec[j];
            if (panel_rec_flags(a) & (PA_DROPPED | PA_ERROR))
                continue;
            task->votes[(size_t)d->label_index[a->label] * task->n + it->row] += 1.0;
        }
    }
    return NULL;
}

static int count_all_votes(panel_data *d, size_t threads)
{
    votes_job *jobs = calloc(threads, sizeof *jobs);
    if (!jobs)
        return -1;
    for (size_t t = 0; t < threads; t++)
        jobs[t] = (votes_job){d, d->n_items / threads * t,
                              t + 1 == threads ? d->n_items : d->n_items / threads * (t + 1)};
    run_parallel(threads, count_votes, jobs, sizeof *jobs);
    free(jobs);
    return 0;
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
    if (d->file.size >> PANEL_OFFSET_BITS) {
        snprintf(err, errlen, "%s: too large (offsets are kept in %d bits)", opt->in,
                 PANEL_OFFSET_BITS);
        return 65;
    }
    d->n_parts = choose_parts(d->file.size, opt->threads);
    if (parse_all(d, opt->threads) || merge_tables(d) || build_label_sets(d, opt) ||
        group_all(d, opt->threads) || merge_order(d) || alloc_tasks(d) ||
        count_all_votes(d, opt->threads)) {
        snprintf(err, errlen, "out of memory");
        return 71;
    }
    return compute_tasks(d, opt, err, errlen);
}

void panel_free(panel_data *d)
{
    for (size_t i = 0; i < d->n_chunks; i++)
        chunk_free(&d->chunks[i], d->n_parts);
    free(d->chunks);
    for (size_t p = 0; d->parts && p < d->n_parts; p++) {
        panel_part *part = &d->parts[p];
        sl_intern_free(&part->items);
        free(part->first);
        free(part->task_of);
        free(part->item);
        free(part->rec);
        sl_jbuf_free(&part->evidence);
        free(part->errors.e);
    }
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
    free(d->task_known);
    sl_intern_free(&d->reviewers);
    sl_intern_free(&d->tasks);
    sl_intern_free(&d->labels);
    free(d->label_task);
    free(d->label_index);
    free(d->order);
    free(d->errors.e);
    free(d->gold_attempts);
    free(d->gold_passes);
    sl_rubric_free(&d->rubric);
    pio_close(&d->file);
    memset(d, 0, sizeof *d);
}

const char *panel_evidence(const panel_data *d, const panel_item *it, const panel_rec *a,
                           size_t *len, int *csvq)
{
    unsigned flags = panel_rec_flags(a);
    if (!(flags & PA_EVIDENCE))
        return NULL;
    const char *at = d->parts[it->part].evidence.p + panel_rec_offset(a);
    uint32_t n;
    memcpy(&n, at, sizeof n);
    *len = n;
    *csvq = (flags & PA_EV_CSVQ) != 0;
    return at + sizeof n;
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
