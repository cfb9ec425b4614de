/*
 * Panel aggregation (include/softlabel_panel.h): annotations -> items, in two steps.
 *
 * Adding (one thread, the caller's): each annotation is checked field by field, its small strings
 * (task, label, reviewer) are interned through a direct-mapped cache, and it is appended, with
 * its item id and evidence, to one of P streams chosen by the hash of its item id. Nothing per
 * item is looked up while adding, so adding costs the same for any number of items.
 *
 * Finishing (on options.threads threads), partition by partition (each one's item table stays in
 * cache): first its item ids are interned in first-appearance order, each item's first record
 * marked in a bitmap over the records (an item's output position is the number of marks before
 * its own); then its records are grouped by item, task conflicts and duplicate (item, reviewer)
 * pairs refused, gold answers and error marks collected, its items written straight to their
 * output positions and its stream freed (the largest allocation goes back before the votes grow);
 * then the label sets (the rubric's, or the labels seen, sorted) and each item's non-zero label
 * counts. The per-item figures come
 * from the library's kernels (sl_panel_stats_f64 on blocks of the items' non-zero counts, so an
 * item costs its distinct labels, not its task's label count; skipped zero counts add exactly 0
 * to every sum, so the bits are those of the dense matrix) and sl_panel_classify; Krippendorff's
 * alpha is summed from the same non-zero counts in sl_alpha_nominal_add's order (label-major per
 * task), so it is the same bits as sl_alpha_nominal_add over the dense matrices.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "panel_intern.h"
#include "softlabel.h"

/* ---- internal types ---------------------------------------------------------------------------- */

/* An annotation in its partition's stream (40 bytes), followed by its item id's and evidence's
 * bytes, padded to 8. */
typedef struct stream_rec {
    uint64_t tag;
    double confidence;
    uint32_t seq;        /* its number among the accepted annotations (first appearance); from
                            sl_panel_finish's first pass on, its item's index in its partition */
    uint32_t reviewer;
    uint32_t label;      /* label key */
    uint32_t gold;       /* gold label key + 1; 0: none */
    uint32_t id_len;
    uint32_t ev;         /* the evidence's length (low EV_LEN_BITS bits), REC_* flags above */
} stream_rec;

#define EV_LEN_BITS 30
enum { REC_ERROR = 1u << 31, REC_DROPPED = 1u << 30 };

static size_t ev_len(const stream_rec *r)
{
    return r->ev & ((1u << EV_LEN_BITS) - 1);
}

/* A partition's records in blocks (appending never copies what is there already); a record
 * never spans two blocks. */
typedef struct stream_block {
    struct stream_block *next;
    size_t len, cap;
    int mapped;          /* from mmap (else malloc) */
    unsigned char data[];
} stream_block;

typedef struct stream {
    stream_block *head, *tail;
    size_t n;
    size_t ev_bytes;     /* the evidence's bytes, each with a NUL */
} stream;

/* A partition's first block is small (a small panel stays small), the next ones STREAM_BLOCK
 * bytes, mapped directly: the streams are a large panel's largest allocation, freed partition by
 * partition while sl_panel_finish allocates the votes, so their memory must go back to the system
 * at once (malloc keeps freed blocks of this size in its heap, which doubled the peak). */
#define STREAM_FIRST ((size_t)2 << 10)
#define STREAM_BLOCK ((size_t)128 << 10)

static stream_block *block_new(size_t cap)
{
    stream_block *b;
    int mapped = cap >= STREAM_BLOCK;
    if (mapped) {
        void *p = mmap(NULL, sizeof *b + cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        b = p == MAP_FAILED ? NULL : p;
    } else {
        b = malloc(sizeof *b + cap);
    }
    if (b)
        *b = (stream_block){NULL, 0, cap, mapped};
    return b;
}

static void stream_free(stream *s)
{
    for (stream_block *b = s->head, *next; b; b = next) {
        next = b->next;
        if (b->mapped)
            munmap(b, sizeof *b + b->cap);
        else
            free(b);
    }
    s->head = s->tail = NULL;
    s->n = 0;
}

/* The large arrays of a finished panel (items, votes, evidence) are mapped directly: zero-filled,
 * resident only where written (each partition's slice has room for all its records), and given
 * back whole when freed. (Transparent huge pages were tried: on this project's virtual machines
 * clearing them cost more than the page faults they save.) */
static void *big_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void big_free(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes ? bytes : 1);
}

typedef struct task_info {
    int rubric;          /* labels fixed by sl_panel_add_task */
    int adjudicate;      /* -1: the options' */
    size_t k;
    const char **labels; /* k names (the label keys' bytes after the task id) */
    size_t items;
    size_t first_rank;   /* position of its first label among every task's labels (alpha) */
} task_info;

/* One item (in pb->items, in output order). */
typedef struct pitem {
    const char *id;
    const sl_panel_vote *votes;
    sl_panel_label_votes *lv;
    const char *reason;
    double conf_sum, total, entropy, top_share;
    uint32_t id_len, task, n_votes, n_lv;
    uint32_t error_marks, with_conf;
    int32_t gold, adjudicated, top_label, top_ties;
    uint32_t gold_key;   /* gold label key + 1 until the label indices are known */
    uint8_t cls, flag;
} pitem;

typedef struct part {
    sl_intern items;     /* local item ids, in first-appearance order */
    uint32_t *first_seq, *task_of; /* per local item: its first record's seq and task */
    size_t item_cap;
    sl_panel_vote *votes;        /* the counted records, grouped by item (a slice of pb->votes) */
    sl_panel_label_votes *lv;    /* the items' non-zero label counts */
    char *evidence;              /* the votes' evidence bytes (a slice of pb->evidence) */
    size_t n_votes;
} part;

typedef struct conflicts {
    sl_panel_conflict *c;
    size_t n, cap;
} conflicts;

enum { STATE_ADDING, STATE_FINISHED, STATE_BROKEN };

struct sl_panel {
    sl_panel_options opt;
    sl_panel_rules rules;
    int state;
    int have_rubric;
    uint64_t calls;                 /* add calls so far: sl_panel_add's tag */
    sl_intern tasks, labels, reviewers; /* labels: key = task id (4 bytes) + label */
    task_info *task;
    size_t task_cap;
    uint32_t *label_task;           /* label key -> task */
    int32_t *label_index;           /* label key -> index in its task; -1 until known */
    size_t key_cap;
    struct memo_slot *memo;
    char *key_tmp;
    size_t key_tmp_cap;
    stream *streams;
    size_t n_parts;
    size_t n_added;                 /* annotations in the streams: the next one's seq */
    /* while sl_panel_finish runs: bit seq set when record seq is its item's first */
    _Atomic(uint64_t) *firsts;
    uint32_t *firsts_before;        /* per word of firsts: the bits set in the words before */
    /* after sl_panel_finish */
    part *parts;
    pitem *items;                   /* in output order (big_alloc) */
    sl_panel_vote *votes;           /* every partition's votes, in slices (big_alloc) */
    char *evidence;                 /* their evidence bytes, in slices (big_alloc) */
    size_t votes_cap, evidence_cap;
    size_t n_items;
    _Atomic(double *) *dense;       /* per item: its dense distribution, built on demand */
    conflicts conf;
    uint64_t *rev_votes, *rev_gold, *rev_pass;
    sl_panel_qa qa;
    sl_intern reasons;              /* adjudication reasons with numbers in them */
};

/* ---- small helpers --------------------------------------------------------------------------- */

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* How many items ahead a pass that jumps between them asks for their memory. */
#define PREFETCH_AHEAD 6

/* Grows *p (of *cap elements of `size` bytes) to hold at least `need`; 0, or -1 out of memory. */
static int grow_array(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, cap2 * size);
    if (!q)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}

static int conflict_add(conflicts *l, uint64_t tag, uint64_t other, sl_status st)
{
    if (grow_array((void **)&l->c, &l->cap, l->n + 1, sizeof *l->c))
        return -1;
    l->c[l->n++] = (sl_panel_conflict){tag, other, st};
    return 0;
}

/* Runs fn(arg + i * size) for i < n on n threads (the calling thread runs the first; a thread
 * that cannot be started has its share run here). */
