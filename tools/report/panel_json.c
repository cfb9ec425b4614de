/* Output helpers: see panel_json.h. */
#include "panel_json.h"
#include "numtext.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void sl_json_put_double(sl_buf *b, double v)
{
    if (!isfinite(v)) {
        sl_buf_puts(b, "null");
        return;
    }
    char tmp[32];
    sl_buf_put(b, tmp, sl_format_f64_g15(v, tmp));
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

void sl_html_put(sl_buf *b, const char *s, size_t len)
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
        sl_buf_put(b, s + run, i - run);
        sl_buf_puts(b, esc);
        run = i + 1;
    }
    sl_buf_put(b, s + run, len - run);
}
