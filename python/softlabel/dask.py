"""softlabel.dask: scoring Parquet datasets and their batch metrics on a Dask cluster.

    import softlabel as sl, softlabel.dask as sld
    sld.score_parquet("interactions/", "scored/", sl.Proxy(), client=client, id_column="id")
    report = sld.metrics_parquet("scored/", sl.PayoffParams(), client=client, auc="sketch")
    ddf2 = sld.score(ddf, sl.Proxy())                # a dask DataFrame with v_hat and p appended
    report = sld.metrics(ddf2, sl.PayoffParams())

The unit of work of the Parquet functions is one row group of one file (a task reads it with
pyarrow, scores it or adds it to a metrics state): pick row groups of 10^5 .. 10^6 rows, at least a
few per worker. Metrics states travel as the library's serialized form (``Metrics.to_bytes``) and
are merged in a tree of ``split_every`` states per merge, always in dataset order (file, then row
group), so the same dataset and ``split_every`` give the same bits on any number of workers. See
the README, "Scaling out", for what is exact and what is bounded.

``client``: a ``distributed.Client``; None runs on dask's default scheduler (the active
distributed client if there is one, else local threads). Paths must name the same files on the
client and on every worker (a local disk on one machine, or a shared file system).
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import dask
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import _core
from .errors import InvalidRowError
from .frame import OBSERVABLES, score_frame

#: The metrics input columns (SPEC 3): p (or the observables, scored with a proxy), accepted,
#: and the optional ground_truth and payoff columns.
METRIC_COLUMNS = ("p", "accepted", "ground_truth", "tau", "c_a", "c_b", "r_a", "r_b")
_OPTIONAL = ("ground_truth", "tau", "c_a", "c_b", "r_a", "r_b", "tool_misuse_flags")
#: Invalid rows described one by one per job (the rest are counted).
MAX_DESCRIBED = 100
#: AUC sketch bins of auc="sketch" by default (16 bytes each: a 64 KiB state).
SKETCH_BINS = 4096

PathLike = Union[str, "os.PathLike[str]"]


class Piece(NamedTuple):
    """One unit of work: one row group of one Parquet file."""

    file: str       # its path
    name: str       # its path relative to the source (names the output file)
    row_group: int
    first_row: int  # the group's first row, counted from the file's first row
    rows: int


class InvalidRow(NamedTuple):
    """Where an invalid row is: ``row`` is counted from the first row of its file (Parquet) or
    of its partition (dask DataFrame: ``file`` and ``row_group`` are None); ``id`` is its value
    of the id column (the index label for a DataFrame; None without one)."""

    file: Optional[str]
    row_group: Optional[int]
    partition: int
    row: int
    id: Any
    column: str
    reason: str

    def __str__(self) -> str:
        where = (f"{self.file}: row group {self.row_group}, row {self.row}" if self.file is not None
                 else f"partition {self.partition}, row {self.row}")
        if self.id is not None:
            where += f" (id {self.id!r})"
        if self.reason.startswith(self.column):  # "rework_count is negative"
            return f"{where}: {self.reason}"
        return f"{where}: column {self.column}: {self.reason}"


class DatasetRowError(InvalidRowError):
    """An invalid row of a dataset: ``.where`` (an InvalidRow: file, row group, row within the
    file, id, column), ``.row`` and ``.column`` as in InvalidRowError."""

    def __init__(self, where: InvalidRow, status: int, status_text: str) -> None:
        super().__init__(str(where), status, status_text, where.row, where.column)
        self.where = where

    def __reduce__(self):  # moves between worker and client processes
        return (DatasetRowError, (self.where, int(self.status), self.status_text))


class InvalidRowsWarning(UserWarning):
    """Rows left out of a metrics job run with errors="skip"."""


class ScoreResult(NamedTuple):
    """What score_parquet wrote: ``rows`` in = rows out; ``invalid_rows`` of them (errors="mask")
    have NaN v_hat and p, the first MAX_DESCRIBED described in ``invalid`` (dataset order)."""

    dst: str
    files: int
    row_groups: int
    rows: int
    invalid_rows: int
    invalid: Tuple[InvalidRow, ...]


class _Partial(NamedTuple):
    """A metrics task's result: the serialized state and what the rows held."""

    state: bytes
    rows: int
    invalid_rows: int
    invalid: Tuple[InvalidRow, ...]


