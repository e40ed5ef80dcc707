"""What every chapter page of the course offers besides its text: the notebook, the slides, execution times.

* **Notebook download.** Each chapter (a notebook page of the table of contents, less the pages listed in
  ``course_non_chapter_pages``) gets ``_sources/<docname>.ipynb``: the chapter's own cells *without outputs*,
  generated at build time from its source (the MyST Markdown file, or the executed notebook of the fast-mode
  build, whose outputs and papermill cell are dropped), with a first code cell that checks that ``synutil``
  is importable and says how to install it. The book theme's download menu offers it as ".ipynb" (the
  theme's ``ipynb_source`` page variable, which it otherwise fills only when launch buttons are configured),
  and a small script makes the browser save it instead of showing the JSON.
* **Slides.** A header button links to ``slides/<stem>.html``, the reveal.js deck that
  ``tools/build_slides.py`` makes from the executed chapter right after the HTML build.
* **MathJax everywhere.** The navigation shows chapter titles with math on every page, so MathJax is loaded
  on every page (Sphinx's "always" assets policy), and a duplicated inline script of sphinx-thebe is dropped.
* **Execution table.** Notebooks that were executed before the build (the fast-mode build executes them with
  papermill and turns execution off) get MyST-NB's execution data from their papermill metadata, so that
  ``{nb-exec-table}`` lists them too.
"""

from __future__ import annotations

import copy
import json
import posixpath
from datetime import datetime
from pathlib import Path

SETUP_TAG = "synutil-setup"

SETUP_CELL = '''\
# Set-up cell of the downloaded notebook (it is not on the book's page).
# This notebook is the chapter "{title}" of the course "Utility Theory of Synthetic Data", without
# outputs: run it from the top. The code cell tagged `parameters` below holds mode = "full", the sizes
# that produced the book's numbers (minutes on a laptop); set mode = "fast" there, or run
#     papermill {stem}.ipynb {stem}-fast.ipynb -p mode fast
# for a quick run that makes the same checks on smaller samples.
import importlib.util

if importlib.util.find_spec("synutil") is None:
    raise ModuleNotFoundError(
        "This chapter imports the synutil package, which the Python of this kernel cannot find. "
        "Install it from a clone of the course repository, in that clone, into this kernel's environment: "
        "`python -m pip install --constraint constraints.txt -e .` (constraints.txt keeps PyTorch's CPU "
        "build), or run `make book` there once and choose its .venv as the kernel "
        "(`.venv/bin/python -m ipykernel install --user --name synutil`)."
    )
import synutil

print(f"synutil {{synutil.__version__}} from {{synutil.__file__}}")
'''

#: Marks the notebook download link so that the browser saves the file instead of opening it.
DOWNLOAD_SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("a.btn-download-notebook-button").forEach(function (a) {
    a.setAttribute("download", a.getAttribute("href").split("/").pop());
    a.removeAttribute("target");
  });
});
"""


def _is_notebook_source(path: Path) -> bool:
    if path.suffix == ".ipynb":
        return True
    text = path.read_text(encoding="utf-8")
    return text.startswith("---") and "kernelspec" in text.split("---", 2)[1]


def _chapters(app) -> list[str]:
    """Docnames of the chapter notebooks of this build, in any order."""
    skip = set(app.config.course_non_chapter_pages)
    found = []
    for docname in sorted(app.env.found_docs):
        if docname in skip:
            continue
        path = Path(app.env.doc2path(docname))
        if path.exists() and _is_notebook_source(path):
            found.append(docname)
    return found


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "this chapter"


def download_notebook(source: Path, stem: str):
    """The chapter as a reader downloads it: its cells without outputs, after a set-up cell."""
    import jupytext
    import nbformat

    if source.suffix == ".ipynb":
        nb = nbformat.read(source, as_version=4)
    else:
        nb = jupytext.read(source)
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or SETUP_TAG in tags:
            continue  # papermill's cell of the fast-mode run; a set-up cell of an earlier download
        for key in ("papermill", "execution", "ExecuteTime"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    setup = nbformat.v4.new_code_cell(SETUP_CELL.format(title=_title(nb).replace('"', "'"), stem=stem),
                                      metadata={"tags": [SETUP_TAG]})
    nb.cells = [setup] + cells
    for key in ("papermill", "jupytext", "widgets"):
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    nbformat.validate(nb)
    return nb


def _page_context(app, pagename, templatename, context, doctree):
    """Before the theme draws its header buttons: offer the chapter's notebook in the download menu."""
    if pagename in app.env.course_chapters:
        context["ipynb_source"] = pagename + ".ipynb"


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated inline scripts: sphinx-thebe's configuration script is registered twice by Jupyter Book,
    and its second copy re-declares a ``const`` (a JavaScript error on every page)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        body = (getattr(script, "attributes", None) or {}).get("body")
        key = (str(getattr(script, "filename", "") or ""), body)
        if body and key in seen:
            continue
        seen.add(key)
        kept.append(script)
    if len(kept) < len(scripts):
        context["script_files"] = kept


