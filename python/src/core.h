// The extension's classes (Proxy, PayoffParams, Metrics), the library's entry points by element
// type (Prec<float> / Prec<double>), and the row loop behind errors="raise" / "mask".
#pragma once

#include "common.h"

#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <mutex>
#include <string>
#include <tuple>

namespace slpy {

// A parameter struct's fields in the constructor's order, each by its Python name (the field's
// own name): params(), the read-only properties and the repr are made from these lists.
template <class P> struct ParamField {
    const char *name;
    double P::*member;
};
#define SLPY_FIELD(P, f) ParamField<P>{#f, &P::f}
inline constexpr ParamField<sl_proxy_params> proxy_param_fields[] = {
    SLPY_FIELD(sl_proxy_params, w_progress),   SLPY_FIELD(sl_proxy_params, w_rework),
    SLPY_FIELD(sl_proxy_params, w_verifier),   SLPY_FIELD(sl_proxy_params, w_engagement),
    SLPY_FIELD(sl_proxy_params, sigmoid_k),    SLPY_FIELD(sl_proxy_params, rework_decay),
    SLPY_FIELD(sl_proxy_params, rejection_decay), SLPY_FIELD(sl_proxy_params, misuse_decay)};
inline constexpr ParamField<sl_payoff_params> payoff_param_fields[] = {
    SLPY_FIELD(sl_payoff_params, s_plus), SLPY_FIELD(sl_payoff_params, s_minus),
    SLPY_FIELD(sl_payoff_params, h),      SLPY_FIELD(sl_payoff_params, theta),
    SLPY_FIELD(sl_payoff_params, rho_a),  SLPY_FIELD(sl_payoff_params, rho_b),
    SLPY_FIELD(sl_payoff_params, w_rep)};
#undef SLPY_FIELD

// The fields of p as a dict, in the list's order.
template <class P, size_t N> nb::dict params_dict(const P &p, const ParamField<P> (&fields)[N])
{
    nb::dict d;
    for (const ParamField<P> &f : fields)
        d[f.name] = p.*f.member;
    return d;
}

struct Proxy {
    sl_proxy_params params;
    sl_proxy px;

    Proxy(double w_progress, double w_rework, double w_verifier, double w_engagement,
          double sigmoid_k, double rework_decay, double rejection_decay, double misuse_decay);
    std::tuple<double, double, double, double, double, double, double, double> as_tuple() const
    {
        return {params.w_progress,   params.w_rework,        params.w_verifier,
                params.w_engagement, params.sigmoid_k,       params.rework_decay,
                params.rejection_decay, params.misuse_decay};
    }
    nb::dict as_dict() const { return params_dict(params, proxy_param_fields); }
    std::string repr() const
    {
        return "Proxy(" + kwargs_repr(as_dict()) + ")";
    }
    static std::string kwargs_repr(const nb::dict &d)
    {
        std::string s;
        for (auto [k, v] : d)
            s += (s.empty() ? "" : ", ") + text(k) + "=" + text(nb::repr(v));
        return s;
    }
};

struct PayoffParams {
    sl_payoff_params params;

