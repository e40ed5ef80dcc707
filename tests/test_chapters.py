"""Execute every chapter of ``_toc.yml`` in fast mode with papermill, as CI does.

Each MyST chapter is converted to a notebook with jupytext, ``mode = "fast"`` is injected after the cell
tagged ``parameters``, and the executed notebook is kept under ``_build/fast-src/`` (a mirror of the book
root) so that ``tools/build_fast_book.py`` can build the HTML from it without executing twice.
A failing cell fails the test with the chapter's name and the cell's error.
"""

from __future__ import annotations

import time

import jupytext
import nbformat
import papermill
import pytest

from tools.book_files import ROOT, chapter_notebooks

OUT = ROOT / "_build" / "fast-src"
CHAPTERS = chapter_notebooks()


def _has_parameters_cell(nb) -> bool:
    return any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in nb.cells)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[str(p.relative_to(ROOT)) for p in CHAPTERS])
def test_chapter_runs_in_fast_mode(chapter):
    nb = jupytext.read(chapter)
    assert _has_parameters_cell(nb), f"{chapter.relative_to(ROOT)} has no code cell tagged 'parameters'."
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    target = OUT / chapter.relative_to(ROOT).with_suffix(".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = target.with_suffix(".source.ipynb")
    nbformat.write(nb, source)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters={"mode": "fast"},
            kernel_name="python3",
            cwd=str(chapter.parent),
            progress_bar=False,
            request_save_on_cell_execute=False,
        )
    except papermill.PapermillExecutionError as error:
        pytest.fail(f"chapter {chapter.relative_to(ROOT)} failed in cell {error.exec_count}:\n{error}", pytrace=False)
    finally:
        source.unlink(missing_ok=True)
    elapsed = time.perf_counter() - start
    print(f"{chapter.relative_to(ROOT)}: {elapsed:.1f} s in fast mode")
