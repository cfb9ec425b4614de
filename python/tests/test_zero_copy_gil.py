"""No hidden copies (tracemalloc sees every allocation of a call, the extension's outputs
included: they come from Python's raw allocator) and the GIL released while the library works."""

import threading
import time
import tracemalloc

import numpy as np
import pytest

import softlabel as sl

N = 10_000_000


@pytest.fixture(scope="module")
def cols():
    rng = np.random.default_rng(5)
    return (rng.uniform(-1, 1, N), rng.integers(0, 4, N, dtype=np.int32),
            rng.integers(0, 3, N, dtype=np.int32), rng.uniform(-1, 1, N),
            rng.integers(0, 2, N, dtype=np.int32))


def allocated_by(call):
    """Peak bytes traced while call() runs (beyond what was traced before)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak, result


def test_score_with_out_allocates_nothing(cols):
    px = sl.Proxy()
    v, p = np.empty(N), np.empty(N)
    px.score(*cols, out=(v, p))  # warm up (first-use path detection, caches)
    peak, _ = allocated_by(lambda: px.score(*cols, out=(v, p)))
    assert peak < 1024, peak
    peak_mt, _ = allocated_by(lambda: px.score(*cols, out=(v, p), threads=2))
    assert peak_mt < 1024, peak_mt
    # the measurement sees the extension's own outputs: without out= it allocates both arrays
    peak_new, (v2, p2) = allocated_by(lambda: px.score(*cols))
    assert peak_new >= 2 * 8 * N
    assert np.array_equal(p2, p)


def test_sigmoid_and_payoffs_with_out_allocate_nothing():
    x = np.linspace(-1, 1, 1_000_000)
    out = np.empty_like(x)
    sl.sigmoid(x, out=out)
    peak, _ = allocated_by(lambda: sl.sigmoid(x, 2.0, out=out))
    assert peak < 1024, peak
    outs = tuple(np.empty_like(x) for _ in range(6))
    p = sl.sigmoid(x)
    sl.payoffs(p, out=outs)
    peak, _ = allocated_by(lambda: sl.payoffs(p, out=outs))
    assert peak < 1024, peak


def longest_pause_during(call):
    """Runs call() while another Python thread spins; returns (call seconds, the longest time
    the spinning thread went without running during the call). With the GIL held throughout
    the call the spinner would stall for the whole call."""
    stop = threading.Event()
    gaps = {"max": 0.0, "last": None}
    inside = threading.Event()

    def spin():
        last = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            if inside.is_set():
                gaps["max"] = max(gaps["max"], now - last)
            last = now

    t = threading.Thread(target=spin)
    t.start()
    time.sleep(0.02)
    inside.set()
    start = time.perf_counter()
    call()
    elapsed = time.perf_counter() - start
    inside.clear()
    stop.set()
    t.join()
    return elapsed, gaps["max"]


GIL_ROWS = 2_000_000  # on the scalar path: a call of a few hundred milliseconds


def test_gil_released_during_scoring(cols):
    cols = [c[:GIL_ROWS] for c in cols]
    px = sl.Proxy()
    v, p = np.empty(GIL_ROWS), np.empty(GIL_ROWS)
    sl.set_isa("scalar")  # the slowest path: a long call
    try:
        elapsed, pause = longest_pause_during(lambda: px.score(*cols, out=(v, p)))
    finally:
        sl.set_isa("auto")
    print(f"scoring {elapsed:.3f} s, longest stall of the other thread {pause:.4f} s")
    assert elapsed > 0.05, elapsed
    assert pause < elapsed / 2, (pause, elapsed)


def test_gil_released_during_metrics_update(cols):
    cols = [c[:GIL_ROWS] for c in cols]
    accepted = np.ones(GIL_ROWS, bool)
    m = sl.Metrics()
    sl.set_isa("scalar")
    try:
        elapsed, pause = longest_pause_during(
            lambda: m.update_observables(sl.Proxy(), *cols[:4], accepted,
                                         tool_misuse_flags=cols[4]))
    finally:
        sl.set_isa("auto")
    assert m.count == GIL_ROWS
    assert elapsed > 0.05, elapsed
    assert pause < elapsed / 2, (pause, elapsed)
