"""Check that the numbered results of a built book agree with every mention of them.

sphinx-proof renders each ``{prf:theorem}`` (lemma, proposition, ...) as a box whose caption carries the
number it assigned, and each ``{prf:ref}`label``` as a link whose text is "Kind N". This check parses every
page of a built HTML book, collects

* every **box**: kind, printed number, title, anchor id and page;
* every **mention** of ``(Theorem|Lemma|Proposition|Corollary|Definition|Remark|Assumption) <number>`` in
  what the reader sees in the article: titles (h1-h6), paragraphs, list items, table cells, captions, box
  titles, code cells' source and their outputs; whether it is the text of a link, and where that link points;

and fails (exit status 1) when any of the following holds; it prints one line per faulty mention or box,
with the page, the problem classes (joined by "+") and the context:

* ``typed-number``: a mention is not a link (the book's rule: numbers only through ``{prf:ref}``);
* ``no-such-result``: a mention names a number that no box of that kind has;
* ``wrong-link``: a link whose text names "Kind N" points to a box of another kind or number, or to no box;
* ``title-mismatch``: a chapter title (h1) names "Kind N" but the page has no box of that kind and number;
* ``duplicate-number``: two boxes on one counter print the same number (or a box prints none it should);
* ``restated``: the same result is stated twice (two boxes on one counter with the same normalised title).

It also checks the numbered figures (MyST-NB's ``mystnb: figure:`` captions, the introduction's reading path) and
every ``{numref}``, on every page:

* ``unnumbered-figure``: a ``<figure>`` of the article has no "Fig. N" caption number;
* ``uncaptioned-image``: an image that a code cell output is not inside a numbered figure (give the cell a
  ``mystnb: figure:`` caption and name);
* ``unresolved-numref``: a ``{numref}`` that Sphinx could not resolve (rendered as code, not as a link);
* ``numref-target``: a ``{numref}`` link that points to nothing with a caption number (a figure, a table, a
  code block, an exercise);
* ``numref-number``: a ``{numref}`` link whose text names another number than the caption it points to.

Usage: ``python tools/check_numbering.py _build/fast-src/_build/html``. Which kinds share a counter is read
from ``prf_realtyp_to_countertyp`` in the repository's ``_config.yml``.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup, Comment, Tag

ROOT = Path(__file__).resolve().parents[1]

#: The result kinds a mention can name (sphinx-proof's types that carry a number in this book).
KINDS = ("theorem", "lemma", "proposition", "corollary", "definition", "remark", "assumption")
#: Every type sphinx-proof renders as a box (the ``proof`` directive itself carries no number).
PROOF_TYPES = KINDS + ("conjecture", "algorithm", "criterion", "axiom", "example", "property",
                       "observation", "notation")
NUMBER = r"\d+(?:\.\d+)*"
MENTION = re.compile(rf"\b({'|'.join(KINDS)})(s?)\s+({NUMBER})((?:\s*(?:,|and|or|&|to|–|-)\s*{NUMBER}\b)*)",
                     re.IGNORECASE)
EXTRA_NUMBER = re.compile(NUMBER)
#: Elements that start a block of text; a text node belongs to its nearest block ancestor.
BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "caption", "figcaption", "dt", "dd",
          "pre", "div", "section", "article", "blockquote", "table", "thead", "tbody", "tr", "ul", "ol", "dl",
          "figure", "details", "summary", "aside", "main", "body", "header", "footer", "nav"}
#: Pages of the build that are not chapters: indices, search, the redirecting root page.
SKIP_PAGES = re.compile(r"^(genindex|search|py-modindex|prf-.*|index)\.html$")
#: Exact sentences that may name a number although they are not links (none today).
ALLOWED_SENTENCES: tuple[str, ...] = ()


@dataclass
class Box:
    page: str
    kind: str
    number: str | None
    title: str
    anchor: str | None

    @property
    def name(self) -> str:
        return f"{self.kind.title()} {self.number}" if self.number else f"{self.kind.title()} (unnumbered)"


@dataclass
class Mention:
    page: str
    kind: str
    number: str
    where: str  # title, heading, paragraph, code, output, box title, ...
    context: str
    href: str | None = None  # target of the enclosing link, resolved to "page#anchor"; None when typed


@dataclass
class Figure:
    """A numbered element that ``{numref}`` can reach: a figure, a table or a code block with a caption."""

    page: str
    kind: str  # "figure", "table", "code"
    anchor: str | None
    number: str | None  # "3" of "Fig. 3"; None when the caption carries no number
    caption: str


@dataclass
class NumRef:
    page: str
    text: str  # what the reader sees, e.g. "Fig. 3"
    href: str | None  # resolved "page#anchor"; None when Sphinx could not resolve the reference
    context: str


@dataclass
class Report:
    boxes: list[Box] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # page -> h1 text
    problems: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    numrefs: list[NumRef] = field(default_factory=list)
    loose_images: list[tuple[str, str]] = field(default_factory=list)  # (page, context) of uncaptioned outputs


def counters_from_config(config_path: Path = ROOT / "_config.yml") -> dict[str, str]:
    """Map each kind to the counter sphinx-proof numbers it on (``prf_realtyp_to_countertyp``)."""
    mapping = {kind: kind for kind in PROOF_TYPES}
    if config_path.exists():
        config = yaml.safe_load(config_path.read_text()) or {}
        custom = ((config.get("sphinx") or {}).get("config") or {}).get("prf_realtyp_to_countertyp") or {}
        mapping.update({str(k): str(v) for k, v in custom.items()})
    return mapping


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def normalise_title(title: str) -> str:
    """Lower case, without parenthesised self-references such as "(Definition 1)", punctuation or math markup."""
    title = _squash(title)
    if title.startswith("(") and title.endswith(")"):
        title = title[1:-1]
    title = re.sub(rf"\(\s*(?:{'|'.join(KINDS)})s?\s+{NUMBER}[^)]*\)", " ", title, flags=re.I)
    title = re.sub(r"\\[()\[\]]", " ", title)  # MathJax delimiters \( \)
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


def _box_kind(div: Tag) -> str | None:
    classes = div.get("class") or []
    kinds = [c for c in classes if c in PROOF_TYPES]
    return kinds[0] if kinds else None


def parse_boxes(soup: BeautifulSoup, page: str) -> list[Box]:
    boxes = []
    for div in soup.select("div.proof"):
        kind = _box_kind(div)
        if kind is None:  # the proof of a result: no number
            continue
        title_p = div.find("p", class_="admonition-title")
        number, title = None, ""
        if title_p is not None:
            caption = title_p.find("span", class_="caption-number")
            caption_text = _squash(caption.get_text()) if caption else ""
            match = re.fullmatch(rf"\w+\s*({NUMBER})?", caption_text)
            number = match.group(1) if match else None
            title = _squash("".join(
                str(s) for s in title_p.find_all(string=True)
                if not (caption and s.find_parent("span", class_="caption-number") is caption)))
        anchor = div.get("id") or (title_p.get("id") if title_p is not None else None)
        boxes.append(Box(page, kind, number, title, anchor))
    return boxes


def _block_of(node) -> Tag | None:
    for parent in node.parents:
        if parent.name in BLOCKS:
            return parent
    return None


def _where(block: Tag) -> str:
    if block.name == "h1":
        return "title"
    if re.fullmatch(r"h[2-6]", block.name or ""):
        return "heading"
    if block.name == "p" and "admonition-title" in (block.get("class") or []):
        return "box title"
    if block.find_parent("div", class_="cell_input") is not None:
        return "code"
    if block.find_parent("div", class_="cell_output") is not None:
        return "output"
    if block.name in ("td", "th"):
        return "table cell"
    if block.name in ("caption", "figcaption") or block.find_parent(["figcaption", "caption"]) is not None:
        return "caption"
    if block.name == "li" or block.find_parent("li") is not None:
        return "list item"
    return "paragraph" if block.name == "p" else block.name


def _resolve(page: str, href: str) -> str:
    """A link target as 'page#anchor' relative to the HTML root ('' anchor when the link has none)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return href
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path))) if parts.path else page
    return f"{path}#{unquote(parts.fragment)}"


