"""SWARM 1.9.0's SoftMetrics and MetricsReporter.summary (swarm.metrics), computed by the softlabel
C library.

Every metric is read from one report of the library's metrics state (sl_metrics_init_ex,
sl_metrics_update_f64, sl_metrics_finalize; a softlabel.MetricsReport, whose dict-valued metrics
have SWARM's keys) over the interactions' p, accepted, ground_truth and payoff columns, with
SWARM's parameters (bins, threshold, band, eps) as the state's options. Bins come back as SWARM's
tuples. SWARM's
conventions kept here, in Python: quality_std is the square root of the library's variance;
MetricsSummary's acceptance_rate and toxicity_hard are ratios of the library's counts (0.0 for an
empty batch or no accepted row); flag_uncertain selects the interactions with SWARM's own data-model
predicate SoftInteraction.is_uncertain (a selection of objects, which the library, working on
columns, does not return). The graph metrics synthesis_fraction and synthesis_depth (causal
parents of interactions, not soft-label arithmetic) remain SWARM's.

Differences (SPEC 3): a ground_truth other than +1, -1 or None, a p outside [0, 1] and non-finite
payoff columns are errors naming the row (SWARM computes with them); log_loss's eps must be in
(0, 1) with 1 - eps < 1, bins in 1 .. 1024.
"""

import math
from typing import List, Optional, Tuple

from swarm.metrics import reporters as _swarm_reporters
from swarm.metrics import soft_metrics as _swarm_soft_metrics
from swarm.metrics.reporters import MetricsSummary
from swarm.models.interaction import SoftInteraction

from softlabel import _core
from softlabel.swarm.payoff import SoftPayoffEngine

_swarm = _core._swarm
_BINS, _THRESHOLD, _BAND, _EPS = 10, 0.5, 0.2, 1e-15  # SWARM's defaults


class SoftMetrics(_swarm_soft_metrics.SoftMetrics):
    """SWARM's SoftMetrics: every metric from the C library's metrics report."""

    def __init__(self, payoff_engine: Optional[SoftPayoffEngine] = None):
        self.payoff_engine = payoff_engine or SoftPayoffEngine()

    def _report(self, interactions, *, bins=_BINS, threshold=_THRESHOLD, band=_BAND, eps=_EPS,
                payoffs=False, auc=False):
        """The library's report; payoffs=False skips reading the payoff columns (metrics of p)."""
        return _swarm.metrics(self.payoff_engine.config, interactions, bins, threshold, band, eps,
                              payoffs, auc)

    def toxicity_rate(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions).toxicity_rate

    def toxicity_rate_all(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions).toxicity_rate_all

    def conditional_loss_initiator(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions, payoffs=True).conditional_loss_initiator

    def conditional_loss_counterparty(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions, payoffs=True).conditional_loss_counterparty

    def spread(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions).spread

    def quality_gap(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions).quality_gap

    def participation_by_quality(self, interactions: List[SoftInteraction],
                                 threshold: float = _THRESHOLD) -> dict:
        return self._report(interactions, threshold=threshold).participation_by_quality

    def flag_uncertain(self, interactions: List[SoftInteraction],
                       band: float = _BAND) -> List[SoftInteraction]:
        return [i for i in interactions if i.is_uncertain(band)]

    def uncertain_fraction(self, interactions: List[SoftInteraction],
                           band: float = _BAND) -> float:
        return self._report(interactions, band=band).uncertain_fraction

    def average_quality(self, interactions: List[SoftInteraction],
                        accepted_only: bool = False) -> float:
        r = self._report(interactions)
        return r.average_quality_accepted if accepted_only else r.average_quality

    def quality_distribution(self, interactions: List[SoftInteraction],
                             bins: int = _BINS) -> List[Tuple[float, float, int]]:
        return [tuple(b) for b in self._report(interactions, bins=bins).quality_distribution]

    def welfare_metrics(self, interactions: List[SoftInteraction]) -> dict:
        return self._report(interactions, payoffs=True).welfare_metrics

    def calibration_error(self, interactions: List[SoftInteraction]) -> Optional[float]:
        return self._report(interactions).calibration_error

    def brier_score(self, interactions: List[SoftInteraction]) -> Optional[float]:
        return self._report(interactions).brier_score

    def expected_calibration_error(self, interactions: List[SoftInteraction],
                                   bins: int = _BINS) -> Optional[float]:
        return self._report(interactions, bins=bins).expected_calibration_error

    def calibration_curve(self, interactions: List[SoftInteraction],
                          bins: int = _BINS) -> List[Tuple[float, float, int]]:
        return [tuple(b) for b in self._report(interactions, bins=bins).calibration_curve]

    def log_loss(self, interactions: List[SoftInteraction],
                 eps: float = _EPS) -> Optional[float]:
        return self._report(interactions, eps=eps).log_loss

    def discrimination_auc(self, interactions: List[SoftInteraction]) -> Optional[float]:
        return self._report(interactions, auc=True).discrimination_auc

    def quality_variance(self, interactions: List[SoftInteraction],
                         accepted_only: bool = False) -> float:
        r = self._report(interactions)
        return r.quality_variance_accepted if accepted_only else r.quality_variance

    def quality_std(self, interactions: List[SoftInteraction],
                    accepted_only: bool = False) -> float:
        return math.sqrt(self.quality_variance(interactions, accepted_only))

    def payoff_variance_initiator(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions, payoffs=True).payoff_variance_initiator

    def payoff_variance_counterparty(self, interactions: List[SoftInteraction]) -> float:
        return self._report(interactions, payoffs=True).payoff_variance_counterparty

    def coefficient_of_variation(self, interactions: List[SoftInteraction]) -> dict:
        return self._report(interactions, payoffs=True).coefficient_of_variation


