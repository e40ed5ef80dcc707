"""The notebook a reader downloads from a chapter page runs on its own, outside the repository.

Each chapter page of the built book offers ``_sources/<page>.ipynb`` (made by ``book/_ext/course_pages.py``):
the chapter's cells without outputs, after a set-up cell that checks that ``synutil`` is importable. These
tests read the downloads of the fast-mode book that ``tools/build_fast_book.py`` built (``make test`` runs
them right after that build; they are skipped when it has not been built), so nothing is rebuilt:

* the download holds the chapter's code, the set-up cell first, one ``parameters`` cell with ``mode = "full"``
  and no outputs;
* copied alone into a fresh temporary folder, it runs from top to bottom with papermill in fast mode
  (this executes every chapter a second time: about as long as ``tests/test_chapters.py``);
* the set-up cell stops with install instructions when ``synutil`` is missing.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import time
from unittest import mock

import jupytext
import nbformat
import pytest

from tools.book_files import ROOT
from tools.course import course_chapters, docname

HTML = ROOT / "_build" / "fast-src" / "_build" / "html"
CHAPTERS = course_chapters()
IDS = [docname(p) for p in CHAPTERS]


def _extension():
    spec = importlib.util.spec_from_file_location("course_pages", ROOT / "book" / "_ext" / "course_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _download(chapter):
    path = HTML / "_sources" / f"{docname(chapter)}.ipynb"
    if not HTML.is_dir():
        pytest.skip("the fast-mode book is not built; `make test` builds it before running these tests")
    assert path.exists(), f"the built book offers no notebook for {docname(chapter)}: {path} is missing"
    return path


def test_setup_cell_says_how_to_install_synutil():
    nb = _extension().download_notebook(CHAPTERS[0], CHAPTERS[0].stem)
    setup = nb.cells[0]
    assert setup.cell_type == "code" and "synutil-setup" in setup.metadata["tags"]
    exec(compile(setup.source, "setup-cell", "exec"), {})  # synutil is installed here: the cell passes
    with mock.patch("importlib.util.find_spec", return_value=None):
        with pytest.raises(ModuleNotFoundError, match=r"pip install --constraint constraints.txt -e \.") as error:
            exec(compile(setup.source, "setup-cell", "exec"), {})
    assert "make book" in str(error.value)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_download_is_the_chapter_without_outputs(chapter):
    nb = nbformat.read(_download(chapter), as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "code" and "synutil-setup" in nb.cells[0].metadata.get("tags", [])
    assert 'find_spec("synutil")' in nb.cells[0].source
    code = [c for c in nb.cells[1:] if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "the download must have no outputs"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and re.search(r'^mode\s*=\s*"full"\s*$', tagged[0].source, re.M)
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    source = [c.source for c in jupytext.read(chapter).cells if c.cell_type == "code"]
    assert [c.source for c in code] == source, "the download's code differs from the chapter's current source"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_downloaded_notebook_runs_outside_the_repository(chapter, tmp_path):
    import papermill

    downloaded = _download(chapter)
    assert ROOT not in tmp_path.parents
    notebook = tmp_path / downloaded.name
    shutil.copy2(downloaded, notebook)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(str(notebook), str(tmp_path / f"{chapter.stem}.executed.ipynb"),
                                   parameters={"mode": "fast"}, kernel_name="python3", cwd=str(tmp_path),
                                   progress_bar=False, request_save_on_cell_execute=False)
    except papermill.PapermillExecutionError as error:
        pytest.fail(f"the downloaded notebook of {docname(chapter)} failed outside the repository in cell "
                    f"{error.exec_count}: {error.ename}: {error.evalue}", pytrace=False)
    print(f"{docname(chapter)}.ipynb (downloaded): {time.perf_counter() - start:.1f} s in fast mode")