# ---- the dataset: files and row groups ----------------------------------------------------------

def list_pieces(src: Union[PathLike, Sequence[PathLike]]) -> List[Piece]:
    """The row groups of a Parquet dataset in dataset order: ``src`` is a directory (every
    ``*.parquet`` below it, by sorted relative path; names starting with ``.`` or ``_`` are
    skipped, as pyarrow skips them), one file, or a list of files."""
    pieces = []
    for path, name in _parquet_files(src):
        meta = pq.read_metadata(path)
        first = 0
        for g in range(meta.num_row_groups):
            rows = meta.row_group(g).num_rows
            pieces.append(Piece(path, name, g, first, rows))
            first += rows
    return pieces


def _parquet_files(src) -> List[Tuple[str, str]]:
    if isinstance(src, (list, tuple)):
        files = [(os.path.abspath(f), os.path.basename(f)) for f in src]
        names = [n for _, n in files]
        if len(set(names)) != len(names):
            raise ValueError("softlabel.dask: the files given share a name; give a directory")
        for path, _ in files:
            if not os.path.isfile(path):
                raise FileNotFoundError(f"softlabel.dask: {path}: no such file")
        return files
    root = os.path.abspath(os.fspath(src))
    if os.path.isfile(root):
        return [(root, os.path.basename(root))]
    if not os.path.isdir(root):
        raise FileNotFoundError(f"softlabel.dask: {root}: no such file or directory")
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for f in filenames:
            if f.endswith(".parquet") and not f.startswith((".", "_")):
                path = os.path.join(dirpath, f)
                files.append((path, os.path.relpath(path, root)))
    if not files:
        raise FileNotFoundError(f"softlabel.dask: {root}: no *.parquet files in it")
    return sorted(files, key=lambda f: f[1])


def _read(piece: Piece, columns: Optional[List[str]]) -> pa.Table:
    with pq.ParquetFile(piece.file) as f:
        table = f.read_row_group(piece.row_group, columns=columns, use_threads=False)
    if table.num_rows != piece.rows:
        raise RuntimeError(f"softlabel.dask: {piece.file}: row group {piece.row_group} has "
                           f"{table.num_rows} rows, {piece.rows} when the job started: the file "
                           "changed during the job")
    return table


def _output_name(piece: Piece) -> str:
    stem = piece.name[:-len(".parquet")] if piece.name.endswith(".parquet") else piece.name
    return f"{stem}.rg{piece.row_group:05d}.parquet"


def _column_names(columns: Optional[Mapping[str, Optional[str]]],
                  known: Sequence[str]) -> Dict[str, Optional[str]]:
    names: Dict[str, Optional[str]] = {c: c for c in known}
    if columns:
        unknown = set(columns) - set(known)
        if unknown:
            raise KeyError(f"softlabel.dask: columns= maps unknown columns {sorted(unknown)}; "
                           f"known: {list(known)}")
        names.update(columns)
    return names


def _check_schema(pieces: List[Piece], needed: Sequence[str],
                  absent: Sequence[str]) -> Dict[str, List[str]]:
    """Each file's column names; names the first file that lacks a needed column or has a
    column it must not have."""
    columns = {}
    for path in dict.fromkeys(p.file for p in pieces):
        columns[path] = pq.read_schema(path).names
        for c in needed:
            if c not in columns[path]:
                raise KeyError(f"softlabel.dask: {path}: no column {c!r}")
        for c in absent:
            if c in columns[path]:
                raise ValueError(f"softlabel.dask: {path}: already has a column {c!r}")
    return columns


# ---- invalid rows --------------------------------------------------------------------------------

