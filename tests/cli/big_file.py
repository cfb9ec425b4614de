#!/usr/bin/env python3
"""Opt-in test (ctest -L big): a generated CSV of at least 3 GB is scored with peak memory under
200 MB, and every row comes out. Needs about 7.5 GB of free disk in --dir; takes a few minutes.

usage: big_file.py --bin PATH/softlabel --dir DIR [--bytes 3000000000] [--limit-mb 200]
"""
import argparse
import os
import re
import subprocess
import sys
import time


def run_measured(cmd):
    """Runs cmd; returns (exit code, stderr, seconds, peak RSS in MB) of that one process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err, time.perf_counter() - t0, usage.ru_maxrss / 1024.0


def count_lines(path):
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--bytes", type=int, default=3_000_000_000)
    ap.add_argument("--limit-mb", type=float, default=200.0)
    a = ap.parse_args()
    src, dst = os.path.join(a.dir, "big_in.csv"), os.path.join(a.dir, "big_out.csv")
    try:
        # bytes per row from a small sample, then enough rows for the target size
        sample = subprocess.run([a.bin, "gen", "--n", "100000"], stdout=subprocess.PIPE, check=True).stdout
        rows = int(a.bytes / (len(sample) / 100000) * 1.01) + 1
        code, err, secs, rss = run_measured([a.bin, "gen", "--n", str(rows), "--out", src])
        assert code == 0, err
        size = os.path.getsize(src)
        print("gen: %d rows, %.2f GB in %.1f s, peak RSS %.1f MB" % (rows, size / 1e9, secs, rss))
        assert size >= a.bytes, size
        code, err, secs, rss = run_measured([a.bin, "score", "--in", src, "--out", dst, "--summary"])
        assert code == 0, err
        print(err, end="")
        print("score: %.2f GB in %.1f s, peak RSS %.1f MB (limit %.0f MB)" % (size / 1e9, secs, rss,
                                                                           a.limit_mb))
        m = re.search(r"rows in (\d+) = scored (\d+) \+ rejected (\d+)", err)
        assert m and int(m.group(1)) == rows and int(m.group(2)) == rows, err
        lines = count_lines(dst)
        assert lines == rows + 1, (lines, rows)
        if rss >= a.limit_mb:
            print("FAIL: peak RSS %.1f MB is over %.0f MB" % (rss, a.limit_mb))
            return 1
        print("1 passed, 0 failed")
        return 0
    finally:
        for path in (src, dst):
            if os.path.exists(path):
                os.remove(path)


if __name__ == "__main__":
    sys.exit(main())
