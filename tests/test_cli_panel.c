/*
 * `softlabel panel` and `softlabel eval` end to end: fixture files written here, the command run,
 * its JSONL/JSON read back with jansson and its HTML parsed as XML with libxml2.
 *  - SPEC 4's worked example, exactly the SPEC fields in order;
 *  - CSV quoting (commas, quotes, line breaks, CRLF) and JSONL give the same items;
 *  - first-appearance order of unsorted input; the same output on 1, 2 and 3 threads and from
 *    CSV and JSONL, on many items spread over every thread's chunk and every partition;
 *  - confidences read exactly as strtod reads them;
 *  - adjudication only when asked (gold, plurality never on a tie, error marks), panel kept;
 *  - each bad-input kind named with file, line and value, everything else still written;
 *  - the QA summary (alpha of Krippendorff's published example through the command, gold pass
 *    rates, flags) and the HTML report (well-formed, its two SVG charts);
 *  - eval: metrics against hand-computed values, a model distribution not summing to 1, items on
 *    one side only;
 *  - JSON input of both: escapes undone, unread members skipped, a repeated field or label, NUL,
 *    invalid UTF-8, NaN and text after the object refused at their line and byte column.
 */
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "test_util.h"

static char dir[256];

static const char *path_of(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *name, const char *text) { write_text_file(path_of(name), text); }

/* The same with n bytes of data: a NUL byte included. */
static void write_bytes(const char *name, const char *data, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static char *read_file(const char *name)
{
    FILE *f = fopen(path_of(name), "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

/* Runs `softlabel ARGS` in the test directory with stderr to err.txt; returns the exit code. */
static int run(const char *args)
{
    return run_in_dir(dir, SOFTLABEL_CLI_LAUNCHER, SOFTLABEL_CLI, args);
}

/* The JSON objects of a JSONL file; *n set to their count. */
static json_t **read_jsonl(const char *name, size_t *n)
{
    char *text = read_file(name);
    json_t **items = calloc(1024, sizeof *items);
    *n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!o)
            fail_msg("%s: invalid JSON line: %s (%s)", name, err.text, line);
        items[(*n)++] = o;
    }
    free(text);
    return items;
}

static void free_items(json_t **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
    free(items);
}

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("'%s' is not a number", key);
    return json_number_value(v);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("'%s' is not a string", key);
    return s;
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("expected to find \"%s\" in:\n%s", part, text);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/softlabel_cli_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- the worked example ------------------------------------------------------------------- */

static void worked_example(void **state)
{
    (void)state;
    write_file("rubric.yaml", "tumor_severity: [mild, moderate, severe]\n");
    write_file("ann.csv", "item_id,task,reviewer,label\n"
                          "scan-17,tumor_severity,ana,moderate\n"
                          "scan-17,tumor_severity,ben,moderate\n"
                          "scan-17,tumor_severity,chi,severe\n"
                          "scan-17,tumor_severity,dev,mild\n");
    assert_int_equal(run("panel --in ann.csv --out items.jsonl --rubric rubric.yaml"), 0);
    size_t n;
    json_t **items = read_jsonl("items.jsonl", &n);
    assert_int_equal(n, 1);
    json_t *it = items[0];
    /* exactly the SPEC fields, in the SPEC's order */
    static const char *const fields[] = {"item_id", "task", "distribution", "reviewer_count",
                                         "entropy_bits", "confidence", "disagreement_class",
                                         "rationales", "adjudicated_label", "adjudication_reason"};
    assert_int_equal(json_object_size(it), 10);
    size_t f = 0;
    const char *key;
    json_t *v;
    json_object_foreach(it, key, v) assert_string_equal(key, fields[f++]);
    json_t *dist = json_object_get(it, "distribution");
    assert_true(num(dist, "mild") == 0.25 && num(dist, "moderate") == 0.5 &&
                num(dist, "severe") == 0.25);
    f = 0;
    static const char *const order[] = {"mild", "moderate", "severe"}; /* rubric order */
    json_object_foreach(dist, key, v) assert_string_equal(key, order[f++]);
    assert_true(num(it, "entropy_bits") == 1.5);
    assert_true(num(it, "reviewer_count") == 4);
    assert_string_equal(str(it, "disagreement_class"), "major");
    assert_true(json_is_null(json_object_get(it, "adjudicated_label")));
    assert_int_equal(json_array_size(json_object_get(it, "rationales")), 4);
    assert_true(json_is_null(json_object_get(json_object_get(it, "confidence"), "ana")));
    free_items(items, n);
}

/* ---- input formats, order, threads ------------------------------------------------------------ */

static const char *quoted_csv =
    "item_id,task,reviewer,label,confidence,evidence\r\n"
    "b,t,r1,yes,0.9,\"plain, with a comma\"\r\n"
    "a,t,r1,no,0.25,\"she said \"\"stop\"\"\nthen left\"\r\n"
    "b,t,r2,no,,\r\n"
    "a,t,r2,no,1,\"tab\there\"\r\n"
    "b,t,r3,yes,0,\r\n";

static const char *same_jsonl =
    "{\"item_id\":\"b\",\"task\":\"t\",\"reviewer\":\"r1\",\"label\":\"yes\",\"confidence\":0.9,\"evidence\":\"plain, with a comma\"}\n"
    "{\"item_id\":\"a\",\"task\":\"t\",\"reviewer\":\"r1\",\"label\":\"no\",\"confidence\":0.25,\"evidence\":\"she said \\\"stop\\\"\\nthen left\"}\n"
    "{\"item_id\":\"b\",\"task\":\"t\",\"reviewer\":\"r2\",\"label\":\"no\",\"confidence\":null}\n"
    "\n"
    "{\"item_id\":\"a\",\"task\":\"t\",\"reviewer\":\"r2\",\"label\":\"no\",\"confidence\":1,\"evidence\":\"tab\\there\"}\n"
    "{\"item_id\":\"b\",\"task\":\"t\",\"reviewer\":\"r3\",\"label\":\"yes\",\"confidence\":0}\n";

static void csv_and_jsonl(void **state)
{
    (void)state;
    write_file("q.csv", quoted_csv);
    write_file("q.jsonl", same_jsonl);
    assert_int_equal(run("panel --in q.csv --out from_csv.jsonl"), 0);
    assert_int_equal(run("panel --in q.jsonl --out from_jsonl.jsonl"), 0);
    char *a = read_file("from_csv.jsonl"), *b = read_file("from_jsonl.jsonl");
    assert_string_equal(a, b);
    size_t n;
    json_t **items = read_jsonl("from_csv.jsonl", &n);
    assert_int_equal(n, 2);
    /* first-appearance order: b before a; labels without a rubric: sorted */
    assert_string_equal(str(items[0], "item_id"), "b");
    assert_string_equal(str(items[1], "item_id"), "a");
    json_t *dist = json_object_get(items[0], "distribution");
    const char *key;
    json_t *v;
    const char *first_label = NULL;
    json_object_foreach(dist, key, v) if (!first_label) first_label = key;
    assert_string_equal(first_label, "no");
    assert_true(num(dist, "yes") == 2.0 / 3.0);
    assert_string_equal(str(items[0], "disagreement_class"), "minor"); /* exactly 2/3 */
    json_t *rat = json_object_get(items[1], "rationales");
    assert_string_equal(str(json_array_get(rat, 0), "evidence"), "she said \"stop\"\nthen left");
    assert_string_equal(str(json_array_get(rat, 1), "evidence"), "tab\there");
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(items[0], "rationales"), 1), "evidence")));
    assert_true(num(json_object_get(items[0], "confidence"), "r3") == 0.0);
    free_items(items, n);
    free(a);
    free(b);
}

