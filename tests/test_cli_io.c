/*
 * Unit tests of the softlabel command's one-of-each readers and writers (tools/io), without the
 * binary: the CSV reader (records, quoting, the recovery rule, chunk boundaries that agree with the
 * record parser), the JSON object scanner, number text, the p summary's bins, atomic outputs.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "csv.h"
#include "json.h"
#include "numtext.h"
#include "test_util.h"
#include "utf8.h"

/* ---- CSV ---- */

/* Splits s into records; returns how many, with each record's raw text and error in the arrays. */
static size_t records(const char *s, const char **raw, size_t *raw_len, const char **error,
                      size_t *nfields, size_t cap)
{
    size_t n = strlen(s), pos = 0, k = 0;
    sl_csv_field fields[16];
    sl_csv_record rec;
    while (k < cap && sl_csv_next_record(s, n, &pos, fields, 16, &rec)) {
        raw[k] = rec.raw;
        raw_len[k] = rec.raw_len;
        error[k] = rec.error;
        nfields[k] = rec.nfields;
        k++;
    }
    return k;
}

static void csv_fields_and_quotes(void **state)
{
    (void)state;
    const char *s = "a,\"b,c\",\"d\"\"e\"\r\n\"multi\nline\",,x\n";
    size_t pos = 0, n = strlen(s);
    sl_csv_field f[4];
    sl_csv_record rec;
    assert_true(sl_csv_next_record(s, n, &pos, f, 4, &rec));
    assert_null(rec.error);
    assert_int_equal(rec.nfields, 3);
    assert_int_equal(rec.term_len, 2);
    assert_true(f[1].quoted && f[1].len == 3 && !memcmp(f[1].p, "b,c", 3));
    char out[16];
    sl_csv_unquote(&f[2], out, sizeof out);
    assert_string_equal(out, "d\"e");
    assert_true(sl_csv_next_record(s, n, &pos, f, 4, &rec));
    assert_null(rec.error);
    assert_int_equal(rec.nfields, 3);
    assert_int_equal(rec.newlines, 2);
    assert_true(f[1].len == 0 && !f[1].quoted);
    assert_false(sl_csv_next_record(s, n, &pos, f, 4, &rec));
}

/* A malformed record is its first line only; the next line is a record again. */
static void csv_recovery_costs_one_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *error;
    } cases[] = {
        {"1,0\"1,2\n3,4,5\n6,7,8\n", "quote inside an unquoted field"},
        {"1,\"0,2\n3,4,5\n6,7,8\n", "unterminated quoted field"},
        {"1,\"0\"x,2\n3,4,5\n6,7,8\n", "unexpected character after a closing quote"},
        {"1,\"0,2\n3,4,5\n6,\"7\"x,8\n", "unexpected character after a closing quote"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *raw[8], *error[8];
        size_t len[8], nf[8];
        size_t k = records(cases[c].text, raw, len, error, nf, 8);
        assert_true(k >= 3);
        assert_string_equal(error[0], cases[c].error);
        const char *nl = strchr(cases[c].text, '\n');
        assert_int_equal(len[0], (size_t)(nl - cases[c].text));
        assert_null(error[1]);
        assert_int_equal(nf[1], 3);
        assert_true(len[1] == 5 && !memcmp(raw[1], "3,4,5", 5));
    }
}

/* sl_csv_chunk_end cuts exactly where sl_csv_next_record's records end, for every prefix of
 * inputs with quotes in and out of place. */
