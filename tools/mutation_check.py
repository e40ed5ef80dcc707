"""Mutation harness: do the book's chapters notice a plausible bug in ``synutil``?

The book promises that a wrong formula breaks the build. This script measures that promise. Each entry of
``tools/mutations/*.yaml`` is one plausible bug (an exponent, a constant, a quantile, a variance, an
estimator variant, ...)::

    - id: ranking-wilson-one-sided
      file: synutil/ranking.py
      find: "z = stats.norm.ppf(0.5 + confidence / 2)"   # must occur exactly once in the file
      replace: "z = stats.norm.ppf(confidence)"
      chapters: [book/part3/ranking.md]                  # the chapters that must notice, in fast mode
      why: Wilson interval with a one-sided quantile

For each entry the working tree is copied to a temporary folder (without ``.git``, ``.venv``, ``_build`` and
caches), the bug is applied there, and the listed chapters are executed in fast mode exactly as
``tests/test_chapters.py`` does, with ``PYTHONPATH`` pointing at the copy so that the kernel imports the
mutated package. A mutant is *caught* when a chapter fails. Unless ``--no-unit`` is given, the unit tests
and doctests are run on the same copy too, and reported alongside.

Usage::

    python tools/mutation_check.py                       # every mutation file, then the kill rate
    python tools/mutation_check.py --only tools/mutations/ranking.yaml --only fidelity-tv-half
    python tools/mutation_check.py --jobs 2 --markdown benchmarks/MUTATION.md

Exit status 0 when the chapters' kill rate reaches ``--target`` (default 0.9), 1 otherwise, 2 on a bad
mutation file or a baseline failure. Not part of ``make test`` (it takes tens of minutes): run it with
``make mutation``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MUTATIONS = ROOT / "tools" / "mutations"
IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__", ".pytest_cache", ".jupyter_cache",
                                ".synutil_cache", "*.ipynb", ".ipynb_checkpoints", "*.egg-info", "benchmarks")
REQUIRED = ("id", "file", "find", "replace", "chapters")


@dataclass
class Mutation:
    id: str
    file: str
    find: str
    replace: str
    chapters: list[str]
    why: str = ""
    source: str = ""


@dataclass
class Outcome:
    mutation: Mutation
    chapters_caught: bool = False
    failing_chapters: list[str] = field(default_factory=list)
    unit_caught: bool | None = None
    seconds: float = 0.0
    detail: str = ""


def load_mutations(paths: list[Path]) -> list[Mutation]:
    """Read and validate mutation files: every ``find`` must occur exactly once in its file."""
    mutations, problems, seen = [], [], set()
    for path in paths:
        entries = yaml.safe_load(path.read_text()) or []
        if not isinstance(entries, list):
            problems.append(f"{path}: expected a YAML list of mutations")
            continue
        for number, entry in enumerate(entries):
            where = f"{path.relative_to(ROOT)}[{number}]"
            missing = [key for key in REQUIRED if key not in entry]
            if missing:
                problems.append(f"{where}: missing {missing}")
                continue
            mutation = Mutation(**{k: entry[k] for k in (*REQUIRED, "why") if k in entry}, source=str(path.name))
            if mutation.id in seen:
                problems.append(f"{where}: duplicate id {mutation.id!r}")
            seen.add(mutation.id)
            target = ROOT / mutation.file
            if not target.exists():
                problems.append(f"{where} ({mutation.id}): no file {mutation.file}")
                continue
            count = target.read_text().count(mutation.find)
            if count != 1:
                problems.append(f"{where} ({mutation.id}): 'find' occurs {count} times in {mutation.file}, not once")
            if mutation.find == mutation.replace:
                problems.append(f"{where} ({mutation.id}): 'replace' equals 'find'")
            for chapter in mutation.chapters:
                if not (ROOT / chapter).exists():
                    problems.append(f"{where} ({mutation.id}): no chapter {chapter}")
            mutations.append(mutation)
    if problems:
        raise ValueError("Bad mutation entries:\n  " + "\n  ".join(problems))
    return mutations


def _copy_tree(destination: Path) -> Path:
    copy = destination / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORE, symlinks=True)
    return copy


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("OMP_NUM_THREADS", "1")
    env["MPLBACKEND"] = "Agg"
    return env


def _chapter_ids(chapters: list[str]) -> str:
    # pytest -k expression on the chapter test ids (the file stem is unique within the book)
    return " or ".join(Path(c).stem for c in chapters)


def run_chapters(copy: Path, chapters: list[str], timeout: float) -> tuple[bool, list[str], str]:
    """Execute the chapters in fast mode in ``copy``; return (all passed, failing chapters, tail of output)."""
    command = [sys.executable, "-m", "pytest", "tests/test_chapters.py", "-q", "-p", "no:cacheprovider",
               "-k", _chapter_ids(chapters), "-rf", "--no-header"]
    try:
        done = subprocess.run(command, cwd=copy, env=_env(copy), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, list(chapters), f"timed out after {timeout:.0f} s"
    output = done.stdout + done.stderr
    if done.returncode == 5:  # pytest collected nothing: the chapter is not in _toc.yml, which is not a catch
        raise RuntimeError(f"no chapter test collected for {chapters}: are they listed in _toc.yml?")
    failed_lines = [line for line in output.splitlines() if line.startswith("FAILED")]
    failing = [c for c in chapters if any(Path(c).stem in line for line in failed_lines)]
    if done.returncode != 0 and not failing:
        failing = list(chapters)
    return done.returncode == 0, failing, "\n".join(output.strip().splitlines()[-6:])


def run_unit_tests(copy: Path, timeout: float) -> bool:
    """True when the unit tests and doctests pass on ``copy``."""
    command = [sys.executable, "-m", "pytest", "synutil", "tests", "--ignore=tests/test_chapters.py", "-x", "-q",
               "-p", "no:cacheprovider", "--no-header"]
    try:
        done = subprocess.run(command, cwd=copy, env=_env(copy), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def check_import_path(copy: Path) -> None:
    """The kernel must import the copy's synutil, not the editable install of the repository."""
    done = subprocess.run([sys.executable, "-c", "import synutil, pathlib; print(pathlib.Path(synutil.__file__))"],
                          cwd=copy, env=_env(copy), capture_output=True, text=True, check=True)
    imported = Path(done.stdout.strip()).resolve()
    if copy.resolve() not in imported.parents:
        raise RuntimeError(f"synutil is imported from {imported}, not from the mutated copy {copy}")


