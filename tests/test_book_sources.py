"""Static checks of the book's sources that catch what would otherwise only show in the rendered HTML."""

from __future__ import annotations

import re

import jupytext
import pytest

from tools.book_files import ROOT, chapter_notebooks, toc_files

PAGES = toc_files()
IDS = [str(p.relative_to(ROOT)) for p in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_display_math_is_its_own_block(page):
    """``$$`` display math that follows a text line is parsed as two inline ``$`` and garbles the page."""
    lines = page.read_text().splitlines()
    in_code = in_math = False
    problems = []
    for number, line in enumerate(lines):
        if line.startswith("```{code-cell"):
            in_code = True
        elif in_code and line.strip() == "```":
            in_code = False
        if in_code or not line.lstrip().startswith("$$"):
            continue
        stripped = line.strip()
        if stripped == "$$":
            in_math = not in_math
            opening = in_math
        else:
            opening = not in_math
        previous = lines[number - 1].strip() if number else ""
        if opening and previous and not previous.startswith((":", "```", "$$")) and not previous.endswith("$$"):
            problems.append(f"line {number + 1}: put a blank line before '$$' (after {previous[:40]!r})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", chapter_notebooks(), ids=[str(p.relative_to(ROOT)) for p in chapter_notebooks()])
def test_chapter_has_parameters_cell_with_full_default(page):
    nb = jupytext.read(page)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one code cell must be tagged 'parameters'"
    assert re.search(r'^mode\s*=\s*"full"\s*$', tagged[0].source, re.M), "the parameters cell must set mode = \"full\""


def test_no_numbered_result_is_attributed_to_the_paper():
    """Provenance rule: only the abstract is available, so the book never cites 'Theorem N of the paper'."""
    pattern = re.compile(r"(theorem|lemma|corollary|proposition) \d+ (of|in) (the|their) paper", re.I)
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in PAGES for m in pattern.finditer(p.read_text())]
    assert not offenders, offenders
