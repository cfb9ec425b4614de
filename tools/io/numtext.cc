// Number text for the softlabel command: a thin C wrapper around <charconv> (see numtext.h).
#include "numtext.h"

#include <charconv>
#include <cstdlib>
#include <type_traits>
#include <system_error>

namespace {

// from_chars accepts neither a leading '+' nor surrounding text; strtod accepts the '+', and so
// do Python's float() and pandas, so we do too (but not "+-1" or "++1").
template <typename T> int parse_all(const char *s, size_t n, T *out)
{
    const char *end = s + n;
    if (n > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+')
        s++;
    T value;
    std::from_chars_result r = std::from_chars(s, end, value, std::chars_format::general);
    // result_out_of_range: the value rounds to +-inf or +-0, and from_chars leaves it unset.
    // strtod/strtof give that correctly rounded result; the command never calls setlocale, so
    // they run in the "C" locale. Rare, so a copy to terminate the text is fine.
    if (r.ec == std::errc::result_out_of_range && r.ptr == end) {
        char tmp[512];
        size_t len = static_cast<size_t>(end - s);
        if (len >= sizeof tmp)
            return -1;
        for (size_t i = 0; i < len; i++)
            tmp[i] = s[i];
        tmp[len] = '\0';
        value = std::is_same<T, float>::value ? static_cast<T>(std::strtof(tmp, nullptr))
                                               : static_cast<T>(std::strtod(tmp, nullptr));
        *out = value;
        return 0;
    }
    if (r.ec != std::errc() || r.ptr != end)
        return -1;
    *out = value;
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
