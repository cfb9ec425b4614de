"""softlabel.dask on real clusters: a LocalCluster of 2 worker processes, and a cluster of separate
processes this module starts (`dask scheduler` + 2 `dask worker` on 127.0.0.1, random ports).

Every result is checked against the same data computed in this process: scored p bit-identical
(joined by id), rows in = rows out with each id once, metrics equal to one pass, a worker killed
mid-job, invalid rows named by file, row group, row and id, the command line."""

import json
import operator
import os
import signal
import subprocess
import sys
import time

import cloudpickle
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

import dask
import dask.dataframe as dd
import softlabel as sl
import softlabel.dask as sld

# the worker plugin below is defined here: pickled by value, so workers need not import this file
cloudpickle.register_pickle_by_value(sys.modules[__name__])

BIN = os.path.dirname(sys.executable)
PROXY = sl.Proxy(w_progress=0.5, w_rework=0.2, w_verifier=0.1, w_engagement=0.2, sigmoid_k=3.0)
PARAMS = sl.PayoffParams(s_plus=3.0, h=1.5, theta=0.4)
METRIC_FIELDS = ("p", "accepted", "ground_truth", "tau", "c_a", "r_b")


# ---- clusters ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def process_cluster(tmp_path_factory):
    """A scheduler and two workers as separate processes (each in its own process group, so
    stopping it stops the nanny and its worker): stopped in the finalizer whatever happened."""
    d = tmp_path_factory.mktemp("cluster")
    scheduler_file = str(d / "scheduler.json")
    procs = []

    def start(args, log):
        procs.append(subprocess.Popen([os.path.join(BIN, "dask")] + args, cwd=d,
                                      stdout=open(d / log, "w"), stderr=subprocess.STDOUT,
                                      start_new_session=True))

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
               "--scheduler-file", scheduler_file], "scheduler.log")
        deadline = time.monotonic() + 120
        while not os.path.exists(scheduler_file):
            assert procs[0].poll() is None, (d / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start in 120 s"
            time.sleep(0.1)
        for i in range(2):
            start(["worker", "--scheduler-file", scheduler_file, "--host", "127.0.0.1",
                   "--nthreads", "1", "--no-dashboard", "--local-directory", str(d / f"w{i}")],
                  f"worker{i}.log")
        with open(scheduler_file) as f:
            address = json.load(f)["address"]
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


@pytest.fixture(scope="module")
def process_client(process_cluster):
    with Client(process_cluster, timeout=120) as client:
        client.wait_for_workers(2, timeout=120)
        yield client


@pytest.fixture(params=["local", "process"])
def client(request):
    return request.getfixturevalue(f"{request.param}_client")


# ---- data ----------------------------------------------------------------------------------------

def write_dataset(root, layout, seed=0, bad=()):
    """Parquet files under root: layout is {file name: [rows of each row group]}; the rows are
    the same for any layout of the same total (drawn at once, then cut). Ids are a permutation,
    so rows are joined by id, not by position. bad: (file, row group, row, column, value) cells
    to spoil. Returns the whole data as one pyarrow table in dataset order."""
    rng = np.random.default_rng(seed)
    n = sum(sum(groups) for groups in layout.values())
    data = {
        "id": rng.permutation(n).astype(np.int64) + 10 ** 9,
        "task_progress_delta": rng.uniform(-1.2, 1.2, n),
        "rework_count": rng.integers(0, 6, n),  # int64, as frames write counts
        "verifier_rejections": rng.integers(0, 3, n).astype(np.int32),
        "counterparty_engagement_delta": rng.uniform(-1.2, 1.2, n),
        "tool_misuse_flags": rng.integers(0, 2, n).astype(np.int32),
        "accepted": rng.integers(0, 2, n).astype(bool),
        "ground_truth": rng.choice(np.array([-1, 0, 1], np.int8), n),
        "tau": rng.normal(0, 1, n),
        "c_a": rng.uniform(0, 0.5, n),
        "r_b": rng.uniform(-1, 1, n),
        "note": np.array([f"row {i}" for i in range(n)], dtype=object),
    }
    tables, start = [], 0
    for name, groups in sorted(layout.items()):
        os.makedirs(os.path.dirname(os.path.join(root, name)) or root, exist_ok=True)
        writer = None
        for g, rows in enumerate(groups):
            t = {k: v[start:start + rows].copy() for k, v in data.items()}
            for file, group, row, column, value in bad:
                if (file, group) == (name, g):
                    t[column][row] = value
            t = pa.table(t)
            writer = writer or pq.ParquetWriter(os.path.join(root, name), t.schema)
            writer.write_table(t, row_group_size=rows)
            tables.append(t)
            start += rows
        writer.close()
    return pa.concat_tables(tables)


def reference_score(table, proxy=PROXY):
    c = {name: table.column(name).to_numpy() for name in table.column_names}
    return proxy.score(c["task_progress_delta"], c["rework_count"].astype(np.int32),
                       c["verifier_rejections"], c["counterparty_engagement_delta"],
                       c["tool_misuse_flags"], errors="mask")


def one_pass(table, p, **options):
    """The metrics of every row in one update of one state, in this process."""
    m = sl.Metrics(PARAMS, **options)
    m.update(p, table.column("accepted").to_numpy(), table.column("ground_truth").to_numpy(),
             table.column("tau").to_numpy(), table.column("c_a").to_numpy(), None, None,
             table.column("r_b").to_numpy())
    return m.finalize()


def by_id(table):
    return table.take(pa.compute.sort_indices(table, [("id", "ascending")]))


def bits(a):
    return np.ascontiguousarray(a, np.float64).view(np.uint64)


def read_output(dst):
    """The output files in name order (the dataset order) and what else lies there."""
    names = sorted(os.path.relpath(os.path.join(d, f), dst)
                   for d, _, files in os.walk(dst) for f in files)
    assert all(n.endswith(".parquet") and ".tmp-" not in n for n in names), names
    return pa.concat_tables([pq.read_table(os.path.join(dst, n)) for n in names]), names


def assert_scored(dst, source, result=None):
    """dst holds every row of source once, in order, p and v_hat bit-identical to this process."""
    out, _ = read_output(dst)
    assert out.num_rows == source.num_rows
    assert len(np.unique(out.column("id").to_numpy())) == out.num_rows
    assert out.column("id").equals(source.column("id"))  # each id once, in input order
    assert out.select(source.column_names).equals(source)  # every column passes through
    v_hat, p = reference_score(by_id(source))
    got = by_id(out)
    assert np.array_equal(bits(got.column("p").to_numpy()), bits(p))
    assert np.array_equal(bits(got.column("v_hat").to_numpy()), bits(v_hat))
    if result is not None:
        assert result.rows == source.num_rows


def assert_same_report(got, expected, exact):
    """Counts and bins exactly; the real metrics bit for bit when exact, else within the bound
    test_metrics.c holds merged states to (1e-13 (1 + |v|): summation order only)."""
    a, b = got.to_dict(), expected.to_dict()
    assert a.keys() == b.keys()
    for name in ("n", "n_accepted", "n_labelled", "n_positive", "high_quality_accepted",
                 "uncertain_count"):
        assert getattr(got, name) == getattr(expected, name), name
    assert got.discrimination_auc == expected.discrimination_auc
    assert got.discrimination_auc_error_bound == expected.discrimination_auc_error_bound

    def walk(x, y, path):
        if isinstance(x, dict):
            assert x.keys() == y.keys(), path
            for k in x:
                walk(x[k], y[k], f"{path}.{k}")
        elif isinstance(x, list):
            assert len(x) == len(y), path
            for i, (u, v) in enumerate(zip(x, y)):
                walk(u, v, f"{path}[{i}]")
        elif isinstance(x, int) or x is None or exact:
            assert type(x) is type(y) and x == y, (path, x, y)
        else:
            assert abs(x - y) <= 1e-13 * (1 + abs(y)), (path, x, y)

    walk(a, b, "report")


# ---- scoring -------------------------------------------------------------------------------------

LAYOUT = {"a.parquet": [3000, 2017, 1], "b.parquet": [4096], "sub/c.parquet": [999, 1500, 700]}


def test_score_parquet_bit_identical(client, tmp_path):
    source = write_dataset(tmp_path / "in", LAYOUT)
    result = sld.score_parquet(tmp_path / "in", tmp_path / "out", PROXY, client=client,
                               id_column="id")
    assert (result.files, result.row_groups, result.invalid_rows) == (3, 7, 0)
    assert_scored(tmp_path / "out", source, result)
    _, names = read_output(tmp_path / "out")
    assert names == ["a.rg00000.parquet", "a.rg00001.parquet", "a.rg00002.parquet",
                     "b.rg00000.parquet", "sub/c.rg00000.parquet", "sub/c.rg00001.parquet",
                     "sub/c.rg00002.parquet"]
    assert [pq.ParquetFile(tmp_path / "out" / n).metadata.num_row_groups for n in names] == [1] * 7
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []  # no staging left


def test_score_dask_dataframe(client):
    source = write_dataset_in_memory(5000)
    frame = source.to_pandas().set_index("id")
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)  # partitions of 1250 rows, in order
    scored = client.compute(sld.score(ddf, PROXY)).result()
    assert scored.index.equals(frame.index)
    v_hat, p = reference_score(source)
    assert np.array_equal(bits(scored["p"].to_numpy()), bits(p))
    assert np.array_equal(bits(scored["v_hat"].to_numpy()), bits(v_hat))
    frame.iloc[3000, frame.columns.get_loc("rework_count")] = -1  # partition 2 (1250 rows each)
    with pytest.raises(sld.DatasetRowError) as e:
        client.compute(sld.score(dd.from_pandas(frame, npartitions=4, sort=False),
                                 PROXY)).result()
    where = e.value.where
    assert (where.partition, where.row, where.id, where.column) == (
        2, 500, frame.index[3000], "rework_count")
    assert e.value.status == sl.Status.NEGATIVE_REWORK_COUNT


