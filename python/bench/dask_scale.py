"""softlabel.dask against the same job in one process (issue 19's benchmark; not a test).

Writes --rows rows (default 10^7) of interactions as Parquet (--files files of --groups row groups
each) and times two jobs, each in two ways, in interleaved rounds (medians of --rounds):
  score:   sld.score_parquet, Parquet in -> scored Parquet out (read, score, write);
  metrics: sld.metrics_parquet with a proxy (read the observables, score, accumulate, merge);
  one process: the same calls on dask's synchronous scheduler (one thread, no cluster);
  dask:        the same calls on a LocalCluster of --workers processes of 1 thread each.
Per-core ratio = (dask M rows/s / workers) / (one-process M rows/s). Then the AUC sketch on the
scored p of the same data: |sketch AUC - exact AUC| against the report's bound, and the
serialized state's size, for a few bin counts. The machine's load average is printed with the
figures (a shared machine's load moves wall times; the ratio of one interleaved run is what
counts). Run in the package's venv (pip install ".[dask]"):

    build-python/venv/bin/python python/bench/dask_scale.py [--rows 10000000] [--rounds 3]
"""

import argparse
from contextlib import nullcontext
import os
import shutil
import statistics
import tempfile
import time

import dask
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster

import softlabel as sl
import softlabel.dask as sld


def write_data(root, rows, files, groups, seed=42):
    """Interactions with ground truth drawn from their own p (so the AUC means something) and a
    third of the rows unlabelled."""
    rng = np.random.default_rng(seed)
    per_group = rows // (files * groups)
    px = sl.Proxy()
    for f in range(files):
        writer = None
        for g in range(groups):
            n = per_group if (f, g) != (files - 1, groups - 1) else rows - per_group * (
                files * groups - 1)
            c = {
                "id": np.arange(n, dtype=np.int64) + (f * groups + g) * per_group,
                "task_progress_delta": rng.uniform(-1, 1, n),
                "rework_count": rng.integers(0, 5, n, dtype=np.int32),
                "verifier_rejections": rng.integers(0, 3, n, dtype=np.int32),
                "counterparty_engagement_delta": rng.uniform(-1, 1, n),
                "tool_misuse_flags": rng.integers(0, 2, n, dtype=np.int32),
                "accepted": rng.integers(0, 2, n).astype(bool),
            }
            p = px.score(c["task_progress_delta"], c["rework_count"], c["verifier_rejections"],
                         c["counterparty_engagement_delta"], c["tool_misuse_flags"])[1]
            truth = np.where(rng.uniform(0, 1, n) < p, 1, -1).astype(np.int8)
            truth[rng.uniform(0, 1, n) < 1 / 3] = 0
            c["ground_truth"] = truth
            t = pa.table(c)
            writer = writer or pq.ParquetWriter(os.path.join(root, f"part-{f}.parquet"), t.schema)
            writer.write_table(t, row_group_size=n)
        writer.close()


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--groups", type=int, default=5, help="row groups per file")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=None, help="scratch directory (default: a temporary one)")
    args = ap.parse_args()
    scratch = tempfile.mkdtemp(prefix="softlabel-dask-bench-", dir=args.dir)
    src, dst = os.path.join(scratch, "in"), os.path.join(scratch, "out")
    os.mkdir(src)
    try:
        t = timed(lambda: write_data(src, args.rows, args.files, args.groups))
        pieces = sld.list_pieces(src)
        print(f"data: {args.rows} rows, {args.files} files, {len(pieces)} row groups "
              f"({sum(os.path.getsize(os.path.join(src, f)) for f in os.listdir(src)) / 2**20:.0f} "
              f"MiB), written in {t:.1f} s; ISA {sl.isa()}")
        proxy = sl.Proxy()

        def score(client):
            shutil.rmtree(dst, ignore_errors=True)
            return lambda: sld.score_parquet(src, dst, proxy, client=client)

        def metrics(client):
            return lambda: sld.metrics_parquet(src, None, proxy=proxy, client=client)

        loads = [os.getloadavg()[0]]
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            times = {(job, way): [] for job in ("score", "metrics") for way in ("one", "dask")}
            reports = {}
            for r in range(args.rounds + 1):  # round 0 warms up (worker imports, page cache)
                ways = ("one", "dask") if r % 2 else ("dask", "one")
                for job, make in (("score", score), ("metrics", metrics)):
                    for way in ways:
                        run = make(client if way == "dask" else None)
                        if way == "one":
                            with dask.config.set(scheduler="synchronous"):
                                seconds = timed(run)
                        else:
                            seconds = timed(run)
                        if r:
                            times[(job, way)].append(seconds)
                loads.append(os.getloadavg()[0])
            for way in ("one", "dask"):  # the two ways' reports agree (same counts, same AUC)
                with dask.config.set(scheduler="synchronous") if way == "one" else nullcontext():
                    reports[way] = sld.metrics_parquet(src, None, proxy=proxy,
                                                       client=client if way == "dask" else None)
        assert reports["one"].n == reports["dask"].n == args.rows
        assert reports["one"].discrimination_auc == reports["dask"].discrimination_auc

        print(f"\nload average (1 min) during the rounds: {min(loads):.1f} .. {max(loads):.1f} "
              f"on {os.cpu_count()} cores; medians of {args.rounds} interleaved rounds")
        print("| job | one process: s, M rows/s | dask, %d workers x 1 thread: s, M rows/s | "
              "dask / one | per core |" % args.workers)
        print("|---|---|---|---|---|")
        for job in ("score", "metrics"):
            one = statistics.median(times[(job, "one")])
            dsk = statistics.median(times[(job, "dask")])
            rate_one, rate_dask = args.rows / one / 1e6, args.rows / dsk / 1e6
            print(f"| {job} | {one:.2f} s, {rate_one:.2f} | {dsk:.2f} s, {rate_dask:.2f} | "
                  f"{rate_dask / rate_one:.2f}x | {rate_dask / args.workers / rate_one:.2f}x |")
        print("(all rounds, s: " + "; ".join(
            f"{job} {way} " + " ".join(f"{x:.2f}" for x in v) for (job, way), v in times.items())
            + ")")

        # the AUC sketch against the exact AUC on the scored p of the same rows
        table = pq.read_table(dst, columns=["p", "accepted", "ground_truth"])
        p = table.column("p").to_numpy()
        accepted = table.column("accepted").to_numpy()
        truth = table.column("ground_truth").to_numpy()
        exact = sl.Metrics()
        exact.update(p, accepted, truth)
        auc = exact.finalize().discrimination_auc
        labelled = int(np.count_nonzero(truth))
        print(f"\nAUC sketch on the same {args.rows} rows ({labelled} labelled): exact AUC "
              f"{auc!r}, state {len(exact.to_bytes())} bytes")
        print("| sketch bins | AUC | abs(sketch - exact) | stated bound | state bytes | "
              "vs exact state |")
        print("|---|---|---|---|---|---|")
        for bins in (2 ** 8, 2 ** 12, 2 ** 16, 2 ** 20):
            m = sl.Metrics(auc_sketch_bins=bins)
            m.update(p, accepted, truth)
            r = m.finalize()
            err = abs(r.discrimination_auc - auc)
            assert err <= r.discrimination_auc_error_bound
            size = len(m.to_bytes())
            print(f"| {bins} | {r.discrimination_auc:.10f} | {err:.2e} | "
                  f"{r.discrimination_auc_error_bound:.2e} | {size} | "
                  f"{size / len(exact.to_bytes()):.4f} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
