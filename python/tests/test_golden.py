"""The golden vectors (tests/data/golden, from the reference SWARM) through the Python API, on
every instruction-set path this CPU runs, f64 and f32, within the SPEC bounds."""

import math

import numpy as np
import pytest

import softlabel as sl
from conftest import read_csv, read_jsonl

PROXY_PARAMS = ("w_progress", "w_rework", "w_verifier", "w_engagement", "sigmoid_k",
                "rework_decay", "rejection_decay", "misuse_decay")
PAYOFF_PARAMS = ("s_plus", "s_minus", "h", "theta", "rho_a", "rho_b", "w_rep")
PAYOFF_FIELDS = sl.Payoffs._fields


def proxy_cases():
    configs = {c["config_id"]: c for c in read_csv("proxy_configs.csv")}
    by_config = {}
    for row in read_csv("proxy_cases.csv"):
        by_config.setdefault(row["config_id"], []).append(row)
    for cid, rows in by_config.items():
        px = sl.Proxy(**{k: float(configs[cid][k]) for k in PROXY_PARAMS})
        cols = {k: np.array([float(r[k]) for r in rows]) for k in
                ("task_progress_delta", "counterparty_engagement_delta", "v_hat", "p")}
        for k in ("rework_count", "verifier_rejections", "tool_misuse_flags"):
            cols[k] = np.array([int(r[k]) for r in rows], dtype=np.int32)
        yield cid, px, cols


def test_proxy_golden_f64(each_isa):
    n_rows = 0
    for cid, px, c in proxy_cases():
        v_hat, p = px.score(c["task_progress_delta"], c["rework_count"], c["verifier_rejections"],
                            c["counterparty_engagement_delta"], c["tool_misuse_flags"])
        n_rows += len(p)
        if each_isa == "scalar":  # the scalar path reproduces the reference bit for bit
            assert np.array_equal(v_hat, c["v_hat"]), cid
            assert np.array_equal(p, c["p"]), cid
        k = px.sigmoid_k
        assert np.max(np.abs(v_hat - c["v_hat"])) <= 2e-15, cid
        assert np.max(np.abs(p - c["p"])) <= 2e-15 * max(1.0, k), cid
    assert n_rows == 4455


def test_proxy_golden_f32(each_isa):
    for cid, px, c in proxy_cases():
        with np.errstate(over="ignore"):  # 1e300 rounds to float inf, which clamps as 1e300 does
            progress = c["task_progress_delta"].astype(np.float32)
            engagement = c["counterparty_engagement_delta"].astype(np.float32)
        v_hat, p = px.score(progress, c["rework_count"], c["verifier_rejections"], engagement,
                            c["tool_misuse_flags"])
        assert v_hat.dtype == np.float32 and p.dtype == np.float32
        k = px.sigmoid_k
        assert np.max(np.abs(v_hat.astype(np.float64) - c["v_hat"])) <= 1e-6, cid
        assert np.max(np.abs(p.astype(np.float64) - c["p"])) <= 1e-6 * max(1.0, k / 2), cid


def test_sigmoid_golden(each_isa):
    """sl.sigmoid of the reference's v_hat gives its p (same bounds as scoring)."""
    for cid, px, c in proxy_cases():
        p = sl.sigmoid(c["v_hat"], px.sigmoid_k)
        assert np.max(np.abs(p - c["p"])) <= 2e-15 * max(1.0, px.sigmoid_k), cid


def payoff_configs():
    return {c["config_id"]: c for c in read_csv("payoff_configs.csv")}


def test_payoff_golden(each_isa):
    configs = payoff_configs()
    rows = read_csv("payoff_cases.csv")
    for cid, cfg in configs.items():
        pp = sl.PayoffParams(**{k: float(cfg[k]) for k in PAYOFF_PARAMS})
        assert pp.break_even_p() == float(cfg["break_even_p"])
        assert pp.social_break_even_p() == float(cfg["social_break_even_p"])
        mine = [r for r in rows if r["config_id"] == cid]
        cols = {k: np.array([float(r[k]) for r in mine]) for k in mine[0] if k != "config_id"}
        result = sl.payoffs(cols["p"], cols["tau"], cols["c_a"], cols["c_b"], cols["r_a"],
                            cols["r_b"], params=pp)
        for field in PAYOFF_FIELDS:  # the reference's operations in its order: exact
            assert np.array_equal(getattr(result, field), cols[field]), (cid, field)


def assert_same_report(got, want, where):
    """Same keys, nesting and types; floats within SPEC 3's 1e-12 (1 + |v|), counts exact."""
    assert type(got) is type(want), (where, got, want)
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for k in want:
            assert_same_report(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same_report(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert abs(got - want) <= 1e-12 * (1 + abs(want)), (where, got, want)
    else:
        assert got == want, (where, got, want)


def metrics_batches():
    items = read_csv("metrics_items.csv")
    configs = payoff_configs()
    for case in read_jsonl("metrics_expected.jsonl"):
        rows = [r for r in items if int(r["batch_id"]) == case["batch_id"]]
        assert len(rows) == case["n"]
        cfg = configs[case["payoff_config_id"]]
        pp = sl.PayoffParams(**{k: float(cfg[k]) for k in PAYOFF_PARAMS})
        cols = {k: np.array([float(r[k]) for r in rows]) for k in
                ("p", "tau", "c_a", "c_b", "r_a", "r_b")}
        accepted = np.array([r["accepted"] == "1" for r in rows], dtype=bool)
        gt = np.array([int(r["ground_truth"] or 0) for r in rows], dtype=np.int8)
        yield case, pp, cols, accepted, gt


def test_metrics_golden(each_isa):
    batches = 0
    for case, pp, c, accepted, gt in metrics_batches():
        m = sl.Metrics(pp)
        m.update(c["p"], accepted, gt, c["tau"], c["c_a"], c["c_b"], c["r_a"], c["r_b"])
        assert_same_report(m.finalize().to_dict(), case["expected"], f"batch {case['batch_id']}")
        batches += 1
    assert batches > 0


def test_metrics_golden_chunked_and_merged(each_isa):
    """Chunked updates and merged states give the one-pass report (SPEC 3: mergeable)."""
    for case, pp, c, accepted, gt in metrics_batches():
        n = len(accepted)
        half = n // 2
        a, b = sl.Metrics(pp), sl.Metrics(pp)
        for m, sl_ in ((a, slice(0, half)), (b, slice(half, n))):
            m.update(c["p"][sl_], accepted[sl_], gt[sl_], c["tau"][sl_], c["c_a"][sl_],
                     c["c_b"][sl_], c["r_a"][sl_], c["r_b"][sl_])
        a.merge(b)
        assert a.count == n
        assert_same_report(a.finalize().to_dict(), case["expected"], f"batch {case['batch_id']}")


def test_discrimination_auc_golden():
    for case, pp, c, accepted, gt in metrics_batches():
        want = case["expected"]["discrimination_auc"]
        got = sl.discrimination_auc(c["p"], gt)
        if want is None:
            assert got is None
        else:
            assert math.isclose(got, want, rel_tol=0, abs_tol=1e-12 * (1 + abs(want)))
