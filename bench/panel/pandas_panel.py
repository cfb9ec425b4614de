#!/usr/bin/env python3
"""The panel aggregation done with pandas (groupby), for comparison with `softlabel panel`.

Same input, same rules: duplicates (item, reviewer) dropped, QA-marked errors excluded, vote
shares per label, entropy in bits, reviewer count, disagreement class (min 2 reviewers, majority
2/3, ties unresolved), items in first-appearance order, one JSON object per item. It does less than
softlabel: flat columns (one per label) instead of the nested distribution, and no rationales,
confidence maps, adjudication or input validation. Prints the seconds spent (read to write).
"""
import sys
import time

import numpy as np
import pandas as pd


def main(path, out):
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype={"item_id": str, "task": str, "reviewer": str, "label": str,
                                  "evidence": str, "gold": str})
    df = df[~df.duplicated(["item_id", "reviewer"])]
    counted = df[df["error"] != 1]
    counts = counted.groupby(["item_id", "task", "label"], sort=False).size().unstack("label", fill_value=0)
    total = counts.sum(axis=1)
    dist = counts.div(total, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -(dist * np.log2(dist)).where(dist > 0, 0.0).sum(axis=1)
    top = dist.max(axis=1)
    ties = dist.eq(top, axis=0).sum(axis=1)
    cls = np.select([(total < 2) | (ties >= 2), top == 1.0, top >= 2 / 3],
                    ["unresolved", "agreement", "minor"], "major")
    order = df.drop_duplicates("item_id")["item_id"]
    res = dist.add_prefix("p_")
    res["reviewer_count"] = total
    res["entropy_bits"] = entropy
    res["disagreement_class"] = cls
    res = res.reset_index().set_index("item_id").reindex(order).reset_index()
    res.to_json(out, orient="records", lines=True, double_precision=15)
    print(f"{time.perf_counter() - t0:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
