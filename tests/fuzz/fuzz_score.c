/*
 * libFuzzer target: `softlabel score` on a CSV file (fuzz_score_csv) or a JSONL file
 * (fuzz_score_jsonl, built with FUZZ_JSONL), i.e. the command's reader, number parsing, scoring
 * and writer, in-process. The input is the file's bytes; for CSV, when its first byte is below
 * 0x80 a standard header is put before it, so most mutations exercise records rather than the
 * header (an input starting with a byte >= 0x80 is used whole, header included).
 *
 * Invariants checked on every input:
 *  - the command exits 0 or 65 (never a crash, a signal, an internal or I/O error);
 *  - split chunks score like one chunk: --chunk-size 16 gives the same exit code, output and
 *    rejects, byte for byte, as one 64 KiB chunk;
 *  - records are conserved: "rows in N = scored S + rejected R" holds, and S is the number of rows
 *    the output holds;
 *  - outputs are in range: every output row's v_hat is in [-1, 1] and p in [0, 1];
 *  - JSONL: each output line is a valid JSON object (jansson) with v_hat and p members (inputs
 *    with NaN/Infinity tokens, which pass through byte for byte as Python writes them, are not
 *    strict JSON and are checked for the appended members only; a record that is not UTF-8 is
 *    rejected, so it never reaches the output);
 *  - stopping at the first error: exit 0 with the same output when nothing was rejected, else 65
 *    and no output file left.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#ifdef FUZZ_JSONL
#define IN_NAME "in.jsonl"
#define OUT_NAME "out.jsonl"
#define OUT2_NAME "out2.jsonl"
#define OUT3_NAME "out3.jsonl"
#define REJ_NAME "rej.jsonl"
#define REJ2_NAME "rej2.jsonl"
#else
#define IN_NAME "in.csv"
#define OUT_NAME "out.csv"
#define OUT2_NAME "out2.csv"
#define OUT3_NAME "out3.csv"
#define REJ_NAME "rej.csv"
#define REJ2_NAME "rej2.csv"
static const char HEADER[] =
    "id,task_progress_delta,rework_count,verifier_rejections,tool_misuse_flags,"
    "counterparty_engagement_delta,\"note, free\"\n";
#endif

static void check_range(double v_hat, double p)
{
    if (!(v_hat >= -1.0 && v_hat <= 1.0))
        fuzz_fail("v_hat %.17g outside [-1, 1]", v_hat);
    if (!(p >= 0.0 && p <= 1.0))
        fuzz_fail("p %.17g outside [0, 1]", p);
}

#ifdef FUZZ_JSONL
static double member_number(json_t *obj, const char *key, const char *line)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        fuzz_fail("output line without a numeric %s: %s", key, line);
    return json_number_value(v);
}

/* The appended members are the line's last two: ..."v_hat":V,"p":P} */
static void check_appended(const char *line)
{
    const char *pk = strstr(line, "\"p\":"), *vk = strstr(line, "\"v_hat\":");
    const char *last_p = pk, *last_v = vk;
    while (pk && (pk = strstr(pk + 1, "\"p\":")))
        last_p = pk;
    while (vk && (vk = strstr(vk + 1, "\"v_hat\":")))
        last_v = vk;
    if (!last_p || !last_v)
        fuzz_fail("output line without v_hat and p: %s", line);
    check_range(strtod(last_v + 8, NULL), strtod(last_p + 4, NULL));
}

/* Each output line: a JSON object with v_hat and p in range. Returns the number of lines. A
 * UTF-8 byte order mark at the start of the input is kept at the start of the output (records
 * pass through byte for byte), so it is skipped here. A line jansson refuses only for a number
 * beyond a double (1e900: valid JSON, which the command reads as infinity and passes through)
 * gets the appended members' check. */
