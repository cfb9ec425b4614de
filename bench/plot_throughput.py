#!/usr/bin/env python3
"""Draws docs/img/throughput.png from the results bench/report collected: items/s against batch
size, one line per path and peer, and the bandwidth roofline (memcpy bytes/s at that size over the
bytes each item needs). Usage: plot_throughput.py RESULTS.json OUT.png (run in bench/report's venv).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PATHS = ("scalar", "avx2", "avx512", "neon")
STYLE = {"scalar": ("tab:gray", "o"), "avx2": ("tab:blue", "s"), "avx512": ("tab:red", "D"),
         "neon": ("tab:green", "^"), "libm loop": ("tab:brown", "v"), "numpy": ("tab:purple", "x"),
         "XNNPACK": ("tab:orange", "P")}


def series(table, family, path, threads=None):
    pts = sorted((n, v["items"]) for (f, p, n, t), v in table.items()
                 if f == family and p == path and t == threads and v.get("items"))
    return [n for n, _ in pts], [v for _, v in pts]


def main():
    results_file, out_png = sys.argv[1], sys.argv[2]
    with open(results_file) as f:
        res = json.load(f)
    table = {tuple(k): v for k, v in res["benchmarks"]}
    numpy = {tuple(k): v for k, v in res["numpy"]}
    bytes_per_item = res["bytes_per_item"]
    copy = sorted((n, v["bytes"]) for (f, p, n, t), v in table.items() if f == "copy" and v.get("bytes"))

    panels = (("score_f32", "sl_score_f32 (rows/s)"), ("score_f64", "sl_score_f64 (rows/s)"),
              ("sigmoid_f32", "sl_sigmoid_f32 (elements/s)"))
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    for ax, (family, title) in zip(axes, panels):
        for path in PATHS:
            x, y = series(table, family, path)
            if x:
                color, marker = STYLE[path]
                ax.plot(x, y, marker=marker, color=color, label=path + (" (best)" if path == res["isa"] else ""))
        x, y = series(table, "libm_" + family, None)
        if x:
            ax.plot(x, y, marker=STYLE["libm loop"][1], color=STYLE["libm loop"][0], label="libm loop")
        if family.startswith("score"):
            pts = sorted((n, v) for (dt, n), v in numpy.items() if dt == family[-3:])
            if pts:
                ax.plot([n for n, _ in pts], [v for _, v in pts], marker=STYLE["numpy"][1],
                        color=STYLE["numpy"][0], label="numpy")
        if family == "sigmoid_f32":
            x, y = series(table, "xnnpack_sigmoid_f32", None)
            if x:
                ax.plot(x, y, marker=STYLE["XNNPACK"][1], color=STYLE["XNNPACK"][0], label="XNNPACK")
        if copy:
            ax.plot([n for n, _ in copy], [b / bytes_per_item[family] for _, b in copy], "k--",
                    label=f"roofline: memcpy B/s / {bytes_per_item[family]} B")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size (items)")
        ax.set_ylabel("items per second")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"softlabel throughput, single thread, median of repetitions (best path: {res['isa']})")
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)


if __name__ == "__main__":
    main()
