/*
 * Output helpers shared by `softlabel panel` and `softlabel eval`: a growable byte buffer, JSON
 * string escaping, shortest round-trip formatting of doubles, HTML escaping.
 */
#ifndef SL_TOOLS_PANEL_JSON_H
#define SL_TOOLS_PANEL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sl_jbuf {
    char *p;
    size_t len, cap;
    int oom; /* set once an append failed for lack of memory; later appends do nothing */
} sl_jbuf;

void sl_jbuf_free(sl_jbuf *b);

/* Makes room for `extra` more bytes: 0, or -1 (and b->oom set) when memory runs out. After a 0,
 * up to `extra` bytes may be written at b->p + b->len directly. */
int sl_jbuf_reserve(sl_jbuf *b, size_t extra);
void sl_jbuf_put(sl_jbuf *b, const char *s, size_t len);
void sl_jbuf_puts(sl_jbuf *b, const char *s);
void sl_jbuf_putc(sl_jbuf *b, char c);
void sl_jbuf_printf(sl_jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s[0..len) as a JSON string literal (quotes included). Control characters are escaped; other
 * bytes pass through (the inputs are UTF-8). */
void sl_jbuf_json_str(sl_jbuf *b, const char *s, size_t len);

/* A double as sl_format_f64_g15 writes it (%.15g, %.16g or %.17g, the first that reads back as
 * the same double); null for NaN or an infinity (JSON has neither). */
void sl_jbuf_json_double(sl_jbuf *b, double v);


/* A direct-mapped cache of formatted doubles: outputs repeat the same values (confidences given
 * to two decimals, entropies of the same vote splits) and formatting one costs a printf and a
 * strtod. One per thread. */
#define SL_DOUBLE_CACHE 4096
typedef struct sl_double_cache {
    uint64_t bits[SL_DOUBLE_CACHE];
    char text[SL_DOUBLE_CACHE][25];
    unsigned char len[SL_DOUBLE_CACHE]; /* 0: empty slot */
} sl_double_cache;

/* The JSON text of v (as sl_jbuf_json_double writes it) from the cache: at most 24 bytes at the
 * returned pointer, valid until the next call with c; its length in *len. */
const char *sl_double_cache_text(sl_double_cache *c, double v, size_t *len);

/* s[0..len) with &, <, >, " escaped for HTML text and attribute values. */
void sl_jbuf_html(sl_jbuf *b, const char *s, size_t len);

/* Writes the buffer to f and empties it; returns 0, or -1 on a write error. */
int sl_jbuf_flush(sl_jbuf *b, FILE *f);

#endif
