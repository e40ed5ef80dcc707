"""Format the code cells of the book's MyST notebooks with ``ruff format`` (88 columns).

The chapters are MyST Markdown notebooks; a code cell is a fenced ``{code-cell}`` block whose options come first
(``:tags: [...]`` lines or a ``---`` YAML block). This tool formats only the Python source of each cell and leaves
the options and the Markdown untouched, so the page reads without sideways scrolling. Lines ``ruff`` cannot
split (long strings and comments) are reported; ``tests/test_book_sources.py`` refuses any code line over 88
columns.

Usage::

    python tools/format_chapters.py book/part2/low_noise.md ...   # format in place
    python tools/format_chapters.py --check book/**/*.md          # exit 1 if a file would change

``ruff`` is a developer tool (``pip install ruff``), not a dependency of the book.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

WIDTH = 88


def split_cells(text: str) -> list[tuple[str, str]]:
    """Split a MyST notebook into ('text', chunk) and ('code', source) pieces; options stay in 'text'."""
    pieces: list[tuple[str, str]] = []
    lines = text.splitlines(keepends=True)
    i, buffer = 0, []
    while i < len(lines):
        line = lines[i]
        buffer.append(line)
        i += 1
        if not line.startswith("```{code-cell}"):
            continue
        # options: a YAML block between --- lines, or :key: lines
        if i < len(lines) and lines[i].strip() == "---":
            buffer.append(lines[i])
            i += 1
            while i < len(lines) and lines[i].strip() != "---":
                buffer.append(lines[i])
                i += 1
            buffer.append(lines[i])
            i += 1
        while i < len(lines) and lines[i].startswith(":") and not lines[i].startswith("::"):
            buffer.append(lines[i])
            i += 1
        pieces.append(("text", "".join(buffer)))
        buffer, source = [], []
        while i < len(lines) and not lines[i].startswith("```"):
            source.append(lines[i])
            i += 1
        pieces.append(("code", "".join(source)))
    pieces.append(("text", "".join(buffer)))
    return pieces


def ruff_format(source: str, ruff: str) -> str:
    if not source.strip():
        return source
    done = subprocess.run([ruff, "format", f"--line-length={WIDTH}", "--stdin-filename=cell.py", "-"],
                          input=source, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ruff could not format a cell:\n{done.stderr}\n--- cell ---\n{source}")
    return done.stdout


def format_file(path: Path, ruff: str) -> tuple[str, list[str]]:
    text = path.read_text()
    out, long_lines = [], []
    for kind, chunk in split_cells(text):
        if kind == "code":
            chunk = ruff_format(chunk, ruff)
            long_lines += [line for line in chunk.splitlines() if len(line) > WIDTH]
        out.append(chunk)
    return "".join(out), long_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report files that would change; do not write")
    args = parser.parse_args(argv)
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists() and shutil.which("ruff") is None:
        print("format_chapters: ruff is not installed; run `.venv/bin/pip install ruff`", file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        new, long_lines = format_file(path, ruff)
        if new != path.read_text():
            status = 1 if args.check else status
            if not args.check:
                path.write_text(new)
            print(f"{'would reformat' if args.check else 'reformatted'} {path}")
        for line in long_lines:
            print(f"{path}: {len(line)} columns: {line.strip()[:70]}...")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
