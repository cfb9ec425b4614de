#!/usr/bin/env python3
"""End-to-end throughput of `softlabel score` (CSV -> CSV) against pandas + numpy and DuckDB.

One run measures every contender on the same generated file, interleaved round by round (the
machine is shared, so a slow moment hits all contenders alike), and reports medians:
  softlabel score --threads 1 / 2         the whole process, wall clock
  pandas + numpy                          read_csv, vectorized scoring, to_csv (imports excluded)
  DuckDB, threads 1 / 2                   one COPY (SELECT ...) TO statement (import excluded)
Every output is checked against softlabel's for the same row count and p within 1e-12.
CPU seconds (user + system of the whole process) are reported beside: on a shared machine they
say more about the work done than wall time does.

usage: cli_compare.py --bin build/tools/softlabel [--rows 10000000] [--rounds 3] [--dir DIR]
Run it through bench/cli_vs_pandas.sh, which makes the venv with pandas, numpy and duckdb.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import time

# Default parameters of SPEC section 1 (what `softlabel score` uses without options)
W = (0.4, 0.2, 0.2, 0.2)
K = 2.0
D = (0.3, 0.4, 0.5)

PANDAS_JOB = r'''
import sys, time
import numpy as np, pandas as pd
src, dst = sys.argv[1], sys.argv[2]
w = np.array(%(w)r); w = w / w.sum(); k = %(k)r; d = %(d)r
t0 = time.perf_counter()
df = pd.read_csv(src)
def signal(c, decay):
    c = c.to_numpy(dtype=np.float64)
    return np.where(c == 0, 1.0, 2.0 * np.power(decay, c) - 1.0)
prog = np.clip(df["task_progress_delta"].to_numpy(), -1.0, 1.0)
eng = np.clip(df["counterparty_engagement_delta"].to_numpy(), -1.0, 1.0)
verifier = (signal(df["verifier_rejections"], d[1]) + signal(df["tool_misuse_flags"], d[2])) / 2.0
v = np.clip(w[0] * prog + w[1] * signal(df["rework_count"], d[0]) + w[2] * verifier + w[3] * eng,
            -1.0, 1.0)
df["v_hat"] = v
df["p"] = 1.0 / (1.0 + np.exp(-k * v))
df.to_csv(dst, index=False)
print(time.perf_counter() - t0)
'''

DUCKDB_JOB = r'''
import sys, time
import duckdb
src, dst, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
w = %(w)r; s = sum(w); w = [x / s for x in w]; k = %(k)r; d = %(d)r
con = duckdb.connect()
con.execute("SET threads = %%d" %% threads)
def signal(col, decay):
    return "(CASE WHEN %%s = 0 THEN 1.0 ELSE 2.0 * pow(%%r, %%s) - 1.0 END)" %% (col, decay, col)
v_hat = ("greatest(-1.0, least(1.0, %%r * greatest(-1.0, least(1.0, task_progress_delta))"
         " + %%r * %%s + %%r * (%%s + %%s) / 2.0"
         " + %%r * greatest(-1.0, least(1.0, counterparty_engagement_delta))))") %% (
    w[0], w[1], signal("rework_count", d[0]), w[2], signal("verifier_rejections", d[1]),
    signal("tool_misuse_flags", d[2]), w[3])
sql = ("COPY (SELECT *, 1.0 / (1.0 + exp(-%%r * v_hat)) AS p FROM "
       "(SELECT *, %%s AS v_hat FROM read_csv('%%s', header = true))) TO '%%s' (HEADER, DELIMITER ',')"
       %% (k, v_hat, src, dst))
t0 = time.perf_counter()
con.execute(sql)
print(time.perf_counter() - t0)
'''


def timed(cmd, inner):
    """Runs cmd; returns (seconds, CPU seconds). seconds: wall clock, or with inner the job's own
    timing (printed last on its stdout: the Python jobs leave their imports out). CPU seconds:
    user + system time of the whole process, imports included; unlike wall time it hardly
    depends on what else the machine is running."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.stdout.read(), p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), err.decode()))
    return (float(out.decode().split()[-1]) if inner else wall), usage.ru_utime + usage.ru_stime


def first_p(path, n):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        return [float(row["p"]) for _, row in zip(range(n), r)]


def count_rows(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default="bench-cli-data")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    src = os.path.join(a.dir, "in.csv")
    subprocess.run([a.bin, "gen", "--n", str(a.rows), "--out", src], check=True)
    params = {"w": W, "k": K, "d": D}
    py = sys.executable
    contenders = {
        "softlabel 1 thread": lambda o: timed([a.bin, "score", "--in", src, "--out", o, "--threads", "1"], False),
        "softlabel 2 threads": lambda o: timed([a.bin, "score", "--in", src, "--out", o, "--threads", "2"], False),
        "pandas + numpy": lambda o: timed([py, "-c", PANDAS_JOB % params, src, o], True),
        "DuckDB 1 thread": lambda o: timed([py, "-c", DUCKDB_JOB % params, src, o, "1"], True),
        "DuckDB 2 threads": lambda o: timed([py, "-c", DUCKDB_JOB % params, src, o, "2"], True),
    }
    times = {name: [] for name in contenders}
    cpu = {name: [] for name in contenders}
    reference = None
    for rnd in range(a.rounds):
        for i, (name, job) in enumerate(contenders.items()):
            out = os.path.join(a.dir, "out%d.csv" % i)
            seconds, cpu_seconds = job(out)
            times[name].append(seconds)
            cpu[name].append(cpu_seconds)
            print("round %d  %-20s %7.2f s  (CPU %.2f s)" % (rnd + 1, name, seconds, cpu_seconds),
                  flush=True)
            if rnd == 0:  # the same job: same rows, same p
                n = count_rows(out)
                if n != a.rows:
                    sys.exit("%s wrote %d rows, not %d" % (name, n, a.rows))
                p = first_p(out, 100000)
                if reference is None:
                    reference = p
                worst = max(abs(x - y) for x, y in zip(p, reference))
                if worst > 1e-12:
                    sys.exit("%s: p differs from softlabel's by %g" % (name, worst))
            os.remove(out)
    base = {k: statistics.median(v) for k, v in times.items()}
    base_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    print("\n%d rows, CSV -> CSV, median of %d rounds (%s, %d online cores, load average %.1f)" % (
        a.rows, a.rounds, os.uname().machine, os.cpu_count(), os.getloadavg()[0]))
    print("%-20s %8s %13s %9s %10s %10s %8s %13s" % (
        "", "seconds", "(min - max)", "M rows/s", "vs pandas", "vs DuckDB", "CPU s", "M rows/CPU s"))
    for name, t in base.items():
        threads = "2" if "2" in name else "1"
        duck = base["DuckDB %s thread%s" % (threads, "s" if threads == "2" else "")]
        print("%-20s %8.2f %6.2f - %5.2f %9.2f %9.1fx %9.2fx %8.2f %13.2f" % (
            name, t, min(times[name]), max(times[name]), a.rows / t / 1e6,
            base["pandas + numpy"] / t, duck / t, base_cpu[name], a.rows / base_cpu[name] / 1e6))
    print("(vs DuckDB: against DuckDB with the same thread count)")
    os.remove(src)


if __name__ == "__main__":
    main()
