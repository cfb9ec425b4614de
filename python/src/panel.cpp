// The panel and evaluation kernels of SPEC section 4, numpy in and out: a batch of n items with
// k labels is a (k, n) C-contiguous float64 array (label-major: row c holds label c of every
// item), which is the library's layout with leading dimension n, so nothing is copied.
#include "common.h"
#include "core.h"

#include <cmath>
#include <limits>
#include <memory>
#include <mutex>

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

} // namespace

void bind_panel(nb::module_ &m)
{
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