/* A larger unsorted input with multi-line quoted evidence: 1 and 3 threads, same bytes. */
static void threads_same_output(void **state)
{
    (void)state;
    FILE *f = fopen(path_of("big.csv"), "wb");
    fprintf(f, "item_id,task,reviewer,label,confidence,evidence\n");
    uint64_t rng = 5;
    for (int i = 0; i < 6000; i++) {
        int item = (int)(rng_next(&rng) % 900), rev = (int)(rng_next(&rng) % 40);
        int label = (int)(rng_next(&rng) % 4);
        fprintf(f, "it%d,task%d,rev%d,L%d,0.%d,\"line one, \"\"q\"\"\nline two %d\"\n", item,
                item % 3, rev, label, (int)(rng_next(&rng) % 10), i);
    }
    fclose(f);
    int a = run("panel --in big.csv --out t1.jsonl --summary s1.json --threads 1 --max-errors 0");
    int b = run("panel --in big.csv --out t3.jsonl --summary s3.json --threads 3 --max-errors 0");
    assert_int_equal(a, b); /* duplicates (item, reviewer) occur at random: 65 both times */
    char *x = read_file("t1.jsonl"), *y = read_file("t3.jsonl");
    assert_true(strlen(x) > 100000);
    assert_string_equal(x, y);
    free(x);
    free(y);
    x = read_file("s1.json");
    y = read_file("s3.json");
    assert_string_equal(x, y);
    free(x);
    free(y);
}

/* Many items in shuffled order (so every item's records are spread over the whole file and over
 * every thread's chunk and every partition), with ids that need quoting or are longer than 16
 * bytes, multi-line evidence, error marks, gold answers and duplicate (item, reviewer) pairs. The
 * output must list the items in the order of their first record, computed here independently,
 * give each item its records in input order, and be the same bytes on 1, 2 and 3 threads and
 * from the same records as JSONL. */
#define MANY_ITEMS 12000
#define MANY_PER_ITEM 5

typedef struct many_rec {
    int item, reviewer, label, evidence, error, gold;
    const char *confidence;
} many_rec;

static void many_item_id(int item, char *out, size_t cap, int csv)
{
    if (item % 97 == 0) /* a quote in the id: doubled in CSV, escaped in JSON */
        snprintf(out, cap, csv ? "\"it\"\"q\"\"%d\"" : "\"it\\\"q\\\"%d\"", item);
    else if (item % 50 == 0) /* a comma: quoted in CSV */
        snprintf(out, cap, "\"it,%d\"", item);
    else if (item % 7 == 0) /* longer than 16 bytes */
        snprintf(out, cap, csv ? "item-with-a-rather-long-identifier-%d" : "\"item-with-a-rather-long-identifier-%d\"", item);
    else
        snprintf(out, cap, csv ? "it%d" : "\"it%d\"", item);
}

static void write_many(const many_rec *recs, size_t n)
{
    static const char *const evidence_csv[] = {"", "\"line one, \"\"quoted\"\"\nline two\"",
                                               "plain words"};
    static const char *const evidence_json[] = {"null", "\"line one, \\\"quoted\\\"\\nline two\"",
                                                "\"plain words\""};
    FILE *c = fopen(path_of("many.csv"), "wb"), *j = fopen(path_of("many.jsonl"), "wb");
    assert_non_null(c);
    assert_non_null(j);
    fprintf(c, "item_id,task,reviewer,label,confidence,evidence,error,gold\n");
    for (size_t i = 0; i < n; i++) {
        const many_rec *r = &recs[i];
        char id_csv[96], id_json[96], gold[16] = "";
        many_item_id(r->item, id_csv, sizeof id_csv, 1);
        many_item_id(r->item, id_json, sizeof id_json, 0);
        int task = r->item % 3;
        if (r->gold >= 0)
            snprintf(gold, sizeof gold, "L%d", r->gold);
        fprintf(c, "%s,t%d,r%d,L%d,%s,%s,%d,%s\n", id_csv, task, r->reviewer, r->label,
                r->confidence, evidence_csv[r->evidence], r->error, gold);
        fprintf(j, "{\"item_id\":%s,\"task\":\"t%d\",\"reviewer\":\"r%d\",\"label\":\"L%d\"", id_json,
                task, r->reviewer, r->label);
        if (r->confidence[0])
            fprintf(j, ",\"confidence\":%s", r->confidence);
        fprintf(j, ",\"evidence\":%s,\"error\":%d", evidence_json[r->evidence], r->error);
        if (r->gold >= 0)
            fprintf(j, ",\"gold\":\"%s\"", gold);
        fprintf(j, "}\n");
    }
    fclose(c);
    fclose(j);
}