class MetricsReporter(_swarm_reporters.MetricsReporter):
    """SWARM's MetricsReporter with summary() from one C library report; its formatting methods
    (format_report, to_markdown, compare_soft_hard, summary_with_*) are SWARM's, over this summary."""

    def __init__(self, payoff_config=None, quality_threshold: float = _THRESHOLD,
                 uncertainty_band: float = _BAND):
        self.payoff_engine = SoftPayoffEngine(payoff_config)
        self.soft_metrics = SoftMetrics(self.payoff_engine)
        self.quality_threshold = quality_threshold
        self.uncertainty_band = uncertainty_band

    def _full_report(self, interactions: List[SoftInteraction]):
        return self.soft_metrics._report(interactions, threshold=self.quality_threshold,
                                         band=self.uncertainty_band, payoffs=True)

    @staticmethod
    def _hard_toxicity(r) -> float:
        """Share of accepted rows below the quality threshold."""
        n_acc = r.n_accepted
        return (n_acc - r.high_quality_accepted) / n_acc if n_acc else 0.0

    def _compute_hard_toxicity(self, interactions: List[SoftInteraction]) -> float:
        return self._hard_toxicity(self._full_report(interactions))

    def summary(self, interactions: List[SoftInteraction]) -> MetricsSummary:
        r = self._full_report(interactions)
        n, n_acc = r.n, r.n_accepted
        quality = r.participation_by_quality
        welfare = r.welfare_metrics
        return MetricsSummary(
            toxicity_soft=r.toxicity_rate,
            conditional_loss_initiator=r.conditional_loss_initiator,
            conditional_loss_counterparty=r.conditional_loss_counterparty,
            spread=r.spread,
            quality_gap=r.quality_gap,
            average_quality=r.average_quality,
            uncertain_fraction=r.uncertain_fraction,
            toxicity_hard=self._hard_toxicity(r),
            acceptance_rate=n_acc / n if n else 0.0,
            high_quality_acceptance=quality["high_quality_acceptance"],
            low_quality_acceptance=quality["low_quality_acceptance"],
            total_interactions=n,
            accepted_count=n_acc,
            rejected_count=r.n_rejected,
            high_quality_count=quality["high_quality_count"],
            low_quality_count=quality["low_quality_count"],
            # float: welfare_metrics' total is SWARM's int 0 when no row is accepted, summary's 0.0
            total_welfare=float(welfare["total_welfare"]),
            total_social_surplus=float(welfare["total_social_surplus"]),
            avg_initiator_payoff=welfare["avg_initiator_payoff"],
            avg_counterparty_payoff=welfare["avg_counterparty_payoff"],
            brier_score=r.brier_score,
            log_loss=r.log_loss,
            calibration_error=r.calibration_error,
            expected_calibration_error=r.expected_calibration_error,
            quality_variance=r.quality_variance,
            payoff_variance_initiator=r.payoff_variance_initiator,
            payoff_variance_counterparty=r.payoff_variance_counterparty,
        )
