"""Make a reveal.js deck of every chapter from its executed notebook: ``<html>/slides/<stem>.html``.

Which cells make the deck:

* **Tagged chapters.** If any cell of a chapter carries a slide tag (``slide``: starts a new slide;
  ``subslide``: a slide below the previous one; ``fragment``: appears on the current slide at the next key
  press; ``notes``: speaker notes) or Jupyter's own ``slideshow`` metadata, the deck is exactly those cells.
  A code cell also tagged ``hide-input``, ``remove-input`` or ``slide-output`` shows its outputs only;
  ``slide-figure`` keeps only its figures, ``slide-text`` only what it prints (the line of a checks cell,
  without its table). In a MyST chapter a Markdown cell is tagged by a line ``+++ {"tags": ["slide"]}`` just
  before it (so a statement box becomes a slide of its own when such a line precedes it and another ``+++``
  follows it), a code cell by ``:tags: [hide-input, slide, slide-figure]``.
* **Untagged chapters** get a default deck: the title with the chapter's first paragraph, the chapter's
  "Objectives and prerequisites" box, an outline of its sections, every statement box (definitions, assumptions,
  theorems, lemmas, propositions, corollaries; never the proofs) under the title of its section, the first figure
  the chapter draws, what the checks cell prints, and last the chapter's "What to remember" section.

MyST markup is turned into plain Markdown for the deck (nbconvert renders CommonMark): a statement box becomes a
block quote headed by its kind and title, ``{prf:ref}`` becomes the title of the result it names (the deck
prints no result numbers, which belong to the book), citations and labels are dropped.

Everything a deck loads is served next to it: reveal.js (from the npm registry, once, into a cache folder) in
``slides/reveal.js``, MathJax from the book's ``_static/mathjax``. ``slides/index.html`` lists the decks.

Usage: ``python tools/build_slides.py NOTEBOOKS HTML`` where NOTEBOOKS mirrors the book root with one
executed notebook per chapter (``_build/jupyter_execute`` after ``jupyter-book build``, ``_build/fast-src`` for
the fast-mode book) and HTML is the built site.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.book_files import ROOT  # noqa: E402
from tools.course import course_chapters  # noqa: E402

TOOLS = Path(__file__).resolve().parent
REVEAL_VERSION = "4.6.1"
#: Subresource integrity of the npm tarball of reveal.js 4.6.1, as the registry publishes it.
REVEAL_INTEGRITY = "sha512-1CW0auaXNPmwmvQ7TwpszwVxMi2Xr5cTS3J3EBC/HHgbPF32Dn7aiu/LKWDOGjMbaDwKQiGmfqcoGQ74HUHCMw=="
REVEAL_CACHE = Path(os.environ.get("SYNUTIL_CACHE", Path.home() / ".cache" / "synutil")) / f"reveal.js-{REVEAL_VERSION}"
SLIDE_TAGS = ("slide", "subslide", "fragment", "notes")
OUTPUT_ONLY_TAGS = ("hide-input", "remove-input", "slide-output")
STATEMENT_KINDS = ("definition", "assumption", "theorem", "lemma", "proposition", "corollary", "conjecture",
                   "axiom", "criterion", "property")

FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*)$")
PLAIN_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
OPTION = re.compile(r"^:[\w-]+:")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`")
TARGET = re.compile(r"^\s*\([^)\s]+\)=\s*$")
EQ_LABEL = re.compile(r"(\$\$)\s*\([\w:.-]+\)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


# ---------------------------------------------------------------------------------------------- MyST text


def split_blocks(text: str):
    """Split MyST text into ``("text", lines)`` and ``("directive", name, argument, options, body)`` blocks."""
    lines = text.splitlines()
    blocks, plain, i = [], [], 0
    while i < len(lines):
        match = FENCE.match(lines[i].strip())
        plain_fence = PLAIN_FENCE.match(lines[i].strip()) if not match else None
        if plain_fence:  # an ordinary code block: keep it whole, directives inside it are literal text
            fence = plain_fence["fence"]
            j = i + 1
            while j < len(lines) and not (lines[j].strip().startswith(fence[0] * len(fence))
                                          and set(lines[j].strip()) == {fence[0]}):
                j += 1
            plain.extend(lines[i:j + 1])
            i = j + 1
            continue
        if not match:
            plain.append(lines[i])
            i += 1
            continue
        if plain:
            blocks.append(("text", plain))
            plain = []
        fence = match["fence"]
        body, j = [], i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                break
            body.append(lines[j])
            j += 1
        options = {}
        if body and body[0].strip() == "---":  # YAML options block
            end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), 0)
            options = yaml.safe_load("\n".join(body[1:end])) or {} if end else {}
            body = body[end + 1:]
        while body and OPTION.match(body[0].strip()):
            key, _, value = body.pop(0).strip()[1:].partition(":")
            options[key] = value.strip()
        blocks.append(("directive", match["name"], match["arg"].strip(), options, body))
        i = j + 1
    if plain:
        blocks.append(("text", plain))
    return blocks


def _role(match: re.Match, labels: dict[str, tuple[str, str]]) -> str:
    role, content = match["role"], match["content"]
    explicit = re.match(r"^(.*?)\s*<([^>]+)>$", content, re.S)
    if role in ("cite", "footcite", "cite:p", "cite:t", "footcite:p", "footcite:t", "index"):
        return ""
    if role in ("math",):
        return f"${content}$"
    if explicit:
        return explicit[1]
    if role == "prf:ref":
        kind, title = labels.get(content, ("", ""))
        return f"*{title}*" if title else f"the {kind or 'result'}"
    chapter = labels.get("doc:" + content.rsplit("/", 1)[-1]) if role == "doc" else None
    if chapter:
        return f"*{chapter[1]}*"  # the chapter's title
    if role in ("ref", "numref", "eq", "doc", "download"):
        return {"eq": "the equation"}.get(role, content.rsplit("/", 1)[-1].replace("-", " ").replace("_", " "))
    return f"`{content}`" if role in ("code", "kbd", "file", "command") else content


def inline(text: str, labels) -> str:
    """MyST roles, targets and comments of ``text`` turned into plain Markdown."""
    out = []
    for line in text.splitlines():
        if TARGET.match(line) or line.startswith("%"):
            continue
        line = EQ_LABEL.sub(r"\1", line)
        line = ROLE.sub(lambda m: _role(m, labels), line)
        out.append(re.sub(r"(?<=\S) {2,}(?=\S)", " ", line))  # the gap a dropped citation leaves
    return re.sub(r"[ \t]+([.,;:)])", r"\1", "\n".join(out)) if out else ""


def render_directive(name: str, argument: str, options: dict, body: list[str], labels) -> str:
    kind = name.split(":")[-1]
    inner = myst_to_markdown("\n".join(body), labels).strip()
    if kind == "math":
        return f"$$\n{inner}\n$$"
    if kind in ("code-block", "code", "sourcecode"):
        return f"```{argument}\n" + "\n".join(body) + "\n```"
    if kind in ("figure", "image", "bibliography", "footbibliography", "tableofcontents", "contents",
                "nb-exec-table", "glue:figure", "raw", "only", "proof", "exercise", "solution"):
        return ""
    heading = kind.replace("-", " ").capitalize()
    title = inline(argument, labels) if argument else ""
    if kind == "admonition":
        heading, title = (title or "Note"), ""
    head = f"**{heading}**" + (f" · *{title}*" if title else "")
    quoted = "\n".join(f"> {line}" if line else ">" for line in (head + "\n\n" + inner).splitlines())
    return quoted


def myst_to_markdown(text: str, labels) -> str:
    parts = []
    for block in split_blocks(text):
        if block[0] == "text":
            parts.append(inline("\n".join(block[1]), labels))
        else:
            parts.append(render_directive(*block[1:], labels))
    return "\n\n".join(p for p in parts if p.strip())


def collect_labels(notebooks) -> dict[str, tuple[str, str]]:
    """label -> (kind, title) of every labelled sphinx-proof box of the chapters."""
    labels = {}
    for nb in notebooks:
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for block in split_blocks(cell.source):
                if block[0] == "directive" and block[1].startswith("prf:") and "label" in block[3]:
                    labels[block[3]["label"]] = (block[1][4:], inline(block[2], {}))
    return labels


# ---------------------------------------------------------------------------------------------- selection


def _markdown(source: str, slide_type: str = "slide"):
    import nbformat

    return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": slide_type}})


def _outputs_only(cell, keep, slide_type="-"):
    cell = copy.deepcopy(cell)
    cell.outputs = [o for o in cell.outputs if keep(o)]
    cell.metadata = {"slideshow": {"slide_type": slide_type}, "transient": {"remove_source": True}}
    return cell


def _is_image(output) -> bool:
    return any(key.startswith("image/") for key in output.get("data", {}))


def _slide_tag(cell) -> str | None:
    tags = cell.get("metadata", {}).get("tags", [])
    found = [t for t in SLIDE_TAGS if t in tags]
    if found:
        return found[0]
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def tagged_deck(nb, labels, title_cells):
    cells = []
    for cell in nb.cells:
        slide_type = _slide_tag(cell)
        if not slide_type:
            continue
        if cell.cell_type == "markdown":
            cells.append(_markdown(myst_to_markdown(cell.source, labels), slide_type))
        elif cell.cell_type == "code":
            tags = cell.get("metadata", {}).get("tags", [])
            if "slide-figure" in tags:
                cells.append(_outputs_only(cell, _is_image, slide_type))
            elif "slide-text" in tags:
                cells.append(_outputs_only(cell, lambda o: o.output_type == "stream", slide_type))
            elif any(t in tags for t in OUTPUT_ONLY_TAGS):
                cells.append(_outputs_only(cell, lambda o: True, slide_type))
            else:
                copied = copy.deepcopy(cell)
                copied.metadata = {"slideshow": {"slide_type": slide_type}}
                cells.append(copied)
    if not any(c.cell_type == "markdown" and re.search(r"^# ", c.source, re.M) for c in cells):
        cells = title_cells + cells
    return cells


OBJECTIVES = "Objectives and prerequisites"
REMEMBER = "What to remember"


def objectives_slide(nb, labels):
    """The chapter's "Objectives and prerequisites" box as a slide, or None when it has none."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for block in split_blocks(cell.source):
            if block[0] == "directive" and block[1] == "admonition" and block[2].strip() == OBJECTIVES:
                body = myst_to_markdown("\n".join(block[4]), labels).strip()
                return _markdown(f"## {OBJECTIVES}\n\n{body}")
    return None


