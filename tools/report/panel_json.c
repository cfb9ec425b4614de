/* Output helpers: see panel_json.h. */
#include "panel_json.h"
#include "numtext.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void sl_jbuf_free(sl_jbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int sl_jbuf_reserve(sl_jbuf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void sl_jbuf_put(sl_jbuf *b, const char *s, size_t len)
{
    if (len == 0 || sl_jbuf_reserve(b, len))
        return;
    memcpy(b->p + b->len, s, len);
    b->len += len;
}

void sl_jbuf_puts(sl_jbuf *b, const char *s) { sl_jbuf_put(b, s, strlen(s)); }

void sl_jbuf_putc(sl_jbuf *b, char c)
{
    if (sl_jbuf_reserve(b, 1))
        return;
    b->p[b->len++] = c;
}

void sl_jbuf_printf(sl_jbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sl_jbuf_reserve(b, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
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
static void put_raw(sl_jbuf *b, const char *s, size_t len)
{
    memcpy(b->p + b->len, s, len);
    b->len += len;
}

/* The escapes of a JSON string take at most 6 bytes per input byte (\u00XX), plus the quotes. */
void sl_jbuf_json_str(sl_jbuf *b, const char *s, size_t len)
{
    if (sl_jbuf_reserve(b, 6 * len + 2))
        return;
    b->p[b->len++] = '"';
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < len; i++) {
        if (!needs_escape[(unsigned char)s[i]])
            continue;
        char tmp[8];
        const char *esc = json_escape((unsigned char)s[i], tmp);
        put_raw(b, s + run, i - run);
        put_raw(b, esc, strlen(esc));
        run = i + 1;
    }
    put_raw(b, s + run, len - run);
    b->p[b->len++] = '"';
}

void sl_jbuf_json_double(sl_jbuf *b, double v)
{
    if (!isfinite(v)) {
        sl_jbuf_puts(b, "null");
        return;
    }
    char tmp[32];
    sl_jbuf_put(b, tmp, sl_format_f64_g15(v, tmp));
}

const char *sl_double_cache_text(sl_double_cache *c, double v, size_t *len)
{
    if (!isfinite(v)) {
        *len = 4;
        return "null";
    }
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    size_t slot = (size_t)((bits * 0x9e3779b97f4a7c15ull) >> 52); /* 12 bits */
    if (!c->len[slot] || c->bits[slot] != bits) {
        /* at most 24 characters ("-2.2250738585072014e-308"): the slot always has room */
        char tmp[32];
        size_t n = sl_format_f64_g15(v, tmp);
        memcpy(c->text[slot], tmp, n);
        c->len[slot] = (unsigned char)n;
        c->bits[slot] = bits;
    }
    *len = c->len[slot];
    return c->text[slot];
}

void sl_jbuf_html(sl_jbuf *b, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        }
        if (!esc)
            continue;
        sl_jbuf_put(b, s + run, i - run);
        sl_jbuf_puts(b, esc);
        run = i + 1;
    }
    sl_jbuf_put(b, s + run, len - run);
}

int sl_jbuf_flush(sl_jbuf *b, FILE *f)
{
    if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
        return -1;
    b->len = 0;
    return 0;
}