def _reason(e: InvalidRowError) -> str:
    """The library's words on the row, without the call's own "what: row N, column C:"."""
    text = str(e)
    marker = f"column {e.column}: "
    return text.split(marker, 1)[1] if marker in text else e.status_text


def _ids(table: pa.Table, id_column: Optional[str]):
    return table.column(id_column) if id_column else None


def _locate(piece: Piece, index: int, row: int, ids, e: InvalidRowError) -> InvalidRow:
    return InvalidRow(piece.file, piece.row_group, index, piece.first_row + row,
                      ids[row].as_py() if ids is not None else None, e.column, _reason(e))


def _scoring_error(table: pa.Table, row: int, proxy, names) -> InvalidRowError:
    """Why the library refuses one row: its error when the row is scored alone."""
    try:
        score_frame(table.slice(row, 1), proxy, columns=names)
    except InvalidRowError as e:
        return e
    raise RuntimeError(f"softlabel.dask: row {row} gave NaN but scores alone")


# ---- scoring ---------------------------------------------------------------------------------------

def _score_piece(piece: Piece, index: int, stage: str, proxy, names, id_column, errors):
    table = _read(piece, None)
    ids = _ids(table, id_column)
    if errors == "raise":
        try:
            scored = score_frame(table, proxy, columns=names)
        except InvalidRowError as e:
            raise DatasetRowError(_locate(piece, index, e.row, ids, e), e.status,
                                  e.status_text) from None
        bad = np.empty(0, np.int64)
    else:
        scored = score_frame(table, proxy, columns=names, errors="mask")
        bad = np.flatnonzero(np.isnan(scored.column("p").to_numpy()))
    invalid = tuple(_locate(piece, index, int(r), ids, _scoring_error(table, int(r), proxy, names))
                    for r in bad[:MAX_DESCRIBED])
    _write_atomic(scored, os.path.join(stage, _output_name(piece)))
    return table.num_rows, int(bad.size), invalid