static void csv_chunk_end_agrees_with_parser(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "a,b\n1,2\n",
        "a,\"b\nc\",d\n1,\"\"\"x\"\"\",2\r\n3,4\n",
        "1,0\"1,2\n3,4,5\n",
        "1,\"0,2\n3,4,5\n6,7\n",
        "1,\"0\"x,2\n3,\"4\n5\",6\n",
        "\"a\"\"\",\"\"\n\"\n\"\n",
        "x,\"y\"\r\nz\n",
        "x,\"y\"\rz\nw\n",
    };
    for (size_t t = 0; t < sizeof inputs / sizeof inputs[0]; t++) {
        const char *s = inputs[t];
        size_t n = strlen(s);
        /* the record ends the parser finds in the whole input */
        size_t ends[64], k = 0, pos = 0;
        sl_csv_record rec;
        while (sl_csv_next_record(s, n, &pos, NULL, 0, &rec))
            ends[k++] = pos;
        assert_int_equal(sl_csv_chunk_end(s, n, true), n);
        size_t last = 0;
        for (size_t len = 0; len <= n; len++) {
            size_t cut = sl_csv_chunk_end(s, len, false);
            /* a cut is always one of the parser's record ends, within the data, and never moves
             * back as more data comes */
            int is_end = cut == 0;
            for (size_t i = 0; i < k; i++)
                is_end |= ends[i] == cut;
            if (!is_end)
                fail_msg("input %zu, %zu bytes: cut %zu is no record end", t, len, cut);
            assert_true(cut <= len);
            assert_true(cut >= last);
            last = cut;
        }
    }
}

static void csv_header_names(void **state)
{
    (void)state;
    char name[32];
    sl_csv_field f = {" \tp \t", 5, false};
    assert_null(sl_csv_header_name(&f, name, sizeof name));
    assert_string_equal(name, "p");
    sl_csv_field nul = {"p\0x", 3, false};
    assert_non_null(sl_csv_header_name(&nul, name, sizeof name));
    assert_true(sl_csv_is_blank(" \t\r", 3));
    assert_true(sl_csv_is_blank("", 0));
    assert_false(sl_csv_is_blank(" ,", 2));
}

/* ---- JSON ---- */

static void json_members_and_errors(void **state)
{
    (void)state;
    const char *s = " {\"a\": 1.5e3, \"b\\n\": [1, {\"c\": null}], \"d\": \"x\\\"y\"} ";
    sl_json_iter it;
    sl_json_member m;
    assert_int_equal(sl_json_begin(&it, s, strlen(s)), 0);
    assert_int_equal(sl_json_next(&it, &m), 1);
    assert_true(sl_json_key_is(&m, "a") && m.type == SL_JSON_NUMBER);
    assert_true(m.value_len == 5 && !memcmp(m.value, "1.5e3", 5));
    assert_int_equal(sl_json_next(&it, &m), 1);
    assert_true(sl_json_key_is(&m, "b\n") && m.type == SL_JSON_ARRAY && m.key_escaped);
    assert_int_equal(sl_json_next(&it, &m), 1);
    assert_true(sl_json_key_is(&m, "d") && m.type == SL_JSON_STRING);
    assert_int_equal(sl_json_next(&it, &m), 0);
    static const char *const bad[] = {"{\"a\":}", "{\"a\" 1}", "[1]", "{\"a\":1,}", "{\"a\":01}",
                                      "{\"a\":1} x", "{\"a\":\"\x01\"}", "{\"a\":[1,}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = sl_json_begin(&it, bad[i], strlen(bad[i]));
        while (r == 0 || r == 1)
            r = sl_json_next(&it, &m);
        assert_int_equal(r, -1);
        assert_non_null(it.error);
    }
}

/* ---- numbers ---- */

static void numbers_reals(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double value;
    } ok[] = {{"0.1", 0.1}, {"+2", 2.0}, {"-0", -0.0}, {"1e999", INFINITY}, {"-1e999", -INFINITY},
              {"1e-999", 0.0}, {"inf", INFINITY}, {"-Infinity", -INFINITY}, {".5", 0.5}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double x;
        assert_int_equal(sl_parse_f64(ok[i].text, strlen(ok[i].text), &x), 0);
        assert_true(x == ok[i].value && signbit(x) == signbit(ok[i].value));
    }
    /* length does not matter: 1 and 600 zeros is +inf, 0.(600 zeros)1 is 0 */
    char big[700] = "1", tiny[700] = "0.";
    memset(big + 1, '0', 600);
    memset(tiny + 2, '0', 600);
    tiny[602] = '1';
    double x;
    assert_int_equal(sl_parse_f64(big, strlen(big), &x), 0);
    assert_true(isinf(x) && x > 0);
    assert_int_equal(sl_parse_f64(tiny, strlen(tiny), &x), 0);
    assert_true(x == 0.0);
    float f;
    assert_int_equal(sl_parse_f32(big, strlen(big), &f), 0);
    assert_true(isinf(f));
    assert_int_equal(sl_parse_f64("nan", 3, &x), 0);
    assert_true(isnan(x));
    static const char *const bad[] = {"", " 1", "1 ", "0x10", "nan(1)", "1e", "--1", "+-1", "1,5",
                                      "infinit", "e5", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sl_parse_f64(bad[i], strlen(bad[i]), &x), -1);
}

