"""softlabel: calibrated soft labels for AI-agent interactions, in bulk.

The Python face of the softlabel C library (SIMD kernels chosen at run time). Arrays go in and
out without copies: every array argument must be a C-contiguous CPU array of the exact dtype
(a mismatch is a TypeError; ``cast=True`` converts, checking that no value changes), outputs can
be passed with ``out=``, and the GIL is released while the library computes.

    >>> import numpy as np, softlabel as sl
    >>> px = sl.Proxy()                                  # SPEC defaults
    >>> v_hat, p = px.score(np.array([0.9]), np.array([0], np.int32),
    ...                     np.array([0], np.int32), np.array([0.8]))
"""

from __future__ import annotations

import enum

from . import _core
from ._core import (
    AlphaNominal,
    Metrics,
    PayoffParams,
    Proxy,
    classify,
    discrimination_auc,
    divergence,
    inverse_sigmoid,
    isa,
    isa_supported,
    panel_stats,
    payoffs,
    set_isa,
    sigmoid,
    version,
)
from .frame import score_frame
from .errors import InvalidRowError, IsaError, ParameterError, SoftlabelError
from .results import Divergence, MetricsReport, PanelStats, Payoffs

Status = enum.IntEnum("Status", _core._status_codes())
Status.__doc__ = "The C library's status codes (sl_status), by name without the SL_ERR_ prefix."
Status.__module__ = __name__

#: The disagreement classes of classify(), by their int32 value.
DISAGREEMENT_CLASSES = ("agreement", "minor", "major", "unresolved")

_core._register({
    "SoftlabelError": SoftlabelError,
    "ParameterError": ParameterError,
    "InvalidRowError": InvalidRowError,
    "IsaError": IsaError,
    "Payoffs": Payoffs,
    "PanelStats": PanelStats,
    "Divergence": Divergence,
    "MetricsReport": MetricsReport,
})

__version__ = version()

__all__ = [
    "AlphaNominal", "DISAGREEMENT_CLASSES", "Divergence", "InvalidRowError", "IsaError",
    "Metrics", "MetricsReport", "PanelStats", "ParameterError", "PayoffParams", "Payoffs",
    "Proxy", "SoftlabelError", "Status", "classify", "discrimination_auc", "divergence",
    "inverse_sigmoid", "isa", "isa_supported", "panel_stats", "payoffs", "score_frame",
    "set_isa", "sigmoid", "version",
]
