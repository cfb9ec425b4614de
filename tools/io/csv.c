#define _GNU_SOURCE /* memrchr */
#include "csv.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cli_util.h"

size_t sl_csv_last_boundary(const char *s, size_t n)
{
    const char *first_quote = memchr(s, '"', n);
    if (!first_quote) {
        const char *nl = memrchr(s, '\n', n);
        return nl ? (size_t)(nl - s) + 1 : 0;
    }
    /* Walk from quote to quote; newlines count only in the stretches outside quotes. */
    size_t boundary = 0, pos = 0;
    bool in_quotes = false;
    for (;;) {
        const char *q = memchr(s + pos, '"', n - pos);
        size_t stop = q ? (size_t)(q - s) : n;
        if (!in_quotes) {
            const char *nl = memrchr(s + pos, '\n', stop - pos);
            if (nl)
                boundary = (size_t)(nl - s) + 1;
        }
        if (!q)
            return boundary;
        in_quotes = !in_quotes;
        pos = stop + 1;
    }
}

/* Scans on from s[pos] with the given quote state to the end of the record (a '\n' outside
 * quotes, or n), counting newlines inside quotes; used once a record is known to be malformed, so
 * that it ends exactly where sl_csv_last_boundary would end it. Returns the '\n' offset or n. */
static size_t skip_to_record_end(const char *s, size_t n, size_t pos, bool in_quotes,
                                 size_t *inner_newlines)
{
    for (; pos < n; pos++) {
        if (s[pos] == '"')
            in_quotes = !in_quotes;
        else if (s[pos] == '\n') {
            if (!in_quotes)
                return pos;
            (*inner_newlines)++;
        }
    }
    return n;
}

/* Stores field number idx (0-based) if there is room. */
static void store_field(sl_csv_field *fields, size_t max_fields, size_t idx, const char *p,
                        size_t len, bool quoted)
{
    if (idx < max_fields)
        fields[idx] = (sl_csv_field){p, len, quoted};
}

/* Sets the record's terminator from the '\n' at s[nl] (or n when there is none). */
static void finish_record(const char *s, size_t n, size_t start, size_t nl, sl_csv_record *rec)
{
    size_t end = nl;
    rec->term_len = nl < n ? 1 : 0;
    if (nl < n && end > start && s[end - 1] == '\r') {
        end--;
        rec->term_len = 2;
    }
    rec->raw = s + start;
    rec->raw_len = end - start;
    rec->newlines += nl < n;
}

/* Ends the field that runs from *field_start to c. */
static void end_field(sl_csv_field *fields, size_t max_fields, size_t *field,
                      const char **field_start, const char *c)
{
    store_field(fields, max_fields, (*field)++, *field_start, (size_t)(c - *field_start), false);
    *field_start = c + 1;
}

/* Ends the record at the '\n' at nl. */
static void end_plain_record(const char *s, size_t start, const char *nl, const char *field_start,
                             sl_csv_field *fields, size_t max_fields, size_t field, size_t *pos,
                             sl_csv_record *rec)
{
    const char *end = nl > s + start && nl[-1] == '\r' ? nl - 1 : nl;
    store_field(fields, max_fields, field++, field_start, (size_t)(end - field_start), false);
    *rec = (sl_csv_record){.raw = s + start, .raw_len = (size_t)(end - s) - start,
                           .term_len = (size_t)(nl - end) + 1, .newlines = 1, .nfields = field};
    *pos = (size_t)(nl - s) + 1;
}

bool sl_csv_next_plain_record(const char *s, size_t n, size_t *pos, sl_csv_field *fields,
                              size_t max_fields, sl_csv_record *rec)
{
    size_t start = *pos, field = 0;
    const char *p = s + start, *limit = s + n, *field_start = p;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), newline = _mm_set1_epi8('\n'), quote = _mm_set1_epi8('"');
    for (; p + 16 <= limit; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned commas = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma));
        unsigned newlines = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, newline));
        unsigned quotes = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote));
        unsigned before = newlines ? (newlines & -newlines) - 1 : 0xFFFFu; /* bytes before the '\n' */
        if (quotes & before)
            return false;
        for (commas &= before; commas; commas &= commas - 1)
            end_field(fields, max_fields, &field, &field_start, p + __builtin_ctz(commas));
        if (newlines) {
            end_plain_record(s, start, p + __builtin_ctz(newlines), field_start, fields, max_fields,
                             field, pos, rec);
            return true;
        }
    }