def write_dataset_in_memory(n):
    rng = np.random.default_rng(5)
    return pa.table({
        "id": rng.permutation(n).astype(np.int64),
        "task_progress_delta": rng.uniform(-1.2, 1.2, n),
        "rework_count": rng.integers(0, 6, n),
        "verifier_rejections": rng.integers(0, 3, n).astype(np.int32),
        "counterparty_engagement_delta": rng.uniform(-1.2, 1.2, n),
        "tool_misuse_flags": rng.integers(0, 2, n).astype(np.int32),
        "accepted": rng.integers(0, 2, n).astype(bool),
        "ground_truth": rng.choice(np.array([-1, 0, 1], np.int8), n),
        "tau": rng.normal(0, 1, n), "c_a": rng.uniform(0, 0.5, n), "r_b": rng.uniform(-1, 1, n),
    })


# ---- metrics -------------------------------------------------------------------------------------

PARTITIONINGS = [
    {"all.parquet": [12000]},
    {"a.parquet": [997] * 6 + [18], "b.parquet": [2016, 3984]},
    {f"f{i}.parquet": [1000, 499, 1] for i in range(8)},  # 24 groups, of 1 row every third
]


def test_metrics_equal_one_pass(client, tmp_path):
    """Three partitionings of the same rows and several merge trees against one pass: bit for
    bit with exact sums, within the compensated sums' bound without."""
    reports = {}
    for k, layout in enumerate(PARTITIONINGS):
        root = tmp_path / f"in{k}"
        source = write_dataset(root, layout, seed=7)
        _, p = reference_score(source)
        scored = source.append_column("p", pa.array(p))
        pq.write_table(scored, tmp_path / f"scored{k}.parquet", row_group_size=5000)
        for auc, trees in (("exact", (2, 3, 16)), ("sketch", (3,))):
            expected = one_pass(source, p, auc_sketch_bins=256 if auc == "sketch" else 0)
            for split_every in trees:
                got = sld.metrics_parquet(root, PARAMS, proxy=PROXY, client=client, auc=auc,
                                          auc_sketch_bins=256, split_every=split_every)
                assert got.n == 12000
                assert_same_report(got, expected, exact=False)
                reports[(k, auc, split_every)] = got.to_dict()
        # from a p column instead of the observables
        got = sld.metrics_parquet(tmp_path / f"scored{k}.parquet", PARAMS, client=client)
        assert_same_report(got, one_pass(source, p), exact=False)
        # exact sums: one pass's bits, whatever the row groups and the merge tree
        expected = one_pass(source, p, exact_sums=True)
        for split_every in (2, 16):
            got = sld.metrics_parquet(root, PARAMS, proxy=PROXY, client=client, exact_sums=True,
                                      split_every=split_every)
            assert_same_report(got, expected, exact=True)
            reports[(k, "exact_sums", split_every)] = got.to_dict()
    # the layouts hold the same rows: with exact sums every partitioning gives the same bits
    assert reports[(0, "exact_sums", 2)] == reports[(1, "exact_sums", 16)] == \
        reports[(2, "exact_sums", 2)]
    # the same job gives the same bits on this cluster and on local threads
    with dask.config.set(scheduler="threads"):
        again = sld.metrics_parquet(tmp_path / "in1", PARAMS, proxy=PROXY, split_every=3)
    assert again.to_dict() == reports[(1, "exact", 3)]


