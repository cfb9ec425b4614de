#!/usr/bin/env python3
"""Dawid-Skene conformance: sl_dawid_skene (through ctypes on the built shared library) against
crowd-kit 1.4.2's DawidSkene() with its defaults, on the same annotations.

Checks, per dataset: the posteriors within 1e-6 (the issue's bound), the iteration count, the
priors, every confusion matrix, and the per-reviewer accuracy against sum_c prior_c e[c][c]
computed here from crowd-kit's own priors_ and errors_; the same bits on 1, 2 and 3 threads.
Run by ctest in the venv made by tests/qa/venv.sh:  python ds_conformance.py --lib LIB [--csv F]
"""
import argparse
import csv
import ctypes
import math
import sys

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene

from dawid_skene_ctypes import Options, Out

TOLERANCE = 1e-6


def ours(lib, items, reviewers, labels, n_items, n_reviewers, n_labels, threads):
    n = len(items)
    u32 = ctypes.c_uint32 * max(n, 1)
    post = np.full(n_labels * n_items, np.nan)
    prior = np.zeros(n_labels)
    conf = np.zeros(n_reviewers * n_labels * n_labels)
    acc = np.zeros(n_reviewers)
    dp = ctypes.POINTER(ctypes.c_double)
    out = Out(post.ctypes.data_as(dp), n_items, prior.ctypes.data_as(dp), conf.ctypes.data_as(dp),
              acc.ctypes.data_as(dp), 0, 0, 0.0)
    opt = Options()
    lib.sl_dawid_skene_options_default(ctypes.byref(opt))
    assert opt.max_iterations == 100 and opt.tolerance == 1e-5, "defaults are not crowd-kit's"
    opt.n_threads = threads
    bad = ctypes.c_size_t()
    st = lib.sl_dawid_skene(ctypes.byref(opt), ctypes.c_size_t(n), u32(*items), u32(*reviewers),
                            u32(*labels), ctypes.c_size_t(n_items), ctypes.c_size_t(n_reviewers),
                            ctypes.c_size_t(n_labels), ctypes.byref(out), ctypes.byref(bad))
    assert st == 0, f"sl_dawid_skene returned status {st}"
    return (post.reshape(n_labels, n_items), prior, conf.reshape(n_reviewers, n_labels, n_labels),
            acc, out.iterations)


def check(lib, name, rows):
    """rows: (item, reviewer, label) strings. Returns the largest posterior difference."""
    df = pd.DataFrame(rows, columns=["task", "worker", "label"])
    ds = DawidSkene()  # crowd-kit's defaults: n_iter=100, tol=1e-5
    ds.fit(df)
    item_names = list(dict.fromkeys(df.task))
    rev_names = list(dict.fromkeys(df.worker))
    label_names = sorted(set(df.label))
    ii = {v: i for i, v in enumerate(item_names)}
    ri = {v: i for i, v in enumerate(rev_names)}
    li = {v: i for i, v in enumerate(label_names)}
    args = ([ii[t] for t in df.task], [ri[w] for w in df.worker], [li[l] for l in df.label],
            len(item_names), len(rev_names), len(label_names))
    post, prior, conf, acc, iterations = ours(lib, *args, threads=1)
    for threads in (2, 3):
        other = ours(lib, *args, threads=threads)
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(other, (post, prior, conf, acc, iterations))), \
            f"{name}: {threads} threads differ from 1"
    ck = ds.probas_
    diff = 0.0
    for t in item_names:
        for l in label_names:
            theirs = float(ck.loc[t, l]) if l in ck.columns else 0.0
            diff = max(diff, abs(post[li[l], ii[t]] - theirs))
    assert diff <= TOLERANCE, f"{name}: posteriors differ by {diff:.3g} > {TOLERANCE}"
    assert iterations == len(ds.loss_history_), \
        f"{name}: {iterations} iterations, crowd-kit {len(ds.loss_history_)}"
    prior_diff = max(abs(prior[li[l]] - float(ds.priors_[l])) for l in label_names)
    assert prior_diff <= TOLERANCE, f"{name}: priors differ by {prior_diff:.3g}"
    conf_diff = 0.0
    for (w, y), row in ds.errors_.iterrows():
        for c in label_names:
            conf_diff = max(conf_diff, abs(conf[ri[w], li[y], li[c]] - float(row[c])))
    assert conf_diff <= TOLERANCE, f"{name}: confusion matrices differ by {conf_diff:.3g}"
    for w in rev_names:  # a label the reviewer never gave has no row: probability 0
        expected = sum(float(ds.priors_[c]) * (float(ds.errors_.loc[(w, c), c])
                                               if (w, c) in ds.errors_.index else 0.0)
                       for c in label_names)
        assert abs(acc[ri[w]] - expected) <= TOLERANCE, f"{name}: accuracy of {w}: {acc[ri[w]]} vs {expected}"
    print(f"{name}: {len(rows)} annotations, {len(item_names)} items, {len(rev_names)} reviewers, "
          f"{len(label_names)} labels, {iterations} iterations: max |posterior difference| = {diff:.3g}")
    return diff