static void run_parallel(size_t n, void *(*fn)(void *), void *arg, size_t size)
{
    pthread_t th[SL_MAX_THREADS];
    size_t started = 1;
    for (size_t i = 1; i < n; i++, started++)
        if (pthread_create(&th[i], NULL, fn, (char *)arg + i * size))
            break;
    fn(arg);
    for (size_t i = 1; i < started; i++)
        pthread_join(th[i], NULL);
    for (size_t i = started; i < n; i++)
        fn((char *)arg + i * size);
}

/* The partition of an item id's hash: bits 40 and up (a table's slot comes from the low bits). */
static size_t part_of(uint64_t hash, size_t n_parts)
{
    return (size_t)(hash >> 40) & (n_parts - 1);
}

/* Partitions: a power of two. Enough that a partition of a large panel (tens of millions of
 * annotations) keeps its item table in a core's cache while it is grouped; streams start small, so
 * a small panel pays little for them. */
#define N_PARTS 256

/* ---- options, creation ------------------------------------------------------------------------- */

void sl_panel_options_default(sl_panel_options *o)
{
    o->min_reviewers = 2;
    o->majority = 2.0 / 3.0;
    o->adjudicate = 0;
    o->flag_entropy = 0.5;
    o->flag_confidence = 0.5;
    o->threads = 1;
}

static sl_status check_options(const sl_panel_options *o)
{
    if (o->min_reviewers < 1 || o->min_reviewers > INT32_MAX)
        return SL_ERR_PARAM_MIN_REVIEWERS;
    if (!(o->majority > 0.0 && o->majority <= 1.0))
        return SL_ERR_PARAM_MAJORITY;
    if (o->adjudicate != 0 && o->adjudicate != 1)
        return SL_ERR_PARAM_ADJUDICATE;
    if (!(o->flag_entropy >= 0.0 && o->flag_entropy <= 1.0))
        return SL_ERR_PARAM_FLAG_ENTROPY;
    if (!(o->flag_confidence >= 0.0 && o->flag_confidence <= 1.0))
        return SL_ERR_PARAM_FLAG_CONFIDENCE;
    if (o->threads > SL_MAX_THREADS)
        return SL_ERR_THREAD_COUNT;
    return SL_OK;
}

/* ---- a cache in front of the small tables ---------------------------------------------------- */

/* Every annotation looks up its task, label and reviewer, which repeat endlessly. A direct-mapped
 * cache answers most lookups without a call or a byte compare: a string of at most 16 bytes is
 * known exactly by its length and two words read from its start and its end (overlapping when it
 * is shorter than 16). A miss asks the table and fills the slot. */
enum { MEMO_TASK = 1, MEMO_LABEL, MEMO_REVIEWER };
#define MEMO_BITS 12

typedef struct memo_slot {
    uint64_t a, b;
    uint64_t tag; /* 0: empty; else length + 1, the table (MEMO_*) and, for labels, the task */
    uint64_t id;
} memo_slot;

/* s[0..len) as two words that determine it, with its length (len <= 16). */
static void short_words(const char *s, size_t len, uint64_t *a, uint64_t *b)
{
    if (len >= 8) {
        *a = sl_load64(s);
        *b = sl_load64(s + len - 8);
    } else if (len >= 4) {
        *a = sl_load32(s);
        *b = sl_load32(s + len - 4);
    } else {
        *a = len ? (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[len / 2] << 8 |
                       (uint64_t)(unsigned char)s[len - 1] << 16
                 : 0;
        *b = 0;
    }
}

/* The table key of (task, label): the task id's 4 bytes, then the label. */
static const char *label_key(sl_panel *pb, uint32_t task, const char *s, size_t len, size_t *klen)
{
    if (len > SIZE_MAX - 4 ||
        grow_array((void **)&pb->key_tmp, &pb->key_tmp_cap, len + 4, 1))
        return NULL;
    memcpy(pb->key_tmp, &task, 4);
    memcpy(pb->key_tmp + 4, s, len);
    *klen = len + 4;
    return pb->key_tmp;
}

/* Makes room for the per-key arrays of `keys` label keys. */
static int reserve_keys(sl_panel *pb, size_t keys)
{
    if (keys <= pb->key_cap)
        return 0;
    size_t cap = pb->key_cap, cap2 = pb->key_cap;
    if (grow_array((void **)&pb->label_task, &cap, keys, sizeof *pb->label_task) ||
        grow_array((void **)&pb->label_index, &cap2, keys, sizeof *pb->label_index))
        return -1;
    pb->key_cap = cap < cap2 ? cap : cap2;
    return 0;
}

/* The id of s in the table of `kind` (labels: of task `task`), through the cache: interned when
 * `add`, else only found. Returns the id, -1 when absent (find), -2 out of memory, -3 too many. */
static int64_t lookup(sl_panel *pb, int kind, uint32_t task, const char *s, size_t len, int add)
{
    uint64_t a = 0, b = 0, tag = 0;
    memo_slot *m = NULL;
    if (len <= 16) {
        short_words(s, len, &a, &b);
        tag = (uint64_t)(len + 1) | (uint64_t)kind << 8 | (uint64_t)task << 16;
        uint64_t h = a * 0x9e3779b97f4a7c15ull + b * 0xbf58476d1ce4e5b9ull +
                     tag * 0x94d049bb133111ebull;
        m = &pb->memo[h >> (64 - MEMO_BITS)];
        if (m->tag == tag && m->a == a && m->b == b)
            return (int64_t)m->id;
    }
    sl_intern *t = kind == MEMO_TASK ? &pb->tasks : kind == MEMO_LABEL ? &pb->labels : &pb->reviewers;
    const char *key = s;
    size_t klen = len;
    if (kind == MEMO_LABEL && !(key = label_key(pb, task, s, len, &klen)))
        return -2;
    int added = 0;
    int64_t id = add ? sl_intern_add(t, key, klen, &added) : sl_intern_find(t, key, klen);
    if (id == -1 && add)
        return t->count >= INT32_MAX ? -3 : -2;
    if (id < 0)
        return -1;
    if (added && kind == MEMO_TASK) {
        if (grow_array((void **)&pb->task, &pb->task_cap, (size_t)id + 1, sizeof *pb->task))
            return -2;
        pb->task[id] = (task_info){0, -1, 0, NULL, 0, 0};
    }
    if (added && kind == MEMO_LABEL) {
        if (reserve_keys(pb, (size_t)id + 1))
            return -2;
        pb->label_task[id] = task;
        pb->label_index[id] = -1;
    }
    if (m)
        *m = (memo_slot){a, b, tag, (uint64_t)id};
    return id;
}

sl_status sl_panel_create(const sl_panel_options *o, sl_panel **out)
{
    if (!out)
        return SL_ERR_NULL_ARGUMENT;
    *out = NULL;
    if (!o)
        return SL_ERR_NULL_ARGUMENT;
    sl_status st = check_options(o);
    if (st != SL_OK)
        return st;
    sl_panel *pb = calloc(1, sizeof *pb);
    if (!pb)
        return SL_ERR_OUT_OF_MEMORY;
    pb->opt = *o;
    if (pb->opt.threads == 0)
        pb->opt.threads = 1;
    pb->rules.min_reviewers = (int32_t)o->min_reviewers;
    pb->rules.majority_threshold = o->majority;
    sl_intern_init(&pb->tasks);
    sl_intern_init(&pb->labels);
    sl_intern_init(&pb->reviewers);
    sl_intern_init(&pb->reasons);
    pb->n_parts = N_PARTS;
    pb->memo = calloc((size_t)1 << MEMO_BITS, sizeof *pb->memo);
    pb->streams = calloc(pb->n_parts, sizeof *pb->streams);
    if (!pb->memo || !pb->streams) {
        sl_panel_free(pb);
        return SL_ERR_OUT_OF_MEMORY;
    }
    *out = pb;
    return SL_OK;
}

/* ---- the rubric -------------------------------------------------------------------------------- */

sl_status sl_panel_add_task(sl_panel *pb, const char *task, const char *const *labels,
                            size_t n_labels)
{
    if (!pb || !task || (n_labels && !labels))
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_ADDING || pb->calls > 0)
        return SL_ERR_PANEL_STATE;
    size_t len = strlen(task);
    if (len == 0)
        return SL_ERR_PANEL_TASK;
    if (n_labels == 0)
        return SL_ERR_PANEL_LABEL;
    for (size_t l = 0; l < n_labels; l++)
        if (!labels[l] || !labels[l][0])
            return SL_ERR_PANEL_LABEL;
    if (sl_intern_find(&pb->tasks, task, len) >= 0)
        return SL_ERR_PANEL_TASK_TWICE;
    if (pb->tasks.count >= INT32_MAX || pb->labels.count + n_labels >= INT32_MAX)
        return SL_ERR_PANEL_TOO_LARGE;
    /* a label given twice, found by a hash lookup each (O(labels)), before anything changes */
    sl_intern seen;
    sl_intern_init(&seen);
    sl_status st = SL_OK;
    for (size_t l = 0; l < n_labels && st == SL_OK; l++) {
        int added = 0;
        if (sl_intern_add(&seen, labels[l], strlen(labels[l]), &added) < 0)
            st = SL_ERR_OUT_OF_MEMORY;
        else if (!added)
            st = SL_ERR_PANEL_LABEL_TWICE;
    }
    sl_intern_free(&seen);
    if (st != SL_OK)
        return st;
    uint32_t t = (uint32_t)pb->tasks.count;
    size_t first_key = pb->labels.count;
    for (size_t l = 0; l < n_labels; l++) {
        size_t klen;
        const char *key = label_key(pb, t, labels[l], strlen(labels[l]), &klen);
        int64_t id = key ? sl_intern_add(&pb->labels, key, klen, NULL) : -1;
        if (id < 0 || reserve_keys(pb, (size_t)id + 1))
            return SL_ERR_OUT_OF_MEMORY;
        pb->label_task[id] = t;
        pb->label_index[id] = (int32_t)l;
    }
    const char **names = malloc(n_labels * sizeof *names);
    int64_t tid = names ? sl_intern_add(&pb->tasks, task, len, NULL) : -1;
    if (tid < 0 || grow_array((void **)&pb->task, &pb->task_cap, (size_t)tid + 1, sizeof *pb->task)) {
        free(names);
        return SL_ERR_OUT_OF_MEMORY;
    }
    for (size_t l = 0; l < n_labels; l++)
        names[l] = pb->labels.str[first_key + l] + 4;
    pb->task[tid] = (task_info){1, -1, n_labels, names, 0, 0};
    pb->have_rubric = 1;
    return SL_OK;
}

