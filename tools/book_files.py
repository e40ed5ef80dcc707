"""Shared helpers of the book tooling: which files the table of contents lists, and which are notebooks."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files(root: Path = ROOT) -> list[Path]:
    """Source files listed in ``_toc.yml``, in reading order (root page first)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found: list[str] = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    paths = []
    for name in found:
        candidates = [root / name] if Path(name).suffix else [root / f"{name}.md", root / f"{name}.ipynb"]
        path = next((c for c in candidates if c.exists()), None)
        if path is None:
            raise FileNotFoundError(f"_toc.yml lists {name!r} but no such file exists under {root}.")
        paths.append(path)
    return paths


def is_notebook(path: Path) -> bool:
    """A MyST Markdown notebook declares a kernelspec in its jupytext front matter."""
    if path.suffix == ".ipynb":
        return True
    text = path.read_text()
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1]
    return "kernelspec" in front


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """The executable chapters, in reading order."""
    return [p for p in toc_files(root) if is_notebook(p)]
