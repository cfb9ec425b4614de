"""softlabel.swarm against stock SWARM 1.9.0, and its pytest plugin.

The differential tests run without the plugin, so SWARM's own classes are intact: the drop-ins must
give SWARM's values within the SPEC's accuracy bounds on random inputs. The plugin tests run an
inner pytest session in a subprocess with -p softlabel.swarm.pytest_plugin.
"""

import math
import random
import subprocess
import sys
import textwrap

import pytest
import swarm.core.payoff as swarm_payoff
import swarm.core.proxy as swarm_proxy
import swarm.core.sigmoid as swarm_sigmoid
import swarm.metrics.reporters as swarm_reporters
import swarm.metrics.soft_metrics as swarm_soft_metrics
from swarm.core.payoff import PayoffConfig
from swarm.core.proxy import ProxyObservables, ProxyWeights
from swarm.models.interaction import SoftInteraction

import softlabel as sl
import softlabel.swarm as slswarm


def close(a, b, tol):
    return abs(a - b) <= tol * (1.0 + abs(b))


def random_observables(rng):
    return ProxyObservables(
        task_progress_delta=rng.uniform(-1.5, 1.5),
        rework_count=rng.choice([0, 0, 1, 2, 5, 70]),
        verifier_rejections=rng.choice([0, 1, 3]),
        tool_misuse_flags=rng.choice([0, 0, 1, 2]),
        counterparty_engagement_delta=rng.uniform(-1.5, 1.5),
    )


