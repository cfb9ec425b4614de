// The panel and evaluation kernels of SPEC section 4, numpy in and out: a batch of n items with
// k labels is a (k, n) C-contiguous float64 array (label-major: row c holds label c of every
// item), which is the library's layout with leading dimension n, so nothing is copied.
#include "common.h"
#include "core.h"

#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

namespace slpy {

namespace {

const double *matrix(nb::handle h, const char *name, bool cast, nb::object &keep, size_t *k,
                     size_t *n)
{
    size_t shape[2];
    const double *p = input_array<double>(h, name, cast, keep, shape, 2);
    *k = shape[0];
    *n = shape[1];
    if (*k == 0)
        throw nb::value_error((std::string(name) + ": no labels (shape[0] is 0)").c_str());
    return p;
}

nb::object panel_stats(nb::handle votes_h, bool cast)
{
    nb::object keep;
    size_t k, n;
    const double *votes = matrix(votes_h, "votes", cast, keep, &k, &n);
    double *dist, *total, *entropy, *top_share;
    int32_t *top_label, *top_ties;
    nb::object dist_o = new_array_2d<double>(k, n, &dist), total_o = new_array<double>(n, &total),
               entropy_o = new_array<double>(n, &entropy),
               share_o = new_array<double>(n, &top_share),
               label_o = new_array<int32_t>(n, &top_label),
               ties_o = new_array<int32_t>(n, &top_ties);
    sl_panel_stats_out out = {dist, n, total, entropy, top_share, top_label, top_ties};
    size_t bad;
    sl_status st;
    {
        nb::gil_scoped_release release;
        st = sl_panel_stats_f64(votes, n, n, k, &out, &bad);
    }
    if (st != SL_OK)
        raise_status(st, "panel_stats", bad, "votes");
    return registered_type("PanelStats")(dist_o, total_o, entropy_o, share_o, label_o, ties_o);
}

nb::object classify(nb::handle reviewers_h, nb::handle share_h, nb::handle ties_h,
                    int32_t min_reviewers, double majority_threshold, bool cast)
{
    static_assert(sizeof(sl_disagreement) == sizeof(int32_t), "classes are written as int32");
    nb::object keep[3];
    In<int32_t> reviewers = input<int32_t>(reviewers_h, "reviewers", cast, keep[0]);
    In<double> share = input<double>(share_h, "top_share", cast, keep[1]);
    In<int32_t> ties = input<int32_t>(ties_h, "top_ties", cast, keep[2]);
    check_length(reviewers.n, share.n, "top_share");
    check_length(reviewers.n, ties.n, "top_ties");
    int32_t *classes;
    nb::object out = new_array<int32_t>(reviewers.n, &classes);
    sl_panel_rules rules = {min_reviewers, majority_threshold};
    sl_status st;
    {
        nb::gil_scoped_release release;
        st = sl_panel_classify(&rules, reviewers.n, reviewers.ptr, share.ptr, ties.ptr,
                               reinterpret_cast<sl_disagreement *>(classes));
    }
    if (st != SL_OK)
        raise_status(st, "classify");
    return out;
}

nb::object divergence(nb::handle human_h, nb::handle model_h, const char *errors, bool cast)
{
    bool mask = parse_errors(errors);
    nb::object keep[2];
    size_t k, n, k_model, n_model;
    const double *human = matrix(human_h, "human", cast, keep[0], &k, &n);
    const double *model = matrix(model_h, "model", cast, keep[1], &k_model, &n_model);
    if (k != k_model || n != n_model)
        throw nb::value_error("divergence: human and model must have the same shape (k, n)");
    double *cols[6];
    nb::object objs[6];
    for (int i = 0; i < 6; i++)
        objs[i] = new_array<double>(n, &cols[i]);
    RowFailure fail = run_rows(n, mask, [&](size_t start, size_t *bad) {
        sl_divergence_out out = {cols[0] + start, cols[1] + start, cols[2] + start,
                                 cols[3] + start, cols[4] + start, cols[5] + start};
        return sl_divergence_f64(human + start, n, model + start, n, n - start, k, &out, bad);
    }, [&](size_t row) {
        for (int i = 0; i < 6; i++)
            cols[i][row] = std::numeric_limits<double>::quiet_NaN();
    });
    if (fail.status != SL_OK)
        raise_status(fail.status, "divergence", fail.row);
    return registered_type("Divergence")(objs[0], objs[1], objs[2], objs[3], objs[4], objs[5]);
}

struct AlphaNominal {
    sl_alpha_nominal acc;
    std::mutex lock; // add() runs with the GIL released: one at a time
    AlphaNominal() { sl_alpha_nominal_init(&acc); }

