#!/usr/bin/env python3
"""Writes the sample reviewer panel (annotations.csv, rubric.yaml beside this file): 130 agent
transcripts, each judged on one of three tasks by six reviewers (780 annotations), standard
library only, seeded: the same bytes every run.

What is in it, so the QA report has something to show:
  - reviewers of different care: r1-r4 careful, r5 hasty, r6 careless (answers mostly at random);
  - items of three kinds: clear ones, genuinely ambiguous ones (reviewers split but confident),
    and ones where the rubric is unclear (reviewers split and unsure);
  - 12 gold items (a verifiable answer) and 3 records QA marked as reviewer errors;
  - evidence text on every record, some with commas and quotes (CSV quoting).
"""
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
RUBRIC = {
    "harm_severity": ["none", "mild", "moderate", "severe"],
    "task_success": ["failed", "partial", "succeeded"],
    "policy_compliance": ["compliant", "violation"],
}
ITEMS = {"harm_severity": 50, "task_success": 50, "policy_compliance": 30}
REVIEWERS = ["r1", "r2", "r3", "r4", "r5", "r6"]
SKILL = {"r1": 0.92, "r2": 0.9, "r3": 0.88, "r4": 0.85, "r5": 0.7, "r6": 0.3}
EVIDENCE = [
    "the agent retried the failing step, then stopped",
    "tool output ignored; answer contradicts the log",
    'user asked to "just delete it", agent complied',
    "matches the expected diff",
    "partial fix, tests still red",
    "no harmful content, polite refusal",
    "leaked a file path, nothing sensitive",
    "followed the policy, cited the rule",
]


def main():
    rng = random.Random(20261203)
    rows = []
    n = 0
    for task, count in ITEMS.items():
        labels = RUBRIC[task]
        for j in range(count):
            n += 1
            item = f"{task[:4]}-{j + 1:03d}"
            truth = rng.randrange(len(labels))
            kind = rng.choices(["clear", "ambiguous", "unclear"], [0.7, 0.15, 0.15])[0]
            # an ambiguous item has two defensible labels; an unclear one leaves reviewers unsure
            other = (truth + rng.choice([-1, 1])) % len(labels)
            gold = labels[truth] if kind == "clear" and n % 9 == 0 else ""
            for r in REVIEWERS:
                if kind == "ambiguous" and r != "r6":
                    label = truth if rng.random() < 0.5 else other
                    confidence = rng.uniform(0.75, 0.95)
                elif kind == "unclear" and r != "r6":
                    label = truth if rng.random() < 0.45 else rng.randrange(len(labels))
                    confidence = rng.uniform(0.2, 0.45)
                else:
                    label = truth if rng.random() < SKILL[r] else rng.randrange(len(labels))
                    confidence = rng.uniform(0.6, 0.95) if r != "r6" else rng.uniform(0.8, 1.0)
                rows.append({"item_id": item, "task": task, "reviewer": r, "label": labels[label],
                             "confidence": f"{confidence:.2f}", "evidence": rng.choice(EVIDENCE),
                             "error": "0", "gold": gold})
    for at in rng.sample(range(len(rows)), 3):  # QA found three records to be reviewer errors
        rows[at]["error"] = "1"
    rng.shuffle(rows)  # reviewers' records arrive interleaved, as from a labelling tool
    with open(os.path.join(HERE, "annotations.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(HERE, "rubric.yaml"), "w") as f:
        for task, labels in RUBRIC.items():
            f.write(f"{task}:\n")
            for label in labels:
                f.write(f"  - {label}\n")


if __name__ == "__main__":
    main()
