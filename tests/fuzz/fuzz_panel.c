/*
 * libFuzzer targets of `softlabel panel`, in-process:
 *  - fuzz_panel: the annotations reader (CSV and JSONL) and the panel builder. The input's first
 *    byte picks the format (bit 0 clear: CSV, put after a standard header; set: JSONL) and
 *    whether a fixed rubric gives task "sev" its labels (bit 1 clear; other tasks are then
 *    refused) or every task takes the labels seen (bit 1 set); the rest is the file's body.
 *  - fuzz_rubric (built with FUZZ_RUBRIC): the YAML rubric loader. The input is the rubric file;
 *    a fixed annotations file is aggregated with it.
 *
 * Invariants checked on every input:
 *  - the command exits 0, 65 (bad records, or a bad rubric: nothing written then) or, for a
 *    rubric, 78 (never a crash, a signal, an internal or I/O error);
 *  - split work gives the same result: --threads 2 writes the same items and summary, byte for
 *    byte, as --threads 1;
 *  - every output (items, summary, HTML report) is valid UTF-8, checked by fuzz_utf8_valid, on
 *    every input: text that is not UTF-8, or holds a NUL, is refused where it is read;
 *  - each line of items.jsonl is a valid JSON object (jansson, without JSON_ALLOW_NUL: `eval`
 *    refuses a NUL too) whose distribution's shares lie in [0, 1] and sum to 1 within 1e-9, whose
 *    entropy is in [0, log2 k], and whose disagreement_class is one of the four (an item whose
 *    reviewers were all marked as errors: null distribution and entropy, "unresolved"); the
 *    summary is a valid JSON object whose "items" equals the number of lines.
 */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static void check_item(json_t *item, size_t line)
{
    json_t *dist = json_object_get(item, "distribution");
    json_t *entropy = json_object_get(item, "entropy_bits");
    json_t *reviewers = json_object_get(item, "reviewer_count");
    const char *cls = json_string_value(json_object_get(item, "disagreement_class"));
    if (!json_is_integer(reviewers) || !cls)
        fuzz_fail("items line %zu lacks a reviewer_count or a class", line);
    if (json_integer_value(reviewers) == 0) { /* no counted reviewer: no distribution */
        if (!json_is_null(dist) || !json_is_null(entropy) || strcmp(cls, "unresolved"))
            fuzz_fail("items line %zu: no reviewer counted, but a distribution or a class", line);
        return;
    }
    if (!json_is_object(dist) || !json_is_number(entropy))
        fuzz_fail("items line %zu lacks a distribution or entropy_bits", line);
    double sum = 0.0;
    size_t k = json_object_size(dist);
    const char *label;
    json_t *share;
    json_object_foreach(dist, label, share) {
        double v = json_number_value(share);
        if (!json_is_number(share) || !(v >= 0.0 && v <= 1.0))
            fuzz_fail("items line %zu: share of '%s' not in [0, 1]", line, label);
        sum += v;
    }
    if (!(fabs(sum - 1.0) <= 1e-9))
        fuzz_fail("items line %zu: shares sum to %.17g", line, sum);
    double h = json_number_value(entropy);
    if (!(h >= 0.0 && h <= log2((double)(k > 0 ? k : 1)) + 1e-12))
        fuzz_fail("items line %zu: entropy %.17g outside [0, log2 %zu]", line, h, k);
    if (strcmp(cls, "agreement") && strcmp(cls, "minor") && strcmp(cls, "major") &&
        strcmp(cls, "unresolved"))
        fuzz_fail("items line %zu: class '%s'", line, cls);
}

static void check_utf8(const char *name)
{
    char *text;
    size_t n;
    if (!fuzz_read(name, &text, &n))
        fuzz_fail("no %s after exit 0 or 65", name);
    if (!fuzz_utf8_valid((const uint8_t *)text, n))
        fuzz_fail("%s is not valid UTF-8", name);
    free(text);
}