def test_metrics_dask_dataframe(client):
    source = write_dataset_in_memory(6000)
    _, p = reference_score(source)
    frame = source.append_column("p", pa.array(p)).to_pandas()
    got = sld.metrics(dd.from_pandas(frame, npartitions=5, sort=False), PARAMS, client=client,
                      split_every=2)
    assert_same_report(got, one_pass(source, p), exact=False)
    got = sld.metrics(dd.from_pandas(frame, npartitions=7, sort=False), PARAMS, client=client,
                      exact_sums=True)
    assert_same_report(got, one_pass(source, p, exact_sums=True), exact=True)
    fused = sld.metrics(dd.from_pandas(frame.drop(columns="p"), npartitions=3, sort=False),
                        PARAMS, PROXY,
                        client=client)
    assert_same_report(fused, one_pass(source, p), exact=False)


def test_state_round_trip_and_damaged_blob_on_workers(client):
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 4000)
    m = sl.Metrics(PARAMS, bins=7, auc_sketch_bins=1024)
    m.update(p, rng.integers(0, 2, 4000).astype(bool), rng.choice(np.array([-1, 1], np.int8), 4000))
    blob = m.to_bytes()
    from_bytes = operator.methodcaller("from_bytes", blob)  # Metrics.from_bytes(blob), there
    back = client.submit(from_bytes, sl.Metrics).result()  # made on a worker, pickled back
    assert back.to_bytes() == blob and back.auc_sketch_bins == 1024
    assert client.submit(operator.methodcaller("to_bytes"), m).result() == blob
    assert back.finalize().to_dict() == m.finalize().to_dict()
    damaged = bytearray(blob)
    damaged[len(blob) // 2] ^= 0x10
    for bad, status in ((bytes(damaged), sl.Status.BLOB_CHECKSUM),
                        (blob[:-1], sl.Status.BLOB_TRUNCATED),
                        (b"SLMETRIX" + blob[8:], sl.Status.BLOB_MAGIC)):
        with pytest.raises(sl.SoftlabelError) as e:
            client.submit(operator.methodcaller("from_bytes", bad), sl.Metrics).result()
        assert e.value.status == status


# ---- a worker dies -------------------------------------------------------------------------------

class KillOnce(WorkerPlugin):
    """Ends its worker process (os._exit, as a crash would) when it starts the `nth` task whose
    key starts with `prefix`; the marker file makes it happen once in the whole cluster."""

    name = "softlabel-test-kill-once"

    def __init__(self, prefix, nth, marker):
        self.prefix, self.nth, self.marker = prefix, nth, marker
        self.started = 0

    def transition(self, key, start, finish, **kwargs):
        if finish != "executing" or not str(key).startswith(self.prefix):
            return
        self.started += 1
        if self.started == self.nth:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
            os._exit(1)


def test_worker_killed_mid_job(client, tmp_path):
    layout = {f"f{i}.parquet": [1500, 1500, 1000] for i in range(4)}  # 12 tasks
    source = write_dataset(tmp_path / "in", layout, seed=11)
    undisturbed = sld.metrics_parquet(tmp_path / "in", PARAMS, proxy=PROXY, client=client,
                                      split_every=3)
    for prefix, job in (("softlabel-score-", "score"), ("softlabel-metrics-", "metrics")):
        marker = tmp_path / f"killed-{job}"
        client.register_plugin(KillOnce(prefix, 3, str(marker)))
        try:
            if job == "score":
                result = sld.score_parquet(tmp_path / "in", tmp_path / "out", PROXY,
                                           client=client, id_column="id")
                assert_scored(tmp_path / "out", source, result)
            else:
                report = sld.metrics_parquet(tmp_path / "in", PARAMS, proxy=PROXY,
                                             client=client, split_every=3)
                assert report.to_dict() == undisturbed.to_dict()  # the same tree: same bits
                assert report.n == source.num_rows
        finally:
            client.unregister_worker_plugin(KillOnce.name)
        assert marker.exists(), "no worker was killed"
        client.wait_for_workers(2, timeout=120)


# ---- invalid rows and the output directory -------------------------------------------------------

BAD_LAYOUT = {"a.parquet": [2000, 2000], "b.parquet": [1000, 3000]}
BAD_CELLS = [("b.parquet", 1, 5, "task_progress_delta", np.nan),
             ("a.parquet", 0, 17, "rework_count", -2)]


def test_invalid_rows_named_by_file_row_group_row_and_id(client, tmp_path):
    source = write_dataset(tmp_path / "in", BAD_LAYOUT, seed=2, bad=BAD_CELLS[:1])
    ids = source.column("id").to_numpy()
    with pytest.raises(sld.DatasetRowError) as e:
        sld.score_parquet(tmp_path / "in", tmp_path / "out", PROXY, client=client,
                          id_column="id")
    where = e.value.where
    assert (os.path.basename(where.file), where.row_group, where.row, where.id, where.column) == (
        "b.parquet", 1, 1005, ids[4000 + 1005], "task_progress_delta")
    assert e.value.row == 1005 and e.value.status == sl.Status.NAN_TASK_PROGRESS
    assert f"b.parquet: row group 1, row 1005 (id {ids[5005]})" in str(e.value)
    assert not os.path.exists(tmp_path / "out")
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []

    source = write_dataset(tmp_path / "in2", BAD_LAYOUT, seed=2, bad=BAD_CELLS)
    result = sld.score_parquet(tmp_path / "in2", tmp_path / "out", PROXY, client=client,
                               id_column="id", errors="mask")
    assert (result.rows, result.invalid_rows) == (8000, 2)
    assert [(os.path.basename(r.file), r.row_group, r.row, r.id, r.column)
            for r in result.invalid] == [("a.parquet", 0, 17, ids[17], "rework_count"),
                                         ("b.parquet", 1, 1005, ids[5005], "task_progress_delta")]
    out, _ = read_output(tmp_path / "out")
    assert out.column("id").equals(source.column("id"))
    p = out.column("p").to_numpy()
    assert np.flatnonzero(np.isnan(p)).tolist() == [17, 5005]
    _, p_ref = reference_score(source)
    assert np.array_equal(bits(p), bits(p_ref))  # NaN where invalid, the same bits elsewhere

    with pytest.raises(sld.DatasetRowError) as e:
        sld.metrics_parquet(tmp_path / "in2", PARAMS, proxy=PROXY, client=client, id_column="id")
    assert e.value.where.column in ("rework_count", "task_progress_delta")  # whichever task failed
    with pytest.warns(sld.InvalidRowsWarning, match="2 of 8000 rows"):
        report = sld.metrics_parquet(tmp_path / "in2", PARAMS, proxy=PROXY, client=client,
                                     errors="skip")
    valid = np.ones(8000, bool)
    valid[[17, 5005]] = False
    assert_same_report(report, one_pass(source.filter(pa.array(valid)), p_ref[valid]),
                       exact=False)


def test_metrics_column_errors(client, tmp_path):
    source = write_dataset_in_memory(3000)
    _, p = reference_score(source)
    accepted = source.column("accepted").to_numpy().astype(np.int64)
    accepted[2999] = 2
    table = source.set_column(source.column_names.index("accepted"), "accepted",
                              pa.array(accepted)).append_column("prob", pa.array(p))
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=1000)
    with pytest.raises(sld.DatasetRowError) as e:
        sld.metrics_parquet(tmp_path / "t.parquet", PARAMS, client=client, columns={"p": "prob"})
    assert (e.value.where.row_group, e.value.where.row, e.value.where.column) == (2, 2999,
                                                                                  "accepted")
    with pytest.raises(KeyError, match="no column 'p'"):
        sld.metrics_parquet(tmp_path / "t.parquet", PARAMS, client=client)
    with pytest.raises(sl.ParameterError):
        sld.metrics_parquet(tmp_path / "t.parquet", PARAMS, client=client, auc="sketch",
                            auc_sketch_bins=100)


