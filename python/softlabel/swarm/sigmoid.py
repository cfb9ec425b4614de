"""SWARM 1.9.0's sigmoid utilities (swarm.core.sigmoid), computed by the softlabel C library.

Same names, signatures, validation messages and log warnings as SWARM; every p and v_hat comes
from sl_sigmoid_ex_f64 / sl_inverse_sigmoid_f64. SWARM's conventions kept here, in Python:
calibrated_sigmoid clamps v_hat to [-10, 10] (warning when it does, and when v_hat is outside
[-1, 1]); sigmoid_derivative is k * p * (1 - p) of the library's p.

Differences (the library's ranges, SPEC 1): k must be in (0, 100] for every function, including
_sigmoid_fast (SWARM's does not check) and inverse_sigmoid (SWARM's takes any non-zero k); a NaN
v_hat is an error in _sigmoid_fast; where -k * v_hat > 709 SWARM's math.exp raises OverflowError
and the library returns p = 0 (its correctly rounded value).
"""

import logging
from typing import Tuple

from softlabel import _core
from softlabel.errors import InvalidRowError, ParameterError

_swarm = _core._swarm
logger = logging.getLogger("swarm.core.sigmoid")

#: SWARM's fast path, straight to the library: one C call per call, no Python frame.
_sigmoid_fast = _swarm.sigmoid


def k_error(k: float, error: ParameterError) -> ValueError:
    """The ValueError SWARM raises for a sigmoid_k the library rejected (the library's own
    ParameterError where SWARM would not have rejected it, e.g. a NaN k)."""
    if k <= 0:
        return ValueError(f"sigmoid_k must be positive, got {k}")
    if k > 100:
        return ValueError(
            f"sigmoid_k is extremely large ({k}), which may indicate a bug. "
            "Values above 100 are rejected."
        )
    return error


def _sigmoid(v_hat: float, k: float) -> float:
    try:
        return _swarm.sigmoid(v_hat, k)
    except ParameterError as e:
        raise k_error(k, e) from None


def calibrated_sigmoid(v_hat: float, k: float = 2.0) -> float:
    """P(v = +1) = 1 / (1 + exp(-k * v_hat)), v_hat clamped to [-10, 10] (SWARM's guard)."""
    clamped = max(-10.0, min(10.0, v_hat))
    p = _sigmoid(clamped, k)
    if v_hat < -1.0 or v_hat > 1.0:
        logger.warning(
            "v_hat out of expected range [-1, +1]: %.4f. "
            "Value will be clamped before sigmoid computation. "
            "This may indicate upstream bugs in proxy computation.",
            v_hat,
        )
    if clamped != v_hat:
        logger.warning(
            "v_hat clamped from %.4f to %.4f in calibrated_sigmoid. "
            "This may indicate an upstream bug in proxy computation.",
            v_hat,
            clamped,
        )
    return p


def _inverse_error(p: float, k: float, e: ValueError) -> ValueError:
    """SWARM's ValueError for an inverse sigmoid the library refused (else the library's)."""
    if isinstance(e, InvalidRowError) and e.column == "p":
        return ValueError(f"p must be in (0, 1), got {p}")
    if isinstance(e, ParameterError) and k == 0:
        return ValueError("k cannot be zero for inverse sigmoid")
    return e


def inverse_sigmoid(p: float, k: float = 2.0) -> float:
    """v_hat = -ln((1 - p) / p) / k for 0 < p < 1."""
    try:
        return _swarm.inverse_sigmoid(p, k)
    except (InvalidRowError, ParameterError) as e:
        raise _inverse_error(p, k, e) from None


def sigmoid_derivative(v_hat: float, k: float = 2.0) -> float:
    """dp/dv_hat = k * p * (1 - p), p = calibrated_sigmoid(v_hat, k)."""
    p = calibrated_sigmoid(v_hat, k)
    return k * p * (1.0 - p)


def sigmoid_bounds(k: float = 2.0) -> Tuple[float, float]:
    """(p at v_hat = -1, p at v_hat = +1), in one library call."""
    try:
        return _swarm.sigmoid_bounds(k)
    except ParameterError as e:
        raise k_error(k, e) from None


def effective_uncertainty_band(k: float = 2.0, threshold: float = 0.1) -> Tuple[float, float]:
    """(v_min, v_max): the v_hat range where |p - 0.5| < threshold, in one library call."""
    try:
        return _swarm.inverse_sigmoid_band(k, threshold)
    except (InvalidRowError, ParameterError) as e:
        p = 0.5 + threshold if getattr(e, "row", 0) == 0 else 0.5 - threshold
        raise _inverse_error(p, k, e) from None
