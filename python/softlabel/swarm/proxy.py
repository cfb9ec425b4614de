"""SWARM 1.9.0's ProxyComputer (swarm.core.proxy), scoring through the softlabel C library.

The parameters are validated and the weights normalized by sl_proxy_init (SWARM's messages are
kept for the parameters SWARM rejects too); every v_hat and p comes from sl_score_f64 /
sl_sigmoid_ex_f64, one C call per observables object. The weights, sigmoid_k and decays are
attributes as in SWARM; assigning one re-initializes the library's proxy, so the new value is
validated and the weights normalized again.

Differences (the library's contract, SPEC 1): weights assigned after construction are normalized
and checked like weights given to the constructor (SWARM uses them as given, so unnormalized or
negative weights can push its v_hat out of [-1, 1] and it logs a clamping warning; here a negative
weight is a ValueError and v_hat never needs clamping); NaN parameters, NaN observables, negative
counts and counts beyond 2^31 - 1 are errors.
"""

from typing import Optional

from swarm.core import proxy as _swarm_proxy
from swarm.core.proxy import ProxyObservables, ProxyWeights

from softlabel import Proxy, _core
from softlabel.errors import ParameterError
from softlabel.swarm.sigmoid import k_error

_swarm = _core._swarm

# softlabel.Proxy's weight parameters -> SWARM's ProxyWeights fields
_WEIGHT_FIELDS = {
    "w_progress": "task_progress",
    "w_rework": "rework_penalty",
    "w_verifier": "verifier_penalty",
    "w_engagement": "engagement_signal",
}


def _decay_error(name: str, value: float, error: ParameterError) -> ValueError:
    if value <= 0:
        return ValueError(
            f"{name} must be positive, got {value}. "
            "Decay values <= 0 would cause incorrect signal computation."
        )
    if value >= 1:
        return ValueError(
            f"{name} must be less than 1, got {value}. "
            "Decay values >= 1 would cause signals to increase with penalties."
        )
    if value < 0.01:
        return ValueError(
            f"{name} is extremely small ({value}), which may indicate a bug. "
            "Values below 0.01 cause signals to decay too rapidly."
        )
    return error


class ProxyComputer(_swarm_proxy.ProxyComputer):
    """SWARM's ProxyComputer: v_hat and p of ProxyObservables, computed by the C library."""

    def __init__(
        self,
        weights: Optional[ProxyWeights] = None,
        sigmoid_k: float = 2.0,
        rework_decay: float = 0.3,
        rejection_decay: float = 0.4,
        misuse_decay: float = 0.5,
    ):
        self._configure(
            weights or ProxyWeights(), sigmoid_k, rework_decay, rejection_decay, misuse_decay
        )

    def _configure(self, weights, sigmoid_k, rework_decay, rejection_decay, misuse_decay):
        decays = {
            "rework_decay": rework_decay,
            "rejection_decay": rejection_decay,
            "misuse_decay": misuse_decay,
        }
        try:
            proxy = Proxy(
                w_progress=weights.task_progress,
                w_rework=weights.rework_penalty,
                w_verifier=weights.verifier_penalty,
                w_engagement=weights.engagement_signal,
                sigmoid_k=sigmoid_k,
                **decays,
            )
        except ParameterError as e:
            if e.parameter == "sigmoid_k":
                raise k_error(sigmoid_k, e) from None
            if e.parameter in decays:
                raise _decay_error(e.parameter, decays[e.parameter], e) from None
            if e.parameter in _WEIGHT_FIELDS:
                name = _WEIGHT_FIELDS[e.parameter]
                raise ValueError(
                    f"{name} must be non-negative, got {getattr(weights, name)}. "
                    "Negative weights can lead to unintended behavior in proxy computation."
                ) from None
            raise
        self._proxy = proxy
        self._weights = weights.normalize()
        self._sigmoid_k = sigmoid_k
        self._rework_decay = rework_decay
        self._rejection_decay = rejection_decay
        self._misuse_decay = misuse_decay

    def _replace(self, **changed):
        settings = {
            "weights": self._weights,
            "sigmoid_k": self._sigmoid_k,
            "rework_decay": self._rework_decay,
            "rejection_decay": self._rejection_decay,
            "misuse_decay": self._misuse_decay,
        }
        settings.update(changed)
        self._configure(**settings)

    @property
    def weights(self) -> ProxyWeights:
        """The normalized weights (assigning weights normalizes and validates them)."""
        return self._weights

    @weights.setter
    def weights(self, value: ProxyWeights) -> None:
        self._replace(weights=value)

    @property
    def sigmoid_k(self) -> float:
        return self._sigmoid_k

    @sigmoid_k.setter
    def sigmoid_k(self, value: float) -> None:
        self._replace(sigmoid_k=value)

    @property
    def rework_decay(self) -> float:
        return self._rework_decay

    @rework_decay.setter
    def rework_decay(self, value: float) -> None:
        self._replace(rework_decay=value)

    @property
    def rejection_decay(self) -> float:
        return self._rejection_decay

    @rejection_decay.setter
    def rejection_decay(self, value: float) -> None:
        self._replace(rejection_decay=value)

    @property
    def misuse_decay(self) -> float:
        return self._misuse_decay

    @misuse_decay.setter
    def misuse_decay(self, value: float) -> None:
        self._replace(misuse_decay=value)

    def compute_v_hat(self, observables: ProxyObservables) -> float:
        """v_hat in [-1, +1] of the observables (sl_score_f64)."""
        return _swarm.v_hat(self._proxy, observables)

    def compute_p(self, v_hat: float) -> float:
        """p = 1 / (1 + exp(-sigmoid_k * v_hat)) (sl_sigmoid_ex_f64)."""
        return _swarm.sigmoid(v_hat, self._sigmoid_k)

    def compute_labels(self, observables: ProxyObservables) -> tuple[float, float]:
        """(v_hat, p) of the observables in one library call (sl_score_f64)."""
        return _swarm.labels(self._proxy, observables)
