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
#include "options.h"
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

/* Whether two parses of one record agree: its bytes, terminator, line count, fields and error. */
static bool same_record(const sl_csv_record *a, const sl_csv_field *fa, const sl_csv_record *b,
                        const sl_csv_field *fb, size_t max_fields)
{
    if (a->raw != b->raw || a->raw_len != b->raw_len || a->term_len != b->term_len ||
        a->newlines != b->newlines || a->nfields != b->nfields ||
        a->error_field != b->error_field || (a->error == NULL) != (b->error == NULL) ||
        (a->error && strcmp(a->error, b->error) != 0))
        return false;
    size_t stored = a->error ? a->error_field - 1 : a->nfields; /* a malformed field is not */
    for (size_t f = 0; f < stored && f < max_fields; f++)
        if (fa[f].p != fb[f].p || fa[f].len != fb[f].len || fa[f].quoted != fb[f].quoted)
            return false;
    return true;
}

/* sl_csv_chunk_end cuts where sl_csv_next_record's records end, for every prefix of inputs with
 * quotes in and out of place, and the records of the data up to a cut parse as they do in the
 * whole input: same fields, same error (the reason a malformed record gets may depend on bytes
 * past its first line), so a stream's records do not depend on its chunk size. */
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
        /* found by fuzz_score_csv: the quote opened on line 1 closes on line 2 before "\rp", so
         * line 1 is malformed for the byte after a closing quote, which a cut after line 1 hid */
        "1,\"\n2,iq\"\"\"\"\"\rpr",
        "1,\"\n2,iq\"\"\"\"\"\rpr\n3,4\n",
        /* a stray quote on the second line of a record that a quoted field carried there */
        "\"a\nb\",c\"d\n1,2\n3,4\n",
        "\"a\nb\"x\n1,2\n",
        "\"a\n\nb\"\r,\n1,2\n",
    };
    enum { MAX_FIELDS = 4, MAX_RECORDS = 64 };
    for (size_t t = 0; t < sizeof inputs / sizeof inputs[0]; t++) {
        const char *s = inputs[t];
        size_t n = strlen(s);
        /* the records the parser finds in the whole input */
        size_t ends[MAX_RECORDS], k = 0, pos = 0;
        sl_csv_record whole[MAX_RECORDS];
        sl_csv_field whole_fields[MAX_RECORDS][MAX_FIELDS];
        while (k < MAX_RECORDS &&
               sl_csv_next_record(s, n, &pos, whole_fields[k], MAX_FIELDS, &whole[k]))
            ends[k++] = pos;
        assert_int_equal(sl_csv_chunk_end(s, n, true), n);
        size_t last = 0;
        for (size_t len = 0; len <= n; len++) {
            size_t cut = sl_csv_chunk_end(s, len, false);
            /* a cut is always one of the parser's record ends, within the data, and never moves
             * back as more data comes */
            size_t records_before = 0;
            int is_end = cut == 0;
            for (size_t i = 0; i < k; i++) {
                is_end |= ends[i] == cut;
                records_before += ends[i] <= cut;
            }
            if (!is_end)
                fail_msg("input %zu, %zu bytes: cut %zu is no record end", t, len, cut);
            assert_true(cut <= len);
            assert_true(cut >= last);
            last = cut;
            /* the chunk s[0..cut) holds the same records as the whole input */
            size_t i = 0;
            sl_csv_record rec;
            sl_csv_field fields[MAX_FIELDS];
            for (pos = 0; sl_csv_next_record(s, cut, &pos, fields, MAX_FIELDS, &rec); i++)
                if (i >= records_before ||
                    !same_record(&rec, fields, &whole[i], whole_fields[i], MAX_FIELDS))
                    fail_msg("input %zu, cut at %zu of %zu bytes: record %zu parses otherwise "
                             "(error '%s', whole input: '%s')",
                             t, cut, len, i + 1, rec.error ? rec.error : "none",
                             i < k && whole[i].error ? whole[i].error : "none");
            assert_int_equal(i, records_before);
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
    assert_int_equal(sl_json_begin(&it, s, strlen(s), SL_JSON_NONFINITE), 0);
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
        int r = sl_json_begin(&it, bad[i], strlen(bad[i]), SL_JSON_NONFINITE);
        while (r == 0 || r == 1)
            r = sl_json_next(&it, &m);
        assert_int_equal(r, -1);
        assert_non_null(it.error);
    }
}

/* Scans s (one object) with flags; returns -1 (error), else the number of members. */
static int scan_all(const char *s, size_t n, unsigned flags, sl_json_iter *it)
{
    sl_json_member m;
    int r = sl_json_begin(it, s, n, flags), members = 0;
    while (r >= 0 && (r = sl_json_next(it, &m)) == 1)
        members++;
    return r < 0 ? -1 : members;
}

