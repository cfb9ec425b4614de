/* Reading annotation files: see panel_io.h. */
#define _DEFAULT_SOURCE /* madvise (MADV_DONTNEED: posix_madvise ignores it on Linux) */
#include "panel_io.h"
#include "cli_util.h"
#include "csv.h"
#include "panel_json.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const pio_field_names[PIO_NFIELDS] = {
    "item_id", "task", "reviewer", "label", "confidence", "evidence", "error", "gold",
};

/* Reads a whole non-regular file (a pipe) into memory. */
static int read_all(int fd, pio_file *f)
{
    size_t cap = 1 << 20, len = 0;
    char *p = malloc(cap);
    for (;;) {
        if (!p)
            return -1;
        if (len == cap) {
            char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                return -1;
            }
            p = q;
            cap *= 2;
        }
        ssize_t got = read(fd, p + len, cap - len);
        if (got < 0) {
            free(p);
            return -1;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    f->data = p;
    f->size = len;
    f->mapped = 0;
    return 0;
}

static int map_file(const char *path, pio_file *f)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        f->size = (size_t)st.st_size;
        f->mapped = 1;
        if (f->size == 0) {
            f->data = "";
            f->mapped = 0;
            rc = 0;
        } else {
            void *p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p != MAP_FAILED) {
                posix_madvise(p, f->size, POSIX_MADV_SEQUENTIAL);
                f->data = p;
                rc = 0;
            }
        }
    } else if (fstat(fd, &st) == 0) {
        rc = read_all(fd, f);
    }
    if (fd != STDIN_FILENO)
        close(fd);
    return rc;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Splits the CSV header line (no quoting expected, but quoted names are accepted) into columns. */
static int read_header(pio_file *f, char *err, size_t errlen)
{
    const char *d = f->data;
    size_t p = 0;
    if (f->size >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
        p = 3; /* UTF-8 byte-order mark */
    for (int i = 0; i < PIO_NFIELDS; i++)
        f->col[i] = -1;
    int col = 0;
    for (;;) {
        size_t start = p;
        while (p < f->size && d[p] != ',' && d[p] != '\n')
            p++;
        size_t len = p - start;
        if (len && d[start + len - 1] == '\r')
            len--;
        if (len >= 2 && d[start] == '"' && d[start + len - 1] == '"') {
            start++;
            len -= 2;
        }
        for (int i = 0; i < PIO_NFIELDS; i++) {
            if (strlen(pio_field_names[i]) != len || memcmp(d + start, pio_field_names[i], len))
                continue;
            if (f->col[i] >= 0) {
                snprintf(err, errlen, "%s:1: column '%s' appears twice in the header", f->path,
                         pio_field_names[i]);
                return -1;
            }
            f->col[i] = col;
        }
        col++;
        if (p >= f->size || d[p] == '\n')
            break;
        p++;
    }
    f->columns = col;
    f->body = p < f->size ? p + 1 : p;
    f->field_of = malloc((size_t)col);
    if (!f->field_of) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memset(f->field_of, -1, (size_t)col);
    for (int i = 0; i < PIO_NFIELDS; i++)
        if (f->col[i] >= 0)
            f->field_of[f->col[i]] = (signed char)i;
    for (int i = 0; i <= PIO_LABEL; i++)
        if (f->col[i] < 0) {
            snprintf(err, errlen,
                     "%s:1: the header has no column '%s' (required: item_id, task, reviewer, "
                     "label; optional: confidence, evidence, error, gold)",
                     f->path, pio_field_names[i]);
            return -1;
        }
    return 0;
}

int pio_open(pio_file *f, const char *path, char *err, size_t errlen, int *code)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    if (map_file(path, f)) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        *code = SL_EX_NOINPUT;
        return -1;
    }
    size_t first = 0;
    while (first < f->size && strchr(" \t\r\n", f->data[first]))
        first++;
    int jsonl = has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson") ||
                has_suffix(path, ".json") || (first < f->size && f->data[first] == '{');
    f->format = jsonl ? PIO_JSONL : PIO_CSV;
    if (f->format == PIO_CSV && f->size == 0) {
        snprintf(err, errlen, "%s: empty file (a CSV file needs a header line)", path);
        *code = SL_EX_DATAERR;
        return -1;
    }
    if (f->format == PIO_CSV && read_header(f, err, errlen)) {
        *code = SL_EX_DATAERR;
        return -1;
    }
    return 0;
}