static void threads_partitions_same_output(void **state)
{
    (void)state;
    static const char *const confidences[] = {"0.5", "0.25", "0.75", "1", "0", "0.125", ""};
    size_t n = 0, cap = MANY_ITEMS * (MANY_PER_ITEM + 1);
    many_rec *recs = calloc(cap, sizeof *recs);
    assert_non_null(recs);
    uint64_t rng = 11;
    for (int item = 0; item < MANY_ITEMS; item++) {
        int k = 2 + item % 3, first_reviewer = (int)(rng_next(&rng) % 40);
        for (int j = 0; j < MANY_PER_ITEM; j++)
            recs[n++] = (many_rec){item, first_reviewer + j, (int)(rng_next(&rng) % (uint64_t)k),
                                   (int)(rng_next(&rng) % 3), rng_next(&rng) % 40 == 0,
                                   item % 25 == 0 && j == 0 ? 0 : -1,
                                   confidences[rng_next(&rng) % 7]};
        if (item % 11 == 0) /* a second record by the same reviewer */
            recs[n++] = (many_rec){item, first_reviewer + 2, 0, 0, 0, -1, "0.5"};
    }
    for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates: items interleaved */
        size_t j = (size_t)(rng_next(&rng) % (i + 1));
        many_rec t = recs[i];
        recs[i] = recs[j];
        recs[j] = t;
    }
    write_many(recs, n);

    int a = run("panel --in many.csv --out m1.jsonl --summary s1.json --threads 1 --max-errors 100000");
    char *err1 = read_file("err.txt");
    int b = run("panel --in many.csv --out m2.jsonl --summary s2.json --threads 2 --max-errors 100000");
    char *err2 = read_file("err.txt");
    int c = run("panel --in many.csv --out m3.jsonl --summary s3.json --threads 3 --max-errors 100000");
    char *err3 = read_file("err.txt");
    int d = run("panel --in many.jsonl --out mj.jsonl --threads 2 --max-errors 0");
    assert_int_equal(a, 65); /* the duplicates */
    assert_int_equal(b, 65);
    assert_int_equal(c, 65);
    assert_int_equal(d, 65);
    assert_string_equal(err1, err2);
    assert_string_equal(err1, err3);
    assert_contains(err1, "duplicate (item, reviewer)");
    char *m1 = read_file("m1.jsonl"), *m2 = read_file("m2.jsonl"), *m3 = read_file("m3.jsonl");
    char *mj = read_file("mj.jsonl");
    assert_string_equal(m1, m2);
    assert_string_equal(m1, m3);
    assert_string_equal(m1, mj);
    char *s1 = read_file("s1.json"), *s2 = read_file("s2.json"), *s3 = read_file("s3.json");
    assert_string_equal(s1, s2);
    assert_string_equal(s1, s3);

    /* the order of first appearance, and each item's reviewers in input order (the first
     * record of a reviewer: later ones are the duplicates) */
    int *order = malloc(MANY_ITEMS * sizeof *order), seen_items = 0;
    char *seen = calloc(MANY_ITEMS, 1);
    char (*reviewers)[MANY_PER_ITEM + 1][8] = calloc(MANY_ITEMS, sizeof *reviewers);
    int *count = calloc(MANY_ITEMS, sizeof *count);
    for (size_t i = 0; i < n; i++) {
        const many_rec *r = &recs[i];
        if (!seen[r->item]) {
            seen[r->item] = 1;
            order[seen_items++] = r->item;
        }
        char name[8];
        snprintf(name, sizeof name, "r%d", r->reviewer);
        int dup = 0;
        for (int j = 0; j < count[r->item]; j++)
            dup |= strcmp(reviewers[r->item][j], name) == 0;
        if (!dup)
            memcpy(reviewers[r->item][count[r->item]++], name, sizeof name);
    }
    assert_int_equal(seen_items, MANY_ITEMS);
    size_t line = 0;
    for (char *p = m1, *next; *p; p = next, line++) {
        next = strchr(p, '\n');
        assert_non_null(next);
        *next++ = '\0';
        json_error_t jerr;
        json_t *o = json_loads(p, 0, &jerr);
        assert_non_null(o);
        assert_true(line < MANY_ITEMS);
        char id[96], want[96];
        many_item_id(order[line], id, sizeof id, 0);
        json_t *expect = json_loads(id, JSON_DECODE_ANY, &jerr);
        snprintf(want, sizeof want, "%s", json_string_value(expect));
        json_decref(expect);
        assert_string_equal(str(o, "item_id"), want);
        json_t *rat = json_object_get(o, "rationales");
        assert_int_equal(json_array_size(rat), count[order[line]]);
        for (size_t j = 0; j < json_array_size(rat); j++)
            assert_string_equal(str(json_array_get(rat, j), "reviewer"), reviewers[order[line]][j]);
        json_decref(o);
    }
    assert_int_equal(line, MANY_ITEMS);
    free(order);
    free(seen);
    free(reviewers);
    free(count);
    free(recs);
    char *all[] = {err1, err2, err3, m1, m2, m3, mj, s1, s2, s3};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
}

/* Confidences as written (numtext.h's rule, values trimmed of spaces): exactly strtod's double. */
static void confidence_text(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "0.1", "0.2", "0.3", "0.7", "0.35", "0.9999999999999999", "0.12345678901234567",
        "0.1234567890123456789", "0.12345678901234567890123", "0.0000000000000000000001",
        "0.00000000000000000000001", ".5", "1.", "1", "0", "0.000001", "1e-3", "5E-1", " 0.25",
        "1.0000000000000000000", "9007199254740993e-16"};
    size_t n = sizeof texts / sizeof *texts;
    FILE *f = fopen(path_of("conf.csv"), "wb");
    fprintf(f, "item_id,task,reviewer,label,confidence\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "c%zu,t,r,yes,%s\n", i, texts[i]);
    fclose(f);
    assert_int_equal(run("panel --in conf.csv --out conf.jsonl"), 0);
    size_t got;
    json_t **items = read_jsonl("conf.jsonl", &got);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        double want = strtod(texts[i], NULL);
        double have = num(json_object_get(items[i], "confidence"), "r");
        if (have != want)
            fail_msg("confidence '%s': %.17g, strtod gives %.17g", texts[i], have, want);
    }
    free_items(items, got);
}

/* ---- adjudication -------------------------------------------------------------------------- */

static json_t *find_item(json_t **items, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(str(items[i], "item_id"), id) == 0)
            return items[i];
    fail_msg("item %s not in the output", id);
    return NULL;
}