def evaluate(mutation: Mutation, *, unit: bool, timeout: float) -> Outcome:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"mutant-{mutation.id}-") as tmp:
        copy = _copy_tree(Path(tmp))
        target = copy / mutation.file
        text = target.read_text()
        target.write_text(text.replace(mutation.find, mutation.replace, 1))
        passed, failing, tail = run_chapters(copy, mutation.chapters, timeout)
        outcome = Outcome(mutation, chapters_caught=not passed, failing_chapters=failing, detail=tail)
        if unit:
            outcome.unit_caught = not run_unit_tests(copy, timeout)
    outcome.seconds = time.perf_counter() - start
    return outcome


def baseline(chapters: list[str], timeout: float) -> None:
    """The unmutated chapters must pass, or every mutant would look caught."""
    with tempfile.TemporaryDirectory(prefix="mutant-baseline-") as tmp:
        copy = _copy_tree(Path(tmp))
        check_import_path(copy)
        passed, failing, tail = run_chapters(copy, chapters, timeout)
    if not passed:
        raise RuntimeError(f"baseline: these chapters fail without any mutation: {failing}\n{tail}")


def _select(mutations: list[Mutation], only: list[str]) -> list[Mutation]:
    if not only:
        return mutations
    chosen = []
    for m in mutations:
        if any(m.id == o or m.source == Path(o).name for o in only):
            chosen.append(m)
    return chosen


