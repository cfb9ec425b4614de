#!/usr/bin/env python3
"""Fault suite: the softlabel command under full disks, unwritable directories, symlinked and FIFO
outputs, signals at several points of a large run, and inputs truncated while they are read
(standard library only; issue #18's rules).

usage: test_faults.py --bin PATH/softlabel [unittest options]

Every test puts an old file at each output path first and checks afterwards that each output is
either that old file, untouched, or the complete output of an undisturbed run (byte for byte), and
that the exit code and message are the documented ones:
  - an output that cannot be written (full disk, /dev/full): exit 74 (73 when it cannot even be
    created), a message naming the file and the reason, the old files untouched, no temporary file
    left;
  - SIGINT / SIGTERM: exit 130 / 143, no temporary file left; SIGKILL: the old files untouched;
  - an input that shrinks while it is read (score, metrics and eval stream it, panel maps it):
    an error naming it (exit 74), never a signal, never a partial output with exit 0;
  - a symlinked output: the link is kept and its target replaced; a FIFO output is written in
    place, a FIFO input read whole.
The full-disk and read-only tests mount small tmpfs file systems when run as root (as CI is);
otherwise they use /dev/full and a directory without write permission.
"""
import argparse
import contextlib
import glob
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BIN = None
OLD = b"old content, must survive\n"
EX_CANTCREAT, EX_IOERR = 73, 74


def run(args, **kw):
    return subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=600, **kw)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def temporaries(directory):
    """Temporary output files left in directory (NAME.tmp.XXXXXX)."""
    return sorted(glob.glob(os.path.join(directory, "*.tmp.*")))


@contextlib.contextmanager
def small_tmpfs(size, read_only=False):
    """A tmpfs of `size` mounted on a new directory (root only); yields its path, or None when
    mounting is not possible here."""
    where = tempfile.mkdtemp(prefix="softlabel-fault-mnt-")
    mounted = False
    try:
        if os.geteuid() == 0:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs",
                                      where], stderr=subprocess.DEVNULL).returncode == 0
        yield where if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", where])
        os.rmdir(where)


class Inputs:
    """The inputs every test uses, made once, and the complete outputs of undisturbed runs."""
    dir = None

    @classmethod
    def make(cls, big):
        cls.dir = tempfile.mkdtemp(prefix="softlabel-fault-")
        d = cls.dir
        rows = 300000 if big else 20000
        cls.interactions = os.path.join(d, "interactions.csv")
        p = run(["gen", "--n", str(rows), "--seed", "3", "--out", cls.interactions])
        assert p.returncode == 0, p.stderr
        cls.small_interactions = os.path.join(d, "small.csv")
        p = run(["gen", "--n", "20000", "--seed", "4", "--out", cls.small_interactions])
        assert p.returncode == 0, p.stderr
        # annotations: a few reviewers per item, three labels
        rng = random.Random(18)
        n_ann = 150000 if big else 6000
        cls.annotations = os.path.join(d, "annotations.csv")
        lines = ["item_id,task,reviewer,label,confidence,evidence"]
        for i in range(n_ann):
            item = i // 3
            lines.append("i%d,t%d,r%d,%s,%.2f,\"e %d, x\"" % (
                item, item % 4, i % 3 + 3 * (item % 7), rng.choice(("low", "mid", "high")),
                rng.random(), i))
        write(cls.annotations, ("\n".join(lines) + "\n").encode())
        cls.items = os.path.join(d, "items.jsonl")
        p = run(["panel", "--in", cls.annotations, "--out", cls.items, "--threads", "2"])
        assert p.returncode == 0, p.stderr
        cls.model = os.path.join(d, "model.jsonl")
        with open(cls.items) as src, open(cls.model, "w") as dst:
            for line in src:
                item = json.loads(line)
                labels = list(item["distribution"] or {"low": 1})
                w = [rng.random() + 0.01 for _ in labels]
                dist = {lab: x / sum(w) for lab, x in zip(labels, w)}
                dst.write(json.dumps({"item_id": item["item_id"], "distribution": dist}) + "\n")
        cls.metrics_in = os.path.join(d, "metrics.csv")
        n_m = 300000 if big else 10000
        with open(cls.metrics_in, "w") as f:
            f.write("p,accepted,ground_truth,tau,c_a,c_b,r_a,r_b\n")
            f.writelines("%.6f,%d,%s,0.1,0,0.2,0,0\n" % (
                rng.random(), rng.random() < 0.7, rng.choice(("1", "-1", ""))) for _ in range(n_m))

    @classmethod
    def cleanup(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)