    void add(nb::handle votes_h, nb::handle total_h, bool cast)
    {
        nb::object keep[2];
        size_t k, n;
        const double *votes = matrix(votes_h, "votes", cast, keep[0], &k, &n);
        In<double> total = input<double>(total_h, "total", cast, keep[1]);
        std::unique_ptr<double[]> own;
        if (total.ptr)
            check_length(n, total.n, "total");
        else // the library's own per-item totals
            own.reset(new double[n ? n : 1]);
        sl_status st = SL_OK;
        size_t bad = 0;
        bool totals_failed = false;
        {
            nb::gil_scoped_release release;
            if (own) {
                sl_panel_stats_out out = {};
                out.total = own.get();
                st = sl_panel_stats_f64(votes, n, n, k, &out, &bad);
                totals_failed = st != SL_OK;
                total.ptr = own.get();
            }
            if (st == SL_OK) {
                std::lock_guard<std::mutex> hold(lock);
                st = sl_alpha_nominal_add(&acc, votes, n, n, k, total.ptr);
            }
        }
        if (totals_failed)
            raise_status(st, "AlphaNominal.add", bad, "votes");
        if (st != SL_OK)
            raise_status(st, "AlphaNominal.add");
    }
};

// sl_panel (softlabel_panel.h): annotations in, items out. One call at a time (a mutex: finish
// runs with the GIL released).
struct Panel {
    sl_panel *pb = nullptr;
    uint64_t calls = 0; // tags as sl_panel_add gives them: the number of add calls before
    std::mutex lock;

    Panel(size_t min_reviewers, double majority, const std::string &adjudicate,
          double flag_entropy, double flag_confidence, size_t threads)
    {
        sl_panel_options o;
        sl_panel_options_default(&o);
        o.min_reviewers = min_reviewers;
        o.majority = majority;
        o.adjudicate = adjudicate_mode(adjudicate, false);
        o.flag_entropy = flag_entropy;
        o.flag_confidence = flag_confidence;
        o.threads = threads;
        sl_status st = sl_panel_create(&o, &pb);
        if (st != SL_OK)
            raise_status(st, "Panel");
    }
    ~Panel() { sl_panel_free(pb); }
    Panel(const Panel &) = delete;
    Panel &operator=(const Panel &) = delete;

    static int adjudicate_mode(const std::string &s, bool allow_default)
    {
        if (s == "none")
            return 0;
        if (s == "plurality")
            return 1;
        if (allow_default && s == "default")
            return -1;
        throw nb::value_error(("adjudicate: 'none' or 'plurality'" +
                               std::string(allow_default ? " or 'default'" : "") + ", not '" +
                               s + "'").c_str());
    }

    void add_task(const std::string &task, const std::vector<std::string> &labels,
                  const std::string &adjudicate)
    {
        std::lock_guard<std::mutex> hold(lock);
        std::vector<const char *> ptrs;
        for (const std::string &l : labels)
            ptrs.push_back(l.c_str());
        sl_status st = sl_panel_add_task(pb, task.c_str(), ptrs.data(), ptrs.size());
        if (st == SL_OK)
            st = sl_panel_set_adjudicate(pb, task.c_str(), adjudicate_mode(adjudicate, true));
        if (st != SL_OK)
            raise_status(st, "Panel.add_task");
    }

