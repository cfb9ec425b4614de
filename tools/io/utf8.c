#include "utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h> /* ICU's UTF-8 macros (headers only, nothing linked) */

size_t sl_utf8_sequence(const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    int32_t next = 0, avail = n < 4 ? (int32_t)n : 4; /* a sequence is at most 4 bytes */
    UChar32 c;
    U8_NEXT(u, next, avail, c);
    return c < 0 ? 0 : (size_t)next;
}

/* The first byte of s[0..len) that does not begin a well-formed sequence, or (when nul) is a
 * NUL byte; len when there is none. */
static size_t first_bad(const char *s, size_t len, bool nul)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (size_t i = 0; i < len;) {
        uint64_t word; /* ASCII without NUL, the common case: 8 bytes at a time */
        if (len - i >= 8 && (memcpy(&word, s + i, 8),
                             !(word & highs) && !(nul && ((word - ones) & ~word & highs)))) {
            i += 8;
            continue;
        }
        if (nul && s[i] == '\0')
            return i;
        size_t next = sl_utf8_sequence(s + i, len - i);
        if (next == 0)
            return i;
        i += next;
    }
    return len;
}

size_t sl_utf8_invalid_at(const char *s, size_t len)
{
    return first_bad(s, len, false);
}

size_t sl_utf8_text_invalid_at(const char *s, size_t len)
{
    return first_bad(s, len, true);
}

char *sl_utf8_display(const char *s)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    size_t len = strlen(s), used = 0;
    char *out = malloc(3 * len + 1); /* a byte becomes at most 3 */
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t next = sl_utf8_sequence(s + i, len - i);
        unsigned char c = (unsigned char)s[i];
        if (next == 0 || c < 0x20 || c == 0x7F) {
            memcpy(out + used, replacement, 3);
            used += 3;
            i++;
        } else {
            memcpy(out + used, s + i, next);
            used += next;
            i += next;
        }
    }
    out[used] = '\0';
    return out;
}