def random_interactions(rng, n):
    return [
        SoftInteraction(
            p=rng.choice([0.0, 0.3, 0.5, 0.7, 1.0, rng.random()]),
            accepted=rng.random() < 0.6,
            ground_truth=rng.choice([None, 1, -1]),
            tau=rng.uniform(-0.2, 0.2),
            c_a=rng.uniform(0.0, 0.1),
            c_b=rng.uniform(0.0, 0.1),
            r_a=rng.uniform(-0.1, 0.1),
            r_b=rng.uniform(-0.1, 0.1),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("k", [0.5, 2.0, 7.0])
def test_proxy_computer_matches_swarm(k):
    rng = random.Random(1)
    weights = ProxyWeights(task_progress=3.0, rework_penalty=1.0, verifier_penalty=0.5,
                           engagement_signal=2.0)
    ours = slswarm.ProxyComputer(weights=weights, sigmoid_k=k, rework_decay=0.2)
    theirs = swarm_proxy.ProxyComputer(weights=weights, sigmoid_k=k, rework_decay=0.2)
    assert ours.weights == theirs.weights
    for _ in range(2000):
        obs = random_observables(rng)
        v, p = ours.compute_labels(obs)
        v_ref, p_ref = theirs.compute_labels(obs)
        assert abs(v - v_ref) <= 2e-15 and abs(p - p_ref) <= 2e-15 * max(1.0, k)
        assert ours.compute_v_hat(obs) == v
        assert abs(ours.compute_p(v_ref) - theirs.compute_p(v_ref)) <= 2e-15 * max(1.0, k)


def test_proxy_computer_errors_name_the_parameter_as_swarm_does():
    for kwargs in ({"sigmoid_k": 0.0}, {"sigmoid_k": 101.0}, {"misuse_decay": 0.005},
                   {"rejection_decay": 1.0}, {"rework_decay": -0.1}):
        with pytest.raises(ValueError) as theirs:
            swarm_proxy.ProxyComputer(**kwargs)
        with pytest.raises(ValueError) as ours:
            slswarm.ProxyComputer(**kwargs)
        assert str(ours.value) == str(theirs.value)
    # Where SWARM does not check, the library still does.
    with pytest.raises(ValueError, match="sigmoid_k"):
        slswarm.ProxyComputer(sigmoid_k=math.nan)
    with pytest.raises(ValueError, match="rework_count = 2147483648"):
        slswarm.ProxyComputer().compute_v_hat(ProxyObservables(rework_count=2**31))
    with pytest.raises(sl.InvalidRowError, match="column rework_count"):
        slswarm.ProxyComputer().compute_v_hat(ProxyObservables(rework_count=-1))


def test_assigned_weights_are_normalized_and_checked():
    pc = slswarm.ProxyComputer()
    pc.weights = ProxyWeights(task_progress=2.0, rework_penalty=2.0, verifier_penalty=0.0,
                              engagement_signal=0.0)
    assert pc.weights.task_progress == 0.5
    assert pc.compute_v_hat(ProxyObservables(task_progress_delta=1.0)) == 1.0
    with pytest.raises(ValueError, match="rework_penalty must be non-negative"):
        pc.weights = ProxyWeights.model_construct(task_progress=1.0, rework_penalty=-1.0,
                                                  verifier_penalty=0.0, engagement_signal=0.0)
    pc.sigmoid_k = 4.0
    assert pc.compute_p(0.5) == slswarm.calibrated_sigmoid(0.5, 4.0)


def test_sigmoid_helpers_match_swarm():
    rng = random.Random(2)
    for _ in range(2000):
        v, k = rng.uniform(-12.0, 12.0), rng.uniform(0.1, 100.0)
        if -k * max(-10.0, min(10.0, v)) > 709.0:
            continue  # SWARM's math.exp overflows (OverflowError); the library gives p = 0
        tol = 4e-16 * max(1.0, k)
        assert abs(slswarm.calibrated_sigmoid(v, k) - swarm_sigmoid.calibrated_sigmoid(v, k)) <= tol
        assert abs(slswarm.sigmoid_derivative(v, k)
                   - swarm_sigmoid.sigmoid_derivative(v, k)) <= 4 * tol * k
        w = max(-1.0, min(1.0, v))
        assert abs(slswarm._sigmoid_fast(w, k) - swarm_sigmoid._sigmoid_fast(w, k)) <= tol
        p = rng.uniform(1e-9, 1.0 - 1e-9)
        assert slswarm.inverse_sigmoid(p, k) == swarm_sigmoid.inverse_sigmoid(p, k)
    for k in (0.5, 2.0, 99.0):
        ours, theirs = slswarm.sigmoid_bounds(k), swarm_sigmoid.sigmoid_bounds(k)
        assert all(abs(a - b) <= 4e-16 * k for a, b in zip(ours, theirs))
        assert slswarm.effective_uncertainty_band(k, 0.3) == \
            swarm_sigmoid.effective_uncertainty_band(k, 0.3)
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"p must be in \(0, 1\)"):
            slswarm.inverse_sigmoid(bad)
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\), got 1.0"):
        slswarm.effective_uncertainty_band(2.0, 0.5)
    with pytest.raises(ValueError, match="k cannot be zero"):
        slswarm.inverse_sigmoid(0.5, 0.0)


def test_sigmoid_logs_as_swarm_does(caplog):
    with caplog.at_level("WARNING"):
        slswarm.calibrated_sigmoid(50.0, 2.0)
    assert [r.getMessage() for r in caplog.records] == [
        "v_hat out of expected range [-1, +1]: 50.0000. Value will be clamped before sigmoid "
        "computation. This may indicate upstream bugs in proxy computation.",
        "v_hat clamped from 50.0000 to 10.0000 in calibrated_sigmoid. This may indicate an "
        "upstream bug in proxy computation.",
    ]