def synthetic(seed, items, reviewers, k, per_item, skill_lo, skill_hi, spammer=False):
    """Reviewers with a confusion matrix each (diagonal skill in [lo, hi]); per_item of them
    annotate each item. One reviewer answers label 0 always when spammer is set."""
    rng = np.random.default_rng(seed)
    skill = rng.uniform(skill_lo, skill_hi, reviewers)
    truth = rng.choice(k, items, p=rng.dirichlet(np.ones(k) * 3))
    rows = []
    for i in range(items):
        for r in rng.choice(reviewers, per_item, replace=False):
            if spammer and r == 0:
                label = 0
            elif rng.random() < skill[r]:
                label = truth[i]
            else:
                label = rng.integers(k)
            rows.append((f"item{i}", f"rev{r}", f"L{label}"))
    rng.shuffle(rows)
    return [tuple(r) for r in rows]


def from_csv(path):
    """Annotations of a `softlabel panel` CSV, one dataset per task (error-marked rows left out,
    as the panel leaves them out of the distribution)."""
    tasks = {}
    with open(path, newline="") as f:
        for rec in csv.DictReader(f):
            if rec.get("error", "0") in ("1", "true"):
                continue
            tasks.setdefault(rec["task"], []).append((rec["item_id"], rec["reviewer"], rec["label"]))
    return tasks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--csv", action="append", default=[])
    a = ap.parse_args()
    lib = ctypes.CDLL(a.lib)
    datasets = {
        "binary, 200 items x 5 of 8 reviewers": synthetic(1, 200, 8, 2, 5, 0.55, 0.95),
        "3 labels, 130 items x 6 reviewers": synthetic(2, 130, 6, 3, 6, 0.5, 0.9),
        "5 labels, 400 items x 3 of 20, one spammer": synthetic(3, 400, 20, 5, 3, 0.4, 0.95, True),
        "4 labels, 1000 items x 4 of 12, weak reviewers": synthetic(4, 1000, 12, 4, 4, 0.3, 0.6),
        "one label only": [("a", "r1", "x"), ("a", "r2", "x"), ("b", "r1", "x")],
        "items with one annotation": [("a", "r1", "x"), ("b", "r2", "y"), ("c", "r1", "y"),
                                      ("c", "r2", "y"), ("d", "r3", "x")],
    }
    for path in a.csv:
        for task, rows in from_csv(path).items():
            datasets[f"{path} task {task}"] = rows
    worst = max(check(lib, name, rows) for name, rows in datasets.items())
    print(f"{len(datasets)} datasets: largest |posterior difference| vs crowd-kit {worst:.3g} "
          f"(bound {TOLERANCE})")
    print(f"{len(datasets)} passed, 0 failed")


if __name__ == "__main__":
    sys.exit(main())
