"""softlabel-dask: the softlabel.dask jobs from the command line.

    softlabel-dask score   --in DIR --out DIR [--scheduler ADDRESS] [options]
    softlabel-dask metrics --in DIR [--scheduler ADDRESS] [options]

Without --scheduler a LocalCluster of --workers processes (default: one per core, one thread
each) runs the job. Exit codes are those of the softlabel command (sysexits)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import warnings
from typing import List, Optional

from . import _core
from . import dask as sld
from .errors import ParameterError, SoftlabelError

EX_OK, EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_SOFTWARE = 0, 64, 65, 66, 70
EX_CANTCREAT, EX_IOERR, EX_CONFIG = 73, 74, 78
EXIT_CODES = ("exit codes: 0 ok, 64 usage (also a parameter out of range), 65 bad data (an "
              "invalid row, a missing column), 66 cannot open an input, 70 internal error, "
              "73 cannot create the output, 74 I/O error, 78 bad --config file")
PROXY_FIELDS = ("w_progress", "w_rework", "w_verifier", "w_engagement", "sigmoid_k",
                "rework_decay", "rejection_decay", "misuse_decay")
PAYOFF_FIELDS = ("s_plus", "s_minus", "h", "theta", "rho_a", "rho_b", "w_rep")


class _Usage(Exception):
    """A usage error (exit code 64)."""


class _Config(Exception):
    """A bad --config file (exit code 78)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit code is 2; the softlabel commands use 64
        raise _Usage(message)


def _numbers(text: str, count: int, option: str) -> List[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != count:
        raise _Usage(f"{option} needs {count} comma-separated numbers, not '{text}'")
    return values


def _proxy(args) -> _core.Proxy:
    fields = {}
    if args.config:
        try:
            with open(args.config) as f:
                config = json.load(f)
        except OSError as e:
            raise _Config(f"{args.config}: cannot read: {e.strerror}") from None
        except ValueError as e:
            raise _Config(f"{args.config}: not JSON: {e}") from None
        if not isinstance(config, dict) or set(config) - set(PROXY_FIELDS):
            raise _Config(f"{args.config}: an object with only the fields {', '.join(PROXY_FIELDS)}")
        fields.update(config)
    if args.weights:
        fields.update(zip(PROXY_FIELDS[:4], _numbers(args.weights, 4, "--weights")))
    if args.k is not None:
        fields["sigmoid_k"] = args.k
    if args.decays:
        fields.update(zip(PROXY_FIELDS[5:], _numbers(args.decays, 3, "--decays")))
    return _core.Proxy(**fields)


def _columns(pairs: Optional[List[str]]):
    if not pairs:
        return None
    out = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name:
            raise _Usage(f"--column needs NAME=COLUMN, not '{pair}'")
        out[name] = column or None
    return out


def _parser() -> _Parser:
    parser = _Parser(prog="softlabel-dask", description=__doc__.split("\n\n")[0], epilog=EXIT_CODES)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p):
        p.add_argument("--in", dest="src", required=True, metavar="DIR",
                       help="a directory of *.parquet files (searched recursively) or one file")
        p.add_argument("--scheduler", metavar="ADDRESS",
                       help="a running Dask scheduler (tcp://HOST:PORT); default: a LocalCluster")
        p.add_argument("--workers", type=int, default=None, metavar="N",
                       help="LocalCluster worker processes, one thread each (default: the cores)")
        p.add_argument("--id-column", metavar="COLUMN", help="names invalid rows by this column")
        p.add_argument("--column", action="append", metavar="NAME=COLUMN",
                       help="the column holding NAME (an observable or a metrics input); "
                            "NAME= with nothing: absent (tool_misuse_flags only)")

    def proxy_options(p):
        p.add_argument("--weights", metavar="W1,W2,W3,W4",
                       help="w_progress, w_rework, w_verifier, w_engagement (default 0.4,0.2,0.2,0.2)")
        p.add_argument("--k", type=float, metavar="K", help="sigmoid_k (default 2)")
        p.add_argument("--decays", metavar="D1,D2,D3",
                       help="rework_decay, rejection_decay, misuse_decay (default 0.3,0.4,0.5)")
        p.add_argument("--config", metavar="FILE.json",
                       help="an object with sl_proxy_params field names (options above win)")

    score = commands.add_parser(
        "score", epilog=EXIT_CODES,
        help="score a Parquet dataset into a new one with v_hat and p appended",
        description="Scores every row group of --in as one task and writes the scored dataset "
                    "to --out (one file per row group, named after its source file and group), "
                    "which appears only when every task succeeded.")
    common(score)
    score.add_argument("--out", dest="dst", required=True, metavar="DIR",
                       help="the output directory: must not exist or be empty (see --overwrite)")
    score.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    score.add_argument("--on-error", choices=("stop", "mask"), default="stop",
                       help="stop: an invalid row ends the job, nothing is written (exit 65); "
                            "mask: its v_hat and p are NaN, the rows are listed (exit 65)")
    proxy_options(score)

    metrics = commands.add_parser(
        "metrics", epilog=EXIT_CODES,
        help="the batch metrics (SPEC 3) of a Parquet dataset, as the reference's JSON object",
        description="Reads p (or, with --score, the observables), accepted and the optional "
                    "ground_truth, tau, c_a, c_b, r_a, r_b of every row group in one task each, "
                    "merges the metrics states in a tree and prints the report.")
    common(metrics)
    metrics.add_argument("--score", action="store_true",
                         help="score the observables with the proxy options instead of reading p")
    proxy_options(metrics)
    for field in PAYOFF_FIELDS:
        metrics.add_argument("--" + field.replace("_", "-"), dest=field, type=float, metavar="X")
    metrics.add_argument("--auc", choices=("exact", "sketch", "none"), default="exact",
                         help="exact: 8 bytes of state per labelled row; sketch: a fixed-size "
                              "histogram (its error bound goes to standard error)")
    metrics.add_argument("--sketch-bins", type=int, default=sld.SKETCH_BINS, metavar="B",
                         help=f"AUC sketch bins, a power of two in 16 .. 2^20 (default "
                              f"{sld.SKETCH_BINS})")
    metrics.add_argument("--exact-sums", action="store_true",
                         help="exact sums: the same report bits for any row groups and merge "
                              "tree (slower metrics pass)")
    metrics.add_argument("--split-every", type=int, default=8, metavar="N",
                         help="states merged per merge task (default 8)")
    metrics.add_argument("--bins", type=int, default=10)
    metrics.add_argument("--quality-threshold", type=float, default=0.5)
    metrics.add_argument("--uncertainty-band", type=float, default=0.2)
    metrics.add_argument("--log-loss-eps", type=float, default=1e-15)
    metrics.add_argument("--on-error", choices=("stop", "skip"), default="stop",
                         help="stop: an invalid row ends the job (exit 65); skip: invalid rows "
                              "are left out and listed, the report covers the rest (exit 65)")
    return parser


