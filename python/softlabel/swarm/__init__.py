"""softlabel as the backend of SWARM 1.9.0 (the Python package swarm-safety).

Drop-in replacements, with SWARM's names and signatures, of the SWARM classes and functions that
compute, each computing through the softlabel C library:

    from softlabel.swarm import ProxyComputer, SoftPayoffEngine, SoftMetrics, MetricsReporter
    from softlabel.swarm import calibrated_sigmoid, inverse_sigmoid   # and SWARM's other helpers

SWARM's data models (ProxyWeights, ProxyObservables, PayoffConfig, SoftInteraction,
PayoffBreakdown, MetricsSummary) are SWARM's own, imported from swarm. The classes subclass
SWARM's, so isinstance checks and SWARM's non-computing methods (MetricsReporter.format_report,
to_markdown, ...) keep working. To run SWARM's own code, tests included, on softlabel:

    python -m pytest -p softlabel.swarm.pytest_plugin ...

Where SWARM's conventions differ from the library's defaults they are applied in this package
(each module's docstring lists them, with the differences that remain).
"""

import swarm.core.payoff
import swarm.core.proxy
import swarm.core.sigmoid
import swarm.metrics.reporters
import swarm.metrics.soft_metrics

import softlabel
from softlabel import _core
from softlabel.swarm.metrics import MetricsReporter, SoftMetrics
from softlabel.swarm.payoff import SoftPayoffEngine
from softlabel.swarm.proxy import ProxyComputer
from softlabel.swarm.sigmoid import (
    _sigmoid_fast,
    calibrated_sigmoid,
    effective_uncertainty_band,
    inverse_sigmoid,
    sigmoid_bounds,
    sigmoid_derivative,
)

__all__ = [
    "ProxyComputer",
    "SoftPayoffEngine",
    "SoftMetrics",
    "MetricsReporter",
    "calibrated_sigmoid",
    "inverse_sigmoid",
    "sigmoid_derivative",
    "sigmoid_bounds",
    "effective_uncertainty_band",
    "c_calls",
    "version",
    "isa",
    "REPLACEMENTS",
    "KEPT_SWARM_METHODS",
]


def c_calls() -> int:
    """How many calls into the C library softlabel.swarm's per-object entry points
    (softlabel._core._swarm) have made in this process (a ProxyComputer's softlabel.Proxy,
    built once per parameter set, is not counted)."""
    return _core._swarm.c_calls()


def version() -> str:
    """The C library's version."""
    return softlabel.version()


def isa() -> str:
    """The library's active instruction-set path ("avx512", "avx2", "neon", "scalar")."""
    return softlabel.isa()


_sig = swarm.core.sigmoid

#: SWARM 1.9.0's computing classes and functions -> their softlabel replacements.
REPLACEMENTS = {
    _sig._sigmoid_fast: _sigmoid_fast,
    _sig.calibrated_sigmoid: calibrated_sigmoid,
    _sig.inverse_sigmoid: inverse_sigmoid,
    _sig.sigmoid_derivative: sigmoid_derivative,
    _sig.sigmoid_bounds: sigmoid_bounds,
    _sig.effective_uncertainty_band: effective_uncertainty_band,
    swarm.core.proxy.ProxyComputer: ProxyComputer,
    swarm.core.payoff.SoftPayoffEngine: SoftPayoffEngine,
    swarm.metrics.soft_metrics.SoftMetrics: SoftMetrics,
    swarm.metrics.reporters.MetricsReporter: MetricsReporter,
}

#: Methods of the replaced SWARM classes that stay SWARM's: presentation over summary(), and
#: the graph metrics of causal parents (no soft-label arithmetic). Every other method of those
#: classes is replaced.
KEPT_SWARM_METHODS = {
    swarm.metrics.soft_metrics.SoftMetrics: ("synthesis_fraction", "synthesis_depth"),
    swarm.metrics.reporters.MetricsReporter: (
        "compare_soft_hard",
        "summary_with_incoherence",
        "summary_with_obfuscation",
        "format_report",
        "to_markdown",
    ),
}

del _sig