@pytest.mark.parametrize("config", [
    PayoffConfig(),
    PayoffConfig(s_plus=3.5, s_minus=0.25, h=1.5, theta=0.3, rho_a=0.4, rho_b=1.0, w_rep=7.0),
])
def test_payoff_engine_matches_swarm(config):
    rng = random.Random(3)
    ours, theirs = slswarm.SoftPayoffEngine(config), swarm_payoff.SoftPayoffEngine(config)
    for x in random_interactions(rng, 500):
        for name in ("payoff_initiator", "payoff_counterparty", "total_welfare",
                     "social_surplus"):
            assert close(getattr(ours, name)(x), getattr(theirs, name)(x), 4e-15), name
        for a, b in zip(ours.payoffs_both(x), theirs.payoffs_both(x)):
            assert close(a, b, 4e-15)
        for side in ("initiator", "counterparty"):
            a = getattr(ours, f"payoff_breakdown_{side}")(x)
            b = getattr(theirs, f"payoff_breakdown_{side}")(x)
            for field in vars(b):
                assert close(getattr(a, field), getattr(b, field), 4e-15), (side, field)
        assert close(ours.expected_surplus(x.p), theirs.expected_surplus(x.p), 4e-15)
        assert close(ours.expected_harm(x.p), theirs.expected_harm(x.p), 4e-15)
    assert ours.break_even_p() == theirs.break_even_p()
    assert ours.social_break_even_p() == theirs.social_break_even_p()


def test_break_even_undefined_is_half_as_in_swarm():
    engine = slswarm.SoftPayoffEngine(PayoffConfig(s_plus=0.0, s_minus=0.0, h=0.0))
    assert engine.break_even_p() == 0.5 and engine.social_break_even_p() == 0.5


def test_payoff_rejects_invalid_rows():
    engine = slswarm.SoftPayoffEngine()
    with pytest.raises(sl.InvalidRowError, match="column p"):
        engine.expected_surplus(1.5)
    with pytest.raises(sl.InvalidRowError, match="column tau"):
        engine.payoff_initiator(SoftInteraction(p=0.5, tau=math.inf))


def assert_same(ours, theirs, tol=1e-12):
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for key in theirs:
            assert_same(ours[key], theirs[key], tol)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b, tol)
    elif theirs is None or isinstance(theirs, (bool, int)):
        assert ours == theirs
    else:
        assert close(ours, theirs, tol), (ours, theirs)


SOFT_METRICS = [
    ("toxicity_rate", {}), ("toxicity_rate_all", {}), ("conditional_loss_initiator", {}),
    ("conditional_loss_counterparty", {}), ("spread", {}), ("quality_gap", {}),
    ("participation_by_quality", {}), ("participation_by_quality", {"threshold": 0.7}),
    ("uncertain_fraction", {}), ("uncertain_fraction", {"band": 0.05}),
    ("average_quality", {}), ("average_quality", {"accepted_only": True}),
    ("quality_distribution", {}), ("quality_distribution", {"bins": 7}),
    ("welfare_metrics", {}), ("calibration_error", {}), ("brier_score", {}),
    ("expected_calibration_error", {}), ("expected_calibration_error", {"bins": 3}),
    ("calibration_curve", {}), ("calibration_curve", {"bins": 4}),
    ("log_loss", {}), ("log_loss", {"eps": 1e-3}), ("discrimination_auc", {}),
    ("quality_variance", {}), ("quality_variance", {"accepted_only": True}),
    ("quality_std", {}), ("payoff_variance_initiator", {}), ("payoff_variance_counterparty", {}),
    ("coefficient_of_variation", {}),
]


@pytest.mark.parametrize("n", [0, 1, 2, 17, 3000])
def test_soft_metrics_match_swarm(n):
    rng = random.Random(n)
    xs = random_interactions(rng, n)
    engine = swarm_payoff.SoftPayoffEngine(PayoffConfig(theta=0.3, rho_a=0.5, h=1.0))
    ours = slswarm.SoftMetrics(slswarm.SoftPayoffEngine(engine.config))
    theirs = swarm_soft_metrics.SoftMetrics(engine)
    for name, kwargs in SOFT_METRICS:
        assert_same(getattr(ours, name)(xs, **kwargs), getattr(theirs, name)(xs, **kwargs))
    assert ours.flag_uncertain(xs, band=0.1) == theirs.flag_uncertain(xs, band=0.1)


