// softlabel._core: the nanobind extension over the C library (include/softlabel.h). Scoring,
// the sigmoid and its inverse, payoffs, batch metrics and the AUC; panel kernels in panel.cpp,
// Arrow frames in arrow.cpp. Every kernel runs with the GIL released.
#include "common.h"
#include "core.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <string>

using namespace slpy;

namespace {

// ---- one row given as Python numbers (a float result back, no arrays) ------------------------

bool is_number(nb::handle h) { return PyFloat_Check(h.ptr()) || PyLong_Check(h.ptr()); }

double real_number(nb::handle h, const char *name)
{
    if (!is_number(h))
        throw nb::type_error((std::string(name) + ": expected a number (the first argument is "
                                                  "one; arrays are all arrays)")
                                 .c_str());
    double v = PyFloat_AsDouble(h.ptr());
    if (v == -1.0 && PyErr_Occurred())
        throw nb::python_error();
    return v;
}

// A count as the library takes it: an int in int32's range (negative: an invalid row).
int32_t count_number(nb::handle h, const char *name)
{
    if (!PyLong_Check(h.ptr()))
        throw nb::type_error((std::string(name) + ": expected an int").c_str());
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(h.ptr(), &overflow);
    if (v == -1 && PyErr_Occurred())
        throw nb::python_error();
    if (overflow > 0 || v > INT32_MAX)
        throw nb::value_error((std::string(name) + " = " + text(h) +
                               " cannot be represented as int32")
                                  .c_str());
    return overflow < 0 || v < 0 ? -1 : static_cast<int32_t>(v);
}

// ---- scoring --------------------------------------------------------------------------------

// The observable columns (task_progress_delta, rework_count, verifier_rejections,
// counterparty_engagement_delta, tool_misuse_flags) as one structure of arrays of length n.
template <class T> struct ObsColumns {
    nb::object keep[5];
    typename Prec<T>::Obs obs{};
    size_t n = 0;

    ObsColumns(const nb::handle (&h)[5], bool cast)
    {
        In<T> progress = input<T>(h[0], "task_progress_delta", cast, keep[0]);
        In<int32_t> rework = input<int32_t>(h[1], "rework_count", cast, keep[1]);
        In<int32_t> verifier = input<int32_t>(h[2], "verifier_rejections", cast, keep[2]);
        In<T> engagement = input<T>(h[3], "counterparty_engagement_delta", cast, keep[3]);
        In<int32_t> misuse = input<int32_t>(h[4], "tool_misuse_flags", cast, keep[4]);
        if (!rework.ptr || !verifier.ptr || !engagement.ptr)
            throw nb::type_error("rework_count, verifier_rejections and "
                                 "counterparty_engagement_delta are required (tool_misuse_flags "
                                 "may be None)");
        n = progress.n;
        check_length(n, rework.n, "rework_count");
        check_length(n, verifier.n, "verifier_rejections");
        check_length(n, engagement.n, "counterparty_engagement_delta");
        if (misuse.ptr)
            check_length(n, misuse.n, "tool_misuse_flags");
        obs = {progress.ptr, rework.ptr, verifier.ptr, misuse.ptr, engagement.ptr};
    }
};

template <class T> nb::tuple score_impl(const Proxy &self, const nb::handle (&obs_h)[5],
                                        nb::handle out, unsigned threads, bool mask, bool cast)
{
    ObsColumns<T> cols(obs_h, cast);
    size_t n = cols.n;
    nb::handle out_v = nb::none(), out_p = nb::none();
    if (!out.is_none()) {
        if (!nb::isinstance<nb::tuple>(out) || nb::len(out) != 2)
            throw nb::type_error("score: out must be a tuple (v_hat, p) of arrays (or None each)");
        out_v = out[0];
        out_p = out[1];
    }
    T *v, *p;
    nb::object v_obj = output_or_new<T>(out_v, "out[0] (v_hat)", n, &v);
    nb::object p_obj = output_or_new<T>(out_p, "out[1] (p)", n, &p);

    RowFailure fail = run_rows(n, mask, [&](size_t start, size_t *bad) {
        typename Prec<T>::Obs o = shifted(cols.obs, start);
        return Prec<T>::score(&self.px, &o, n - start, v + start, p + start, bad, threads);
    }, [&](size_t row) { v[row] = p[row] = std::numeric_limits<T>::quiet_NaN(); });
    if (fail.status != SL_OK)
        raise_status(fail.status, "Proxy.score", fail.row);
    return nb::make_tuple(v_obj, p_obj);
}

nb::tuple score(const Proxy &self, nb::handle progress, nb::handle rework, nb::handle verifier,
                nb::handle engagement, nb::handle misuse, nb::handle out, long threads,
                const char *errors, bool cast)
{
    bool mask = parse_errors(errors);
    unsigned t = parse_threads(threads);
    if (is_number(progress)) { // one interaction: (v_hat, p) as floats
        if (!out.is_none())
            throw nb::type_error("Proxy.score: out= needs array arguments");
        double x = real_number(progress, "task_progress_delta");
        int32_t r = count_number(rework, "rework_count");
        int32_t vr = count_number(verifier, "verifier_rejections");
        double e = real_number(engagement, "counterparty_engagement_delta");
        int32_t m = misuse.is_none() ? 0 : count_number(misuse, "tool_misuse_flags");
        sl_observables_f64 obs = {&x, &r, &vr, &m, &e};
        double v_hat, p;
        size_t bad;
        sl_status st;
        {
            nb::gil_scoped_release release;
            st = sl_score_f64(&self.px, &obs, 1, &v_hat, &p, &bad);
        }
        if (st != SL_OK && mask && is_row_status(st))
            v_hat = p = std::numeric_limits<double>::quiet_NaN();
        else if (st != SL_OK)
            raise_status(st, "Proxy.score", 0);
        return nb::make_tuple(v_hat, p);
    }
    const nb::handle obs[5] = {progress, rework, verifier, engagement, misuse};
    if (precision_of(progress, "task_progress_delta", cast) == 32)
        return score_impl<float>(self, obs, out, t, mask, cast);
    return score_impl<double>(self, obs, out, t, mask, cast);
}

// ---- the sigmoid and its inverse: arrays, or one Python number ------------------------------

using ElementwiseF64 = sl_status (*)(double, const double *, size_t, double *, size_t *);
using ElementwiseF32 = sl_status (*)(float, const float *, size_t, float *, size_t *);

template <class T, class F>
nb::object elementwise_impl(F fn, const char *what, const char *arg, nb::handle x_h, double k,
                            nb::handle out, bool mask, bool cast)
{
    nb::object keep;
    In<T> x = input<T>(x_h, arg, cast, keep);
    T *o;
    nb::object o_obj = output_or_new<T>(out, "out", x.n, &o);
    RowFailure fail = run_rows(x.n, mask, [&](size_t start, size_t *bad) {
        return fn(static_cast<T>(k), x.ptr + start, x.n - start, o + start, bad);
    }, [&](size_t row) { o[row] = std::numeric_limits<T>::quiet_NaN(); });
    if (fail.status != SL_OK)
        raise_status(fail.status, what, fail.row, arg);
    return o_obj;
}

nb::object elementwise(ElementwiseF64 f64, ElementwiseF32 f32, const char *what, const char *arg,
                       nb::handle x, double k, nb::handle out, const char *errors, bool cast)
{
    bool mask = parse_errors(errors);
    if (PyFloat_Check(x.ptr()) || PyLong_Check(x.ptr())) { // one number: a float back
        if (!out.is_none())
            throw nb::type_error((std::string(what) + ": out= needs an array x").c_str());
        double xv = PyFloat_AsDouble(x.ptr()), r = 0;
        if (xv == -1.0 && PyErr_Occurred())
            throw nb::python_error();
        size_t bad;
        sl_status st;
        {
            nb::gil_scoped_release release;
            st = f64(k, &xv, 1, &r, &bad);
        }
        if (st != SL_OK && mask && is_row_status(st))
            return nb::float_(std::numeric_limits<double>::quiet_NaN());
        if (st != SL_OK)
            raise_status(st, what, 0, arg);
        return nb::float_(r);
    }
    if (precision_of(x, arg, cast) == 32)
        return elementwise_impl<float>(f32, what, arg, x, k, out, mask, cast);
    return elementwise_impl<double>(f64, what, arg, x, k, out, mask, cast);
}

nb::object sigmoid(nb::handle x, double k, nb::handle out, const char *errors, bool cast)
{
    return elementwise(sl_sigmoid_ex_f64, sl_sigmoid_ex_f32, "sigmoid", "x", x, k, out, errors,
                       cast);
}

nb::object inverse_sigmoid(nb::handle p, double k, nb::handle out, const char *errors, bool cast)
{
    return elementwise(sl_inverse_sigmoid_f64, sl_inverse_sigmoid_f32, "inverse_sigmoid", "p", p,
                       k, out, errors, cast);
}

// ---- payoffs ----------------------------------------------------------------------------------

const char *const payoff_fields[6] = {"expected_surplus", "expected_harm", "payoff_initiator",
                                      "payoff_counterparty", "social_surplus", "total_welfare"};
const char *const payoff_columns[6] = {"p", "tau", "c_a", "c_b", "r_a", "r_b"};

// The payoff columns p, tau, .. r_b: p (when required) sets n, the others are optional.
template <class T> struct PayoffColumns {
    nb::object keep[6];
    In<T> col[6];
    typename Prec<T>::PayIn in{};
    size_t n = 0;

    PayoffColumns(const nb::handle (&h)[6], bool cast, bool p_required, size_t rows)
    {
        n = rows;
        for (int i = 0; i < 6; i++) {
            col[i] = input<T>(h[i], payoff_columns[i], cast, keep[i]);
            if (i == 0 && p_required) {
                if (!col[0].ptr)
                    throw nb::type_error("p is required");
                n = col[0].n;
            }
            if (col[i].ptr)
                check_length(n, col[i].n, payoff_columns[i]);
        }
        in = {col[0].ptr, col[1].ptr, col[2].ptr, col[3].ptr, col[4].ptr, col[5].ptr};
    }
};

template <class T>
nb::object payoffs_impl(const PayoffParams &pp, const nb::handle (&cols)[6], nb::handle out,
                        bool mask, bool cast)
{
    PayoffColumns<T> c(cols, cast, true, 0);
    size_t n = c.n;
    if (!out.is_none() && (!nb::isinstance<nb::tuple>(out) || nb::len(out) != 6))
        throw nb::type_error("payoffs: out must be a tuple of 6 arrays (or None each), in the "
                             "order of Payoffs' fields");
    T *data[6];
    nb::object objs[6];
    for (int i = 0; i < 6; i++)
        objs[i] = output_or_new<T>(out.is_none() ? nb::handle(nb::none()) : out[i],
                                   payoff_fields[i], n, &data[i]);
    typename Prec<T>::PayOut o = {data[0], data[1], data[2], data[3], data[4], data[5]};
    RowFailure fail = run_rows(n, mask, [&](size_t start, size_t *bad) {
        typename Prec<T>::PayIn in = shifted(c.in, start);
        typename Prec<T>::PayOut os = shifted(o, start);
        return Prec<T>::payoff(&pp.params, &in, n - start, &os, bad);
    }, [&](size_t row) {
        for (int i = 0; i < 6; i++)
            data[i][row] = std::numeric_limits<T>::quiet_NaN();
    });
    if (fail.status != SL_OK)
        raise_status(fail.status, "payoffs", fail.row);
    return registered_type("Payoffs")(objs[0], objs[1], objs[2], objs[3], objs[4], objs[5]);
}

nb::object payoffs(nb::handle p, nb::handle tau, nb::handle c_a, nb::handle c_b, nb::handle r_a,
                   nb::handle r_b, const PayoffParams *params, nb::handle out, const char *errors,
                   bool cast)
{
    PayoffParams defaults;
    const PayoffParams &pp = params ? *params : defaults;
    bool mask = parse_errors(errors);
    const nb::handle cols[6] = {p, tau, c_a, c_b, r_a, r_b};
    if (is_number(p)) { // one interaction: Payoffs of floats
        if (!out.is_none())
            throw nb::type_error("payoffs: out= needs array arguments");
        double v[6], r[6];
        for (int i = 0; i < 6; i++)
            v[i] = cols[i].is_none() ? 0.0 : real_number(cols[i], payoff_columns[i]);
        sl_payoff_inputs_f64 in = {&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]};
        sl_payoff_outputs_f64 o = {&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]};
        size_t bad;
        sl_status st;
        {
            nb::gil_scoped_release release;
            st = sl_payoff_f64(&pp.params, &in, 1, &o, &bad);
        }
        if (st != SL_OK && mask && is_row_status(st))
            std::fill(r, r + 6, std::numeric_limits<double>::quiet_NaN());
        else if (st != SL_OK)
            raise_status(st, "payoffs", 0);
        return registered_type("Payoffs")(r[0], r[1], r[2], r[3], r[4], r[5]);
    }
    if (precision_of(p, "p", cast) == 32)
        return payoffs_impl<float>(pp, cols, out, mask, cast);
    return payoffs_impl<double>(pp, cols, out, mask, cast);
}