    bool add(const std::string &item_id, const std::string &task, const std::string &reviewer,
             const std::string &label, std::optional<double> confidence, bool error,
             std::optional<std::string> gold, std::optional<std::string> evidence)
    {
        std::lock_guard<std::mutex> hold(lock);
        auto span = [](const std::string &s) { return sl_str{s.data(), s.size()}; };
        sl_annotation_span a = {span(item_id), span(task), span(reviewer), span(label),
                                confidence ? *confidence : std::nan(""), error ? 1 : 0,
                                gold ? span(*gold) : sl_str{nullptr, 0},
                                evidence ? span(*evidence) : sl_str{nullptr, 0}, calls++};
        sl_status st = sl_panel_add_span(pb, &a);
        if (st == SL_ERR_PANEL_UNKNOWN_GOLD)
            return false; // added; its gold answer is not a label of the task
        if (st != SL_OK)
            raise_status(st, "Panel.add");
        return true;
    }

    void finish()
    {
        sl_status st;
        {
            nb::gil_scoped_release release;
            std::lock_guard<std::mutex> hold(lock);
            st = sl_panel_finish(pb);
        }
        if (st != SL_OK)
            raise_status(st, "Panel.finish");
    }

    size_t count() { return sl_panel_count(pb); }

    nb::dict item(size_t i)
    {
        std::lock_guard<std::mutex> hold(lock);
        sl_panel_item it;
        sl_status st = sl_panel_get_sparse(pb, i, &it);
        if (st == SL_ERR_PANEL_INDEX)
            throw nb::index_error("Panel: item index out of range");
        if (st != SL_OK)
            raise_status(st, "Panel.item");
        nb::dict dist, d;
        size_t c = 0;
        for (size_t l = 0; l < it.n_labels; l++) {
            bool voted = c < it.n_label_votes && it.label_votes[c].label == l;
            dist[it.labels[l]] = voted ? it.label_votes[c++].share : 0.0;
        }
        nb::list votes;
        for (size_t j = 0; j < it.n_votes; j++) {
            const sl_panel_vote &v = it.votes[j];
            sl_panel_reviewer r;
            sl_panel_reviewer_get(pb, v.reviewer, &r);
            nb::dict vd;
            vd["reviewer"] = nb::str(r.name, r.name_len);
            vd["label"] = it.labels[v.label];
            vd["confidence"] = std::isnan(v.confidence) ? nb::none() : nb::cast(v.confidence);
            vd["error"] = v.error != 0;
            vd["evidence"] = v.evidence ? nb::object(nb::str(v.evidence, v.evidence_len))
                                        : nb::none();
            vd["tag"] = v.tag;
            votes.append(vd);
        }
        auto text = [](const char *s) { return s ? nb::object(nb::str(s)) : nb::none(); };
        d["item_id"] = nb::str(it.item_id, it.item_id_len);
        d["task"] = it.task;
        d["distribution"] = it.reviewer_count ? nb::object(dist) : nb::none();
        d["reviewer_count"] = it.reviewer_count;
        d["entropy_bits"] = it.reviewer_count ? nb::cast(it.entropy_bits) : nb::none();
        d["disagreement_class"] = it.disagreement_class;
        d["adjudicated_label"] = text(it.adjudicated_label);
        d["adjudication_reason"] = it.adjudication_reason;
        d["gold"] = it.gold >= 0 ? nb::object(nb::str(it.labels[it.gold])) : nb::none();
        d["mean_confidence"] = it.confidences ? nb::cast(it.mean_confidence) : nb::none();
        d["flag"] = text(it.flag);
        d["votes"] = votes;
        return d;
    }

