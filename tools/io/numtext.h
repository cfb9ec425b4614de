/*
 * Exact, locale-independent number text for the softlabel command.
 *
 * Parsing and printing go through the C++17 standard library's <charconv> (libstdc++: from_chars
 * is an exact, correctly rounded parser built on fast_float; to_chars prints the shortest decimal
 * that parses back to the same value, built on Ryu). Neither looks at the C locale, so a
 * "de_DE" environment can never turn "0.5" into 0 or print "0,5".
 */
#ifndef SL_TOOLS_NUMTEXT_H
#define SL_TOOLS_NUMTEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest text sl_format_f64/f32 write (e.g. "-2.2250738585072014e-308"), without a terminator. */
#define SL_NUMTEXT_MAX 32

/* Parses all of s[0..n) as a decimal real: optional '+' or '-', digits with an optional '.', an
 * optional exponent; also "inf", "infinity" and "nan" in any case. No surrounding spaces, no hex.
 * Correctly rounded to the nearest double (float). Returns 0 and sets *out, or -1 when the text is
 * not such a number or has anything after it. Out-of-range magnitudes round to +-inf or +-0 as
 * strtod does. */
int sl_parse_f64(const char *s, size_t n, double *out);
int sl_parse_f32(const char *s, size_t n, float *out);

/* Writes the shortest decimal that parses back to exactly x (e.g. "0.1", "1e-05", "-inf", "nan")
 * into buf, which must hold SL_NUMTEXT_MAX bytes; returns the length (no terminator written). */
size_t sl_format_f64(double x, char *buf);
size_t sl_format_f32(float x, char *buf);

#ifdef __cplusplus
}
#endif

#endif
