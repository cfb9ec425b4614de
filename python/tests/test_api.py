"""Every function and class of the package: arguments, dtypes, outputs, errors."""

import math
import pickle

import numpy as np
import pytest

import softlabel as sl

I32 = np.int32


def obs(n=5, dtype=np.float64, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1.2, 1.2, n).astype(dtype), rng.integers(0, 5, n, dtype=I32),
            rng.integers(0, 3, n, dtype=I32), rng.uniform(-1.2, 1.2, n).astype(dtype),
            rng.integers(0, 3, n, dtype=I32))


def spec_score(progress, rework, verifier, engagement, misuse, w=(0.4, 0.2, 0.2, 0.2), k=2.0,
               decays=(0.3, 0.4, 0.5)):
    """SPEC section 1 written out in Python, row by row (the reference's formulas)."""
    def signal(c, d):
        return 1.0 if c == 0 else 2 * d ** c - 1
    total = sum(w)
    w = [x / total for x in w]
    v_out, p_out = [], []
    for x, r, vr, e, m in zip(progress, rework, verifier, engagement, misuse):
        x = min(max(float(x), -1.0), 1.0)
        e = min(max(float(e), -1.0), 1.0)
        ver = (signal(int(vr), decays[1]) + signal(int(m), decays[2])) / 2
        v = w[0] * x + w[1] * signal(int(r), decays[0]) + w[2] * ver + w[3] * e
        v = min(max(v, -1.0), 1.0)
        v_out.append(v)
        p_out.append(1 / (1 + math.exp(-k * v)))
    return np.array(v_out), np.array(p_out)


# ---- paths -----------------------------------------------------------------------------------

def test_version_and_isa():
    assert sl.version() == sl.__version__
    assert sl.version().count(".") == 2
    assert sl.isa() in ("scalar", "avx2", "avx512", "neon")
    assert sl.isa_supported("scalar") is True
    assert sl.isa_supported("no-such-path") is False


def test_set_isa_forces_and_refuses():
    for name in ("scalar", "avx2", "avx512", "neon"):
        if sl.isa_supported(name):
            sl.set_isa(name)
            assert sl.isa() == name
    with pytest.raises(sl.IsaError) as e:
        sl.set_isa("sse9")
    assert e.value.status == sl.Status.ISA_UNKNOWN
    assert isinstance(e.value, RuntimeError)
    unsupported = [n for n in ("avx2", "avx512", "neon") if not sl.isa_supported(n)]
    for name in unsupported:
        with pytest.raises(sl.IsaError) as e:
            sl.set_isa(name)
        assert e.value.status in (sl.Status.ISA_UNKNOWN, sl.Status.ISA_UNSUPPORTED)
    sl.set_isa("auto")


# ---- Proxy -------------------------------------------------------------------------------------

def test_proxy_defaults_are_spec_defaults():
    px = sl.Proxy()
    assert px.params() == dict(w_progress=0.4, w_rework=0.2, w_verifier=0.2, w_engagement=0.2,
                               sigmoid_k=2.0, rework_decay=0.3, rejection_decay=0.4,
                               misuse_decay=0.5)
    assert pickle.loads(pickle.dumps(px)).params() == px.params()
    assert "sigmoid_k=2.0" in repr(px)


@pytest.mark.parametrize("name,value", [("w_progress", -0.1), ("w_rework", math.nan),
                                        ("w_verifier", math.inf), ("w_engagement", -1.0),
                                        ("sigmoid_k", 0.0), ("sigmoid_k", 101.0),
                                        ("rework_decay", 1.0), ("rejection_decay", 0.001),
                                        ("misuse_decay", math.nan)])
def test_proxy_rejects_each_parameter(name, value):
    with pytest.raises(sl.ParameterError) as e:
        sl.Proxy(**{name: value})
    assert e.value.parameter == name
    assert isinstance(e.value, ValueError) and isinstance(e.value, sl.SoftlabelError)
    assert e.value.status_text in str(e.value)
    assert e.value.status.name.startswith("PARAM_")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_score_matches_spec_formulas(dtype):
    cols = obs(300, dtype)
    v_hat, p = sl.Proxy().score(*cols)
    assert v_hat.dtype == dtype and p.dtype == dtype and v_hat.shape == (300,)
    v_ref, p_ref = spec_score(*cols)
    tol = 1e-15 if dtype == np.float64 else 1e-6
    assert np.max(np.abs(v_hat - v_ref)) <= 2 * tol
    assert np.max(np.abs(p - p_ref)) <= 2 * tol


