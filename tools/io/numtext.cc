// Number text for the softlabel command: a thin C wrapper around <charconv> (see numtext.h).
#include "numtext.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool lower_equal(const char *s, size_t n, const char *word)
{
    if (std::strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != word[i])
            return false;
    return true;
}

// The decimal layout of a finite real's text: its significant digits (leading and trailing zeros
// dropped) and where the decimal point falls relative to them. Returns false unless s[0..n) is
// digits with at most one '.', at least one digit, then an optional exponent.
struct decimal {
    const char *digits; // first significant digit (inside s; '.' may sit among the digits)
    size_t n_sig;       // significant digits, trailing zeros excluded
    int64_t point;      // the value is 0.d1d2d3... x 10^point (meaningless when n_sig == 0)
};

bool scan_decimal(const char *s, size_t n, decimal *d)
{
    size_t i = 0, n_digits = 0;
    int64_t int_digits = 0, leading_zeros = 0;
    bool seen_dot = false, seen_nonzero = false;
    size_t last_nonzero = 0, sig_count = 0, first = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !seen_dot) {
            seen_dot = true;
            continue;
        }
        if (!is_digit(c))
            break;
        n_digits++;
        if (!seen_dot)
            int_digits++;
        if (!seen_nonzero && c == '0') {
            leading_zeros++;
            continue;
        }
        if (!seen_nonzero) {
            seen_nonzero = true;
            first = i;
        }
        sig_count++;
        if (c != '0')
            last_nonzero = sig_count;
    }
    if (n_digits == 0)
        return false;
    int64_t exponent = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool neg = i < n && s[i] == '-';
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return false;
        for (; i < n && is_digit(s[i]); i++) // saturates: beyond 1e9 every value is 0 or huge
            exponent = exponent < 1000000000 ? exponent * 10 + (s[i] - '0') : exponent;
        exponent = neg ? -exponent : exponent;
    }
    if (i != n)
        return false;
    d->digits = seen_nonzero ? s + first : s;
    d->n_sig = seen_nonzero ? last_nonzero : 0;
    d->point = int_digits - leading_zeros + exponent;
    return true;
}

// An optional sign; returns the text after it. "+-1" and "++1" keep their second sign and fail.
const char *skip_sign(const char *s, size_t *n, bool *negative)
{
    *negative = *n > 0 && s[0] == '-';
    if (*n > 1 && (s[0] == '+' || s[0] == '-') && s[1] != '+' && s[1] != '-') {
        (*n)--;
        return s + 1;
    }
    return s;
}

template <typename T> int parse_all(const char *s, size_t n, T *out)
{
    bool negative;
    const char *body = skip_sign(s, &n, &negative);
    if (body == s && n > 0 && (s[0] == '+' || s[0] == '-'))
        return -1;
    // from_chars also takes "nan(chars)"; the rule spells nan out, nothing more.
    if (n > 0 && (body[0] | 0x20) == 'n' && !lower_equal(body, n, "nan"))
        return -1;
    T value;
    std::from_chars_result r = std::from_chars(body, body + n, value, std::chars_format::general);
    if (r.ec == std::errc::result_out_of_range && r.ptr == body + n) {
        // from_chars leaves value unset; the text's magnitude says which way it rounded
        decimal d;
        if (!scan_decimal(body, n, &d))
            return -1;
        value = d.n_sig > 0 && d.point > 0 ? std::numeric_limits<T>::infinity() : T(0);
    } else if (r.ec != std::errc() || r.ptr != body + n) {
        return -1;
    }
    *out = negative ? -value : value;
    return 0;
}

template <typename T> size_t format_shortest(T x, char *buf)
{
    std::to_chars_result r = std::to_chars(buf, buf + SL_NUMTEXT_MAX, x);
    return static_cast<size_t>(r.ptr - buf);
}

} // namespace

extern "C" int sl_parse_f64(const char *s, size_t n, double *out) { return parse_all(s, n, out); }
extern "C" int sl_parse_f32(const char *s, size_t n, float *out) { return parse_all(s, n, out); }
extern "C" size_t sl_format_f64(double x, char *buf) { return format_shortest(x, buf); }
extern "C" size_t sl_format_f32(float x, char *buf) { return format_shortest(x, buf); }
extern "C" size_t sl_format_u64(uint64_t v, char *buf) { return format_shortest(v, buf); }