def commands(outdir, small=False):
    """Each command with file outputs: (name, args, {option: output path}). The main output is the
    first of the paths."""
    o = lambda name: os.path.join(outdir, name)
    interactions = Inputs.small_interactions if small else Inputs.interactions
    return [
        ("score", ["score", "--in", interactions, "--out", o("scored.csv"), "--threads", "2"],
         {"--out": o("scored.csv")}),
        ("score-rejects", ["score", "--in", interactions, "--out", o("scored2.csv"),
                           "--on-error", "skip", "--rejects", o("rejected.csv"), "--threads", "2"],
         {"--out": o("scored2.csv"), "--rejects": o("rejected.csv")}),
        ("gen", ["gen", "--n", "20000" if small else "500000", "--seed", "5", "--out",
                 o("gen.csv")], {"--out": o("gen.csv")}),
        ("panel", ["panel", "--in", Inputs.annotations, "--out", o("p_items.jsonl"), "--summary",
                   o("p_qa.json"), "--report", o("p_qa.html"), "--threads", "2"],
         {"--out": o("p_items.jsonl"), "--summary": o("p_qa.json"), "--report": o("p_qa.html")}),
        ("eval", ["eval", "--human", Inputs.items, "--model", Inputs.model, "--out",
                  o("per_item.jsonl")], {"--out": o("per_item.jsonl")}),
    ]


class FaultTest(unittest.TestCase):
    reference = {}  # command name -> {option: complete output bytes}, from undisturbed runs

    @classmethod
    def setUpClass(cls):
        if not FaultTest.reference:
            refdir = os.path.join(Inputs.dir, "reference")
            os.makedirs(refdir, exist_ok=True)
            for small in (False, True):
                for name, args, outs in commands(refdir, small):
                    p = run(args)
                    assert p.returncode == 0, (name, p.stderr)
                    FaultTest.reference[(name, small)] = {k: read(v) for k, v in outs.items()}

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="softlabel-fault-out-", dir=Inputs.dir)

    def put_old(self, outs):
        for path in outs.values():
            write(path, OLD)

    def assert_old_or_complete(self, name, outs, small, input_renamed=None):
        """Each output is the old file or the complete output (a signal that comes while the
        outputs of one run are renamed, one after the other, may leave some old and some new);
        returns "old" when all are old, "complete" when all are complete, else "mixed".
        input_renamed: (path used, reference's path) of an input the HTML report names."""
        ref = self.reference[(name, small)]
        states = set()
        for opt, path in outs.items():
            got = read(path)
            if input_renamed:
                got = got.replace(input_renamed[0].encode(), input_renamed[1].encode())
            if got == OLD:
                states.add("old")
            elif got == ref[opt]:
                states.add("complete")
            else:
                self.fail("%s %s: %s is torn (%d bytes, neither the old file nor the complete "
                          "output of %d bytes)" % (name, opt, path, len(got), len(ref[opt])))
        return states.pop() if len(states) == 1 else "mixed"


