// softlabel._core._swarm: the C library calls behind softlabel.swarm, the drop-in replacements of
// SWARM 1.9.0's computing classes. SWARM works one object at a time (a ProxyObservables, a
// SoftInteraction, a PayoffConfig: pydantic models), and its tests time per-object calls, so each
// function here reads the fields of SWARM's objects itself and makes one C call: one Python call
// per SWARM method, no numpy arrays built for a single row. Batches (metrics over a list of
// interactions) are gathered into columns here and handed to the library in one update.
//
// Errors are the package's (ParameterError, InvalidRowError with the row of a batch, ...).
// c_calls() counts every call into the library made from here, so the pytest plugin can show that
// SWARM's tests ran through C.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "core.h"

namespace slpy {
namespace {

uint64_t c_calls = 0; // incremented with the GIL held

void check(sl_status st, const char *what, size_t row = 0)
{
    if (st != SL_OK)
        raise_status(st, what, row);
}

// Interned attribute names of SWARM's models, created once at import.
struct names {
    PyObject *task_progress_delta, *rework_count, *verifier_rejections, *tool_misuse_flags,
        *counterparty_engagement_delta;
    PyObject *p, *accepted, *tau, *c_a, *c_b, *r_a, *r_b, *ground_truth;
    PyObject *s_plus, *s_minus, *h, *theta, *rho_a, *rho_b, *w_rep;

    std::array<PyObject *, 20> list() const
    {
        return {task_progress_delta, rework_count, verifier_rejections, tool_misuse_flags,
                counterparty_engagement_delta, p, accepted, tau, c_a, c_b, r_a, r_b,
                ground_truth, s_plus, s_minus, h, theta, rho_a, rho_b, w_rep};
    }
} attr;

PyObject *intern(const char *s)
{
    PyObject *o = PyUnicode_InternFromString(s);
    if (!o)
        throw nb::python_error();
    return o;
}

// Whether objects of type t keep every field this module reads in their instance __dict__ as the
// attribute's value: t (or a base) defines none of the names itself (as a property or another
// descriptor would). Pydantic models keep field values there. The answers for the last few types
// seen (a config and an interaction type, typically) are kept, each holding a reference to its
// type so that the address cannot be reused by another type meanwhile.
bool fields_in_instance_dict(PyTypeObject *t)
{
    struct entry {
        PyTypeObject *type;
        bool answer;
    };
    static std::array<entry, 4> seen{};
    static size_t next = 0;
    for (const entry &e : seen)
        if (e.type == t)
            return e.answer;
    bool answer = true;
    for (PyObject *name : attr.list())
        answer = answer && _PyType_Lookup(t, name) == nullptr;
    Py_INCREF(t);
    Py_XDECREF(seen[next].type);
    seen[next] = {t, answer};
    next = (next + 1) % seen.size();
    return answer;
}

// The fields of one of SWARM's model objects. Reading them from the instance __dict__ where that
// is what getattr would return skips the attribute protocol (pydantic models define __getattr__,
// which makes every getattr take CPython's slow path): most of the time of gathering 10^5
// interactions. Anything else is read with getattr.
class model {
    // convert(value) of the field, from the instance dict or getattr. The value is held while
    // convert runs (converting a non-float may run Python code that changes the dict).
    template <class Convert> auto read(PyObject *name, Convert convert) const
    {
        nb::object v;
        if (dict_.is_valid()) {
            PyObject *item = PyDict_GetItemWithError(dict_.ptr(), name);
            if (!item && PyErr_Occurred())
                throw nb::python_error();
            v = nb::borrow(item);
        }
        if (!v.is_valid()) {
            v = nb::steal(PyObject_GetAttr(obj_.ptr(), name));
            if (!v.is_valid())
                throw nb::python_error();
        }
        return convert(v.ptr());
    }

  public:
    explicit model(nb::handle obj) : obj_(obj)
    {
        if (fields_in_instance_dict(Py_TYPE(obj.ptr()))) {
            PyObject *d = PyObject_GenericGetDict(obj.ptr(), nullptr);
            if (d && PyDict_CheckExact(d))
                dict_ = nb::steal(d);
            else if (d)
                Py_DECREF(d);
            else
                PyErr_Clear(); // no instance dict: getattr it is
        }
    }

    double real(PyObject *name) const
    {
        return read(name, [](PyObject *v) {
            const double d = PyFloat_AsDouble(v);
            if (d == -1.0 && PyErr_Occurred())
                throw nb::python_error();
            return d;
        });
    }

