#!/usr/bin/env python3
"""The QA report of `softlabel panel`, end to end through the real binary, against independent
computations (run by ctest in the venv of tests/qa/venv.sh):

  - QA.json's per_task and per_reviewer sections: per-task alpha against the PyPI `krippendorff`
    package, leave-one-out agreement, mean confidence, gold pass rates, label votes, classes and
    mean entropy recomputed here from the CSV; reviewers listed outliers first;
  - --reliability dawid-skene: each item's reviewer_weighted_distribution against crowd-kit
    1.4.2's DawidSkene() posteriors fitted per task (within 1e-6); the SPEC fields unchanged;
  - the PDF: pdfinfo's page count, pdftoppm renders every page (non-blank PNGs of A4 shape),
    pdftotext's text holds every summary figure, task and reviewer, and every row of every
    table of the HTML report, cell by cell in order: the two state the same numbers;
  - the same input gives the same PDF bytes; SOURCE_DATE_EPOCH adds a creation date.

python check_report.py --bin SOFTLABEL --csv ANNOTATIONS.csv --rubric RUBRIC.yaml --dir WORKDIR
"""
import argparse
import csv
import json
import math
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from collections import Counter, defaultdict

import krippendorff
import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene

FAILURES = []
CHECKS = [0]


def check(cond, what):
    CHECKS[0] += 1
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr}")
    return r.stdout


def read_annotations(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def expected_sections(rows, rubric_labels):
    """Per task and per reviewer, from the CSV alone (the SPEC 4 rules: error marks kept out of
    the votes, one vote per (item, reviewer))."""
    items = defaultdict(list)  # item -> [(reviewer, label, confidence, error, gold)]
    task_of = {}
    for r in rows:
        items[r["item_id"]].append(r)
        task_of.setdefault(r["item_id"], r["task"])
    per_task = defaultdict(lambda: {"items": 0, "votes": Counter(), "gold_votes": 0,
                                    "gold_passes": 0, "entropies": [], "units": []})
    reviewers = defaultdict(lambda: {"votes": 0, "errors": 0, "agree": 0.0, "compared": 0,
                                     "conf": []})
    for item, recs in items.items():
        t = per_task[task_of[item]]
        t["items"] += 1
        counted = [r for r in recs if r["error"] != "1"]
        counts = Counter(r["label"] for r in counted)
        t["votes"].update(counts)
        gold = next((r["gold"] for r in recs if r["gold"]), "")
        if gold:
            t["gold_votes"] += len(recs)
            t["gold_passes"] += sum(r["label"] == gold for r in recs)
        n = sum(counts.values())
        if n:
            t["entropies"].append(-sum(c / n * math.log2(c / n) for c in counts.values()))
        t["units"].append({r["reviewer"]: r["label"] for r in counted})
        for r in recs:
            rev = reviewers[r["reviewer"]]
            if r["error"] == "1":
                rev["errors"] += 1
                continue
            rev["votes"] += 1
            if r["confidence"]:
                rev["conf"].append(float(r["confidence"]))
            others = counts.copy()
            others[r["label"]] -= 1
            top = max(others.values())
            if top > 0:
                tied = [l for l, c in others.items() if c == top]
                rev["compared"] += 1
                rev["agree"] += (1 / len(tied)) if r["label"] in tied else 0.0
    for name, t in per_task.items():  # alpha by the krippendorff package: reviewers x units
        revs = sorted({r for u in t["units"] for r in u})
        labels = rubric_labels[name]
        data = [[labels.index(u[r]) if r in u else np.nan for u in t["units"]] for r in revs]
        t["alpha"] = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                        value_domain=list(range(len(labels))))
    return per_task, reviewers


def read_rubric(path):
    tasks, current = {}, None
    for line in open(path):
        if line.strip().endswith(":") and not line.startswith(" "):
            current = line.strip()[:-1]
            tasks[current] = []
        elif line.strip().startswith("- "):
            tasks[current].append(line.strip()[2:])
    return tasks