def remember_slide(nb, labels):
    """The chapter's "What to remember" section (up to the next section heading) as a slide, or None."""
    parts, state = [], "before"  # before -> inside -> done
    for cell in nb.cells:
        if state == "done":
            break
        if cell.cell_type != "markdown":
            continue
        for block in split_blocks(cell.source):
            if state == "done":
                break
            if block[0] == "directive":
                if state == "inside":
                    parts.append(render_directive(*block[1:], labels))
                continue
            kept = []
            for line in block[1]:
                heading = HEADING.match(line)
                if heading and len(heading[1]) <= 2:
                    if state == "inside":
                        state = "done"
                        break
                    state = "inside" if heading[2].strip() == REMEMBER else state
                    continue
                if state == "inside":
                    kept.append(line)
            if kept:
                parts.append(inline("\n".join(kept), labels))
    body = "\n\n".join(part.strip() for part in parts if part.strip())
    return _markdown(f"## {REMEMBER}\n\n{body}") if body else None


def default_deck(nb, labels, title_cells):
    """Title, objectives, outline, statements, first figure, checks, what to remember: a deck for a chapter that
    has no slide tags."""
    sections, items = [], []
    section = ""
    figure_done = checks_done = False
    checks_leads: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for block in split_blocks(cell.source):
                if block[0] == "text":
                    for line in block[1]:
                        heading = HEADING.match(line)
                        if heading and len(heading[1]) == 2:
                            section = inline(heading[2], labels)
                            sections.append(section)
                elif block[1].startswith("prf:") and block[1][4:] in STATEMENT_KINDS:
                    items.append([_markdown(f"#### {section}\n\n" + render_directive(*block[1:], labels))])
        elif cell.cell_type == "code":
            if not figure_done and any(_is_image(o) for o in cell.get("outputs", [])):
                figure_done = True
                items.append([_markdown(f"#### {section}"), _outputs_only(cell, _is_image)])
            elif (not checks_done and re.search(r"check", section, re.I)
                  and any(o.output_type == "stream" for o in cell.get("outputs", []))):
                checks_done = True
                what = "\n".join(f"* {lead}" for lead in checks_leads)
                items.append([_markdown(f"#### {section}\n\n{what}"),
                              _outputs_only(cell, lambda o: o.output_type == "stream")])
        if cell.cell_type == "markdown" and re.search(r"check", section, re.I):
            # the bold lead of each bullet of the checks section says what is checked
            checks_leads.extend(inline(m, labels) for m in re.findall(r"^\s*[*-]\s+\*\*(.+?)\*\*", cell.source, re.M))
    outline = _markdown("## Outline\n\n" + "\n".join(f"1. {s}" for s in sections if s))
    objectives = objectives_slide(nb, labels)
    cells = list(title_cells) + ([objectives] if objectives is not None else []) + [outline]
    for group in items:
        cells.extend(group)
    remember = remember_slide(nb, labels)
    if remember is not None:
        cells.append(remember)
    return cells