    nb::dict qa()
    {
        std::lock_guard<std::mutex> hold(lock);
        sl_panel_qa q;
        sl_status st = sl_panel_qa_summary(pb, &q);
        if (st != SL_OK)
            raise_status(st, "Panel.qa");
        auto real = [](double x) { return std::isnan(x) ? nb::none() : nb::cast(x); };
        nb::dict d, classes, gold;
        for (int c = 0; c < SL_DISAGREEMENT_CLASSES; c++)
            classes[sl_disagreement_name(static_cast<sl_disagreement>(c))] = q.classes[c];
        for (size_t r = 0; r < sl_panel_reviewer_count(pb); r++) {
            sl_panel_reviewer rev;
            sl_panel_reviewer_get(pb, r, &rev);
            if (rev.gold_items)
                gold[nb::str(rev.name, rev.name_len)] =
                    static_cast<double>(rev.gold_passes) / static_cast<double>(rev.gold_items);
        }
        d["items"] = q.items;
        d["annotations"] = q.annotations;
        d["reviewers"] = q.reviewers;
        d["mean_entropy_bits"] = real(q.mean_entropy_bits);
        d["krippendorff_alpha"] = real(q.krippendorff_alpha);
        d["reviewer_gold_pass_rate"] = real(q.reviewer_gold_pass_rate);
        d["reviewer_gold_pass_rates"] = gold;
        d["flagged"] = q.flagged;
        d["disagreement_classes"] = classes;
        return d;
    }