def test_score_parameters_are_used():
    cols = obs(50)
    px = sl.Proxy(w_progress=1, w_rework=0, w_verifier=0, w_engagement=3, sigmoid_k=5.0,
                  rework_decay=0.9, rejection_decay=0.1, misuse_decay=0.2)
    v_hat, p = px.score(*cols)
    v_ref, p_ref = spec_score(*cols, w=(1, 0, 0, 3), k=5.0, decays=(0.9, 0.1, 0.2))
    assert np.allclose(v_hat, v_ref, rtol=0, atol=1e-15)
    assert np.allclose(p, p_ref, rtol=0, atol=1e-14)


def test_score_without_misuse_column_means_zero():
    progress, rework, verifier, engagement, _ = obs(40)
    zero = np.zeros(40, I32)
    a = sl.Proxy().score(progress, rework, verifier, engagement)
    b = sl.Proxy().score(progress, rework, verifier, engagement, zero)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_score_out_writes_in_place_and_returns_them():
    cols = obs(64)
    v, p = np.full(64, 7.0), np.full(64, 7.0)
    rv, rp = sl.Proxy().score(*cols, out=(v, p))
    assert rv is v and rp is p
    ref = sl.Proxy().score(*cols)
    assert np.array_equal(v, ref[0]) and np.array_equal(p, ref[1])
    p2 = np.empty(64)
    v3, p3 = sl.Proxy().score(*cols, out=(None, p2))
    assert p3 is p2 and np.array_equal(v3, ref[0])


def test_score_threads_give_same_bits():
    cols = obs(300_000)
    one = sl.Proxy().score(*cols)
    two = sl.Proxy().score(*cols, threads=2)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    with pytest.raises(sl.ParameterError) as e:
        sl.Proxy().score(*cols, threads=0)
    assert e.value.parameter == "threads"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_score_invalid_rows_raise_after_scoring_valid_rows(dtype):
    progress, rework, verifier, engagement, misuse = obs(20, dtype)
    progress[3] = np.nan
    rework[7] = -1
    v, p = np.full(20, 9, dtype), np.full(20, 9, dtype)
    with pytest.raises(sl.InvalidRowError) as e:
        sl.Proxy().score(progress, rework, verifier, engagement, misuse, out=(v, p))
    assert (e.value.row, e.value.column) == (3, "task_progress_delta")
    assert e.value.status == sl.Status.NAN_TASK_PROGRESS
    assert "row 3" in str(e.value) and isinstance(e.value, ValueError)
    assert v[3] == 9 and p[3] == 9 and v[7] == 9  # invalid rows untouched
    valid = np.ones(20, bool)
    valid[[3, 7]] = False
    ref = sl.Proxy().score(progress[valid], rework[valid], verifier[valid], engagement[valid],
                           misuse[valid])
    assert np.array_equal(v[valid], ref[0]) and np.array_equal(p[valid], ref[1])


@pytest.mark.parametrize("column,status", [
    (0, "NAN_TASK_PROGRESS"), (1, "NEGATIVE_REWORK_COUNT"), (2, "NEGATIVE_VERIFIER_REJECTIONS"),
    (3, "NAN_ENGAGEMENT"), (4, "NEGATIVE_TOOL_MISUSE")])
def test_score_each_invalid_column_is_named(column, status):
    cols = list(obs(10))
    cols[column][6] = -1 if cols[column].dtype == I32 else np.nan
    with pytest.raises(sl.InvalidRowError) as e:
        sl.Proxy().score(*cols)
    names = ("task_progress_delta", "rework_count", "verifier_rejections",
             "counterparty_engagement_delta", "tool_misuse_flags")
    assert e.value.row == 6 and e.value.status == sl.Status[status]
    assert e.value.column == names[column] and names[column] in str(e.value)


def test_score_errors_mask_gives_nan_for_every_invalid_row():
    progress, rework, verifier, engagement, misuse = obs(1000)
    bad = [0, 1, 500, 999]
    progress[bad[:2]] = np.nan
    verifier[500] = -3
    engagement[999] = np.nan
    v, p = sl.Proxy().score(progress, rework, verifier, engagement, misuse, errors="mask")
    assert np.isnan(v[bad]).all() and np.isnan(p[bad]).all()
    good = np.setdiff1d(np.arange(1000), bad)
    assert not np.isnan(p[good]).any()
    ref = sl.Proxy().score(progress[good], rework[good], verifier[good], engagement[good],
                           misuse[good])
    assert np.array_equal(p[good], ref[1])
    with pytest.raises(ValueError):
        sl.Proxy().score(progress, rework, verifier, engagement, errors="ignore")


