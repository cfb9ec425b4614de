/*
 * A validating scanner for one JSON object held in memory (a JSONL line, a config file).
 *
 * It walks the top-level members and hands out each key and the exact bytes of each value with
 * their offsets, so callers can parse numbers exactly from their text, name the column of a bad
 * value, and copy the object through byte for byte. Nested values are validated (RFC 8259
 * grammar, depth at most 256) and skipped. Besides RFC 8259 it accepts the NaN, Infinity and
 * -Infinity tokens that Python's json module writes. Strings are not checked for valid UTF-8.
 * Hand-written rather than jansson (which `panel` and `eval` use) because `score` needs what a DOM
 * parser drops: each value's exact bytes and offset, to copy records through unchanged, to parse
 * numbers from their own text (numtext.h) and to name the byte position of a bad value.
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

typedef struct sl_json_iter {
    const char *s;
    size_t n, pos;
    size_t members;
    size_t close_offset;   /* offset of the object's '}' once sl_json_next returned 0 */
    const char *error;     /* set when a call returned -1 */
    size_t error_offset;
} sl_json_iter;

/* Starts scanning s[0..n): whitespace, then '{'. Returns 0, or -1 with it->error set. */
int sl_json_begin(sl_json_iter *it, const char *s, size_t n);

/* The next top-level member: 1 with *m filled, 0 after the closing '}' (only whitespace may follow
 * it), -1 with it->error and it->error_offset set on malformed text. */
int sl_json_next(sl_json_iter *it, sl_json_member *m);

/* Whether the member's key, escapes undone, equals the NUL-terminated ASCII name. */
bool sl_json_key_is(const sl_json_member *m, const char *name);

/* Appends s[0..len) as a JSON string literal (quotes included): '"', '\\' and control bytes
 * escaped (\n, \t... or \u00XX), other bytes copied as they are (the inputs are UTF-8). The one
 * JSON string writer of every command; out of memory sets b->oom. */
void sl_json_put_string(struct sl_buf *b, const char *s, size_t len);

#endif