sl_status sl_panel_set_adjudicate(sl_panel *pb, const char *task, int adjudicate)
{
    if (!pb || !task)
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_ADDING)
        return SL_ERR_PANEL_STATE;
    int64_t t = sl_intern_find(&pb->tasks, task, strlen(task));
    if (t < 0 || !pb->task[t].rubric)
        return SL_ERR_PANEL_UNKNOWN_TASK;
    if (adjudicate < -1 || adjudicate > 1)
        return SL_ERR_PARAM_ADJUDICATE;
    pb->task[t].adjudicate = adjudicate;
    return SL_OK;
}

/* ---- adding ------------------------------------------------------------------------------------ */

static int stream_put(stream *s, const stream_rec *r, const sl_str *id, const sl_str *ev)
{
    size_t used = sizeof *r + id->len + ev->len, need = pad8(used);
    stream_block *b = s->tail;
    if (!b || b->cap - b->len < need) {
        size_t cap = b ? STREAM_BLOCK : STREAM_FIRST;
        if (cap < need)
            cap = need;
        stream_block *nb = block_new(cap);
        if (!nb)
            return -1;
        if (b)
            b->next = nb;
        else
            s->head = nb;
        s->tail = b = nb;
    }
    unsigned char *at = b->data + b->len;
    memcpy(at, r, sizeof *r);
    memcpy(at + sizeof *r, id->ptr, id->len);
    if (ev->len) {
        memcpy(at + sizeof *r + id->len, ev->ptr, ev->len);
        s->ev_bytes += ev->len + 1;
    }
    b->len += need;
    s->n++;
    return 0;
}

static sl_status lookup_status(int64_t id)
{
    return id == -3 ? SL_ERR_PANEL_TOO_LARGE : SL_ERR_OUT_OF_MEMORY;
}

static sl_status add_record(sl_panel *pb, const sl_annotation_span *a, uint64_t tag)
{
    if (pb->state != STATE_ADDING)
        return SL_ERR_PANEL_STATE;
    const sl_str *req[4] = {&a->item_id, &a->task, &a->reviewer, &a->label};
    static const sl_status missing[4] = {SL_ERR_PANEL_ITEM_ID, SL_ERR_PANEL_TASK,
                                         SL_ERR_PANEL_REVIEWER, SL_ERR_PANEL_LABEL};
    for (int f = 0; f < 4; f++)
        if (req[f]->len == 0)
            return missing[f];
    if ((a->gold.len && !a->gold.ptr) || (a->evidence.len && !a->evidence.ptr))
        return SL_ERR_NULL_ARGUMENT;
    for (int f = 0; f < 4; f++)
        if (!req[f]->ptr)
            return SL_ERR_NULL_ARGUMENT;
    if (!isnan(a->confidence) && !(a->confidence >= 0.0 && a->confidence <= 1.0))
        return SL_ERR_PANEL_CONFIDENCE;
    if (a->error != 0 && a->error != 1)
        return SL_ERR_PANEL_ERROR_MARK;
    if (a->item_id.len > UINT32_MAX || a->evidence.len >> EV_LEN_BITS)
        return SL_ERR_PANEL_TOO_LARGE;
    if (pb->n_added >= UINT32_MAX - 1)
        return SL_ERR_PANEL_TOO_LARGE;
    int add = !pb->have_rubric;
    int64_t task = lookup(pb, MEMO_TASK, 0, a->task.ptr, a->task.len, add);
    if (task == -1)
        return SL_ERR_PANEL_UNKNOWN_TASK;
    if (task < 0)
        return lookup_status(task);
    int64_t label = lookup(pb, MEMO_LABEL, (uint32_t)task, a->label.ptr, a->label.len, add);
    if (label == -1)
        return SL_ERR_PANEL_UNKNOWN_LABEL;
    if (label < 0)
        return lookup_status(label);
    sl_status result = SL_OK;
    int64_t gold = -1;
    if (a->gold.len) {
        gold = lookup(pb, MEMO_LABEL, (uint32_t)task, a->gold.ptr, a->gold.len, add);
        if (gold == -1)
            result = SL_ERR_PANEL_UNKNOWN_GOLD; /* the vote counts; its gold answer is ignored */
        else if (gold < 0)
            return lookup_status(gold);
    }
    int64_t reviewer = lookup(pb, MEMO_REVIEWER, 0, a->reviewer.ptr, a->reviewer.len, 1);
    if (reviewer < 0)
        return lookup_status(reviewer);
    stream_rec r = {tag, a->confidence, (uint32_t)pb->n_added, (uint32_t)reviewer, (uint32_t)label,
                    gold >= 0 ? (uint32_t)gold + 1 : 0, (uint32_t)a->item_id.len,
                    (uint32_t)a->evidence.len | (a->error ? REC_ERROR : 0)};
    uint64_t h = sl_hash_bytes(a->item_id.ptr, a->item_id.len);
    if (stream_put(&pb->streams[part_of(h, pb->n_parts)], &r, &a->item_id, &a->evidence))
        return SL_ERR_OUT_OF_MEMORY;
    pb->n_added++;
    return result;
}

sl_status sl_panel_add_span(sl_panel *pb, const sl_annotation_span *a)
{
    if (!pb || !a)
        return SL_ERR_NULL_ARGUMENT;
    sl_status st = add_record(pb, a, a->tag);
    pb->calls++;
    return st;
}

static sl_str span_of(const char *s)
{
    return (sl_str){s, s ? strlen(s) : 0};
}

sl_status sl_panel_add(sl_panel *pb, const sl_annotation *a)
{
    if (!pb || !a)
        return SL_ERR_NULL_ARGUMENT;
    sl_annotation_span s = {span_of(a->item_id), span_of(a->task), span_of(a->reviewer),
                            span_of(a->label), a->confidence, a->error, span_of(a->gold),
                            span_of(a->evidence), pb->calls};
    sl_status st = add_record(pb, &s, pb->calls);
    pb->calls++;
    return st;
}

/* ---- finishing, step 1: each partition's items ----------------------------------------------- */

typedef struct part_job {
    sl_panel *pb;
    int (*fn)(sl_panel *pb, size_t p); /* one partition's work: 0, or -1 out of memory */
    atomic_size_t *next_part;
    int oom;
} part_job;

/* Interns partition p's item ids (its records in add order: the items in first-appearance
 * order), refuses records whose task is not their item's, writes each record's item index over
 * its seq and marks each item's first record in pb->firsts. The streams are read in place. */
