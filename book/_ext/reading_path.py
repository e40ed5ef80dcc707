"""The reading path of the course, drawn at build time from the sources so that it cannot drift.

The directive ``{reading-path}`` (used on the introduction page) reads ``_toc.yml`` (the parts and the order of
the chapters) and each chapter's front matter::

    synutil:
      prerequisites: [book/part1/pipeline, book/part2/fidelity]

and draws a layered diagram with matplotlib: one column per part (Parts I to V; the parts "For instructors" and
"Reference" are not drawn), the chapters as boxes labelled with their ``# Title``, and an arrow from each
prerequisite to the chapter that needs it. It is a numbered figure: the directive's content is the caption and
its ``:name:`` the label that ``{numref}`` refers to.

* HTML: the figure is inline SVG, and each chapter box is a link to its chapter.
* LaTeX (and any other builder): a PNG written into the builder's output folder.

Nothing is written into the source tree. The build fails with a :class:`sphinx.errors.ExtensionError` naming the
chapter when a chapter of Parts I to V has no ``synutil: prerequisites`` key, or when a prerequisite is not a
chapter listed earlier in ``_toc.yml``. :func:`reading_path_graph` is the pure-Python part (no Sphinx), which
``tests/test_chapter_anatomy.py`` checks.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

#: Parts of the table of contents that are drawn: those whose caption starts with "Part ".
PART_CAPTION = re.compile(r"^Part\s+([IVXLC]+)\b")
SUFFIXES = (".md", ".ipynb")


class ReadingPathError(ValueError):
    """A chapter's prerequisites do not fit the table of contents (the message says which and how to fix it)."""


@dataclass
class Chapter:
    docname: str  # "book/part2/fidelity", relative to the book root, no suffix
    title: str
    prerequisites: list[str] = field(default_factory=list)


@dataclass
class Part:
    caption: str  # "Part II — Generalization utility"
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def numeral(self) -> str:
        match = PART_CAPTION.match(self.caption)
        return match.group(1) if match else self.caption

    @property
    def name(self) -> str:
        """The caption without "Part II —"."""
        return re.sub(r"^Part\s+[IVXLC]+\s*[—–-]\s*", "", self.caption)


def _source(root: Path, docname: str) -> Path:
    for suffix in SUFFIXES:
        path = root / f"{docname}{suffix}"
        if path.exists():
            return path
    raise ReadingPathError(f"_toc.yml lists {docname!r}, but neither {docname}.md nor {docname}.ipynb exists "
                           f"under {root}.")


def toc_parts(root: Path) -> list[tuple[str, list[str]]]:
    """``(caption, [docname, ...])`` of every part of ``_toc.yml`` whose caption starts with "Part "."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    parts = []
    for part in toc.get("parts", []) or []:
        caption = str(part.get("caption", ""))
        if not PART_CAPTION.match(caption):
            continue
        names, stack = [], list(reversed(part.get("chapters") or []))
        while stack:  # depth first, in the order of the file: a chapter, then its sections
            entry = stack.pop()
            if "file" in entry:
                names.append(re.sub(r"\.(md|ipynb)$", "", entry["file"]))
            stack.extend(reversed(entry.get("sections") or []))
        parts.append((caption, names))
    return parts


def _title(lines) -> str:
    """The first ``# `` heading outside fenced blocks and code cells."""
    fence = None
    for line in lines:
        stripped = line.strip()
        match = re.match(r"^(`{3,}|~{3,}|:{3,})", stripped)
        if fence is None and match:
            fence = match.group(1)
        elif fence is not None and match and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            fence = None
        elif fence is None and line.startswith("# "):
            return line[2:].strip()
    return ""


def read_chapter(path: Path) -> tuple[dict | None, str]:
    """``(the synutil front-matter mapping or None, the chapter's '# ' title)`` of a MyST or ipynb chapter."""
    path = Path(path)
    if path.suffix == ".ipynb":  # an executed notebook (the fast-mode book): jupytext kept the front matter here
        nb = json.loads(path.read_text(encoding="utf-8"))
        lines = [line for cell in nb.get("cells", []) if cell.get("cell_type") == "markdown"
                 for line in "".join(cell.get("source", "")).splitlines()]
        return nb.get("metadata", {}).get("synutil"), _title(lines)
    lines = path.read_text(encoding="utf-8").splitlines()
    front: dict = {}
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            front = yaml.safe_load("\n".join(lines[1:end])) or {}
            lines = lines[end + 1:]
    return (front.get("synutil") if isinstance(front, dict) else None), _title(lines)