def _is_caption_number(node) -> bool:
    span = node.find_parent("span", class_="caption-number")
    return span is not None and span.find_parent("div", class_="proof") is not None


def parse_mentions(soup: BeautifulSoup, page: str) -> list[Mention]:
    """Every "Kind N" in the article, with the link it sits in (if any)."""
    article = soup.select_one("article.bd-article") or soup.find("article") or soup.body or soup
    segments: dict[int, list[tuple[str, Tag | None]]] = {}
    blocks: dict[int, Tag] = {}
    for node in article.find_all(string=True):
        if isinstance(node, Comment) or node.find_parent(["script", "style"]) is not None:
            continue
        if _is_caption_number(node) or node.find_parent("a", class_="headerlink") is not None:
            continue
        block = _block_of(node)
        if block is None:
            continue
        link = node.find_parent("a")
        segments.setdefault(id(block), []).append((str(node), link))
        blocks[id(block)] = block
    mentions = []
    for key, parts in segments.items():
        text = "".join(s for s, _ in parts)
        owners: list[Tag | None] = []
        for s, link in parts:
            owners.extend([link] * len(s))
        block = blocks[key]
        where = _where(block)
        for match in MENTION.finditer(text):
            if any(sentence in text for sentence in ALLOWED_SENTENCES if match.group(0) in sentence):
                continue
            start, end = match.span()
            links = {id(o): o for o in owners[start:end]}
            link = next(iter(links.values())) if len(links) == 1 else None
            href = _resolve(page, link.get("href", "")) if link is not None else None
            context = _squash(text[max(0, start - 60):end + 60])
            kind = match.group(1).lower()
            numbers = [match.group(3)] + EXTRA_NUMBER.findall(match.group(4) or "")
            for number in numbers:
                mentions.append(Mention(page, kind, number, where, context, href))
    return mentions