    nb::list conflicts()
    {
        std::lock_guard<std::mutex> hold(lock);
        nb::list out;
        for (size_t i = 0; i < sl_panel_conflict_count(pb); i++) {
            sl_panel_conflict c;
            sl_panel_conflict_get(pb, i, &c);
            out.append(nb::make_tuple(c.tag, c.other_tag, static_cast<int>(c.status)));
        }
        return out;
    }
};

} // namespace

void bind_panel(nb::module_ &m)
{
    nb::class_<Panel>(m, "Panel",
                      "Panel aggregation (SPEC 4): reviewer annotations in, one soft label per "
                      "item out, with the QA figures; the C library's sl_panel. add() annotations "
                      "in any order, finish(), then read items (len(), [i], iteration) and qa().")
        .def(nb::init<size_t, double, const std::string &, double, double, size_t>(),
             nb::kw_only(), nb::arg("min_reviewers") = 2, nb::arg("majority") = 2.0 / 3.0,
             nb::arg("adjudicate") = "none", nb::arg("flag_entropy") = 0.5,
             nb::arg("flag_confidence") = 0.5, nb::arg("threads") = 1)
        .def("add_task", &Panel::add_task, nb::arg("task"), nb::arg("labels"), nb::kw_only(),
             nb::arg("adjudicate") = "default",
             "The rubric entry of a task: its labels in order (before the first add()); "
             "adjudicate 'none', 'plurality' or 'default' (the panel's).")
        .def("add", &Panel::add, nb::arg("item_id"), nb::arg("task"), nb::arg("reviewer"),
             nb::arg("label"), nb::kw_only(), nb::arg("confidence") = nb::none(),
             nb::arg("error") = false, nb::arg("gold") = nb::none(),
             nb::arg("evidence") = nb::none(),
             "Adds one annotation (its tag: the number of add() calls before it). A bad field "
             "raises SoftlabelError whose .status names it (PANEL_ITEM_ID, PANEL_CONFIDENCE, "
             "PANEL_UNKNOWN_LABEL, ...): nothing is added, nothing added before is lost. Returns "
             "False when the annotation was added but its gold answer is not a label of the "
             "task (ignored), else True.")
        .def("finish", &Panel::finish,
             "Groups the annotations into items and computes everything (duplicates and task "
             "conflicts: conflicts()).")
        .def("__len__", &Panel::count)
        .def("__getitem__", &Panel::item, nb::arg("i"),
             "Item i as a dict: item_id, task, distribution (every label), reviewer_count, "
             "entropy_bits, disagreement_class, adjudicated_label, adjudication_reason, gold, "
             "mean_confidence, flag, votes (reviewer, label, confidence, error, evidence, tag).")
        .def("qa", &Panel::qa,
             "The QA summary: items, annotations, reviewers, mean_entropy_bits, "
             "krippendorff_alpha, reviewer_gold_pass_rate (mean) and reviewer_gold_pass_rates, "
             "flagged, disagreement_classes.")
        .def("conflicts", &Panel::conflicts,
             "What finish() resolved: (tag, other_tag, status) with status a Status value "
             "(PANEL_DUPLICATE, PANEL_TASK_CONFLICT: refused; PANEL_GOLD_CONFLICT: gold ignored).");

    m.def("panel_stats", &panel_stats,
          nb::sig("def panel_stats(votes: numpy.ndarray, *, cast: bool = False) -> tuple"),
          nb::arg("votes"), nb::kw_only(), nb::arg("cast") = false,
          "Distribution, entropy and top label of n items from their votes: a (k, n) float64 "
          "array (row c: the votes for label c; finite, >= 0). Returns PanelStats(distribution "
          "(k, n), total, entropy_bits, top_share, top_label (int32), top_ties (int32)); an item "
          "without votes gets an all-zero distribution, entropy 0, top_label 0 and top_ties k. A "
          "bad vote raises InvalidRowError (.row: the item).");
    m.def("classify", &classify,
          nb::sig("def classify(reviewers: numpy.ndarray, top_share: numpy.ndarray, "
                  "top_ties: numpy.ndarray, *, min_reviewers: int = 2, "
                  "majority_threshold: float = 0.6666666666666666, cast: bool = False) -> "
                  "numpy.ndarray"),
          nb::arg("reviewers"), nb::arg("top_share"), nb::arg("top_ties"),
          nb::kw_only(), nb::arg("min_reviewers") = 2, nb::arg("majority_threshold") = 2.0 / 3.0,
          nb::arg("cast") = false,
          "Disagreement class of each item (SPEC 4) as int32: 0 agreement, 1 minor, 2 major, 3 "
          "unresolved (names in DISAGREEMENT_CLASSES). reviewers int32; top_share float64 and "
          "top_ties int32 as panel_stats returns them.");
    m.def("divergence", &divergence,
          nb::sig("def divergence(human: numpy.ndarray, model: numpy.ndarray, *, "
                  "errors: str = 'raise', cast: bool = False) -> tuple"),
          nb::arg("human"), nb::arg("model"), nb::kw_only(),
          nb::arg("errors") = "raise", nb::arg("cast") = false,
          "Compares model distributions with human (panel) ones item by item: two (k, n) float64 "
          "arrays, each item's values in [0, 1] summing to 1 within 1e-6. Returns "
          "Divergence(cross_entropy_bits, kl_bits, js_bits, total_variation, brier, "
          "top_label_agreement). A bad item raises InvalidRowError (errors=\"mask\": NaN).");
    nb::class_<AlphaNominal>(m, "AlphaNominal",
                             "Krippendorff's alpha for nominal data, accumulated over batches of "
                             "units; each add() brings its own label set.")
        .def(nb::init<>())
        .def("add", &AlphaNominal::add,
             nb::sig("def add(self, votes: numpy.ndarray, total: numpy.ndarray | None = None, *, "
                     "cast: bool = False) -> None"),
             nb::arg("votes"), nb::arg("total") = nb::none(),
             nb::kw_only(), nb::arg("cast") = false,
             "Adds n units: votes (k, n) float64 counts of values per unit; total: each unit's "
             "sum of votes (None: computed).")
        .def("merge", [](AlphaNominal &self, AlphaNominal &o) {
            if (&self == &o)
                throw nb::value_error("AlphaNominal.merge: an accumulator into itself");
            std::scoped_lock hold(self.lock, o.lock);
            self.acc.pairable += o.acc.pairable;
            self.acc.agreement += o.acc.agreement;
            self.acc.marginal_sq += o.acc.marginal_sq;
        }, nb::arg("other"), "Adds another accumulator's units.")
        .def("value", [](const AlphaNominal &self) { return sl_alpha_nominal_value(&self.acc); },
             "Alpha of everything added: 1 perfect agreement, 0 chance; NaN when undefined.")
        .def_prop_ro("pairable", [](const AlphaNominal &s) { return s.acc.pairable; })
        .def_prop_ro("agreement", [](const AlphaNominal &s) { return s.acc.agreement; })
        .def_prop_ro("marginal_sq", [](const AlphaNominal &s) { return s.acc.marginal_sq; });
}

} // namespace slpy