// ---- batch metrics ----------------------------------------------------------------------------

// accepted: bool or uint8 (each 0 or 1), viewed as bytes without a copy.
const uint8_t *accepted_array(nb::handle h, bool cast, nb::object &keep, size_t *n)
{
    nb::ndarray<nb::ro, nb::device::cpu, nb::c_contig> a;
    if (nb::try_cast(h, a, false) && a.ndim() == 1 &&
        (a.dtype() == nb::dtype<bool>() || a.dtype() == nb::dtype<uint8_t>())) {
        *n = a.shape(0);
        return static_cast<const uint8_t *>(a.data());
    }
    if (!cast)
        array_type_error(h, "accepted", "bool or uint8", false, 1);
    return input_array<uint8_t>(h, "accepted", cast, keep, n);
}

template <class T>
void update_impl(Metrics &self, nb::handle p, nb::handle accepted_h, nb::handle gt_h,
                 const nb::handle (&rest)[5], bool cast)
{
    const nb::handle cols[6] = {p, rest[0], rest[1], rest[2], rest[3], rest[4]};
    PayoffColumns<T> c(cols, cast, true, 0);
    nb::object keep_acc, keep_gt;
    size_t n_acc;
    const uint8_t *accepted = accepted_array(accepted_h, cast, keep_acc, &n_acc);
    check_length(c.n, n_acc, "accepted");
    In<int8_t> gt = input<int8_t>(gt_h, "ground_truth", cast, keep_gt);
    if (gt.ptr)
        check_length(c.n, gt.n, "ground_truth");
    self.run_update("Metrics.update", [&](size_t *bad) {
        return Prec<T>::metrics_update(self.m, &c.in, accepted, gt.ptr, c.n, bad);
    });
}