static void numbers_whole(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        sl_whole_status st;
        int64_t value;
    } cases[] = {
        {"3", SL_WHOLE_OK, 3}, {"+3", SL_WHOLE_OK, 3}, {"3.0", SL_WHOLE_OK, 3},
        {"3e0", SL_WHOLE_OK, 3}, {"30e-1", SL_WHOLE_OK, 3}, {"0.3e1", SL_WHOLE_OK, 3},
        {"-0", SL_WHOLE_OK, 0}, {"0e999999999999", SL_WHOLE_OK, 0}, {"2147483647", SL_WHOLE_OK, 2147483647},
        {"1e-400", SL_WHOLE_FRACTION, 0}, {"0.999999999999999999999", SL_WHOLE_FRACTION, 0},
        {"3.0000000000000001", SL_WHOLE_FRACTION, 0}, {"2147483648", SL_WHOLE_ABOVE, 0},
        {"1e30", SL_WHOLE_ABOVE, 0}, {"inf", SL_WHOLE_ABOVE, 0}, {"-1", SL_WHOLE_BELOW, 0},
        {"-inf", SL_WHOLE_BELOW, 0}, {"nan", SL_WHOLE_NAN, 0}, {"x", SL_WHOLE_SYNTAX, 0},
        {" 3", SL_WHOLE_SYNTAX, 0}, {"0x3", SL_WHOLE_SYNTAX, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = -99;
        sl_whole_status st = sl_parse_whole(cases[i].text, strlen(cases[i].text), 0, INT32_MAX, &v);
        if (st != cases[i].st)
            fail_msg("'%s': status %d, expected %d", cases[i].text, (int)st, (int)cases[i].st);
        if (st == SL_WHOLE_OK)
            assert_int_equal(v, cases[i].value);
    }
    int64_t v;
    assert_int_equal(sl_parse_whole("-1", 2, -1, 1, &v), SL_WHOLE_OK);
    assert_int_equal(v, -1);
    assert_int_equal(sl_parse_whole("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &v), SL_WHOLE_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(sl_parse_whole("9223372036854775808", 19, INT64_MIN, INT64_MAX, &v), SL_WHOLE_ABOVE);
}

static void numbers_printed(void **state)
{
    (void)state;
    char buf[SL_NUMTEXT_MAX + 1];
    static const struct {
        double x;
        const char *shortest, *python;
    } cases[] = {
        {0.1, "0.1", "0.1"},
        {0.1 + 0.2, "0.30000000000000004", "0.30000000000000004"},
        {1e-5, "1e-05", "1e-05"},
        {1e16, "1e+16", "1e+16"},
        {1e15, "1e+15", "1000000000000000.0"},
        {0.0001, "1e-04", "0.0001"},
        {-2.5, "-2.5", "-2.5"},
        {5e-324, "5e-324", "5e-324"},
        {123456789.125, "123456789.125", "123456789.125"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf[sl_format_f64(cases[i].x, buf)] = '\0';
        assert_string_equal(buf, cases[i].shortest);
        buf[sl_format_f64_python(cases[i].x, buf)] = '\0';
        assert_string_equal(buf, cases[i].python);
        /* the %.15g..%.17g form: exactly what printf writes */
        buf[sl_format_f64_g15(cases[i].x, buf)] = '\0';
        char want[40];
        for (int p = 15; p <= 17; p++) {
            snprintf(want, sizeof want, "%.*g", p, cases[i].x);
            if (strtod(want, NULL) == cases[i].x || p == 17)
                break;
        }
        assert_string_equal(buf, want);
    }
    buf[sl_format_f64_python(NAN, buf)] = '\0';
    assert_string_equal(buf, "NaN");
    buf[sl_format_f64_python(-INFINITY, buf)] = '\0';
    assert_string_equal(buf, "-Infinity");
}

/* ---- the p summary bins as the library does ---- */

static void summary_bins_follow_the_library(void **state)
{
    (void)state;
    static const double ps[] = {0.0, 0.1, 0.2, 0.3, 0.6, 0.7, 0.9, 0.99999, 1.0};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        sl_psummary s;
        sl_psummary_init(&s);
        sl_psummary_add(&s, ps[i]);
        int bin = sl_quality_bin_index(ps[i]);
        assert_int_equal(s.bins[bin], 1);
    }
    /* the reference's edges: 3 * 0.1 rounds above 0.3, so p = 0.3 is in bin 2 (and 0.6, 0.7 in 5, 6) */
    assert_int_equal(sl_quality_bin_index(0.3), 2);
    assert_int_equal(sl_quality_bin_index(0.6), 5);
    assert_int_equal(sl_quality_bin_index(0.7), 6);
    assert_int_equal(sl_quality_bin_index(1.0), 9);
}

/* ---- atomic outputs ---- */

static char dir[] = "/tmp/test_cli_io.XXXXXX";

static char *in_dir(const char *name)
{
    static char path[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(in_dir(name), "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *get(const char *name)
{
    static char buf[256];
    FILE *f = fopen(in_dir(name), "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static size_t entries(void)
{
    size_t n = 0;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%zu", &n), 1);
    pclose(p);
    return n;
}

static void outfile_atomic(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    put("out.txt", "old");
    sl_outfile o;
    /* abandoned: the old file survives, no temporary file is left */
    assert_int_equal(sl_outfile_open(&o, in_dir("out.txt")), 0);
    fputs("half", sl_outfile_stream(&o));
    sl_outfile_abort(&o);
    assert_string_equal(get("out.txt"), "old");
    assert_int_equal(entries(), 1);
    /* committed: replaced whole */
    assert_int_equal(sl_outfile_open(&o, in_dir("out.txt")), 0);
    fputs("new", sl_outfile_stream(&o));
    assert_int_equal(sl_outfile_commit(&o), 0);
    assert_string_equal(get("out.txt"), "new");
    /* through a symlink: the target is replaced, the link stays a link */
    assert_int_equal(symlink("out.txt", in_dir("link.txt")), 0);
    assert_int_equal(sl_outfile_open(&o, in_dir("link.txt")), 0);
    fputs("via link", sl_outfile_stream(&o));
    assert_int_equal(sl_outfile_commit(&o), 0);
    struct stat st;
    assert_int_equal(lstat(in_dir("link.txt"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(get("out.txt"), "via link");
    /* two outputs committed together: a write error in one leaves both old files */
    put("a.txt", "old a");
    sl_outfile a, full;
    assert_int_equal(sl_outfile_open(&a, in_dir("a.txt")), 0);
    fputs("new a", sl_outfile_stream(&a));
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(sl_outfile_open(&full, "/dev/full"), 0);
        fputs("x", sl_outfile_stream(&full));
        sl_outfile *both[] = {&full, &a};
        assert_int_equal(sl_outfile_commit_all(both, 2), -1);
        assert_string_equal(get("a.txt"), "old a");
    } else {
        sl_outfile_abort(&a);
    }
    assert_int_equal(entries(), 3);
    /* the same file by two names */
    const char *opts[] = {"--out", "--rejects"};
    const char *same[] = {in_dir("out.txt"), in_dir("link.txt")};
    assert_int_equal(sl_outputs_distinct("test", opts, same, 2), -1);
    const char *dots[] = {in_dir("new.txt"), in_dir("../" "x")};
    char other[300];
    snprintf(other, sizeof other, "%s/../%s/new.txt", dir, strrchr(dir, '/') + 1);
    dots[1] = other;
    assert_int_equal(sl_outputs_distinct("test", opts, dots, 2), -1);
    const char *differ[] = {in_dir("out.txt"), in_dir("a.txt")};
    assert_int_equal(sl_outputs_distinct("test", opts, differ, 2), 0);
    const char *devnull[] = {"/dev/null", "/dev/null"};
    assert_int_equal(sl_outputs_distinct("test", opts, devnull, 2), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* sl_utf8_invalid_at against the Unicode standard's table of well-formed byte sequences
 * (section 3.9, table 3-7), at every boundary of every row, and the offset it reports. */
static void utf8_validity(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t bad; /* offset of the first ill-formed byte; SIZE_MAX: well-formed */
    } cases[] = {
        {"", SIZE_MAX}, {"plain ascii \t\x7f", SIZE_MAX},
        {"\xc2\x80\xdf\xbf", SIZE_MAX},                       /* C2..DF 80..BF */
        {"\xe0\xa0\x80\xe0\xbf\xbf", SIZE_MAX},               /* E0 A0..BF 80..BF */
        {"\xe1\x80\x80\xec\xbf\xbf", SIZE_MAX},               /* E1..EC 80..BF 80..BF */
        {"\xed\x80\x80\xed\x9f\xbf", SIZE_MAX},               /* ED 80..9F 80..BF */
        {"\xee\x80\x80\xef\xbf\xbf", SIZE_MAX},               /* EE..EF 80..BF 80..BF */
        {"\xf0\x90\x80\x80\xf0\xbf\xbf\xbf", SIZE_MAX},       /* F0 90..BF 80..BF 80..BF */
        {"\xf1\x80\x80\x80\xf3\xbf\xbf\xbf", SIZE_MAX},       /* F1..F3 80..BF x3 */
        {"\xf4\x80\x80\x80\xf4\x8f\xbf\xbf", SIZE_MAX},       /* F4 80..8F 80..BF 80..BF */
        {"ab\x80", 2}, {"a\xbf", 1},                           /* stray continuation bytes */
        {"a\xc0\x80", 1}, {"\xc1\xbf", 0},                     /* overlong 2-byte forms */
        {"\xe0\x9f\xbf", 0}, {"\xf0\x8f\xbf\xbf", 0},         /* overlong 3- and 4-byte */
        {"x\xed\xa0\x80", 1}, {"\xed\xbf\xbf", 0},            /* UTF-16 surrogates */
        {"\xf4\x90\x80\x80", 0}, {"\xf5\x80\x80\x80", 0},     /* past U+10FFFF */
        {"\xf8\x88\x80\x80\x80", 0}, {"\xfe\xff", 0},          /* not UTF-8 at all */
        {"ok\xe2\x82", 2}, {"\xf0\x9f\x98", 0}, {"\xc3", 0},  /* cut at the end */
        {"\xe2\x82x", 0}, {"\xc3\xa9\xc3(", 2},                /* cut by the next character */
        {"abcdefgh\xff", 8}, {"abcdefghijklmno\xe2\x82", 15},   /* after 8-byte ASCII runs */
        {"abcdefg\xc3\xa9ijklmnopq\xc3\xa9stuvwxyz01234\x80", 33},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].s);
        size_t want = cases[i].bad == SIZE_MAX ? len : cases[i].bad;
        if (sl_utf8_invalid_at(cases[i].s, len) != want)
            fail_msg("case %zu: %zu, expected %zu", i, sl_utf8_invalid_at(cases[i].s, len), want);
    }
    /* a valid sequence is never read past the length given: cut anywhere, it is invalid there */
    const char *euro = "a\xe2\x82\xac";
    assert_int_equal(sl_utf8_invalid_at(euro, 4), 4);
    assert_int_equal(sl_utf8_invalid_at(euro, 3), 1);
    assert_int_equal(sl_utf8_invalid_at(euro, 2), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_fields_and_quotes),
        cmocka_unit_test(csv_recovery_costs_one_line),
        cmocka_unit_test(csv_chunk_end_agrees_with_parser),
        cmocka_unit_test(csv_header_names),
        cmocka_unit_test(json_members_and_errors),
        cmocka_unit_test(utf8_validity),
        cmocka_unit_test(numbers_reals),
        cmocka_unit_test(numbers_whole),
        cmocka_unit_test(numbers_printed),
        cmocka_unit_test(summary_bins_follow_the_library),
        cmocka_unit_test(outfile_atomic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