def test_strict_arrays_are_type_errors():
    progress, rework, verifier, engagement, misuse = obs(8)
    px = sl.Proxy()
    with pytest.raises(TypeError, match="rework_count.*int32.*int64"):
        px.score(progress, rework.astype(np.int64), verifier, engagement)
    with pytest.raises(TypeError, match="strided"):
        px.score(np.repeat(progress, 2)[::2], rework, verifier, engagement)
    with pytest.raises(TypeError, match="list"):
        px.score(list(progress), rework, verifier, engagement)
    with pytest.raises(TypeError, match="float64"):  # mixed precision
        px.score(progress, rework, verifier, engagement.astype(np.float32))
    with pytest.raises(TypeError, match="dimensions"):
        px.score(progress.reshape(2, 4), rework, verifier, engagement)
    readonly = np.empty(8)
    readonly.flags.writeable = False
    with pytest.raises(TypeError, match="read-only"):
        px.score(progress, rework, verifier, engagement, out=(readonly, None))
    with pytest.raises(TypeError, match="float32"):  # outputs are never converted
        px.score(progress, rework, verifier, engagement, out=(None, np.empty(8, np.float32)))
    with pytest.raises(ValueError, match="length"):
        px.score(progress, rework[:7], verifier, engagement)


def test_cast_converts_and_checks():
    progress, rework, verifier, engagement, misuse = obs(8)
    px = sl.Proxy()
    ref = px.score(progress, rework, verifier, engagement)
    got = px.score(list(progress), rework.astype(np.int64), verifier.astype(np.uint8),
                   engagement, cast=True)
    assert np.array_equal(got[1], ref[1])
    wrap = rework.astype(np.int64)
    wrap[5] = 2**32 + 1  # would silently become 1 as int32
    with pytest.raises(ValueError, match=r"rework_count\[5\] = 4294967297"):
        px.score(progress, wrap, verifier, engagement, cast=True)
    with pytest.raises(ValueError, match="verifier_rejections"):
        px.score(progress, rework, verifier + 0.5, engagement, cast=True)
    huge = engagement.copy()
    huge[2] = 1e300  # finite, but inf as float32 (the precision progress asks for)
    with pytest.raises(ValueError, match=r"counterparty_engagement_delta\[2\] = 1e\+300"):
        px.score(progress.astype(np.float32), rework, verifier, huge, cast=True)
    f32 = px.score(progress.astype(np.float32), rework, verifier, engagement, cast=True)
    assert f32[1].dtype == np.float32


# ---- sigmoid ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_arrays(dtype):
    x = np.linspace(-3, 3, 101).astype(dtype)
    p = sl.sigmoid(x, 1.5)
    assert p.dtype == dtype
    ref = 1 / (1 + np.exp(-1.5 * x.astype(np.float64)))
    assert np.max(np.abs(p - ref)) <= (4e-16 if dtype == np.float64 else 2e-7)
    y = x.copy()
    assert sl.sigmoid(y, 1.5, out=y) is y  # in place
    assert np.array_equal(y, p)


def test_sigmoid_scalar_and_errors():
    assert sl.sigmoid(0.0) == 0.5
    assert sl.sigmoid(1, 2.0) == 1 / (1 + math.exp(-2.0))
    assert math.isnan(sl.sigmoid(math.nan, errors="mask"))
    with pytest.raises(sl.InvalidRowError) as e:
        sl.sigmoid(math.nan)
    assert e.value.status == sl.Status.NAN_INPUT and e.value.column == "x"
    x = np.array([0.0, np.nan, 1.0, np.nan])
    with pytest.raises(sl.InvalidRowError) as e:
        sl.sigmoid(x)
    assert e.value.row == 1
    masked = sl.sigmoid(x, errors="mask")
    assert np.isnan(masked[[1, 3]]).all() and masked[0] == 0.5
    with pytest.raises(sl.ParameterError) as e:
        sl.sigmoid(x, 0.0)
    assert e.value.parameter == "sigmoid_k"


def test_inverse_sigmoid():
    v = np.linspace(-1, 1, 41)
    p = sl.sigmoid(v, 3.0)
    back = sl.inverse_sigmoid(p, 3.0)
    assert np.max(np.abs(back - v)) <= 1e-14
    assert sl.inverse_sigmoid(0.5) == 0.0
    p_ref = 0.8
    assert sl.inverse_sigmoid(p_ref, 2.0) == -math.log((1 - p_ref) / p_ref) / 2.0
    for bad in (0.0, 1.0, -0.1, math.nan):
        with pytest.raises(sl.InvalidRowError) as e:
            sl.inverse_sigmoid(bad)
        assert e.value.status == sl.Status.INVERSE_SIGMOID_DOMAIN
    arr = np.array([0.5, 1.0, 0.25], np.float32)
    out = sl.inverse_sigmoid(arr, errors="mask")
    assert out.dtype == np.float32 and np.isnan(out[1]) and out[0] == 0


