/*
 * The one CSV reader of the softlabel command (score, panel, metrics): records, fields, chunk
 * boundaries, and the recovery from malformed records.
 *
 * A record is a line, or several when a quoted field holds line breaks: it ends at a '\n' outside
 * quotes ("\r\n" is accepted as one terminator). A field is either unquoted (no '"' in it) or
 * quoted ('"' ... '"', with "" standing for one quote, and commas and newlines allowed inside).
 * A malformed record (a quote inside an unquoted field, anything but a comma or the line's end
 * after a closing quote, a quote never closed) is its first line only: it is reported on its own
 * and reading goes on at the next line, so one stray quote costs one record, never the rest of the
 * file. sl_csv_chunk_end and sl_csv_next_record apply the same rules, so a streaming reader and
 * the record parser always agree on where a record ends.
 */
#ifndef SL_TOOLS_CSV_H
#define SL_TOOLS_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* Offset just past the last whole record in s[0..n), 0 when there is none; s must start at a
 * record boundary. eof: no data follows s[n - 1] (a record may then end at n without a '\n', and a
 * quote still open makes its record malformed). The records of s[0..cut) are parsed exactly as in
 * the whole input (fields, errors, line counts): a cut never leaves out a byte that decided a
 * record, such as the one after a closing quote on a later line that makes a record malformed, so
 * a stream's records do not depend on how it is cut into chunks. */
size_t sl_csv_chunk_end(const char *s, size_t n, bool eof);

/* Offset just past the first '\n' in s[0..n), 0 when there is none: where a record that starts at
 * s[0] ends when it is declared malformed for being too long (a quote left open for megabytes). */
size_t sl_csv_first_line_end(const char *s, size_t n);

/* One field of a record: its bytes (for a quoted field, between the quotes, "" not yet undone). */
typedef struct sl_csv_field {
    const char *p;
    size_t len;
    bool quoted;
} sl_csv_field;

/* One record found by sl_csv_next_record. */
typedef struct sl_csv_record {
    const char *raw;       /* the record's bytes without its terminator */
    size_t raw_len;
    size_t term_len;       /* 0 (end of data without '\n'), 1 ("\n") or 2 ("\r\n") */
    size_t newlines;       /* '\n' bytes consumed: 1 per terminator plus those inside quotes */
    size_t nfields;        /* fields in the record (may exceed the fields stored) */
    const char *error;     /* NULL, or a syntax error: unterminated quote, stray quote... */
    size_t error_field;    /* 1-based field number of the syntax error */
} sl_csv_record;

/* Reads the record that starts at s[*pos] in s[0..n), storing up to max_fields fields, and moves
 * *pos past it. Returns false when *pos == n (no record left). A record that reaches n without a
 * terminator ends there; a malformed one (rec->error set) ends at the end of its first line. */
bool sl_csv_next_record(const char *s, size_t n, size_t *pos, sl_csv_field *fields,
                        size_t max_fields, sl_csv_record *rec);

/* The common case of sl_csv_next_record on its own: a record with no quote before its '\n' is
 * split in one pass, 16 bytes at a time where SSE2 is there (every x86-64). Returns false, having
 * stored nothing that matters and left *pos alone, when the record holds a quote or has no '\n'
 * (the general parser takes it then). */
bool sl_csv_next_plain_record(const char *s, size_t n, size_t *pos, sl_csv_field *fields,
                              size_t max_fields, sl_csv_record *rec);

/* Whether a record's bytes are blank: nothing but spaces, tabs and CRs (every command skips such
 * lines, in CSV as in JSONL). */
bool sl_csv_is_blank(const char *s, size_t n);

/* A header field as a column name: "" undone, spaces and tabs trimmed at both ends (as values are),
 * into out (cap bytes, terminated). Returns NULL, or what is wrong: a NUL byte (which would hide
 * the rest of the name), or a name of cap bytes or more. */
const char *sl_csv_header_name(const sl_csv_field *f, char *out, size_t cap);

/* Copies a field's text with "" undone into out (cap bytes, always terminated, cut if longer). */
void sl_csv_unquote(const sl_csv_field *f, char *out, size_t cap);

/* Appends text to a CSV line as one field, quoted when it holds a comma, quote, CR or LF. */
struct sl_buf;
int sl_csv_append_field(struct sl_buf *b, const char *text, size_t n);

#endif
