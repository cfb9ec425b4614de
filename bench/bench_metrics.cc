// Payoffs and batch metrics (SPEC 2 and 3), Google Benchmark, single thread, f64, one run:
//   score/<isa>                 observables -> p (sl_score_f64), the baseline
//   score_both/<isa>            observables -> v_hat and p (sl_score_f64 with both outputs)
//   metrics_fused/<isa>/<cfg>   observables -> metrics state (sl_metrics_update_observables_f64)
//   score_then_metrics/<isa>    sl_score_f64 into an array, then sl_metrics_update_f64
//   score_mt2/<isa>, metrics_fused_mt2/<isa>/<cfg>   sl_score_f64_mt and
//                               sl_metrics_update_observables_f64_mt on 2 threads
//   payoff/<isa>, payoff_fused/<isa>
//   auc/<n>                     sl_discrimination_auc_f64 (radix sort + walk)
//   finalize_auc/<n>            sl_metrics_finalize of a state holding n labelled rows
// <cfg>: labelled share of rows (0, 10 or 100 %), "+cols" when the five payoff columns are
// given, "+auc" when the state keeps AUC keys (a fresh state per iteration, so the key buffer's
// growth is included), "+exact" with SL_METRICS_EXACT_SUMS (the cost of partition-independent
// sums: compare with the same batch without it). Rows: the built-in sample's observables (tools/commands/sample.h), accepted with
// probability 0.8, ground truth +1 with probability p. Report medians of the repetitions.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include "sample.h"
#include "softlabel.h"
}

namespace {

constexpr size_t kRows = 10'000'000;

struct Data {
    sl_sample sample{};
    sl_proxy px{};
    sl_payoff_params pp{};
    std::vector<double> p, cols[5], out, out_v_hat;
    std::vector<uint8_t> accepted;
    std::vector<int8_t> truth[3]; // 0 %, 10 %, 100 % labelled

