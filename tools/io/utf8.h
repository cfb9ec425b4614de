/* Checking that input text is UTF-8 before it reaches a JSON (or HTML) output. */
#ifndef SL_TOOLS_UTF8_H
#define SL_TOOLS_UTF8_H

#include <stddef.h>

/* The offset of the first byte of s[0..len) that does not begin a well-formed UTF-8 sequence
 * (ICU's U8_NEXT: no stray continuation bytes, cut sequences, overlong forms, surrogates or code
 * points past U+10FFFF), or len when all of it is well-formed. Text fields of the inputs are
 * checked with it where they are read, so the JSON string writer (json.h), which copies bytes
 * other than quotes, backslashes and control bytes as they are, writes valid UTF-8 only. */
size_t sl_utf8_invalid_at(const char *s, size_t len);

#endif
