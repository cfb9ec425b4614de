/* Checking that text is UTF-8 before it reaches a JSON (or HTML) output: the one UTF-8 validator
 * of the command (the JSON reader's strings, the panel's CSV fields), over ICU's macros. */
#ifndef SL_TOOLS_UTF8_H
#define SL_TOOLS_UTF8_H

#include <stddef.h>

/* The length of the well-formed UTF-8 sequence that starts s[0..n) (n >= 1; 1 for an ASCII
 * byte), or 0 when none does: a stray continuation byte, a sequence cut by the end or by the
 * next character, an overlong form, a surrogate or a code point past U+10FFFF (RFC 3629). */
size_t sl_utf8_sequence(const char *s, size_t n);

/* The offset of the first byte of s[0..len) that does not begin a well-formed UTF-8 sequence, or
 * len when all of it is well-formed. Text fields of the inputs are checked where they are read
 * (and the JSON string writer, json.h, writes U+FFFD for any byte that is not UTF-8). */
size_t sl_utf8_invalid_at(const char *s, size_t len);

/* The same for a text field, where a NUL byte is refused too: the offset of the first NUL byte or
 * byte that does not begin a well-formed sequence, or len (one pass: panel checks every field). */
size_t sl_utf8_text_invalid_at(const char *s, size_t len);

/* A malloc'ed copy of the NUL-terminated s to show in a report (a file name, which need not be
 * UTF-8): each byte that does not begin a well-formed sequence, and each control character,
 * becomes U+FFFD, so an XHTML or PDF report stays valid. NULL when memory runs out. */
char *sl_utf8_display(const char *s);

#endif