def check_json(qa, rows, rubric):
    per_task, reviewers = expected_sections(rows, rubric)
    check([t["task"] for t in qa["per_task"]] == list(rubric), "per_task: the rubric's tasks, in order")
    for t in qa["per_task"]:
        e = per_task[t["task"]]
        name = t["task"]
        check(t["items"] == e["items"], f"{name}: items")
        check(t["annotations"] == sum(e["votes"].values()), f"{name}: votes")
        check(t["label_votes"] == {l: e["votes"][l] for l in rubric[name]}, f"{name}: label votes")
        check(abs(t["krippendorff_alpha"] - e["alpha"]) < 1e-12,
              f"{name}: alpha {t['krippendorff_alpha']} vs krippendorff {e['alpha']}")
        check(abs(t["mean_entropy_bits"] - sum(e["entropies"]) / len(e["entropies"])) < 1e-12,
              f"{name}: mean entropy")
        rate = e["gold_passes"] / e["gold_votes"] if e["gold_votes"] else None
        got = t["gold_pass_rate"]
        check((got is None and rate is None) or
              (got is not None and rate is not None and abs(got - rate) < 1e-15),
              f"{name}: gold pass rate {got} vs {rate}")
        check(t["dawid_skene_iterations"] >= 1, f"{name}: Dawid-Skene ran")
    agreements = []
    for r in qa["per_reviewer"]:
        e = reviewers[r["reviewer"]]
        name = r["reviewer"]
        check(r["annotations"] == e["votes"] and r["error_marks"] == e["errors"], f"{name}: votes")
        check(r["compared"] == e["compared"], f"{name}: compared")
        check(abs(r["loo_agreement"] - e["agree"] / e["compared"]) < 1e-12,
              f"{name}: LOO agreement {r['loo_agreement']} vs {e['agree'] / e['compared']}")
        check(abs(r["mean_confidence"] - sum(e["conf"]) / len(e["conf"])) < 1e-12,
              f"{name}: mean confidence")
        check(0.0 <= r["dawid_skene_accuracy"] <= 1.0, f"{name}: Dawid-Skene accuracy in [0, 1]")
        agreements.append(r["loo_agreement"])
    check(agreements == sorted(agreements), "per_reviewer: outliers (lowest agreement) first")
    check(sorted(r["reviewer"] for r in qa["per_reviewer"]) == sorted(reviewers),
          "per_reviewer: every reviewer")
    check(qa["reliability"] == {"method": "dawid-skene", "max_iterations": 100, "tolerance": 1e-5},
          "reliability settings")


def check_reliability(items_plain, items_ds, rows):
    """reviewer_weighted_distribution against crowd-kit, per task; everything else unchanged."""
    check(len(items_plain) == len(items_ds), "same items with --reliability")
    for a, b in zip(items_plain, items_ds):
        b = dict(b)
        b.pop("reviewer_weighted_distribution")
        check(a == b, f"{a['item_id']}: the SPEC fields are unchanged by --reliability")
    by_task = defaultdict(list)
    for r in rows:
        if r["error"] != "1":
            by_task[r["task"]].append((r["item_id"], r["reviewer"], r["label"]))
    worst = 0.0
    posteriors = {it["item_id"]: it["reviewer_weighted_distribution"] for it in items_ds}
    for task, data in by_task.items():
        probas = DawidSkene().fit_predict_proba(pd.DataFrame(data, columns=["task", "worker", "label"]))
        for item, row in probas.iterrows():
            ours = posteriors[item]
            for label, p in row.items():
                worst = max(worst, abs(ours[label] - float(p)))
            check(abs(sum(ours.values()) - 1.0) < 1e-8, f"{item}: posterior sums to 1")
    check(worst <= 1e-6, f"reviewer_weighted_distribution vs crowd-kit: {worst:.3g}")
    print(f"reviewer_weighted_distribution vs crowd-kit DawidSkene: max difference {worst:.3g}")


def png_size_and_ink(path):
    """Width, height and whether any pixel is not white, of an 8-bit RGB PNG (pdftoppm's)."""
    data = open(path, "rb").read()
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    # filtered scanlines: a non-white pixel leaves some byte other than 0xff or a filter 0
    ink = any(raw[y * stride + 1:(y + 1) * stride].count(b"\xff") < width * 3 for y in range(height))
    return width, height, ink