def reading_path_graph(root, *, strict: bool = True) -> tuple[list[Part], list[tuple[str, str]]]:
    """The parts of the course (Parts I to V of ``_toc.yml``, chapters in order, with titles) and the edges
    ``(prerequisite, chapter)`` read from each chapter's ``synutil: prerequisites`` front matter.

    With ``strict`` (the build's setting), a chapter without the key, a prerequisite that is not a chapter listed
    earlier, or a prerequisite listed twice raises :class:`ReadingPathError`; without it such a chapter or
    prerequisite is skipped (for drafts).
    """
    root = Path(root)
    parts: list[Part] = []
    edges: list[tuple[str, str]] = []
    seen: list[str] = []
    problems: list[str] = []
    toc = toc_parts(root)
    listed = {name for _, names in toc for name in names}
    for caption, names in toc:
        part = Part(caption)
        for docname in names:
            path = _source(root, docname)
            meta, title = read_chapter(path)
            prerequisites = meta.get("prerequisites") if isinstance(meta, dict) else None
            if not isinstance(prerequisites, list):
                problems.append(
                    f"{path.relative_to(root)}: no `synutil: prerequisites` list in the front matter; add, after "
                    "`kernelspec:`, the key `synutil:` with `prerequisites: [book/..., ...]` (the chapter's direct "
                    "prerequisites, each a chapter listed earlier in _toc.yml; `[]` for the first chapter).")
                prerequisites = []
            kept = []
            for prerequisite in prerequisites:
                name = re.sub(r"\.(md|ipynb)$", "", str(prerequisite))
                if name == docname:
                    problems.append(f"{path.relative_to(root)}: lists itself as a prerequisite; remove it.")
                    continue
                if name not in seen:
                    where = ("is listed later in _toc.yml" if name in listed
                             else "is not a chapter of Parts I to V in _toc.yml")
                    problems.append(f"{path.relative_to(root)}: prerequisite {prerequisite!r} {where}; a "
                                    "prerequisite must be a chapter that comes earlier in _toc.yml (write its "
                                    "docname relative to the book root, e.g. book/part1/pipeline).")
                    continue
                if name in kept:
                    problems.append(f"{path.relative_to(root)}: prerequisite {prerequisite!r} is listed twice; "
                                    "list each prerequisite once.")
                    continue
                kept.append(name)
                edges.append((name, docname))
            part.chapters.append(Chapter(docname, title or docname.rsplit("/", 1)[-1], kept))
            seen.append(docname)
        parts.append(part)
    if strict and problems:
        raise ReadingPathError("The reading path cannot be drawn:\n  " + "\n  ".join(problems))
    return parts, edges


# ------------------------------------------------------------------------------------------------- drawing

PART_COLOURS = ("#dbe9f6", "#e3f1df", "#fbe8d3", "#ece2f3", "#f9dfe1", "#e6e6e6")
EDGE_COLOURS = ("#2b6cb0", "#2f855a", "#c05621", "#6b46c1", "#c53030", "#555555")


def _label(title: str, width: int = 24) -> str:
    """A chapter title wrapped for its box; math ($...$) is kept in one piece with what it is glued to."""
    words = re.findall(r"(?:\$[^$]*\$|[^\s$])+", title)
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(re.sub(r"[\\${}]", "", word)) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines) if lines else textwrap.fill(title, width)


def _spread(count: int, half: float) -> list[float]:
    """``count`` offsets spread evenly over [-half, half] (0 for one)."""
    if count <= 1:
        return [0.0] * count
    return [half - 2 * half * k / (count - 1) for k in range(count)]