def markdown_report(outcomes: list[Outcome], seconds: float) -> str:
    caught = sum(o.chapters_caught for o in outcomes)
    unit = [o for o in outcomes if o.unit_caught is not None]
    lines = [
        "## Mutation check (`make mutation`)",
        "",
        f"Run on {_dt.date.today().isoformat()}, {len(outcomes)} mutants from `tools/mutations/*.yaml`, "
        f"{seconds / 60:.1f} min in all. A mutant is caught when a chapter it names fails in fast mode.",
        "",
        f"**Chapters: {caught} of {len(outcomes)} caught ({caught / max(len(outcomes), 1):.0%}).**"
        + (f" Unit tests alone: {sum(o.unit_caught for o in unit)} of {len(unit)}." if unit else ""),
        "",
        "| mutant | file | bug | chapters | unit tests |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        m = o.mutation
        unit_cell = "—" if o.unit_caught is None else ("caught" if o.unit_caught else "survived")
        lines.append(f"| `{m.id}` | `{m.file}` | {m.why} | {'caught' if o.chapters_caught else '**survived**'} "
                     f"| {unit_cell} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="a mutation file or a mutation id (repeatable)")
    parser.add_argument("--no-unit", action="store_true", help="skip the unit tests on each mutant")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run of the chapters")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at the same time")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per chapter run")
    parser.add_argument("--target", type=float, default=0.9, help="kill rate below which the exit status is 1")
    parser.add_argument("--markdown", type=Path, help="write the result table to this Markdown file")
    parser.add_argument("--shuffle", type=int, metavar="SEED",
                        help="run the mutants in a seeded random order (an interrupted run is then a random sample)")
    args = parser.parse_args(argv)

    files = sorted(MUTATIONS.glob("*.yaml"))
    named_files = [(Path(o) if Path(o).exists() else ROOT / o).resolve()
                   for o in args.only if o.endswith((".yaml", ".yml"))]
    if named_files and len(named_files) == len(args.only):
        files = named_files  # only these files are read (and validated)
    try:
        mutations = _select(load_mutations(files), args.only)
    except ValueError as error:
        print(error)
        return 2
    if not mutations:
        print("No mutation selected.")
        return 2
    if args.shuffle is not None:
        import random

        random.Random(args.shuffle).shuffle(mutations)
    chapters = sorted({c for m in mutations for c in m.chapters})
    start = time.perf_counter()
    if not args.no_baseline:
        print(f"baseline: {len(chapters)} chapters without mutation ...", flush=True)
        try:
            baseline(chapters, args.timeout)
        except RuntimeError as error:
            print(error)
            return 2
    print(f"{len(mutations)} mutants, {args.jobs} at a time", flush=True)

    finished: list[Outcome] = []

    def one(m: Mutation) -> Outcome:
        try:
            o = evaluate(m, unit=not args.no_unit, timeout=args.timeout)
        except RuntimeError as error:  # a mutant that could not be run counts as survived, with the reason
            o = Outcome(m, detail=str(error))
        finished.append(o)
        if args.markdown:  # rewritten after every mutant, so an interrupted run still leaves its table
            args.markdown.write_text(markdown_report(finished, time.perf_counter() - start))
        unit = "" if o.unit_caught is None else f"  unit tests: {'caught' if o.unit_caught else 'survived'}"
        print(f"{'CAUGHT  ' if o.chapters_caught else 'SURVIVED'} {m.id:<45} {o.seconds:6.1f} s{unit}", flush=True)
        if not o.chapters_caught:
            print(f"         {m.file}: {m.why}", flush=True)
        return o

    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        outcomes = list(pool.map(one, mutations))
    seconds = time.perf_counter() - start
    caught = sum(o.chapters_caught for o in outcomes)
    rate = caught / len(outcomes)
    print(f"\nkill rate (chapters): {caught}/{len(outcomes)} = {rate:.1%}")
    unit = [o for o in outcomes if o.unit_caught is not None]
    if unit:
        print(f"unit tests alone: {sum(o.unit_caught for o in unit)}/{len(unit)}")
    survived = [o.mutation.id for o in outcomes if not o.chapters_caught]
    if survived:
        print("survived:", ", ".join(survived))
    if args.markdown:
        args.markdown.write_text(markdown_report(outcomes, seconds))
        print(f"wrote {args.markdown}")
    return 0 if rate >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