static void adjudication(void **state)
{
    (void)state;
    write_file("adj.csv", "item_id,task,reviewer,label,error,gold\n"
                          "plur,t,r1,x,0,\n" "plur,t,r2,x,0,\n" "plur,t,r3,y,0,\n"
                          "tie,t,r1,x,0,\n" "tie,t,r2,y,0,\n"
                          "gold,t,r1,x,0,y\n" "gold,t,r2,x,0,\n"
                          "err,t,r1,x,0,\n" "err,t,r2,y,1,\n" "err,t,r3,x,0,\n");
    /* not asked: no label for plurality or tie items; gold and error marks still adjudicate */
    assert_int_equal(run("panel --in adj.csv --out a0.jsonl"), 0);
    size_t n;
    json_t **items = read_jsonl("a0.jsonl", &n);
    assert_true(json_is_null(json_object_get(find_item(items, n, "plur"), "adjudicated_label")));
    assert_contains(str(find_item(items, n, "plur"), "adjudication_reason"), "not requested");
    json_t *gold = find_item(items, n, "gold");
    assert_string_equal(str(gold, "adjudicated_label"), "y");
    assert_contains(str(gold, "adjudication_reason"), "gold");
    /* the panel record is kept beside the adjudicated label */
    assert_true(num(json_object_get(gold, "distribution"), "x") == 1.0);
    assert_string_equal(str(gold, "disagreement_class"), "agreement");
    json_t *err = find_item(items, n, "err");
    assert_true(num(json_object_get(err, "distribution"), "x") == 1.0); /* r2 excluded */
    assert_true(num(err, "reviewer_count") == 2);
    json_t *rat = json_object_get(err, "rationales");
    assert_int_equal(json_array_size(rat), 3); /* kept in the record */
    assert_true(json_is_true(json_object_get(json_array_get(rat, 1), "error")));
    assert_contains(str(err, "adjudication_reason"), "marked as error");
    free_items(items, n);
    /* asked: the plurality label, never on a tie */
    assert_int_equal(run("panel --in adj.csv --out a1.jsonl --adjudicate plurality"), 0);
    items = read_jsonl("a1.jsonl", &n);
    assert_string_equal(str(find_item(items, n, "plur"), "adjudicated_label"), "x");
    assert_string_equal(str(find_item(items, n, "plur"), "disagreement_class"), "minor");
    json_t *tie = find_item(items, n, "tie");
    assert_true(json_is_null(json_object_get(tie, "adjudicated_label")));
    assert_contains(str(tie, "adjudication_reason"), "tie");
    assert_string_equal(str(tie, "disagreement_class"), "unresolved");
    assert_string_equal(str(find_item(items, n, "gold"), "adjudicated_label"), "y");
    free_items(items, n);
    /* per task from the rubric */
    write_file("adj.yaml", "t:\n  labels: [x, y]\n  adjudicate: plurality\n");
    assert_int_equal(run("panel --in adj.csv --out a2.jsonl --rubric adj.yaml"), 0);
    items = read_jsonl("a2.jsonl", &n);
    assert_string_equal(str(find_item(items, n, "plur"), "adjudicated_label"), "x");
    free_items(items, n);
}

/* ---- bad input ----------------------------------------------------------------------------- */

static void bad_input(void **state)
{
    (void)state;
    write_file("r.yaml", "# severity\nsev: [low, high]\n");
    write_file("bad.csv", "item_id,task,reviewer,label,confidence\n"
                          "i1,sev,r1,low,0.5\n"
                          "i1,sev,r2,hihg,0.5\n"   /* line 3: unknown label */
                          "i1,sev,r1,high,0.5\n"   /* line 4: duplicate (i1, r1) */
                          "i2,sev,r1,high,1.5\n"   /* line 5: confidence outside [0, 1] */
                          "i2,sev,r2,high,abc\n"   /* line 6: not a number */
                          "i2,sev,r3,high,0.75\n"
                          "i3,sev,r1,low,\"0.5\n"  /* line 8: never-closed quote */);
    assert_int_equal(run("panel --in bad.csv --out bad.jsonl --rubric r.yaml"), 65);
    char *err = read_file("err.txt");
    assert_contains(err, "bad.csv:3: column 'label': value 'hihg' is not a label of task 'sev'");
    assert_contains(err, "bad.csv:4: column 'reviewer': value 'r1': duplicate (item, reviewer): "
                         "item 'i1' was already annotated by this reviewer (line 2)");
    assert_contains(err, "bad.csv:5: column 'confidence': value '1.5' is not a number in [0, 1]");
    assert_contains(err, "bad.csv:6: column 'confidence': value 'abc' is not a number in [0, 1]");
    assert_contains(err, "bad.csv:8: malformed record");
    assert_contains(err, "5 input errors");
    free(err);
    /* nothing else is lost: i1 has r1's vote, i2 has r3's */
    size_t n;
    json_t **items = read_jsonl("bad.jsonl", &n);
    assert_int_equal(n, 2);
    assert_true(num(json_object_get(items[0], "distribution"), "low") == 1.0);
    assert_true(num(items[0], "reviewer_count") == 1);
    assert_true(num(json_object_get(items[1], "distribution"), "high") == 1.0);
    assert_true(num(json_object_get(items[1], "confidence"), "r3") == 0.75);
    free_items(items, n);
    /* JSONL: the same kinds, and a task that changes within an item */
    write_file("bad2.jsonl",
               "{\"item_id\":\"i1\",\"task\":\"sev\",\"reviewer\":\"r1\",\"label\":\"low\"}\n"
               "{\"item_id\":\"i1\",\"task\":\"other\",\"reviewer\":\"r2\",\"label\":\"low\"}\n"
               "{\"item_id\":\"i1\",\"task\":\"sev\",\"reviewer\":\"r3\",\"label\":\"low\",\"confidence\":-0.1}\n"
               "{\"item_id\":\"i1\",\"task\":\"sev\",\"reviewer\":\"r4\" \"label\":\"low\"}\n"
               "{\"item_id\":\"i1\",\"task\":\"sev\",\"label\":\"low\"}\n");
    assert_int_equal(run("panel --in bad2.jsonl --out out2.jsonl"), 65);
    err = read_file("err.txt");
    assert_contains(err, "bad2.jsonl:2: column 'task': value 'other', but this item has task 'sev' (line 1)");
    assert_contains(err, "bad2.jsonl:3: column 'confidence': value '-0.1' is not a number in [0, 1]");
    assert_contains(err, "bad2.jsonl:4: malformed record, skipped: invalid JSON");
    assert_contains(err, "bad2.jsonl:5: column 'reviewer': missing value");
    free(err);
    /* a broken rubric names its file and line */
    write_file("broken.yaml", "sev: [low, high]\nother: [a, a]\n");
    assert_int_equal(run("panel --in bad.csv --out x.jsonl --rubric broken.yaml"), 65);
    err = read_file("err.txt");
    assert_contains(err, "broken.yaml:2: label given twice: 'a'");
    free(err);
    /* a header without a required column */
    write_file("nohdr.csv", "item,task,reviewer,label\nx,t,r,l\n");
    assert_int_equal(run("panel --in nohdr.csv --out x.jsonl"), 65);
    err = read_file("err.txt");
    assert_contains(err, "nohdr.csv:1: the header has no column 'item_id'");
    free(err);
}