void update(Metrics &self, nb::handle p, nb::handle accepted, nb::handle ground_truth,
            nb::handle tau, nb::handle c_a, nb::handle c_b, nb::handle r_a, nb::handle r_b,
            bool cast)
{
    const nb::handle rest[5] = {tau, c_a, c_b, r_a, r_b};
    if (precision_of(p, "p", cast) == 32)
        update_impl<float>(self, p, accepted, ground_truth, rest, cast);
    else
        update_impl<double>(self, p, accepted, ground_truth, rest, cast);
}

template <class T>
void update_observables_impl(Metrics &self, const Proxy &px, const nb::handle (&obs_h)[5],
                             nb::handle accepted_h, nb::handle gt_h, const nb::handle (&rest)[5],
                             unsigned threads, bool cast)
{
    ObsColumns<T> o(obs_h, cast);
    size_t n = o.n;
    const nb::handle cols[6] = {nb::none(), rest[0], rest[1], rest[2], rest[3], rest[4]};
    PayoffColumns<T> c(cols, cast, false, n);
    nb::object keep_acc, keep_gt;
    size_t n_acc;
    const uint8_t *accepted = accepted_array(accepted_h, cast, keep_acc, &n_acc);
    check_length(n, n_acc, "accepted");
    In<int8_t> gt = input<int8_t>(gt_h, "ground_truth", cast, keep_gt);
    if (gt.ptr)
        check_length(n, gt.n, "ground_truth");
    self.run_update("Metrics.update_observables", [&](size_t *bad) {
        return Prec<T>::metrics_update_observables(self.m, &px.px, &o.obs, &c.in, accepted,
                                                   gt.ptr, n, bad, threads);
    });
}

