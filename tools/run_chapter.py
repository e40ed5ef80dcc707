"""Run one chapter of the book from the command line: ``make chapter NAME=low_noise MODE=fast``.

The chapter is found by its file name (stem) under ``book/``; jupytext turns the MyST file into a notebook,
papermill executes it with ``mode`` injected after the cell tagged ``parameters``, in the chapter's folder, and
the executed notebook is written to ``_build/chapters/<stem>.<mode>.ipynb``.
Prints the time; exits with status 1 and the failing cell's error if a cell raises.

Usage: ``python tools/run_chapter.py NAME [--mode fast|full] [--out FOLDER]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.book_files import ROOT, is_notebook, toc_files  # noqa: E402


def find_chapter(name: str) -> Path:
    """The chapter whose file stem (or path relative to the repository) is ``name``."""
    name = name.removesuffix(".md").removesuffix(".ipynb")
    direct = [ROOT / f"{name}.md", ROOT / f"{name}.ipynb"]
    matches = [p for p in direct if p.is_file()]
    if not matches:
        matches = sorted(p for p in (ROOT / "book").rglob("*") if p.suffix in (".md", ".ipynb")
                         and p.stem == Path(name).name and "_build" not in p.parts
                         and ".ipynb_checkpoints" not in p.parts)
    notebooks = [p for p in matches if is_notebook(p)]
    if len(notebooks) == 1:
        return notebooks[0]
    chapters = ", ".join(p.stem for p in toc_files() if is_notebook(p))
    if not notebooks:
        raise SystemExit(f"No chapter named {name!r} under book/. Chapters: {chapters}.")
    raise SystemExit(f"{name!r} names several notebooks: {[str(p.relative_to(ROOT)) for p in notebooks]}; "
                     "give the path, e.g. NAME=book/part2/low_noise.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the chapter's file name without extension, e.g. low_noise")
    parser.add_argument("--mode", choices=("fast", "full"), default="fast",
                        help="fast: small samples, the same checks (default); full: the book's sizes")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "chapters",
                        help="folder for the executed notebook (default _build/chapters)")
    args = parser.parse_args(argv)

    import jupytext
    import nbformat
    import papermill

    chapter = find_chapter(args.name)
    relative = chapter.relative_to(ROOT)
    nb = jupytext.read(chapter)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        print(f"{relative} has no code cell tagged 'parameters'; cannot set mode={args.mode}.")
        return 1
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"{chapter.stem}.{args.mode}.ipynb"
    print(f"Running {relative} in {args.mode} mode -> {target}", flush=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="synutil-chapter-") as tmp:
        source = Path(tmp) / f"{chapter.stem}.ipynb"
        nbformat.write(nb, source)
        try:
            papermill.execute_notebook(str(source), str(target), parameters={"mode": args.mode},
                                       kernel_name="python3", cwd=str(chapter.parent),
                                       progress_bar=sys.stderr.isatty(), request_save_on_cell_execute=False)
        except papermill.PapermillExecutionError as error:
            elapsed = time.perf_counter() - start
            print(f"FAIL {relative} ({args.mode} mode) after {elapsed:.1f} s: cell {error.exec_count} raised "
                  f"{error.ename}: {error.evalue}\nThe notebook with the traceback: {target}")
            return 1
    elapsed = time.perf_counter() - start
    print(f"ok   {relative} ({args.mode} mode): {elapsed:.1f} s; executed notebook: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