def test_output_directory_replaced_whole_or_not_at_all(client, tmp_path):
    write_dataset(tmp_path / "good", {"a.parquet": [500, 500]}, seed=4)
    write_dataset(tmp_path / "bad", {"a.parquet": [500, 500]}, seed=4,
                  bad=[("a.parquet", 1, 3, "verifier_rejections", -1)])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("old")
    with pytest.raises(FileExistsError):
        sld.score_parquet(tmp_path / "good", tmp_path / "out", client=client)
    with pytest.raises(sld.DatasetRowError):
        sld.score_parquet(tmp_path / "bad", tmp_path / "out", client=client, overwrite=True)
    assert os.listdir(tmp_path / "out") == ["keep.txt"]  # a failed job changed nothing
    sld.score_parquet(tmp_path / "good", tmp_path / "out", client=client, overwrite=True)
    assert sorted(os.listdir(tmp_path / "out")) == ["a.rg00000.parquet", "a.rg00001.parquet"]
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []


# ---- the command ---------------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([os.path.join(BIN, "softlabel-dask"), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_cli_on_the_process_cluster(process_cluster, tmp_path):
    source = write_dataset(tmp_path / "in", LAYOUT, seed=9)
    r = run_cli("score", "--in", tmp_path / "in", "--out", tmp_path / "out", "--scheduler",
                process_cluster, "--weights", "0.5,0.2,0.1,0.2", "--k", "3", "--id-column", "id")
    assert r.returncode == 0, r.stderr
    assert_scored(tmp_path / "out", source)
    r = run_cli("metrics", "--in", tmp_path / "out", "--scheduler", process_cluster,
                "--s-plus", "3", "--h", "1.5", "--theta", "0.4", "--exact-sums")
    assert r.returncode == 0, r.stderr
    expected = one_pass(source, reference_score(source)[1], exact_sums=True)
    assert json.loads(r.stdout) == json.loads(json.dumps(expected.to_dict()))

    write_dataset(tmp_path / "bad", BAD_LAYOUT, seed=2, bad=BAD_CELLS[:1])
    r = run_cli("score", "--in", tmp_path / "bad", "--out", tmp_path / "out2", "--scheduler",
                process_cluster, "--id-column", "id")
    assert r.returncode == 65
    assert "b.parquet: row group 1, row 1005 (id " in r.stderr and "task_progress_delta" in r.stderr
    assert not os.path.exists(tmp_path / "out2")
    r = run_cli("score", "--in", tmp_path / "bad", "--out", tmp_path / "out2", "--scheduler",
                process_cluster, "--on-error", "mask")
    assert r.returncode == 65 and "1 invalid row" in r.stderr
    assert pq.read_table(tmp_path / "out2").num_rows == 8000
    r = run_cli("score", "--in", tmp_path / "bad", "--out", tmp_path / "out2", "--scheduler",
                process_cluster)
    assert r.returncode == 73 and "exists and is not an empty directory" in r.stderr