static void check_outputs(void)
{
    check_utf8("items.jsonl");
    check_utf8("qa.json");
    check_utf8("qa.html");
    char *items, *summary;
    size_t n, summary_size;
    if (!fuzz_read("items.jsonl", &items, &n))
        fuzz_fail("no items.jsonl after exit 0 or 65");
    size_t lines = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(items + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - items) : n;
        json_error_t e;
        json_t *item = json_loadb(items + i, end - i, 0, &e);
        lines++;
        if (!json_is_object(item))
            fuzz_fail("items line %zu is not a JSON object: %s", lines, e.text);
        check_item(item, lines);
        json_decref(item);
        i = end + 1;
    }
    free(items);
    if (!fuzz_read("qa.json", &summary, &summary_size))
        fuzz_fail("no qa.json after exit 0 or 65");
    json_error_t e;
    json_t *qa = json_loadb(summary, summary_size, 0, &e);
    if (!json_is_object(qa))
        fuzz_fail("the summary is not a JSON object: %s", e.text);
    if (json_integer_value(json_object_get(qa, "items")) != (json_int_t)lines)
        fuzz_fail("the summary counts %lld items, items.jsonl holds %zu",
                  (long long)json_integer_value(json_object_get(qa, "items")), lines);
    json_decref(qa);
    free(summary);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const files[] = {"items.jsonl", "qa.json", "qa.html", "items2.jsonl",
                                        "qa2.json", "qa2.html", NULL};
    fuzz_remove(files);
#ifdef FUZZ_RUBRIC
    static const char annotations[] =
        "item_id,task,reviewer,label,confidence,evidence,error,gold\n"
        "i1,sev,r1,low,0.9,\"x, y\",0,\n"
        "i1,sev,r2,high,0.2,,0,\n"
        "i2,sev,r1,low,,,0,low\n"
        "i2,sev,r2,mid,1,z,1,\n"
        "i3,other,r1,a,0.5,,0,\n"
        "i3,other,r3,b,0.5,,0,\n"
        "i3,t,r3,yes,0.5,,0,\n";
    const char *in_name = "ann.csv";
    fuzz_write(in_name, annotations, sizeof annotations - 1);
    fuzz_write("rubric.yaml", data, size);
    bool use_rubric = true;
#else
    static const char header[] = "item_id,task,reviewer,label,confidence,evidence,error,gold\n";
    const char *in_name = size > 0 && (data[0] & 1) ? "ann.jsonl" : "ann.csv";
    const uint8_t *body = size > 0 ? data + 1 : data;
    size_t body_size = size > 0 ? size - 1 : 0;
    if (in_name[4] == 'c') {
        char *file = malloc(sizeof header - 1 + body_size + 1);
        if (!file)
            abort();
        memcpy(file, header, sizeof header - 1);
        if (body_size)
            memcpy(file + sizeof header - 1, body, body_size);
        fuzz_write(in_name, file, sizeof header - 1 + body_size);
        free(file);
    } else {
        fuzz_write(in_name, body, body_size);
    }
    static const char rubric[] = "sev: [low, mid, high]\n";
    fuzz_write("rubric.yaml", rubric, sizeof rubric - 1);
    bool use_rubric = size == 0 || !(data[0] & 2);
#endif
    const char *one[] = {"panel", "--in", fuzz_path(in_name), "--out", fuzz_path("items.jsonl"),
                         "--summary", fuzz_path("qa.json"), "--report", fuzz_path("qa.html"),
                         "--threads", "1", "--rubric", fuzz_path("rubric.yaml"), NULL};
    if (!use_rubric)
        one[11] = NULL;
    char *err;
    int code = fuzz_run(one, &err);
#ifdef FUZZ_RUBRIC
    int rubric_refused = code == 78 || (code == 65 && strstr(err, "rubric.yaml"));
#else
    int rubric_refused = 0;
#endif
    if (code != 0 && code != 65 && !(code == 78 && rubric_refused))
        fuzz_fail("panel exited %d: %s", code, err);
    free(err);
    if (!rubric_refused)
        check_outputs();

    const char *two[] = {"panel", "--in", fuzz_path(in_name), "--out", fuzz_path("items2.jsonl"),
                         "--summary", fuzz_path("qa2.json"), "--report", fuzz_path("qa2.html"),
                         "--threads", "2", "--rubric", fuzz_path("rubric.yaml"), NULL};
    if (!use_rubric)
        two[11] = NULL;
    int code2 = fuzz_run(two, NULL);
    if (code2 != code || !fuzz_same_file("items.jsonl", "items2.jsonl") ||
        !fuzz_same_file("qa.json", "qa2.json"))
        fuzz_fail("--threads 2 gave exit %d and other items or summary than --threads 1 (exit %d)",
                  code2, code);
    return 0;
}