    PayoffParams();
    PayoffParams(double s_plus, double s_minus, double h, double theta, double rho_a,
                 double rho_b, double w_rep);
    double break_even(sl_status (*fn)(const sl_payoff_params *, double *), const char *what) const;
    std::tuple<double, double, double, double, double, double, double> as_tuple() const
    {
        return {params.s_plus, params.s_minus, params.h,    params.theta,
                params.rho_a,  params.rho_b,   params.w_rep};
    }
    nb::dict as_dict() const { return params_dict(params, payoff_param_fields); }
    std::string repr() const { return "PayoffParams(" + Proxy::kwargs_repr(as_dict()) + ")"; }
};

// The library's entry points by element type: per-type traits (as Highway's), one definition of
// the calls for both precisions, instantiated with each precision's typed names below.
template <class T, class Obs_, class PayIn_, class PayOut_, auto score_1, auto score_mt,
          auto payoff_fn, auto metrics_update_fn, auto metrics_observables_1,
          auto metrics_observables_mt>
struct PrecApi {
    using Obs = Obs_;
    using PayIn = PayIn_;
    using PayOut = PayOut_;
    static sl_status score(const sl_proxy *px, const Obs *o, size_t n, T *v, T *p, size_t *bad,
                           unsigned threads)
    {
        return threads > 1 ? score_mt(px, o, n, v, p, bad, threads) : score_1(px, o, n, v, p, bad);
    }
    static sl_status payoff(const sl_payoff_params *pp, const PayIn *in, size_t n,
                            const PayOut *out, size_t *bad)
    {
        return payoff_fn(pp, in, n, out, bad);
    }
    static sl_status metrics_update(sl_metrics *m, const PayIn *in, const uint8_t *acc,
                                    const int8_t *gt, size_t n, size_t *bad)
    {
        return metrics_update_fn(m, in, acc, gt, n, bad);
    }
    static sl_status metrics_update_observables(sl_metrics *m, const sl_proxy *px, const Obs *o,
                                                const PayIn *in, const uint8_t *acc,
                                                const int8_t *gt, size_t n, size_t *bad,
                                                unsigned threads)
    {
        return threads > 1 ? metrics_observables_mt(m, px, o, in, acc, gt, n, bad, threads)
                           : metrics_observables_1(m, px, o, in, acc, gt, n, bad);
    }
};
template <class T> struct Prec;
template <>
struct Prec<double>
    : PrecApi<double, sl_observables_f64, sl_payoff_inputs_f64, sl_payoff_outputs_f64,
              sl_score_f64, sl_score_f64_mt, sl_payoff_f64, sl_metrics_update_f64,
              sl_metrics_update_observables_f64, sl_metrics_update_observables_f64_mt> {};
template <>
struct Prec<float>
    : PrecApi<float, sl_observables_f32, sl_payoff_inputs_f32, sl_payoff_outputs_f32,
              sl_score_f32, sl_score_f32_mt, sl_payoff_f32, sl_metrics_update_f32,
              sl_metrics_update_observables_f32, sl_metrics_update_observables_f32_mt> {};

// A struct of columns advanced by k rows (NULL columns stay NULL).
inline sl_observables_f64 shifted(sl_observables_f64 o, size_t k)
{
    return {o.task_progress_delta + k, o.rework_count + k, o.verifier_rejections + k,
            o.tool_misuse_flags ? o.tool_misuse_flags + k : nullptr,
            o.counterparty_engagement_delta + k};
}
inline sl_observables_f32 shifted(sl_observables_f32 o, size_t k)
{
    return {o.task_progress_delta + k, o.rework_count + k, o.verifier_rejections + k,
            o.tool_misuse_flags ? o.tool_misuse_flags + k : nullptr,
            o.counterparty_engagement_delta + k};
}
template <class P> P *opt_shift(P *p, size_t k) { return p ? p + k : nullptr; }
inline sl_payoff_inputs_f64 shifted(sl_payoff_inputs_f64 s, size_t k)
{
    return {opt_shift(s.p, k),   opt_shift(s.tau, k), opt_shift(s.c_a, k),
            opt_shift(s.c_b, k), opt_shift(s.r_a, k), opt_shift(s.r_b, k)};
}
inline sl_payoff_inputs_f32 shifted(sl_payoff_inputs_f32 s, size_t k)
{
    return {opt_shift(s.p, k),   opt_shift(s.tau, k), opt_shift(s.c_a, k),
            opt_shift(s.c_b, k), opt_shift(s.r_a, k), opt_shift(s.r_b, k)};
}
inline sl_payoff_outputs_f64 shifted(sl_payoff_outputs_f64 s, size_t k)
{
    return {opt_shift(s.expected_surplus, k),    opt_shift(s.expected_harm, k),
            opt_shift(s.payoff_initiator, k),    opt_shift(s.payoff_counterparty, k),
            opt_shift(s.social_surplus, k),      opt_shift(s.total_welfare, k)};
}
inline sl_payoff_outputs_f32 shifted(sl_payoff_outputs_f32 s, size_t k)
{
    return {opt_shift(s.expected_surplus, k),    opt_shift(s.expected_harm, k),
            opt_shift(s.payoff_initiator, k),    opt_shift(s.payoff_counterparty, k),
            opt_shift(s.social_surplus, k),      opt_shift(s.total_welfare, k)};
}

struct RowFailure {
    sl_status status = SL_OK;
    size_t row = 0;
};

// Runs call(start, &bad) over rows [start, n); the caller has released the GIL. A row status
// stops it (errors="raise": the first invalid row is returned) or, with `mask`, marks that row
// with on_invalid(row) and goes on after it: each row is computed once, whatever the number of
// invalid rows. Any other status is returned as is.
template <class Call, class Mark>
RowFailure run_rows_nogil(size_t n, bool mask, Call call, Mark on_invalid)
{
    RowFailure f;
    for (size_t start = 0; start <= n;) {
        size_t bad = 0;
        sl_status st = call(start, &bad);
        if (st == SL_OK)
            return f;
        if (!is_row_status(st) || !mask) {
            f.status = st;
            f.row = is_row_status(st) ? start + bad : 0;
            return f;
        }
        on_invalid(start + bad);
        start += bad + 1;
    }
    return f;
}

// run_rows_nogil with the GIL released around it.
template <class Call, class Mark>
RowFailure run_rows(size_t n, bool mask, Call call, Mark on_invalid)
{
    nb::gil_scoped_release release;
    return run_rows_nogil(n, mask, call, on_invalid);
}

struct Metrics {
    sl_metrics *m = nullptr;
    PayoffParams params;
    sl_metrics_options options;
    std::mutex lock; // a state takes one update at a time; the GIL is released during one

    Metrics(const PayoffParams *pp, bool auc, long bins, double quality_threshold,
            double uncertainty_band, double log_loss_eps, long auc_sketch_bins, bool exact_sums);
    explicit Metrics(sl_metrics *adopt); // a state made by sl_metrics_deserialize
    ~Metrics();
    Metrics(const Metrics &) = delete;
    Metrics &operator=(const Metrics &) = delete;

    // Runs an update with the GIL released; on a failed status raises, with the rows the call
    // still added for a row status.
    template <class Call> void run_update(const char *what, Call call)
    {
        size_t bad = 0;
        sl_status st;
        uint64_t added;
        {
            nb::gil_scoped_release release;
            std::lock_guard<std::mutex> hold(lock);
            uint64_t before = sl_metrics_count(m);
            st = call(&bad);
            added = sl_metrics_count(m) - before;
        }
        if (st != SL_OK)
            raise_status(st, what, bad, nullptr,
                         is_row_status(st) ? static_cast<long long>(added) : -1);
    }
};

// The package's MetricsReport of a finalized report (its metrics as the reference's JSON object,
// its row counts as attributes); the caller still owns and frees the report's bin arrays.
nb::object metrics_report(const sl_metrics_report &r);

} // namespace slpy
