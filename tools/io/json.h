/*
 * A validating scanner for one JSON object held in memory (a JSONL line, a config file).
 *
 * It walks the top-level members and hands out each key and the exact bytes of each value with
 * their offsets, so callers can parse numbers exactly from their text, name the column of a bad
 * value, and copy the object through byte for byte. Nested values are validated (RFC 8259
 * grammar, depth at most 256) and skipped; a nested object's bytes can be scanned again. Options
 * accept the NaN, Infinity and -Infinity tokens that Python's json module writes, and check that
 * strings are UTF-8 (RFC 8259) rather than pass their bytes through.
 *
 * The one JSON reader of every command (score's records, --config, panel's annotations, eval's
 * two inputs). Hand-written, although simdjson's On-Demand API reads the commands' records faster
 * (1.9-3.4x, validating whole lines; jansson, which panel and eval used before, 0.11-0.16x:
 * bench/json_readers.cc, README "JSON input"), because simdjson 3.0 does not give what the
 * commands promise: it names a grammar error only as "improper structure" or "not the requested
 * type" and an invalid byte in a string at no position at all (this scanner: what was expected,
 * at its byte), it accepts text after the object ({"a": 1}}), refuses the NaN/Infinity tokens
 * score accepts, and cannot pass bytes that are not UTF-8 through (score's records are copied as
 * they are). Revisit when a simdjson release reports errors with their position and kind.
 */
#ifndef SL_TOOLS_JSON_H
#define SL_TOOLS_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct sl_buf;

typedef enum sl_json_type {
    SL_JSON_STRING,
    SL_JSON_NUMBER,    /* an RFC 8259 number, or NaN / Infinity / -Infinity */
    SL_JSON_TRUE,
    SL_JSON_FALSE,
    SL_JSON_NULL,
    SL_JSON_OBJECT,
    SL_JSON_ARRAY
} sl_json_type;

/* One top-level member. Offsets are from the start of the text given to sl_json_begin. */
typedef struct sl_json_member {
    const char *key;       /* between the quotes, escapes not undone */
    size_t key_len;
    bool key_escaped;      /* the key holds a backslash escape */
    const char *value;     /* the value's bytes (a string includes its quotes) */
    size_t value_len;
    size_t value_offset;
    sl_json_type type;
} sl_json_member;

/* sl_json_begin's options */
enum {
    SL_JSON_NONFINITE = 1, /* NaN, Infinity and -Infinity are numbers (Python writes them) */
    SL_JSON_UTF8 = 2       /* strings must be UTF-8, \u escapes of surrogates paired */
};

typedef struct sl_json_iter {
    const char *s;
    size_t n, pos;
    unsigned flags;
    size_t members;
    size_t close_offset;   /* offset of the object's '}' once sl_json_next returned 0 */
    const char *error;     /* set when a call returned -1 */
    size_t error_offset;
} sl_json_iter;

/* Starts scanning s[0..n) with the options (SL_JSON_*): whitespace, then '{'. Returns 0, or -1
 * with it->error set. */
int sl_json_begin(sl_json_iter *it, const char *s, size_t n, unsigned flags);

/* The next top-level member: 1 with *m filled, 0 after the closing '}' (only whitespace may follow
 * it), -1 with it->error and it->error_offset set on malformed text. */
int sl_json_next(sl_json_iter *it, sl_json_member *m);

/* Whether the member's key, escapes undone, equals the NUL-terminated ASCII name. */
bool sl_json_key_is(const sl_json_member *m, const char *name);

/* Scans the whole object s[0..n) and picks the members with the given names: found[k] is the
 * member named names[k], its value NULL when there is none. Returns 0, or -1 with it->error and
 * it->error_offset set on malformed text or a name given twice ("duplicate key", at its key). */
int sl_json_pick(sl_json_iter *it, const char *s, size_t n, unsigned flags,
                 const char *const *names, size_t count, sl_json_member *found);

/* Undoes the escapes of a scanned string's content s[0..len) (a key, or a string value without its
 * quotes) into out, which has room for len bytes (undoing escapes never lengthens a string) and
 * may be s itself; returns the length. \u0000 becomes a NUL byte; an unpaired surrogate
 * (possible only without SL_JSON_UTF8) becomes U+FFFD. */
size_t sl_json_unescape(const char *s, size_t len, char *out);

/* Appends s[0..len) as a JSON string literal (quotes included): '"', '\\' and control bytes
 * escaped (\n, \t... or \u00XX), well-formed UTF-8 copied as it is, and each byte that does not
 * begin a well-formed sequence written as U+FFFD (inputs' text is checked where it is read; this
 * keeps every output JSON, e.g. a rejected record quoted in score's rejects). The one JSON string
 * writer of every command; out of memory sets b->oom. */
void sl_json_put_string(struct sl_buf *b, const char *s, size_t len);

#endif