def test_cli_local_cluster_and_exit_codes(tmp_path):
    source = write_dataset(tmp_path / "in", {"a.parquet": [700, 300]}, seed=1)
    _, p = reference_score(source)
    pq.write_table(source.append_column("p", pa.array(p)), tmp_path / "scored.parquet")
    r = run_cli("metrics", "--in", tmp_path / "scored.parquet", "--workers", "2", "--auc",
                "sketch", "--sketch-bins", "64")
    assert r.returncode == 0, r.stderr
    m = sl.Metrics(auc_sketch_bins=64)
    m.update(p, source.column("accepted").to_numpy(), source.column("ground_truth").to_numpy(),
             source.column("tau").to_numpy(), source.column("c_a").to_numpy(), None, None,
             source.column("r_b").to_numpy())
    report = json.loads(r.stdout)
    assert report["discrimination_auc"] == m.finalize().discrimination_auc
    assert report.keys() == m.finalize().to_dict().keys()
    assert "discrimination_auc_error_bound" in r.stderr  # the sketch's bound, beside the report
    assert run_cli("score", "--in", tmp_path / "none", "--out", tmp_path / "o").returncode == 66
    assert run_cli("score", "--in", tmp_path / "in").returncode == 64
    assert run_cli("score", "--in", tmp_path / "in", "--out", tmp_path / "o",
                   "--k", "0").returncode == 64
