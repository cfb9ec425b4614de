"""score_frame over the Arrow PyCapsule interface: pyarrow, polars, pandas, DuckDB."""

import numpy as np
import pytest

import softlabel as sl

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")
duckdb = pytest.importorskip("duckdb")

N = 1000


def columns(n=N, seed=2):
    rng = np.random.default_rng(seed)
    return {
        "task_progress_delta": rng.uniform(-1.2, 1.2, n),
        "rework_count": rng.integers(0, 6, n, dtype=np.int64),  # frames default to int64
        "verifier_rejections": rng.integers(0, 3, n, dtype=np.int32),
        "counterparty_engagement_delta": rng.uniform(-1.2, 1.2, n),
        "tool_misuse_flags": rng.integers(0, 3, n, dtype=np.uint8),
        "note": [f"row {i}" for i in range(n)],
    }


def reference(c, px=None):
    px = px or sl.Proxy()
    return px.score(c["task_progress_delta"], c["rework_count"].astype(np.int32),
                    c["verifier_rejections"], c["counterparty_engagement_delta"],
                    c["tool_misuse_flags"].astype(np.int32))


def test_pyarrow_table_in_table_out():
    c = columns()
    t = pa.table(c)
    out = sl.score_frame(t)
    assert isinstance(out, pa.Table)
    assert out.column_names == list(c) + ["v_hat", "p"]
    v, p = reference(c)
    assert np.array_equal(out.column("v_hat").to_numpy(), v)
    assert np.array_equal(out.column("p").to_numpy(), p)
    assert out.column("note").to_pylist() == c["note"]


def test_pyarrow_chunked_record_batch_and_offsets():
    c = columns()
    t = pa.table(c)
    chunked = pa.concat_tables([t.slice(0, 300), t.slice(300, 1), t.slice(301)])
    assert chunked.column(0).num_chunks == 3
    sliced = t.slice(17, 500)  # non-zero Arrow offsets
    v, p = reference(c)
    assert np.array_equal(sl.score_frame(chunked).column("p").to_numpy(), p)
    assert np.array_equal(sl.score_frame(sliced).column("p").to_numpy(), p[17:517])
    batch = t.to_batches()[0]
    out = sl.score_frame(batch)
    assert isinstance(out, pa.RecordBatch) and np.array_equal(out.column("p").to_numpy(), p)


def test_polars_pandas_duckdb_give_the_same_scores_and_kind():
    c = columns()
    v, p = reference(c)
    out = sl.score_frame(pl.DataFrame(c))
    assert isinstance(out, pl.DataFrame) and np.array_equal(out["p"].to_numpy(), p)
    df = pd.DataFrame(c)
    out = sl.score_frame(df)
    assert isinstance(out, pd.DataFrame) and np.array_equal(out["p"].to_numpy(), p)
    assert list(out.columns) == list(df.columns) + ["v_hat", "p"] and "v_hat" not in df
    con = duckdb.connect()
    rel = con.sql("SELECT * FROM df")
    out = sl.score_frame(rel)
    assert "Relation" in type(out).__name__
    got = out.fetchnumpy()
    assert np.array_equal(got["p"], p) and np.array_equal(got["v_hat"], v)


def test_float32_columns_score_in_single_precision():
    c = columns()
    c["task_progress_delta"] = c["task_progress_delta"].astype(np.float32)
    c["counterparty_engagement_delta"] = c["counterparty_engagement_delta"].astype(np.float32)
    out = sl.score_frame(pa.table(c))
    assert out.schema.field("p").type == pa.float32()
    assert np.array_equal(out.column("p").to_numpy(), reference(c)[1])
    mixed = dict(c, counterparty_engagement_delta=c["counterparty_engagement_delta"].astype(float))
    with pytest.raises(TypeError, match="precision"):
        sl.score_frame(pa.table(mixed))


