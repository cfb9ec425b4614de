#!/usr/bin/env python3
"""Dawid-Skene: sl_dawid_skene (1 and 2 threads, through ctypes on the shared library) against
crowd-kit 1.4.2's DawidSkene() on the same annotations, interleaved rounds, medians.

    bench/ds_vs_crowdkit.sh [--annotations 1000000] [--rounds 3]

Data: a task of the sample panel (examples/panel, 299 annotations) and a synthetic set of N
annotations (N/6 items x 6 of 60 reviewers, 4 labels, reviewer accuracies 0.35 to 0.8), with the
defaults (stop at an ELBO gain below 1e-5), then the synthetic set again with every one of the 100
iterations forced (a tolerance no gain falls below: the worst case of the iteration cap; crowd-kit
in one round only there, it takes minutes).
Times: wall and CPU seconds of the fit alone (crowd-kit: fit_predict_proba on a ready DataFrame;
ours: the call on ready uint32 arrays; CPU: the process's, all threads). The posteriors of both
are compared on every data set.
"""
import argparse
import csv
import ctypes
import os
import pathlib
import statistics
import sys
import time

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "qa"))
from dawid_skene_ctypes import Options, Out  # noqa: E402 (the structs, shared with the QA test)


def synthetic(n, seed=7):
    rng = np.random.default_rng(seed)
    per_item, reviewers, k = 6, 60, 4
    items = n // per_item
    skill = rng.uniform(0.35, 0.8, reviewers)
    truth = rng.integers(0, k, items)
    item = np.repeat(np.arange(items, dtype=np.uint32), per_item)
    rev = np.empty(items * per_item, dtype=np.uint32)
    for j in range(per_item):  # reviewers j, j + 10, ... offset per item: distinct per item
        rev[j::per_item] = (rng.integers(0, reviewers // per_item, items) * per_item + j)
    right = rng.random(items * per_item) < skill[rev]
    label = np.where(right, truth[item], rng.integers(0, k, items * per_item)).astype(np.uint32)
    return item, rev, label, items, reviewers, k


def sample_task(path):
    rows = [r for r in csv.DictReader(open(path)) if r["error"] != "1" and r["task"] == "task_success"]
    index = lambda key: {v: i for i, v in enumerate(dict.fromkeys(r[key] for r in rows))}
    ii, ri, li = index("item_id"), index("reviewer"), {l: i for i, l in enumerate(sorted({r["label"] for r in rows}))}
    arr = lambda key, m: np.array([m[r[key]] for r in rows], dtype=np.uint32)
    return arr("item_id", ii), arr("reviewer", ri), arr("label", li), len(ii), len(ri), len(li)


FORCED = -1e300  # a tolerance no ELBO gain falls below: all iterations run


def ours(lib, data, threads, tolerance=1e-5):
    item, rev, label, n_items, n_rev, k = data
    post = np.empty(k * n_items)
    acc = np.empty(n_rev)
    dp = ctypes.POINTER(ctypes.c_double)
    out = Out(post.ctypes.data_as(dp), n_items, None, None, acc.ctypes.data_as(dp), 0, 0, 0.0)
    opt = Options()
    lib.sl_dawid_skene_options_default(ctypes.byref(opt))
    opt.n_threads = threads
    opt.tolerance = tolerance
    u32 = ctypes.POINTER(ctypes.c_uint32)
    cpu = time.process_time()
    start = time.perf_counter()
    st = lib.sl_dawid_skene(ctypes.byref(opt), ctypes.c_size_t(len(item)), item.ctypes.data_as(u32),
                            rev.ctypes.data_as(u32), label.ctypes.data_as(u32), ctypes.c_size_t(n_items),
                            ctypes.c_size_t(n_rev), ctypes.c_size_t(k), ctypes.byref(out), None)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    assert st == 0, st
    return seconds, cpu, post.reshape(k, n_items), out.iterations


def theirs(data, tolerance=1e-5):
    item, rev, label, n_items, n_rev, k = data
    df = pd.DataFrame({"task": item, "worker": rev, "label": label})
    cpu = time.process_time()
    start = time.perf_counter()
    ds = DawidSkene(tol=tolerance)
    probas = ds.fit_predict_proba(df)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    post = np.zeros((k, n_items))
    for label_value in probas.columns:
        post[int(label_value), probas.index.to_numpy()] = probas[label_value].to_numpy()
    return seconds, cpu, post, len(ds.loss_history_)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--annotations", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    lib = ctypes.CDLL(a.lib)
    synth = synthetic(a.annotations)
    sets = [("sample task_success (299 annotations)", sample_task(a.sample), 1e-5, a.rounds),
            (f"synthetic, {a.annotations} annotations", synth, 1e-5, a.rounds),
            (f"synthetic, {a.annotations} annotations, all 100 iterations", synth, FORCED, 1)]
    print(f"load average before: {os.getloadavg()[0]:.2f}; interleaved rounds, medians")
    for name, data, tolerance, ck_rounds in sets:
        names = ("softlabel 1 thread", "softlabel 2 threads", "crowd-kit 1.4.2")
        wall = {w: [] for w in names}
        cpu = {w: [] for w in names}
        for r in range(a.rounds):
            runs = [ours(lib, data, 1, tolerance), ours(lib, data, 2, tolerance)]
            if r < ck_rounds:
                runs.append(theirs(data, tolerance))
                crowdkit = runs[2]
            for who, run in zip(names, runs):
                wall[who].append(run[0])
                cpu[who].append(run[1])
        (_, _, p1, it1), (_, _, p2, it2), (_, _, pc, itc) = runs[0], runs[1], crowdkit
        assert np.array_equal(p1, p2) and it1 == it2
        diff = float(np.max(np.abs(p1 - pc)))
        ck = statistics.median(wall["crowd-kit 1.4.2"])
        print(f"\n{name}: {it1} iterations (crowd-kit {itc}); max |posterior difference| {diff:.3g}")
        for who in names:
            m = statistics.median(wall[who])
            print(f"  {who:20s} wall median {m * 1e3:10.2f} ms (min {min(wall[who]) * 1e3:.2f}, "
                  f"max {max(wall[who]) * 1e3:.2f}), CPU {statistics.median(cpu[who]) * 1e3:10.2f} ms,"
                  f" crowd-kit / this (wall) {ck / m:7.1f}x, {len(wall[who])} runs")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
