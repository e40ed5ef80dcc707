"""The command line:

    synutil evaluate real_train.csv synthetic.csv --test real_test.csv --target y --out report.html

Tables are read by extension: ``.csv`` (and ``.csv.gz``, ``.tsv``) with pandas, ``.parquet`` / ``.pq`` with
pandas and pyarrow. A summary table goes to the terminal, a progress bar to stderr, the HTML report to ``--out``.
Bad input (a missing file, a missing target, mismatched columns, ...) exits with status 2 and one line on stderr,
never a traceback. ``python -m synutil evaluate ...`` is the same command.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

__all__ = ["main"]

PROG = "synutil"


class UserError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + message
        raise UserError(f"{message} (see '{self.prog} --help')")


def _read_table(path: str, what: str):
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise UserError(f"{what} file {path!r} does not exist")
    if p.is_dir():
        raise UserError(f"{what} {path!r} is a folder, not a table file")
    name = p.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise UserError(f"reading the Parquet file {path!r} needs pyarrow: pip install pyarrow "
                                "(or save the table as CSV)") from None
            return pd.read_parquet(p)
        if name.endswith((".csv", ".csv.gz", ".csv.zip", ".csv.bz2", ".csv.xz")):
            return _unique_header(pd.read_csv(p), p, what, sep=",")
        if name.endswith((".tsv", ".tsv.gz")):
            return _unique_header(pd.read_csv(p, sep="\t"), p, what, sep="\t")
    except UserError:
        raise
    except (ValueError, OSError, UnicodeDecodeError) as error:  # pandas' ParserError/EmptyDataError are ValueErrors
        raise UserError(f"could not read {what} {path!r}: {_one_line(error)}") from None
    raise UserError(f"{what} {path!r}: unknown file type; use .csv, .tsv or .parquet")


def _unique_header(table, path, what: str, *, sep: str):
    """pandas renames a repeated header name ``x`` to ``x.1``; refuse the file instead of comparing a made-up column."""
    import pandas as pd

    header = list(pd.read_csv(path, sep=sep, nrows=1, header=None, dtype=str, keep_default_na=False).iloc[0])
    dups = sorted({str(c) for c in header if header.count(c) > 1})
    if dups:
        raise UserError(f"{what} {str(path)!r} has duplicate column names {dups}; rename them so that each is unique")
    return table


def _one_line(error) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(prog=PROG, description="Utility, fidelity and privacy of synthetic data, with intervals.")
    parser.add_argument("--version", action="version", version=f"synutil {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ev = sub.add_parser(
        "evaluate", help="evaluate a synthetic table against real train and test tables, write an HTML report",
        description="Train models on real and on synthetic data, test them on real data (TRTR/TSTR), compare the "
                    "orderings, measure fidelity and privacy; print a summary and write a self-contained HTML report.")
    ev.add_argument("real_train", help="real training table (.csv, .tsv or .parquet): the generator's input")
    ev.add_argument("synthetic", help="synthetic table with the same columns")
    ev.add_argument("--test", required=True, metavar="REAL_TEST",
                    help="held-out real table, never seen by the generator")
    ev.add_argument("--target", required=True, help="name of the response column")
    ev.add_argument("--out", default="report.html", help="HTML report to write (default: report.html)")
    ev.add_argument("--task", choices=("auto", "classification", "regression"), default="auto")
    ev.add_argument("--loss", default=None, help="scikit-learn scorer name, e.g. accuracy, neg_log_loss, roc_auc, "
                    "neg_mean_squared_error (default: zero-one error / squared error)")
    ev.add_argument("--replications", type=int, default=None, metavar="J",
                    help="bootstrap resamples of the test set (default 1000), or generator refits with --generator "
                         "(default 10)")
    ev.add_argument("--generator", choices=("copula", "cart"), default=None,
                    help="refit this generator per replication on resampled real train (intervals then cover the "
                         "generator's and the learners' randomness too)")
    ev.add_argument("--seed", type=int, default=None, help="random seed (default: drawn and printed)")
    ev.add_argument("--confidence", type=float, default=0.95, help="level of the intervals (default 0.95)")
    ev.add_argument("--no-fidelity", action="store_true", help="skip the fidelity metrics")
    ev.add_argument("--no-privacy", action="store_true", help="skip the distance-to-closest-record check")
    ev.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _evaluate(args) -> int:
    from .core import evaluate

    out = Path(args.out)
    if not args.out or args.out.endswith(("/", os.sep)) or out.is_dir():
        raise UserError(f"--out {args.out!r} is a folder; give the report's file name, e.g. --out report.html")
    if not out.parent.exists():
        raise UserError(f"the folder of --out {args.out!r} does not exist")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UserError(f"--out {args.out!r} cannot be written (no permission); choose another file")
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed must be >= 0, got {args.seed}")
    train = _read_table(args.real_train, "real_train")
    synthetic = _read_table(args.synthetic, "synthetic")
    test = _read_table(args.test, "real_test (--test)")
    try:
        res = evaluate(train, test, synthetic, target=args.target, task=args.task, loss=args.loss,
                       generator=args.generator, n_replications=args.replications, confidence=args.confidence,
                       random_state=args.seed, progress=not args.no_progress, fidelity=not args.no_fidelity,
                       privacy=not args.no_privacy)
    except ValueError as error:  # every bad input (InputTypeError is a ValueError too)
        raise UserError(_one_line(error)) from None
    print(res.summary())
    try:
        path = res.to_html(out)
    except ValueError as error:
        raise UserError(_one_line(error)) from None
    print(f"report written to {path}")
    return 0


def main(argv=None) -> int:
    """Entry point of the ``synutil`` command; returns the exit status (0 ok, 2 bad input)."""
    def one_line_warning(message, category, filename, lineno, file=None, line=None):
        print(f"{PROG}: warning: {_one_line(message)}", file=sys.stderr)

    try:
        args = _parser().parse_args(argv)
        with warnings.catch_warnings():
            warnings.showwarning = one_line_warning
            return _evaluate(args)
    except UserError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{PROG}: error: not enough memory; use smaller tables or fewer --replications", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