# ---- payoffs ---------------------------------------------------------------------------------

def test_payoff_params_defaults_and_errors():
    pp = sl.PayoffParams()
    assert pp.params() == dict(s_plus=2.0, s_minus=1.0, h=2.0, theta=0.5, rho_a=0.0, rho_b=0.0,
                               w_rep=1.0)
    assert pp.break_even_p() == 1 / 3 and pp.social_break_even_p() == 3 / 5
    assert pickle.loads(pickle.dumps(pp)).params() == pp.params()
    for name, value in (("s_plus", -1.0), ("s_minus", math.inf), ("h", -0.5), ("theta", 1.5),
                        ("rho_a", -0.1), ("rho_b", 2.0), ("w_rep", 101.0)):
        with pytest.raises(sl.ParameterError) as e:
            sl.PayoffParams(**{name: value})
        assert e.value.parameter == name
    zero = sl.PayoffParams(s_plus=0.0, s_minus=0.0, h=0.0)
    with pytest.raises(sl.SoftlabelError) as e:
        zero.break_even_p()
    assert e.value.status == sl.Status.BREAK_EVEN_UNDEFINED
    with pytest.raises(sl.SoftlabelError):
        zero.social_break_even_p()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_payoffs_formulas(dtype):
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 50).astype(dtype)
    tau, c_a, c_b, r_a, r_b = (rng.uniform(-1, 1, 50).astype(dtype) for _ in range(5))
    pp = sl.PayoffParams(s_plus=3, s_minus=1.5, h=1.0, theta=0.3, rho_a=0.2, rho_b=0.6, w_rep=2)
    r = sl.payoffs(p, tau, c_a, c_b, r_a, r_b, params=pp)
    assert isinstance(r, sl.Payoffs) and r.expected_surplus.dtype == dtype
    pd = p.astype(np.float64)
    s = pd * 3 - (1 - pd) * 1.5
    e = (1 - pd) * 1.0
    pi = 0.3 * s - tau - c_a - 0.2 * e + 2 * r_a
    pc = 0.7 * s + tau - c_b - 0.6 * e + 2 * r_b
    tol = 1e-14 if dtype == np.float64 else 1e-5
    for got, want in ((r.expected_surplus, s), (r.expected_harm, e), (r.payoff_initiator, pi),
                      (r.payoff_counterparty, pc), (r.social_surplus, s - e),
                      (r.total_welfare, pi + pc)):
        assert np.max(np.abs(got - want)) <= tol
    # default params, optional columns None = zero
    d = sl.payoffs(p)
    assert np.allclose(d.payoff_initiator, 0.5 * (pd * 2 - (1 - pd)), atol=tol)


def test_payoffs_out_and_errors():
    p = np.array([0.2, 1.5, 0.7, np.nan])
    with pytest.raises(sl.InvalidRowError) as e:
        sl.payoffs(p)
    assert (e.value.row, e.value.column, e.value.status) == (1, "p", sl.Status.INVALID_P)
    masked = sl.payoffs(p, errors="mask")
    assert np.isnan(masked.total_welfare[[1, 3]]).all()
    assert not np.isnan(masked.total_welfare[[0, 2]]).any()
    tau = np.array([0.0, 0.0, np.inf, 0.0])
    with pytest.raises(sl.InvalidRowError) as e:
        sl.payoffs(np.array([0.1, 0.2, 0.3, 0.4]), tau)
    assert (e.value.row, e.value.column) == (2, "tau")
    outs = tuple(np.empty(2) for _ in range(6))
    r = sl.payoffs(np.array([0.1, 0.9]), out=outs)
    assert all(a is b for a, b in zip(r, outs))
    with pytest.raises(TypeError):
        sl.payoffs(np.array([0.1]), np.array([0.0], np.float32))


# ---- metrics ---------------------------------------------------------------------------------