class FullDisk(FaultTest):
    COMMANDS = ("score", "score-rejects", "gen", "panel", "eval")  # file outputs under test
    STDOUT = (["metrics", "--in", "{metrics}"],                     # standard output under test
              ["score", "--in", "{small}", "--out", "-"],
              ["eval", "--human", "{items}", "--model", "{model}"])

    def test_full_tmpfs(self):
        """Outputs on a 256 KiB file system: exit 74 naming the file, old files untouched, no
        temporary file left (the space is given back)."""
        with small_tmpfs("256k") as mnt:
            if mnt is None:
                self.skipTest("mounting a tmpfs needs root (CI runs as root)")
            for name, args, outs in commands(mnt, small=True):
                if name not in self.COMMANDS:
                    continue
                with self.subTest(command=name):
                    self.put_old(outs)
                    p = run(args)
                    err = p.stderr.decode("utf-8", "replace")
                    self.assertEqual(p.returncode, EX_IOERR, "%s: %s" % (name, err))
                    self.assertIn("No space left on device", err)
                    self.assertTrue(any(os.path.basename(v) in err for v in outs.values()), err)
                    self.assertEqual(self.assert_old_or_complete(name, outs, True), "old")
                    self.assertEqual(temporaries(mnt), [])
                    for path in outs.values():
                        os.unlink(path)


    def test_dev_full(self):
        """An output that is /dev/full (written in place): exit 74 naming it."""
        for name, args, outs in commands(self.dir, small=True):
            if name not in self.COMMANDS:
                continue
            with self.subTest(command=name):
                main_out = next(iter(outs.values()))
                p = run([("/dev/full" if a == main_out else a) for a in args])
                err = p.stderr.decode("utf-8", "replace")
                self.assertEqual(p.returncode, EX_IOERR, "%s: %s" % (name, err))
                self.assertIn("/dev/full", err)
        for args in self.STDOUT:
            args = [a.format(metrics=Inputs.metrics_in, small=Inputs.small_interactions,
                             items=Inputs.items, model=Inputs.model) for a in args]
            with self.subTest(stdout=args[0]):
                with open("/dev/full", "wb") as full:
                    p = subprocess.run([BIN] + args, stdout=full, stderr=subprocess.PIPE,
                                       timeout=600)
                err = p.stderr.decode("utf-8", "replace")
                self.assertEqual(p.returncode, EX_IOERR, "%s: %s" % (args[0], err))
                self.assertIn("No space left on device", err)


class PartialFailure(FaultTest):
    def test_one_output_on_a_full_disk_keeps_the_others(self):
        """panel: only --summary (or only --report) on the full disk: nothing is replaced."""
        with small_tmpfs("64k") as mnt:
            if mnt is None:
                self.skipTest("mounting a tmpfs needs root (CI runs as root)")
            on_full = os.path.join(mnt, "moved")
            write(on_full, OLD)
            with open(os.path.join(mnt, "filler"), "wb", buffering=0) as filler:  # every page
                with contextlib.suppress(OSError):
                    while True:
                        filler.write(b"x" * 4096)
            for option in ("--summary", "--report", "--out"):
                with self.subTest(full=option):
                    name, args, outs = commands(self.dir, small=True)[3]
                    self.put_old(outs)
                    args = [on_full if a == outs[option] else a for a in args]
                    moved = dict(outs, **{option: on_full})
                    p = run(args)
                    err = p.stderr.decode("utf-8", "replace")
                    self.assertEqual(p.returncode, EX_IOERR, err)
                    self.assertIn("moved", err)
                    for path in moved.values():
                        self.assertEqual(read(path), OLD, "%s replaced although %s failed" % (
                            path, option))
                    self.assertEqual(temporaries(mnt), [])
                    self.assertEqual(temporaries(self.dir), [])


    def test_rejects_rename_fails_keeps_out(self):
        """score: when the rejects file cannot be renamed into place (its path became a
        directory while the run read its input), --out is not replaced either (issue 18: out.csv
        was replaced first)."""
        out, rejects = os.path.join(self.dir, "o.csv"), os.path.join(self.dir, "r.csv")
        args = [BIN, "score", "--in", Inputs.interactions, "--out", out, "--on-error", "skip",
                "--rejects", rejects, "--chunk-size", "65536"]
        for attempt in range(20):  # until one is caught mid-read
            write(out, OLD)
            write(rejects, OLD)
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            # both outputs open (their temporary files exist), nothing renamed yet
            caught = stopped_mid_read(proc, Inputs.interactions,
                                      lambda: len(temporaries(self.dir)) == 2)
            if caught:
                os.unlink(rejects)
                os.mkdir(rejects)
                proc.send_signal(signal.SIGCONT)
            err = proc.communicate(timeout=600)[1].decode("utf-8", "replace")
            if caught:
                break
        self.assertTrue(caught, "never stopped while reading")
        self.assertEqual(proc.returncode, EX_IOERR, err)
        self.assertIn("r.csv: cannot replace: Is a directory", err)
        self.assertEqual(read(out), OLD)
        self.assertEqual(temporaries(self.dir), [])


