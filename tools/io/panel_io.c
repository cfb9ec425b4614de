/* Reading annotation files: see panel_io.h. */
#define _DEFAULT_SOURCE /* madvise (MADV_DONTNEED: posix_madvise ignores it on Linux) */
#include "panel_io.h"
#include "cli_util.h"
#include "csv.h"
#include "json.h"
#include "panel_json.h"
#include "numtext.h"
#include "utf8.h"

#include <errno.h>
#include <limits.h>
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
                sl_guard_mapping(p, f->size, path); /* truncated underneath: a message, no crash */
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

/* Reads the CSV header record (csv.h: quoted names allowed, names trimmed) into columns. */
static int read_header(pio_file *f, char *err, size_t errlen)
{
    size_t p = f->size >= 3 && memcmp(f->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* UTF-8 BOM */
    for (int i = 0; i < PIO_NFIELDS; i++)
        f->col[i] = -1;
    sl_csv_record rec;
    size_t pos = p;
    if (!sl_csv_next_record(f->data, f->size, &pos, NULL, 0, &rec)) {
        snprintf(err, errlen, "%s:1: no header", f->path);
        return -1;
    }
    sl_csv_field *fields = rec.error || rec.nfields > INT_MAX ? NULL : malloc(rec.nfields * sizeof *fields);
    if (!fields) {
        snprintf(err, errlen, "%s:1: %s", f->path, rec.error ? rec.error : "out of memory");
        return -1;
    }
    pos = p;
    sl_csv_next_record(f->data, f->size, &pos, fields, rec.nfields, &rec);
    f->columns = (int)rec.nfields;
    f->body = pos;
    for (int c = 0; c < f->columns; c++) {
        char name[64];
        const char *bad = sl_csv_header_name(&fields[c], name, sizeof name);
        if (bad && fields[c].len < sizeof name) { /* a long name is no field's name: not an error */
            snprintf(err, errlen, "%s:1: column %d: %s", f->path, c + 1, bad);
            free(fields);
            return -1;
        }
        for (int i = 0; i < PIO_NFIELDS && !bad; i++) {
            if (strcmp(name, pio_field_names[i]))
                continue;
            if (f->col[i] >= 0) {
                snprintf(err, errlen, "%s:1: column '%s' appears twice in the header", f->path,
                         pio_field_names[i]);
                free(fields);
                return -1;
            }
            f->col[i] = c;
        }
    }
    free(fields);
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
    size_t first = f->size >= 3 && memcmp(f->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* UTF-8 BOM */
    f->body = first;
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
    if (f->mapped) {
        sl_guard_mapping(NULL, 0, NULL);
        munmap((void *)f->data, f->size);
    }
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
    free(r->scratch);
    free(r->fields);
    memset(r, 0, sizeof *r); /* as pio_reader_init leaves it, reading nothing */
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

/* The end of the blank line (nothing but spaces, tabs and a CR) that starts at p, or p. */
static size_t blank_line_end(const pio_file *f, size_t p)
{
    char c = p < f->size ? f->data[p] : '\n';
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
        return p; /* the common case, without looking for the line's end */
    const char *nl = p < f->size ? memchr(f->data + p, '\n', f->size - p) : NULL;
    size_t end = nl ? (size_t)(nl - f->data) : f->size;
    if (!sl_csv_is_blank(f->data + p, end - p))
        return p;
    return nl ? end + 1 : end;
}

/* The fields of a record split by csv.h into rec. Returns 1, or -1 (message set). */
static int csv_fields(pio_reader *r, pio_record *rec, const sl_csv_record *cr)
{
    const pio_file *f = r->f;
    if (cr->error)
        return refuse(r, "%s (field %zu)", cr->error, cr->error_field);
    if (cr->nfields != (size_t)f->columns)
        return refuse(r, "expected %d fields as in the header, found %zu", f->columns, cr->nfields);
    size_t at[PIO_NFIELDS], used = 0;
    for (int i = 0; i < PIO_NFIELDS; i++) {
        at[i] = SIZE_MAX;
        pio_value *v = &rec->f[i];
        if (f->col[i] < 0) {
            *v = (pio_value){NULL, 0, 0.0, PV_ABSENT};
            continue;
        }
        const struct sl_csv_field *c = &r->fields[f->col[i]];
        *v = (pio_value){c->p, c->len, 0.0, !c->quoted && c->len == 0 ? PV_NULL : PV_STR};
        if (!c->quoted || !memchr(c->p, '"', c->len))
            continue;
        if (i == PIO_EVIDENCE) {
            v->kind = PV_CSVQ; /* the JSON writer undoes "" itself */
            continue;
        }
        at[i] = used; /* "" undone into the scratch area */
        for (size_t j = 0; j < c->len; j++) {
            if (c->p[j] == '"')
                j++;
            if (scratch_put(r, &used, c->p + j, 1) == SIZE_MAX)
                return refuse(r, "out of memory");
        }
        v->len = used - at[i];
    }
    fix_scratch_values(r, rec, at);
    return 1;
}

static int csv_next(pio_reader *r, pio_record *rec)
{
    const pio_file *f = r->f;
    size_t p = r->pos, q;
    while (p < r->end && (q = blank_line_end(f, p)) != p)
        p = q;
    r->pos = p;
    if (p >= r->end)
        return 0;
    if (!r->fields) {
        r->fields = malloc((size_t)f->columns * sizeof *r->fields);
        if (!r->fields)
            return refuse(r, "out of memory");
    }
    memset(rec, 0, sizeof *rec);
    rec->offset = p;
    sl_csv_record cr;
    /* quote-free records (the common case) in one SIMD pass, the others by the general parser */
    if (!sl_csv_next_plain_record(f->data, f->size, &r->pos, r->fields, (size_t)f->columns, &cr))
        sl_csv_next_record(f->data, f->size, &r->pos, r->fields, (size_t)f->columns, &cr);
    return csv_fields(r, rec, &cr);
}

/* The text a JSON number gives an id: an integer as its decimal digits (-0 as 0), any other
 * number as printf's %.15g (or the first of %.16g, %.17g that reads back exactly). */
static size_t number_text(const char *s, size_t len, double x, char num[40])
{
    char digits[24];
    if (len < sizeof digits && !memchr(s, '.', len) && !memchr(s, 'e', len) && !memchr(s, 'E', len)) {
        memcpy(digits, s, len);
        digits[len] = '\0';
        errno = 0;
        long long v = strtoll(digits, NULL, 10);
        if (errno == 0)
            return (size_t)snprintf(num, 40, "%lld", v);
    }
    return sl_format_f64_g15(x, num);
}

/* One JSON member's value into a field. Returns 0, or -1 for a value the field cannot hold. */
static int json_field(pio_reader *r, int field, const sl_json_member *m, pio_value *out,
                      size_t *used, size_t *at)
{
    switch (m->type) {
    case SL_JSON_NULL:
        out->kind = PV_NULL;
        return 0;
    case SL_JSON_STRING:
        out->kind = PV_STR;
        out->s = m->value + 1;
        out->len = m->value_len - 2;
        if (!memchr(out->s, '\\', out->len))
            return 0; /* used where it is */
        at[field] = scratch_put(r, used, out->s, out->len);
        if (at[field] == SIZE_MAX)
            return refuse(r, "out of memory");
        out->len = sl_json_unescape(r->scratch + at[field], out->len, r->scratch + at[field]);
        *used = at[field] + out->len;
        if (memchr(r->scratch + at[field], '\0', out->len))
            return refuse(r, "'%s' holds a NUL character (\\u0000)", pio_field_names[field]);
        return 0;
    case SL_JSON_TRUE:
    case SL_JSON_FALSE:
        out->kind = PV_BOOL;
        out->num = m->type == SL_JSON_TRUE;
        return 0;
    case SL_JSON_NUMBER: {
        out->kind = PV_NUM;
        sl_parse_f64(m->value, m->value_len, &out->num); /* the scanner checked its grammar */
        char num[40];
        size_t n = number_text(m->value, m->value_len, out->num, num);
        at[field] = scratch_put(r, used, num, n); /* its text, for ids given as numbers */
        if (at[field] == SIZE_MAX)
            return refuse(r, "out of memory");
        out->len = n;
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
        sl_json_iter it;
        sl_json_member m[PIO_NFIELDS];
        if (sl_json_pick(&it, d + p, len, SL_JSON_UTF8, pio_field_names, PIO_NFIELDS, m))
            return refuse(r, "invalid JSON: %s (column %zu)", it.error, it.error_offset + 1);
        size_t at[PIO_NFIELDS], used = 0;
        for (int i = 0; i < PIO_NFIELDS; i++)
            at[i] = SIZE_MAX;
        for (int i = 0; i < PIO_NFIELDS; i++) {
            if (!m[i].value)
                rec->f[i].kind = PV_ABSENT;
            else if (json_field(r, i, &m[i], &rec->f[i], &used, at))
                return -1;
        }
        fix_scratch_values(r, rec, at);
        return 1;
    }
}

/* Text fields reach JSON outputs: each must be UTF-8 without a NUL byte (which jansson, and so
 * `eval`, cannot read back in an object key). Returns 1, or -1 (message set). */
static int check_text(pio_reader *r, const pio_record *rec)
{
    for (int i = 0; i < PIO_NFIELDS; i++) {
        const pio_value *v = &rec->f[i];
        if (v->kind != PV_STR && v->kind != PV_CSVQ)
            continue;
        size_t bad = sl_utf8_text_invalid_at(v->s, v->len);
        if (bad == v->len)
            continue;
        char field[32] = "";
        if (r->f->format == PIO_CSV)
            snprintf(field, sizeof field, " (field %d)", r->f->col[i] + 1);
        size_t at = bad; /* the position in the value with "" undone, as other fields count */
        for (size_t j = 0; v->kind == PV_CSVQ && j < bad; j++)
            if (v->s[j] == '"') { /* the first of a "" pair */
                at--;
                j++;
            }
        if (v->s[bad] == '\0')
            return refuse(r, "column '%s'%s: a NUL byte at byte %zu of the value",
                          pio_field_names[i], field, at + 1);
        return refuse(r, "column '%s'%s: not UTF-8 text: byte 0x%02X at byte %zu of the value",
                      pio_field_names[i], field, (unsigned char)v->s[bad], at + 1);
    }
    return 1;
}

int pio_next(pio_reader *r, pio_record *rec)
{
    r->message[0] = '\0';
    int got = r->f->format == PIO_CSV ? csv_next(r, rec) : jsonl_next(r, rec);
    return got == 1 ? check_text(r, rec) : got;
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
