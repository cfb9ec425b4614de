"""pytest plugin: run SWARM 1.9.0's own tests (or any SWARM code) on softlabel.

Enable it explicitly (it has no auto-loading entry point):

    python -m pytest -p softlabel.swarm.pytest_plugin tests/

At configure time it
- swaps softlabel.swarm's replacements into every loaded swarm.* module, in place of SWARM's
  computing classes and functions (so `from swarm.core.proxy import ProxyComputer` in a test module
  gets softlabel's);
- replaces SWARM's original computing functions and methods with guards that raise RuntimeError,
  so a silent fallback to SWARM's Python fails loudly: each replaced class must override every
  public method (and __init__) it does not explicitly leave to SWARM
  (softlabel.swarm.KEPT_SWARM_METHODS); SWARM's private helpers (ProxyComputer._compute_*_signal,
  ...) are guarded too, so nothing can reach them;
- marks the known differences below as strict xfails;
and its terminal summary prints the library's active ISA and the number of C calls made.
"""

import inspect
import sys
from importlib.metadata import version

import pytest

import softlabel.swarm as backend

#: SWARM 1.9.0 tests whose expectations contradict the library's contract: strict xfails (they
#: must fail; an unexpected pass fails the run). Keys are node-id suffixes.
KNOWN_DIFFERENCES = {
    "tests/test_proxy.py::TestClampingWarnings::test_compute_v_hat_warns_on_out_of_range": (
        "assigns unnormalized weights (2, 2, 0, 0) to a ProxyComputer after construction and "
        "expects v_hat to overflow [-1, 1] with a clamping warning; the library normalizes "
        "every weight set (SPEC 1), so v_hat is 1.0 and nothing is clamped"
    ),
    "tests/test_proxy.py::TestClampingWarnings::test_compute_v_hat_clamping_preserves_sign": (
        "assigns unnormalized, then negative weights (made with model_construct) after "
        "construction; the library normalizes the first and rejects the second with a "
        "ValueError (SPEC 1: every weight >= 0)"
    ),
}

_state = {"swapped": 0, "modules": 0, "guarded": 0}


def _guard(qualname: str):
    """A function that raises instead of running SWARM's own `qualname` (no closure, so its code
    can also replace a plain function's __code__)."""
    message = (
        f"softlabel.swarm guard: SWARM's own {qualname} was called; with "
        "-p softlabel.swarm.pytest_plugin every SWARM computation must go through softlabel"
    )
    namespace = {}
    exec(f"def guard(*args, **kwargs):\n    raise RuntimeError({message!r})", namespace)
    return namespace["guard"]


def _swap_into_swarm_modules() -> None:
    # By identity: the originals are alive (held by REPLACEMENTS), so their ids are theirs alone.
    replacements = {id(original): new for original, new in backend.REPLACEMENTS.items()}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "swarm" or name.startswith("swarm.")):
            continue
        swapped_here = 0
        for attr, value in list(vars(module).items()):
            new = replacements.get(id(value))
            if new is not None:
                setattr(module, attr, new)
                swapped_here += 1
        _state["swapped"] += swapped_here
        _state["modules"] += bool(swapped_here)


def _guard_originals() -> None:
    for original, new in backend.REPLACEMENTS.items():
        qualname = f"{original.__module__}.{original.__qualname__}"
        if inspect.isfunction(original):
            original.__code__ = _guard(qualname).__code__
            _state["guarded"] += 1
            continue
        kept = backend.KEPT_SWARM_METHODS.get(original, ())
        for attr, value in list(vars(original).items()):
            if not inspect.isfunction(value) or attr in kept:
                continue
            private_helper = attr.startswith("_") and not attr.startswith("__")
            if attr not in vars(new) and not private_helper:
                raise pytest.UsageError(
                    f"softlabel.swarm.{new.__name__} does not replace {qualname}.{attr}: "
                    "calling it would run SWARM's Python"
                )
            setattr(original, attr, _guard(f"{qualname}.{attr}"))
            _state["guarded"] += 1


def pytest_configure(config):
    # SWARM's own markers (declared in SWARM's pytest configuration, not in its test files).
    config.addinivalue_line("markers", "slow: SWARM's slow tests (property-based)")
    config.addinivalue_line("markers", "perf: SWARM's wall-clock budget tests")
    _swap_into_swarm_modules()
    _guard_originals()


def pytest_collection_modifyitems(config, items):
    for item in items:
        for suffix, reason in KNOWN_DIFFERENCES.items():
            if item.nodeid.endswith(suffix):
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def pytest_terminal_summary(terminalreporter):
    terminalreporter.section("softlabel.swarm")
    terminalreporter.write_line(
        f"SWARM (swarm-safety {version('swarm-safety')}) computed by softlabel "
        f"{backend.version()}: ISA {backend.isa()}, {backend.c_calls()} C library calls"
    )
    terminalreporter.write_line(
        f"{_state['swapped']} SWARM bindings swapped in {_state['modules']} swarm modules; "
        f"{_state['guarded']} SWARM functions and methods guarded (they raise if called); "
        f"{len(KNOWN_DIFFERENCES)} known differences as strict xfails"
    )