class Unwritable(FaultTest):
    def test_read_only_directory(self):
        """Outputs in a directory nobody may write: exit 73 naming the file, old files kept."""
        with small_tmpfs("1m") as mnt:
            if mnt is None and os.geteuid() == 0:
                self.skipTest("as root, a read-only directory needs a read-only mount")
            where = mnt or os.path.join(self.dir, "ro")
            if mnt is None:
                os.mkdir(where)
            for name, args, outs in commands(where, small=True):
                self.put_old(outs)
            if mnt:
                subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
            else:
                os.chmod(where, stat.S_IRUSR | stat.S_IXUSR)
            try:
                for name, args, outs in commands(where, small=True):
                    with self.subTest(command=name):
                        p = run(args)
                        err = p.stderr.decode("utf-8", "replace")
                        self.assertEqual(p.returncode, EX_CANTCREAT, "%s: %s" % (name, err))
                        self.assertTrue(any(v in err for v in outs.values()), err)
                        self.assertEqual(self.assert_old_or_complete(name, outs, True), "old")
            finally:
                if mnt:
                    subprocess.run(["mount", "-o", "remount,rw", mnt], check=True)
                else:
                    os.chmod(where, stat.S_IRWXU)


class Links(FaultTest):
    def test_symlinked_outputs(self):
        """A symlink as output: the link stays, its target gets the complete output."""
        for name, args, outs in commands(self.dir, small=True):
            with self.subTest(command=name):
                targets = {}
                for opt, path in outs.items():
                    target = os.path.join(self.dir, "sub", name + opt.strip("-"))
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    write(target, OLD)
                    os.symlink(os.path.join("sub", os.path.basename(target)), path)
                    targets[opt] = target
                p = run(args)
                self.assertEqual(p.returncode, 0, p.stderr)
                for opt, path in outs.items():
                    self.assertTrue(os.path.islink(path), "%s: the link was replaced" % path)
                    self.assertEqual(read(targets[opt]), self.reference[(name, True)][opt])
                self.assertEqual(temporaries(self.dir) + temporaries(os.path.join(self.dir, "sub")),
                                 [])

    def test_dangling_symlink(self):
        name, args, outs = commands(self.dir, small=True)[0]
        target = os.path.join(self.dir, "new-target.csv")
        os.symlink("new-target.csv", outs["--out"])
        p = run(args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.islink(outs["--out"]))
        self.assertEqual(read(target), self.reference[(name, True)]["--out"])

    def test_fifo_output_and_input(self):
        """A FIFO output is written in place; a FIFO input is read whole."""
        for name, args, outs in commands(self.dir, small=True):
            with self.subTest(command=name):
                opt, path = next(iter(outs.items()))
                os.mkfifo(path)
                got = []
                reader = threading.Thread(target=lambda: got.append(read(path)))
                reader.start()
                p = run(args)
                reader.join(60)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(got[0], self.reference[(name, True)][opt])
                self.assertTrue(stat.S_ISFIFO(os.stat(path).st_mode))
                for other in outs.values():
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(other)
        for name, args, outs in commands(self.dir, small=True):
            source = {"score": Inputs.small_interactions, "panel": Inputs.annotations,
                      "eval": Inputs.model}.get(name)
            if source is None:
                continue
            with self.subTest(fifo_input=name):
                fifo = os.path.join(self.dir, "input.fifo")
                os.mkfifo(fifo)
                writer = threading.Thread(target=lambda: write(fifo, read(source)))
                writer.start()
                p = run([fifo if a == source else a for a in args])
                writer.join(60)
                os.unlink(fifo)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(self.assert_old_or_complete(name, outs, True, (fifo, source)),
                                 "complete")


