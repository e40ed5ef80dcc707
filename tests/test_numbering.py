"""Unit tests of ``tools/check_numbering.py`` on small pages written in sphinx-proof's real HTML markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import check_numbering as cn

COUNTERS = {**{k: k for k in cn.PROOF_TYPES}, "lemma": "theorem", "proposition": "theorem", "corollary": "theorem"}


def box(kind: str, number: int | None, label: str, title: str = "A result") -> str:
    """A numbered box exactly as sphinx-proof 0.4 writes it (``:nonumber:`` when ``number`` is None)."""
    caption = f"{kind.title()} {number} " if number is not None else f"{kind.title()} "
    title_id = f' id="{label}"' if number is None else ""
    return (f'<div class="proof {kind} admonition" id="{label}">\n'
            f'<p class="admonition-title"{title_id}><span class="caption-number">{caption}</span> ({title})</p>\n'
            f'<section class="{kind}-content" id="proof-content">\n<p>Let <span class="math notranslate '
            f'nohighlight">\\(x\\)</span> be real.</p>\n</section>\n</div>\n'
            '<div class="proof admonition" id="proof">\n<p>Proof. Obvious.</p>\n</div>\n')


def ref(href: str, text: str) -> str:
    """A resolved ``{prf:ref}`` link."""
    return f'<a class="reference internal" href="{href}">{text}</a>'


def page(title: str, body: str) -> str:
    anchor = title.lower().replace(" ", "-")
    return ('<html><head><title>ignored Theorem 99</title></head><body>'
            '<nav class="bd-links"><a class="reference internal" href="other.html">Theorem 99: a nav entry</a></nav>'
            '<main><div class="bd-article-container"><article class="bd-article">'
            f'<section id="{anchor}">\n<h1>{title}<a class="headerlink" href="#{anchor}" '
            f'title="Link to this heading">#</a></h1>\n{body}</section></article>'
            '<footer class="prev-next-footer"><p class="prev-next-title">Theorem 98: next</p></footer>'
            '</div></main></body></html>')


def code_cell(source_html: str, output: str | None = None) -> str:
    cell = ('<div class="cell docutils container">\n<div class="cell_input docutils container">\n'
            f'<div class="highlight-python notranslate"><div class="highlight"><pre><span></span>{source_html}\n'
            '</pre></div>\n</div>\n</div>\n')
    if output is not None:
        cell += ('<div class="cell_output docutils container">\n<div class="output stream highlight-myst-ansi '
                 f'notranslate"><div class="highlight"><pre><span></span>{output}\n</pre></div>\n</div>\n</div>\n')
    return cell + "</div>\n"


A = "book/a.html"
B = "book/sub/b.html"
GOOD_A = page("Where utility goes", box("definition", 1, "def-u", "Utility")
              + box("theorem", 1, "thm-main", "Main bound")
              + "<p>By " + ref("#thm-main", "Theorem 1") + " and " + ref("sub/b.html#lem-aux", "Lemma 2")
              + " (proved later; used on trust), with " + ref("#def-u", "Definition 1") + ".</p>\n"
              + "<ul><li><p>" + ref("sub/b.html#lem-aux", "Lemma 2") + " in a list.</p></li></ul>\n"
              + code_cell('<span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>  '
                          '<span class="c1"># the main bound</span>', "0.5"))
GOOD_B = page("Auxiliary results", box("lemma", 2, "lem-aux", "An auxiliary inequality")
              + box("remark", 1, "rem-x", "A remark")
              + "<table><tbody><tr><td>" + ref("../a.html#thm-main", "Theorem 1") + "</td></tr></tbody></table>\n")


def run(pages: dict[str, str]) -> tuple[cn.Report, list[str]]:
    report = cn.Report()
    for name, html in pages.items():
        boxes, mentions, title = cn.parse_page(html, name)
        report.boxes.extend(boxes)
        report.mentions.extend(mentions)
        report.titles[name] = title
    return report, cn.check(report, COUNTERS)


def classes(problems: list[str]) -> set[str]:
    return {c for line in problems for c in line.split(": ")[1].split("+")}


def test_boxes_are_parsed_with_kind_number_title_and_anchor():
    boxes = cn.parse_boxes(cn.BeautifulSoup(GOOD_A, "html.parser"), A)
    assert [(b.kind, b.number, b.anchor) for b in boxes] == [("definition", "1", "def-u"), ("theorem", "1", "thm-main")]
    assert boxes[1].title == "(Main bound)"
    assert cn.normalise_title(boxes[1].title) == "main bound"


def test_unnumbered_box_has_no_number():
    boxes = cn.parse_boxes(cn.BeautifulSoup(page("T", box("theorem", None, "thm-x")), "html.parser"), A)
    assert [(b.kind, b.number, b.anchor) for b in boxes] == [("theorem", None, "thm-x")]


def test_a_correct_book_passes():
    report, problems = run({A: GOOD_A, B: GOOD_B})
    assert problems == []
    assert report.titles == {A: "Where utility goes", B: "Auxiliary results"}
    # links in a paragraph, a list item and a table cell; nav, footer and the boxes' own captions are not mentions
    assert [(m.kind, m.number, m.where, m.href) for m in report.mentions] == [
        ("theorem", "1", "paragraph", f"{A}#thm-main"),
        ("lemma", "2", "paragraph", f"{B}#lem-aux"),
        ("definition", "1", "paragraph", f"{A}#def-u"),
        ("lemma", "2", "list item", f"{B}#lem-aux"),
        ("theorem", "1", "table cell", f"{A}#thm-main"),
    ]
    assert "problems: 0" in cn.summary(report)


@pytest.mark.parametrize("snippet, where", [
    ("<p>As Theorem 1 shows.</p>", "paragraph"),
    ("<h2>The bound of Theorem 1<a class=\"headerlink\" href=\"#b\">#</a></h2>", "heading"),
    ("<ul><li>see theorem 1</li></ul>", "list item"),
    ("<table><tr><td>Theorem 1 bound</td></tr></table>", "table cell"),
    ("<figure><figcaption><p>Slope of Theorem 1</p></figcaption></figure>", "caption"),
    (code_cell('<span class="n">ax</span><span class="o">.</span><span class="n">set_ylabel</span><span class="p">('
               '</span><span class="s2">"Theorem 1 bound"</span><span class="p">)</span>'), "code"),
    (code_cell('<span class="nb">print</span>()', "the bound of Theorem 1 holds"), "output"),
    ("<p><strong>Theorem</strong> 1 again.</p>", "paragraph"),
])
def test_a_typed_number_is_reported_wherever_it_is(snippet, where):
    report, problems = run({A: GOOD_A.replace("</section></article>", snippet + "</section></article>"), B: GOOD_B})
    typed = [m for m in report.mentions if m.href is None]  # the links of the good pages are fine
    assert [(m.kind, m.number, m.where) for m in typed] == [("theorem", "1", where)]
    assert len(problems) == 1 and "typed-number" in problems[0] and problems[0].startswith(A)
    assert "Theorem 1" in problems[0]


def test_a_number_that_no_box_has_is_reported():
    html = GOOD_A.replace("</section></article>", "<p>Corollary 7 and Theorems 1 and 4.</p></section></article>")
    report, problems = run({A: html, B: GOOD_B})
    missing = [p for p in problems if "no-such-result" in p]
    assert len(missing) == 2
    assert any("Corollary 7" in p for p in missing) and any("Theorem 4" in p for p in missing)
    # the number 2 exists on the shared counter, but as a lemma: "Proposition 2" names nothing
    html = GOOD_A.replace("</section></article>", '<p><a class="reference internal" href="sub/b.html#lem-aux">'
                          "Proposition 2</a></p></section></article>")
    _, problems = run({A: html, B: GOOD_B})
    assert classes(problems) == {"wrong-link", "no-such-result"}


def test_a_link_to_another_box_is_reported():
    html = GOOD_A.replace(ref("#def-u", "Definition 1"), ref("#def-u", "Definition 2"))
    _, problems = run({A: html, B: GOOD_B})
    assert any("wrong-link" in p and "Definition 2" in p and "Definition 1" in p for p in problems)
    html = GOOD_A.replace(ref("#thm-main", "Theorem 1"), ref("#thm-main", "Lemma 1"))
    _, problems = run({A: html, B: GOOD_B})
    assert "wrong-link" in classes(problems)


def test_a_link_that_names_a_result_but_points_to_a_page_is_reported():
    html = GOOD_A.replace("</section></article>",
                          "<p>" + ref("sub/b.html", "Lemma 2: the chapter") + "</p></section></article>")
    _, problems = run({A: html, B: GOOD_B})
    assert len(problems) == 1 and "wrong-link" in problems[0] and "no numbered box" in problems[0]


def test_a_chapter_title_that_names_another_result_is_reported():
    html = GOOD_B.replace("<h1>Auxiliary results", "<h1>Lemma 1: auxiliary results")
    _, problems = run({A: GOOD_A, B: html})
    (line,) = problems
    assert set(line.split(": ")[1].split("+")) == {"typed-number", "no-such-result", "title-mismatch"}
    assert "in title" in line and "Lemma 2 (lem-aux)" in line and "#" not in line.split("...")[1]
    # a title naming its own box is still a typed number, but no mismatch
    html = GOOD_B.replace("<h1>Auxiliary results", "<h1>Lemma 2: auxiliary results")
    _, problems = run({A: GOOD_A, B: html})
    assert classes(problems) == {"typed-number"}


def test_two_boxes_sharing_a_number_are_reported():
    # a lemma and a theorem on the shared counter cannot both be number 1
    html = GOOD_B.replace(box("lemma", 2, "lem-aux", "An auxiliary inequality"),
                          box("lemma", 1, "lem-aux", "An auxiliary inequality"))
    html = html.replace("Lemma 2", "Lemma 1").replace(ref("../a.html#thm-main", "Theorem 1"), "")
    _, problems = run({A: GOOD_A.replace("Lemma 2", "Lemma 1"), B: html})
    assert len(problems) == 1 and "duplicate-number" in problems[0]
    # a definition and a theorem with the same number are on different counters: fine
    assert "def-u" not in problems[0]


def test_a_result_stated_twice_is_reported():
    restated = box("proposition", 3, "prop-again", "Main   bound (Theorem 1)")
    _, problems = run({A: GOOD_A, B: GOOD_B.replace("</section></article>", restated + "</section></article>")})
    assert any(p.startswith(B) and "restated" in p and "thm-main" in p for p in problems)
    # the same title on another counter (a definition named like a theorem) is not a restatement
    other = box("definition", 2, "def-main", "Main bound")
    _, problems = run({A: GOOD_A, B: GOOD_B.replace("</section></article>", other + "</section></article>")})
    assert problems == []


def test_the_box_title_may_not_type_a_number_either():
    html = GOOD_B.replace("(A remark)", "(A remark on Theorem 1)")
    _, problems = run({A: GOOD_A, B: html})
    assert len(problems) == 1 and "typed-number" in problems[0] and "box title" in problems[0]


def test_counters_come_from_the_repository_config():
    counters = cn.counters_from_config()
    assert counters["lemma"] == counters["proposition"] == counters["corollary"] == "theorem"
    assert counters["definition"] == "definition" and counters["remark"] == "remark"


def test_main_reads_a_built_book(tmp_path: Path, capsys):
    (tmp_path / "book" / "sub").mkdir(parents=True)
    (tmp_path / "book" / "a.html").write_text(GOOD_A)
    (tmp_path / "book" / "sub" / "b.html").write_text(GOOD_B)
    (tmp_path / "genindex.html").write_text(page("Index", "<p>Theorem 42</p>"))
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "x.html").write_text("<p>Theorem 42</p>")
    assert cn.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 pages" in out and "mentions checked: 5" in out
    (tmp_path / "book" / "a.html").write_text(GOOD_A.replace("<h1>Where", "<h1>Theorem 3: where"))
    assert cn.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("book/a.html: typed-number+no-such-result+title-mismatch: Theorem 3 in title")
    assert cn.main([str(tmp_path / "missing")]) == 2


# ---------------------------------------------------------------------------------------- figures and {numref}


def figure(name: str | None, number: int | None, caption: str = "What is plotted.") -> str:
    """A code cell whose output is a figure, as MyST-NB 1.x writes a ``mystnb: figure:`` caption (``number`` None:
    a cell without caption, whose image sits directly in the output)."""
    image = '<img alt="_images/x.png" src="../_images/x.png"/>'
    if name is None:
        inner = image
    else:
        label = f'<span class="caption-number">Fig. {number} </span>' if number is not None else ""
        inner = (f'<figure class="align-default" id="{name}">\n{image}\n<figcaption>\n<p>{label}<span '
                 f'class="caption-text">{caption}</span><a class="headerlink" href="#{name}" title="Link to this '
                 'image">¶</a></p>\n</figcaption>\n</figure>')
    return ('<div class="cell tag_hide-input docutils container">\n<div class="cell_input docutils container">'
            '<pre>fig, ax = plt.subplots()</pre></div>\n<div class="cell_output docutils container">\n'
            f"{inner}\n</div>\n</div>\n")


def numref(href: str | None, text: str) -> str:
    """A ``{numref}`` as Sphinx renders it: a link, or code when it could not be resolved."""
    if href is None:
        return f'<code class="xref std std-numref docutils literal notranslate"><span class="pre">{text}</span></code>'
    return f'<a class="reference internal" href="{href}"><span class="std std-numref">{text}</span></a>'


EXERCISE = ('<div class="exercise admonition" id="ex-a-1">\n<p class="admonition-title"><span class="caption-number">'
            'Exercise 4 </span></p>\n<section id="exercise-content"><p>Do it.</p></section>\n</div>\n')
TABLE = ('<table class="docutils align-default" id="tab-a"><caption><span class="caption-number">Table 1 </span>'
         '<span class="caption-text">Risks</span></caption><tbody><tr><td>1</td></tr></tbody></table>\n')
FIG_A = page("Figures", figure("fig-a-risk", 1) + figure("fig-a-gap", 2) + EXERCISE + TABLE
             + "<p>See " + numref("#fig-a-risk", "Fig. 1") + ", " + numref("#fig-a-gap", "Figure 2") + ", "
             + numref("#ex-a-1", "Exercise 4") + " and " + numref("#tab-a", "Table 1") + ".</p>\n")
FIG_B = page("Elsewhere", "<p>As " + numref("../a.html#fig-a-gap", "Fig. 2") + " shows.</p>\n")


def run_figures(pages: dict[str, str]) -> tuple[cn.Report, list[str]]:
    report = cn.Report()
    for name, html in pages.items():
        soup = cn.BeautifulSoup(html, "html.parser")
        figures, loose = cn.parse_figures(soup, name)
        report.figures.extend(figures)
        report.loose_images.extend(loose)
        report.numrefs.extend(cn.parse_numrefs(soup, name))
    return report, cn.check_figures(report)


def test_numbered_figures_and_their_references_pass():
    report, problems = run_figures({A: FIG_A, B: FIG_B})
    assert problems == []
    figs = [(f.kind, f.anchor, f.number) for f in report.figures if f.kind == "figure"]
    assert figs == [("figure", "fig-a-risk", "1"), ("figure", "fig-a-gap", "2")]
    assert {(f.anchor, f.number) for f in report.figures} >= {("ex-a-1", "4"), ("tab-a", "1")}
    assert [(r.text, r.href) for r in report.numrefs] == [
        ("Fig. 1", f"{A}#fig-a-risk"), ("Figure 2", f"{A}#fig-a-gap"), ("Exercise 4", f"{A}#ex-a-1"),
        ("Table 1", f"{A}#tab-a"), ("Fig. 2", f"{A}#fig-a-gap")]


@pytest.mark.parametrize("change, found", [
    # a cell without a caption: its image is loose, and the references to it lose their target (on both pages)
    (lambda h: h.replace(figure("fig-a-gap", 2), figure(None, None)),
     {(A, "uncaptioned-image"), (A, "numref-target"), (B, "numref-target")}),
    (lambda h: h.replace(figure("fig-a-gap", 2), figure("fig-a-gap", None)),
     {(A, "unnumbered-figure"), (A, "numref-target"), (B, "numref-target")}),
    (lambda h: h.replace(numref("#fig-a-risk", "Fig. 1"), numref(None, "fig-a-typo")), {(A, "unresolved-numref")}),
    (lambda h: h.replace(numref("#fig-a-risk", "Fig. 1"), numref("#fig-a-nowhere", "Fig. 1")),
     {(A, "numref-target")}),
    (lambda h: h.replace(numref("#fig-a-risk", "Fig. 1"), numref("#fig-a-risk", "Fig. 2")), {(A, "numref-number")}),
])
def test_figure_problems_are_reported(change, found):
    _, problems = run_figures({A: change(FIG_A), B: FIG_B})
    assert {tuple(p.split(": ")[:2]) for p in problems} == found


def test_a_numref_to_a_figure_of_another_page_must_match_its_number():
    _, problems = run_figures({A: FIG_A, B: FIG_B.replace("Fig. 2", "Fig. 1")})
    assert len(problems) == 1 and problems[0].startswith(f"{B}: numref-number")


def test_main_reports_figures(tmp_path: Path, capsys):
    (tmp_path / "book" / "sub").mkdir(parents=True)
    (tmp_path / "book" / "a.html").write_text(FIG_A)
    (tmp_path / "book" / "sub" / "b.html").write_text(FIG_B)
    assert cn.main([str(tmp_path)]) == 0
    assert "figures: 2 (2 numbered); numrefs: 5; problems: 0" in capsys.readouterr().out
    (tmp_path / "book" / "a.html").write_text(FIG_A.replace(figure("fig-a-risk", 1), figure(None, None)))
    assert cn.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "uncaptioned-image" in out and "numref-target" in out  # the reference lost its figure too