def _article(soup: BeautifulSoup):
    return soup.select_one("article.bd-article") or soup.find("article") or soup.body or soup


def _caption_number(caption: Tag | None) -> tuple[str | None, str]:
    """(the number of a "Fig. N" / "Table N" / "Listing N" caption, the caption's text)."""
    if caption is None:
        return None, ""
    span = caption.find("span", class_="caption-number")
    match = re.search(NUMBER, span.get_text()) if span is not None else None
    text = _squash(" ".join(s for s in caption.find_all(string=True)
                            if s.find_parent("a", class_="headerlink") is None))
    return (match.group(0) if match else None), text


def parse_figures(soup: BeautifulSoup, page: str) -> tuple[list[Figure], list[tuple[str, str]]]:
    """The figures of the article, every element that carries a caption number (a captioned table or code block,
    an exercise: what ``{numref}`` can reach), and the images in code-cell outputs that sit in no figure."""
    article = _article(soup)
    figures, seen = [], set()
    for fig in article.find_all("figure"):
        number, caption = _caption_number(fig.find("figcaption"))
        figures.append(Figure(page, "figure", fig.get("id"), number, caption))
        seen.add(id(fig))
    for span in article.find_all("span", class_="caption-number"):
        owner = next((a for a in span.parents if a.get("id") or a.name == "figure"), None)
        if owner is None or id(owner) in seen:
            continue
        seen.add(id(owner))
        caption = span.find_parent(["caption", "p", "div"])
        number, text = _caption_number(caption)
        kind = "table" if owner.name == "table" else "code" if "literal-block-wrapper" in (owner.get("class") or []) \
            else " ".join(c for c in owner.get("class") or [] if c not in ("admonition", "docutils")) or owner.name
        figures.append(Figure(page, kind, owner.get("id"), number, text))
    loose = []
    for image in article.find_all(["img", "svg"]):
        if image.find_parent("div", class_="cell_output") is None or image.find_parent("figure") is not None:
            continue
        if image.name == "svg" and image.find_parent("svg") is not None:
            continue
        cell = image.find_parent("div", class_="cell")
        source = cell.find("div", class_="cell_input") if cell is not None else None
        context = _squash(source.get_text())[:80] if source is not None else (image.get("alt") or image.name)
        loose.append((page, context))
    return figures, loose


