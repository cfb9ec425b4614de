#include "utf8.h"

#include <stdint.h>
#include <string.h>

#include <unicode/utf8.h> /* ICU's UTF-8 macros (headers only, nothing linked) */

size_t sl_utf8_invalid_at(const char *s, size_t len)
{
    const uint8_t *u = (const uint8_t *)s;
    for (size_t i = 0; i < len;) {
        uint64_t word; /* ASCII, the common case: 8 bytes at a time */
        if (len - i >= 8 && (memcpy(&word, u + i, 8), !(word & 0x8080808080808080u))) {
            i += 8;
            continue;
        }
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        int32_t next = 0, avail = len - i < 4 ? (int32_t)(len - i) : 4; /* a sequence is <= 4 */
        UChar32 c;
        U8_NEXT(u + i, next, avail, c);
        if (c < 0)
            return i;
        i += (size_t)next;
    }
    return len;
}