class Signals(FaultTest):
    POINTS = (0.1, 0.45, 0.8)  # fractions of an undisturbed run's wall time

    def test_signals_at_several_points(self):
        for name, args, outs in commands(self.dir):
            start = time.monotonic()
            p = run(args)
            self.assertEqual(p.returncode, 0, p.stderr)
            duration = time.monotonic() - start
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
                for point in self.POINTS:
                    with self.subTest(command=name, signal=sig.name, at=point):
                        self.put_old(outs)
                        proc = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.PIPE)
                        wait_for_handlers(proc)  # a signal before them is no test of them
                        time.sleep(duration * point)
                        proc.send_signal(sig)
                        _, err = proc.communicate(timeout=600)
                        err = err.decode("utf-8", "replace")
                        state = self.assert_old_or_complete(name, outs, False)
                        if proc.returncode == 0:  # it finished before the signal came
                            self.assertEqual(state, "complete")
                            continue
                        # "complete" too: the signal came after the outputs were committed
                        expected = {signal.SIGINT: 130, signal.SIGTERM: 143,
                                    signal.SIGKILL: -signal.SIGKILL}[sig]
                        self.assertEqual(proc.returncode, expected, err)
                        if sig != signal.SIGKILL:
                            self.assertEqual(temporaries(self.dir), [], "left behind by %s" % name)
                for leftover in temporaries(self.dir):  # only SIGKILL may leave them
                    os.unlink(leftover)
        for args in (["metrics", "--in", Inputs.metrics_in],
                     ["eval", "--human", Inputs.items, "--model", Inputs.model]):
            for sig, expected in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
                with self.subTest(command=args[0], signal=sig.name):
                    proc = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE)
                    wait_for_handlers(proc)
                    time.sleep(0.05)
                    proc.send_signal(sig)
                    proc.communicate(timeout=600)
                    self.assertIn(proc.returncode, (0, expected))


