"""Result types: named tuples of arrays, and the metrics report."""

from __future__ import annotations

import copy
from typing import Any, Dict, NamedTuple

import numpy as np


class Payoffs(NamedTuple):
    """Per-row soft payoffs (SPEC section 2), arrays of p's dtype."""

    expected_surplus: np.ndarray
    expected_harm: np.ndarray
    payoff_initiator: np.ndarray
    payoff_counterparty: np.ndarray
    social_surplus: np.ndarray
    total_welfare: np.ndarray


class PanelStats(NamedTuple):
    """Per-item panel statistics (SPEC section 4): distribution is (k, n), the rest (n,)."""

    distribution: np.ndarray
    total: np.ndarray
    entropy_bits: np.ndarray
    top_share: np.ndarray
    top_label: np.ndarray
    top_ties: np.ndarray


class Divergence(NamedTuple):
    """Per-item comparison of model and human distributions (SPEC section 4), in bits."""

    cross_entropy_bits: np.ndarray
    kl_bits: np.ndarray
    js_bits: np.ndarray
    total_variation: np.ndarray
    brier: np.ndarray
    top_label_agreement: np.ndarray


class MetricsReport:
    """Every batch metric of SPEC section 3.

    ``to_dict()`` is the reference's JSON object (the keys, nesting and types of SWARM's
    ``MetricsReporter`` output: floats, ints for counts, ``None`` for undefined metrics, bins as
    ``[start, end, count]`` lists). Top-level metrics are attributes too (``report.toxicity_rate``),
    and so are the row counts ``n``, ``n_accepted``, ``n_rejected``, ``n_labelled``,
    ``n_positive``, ``n_negative``, ``high_quality_accepted`` (accepted rows with p at or above
    the quality threshold) and ``uncertain_count`` (rows in the uncertainty band).

    ``discrimination_auc_error_bound`` (an attribute only, so ``to_dict()`` keeps the reference's
    keys): ``|discrimination_auc - exact AUC|`` is at most this; 0.0 for the exact AUC, the
    sketch's proved bound for a state made with ``Metrics(auc_sketch_bins=B)``, None when the
    AUC is None."""

    __slots__ = ("_metrics", "_counts")

    def __init__(self, metrics: Dict[str, Any], counts: Dict[str, int]) -> None:
        metrics["quality_distribution"] = [list(b) for b in metrics["quality_distribution"]]
        metrics["calibration_curve"] = [list(b) for b in metrics["calibration_curve"]]
        self._metrics = metrics
        self._counts = counts

    def to_dict(self) -> Dict[str, Any]:
        """The metrics as the reference's JSON object (a deep copy)."""
        return copy.deepcopy(self._metrics)

    def __getattr__(self, name: str) -> Any:
        for table in (self._counts, self._metrics):
            if name in table:
                return copy.deepcopy(table[name])
        raise AttributeError(f"MetricsReport has no metric {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._metrics) | set(self._counts))

    def __repr__(self) -> str:
        return f"MetricsReport(n={self._counts['n']}, {self._metrics!r})"
