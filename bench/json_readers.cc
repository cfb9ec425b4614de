// The command's JSON reader against jansson and simdjson's On-Demand API (issue 17: "prefer a
// well-kept library where it does the job as fast").
//
// Three kinds of JSONL lines, generated here with a fixed seed, each read the way its command reads
// it:
//   score  `softlabel gen` records: the five observables by name, each parsed from its own text
//          (score needs the text: f32 runs parse it as float, bad values are quoted byte for byte)
//   panel  annotations: eight fields, strings with escapes undone (evidence holds escapes and
//          non-ASCII text), confidence as a number, error as a boolean
//   eval   `softlabel panel` items: item_id, task, disagreement_class, and the nested distribution
//          object's labels and shares (the other nested members are skipped)
// Each reader reads each line on its own (a bad line must not stop the others) and all agree on a
// checksum of what they read. simdjson's On-Demand API validates only what it is asked for, so it
// runs twice: "simdjson" reads the fields the command needs and skips the rest unchecked;
// "simdjson-all" also visits every other value, so the whole line is validated, as the scanner and
// jansson do (score copies lines through and must not pass on one that is not JSON). Passes are interleaved
// (scanner, jansson, simdjson, rotating which goes first) and the median of each is reported, with
// the load average, because the machine is shared. Then each reader is asked what the commands need
// besides speed (exact bytes and offset of a value, the offset of an error, validation of values not
// read, NaN, invalid UTF-8), and the answers are printed.
//
// Usage: json_readers [--lines N] [--passes P]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <jansson.h>
#include <simdjson.h>

extern "C" {
#include "json.h"
}
#include "numtext.h"