def title_slide(nb, labels, chapter_href: str):
    """The title with the chapter's first paragraph of prose (the objectives box that follows the title is skipped:
    it has a slide of its own)."""
    title, claim = "", []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for block in split_blocks(cell.source):
            if block[0] != "text":
                continue  # a directive: the objectives box, a figure, ...
            lines = inline("\n".join(block[1]), labels).splitlines()
            k = 0
            if not title:
                k = next((j for j, line in enumerate(lines)
                          if HEADING.match(line) and len(HEADING.match(line)[1]) == 1), None)
                if k is None:
                    continue
                title = HEADING.match(lines[k])[2]
                k += 1
            rest = lines[k:]
            while rest and not rest[0].strip():
                rest.pop(0)
            for follow in rest:
                if not follow.strip() or HEADING.match(follow):
                    break
                claim.append(follow)
            if claim or any(HEADING.match(line) for line in rest):
                break
        if title:
            break
    link = (f'<p class="deck-source">From the chapter <a href="{html.escape(chapter_href)}">'
            f"{html.escape(title)}</a> of <i>Utility Theory of Synthetic Data</i>.</p>")
    return [_markdown(f"# {title}\n\n" + "\n".join(claim) + "\n\n" + link)], title


# ---------------------------------------------------------------------------------------------- output