def _slides_button(app, pagename, templatename, context, doctree):
    """After the theme drew its header buttons: a button that opens the chapter's reveal.js deck."""
    if pagename not in app.env.course_chapters or "header_buttons" not in context:
        return
    if context.get("page_source_suffix") == ".ipynb":
        # a book built from executed notebooks (the fast-mode test edition): the source entry would offer the
        # same file as the notebook entry, so only the notebook entry stays
        for group in context["header_buttons"]:
            if group.get("label") == "download-buttons":
                group["buttons"] = [b for b in group["buttons"] if b.get("label") != "download-source-button"]
    stem = posixpath.basename(pagename)
    context["header_buttons"].append({
        "type": "link",
        "url": context["pathto"](f"slides/{stem}.html", 1),
        "tooltip": "Slides of this chapter (reveal.js)",
        "icon": "fas fa-person-chalkboard",
        "label": "slides-button",
    })


def _collect_chapters(app, env, docnames):
    env.course_chapters = set(_chapters(app))
    return []


def _papermill_exec_data(app, doctree):
    """A pre-executed notebook (fast-mode build) reports papermill's timing to ``{nb-exec-table}``."""
    from myst_nb.sphinx_ import NbMetadataCollector

    env = app.env
    path = Path(env.doc2path(env.docname))
    if path.suffix != ".ipynb" or NbMetadataCollector.get_exec_data(env, env.docname):
        return
    papermill = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("papermill")
    if not papermill or papermill.get("duration") is None:
        return
    end = papermill.get("end_time")
    mode = papermill.get("parameters", {}).get("mode", "")
    NbMetadataCollector.set_doc_data(env, env.docname, "exec_data", {
        "mtime": datetime.fromisoformat(end.replace("Z", "+00:00")).timestamp() if end else None,
        "runtime": papermill["duration"],
        "method": f"papermill{f' ({mode} mode)' if mode else ''}",
        "succeeded": not papermill.get("exception"),
        "error": None,
        "traceback": None,
    })


def _write_notebooks(app, exception):
    """After Sphinx copied the sources: write each chapter's download notebook into ``_sources``."""
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    for docname in sorted(getattr(app.env, "course_chapters", ())):
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = download_notebook(Path(app.env.doc2path(docname)), posixpath.basename(docname))
        nbformat.write(nb, target)


def setup(app):
    app.add_config_value("course_non_chapter_pages", ["book/status"], "env")
    app.connect("env-before-read-docs", _collect_chapters)
    app.connect("env-updated", lambda app, env: _collect_chapters(app, env, None))
    app.connect("doctree-read", _papermill_exec_data)
    app.connect("html-page-context", _page_context, priority=500)
    app.connect("html-page-context", _slides_button, priority=600)
    app.connect("build-finished", _write_notebooks)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.add_js_file(None, body=DOWNLOAD_SCRIPT)
    # MathJax on every page, not only on pages with math of their own: titles in the navigation sidebar
    # (such as the fidelity chapter's) hold math, and a page without MathJax shows them as raw TeX.
    app.set_html_assets_policy("always")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