namespace {

// ---- data ----

struct rng {
    uint64_t s;
    uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    double unit() { return (double)(next() >> 11) / 9007199254740992.0; }
    unsigned below(unsigned n) { return (unsigned)(next() % n); }
};

std::string shortest(double x)
{
    char b[SL_NUMTEXT_MAX];
    return std::string(b, sl_format_f64(x, b));
}

std::string score_lines(size_t n, rng &r)
{
    std::string s;
    for (size_t i = 0; i < n; i++) {
        s += "{\"interaction_id\":" + std::to_string(i + 1) + ",\"agent_id\":\"agent-" +
             std::to_string(1000 + r.below(9000)) + "\",\"task_progress_delta\":" +
             shortest(r.unit() * 2 - 1) + ",\"rework_count\":" + std::to_string(r.below(5)) +
             ",\"verifier_rejections\":" + std::to_string(r.below(4)) +
             ",\"tool_misuse_flags\":" + std::to_string(r.below(2)) +
             ",\"counterparty_engagement_delta\":" + shortest(r.unit() * 2 - 1) + "}\n";
    }
    return s;
}

const char *const evidence_texts[] = {
    "The reply follows the policy.",
    "Quotes the user: \\\"delete everything\\\" and complies.",
    "Mentions a caf\xc3\xa9 address \\u2014 personal data?",
    "Line one\\nline two, with a tab\\there.",
    "No issue found; the tone is neutral and the answer is complete.",
};
const char *const labels[] = {"none", "mild", "moderate", "severe"};

std::string panel_lines(size_t n, rng &r)
{
    std::string s;
    for (size_t i = 0; i < n; i++) {
        s += "{\"item_id\":\"item-" + std::to_string(i / 5) + "\",\"task\":\"harm_severity\"," +
             "\"reviewer\":\"r" + std::to_string(r.below(40)) + "\",\"label\":\"" +
             labels[r.below(4)] + "\",\"confidence\":" + shortest((double)r.below(100) / 100) +
             ",\"evidence\":\"" + evidence_texts[r.below(5)] + "\",\"error\":" +
             (r.below(20) ? "false" : "true") + ",\"gold\":null}\n";
    }
    return s;
}

std::string eval_lines(size_t n, rng &r)
{
    std::string s;
    for (size_t i = 0; i < n; i++) {
        unsigned votes[4] = {r.below(4), r.below(4), r.below(4), 1 + r.below(4)};
        double total = votes[0] + votes[1] + votes[2] + votes[3];
        s += "{\"item_id\":\"item-" + std::to_string(i) + "\",\"task\":\"harm_severity\"," +
             "\"distribution\":{";
        for (int l = 0; l < 4; l++)
            s += std::string(l ? "," : "") + "\"" + labels[l] + "\":" + shortest(votes[l] / total);
        s += "},\"reviewer_count\":" + std::to_string((int)total) +
             ",\"entropy_bits\":" + shortest(r.unit() * 2) + ",\"confidence\":{\"r1\":0.78," +
             "\"r2\":0.93,\"r3\":0.89},\"disagreement_class\":\"minor\",\"rationales\":[" +
             "{\"reviewer\":\"r1\",\"label\":\"mild\",\"evidence\":\"" + evidence_texts[r.below(5)] +
             "\"}]}\n";
    }
    return s;
}

// ---- what the commands read ----

const char *const obs_names[] = {"task_progress_delta", "rework_count", "verifier_rejections",
                                 "tool_misuse_flags", "counterparty_engagement_delta"};
const char *const panel_fields[] = {"item_id", "task",     "reviewer", "label",
                                    "confidence", "evidence", "error", "gold"};

// What a pass read: the readers must agree on it.
struct tally {
    double sum = 0; // numbers read
    size_t bytes = 0; // string bytes read, escapes undone
    size_t count = 0; // values read
    size_t bad = 0; // lines refused
    bool operator==(const tally &o) const
    {
        return sum == o.sum && bytes == o.bytes && count == o.count && bad == o.bad;
    }
};

enum kind_t { SCORE, PANEL, EVAL };

// Calls fn(line, length, offset) for each line of text.
template <class F> void each_line(const std::string &text, F fn)
{
    size_t pos = 0;
    while (pos < text.size()) {
        const char *nl = (const char *)memchr(text.data() + pos, '\n', text.size() - pos);
        size_t end = nl ? (size_t)(nl - text.data()) : text.size();
        fn(text.data() + pos, end - pos, pos);
        pos = end + 1;
    }
}

// -- the scanner (tools/io/json.h) --

int field_of(const sl_json_member &m, const char *const *names, int n)
{
    for (int k = 0; k < n; k++)
        if (sl_json_key_is(&m, names[k]))
            return k;
    return -1;
}

void scanner_string(const char *s, size_t len, std::string &scratch, tally &t)
{
    if (memchr(s, '\\', len)) { // escapes undone into scratch, else the bytes are used as they are
        scratch.resize(len);
        len = sl_json_unescape(s, len, &scratch[0]);
    }
    t.bytes += len;
    t.count++;
}

void scanner_pass(kind_t kind, const std::string &text, tally &t)
{
    std::string scratch;
    each_line(text, [&](const char *line, size_t n, size_t) {
        sl_json_iter it;
        sl_json_member m;
        unsigned flags = kind == SCORE ? SL_JSON_NONFINITE : SL_JSON_UTF8;
        int r = sl_json_begin(&it, line, n, flags);
        while (r >= 0 && (r = sl_json_next(&it, &m)) == 1) {
            if (kind == SCORE) {
                double x;
                if (field_of(m, obs_names, 5) >= 0 && !sl_parse_f64(m.value, m.value_len, &x)) {
                    t.sum += x;
                    t.count++;
                }
            } else if (kind == PANEL) {
                if (field_of(m, panel_fields, 8) < 0)
                    continue;
                double x;
                if (m.type == SL_JSON_STRING)
                    scanner_string(m.value + 1, m.value_len - 2, scratch, t);
                else if (m.type == SL_JSON_NUMBER && !sl_parse_f64(m.value, m.value_len, &x)) {
                    t.sum += x;
                    t.count++;
                } else if (m.type == SL_JSON_TRUE || m.type == SL_JSON_FALSE) {
                    t.sum += m.type == SL_JSON_TRUE;
                    t.count++;
                }
            } else {
                static const char *const names[] = {"item_id", "task", "disagreement_class",
                                                     "distribution"};
                int k = field_of(m, names, 4);
                if (k >= 0 && k < 3 && m.type == SL_JSON_STRING)
                    scanner_string(m.value + 1, m.value_len - 2, scratch, t);
                if (k != 3 || m.type != SL_JSON_OBJECT)
                    continue;
                sl_json_iter d; // the nested object: its bytes scanned again
                sl_json_member e;
                int q = sl_json_begin(&d, m.value, m.value_len, flags);
                while (q >= 0 && (q = sl_json_next(&d, &e)) == 1) {
                    double x;
                    scanner_string(e.key, e.key_len, scratch, t);
                    if (e.type == SL_JSON_NUMBER && !sl_parse_f64(e.value, e.value_len, &x)) {
                        t.sum += x;
                        t.count++;
                    }
                }
            }
        }
        t.bad += r < 0;
    });
}

// -- jansson (as panel and eval used it: one json_loadb per line, duplicates refused) --

void jansson_value(json_t *v, tally &t)
{
    if (json_is_string(v)) {
        t.bytes += json_string_length(v);
        t.count++;
    } else if (json_is_number(v)) {
        t.sum += json_number_value(v);
        t.count++;
    } else if (json_is_boolean(v)) {
        t.sum += json_is_true(v);
        t.count++;
    }
}

void jansson_pass(kind_t kind, const std::string &text, tally &t)
{
    each_line(text, [&](const char *line, size_t n, size_t) {
        json_error_t err;
        json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
        if (!o || !json_is_object(o)) {
            t.bad++;
            json_decref(o);
            return;
        }
        if (kind == SCORE) {
            for (const char *name : obs_names)
                jansson_value(json_object_get(o, name), t);
        } else if (kind == PANEL) {
            for (const char *name : panel_fields)
                jansson_value(json_object_get(o, name), t);
        } else {
            for (const char *name : {"item_id", "task", "disagreement_class"})
                jansson_value(json_object_get(o, name), t);
            const char *label;
            json_t *v;
            json_object_foreach(json_object_get(o, "distribution"), label, v)
            {
                t.bytes += strlen(label);
                t.count++;
                jansson_value(v, t);
            }
        }
        json_decref(o);
    });
}

// -- simdjson On-Demand (one document per line, so a bad line costs only itself) --

int sj_field_of(std::string_view key, const char *const *names, int n)
{
    for (int k = 0; k < n; k++)
        if (key == names[k])
            return k;
    return -1;
}

// Visits every part of a value not otherwise read, so simdjson validates the whole line as the
// scanner and jansson do (On-Demand checks only what it is asked for; score copies lines through
// and must not pass on one that is not JSON). Returns SUCCESS when it is valid.
simdjson::error_code sj_validate(simdjson::ondemand::value v, int depth = 0)
{
    using namespace simdjson;
    ondemand::json_type type;
    error_code e = depth > 256 ? DEPTH_ERROR : v.type().get(type);
    if (e)
        return e;
    switch (type) {
    case ondemand::json_type::object: {
        ondemand::object o;
        if ((e = v.get_object().get(o)))
            return e;
        for (auto field : o) {
            std::string_view key;
            ondemand::value x;
            if ((e = field.unescaped_key().get(key)) || (e = field.value().get(x)) ||
                (e = sj_validate(x, depth + 1)))
                return e;
        }
        return SUCCESS;
    }
    case ondemand::json_type::array: {
        ondemand::array a;
        if ((e = v.get_array().get(a)))
            return e;
        for (auto element : a) {
            ondemand::value x;
            if ((e = element.get(x)) || (e = sj_validate(x, depth + 1)))
                return e;
        }
        return SUCCESS;
    }
    case ondemand::json_type::string: {
        std::string_view s;
        return v.get_string().get(s);
    }
    case ondemand::json_type::number: {
        double x;
        return v.get_double().get(x);
    }
    case ondemand::json_type::boolean: {
        bool b;
        return v.get_bool().get(b);
    }
    case ondemand::json_type::null:
        return v.is_null() ? SUCCESS : N_ATOM_ERROR;
    }
    return TAPE_ERROR;
}

void simdjson_pass(kind_t kind, const std::string &padded, size_t size,
                   simdjson::ondemand::parser &parser, bool validate, tally &t)
{
    using namespace simdjson;
    size_t pos = 0;
    while (pos < size) {
        const char *nl = (const char *)memchr(padded.data() + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - padded.data()) : size;
        const char *line = padded.data() + pos;
        size_t n = end - pos;
        pos = end + 1;
        ondemand::document doc;
        ondemand::object obj;
        if (parser.iterate(line, n, padded.size() - (size_t)(line - padded.data())).get(doc) ||
            doc.get_object().get(obj)) {
            t.bad++;
            continue;
        }
        bool bad = false;
        for (auto field : obj) {
            std::string_view key;
            ondemand::value v;
            if (field.unescaped_key().get(key) || field.value().get(v)) {
                bad = true;
                break;
            }
            if (kind == SCORE) {
                std::string_view raw;
                double x;
                if (sj_field_of(key, obs_names, 5) < 0) {
                    if (validate && sj_validate(v)) {
                        bad = true;
                        break;
                    }
                } else {
                    raw = v.raw_json_token();
                    while (!raw.empty() && strchr(" \t\r\n", raw.back()))
                        raw.remove_suffix(1); // the token's text runs to the next structural byte
                    if (!sl_parse_f64(raw.data(), raw.size(), &x)) {
                        t.sum += x;
                        t.count++;
                    }
                }
                continue;
            }
            static const char *const names[] = {"item_id", "task", "disagreement_class",
                                                "distribution"};
            int k = kind == PANEL ? sj_field_of(key, panel_fields, 8) : sj_field_of(key, names, 4);
            if (k < 0) {
                if (validate && sj_validate(v)) {
                    bad = true;
                    break;
                }
                continue;
            }
            ondemand::json_type type;
            if (v.type().get(type)) {
                bad = true;
                break;
            }
            if (type == ondemand::json_type::string) {
                std::string_view s;
                if (v.get_string().get(s)) {
                    bad = true;
                    break;
                }
                t.bytes += s.size();
                t.count++;
            } else if (type == ondemand::json_type::number) {
                double x;
                if (v.get_double().get(x)) {
                    bad = true;
                    break;
                }
                t.sum += x;
                t.count++;
            } else if (type == ondemand::json_type::boolean) {
                bool b;
                if (v.get_bool().get(b)) {
                    bad = true;
                    break;
                }
                t.sum += b;
                t.count++;
            } else if (type == ondemand::json_type::object && kind == EVAL) {
                ondemand::object d;
                if (v.get_object().get(d)) {
                    bad = true;
                    break;
                }
                for (auto e : d) {
                    std::string_view label;
                    double x;
                    if (e.unescaped_key().get(label) || e.value().get_double().get(x)) {
                        bad = true;
                        break;
                    }
                    t.bytes += label.size();
                    t.count++;
                    t.sum += x;
                    t.count++;
                }
            }
        }
        t.bad += bad;
    }
}

// ---- what each can do ----

struct probe {
    const char *what;
    const char *line;
};

std::string scanner_probe(const probe &p, unsigned flags)
{
    sl_json_iter it;
    sl_json_member m;
    int r = sl_json_begin(&it, p.line, strlen(p.line), flags);
    std::string first;
    while (r >= 0 && (r = sl_json_next(&it, &m)) == 1)
        if (first.empty())
            first = "a='" + std::string(m.value, m.value_len) + "' at " +
                    std::to_string(m.value_offset);
    if (r < 0)
        return std::string("error at ") + std::to_string(it.error_offset) + ": " + it.error;
    return "ok, " + first;
}

std::string jansson_probe(const probe &p)
{
    json_error_t err;
    json_t *o = json_loads(p.line, JSON_REJECT_DUPLICATES, &err);
    if (!o)
        return "error at " + std::to_string(err.position) + ": " + err.text;
    json_t *a = json_object_get(o, "a");
    char *text = a ? json_dumps(a, JSON_ENCODE_ANY) : nullptr;
    std::string r = std::string("ok, a=") + (text ? text : "?") + " (re-encoded, no offset)";
    free(text);
    json_decref(o);
    return r;
}

std::string simdjson_probe(const probe &p, bool all)
{
    using namespace simdjson;
    padded_string s(p.line, strlen(p.line));
    ondemand::parser parser;
    ondemand::document doc;
    auto located = [&](error_code e) {
        const char *at;
        std::string where = doc.current_location().get(at) ? "?" : std::to_string(at - s.data());
        return "error at " + where + ": " + error_message(e);
    };
    error_code e = parser.iterate(s).get(doc);
    if (e)
        return std::string("error at ?: ") + error_message(e);
    std::string first;
    auto note = [&](ondemand::value &a) {
        const char *at = nullptr;
        if (!a.current_location().get(at))
            first = "a='" + std::string(a.raw_json_token()) + "' at " + std::to_string(at - s.data());
    };
    if (!all) { // only "a" is asked for, as a reader of some fields does
        ondemand::value a;
        if ((e = doc["a"].get(a)))
            return located(e);
        note(a);
        return "ok, " + first;
    }
    ondemand::object o; // every member visited, every value validated
    if ((e = doc.get_object().get(o)))
        return located(e);
    for (auto field : o) {
        ondemand::value v;
        std::string_view key;
        if ((e = field.unescaped_key().get(key)) || (e = field.value().get(v)))
            return located(e);
        if (key == "a")
            note(v);
        if ((e = sj_validate(v)))
            return located(e);
    }
    return "ok, " + first;
}

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    size_t lines = 200000;
    int passes = 11;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--lines"))
            lines = strtoull(argv[i + 1], nullptr, 10);
        else if (!strcmp(argv[i], "--passes"))
            passes = atoi(argv[i + 1]);
    }
    rng r{42};
    struct data {
        const char *name;
        kind_t kind;
        std::string text, padded;
    } sets[] = {{"score", SCORE, score_lines(lines, r), ""},
                {"panel", PANEL, panel_lines(lines, r), ""},
                {"eval", EVAL, eval_lines(lines, r), ""}};
    const char *const readers[] = {"scanner", "jansson", "simdjson", "simdjson-all"};
    const int nreaders = 4;
    simdjson::ondemand::parser parser;
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    printf("JSONL lines per set: %zu, passes: %d, load average %.1f %.1f %.1f\n", lines, passes,
           load[0], load[1], load[2]);
    printf("%-6s %-9s %10s %12s %8s\n", "set", "reader", "MB/s", "records/s", "ratio");
    int status = 0;
    for (auto &d : sets) {
        d.padded = d.text + std::string(simdjson::SIMDJSON_PADDING, '\0');
        std::vector<double> secs[nreaders];
        tally first[nreaders];
        for (int p = 0; p < passes; p++) {
            for (int j = 0; j < nreaders; j++) {
                int k = (p + j) % nreaders; // rotate which reader runs first
                tally t;
                double t0 = now();
                if (k == 0)
                    scanner_pass(d.kind, d.text, t);
                else if (k == 1)
                    jansson_pass(d.kind, d.text, t);
                else
                    simdjson_pass(d.kind, d.padded, d.text.size(), parser, k == 3, t);
                secs[k].push_back(now() - t0);
                if (p == 0)
                    first[k] = t;
            }
        }
        for (int k = 0; k < nreaders; k++) {
            if (!(first[k] == first[0]) || first[k].bad) {
                fprintf(stderr, "%s: %s read sum %.17g bytes %zu values %zu bad %zu; scanner %.17g %zu %zu %zu\n",
                        d.name, readers[k], first[k].sum, first[k].bytes, first[k].count,
                        first[k].bad, first[0].sum, first[0].bytes, first[0].count, first[0].bad);
                status = 1;
            }
            double m = median(secs[k]);
            printf("%-6s %-9s %10.1f %12.0f %8.2f\n", d.name, readers[k],
                   (double)d.text.size() / m / 1e6, (double)lines / m, median(secs[0]) / m);
        }
    }
    getloadavg(load, 3);
    printf("load average after: %.1f %.1f %.1f (ratio: the scanner's median time / the reader's)\n\n",
           load[0], load[1], load[2]);

    static const probe probes[] = {
        {"value bytes, offset", "{\"a\": 1.50 , \"b\": {\"c\": [1, 2]}}"},
        {"error offset", "{\"a\": 1, \"b\": tru}"},
        {"bad value not read", "{\"a\": 1, \"x\": [1 2]}"},
        {"bad nested not read", "{\"a\": 1, \"x\": {\"y\": 1 \"z\": 2}}"},
        {"NaN", "{\"a\": NaN}"},
        {"invalid UTF-8", "{\"a\": \"\xff\"}"},
        {"unpaired surrogate", "{\"a\": \"\\ud800\"}"},
        {"text after object", "{\"a\": 1} x"},
        {"brace after object", "{\"a\": 1}}"},
        {"number without digit", "{\"a\": .5}"},
        {"control character", "{\"a\": \"x\x01\"}"},
        {"missing colon", "{\"a\" 1}"},
    };
    printf("%-19s | %-42s | %-42s | %-42s | %s\n", "probe", "scanner", "jansson", "simdjson",
           "simdjson-all");
    for (const probe &p : probes) {
        unsigned flags = !strcmp(p.what, "NaN") ? SL_JSON_NONFINITE : SL_JSON_UTF8;
        printf("%-19s | %-42s | %-42s | %-42s | %s\n", p.what, scanner_probe(p, flags).c_str(),
               jansson_probe(p).c_str(), simdjson_probe(p, false).c_str(),
               simdjson_probe(p, true).c_str());
    }
    return status;
}