void update_observables(Metrics &self, const Proxy &px, nb::handle progress, nb::handle rework,
                        nb::handle verifier, nb::handle engagement, nb::handle accepted,
                        nb::handle ground_truth, nb::handle misuse, nb::handle tau,
                        nb::handle c_a, nb::handle c_b, nb::handle r_a, nb::handle r_b,
                        long threads, bool cast)
{
    unsigned t = parse_threads(threads);
    const nb::handle obs[5] = {progress, rework, verifier, engagement, misuse};
    const nb::handle rest[5] = {tau, c_a, c_b, r_a, r_b};
    if (precision_of(progress, "task_progress_delta", cast) == 32)
        update_observables_impl<float>(self, px, obs, accepted, ground_truth, rest, t, cast);
    else
        update_observables_impl<double>(self, px, obs, accepted, ground_truth, rest, t, cast);
}

nb::object opt(sl_opt_f64 v) { return v.present ? nb::object(nb::float_(v.value)) : nb::none(); }

// The report as the reference's JSON object: the same keys, nesting and types (golden
// metrics_expected.jsonl "expected"), counts as ints, nulls as None.
nb::dict report_dict(const sl_metrics_report &r)
{
    nb::dict d;
    d["toxicity_rate"] = r.toxicity_rate;
    d["toxicity_rate_all"] = r.toxicity_rate_all;
    d["conditional_loss_initiator"] = r.conditional_loss_initiator;
    d["conditional_loss_counterparty"] = r.conditional_loss_counterparty;
    d["spread"] = r.spread;
    d["quality_gap"] = r.quality_gap;
    nb::dict pq;
    pq["high_quality_acceptance"] = r.high_quality_acceptance;
    pq["low_quality_acceptance"] = r.low_quality_acceptance;
    pq["high_quality_count"] = r.high_quality_count;
    pq["low_quality_count"] = r.low_quality_count;
    d["participation_by_quality"] = pq;
    d["uncertain_fraction"] = r.uncertain_fraction;
    d["average_quality"] = r.average_quality;
    d["average_quality_accepted"] = r.average_quality_accepted;
    nb::list qd;
    for (size_t b = 0; b < r.quality_distribution_len; b++) {
        const sl_quality_bin &q = r.quality_distribution[b];
        qd.append(nb::make_tuple(q.start, q.end, q.count));
    }
    d["quality_distribution"] = qd;
    nb::dict w;
    // the reference sums over the accepted rows with sum(): the int 0 when there are rows but
    // none accepted (an empty batch is special-cased to 0.0)
    bool int_totals = r.n > 0 && r.n_accepted == 0;
    w["total_welfare"] = int_totals ? nb::object(nb::int_(0)) : nb::float_(r.total_welfare);
    w["total_social_surplus"] =
        int_totals ? nb::object(nb::int_(0)) : nb::float_(r.total_social_surplus);
    w["net_social_welfare"] = r.net_social_welfare;
    w["avg_initiator_payoff"] = r.avg_initiator_payoff;
    w["avg_counterparty_payoff"] = r.avg_counterparty_payoff;
    d["welfare_metrics"] = w;
    d["calibration_error"] = opt(r.calibration_error);
    d["brier_score"] = opt(r.brier_score);
    d["expected_calibration_error"] = opt(r.expected_calibration_error);
    nb::list cc;
    for (size_t b = 0; b < r.calibration_curve_len; b++) {
        const sl_calibration_bin &c = r.calibration_curve[b];
        cc.append(nb::make_tuple(c.mean_predicted, c.fraction_positive, c.count));
    }
    d["calibration_curve"] = cc;
    d["log_loss"] = opt(r.log_loss);
    d["discrimination_auc"] = opt(r.discrimination_auc);
    d["quality_variance"] = r.quality_variance;
    d["quality_variance_accepted"] = r.quality_variance_accepted;
    d["payoff_variance_initiator"] = r.payoff_variance_initiator;
    d["payoff_variance_counterparty"] = r.payoff_variance_counterparty;
    nb::dict cv;
    cv["cv_p"] = r.cv_p;
    cv["cv_payoff_initiator"] = r.cv_payoff_initiator;
    cv["cv_payoff_counterparty"] = r.cv_payoff_counterparty;
    d["coefficient_of_variation"] = cv;
    return d;
}

nb::object finalize(Metrics &self)
{
    sl_metrics_report r;
    sl_status st;
    {
        nb::gil_scoped_release release;
        std::lock_guard<std::mutex> hold(self.lock);
        st = sl_metrics_finalize(self.m, &r);
    }
    if (st != SL_OK)
        raise_status(st, "Metrics.finalize");
    struct report_owner { // the report's bin arrays (sl_metrics_report_free), also on a throw
        sl_metrics_report *r;
        ~report_owner() { sl_metrics_report_free(r); }
    } owner{&r};
    return metrics_report(r);
}

// The state's byte form (sl_metrics_serialize), written straight into a new bytes object.
nb::bytes to_bytes(Metrics &self)
{
    std::unique_lock<std::mutex> hold(self.lock);
    size_t size = sl_metrics_serialized_size(self.m);
    nb::bytes out = nb::steal<nb::bytes>(PyBytes_FromStringAndSize(nullptr, Py_ssize_t(size)));
    if (!out.is_valid())
        throw nb::python_error();
    size_t written;
    sl_status st;
    {
        nb::gil_scoped_release release;
        st = sl_metrics_serialize(self.m, PyBytes_AS_STRING(out.ptr()), size, &written);
    }
    if (st != SL_OK)
        raise_status(st, "Metrics.to_bytes");
    return out;
}

