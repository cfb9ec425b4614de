/*
 * Output helpers of `softlabel panel` and `softlabel eval` on the commands' one output buffer
 * (sl_buf, cli_util.h) and JSON string writer (sl_json_put_string, json.h): doubles in the
 * panel reports' number form (with a cache), HTML escaping.
 */
#ifndef SL_TOOLS_PANEL_JSON_H
#define SL_TOOLS_PANEL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_util.h"
#include "json.h"

/* A double as sl_format_f64_g15 writes it (%.15g, %.16g or %.17g, the first that reads back as
 * the same double); null for NaN or an infinity (JSON has neither). */
void sl_json_put_double(sl_buf *b, double v);


/* A direct-mapped cache of formatted doubles: outputs repeat the same values (confidences given
 * to two decimals, entropies of the same vote splits) and formatting one costs a printf and a
 * strtod. One per thread. */
#define SL_DOUBLE_CACHE 4096
typedef struct sl_double_cache {
    uint64_t bits[SL_DOUBLE_CACHE];
    char text[SL_DOUBLE_CACHE][25];
    unsigned char len[SL_DOUBLE_CACHE]; /* 0: empty slot */
} sl_double_cache;

/* The JSON text of v (as sl_json_put_double writes it) from the cache: at most 24 bytes at the
 * returned pointer, valid until the next call with c; its length in *len. */
const char *sl_double_cache_text(sl_double_cache *c, double v, size_t *len);

/* s[0..len) with &, <, >, " escaped for HTML text and attribute values. */
void sl_html_put(sl_buf *b, const char *s, size_t len);

#endif