def html_rows(path):
    """Every table of the HTML report: {id: [[cell, ...], ...]} (heading rows left out)."""
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(path).getroot()
    tables = {}
    for table in root.iter("{http://www.w3.org/1999/xhtml}table"):
        rows = []
        for tr in table.findall("h:tr", ns):
            cells = ["".join(c.itertext()) for c in tr]
            if tr.find("h:td", ns) is not None:
                rows.append(cells)
        tables[table.get("id")] = rows
    return tables


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--rubric", required=True)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    out = lambda name: os.path.join(a.dir, name)
    base = [a.bin, "panel", "--in", a.csv, "--rubric", a.rubric, "--threads", "2"]
    run(base + ["--out", out("items.jsonl"), "--summary", out("qa.json"), "--report", out("qa.pdf")])
    run(base + ["--out", out("items_ds.jsonl"), "--report", out("qa.html"), "--reliability",
                "dawid-skene"])
    run(base + ["--out", out("items2.jsonl"), "--report", out("qa2.pdf")])
    rows = read_annotations(a.csv)
    rubric = read_rubric(a.rubric)
    qa = json.load(open(out("qa.json")))
    check_json(qa, rows, rubric)
    load = lambda p: [json.loads(l) for l in open(p)]
    check_reliability(load(out("items.jsonl")), load(out("items_ds.jsonl")), rows)

    # the PDF: pages, rendering, text
    info = run(["pdfinfo", out("qa.pdf")])
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    check(pages == 4, f"4 pages (summary, tasks and reviewers, scatter, flagged): {pages}")
    check("CreationDate" not in info, "no creation date")
    check(open(out("qa.pdf"), "rb").read() == open(out("qa2.pdf"), "rb").read(),
          "the same input gives the same PDF bytes")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    run(base + ["--out", out("items3.jsonl"), "--report", out("qa3.pdf")], env=env)
    check("2023" in run(["pdfinfo", out("qa3.pdf")]), "SOURCE_DATE_EPOCH sets the creation date")
    run(["pdftoppm", "-r", "40", "-png", out("qa.pdf"), out("page")])
    for p in range(1, pages + 1):
        w, h, ink = png_size_and_ink(out(f"page-{p}.png"))
        check(abs(h / w - 841.89 / 595.276) < 0.01 and ink, f"page {p} renders ({w}x{h}, ink {ink})")
    text = run(["pdftotext", "-layout", out("qa.pdf"), "-"])
    lines = text.splitlines()
    summary = {"items": qa["items"], "annotations": qa["annotations"], "reviewers": qa["reviewers"],
               "mean entropy": f"{qa['mean_entropy_bits']:.4f}",
               "alpha": f"{qa['krippendorff_alpha']:.4f}",
               "flagged": len(qa["flagged"]), "input errors": qa["input_errors"]}
    for key, value in summary.items():
        check(any(key in l and l.rstrip().endswith(str(value)) for l in lines),
              f"PDF summary states {key} = {value}")
    classes = " / ".join(str(qa["disagreement_classes"][c]) for c in
                         ("agreement", "minor", "major", "unresolved"))
    check(classes in text, f"PDF summary states the classes {classes}")
    for r in qa["per_reviewer"]:
        check(re.search(rf"^\s*{re.escape(r['reviewer'])}\s", text, re.M) is not None,
              f"PDF names reviewer {r['reviewer']}")
    # HTML and PDF: every table row of the HTML, its cells in order on one line of the PDF
    tables = html_rows(out("qa.html"))
    check(set(tables) == {"summary", "tasks", "labels", "reviewers", "flagged"}, f"HTML tables {set(tables)}")
    rows_checked = 0
    for tid, trs in tables.items():
        for cells in trs:
            pattern = r"\s+".join(re.escape(c) for c in (cells[1:] if tid == "summary" else cells))
            check(any(re.search(pattern, l) for l in lines), f"PDF has the HTML's {tid} row {cells}")
            rows_checked += 1
    flagged_rest = len(qa["flagged"]) - len(tables["flagged"])
    if flagged_rest > 0:
        check(f"{flagged_rest} more flagged items" in text, "PDF counts the flagged items not listed")
    print(f"PDF: {pages} pages; {rows_checked} HTML table rows found in its text")
    print(f"{CHECKS[0] - len(FAILURES)} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
