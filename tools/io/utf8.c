#include "utf8.h"

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

size_t sl_utf8_invalid_at(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint64_t word; /* ASCII, the common case: 8 bytes at a time */
        if (len - i >= 8 && (memcpy(&word, s + i, 8), !(word & 0x8080808080808080u))) {
            i += 8;
            continue;
        }
        size_t next = sl_utf8_sequence(s + i, len - i);
        if (next == 0)
            return i;
        i += next;
    }
    return len;
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