extern "C" sl_whole_status sl_parse_whole(const char *s, size_t n, int64_t min, int64_t max,
                                          int64_t *out)
{
    bool negative;
    const char *body = skip_sign(s, &n, &negative);
    if (body == s && n > 0 && (s[0] == '+' || s[0] == '-'))
        return SL_WHOLE_SYNTAX;
    if (lower_equal(body, n, "nan"))
        return SL_WHOLE_NAN;
    if (lower_equal(body, n, "inf") || lower_equal(body, n, "infinity"))
        return negative ? SL_WHOLE_BELOW : SL_WHOLE_ABOVE;
    decimal d;
    if (!scan_decimal(body, n, &d))
        return SL_WHOLE_SYNTAX;
    if (d.n_sig == 0) { // zero, whatever its sign
        if (min > 0)
            return SL_WHOLE_BELOW;
        if (max < 0)
            return SL_WHOLE_ABOVE;
        *out = 0;
        return SL_WHOLE_OK;
    }
    if (d.point < static_cast<int64_t>(d.n_sig))
        return SL_WHOLE_FRACTION;
    if (d.point > 19)
        return negative ? SL_WHOLE_BELOW : SL_WHOLE_ABOVE;
    // at most 19 digits before the point, so the magnitude fits an unsigned 64-bit integer
    uint64_t magnitude = 0;
    size_t taken = 0;
    for (const char *c = d.digits; taken < d.n_sig; c++)
        if (*c != '.') {
            magnitude = magnitude * 10 + unsigned(*c - '0');
            taken++;
        }
    for (int64_t z = static_cast<int64_t>(d.n_sig); z < d.point; z++)
        magnitude *= 10;
    if (negative) {
        if (min >= 0 || magnitude > uint64_t(-(min + 1)) + 1)
            return SL_WHOLE_BELOW;
        int64_t value = -static_cast<int64_t>(magnitude - 1) - 1;
        if (value > max)
            return SL_WHOLE_ABOVE;
        *out = value;
        return SL_WHOLE_OK;
    }
    if (min > 0 && magnitude < uint64_t(min))
        return SL_WHOLE_BELOW;
    if (max < 0 || magnitude > uint64_t(max))
        return SL_WHOLE_ABOVE;
    *out = static_cast<int64_t>(magnitude);
    return SL_WHOLE_OK;
}

extern "C" size_t sl_format_f64_g15(double x, char *buf)
{
    for (int precision = 15; precision < 17; precision++) {
        std::to_chars_result r =
            std::to_chars(buf, buf + SL_NUMTEXT_MAX, x, std::chars_format::general, precision);
        double back;
        std::from_chars_result b = std::from_chars(buf, r.ptr, back);
        if (b.ec == std::errc() && back == x)
            return static_cast<size_t>(r.ptr - buf);
    }
    std::to_chars_result r = std::to_chars(buf, buf + SL_NUMTEXT_MAX, x, std::chars_format::general, 17);
    return static_cast<size_t>(r.ptr - buf);
}

extern "C" size_t sl_format_f64_python(double x, char *buf)
{
    if (std::isnan(x)) {
        std::memcpy(buf, "NaN", 3);
        return 3;
    }
    if (std::isinf(x)) {
        const char *word = x > 0 ? "Infinity" : "-Infinity";
        std::memcpy(buf, word, std::strlen(word));
        return std::strlen(word);
    }
    // the shortest round-trip digits in scientific form: [-]d[.ddd]e(+|-)XX
    char sci[SL_NUMTEXT_MAX];
    char *end = std::to_chars(sci, sci + sizeof sci, x, std::chars_format::scientific).ptr;
    const char *p = sci;
    char *o = buf;
    if (*p == '-')
        *o++ = *p++;
    char digits[20];
    size_t k = 0;
    for (; p < end && *p != 'e'; p++)
        if (*p != '.')
            digits[k++] = *p;
    int exponent = 0;
    bool neg_exp = p + 1 < end && p[1] == '-';
    for (p += 2; p < end; p++)
        exponent = exponent * 10 + (*p - '0');
    exponent = neg_exp ? -exponent : exponent;
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) { // 0.000ddd
            *o++ = '0';
            *o++ = '.';
            for (int z = -1; z > exponent; z--)
                *o++ = '0';
            std::memcpy(o, digits, k);
            o += k;
        } else { // ddd.ddd, at least one digit after the point
            for (int i = 0; i <= exponent; i++)
                *o++ = i < static_cast<int>(k) ? digits[i] : '0';
            *o++ = '.';
            if (static_cast<int>(k) > exponent + 1) {
                std::memcpy(o, digits + exponent + 1, k - size_t(exponent) - 1);
                o += k - size_t(exponent) - 1;
            } else {
                *o++ = '0';
            }
        }
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            std::memcpy(o, digits + 1, k - 1);
            o += k - 1;
        }
        *o++ = 'e';
        *o++ = neg_exp ? '-' : '+';
        int a = neg_exp ? -exponent : exponent;
        if (a >= 100)
            *o++ = char('0' + a / 100);
        *o++ = char('0' + a / 10 % 10);
        *o++ = char('0' + a % 10);
    }
    return static_cast<size_t>(o - buf);
}