#endif
    for (; p < limit; p++) {
        if (*p == ',')
            end_field(fields, max_fields, &field, &field_start, p);
        else if (*p == '"')
            return false;
        else if (*p == '\n') {
            end_plain_record(s, start, p, field_start, fields, max_fields, field, pos, rec);
            return true;
        }
    }
    return false;
}

bool sl_csv_next_record(const char *s, size_t n, size_t *pos, sl_csv_field *fields,
                        size_t max_fields, sl_csv_record *rec)
{
    size_t start = *pos, i = start, field = 0;
    if (start >= n)
        return false;
    if (sl_csv_next_plain_record(s, n, pos, fields, max_fields, rec))
        return true;
    *rec = (sl_csv_record){0};
    for (;;) {
        if (i < n && s[i] == '"') {
            /* quoted field: runs to the next lone quote */
            size_t open = i++;
            for (;;) {
                const char *q = memchr(s + i, '"', n - i);
                for (const char *c = s + i; c < (q ? q : s + n); c++)
                    rec->newlines += *c == '\n';
                if (!q) {
                    rec->error = "unterminated quoted field";
                    rec->error_field = field + 1;
                    rec->nfields = field + 1;
                    finish_record(s, n, start, n, rec);
                    *pos = n;
                    return true;
                }
                i = (size_t)(q - s) + 1;
                if (i < n && s[i] == '"') {
                    i++;
                    continue;
                }
                break;
            }
            store_field(fields, max_fields, field, s + open + 1, i - open - 2, true);
            bool at_end = i >= n || s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n');
            if (!at_end && s[i] != ',') {
                rec->error = "unexpected character after a closing quote";
                rec->error_field = field + 1;
                size_t nl = skip_to_record_end(s, n, i, false, &rec->newlines);
                rec->nfields = field + 1;
                finish_record(s, n, start, nl, rec);
                *pos = nl < n ? nl + 1 : n;
                return true;
            }
        } else {
            /* unquoted field: runs to the next comma or newline; a quote in it is an error */
            size_t f0 = i;
            while (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '"')
                i++;
            if (i < n && s[i] == '"') {
                rec->error = "quote inside an unquoted field";
                rec->error_field = field + 1;
                size_t nl = skip_to_record_end(s, n, i + 1, true, &rec->newlines);
                rec->nfields = field + 1;
                finish_record(s, n, start, nl, rec);
                *pos = nl < n ? nl + 1 : n;
                return true;
            }
            size_t f1 = i;
            if (i < n && s[i] == '\n' && f1 > f0 && s[f1 - 1] == '\r')
                f1--;
            store_field(fields, max_fields, field, s + f0, f1 - f0, false);
        }
        field++;
        if (i < n && s[i] == ',') {
            i++;
            continue;
        }
        /* end of record: '\n', "\r\n" or end of data */
        if (i < n && s[i] == '\r')
            i++;
        rec->nfields = field;
        finish_record(s, n, start, i, rec);
        *pos = i < n ? i + 1 : n;
        return true;
    }
}

void sl_csv_unquote(const sl_csv_field *f, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < f->len && o + 1 < cap; i++) {
        out[o++] = f->p[i];
        if (f->quoted && f->p[i] == '"' && i + 1 < f->len && f->p[i + 1] == '"')
            i++;
    }
    out[o] = '\0';
}

int sl_csv_append_field(sl_buf *b, const char *text, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = text[i] == ',' || text[i] == '"' || text[i] == '\r' || text[i] == '\n';
    if (!quote)
        return sl_buf_append(b, text, n);
    if (sl_buf_reserve(b, 2 * n + 2))
        return -1;
    b->data[b->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"')
            b->data[b->len++] = '"';
        b->data[b->len++] = text[i];
    }
    b->data[b->len++] = '"';
    return 0;
}