def test_metrics_update_report_and_errors():
    m = sl.Metrics(sl.PayoffParams())
    p = np.array([0.1, 0.9, 0.6, 0.4])
    m.update(p, np.array([1, 1, 0, 0], np.uint8), np.array([-1, 1, 1, 0], np.int8))
    r = m.finalize()
    assert (r.n, r.n_accepted, r.n_labelled, r.n_positive) == (4, 2, 3, 2)
    assert r.toxicity_rate == pytest.approx(0.5)
    assert r.discrimination_auc == 1.0
    d = r.to_dict()
    assert d["participation_by_quality"]["high_quality_count"] == 2
    assert len(d["quality_distribution"]) == 10
    d["toxicity_rate"] = 99  # a copy
    assert r.to_dict()["toxicity_rate"] != 99
    with pytest.raises(AttributeError):
        r.no_such_metric
    bad = np.array([0.2, np.nan, 0.3, 2.0])
    with pytest.raises(sl.InvalidRowError) as e:
        m.update(bad, np.ones(4, bool))
    assert (e.value.row, e.value.column, e.value.rows_added) == (1, "p", 2)
    assert "2" in str(e.value) and m.count == 6
    with pytest.raises(sl.InvalidRowError) as e:
        m.update(p, np.array([1, 2, 0, 1], np.uint8))
    assert e.value.column == "accepted" and e.value.rows_added == 3
    with pytest.raises(sl.InvalidRowError) as e:
        m.update(p, np.ones(4, bool), np.array([1, 5, 0, 0], np.int8))
    assert e.value.column == "ground_truth"
    with pytest.raises(TypeError, match="ground_truth"):
        m.update(p, np.ones(4, bool), np.array([1, 1, 0, 0]))
    m.update(p, np.ones(4, bool), np.array([1, 1, 0, 0]), cast=True)


def test_metrics_no_auc_and_merge_rules():
    m = sl.Metrics(auc=False)
    m.update(np.array([0.2, 0.8]), np.ones(2, bool), np.array([-1, 1], np.int8))
    assert m.finalize().discrimination_auc is None and m.auc is False
    with pytest.raises(sl.SoftlabelError) as e:
        m.merge(sl.Metrics())
    assert e.value.status == sl.Status.STATE_MISMATCH
    with pytest.raises(sl.SoftlabelError):
        m.merge(m)
    with pytest.raises(sl.SoftlabelError):
        sl.Metrics(sl.PayoffParams(h=3)).merge(sl.Metrics())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_metrics_update_observables_equals_score_then_update(dtype):
    progress, rework, verifier, engagement, misuse = obs(5000, dtype)
    rng = np.random.default_rng(9)
    accepted = rng.integers(0, 2, 5000).astype(bool)
    gt = rng.integers(-1, 2, 5000).astype(np.int8)
    px = sl.Proxy()
    fused = sl.Metrics()
    fused.update_observables(px, progress, rework, verifier, engagement, accepted, gt,
                             tool_misuse_flags=misuse)
    two = sl.Metrics()
    two.update_observables(px, progress, rework, verifier, engagement, accepted, gt,
                           tool_misuse_flags=misuse, threads=2)
    plain = sl.Metrics()
    _, p = px.score(progress, rework, verifier, engagement, misuse)
    plain.update(p, accepted, gt)
    a, b, c = fused.finalize().to_dict(), two.finalize().to_dict(), plain.finalize().to_dict()
    for key in ("toxicity_rate", "average_quality", "brier_score", "discrimination_auc"):
        assert a[key] == pytest.approx(c[key], rel=1e-12)
        assert b[key] == pytest.approx(c[key], rel=1e-12)
    progress[10] = np.nan
    with pytest.raises(sl.InvalidRowError) as e:
        fused.update_observables(px, progress, rework, verifier, engagement, accepted)
    assert (e.value.row, e.value.column, e.value.rows_added) == (10, "task_progress_delta", 4999)


def test_discrimination_auc():
    p = np.array([0.1, 0.4, 0.35, 0.8, 0.5])
    gt = np.array([-1, -1, 1, 1, 0], np.int8)
    assert sl.discrimination_auc(p, gt) == 0.75  # pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8 > both
    assert sl.discrimination_auc(p, np.ones(5, np.int8)) is None
    with pytest.raises(sl.InvalidRowError) as e:
        sl.discrimination_auc(np.array([0.1, 1.2]), np.array([1, -1], np.int8))
    assert e.value.row == 1


# ---- panels ----------------------------------------------------------------------------------