/* Text that is not UTF-8 (or holds a NUL byte) never reaches an output: the record is refused
 * naming file, line, column and byte, the rest is processed, and every output is valid JSON
 * (jansson validates UTF-8) that `eval` reads back. */
static void text_not_utf8(void **state)
{
    (void)state;
    static const char csv[] =
        "item_id,task,reviewer,label,evidence\n"
        "i\xff" "1,t,r1,a,\n"                      /* line 2: a stray byte in the id */
        "i2,t,r1,a,\"x \"\"q\"\" \xc0\x80\"\n"        /* line 3: an overlong NUL, quoted field */
        "i2,t,r2,\xed\xa0\x80,\n"                 /* line 4: a UTF-16 surrogate as a label */
        "i2,t,r\xe2\x82,b,\n"                      /* line 5: a cut sequence in the reviewer */
        "i3,t,r1,a\0b,\n"                          /* line 6: a NUL byte in the label */
        "i3,t,r2,b,\"\xf4\x90\x80\x80\"\n"           /* line 7: past U+10FFFF */
        "i2,t,r3,caf\xc3\xa9,\"\xe2\x82\xac \xf0\x9f\x98\x80\"\n" /* valid 2-, 3- and 4-byte text */
        "i3,t,r3,a,ok\n";
    write_bytes("u.csv", csv, sizeof csv - 1);
    assert_int_equal(run("panel --in u.csv --out u.jsonl --summary u_qa.json --report u_qa.html"),
                     65);
    char *err = read_file("err.txt");
    assert_contains(err, "u.csv:2: malformed record, skipped: column 'item_id' (field 1): not UTF-8 "
                         "text: byte 0xFF at byte 2 of the value");
    assert_contains(err, "u.csv:3: malformed record, skipped: column 'evidence' (field 5): not "
                         "UTF-8 text: byte 0xC0 at byte 7 of the value");
    assert_contains(err, "u.csv:4: malformed record, skipped: column 'label' (field 4): not UTF-8 "
                         "text: byte 0xED at byte 1 of the value");
    assert_contains(err, "u.csv:5: malformed record, skipped: column 'reviewer' (field 3): not "
                         "UTF-8 text: byte 0xE2 at byte 2 of the value");
    assert_contains(err, "u.csv:6: malformed record, skipped: column 'label' (field 4): a NUL "
                         "byte at byte 2 of the value");
    assert_contains(err, "u.csv:7: malformed record, skipped: column 'evidence' (field 5): not "
                         "UTF-8 text: byte 0xF4 at byte 1 of the value");
    assert_contains(err, "6 input errors");
    free(err);
    size_t n;
    json_t **items = read_jsonl("u.jsonl", &n); /* fails on a line that is not valid JSON */
    assert_int_equal(n, 2);                    /* i2 (r3's vote) and i3 (r3's): nothing else lost */
    json_t *i2 = find_item(items, n, "i2");
    assert_true(num(json_object_get(i2, "distribution"), "caf\xc3\xa9") == 1.0);
    json_t *why = json_array_get(json_object_get(i2, "rationales"), 0);
    assert_string_equal(str(why, "evidence"), "\xe2\x82\xac \xf0\x9f\x98\x80");
    assert_non_null(find_item(items, n, "i3"));
    free_items(items, n);
    json_error_t jerr;
    json_t *qa = json_load_file(path_of("u_qa.json"), 0, &jerr);
    assert_non_null(qa);
    json_decref(qa);
    /* the output reads back into eval */
    write_file("u_model.jsonl", "{\"item_id\":\"i2\",\"distribution\":{\"caf\xc3\xa9\":1}}\n"
                                "{\"item_id\":\"i3\",\"distribution\":{\"a\":1}}\n");
    assert_int_equal(run("eval --human u.jsonl --model u_model.jsonl --out u_per.jsonl > u_sum.json"),
                     0);
    items = read_jsonl("u_per.jsonl", &n);
    assert_int_equal(n, 2);
    free_items(items, n);

    /* JSONL: the JSON reader refuses such strings; the record costs only itself */
    static const char jsonl[] =
        "{\"item_id\":\"i\xff\",\"task\":\"t\",\"reviewer\":\"r1\",\"label\":\"a\"}\n"
        "{\"item_id\":\"j\",\"task\":\"t\",\"reviewer\":\"r1\",\"label\":\"a\\u0000b\"}\n"
        "{\"item_id\":\"j\",\"task\":\"t\",\"reviewer\":\"r2\",\"label\":\"\\ud800\"}\n"
        "{\"item_id\":\"j\",\"task\":\"t\",\"reviewer\":\"r3\",\"label\":\"caf\xc3\xa9\"}\n";
    write_bytes("u2.jsonl", jsonl, sizeof jsonl - 1);
    assert_int_equal(run("panel --in u2.jsonl --out u2_items.jsonl"), 65);
    err = read_file("err.txt");
    assert_contains(err, "u2.jsonl:1: malformed record, skipped: invalid JSON: invalid UTF-8 in a "
                         "string (column 14)");
    assert_contains(err, "u2.jsonl:2: malformed record, skipped: 'label' holds a NUL character");
    assert_contains(err, "u2.jsonl:3: malformed record, skipped: invalid JSON: unpaired surrogate");
    assert_contains(err, "3 input errors");
    free(err);
    items = read_jsonl("u2_items.jsonl", &n);
    assert_int_equal(n, 1);
    free_items(items, n);

    /* eval: a line of either file that is not UTF-8 is refused by its file and line, the rest
     * evaluated */
    static const char human[] =
        "{\"item_id\":\"a\",\"task\":\"t\",\"distribution\":{\"x\":1,\"y\":0}}\n"
        "{\"item_id\":\"b\xc3\",\"task\":\"t\",\"distribution\":{\"x\":1,\"y\":0}}\n"
        "{\"item_id\":\"c\",\"task\":\"t\",\"distribution\":{\"x\":0,\"y\":1}}\n";
    static const char model[] =
        "{\"item_id\":\"a\",\"distribution\":{\"x\":1}}\n"
        "{\"item_id\":\"c\",\"distribution\":{\"y\xff\":1}}\n";
    write_bytes("u_h.jsonl", human, sizeof human - 1);
    write_bytes("u_m.jsonl", model, sizeof model - 1);
    assert_int_equal(run("eval --human u_h.jsonl --model u_m.jsonl --allow-missing "
                         "--out u_per2.jsonl > u_sum2.json"), 65);
    err = read_file("err.txt");
    assert_contains(err, "u_h.jsonl:2: invalid JSON");
    assert_contains(err, "u_m.jsonl:2: invalid JSON");
    free(err);
    items = read_jsonl("u_per2.jsonl", &n);
    assert_int_equal(n, 1);
    assert_non_null(find_item(items, n, "a"));
    free_items(items, n);

    /* the report names its input as given, and a file name need not be UTF-8: shown with U+FFFD
     * for a stray byte or a control character, the XHTML stays well-formed and the PDF renders */
    static const char ann[] = "item_id,task,reviewer,label\ni1,t,r1,a\ni1,t,r2,a\n";
    write_bytes("n\xff" "ame.csv", ann, sizeof ann - 1);
    write_bytes("c\x01x.csv", ann, sizeof ann - 1);
    assert_int_equal(run("panel --in 'n\xff" "ame.csv' --out n.jsonl --report n.html"), 0);
    assert_int_equal(run("panel --in 'c\x01x.csv' --out c.jsonl --report c.html"), 0);
    for (int i = 0; i < 2; i++) {
        const char *html = i ? "c.html" : "n.html";
        xmlDocPtr doc = xmlReadFile(path_of(html), NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
        if (!doc)
            fail_msg("%s is not well-formed XML", html);
        xmlFreeDoc(doc);
        char *text = read_file(html);
        assert_contains(text, i ? "Input: c\xef\xbf\xbdx.csv" : "Input: n\xef\xbf\xbd" "ame.csv");
        free(text);
    }
    /* fontconfig (under cairo) keeps its caches to the exit, which LeakSanitizer would report */
    const char *asan = getenv("ASAN_OPTIONS");
    char *saved = asan ? strdup(asan) : NULL;
    setenv("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1", 1);
    int pdf = run("panel --in 'n\xff" "ame.csv' --out n.jsonl --report n.pdf");
    if (saved)
        setenv("ASAN_OPTIONS", saved, 1);
    else
        unsetenv("ASAN_OPTIONS");
    free(saved);
    assert_true(pdf == 0 || pdf == 64); /* 64: a build without cairo refuses .pdf by name */
    if (pdf == 0) {
        char *text = read_file("n.pdf");
        assert_true(strncmp(text, "%PDF-", 5) == 0);
        free(text);
    }

    /* a rubric label or task with a NUL ("\0" in YAML) is refused, not cut short */
    write_file("nul.yaml", "t: [a, \"a\\0b\"]\n");
    assert_int_equal(run("panel --in u.csv --out x.jsonl --rubric nul.yaml"), 65);
    err = read_file("err.txt");
    assert_contains(err, "nul.yaml:1: a label holds a NUL character, in task 't'");
    free(err);
    write_file("nul2.yaml", "\"t\\0u\": [a]\n");
    assert_int_equal(run("panel --in u.csv --out x.jsonl --rubric nul2.yaml"), 65);
    err = read_file("err.txt");
    assert_contains(err, "nul2.yaml:1: a task name holds a NUL character: 't'");
    free(err);
}

/* ---- QA summary and report ------------------------------------------------------------------ */

static void qa_summary_and_report(void **state)
{
    (void)state;
    /* Krippendorff (2011) section C: 4 observers (A-D) x 12 units, values 1..5, "." missing.
     * Published nominal alpha 0.743 (exactly 113/152, see tests/alpha_reference.py). */
    static const char *const data[4] = {"1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3",
                                        ". 3 3 3 2 3 4 2 2 5 1 .", "1 2 3 3 2 4 4 1 2 5 1 ."};
    FILE *f = fopen(path_of("k.csv"), "wb");
    fprintf(f, "item_id,task,reviewer,label,confidence,gold\n");
    for (int o = 0; o < 4; o++)
        for (int u = 0; u < 12; u++) {
            char v = data[o][2 * u];
            if (v != '.')
                fprintf(f, "u%02d,values,%c,%c,%s,%s\n", u + 1, 'A' + o, v,
                        u == 5 ? "0.9" : u == 1 ? "0.2" : "",
                        u == 0 ? "1" : u == 4 ? "3" : "");
        }
    fclose(f);
    assert_int_equal(run("panel --in k.csv --out k.jsonl --summary qa.json --report qa.html"), 0);
    json_error_t jerr;
    json_t *qa = json_load_file(path_of("qa.json"), 0, &jerr);
    assert_non_null(qa);
    assert_true(num(qa, "items") == 12 && num(qa, "annotations") == 41 && num(qa, "reviewers") == 4);
    double alpha = num(qa, "krippendorff_alpha");
    printf("[cli] krippendorff_alpha of the 2011 example through the command: %.17g\n", alpha);
    assert_true(fabs(alpha - 113.0 / 152.0) < 1e-14);
    json_t *cls = json_object_get(qa, "disagreement_classes");
    /* units 1-5, 7, 9, 10 agree; 11 too (2 x "1"); 6: 1,2,3,4 (major? 4-way tie: unresolved);
     * 8: 1,2,1,1 -> 3/4 minor; 12: one value -> unresolved */
    assert_true(num(cls, "agreement") == 8 && num(cls, "minor") == 2 &&
                num(cls, "major") == 0 && num(cls, "unresolved") == 2);
    /* gold: unit 1 -> "1" (A, B, D right), unit 5 -> "3" (everyone said 2: all wrong) */
    json_t *pass = json_object_get(qa, "reviewer_gold_pass_rate");
    assert_true(num(pass, "A") == 0.5 && num(pass, "B") == 0.5 && num(pass, "C") == 0.0 &&
                num(pass, "D") == 0.5);
    /* flags: unit 6 (entropy 2 bits of log2 5, confidence 0.9) genuine ambiguity; unit 2
     * (3 of 4 say 2: 0.81 bits / 2.32 = 0.35 < 0.5) not flagged */
    json_t *flagged = json_object_get(qa, "flagged");
    assert_int_equal(json_array_size(flagged), 1);
    assert_string_equal(str(json_array_get(flagged, 0), "item_id"), "u06");
    assert_string_equal(str(json_array_get(flagged, 0), "reason"), "genuine_ambiguity");
    json_decref(qa);
    /* a lower threshold flags unit 2 too, with low confidence: the rubric */
    assert_int_equal(run("panel --in k.csv --out k.jsonl --summary qa2.json --flag-entropy 0.3"), 0);
    qa = json_load_file(path_of("qa2.json"), 0, &jerr);
    flagged = json_object_get(qa, "flagged");
    assert_int_equal(json_array_size(flagged), 3);
    assert_string_equal(str(json_array_get(flagged, 0), "item_id"), "u02");
    assert_string_equal(str(json_array_get(flagged, 0), "reason"), "rubric_review");
    assert_string_equal(str(json_array_get(flagged, 2), "reason"), "high_entropy_no_confidence");
    json_decref(qa);

    /* the report: well-formed (parsed as XML), two bar charts with 4 + 10 bars and the
     * confidence x entropy scatter, the numbers */
    xmlDocPtr doc = xmlReadFile(path_of("qa.html"), NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "h", BAD_CAST "http://www.w3.org/1999/xhtml");
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr svgs = xmlXPathEvalExpression(BAD_CAST "//s:svg", ctx);
    assert_int_equal(svgs->nodesetval ? svgs->nodesetval->nodeNr : 0, 3);
    xmlXPathObjectPtr bars = xmlXPathEvalExpression(BAD_CAST "//s:rect[@class='bar']", ctx);
    assert_int_equal(bars->nodesetval ? bars->nodesetval->nodeNr : 0, 14);
    xmlXPathObjectPtr alpha_cell =
        xmlXPathEvalExpression(BAD_CAST "string(//h:table[@id='summary']/h:tr[5]/h:td)", ctx);
    assert_string_equal((const char *)alpha_cell->stringval, "0.7434");
    xmlXPathObjectPtr scripts = xmlXPathEvalExpression(BAD_CAST "//h:script | //h:link", ctx);
    assert_int_equal(scripts->nodesetval ? scripts->nodesetval->nodeNr : 0, 0);
    xmlXPathFreeObject(svgs);
    xmlXPathFreeObject(bars);
    xmlXPathFreeObject(alpha_cell);
    xmlXPathFreeObject(scripts);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
}

/* ---- eval ------------------------------------------------------------------------------------- */

static void eval_metrics(void **state)
{
    (void)state;
    write_file("h.jsonl",
               "{\"item_id\":\"a\",\"task\":\"t\",\"distribution\":{\"x\":0.25,\"y\":0.5,\"z\":0.25},\"disagreement_class\":\"major\"}\n"
               "{\"item_id\":\"b\",\"task\":\"t\",\"distribution\":{\"x\":1,\"y\":0,\"z\":0},\"disagreement_class\":\"agreement\"}\n"
               "{\"item_id\":\"c\",\"task\":\"t\",\"distribution\":{\"x\":0.5,\"y\":0.5,\"z\":0},\"disagreement_class\":\"unresolved\"}\n");
    write_file("m.jsonl",
               "{\"item_id\":\"b\",\"distribution\":{\"x\":0.5,\"z\":0.5}}\n"
               "{\"item_id\":\"a\",\"distribution\":{\"x\":0.25,\"y\":0.5,\"z\":0.25}}\n"
               "{\"item_id\":\"c\",\"distribution\":{\"x\":0.3,\"y\":0.3,\"z\":0.3}}\n");
    assert_int_equal(run("eval --human h.jsonl --model m.jsonl --out per.jsonl > sum.json"), 65);
    char *err = read_file("err.txt");
    assert_contains(err, "m.jsonl:3: item 'c': the distribution sums to 0.89999999999999991, not 1");
    free(err);
    size_t n;
    json_t **per = read_jsonl("per.jsonl", &n);
    assert_int_equal(n, 2); /* nothing else lost: a and b evaluated */
    json_t *b = find_item(per, n, "b"), *a = find_item(per, n, "a");
    /* a: identical distributions */
    assert_true(num(a, "kl_bits") == 0.0 && num(a, "js_bits") == 0.0 &&
                num(a, "total_variation") == 0.0 && num(a, "brier") == 0.0);
    assert_true(fabs(num(a, "cross_entropy_bits") - 1.5) < 1e-15);
    /* b: human {1,0,0}, model {0.5,0,0.5}: H(P,Q) = KL = 1 bit; JS = 1 - 0.75 log2(4/3) - ...:
     * JS = H(M) - (H(P) + H(Q))/2 with M = {0.75, 0, 0.25}: H(M) = 0.811278..., H(Q) = 1 */
    double hm = -(0.75 * log2(0.75) + 0.25 * log2(0.25));
    assert_true(fabs(num(b, "cross_entropy_bits") - 1.0) < 1e-15);
    assert_true(fabs(num(b, "kl_bits") - 1.0) < 1e-15);
    assert_true(fabs(num(b, "js_bits") - (hm - 0.5)) < 1e-15);
    assert_true(fabs(num(b, "total_variation") - 0.5) < 1e-15);
    assert_true(fabs(num(b, "brier") - 0.5) < 1e-15);
    assert_true(json_is_true(json_object_get(b, "top_label_agreement")));
    double kl_b = num(b, "kl_bits");
    free_items(per, n);
    json_error_t jerr;
    json_t *sum = json_load_file(path_of("sum.json"), 0, &jerr);
    assert_non_null(sum);
    assert_true(num(sum, "items") == 2);
    json_t *by = json_object_get(sum, "by_disagreement_class");
    assert_true(num(json_object_get(by, "major"), "items") == 1);
    assert_true(num(json_object_get(by, "agreement"), "kl_bits") == kl_b);
    assert_true(fabs(num(json_object_get(sum, "overall"), "kl_bits") - 0.5) < 1e-15);
    json_decref(sum);
    /* --allow-missing: skipped and counted; a model-only item too */
    write_file("m2.jsonl", "{\"item_id\":\"a\",\"distribution\":{\"y\":1}}\n"
                           "{\"item_id\":\"zz\",\"distribution\":{\"y\":1}}\n");
    assert_int_equal(run("eval --human h.jsonl --model m2.jsonl > s2.json"), 65);
    err = read_file("err.txt");
    assert_contains(err, "m2.jsonl:2: item 'zz' is not in the human file");
    free(err);
    assert_int_equal(run("eval --human h.jsonl --model m2.jsonl --allow-missing > s3.json"), 0);
    sum = json_load_file(path_of("s3.json"), 0, &jerr);
    json_t *skipped = json_object_get(sum, "skipped");
    assert_true(num(skipped, "missing_model") == 2 && num(skipped, "missing_human") == 1);
    assert_true(num(sum, "items") == 1);
    json_decref(sum);
    /* a label the task does not have */
    write_file("m3.jsonl", "{\"item_id\":\"a\",\"distribution\":{\"w\":1}}\n");
    assert_int_equal(run("eval --human h.jsonl --model m3.jsonl --allow-missing > s4.json"), 65);
    err = read_file("err.txt");
    assert_contains(err, "m3.jsonl:1: item 'a': label 'w' is not a label of task 't'");
    free(err);
}

/* What the JSON reader (tools/io/json.h) gives panel and eval: escapes undone in keys and values,
 * members they do not read skipped (nested ones validated), and each refusal at its line and
 * byte column while the valid lines are still used. */
static void json_input(void **state)
{
    (void)state;
    write_file("h4.jsonl",
               "{\"item_\\u0069d\":\"caf\\u00e9\",\"task\":\"t\",\"extra\":[{\"deep\":[1,null]}],"
               "\"distribution\":{\"\\u0078\":0.5,\"y\":0.5},\"disagreement_class\":\"minor\"}\n"
               "{\"item_id\":\"b\",\"task\":\"t\",\"distribution\":{\"x\":0.5,\"x\":0.5}}\n"
               "{\"item_id\":\"c\\u0000\",\"task\":\"t\",\"distribution\":{\"x\":1,\"y\":0}}\n"
               "{\"item_id\":\"d\xff\",\"task\":\"t\",\"distribution\":{\"x\":1,\"y\":0}}\n"
               "{\"item_id\":\"e\",\"task\":\"t\",\"distribution\":{\"x\":1,\"y\":0}} x\n");
    write_file("m4.jsonl", "{\"item_id\":\"caf\xc3\xa9\",\"distribution\":{\"x\":0.5,\"y\":0.5}}\n"
                           "{\"item_id\":\"caf\xc3\xa9\",\"distribution\":{\"y\":0.5,\"y\":0.5}}\n");
    assert_int_equal(run("eval --human h4.jsonl --model m4.jsonl > s5.json"), 65);
    char *err = read_file("err.txt");
    assert_contains(err, "h4.jsonl:2: distribution of item 'b': label 'x' appears twice");
    assert_contains(err, "h4.jsonl:3: a string holds a NUL character (\\u0000)");
    assert_contains(err, "h4.jsonl:4: invalid JSON: invalid UTF-8 in a string (column 14)");
    assert_contains(err, "h4.jsonl:5: invalid JSON: text after the end of the object (column 57)");
    assert_contains(err, "m4.jsonl:2: item 'caf\xc3\xa9' appears twice (line 1)");
    free(err);
    json_error_t jerr;
    json_t *sum = json_load_file(path_of("s5.json"), 0, &jerr);
    assert_non_null(sum);
    assert_true(num(sum, "items") == 1); /* the first line, escapes undone, met its model line */
    json_decref(sum);
    /* panel: the same reader for annotations */
    write_file("esc.jsonl",
               "{\"\\u0069tem_id\":\"i1\",\"task\":\"t\",\"reviewer\":\"r1\",\"label\":\"a\\\"b\","
               "\"evidence\":\"line\\none\",\"meta\":{\"k\":[true]}}\n"
               "{\"item_id\":\"i1\",\"task\":\"t\",\"reviewer\":\"r2\",\"label\":\"a\\u0022b\"}\n"
               "{\"item_id\":\"i1\",\"task\":\"t\",\"reviewer\":\"r3\",\"label\":\"c\",\"label\":\"d\"}\n"
               "{\"item_id\":\"i1\",\"task\":\"t\",\"reviewer\":\"r4\",\"label\":\"\xc3\"}\n"
               "{\"item_id\":\"i1\",\"task\":\"t\",\"reviewer\":\"r5\",\"label\":\"c\",\"confidence\":NaN}\n"
               "{\"item_id\":7,\"task\":\"t\",\"reviewer\":\"r1\",\"label\":\"c\"}\n");
    assert_int_equal(run("panel --in esc.jsonl --out esc_items.jsonl"), 65);
    err = read_file("err.txt");
    assert_contains(err, "esc.jsonl:3: malformed record, skipped: invalid JSON: duplicate key (column 56)");
    assert_contains(err, "esc.jsonl:4: malformed record, skipped: invalid JSON: invalid UTF-8 in a string (column 53)");
    assert_contains(err, "esc.jsonl:5: malformed record, skipped: invalid JSON: invalid number (column 69)");
    free(err);
    size_t n;
    json_t **items = read_jsonl("esc_items.jsonl", &n);
    assert_int_equal(n, 2);
    json_t *i1 = find_item(items, n, "i1"), *i7 = find_item(items, n, "7");
    assert_non_null(i1);
    assert_non_null(i7);
    assert_true(num(json_object_get(i1, "distribution"), "a\"b") == 1.0); /* r1 and r2 agree */
    assert_true(num(i1, "reviewer_count") == 2);
    free_items(items, n);
}

/* panel output straight into eval: the worked example against a uniform model */
static void panel_then_eval(void **state)
{
    (void)state;
    assert_int_equal(run("panel --in ann.csv --out items.jsonl --rubric rubric.yaml"), 0);
    write_file("u.jsonl", "{\"item_id\":\"scan-17\",\"distribution\":{\"mild\":0.25,\"moderate\":0.5,\"severe\":0.25}}\n");
    assert_int_equal(run("eval --human items.jsonl --model u.jsonl > e.json"), 0);
    json_error_t jerr;
    json_t *sum = json_load_file(path_of("e.json"), 0, &jerr);
    assert_non_null(sum);
    json_t *major = json_object_get(json_object_get(sum, "by_disagreement_class"), "major");
    assert_true(num(major, "items") == 1 && num(major, "kl_bits") == 0.0 &&
                num(major, "top_label_agreement") == 1.0);
    json_decref(sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(csv_and_jsonl),
        cmocka_unit_test(threads_same_output),
        cmocka_unit_test(threads_partitions_same_output),
        cmocka_unit_test(confidence_text),
        cmocka_unit_test(adjudication),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(text_not_utf8),
        cmocka_unit_test(qa_summary_and_report),
        cmocka_unit_test(eval_metrics),
        cmocka_unit_test(json_input),
        cmocka_unit_test(panel_then_eval),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
