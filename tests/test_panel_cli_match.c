/*
 * A C program using only the public API (softlabel.h) reproduces `softlabel panel`: the same
 * annotations (random, unsorted, with error marks, confidences, gold answers, duplicates and
 * quoted evidence) go to the library with sl_panel_add and, as a CSV file, through the command;
 * every item's distribution, entropy, reviewer count, class and adjudication in the command's
 * JSONL, and every QA figure of its summary (items, annotations, reviewers, mean entropy, alpha,
 * classes, flags, per-reviewer gold pass rates), must be the same numbers, bit for bit (the
 * command prints shortest round-trip decimals, which jansson reads back exactly). Without a
 * rubric, and with a rubric and plurality adjudication.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "softlabel.h"
#include "test_util.h"

static char dir[] = "/tmp/softlabel-panel-match-XXXXXX";

static int run(const char *args)
{
    return run_in_dir(dir, SOFTLABEL_CLI_LAUNCHER, SOFTLABEL_CLI, args);
}

static FILE *open_in(const char *name, const char *mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    assert_non_null(f);
    return f;
}

static uint64_t rng = 7;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}

static const char *const tasks[] = {"safety", "severity", "helpfulness"};
static const char *const labels[3][4] = {{"safe", "unsafe"},
                                         {"mild", "moderate", "severe"},
                                         {"unhelpful", "partial", "helpful", "excellent"}};
static const int n_labels[3] = {2, 3, 4};
/* evidence as the library gets it, and as the CSV field holds it */
static const char *const evidence[][2] = {{"plain text", "plain text"},
                                          {"a, b", "\"a, b\""},
                                          {"said \"no\"", "\"said \"\"no\"\"\""},
                                          {"two\nlines", "\"two\nlines\""}};

/* n random annotations to the panel and to ann.csv */
static void make_input(sl_panel *pb, size_t n)
{
    FILE *f = open_in("ann.csv", "w");
    fputs("item_id,task,reviewer,label,confidence,evidence,error,gold\n", f);
    rng = 7;
    for (size_t i = 0; i < n; i++) {
        uint32_t item = rnd((uint32_t)n / 4), t = item % 3;
        char id[32], rev[32], conf[16] = "";
        snprintf(id, sizeof id, "item-%u", item);
        snprintf(rev, sizeof rev, "r%u", rnd(9));
        const char *label = labels[t][rnd((uint32_t)n_labels[t])];
        if (rnd(10))
            snprintf(conf, sizeof conf, "0.%02u", rnd(100));
        int ev = (int)rnd(8) - 4; /* < 0: none */
        int error = rnd(25) == 0;
        const char *gold = item % 17 == 0 ? labels[t][item % (uint32_t)n_labels[t]] : NULL;
        fprintf(f, "%s,%s,%s,%s,%s,%s,%d,%s\n", id, tasks[t], rev, label, conf,
                ev >= 0 ? evidence[ev][1] : "", error, gold ? gold : "");
        sl_annotation a = {id, tasks[t], rev, label, conf[0] ? strtod(conf, NULL) : NAN, error,
                           gold, ev >= 0 ? evidence[ev][0] : NULL};
        sl_status st = sl_panel_add(pb, &a);
        assert_true(st == SL_OK);
    }
    fclose(f);
}

static json_t *load_json(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fail_msg("%s: %s", name, e.text);
    return j;
}

static void same_double(double lib, json_t *v, const char *what)
{
    if (isnan(lib)) {
        assert_true(json_is_null(v));
        return;
    }
    assert_true(json_is_number(v));
    double cli = json_number_value(v);
    if (memcmp(&lib, &cli, sizeof lib) != 0)
        fail_msg("%s: library %.17g, command %.17g", what, lib, cli);
}