static unsigned long long check_output(const char *out, size_t n, bool strict_json)
{
    unsigned long long rows = 0;
    size_t start = n >= 3 && memcmp(out, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    for (size_t i = start; i < n;) {
        const char *nl = memchr(out + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - out) : n;
        char *line = strndup(out + i, end - i);
        if (!line)
            abort();
        rows++;
        json_error_t e;
        json_t *obj = strict_json ? json_loadb(out + i, end - i, JSON_ALLOW_NUL, &e) : NULL;
        if (json_is_object(obj)) {
            check_range(member_number(obj, "v_hat", line), member_number(obj, "p", line));
        } else if (strict_json && json_error_code(&e) != json_error_numeric_overflow) {
            fuzz_fail("output line %llu is not a JSON object (%s): %s", rows, e.text, line);
        } else {
            check_appended(line);
        }
        json_decref(obj);
        free(line);
        i = end + 1;
    }
    return rows;
}
#else
static void check_csv_row(void *ctx, const char *s, const fuzz_csv_rec *r)
{
    unsigned long long *rows = ctx;
    if ((*rows)++ == 0)
        return; /* the header */
    if (r->nfields < 2)
        fuzz_fail("output row with %zu fields: '%.*s'", r->nfields, (int)(r->end - r->start),
                  s + r->start);
    double v_hat = fuzz_number(s + r->last_field[0], r->last_field[1] - 1 - r->last_field[0],
                               "v_hat");
    double p = fuzz_number(s + r->last_field[1], r->end - r->last_field[1], "p");
    check_range(v_hat, p);
}

/* Each output row (after the header): v_hat and p in range. Returns the number of rows. */
static unsigned long long check_output(const char *out, size_t n, bool strict_json)
{
    (void)strict_json;
    unsigned long long rows = 0;
    fuzz_csv_records(out, n, check_csv_row, &rows);
    return rows > 0 ? rows - 1 : 0;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const scratch_files[] = {IN_NAME, OUT_NAME, OUT2_NAME, OUT3_NAME,
                                                REJ_NAME, REJ2_NAME, NULL};
    fuzz_remove(scratch_files);
#ifdef FUZZ_JSONL
    fuzz_write(IN_NAME, data, size);
    bool strict_json = !memmem(data, size, "NaN", 3) && !memmem(data, size, "Infinity", 8);
#else
    bool strict_json = false;
    if (size > 0 && data[0] < 0x80) {
        char *file = malloc(sizeof HEADER - 1 + size);
        if (!file)
            abort();
        memcpy(file, HEADER, sizeof HEADER - 1);
        memcpy(file + sizeof HEADER - 1, data, size);
        fuzz_write(IN_NAME, file, sizeof HEADER - 1 + size);
        free(file);
    } else {
        fuzz_write(IN_NAME, data, size);
    }
#endif
    const char *in = fuzz_path(IN_NAME);
    char *err = NULL;
    /* one chunk: the largest input libFuzzer makes by default (4096 bytes) and the header fit */
    const char *skip[] = {"score", "--in", in, "--out", fuzz_path(OUT_NAME), "--on-error", "skip",
                          "--rejects", fuzz_path(REJ_NAME), "--threads", "1", "--chunk-size",
                          "65536", NULL};
    int code = fuzz_run(skip, &err);
    if (code != 0 && code != 65)
        fuzz_fail("score --on-error skip exited %d: %s", code, err);

    const char *split[] = {"score", "--in", in, "--out", fuzz_path(OUT2_NAME), "--on-error",
                           "skip", "--rejects", fuzz_path(REJ2_NAME), "--threads", "1",
                           "--chunk-size", "16", NULL};
    int code2 = fuzz_run(split, NULL);
    if (code2 != code || !fuzz_same_file(OUT_NAME, OUT2_NAME) || !fuzz_same_file(REJ_NAME, REJ2_NAME))
        fuzz_fail("--chunk-size 16 gave exit %d and other output than one chunk (exit %d)", code2,
                  code);

    char *out;
    size_t out_size;
    unsigned long long n_in = 0, n_scored = 0, n_rejected = 0;
    if (code == 0) {
        if (!fuzz_read(OUT_NAME, &out, &out_size))
            fuzz_fail("exit 0 without an output file");
        unsigned long long rows = check_output(out, out_size, strict_json);
        free(out);
        if (!fuzz_score_counts(err, &n_in, &n_scored, &n_rejected))
            fuzz_fail("no 'rows in N = scored S + rejected R' line: %s", err);
        if (n_in != n_scored + n_rejected || rows != n_scored)
            fuzz_fail("rows in %llu, scored %llu, rejected %llu, output rows %llu", n_in,
                      n_scored, n_rejected, rows);
    }
    free(err);

    const char *stop[] = {"score", "--in", in, "--out", fuzz_path(OUT3_NAME), "--threads", "1",
                          "--chunk-size", "65536", NULL};
    int code3 = fuzz_run(stop, NULL);
    if (code == 0 && n_rejected == 0) {
        if (code3 != 0 || !fuzz_same_file(OUT_NAME, OUT3_NAME))
            fuzz_fail("stopping mode: exit %d or other output on an input without bad rows",
                      code3);
    } else {
        char *left;
        size_t left_size;
        if (code3 != 65)
            fuzz_fail("stopping mode exited %d on an input with bad rows", code3);
        if (fuzz_read(OUT3_NAME, &left, &left_size)) {
            free(left);
            fuzz_fail("stopping mode left an output file behind after exit 65");
        }
    }
    return 0;
}
