"""Build the HTML book from the fast-mode notebooks that ``tests/test_chapters.py`` executed.

The mirror ``_build/fast-src/`` gets the configuration (with execution switched off), the table of
contents, the bibliography, the Sphinx extensions and every non-notebook page; the executed chapters are
already there. Then Jupyter Book builds it with warnings as errors, so ``make test`` executes each
chapter exactly once, and ``tools/build_slides.py`` makes the chapters' reveal.js decks from the same notebooks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.book_files import ROOT, is_notebook, toc_files  # noqa: E402

MIRROR = ROOT / "_build" / "fast-src"


def main() -> int:
    MIRROR.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (MIRROR / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for name in ("_toc.yml", "references.bib"):
        shutil.copy2(ROOT / name, MIRROR / name)
    shutil.copytree(ROOT / "book" / "_ext", MIRROR / "book" / "_ext", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    missing = []
    for page in toc_files():
        relative = page.relative_to(ROOT)
        if is_notebook(page):
            executed = MIRROR / relative.with_suffix(".ipynb")
            if not executed.exists():
                missing.append(str(relative))
            else:
                _execution_off(executed)
            stale_md = MIRROR / relative
            stale_md.unlink(missing_ok=True)
        else:
            (MIRROR / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, MIRROR / relative)
    if missing:
        print("These chapters have no executed fast-mode notebook; run the chapter tests first:", missing)
        return 1
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(MIRROR),
               "--warningiserror", "--keep-going", "--quiet"]
    print("+", " ".join(command), flush=True)
    status = subprocess.call(command)
    if status != 0:
        return status
    html = MIRROR / "_build" / "html"
    print("+ tools/build_slides.py (one reveal.js deck per chapter)", flush=True)
    status = subprocess.call([sys.executable, str(ROOT / "tools" / "build_slides.py"), str(MIRROR), str(html)])
    if status == 0:
        print(f"Fast-mode book: {html / 'index.html'}")
    return status


def _execution_off(notebook: Path) -> None:
    """A page may ask to be executed on every build (``mystnb: execution_mode: force``, the status page);
    in the fast-mode book every notebook was executed by papermill already, so that request is dropped."""
    nb = json.loads(notebook.read_text())
    if nb.get("metadata", {}).get("mystnb", {}).pop("execution_mode", None) is not None:
        notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