def test_panel_stats_classify_divergence_alpha():
    # label-major: row c = votes for label c; the SPEC 4 worked example is item 0
    votes = np.array([[1.0, 3.0, 1.0, 0.0],    # mild
                      [2.0, 0.0, 1.0, 0.0],    # moderate
                      [1.0, 0.0, 0.0, 0.0]])   # severe
    s = sl.panel_stats(votes)
    assert isinstance(s, sl.PanelStats)
    assert s.distribution[:, 0].tolist() == [0.25, 0.5, 0.25]
    assert s.entropy_bits[0] == 1.5 and s.total.tolist() == [4, 3, 2, 0]
    assert s.top_label.tolist()[:3] == [1, 0, 0] and s.top_ties.tolist() == [1, 1, 2, 3]
    classes = sl.classify(s.total.astype(np.int32), s.top_share, s.top_ties)
    assert [sl.DISAGREEMENT_CLASSES[c] for c in classes] == ["major", "agreement", "unresolved",
                                                             "unresolved"]
    assert sl.classify(np.array([4], I32), np.array([0.75]), np.array([1], I32))[0] == 1
    with pytest.raises(sl.ParameterError) as e:
        sl.classify(np.array([4], I32), np.array([0.75]), np.array([1], I32), min_reviewers=0)
    assert e.value.parameter == "min_reviewers"
    bad = votes.copy()
    bad[1, 2] = -1
    with pytest.raises(sl.InvalidRowError) as e:
        sl.panel_stats(bad)
    assert (e.value.row, e.value.column) == (2, "votes")

    human = s.distribution[:, :3].copy()
    model = np.array([[0.25, 1.0, 0.5], [0.5, 0.0, 0.5], [0.25, 0.0, 0.0]])
    d = sl.divergence(human, model)
    assert isinstance(d, sl.Divergence)
    assert d.kl_bits[0] == 0 and d.js_bits[0] == 0 and d.total_variation[0] == 0
    assert d.top_label_agreement.tolist() == [1.0, 1.0, 1.0]
    assert d.brier[2] == pytest.approx(0.0)
    model_bad = model.copy()
    model_bad[:, 1] = [0.5, 0.2, 0.2]
    with pytest.raises(sl.InvalidRowError) as e:
        sl.divergence(human, model_bad)
    assert e.value.row == 1 and e.value.status == sl.Status.DIST_SUM
    assert np.isnan(sl.divergence(human, model_bad, errors="mask").kl_bits[1])
    with pytest.raises(ValueError, match="shape"):
        sl.divergence(human, model[:, :2].copy())

    a = sl.AlphaNominal()
    a.add(np.array([[2.0, 0.0], [0.0, 2.0]]))  # two units, each in full agreement
    assert a.value() == 1.0
    b = sl.AlphaNominal()
    b.add(np.array([[1.0, 1.0], [1.0, 1.0]]), total=np.array([2.0, 2.0]))
    a.merge(b)
    assert a.pairable == 8 and a.value() < 1.0


def test_status_enum_and_error_classes():
    assert sl.Status.OK == 0 and sl.Status.NAN_TASK_PROGRESS == 30
    assert issubclass(sl.ParameterError, ValueError)
    assert issubclass(sl.InvalidRowError, ValueError)
    assert issubclass(sl.IsaError, RuntimeError)
    for cls in (sl.ParameterError, sl.InvalidRowError, sl.IsaError):
        assert issubclass(cls, sl.SoftlabelError)


def test_docstrings():
    for name in sl.__all__:
        obj = getattr(sl, name)
        if callable(obj) and name != "Status":
            assert obj.__doc__ and len(obj.__doc__) > 20, name
    assert "errors=" in sl.Proxy.score.__doc__ and "GIL" in sl.Proxy.score.__doc__


def test_status_enum_covers_every_library_status():
    """sl.Status has every status the header declares (so no exception meets an unknown code)."""
    import pathlib
    import re

    header = (pathlib.Path(__file__).resolve().parents[2] / "include" / "softlabel.h").read_text()
    enum_body = header[header.index("typedef enum sl_status"):header.index("} sl_status;")]
    declared = {name: int(value) for name, value in
                re.findall(r"SL_(?:ERR_)?([A-Z0-9_]+) = (\d+)", enum_body)}
    assert len(declared) > 40
    assert {s.name: int(s) for s in sl.Status} == declared


def test_one_row_as_python_numbers():
    """Scalars give floats, the same values as the one-row arrays (double precision)."""
    px = sl.Proxy(sigmoid_k=3.0)
    v, p = px.score(0.9, 0, 2, 0.8, 1)
    va, pa_ = px.score(np.array([0.9]), np.array([0], I32), np.array([2], I32), np.array([0.8]),
                       np.array([1], I32))
    assert (v, p) == (va[0], pa_[0]) and isinstance(p, float)
    assert px.score(0.9, 0, 2, 0.8) == px.score(0.9, 0, 2, 0.8, 0)
    with pytest.raises(sl.InvalidRowError) as e:
        px.score(0.1, -1, 0, 0.0)
    assert (e.value.row, e.value.column) == (0, "rework_count")
    assert all(math.isnan(x) for x in px.score(math.nan, 0, 0, 0.0, errors="mask"))
    with pytest.raises(ValueError, match="int32"):
        px.score(0.1, 2**32 + 1, 0, 0.0)
    with pytest.raises(TypeError, match="rework_count"):
        px.score(0.1, 1.0, 0, 0.0)
    pp = sl.PayoffParams(theta=0.3, rho_a=0.5)
    r = sl.payoffs(0.7, 0.1, 0.2, 0.0, 0.5, -0.5, params=pp)
    ra = sl.payoffs(*(np.array([x]) for x in (0.7, 0.1, 0.2, 0.0, 0.5, -0.5)), params=pp)
    assert isinstance(r, sl.Payoffs) and r == tuple(col[0] for col in ra)
    assert sl.payoffs(0.7) == tuple(col[0] for col in sl.payoffs(np.array([0.7])))
    with pytest.raises(sl.InvalidRowError):
        sl.payoffs(1.5)
    assert all(math.isnan(x) for x in sl.payoffs(1.5, errors="mask"))


