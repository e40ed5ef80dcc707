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
class Report:
    boxes: list[Box] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # page -> h1 text
    problems: list[str] = field(default_factory=list)


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


def parse_page(html: str, page: str) -> tuple[list[Box], list[Mention], str]:
    soup = BeautifulSoup(html, "html.parser")
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
        boxes, mentions, title = parse_page(path.read_text(encoding="utf-8"), page)
        report.boxes.extend(boxes)
        report.mentions.extend(mentions)
        report.titles[page] = title
    return report


def summary(report: Report) -> str:
    kinds = Counter(b.kind for b in report.boxes)
    boxes = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    linked = sum(m.href is not None for m in report.mentions)
    return (f"{len(report.titles)} pages; boxes: {boxes}; mentions checked: {len(report.mentions)} "
            f"({linked} links, {len(report.mentions) - linked} typed); problems: {len(report.problems)}")


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