def draw(parts: list[Part], edges: list[tuple[str, str]], *, urls: dict[str, str] | None = None, fmt: str = "svg",
         dpi: int = 150) -> bytes:
    """The reading path as an image (``fmt`` "svg" or "png"); ``urls`` maps docnames to link targets (SVG).

    One column per part, the chapters of a part from top to bottom in the order of the table of contents. An arrow
    to the next chapter of the same part goes straight down, one to a later chapter of the same part bends round
    the left side, one to another part leaves the right side of its box and enters the left side of the target in
    the colour of the part it comes from; the ends of several arrows at one box are spread so that they do not
    cross there.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path as MPath

    urls = urls or {}
    col_w, box_w, box_h, row_h, top = 3.3, 2.3, 0.8, 1.15, 0.95
    rows = max((len(p.chapters) for p in parts), default=1)
    width, height = col_w * max(len(parts), 1), row_h * rows + top + 0.1
    place: dict[str, tuple[float, float, int, int]] = {}  # docname -> centre x, centre y, column, row
    for c, part in enumerate(parts):
        for r, chapter in enumerate(part.chapters):
            place[chapter.docname] = (col_w * (c + 0.5), -top - row_h * (r + 0.5), c, r)
    drawn = [(s, t) for s, t in edges if s in place and t in place]
    across = [(s, t) for s, t in drawn if place[s][2] != place[t][2]]
    # where each arrow leaves (right side) and arrives (left side), ordered so that neighbouring arrows do not cross
    exits: dict[tuple[str, str], float] = {}
    entries: dict[tuple[str, str], float] = {}
    for name in place:
        out = sorted((e for e in across if e[0] == name), key=lambda e: place[e[1]][1], reverse=True)
        for e, dy in zip(out, _spread(len(out), 0.28 * box_h), strict=True):
            exits[e] = dy
        into = sorted((e for e in drawn if e[1] == name and (e in across or place[e[1]][3] > place[e[0]][3] + 1)),
                      key=lambda e: (place[e[0]][2] == place[name][2], place[e[0]][1]), reverse=True)
        for e, dy in zip(into, _spread(len(into), 0.3 * box_h), strict=True):
            entries[e] = dy
    # arrows that pass over a part run in the corridor between two rows of boxes: the one above the target's row
    # (the row gap is row_h - box_h), several arrows in one corridor spread over its height
    corridor_y: dict[tuple[str, str], float] = {}
    long = sorted((e for e in across if place[e[1]][2] > place[e[0]][2] + 1),
                  key=lambda e: (place[e[1]][3], place[e[0]][2], place[e[1]][2]))
    for r in {place[t][3] for _, t in long}:
        group = [e for e in long if place[e[1]][3] == r]
        for e, dy in zip(group, _spread(len(group), 0.3 * (row_h - box_h)), strict=True):
            corridor_y[e] = -top - row_h * r + dy
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "reading-path", "font.size": 8.5}):
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(-height, 0)
        ax.axis("off")
        for c, part in enumerate(parts):
            x = col_w * (c + 0.5)
            ax.text(x, -0.3, f"Part {part.numeral}", ha="center", va="center", fontsize=10, fontweight="bold")
            ax.text(x, -0.58, _label(part.name, 32), ha="center", va="center", fontsize=7.5, color="#333333")
            for chapter in part.chapters:
                x, y, _, _ = place[chapter.docname]
                box = FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                     boxstyle="round,pad=0.02,rounding_size=0.08",
                                     facecolor=PART_COLOURS[c % len(PART_COLOURS)], edgecolor="#444444",
                                     linewidth=0.9, zorder=2)
                ax.add_patch(box)
                label = ax.text(x, y, _label(chapter.title), ha="center", va="center", zorder=3)
                if chapter.docname in urls:
                    box.set_url(urls[chapter.docname])
                    label.set_url(urls[chapter.docname])
        for source, target in drawn:
            x0, y0, c0, r0 = place[source]
            x1, y1, c1, r1 = place[target]
            colour = EDGE_COLOURS[c0 % len(EDGE_COLOURS)]
            style = dict(arrowstyle="-|>", mutation_scale=9, color=colour, linewidth=0.8, alpha=0.8, zorder=1,
                         shrinkA=0, shrinkB=0.5)
            if c0 == c1 and r1 == r0 + 1:  # the next chapter of the same part: straight down
                arrow = FancyArrowPatch((x0, y0 - box_h / 2), (x1, y1 + box_h / 2), **style)
            elif c0 == c1:  # a later chapter of the same part: round the left side
                ya, yb = y0, y1 + entries.get((source, target), 0.0)
                xl = x0 - box_w / 2
                bend = 0.22 + 0.06 * (r1 - r0)
                arrow = FancyArrowPatch(path=MPath([(xl, ya), (xl - bend, ya), (xl - bend, yb), (xl, yb)],
                                                   [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4]),
                                        **style)
            elif c1 == c0 + 1:  # the next part: an S-curve through the gap between the two columns
                ya = y0 + exits.get((source, target), 0.0)
                yb = y1 + entries.get((source, target), 0.0)
                xa, xb = x0 + box_w / 2, x1 - box_w / 2
                d = 0.6 * (xb - xa)
                arrow = FancyArrowPatch(path=MPath([(xa, ya), (xa + d, ya), (xb - d, yb), (xb, yb)],
                                                   [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4]),
                                        **style)
            else:  # a later part: along the free corridor between two rows, never behind a box
                ya = y0 + exits.get((source, target), 0.0)
                yb = y1 + entries.get((source, target), 0.0)
                yc = corridor_y[(source, target)]
                xa, xb = x0 + box_w / 2, x1 - box_w / 2
                g = (col_w - box_w) / 2
                arrow = FancyArrowPatch(path=MPath(
                    [(xa, ya), (xa + g, ya), (xa + g, yc), (xa + 2 * g, yc), (xb - 2 * g, yc),
                     (xb - g, yc), (xb - g, yb), (xb, yb)],
                    [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4,
                     MPath.CURVE4, MPath.CURVE4]), **style)
            ax.add_patch(arrow)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
        plt.close(fig)
    return buffer.getvalue()


def inline_svg(svg: bytes, label: str) -> str:
    """The SVG as an element to embed in HTML: no XML prolog, scaled to the width of the page."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"',
                  r'<svg\1 width="100%" style="max-width:100%;height:auto"', text, count=1)
    text = text.replace(' target="_blank"', "")  # a chapter opens in the book's own tab
    return text.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)


