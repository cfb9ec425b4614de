"""score_frame: scoring tables of any library that speaks the Arrow PyCapsule interface."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from . import _core

OBSERVABLES = ("task_progress_delta", "rework_count", "verifier_rejections",
               "counterparty_engagement_delta", "tool_misuse_flags")


def score_frame(table: Any, proxy: Optional["_core.Proxy"] = None, *,
                columns: Optional[Mapping[str, Optional[str]]] = None, threads: int = 1,
                errors: str = "raise") -> Any:
    """Scores every row of a table and returns the same kind of table with ``v_hat`` and ``p``
    appended (SPEC section 1).

    ``table``: anything with the Arrow PyCapsule interface (``__arrow_c_stream__`` or
    ``__arrow_c_array__``): a pyarrow Table or RecordBatch, a polars DataFrame, a pandas
    DataFrame (pandas >= 2.2), a DuckDB relation. Its observable columns are found by their SPEC
    names, or by ``columns={"task_progress_delta": "progress", ...}`` (``"tool_misuse_flags":
    None``, or no such column: all zero). The two real columns must both be float64 (scored in
    double) or both float32 (in single precision); counts may be any integer type (int32 is read
    in place, other widths are converted a block at a time; a count beyond int32 raises
    ValueError). Numeric Arrow buffers are scored where they are, without copying.

    Invalid rows (NaN or a null in a real column, a negative or null count): errors="raise"
    raises InvalidRowError with ``.row`` (counted over the whole table) and ``.column`` (the
    table's column name); errors="mask" gives them NaN in ``v_hat`` and ``p``. ``proxy``: a
    Proxy (None: the SPEC defaults). ``threads`` as in Proxy.score; the GIL is released while
    scoring.

    Returns a table of the input's kind: pyarrow Table / RecordBatch, polars DataFrame, pandas
    DataFrame, DuckDB relation (from a pyarrow table, so DuckDB input needs pyarrow); other
    PyCapsule producers give a pyarrow Table.
    """
    px = proxy if proxy is not None else _core.Proxy()
    names = {name: name for name in OBSERVABLES}
    if columns:
        unknown = set(columns) - set(OBSERVABLES)
        if unknown:
            raise KeyError(f"score_frame: columns= maps unknown observables {sorted(unknown)}; "
                           f"known: {list(OBSERVABLES)}")
        names.update(columns)
    if not (hasattr(table, "__arrow_c_stream__") or hasattr(table, "__arrow_c_array__")):
        raise TypeError(f"score_frame: a {type(table).__name__} has no Arrow PyCapsule interface "
                        "(__arrow_c_stream__ / __arrow_c_array__); pass a pyarrow Table, a "
                        "polars or pandas DataFrame, a DuckDB relation, ...")
    kind = _kind(table)
    if kind in ("duckdb", "arrow"):  # a query result or a one-shot stream: materialize it once
        import pyarrow as pa

        table = pa.table(table)
    for new in ("v_hat", "p"):
        if new in _column_names(table, kind):
            raise ValueError(f"score_frame: the table already has a column {new!r}")
    v_hat, p = _core._score_arrow(table, px, [names[o] or "" for o in OBSERVABLES], threads,
                                  errors)
    return _append(table, kind, v_hat, p)


def _kind(table: Any) -> str:
    module = type(table).__module__.split(".")[0]
    name = type(table).__name__
    if module == "pyarrow" and name in ("Table", "RecordBatch"):
        return "pyarrow"
    if module == "polars" and name == "DataFrame":
        return "polars"
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module in ("duckdb", "_duckdb") and "Relation" in name:
        return "duckdb"
    return "arrow"


def _column_names(table: Any, kind: str):
    if kind == "pandas":
        return [str(c) for c in table.columns]
    if kind == "polars":
        return list(table.columns)
    return list(table.schema.names)  # pyarrow (also what duckdb and other producers became)


def _append(table: Any, kind: str, v_hat, p) -> Any:
    if kind == "pandas":
        return table.assign(v_hat=v_hat, p=p)
    if kind == "polars":
        import polars as pl

        return table.with_columns(pl.Series("v_hat", v_hat), pl.Series("p", p))
    import pyarrow as pa

    out = table.append_column("v_hat", pa.array(v_hat)).append_column("p", pa.array(p))
    if kind == "duckdb":
        import duckdb

        return duckdb.from_arrow(out)
    return out