static void json_options(void **state)
{
    (void)state;
    sl_json_iter it;
    /* Python's tokens only when asked for */
    const char *nan = "{\"a\": NaN, \"b\": [Infinity, -Infinity]}";
    assert_int_equal(scan_all(nan, strlen(nan), SL_JSON_NONFINITE, &it), 2);
    assert_int_equal(scan_all(nan, strlen(nan), 0, &it), -1);
    assert_int_equal(it.error_offset, 6);
    /* UTF-8: well-formed sequences pass, others fail at their first byte, nested ones too */
    const char *good = "{\"caf\xc3\xa9\": \"\xe2\x80\x94 \xf0\x9f\x98\x80\", \"x\": {\"y\": \"\\ud83d\\ude00\"}}";
    assert_int_equal(scan_all(good, strlen(good), SL_JSON_UTF8, &it), 2);
    static const char *const bad[] = {
        "{\"a\": \"\xff\"}",             /* not a lead byte */
        "{\"a\": \"\xc0\xaf\"}",         /* overlong '/' */
        "{\"a\": \"\xed\xa0\x80\"}",     /* an encoded surrogate */
        "{\"a\": \"\xe2\x80\"}",         /* truncated sequence */
        "{\"a\": \"\xf4\x90\x80\x80\"}", /* above U+10FFFF */
        "{\"a\": \"\\ud800\"}",          /* unpaired high surrogate */
        "{\"a\": \"\\udc00\\ud800\"}",   /* low before high */
        "{\"a\": {\"b\": [\"\xc3\"]}}",  /* nested */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(scan_all(bad[i], strlen(bad[i]), SL_JSON_UTF8, &it), -1);
        assert_true(it.error_offset >= 6 && it.error_offset < strlen(bad[i]));
        assert_int_equal(scan_all(bad[i], strlen(bad[i]), 0, &it), 1); /* bytes pass unchecked */
    }
}

static void json_unescape(void **state)
{
    (void)state;
    static const struct { const char *in, *out; size_t out_len; } cases[] = {
        {"plain", "plain", 5},
        {"a\\\"b\\\\c\\/d", "a\"b\\c/d", 7},
        {"\\b\\f\\n\\r\\t", "\b\f\n\r\t", 5},
        {"caf\\u00e9 \\u2014", "caf\xc3\xa9 \xe2\x80\x94", 9},
        {"\\ud83d\\ude00!", "\xf0\x9f\x98\x80!", 5},
        {"x\\u0000y", "x\0y", 3},
        {"\\ud800", "\xef\xbf\xbd", 3}, /* unpaired: U+FFFD */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        size_t n = sl_json_unescape(cases[i].in, strlen(cases[i].in), out);
        assert_int_equal(n, cases[i].out_len);
        assert_memory_equal(out, cases[i].out, n);
    }
}

/* What panel and eval read: named members picked from a whole line, escaped keys, a nested
 * object's bytes scanned again, duplicates of a picked name refused at their key. */
static void json_pick_nested(void **state)
{
    (void)state;
    static const char *const names[] = {"item_id", "distribution", "task"};
    const char *s = "{\"\\u0069tem_id\": \"a\\\"b\", \"other\": [1, {\"x\": {}}], "
                    "\"distribution\": {\"l\\u00e9\": 0.25, \"m\": 0.75}}";
    sl_json_iter it;
    sl_json_member m[3];
    assert_int_equal(sl_json_pick(&it, s, strlen(s), SL_JSON_UTF8, names, 3, m), 0);
    assert_non_null(m[0].value);
    assert_null(m[2].value); /* absent */
    char out[16];
    size_t n = sl_json_unescape(m[0].value + 1, m[0].value_len - 2, out);
    assert_true(n == 3 && !memcmp(out, "a\"b", 3));
    assert_int_equal(m[1].type, SL_JSON_OBJECT);
    sl_json_iter d;
    sl_json_member e;
    assert_int_equal(sl_json_begin(&d, m[1].value, m[1].value_len, SL_JSON_UTF8), 0);
    assert_int_equal(sl_json_next(&d, &e), 1);
    n = sl_json_unescape(e.key, e.key_len, out);
    assert_true(e.key_escaped && n == 3 && !memcmp(out, "l\xc3\xa9", 3));
    assert_true(e.value_len == 4 && !memcmp(e.value, "0.25", 4));
    assert_int_equal(sl_json_next(&d, &e), 1);
    assert_int_equal(sl_json_next(&d, &e), 0);
    const char *dup = "{\"task\": \"a\", \"x\": 1, \"t\\u0061sk\": \"b\"}";
    assert_int_equal(sl_json_pick(&it, dup, strlen(dup), 0, names, 3, m), -1);
    assert_string_equal(it.error, "duplicate key");
    assert_int_equal(it.error_offset, 22); /* the second key's opening quote */
    const char *bad = "{\"item_id\": \"a\", \"x\": {\"y\": [1 2]}}"; /* bad where nothing is picked */
    assert_int_equal(sl_json_pick(&it, bad, strlen(bad), 0, names, 3, m), -1);
    assert_int_equal(it.error_offset, 31); /* at the 2 */
}

/* ---- options ---- */

typedef struct parsed {
    const char *in, *note;
    size_t threads;
    double share;
    int format;
    bool verbose;
} parsed;

