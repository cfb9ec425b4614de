/*
 * RFC 4180 CSV scanning for the softlabel command: records, fields, chunk boundaries.
 *
 * A record ends at a '\n' outside quotes ("\r\n" is accepted as one terminator). A field is
 * either unquoted (no '"' in it) or quoted ('"' ... '"', with "" standing for one quote, and
 * commas and newlines allowed inside). Every '"' toggles the quote state, also in malformed
 * records, so the chunk splitter and the record parser always agree on where a record ends.
 */
#ifndef SL_TOOLS_CSV_H
#define SL_TOOLS_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* Offset just past the last '\n' that lies outside quotes in s[0..n), 0 when there is none. s must
 * start outside quotes (at a record boundary). */
size_t sl_csv_last_boundary(const char *s, size_t n);

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
 * terminator ends there; an open quote at n makes it an "unterminated quoted field" error. */
bool sl_csv_next_record(const char *s, size_t n, size_t *pos, sl_csv_field *fields,
                        size_t max_fields, sl_csv_record *rec);

/* The common case of sl_csv_next_record on its own: a record with no quote before its '\n' is
 * split in one pass, 16 bytes at a time where SSE2 is there (every x86-64). Returns false, having
 * stored nothing that matters and left *pos alone, when the record holds a quote or has no '\n'
 * (the general parser takes it then). `softlabel panel` uses this with its own general parser,
 * which recovers from a malformed record differently (see panel_io.h). */
bool sl_csv_next_plain_record(const char *s, size_t n, size_t *pos, sl_csv_field *fields,
                              size_t max_fields, sl_csv_record *rec);

/* Copies a field's text with "" undone into out (cap bytes, always terminated, cut if longer). */
void sl_csv_unquote(const sl_csv_field *f, char *out, size_t cap);

/* Appends text to a CSV line as one field, quoted when it holds a comma, quote, CR or LF. */
struct sl_buf;
int sl_csv_append_field(struct sl_buf *b, const char *text, size_t n);

#endif
