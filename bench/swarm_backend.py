#!/usr/bin/env python3
"""softlabel as SWARM's backend, measured against SWARM 1.9.0 itself (issue 16's benchmark).

In one run, with interleaved rounds and medians (wall time, time.perf_counter):
  (a)  SWARM's ProxyComputer.compute_labels, one ProxyObservables object at a time;
  (a') softlabel.swarm.ProxyComputer (the drop-in), the same objects one at a time;
  (b)  numpy, the same formulas vectorized over the columns;
  (c)  softlabel.Proxy.score over the same columns (one thread);
  (d)  SWARM's MetricsReporter.summary and SoftMetrics methods over SoftInteraction objects
       against the drop-ins (softlabel.swarm) on the same objects.
Outputs are checked to agree before anything is timed (p within 1e-12 of numpy, the drop-in's
summary within 1e-9 (1 + |value|) of SWARM's). Needs swarm-safety==1.9.0 and the softlabel
package in the running Python. Not a test: it prints figures, it asserts no budget.

    python bench/swarm_backend.py                 # 10^6 rows for (a)-(c), 10^5 for (d)
    python bench/swarm_backend.py --rows-a 100000 # time SWARM's per-object path on 10^5 rows
"""

import argparse
import json
import statistics
import time

import numpy as np
from swarm.core.proxy import ProxyComputer as SwarmProxyComputer
from swarm.core.proxy import ProxyObservables
from swarm.metrics.reporters import MetricsReporter as SwarmMetricsReporter
from swarm.metrics.soft_metrics import SoftMetrics as SwarmSoftMetrics
from swarm.models.interaction import SoftInteraction

import softlabel as sl
import softlabel.swarm as slswarm

# SPEC 1 defaults (= SWARM's)
W = (0.4, 0.2, 0.2, 0.2)
K = 2.0
DECAYS = (0.3, 0.4, 0.5)

# The SoftMetrics methods timed in (d): every metric SWARM computes in O(n) (its
# discrimination_auc compares all pairs, O(n^2): hours at 10^5 rows, left out).
SOFT_METRICS_CALLS = (
    "toxicity_rate", "toxicity_rate_all", "conditional_loss_initiator",
    "conditional_loss_counterparty", "spread", "quality_gap", "participation_by_quality",
    "uncertain_fraction", "average_quality", "quality_distribution", "welfare_metrics",
    "calibration_error", "brier_score", "expected_calibration_error", "calibration_curve",
    "log_loss", "quality_variance", "payoff_variance_initiator", "payoff_variance_counterparty",
    "coefficient_of_variation",
)


def observables(n, seed):
    rng = np.random.default_rng(seed)
    return {
        "task_progress_delta": rng.uniform(-1.0, 1.0, n),
        "rework_count": rng.integers(0, 4, n).astype(np.int32),
        "verifier_rejections": rng.integers(0, 3, n).astype(np.int32),
        "tool_misuse_flags": rng.integers(0, 2, n).astype(np.int32),
        "counterparty_engagement_delta": rng.uniform(-1.0, 1.0, n),
    }


def numpy_score(cols):
    """SPEC 1's formulas, vectorized with numpy (the reference's operations and order)."""
    w = np.array(W) / sum(W)

    def signal(count, decay):
        return np.where(count == 0, 1.0, 2.0 * np.power(decay, count) - 1.0)

    progress = np.clip(cols["task_progress_delta"], -1.0, 1.0)
    engagement = np.clip(cols["counterparty_engagement_delta"], -1.0, 1.0)
    rework = signal(cols["rework_count"], DECAYS[0])
    verifier = (signal(cols["verifier_rejections"], DECAYS[1])
                + signal(cols["tool_misuse_flags"], DECAYS[2])) / 2.0
    v_hat = np.clip(w[0] * progress + w[1] * rework + w[2] * verifier + w[3] * engagement,
                    -1.0, 1.0)
    return v_hat, 1.0 / (1.0 + np.exp(-K * v_hat))


def to_objects(cols, n):
    names = list(cols)
    lists = [cols[k][:n].tolist() for k in names]
    return [ProxyObservables(**dict(zip(names, row))) for row in zip(*lists)]


def interactions(n, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, n).tolist()
    accepted = (rng.random(n) > 0.4).tolist()
    truth = rng.choice([1, -1, 0], n).tolist()
    cols = [rng.uniform(lo, hi, n).tolist() for lo, hi in
            ((0.0, 0.1), (0.0, 0.05), (0.0, 0.05), (-0.1, 0.1), (-0.1, 0.1))]
    return [SoftInteraction(p=p[i], accepted=accepted[i], ground_truth=truth[i] or None,
                            tau=cols[0][i], c_a=cols[1][i], c_b=cols[2][i], r_a=cols[3][i],
                            r_b=cols[4][i]) for i in range(n)]


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleaved(contenders, rounds):
    """Median wall seconds of each contender over `rounds` rounds, run in turn in each round."""
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
    return {name: statistics.median(t) for name, t in times.items()}