def ensure_reveal() -> Path:
    """reveal.js from the npm registry, fetched once into the cache folder (``$SYNUTIL_CACHE``)."""
    if (REVEAL_CACHE / "dist" / "reveal.js").exists():
        return REVEAL_CACHE
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"The slides need reveal.js {REVEAL_VERSION} from the npm registry, and npm is missing: "
                         "install Debian's npm package, or unpack reveal.js into " + str(REVEAL_CACHE))
    with tempfile.TemporaryDirectory(prefix="synutil-reveal-") as tmp:
        print(f"Fetching reveal.js {REVEAL_VERSION} with npm into {REVEAL_CACHE}", flush=True)
        subprocess.run([npm, "pack", f"reveal.js@{REVEAL_VERSION}", "--pack-destination", tmp, "--silent",
                        "--loglevel=error"], check=True, cwd=tmp, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("reveal.js-*.tgz"))
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != REVEAL_INTEGRITY:
            raise SystemExit(f"reveal.js {REVEAL_VERSION} from npm has integrity {digest}, expected {REVEAL_INTEGRITY}.")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        staging = REVEAL_CACHE.with_name(REVEAL_CACHE.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for part in ("dist", "plugin", "LICENSE"):
            source = Path(tmp) / "package" / part
            if source.is_dir():
                shutil.copytree(source, staging / part)
            elif source.exists():
                shutil.copy2(source, staging / part)
        shutil.rmtree(REVEAL_CACHE, ignore_errors=True)
        staging.rename(REVEAL_CACHE)
    return REVEAL_CACHE


def exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.extra_template_basedirs = [str(TOOLS)]
    config.SlidesExporter.template_name = "slides_template"
    config.SlidesExporter.reveal_url_prefix = "reveal.js"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.mathjax_url = "../_static/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.SlidesExporter.anchor_link_text = ""
    return SlidesExporter(config=config)


def build(notebooks: Path, site: Path, *, skip_missing: bool = False) -> list[tuple[str, str, int]]:
    import nbformat

    chapters = course_chapters()
    missing = [p for p in chapters if not (notebooks / p.relative_to(ROOT).with_suffix(".ipynb")).exists()]
    if missing:
        names = [str(p.relative_to(ROOT)) for p in missing]
        if not skip_missing:
            raise SystemExit(f"No executed notebook under {notebooks} for: {names}; build the book first.")
        print(f"no deck for {names}: no executed notebook under {notebooks}")
        chapters = [p for p in chapters if p not in missing]
    executed = {p: nbformat.read(notebooks / p.relative_to(ROOT).with_suffix(".ipynb"), as_version=4)
                for p in chapters}
    labels = collect_labels(executed.values())
    for chapter, nb in executed.items():  # {doc} links show the chapter's title
        _, name = title_slide(nb, {}, "")
        labels[f"doc:{chapter.stem}"] = ("doc", name)
    out = site / "slides"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ensure_reveal(), out / "reveal.js", dirs_exist_ok=True)
    slides_exporter = exporter()
    made = []
    for chapter, nb in executed.items():
        relative = chapter.relative_to(ROOT).with_suffix(".html").as_posix()
        title_cells, title = title_slide(nb, labels, f"../{relative}")
        tagged = any(_slide_tag(c) for c in nb.cells)
        cells = tagged_deck(nb, labels, title_cells) if tagged else default_deck(nb, labels, title_cells)
        deck = nbformat.v4.new_notebook(cells=cells, metadata={"title": title,
                                                               "kernelspec": nb.metadata.get("kernelspec", {})})
        body, _ = slides_exporter.from_notebook_node(deck, resources={"metadata": {"name": chapter.stem}})
        (out / f"{chapter.stem}.html").write_text(body, encoding="utf-8")
        slides = sum(1 for c in cells if c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide"))
        made.append((chapter.stem, title, slides))
        print(f"slides/{chapter.stem}.html: {slides} slides ({'tagged' if tagged else 'default selection'})")
    rows = "\n".join(f'<li><a href="{stem}.html">{html.escape(title)}</a> ({n} slides)</li>' for stem, title, n in made)
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Slides</title></head><body>\n"
        "<h1>Slides of <i>Utility Theory of Synthetic Data</i></h1>\n"
        "<p>One reveal.js deck per chapter, made from the executed chapter when the book is built. Arrow keys "
        "move between slides, <kbd>s</kbd> opens the speaker view, <kbd>Esc</kbd> the overview.</p>\n"
        f"<ol>\n{rows}\n</ol>\n<p><a href=\"../book/intro.html\">Back to the book</a></p>\n</body></html>\n",
        encoding="utf-8")
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, help="folder of executed notebooks mirroring the book root")
    parser.add_argument("html", type=Path, help="the built HTML folder; decks go to its slides/ folder")
    parser.add_argument("--skip-missing", action="store_true",
                        help="make decks for the chapters that have an executed notebook, skip the others")
    args = parser.parse_args(argv)
    if not args.html.is_dir():
        print(f"{args.html} is not a built book; build it first.")
        return 1
    build(args.notebooks, args.html, skip_missing=args.skip_missing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