def _write_atomic(table: pa.Table, path: str) -> None:
    """One file: written and fsync'ed under a temporary name, then renamed (a task that Dask
    runs again, after its worker died, replaces the file whole)."""
    tmp = f"{path}.tmp-{uuid.uuid4().hex}"
    try:
        with open(tmp, "wb") as f:
            pq.write_table(table, f, row_group_size=max(1, table.num_rows))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class _Staging:
    """The output directory, built beside ``dst`` under a unique name and renamed to ``dst``
    only when every task succeeded: a failed job leaves ``dst`` as it was."""

    def __init__(self, dst: PathLike, overwrite: bool) -> None:
        self.dst = os.path.abspath(os.fspath(dst))
        self.overwrite = overwrite
        if os.path.lexists(self.dst) and not overwrite and not _empty_dir(self.dst):
            raise FileExistsError(f"softlabel.dask: {self.dst} exists and is not an empty "
                                  "directory (overwrite=True replaces it)")
        parent, base = os.path.split(self.dst)
        os.makedirs(parent, exist_ok=True)
        self.path = os.path.join(parent, f".{base}.tmp-{uuid.uuid4().hex[:12]}")
        os.mkdir(self.path)

    def make_dirs(self, names: List[str]) -> None:
        # made here, never by tasks: a task still running after an abort finds no directory
        # to write into instead of recreating one
        for d in sorted({os.path.dirname(n) for n in names} - {""}):
            os.makedirs(os.path.join(self.path, d), exist_ok=True)

    def commit(self, names: List[str]) -> None:
        expected = set(names)
        found = set()
        for dirpath, _, filenames in os.walk(self.path):
            for f in filenames:
                rel = os.path.relpath(os.path.join(dirpath, f), self.path)
                if rel in expected:
                    found.add(rel)
                else:  # the temporary file of an attempt whose worker died
                    os.remove(os.path.join(dirpath, f))
        if found != expected:
            missing = sorted(expected - found)
            raise RuntimeError(f"softlabel.dask: {len(missing)} output files missing after the "
                               f"job, e.g. {missing[0]}")
        for dirpath, _, _ in os.walk(self.path):
            _fsync_dir(dirpath)
        old = None
        if os.path.lexists(self.dst):
            if _empty_dir(self.dst):
                os.rmdir(self.dst)
            else:  # overwrite=True
                old = f"{self.path}.old"
                os.rename(self.dst, old)
        os.rename(self.path, self.dst)
        _fsync_dir(os.path.dirname(self.dst))
        if old:
            shutil.rmtree(old)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _empty_dir(path: str) -> bool:
    return os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path)


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def score_parquet(src: Union[PathLike, Sequence[PathLike]], dst: PathLike, proxy=None, *,
                  client=None, columns: Optional[Mapping[str, Optional[str]]] = None,
                  id_column: Optional[str] = None, errors: str = "raise",
                  overwrite: bool = False, progress: bool = False) -> ScoreResult:
    """Scores every row of a Parquet dataset into a new dataset with ``v_hat`` and ``p`` appended.

    ``src``: a directory of ``*.parquet`` files (searched recursively), one file or a list of
    files. Each row group is one task; it becomes one file of ``dst``, named after its source
    file and group (``sub/a.parquet`` group 3 -> ``dst/sub/a.rg00003.parquet``), holding the
    group's rows in order with every column and the two new ones: rows in = rows out, and
    sorting the output names gives the input order. ``proxy``: a Proxy (None: the SPEC
    defaults); ``columns`` maps observables to other column names, as in score_frame.

    Atomic: the files are written into a hidden directory beside ``dst`` (each file under a
    temporary name, fsync'ed, renamed) and the directory is renamed to ``dst`` only after every
    task succeeded, so a failed job leaves ``dst`` as it was (a killed client leaves the hidden
    ``.NAME.tmp-*`` directory behind). ``dst`` must not exist or be an empty directory unless
    ``overwrite=True``.

    Invalid rows (NaN or null in a real column, a negative or null count): errors="raise"
    raises DatasetRowError naming the file, row group, row within the file, id (the
    ``id_column`` value, if given) and column of an invalid row (the first one a task met:
    with several, which one depends on the order tasks ran), and writes nothing;
    errors="mask" writes NaN v_hat and p for them and returns them in the result.
    ``progress``: show a progress bar (distributed's, or dask's ProgressBar without a client).
    """
    if errors not in ("raise", "mask"):
        raise ValueError(f"score_parquet: errors must be 'raise' or 'mask', not {errors!r}")
    proxy = proxy if proxy is not None else _core.Proxy()
    names = _column_names(columns, OBSERVABLES)
    pieces = list_pieces(src)
    needed = [names[o] for o in OBSERVABLES if names[o] and o != "tool_misuse_flags"]
    _check_schema(pieces, needed + ([id_column] if id_column else []), ["v_hat", "p"])
    outputs = [_output_name(p) for p in pieces]
    stage = _Staging(dst, overwrite)
    try:
        stage.make_dirs(outputs)
        job = uuid.uuid4().hex[:8]
        task = dask.delayed(_score_piece, pure=False)
        tasks = [task(p, i, stage.path, proxy, names, id_column, errors,
                      dask_key_name=f"softlabel-score-{job}-{i}") for i, p in enumerate(pieces)]
        results = _compute(tasks, client, progress)
        stage.commit(outputs)
    except BaseException:
        stage.abort()
        raise
    invalid = tuple(r for _, _, described in results for r in described)[:MAX_DESCRIBED]
    return ScoreResult(stage.dst, len({p.file for p in pieces}), len(pieces),
                       sum(r[0] for r in results), sum(r[1] for r in results), invalid)


def _score_partition(frame, proxy, names, errors, partition_info=None):
    try:
        return score_frame(frame, proxy, columns=names, errors=errors)
    except InvalidRowError as e:
        number = partition_info["number"] if partition_info else 0
        where = InvalidRow(None, None, number, e.row, frame.index[e.row], e.column, _reason(e))
        raise DatasetRowError(where, e.status, e.status_text) from None