def check_summaries(ours, theirs):
    worst = 0.0
    for key, value in theirs.to_dict().items():
        for field, v in value.items():
            o = ours.to_dict()[key][field]
            if v is None or o is None:
                assert v is o, (key, field, v, o)
                continue
            err = abs(o - v) / (1.0 + abs(v))
            assert err <= 1e-9, (key, field, v, o)
            worst = max(worst, err)
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10**6, help="rows for (a') (b) (c)")
    ap.add_argument("--rows-a", type=int, default=10**6, help="rows for SWARM's per-object (a)")
    ap.add_argument("--rows-metrics", type=int, default=10**5, help="interactions for (d)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (b) (c) (d)")
    ap.add_argument("--rounds-objects", type=int, default=3, help="interleaved rounds (a) (a')")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()

    print(f"softlabel {sl.version()}, ISA {sl.isa()}")
    cols = observables(args.rows, seed=42)
    px = sl.Proxy()
    score_args = (cols["task_progress_delta"], cols["rework_count"], cols["verifier_rejections"],
                  cols["counterparty_engagement_delta"])
    v_sl, p_sl = px.score(*score_args, tool_misuse_flags=cols["tool_misuse_flags"])
    v_np, p_np = numpy_score(cols)
    assert np.max(np.abs(v_sl - v_np)) <= 2e-15 and np.max(np.abs(p_sl - p_np)) <= 1e-12

    objs = to_objects(cols, max(args.rows_a, 1))
    swarm_pc, drop_in_pc = SwarmProxyComputer(), slswarm.ProxyComputer()
    for i in range(0, len(objs), max(1, len(objs) // 1000)):
        v, p = swarm_pc.compute_labels(objs[i])
        assert abs(v - v_np[i]) <= 2e-15 and abs(p - p_np[i]) <= 1e-12
        v, p = drop_in_pc.compute_labels(objs[i])
        assert abs(v - v_np[i]) <= 2e-15 and abs(p - p_np[i]) <= 1e-12

    objs_a = objs[:args.rows_a]
    t_obj = interleaved({
        "a": lambda: [swarm_pc.compute_labels(o) for o in objs_a],
        "a'": lambda: [drop_in_pc.compute_labels(o) for o in objs_a],
    }, args.rounds_objects)
    out_v, out_p = np.empty(args.rows), np.empty(args.rows)
    t_col = interleaved({
        "b": lambda: numpy_score(cols),
        "c": lambda: px.score(*score_args, tool_misuse_flags=cols["tool_misuse_flags"],
                              out=(out_v, out_p)),
    }, args.rounds)
    del objs, objs_a

    xs = interactions(args.rows_metrics, seed=7)
    swarm_rep, drop_in_rep = SwarmMetricsReporter(), slswarm.MetricsReporter()
    summary_err = check_summaries(drop_in_rep.summary(xs), swarm_rep.summary(xs))
    swarm_sm, drop_in_sm = SwarmSoftMetrics(), slswarm.SoftMetrics()
    t_met = interleaved({
        "summary swarm": lambda: swarm_rep.summary(xs),
        "summary softlabel": lambda: drop_in_rep.summary(xs),
        "soft_metrics swarm": lambda: [getattr(swarm_sm, m)(xs) for m in SOFT_METRICS_CALLS],
        "soft_metrics softlabel": lambda: [getattr(drop_in_sm, m)(xs)
                                           for m in SOFT_METRICS_CALLS],
    }, args.rounds)

    per_row_a = t_obj["a"] / args.rows_a
    a_at_rows = per_row_a * args.rows
    fig = {
        "isa": sl.isa(),
        "rows": args.rows,
        "rows_a": args.rows_a,
        "rows_metrics": args.rows_metrics,
        "a_swarm_per_object_s": t_obj["a"],
        "a_drop_in_per_object_s": t_obj["a'"],
        "b_numpy_s": t_col["b"],
        "c_softlabel_s": t_col["c"],
        "c_vs_a": a_at_rows / t_col["c"],
        "c_vs_b": t_col["b"] / t_col["c"],
        "a_vs_drop_in_per_object": t_obj["a"] / t_obj["a'"],
        "d_summary_swarm_s": t_met["summary swarm"],
        "d_summary_softlabel_s": t_met["summary softlabel"],
        "d_summary_ratio": t_met["summary swarm"] / t_met["summary softlabel"],
        "d_soft_metrics_swarm_s": t_met["soft_metrics swarm"],
        "d_soft_metrics_softlabel_s": t_met["soft_metrics softlabel"],
        "d_soft_metrics_ratio": t_met["soft_metrics swarm"] / t_met["soft_metrics softlabel"],
        "d_summary_max_rel_diff": summary_err,
    }
    scaled = "" if args.rows_a == args.rows else f" (scaled from {args.rows_a} rows)"
    print(f"(a)  SWARM ProxyComputer per object: {t_obj['a']:.3f} s for {args.rows_a} rows, "
          f"{per_row_a * 1e9:.0f} ns/row")
    print(f"(a') softlabel.swarm.ProxyComputer per object: {fig['a_drop_in_per_object_s']:.3f} s "
          f"(SWARM's time / this: {fig['a_vs_drop_in_per_object']:.2f}x)")
    print(f"(b)  numpy, {args.rows} rows: {t_col['b'] * 1e3:.2f} ms")
    print(f"(c)  softlabel.Proxy.score, {args.rows} rows: {t_col['c'] * 1e3:.3f} ms")
    print(f"     (c) vs (a){scaled}: {fig['c_vs_a']:.0f}x (target >= 1000x); "
          f"(c) vs (b): {fig['c_vs_b']:.1f}x (target >= 30x)")
    print(f"(d)  MetricsReporter.summary, {args.rows_metrics} interactions: SWARM "
          f"{t_met['summary swarm'] * 1e3:.1f} ms, softlabel.swarm "
          f"{t_met['summary softlabel'] * 1e3:.2f} ms: {fig['d_summary_ratio']:.1f}x "
          f"(target >= 20x; max relative difference {summary_err:.1e})")
    print(f"     SoftMetrics, {len(SOFT_METRICS_CALLS)} methods: SWARM "
          f"{t_met['soft_metrics swarm'] * 1e3:.1f} ms, softlabel.swarm "
          f"{t_met['soft_metrics softlabel'] * 1e3:.1f} ms: {fig['d_soft_metrics_ratio']:.1f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(fig, f, indent=2)


if __name__ == "__main__":
    main()