static int index_partition(sl_panel *pb, part *pt, stream *s)
{
    for (stream_block *blk = s->head; blk; blk = blk->next) {
        for (size_t pos = 0; pos < blk->len;) {
            unsigned char *entry = blk->data + pos;
            stream_rec r;
            memcpy(&r, entry, sizeof r);
            pos += pad8(sizeof r + r.id_len + ev_len(&r));
            int added;
            int64_t it = sl_intern_add(&pt->items, (const char *)entry + sizeof r, r.id_len, &added);
            if (it < 0)
                return -1;
            uint32_t task = pb->label_task[r.label];
            if (added) {
                if ((size_t)it >= pt->item_cap) {
                    size_t c1 = pt->item_cap, c2 = pt->item_cap;
                    if (grow_array((void **)&pt->first_seq, &c1, (size_t)it + 1, sizeof *pt->first_seq) ||
                        grow_array((void **)&pt->task_of, &c2, (size_t)it + 1, sizeof *pt->task_of))
                        return -1;
                    pt->item_cap = c1 < c2 ? c1 : c2;
                }
                pt->first_seq[it] = r.seq;
                pt->task_of[it] = task;
                atomic_fetch_or_explicit(&pb->firsts[r.seq >> 6], (uint64_t)1 << (r.seq & 63),
                                         memory_order_relaxed);
            } else if (pt->task_of[it] != task) {
                r.ev |= REC_DROPPED; /* another task than the item's first record's */
            }
            r.seq = (uint32_t)it;
            memcpy(entry, &r, sizeof r);
        }
    }
    return 0;
}

static int index_part(sl_panel *pb, size_t p)
{
    return index_partition(pb, &pb->parts[p], &pb->streams[p]);
}

/* A thread's share: partitions claimed through the shared counter until none is left. */
static void *part_worker(void *arg)
{
    part_job *job = arg;
    for (;;) {
        size_t p = atomic_fetch_add(job->next_part, 1);
        if (p >= job->pb->n_parts)
            break;
        if (job->fn(job->pb, p)) {
            job->oom = 1;
            break;
        }
    }
    return NULL;
}

/* Runs fn on every partition, on the option's threads. */
static int for_each_part(sl_panel *pb, int (*fn)(sl_panel *pb, size_t p))
{
    size_t threads = pb->opt.threads;
    part_job jobs[SL_MAX_THREADS];
    atomic_size_t next_part = 0;
    for (size_t t = 0; t < threads; t++)
        jobs[t] = (part_job){pb, fn, &next_part, 0};
    run_parallel(threads, part_worker, jobs, sizeof *jobs);
    int rc = 0;
    for (size_t t = 0; t < threads; t++)
        rc |= jobs[t].oom ? -1 : 0;
    return rc;
}

/* The output order: items by their first record, that is by the rank of its seq among the items'
 * first records (counted from the bits of pb->firsts, so no partition waits for another). */
static size_t rank_of(const sl_panel *pb, uint32_t seq)
{
    uint64_t word = atomic_load_explicit(&pb->firsts[seq >> 6], memory_order_relaxed);
    uint64_t below = word & (((uint64_t)1 << (seq & 63)) - 1);
    return pb->firsts_before[seq >> 6] + (size_t)__builtin_popcountll(below);
}

/* Interns every partition's item ids on the option's threads; then the output order is known:
 * pb->items is allocated for the items, and each partition gets its slices of pb->votes and
 * pb->evidence (room for all its records). */
static int index_all(sl_panel *pb)
{
    size_t words = pb->n_added / 64 + 1;
    pb->parts = calloc(pb->n_parts, sizeof *pb->parts);
    pb->firsts = calloc(words, sizeof *pb->firsts);
    pb->firsts_before = malloc(words * sizeof *pb->firsts_before);
    if (!pb->parts || !pb->firsts || !pb->firsts_before)
        return -1;
    for (size_t p = 0; p < pb->n_parts; p++)
        sl_intern_init(&pb->parts[p].items);
    if (for_each_part(pb, index_part))
        return -1;
    size_t n = 0;
    for (size_t w = 0; w < words; w++) {
        pb->firsts_before[w] = (uint32_t)n;
        n += (size_t)__builtin_popcountll(atomic_load_explicit(&pb->firsts[w], memory_order_relaxed));
    }
    pb->n_items = n;
    pb->items = big_alloc(n * sizeof *pb->items);
    size_t ev_bytes = 0;
    for (size_t p = 0; p < pb->n_parts; p++)
        ev_bytes += pb->streams[p].ev_bytes;
    pb->votes_cap = pb->n_added;
    pb->evidence_cap = ev_bytes;
    pb->votes = big_alloc(pb->votes_cap * sizeof *pb->votes);
    pb->evidence = big_alloc(pb->evidence_cap);
    if (!pb->items || !pb->votes || !pb->evidence)
        return -1;
    for (size_t p = 0, v = 0, e = 0; p < pb->n_parts; p++) {
        pb->parts[p].votes = pb->votes + v;
        pb->parts[p].evidence = pb->evidence + e;
        v += pb->streams[p].n;
        e += pb->streams[p].ev_bytes;
    }
    return 0;
}

/* ---- step 2: grouping each partition's records by item ----------------------------------------- */

typedef struct group_worker {
    sl_panel *pb;
    atomic_size_t *next_part;
    uint64_t *rev_votes, *rev_gold, *rev_pass; /* per reviewer */
    uint8_t *key_used;                         /* per label key: named by a counted record */
    conflicts conf;
    /* one partition's records grouped by item, kept from one partition to the next */
    stream_rec *recs;
    const unsigned char **ev;  /* each record's evidence bytes in its stream */
    uint32_t *at, *pos;        /* per item: the end of its records; its output position */
    size_t recs_cap, items_cap;
    uint64_t *scratch;         /* reviewer << 32 | position, for large panels */
    size_t scratch_cap;
    uint32_t *keys;            /* an item's label keys, sorted */
    size_t keys_cap;
    int oom;
} group_worker;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts x[0..n) of type T by KEY(element) ascending, stably: for the few votes or labels of an
 * item (larger arrays go to qsort). */
#define INSERTION_SORT(T, x, n, KEY)                                                               \
    for (size_t a_ = 1; a_ < (n); a_++) {                                                          \
        T v_ = (x)[a_];                                                                            \
        size_t b_ = a_;                                                                            \
        for (; b_ > 0 && KEY((x)[b_ - 1]) > KEY(v_); b_--)                                         \
            (x)[b_] = (x)[b_ - 1];                                                                 \
        (x)[b_] = v_;                                                                              \
    }
#define KEY_SELF(v) (v)
#define KEY_LABEL(v) ((v).label)

static void sort_u32(uint32_t *x, size_t n)
{
    if (n > 16)
        qsort(x, n, sizeof *x, cmp_u32);
    else
        INSERTION_SORT(uint32_t, x, n, KEY_SELF)
}

/* Drops the later records of a reviewer who annotated the item twice. O(count) for small panels
 * (a compare with each earlier record), O(count log count) for large ones. */
static int drop_duplicates(group_worker *w, stream_rec *recs, size_t count)
{
    if (count <= 32) {
        for (size_t j = 1; j < count; j++)
            for (size_t i = 0; i < j; i++)
                if (!(recs[i].ev & REC_DROPPED) && recs[i].reviewer == recs[j].reviewer) {
                    recs[j].ev |= REC_DROPPED;
                    if (conflict_add(&w->conf, recs[j].tag, recs[i].tag, SL_ERR_PANEL_DUPLICATE))
                        return -1;
                    break;
                }
        return 0;
    }
    if (grow_array((void **)&w->scratch, &w->scratch_cap, count, sizeof *w->scratch))
        return -1;
    for (size_t j = 0; j < count; j++)
        w->scratch[j] = (uint64_t)recs[j].reviewer << 32 | j;
    qsort(w->scratch, count, sizeof *w->scratch, cmp_u64);
    for (size_t j = 1, first = 0; j < count; j++) {
        if (w->scratch[j] >> 32 != w->scratch[j - 1] >> 32) {
            first = j;
            continue;
        }
        /* sorted by position within a reviewer: the first of the run is kept */
        stream_rec *keep = &recs[(uint32_t)w->scratch[first]], *b = &recs[(uint32_t)w->scratch[j]];
        b->ev |= REC_DROPPED;
        if (conflict_add(&w->conf, b->tag, keep->tag, SL_ERR_PANEL_DUPLICATE))
            return -1;
    }
    return 0;
}