@pytest.mark.parametrize("n", [0, 1, 500])
def test_summary_matches_swarm(n):
    xs = random_interactions(random.Random(10 + n), n)
    for threshold, band in ((0.5, 0.2), (0.65, 0.1)):
        ours = slswarm.MetricsReporter(quality_threshold=threshold, uncertainty_band=band)
        theirs = swarm_reporters.MetricsReporter(quality_threshold=threshold,
                                                 uncertainty_band=band)
        # SWARM's summary takes variances as E[x^2] - E[x]^2, the library with compensated
        # per-span moments: they agree to rounding of that difference.
        assert_same(ours.summary(xs).to_dict(), theirs.summary(xs).to_dict(), 1e-9)
        assert ours.format_report(xs) == theirs.format_report(xs)


@pytest.mark.parametrize("label", [2, 0])  # 0: SWARM would count it as a label of 0.5
def test_metrics_reject_invalid_rows_naming_the_row(label):
    xs = [SoftInteraction(p=0.5), SoftInteraction(p=0.5, ground_truth=label)]
    with pytest.raises(sl.InvalidRowError, match="row 1, column ground_truth"):
        slswarm.SoftMetrics().brier_score(xs)


def test_c_calls_count_library_calls():
    before = slswarm.c_calls()
    slswarm._sigmoid_fast(0.1, 2.0)
    slswarm.SoftMetrics().toxicity_rate([SoftInteraction(p=0.2, accepted=True)])
    assert slswarm.c_calls() - before == 1 + 3  # a sigmoid; metrics init, update, finalize


def run_with_plugin(tmp_path, relpath, source):
    test_file = tmp_path / relpath
    test_file.parent.mkdir(parents=True, exist_ok=True)
    test_file.write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "softlabel.swarm.pytest_plugin",
         "-p", "no:cacheprovider", "-rA", relpath],
        cwd=tmp_path, capture_output=True, text=True,
    )


def test_plugin_swaps_guards_and_reports(tmp_path):
    result = run_with_plugin(tmp_path, "test_inner.py", """
        import pytest
        import swarm.core.proxy
        import swarm.metrics.reporters
        from swarm.core.sigmoid import _sigmoid_fast
        from swarm.models.interaction import SoftInteraction
        import softlabel.swarm as slswarm

        def test_swarm_names_are_softlabel():
            assert swarm.core.proxy.ProxyComputer is slswarm.ProxyComputer
            assert _sigmoid_fast is slswarm._sigmoid_fast
            reporter = swarm.metrics.reporters.MetricsReporter()
            assert type(reporter.soft_metrics) is slswarm.SoftMetrics
            assert reporter.summary([SoftInteraction(p=0.9, accepted=True)]).toxicity_soft < 0.11

        def test_originals_raise():
            originals = {o.__qualname__: o for o in slswarm.REPLACEMENTS}
            with pytest.raises(RuntimeError, match="SWARM's own swarm.core.sigmoid._sigmoid_fast"):
                originals["_sigmoid_fast"](0.0, 2.0)
            pc = slswarm.ProxyComputer()
            with pytest.raises(RuntimeError, match="ProxyComputer._compute_rework_signal"):
                pc._compute_rework_signal(1)
            with pytest.raises(RuntimeError, match="SoftMetrics.toxicity_rate"):
                originals["SoftMetrics"].toxicity_rate(slswarm.SoftMetrics(), [])
            with pytest.raises(RuntimeError, match="MetricsReporter.__init__"):
                originals["MetricsReporter"]()
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    summary = result.stdout[result.stdout.index("softlabel.swarm ="):]
    isa = slswarm.isa()
    calls = int(summary.split(f"ISA {isa}, ")[1].split(" C library calls")[0])
    assert calls == 3  # the summary's metrics init, update and finalize
    assert "SWARM functions and methods guarded" in summary


def test_plugin_known_differences_are_strict_xfails(tmp_path):
    # A test with the node id of a listed known difference that passes fails the run (strict).
    result = run_with_plugin(tmp_path, "tests/test_proxy.py", """
        class TestClampingWarnings:
            def test_compute_v_hat_warns_on_out_of_range(self):
                pass
    """)
    assert result.returncode == 1, result.stdout
    assert "XPASS(strict)" in result.stdout