def test_type_stub_is_installed_and_complete():
    """softlabel/_core.pyi (nanobind's stubgen at build time) parses and declares every public
    name of the extension; the package is marked typed."""
    import ast
    import pathlib

    pkg = pathlib.Path(sl.__file__).parent
    assert (pkg / "py.typed").exists()
    tree = ast.parse((pkg / "_core.pyi").read_text())
    declared = {node.name for node in tree.body
                if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    public = {name for name in dir(sl._core) if not name.startswith("_")}
    assert public <= declared, public - declared


def test_readme_example_runs(capsys):
    """The README's Python example, as written there."""
    import pathlib

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Python"):]
    start = section.index("```python\n") + len("```python\n")
    code = section[start:section.index("```", start)]
    exec(compile(code, "README.md", "exec"), {})
    isa, toxicity = capsys.readouterr().out.split()
    assert isa == sl.isa() and 0.0 <= float(toxicity) <= 1.0


def test_bad_isa_environment_fails_loudly():
    """SOFTLABEL_ISA naming no path: every computing call raises IsaError until set_isa."""
    import subprocess
    import sys

    code = ("import numpy as np, softlabel as sl\n"
            "assert sl.isa() == 'none', sl.isa()\n"
            "try:\n"
            "    sl.sigmoid(np.zeros(3))\n"
            "except sl.IsaError as e:\n"
            "    print(e.status.name)\n"
            "sl.set_isa('auto')\n"
            "print(sl.sigmoid(0.0))\n")
    env = dict(__import__("os").environ, SOFTLABEL_ISA="sse9")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["ISA_UNKNOWN", "0.5"]


def test_metrics_options():
    """SWARM's bins=, quality threshold, uncertainty band and log-loss epsilon."""
    p = np.array([0.05, 0.25, 0.45, 0.55, 0.65, 0.95, 1.0])
    accepted = np.array([1, 0, 1, 1, 0, 1, 1], bool)
    gt = np.array([-1, -1, 1, 1, -1, 1, 1], np.int8)
    m = sl.Metrics(bins=5, quality_threshold=0.6, uncertainty_band=0.1, log_loss_eps=1e-3)
    assert (m.bins, m.quality_threshold, m.uncertainty_band, m.log_loss_eps) == (5, 0.6, 0.1, 1e-3)
    m.update(p, accepted, gt)
    r = m.finalize()
    d = r.to_dict()
    w = 1.0 / 5
    assert [b[:2] for b in d["quality_distribution"]] == [[b * w, (b + 1) * w] for b in range(5)]
    assert [b[2] for b in d["quality_distribution"]] == [1, 1, 2, 1, 2]
    assert len(d["calibration_curve"]) == 5
    pq = d["participation_by_quality"]
    assert (pq["high_quality_count"], pq["low_quality_count"]) == (3, 4)  # p >= 0.6
    assert r.high_quality_accepted == 2
    assert r.uncertain_count == 2 and d["uncertain_fraction"] == 2 / 7  # 0.4 < p < 0.6
    q = np.clip(p, 1e-3, 1 - 1e-3)
    v = (gt + 1) / 2
    assert d["log_loss"] == pytest.approx(np.mean(-(v * np.log(q) + (1 - v) * np.log(1 - q))),
                                          rel=1e-12)
    for name, value in (("bins", 0), ("bins", 100_000), ("quality_threshold", math.nan),
                        ("uncertainty_band", math.nan), ("log_loss_eps", 0.0)):
        with pytest.raises(sl.ParameterError) as e:
            sl.Metrics(**{name: value})
        assert e.value.parameter == name
    with pytest.raises(sl.SoftlabelError) as e:
        sl.Metrics(bins=5).merge(sl.Metrics())
    assert e.value.status == sl.Status.STATE_MISMATCH
    default = sl.Metrics()
    assert (default.bins, default.quality_threshold, default.uncertainty_band,
            default.log_loss_eps) == (10, 0.5, 0.2, 1e-15)


def test_metrics_bytes_and_pickle_round_trip():
    rng = np.random.default_rng(4)
    p = rng.uniform(0, 1, 3000)
    accepted = rng.integers(0, 2, 3000).astype(bool)
    gt = rng.integers(-1, 2, 3000).astype(np.int8)
    pp = sl.PayoffParams(s_plus=3.0, h=1.5)
    m = sl.Metrics(pp, bins=7, quality_threshold=0.4)
    m.update(p[:2000], accepted[:2000], gt[:2000])
    blob = m.to_bytes()
    assert isinstance(blob, bytes) and len(blob) > 512
    back = sl.Metrics.from_bytes(blob)
    assert back.params.params() == pp.params() and back.bins == 7
    assert back.quality_threshold == 0.4 and back.auc and back.count == 2000
    assert back.finalize().to_dict() == m.finalize().to_dict()
    assert sl.Metrics.from_bytes(bytearray(blob)).count == 2000
    assert sl.Metrics.from_bytes(memoryview(blob)).count == 2000
    clone = pickle.loads(pickle.dumps(m))
    assert clone.finalize().to_dict() == m.finalize().to_dict()
    # a restored state keeps accumulating and merges like the original
    rest = sl.Metrics(pp, bins=7, quality_threshold=0.4)
    rest.update(p[2000:], accepted[2000:], gt[2000:])
    back.merge(rest)
    whole = sl.Metrics(pp, bins=7, quality_threshold=0.4)
    whole.update(p, accepted, gt)
    a, b = back.finalize().to_dict(), whole.finalize().to_dict()
    assert a["quality_distribution"] == b["quality_distribution"]
    assert a["discrimination_auc"] == b["discrimination_auc"]
    assert a["brier_score"] == pytest.approx(b["brier_score"], rel=1e-12)
    damaged = bytearray(blob)
    damaged[600] ^= 1
    with pytest.raises(sl.SoftlabelError) as e:
        sl.Metrics.from_bytes(bytes(damaged))
    assert e.value.status == sl.Status.BLOB_CHECKSUM
    with pytest.raises(sl.SoftlabelError) as e:
        sl.Metrics.from_bytes(blob[:100])
    assert e.value.status in (sl.Status.BLOB_TRUNCATED, sl.Status.BLOB_CORRUPT)
    with pytest.raises(sl.SoftlabelError) as e:
        sl.Metrics.from_bytes(b"x" * 600)
    assert e.value.status == sl.Status.BLOB_MAGIC


def test_metrics_auc_sketch():
    rng = np.random.default_rng(12)
    n = 20000
    p = rng.uniform(0, 1, n)
    accepted = rng.integers(0, 2, n).astype(bool)
    gt = np.where(rng.uniform(0, 1, n) < p, 1, -1).astype(np.int8)
    exact = sl.Metrics()
    exact.update(p, accepted, gt)
    exact_report = exact.finalize()
    assert exact.auc_sketch_bins == 0 and exact_report.discrimination_auc_error_bound == 0.0
    for bins in (16, 1024, 2 ** 20):
        sketch = sl.Metrics(auc_sketch_bins=bins)
        sketch.update(p[:7000], accepted[:7000], gt[:7000])
        rest = sl.Metrics(auc_sketch_bins=bins)
        rest.update(p[7000:], accepted[7000:], gt[7000:])
        sketch.merge(rest)
        r = sketch.finalize()
        assert sketch.auc_sketch_bins == bins
        bound = r.discrimination_auc_error_bound
        assert 0.0 < bound <= 0.5
        assert abs(r.discrimination_auc - exact_report.discrimination_auc) <= bound
        # the bound is an attribute, not a key: to_dict keeps the reference's keys
        assert set(r.to_dict()) == set(exact_report.to_dict())
        assert "discrimination_auc_error_bound" not in r.to_dict()
        # fixed size: 16 bytes per sketch bin, whatever the rows (the exact state grows)
        blob = sketch.to_bytes()
        empty = sl.Metrics(auc_sketch_bins=bins).to_bytes()
        assert len(blob) == len(empty)
        assert len(sl.Metrics(auc=True).to_bytes()) + 16 * bins == len(empty)
        back = sl.Metrics.from_bytes(blob)
        assert back.auc_sketch_bins == bins
        assert back.finalize().to_dict() == r.to_dict()
        with pytest.raises(sl.SoftlabelError) as e:
            back.merge(exact)
        assert e.value.status == sl.Status.STATE_MISMATCH
    assert len(exact.to_bytes()) == len(sl.Metrics().to_bytes()) + 8 * n
    assert sl.Metrics(auc_sketch_bins=64).finalize().discrimination_auc_error_bound is None
    for bad in (8, 100, 2 ** 21, -1, 2 ** 40):
        with pytest.raises(sl.ParameterError) as e:
            sl.Metrics(auc_sketch_bins=bad)
        assert e.value.parameter == "auc_sketch_bins"