void pio_close(pio_file *f)
{
    free(f->field_of);
    f->field_of = NULL;
    if (f->mapped)
        munmap((void *)f->data, f->size);
    else if (f->size)
        free((void *)f->data);
    f->data = NULL;
}

void pio_release(const pio_file *f, size_t from, size_t to)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t base = (uintptr_t)f->data;
    uintptr_t lo = (base + from + page - 1) / page * page, hi = (base + to) / page * page;
    if (f->mapped && lo < hi)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* The first position after the line break that ends the line holding pos, or the file's end. */
static size_t after_newline(const pio_file *f, size_t pos)
{
    const char *nl = pos < f->size ? memchr(f->data + pos, '\n', f->size - pos) : NULL;
    return nl ? (size_t)(nl - f->data) + 1 : f->size;
}

/* CSV: a record boundary at or after target, found with the quote parity from `from` (where the
 * parity is *in_quote). A quote toggles the state ("" toggles twice), so a newline met outside
 * quotes ends a record in any well-formed file; the caller checks the split afterwards. */
static size_t csv_boundary(const pio_file *f, size_t from, size_t target, int *in_quote)
{
    const char *d = f->data;
    size_t pos = from;
    while (pos < target) {
        const char *q = memchr(d + pos, '"', target - pos);
        if (!q)
            break;
        *in_quote ^= 1;
        pos = (size_t)(q - d) + 1;
    }
    for (pos = target; pos < f->size; pos++) {
        if (d[pos] == '"')
            *in_quote ^= 1;
        else if (d[pos] == '\n' && !*in_quote)
            return pos + 1;
    }
    return f->size;
}

void pio_split(const pio_file *f, size_t n, size_t *starts)
{
    size_t span = f->size - f->body;
    starts[0] = f->body;
    int in_quote = 0;
    for (size_t i = 1; i < n; i++) {
        size_t target = f->body + span / n * i;
        if (target < starts[i - 1])
            target = starts[i - 1];
        if (f->format == PIO_JSONL)
            starts[i] = target == f->body ? target : after_newline(f, target - 1);
        else
            starts[i] = csv_boundary(f, starts[i - 1], target, &in_quote);
        if (starts[i] < starts[i - 1])
            starts[i] = starts[i - 1];
    }
    starts[n] = f->size;
}

void pio_reader_init(pio_reader *r, const pio_file *f, size_t start, size_t end)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->pos = start;
    r->end = end;
}

void pio_reader_free(pio_reader *r)
{
    if (r->json)
        json_decref(r->json);
    free(r->scratch);
    free(r->fields);
    r->json = NULL;
    r->scratch = NULL;
    r->fields = NULL;
}

/* Appends bytes to the scratch area; returns their offset there (SIZE_MAX when out of memory). */
static size_t scratch_put(pio_reader *r, size_t *used, const char *s, size_t len)
{
    if (*used + len + 1 > r->scratch_cap) {
        size_t cap = r->scratch_cap ? r->scratch_cap : 256;
        while (cap < *used + len + 1)
            cap *= 2;
        char *p = realloc(r->scratch, cap);
        if (!p)
            return SIZE_MAX;
        r->scratch = p;
        r->scratch_cap = cap;
    }
    memcpy(r->scratch + *used, s, len);
    size_t at = *used;
    *used += len;
    return at;
}

/* Values kept in the scratch area are known by their offset there until the record is complete
 * (the area may move while it grows); this points them at their bytes. at[i] == SIZE_MAX: the
 * value is not in the scratch area. */
static void fix_scratch_values(pio_reader *r, pio_record *rec, const size_t *at)
{
    for (int i = 0; i < PIO_NFIELDS; i++)
        if (at[i] != SIZE_MAX)
            rec->f[i].s = r->scratch + at[i];
}

