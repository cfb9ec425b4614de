/* `softlabel panel`'s input side: see panel_build.h. */
#include "panel_build.h"
#include "cli_util.h"
#include "numtext.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pipeline.h"

static int errors_add(panel_errors *l, uint32_t code, uint32_t field, uint64_t offset, uint64_t aux)
{
    if (sl_array_reserve((void **)&l->e, &l->cap, l->n + 1, sizeof *l->e, 256))
        return -1;
    l->e[l->n++] = (panel_error){offset, aux, code, field};
    return 0;
}

/* ---- reading values ------------------------------------------------------------------------- */

/* A confidence value: 0 and *out (NaN when not given), or -1 when it is not a number in [0, 1]. */
static int read_confidence(const pio_value *v, double *out)
{
    *out = NAN;
    if (v->kind == PV_ABSENT || v->kind == PV_NULL)
        return 0;
    if (v->kind == PV_NUM) {
        *out = v->num;
    } else if (v->kind == PV_STR) { /* trimmed as every value; then numtext.h's one rule */
        const char *s = v->s;
        size_t n = v->len;
        while (n > 0 && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (sl_parse_f64(s, n, out))
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

/* ---- parsing a chunk into annotations ------------------------------------------------------- */

/* The string fields of an annotation, in the order of sl_annotation_span. */
enum { S_ITEM, S_TASK, S_REVIEWER, S_LABEL, S_GOLD, S_EVIDENCE, S_FIELDS };

/* One chunk of the input, parsed: its annotations (their strings point into the mapped input, or
 * into `bytes` for the values the reader made up: unescaped quoted fields, JSON strings), the
 * format errors of its records, and where its reader stopped. */
typedef struct batch {
    sl_annotation_span *a;
    uint8_t *in_bytes;  /* per annotation: bit S_* set when that field's ptr is an offset in bytes */
    size_t n, cap;
    char *bytes;
    size_t len, bytes_cap;
    panel_errors errors;
    size_t final_pos;
    int oom;
} batch;

static void batch_reset(batch *b)
{
    b->n = 0;
    b->len = 0;
    b->errors.n = 0;
    b->oom = 0;
}

static void batch_free(batch *b)
{
    free(b->a);
    free(b->in_bytes);
    free(b->bytes);
    free(b->errors.e);
    memset(b, 0, sizeof *b);
}

/* Copies len bytes (unescaping "" when csvq) into b->bytes; returns their offset. */
static size_t keep_bytes(batch *b, const char *s, size_t len, int csvq)
{
    if (b->bytes_cap - b->len < len + 1) {
        size_t cap = b->bytes_cap ? b->bytes_cap : 1 << 16;
        while (cap - b->len < len + 1)
            cap *= 2;
        char *p = realloc(b->bytes, cap);
        if (!p) {
            b->oom = 1;
            return 0;
        }
        b->bytes = p;
        b->bytes_cap = cap;
    }
    size_t at = b->len;
    for (size_t i = 0; i < len; i++) {
        if (csvq && s[i] == '"')
            i++; /* "" stands for " */
        b->bytes[b->len++] = s[i];
    }
    return at;
}

/* A value as a span: its bytes in the mapped input when they are there, else copied. */
static sl_str value_span(batch *b, const pio_file *f, const pio_value *v, int field, uint8_t *mask)
{
    if (is_blank(v))
        return (sl_str){NULL, 0};
    if (v->kind != PV_CSVQ && v->s >= f->data && v->s + v->len <= f->data + f->size)
        return (sl_str){v->s, v->len};
    size_t at = keep_bytes(b, v->s, v->len, v->kind == PV_CSVQ);
    *mask |= (uint8_t)(1u << field);
    return (sl_str){(const char *)(uintptr_t)at, b->len - at};
}

/* Checks what is the input format's business (an id given as a boolean, a number's text) and
 * appends the annotation; the library checks the values when it is added. The first error of the
 * record decides, in the order of the fields. */
static int parse_record(batch *b, const pio_file *f, const pio_record *rec)
{
    const pio_value *v = rec->f;
    /* text that is not a number, or not 0/1/true/false, goes in as a value the library refuses
     * with the field's status (its check comes in the same order as for a number out of range) */
    double confidence;
    int conf_ok = read_confidence(&v[PIO_CONFIDENCE], &confidence) == 0;
    int mark = read_error_flag(&v[PIO_ERROR]);
    int ids_given = 1;
    for (int i = PIO_ITEM; i <= PIO_LABEL && ids_given; i++) {
        if (is_blank(&v[i]))
            ids_given = 0; /* the library names the first missing field */
        else if (v[i].kind == PV_BOOL)
            return errors_add(&b->errors, PE_NOT_TEXT, (uint32_t)i, rec->offset, 0);
    }
    if (ids_given && conf_ok && mark >= 0 && v[PIO_GOLD].kind == PV_BOOL)
        return errors_add(&b->errors, PE_NOT_TEXT, PIO_GOLD, rec->offset, 0);
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        sl_annotation_span *a = realloc(b->a, cap * sizeof *a);
        if (a)
            b->a = a;
        uint8_t *mask = realloc(b->in_bytes, cap);
        if (mask)
            b->in_bytes = mask;
        if (!a || !mask)
            return -1;
        b->cap = cap;
    }
    sl_annotation_span *a = &b->a[b->n];
    uint8_t mask = 0;
    a->item_id = value_span(b, f, &v[PIO_ITEM], S_ITEM, &mask);
    a->task = value_span(b, f, &v[PIO_TASK], S_TASK, &mask);
    a->reviewer = value_span(b, f, &v[PIO_REVIEWER], S_REVIEWER, &mask);
    a->label = value_span(b, f, &v[PIO_LABEL], S_LABEL, &mask);
    a->gold = value_span(b, f, &v[PIO_GOLD], S_GOLD, &mask);
    pio_value ev = v[PIO_EVIDENCE];
    if (ev.kind == PV_NUM || ev.kind == PV_BOOL)
        ev.kind = PV_NULL; /* evidence is text; a number or boolean there is none */
    a->evidence = value_span(b, f, &ev, S_EVIDENCE, &mask);
    a->confidence = conf_ok ? confidence : -1.0;
    a->error = mark;
    a->tag = rec->offset;
    b->in_bytes[b->n++] = mask;
    return b->oom ? -1 : 0;
}

/* Turns the offsets into b->bytes into pointers (the buffer no longer moves). */
static void fix_pointers(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        uint8_t mask = b->in_bytes[i];
        sl_str *s[S_FIELDS] = {&b->a[i].item_id, &b->a[i].task, &b->a[i].reviewer,
                               &b->a[i].label, &b->a[i].gold, &b->a[i].evidence};
        for (int f = 0; mask && f < S_FIELDS; f++)
            if (mask & (1u << f))
                s[f]->ptr = b->bytes + (uintptr_t)s[f]->ptr;
    }
}

#define PARSE_AHEAD 1024

static void parse_chunk(const pio_file *f, size_t start, size_t end, batch *b)
{
    pio_reader r;
    pio_record rec;
    pio_reader_init(&r, f, start, end);
    for (;;) {
        /* the input a little ahead: the first read of a mapped page would wait for memory */
        if (r.pos + PARSE_AHEAD < end)
            __builtin_prefetch(f->data + r.pos + PARSE_AHEAD);
        int got = pio_next(&r, &rec);
        if (got == 0)
            break;
        int rc = got > 0 ? parse_record(b, f, &rec)
                         : errors_add(&b->errors, PE_RECORD, UINT32_MAX, rec.offset, 0);
        if (rc) {
            b->oom = 1;
            break;
        }
    }
    b->final_pos = r.pos;
    pio_reader_free(&r);
    fix_pointers(b);
}

/* ---- parsing ahead on threads, adding in order -------------------------------------------- */

/* Chunks of about this much input: a few of them per thread are in memory at a time. */
#define CHUNK_BYTES ((size_t)4 << 20)

/* What the add call's status means for the record: a refusal (its error), a remark on a record
 * that was added (the unknown gold answer), or a failure that stops the run (-1). */
static int add_status(panel_errors *errors, sl_status st, uint64_t offset)
{
    switch (st) {
    case SL_OK: return 0;
    case SL_ERR_PANEL_ITEM_ID: return errors_add(errors, PE_MISSING, PIO_ITEM, offset, 0);
    case SL_ERR_PANEL_TASK: return errors_add(errors, PE_MISSING, PIO_TASK, offset, 0);
    case SL_ERR_PANEL_REVIEWER: return errors_add(errors, PE_MISSING, PIO_REVIEWER, offset, 0);
    case SL_ERR_PANEL_LABEL: return errors_add(errors, PE_MISSING, PIO_LABEL, offset, 0);
    case SL_ERR_PANEL_CONFIDENCE:
        return errors_add(errors, PE_CONFIDENCE, PIO_CONFIDENCE, offset, 0);
    case SL_ERR_PANEL_ERROR_MARK: return errors_add(errors, PE_ERROR_FLAG, PIO_ERROR, offset, 0);
    case SL_ERR_PANEL_UNKNOWN_TASK: return errors_add(errors, PE_UNKNOWN_TASK, PIO_TASK, offset, 0);
    case SL_ERR_PANEL_UNKNOWN_LABEL:
        return errors_add(errors, PE_UNKNOWN_LABEL, PIO_LABEL, offset, 0);
    case SL_ERR_PANEL_UNKNOWN_GOLD: return errors_add(errors, PE_UNKNOWN_GOLD, PIO_GOLD, offset, 0);
    default: return -1;
    }
}

/* Adds a parsed chunk to the panel: its format errors and its annotations, both in input order
 * (the error list is sorted by offset before it is printed). */
static int add_batch(panel_data *d, batch *b, sl_status *failure)
{
    if (b->oom)
        return -1;
    for (size_t i = 0; i < b->errors.n; i++) {
        const panel_error *e = &b->errors.e[i];
        if (errors_add(&d->errors, e->code, e->field, e->offset, e->aux))
            return -1;
    }
    for (size_t i = 0; i < b->n; i++) {
        sl_status st = sl_panel_add_span(d->pb, &b->a[i]);
        if (add_status(&d->errors, st, b->a[i].tag)) {
            *failure = st;
            return -1;
        }
    }
    return 0;
}

/* The chunks through the ordered pipeline: threads parse them ahead, the calling thread adds them
 * to the panel in input order. */
typedef struct add_job {
    panel_data *d;
    const size_t *starts;
    size_t n_chunks, next;
    size_t *chunk_of; /* per slot: the chunk it holds */
    batch *slot;
    int split_wrong;  /* a chunk did not end where the next one starts */
    sl_status failure;
} add_job;

static int produce_chunk(void *ctx, size_t slot)
{
    add_job *job = ctx;
    if (job->next == job->n_chunks)
        return 0;
    job->chunk_of[slot] = job->next++;
    return 1;
}

static void parse_slot(void *ctx, size_t slot)
{
    add_job *job = ctx;
    size_t j = job->chunk_of[slot];
    parse_chunk(&job->d->file, job->starts[j], job->starts[j + 1], &job->slot[slot]);
}

static int add_slot(void *ctx, size_t slot)
{
    add_job *job = ctx;
    size_t j = job->chunk_of[slot];
    batch *b = &job->slot[slot];
    int rc = 0;
    if (b->final_pos != job->starts[j + 1] && !b->oom)
        rc = job->split_wrong = 1;
    else if (add_batch(job->d, b, &job->failure))
        rc = -1;
    /* the chunk is in the panel: its input need not stay resident */
    pio_release(&job->d->file, job->starts[j], job->starts[j + 1]);
    batch_reset(b);
    return rc;
}

/* Parses the chunks (ahead, on `threads` threads; on the calling thread alone for one) and adds
 * them in order. Returns 0, 1 when a chunk did not end where the next one starts (a quote out of
 * place made the quote-parity split wrong: the caller starts again with one chunk), or -1. */
static int parse_and_add(panel_data *d, size_t n_chunks, size_t threads, sl_status *failure)
{
    size_t slots = sl_pipeline_slots((int)threads);
    add_job job = {.d = d, .n_chunks = n_chunks, .failure = SL_ERR_OUT_OF_MEMORY};
    size_t *starts = malloc((n_chunks + 1) * sizeof *starts);
    job.chunk_of = calloc(slots, sizeof *job.chunk_of);
    job.slot = calloc(slots, sizeof *job.slot);
    int rc = -1;
    if (starts && job.chunk_of && job.slot) {
        pio_split(&d->file, n_chunks, starts);
        job.starts = starts;
        sl_pipeline_ops ops = {&job, produce_chunk, parse_slot, add_slot};
        rc = sl_pipeline_run(&ops, slots, (int)threads) == 0 ? 0 : job.split_wrong ? 1 : -1;
    }
    for (size_t s = 0; job.slot && s < slots; s++)
        batch_free(&job.slot[s]);
    free(job.slot);
    free(job.chunk_of);
    free(starts);
    *failure = job.failure;
    return rc;
}

/* The rubric's tasks and labels, in its order, with each task's own adjudication. */
static sl_status add_rubric(sl_panel *pb, const sl_rubric *r)
{
    for (size_t t = 0; t < r->n_tasks; t++) {
        const sl_rubric_task *task = &r->tasks[t];
        sl_status st = sl_panel_add_task(pb, task->name, (const char *const *)task->labels,
                                         task->n_labels);
        if (st == SL_OK && task->adjudicate >= 0)
            st = sl_panel_set_adjudicate(pb, task->name, task->adjudicate);
        if (st != SL_OK)
            return st;
    }
    return SL_OK;
}

/* The conflicts the library resolved, as errors of the refused records. */
static int add_conflicts(panel_data *d)
{
    for (size_t i = 0; i < sl_panel_conflict_count(d->pb); i++) {
        sl_panel_conflict c;
        sl_panel_conflict_get(d->pb, i, &c);
        uint32_t code = c.status == SL_ERR_PANEL_DUPLICATE ? PE_DUPLICATE
                        : c.status == SL_ERR_PANEL_TASK_CONFLICT ? PE_TASK_CONFLICT
                                                                 : PE_GOLD_CONFLICT;
        uint32_t field = code == PE_DUPLICATE ? PIO_REVIEWER
                         : code == PE_TASK_CONFLICT ? PIO_TASK
                                                    : PIO_GOLD;
        if (errors_add(&d->errors, code, field, c.tag, c.other_tag))
            return -1;
    }
    return 0;
}

static int stop(char *err, size_t errlen, const char *what, sl_status st)
{
    snprintf(err, errlen, "%s: %s", what, sl_status_str(st));
    return st == SL_ERR_OUT_OF_MEMORY ? 71 : st == SL_ERR_ISA_UNKNOWN || st == SL_ERR_ISA_UNSUPPORTED
                                                 ? 78
                                                 : 70;
}

int panel_build(panel_data *d, const panel_options *opt, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    int loaded = opt->rubric_path ? sl_rubric_load(opt->rubric_path, &d->rubric, err, errlen) : 0;
    if (loaded)
        return loaded == -2 ? SL_EX_NOINPUT : SL_EX_DATAERR;
    int code;
    if (pio_open(&d->file, opt->in, err, errlen, &code))
        return code;
    size_t n_chunks = (d->file.size - d->file.body) / CHUNK_BYTES + 1;
    if (n_chunks < opt->threads)
        n_chunks = opt->threads;
    for (int attempt = 0; attempt < 2; attempt++) {
        sl_status st = sl_panel_create(&opt->panel, &d->pb);
        if (st == SL_OK)
            st = add_rubric(d->pb, &d->rubric);
        if (st != SL_OK)
            return stop(err, errlen, "rubric", st);
        sl_status failure = SL_ERR_OUT_OF_MEMORY;
        int rc = parse_and_add(d, attempt == 0 ? n_chunks : 1, attempt == 0 ? opt->threads : 1,
                               &failure);
        if (rc < 0)
            return stop(err, errlen, opt->in, failure);
        if (rc == 0)
            break;
        /* a chunk split inside a quoted field: parse it all again in one piece */
        sl_panel_free(d->pb);
        d->pb = NULL;
        d->errors.n = 0;
    }
    sl_status st = sl_panel_finish(d->pb);
    if (st != SL_OK)
        return stop(err, errlen, "panel", st);
    if (add_conflicts(d))
        return stop(err, errlen, "panel", SL_ERR_OUT_OF_MEMORY);
    return 0;
}

void panel_free(panel_data *d)
{
    sl_panel_free(d->pb);
    free(d->errors.e);
    sl_rubric_free(&d->rubric);
    pio_close(&d->file);
    memset(d, 0, sizeof *d);
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
static void label_list(const sl_rubric_task *task, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t l = 0; l < task->n_labels && o + 1 < cap; l++)
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
    /* the task of the record, for label messages (labels are unknown only with a rubric) */
    const sl_rubric_task *task = NULL;
    char task_name[160];
    field_value(d, e->offset, PIO_TASK, task_name, sizeof task_name);
    for (size_t t = 0; t < d->rubric.n_tasks && !task; t++) {
        char quoted[160];
        snprintf(quoted, sizeof quoted, "'%s'", d->rubric.tasks[t].name);
        if (strcmp(quoted, task_name) == 0)
            task = &d->rubric.tasks[t];
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
    /* a record refused for its task is reported for that alone: the library checked its gold
     * answer against its own task when it was added */
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!(l->e[i].code == PE_UNKNOWN_GOLD && i + 1 < l->n &&
              l->e[i + 1].offset == l->e[i].offset && l->e[i + 1].code == PE_TASK_CONFLICT))
            l->e[kept++] = l->e[i];
    l->n = kept;
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