static int parse(parsed *p, const char *line)
{
    char buf[256], *argv[16];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 16; t = strtok(NULL, " "))
        argv[argc++] = t;
    *p = (parsed){.threads = 4, .share = 0.5, .format = -1};
    const sl_option options[] = {
        {"--in", SL_OPT_PATH, &p->in, "FILE", .help = "input", .flags = SL_OPT_REQUIRED},
        {"--note", SL_OPT_STRING, &p->note, "TEXT", .help = "a note"},
        {"--threads", SL_OPT_COUNT, &p->threads, "N", .help = "threads\nsecond line", .lo = 1,
         .hi = 64},
        {"--share", SL_OPT_REAL, &p->share, "S", .help = "a share",
         .flags = SL_OPT_FRACTION | SL_OPT_ABOVE_MIN, .min = 0.0, .max = 1.0},
        {"--format", SL_OPT_ENUM, &p->format, NULL, .help = "format", .choices = "csv|jsonl"},
        {"--verbose", SL_OPT_FLAG, &p->verbose, .help = "say more"},
    };
    const sl_command_options command = {"test", "  about\n", "  notes\n", options, 6};
    return sl_options_parse(&command, argc, argv);
}

static void options_parse(void **state)
{
    (void)state;
    parsed p;
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(parse(&p, "--in a.csv --threads=8 --share 2/3 --format jsonl --verbose"), 0);
    assert_string_equal(p.in, "a.csv");
    assert_true(p.threads == 8 && p.format == 1 && p.verbose && p.note == NULL);
    assert_true(fabs(p.share - 2.0 / 3.0) < 1e-15);
    assert_int_equal(parse(&p, "--note=x=y --in=- --threads 3.0"), 0); /* '=' within a value */
    assert_true(!strcmp(p.note, "x=y") && !strcmp(p.in, "-") && p.threads == 3);
    assert_true(p.share == 0.5 && p.format == -1 && !p.verbose); /* defaults kept */
    static const char *const refused[] = {
        "--in a --threads 0",  "--in a --threads 65", "--in a --threads x", "--in a --share 0",
        "--in a --share 1/0",  "--in a --share nan",  "--in a --format xml", "--in a --bogus 1",
        "--in a --thread 2",   /* no abbreviations */ "--in a --verbose=1", "--in a stray",
        "--in a --threads",    /* missing value */    "--threads 2",        /* --in required */
        "--in= --threads 2",   /* an empty path */
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(parse(&p, refused[i]), SL_EX_USAGE);
    /* --help prints the usage generated from the same table and stops */
    FILE *saved = stdout;
    stdout = open_memstream(&out, &len);
    int rc = parse(&p, "--threads 2 --help");
    fclose(stdout);
    stdout = saved;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(out, "usage: softlabel test --in FILE [--note TEXT] [--threads N] [--share S]"));
    assert_non_null(strstr(out, "  about\n  --in FILE"));
    assert_non_null(strstr(out, "  --format csv|jsonl     format\n"));
    assert_non_null(strstr(out, "  --threads N            threads\n                         second line\n"));
    assert_non_null(strstr(out, "  --verbose              say more\n  notes\n"));
    free(out);
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

static void put(const char *name, const char *text) { write_text_file(in_dir(name), text); }

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
        if (sl_utf8_text_invalid_at(cases[i].s, len) != want) /* no NUL here: the same answer */
            fail_msg("case %zu (text): %zu, expected %zu", i,
                     sl_utf8_text_invalid_at(cases[i].s, len), want);
    }
    /* a text field's NUL byte: the first of a NUL and an ill-formed byte, wherever it falls in
     * the 8-byte runs (memcpy: the literals hold NULs) */
    static const struct {
        char s[24];
        size_t len, bad;
    } texts[] = {
        {"\0", 1, 0}, {"ab\0cd", 5, 2}, {"abcdefgh\0", 9, 8}, {"abcdefg\0ijklmnop", 16, 7},
        {"abcdefghijklmn\0", 15, 14}, {"\xc3\xa9\0\xff", 4, 2}, {"a\xff\0", 3, 1},
        {"abcdefghij\xc3\xa9", 12, 12},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char buf[24];
        memcpy(buf, texts[i].s, texts[i].len);
        if (sl_utf8_text_invalid_at(buf, texts[i].len) != texts[i].bad)
            fail_msg("text %zu: %zu, expected %zu", i, sl_utf8_text_invalid_at(buf, texts[i].len),
                     texts[i].bad);
    }
    assert_int_equal(sl_utf8_invalid_at("ab\0cd", 5), 5); /* NUL is UTF-8 */
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
        cmocka_unit_test(json_options),
        cmocka_unit_test(json_unescape),
        cmocka_unit_test(json_pick_nested),
        cmocka_unit_test(options_parse),
        cmocka_unit_test(utf8_validity),
        cmocka_unit_test(numbers_reals),
        cmocka_unit_test(numbers_whole),
        cmocka_unit_test(numbers_printed),
        cmocka_unit_test(summary_bins_follow_the_library),
        cmocka_unit_test(outfile_atomic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
