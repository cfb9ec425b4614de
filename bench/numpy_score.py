#!/usr/bin/env python3
"""The same scoring as sl_score_f32 / sl_score_f64 (SPEC section 1), written the way a numpy user
would: whole-array operations, np.power for the count signals, np.exp for the sigmoid, and the
same input validation the library does (NaN in a real field, negative counts). Timed on the sizes
given; prints (and with --json writes) the median items per second of each precision and size.

Before timing, the f64 implementation is checked against a plain per-row evaluation of the SPEC
formulas (math.pow, math.exp) on the first rows, so the figure is for a correct implementation.

Usage: numpy_score.py [--sizes 16384,1048576] [--repetitions 5] [--min-time 0.2] [--json FILE]
Run by bench/report inside its virtual environment (numpy from PyPI).
"""
import argparse
import json
import math
import statistics
import sys
import time

import numpy as np

DEFAULTS = dict(w_progress=0.4, w_rework=0.2, w_verifier=0.2, w_engagement=0.2, sigmoid_k=2.0,
                rework_decay=0.3, rejection_decay=0.4, misuse_decay=0.5)


def make_rows(n, seed=7):
    """Synthetic rows like bench_kernels': reals uniform in [-1.25, 1.25), geometric counts."""
    rng = np.random.default_rng(seed)
    progress = rng.uniform(-1.25, 1.25, n)
    engagement = rng.uniform(-1.25, 1.25, n)
    rework = rng.geometric(0.5, n).astype(np.int32) - 1
    rejections = rng.geometric(0.5, n).astype(np.int32) - 1
    misuse = np.where(rng.random(n) < 15 / 16, 0, rng.geometric(0.5, n)).astype(np.int32)
    return progress, rework, rejections, misuse, engagement


def score(progress, rework, rejections, misuse, engagement, dtype, params=DEFAULTS):
    """v_hat and p for every row, in the given float dtype; raises ValueError on invalid rows."""
    if np.isnan(progress).any() or np.isnan(engagement).any():
        raise ValueError("NaN in a real field")
    if (rework < 0).any() or (rejections < 0).any() or (misuse < 0).any():
        raise ValueError("negative count")
    weights = np.array([params["w_progress"], params["w_rework"], params["w_verifier"],
                        params["w_engagement"]])
    w = (weights / weights.sum()).astype(dtype)
    one, two = dtype(1), dtype(2)

    def signal(counts, decay):
        return np.where(counts == 0, one, two * np.power(dtype(decay), counts.astype(dtype)) - one)

    rework_signal = signal(rework, params["rework_decay"])
    verifier = (signal(rejections, params["rejection_decay"]) +
                signal(misuse, params["misuse_decay"])) / two
    v_hat = (w[0] * np.clip(progress, -one, one) + w[1] * rework_signal + w[2] * verifier +
             w[3] * np.clip(engagement, -one, one))
    v_hat = np.clip(v_hat, -one, one)
    p = one / (one + np.exp(-dtype(params["sigmoid_k"]) * v_hat))
    return v_hat, p


def reference_row(progress, rework, rejections, misuse, engagement, params=DEFAULTS):
    """SPEC section 1 for one row, in plain Python floats."""
    total = (params["w_progress"] + params["w_rework"] + params["w_verifier"] +
             params["w_engagement"])

    def signal(c, d):
        return 1.0 if c == 0 else 2.0 * math.pow(d, c) - 1.0

    clamp = lambda x: min(max(x, -1.0), 1.0)
    v = (params["w_progress"] / total * clamp(progress) +
         params["w_rework"] / total * signal(rework, params["rework_decay"]) +
         params["w_verifier"] / total * (signal(rejections, params["rejection_decay"]) +
                                         signal(misuse, params["misuse_decay"])) / 2.0 +
         params["w_engagement"] / total * clamp(engagement))
    v = clamp(v)
    return v, 1.0 / (1.0 + math.exp(-params["sigmoid_k"] * v))


def check_against_reference(rows=5000):
    cols = make_rows(rows, seed=3)
    v_hat, p = score(*cols, dtype=np.float64)
    for i in range(rows):
        rv, rp = reference_row(*(float(c[i]) if c.dtype.kind == "f" else int(c[i]) for c in cols))
        if abs(rv - v_hat[i]) > 1e-12 or abs(rp - p[i]) > 1e-12:
            sys.exit(f"numpy_score: row {i} differs from the per-row reference: "
                     f"v_hat {v_hat[i]} vs {rv}, p {p[i]} vs {rp}")


def time_score(n, dtype, repetitions, min_time):
    """Median items/s over `repetitions` timings, each of enough calls to last min_time."""
    progress, rework, rejections, misuse, engagement = make_rows(n)
    progress, engagement = progress.astype(dtype), engagement.astype(dtype)
    args = (progress, rework, rejections, misuse, engagement, dtype)
    score(*args)  # warm up (page faults of the temporaries)
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            score(*args)
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or calls >= 1 << 20:
            break
        calls *= 2
    rates = []
    for _ in range(repetitions):
        start = time.process_time()
        for _ in range(calls):
            score(*args)
        rates.append(n * calls / (time.process_time() - start))
    return statistics.median(rates)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1024,16384,262144,1048576,4194304")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--json")
    args = parser.parse_args()
    check_against_reference()
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        for name, dtype in (("f32", np.float32), ("f64", np.float64)):
            rate = time_score(n, dtype, args.repetitions, args.min_time)
            results.append({"dtype": name, "n": n, "items_per_second": rate})
            print(f"numpy score_{name} n={n}: {rate / 1e6:.2f} M items/s", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"numpy_version": np.__version__, "timer": "process_time",
                       "repetitions": args.repetitions, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