def parse_numrefs(soup: BeautifulSoup, page: str) -> list[NumRef]:
    """Every ``{numref}`` of the article: resolved ones are links around ``span.std-numref``, unresolved ones are
    ``code.std-numref``."""
    refs = []
    for node in _article(soup).select(".std-numref"):
        link = node.find_parent("a")
        block = _block_of(node)
        context = _squash(block.get_text())[:120] if block is not None else ""
        text = _squash(node.get_text())
        if link is None or node.name == "code":
            refs.append(NumRef(page, text, None, context))
        else:
            refs.append(NumRef(page, text, _resolve(page, link.get("href", "")), context))
    return refs


def parse_page(html, page: str) -> tuple[list[Box], list[Mention], str]:
    """Boxes, mentions and title of a page given as HTML text or as a parsed ``BeautifulSoup``."""
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "html.parser")
    article = soup.select_one("article.bd-article") or soup
    h1 = article.find("h1")
    title = _squash("".join(s for s in h1.find_all(string=True) if s.find_parent("a", class_="headerlink") is None)) \
        if h1 else ""
    return parse_boxes(soup, page), parse_mentions(soup, page), title


def check(report: Report, counters: dict[str, str]) -> list[str]:
    """Add the problems of ``report`` to ``report.problems`` and return them."""
    problems = report.problems
    by_anchor = {f"{b.page}#{b.anchor}": b for b in report.boxes if b.anchor}
    numbers_of_kind: dict[str, set[str]] = defaultdict(set)
    for box in report.boxes:
        if box.number:
            numbers_of_kind[box.kind].add(box.number)

    # Boxes: one number per result on each counter, and each result stated once.
    seen_number: dict[tuple[str, str], Box] = {}
    seen_title: dict[tuple[str, str], Box] = {}
    for box in report.boxes:
        counter = counters.get(box.kind, box.kind)
        if box.number:
            other = seen_number.get((counter, box.number))
            if other is not None:
                problems.append(f"{box.page}: duplicate-number: {box.name} ({box.anchor}) has the number of "
                                f"{other.name} ({other.page}#{other.anchor})")
            else:
                seen_number[(counter, box.number)] = box
        key = normalise_title(box.title)
        if key:
            other = seen_title.get((counter, key))
            if other is not None:
                problems.append(f"{box.page}: restated: {box.name} {box.title!r} states again "
                                f"{other.name} {other.title!r} ({other.page}#{other.anchor}); refer to it "
                                "with {prf:ref} instead")
            else:
                seen_title[(counter, key)] = box

    for m in report.mentions:
        found = []  # every problem of this mention, reported on one line
        if m.href is None:
            found.append(("typed-number", "not a link: write {prf:ref}`label`"))
        else:
            target = by_anchor.get(m.href)
            if target is None:
                found.append(("wrong-link", f"links to {m.href}, which is no numbered box"))
            elif target.kind != m.kind or target.number != m.number:
                found.append(("wrong-link", f"links to {target.name}, {m.href}"))
        if m.number not in numbers_of_kind.get(m.kind, set()):
            found.append(("no-such-result", "no box has that kind and number"))
        if m.where == "title":
            here = [b for b in report.boxes if b.page == m.page and b.kind == m.kind and b.number == m.number]
            if not here:
                on_page = ", ".join(f"{b.name} ({b.anchor})" for b in report.boxes
                                    if b.page == m.page and b.number) or "none"
                found.append(("title-mismatch", f"boxes on this page: {on_page}"))
        if found:
            classes = "+".join(c for c, _ in found)
            reasons = "; ".join(r for _, r in found)
            problems.append(f"{m.page}: {classes}: {m.kind.title()} {m.number} in {m.where}: "
                            f"...{m.context}... ({reasons})")
    check_figures(report)
    return problems


