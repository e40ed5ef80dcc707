"""Which pages of the book are chapters: the notebooks of the table of contents, less the reference pages
listed in ``course_non_chapter_pages`` of ``_config.yml`` (the status page). Chapters get a notebook download,
a slide deck and must show a figure; reference pages are executed and checked like any page, nothing more."""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.book_files import ROOT, chapter_notebooks


def non_chapter_pages(root: Path = ROOT) -> set[str]:
    """Docnames (``book/status``) of the notebook pages that are not chapters."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    return set((config.get("sphinx", {}).get("config", {}) or {}).get("course_non_chapter_pages", []) or [])


def docname(path: Path, root: Path = ROOT) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def course_chapters(root: Path = ROOT) -> list[Path]:
    """The chapters, in reading order."""
    skip = non_chapter_pages(root)
    return [p for p in chapter_notebooks(root) if docname(p, root) not in skip]
