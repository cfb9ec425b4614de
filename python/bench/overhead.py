"""Per-call overhead of the binding (timeit), beside plain-Python and numpy references measured
in the same run, interleaved: each round times every statement once (`number` calls per
round), and the table shows the median over rounds. Then bulk scoring of --rows rows:
Proxy.score into out= arrays against numpy evaluating SPEC 1's formulas on the same columns.
Run in the package's venv:

    build-python/venv/bin/python python/bench/overhead.py [--rounds 7] [--rows 1000000]
"""

import argparse
import math
import statistics
import timeit

import numpy as np

import softlabel as sl

px = sl.Proxy()
one = (np.array([0.5]), np.array([1], np.int32), np.array([0], np.int32), np.array([0.2]))
v1, p1 = np.empty(1), np.empty(1)
x1, o1 = np.array([0.3]), np.empty(1)
outs1 = tuple(np.empty(1) for _ in range(6))

STATEMENTS = [
    ("python: 1/(1+math.exp(-k*x)) (reference)", "1 / (1 + math.exp(-2.0 * 0.3))"),
    ("numpy: 1/(1+np.exp(-k*x)), 1 element (reference)", "1 / (1 + np.exp(-2.0 * x1))"),
    ("sl.sigmoid(float)", "sl.sigmoid(0.3, 2.0)"),
    ("sl.sigmoid(1-element array, out=)", "sl.sigmoid(x1, 2.0, out=o1)"),
    ("sl.sigmoid(1-element array)", "sl.sigmoid(x1, 2.0)"),
    ("Proxy.score(Python numbers)", "px.score(0.5, 1, 0, 0.2)"),
    ("Proxy.score(1 row, out=)", "px.score(*one, out=(v1, p1))"),
    ("Proxy.score(1 row)", "px.score(*one)"),
    ("payoffs(Python numbers)", "sl.payoffs(0.3, 0.1)"),
    ("payoffs(1 row, out=)", "sl.payoffs(x1, out=outs1)"),
    ("payoffs(1 row)", "sl.payoffs(x1)"),
]


def numpy_score(progress, rework, verifier, engagement, misuse, k=2.0):
    """SPEC section 1 with numpy (default weights and decays), as a user would write it."""
    def signal(c, d):
        return np.where(c == 0, 1.0, 2.0 * np.power(d, c) - 1.0)
    v = (0.4 * np.clip(progress, -1, 1) + 0.2 * signal(rework, 0.3)
         + 0.2 * (signal(verifier, 0.4) + signal(misuse, 0.5)) / 2
         + 0.2 * np.clip(engagement, -1, 1))
    v = np.clip(v, -1, 1)
    return v, 1 / (1 + np.exp(-k * v))


def bulk(rows, rounds):
    rng = np.random.default_rng(1)
    cols = (rng.uniform(-1, 1, rows), rng.integers(0, 5, rows, dtype=np.int32),
            rng.integers(0, 3, rows, dtype=np.int32), rng.uniform(-1, 1, rows),
            rng.integers(0, 3, rows, dtype=np.int32))
    v, p = np.empty(rows), np.empty(rows)
    ref = numpy_score(*cols)[1]
    assert np.max(np.abs(px.score(*cols, out=(v, p))[1] - ref)) < 1e-14
    times = {"Proxy.score(out=)": [], "numpy formulas": []}
    for _ in range(rounds):
        times["Proxy.score(out=)"].append(timeit.timeit(lambda: px.score(*cols, out=(v, p)),
                                                        number=1))
        times["numpy formulas"].append(timeit.timeit(lambda: numpy_score(*cols), number=1))
    sl_ms = statistics.median(times["Proxy.score(out=)"]) * 1e3
    np_ms = statistics.median(times["numpy formulas"]) * 1e3
    print(f"\n{rows} rows, float64, one thread, median of {rounds} interleaved rounds:")
    print(f"  Proxy.score(out=) {sl_ms:9.2f} ms  ({rows / sl_ms / 1e3:8.1f} M rows/s)")
    print(f"  numpy formulas    {np_ms:9.2f} ms  ({rows / np_ms / 1e3:8.1f} M rows/s)  "
          f"-> softlabel {np_ms / sl_ms:.1f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--number", type=int, default=20000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    times = {name: [] for name, _ in STATEMENTS}
    for _ in range(args.rounds):
        for name, stmt in STATEMENTS:
            t = timeit.timeit(stmt, number=args.number, globals=globals())
            times[name].append(t / args.number * 1e9)
    base = statistics.median(times[STATEMENTS[0][0]])
    print(f"softlabel {sl.version()} on {sl.isa()}; ns per call, median of {args.rounds} "
          f"interleaved rounds of {args.number} calls")
    print(f"{'call':52s} {'ns':>8s} {'x python ref':>13s}")
    for name, _ in STATEMENTS:
        med = statistics.median(times[name])
        print(f"{name:52s} {med:8.0f} {med / base:13.2f}")
    bulk(args.rows, args.rounds)


if __name__ == "__main__":
    main()
