"""Per-call overhead of the binding (timeit), beside plain-Python and numpy references measured
in the same run, interleaved: each round times every statement once (the best of `number`
calls per round), and the table shows the median over rounds. Run in the package's venv:

    build-python/venv/bin/python python/bench/overhead.py [--rounds 7]
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--number", type=int, default=20000)
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


if __name__ == "__main__":
    main()