def score(ddf, proxy=None, *, columns: Optional[Mapping[str, Optional[str]]] = None,
          errors: str = "raise"):
    """A dask DataFrame with ``v_hat`` and ``p`` appended (lazy: each partition is scored by
    score_frame when computed). Invalid rows: errors="raise" raises DatasetRowError with the
    partition, the row within it and its index label; errors="mask" gives NaN."""
    if errors not in ("raise", "mask"):
        raise ValueError(f"score: errors must be 'raise' or 'mask', not {errors!r}")
    proxy = proxy if proxy is not None else _core.Proxy()
    names = _column_names(columns, OBSERVABLES)
    meta = score_frame(ddf._meta, proxy, columns=names)  # checks the columns, gives the dtypes
    return ddf.map_partitions(_score_partition, proxy, names, errors, meta=meta)


# ---- metrics -------------------------------------------------------------------------------------

def _metrics_options(params, auc: str, auc_sketch_bins: int, exact_sums: bool, bins: int,
                     quality_threshold: float, uncertainty_band: float,
                     log_loss_eps: float) -> Dict[str, Any]:
    if auc not in ("exact", "sketch", "none"):
        raise ValueError(f"softlabel.dask: auc must be 'exact', 'sketch' or 'none', not {auc!r}")
    options = dict(params=params, auc=auc != "none", bins=bins,
                   quality_threshold=quality_threshold, uncertainty_band=uncertainty_band,
                   log_loss_eps=log_loss_eps,
                   auc_sketch_bins=auc_sketch_bins if auc == "sketch" else 0,
                   exact_sums=exact_sums)
    _core.Metrics(**options)  # a bad option is a ParameterError here, before any task runs
    return options


def _floats(table: pa.Table, name: str) -> np.ndarray:
    """A real column as float64 (exact for float32), a null as NaN (an invalid row)."""
    return pc.fill_null(table.column(name).cast(pa.float64()), float("nan")).to_numpy()


def _coded(table: pa.Table, name: str, codes: Sequence[int], null: int, dtype) -> np.ndarray:
    """A 0/1 or -1/0/+1 column in the library's dtype: any other value (and a null, when
    ``null`` is not a code) becomes one the library refuses, so the row is invalid."""
    column = table.column(name)
    if column.null_count == 0 and (column.type == pa.from_numpy_dtype(dtype) or
                                   (dtype == np.uint8 and pa.types.is_boolean(column.type))):
        return column.to_numpy()  # a type the library takes as it is (it checks the values)
    v = pc.fill_null(column.cast(pa.float64()), float(null)).to_numpy()
    out = np.full(v.shape, 2, dtype)
    for c in codes:
        out[v == c] = c
    return out


def _accumulate(table: pa.Table, options, proxy, names, piece: Piece, index: int, id_column,
                errors) -> _Partial:
    """The metrics state of one table (a row group or a partition)."""
    have = set(table.column_names)
    if proxy is not None:
        p = _core._score_arrow(table, proxy, [names[o] or "" for o in OBSERVABLES], 1, "mask")[1]
        p = p.astype(np.float64, copy=False)
    else:
        p = _floats(table, names["p"])
    gt = names["ground_truth"]
    payoff = [_floats(table, names[c]) if names[c] in have else None
              for c in ("tau", "c_a", "c_b", "r_a", "r_b")]
    m = _core.Metrics(**options)
    invalid = ()
    try:
        m.update(p, _coded(table, names["accepted"], (0, 1), 2, np.uint8),
                 _coded(table, gt, (1, -1, 0), 0, np.int8) if gt in have else None, *payoff)
    except InvalidRowError as e:
        row, err = e.row, e
        if proxy is not None and e.column == "p" and np.isnan(p[row]):  # an observable's fault
            observables = {o: names[o] for o in OBSERVABLES}
            err = _scoring_error(table.select([c for c in observables.values() if c in have]),
                                 row, proxy, observables)
        where = _locate(piece, index, row, _ids(table, id_column), err)
        if errors == "raise":
            raise DatasetRowError(where, err.status, err.status_text) from None
        invalid = (where,)
    return _Partial(m.to_bytes(), table.num_rows, table.num_rows - m.count, invalid)


