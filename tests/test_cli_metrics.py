#!/usr/bin/env python3
"""softlabel metrics, end to end (standard library only).

Every batch of golden/metrics_items.csv is written to its own CSV (all of the golden file's
columns, so extra columns are exercised) and run through the command on every instruction-set
path this machine can run, with that batch's payoff parameters from payoff_configs.csv. The
printed JSON must have exactly the keys, order, nesting and value types (int, float, null) of
the batch's `expected` object in metrics_expected.jsonl, every number within 1e-12 (1 + |v|) and
every count exact. Then bad input: bad rows are reported with line, column and value, left out,
and the exit code is 65; a missing column, a missing file and bad options fail as documented.

usage: test_cli_metrics.py SOFTLABEL_BINARY GOLDEN_DIR [EMULATOR ARGS...]
(the emulator, e.g. qemu-aarch64 with its options, runs a cross-built binary)
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

BIN, GOLDEN = sys.argv[1], sys.argv[2]
CMD = sys.argv[3:] + [BIN]
PARAMS = ["s_plus", "s_minus", "h", "theta", "rho_a", "rho_b", "w_rep"]
worst = 0.0


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(args, env=None):
    return subprocess.run(CMD + ["metrics"] + args, capture_output=True, text=True, env=env)


def same(got, exp, where):
    """Exact structure and types; numbers within 1e-12 (1 + |v|), integers exact."""
    global worst
    if isinstance(exp, dict):
        if not isinstance(got, dict) or list(got) != list(exp):
            fail(f"{where}: keys {list(got) if isinstance(got, dict) else got} != {list(exp)}")
        for k in exp:
            same(got[k], exp[k], f"{where}.{k}")
    elif isinstance(exp, list):
        if not isinstance(got, list) or len(got) != len(exp):
            fail(f"{where}: {got!r} != {exp!r}")
        for i, (g, e) in enumerate(zip(got, exp)):
            same(g, e, f"{where}[{i}]")
    elif exp is None:
        if got is not None:
            fail(f"{where}: {got!r}, reference null")
    elif type(got) is not type(exp):
        fail(f"{where}: {got!r} is {type(got).__name__}, reference {exp!r} is {type(exp).__name__}")
    elif isinstance(exp, int):
        if got != exp:
            fail(f"{where}: count {got} != {exp}")
    else:
        err = abs(got - exp)
        if not err <= 1e-12 * (1 + abs(exp)):
            fail(f"{where}: {got!r} != reference {exp!r}")
        worst = max(worst, err / (1 + abs(exp)))


def supported_isas():
    out = subprocess.run(CMD + ["info"], capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("paths this machine can run:")][0]
    return line.split(":", 1)[1].split()


def golden(tmp):
    with open(os.path.join(GOLDEN, "payoff_configs.csv")) as f:
        configs = {r["config_id"]: r for r in csv.DictReader(f)}
    with open(os.path.join(GOLDEN, "metrics_items.csv")) as f:
        reader = csv.reader(f)
        header = next(reader)
        items = list(reader)
    with open(os.path.join(GOLDEN, "metrics_expected.jsonl")) as f:
        batches = [json.loads(line) for line in f if line.strip()]
    if sum(b["n"] for b in batches) != len(items):
        fail("metrics_items.csv has rows outside the expected batches")
    for isa in supported_isas():
        env = dict(os.environ, SOFTLABEL_ISA=isa)
        for b in batches:
            path = os.path.join(tmp, f"batch{b['batch_id']}.csv")
            with open(path, "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(header)
                w.writerows(r for r in items if r[0] == str(b["batch_id"]))
            cfg = configs[b["payoff_config_id"]]
            args = ["--in", path] + [a for p in PARAMS for a in ("--" + p.replace("_", "-"), cfg[p])]
            out = run(args, env)
            if out.returncode != 0:
                fail(f"{isa} batch {b['batch_id']}: exit {out.returncode}: {out.stderr}")
            same(json.loads(out.stdout), b["expected"], f"{isa} batch {b['batch_id']}")
        print(f"golden metrics through the command, {isa}: {len(batches)} batches, "
              f"max |err|/(1+|v|) = {worst:.3g}")


def bad_input(tmp):
    header = "batch_id,p,accepted,ground_truth,tau,c_a,c_b,r_a,r_b\n"
    good = "7,0.25,1,1,0.1,0.2,0.3,0.4,0.5\n"
    rows = [
        (good, None),
        ("7,1.5,1,1,0,0,0,0,0\n", ("p", 2, "1.5")),
        ("7,abc,1,,0,0,0,0,0\n", ("p", 2, "abc")),
        ("7,0.5,2,,0,0,0,0,0\n", ("accepted", 3, "2")),
        ("7,0.5,1,0,0,0,0,0,0\n", ("ground_truth", 4, "0")),
        ("7,0.5,1,,inf,0,0,0,0\n", ("tau", 5, "inf")),
        ("7,0.5,1,,0,nan,0,0,0\n", ("c_a", 6, "nan")),
        ("7,0.5,1,,0,0,,0,0\n", ("c_b", 7, "")),
        ("7,0.5,1,,0,0,0,0\n", None),  # too few fields
        ("7,0.5,1,,0,0,0,1e308,1e308\n", None),  # payoffs overflow
        (good, None),
    ]
    path = os.path.join(tmp, "bad.csv")
    with open(path, "w") as f:
        f.write(header + "".join(r for r, _ in rows))
    out = run(["--in", path])
    if out.returncode != 65:
        fail(f"bad rows: exit {out.returncode}, expected 65; stderr: {out.stderr}")
    for k, (_, expect) in enumerate(rows):
        line = k + 2
        if expect is None and rows[k][0] == good:
            if f"bad.csv:{line}:" in out.stderr:
                fail(f"good line {line} reported: {out.stderr}")
            continue
        msgs = [m for m in out.stderr.splitlines() if f"bad.csv:{line}:" in m]
        if not msgs:
            fail(f"bad line {line} not reported: {out.stderr}")
        if expect:
            col, field, value = expect
            if f"column '{col}' (field {field})" not in msgs[0] or f"'{value}'" not in msgs[0]:
                fail(f"line {line}: message lacks column/field/value: {msgs[0]}")
    report = json.loads(out.stdout)
    pq = report["participation_by_quality"]
    if pq["high_quality_count"] + pq["low_quality_count"] != 2:
        fail(f"the report should cover the 2 valid rows: {pq}")
    if "9 bad rows left out" not in out.stderr:
        fail(f"no summary of the bad rows: {out.stderr}")

    missing = os.path.join(tmp, "missing_col.csv")
    with open(missing, "w") as f:
        f.write("p,accepted,ground_truth,tau,c_a,c_b,r_a\n0.5,1,,0,0,0,0\n")
    out = run(["--in", missing])
    if out.returncode != 65 or "no column 'r_b'" not in out.stderr:
        fail(f"missing column: exit {out.returncode}: {out.stderr}")
    out = run(["--in", os.path.join(tmp, "does_not_exist.csv")])
    if out.returncode != 66:
        fail(f"missing file: exit {out.returncode}")
    for args, why in ([["--in"], "no value"], [["--in", path, "--theta", "2"], "theta out of range"],
                      [["--in", path, "--bogus", "1"], "unknown option"], [[], "no --in"]):
        out = run(args)
        if out.returncode != 64:
            fail(f"{why}: exit {out.returncode}, expected 64")
    # empty batch and standard input
    out = subprocess.run(CMD + ["metrics", "--in", "-"], input=header, capture_output=True, text=True)
    if out.returncode != 0 or json.loads(out.stdout)["quality_distribution"] != []:
        fail(f"header-only input from stdin: exit {out.returncode}: {out.stdout} {out.stderr}")
    print("bad input: reported with line, column and value; exit codes 65, 66, 64")


with tempfile.TemporaryDirectory() as tmp:
    golden(tmp)
    bad_input(tmp)
print("PASS")