# ------------------------------------------------------------------------------------------------- Sphinx


class reading_path_node(nodes.General, nodes.Element):
    """Placeholder inside the figure; replaced by the drawing once the builder is known."""


class ReadingPathDirective(SphinxDirective):
    """``{reading-path}``: the content is the caption, ``:name:`` the label for ``{numref}``."""

    has_content = True
    option_spec = {"name": directives.unchanged, "class": directives.class_option, "width": directives.unchanged}

    def run(self):
        root = Path(self.env.srcdir)
        try:
            reading_path_graph(root, strict=self.config.reading_path_strict)
        except ReadingPathError as error:
            raise ExtensionError(str(error)) from None
        # the page is read again whenever the table of contents or a chapter changes
        self.env.note_dependency(str(root / "_toc.yml"))
        for _caption, names in toc_parts(root):
            for docname in names:
                self.env.note_dependency(str(_source(root, docname)))
        figure = nodes.figure("", classes=["reading-path"] + self.options.get("class", []))
        figure += reading_path_node("", width=self.options.get("width", ""))
        if not self.content:
            raise self.error("reading-path: write the figure's caption as the directive's content.")
        parsed = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, parsed)
        first = parsed[0] if len(parsed) else None
        if not isinstance(first, nodes.paragraph):
            raise self.error("reading-path: the first paragraph of the content is the figure's caption.")
        caption = nodes.caption(first.rawsource, "", *first.children)
        caption.source, caption.line = first.source, first.line
        figure += caption
        if len(parsed) > 1:
            figure += nodes.legend("", *parsed[1:])
        self.add_name(figure)
        return [figure]


def _resolve(app, doctree, docname):
    found = list(doctree.findall(reading_path_node))
    if not found:
        return
    try:
        parts, edges = reading_path_graph(Path(app.srcdir), strict=app.config.reading_path_strict)
    except ReadingPathError as error:
        raise ExtensionError(str(error)) from None
    alt = "Reading path of the course. " + " ".join(
        f"Part {p.numeral}: " + "; ".join(c.title for c in p.chapters) + "." for p in parts)
    for node in found:
        if app.builder.format == "html":
            urls = {c.docname: app.builder.get_relative_uri(docname, c.docname) for p in parts for c in p.chapters}
            svg = inline_svg(draw(parts, edges, urls=urls, fmt="svg"), alt.replace('"', "'").replace("$", ""))
            node.replace_self(nodes.raw("", f'<div class="reading-path-svg tex2jax_ignore">{svg}</div>', format="html"))
        else:  # LaTeX and the others: a PNG next to the output, never in the source tree
            out = Path(app.outdir) / "reading_path.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(draw(parts, edges, fmt="png", dpi=200))
            image = nodes.image(uri=out.name, alt=alt, candidates={"*": out.name})
            if node.get("width"):
                image["width"] = node["width"]
            node.replace_self(image)


def _skip(self, node):
    raise nodes.SkipNode


def setup(app):
    app.add_config_value("reading_path_strict", True, "env")
    app.add_node(reading_path_node, html=(_skip, None), latex=(_skip, None), text=(_skip, None),
                 man=(_skip, None), texinfo=(_skip, None))
    app.add_directive("reading-path", ReadingPathDirective)
    app.connect("doctree-resolved", _resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