// A state from its byte form: bytes, bytearray, memoryview or any contiguous buffer.
sl_metrics *state_from_buffer(nb::handle data)
{
    Py_buffer view;
    if (PyObject_GetBuffer(data.ptr(), &view, PyBUF_C_CONTIGUOUS) != 0)
        throw nb::python_error();
    sl_metrics *m = nullptr;
    sl_status st;
    {
        nb::gil_scoped_release release;
        st = sl_metrics_deserialize(&m, view.buf, size_t(view.len));
    }
    PyBuffer_Release(&view);
    if (st != SL_OK)
        raise_status(st, "Metrics.from_bytes");
    return m;
}

nb::object discrimination_auc(nb::handle p_h, nb::handle gt_h, bool cast)
{
    nb::object keep_p, keep_gt;
    In<double> p = input<double>(p_h, "p", cast, keep_p);
    In<int8_t> gt = input<int8_t>(gt_h, "ground_truth", cast, keep_gt);
    check_length(p.n, gt.n, "ground_truth");
    sl_opt_f64 auc;
    size_t bad;
    sl_status st;
    {
        nb::gil_scoped_release release;
        st = sl_discrimination_auc_f64(p.ptr, gt.ptr, p.n, &auc, &bad);
    }
    if (st != SL_OK)
        raise_status(st, "discrimination_auc", bad);
    return opt(auc);
}

void set_isa(const char *name)
{
    sl_status st = sl_set_isa(name);
    if (st != SL_OK)
        raise_status(st, (std::string("set_isa(\"") + name + "\")").c_str());
}

} // namespace

nb::object slpy::metrics_report(const sl_metrics_report &r)
{
    nb::dict counts;
    counts["n"] = r.n;
    counts["n_accepted"] = r.n_accepted;
    counts["n_rejected"] = r.n_rejected;
    counts["n_labelled"] = r.n_labelled;
    counts["n_positive"] = r.n_positive;
    counts["n_negative"] = r.n_negative;
    counts["high_quality_accepted"] = r.high_quality_accepted;
    counts["uncertain_count"] = r.uncertain_count;
    // |AUC - exact AUC| <= this: 0.0 for the exact AUC, the sketch's bound, None with no AUC
    counts["discrimination_auc_error_bound"] =
        r.discrimination_auc.present ? nb::object(nb::float_(r.discrimination_auc_error_bound))
                                     : nb::none();
    return registered_type("MetricsReport")(report_dict(r), counts);
}

// ---- Proxy, PayoffParams, Metrics (core.h) ----------------------------------------------------

Proxy::Proxy(double w_progress, double w_rework, double w_verifier, double w_engagement,
             double sigmoid_k, double rework_decay, double rejection_decay, double misuse_decay)
    : params{w_progress, w_rework, w_verifier, w_engagement, sigmoid_k, rework_decay,
             rejection_decay, misuse_decay}
{
    sl_status st = sl_proxy_init(&px, &params);
    if (st != SL_OK)
        raise_status(st, "Proxy");
}

PayoffParams::PayoffParams(double s_plus, double s_minus, double h, double theta, double rho_a,
                           double rho_b, double w_rep)
    : params{s_plus, s_minus, h, theta, rho_a, rho_b, w_rep}
{
    sl_status st = sl_payoff_validate(&params);
    if (st != SL_OK)
        raise_status(st, "PayoffParams");
}

PayoffParams::PayoffParams() { sl_payoff_params_default(&params); }

double PayoffParams::break_even(sl_status (*fn)(const sl_payoff_params *, double *),
                                const char *what) const
{
    double out;
    sl_status st = fn(&params, &out);
    if (st != SL_OK)
        raise_status(st, what);
    return out;
}

// A count option as the library's unsigned: out-of-range counts stay out of range (0 or the
// largest unsigned), so the library's validation names them.
static unsigned count_option(long v, long lowest)
{
    return v < lowest ? 0u : v > static_cast<long>(UINT_MAX) ? UINT_MAX : static_cast<unsigned>(v);
}

Metrics::Metrics(const PayoffParams *pp, bool auc, long bins, double quality_threshold,
                 double uncertainty_band, double log_loss_eps, long auc_sketch_bins,
                 bool exact_sums)
    : params(pp ? *pp : PayoffParams())
{
    sl_metrics_options_default(&options);
    options.flags = (auc ? 0u : SL_METRICS_NO_AUC) | (exact_sums ? SL_METRICS_EXACT_SUMS : 0u);
    options.bins = count_option(bins, 1);
    // 0 is valid here (exact AUC); a negative value becomes UINT_MAX, which the library refuses
    options.auc_sketch_bins = auc_sketch_bins < 0 ? UINT_MAX : count_option(auc_sketch_bins, 0);
    options.quality_threshold = quality_threshold;
    options.uncertainty_band = uncertainty_band;
    options.log_loss_eps = log_loss_eps;
    sl_status st = sl_metrics_init_ex(&m, &params.params, &options);
    if (st != SL_OK)
        raise_status(st, "Metrics");
}

Metrics::Metrics(sl_metrics *adopt) : m(adopt)
{
    sl_status st = sl_metrics_get_params(m, &params.params);
    if (st == SL_OK)
        st = sl_metrics_get_options(m, &options);
    if (st != SL_OK) {
        sl_metrics_free(m);
        raise_status(st, "Metrics");
    }
}

Metrics::~Metrics() { sl_metrics_free(m); }

// ---- the module -------------------------------------------------------------------------------