    // A count as the library's int32 (negative counts are the library's to report). A Python int
    // outside int32 is an error naming the field, never a wrapped value.
    int32_t count(PyObject *name) const
    {
        return read(name, [name](PyObject *v) {
            int overflow = 0;
            const long long c = PyLong_AsLongLongAndOverflow(v, &overflow);
            if (c == -1 && PyErr_Occurred())
                throw nb::python_error();
            if (overflow || c < INT32_MIN || c > INT32_MAX)
                throw nb::value_error((std::string(nb::borrow<nb::str>(name).c_str()) + " = " +
                                       nb::str(v).c_str() +
                                       " does not fit the library's 32-bit counts")
                                          .c_str());
            return (int32_t)c;
        });
    }

    bool flag(PyObject *name) const
    {
        return read(name, [](PyObject *v) {
            const int truth = PyObject_IsTrue(v);
            if (truth < 0)
                throw nb::python_error();
            return truth != 0;
        });
    }

    // ground_truth: None -> 0 (the library's "no label"), +1 and -1 as they are; anything else
    // (0 too, which SWARM would count as a label of value 0.5) becomes 2, which the library
    // reports as SL_ERR_INVALID_GROUND_TRUTH for the row.
    int8_t ground_truth() const
    {
        return read(attr.ground_truth, [](PyObject *v) {
            if (v == Py_None)
                return (int8_t)0;
            const long g = PyLong_AsLong(v);
            if (g == -1 && PyErr_Occurred())
                throw nb::python_error();
            return (g == 1 || g == -1) ? (int8_t)g : (int8_t)2;
        });
    }

  private:
    nb::handle obj_;
    nb::object dict_; // the instance __dict__ when it holds the fields, else empty
};

sl_payoff_params payoff_params(nb::handle config)
{
    const model c(config);
    return {c.real(attr.s_plus), c.real(attr.s_minus), c.real(attr.h),    c.real(attr.theta),
            c.real(attr.rho_a),  c.real(attr.rho_b),   c.real(attr.w_rep)};
}

// ---- Sigmoid -----------------------------------------------------------------------------------

double sigmoid(double v_hat, double k)
{
    double p;
    size_t first_invalid;
    ++c_calls;
    check(sl_sigmoid_ex_f64(k, &v_hat, 1, &p, &first_invalid), "sigmoid");
    return p;
}

nb::tuple sigmoid_bounds(double k)
{
    const double v[2] = {-1.0, 1.0};
    double p[2];
    size_t first_invalid;
    ++c_calls;
    check(sl_sigmoid_ex_f64(k, v, 2, p, &first_invalid), "sigmoid_bounds");
    return nb::make_tuple(p[0], p[1]);
}

double inverse_sigmoid(double p, double k)
{
    double v;
    size_t first_invalid;
    ++c_calls;
    check(sl_inverse_sigmoid_f64(k, &p, 1, &v, &first_invalid), "inverse_sigmoid");
    return v;
}

// (inverse_sigmoid(0.5 - threshold), inverse_sigmoid(0.5 + threshold)) in one call; an error's
// row is 0 for 0.5 + threshold (checked first, as SWARM does), 1 for 0.5 - threshold.
nb::tuple inverse_sigmoid_band(double k, double threshold)
{
    const double p[2] = {0.5 + threshold, 0.5 - threshold};
    double v[2];
    size_t first_invalid;
    ++c_calls;
    const sl_status st = sl_inverse_sigmoid_f64(k, p, 2, v, &first_invalid);
    check(st, "effective_uncertainty_band", first_invalid);
    return nb::make_tuple(v[1], v[0]);
}

// ---- Proxy scoring -------------------------------------------------------------------------------

// Scores one ProxyObservables (or anything with its five fields) with a softlabel.Proxy; p NULL:
// v_hat only.
void score(const Proxy &proxy, nb::handle observables, double *v_hat, double *p)
{
    const model o(observables);
    const double progress = o.real(attr.task_progress_delta);
    const int32_t rework = o.count(attr.rework_count);
    const int32_t rejections = o.count(attr.verifier_rejections);
    const int32_t misuse = o.count(attr.tool_misuse_flags);
    const double engagement = o.real(attr.counterparty_engagement_delta);
    const sl_observables_f64 obs = {&progress, &rework, &rejections, &misuse, &engagement};
    size_t first_invalid;
    ++c_calls;
    check(sl_score_f64(&proxy.px, &obs, 1, v_hat, p, &first_invalid), "compute_v_hat");
}

nb::tuple labels(const Proxy &proxy, nb::handle observables)
{
    double v_hat, p;
    score(proxy, observables, &v_hat, &p);
    return nb::make_tuple(v_hat, p);
}

double v_hat(const Proxy &proxy, nb::handle observables)
{
    double v;
    score(proxy, observables, &v, nullptr);
    return v;
}

// ---- Payoffs ---------------------------------------------------------------------------------

// (expected_surplus, expected_harm, payoff_initiator, payoff_counterparty, social_surplus,
// total_welfare) of one SoftInteraction under a PayoffConfig.
nb::tuple payoff(nb::handle config, nb::handle interaction)
{
    const sl_payoff_params pp = payoff_params(config);
    const model o(interaction);
    const double p = o.real(attr.p), tau = o.real(attr.tau), c_a = o.real(attr.c_a),
                 c_b = o.real(attr.c_b), r_a = o.real(attr.r_a), r_b = o.real(attr.r_b);
    const sl_payoff_inputs_f64 in = {&p, &tau, &c_a, &c_b, &r_a, &r_b};
    double s, e, pi_a, pi_b, social, welfare;
    const sl_payoff_outputs_f64 out = {&s, &e, &pi_a, &pi_b, &social, &welfare};
    size_t first_invalid;
    ++c_calls;
    check(sl_payoff_f64(&pp, &in, 1, &out, &first_invalid), "payoff");
    return nb::make_tuple(s, e, pi_a, pi_b, social, welfare);
}

// (expected_surplus, expected_harm) of a bare p.
nb::tuple surplus_harm(nb::handle config, double p)
{
    const sl_payoff_params pp = payoff_params(config);
    const sl_payoff_inputs_f64 in = {&p, nullptr, nullptr, nullptr, nullptr, nullptr};
    double s, e;
    const sl_payoff_outputs_f64 out = {&s, &e, nullptr, nullptr, nullptr, nullptr};
    size_t first_invalid;
    ++c_calls;
    check(sl_payoff_f64(&pp, &in, 1, &out, &first_invalid), "expected_surplus");
    return nb::make_tuple(s, e);
}

// break-even p, or None where the library reports it undefined (a zero denominator).
nb::object break_even(nb::handle config, bool social)
{
    const sl_payoff_params pp = payoff_params(config);
    double out;
    ++c_calls;
    const sl_status st = social ? sl_social_break_even_p(&pp, &out) : sl_break_even_p(&pp, &out);
    if (st == SL_ERR_BREAK_EVEN_UNDEFINED)
        return nb::none();
    check(st, social ? "social_break_even_p" : "break_even_p");
    return nb::float_(out);
}

// ---- Batch metrics ---------------------------------------------------------------------------

// The columns of a list of SoftInteractions, as the library's metrics update takes them.
struct columns {
    std::vector<double> p, tau, c_a, c_b, r_a, r_b;
    std::vector<uint8_t> accepted;
    std::vector<int8_t> ground_truth;

