"""The slide builder's choice of cells and its MyST-to-Markdown conversion (no book build needed)."""

from __future__ import annotations

import nbformat

from tools.build_slides import collect_labels, default_deck, myst_to_markdown, tagged_deck, title_slide

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _chapter(tags=False):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    figure = code("plot()", outputs=[nbformat.v4.new_output("display_data", data={"image/png": PNG})])
    checks = code("check()", outputs=[nbformat.v4.new_output("stream", name="stdout", text="12 checks passed\n"),
                                      nbformat.v4.new_output("execute_result", data={"text/plain": "table"})])
    statement = md("````{prf:theorem} Big result\n:label: thm-big\n\nBody with $x$ and {prf:ref}`thm-big`.\n"
                   "```{math}\ny = 1\n```\n````\n\n```{prf:proof}\nSecret.\n```")
    if tags:
        statement.metadata["tags"] = ["slide"]
        checks.metadata["tags"] = ["slide", "slide-text"]
    return nbformat.v4.new_notebook(cells=[
        md("(chap)=\n# The title\n\nThe claim {footcite}`someone` in words, see {ref}`the notes <notation>`.\n\nMore."),
        code("mode = 'full'", metadata={"tags": ["parameters"]}),
        md("## Statement"), statement,
        md("## The experiment"), figure,
        md("## The checks\n\n* **closed forms** against the theorem;\n* **rates** against a fit."), checks,
    ])


def test_myst_boxes_and_roles_become_markdown():
    text = myst_to_markdown("See {prf:ref}`thm-big` and {ref}`this <sec>` {cite}`x`.\n\n"
                            "```{prf:lemma} Name\n:label: lem\n\n$a$\n```", {"thm-big": ("theorem", "Big result")})
    assert "*Big result*" in text and "this" in text and "cite" not in text
    assert "> **Lemma** · *Name*" in text and "> $a$" in text and ":label:" not in text


def test_default_deck_has_title_outline_statement_figure_checks():
    nb = _chapter()
    labels = collect_labels([nb])
    assert labels == {"thm-big": ("theorem", "Big result")}
    title, name = title_slide(nb, labels, "../book/chap.html")
    assert name == "The title" and "The claim in words" in title[0].source and "footcite" not in title[0].source
    cells = default_deck(nb, labels, title)
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "## Outline" in text and "1. Statement" in text and "**Theorem** · *Big result*" in text
    assert "$$\ny = 1\n$$" in text.replace("> ", "") and "Secret" not in text
    assert "* closed forms" in text and "* rates" in text
    outputs = [o.output_type for c in cells if c.cell_type == "code" for o in c.outputs]
    assert outputs == ["display_data", "stream"]
    assert all(c.metadata["transient"]["remove_source"] for c in cells if c.cell_type == "code")


def test_tagged_cells_make_the_deck():
    nb = _chapter(tags=True)
    labels = collect_labels([nb])
    title, _ = title_slide(nb, labels, "x.html")
    cells = tagged_deck(nb, labels, title)
    assert [c.cell_type for c in cells] == ["markdown", "markdown", "code"]  # title added, then the tagged cells
    assert [o.output_type for o in cells[-1].outputs] == ["stream"]


def _chapter_with_anatomy():
    """A chapter in the course's anatomy: objectives box right after the title, "What to remember" before the
    exercises."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = _chapter()
    nb.cells[0] = md("(chap)=\n# The title\n\n```{admonition} Objectives and prerequisites\n:class: tip objectives\n"
                     "After this chapter you can\n- state {prf:ref}`thm-big`;\n- run the experiment;\n"
                     "- read the checks.\n\n**Prerequisites:** {doc}`../part1/pipeline`, {doc}`fidelity`.\n```\n\n"
                     "The claim {footcite}`someone` in words.\n\nMore.")
    nb.cells.append(md("## What to remember\n\n- {prf:ref}`thm-big` holds;\n- the checks passed.\n\n"
                       "## Exercises\n\n```{exercise}\nDo it.\n```"))
    nb.cells.append(code("x = 1"))
    return nb


def test_default_deck_has_objectives_second_and_what_to_remember_last():
    nb = _chapter_with_anatomy()
    labels = collect_labels([nb])
    labels["doc:pipeline"] = ("doc", "The two-stage pipeline")
    title, name = title_slide(nb, labels, "../book/chap.html")
    assert name == "The title"
    # the title slide keeps the first paragraph of prose, not the objectives box
    assert "The claim in words" in title[0].source and "Objectives" not in title[0].source
    cells = default_deck(nb, labels, title)
    slides = [c for c in cells if c.metadata.get("slideshow", {}).get("slide_type") == "slide"]
    objectives, last = slides[1].source, slides[-1].source
    assert objectives.startswith("## Objectives and prerequisites")
    assert "- state *Big result*;" in objectives and "- read the checks." in objectives
    assert "*The two-stage pipeline*, fidelity." in objectives and "{doc}" not in objectives
    assert ":class:" not in objectives
    assert slides[2].source.startswith("## Outline") and "1. What to remember" in slides[2].source
    assert last.startswith("## What to remember") and "- *Big result* holds;" in last
    assert "Exercises" not in last and "Do it" not in last
    assert cells[-1] is slides[-1]


def test_a_chapter_without_the_anatomy_keeps_its_deck():
    nb = _chapter()
    labels = collect_labels([nb])
    title, _ = title_slide(nb, labels, "x.html")
    cells = default_deck(nb, labels, title)
    assert cells[1].source.startswith("## Outline")
    assert not any("What to remember" in c.source or "Objectives" in c.source for c in cells)