@contextlib.contextmanager
def _client(args):
    from distributed import Client, LocalCluster

    if args.scheduler:
        with Client(args.scheduler) as client:
            yield client
        return
    if args.workers is not None and args.workers < 1:
        raise _Usage(f"--workers must be at least 1, not {args.workers}")
    with LocalCluster(n_workers=args.workers or os.cpu_count(), threads_per_worker=1,
                      processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def _score(args, client, progress: bool) -> int:
    start = time.monotonic()
    r = sld.score_parquet(args.src, args.dst, args.proxy, client=client,
                          columns=_columns(args.column), id_column=args.id_column,
                          errors="mask" if args.on_error == "mask" else "raise",
                          overwrite=args.overwrite, progress=progress)
    seconds = time.monotonic() - start
    for row in r.invalid:
        print(f"softlabel-dask score: {row}", file=sys.stderr)
    invalid = (f"; {r.invalid_rows} invalid row{'s' if r.invalid_rows != 1 else ''} (v_hat and "
               "p NaN)" if r.invalid_rows else "")
    print(f"softlabel-dask score: {r.rows} rows ({r.files} files, {r.row_groups} row groups) "
          f"-> {r.dst}{invalid}; {seconds:.2f} s, {r.rows / seconds / 1e6:.2f} M rows/s",
          file=sys.stderr)
    return EX_DATAERR if r.invalid_rows else EX_OK


def _metrics(args, client, progress: bool) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sld.InvalidRowsWarning)
        report = sld.metrics_parquet(
            args.src, args.params, proxy=args.proxy, client=client, auc=args.auc,
            auc_sketch_bins=args.sketch_bins, exact_sums=args.exact_sums,
            columns=_columns(args.column),
            id_column=args.id_column, errors="skip" if args.on_error == "skip" else "raise",
            split_every=args.split_every, bins=args.bins,
            quality_threshold=args.quality_threshold, uncertainty_band=args.uncertainty_band,
            log_loss_eps=args.log_loss_eps, progress=progress)
    print(json.dumps(report.to_dict()))
    invalid = [w for w in caught if issubclass(w.category, sld.InvalidRowsWarning)]
    for w in invalid:
        print(f"softlabel-dask metrics: {w.message}", file=sys.stderr)
    print(f"softlabel-dask metrics: {report.n} valid rows; discrimination_auc_error_bound "
          f"{report.discrimination_auc_error_bound}", file=sys.stderr)
    return EX_DATAERR if invalid else EX_OK


def main(argv: Optional[List[str]] = None) -> int:
    name = "softlabel-dask"
    try:
        args = _parser().parse_args(argv)
        name = f"softlabel-dask {args.command}"
        run = _score if args.command == "score" else _metrics
        # everything that can be refused is checked before a cluster starts
        args.proxy = _proxy(args) if args.command == "score" or args.score else None
        if args.command == "metrics":
            args.params = _core.PayoffParams(**{f: getattr(args, f) for f in PAYOFF_FIELDS
                                                if getattr(args, f) is not None})
        if not os.path.exists(args.src):
            raise FileNotFoundError(f"{args.src}: no such file or directory")
        with _client(args) as client:
            return run(args, client, sys.stdout.isatty())
    except _Usage as e:
        print(f"{name}: {e} (--help for usage)", file=sys.stderr)
        return EX_USAGE
    except _Config as e:
        print(f"{name}: {e}", file=sys.stderr)
        return EX_CONFIG
    except ParameterError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return EX_USAGE
    except sld.DatasetRowError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return EX_DATAERR
    except KeyError as e:  # a column the data lacks
        print(f"{name}: {e.args[0]}", file=sys.stderr)
        return EX_DATAERR
    except FileNotFoundError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return EX_NOINPUT
    except FileExistsError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return EX_CANTCREAT
    except (SoftlabelError, RuntimeError) as e:
        print(f"{name}: internal error: {e}", file=sys.stderr)
        return EX_SOFTWARE
    except OSError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return EX_IOERR


if __name__ == "__main__":
    sys.exit(main())
