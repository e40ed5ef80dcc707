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


#: "Theorem 4", "Lemmas 2 and 3", "definition 1": a result number typed by hand. The book's numbers are the
#: ones sphinx-proof prints, so a number may only come from {prf:ref}`label` (which renders "Theorem N" itself).
TYPED_NUMBER = re.compile(r"\b(theorem|lemma|proposition|corollary|definition|remark|assumption)s?\s+\d+", re.I)
#: Names of material the reader does not have: the project's private notes and third-party summaries.
PRIVATE_SOURCE = re.compile(r"\bTHEORY\b|THEORY\.md")  # the notes' name, in capitals
THIRD_PARTY = re.compile(r"summary of the paper", re.I)


def _source_lines():
    """(page, line number, line) for every line of every book page, code cells included."""
    for page in PAGES:
        text = jupytext.writes(jupytext.read(page), fmt="md:myst") if page.suffix == ".ipynb" else page.read_text()
        for number, line in enumerate(text.splitlines(), start=1):
            yield page.relative_to(ROOT), number, line


def test_no_result_number_is_typed_by_hand():
    """Numbers only through {prf:ref}: a typed "Theorem 4" (in prose, a title, a comment, a label, an
    assertion message, or as the explicit text of a {prf:ref}) drifts as soon as a result is added."""
    offenders = [f"{page}:{number}: {match.group(0)!r} in {line.strip()[:110]!r}"
                 for page, number, line in _source_lines() for match in TYPED_NUMBER.finditer(line)]
    assert not offenders, ("typed result numbers; refer with {prf:ref}`label` (or name the result in words):\n"
                           + "\n".join(offenders))


def test_book_names_no_private_source():
    """The reader has neither the project's THEORY notes nor any summary of the paper, only the abstract."""
    offenders = [f"{page}:{number}: {line.strip()[:110]!r}" for page, number, line in _source_lines()
                 if PRIVATE_SOURCE.search(line) or THIRD_PARTY.search(line)]
    assert not offenders, "the book cites sources the reader does not have:\n" + "\n".join(offenders)
