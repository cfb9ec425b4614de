"""softlabel.dask against the same job in one process (issue 19's benchmark; not a test).

Writes --rows rows (default 10^7) of interactions as Parquet (--files files of --groups row groups
each) and times two jobs, each in two ways, in interleaved rounds (medians of --rounds):
  score:   sld.score_parquet, Parquet in -> scored Parquet out (read, score, write);
  metrics: sld.metrics_parquet with a proxy (read the observables, score, accumulate, merge);
  one process: the same calls on dask's synchronous scheduler (one thread, no cluster);
  dask:        the same calls on a cluster of --workers `dask worker` processes of 1 thread each
               (and a `dask scheduler`), started here, each in a session of its own.
Per-core ratio, wall: (dask M rows/s / workers) / (one-process M rows/s); per-core ratio, CPU:
one-process CPU seconds / dask CPU seconds (workers + scheduler + client), the steadier figure
on a loaded machine. Then the AUC sketch on the
scored p of the same data: |sketch AUC - exact AUC| against the report's bound, and the
serialized state's size, for a few bin counts. The machine's load average is printed with the
figures (a shared machine's load moves wall times; the ratio of one interleaved run is what
counts). Run in the package's venv (pip install ".[dask]"):

    build-python/venv/bin/python python/bench/dask_scale.py [--rows 10000000] [--rounds 3]
"""

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import dask
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client

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


@contextmanager
def cluster(workers, scratch):
    """A scheduler and `workers` workers (1 thread each) as separate processes, each in a session
    of its own: Linux's autogroup scheduling shares the CPU between sessions, so workers in the
    benchmark's own session would together get one process's share of a loaded machine. Yields
    the scheduler's address; stops every process it started."""
    bin_dir = os.path.dirname(sys.executable)
    scheduler_file = os.path.join(scratch, "scheduler.json")
    procs = []

    def start(*args):
        procs.append(subprocess.Popen([os.path.join(bin_dir, "dask"), *args],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", scheduler_file)
        while not os.path.exists(scheduler_file):
            if procs[0].poll() is not None:
                raise RuntimeError("dask scheduler exited")
            time.sleep(0.1)
        for i in range(workers):
            start("worker", "--scheduler-file", scheduler_file, "--host", "127.0.0.1",
                  "--nthreads", "1", "--no-dashboard", "--local-directory",
                  os.path.join(scratch, f"worker{i}"))
        with open(scheduler_file) as f:
            yield json.load(f)["address"]
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _own_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_seconds(client):
    """CPU seconds used so far by each worker process, the scheduler and this process."""
    used = dict(client.run(_own_cpu))
    used["scheduler"] = client.run_on_scheduler(_own_cpu)
    used["client"] = _own_cpu()
    return used


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
        with cluster(args.workers, scratch) as address, Client(address) as client:
            client.wait_for_workers(args.workers, timeout=120)
            times = {(job, way): [] for job in ("score", "metrics") for way in ("one", "dask")}
            cpu = {key: [] for key in times}
            for r in range(args.rounds + 1):  # round 0 warms up (worker imports, page cache)
                ways = ("one", "dask") if r % 2 else ("dask", "one")
                for job, make in (("score", score), ("metrics", metrics)):
                    for way in ways:
                        run = make(client if way == "dask" else None)
                        before = cpu_seconds(client)
                        if way == "one":
                            with dask.config.set(scheduler="synchronous"):
                                seconds = timed(run)
                        else:
                            seconds = timed(run)
                        used = {k: v - before[k] for k, v in cpu_seconds(client).items()}
                        if r:
                            times[(job, way)].append(seconds)
                            # one process: its own CPU; dask: the workers', the scheduler's and
                            # this client's
                            cpu[(job, way)].append(used["client"] if way == "one"
                                                   else sum(used.values()))
                loads.append(os.getloadavg()[0])
            # what the cluster's processes burn doing nothing (heartbeats, monitors), per second
            before = cpu_seconds(client)
            time.sleep(5)
            idle = sum(v - before[k] for k, v in cpu_seconds(client).items() if k != "client") / 5
            reports = {"dask": sld.metrics_parquet(src, None, proxy=proxy, client=client)}
            with dask.config.set(scheduler="synchronous"):
                reports["one"] = sld.metrics_parquet(src, None, proxy=proxy)
        assert reports["one"].n == reports["dask"].n == args.rows
        assert reports["one"].discrimination_auc == reports["dask"].discrimination_auc

        print(f"\nload average (1 min) during the rounds: {min(loads):.1f} .. {max(loads):.1f} "
              f"on {os.cpu_count()} cores; medians of {args.rounds} interleaved rounds")
        print("| job | one process: wall s (M rows/s), CPU s | dask, %d workers x 1 thread: "
              "wall s (M rows/s), CPU s | dask / one, wall | per core, wall | per core, CPU |"
              % args.workers)
        print("|---|---|---|---|---|---|")
        for job in ("score", "metrics"):
            one, dsk = (statistics.median(times[(job, w)]) for w in ("one", "dask"))
            cpu_one, cpu_dask = (statistics.median(cpu[(job, w)]) for w in ("one", "dask"))
            rate_one, rate_dask = args.rows / one / 1e6, args.rows / dsk / 1e6
            print(f"| {job} | {one:.2f} ({rate_one:.2f}), {cpu_one:.2f} | {dsk:.2f} "
                  f"({rate_dask:.2f}), {cpu_dask:.2f} | {rate_dask / rate_one:.2f}x | "
                  f"{rate_dask / args.workers / rate_one:.2f}x | {cpu_one / cpu_dask:.2f}x |")
        print(f"(the idle cluster's workers and scheduler use {idle:.3f} CPU s per second, "
              "part of its CPU s above)")
        print("(all rounds, wall s: " + "; ".join(
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