class ShrinkingInput(FaultTest):
    # each command reads the input named in SOURCES: score and eval (--human) with read(), panel
    # through a mapping
    SOURCES = {"score": "interactions", "score-rejects": "interactions", "panel": "annotations",
               "eval": "items"}

    def shrink_while_running(self, name, args, source, outs, at):
        """Runs args on a copy of source, truncates the copy to 1000 bytes `at` seconds after the
        command opened (or mapped) it; a run that ended first is left as it is."""
        copy = os.path.join(self.dir, "shrinking" + os.path.splitext(source)[1])
        shutil.copyfile(source, copy)
        self.put_old(outs)
        proc = subprocess.Popen([BIN] + [copy if a == source else a for a in args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if wait_until_open(proc, copy):
            time.sleep(at)
            os.truncate(copy, 1000)
        _, err = proc.communicate(timeout=600)
        return proc.returncode, err.decode("utf-8", "replace"), copy

    def test_input_truncated_while_read(self):
        """An input that shrinks while it is read: exit 74 naming it, never a signal (SIGBUS);
        the old outputs untouched. A run that had read everything before finishes normally."""
        for name, args, outs in commands(self.dir):
            if name not in self.SOURCES:
                continue
            source = getattr(Inputs, self.SOURCES[name])
            start = time.monotonic()
            self.assertEqual(run(args).returncode, 0)
            duration = time.monotonic() - start
            for point in (0.05, 0.3):
                with self.subTest(command=name, at=point):
                    code, err, copy = self.shrink_while_running(name, args, source, outs,
                                                                duration * point)
                    self.assertGreaterEqual(code, 0, "killed by signal %d: %s" % (-code, err))
                    state = self.assert_old_or_complete(name, outs, False, (copy, source))
                    if code == 0:
                        self.assertEqual(state, "complete")
                        continue
                    self.assertEqual(code, EX_IOERR, err)
                    self.assertIn(os.path.basename(copy) + ": changed while being read", err)
                    self.assertEqual(state, "old")
                    self.assertEqual(temporaries(self.dir), [])

    def test_streamed_input_changed_mid_read(self):
        """Deterministic: each command that streams its input is stopped (SIGSTOP) while its read
        position is inside the file, the file is cut to 1000 bytes or rewritten in place (same
        size, new bytes), and the command continued: exit 74 naming the file, nothing on
        standard output, the old outputs untouched, no temporary file."""
        o = lambda name: os.path.join(self.dir, name)
        # inputs of several read blocks (score: --chunk-size; metrics reads 1 MiB at a time;
        # eval through stdio, 4 KiB), so that the readers can be caught between two reads
        metrics_in = o("metrics_in.csv")
        with open(Inputs.metrics_in, "rb") as f:
            header, body = f.readline(), f.read()
        write(metrics_in, header + body * (1 + (3 << 20) // len(body)))
        cases = [  # (name, args with {in} for the input, the input, {option: output})
            ("score", ["score", "--in", "{in}", "--out", o("s.csv"), "--threads", "2",
                       "--chunk-size", "65536"], Inputs.interactions, {"--out": o("s.csv")}),
            ("score-rejects", ["score", "--in", "{in}", "--out", o("s2.csv"), "--on-error",
                               "skip", "--rejects", o("r.csv"), "--chunk-size", "65536"],
             Inputs.interactions, {"--out": o("s2.csv"), "--rejects": o("r.csv")}),
            ("eval-human", ["eval", "--human", "{in}", "--model", Inputs.model, "--out",
                            o("e.jsonl")], Inputs.items, {"--out": o("e.jsonl")}),
            ("eval-model", ["eval", "--human", Inputs.items, "--model", "{in}", "--out",
                            o("e.jsonl")], Inputs.model, {"--out": o("e.jsonl")}),
            ("metrics", ["metrics", "--in", "{in}"], metrics_in, {}),
        ]
        for name, args, source, outs in cases:
            for change in ("truncate", "rewrite"):
                with self.subTest(command=name, change=change):
                    copy = os.path.join(self.dir, "changing" + os.path.splitext(source)[1])
                    for attempt in range(20):  # until one is caught mid-read
                        self.put_old(outs)  # (a run that was not caught replaced them)
                        shutil.copyfile(source, copy)
                        proc = subprocess.Popen([BIN] + [a.format(**{"in": copy}) for a in args],
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                        caught = stopped_mid_read(proc, copy)
                        if caught:
                            if change == "truncate":
                                os.truncate(copy, 1000)
                            else:
                                with open(copy, "r+b") as f:
                                    f.seek(os.path.getsize(copy) - 2)
                                    f.write(b"9")
                            proc.send_signal(signal.SIGCONT)
                        out, err = proc.communicate(timeout=600)
                        if caught:
                            break
                    self.assertTrue(caught, "never stopped while reading")
                    err = err.decode("utf-8", "replace")
                    self.assertEqual(proc.returncode, EX_IOERR, err)
                    self.assertIn("changing%s: changed while being read" %
                                  os.path.splitext(source)[1], err)
                    self.assertEqual(out, b"")
                    for path in outs.values():
                        self.assertEqual(read(path), OLD)
                    self.assertEqual(temporaries(self.dir), [])


def read_position(pid, path):
    """The file offset of the process's descriptor open on path, None when it has none."""
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == path:
                with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                    return int(f.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def stopped_mid_read(proc, path, ready=lambda: True):
    """Stops proc (SIGSTOP) while its read position on path lies strictly inside the file, so it
    has not met the end yet, and ready() holds; False (and proc left running) when it got past
    the end first."""
    path, size = os.path.realpath(path), os.path.getsize(path)
    while proc.poll() is None:
        pos = read_position(proc.pid, path)
        if pos is not None and 0 < pos < size:
            proc.send_signal(signal.SIGSTOP)
            while proc.poll() is None and not is_stopped(proc.pid):
                time.sleep(0.001)
            pos = read_position(proc.pid, path)
            if pos is not None and 0 < pos < size and ready():
                return True
            proc.send_signal(signal.SIGCONT)
    return False


def wait_for_handlers(proc):
    """Waits until proc catches SIGINT and SIGTERM (SigCgt in /proc/PID/status), or has ended."""
    wanted = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    while proc.poll() is None:
        try:
            with open("/proc/%d/status" % proc.pid) as f:
                caught = next(int(l.split()[1], 16) for l in f if l.startswith("SigCgt:"))
        except (OSError, StopIteration, ValueError):
            caught = 0
        if caught & wanted == wanted:
            return


def wait_until_open(proc, path):
    """Waits until proc has path open or mapped: True, or False when it ended first."""
    path = os.path.realpath(path)
    while proc.poll() is None:
        if read_position(proc.pid, path) is not None:
            return True
        try:
            with open("/proc/%d/maps" % proc.pid) as f:
                if path in f.read():
                    return True
        except OSError:
            pass
    return False


def is_stopped(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "T"
    except (OSError, IndexError):
        return False


def set_bin(path):
    global BIN
    BIN = os.path.abspath(path)


def main(module="__main__"):
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--small", action="store_true",
                    help="small inputs (quick; the signal tests then mostly see finished runs)")
    args, rest = ap.parse_known_args()
    set_bin(args.bin)
    Inputs.make(big=not args.small)
    try:
        prog = unittest.main(module=module, argv=[sys.argv[0]] + rest, verbosity=2, exit=False)
    finally:
        Inputs.cleanup()
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