def _metrics_piece(piece: Piece, index: int, columns: List[str], options, proxy, names,
                   id_column, errors):
    table = _read(piece, columns)
    return _accumulate(table, options, proxy, names, piece, index, id_column, errors)


def _metrics_partition(frame, number: int, options, proxy, names, errors):
    table = pa.Table.from_pandas(frame, preserve_index=False)
    partial = _accumulate(table, options, proxy, names, Piece(None, None, None, 0, len(frame)),
                          number, None, errors)
    # a DataFrame row is named by its partition, its row and its index label
    return partial._replace(invalid=tuple(
        r._replace(file=None, row_group=None, id=frame.index[r.row]) for r in partial.invalid))


def _merge(*partials: _Partial) -> _Partial:
    """The states merged in the order given (deterministic: the tree keeps dataset order)."""
    m = _core.Metrics.from_bytes(partials[0].state)
    for q in partials[1:]:
        m.merge(_core.Metrics.from_bytes(q.state))
    return _Partial(m.to_bytes(), sum(q.rows for q in partials),
                    sum(q.invalid_rows for q in partials),
                    tuple(r for q in partials for r in q.invalid)[:MAX_DESCRIBED])


def _tree(leaves: list, split_every: int, job: str):
    """Merges consecutive groups of split_every results, level by level, down to one."""
    if split_every < 2:
        raise ValueError(f"softlabel.dask: split_every must be at least 2, not {split_every}")
    merge = dask.delayed(_merge, pure=True)
    level, depth = leaves, 0
    while len(level) > 1:
        level = [merge(*level[i:i + split_every],
                       dask_key_name=f"softlabel-merge-{job}-{depth}-{i // split_every}")
                 for i in range(0, len(level), split_every)]
        depth += 1
    return level[0]


def _report(partial: _Partial):
    if partial.invalid_rows:
        rows = "; ".join(str(r) for r in partial.invalid[:5])
        warnings.warn(InvalidRowsWarning(
            f"softlabel.dask: {partial.invalid_rows} of {partial.rows} rows were invalid and left "
            f"out of the metrics (errors='skip'), e.g. {rows}"), stacklevel=3)
    return _core.Metrics.from_bytes(partial.state).finalize()


