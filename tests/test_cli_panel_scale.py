#!/usr/bin/env python3
"""softlabel panel / eval: issue #18's defects 5, 6 and 7, and --omit-zeros (standard library only).

- defect 5: a rubric with 400,000 labels in one task, and one with 400,000 tasks, were checked in
  quadratic time (200k: over a minute). Each run here gets 60 s of CPU (RLIMIT_CPU, not wall time:
  the machine's load does not matter); linear work takes a few seconds even under an emulator.
- defect 6: 20,000 items, each with its own label in one task, built labels x items matrices
  (63 s, 4 GB). With --omit-zeros the output is one label per item, so time and memory must be
  proportional to the annotations: peak RSS below 256 MiB (os.wait4's ru_maxrss), 60 s of CPU.
  Without it the output itself is labels x items, but the memory must not be: 4096 items with
  their own labels (170 MB of JSONL) in less than 96 MiB (the writer's blocks of 4096 items held
  the whole output).
- --omit-zeros writes every item exactly as without it, minus the labels without votes.
- defect 7: eval: a task's first human line with a bad share must not fix the task's label set:
  the later valid items of the task are evaluated.

usage: test_cli_panel_scale.py SOFTLABEL_BINARY [EMULATOR ARGS...]
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
CMD = sys.argv[2:] + [BIN]
CPU_SECONDS = 60


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def limit_cpu():
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def run(args, cwd):
    """exit code, stderr and peak RSS (MiB) of the command, with CPU_SECONDS of CPU at most"""
    p = subprocess.Popen(CMD + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=limit_cpu)
    err = p.stderr.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode < 0:
        fail(f"{args[0]} killed by signal {-p.returncode} (CPU limit {CPU_SECONDS} s?): {err}")
    return p.returncode, err, usage.ru_maxrss / 1024


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def big_rubrics(d):
    n = 400_000
    write(os.path.join(d, "labels.yaml"),
          "big: [" + ", ".join(f"l{i}" for i in range(n)) + "]\nsmall: [a, b]\n")
    write(os.path.join(d, "tasks.yaml"), "".join(f"t{i}: [a, b]\n" for i in range(n)))
    write(os.path.join(d, "ann.csv"), "item_id,task,reviewer,label\n"
          "i1,big,r1,l399999\ni1,big,r2,l7\ni2,small,r1,a\ni3,t0,r1,b\n")
    rc, err, _ = run(["panel", "--in", "ann.csv", "--rubric", "labels.yaml", "--out", "o1.jsonl",
                      "--omit-zeros"], d)
    if rc != 65 or "'t0' is not a task of the rubric" not in err:
        fail(f"rubric of 400k labels: exit {rc}, {err}")
    items = [json.loads(l) for l in open(os.path.join(d, "o1.jsonl"))]
    if [it["distribution"] for it in items] != [{"l7": 0.5, "l399999": 0.5}, {"a": 1}]:
        fail(f"rubric of 400k labels: {items}")
    rc, err, _ = run(["panel", "--in", "ann.csv", "--rubric", "tasks.yaml", "--out", "o2.jsonl"], d)
    if rc != 65 or err.count("is not a task of the rubric") != 3:
        fail(f"rubric of 400k tasks: exit {rc}, {err}")
    items = [json.loads(l) for l in open(os.path.join(d, "o2.jsonl"))]
    if [(it["item_id"], it["distribution"]) for it in items] != [("i3", {"a": 0, "b": 1})]:
        fail(f"rubric of 400k tasks: {items}")
    # a label given twice in a task of 400k labels is still found, with its line
    write(os.path.join(d, "twice.yaml"),
          "big: [" + ", ".join(f"l{i}" for i in range(n)) + ", l123]\n")
    rc, err, _ = run(["panel", "--in", "ann.csv", "--rubric", "twice.yaml", "--out", "o3.jsonl"], d)
    if rc != 65 or "label given twice: 'l123'" not in err:
        fail(f"label given twice: exit {rc}, {err}")
    print("defect 5: rubrics of 400k labels and of 400k tasks within the CPU limit")


def own_labels(d):
    n = 20_000
    write(os.path.join(d, "own.csv"), "item_id,task,reviewer,label\n" +
          "".join(f"i{i},t,r1,l{i}\n" for i in range(n)))
    rc, err, rss = run(["panel", "--in", "own.csv", "--out", "own.jsonl", "--omit-zeros",
                        "--threads", "2"], d)
    if rc != 0:
        fail(f"own labels: exit {rc}: {err}")
    items = [json.loads(l) for l in open(os.path.join(d, "own.jsonl"))]
    if len(items) != n or any(it["distribution"] != {f"l{i}": 1} for i, it in enumerate(items)):
        fail("own labels: each item's distribution should be its own label alone")
    if rss >= 256:
        fail(f"own labels: peak RSS {rss:.0f} MiB (labels x items?)")
    print(f"defect 6: {n} items with their own labels, peak RSS {rss:.0f} MiB")


def own_labels_dense(d):
    """(run first: the peak RSS of the child counts this process's memory before exec)"""
    n = 4096
    write(os.path.join(d, "dense.csv"), "item_id,task,reviewer,label\n" +
          "".join(f"i{i},t,r1,l{i}\n" for i in range(n)))
    rc, err, rss = run(["panel", "--in", "dense.csv", "--out", "dense.jsonl", "--threads", "2"], d)
    if rc != 0:
        fail(f"own labels, dense: exit {rc}: {err}")
    with open(os.path.join(d, "dense.jsonl")) as f:
        lines = f.readlines()
    last = json.loads(lines[-1])
    if len(lines) != n or len(last["distribution"]) != n or last["distribution"][f"l{n - 1}"] != 1:
        fail("own labels, dense: every item lists every label, its own with share 1")
    if rss >= 96:
        fail(f"own labels, dense: peak RSS {rss:.0f} MiB (the output held in memory?)")
    print(f"defect 6, dense output of {n} x {n}: peak RSS {rss:.0f} MiB")


def omit_zeros(d):
    write(os.path.join(d, "mixed.csv"), "item_id,task,reviewer,label,error\n"
          "a,sev,r1,mild,0\na,sev,r2,severe,0\nb,sev,r1,moderate,0\nc,sev,r1,mild,1\n"
          "d,ok,r1,yes,0\nd,ok,r2,yes,0\n")
    full = run(["panel", "--in", "mixed.csv", "--out", "full.jsonl"], d)
    sparse = run(["panel", "--in", "mixed.csv", "--out", "sparse.jsonl", "--omit-zeros"], d)
    if full[0] != 0 or sparse[0] != 0:
        fail(f"omit-zeros: exit {full[0]}, {sparse[0]}")
    a = [json.loads(l) for l in open(os.path.join(d, "full.jsonl"))]
    b = [json.loads(l) for l in open(os.path.join(d, "sparse.jsonl"))]
    for x, y in zip(a, b, strict=True):
        dist = x.pop("distribution")
        want = None if dist is None else {k: v for k, v in dist.items() if v != 0}
        if y.pop("distribution") != want or x != y:
            fail(f"omit-zeros: {x} vs {y}")
    if b[0]["item_id"] != "a" or list(json.loads(open(os.path.join(d, "sparse.jsonl")).readline())
                                      ["distribution"]) != ["mild", "severe"]:
        fail("omit-zeros: labels in the task's order")
    print("--omit-zeros: the same items without the zero shares")


def eval_first_line(d):
    human = [
        {"item_id": "i0", "task": "safety", "distribution": {"safe": 0.5, "junk": "x", "unsafe": 0.5},
         "disagreement_class": "major"},
        {"item_id": "i1", "task": "safety", "distribution": {"safe": 1, "unsafe": 0},
         "disagreement_class": "agreement"},
        {"item_id": "i2", "task": "safety", "distribution": {"safe": 0.25, "unsafe": 0.75},
         "disagreement_class": "major"},
    ]
    model = [{"item_id": "i1", "distribution": {"safe": 0.5, "unsafe": 0.5}},
             {"item_id": "i2", "distribution": {"safe": 0.5, "unsafe": 0.5}}]
    write(os.path.join(d, "h.jsonl"), "".join(json.dumps(o) + "\n" for o in human))
    write(os.path.join(d, "m.jsonl"), "".join(json.dumps(o) + "\n" for o in model))
    rc, err, _ = run(["eval", "--human", "h.jsonl", "--model", "m.jsonl", "--out", "per.jsonl",
                      "--allow-missing"], d)
    lines = [l for l in err.splitlines() if l.startswith("h.jsonl:")]
    if rc != 65 or len(lines) != 1 or not lines[0].startswith("h.jsonl:1:"):
        fail(f"eval: exit {rc}, errors {err}")
    per = [json.loads(l) for l in open(os.path.join(d, "per.jsonl"))]
    if [p["item_id"] for p in per] != ["i1", "i2"]:
        fail(f"eval: the valid items of the task should be evaluated: {per}")
    print("defect 7: eval's first bad human line leaves the task's labels to the next valid line")


with tempfile.TemporaryDirectory() as d:
    big_rubrics(d)
    own_labels_dense(d)
    own_labels(d)
    omit_zeros(d)
    eval_first_line(d)
print("test_cli_panel_scale: all passed")
