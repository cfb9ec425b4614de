#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "utf8.h"

#define MAX_DEPTH 256

static int fail(sl_json_iter *it, size_t at, const char *what)
{
    it->error = what;
    it->error_offset = at;
    return -1;
}

static void skip_ws(sl_json_iter *it)
{
    while (it->pos < it->n) {
        char c = it->s[it->pos];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
        it->pos++;
    }
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(char c)
{
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The code unit of the \uXXXX escape at s (already checked to be hex). */
static unsigned hex4(const char *s)
{
    unsigned u = 0;
    for (int k = 2; k < 6; k++)
        u = u * 16 + (unsigned)hex_value(s[k]);
    return u;
}

/* The first position from i of a string's byte that needs a look: '"', '\\', a control byte, or
 * with utf8 any byte above 0x7F. Eight bytes at a time (zero-byte tests on a 64-bit word), since
 * string contents are most of a record's bytes. */
static size_t skip_plain(const char *s, size_t i, size_t n, bool utf8)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
        uint64_t hit = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                       ((w - ones * 0x20) & ~w) | (utf8 ? w : 0);
        if (hit & highs)
            break;
    }
    return i;
}

/* it->pos at the opening quote; leaves it past the closing one. *escaped: a backslash was seen. */
static int scan_string(sl_json_iter *it, bool *escaped)
{
    size_t i = it->pos + 1;
    bool utf8 = it->flags & SL_JSON_UTF8;
    *escaped = false;
    while ((i = skip_plain(it->s, i, it->n, utf8)) < it->n) {
        unsigned char c = (unsigned char)it->s[i];
        if (c == '"') {
            it->pos = i + 1;
            return 0;
        }
        if (c < 0x20)
            return fail(it, i, "control character in a string");
        if (c >= 0x80 && utf8) {
            size_t len = sl_utf8_sequence(it->s + i, it->n - i);
            if (!len)
                return fail(it, i, "invalid UTF-8 in a string");
            i += len;
            continue;
        }
        if (c == '\\') {
            *escaped = true;
            if (i + 1 >= it->n)
                break;
            char e = it->s[i + 1];
            if (e == 'u') {
                for (int k = 2; k < 6; k++)
                    if (i + k >= it->n || !is_hex(it->s[i + k]))
                        return fail(it, i, "bad \\u escape in a string");
                unsigned u = hex4(it->s + i);
                if (utf8 && u >= 0xDC00 && u <= 0xDFFF)
                    return fail(it, i, "unpaired surrogate escape in a string");
                if (utf8 && u >= 0xD800 && u <= 0xDBFF) { /* a high surrogate: a low one follows */
                    bool low = i + 11 < it->n && it->s[i + 6] == '\\' && it->s[i + 7] == 'u';
                    for (int k = 8; low && k < 12; k++)
                        low = is_hex(it->s[i + k]);
                    if (!low || hex4(it->s + i + 6) < 0xDC00 || hex4(it->s + i + 6) > 0xDFFF)
                        return fail(it, i, "unpaired surrogate escape in a string");
                    i += 6;
                }
                i += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0')
                return fail(it, i, "bad escape in a string");
            i += 2;
            continue;
        }
        i++;
    }
    return fail(it, it->pos, "unterminated string");
}

static bool match_word(const sl_json_iter *it, const char *word)
{
    size_t len = strlen(word);
    return it->n - it->pos >= len && !memcmp(it->s + it->pos, word, len);
}

/* RFC 8259 number, or NaN / Infinity / -Infinity */
static int scan_number(sl_json_iter *it)
{
    const char *s = it->s;
    size_t i = it->pos, n = it->n;
    bool nonfinite = it->flags & SL_JSON_NONFINITE;
    if (nonfinite && (match_word(it, "NaN") || match_word(it, "Infinity"))) {
        it->pos += s[i] == 'N' ? 3 : 8;
        return 0;
    }
    if (s[i] == '-') {
        i++;
        if (nonfinite && n - i >= 8 && !memcmp(s + i, "Infinity", 8)) {
            it->pos = i + 8;
            return 0;
        }
    }
    if (i >= n || !is_digit(s[i]))
        return fail(it, it->pos, "invalid number");
    if (s[i] == '0')
        i++;
    else
        while (i < n && is_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return fail(it, i, "invalid number: no digit after '.'");
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return fail(it, i, "invalid number: no digit in the exponent");
        while (i < n && is_digit(s[i]))
            i++;
    }
    it->pos = i;
    return 0;
}

static int scan_value(sl_json_iter *it, int depth, sl_json_type *type);

/* it->pos at '{' or '['; validates the container up to its closing bracket. */
static int scan_container(sl_json_iter *it, int depth, bool object)
{
    if (depth > MAX_DEPTH)
        return fail(it, it->pos, "nesting deeper than 256 levels");
    char close = object ? '}' : ']';
    it->pos++;
    skip_ws(it);
    if (it->pos < it->n && it->s[it->pos] == close) {
        it->pos++;
        return 0;
    }
    for (;;) {
        sl_json_type t;
        bool esc;
        if (object) {
            if (it->pos >= it->n || it->s[it->pos] != '"')
                return fail(it, it->pos, "expected a string key");
            if (scan_string(it, &esc))
                return -1;
            skip_ws(it);
            if (it->pos >= it->n || it->s[it->pos] != ':')
                return fail(it, it->pos, "expected ':' after a key");
            it->pos++;
            skip_ws(it);
        }
        if (scan_value(it, depth + 1, &t))
            return -1;
        skip_ws(it);
        if (it->pos < it->n && it->s[it->pos] == ',') {
            it->pos++;
            skip_ws(it);
            continue;
        }
        if (it->pos < it->n && it->s[it->pos] == close) {
            it->pos++;
            return 0;
        }
        return fail(it, it->pos, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int scan_value(sl_json_iter *it, int depth, sl_json_type *type)
{
    if (it->pos >= it->n)
        return fail(it, it->pos, "expected a value");
    bool esc;
    switch (it->s[it->pos]) {
    case '"':
        *type = SL_JSON_STRING;
        return scan_string(it, &esc);
    case '{':
        *type = SL_JSON_OBJECT;
        return scan_container(it, depth, true);
    case '[':
        *type = SL_JSON_ARRAY;
        return scan_container(it, depth, false);
    case 't':
    case 'f':
    case 'n': {
        static const char *const words[] = {"true", "false", "null"};
        static const sl_json_type types[] = {SL_JSON_TRUE, SL_JSON_FALSE, SL_JSON_NULL};
        for (int k = 0; k < 3; k++)
            if (match_word(it, words[k])) {
                it->pos += strlen(words[k]);
                *type = types[k];
                return 0;
            }
        return fail(it, it->pos, "invalid literal");
    }
    default:
        *type = SL_JSON_NUMBER;
        return scan_number(it);
    }
}

int sl_json_begin(sl_json_iter *it, const char *s, size_t n, unsigned flags)
{
    *it = (sl_json_iter){.s = s, .n = n, .flags = flags};
    skip_ws(it);
    if (it->pos >= n || s[it->pos] != '{')
        return fail(it, it->pos, "not a JSON object");
    it->pos++;
    return 0;
}

int sl_json_next(sl_json_iter *it, sl_json_member *m)
{
    skip_ws(it);
    if (it->pos < it->n && it->s[it->pos] == '}') {
        it->close_offset = it->pos++;
        skip_ws(it);
        if (it->pos < it->n)
            return fail(it, it->pos, "text after the end of the object");
        return 0;
    }
    if (it->members > 0) {
        if (it->pos >= it->n || it->s[it->pos] != ',')
            return fail(it, it->pos, "expected ',' or '}'");
        it->pos++;
        skip_ws(it);
    }
    if (it->pos >= it->n || it->s[it->pos] != '"')
        return fail(it, it->pos, "expected a string key");
    size_t key_start = it->pos;
    if (scan_string(it, &m->key_escaped))
        return -1;
    m->key = it->s + key_start + 1;
    m->key_len = it->pos - key_start - 2;
    skip_ws(it);
    if (it->pos >= it->n || it->s[it->pos] != ':')
        return fail(it, it->pos, "expected ':' after a key");
    it->pos++;
    skip_ws(it);
    m->value_offset = it->pos;
    if (scan_value(it, 1, &m->type))
        return -1;
    m->value = it->s + m->value_offset;
    m->value_len = it->pos - m->value_offset;
    it->members++;
    return 1;
}

bool sl_json_key_is(const sl_json_member *m, const char *name)
{
    if (!m->key_escaped) { /* a key holds no NUL byte: name's end is a mismatch */
        size_t i = 0;
        while (i < m->key_len && m->key[i] == name[i])
            i++;
        return i == m->key_len && name[i] == '\0';
    }
    /* undo escapes; only ASCII can match an ASCII name */
    size_t len = strlen(name), j = 0;
    for (size_t i = 0; i < m->key_len; i++, j++) {
        int c = (unsigned char)m->key[i];
        if (c == '\\') {
            char e = m->key[++i];
            if (e == 'u') {
                c = 0;
                for (int k = 1; k <= 4; k++)
                    c = c * 16 + hex_value(m->key[i + k]);
                i += 4;
            } else {
                static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
                c = to[strchr(from, e) - from];
            }
        }
        if (j >= len || c != (unsigned char)name[j])
            return false;
    }
    return j == len;
}

int sl_json_pick(sl_json_iter *it, const char *s, size_t n, unsigned flags,
                 const char *const *names, size_t count, sl_json_member *found)
{
    for (size_t k = 0; k < count; k++)
        found[k].value = NULL;
    sl_json_member m;
    int r = sl_json_begin(it, s, n, flags);
    while (r >= 0 && (r = sl_json_next(it, &m)) == 1) {
        for (size_t k = 0; k < count; k++) {
            if (!sl_json_key_is(&m, names[k]))
                continue;
            if (found[k].value)
                return fail(it, (size_t)(m.key - s) - 1, "duplicate key");
            found[k] = m;
            break;
        }
    }
    return r < 0 ? -1 : 0;
}

/* Appends code point u as UTF-8 at out; returns the bytes written. */
static size_t put_utf8(unsigned u, char *out)
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | u >> 6);
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | u >> 12);
        out[1] = (char)(0x80 | (u >> 6 & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | u >> 18);
    out[1] = (char)(0x80 | (u >> 12 & 0x3F));
    out[2] = (char)(0x80 | (u >> 6 & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

size_t sl_json_unescape(const char *s, size_t len, char *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    size_t j = 0;
    for (size_t i = 0; i < len;) {
        const char *bs = memchr(s + i, '\\', len - i);
        size_t run = bs ? (size_t)(bs - s) - i : len - i;
        memmove(out + j, s + i, run);
        i += run;
        j += run;
        if (!bs)
            break;
        if (s[i + 1] != 'u') {
            out[j++] = to[strchr(from, s[i + 1]) - from];
            i += 2;
            continue;
        }
        unsigned u = hex4(s + i);
        i += 6;
        if (u >= 0xD800 && u <= 0xDBFF && i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u') {
            unsigned lo = hex4(s + i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD; /* unpaired (SL_JSON_UTF8 refuses it while scanning) */
        j += put_utf8(u, out + j);
    }
    return j;
}

/* The JSON escape of byte c, or NULL when it passes through. */
static const char *json_escape(unsigned char c, char tmp[8])
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\b': return "\\b";
    case '\f': return "\\f";
    }
    if (c < 0x20) {
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
    return NULL;
}

/* 1 for the bytes a JSON string must escape: ", \ and the control characters */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* Appends s[0..len) to b, which has the room. */
static void put_raw(sl_buf *b, const char *s, size_t len)
{
    memcpy(b->p + b->len, s, len);
    b->len += len;
}

/* The escapes of a JSON string take at most 6 bytes per input byte (\u00XX), plus the quotes. */
void sl_json_put_string(sl_buf *b, const char *s, size_t len)
{
    if (sl_buf_reserve(b, 6 * len + 2))
        return;
    b->p[b->len++] = '"';
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t seq = sl_utf8_sequence(s + i, len - i);
            if (seq > 0) {
                i += seq - 1;
                continue;
            }
            put_raw(b, s + run, i - run); /* not UTF-8: U+FFFD, so the output stays JSON */
            put_raw(b, "\xEF\xBF\xBD", 3);
            run = i + 1;
            continue;
        }
        if (!needs_escape[c])
            continue;
        char tmp[8];
        const char *esc = json_escape(c, tmp);
        put_raw(b, s + run, i - run);
        put_raw(b, esc, strlen(esc));
        run = i + 1;
    }
    put_raw(b, s + run, len - run);
    b->p[b->len++] = '"';
}