    Data()
    {
        if (sl_sample_generate(&sample, kRows, 42) != 0)
            std::abort();
        sl_proxy_params params;
        sl_proxy_params_default(&params);
        sl_proxy_init(&px, &params);
        sl_payoff_params_default(&pp);
        p.resize(kRows);
        out.resize(kRows);
        out_v_hat.resize(kRows);
        sl_observables_f64 o = obs();
        sl_score_f64(&px, &o, kRows, nullptr, p.data(), nullptr);
        uint64_t s = 7;
        auto uniform = [&s] {
            uint64_t z = (s += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
        };
        for (auto &c : cols) {
            c.resize(kRows);
            for (auto &x : c)
                x = uniform() - 0.5;
        }
        accepted.resize(kRows);
        for (int k = 0; k < 3; k++)
            truth[k].resize(kRows);
        for (size_t i = 0; i < kRows; i++) {
            accepted[i] = uniform() < 0.8;
            int8_t label = uniform() < p[i] ? 1 : -1;
            truth[0][i] = 0;
            truth[1][i] = uniform() < 0.1 ? label : 0;
            truth[2][i] = label;
        }
    }
    sl_observables_f64 obs() const
    {
        return {sample.task_progress_delta, sample.rework_count, sample.verifier_rejections,
                sample.tool_misuse_flags, sample.counterparty_engagement_delta};
    }
    sl_payoff_inputs_f64 columns(bool given) const
    {
        if (!given)
            return {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
        return {nullptr, cols[0].data(), cols[1].data(), cols[2].data(), cols[3].data(),
                cols[4].data()};
    }
};

Data &data()
{
    static Data d;
    return d;
}

void use_isa(benchmark::State &state, const char *isa)
{
    if (sl_set_isa(isa) != SL_OK)
        state.SkipWithError("instruction set not supported");
}

void check(benchmark::State &state, sl_status st)
{
    if (st != SL_OK)
        state.SkipWithError(sl_status_str(st));
}

void finish(benchmark::State &state, size_t rows_per_iteration)
{
    state.SetItemsProcessed((int64_t)(state.iterations() * rows_per_iteration));
}

void bm_score(benchmark::State &state, const char *isa, bool with_v_hat)
{
    Data &d = data();
    use_isa(state, isa);
    sl_observables_f64 o = d.obs();
    double *v_hat = with_v_hat ? d.out_v_hat.data() : nullptr;
    for (auto _ : state) {
        check(state, sl_score_f64(&d.px, &o, kRows, v_hat, d.out.data(), nullptr));
        benchmark::ClobberMemory();
    }
    finish(state, kRows);
}

void bm_score_mt(benchmark::State &state, const char *isa, unsigned threads)
{
    Data &d = data();
    use_isa(state, isa);
    sl_observables_f64 o = d.obs();
    for (auto _ : state) {
        check(state, sl_score_f64_mt(&d.px, &o, kRows, nullptr, d.out.data(), nullptr, threads));
        benchmark::ClobberMemory();
    }
    finish(state, kRows);
}

void bm_metrics_fused_mt(benchmark::State &state, const char *isa, int labelled, unsigned threads)
{
    Data &d = data();
    use_isa(state, isa);
    sl_observables_f64 o = d.obs();
    for (auto _ : state) {
        sl_metrics *m;
        check(state, sl_metrics_init(&m, &d.pp, SL_METRICS_NO_AUC));
        check(state, sl_metrics_update_observables_f64_mt(
                         m, &d.px, &o, nullptr, d.accepted.data(),
                         labelled ? d.truth[labelled].data() : nullptr, kRows, nullptr, threads));
        benchmark::DoNotOptimize(m);
        sl_metrics_free(m);
    }
    finish(state, kRows);
}

void bm_metrics_fused(benchmark::State &state, const char *isa, int labelled, bool with_cols,
                      bool auc, bool exact = false)
{
    Data &d = data();
    use_isa(state, isa);
    sl_observables_f64 o = d.obs();
    sl_payoff_inputs_f64 c = d.columns(with_cols);
    for (auto _ : state) {
        sl_metrics *m;
        check(state, sl_metrics_init(&m, &d.pp, (auc ? 0u : SL_METRICS_NO_AUC) |
                                                    (exact ? SL_METRICS_EXACT_SUMS : 0u)));
        check(state, sl_metrics_update_observables_f64(m, &d.px, &o, with_cols ? &c : nullptr,
                                                       d.accepted.data(),
                                                       labelled ? d.truth[labelled].data() : nullptr,
                                                       kRows, nullptr));
        benchmark::DoNotOptimize(m);
        sl_metrics_free(m);
    }
    finish(state, kRows);
}

void bm_score_then_metrics(benchmark::State &state, const char *isa)
{
    Data &d = data();
    use_isa(state, isa);
    sl_observables_f64 o = d.obs();
    for (auto _ : state) {
        check(state, sl_score_f64(&d.px, &o, kRows, nullptr, d.out.data(), nullptr));
        sl_metrics *m;
        sl_metrics_init(&m, &d.pp, SL_METRICS_NO_AUC);
        sl_payoff_inputs_f64 in = {d.out.data(), nullptr, nullptr, nullptr, nullptr, nullptr};
        check(state, sl_metrics_update_f64(m, &in, d.accepted.data(), d.truth[1].data(), kRows,
                                           nullptr));
        sl_metrics_free(m);
    }
    finish(state, kRows);
}

void bm_payoff(benchmark::State &state, const char *isa, bool fused)
{
    Data &d = data();
    use_isa(state, isa);
    sl_observables_f64 o = d.obs();
    sl_payoff_inputs_f64 c = d.columns(true);
    sl_payoff_outputs_f64 out = {nullptr, nullptr, nullptr, nullptr, nullptr, d.out.data()};
    for (auto _ : state) {
        if (fused) {
            check(state, sl_payoff_observables_f64(&d.pp, &d.px, &o, &c, kRows, &out, nullptr));
        } else {
            sl_payoff_inputs_f64 in = c;
            in.p = d.p.data();
            check(state, sl_payoff_f64(&d.pp, &in, kRows, &out, nullptr));
        }
        benchmark::ClobberMemory();
    }
    finish(state, kRows);
}

void bm_auc(benchmark::State &state)
{
    Data &d = data();
    size_t n = (size_t)state.range(0);
    for (auto _ : state) {
        sl_opt_f64 auc;
        check(state, sl_discrimination_auc_f64(d.p.data(), d.truth[2].data(), n, &auc, nullptr));
        benchmark::DoNotOptimize(auc);
    }
    finish(state, n);
}

void bm_finalize_auc(benchmark::State &state)
{
    Data &d = data();
    size_t n = (size_t)state.range(0);
    sl_metrics *m;
    sl_metrics_init(&m, &d.pp, 0);
    sl_payoff_inputs_f64 in = {d.p.data(), nullptr, nullptr, nullptr, nullptr, nullptr};
    sl_metrics_update_f64(m, &in, d.accepted.data(), d.truth[2].data(), n, nullptr);
    for (auto _ : state) {
        sl_metrics_report r;
        check(state, sl_metrics_finalize(m, &r));
        benchmark::DoNotOptimize(r);
        sl_metrics_report_free(&r);
    }
    sl_metrics_free(m);
    finish(state, n);
}

void register_all()
{
    static const int shares[] = {0, 1, 2};
    static const char *const share_names[] = {"0", "10", "100"};
    for (size_t i = 0; i < sl_isa_count(); i++) { // the library's list, best first
        const char *isa = sl_isa_at(i);
        if (!sl_isa_supported(isa))
            continue;
        std::string s = isa;
        auto reg = [](const std::string &name, auto fn) {
            return benchmark::RegisterBenchmark(name.c_str(), fn)
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime();
        };
        reg("score/" + s, [isa](benchmark::State &st) { bm_score(st, isa, false); });
        reg("score_both/" + s, [isa](benchmark::State &st) { bm_score(st, isa, true); });
        reg("score_mt2/" + s, [isa](benchmark::State &st) { bm_score_mt(st, isa, 2); });
        for (int k : shares) {
            std::string cfg = s + "/labelled" + share_names[k];
            reg("metrics_fused/" + cfg,
                [isa, k](benchmark::State &st) { bm_metrics_fused(st, isa, k, false, false); });
            reg("metrics_fused_mt2/" + cfg,
                [isa, k](benchmark::State &st) { bm_metrics_fused_mt(st, isa, k, 2); });
            reg("metrics_fused/" + cfg + "+cols",
                [isa, k](benchmark::State &st) { bm_metrics_fused(st, isa, k, true, false); });
            reg("metrics_fused/" + cfg + "+exact", [isa, k](benchmark::State &st) {
                bm_metrics_fused(st, isa, k, false, false, true);
            });
            reg("metrics_fused/" + cfg + "+cols+exact", [isa, k](benchmark::State &st) {
                bm_metrics_fused(st, isa, k, true, false, true);
            });
        }
        reg("metrics_fused/" + s + "/labelled10+auc",
            [isa](benchmark::State &st) { bm_metrics_fused(st, isa, 1, false, true); });
        reg("score_then_metrics/" + s + "/labelled10",
            [isa](benchmark::State &st) { bm_score_then_metrics(st, isa); });
        reg("payoff/" + s, [isa](benchmark::State &st) { bm_payoff(st, isa, false); });
        reg("payoff_fused/" + s, [isa](benchmark::State &st) { bm_payoff(st, isa, true); });
    }
    benchmark::RegisterBenchmark("auc", bm_auc)->Arg(1'000'000)->Arg((int64_t)kRows)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark("finalize_auc", bm_finalize_auc)->Arg((int64_t)kRows)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
}

} // namespace

int main(int argc, char **argv)
{
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    data(); // generate outside the timings
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