/* Records why the current record is refused; returns -1. */
static int refuse(pio_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(pio_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* One CSV field starting at p: its content [*s, *s + *len), whether quoted, whether it holds "".
 * Returns the position of its delimiter (',' or the line break, or the file's end), or SIZE_MAX
 * for a malformed field (message set). */
static size_t csv_field(pio_reader *r, size_t p, size_t *s, size_t *len, int *quoted, int *escaped)
{
    const char *d = r->f->data;
    size_t end = r->f->size;
    *quoted = *escaped = 0;
    if (p < end && d[p] == '"') {
        *quoted = 1;
        size_t q = p + 1;
        for (;;) {
            const char *close = q < end ? memchr(d + q, '"', end - q) : NULL;
            if (!close) {
                refuse(r, "a quoted field is never closed (no closing quote before the end of "
                          "the file)");
                return SIZE_MAX;
            }
            size_t c = (size_t)(close - d);
            if (c + 1 < end && d[c + 1] == '"') {
                *escaped = 1;
                q = c + 2;
                continue;
            }
            *s = p + 1;
            *len = c - p - 1;
            p = c + 1;
            break;
        }
        if (p < end && d[p] == '\r' && p + 1 < end && d[p + 1] == '\n')
            return p;
        if (p < end && d[p] != ',' && d[p] != '\n') {
            refuse(r, "unexpected character '%c' after a closing quote", d[p]);
            return SIZE_MAX;
        }
        return p;
    }
    size_t start = p;
    while (p < end && d[p] != ',' && d[p] != '\n') {
        if (d[p] == '"') {
            refuse(r, "a quote inside an unquoted field (quote the whole field and double the "
                      "quote)");
            return SIZE_MAX;
        }
        p++;
    }
    *s = start;
    *len = p - start;
    if (p < end && d[p] == '\n' && *len && d[p - 1] == '\r')
        (*len)--;
    return p;
}

/* Skips to the end of the current CSV line (after a malformed field). */
static size_t csv_skip_record(const pio_file *f, size_t p)
{
    return after_newline(f, p);
}

/* A quote-free record at p, split by csv.h: 1 (rec filled), -1 when its field count is wrong,
 * or 0 when the record holds a quote or has no line break (the general parser takes it). */
static int csv_plain_next(pio_reader *r, pio_record *rec, size_t p)
{
    const pio_file *f = r->f;
    if (!r->fields) {
        r->fields = malloc((size_t)f->columns * sizeof *r->fields);
        if (!r->fields)
            return 0;
    }
    sl_csv_record cr;
    size_t pos = p;
    if (!sl_csv_next_plain_record(f->data, f->size, &pos, r->fields, (size_t)f->columns, &cr))
        return 0;
    r->pos = pos;
    if (cr.nfields != (size_t)f->columns)
        return refuse(r, "expected %d fields as in the header, found %zu", f->columns,
                      cr.nfields);
    for (int i = 0; i < PIO_NFIELDS; i++) {
        pio_value *v = &rec->f[i];
        if (f->col[i] < 0) {
            *v = (pio_value){NULL, 0, 0.0, PV_ABSENT};
        } else {
            const struct sl_csv_field *c = &r->fields[f->col[i]];
            *v = (pio_value){c->p, c->len, 0.0, c->len ? PV_STR : PV_NULL};
        }
    }
    return 1;
}

static int csv_next(pio_reader *r, pio_record *rec)
{
    const pio_file *f = r->f;
    const char *d = f->data;
    size_t p = r->pos;
    while (p < r->end && (d[p] == '\n' || (d[p] == '\r' && p + 1 < f->size && d[p + 1] == '\n')))
        p += d[p] == '\r' ? 2 : 1; /* blank lines */
    if (p >= r->end)
        return 0;
    rec->offset = p;
    int plain = csv_plain_next(r, rec, p);
    if (plain)
        return plain;
    memset(rec, 0, sizeof *rec);
    rec->offset = p;
    size_t at[PIO_NFIELDS], used = 0;
    for (int i = 0; i < PIO_NFIELDS; i++)
        at[i] = SIZE_MAX;
    int col = 0;
    for (;;) {
        size_t s, len;
        int quoted, escaped;
        size_t delim = csv_field(r, p, &s, &len, &quoted, &escaped);
        if (delim == SIZE_MAX) {
            r->pos = csv_skip_record(f, p);
            return -1;
        }
        int i = col < f->columns ? f->field_of[col] : -1;
        if (i >= 0) {
            pio_value *v = &rec->f[i];
            v->s = d + s;
            v->len = len;
            v->kind = !quoted && len == 0 ? PV_NULL : PV_STR;
            if (escaped && i == PIO_EVIDENCE) {
                v->kind = PV_CSVQ;
            } else if (escaped) { /* unescape "" into the scratch area */
                at[i] = used;
                for (size_t j = 0; j < len; j++) {
                    if (d[s + j] == '"')
                        j++;
                    if (scratch_put(r, &used, d + s + j, 1) == SIZE_MAX)
                        return refuse(r, "out of memory");
                }
                v->len = used - at[i];
            }
        }
        col++;
        p = delim;
        if (p >= f->size)
            break;
        if (d[p] == ',') {
            p++;
            continue;
        }
        p += d[p] == '\r' ? 2 : 1; /* the line break */
        break;
    }
    r->pos = p;
    fix_scratch_values(r, rec, at);
    if (col != f->columns)
        return refuse(r, "expected %d fields as in the header, found %d", f->columns, col);
    return 1;
}

/* One JSON value into a field. Returns 0, or -1 for a value of the wrong type. */
static int json_field(pio_reader *r, int field, json_t *v, pio_value *out, size_t *used,
                      size_t *at)
{
    if (!v) {
        out->kind = PV_ABSENT;
        return 0;
    }
    char num[40];
    switch (json_typeof(v)) {
    case JSON_NULL:
        out->kind = PV_NULL;
        return 0;
    case JSON_STRING:
        out->kind = PV_STR;
        out->s = json_string_value(v);
        out->len = json_string_length(v);
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        out->kind = PV_BOOL;
        out->num = json_is_true(v);
        return 0;
    case JSON_INTEGER:
    case JSON_REAL: {
        out->kind = PV_NUM;
        out->num = json_number_value(v);
        int n = json_is_integer(v) ? snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
                                              json_integer_value(v))
                                   : (int)sl_format_double(num, out->num);
        /* its text, for ids given as numbers */
        at[field] = scratch_put(r, used, num, (size_t)n);
        if (at[field] == SIZE_MAX)
            return refuse(r, "out of memory");
        out->len = (size_t)n;
        return 0;
    }
    default:
        return refuse(r, "'%s' must be a string, a number, a boolean or null",
                      pio_field_names[field]);
    }
}

static int jsonl_next(pio_reader *r, pio_record *rec)
{
    const pio_file *f = r->f;
    const char *d = f->data;
    for (;;) {
        if (r->pos >= r->end)
            return 0;
        size_t p = r->pos, next = after_newline(f, p);
        size_t len = next - p;
        r->pos = next;
        size_t blank = 0;
        while (blank < len && strchr(" \t\r\n", d[p + blank]))
            blank++;
        if (blank == len)
            continue;
        memset(rec, 0, sizeof *rec);
        rec->offset = p;
        if (r->json)
            json_decref(r->json);
        json_error_t jerr;
        r->json = json_loadb(d + p, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!r->json)
            return refuse(r, "invalid JSON: %s (column %ld)", jerr.text, (long)jerr.column);
        if (!json_is_object(r->json))
            return refuse(r, "not a JSON object");
        size_t at[PIO_NFIELDS], used = 0;
        for (int i = 0; i < PIO_NFIELDS; i++)
            at[i] = SIZE_MAX;
        for (int i = 0; i < PIO_NFIELDS; i++)
            if (json_field(r, i, json_object_get(r->json, pio_field_names[i]), &rec->f[i], &used,
                           at))
                return -1;
        fix_scratch_values(r, rec, at);
        return 1;
    }
}

int pio_next(pio_reader *r, pio_record *rec)
{
    r->message[0] = '\0';
    return r->f->format == PIO_CSV ? csv_next(r, rec) : jsonl_next(r, rec);
}

void pio_lines(const pio_file *f, const size_t *off, size_t n, size_t *lines)
{
    size_t pos = 0, line = 1, released = 0;
    for (size_t i = 0; i < n; i++) {
        while (pos < off[i]) {
            const char *nl = memchr(f->data + pos, '\n', off[i] - pos);
            if (!nl) {
                pos = off[i];
                break;
            }
            line++;
            pos = (size_t)(nl - f->data) + 1;
            if (pos - released >= PIO_RELEASE_STEP) {
                pio_release(f, released, pos);
                released = pos;
            }
        }
        lines[i] = line;
    }
}
