"""SWARM 1.9.0's SoftPayoffEngine (swarm.core.payoff), computed by the softlabel C library.

Each method is one sl_payoff_f64 call on the interaction's p, tau, c_a, c_b, r_a, r_b, with the
engine's PayoffConfig read at call time (so a changed config counts, as in SWARM). SWARM's
conventions kept here, in Python: break_even_p and social_break_even_p return 0.5 where the
library reports them undefined (a zero denominator); a PayoffBreakdown's parts are the library's
expected surplus and harm times the config's theta / rho / w_rep (the library computes totals,
not the parts), and its total is the library's payoff.

Differences (SPEC 2): p outside [0, 1] or NaN, non-finite payoff columns and payoffs that overflow
are errors (SWARM computes whatever the arithmetic gives).
"""

from typing import Optional

from swarm.core import payoff as _swarm_payoff
from swarm.core.payoff import PayoffBreakdown, PayoffConfig
from swarm.models.interaction import SoftInteraction

from softlabel import _core

_swarm = _core._swarm

# Positions in the tuple _swarm.payoff returns.
_SURPLUS, _HARM, _INITIATOR, _COUNTERPARTY, _SOCIAL, _WELFARE = range(6)


class SoftPayoffEngine(_swarm_payoff.SoftPayoffEngine):
    """SWARM's SoftPayoffEngine: soft payoffs computed by the C library."""

    def __init__(self, config: Optional[PayoffConfig] = None):
        self.config = PayoffConfig() if config is None else config

    def expected_surplus(self, p: float) -> float:
        """p * s_plus - (1 - p) * s_minus."""
        return _swarm.surplus_harm(self.config, p)[_SURPLUS]

    def expected_harm(self, p: float) -> float:
        """(1 - p) * h."""
        return _swarm.surplus_harm(self.config, p)[_HARM]

    def payoff_initiator(self, interaction: SoftInteraction) -> float:
        """theta * S - tau - c_a - rho_a * E + w_rep * r_a."""
        return _swarm.payoff(self.config, interaction)[_INITIATOR]

    def payoff_counterparty(self, interaction: SoftInteraction) -> float:
        """(1 - theta) * S + tau - c_b - rho_b * E + w_rep * r_b."""
        return _swarm.payoff(self.config, interaction)[_COUNTERPARTY]

    def payoffs_both(self, interaction: SoftInteraction) -> tuple[float, float]:
        """(payoff_initiator, payoff_counterparty) in one library call."""
        r = _swarm.payoff(self.config, interaction)
        return r[_INITIATOR], r[_COUNTERPARTY]

    def total_welfare(self, interaction: SoftInteraction) -> float:
        """payoff_initiator + payoff_counterparty."""
        return _swarm.payoff(self.config, interaction)[_WELFARE]

    def social_surplus(self, interaction: SoftInteraction) -> float:
        """S - E."""
        return _swarm.payoff(self.config, interaction)[_SOCIAL]

    def _breakdown(self, interaction: SoftInteraction, share: float, transfer: float,
                   governance_cost: float, rho: float, reputation: float,
                   total: int) -> PayoffBreakdown:
        """One party's PayoffBreakdown: the library's expected surplus and harm times that
        party's factors, its payoff as the library computed it (r[total])."""
        r = _swarm.payoff(self.config, interaction)
        return PayoffBreakdown(
            expected_surplus=r[_SURPLUS],
            expected_harm=r[_HARM],
            surplus_share=share * r[_SURPLUS],
            transfer=transfer,
            governance_cost=governance_cost,
            externality_cost=rho * r[_HARM],
            reputation_bonus=self.config.w_rep * reputation,
            total=r[total],
        )

    def payoff_breakdown_initiator(self, interaction: SoftInteraction) -> PayoffBreakdown:
        cfg, i = self.config, interaction
        # the initiator pays tau
        return self._breakdown(i, cfg.theta, -i.tau, i.c_a, cfg.rho_a, i.r_a, _INITIATOR)

    def payoff_breakdown_counterparty(self, interaction: SoftInteraction) -> PayoffBreakdown:
        cfg, i = self.config, interaction
        # the counterparty receives tau
        return self._breakdown(i, 1 - cfg.theta, i.tau, i.c_b, cfg.rho_b, i.r_b, _COUNTERPARTY)

    def break_even_p(self) -> float:
        """s_minus / (s_plus + s_minus); 0.5 when undefined (SWARM's convention)."""
        p = _swarm.break_even(self.config, social=False)
        return 0.5 if p is None else p

    def social_break_even_p(self) -> float:
        """(s_minus + h) / (s_plus + s_minus + h); 0.5 when undefined (SWARM's convention)."""
        p = _swarm.break_even(self.config, social=True)
        return 0.5 if p is None else p
