#!/usr/bin/env python3
"""Synthetic reviewer annotations for the panel throughput benchmark (deterministic for a seed).

N annotations = N/5 items x 5 reviewers (from a pool of 300), three tasks with 2, 3 and 4 labels,
rows in random order (the input need not be sorted). Confidence on 90% of rows; evidence text on a
third, some with commas, quotes and line breaks (quoted CSV fields); 1% of records marked as
reviewer errors; a gold answer on 2% of items.
"""
import argparse

import numpy as np
import pandas as pd

TASKS = [("safety", ["safe", "unsafe"]),
         ("severity", ["mild", "moderate", "severe"]),
         ("helpfulness", ["unhelpful", "partial", "helpful", "excellent"])]
EVIDENCE = ["irregular margins, 2.1 cm", 'reviewer wrote "unclear"', "no issue found",
            "tool call repeated twice\nthen aborted", "matches the reference answer",
            "partially correct; misses the second step"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    panel = 5
    n_items = a.n // panel
    n = n_items * panel
    item = np.repeat(np.arange(n_items), panel)
    task_of_item = rng.integers(0, len(TASKS), n_items)
    task = task_of_item[item]
    # each item has a "true" label; reviewers agree with it 70% of the time
    k = np.array([len(t[1]) for t in TASKS])
    truth = (rng.random(n_items) * k[task_of_item]).astype(int)
    agree = rng.random(n) < 0.7
    label = np.where(agree, truth[item], (rng.random(n) * k[task]).astype(int))
    # distinct reviewers per item: a random offset into the pool, then consecutive ids
    reviewer = (rng.integers(0, 300, n_items)[item] + np.tile(np.arange(panel), n_items)) % 300
    label_names = np.array([f"{t}:{l}" for t, ls in TASKS for l in ls])
    offsets = np.cumsum([0] + [len(ls) for _, ls in TASKS])[:-1]
    df = pd.DataFrame({
        "item_id": np.char.add("item-", item.astype(str)),
        "task": np.array([t for t, _ in TASKS])[task],
        "reviewer": np.char.add("rev", reviewer.astype(str)),
        "label": np.array([s.split(":")[1] for s in label_names])[offsets[task] + label],
        "confidence": np.where(rng.random(n) < 0.9, np.round(rng.random(n), 2), np.nan),
        "evidence": np.where(rng.random(n) < 1 / 3,
                             np.array(EVIDENCE, dtype=object)[rng.integers(0, len(EVIDENCE), n)], None),
        "error": (rng.random(n) < 0.01).astype(int),
        "gold": None,
    })
    gold_items = rng.random(n_items) < 0.02
    gold_label = np.array([s.split(":")[1] for s in label_names])[offsets[task_of_item] + truth]
    df.loc[gold_items[item], "gold"] = gold_label[item][gold_items[item]]
    df = df.iloc[rng.permutation(n)]
    df.to_csv(a.out, index=False, float_format="%.2f")


if __name__ == "__main__":
    main()
