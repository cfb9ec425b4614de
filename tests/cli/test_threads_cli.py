#!/usr/bin/env python3
"""The threaded commands give the same bytes on every thread count (standard library only).

usage: test_threads_cli.py --bin PATH/softlabel [--rows N]

`gen`, `score` (CSV and JSONL, large and tiny chunks, skip mode with bad rows) and `panel` (CSV and
JSONL annotations) run with 1, 2 and 4 threads; every output must equal the single-threaded one
byte for byte and every run must exit as expected. scripts/test also runs this under
ThreadSanitizer (build-tsan), where a data race makes the command exit non-zero.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import unittest

BIN = None
ROWS = 60000


def run(args, expect=0):
    p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    if p.returncode != expect:
        raise AssertionError("softlabel %s exited %d (expected %d):\n%s" % (
            " ".join(args), p.returncode, expect, p.stderr.decode("utf-8", "replace")[-4000:]))
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


class ThreadCounts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def same_on_every_thread_count(self, make_args, outputs, expect=0):
        """Runs make_args(threads, suffix) for 1, 2 and 4 threads; the outputs must not differ."""
        reference = None
        for threads in (1, 2, 4):
            suffix = "-t%d" % threads
            run(make_args(threads, suffix), expect)
            got = [read(self.path(name + suffix)) for name in outputs]
            if reference is None:
                reference = got
                self.assertTrue(all(len(x) > 0 for x in got), "empty output")
            else:
                for name, a, b in zip(outputs, reference, got):
                    self.assertEqual(a, b, "%s differs between 1 and %d threads" % (name, threads))

    def test_gen_and_score(self):
        for fmt in ("csv", "jsonl"):
            self.same_on_every_thread_count(
                lambda t, s: ["gen", "--n", str(ROWS), "--seed", "7", "--threads", str(t),
                              "--out", self.path("gen." + fmt + s)], ["gen." + fmt])
            data = self.path("gen." + fmt + "-t1")
            for chunk in ("4194304", "4096"):
                self.same_on_every_thread_count(
                    lambda t, s: ["score", "--in", data, "--out", self.path("scored." + fmt + s),
                                  "--threads", str(t), "--chunk-size", chunk, "--summary"],
                    ["scored." + fmt])

    def test_score_skip_mode_with_bad_rows(self):
        rng = random.Random(11)
        lines = ["id,task_progress_delta,rework_count,verifier_rejections,"
                 "counterparty_engagement_delta,note"]
        for i in range(ROWS // 4):
            bad = rng.random() < 0.02
            lines.append("%d,%s,%d,%d,%.3f,\"n, %d\"" % (
                i, "x" if bad else "%.4f" % rng.uniform(-1.2, 1.2), rng.randrange(5),
                rng.randrange(3), rng.uniform(-1, 1), i))
        with open(self.path("bad.csv"), "w") as f:
            f.write("\n".join(lines) + "\n")
        self.same_on_every_thread_count(
            lambda t, s: ["score", "--in", self.path("bad.csv"), "--out", self.path("ok.csv" + s),
                          "--on-error", "skip", "--rejects", self.path("rej.csv" + s),
                          "--threads", str(t), "--chunk-size", "8192"],
            ["ok.csv", "rej.csv"])

    def test_panel(self):
        rng = random.Random(5)
        labels = ["low", "mid", "high"]
        rows = ["item_id,task,reviewer,label,confidence,evidence"]
        jsonl = []
        pairs = set()
        duplicates = 0
        for i in range(ROWS // 8):
            item = "i%d" % rng.randrange(ROWS // 24)
            task = "t%d" % (int(item[1:]) % 3)
            reviewer = "r%d" % rng.randrange(40)
            label = rng.choice(labels)
            duplicates += (item, reviewer) in pairs
            pairs.add((item, reviewer))
            conf = "%.2f" % rng.random()
            rows.append('%s,%s,%s,%s,%s,"e, %d"' % (item, task, reviewer, label, conf, i))
            jsonl.append('{"item_id":"%s","task":"%s","reviewer":"%s","label":"%s",'
                         '"confidence":%s}' % (item, task, reviewer, label, conf))
        with open(self.path("ann.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        with open(self.path("ann.jsonl"), "w") as f:
            f.write("\n".join(jsonl) + "\n")
        for name in ("ann.csv", "ann.jsonl"):
            # duplicate (item, reviewer) pairs are bad records: exit 65, everything valid written
            self.same_on_every_thread_count(
                lambda t, s: ["panel", "--in", self.path(name), "--out", self.path("items" + s),
                              "--summary", self.path("qa" + s), "--threads", str(t)],
                ["items", "qa"], expect=65 if duplicates else 0)


def main():
    global BIN, ROWS
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rows", type=int, default=ROWS)
    args, rest = ap.parse_known_args()
    BIN, ROWS = os.path.abspath(args.bin), args.rows
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