def metrics_parquet(src: Union[PathLike, Sequence[PathLike]], params=None, *, proxy=None,
                    client=None, auc: str = "exact", auc_sketch_bins: int = SKETCH_BINS,
                    exact_sums: bool = False,
                    columns: Optional[Mapping[str, Optional[str]]] = None,
                    id_column: Optional[str] = None, errors: str = "raise",
                    split_every: int = 8, bins: int = 10, quality_threshold: float = 0.5,
                    uncertainty_band: float = 0.2, log_loss_eps: float = 1e-15,
                    progress: bool = False):
    """The batch metrics (SPEC 3) of a Parquet dataset as one MetricsReport.

    Columns (renamed with ``columns={"p": "prob", ...}``): ``p`` in [0, 1], or with a
    ``proxy`` the observables, scored on the fly; ``accepted`` (bool or 0/1); optional
    ``ground_truth`` (+1, -1, 0 or null for no label) and payoff columns ``tau``, ``c_a``,
    ``c_b``, ``r_a``, ``r_b`` (absent: zero). ``params``: PayoffParams (None: the defaults);
    ``bins`` .. ``log_loss_eps`` as in Metrics.

    Each row group is one task making one metrics state; the states are serialized and merged
    in a tree of ``split_every`` per merge, in dataset order. ``auc``: "exact" (8 bytes of state
    per labelled row), "sketch" (a fixed-size histogram of ``auc_sketch_bins`` bins per class;
    the report's ``discrimination_auc_error_bound`` bounds its error) or "none".
    ``exact_sums=True``: the library's exact sums (``Metrics(exact_sums=True)``), so the report
    is the same bits for any row groups, any ``split_every`` and equal to one pass of one state
    with exact sums; the default's compensated sums agree with those to a few units in the last
    place and are the same bits for the same dataset and ``split_every``.

    Invalid rows (p outside [0, 1] or null, accepted not 0/1, ground_truth not in {+1, -1, 0},
    a non-finite payoff value, an invalid observable): errors="raise" raises DatasetRowError
    naming the file, row group, row, id and column; errors="skip" leaves them out of the
    metrics and warns (InvalidRowsWarning) with their number and the first of them.
    """
    if errors not in ("raise", "skip"):
        raise ValueError(f"metrics_parquet: errors must be 'raise' or 'skip', not {errors!r}")
    options = _metrics_options(params, auc, auc_sketch_bins, exact_sums, bins,
                               quality_threshold, uncertainty_band, log_loss_eps)
    names = _column_names(columns, OBSERVABLES + METRIC_COLUMNS)
    pieces = list_pieces(src)
    needed = ([names[o] for o in OBSERVABLES if names[o] and o != "tool_misuse_flags"]
              if proxy is not None else [names["p"]])
    schema = _check_schema(pieces, needed + [names["accepted"]] + ([id_column] if id_column
                                                                    else []), [])
    # each task reads only the columns the metrics use
    wanted = ([names[o] for o in OBSERVABLES if names[o]] if proxy is not None else [names["p"]])
    wanted += [names[c] for c in METRIC_COLUMNS[1:]] + ([id_column] if id_column else [])
    read = {f: [c for c in dict.fromkeys(wanted) if c in have] for f, have in schema.items()}
    job = uuid.uuid4().hex[:8]
    task = dask.delayed(_metrics_piece, pure=True)
    leaves = [task(p, i, read[p.file], options, proxy, names, id_column, errors,
                   dask_key_name=f"softlabel-metrics-{job}-{i}") for i, p in enumerate(pieces)]
    (partial,) = _compute([_tree(leaves, split_every, job)], client, progress)
    return _report(partial)


def metrics(ddf, params=None, proxy=None, *, auc: str = "exact",
            auc_sketch_bins: int = SKETCH_BINS, exact_sums: bool = False,
            columns: Optional[Mapping[str, Optional[str]]] = None, errors: str = "raise",
            split_every: int = 8, bins: int = 10, quality_threshold: float = 0.5,
            uncertainty_band: float = 0.2, log_loss_eps: float = 1e-15, client=None,
            progress: bool = False):
    """metrics_parquet over a dask DataFrame: one state per partition, merged in partition
    order (``exact_sums=True``: the same bits for any partitioning); an invalid row is named by
    its partition, its row within it and its index label."""
    if errors not in ("raise", "skip"):
        raise ValueError(f"metrics: errors must be 'raise' or 'skip', not {errors!r}")
    options = _metrics_options(params, auc, auc_sketch_bins, exact_sums, bins,
                               quality_threshold, uncertainty_band, log_loss_eps)
    names = _column_names(columns, OBSERVABLES + METRIC_COLUMNS)
    job = uuid.uuid4().hex[:8]
    task = dask.delayed(_metrics_partition, pure=True)
    leaves = [task(part, i, options, proxy, names, errors,
                   dask_key_name=f"softlabel-metrics-{job}-{i}")
              for i, part in enumerate(ddf.to_delayed())]
    (partial,) = _compute([_tree(leaves, split_every, job)], client, progress)
    return _report(partial)


# ---- running a graph ------------------------------------------------------------------------------

def _compute(tasks: list, client, progress: bool) -> list:
    """The tasks' results, in order; the first failing task's error ends the job at once."""
    if client is None:
        if progress:
            from dask.diagnostics import ProgressBar

            with ProgressBar():
                return list(dask.compute(*tasks))
        return list(dask.compute(*tasks))
    import distributed

    futures = client.compute(tasks)
    try:
        if progress:
            distributed.progress(futures)
        for f in distributed.as_completed(futures):
            if f.status == "error":
                f.result()  # raises the task's exception
        return client.gather(futures)
    finally:
        client.cancel(futures)