def check_figures(report: Report) -> list[str]:
    """Numbered figures and ``{numref}`` links; the problems are added to ``report.problems``."""
    problems = report.problems
    for fig in report.figures:
        if fig.kind == "figure" and fig.number is None:
            problems.append(f"{fig.page}: unnumbered-figure: the figure {fig.anchor or '(no id)'} has no numbered "
                            f"caption ('Fig. N'): ...{fig.caption[:80]}... (give it a caption and a name)")
    for page, context in report.loose_images:
        problems.append(f"{page}: uncaptioned-image: a code cell draws an image outside a numbered figure: "
                        f"...{context}... (add `mystnb: figure: caption:` and `name:` to the cell)")
    targets = {f"{f.page}#{f.anchor}": f for f in report.figures if f.anchor}
    for ref in report.numrefs:
        if ref.href is None:
            problems.append(f"{ref.page}: unresolved-numref: {{numref}} {ref.text!r} is not a link: ...{ref.context}..."
                            " (no figure, table or code block has that name)")
            continue
        target = targets.get(ref.href)
        if target is None or target.number is None:
            problems.append(f"{ref.page}: numref-target: {ref.text!r} links to {ref.href}, which is no numbered "
                            f"figure, table, code block or exercise: ...{ref.context}...")
            continue
        named = EXTRA_NUMBER.findall(ref.text)
        if named and target.number not in named:
            problems.append(f"{ref.page}: numref-number: {ref.text!r} links to {target.kind} {target.number} "
                            f"({ref.href}): ...{ref.context}...")
    return problems


def pages_of(html_dir: Path) -> list[Path]:
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        relative = path.relative_to(html_dir)
        if relative.parts[0].startswith("_") or SKIP_PAGES.match(relative.as_posix()):
            continue
        pages.append(path)
    return pages


def collect(html_dir: Path) -> Report:
    report = Report()
    for path in pages_of(html_dir):
        page = path.relative_to(html_dir).as_posix()
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        boxes, mentions, title = parse_page(soup, page)
        report.boxes.extend(boxes)
        report.mentions.extend(mentions)
        report.titles[page] = title
        figures, loose = parse_figures(soup, page)
        report.figures.extend(figures)
        report.loose_images.extend(loose)
        report.numrefs.extend(parse_numrefs(soup, page))
    return report


def summary(report: Report) -> str:
    kinds = Counter(b.kind for b in report.boxes)
    boxes = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    linked = sum(m.href is not None for m in report.mentions)
    figures = sum(f.kind == "figure" for f in report.figures)
    numbered = sum(f.kind == "figure" and f.number is not None for f in report.figures)
    return (f"{len(report.titles)} pages; boxes: {boxes}; mentions checked: {len(report.mentions)} "
            f"({linked} links, {len(report.mentions) - linked} typed); figures: {figures} ({numbered} numbered); "
            f"numrefs: {len(report.numrefs)}; problems: {len(report.problems)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", type=Path, help="the built book, e.g. _build/fast-src/_build/html")
    parser.add_argument("--config", type=Path, default=ROOT / "_config.yml",
                        help="the _config.yml that says which kinds share a counter")
    args = parser.parse_args(argv)
    if not args.html_dir.is_dir():
        print(f"{args.html_dir} is not a directory; build the book first.")
        return 2
    report = collect(args.html_dir)
    if not report.titles:
        print(f"No pages under {args.html_dir}.")
        return 2
    check(report, counters_from_config(args.config))
    for line in report.problems:
        print(line)
    print(summary(report))
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