    columns(nb::handle interactions, bool payoff_columns)
    {
        nb::object seq = nb::steal(PySequence_Fast(interactions.ptr(), "interactions: a sequence"));
        if (!seq.is_valid())
            throw nb::python_error();
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
        PyObject **items = PySequence_Fast_ITEMS(seq.ptr());
        p.resize(n);
        accepted.resize(n);
        ground_truth.resize(n);
        if (payoff_columns) {
            tau.resize(n);
            c_a.resize(n);
            c_b.resize(n);
            r_a.resize(n);
            r_b.resize(n);
        }
        for (Py_ssize_t i = 0; i < n; ++i) {
            const model o(items[i]);
            p[i] = o.real(attr.p);
            accepted[i] = o.flag(attr.accepted);
            ground_truth[i] = o.ground_truth();
            if (payoff_columns) {
                tau[i] = o.real(attr.tau);
                c_a[i] = o.real(attr.c_a);
                c_b[i] = o.real(attr.c_b);
                r_a[i] = o.real(attr.r_a);
                r_b[i] = o.real(attr.r_b);
            }
        }
    }

    size_t size() const { return p.size(); }

    sl_payoff_inputs_f64 inputs() const
    {
        auto col = [](const std::vector<double> &v) { return v.empty() ? nullptr : v.data(); };
        return {p.data(), col(tau), col(c_a), col(c_b), col(r_a), col(r_b)};
    }
};

struct metrics_deleter {
    void operator()(sl_metrics *m) const { sl_metrics_free(m); }
};
struct report_deleter {
    void operator()(sl_metrics_report *r) const { sl_metrics_report_free(r); }
};

// The library's metrics report (softlabel.MetricsReport) over a list of SoftInteractions.
// payoff_columns = false reads only p, accepted and ground_truth (the payoff columns count as
// zero: for the metrics that use no payoff).
nb::object metrics(nb::handle config, nb::handle interactions, unsigned bins,
                   double quality_threshold, double uncertainty_band, double log_loss_eps,
                   bool payoff_columns, bool auc)
{
    const sl_payoff_params pp = payoff_params(config);
    const columns cols(interactions, payoff_columns);
    sl_metrics_options opts;
    sl_metrics_options_default(&opts);
    opts.flags = auc ? 0u : SL_METRICS_NO_AUC;
    opts.bins = bins;
    opts.quality_threshold = quality_threshold;
    opts.uncertainty_band = uncertainty_band;
    opts.log_loss_eps = log_loss_eps;

    sl_metrics *raw = nullptr;
    c_calls += 3; // init, update, finalize
    check(sl_metrics_init_ex(&raw, &pp, &opts), "metrics");
    std::unique_ptr<sl_metrics, metrics_deleter> m(raw);
    const sl_payoff_inputs_f64 in = cols.inputs();
    size_t first_invalid = 0;
    sl_metrics_report r{};
    sl_status st;
    {
        nb::gil_scoped_release unlocked;
        st = sl_metrics_update_f64(m.get(), &in, cols.accepted.data(), cols.ground_truth.data(),
                                   cols.size(), &first_invalid);
        if (st == SL_OK)
            st = sl_metrics_finalize(m.get(), &r);
    }
    check(st, "metrics", first_invalid);
    std::unique_ptr<sl_metrics_report, report_deleter> owned(&r);
    return metrics_report(r);
}

} // namespace

void bind_swarm(nb::module_ &core)
{
    nb::module_ m = core.def_submodule(
        "_swarm", "The C library calls behind softlabel.swarm (SWARM 1.9.0 drop-ins): per SWARM "
                 "object, one call.");

    attr = {intern("task_progress_delta"), intern("rework_count"), intern("verifier_rejections"),
            intern("tool_misuse_flags"),   intern("counterparty_engagement_delta"),
            intern("p"),     intern("accepted"), intern("tau"),  intern("c_a"),
            intern("c_b"),   intern("r_a"),      intern("r_b"),  intern("ground_truth"),
            intern("s_plus"), intern("s_minus"), intern("h"),    intern("theta"),
            intern("rho_a"), intern("rho_b"),    intern("w_rep")};

    m.def("c_calls", [] { return c_calls; }, "Calls into the C library made through this module.");
    m.def("sigmoid", &sigmoid, nb::arg("v_hat"), nb::arg("k"),
          "1 / (1 + exp(-k * v_hat)) by sl_sigmoid_ex_f64 (k in (0, 100]; v_hat not NaN).");
    m.def("sigmoid_bounds", &sigmoid_bounds, nb::arg("k"),
          "(sigmoid(-1, k), sigmoid(1, k)) in one sl_sigmoid_ex_f64 call.");
    m.def("inverse_sigmoid", &inverse_sigmoid, nb::arg("p"), nb::arg("k"),
          "-ln((1 - p) / p) / k by sl_inverse_sigmoid_f64 (0 < p < 1).");
    m.def("inverse_sigmoid_band", &inverse_sigmoid_band, nb::arg("k"), nb::arg("threshold"),
          "(inverse_sigmoid(0.5 - threshold, k), inverse_sigmoid(0.5 + threshold, k)) in one "
          "call; an invalid p is reported as row 0 for 0.5 + threshold, 1 for 0.5 - threshold.");
    m.def("labels", &labels, nb::arg("proxy"), nb::arg("observables"),
          "(v_hat, p) of one object with ProxyObservables' fields, by sl_score_f64.");
    m.def("v_hat", &v_hat, nb::arg("proxy"), nb::arg("observables"),
          "v_hat alone of one observables object, by sl_score_f64.");
    m.def("payoff", &payoff, nb::arg("config"), nb::arg("interaction"),
          "(expected_surplus, expected_harm, payoff_initiator, payoff_counterparty, "
          "social_surplus, total_welfare) of one interaction, by sl_payoff_f64.");
    m.def("surplus_harm", &surplus_harm, nb::arg("config"), nb::arg("p"),
          "(expected_surplus, expected_harm) of p, by sl_payoff_f64.");
    m.def("break_even", &break_even, nb::arg("config"), nb::arg("social"),
          "sl_break_even_p or sl_social_break_even_p; None when undefined (zero denominator).");
    m.def("metrics", &metrics, nb::arg("config"), nb::arg("interactions"), nb::arg("bins"),
          nb::arg("quality_threshold"), nb::arg("uncertainty_band"), nb::arg("log_loss_eps"),
          nb::arg("payoff_columns"), nb::arg("auc"),
          "The library's metrics report (softlabel.MetricsReport) over a list of "
          "SoftInteractions.");
}

} // namespace slpy