/* One item's records (grouped, add order): duplicates, gold answer, error marks, confidences. */
static int process_item(group_worker *w, pitem *it, stream_rec *recs, size_t count)
{
    if (drop_duplicates(w, recs, count))
        return -1;
    const stream_rec *gold_from = NULL;
    for (size_t j = 0; j < count; j++) {
        const stream_rec *a = &recs[j];
        if (a->ev & REC_DROPPED)
            continue;
        if (a->gold) {
            if (!gold_from) {
                gold_from = a;
                it->gold_key = a->gold;
            } else if (a->gold != it->gold_key &&
                       conflict_add(&w->conf, a->tag, gold_from->tag, SL_ERR_PANEL_GOLD_CONFLICT)) {
                return -1;
            }
            w->key_used[a->gold - 1] = 1;
        }
        w->key_used[a->label] = 1;
        w->rev_votes[a->reviewer]++;
        if (a->ev & REC_ERROR) {
            it->error_marks++;
            continue;
        }
        if (!isnan(a->confidence)) {
            it->with_conf++;
            it->conf_sum += a->confidence;
        }
    }
    if (!it->gold_key)
        return 0;
    for (size_t j = 0; j < count; j++) {
        const stream_rec *a = &recs[j];
        if (a->ev & REC_DROPPED)
            continue;
        w->rev_gold[a->reviewer]++;
        w->rev_pass[a->reviewer] += a->label == it->gold_key - 1;
    }
    return 0;
}

/* Groups partition p's records by item (a stable counting sort straight from its stream, the
 * refused records too: a task conflict names its item's first record), writes its items at their
 * output positions and its counted records as votes, and frees its stream. */
static int group_partition(group_worker *w, size_t p)
{
    sl_panel *pb = w->pb;
    part *pt = &pb->parts[p];
    stream *s = &pb->streams[p];
    size_t n = s->n, m = pt->items.count;
    if (n > w->recs_cap) {
        /* each pointer is replaced only when its realloc succeeded */
        size_t cap = n + n / 2;
        stream_rec *recs = realloc(w->recs, cap * sizeof *recs);
        if (recs)
            w->recs = recs;
        const unsigned char **ev = realloc(w->ev, cap * sizeof *ev);
        if (ev)
            w->ev = ev;
        if (!recs || !ev)
            return -1;
        w->recs_cap = cap;
    }
    if (m + 1 > w->items_cap) {
        size_t cap = m + 1 + m / 2;
        uint32_t *at = realloc(w->at, cap * sizeof *at);
        if (at)
            w->at = at;
        uint32_t *pos = realloc(w->pos, cap * sizeof *pos);
        if (pos)
            w->pos = pos;
        if (!at || !pos)
            return -1;
        w->items_cap = cap;
    }
    uint32_t *count = w->at;
    memset(count, 0, (m + 1) * sizeof *count);
    for (const stream_block *blk = s->head; blk; blk = blk->next)
        for (size_t pos = 0; pos < blk->len;) {
            stream_rec r;
            memcpy(&r, blk->data + pos, sizeof r);
            pos += pad8(sizeof r + r.id_len + ev_len(&r));
            count[r.seq + 1]++;
        }
    for (size_t i = 0; i < m; i++)
        count[i + 1] += count[i];
    for (const stream_block *blk = s->head; blk; blk = blk->next)
        for (size_t pos = 0; pos < blk->len;) {
            const unsigned char *entry = blk->data + pos;
            stream_rec r;
            memcpy(&r, entry, sizeof r);
            pos += pad8(sizeof r + r.id_len + ev_len(&r));
            uint32_t j = count[r.seq]++;
            w->recs[j] = r;
            w->ev[j] = entry + sizeof r + r.id_len;
        }
    /* count[i] is now the end of item i's records */
    for (size_t i = 0; i < m; i++)
        w->pos[i] = (uint32_t)rank_of(pb, pt->first_seq[i]);
    /* the counted records become votes (with their evidence), and each item gets its non-zero
     * label counts (by label key until the label indices are known) */
    pt->lv = malloc((n ? n : 1) * sizeof *pt->lv);
    if (!pt->lv)
        return -1;
    size_t v = 0, e = 0, used = 0;
    for (size_t i = 0, start = 0; i < m; start = count[i++]) {
        /* the items land all over pb->items: a few ahead are asked for */
        if (i + PREFETCH_AHEAD < m)
            __builtin_prefetch(&pb->items[w->pos[i + PREFETCH_AHEAD]], 1);
        pitem *it = &pb->items[w->pos[i]];
        stream_rec *recs = w->recs + start;
        const unsigned char **ev = w->ev + start;
        size_t c = count[i] - start;
        it->id = pt->items.str[i];
        it->id_len = pt->items.len[i];
        it->task = pt->task_of[i];
        it->gold = -1;
        /* the records of another task than the item's first are refused; the others move to
         * the front, in order */
        size_t c2 = 0;
        for (size_t j = 0; j < c; j++) {
            if (recs[j].ev & REC_DROPPED) {
                if (conflict_add(&w->conf, recs[j].tag, recs[0].tag, SL_ERR_PANEL_TASK_CONFLICT))
                    return -1;
                continue;
            }
            recs[c2] = recs[j];
            ev[c2++] = ev[j];
        }
        if (process_item(w, it, recs, c2))
            return -1;
        it->votes = pt->votes + v;
        for (size_t j = 0; j < c2; j++) {
            const stream_rec *r = &recs[j];
            if (r->ev & REC_DROPPED)
                continue;
            size_t len = ev_len(r);
            sl_panel_vote *out = &pt->votes[v++];
            *out = (sl_panel_vote){r->tag, r->confidence, NULL, len, r->reviewer, r->label,
                                   (r->ev & REC_ERROR) != 0};
            if (len) {
                memcpy(pt->evidence + e, ev[j], len);
                pt->evidence[e + len] = '\0';
                out->evidence = pt->evidence + e;
                e += len + 1;
            }
        }
        it->n_votes = (uint32_t)(pt->votes + v - it->votes);
        if (grow_array((void **)&w->keys, &w->keys_cap, it->n_votes + 1, sizeof *w->keys))
            return -1;
        size_t n_keys = 0;
        for (size_t j = 0; j < it->n_votes; j++)
            if (!it->votes[j].error)
                w->keys[n_keys++] = it->votes[j].label;
        sort_u32(w->keys, n_keys);
        it->lv = pt->lv + used;
        for (size_t a = 0; a < n_keys;) {
            size_t b = a;
            while (b < n_keys && w->keys[b] == w->keys[a])
                b++;
            pt->lv[used++] = (sl_panel_label_votes){w->keys[a], (double)(b - a), 0.0};
            a = b;
        }
        it->n_lv = (uint32_t)(pt->lv + used - it->lv);
    }
    pt->n_votes = v;
    sl_intern_keep_bytes_only(&pt->items); /* the items point at their ids' bytes */
    free(pt->first_seq);
    free(pt->task_of);
    pt->first_seq = pt->task_of = NULL;
    stream_free(s);
    return 0;
}

static void *group_parts(void *arg)
{
    group_worker *w = arg;
    size_t reviewers = w->pb->reviewers.count + 1, keys = w->pb->labels.count + 1;
    w->rev_votes = calloc(reviewers, sizeof *w->rev_votes);
    w->rev_gold = calloc(reviewers, sizeof *w->rev_gold);
    w->rev_pass = calloc(reviewers, sizeof *w->rev_pass);
    w->key_used = calloc(keys, 1);
    if (!w->rev_votes || !w->rev_gold || !w->rev_pass || !w->key_used) {
        w->oom = 1;
        return NULL;
    }
    for (;;) {
        size_t p = atomic_fetch_add(w->next_part, 1);
        if (p >= w->pb->n_parts)
            break;
        if (group_partition(w, p)) {
            w->oom = 1;
            break;
        }
    }
    return NULL;
}

static void worker_free(group_worker *w)
{
    free(w->rev_votes);
    free(w->rev_gold);
    free(w->rev_pass);
    free(w->key_used);
    free(w->conf.c);
    free(w->recs);
    free(w->ev);
    free(w->at);
    free(w->pos);
    free(w->scratch);
    free(w->keys);
}

