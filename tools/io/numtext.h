/*
 * Number text for the softlabel command: every number any command reads or writes goes through
 * here, so one rule holds everywhere (README, "Numbers").
 *
 * Reals: any finite decimal (optional sign, digits with an optional '.', an optional exponent),
 * or inf / infinity / nan spelled out in any case. No surrounding spaces, no hex, no "nan(...)".
 * Correctly rounded to the nearest double (float); a magnitude beyond the type's range rounds to
 * +-inf (below its smallest subnormal, to +-0) whatever the text's length.
 * Whole numbers (counts, flags, sizes): accepted only when the text's exact decimal value is a
 * whole number in the caller's range ("3", "+3", "3.0", "3e0", "30e-1" are 3; "3.0000000000000001"
 * and "1e-400" are not whole numbers).
 *
 * Built on the C++17 standard library's <charconv> (libstdc++: from_chars is fast_float, exact and
 * correctly rounded; to_chars is Ryu, shortest round-trip), so nothing depends on the C locale.
 */
#ifndef SL_TOOLS_NUMTEXT_H
#define SL_TOOLS_NUMTEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest text any sl_format_* writes (e.g. "-2.2250738585072014e-308"), without a terminator. */
#define SL_NUMTEXT_MAX 32

/* Parses all of s[0..n) as a real (see above). Returns 0 and sets *out, or -1 when the text is
 * not such a number or has anything after it. */
int sl_parse_f64(const char *s, size_t n, double *out);
int sl_parse_f32(const char *s, size_t n, float *out);

/* Why a text is not a whole number in [min, max]. */
typedef enum sl_whole_status {
    SL_WHOLE_OK,
    SL_WHOLE_SYNTAX,   /* not a real at all */
    SL_WHOLE_NAN,      /* nan */
    SL_WHOLE_FRACTION, /* finite, but its exact value is not whole */
    SL_WHOLE_BELOW,    /* whole (or -inf) and below min */
    SL_WHOLE_ABOVE     /* whole (or +inf) and above max */
} sl_whole_status;

/* Parses all of s[0..n) as a whole number in [min, max] by the text's exact decimal value; sets
 * *out only on SL_WHOLE_OK. */
sl_whole_status sl_parse_whole(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/* Writes the shortest decimal that parses back to exactly x (e.g. "0.1", "1e-05", "-inf", "nan")
 * into buf, which must hold SL_NUMTEXT_MAX bytes; returns the length (no terminator written). */
size_t sl_format_f64(double x, char *buf);
size_t sl_format_f32(float x, char *buf);

/* Writes v in decimal ("0", "18446744073709551615"). Same buffer rule. */
size_t sl_format_u64(uint64_t v, char *buf);

/* printf's "%.15g", else "%.16g", else "%.17g": the first that parses back to exactly x (the
 * panel reports' number form). Same buffer rule. */
size_t sl_format_f64_g15(double x, char *buf);

/* Python's repr(float) as its json module writes it: the shortest round-trip digits, positional
 * for decimal exponents -4 .. 15 with at least one digit after the '.', scientific otherwise
 * ("1e-05", "1.5e+16"); NaN, Infinity, -Infinity. Same buffer rule. */
size_t sl_format_f64_python(double x, char *buf);

#ifdef __cplusplus
}
#endif

#endif