NB_MODULE(_core, m)
{
    m.doc() = "softlabel's C library (include/softlabel.h) for Python: use the package "
              "`softlabel`, which re-exports everything here.";

    m.def("_register", &register_types, nb::arg("classes"));
    m.def("_status_codes", &status_codes);

    m.def("version", [] { return std::string(sl_version()); },
          "The C library's version string, e.g. \"0.1.0\".");
    m.def("isa", [] { return std::string(sl_isa_name()); },
          "The active instruction-set path: \"scalar\", \"avx2\", \"avx512\" or \"neon\" (\"none\" "
          "while a bad SOFTLABEL_ISA override is in force).");
    m.def("set_isa", &set_isa, nb::arg("name"),
          "Forces an instruction-set path for the whole process (\"auto\": the best one). Raises "
          "IsaError for a path this build lacks or this CPU cannot run; never falls back.");
    m.def("isa_supported", [](const char *name) { return sl_isa_supported(name) != 0; },
          nb::arg("name"), "Whether this build has the named path and this CPU can run it.");

    nb::class_<Proxy> proxy(
        m, "Proxy",
        "A validated, normalized scorer (SPEC section 1). Defaults are the SPEC defaults; weights "
        "are normalized to sum 1 (all zero: 0.25 each). Raises ParameterError naming the first "
        "out-of-range parameter. Immutable and shareable across threads.");
    proxy
        .def(nb::init<double, double, double, double, double, double, double, double>(),
             nb::kw_only(), nb::arg("w_progress") = 0.4, nb::arg("w_rework") = 0.2,
             nb::arg("w_verifier") = 0.2, nb::arg("w_engagement") = 0.2,
             nb::arg("sigmoid_k") = 2.0, nb::arg("rework_decay") = 0.3,
             nb::arg("rejection_decay") = 0.4, nb::arg("misuse_decay") = 0.5)
        .def("params", &Proxy::as_dict, "The parameters as given, as a dict (keyword arguments of "
                                        "Proxy).")
        .def("__getstate__", &Proxy::as_tuple)
        .def("__setstate__", [](Proxy &self, const std::tuple<double, double, double, double,
                                                              double, double, double, double> &t) {
            new (&self) Proxy(std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t),
                              std::get<4>(t), std::get<5>(t), std::get<6>(t), std::get<7>(t));
        })
        .def("__repr__", &Proxy::repr)
        .def("score", &score,
             nb::sig("def score(self, task_progress_delta: numpy.ndarray | float, "
                     "rework_count: numpy.ndarray | int, verifier_rejections: numpy.ndarray | int, "
                     "counterparty_engagement_delta: numpy.ndarray | float, "
                     "tool_misuse_flags: numpy.ndarray | int | None = None, *, "
                     "out: tuple[numpy.ndarray | None, numpy.ndarray | None] | None = None, "
                     "threads: int = 1, errors: str = 'raise', cast: bool = False) -> "
                     "tuple[numpy.ndarray, numpy.ndarray] | tuple[float, float]"),
             nb::arg("task_progress_delta"), nb::arg("rework_count"),
             nb::arg("verifier_rejections"), nb::arg("counterparty_engagement_delta"),
             nb::arg("tool_misuse_flags") = nb::none(), nb::kw_only(), nb::arg("out") = nb::none(),
             nb::arg("threads") = 1, nb::arg("errors") = "raise", nb::arg("cast") = false,
             "Scores n interactions: returns (v_hat, p), v_hat in [-1, 1] and p = P(beneficial) "
             "in [0, 1] (SPEC section 1).\n\n"
             "Arrays are 1-D, C-contiguous, of one length: the two real columns float64 (computed "
             "in double) or both float32 (computed in single precision), the counts int32; "
             "tool_misuse_flags=None means all zero. Another dtype, a strided or a non-array "
             "argument raises TypeError (no silent copy); cast=True converts instead, raising "
             "ValueError if a value would change (2**32+1 as int32, a fractional count).\n\n"
             "out=(v_hat, p): writable C-contiguous arrays of the input's float dtype that receive "
             "the results (nothing is allocated); an entry may be None. threads > 1 scores on that "
             "many threads (same bits). The GIL is released while scoring.\n\n"
             "Invalid rows (NaN in a real column, a negative count): errors=\"raise\" raises "
             "InvalidRowError with .row (the first) and .column, after every valid row was "
             "scored into out; errors=\"mask\" writes NaN to both outputs of every invalid row.\n\n"
             "One interaction as Python numbers (floats, ints for the counts) gives (v_hat, p) "
             "as floats, computed in double.");
    for (const ParamField<sl_proxy_params> &f : proxy_param_fields)
        proxy.def_prop_ro(f.name, [member = f.member](const Proxy &s) { return s.params.*member; });

    nb::class_<PayoffParams> payoff_params(
        m, "PayoffParams",
        "Soft-payoff parameters (SPEC section 2), validated at construction (ParameterError names "
        "the first bad one). Defaults: s_plus 2, s_minus 1, h 2, theta 0.5, rho_a 0, rho_b 0, "
        "w_rep 1.");
    payoff_params
        .def(nb::init<double, double, double, double, double, double, double>(), nb::kw_only(),
             nb::arg("s_plus") = 2.0, nb::arg("s_minus") = 1.0, nb::arg("h") = 2.0,
             nb::arg("theta") = 0.5, nb::arg("rho_a") = 0.0, nb::arg("rho_b") = 0.0,
             nb::arg("w_rep") = 1.0)
        .def("break_even_p",
             [](const PayoffParams &s) { return s.break_even(sl_break_even_p, "break_even_p"); },
             "s_minus / (s_plus + s_minus). Raises SoftlabelError (status BREAK_EVEN_UNDEFINED) "
             "when the denominator is 0.")
        .def("social_break_even_p",
             [](const PayoffParams &s) {
                 return s.break_even(sl_social_break_even_p, "social_break_even_p");
             },
             "(s_minus + h) / (s_plus + s_minus + h). Raises SoftlabelError (status "
             "BREAK_EVEN_UNDEFINED) when the denominator is 0.")
        .def("params", &PayoffParams::as_dict, "The parameters as a dict.")
        .def("__getstate__", &PayoffParams::as_tuple)
        .def("__setstate__", [](PayoffParams &self, const std::tuple<double, double, double, double,
                                                                     double, double, double> &t) {
            new (&self) PayoffParams(std::get<0>(t), std::get<1>(t), std::get<2>(t),
                                     std::get<3>(t), std::get<4>(t), std::get<5>(t),
                                     std::get<6>(t));
        })
        .def("__repr__", &PayoffParams::repr);
    for (const ParamField<sl_payoff_params> &f : payoff_param_fields)
        payoff_params.def_prop_ro(f.name, [member = f.member](const PayoffParams &s) {
            return s.params.*member;
        });

    m.def("sigmoid", &sigmoid,
          nb::sig("def sigmoid(x: numpy.ndarray | float, k: float = 2.0, *, "
                  "out: numpy.ndarray | None = None, errors: str = 'raise', cast: bool = False) "
                  "-> numpy.ndarray | float"),
          nb::arg("x"), nb::arg("k") = 2.0, nb::kw_only(),
          nb::arg("out") = nb::none(), nb::arg("errors") = "raise", nb::arg("cast") = false,
          "The calibrated sigmoid 1 / (1 + exp(-k x)), k in (0, 100]. x: a float64 or float32 "
          "array (result of the same dtype; out= to write in place of allocating, may be x itself) "
          "or one Python number (a float back). NaN is invalid: InvalidRowError (column \"x\") "
          "with errors=\"raise\", NaN out with errors=\"mask\". GIL released.");
    m.def("inverse_sigmoid", &inverse_sigmoid,
          nb::sig("def inverse_sigmoid(p: numpy.ndarray | float, k: float = 2.0, *, "
                  "out: numpy.ndarray | None = None, errors: str = 'raise', cast: bool = False) "
                  "-> numpy.ndarray | float"),
          nb::arg("p"), nb::arg("k") = 2.0, nb::kw_only(),
          nb::arg("out") = nb::none(), nb::arg("errors") = "raise", nb::arg("cast") = false,
          "The inverse of the calibrated sigmoid, -ln((1-p)/p) / k (SPEC 1's inverse_sigmoid). "
          "p outside (0, 1) or NaN is invalid: InvalidRowError (column \"p\", status "
          "INVERSE_SIGMOID_DOMAIN) with errors=\"raise\", NaN with errors=\"mask\". Arrays or one "
          "number, as sigmoid().");

    m.def("payoffs", &payoffs,
          nb::sig("def payoffs(p: numpy.ndarray | float, tau: numpy.ndarray | float | None = "
                  "None, c_a: numpy.ndarray | float | None = None, c_b: numpy.ndarray | float | "
                  "None = None, r_a: numpy.ndarray | float | None = None, r_b: numpy.ndarray | "
                  "float | None = None, *, params: PayoffParams | None = None, out: tuple | None "
                  "= None, errors: str = 'raise', cast: bool = False) -> tuple"),
          nb::arg("p"), nb::arg("tau") = nb::none(),
          nb::arg("c_a") = nb::none(), nb::arg("c_b") = nb::none(), nb::arg("r_a") = nb::none(),
          nb::arg("r_b") = nb::none(), nb::kw_only(), nb::arg("params").none() = nb::none(),
          nb::arg("out") = nb::none(), nb::arg("errors") = "raise", nb::arg("cast") = false,
          "Soft payoffs of every row (SPEC section 2) as a Payoffs named tuple of arrays: "
          "expected_surplus, expected_harm, payoff_initiator, payoff_counterparty, "
          "social_surplus, total_welfare. p in [0, 1]; tau, c_a, c_b, r_a, r_b finite or None "
          "(zero); all of p's dtype (float64 or float32). params: PayoffParams (None: the "
          "defaults). out: a tuple of 6 arrays (None entries are allocated). Invalid rows as in "
          "Proxy.score (InvalidRowError, or NaN with errors=\"mask\"). p and the columns as "
          "Python numbers: one row, a Payoffs of floats.");

    nb::class_<Metrics>(m, "Metrics",
                        "A mergeable batch-metrics state (SPEC section 3): update it with any "
                        "number of chunks, merge states from other threads or chunks, finalize "
                        "into a MetricsReport. auc=False keeps no per-row data (the report's "
                        "discrimination_auc is then None). SWARM's parameters: bins (of "
                        "quality_distribution and calibration_curve, 1 .. 1024), "
                        "quality_threshold (high quality: p >= it), uncertainty_band (uncertain: "
                        "0.5 - band < p < 0.5 + band) and log_loss_eps (log loss clamps p to "
                        "[eps, 1 - eps]); ParameterError names a bad one. Any non-default value "
                        "computes on the scalar path (same results, slower). auc_sketch_bins: 0 "
                        "(default) keeps 8 bytes per labelled row for the exact AUC; a power of "
                        "two B in 2^4 .. 2^20 keeps a fixed-size histogram of p instead (16 B "
                        "bytes, merged by adding counts), and the report's "
                        "discrimination_auc_error_bound bounds |AUC - exact AUC|. "
                        "exact_sums=True: exact sums (SL_METRICS_EXACT_SUMS), so the report is "
                        "the same bits however the rows were cut into updates and merged, in "
                        "any order; computed on the scalar path (slower).")
        .def(nb::init<const PayoffParams *, bool, long, double, double, double, long, bool>(),
             nb::arg("params").none() = nb::none(), nb::kw_only(), nb::arg("auc") = true,
             nb::arg("bins") = SL_METRICS_BINS, nb::arg("quality_threshold") = 0.5,
             nb::arg("uncertainty_band") = 0.2, nb::arg("log_loss_eps") = 1e-15,
             nb::arg("auc_sketch_bins") = 0, nb::arg("exact_sums") = false)
        .def("update", &update, nb::arg("p"), nb::arg("accepted"),
             nb::arg("ground_truth") = nb::none(), nb::arg("tau") = nb::none(),
             nb::arg("c_a") = nb::none(), nb::arg("c_b") = nb::none(),
             nb::arg("r_a") = nb::none(), nb::arg("r_b") = nb::none(), nb::kw_only(),
             nb::arg("cast") = false,
             "Adds rows: p (float64 or float32), accepted (bool or uint8, 0/1), ground_truth "
             "(int8: +1, -1, 0 for none; None: none), payoff columns of p's dtype or None. "
             "Invalid rows are left out and every valid row is added; then InvalidRowError names "
             "the first invalid row and .rows_added says how many rows were added.")
        .def("update_observables", &update_observables, nb::arg("proxy"),
             nb::arg("task_progress_delta"), nb::arg("rework_count"),
             nb::arg("verifier_rejections"), nb::arg("counterparty_engagement_delta"),
             nb::arg("accepted"), nb::arg("ground_truth") = nb::none(), nb::kw_only(),
             nb::arg("tool_misuse_flags") = nb::none(), nb::arg("tau") = nb::none(),
             nb::arg("c_a") = nb::none(), nb::arg("c_b") = nb::none(),
             nb::arg("r_a") = nb::none(), nb::arg("r_b") = nb::none(), nb::arg("threads") = 1,
             nb::arg("cast") = false,
             "Scores the observables with proxy and adds the rows as update() would, without "
             "storing p (one fused pass; threads > 1: the same bits on any thread count). "
             "Arrays as in Proxy.score; errors as in update().")
        .def("merge", [](Metrics &self, Metrics &other) {
            if (&self == &other)
                raise_status(SL_ERR_STATE_MISMATCH, "Metrics.merge (a state into itself)");
            sl_status st;
            {
                nb::gil_scoped_release release;
                std::scoped_lock hold(self.lock, other.lock);
                st = sl_metrics_merge(self.m, other.m);
            }
            if (st != SL_OK)
                raise_status(st, "Metrics.merge");
        }, nb::arg("other"), "Adds everything other has accumulated (other is unchanged). Both "
                              "need the same PayoffParams and options (auc, bins, ...).")
        .def("to_bytes", &to_bytes,
             "The state's byte form (the library's serialized format: little endian, versioned, "
             "checksummed; independent of machine and instruction set). Metrics.from_bytes gives "
             "the state back; pickle uses the same form.")
        .def_static("from_bytes", [](nb::handle data) { return new Metrics(state_from_buffer(data)); },
                    nb::arg("data"),
                    "The state a to_bytes() blob holds (bytes or any contiguous buffer), with "
                    "its parameters and options: it finalizes to the same report, can be "
                    "updated further and merges with states of the same parameters. A damaged "
                    "or foreign blob raises SoftlabelError (status BLOB_CHECKSUM, BLOB_MAGIC, "
                    "BLOB_TRUNCATED, BLOB_VERSION or BLOB_CORRUPT).",
                    nb::rv_policy::take_ownership)
        .def("__getstate__", &to_bytes)
        .def("__setstate__", [](Metrics &self, nb::handle data) {
            new (&self) Metrics(state_from_buffer(data));
        })
        .def("finalize", &finalize,
             "The MetricsReport of everything accumulated (the state is unchanged and may keep "
             "accumulating).")
        .def_prop_ro("count", [](const Metrics &s) { return sl_metrics_count(s.m); },
                     "Valid rows accumulated so far.")
        .def_prop_ro("params", [](const Metrics &s) { return s.params; })
        .def_prop_ro("auc", [](const Metrics &s) { return !(s.options.flags & SL_METRICS_NO_AUC); })
        .def_prop_ro("bins", [](const Metrics &s) { return s.options.bins; })
        .def_prop_ro("quality_threshold", [](const Metrics &s) { return s.options.quality_threshold; })
        .def_prop_ro("uncertainty_band", [](const Metrics &s) { return s.options.uncertainty_band; })
        .def_prop_ro("log_loss_eps", [](const Metrics &s) { return s.options.log_loss_eps; })
        .def_prop_ro("auc_sketch_bins", [](const Metrics &s) { return s.options.auc_sketch_bins; },
                     "0: exact AUC; else the bins of the AUC sketch.")
        .def_prop_ro("exact_sums",
                     [](const Metrics &s) { return (s.options.flags & SL_METRICS_EXACT_SUMS) != 0; },
                     "Whether the state keeps exact sums (the report independent of the cuts).");

    m.def("discrimination_auc", &discrimination_auc,
          nb::sig("def discrimination_auc(p: numpy.ndarray, ground_truth: numpy.ndarray, *, "
                  "cast: bool = False) -> float | None"),
          nb::arg("p"), nb::arg("ground_truth"),
          nb::kw_only(), nb::arg("cast") = false,
          "P(p_pos > p_neg) + P(p_pos = p_neg)/2 over the rows with ground_truth +1 / -1 (int8; "
          "0: unlabelled); None when a class is empty. p float64 in [0, 1]. O(n log n).");

    bind_panel(m);
    bind_arrow(m);
    bind_swarm(m);

}