static int cmp_conflicts(const void *a, const void *b)
{
    const sl_panel_conflict *x = a, *y = b;
    if (x->tag != y->tag)
        return (x->tag > y->tag) - (x->tag < y->tag);
    return (x->status > y->status) - (x->status < y->status);
}

/* Groups every partition on the option's threads, then gathers the per-reviewer counts, the
 * labels in use and the conflicts into pb, and `used` (per label key). */
static int group_all(sl_panel *pb, uint8_t *used)
{
    size_t threads = pb->opt.threads;
    group_worker *workers = calloc(threads, sizeof *workers);
    size_t reviewers = pb->reviewers.count;
    pb->rev_votes = calloc(reviewers + 1, sizeof *pb->rev_votes);
    pb->rev_gold = calloc(reviewers + 1, sizeof *pb->rev_gold);
    pb->rev_pass = calloc(reviewers + 1, sizeof *pb->rev_pass);
    if (!workers || !pb->rev_votes || !pb->rev_gold || !pb->rev_pass) {
        free(workers);
        return -1;
    }
    atomic_size_t next_part = 0;
    for (size_t t = 0; t < threads; t++)
        workers[t] = (group_worker){.pb = pb, .next_part = &next_part};
    run_parallel(threads, group_parts, workers, sizeof *workers);
    int rc = 0;
    for (size_t t = 0; t < threads; t++) {
        group_worker *w = &workers[t];
        if (w->oom)
            rc = -1;
        for (size_t r = 0; rc == 0 && r < reviewers; r++) {
            pb->rev_votes[r] += w->rev_votes[r];
            pb->rev_gold[r] += w->rev_gold[r];
            pb->rev_pass[r] += w->rev_pass[r];
        }
        for (size_t key = 0; rc == 0 && key < pb->labels.count; key++)
            used[key] |= w->key_used[key];
        for (size_t i = 0; rc == 0 && i < w->conf.n; i++)
            if (conflict_add(&pb->conf, w->conf.c[i].tag, w->conf.c[i].other_tag,
                             w->conf.c[i].status))
                rc = -1;
        worker_free(w);
    }
    free(workers);
    if (rc == 0 && pb->conf.n)
        qsort(pb->conf.c, pb->conf.n, sizeof *pb->conf.c, cmp_conflicts);
    return rc;
}

/* ---- step 3: label sets ---------------------------------------------------------------------- */

static const sl_intern *sort_keys_table; /* for cmp_keys (qsort has no context); one finish at a
                                            time sorts under sort_lock */
static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

