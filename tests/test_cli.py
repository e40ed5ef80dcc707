"""Tests of the command line: `python -m synutil evaluate ...` on CSV files, exit codes and one-line errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from synutil.evaluation.cli import main
from synutil.tables import mixed_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def csvs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    real = mixed_table(400, random_state=0)
    real.iloc[:200].to_csv(folder / "train.csv", index=False)
    real.iloc[200:].to_csv(folder / "test.csv", index=False)
    mixed_table(200, random_state=1).to_csv(folder / "syn.csv", index=False)
    mixed_table(200, random_state=1).drop(columns="age").to_csv(folder / "syn_bad.csv", index=False)
    return folder


def _run(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "synutil", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=300)


def test_cli_writes_report_and_prints_summary(csvs):
    out = csvs / "report.html"
    proc = _run(["evaluate", "train.csv", "syn.csv", "--test", "test.csv", "--target", "purchased", "--out",
                 str(out), "--replications", "50", "--seed", "3", "--no-fidelity"], csvs)
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "TSTR" in proc.stdout and "seed 3" in proc.stdout and f"report written to {out}" in proc.stdout
    assert "Traceback" not in proc.stderr and "synutil evaluate" in proc.stderr  # the progress bar


@pytest.mark.parametrize("args, message", [
    (["evaluate", "train.csv", "syn_bad.csv", "--test", "test.csv", "--target", "purchased"],
     "synthetic does not have the schema's columns: missing ['age']"),
    (["evaluate", "train.csv", "nope.csv", "--test", "test.csv", "--target", "purchased"],
     "synthetic file 'nope.csv' does not exist"),
])
def test_cli_bad_input_subprocess_one_line_exit_2(csvs, args, message):
    proc = _run([*args, "--no-progress"], csvs)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synutil: error: ") and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["evaluate", "train.csv", "syn.csv", "--test", "test.csv", "--target", "y"], "target 'y' is not a column"),
    (["evaluate", "train.csv", "syn.csv", "--target", "purchased"], "required: --test"),
    (["evaluate", "train.csv", "syn.csv", "--test", "test.csv", "--target", "purchased", "--replications", "1"],
     "n_replications must be an integer >= 2"),
    (["evaluate", "train.csv", "syn.csv", "--test", "test.csv", "--target", "purchased", "--loss", "squared_error"],
     "squared error"),
    (["evaluate", "train.csv", "syn.csv", "--test", "test.csv", "--target", "purchased", "--out", "no/dir/r.html"],
     "folder of --out"),
    (["evaluate", "train.txt", "syn.csv", "--test", "test.csv", "--target", "purchased"], "does not exist"),
    (["evaluate", "train.csv", "syn.csv", "--test", "test.csv", "--target", "purchased", "--generator", "gan"],
     "invalid choice"),
    ([], "required: command"),
])
def test_cli_bad_input_in_process(csvs, monkeypatch, capsys, args, message):
    monkeypatch.chdir(csvs)
    assert main([*args, "--no-progress"] if args else args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("synutil: error: ") and message in err[0], err


def test_cli_parquet_needs_pyarrow_or_reads(csvs, monkeypatch, capsys):
    monkeypatch.chdir(csvs)
    Path("train.parquet").write_bytes(b"PAR1")
    code = main(["evaluate", "train.parquet", "syn.csv", "--test", "test.csv", "--target", "purchased",
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        assert "needs pyarrow: pip install pyarrow" in err
    else:  # a broken file: read error, still one line
        assert "could not read real_train" in err
    Path("notes.xlsx").write_bytes(b"")
    assert main(["evaluate", "notes.xlsx", "syn.csv", "--test", "test.csv", "--target", "purchased"]) == 2
    assert "unknown file type" in capsys.readouterr().err


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.startswith("synutil ")