def test_columns_mapping_and_missing_misuse_column():
    c = columns()
    renamed = {"progress": c["task_progress_delta"], "rework": c["rework_count"],
               "rejections": c["verifier_rejections"],
               "engagement": c["counterparty_engagement_delta"]}
    mapping = {"task_progress_delta": "progress", "rework_count": "rework",
               "verifier_rejections": "rejections", "counterparty_engagement_delta": "engagement"}
    out = sl.score_frame(pa.table(renamed), columns=mapping)
    px = sl.Proxy()
    _, p = px.score(c["task_progress_delta"], c["rework_count"].astype(np.int32),
                    c["verifier_rejections"], c["counterparty_engagement_delta"])
    assert np.array_equal(out.column("p").to_numpy(), p)  # no misuse column: all zero
    ignored = sl.score_frame(pa.table(c), columns={"tool_misuse_flags": None})
    assert np.array_equal(ignored.column("p").to_numpy(), p)
    with pytest.raises(KeyError, match="progress"):
        sl.score_frame(pa.table(renamed))
    with pytest.raises(KeyError, match="unknown"):
        sl.score_frame(pa.table(c), columns={"progress": "x"})


def test_proxy_and_threads():
    c = columns(200_000)
    px = sl.Proxy(sigmoid_k=4.0, w_engagement=1.0)
    one = sl.score_frame(pa.table(c), px)
    two = sl.score_frame(pa.table(c), px, threads=2)
    assert np.array_equal(one.column("p").to_numpy(), reference(c, px)[1])
    assert np.array_equal(two.column("p").to_numpy(), one.column("p").to_numpy())


def test_nulls_and_invalid_values_are_invalid_rows():
    c = columns(20)
    progress = pa.array(c["task_progress_delta"].tolist()[:5] + [None] +
                        c["task_progress_delta"].tolist()[6:])
    rework = pa.array(c["rework_count"].tolist()[:9] + [None] + c["rework_count"].tolist()[10:])
    t = pa.table(dict(c, task_progress_delta=progress, rework_count=rework))
    with pytest.raises(sl.InvalidRowError) as e:
        sl.score_frame(t)
    assert (e.value.row, e.value.column) == (5, "task_progress_delta")
    assert "null" in str(e.value)
    out = sl.score_frame(t, errors="mask").column("p").to_numpy(zero_copy_only=False)
    assert np.isnan(out[[5, 9]]).all() and not np.isnan(np.delete(out, [5, 9])).any()
    v, p = reference(c)
    assert np.array_equal(np.delete(out, [5, 9]), np.delete(p, [5, 9]))
    neg = dict(c, verifier_rejections=np.where(np.arange(20) == 12, -1, c["verifier_rejections"]))
    with pytest.raises(sl.InvalidRowError) as e:
        sl.score_frame(pl.DataFrame(neg))
    assert (e.value.row, e.value.column) == (12, "verifier_rejections")
    nan = dict(c, counterparty_engagement_delta=np.where(np.arange(20) == 3, np.nan,
                                                          c["counterparty_engagement_delta"]))
    with pytest.raises(sl.InvalidRowError) as e:
        sl.score_frame(pa.table(nan))
    assert (e.value.row, e.value.column) == (3, "counterparty_engagement_delta")


def test_counts_beyond_int32_and_bad_types_raise():
    c = columns(10)
    big = dict(c, rework_count=np.where(np.arange(10) == 4, 2**32 + 1, c["rework_count"]))
    with pytest.raises(ValueError, match=r"row 4.*rework_count.*4294967297"):
        sl.score_frame(pa.table(big))
    text = dict(c, rework_count=[str(x) for x in c["rework_count"]])
    with pytest.raises(TypeError, match="rework_count"):
        sl.score_frame(pa.table(text))
    with pytest.raises(TypeError, match="PyCapsule"):
        sl.score_frame({"task_progress_delta": [0.1]})
    with pytest.raises(ValueError, match="already has a column 'p'"):
        sl.score_frame(pa.table(dict(c, p=np.zeros(10))))


def test_float64_buffers_are_scored_in_place():
    """Scoring a pyarrow table allocates the two outputs and nothing proportional to the input."""
    import tracemalloc

    n = 1_000_000
    rng = np.random.default_rng(1)
    t = pa.table({"task_progress_delta": rng.uniform(-1, 1, n),
                  "rework_count": np.zeros(n, np.int32),
                  "verifier_rejections": np.zeros(n, np.int32),
                  "counterparty_engagement_delta": rng.uniform(-1, 1, n)})
    sl.score_frame(t)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        sl.score_frame(t)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 2 * 8 * n + 64 * 1024, peak  # v_hat and p, plus small change