/* By task, then the label's bytes. */
static int cmp_keys(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const sl_intern *t = sort_keys_table;
    uint32_t tx, ty;
    memcpy(&tx, t->str[x], 4);
    memcpy(&ty, t->str[y], 4);
    if (tx != ty)
        return (tx > ty) - (tx < ty);
    size_t lx = t->len[x] - 4, ly = t->len[y] - 4;
    int c = memcmp(t->str[x] + 4, t->str[y] + 4, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* Tasks without a rubric entry: the labels their counted records name, sorted bytewise. O(K log K)
 * for K labels in all. */
static int build_label_sets(sl_panel *pb, const uint8_t *used)
{
    size_t n_keys = pb->labels.count, n = 0;
    uint32_t *sorted = malloc((n_keys ? n_keys : 1) * sizeof *sorted);
    if (!sorted)
        return -1;
    for (size_t key = 0; key < n_keys; key++)
        if (used[key] && !pb->task[pb->label_task[key]].rubric)
            sorted[n++] = (uint32_t)key;
    pthread_mutex_lock(&sort_lock);
    sort_keys_table = &pb->labels;
    qsort(sorted, n, sizeof *sorted, cmp_keys);
    pthread_mutex_unlock(&sort_lock);
    for (size_t i = 0; i < n; i++)
        pb->task[pb->label_task[sorted[i]]].k++;
    int rc = 0;
    for (size_t t = 0; t < pb->tasks.count && rc == 0; t++) {
        task_info *task = &pb->task[t];
        if (!task->rubric && !(task->labels = calloc(task->k + 1, sizeof *task->labels)))
            rc = -1;
        if (!task->rubric)
            task->k = 0; /* counted again below */
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t key = sorted[i];
        task_info *task = &pb->task[pb->label_task[key]];
        pb->label_index[key] = (int32_t)task->k;
        task->labels[task->k++] = pb->labels.str[key] + 4;
    }
    size_t rank = 0;
    for (size_t t = 0; t < pb->tasks.count; t++) {
        pb->task[t].first_rank = rank;
        rank += pb->task[t].k;
    }
    free(sorted);
    return rc;
}

/* ---- step 4: label indices -------------------------------------------------------------------- */

/* The votes' label keys become label indices, partition by partition. */
static int index_votes(sl_panel *pb, size_t p)
{
    part *pt = &pb->parts[p];
    for (size_t v = 0; v < pt->n_votes; v++)
        pt->votes[v].label = (uint32_t)pb->label_index[pt->votes[v].label];
    return 0;
}

static int cmp_label_votes(const void *a, const void *b)
{
    uint32_t x = ((const sl_panel_label_votes *)a)->label, y = ((const sl_panel_label_votes *)b)->label;
    return (x > y) - (x < y);
}

/* An item's gold answer and non-zero label counts by label index, in label order. */
static void item_label_indices(const sl_panel *pb, pitem *it)
{
    if (it->gold_key)
        it->gold = pb->label_index[it->gold_key - 1];
    sl_panel_label_votes *lv = it->lv;
    size_t n = it->n_lv;
    for (size_t c = 0; c < n; c++)
        lv[c].label = (uint32_t)pb->label_index[lv[c].label];
    if (n > 16)
        qsort(lv, n, sizeof *lv, cmp_label_votes);
    else
        INSERTION_SORT(sl_panel_label_votes, lv, n, KEY_LABEL)
}

/* ---- step 5: the per-item figures -------------------------------------------------------------- */

/* Items go through the kernels in blocks: a label-major matrix of the block's items' non-zero
 * counts (an item with fewer distinct labels than the widest is padded with zeros). A block ends
 * before the padding would exceed its counts fourfold, so the work stays proportional to the
 * counts. */
#define BLOCK_ITEMS 256

typedef struct block_buf {
    double *votes, *dist, *total, *entropy, *top_share;
    int32_t *top_label, *top_ties, *reviewers;
    sl_disagreement *cls;
    size_t votes_cap;
} block_buf;

static void block_free(block_buf *b)
{
    free(b->votes);
    free(b->dist);
    free(b->total);
    free(b->entropy);
    free(b->top_share);
    free(b->top_label);
    free(b->top_ties);
    free(b->reviewers);
    free(b->cls);
}

static sl_status block_stats(sl_panel *pb, block_buf *b, size_t from, size_t n, size_t width)
{
    size_t cells = n * width;
    if (cells > b->votes_cap) {
        free(b->votes);
        free(b->dist);
        b->votes = malloc(cells * sizeof *b->votes);
        b->dist = malloc(cells * sizeof *b->dist);
        b->votes_cap = b->votes && b->dist ? cells : 0;
        if (!b->votes_cap)
            return SL_ERR_OUT_OF_MEMORY;
    }
    memset(b->votes, 0, cells * sizeof *b->votes);
    for (size_t i = 0; i < n; i++) {
        pitem *it = &pb->items[from + i];
        item_label_indices(pb, it);
        for (size_t c = 0; c < it->n_lv; c++)
            b->votes[c * n + i] = it->lv[c].votes;
    }
    sl_panel_stats_out out = {b->dist, n, b->total, b->entropy, b->top_share, b->top_label,
                              b->top_ties};
    sl_status st = sl_panel_stats_f64(b->votes, n, n, width, &out, NULL);
    if (st != SL_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        pitem *it = &pb->items[from + i];
        it->total = b->total[i];
        it->entropy = b->entropy[i];
        it->top_share = b->top_share[i];
        for (size_t c = 0; c < it->n_lv; c++)
            it->lv[c].share = b->dist[c * n + i];
        if (it->n_lv) {
            it->top_label = (int32_t)it->lv[b->top_label[i]].label;
            it->top_ties = b->top_ties[i];
        } else { /* no votes: as the dense matrix, every label holds the largest share (0) */
            it->top_label = 0;
            it->top_ties = (int32_t)pb->task[it->task].k;
        }
        b->reviewers[i] = (int32_t)it->total;
        b->top_ties[i] = it->top_ties;
    }
    st = sl_panel_classify(&pb->rules, n, b->reviewers, b->top_share, b->top_ties, b->cls);
    for (size_t i = 0; st == SL_OK && i < n; i++)
        pb->items[from + i].cls = (uint8_t)b->cls[i];
    return st;
}

static sl_status compute_stats(sl_panel *pb)
{
    block_buf b = {0};
    b.total = malloc(BLOCK_ITEMS * sizeof *b.total);
    b.entropy = malloc(BLOCK_ITEMS * sizeof *b.entropy);
    b.top_share = malloc(BLOCK_ITEMS * sizeof *b.top_share);
    b.top_label = malloc(BLOCK_ITEMS * sizeof *b.top_label);
    b.top_ties = malloc(BLOCK_ITEMS * sizeof *b.top_ties);
    b.reviewers = malloc(BLOCK_ITEMS * sizeof *b.reviewers);
    b.cls = malloc(BLOCK_ITEMS * sizeof *b.cls);
    sl_status st = SL_OK;
    if (!b.total || !b.entropy || !b.top_share || !b.top_label || !b.top_ties || !b.reviewers ||
        !b.cls)
        st = SL_ERR_OUT_OF_MEMORY;
    size_t from = 0;
    while (st == SL_OK && from < pb->n_items) {
        size_t n = 0, width = 1, counts = 0;
        while (from + n < pb->n_items && n < BLOCK_ITEMS) {
            size_t m = pb->items[from + n].n_lv;
            size_t w2 = m > width ? m : width;
            if (n > 0 && (n + 1) * w2 > 4 * (counts + m) + 64)
                break;
            width = w2;
            counts += m;
            n++;
        }
        st = block_stats(pb, &b, from, n, width);
        from += n;
    }
    block_free(&b);
    return st;
}

/* ---- step 6: alpha, adjudication, flags, the QA summary ----------------------------------------- */

/* Krippendorff's alpha from the non-zero counts, summed as sl_alpha_nominal_add sums the dense
 * matrices: per task (in task order), the within-unit agreement label by label, each label's
 * units in item order (the zero counts it adds there are exact zeros). */
static int compute_alpha(sl_panel *pb, sl_alpha_nominal *acc)
{
    size_t n_ranks = 0;
    for (size_t t = 0; t < pb->tasks.count; t++)
        n_ranks += pb->task[t].k;
    size_t *start = calloc(n_ranks + 1, sizeof *start);
    double *marginal = calloc(n_ranks + 1, sizeof *marginal);
    size_t n_terms = 0;
    for (size_t i = 0; i < pb->n_items; i++)
        if (pb->items[i].total >= 2.0)
            n_terms += pb->items[i].n_lv;
    double *term = malloc((n_terms ? n_terms : 1) * sizeof *term);
    double *pairable = calloc(pb->tasks.count + 1, sizeof *pairable);
    if (!start || !marginal || !term || !pairable) {
        free(start);
        free(marginal);
        free(term);
        free(pairable);
        return -1;
    }
    /* bucket the terms by (task, label), keeping item order within a bucket */
    for (size_t i = 0; i < pb->n_items; i++) {
        const pitem *it = &pb->items[i];
        if (it->total < 2.0)
            continue;
        pairable[it->task] += it->total;
        for (size_t c = 0; c < it->n_lv; c++)
            start[pb->task[it->task].first_rank + it->lv[c].label + 1]++;
    }
    for (size_t r = 0; r < n_ranks; r++)
        start[r + 1] += start[r];
    for (size_t i = 0; i < pb->n_items; i++) {
        const pitem *it = &pb->items[i];
        if (it->total < 2.0)
            continue;
        for (size_t c = 0; c < it->n_lv; c++) {
            size_t r = pb->task[it->task].first_rank + it->lv[c].label;
            double v = it->lv[c].votes;
            marginal[r] += v;
            term[start[r]++] = v * (v - 1.0) / (it->total - 1.0);
        }
    }
    /* start[r] is now the end of bucket r */
    sl_alpha_nominal_init(acc);
    for (size_t t = 0, r = 0, at = 0; t < pb->tasks.count; t++) {
        if (!pb->task[t].items)
            continue;
        double agreement = 0.0, marginal_sq = 0.0;
        for (size_t c = 0; c < pb->task[t].k; c++) {
            r = pb->task[t].first_rank + c;
            for (at = r ? start[r - 1] : 0; at < start[r]; at++)
                agreement += term[at];
            marginal_sq += marginal[r] * marginal[r];
        }
        acc->pairable += pairable[t];
        acc->agreement += agreement;
        acc->marginal_sq += marginal_sq;
    }
    free(start);
    free(marginal);
    free(term);
    free(pairable);
    return 0;
}

/* Whether and why the panel is collapsed to one label. */
typedef enum adjudication {
    ADJ_GOLD, ADJ_NO_VOTES, ADJ_TIE, ADJ_PLURALITY, ADJ_NOT_REQUESTED
} adjudication;

static const char *const reason_text[] = {
    "gold: the item has a verifiable answer",
    "hard labels requested, not adjudicated: no counted votes",
    "hard labels requested, not adjudicated: %d labels tie for the plurality",
    "plurality: hard labels requested for this task",
    "not requested: the panel is kept as a soft label"};

/* The item's adjudication reason: a constant, or (with numbers) interned once per distinct text. */
static const char *reason_of(sl_panel *pb, adjudication a, const pitem *it)
{
    if (a != ADJ_TIE && it->error_marks == 0)
        return reason_text[a];
    char text[320];
    int len = snprintf(text, sizeof text, reason_text[a], it->top_ties);
    if (it->error_marks)
        len += snprintf(text + len, sizeof text - (size_t)len,
                        "; %u %s: excluded from the distribution, kept in the rationales",
                        it->error_marks,
                        it->error_marks == 1 ? "reviewer record marked as error by QA"
                                             : "reviewer records marked as errors by QA");
    int64_t id = sl_intern_add(&pb->reasons, text, (size_t)len, NULL);
    return id < 0 ? NULL : pb->reasons.str[id];
}

enum { FLAG_NONE, FLAG_NO_CONFIDENCE, FLAG_RUBRIC, FLAG_AMBIGUITY };
static const char *const flag_text[] = {NULL, "high_entropy_no_confidence", "rubric_review",
                                        "genuine_ambiguity"};

static int summarize(sl_panel *pb)
{
    sl_panel_qa *qa = &pb->qa;
    memset(qa, 0, sizeof *qa);
    qa->items = pb->n_items;
    double sum = 0.0, carry = 0.0; /* Neumaier summation of the entropies, in item order */
    for (size_t i = 0; i < pb->n_items; i++) {
        pitem *it = &pb->items[i];
        const task_info *task = &pb->task[it->task];
        qa->annotations += it->n_votes;
        qa->classes[it->cls]++;
        qa->gold_items += it->gold >= 0;
        int adjudicate = task->adjudicate >= 0 ? task->adjudicate : pb->opt.adjudicate;
        adjudication a = it->gold >= 0 ? ADJ_GOLD
                         : !adjudicate ? ADJ_NOT_REQUESTED
                         : it->total == 0 ? ADJ_NO_VOTES
                         : it->top_ties >= 2 ? ADJ_TIE
                                             : ADJ_PLURALITY;
        it->adjudicated = a == ADJ_GOLD ? it->gold : a == ADJ_PLURALITY ? it->top_label : -1;
        pb->task[it->task].items++;
        if (!(it->reason = reason_of(pb, a, it)))
            return -1;
        if (it->total <= 0)
            continue;
        double h = it->entropy;
        qa->with_votes++;
        double t = sum + h;
        carry += fabs(sum) >= fabs(h) ? (sum - t) + h : (h - t) + sum;
        sum = t;
        double normalized = task->k > 1 ? h / log2((double)task->k) : 0.0;
        if (normalized < pb->opt.flag_entropy)
            continue;
        it->flag = it->with_conf == 0 ? FLAG_NO_CONFIDENCE
                   : it->conf_sum / it->with_conf < pb->opt.flag_confidence ? FLAG_RUBRIC
                                                                            : FLAG_AMBIGUITY;
        qa->flagged++;
    }
    qa->mean_entropy_bits = qa->with_votes ? (sum + carry) / (double)qa->with_votes : NAN;
    sl_alpha_nominal acc;
    if (compute_alpha(pb, &acc))
        return -1;
    qa->krippendorff_alpha = sl_alpha_nominal_value(&acc);
    double rate_sum = 0.0;
    size_t rated = 0;
    for (size_t r = 0; r < pb->reviewers.count; r++) {
        qa->reviewers += pb->rev_votes[r] > 0;
        if (pb->rev_gold[r]) {
            rate_sum += (double)pb->rev_pass[r] / (double)pb->rev_gold[r];
            rated++;
        }
    }
    qa->reviewer_gold_pass_rate = rated ? rate_sum / (double)rated : NAN;
    return 0;
}

sl_status sl_panel_finish(sl_panel *pb)
{
    if (!pb)
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_ADDING)
        return SL_ERR_PANEL_STATE;
    sl_status st = sl_isa_status();
    if (st != SL_OK)
        return st;
    pb->state = STATE_BROKEN; /* until everything below succeeded */
    uint8_t *used = calloc(pb->labels.count + 1, 1);
    int rc = !used || index_all(pb) || group_all(pb, used) || build_label_sets(pb, used) ||
             for_each_part(pb, index_votes);
    free(used);
    free(pb->firsts);
    free(pb->firsts_before);
    pb->firsts = NULL;
    pb->firsts_before = NULL;
    if (rc)
        return SL_ERR_OUT_OF_MEMORY;
    free(pb->streams);
    pb->streams = NULL;
    st = compute_stats(pb);
    if (st != SL_OK)
        return st;
    if (summarize(pb))
        return SL_ERR_OUT_OF_MEMORY;
    pb->dense = calloc(pb->n_items + 1, sizeof *pb->dense);
    if (!pb->dense)
        return SL_ERR_OUT_OF_MEMORY;
    pb->state = STATE_FINISHED;
    return SL_OK;
}

/* ---- reading ------------------------------------------------------------------------------------ */

size_t sl_panel_conflict_count(const sl_panel *pb)
{
    return pb && pb->state == STATE_FINISHED ? pb->conf.n : 0;
}

sl_status sl_panel_conflict_get(const sl_panel *pb, size_t i, sl_panel_conflict *out)
{
    if (!pb || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_FINISHED)
        return SL_ERR_PANEL_STATE;
    if (i >= pb->conf.n)
        return SL_ERR_PANEL_INDEX;
    *out = pb->conf.c[i];
    return SL_OK;
}

size_t sl_panel_count(const sl_panel *pb)
{
    return pb && pb->state == STATE_FINISHED ? pb->n_items : 0;
}

sl_status sl_panel_get_sparse(const sl_panel *pb, size_t i, sl_panel_item *out)
{
    if (!pb || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_FINISHED)
        return SL_ERR_PANEL_STATE;
    if (i >= pb->n_items)
        return SL_ERR_PANEL_INDEX;
    /* readers go through the items in order: what the next items point at (their votes,
     * evidence and ids, scattered over the partitions) is asked for a few items ahead */
    if (i + PREFETCH_AHEAD < pb->n_items) {
        const pitem *next = &pb->items[i + PREFETCH_AHEAD];
        __builtin_prefetch(next->votes);
        __builtin_prefetch(next->lv);
        __builtin_prefetch(next->id);
        if (next->n_votes && next->votes[0].evidence)
            __builtin_prefetch(next->votes[0].evidence);
    }
    const pitem *it = &pb->items[i];
    const task_info *task = &pb->task[it->task];
    sl_disagreement cls = (sl_disagreement)it->cls;
    *out = (sl_panel_item){
        .item_id = it->id,
        .task = pb->tasks.str[it->task],
        .n_labels = task->k,
        .labels = task->labels,
        .distribution = NULL,
        .reviewer_count = (size_t)it->total,
        .entropy_bits = it->entropy,
        .disagreement_class = sl_disagreement_name(cls),
        .adjudicated_label = it->adjudicated >= 0 ? task->labels[it->adjudicated] : NULL,
        .adjudication_reason = it->reason,
        .item_id_len = it->id_len,
        .task_index = it->task,
        .disagreement = cls,
        .votes = it->votes,
        .n_votes = it->n_votes,
        .label_votes = it->lv,
        .n_label_votes = it->n_lv,
        .top_share = it->top_share,
        .top_label = it->top_label,
        .top_ties = it->top_ties,
        .gold = it->gold,
        .adjudicated = it->adjudicated,
        .error_marks = it->error_marks,
        .confidences = it->with_conf,
        .mean_confidence = it->with_conf ? it->conf_sum / it->with_conf : NAN,
        .flag = flag_text[it->flag],
    };
    return SL_OK;
}

sl_status sl_panel_get(const sl_panel *pb, size_t i, sl_panel_item *out)
{
    sl_status st = sl_panel_get_sparse(pb, i, out);
    if (st != SL_OK)
        return st;
    double *dense = atomic_load(&pb->dense[i]);
    if (!dense) {
        /* built once; two threads asking at once both build it, one keeps its copy */
        double *mine = calloc(out->n_labels ? out->n_labels : 1, sizeof *mine);
        if (!mine)
            return SL_ERR_OUT_OF_MEMORY;
        for (size_t c = 0; c < out->n_label_votes; c++)
            mine[out->label_votes[c].label] = out->label_votes[c].share;
        double *expected = NULL;
        if (atomic_compare_exchange_strong(&pb->dense[i], &expected, mine)) {
            dense = mine;
        } else {
            free(mine);
            dense = expected;
        }
    }
    out->distribution = dense;
    return SL_OK;
}

size_t sl_panel_task_count(const sl_panel *pb)
{
    return pb ? pb->tasks.count : 0;
}

sl_status sl_panel_task_get(const sl_panel *pb, size_t t, sl_panel_task *out)
{
    if (!pb || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_FINISHED)
        return SL_ERR_PANEL_STATE;
    if (t >= pb->tasks.count)
        return SL_ERR_PANEL_INDEX;
    const task_info *task = &pb->task[t];
    *out = (sl_panel_task){pb->tasks.str[t], task->k, task->labels,
                           task->adjudicate >= 0 ? task->adjudicate : pb->opt.adjudicate,
                           task->items};
    return SL_OK;
}

size_t sl_panel_reviewer_count(const sl_panel *pb)
{
    return pb ? pb->reviewers.count : 0;
}

sl_status sl_panel_reviewer_get(const sl_panel *pb, size_t r, sl_panel_reviewer *out)
{
    if (!pb || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_FINISHED)
        return SL_ERR_PANEL_STATE;
    if (r >= pb->reviewers.count)
        return SL_ERR_PANEL_INDEX;
    *out = (sl_panel_reviewer){pb->reviewers.str[r], pb->reviewers.len[r], pb->rev_votes[r],
                               pb->rev_gold[r], pb->rev_pass[r]};
    return SL_OK;
}

sl_status sl_panel_qa_summary(const sl_panel *pb, sl_panel_qa *out)
{
    if (!pb || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (pb->state != STATE_FINISHED)
        return SL_ERR_PANEL_STATE;
    *out = pb->qa;
    return SL_OK;
}

void sl_panel_free(sl_panel *pb)
{
    if (!pb)
        return;
    for (size_t p = 0; pb->streams && p < pb->n_parts; p++)
        stream_free(&pb->streams[p]);
    free(pb->streams);
    for (size_t p = 0; pb->parts && p < pb->n_parts; p++) {
        part *pt = &pb->parts[p];
        sl_intern_free(&pt->items);
        free(pt->first_seq);
        free(pt->task_of);
        free(pt->lv);
    }
    free(pb->parts);
    free(pb->firsts);
    free(pb->firsts_before);
    for (size_t i = 0; pb->dense && i < pb->n_items; i++)
        free(atomic_load(&pb->dense[i]));
    free(pb->dense);
    big_free(pb->items, pb->n_items * sizeof *pb->items);
    big_free(pb->votes, pb->votes_cap * sizeof *pb->votes);
    big_free(pb->evidence, pb->evidence_cap);
    for (size_t t = 0; pb->task && t < pb->tasks.count; t++)
        free(pb->task[t].labels);
    free(pb->task);
    free(pb->label_task);
    free(pb->label_index);
    free(pb->memo);
    free(pb->key_tmp);
    free(pb->conf.c);
    free(pb->rev_votes);
    free(pb->rev_gold);
    free(pb->rev_pass);
    sl_intern_free(&pb->tasks);
    sl_intern_free(&pb->labels);
    sl_intern_free(&pb->reviewers);
    sl_intern_free(&pb->reasons);
    free(pb);
}
