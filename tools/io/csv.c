#define _GNU_SOURCE /* memrchr */
#include "csv.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cli_util.h"

/* Where a malformed record that starts at s[start] ends: just past its first line's '\n', or at n
 * (SIZE_MAX when that line is not complete yet and more data may follow). */
static size_t first_line_end(const char *s, size_t n, size_t start, bool eof)
{
    const char *nl = memchr(s + start, '\n', n - start);
    return nl ? (size_t)(nl - s) + 1 : eof ? n : SIZE_MAX;
}

/* Where the record that starts at s[start] ends (just past its terminator, or n at the end of
 * data), by the same rules as sl_csv_next_record; SIZE_MAX when the data so far does not decide
 * it. *seen: how far the parser has to read to reach the same decision. That is the record's end,
 * except for a malformed record: it ends with its first line, but what makes it malformed (a stray
 * quote, the byte after a closing quote, a quote open up to the end of data) may lie further on.
 * Jumps from quote to quote and line to line, without looking at the fields. */
static size_t record_end(const char *s, size_t n, size_t start, bool eof, size_t *seen)
{
    size_t i = start;
    for (;;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t stop = nl ? (size_t)(nl - s) : n;
        const char *q = memchr(s + i, '"', stop - i);
        if (!q)
            return *seen = nl ? stop + 1 : eof ? n : SIZE_MAX;
        size_t open = (size_t)(q - s);
        if (open != start && s[open - 1] != ',') { /* a quote inside an unquoted field */
            *seen = open + 1;
            return first_line_end(s, n, start, eof);
        }
        size_t c = open + 1; /* the closing quote: the next one not doubled */
        for (;;) {
            const char *close = memchr(s + c, '"', n - c);
            if (!close) {
                *seen = n;
                return eof ? first_line_end(s, n, start, eof) : SIZE_MAX;
            }
            c = (size_t)(close - s) + 1;
            if (c < n && s[c] == '"') {
                c++;
                continue;
            }
            break;
        }
        if (c >= n || (s[c] == '\r' && c + 1 >= n))
            return *seen = eof ? n : SIZE_MAX;
        if (s[c] == ',') {
            i = c + 1;
            continue;
        }
        if (s[c] == '\n')
            return *seen = c + 1;
        if (s[c] == '\r' && s[c + 1] == '\n')
            return *seen = c + 2;
        *seen = s[c] == '\r' ? c + 2 : c + 1; /* something after a closing quote */
        return first_line_end(s, n, start, eof);
    }
}

size_t sl_csv_chunk_end(const char *s, size_t n, bool eof)
{
    if (!memchr(s, '"', n)) { /* the common case: every line is a record */
        const char *nl = memrchr(s, '\n', n);
        return eof ? n : nl ? (size_t)(nl - s) + 1 : 0;
    }
    /* A cut must also leave in the chunk every byte its records were judged by, or the parser,
     * seeing less, would give a malformed record another reason than a longer chunk does. */
    size_t pos = 0, cut = 0, needed = 0;
    while (pos < n) {
        size_t seen, end = record_end(s, n, pos, eof, &seen);
        if (end == SIZE_MAX)
            break;
        pos = end;
        if (seen > needed)
            needed = seen;
        if (pos >= needed)
            cut = pos;
    }
    return cut;
}

size_t sl_csv_first_line_end(const char *s, size_t n)
{
    size_t end = first_line_end(s, n, 0, false);
    return end == SIZE_MAX ? 0 : end;
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

/* Ends a malformed record at the end of its first line: the next line is read as a record again. */
static bool malformed(const char *s, size_t n, size_t start, size_t field, const char *what,
                      size_t *pos, sl_csv_record *rec)
{
    size_t end = first_line_end(s, n, start, true);
    *rec = (sl_csv_record){.error = what, .error_field = field + 1, .nfields = field + 1};
    finish_record(s, n, start, end > start && s[end - 1] == '\n' ? end - 1 : n, rec);
    *pos = end;
    return true;
}

bool sl_csv_next_record(const char *s, size_t n, size_t *pos, sl_csv_field *fields,
                        size_t max_fields, sl_csv_record *rec)
{
    size_t start = *pos, i = start, field = 0;
    if (start >= n)
        return false;
    if (sl_csv_next_plain_record(s, n, pos, fields, max_fields, rec))
        return true;
    size_t newlines = 0; /* inside quoted fields */
    for (;;) {
        if (i < n && s[i] == '"') {
            /* quoted field: runs to the next lone quote */
            size_t open = i++;
            for (;;) {
                const char *q = memchr(s + i, '"', n - i);
                if (!q)
                    return malformed(s, n, start, field, "unterminated quoted field", pos, rec);
                for (const char *c = s + i; c < q; c++)
                    newlines += *c == '\n';
                i = (size_t)(q - s) + 1;
                if (i < n && s[i] == '"') {
                    i++;
                    continue;
                }
                break;
            }
            store_field(fields, max_fields, field, s + open + 1, i - open - 2, true);
            bool at_end = i >= n || s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n');
            if (!at_end && s[i] != ',')
                return malformed(s, n, start, field, "unexpected character after a closing quote",
                                 pos, rec);
        } else {
            /* unquoted field: runs to the next comma or newline; a quote in it is an error */
            size_t f0 = i;
            while (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '"')
                i++;
            if (i < n && s[i] == '"')
                return malformed(s, n, start, field, "quote inside an unquoted field", pos, rec);
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
        *rec = (sl_csv_record){.nfields = field, .newlines = newlines};
        finish_record(s, n, start, i, rec);
        *pos = i < n ? i + 1 : n;
        return true;
    }
}

bool sl_csv_is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

const char *sl_csv_header_name(const sl_csv_field *f, char *out, size_t cap)
{
    if (memchr(f->p, '\0', f->len))
        return "a NUL byte in a column name";
    if (f->len >= cap)
        return "a column name too long";
    sl_csv_unquote(f, out, cap);
    size_t n = strlen(out), start = 0;
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    while (start < n && (out[start] == ' ' || out[start] == '\t'))
        start++;
    memmove(out, out + start, n - start);
    out[n - start] = '\0';
    return NULL;
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
    b->p[b->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"')
            b->p[b->len++] = '"';
        b->p[b->len++] = text[i];
    }
    b->p[b->len++] = '"';
    return 0;
}