static void compare(sl_panel *pb, const char *options)
{
    char args[512];
    snprintf(args, sizeof args,
             "panel --in ann.csv --out items.jsonl --summary qa.json --threads 2 %s", options);
    /* the random input has duplicate (item, reviewer) pairs and conflicting gold answers: the
     * command reports them (exit 65) as the library does (its conflicts) */
    size_t conflicts = sl_panel_conflict_count(pb);
    assert_true(conflicts > 0);
    assert_int_equal(run(args), 65);
    FILE *f = open_in("items.jsonl", "r");
    char *line = NULL;
    size_t cap = 0, i = 0;
    for (; getline(&line, &cap, f) > 0; i++) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        assert_non_null(o);
        sl_panel_item it;
        assert_int_equal(sl_panel_get(pb, i, &it), SL_OK);
        assert_string_equal(json_string_value(json_object_get(o, "item_id")), it.item_id);
        assert_string_equal(json_string_value(json_object_get(o, "task")), it.task);
        assert_int_equal(json_integer_value(json_object_get(o, "reviewer_count")),
                         it.reviewer_count);
        json_t *dist = json_object_get(o, "distribution");
        if (it.reviewer_count == 0) {
            assert_true(json_is_null(dist));
        } else {
            assert_int_equal(json_object_size(dist), it.n_labels);
            for (size_t l = 0; l < it.n_labels; l++)
                same_double(it.distribution[l], json_object_get(dist, it.labels[l]),
                            "distribution");
            same_double(it.entropy_bits, json_object_get(o, "entropy_bits"), "entropy_bits");
        }
        assert_string_equal(json_string_value(json_object_get(o, "disagreement_class")),
                            it.disagreement_class);
        json_t *adj = json_object_get(o, "adjudicated_label");
        if (it.adjudicated_label)
            assert_string_equal(json_string_value(adj), it.adjudicated_label);
        else
            assert_true(json_is_null(adj));
        assert_string_equal(json_string_value(json_object_get(o, "adjudication_reason")),
                            it.adjudication_reason);
        json_t *rat = json_object_get(o, "rationales");
        assert_int_equal(json_array_size(rat), it.n_votes);
        for (size_t j = 0; j < it.n_votes; j++) {
            json_t *ev = json_object_get(json_array_get(rat, j), "evidence");
            if (it.votes[j].evidence)
                assert_string_equal(json_string_value(ev), it.votes[j].evidence);
            else
                assert_true(json_is_null(ev));
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    assert_int_equal(i, sl_panel_count(pb));

    sl_panel_qa qa;
    assert_int_equal(sl_panel_qa_summary(pb, &qa), SL_OK);
    json_t *s = load_json("qa.json");
    assert_int_equal(json_integer_value(json_object_get(s, "items")), qa.items);
    assert_int_equal(json_integer_value(json_object_get(s, "annotations")), qa.annotations);
    assert_int_equal(json_integer_value(json_object_get(s, "reviewers")), qa.reviewers);
    same_double(qa.mean_entropy_bits, json_object_get(s, "mean_entropy_bits"), "mean entropy");
    same_double(qa.krippendorff_alpha, json_object_get(s, "krippendorff_alpha"), "alpha");
    json_t *classes = json_object_get(s, "disagreement_classes");
    for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++)
        assert_int_equal(
            json_integer_value(json_object_get(classes, sl_disagreement_name((sl_disagreement)c))),
            qa.classes[c]);
    json_t *flagged = json_object_get(s, "flagged");
    assert_int_equal(json_array_size(flagged), qa.flagged);
    size_t k = 0;
    for (size_t n = 0; n < sl_panel_count(pb); n++) {
        sl_panel_item it;
        assert_int_equal(sl_panel_get_sparse(pb, n, &it), SL_OK);
        if (!it.flag)
            continue;
        json_t *fl = json_array_get(flagged, k++);
        assert_string_equal(json_string_value(json_object_get(fl, "item_id")), it.item_id);
        assert_string_equal(json_string_value(json_object_get(fl, "reason")), it.flag);
    }
    assert_int_equal(k, qa.flagged);
    json_t *gold = json_object_get(s, "reviewer_gold_pass_rate");
    assert_true(qa.gold_items > 0);
    size_t rated = 0;
    for (size_t r = 0; r < sl_panel_reviewer_count(pb); r++) {
        sl_panel_reviewer rev;
        assert_int_equal(sl_panel_reviewer_get(pb, r, &rev), SL_OK);
        if (!rev.gold_items)
            continue;
        rated++;
        same_double((double)rev.gold_passes / (double)rev.gold_items,
                    json_object_get(gold, rev.name), "gold pass rate");
    }
    assert_int_equal(json_object_size(gold), rated);
    assert_int_equal(json_integer_value(json_object_get(s, "input_errors")), conflicts);
    json_decref(s);
}

static void without_rubric(void **state)
{
    (void)state;
    sl_panel_options o;
    sl_panel_options_default(&o);
    sl_panel *pb;
    assert_int_equal(sl_panel_create(&o, &pb), SL_OK);
    make_input(pb, 40000);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    compare(pb, "");
    sl_panel_free(pb);
}

static void with_rubric(void **state)
{
    (void)state;
    FILE *f = open_in("rubric.yaml", "w");
    fputs("safety: [safe, unsafe]\nseverity:\n  labels: [mild, moderate, severe]\n"
          "  adjudicate: plurality\nhelpfulness: [unhelpful, partial, helpful, excellent]\n", f);
    fclose(f);
    sl_panel_options o;
    sl_panel_options_default(&o);
    o.min_reviewers = 3;
    o.majority = 0.6;
    o.flag_entropy = 0.4;
    sl_panel *pb;
    assert_int_equal(sl_panel_create(&o, &pb), SL_OK);
    for (int t = 0; t < 3; t++)
        assert_int_equal(sl_panel_add_task(pb, tasks[t], labels[t], (size_t)n_labels[t]), SL_OK);
    assert_int_equal(sl_panel_set_adjudicate(pb, "severity", 1), SL_OK);
    make_input(pb, 40000);
    assert_int_equal(sl_panel_finish(pb), SL_OK);
    compare(pb, "--rubric rubric.yaml --min-reviewers 3 --majority 0.6 --flag-entropy 0.4");
    sl_panel_free(pb);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_rubric),
        cmocka_unit_test(with_rubric),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
