"""The anatomy every chapter of the course shares (issue 12), checked on the MyST sources.

Every chapter of Parts I to V of ``_toc.yml`` (not the introduction, the notation, glossary and status pages or the
instructors' pages) must have

1. **prerequisites** in its front matter (``synutil: prerequisites: [book/..., ...]``): chapters listed earlier in
   ``_toc.yml``, each once; ``[]`` only for the first chapter. The reading-path figure of the introduction is drawn
   from these lists (``book/_ext/reading_path.py``);
2. an **objectives box** right after the ``# Title``: ``{admonition} Objectives and prerequisites`` with class
   ``objectives``, "After this chapter you can", 3 to 5 bullets, and a ``**Prerequisites:**`` line whose ``{doc}``
   links are the front-matter prerequisites in the same order ("the introduction only." when there are none);
3. a **``## What to remember``** section immediately before ``## Exercises`` (or ``## References`` when the chapter
   has no exercises), with 3 to 6 bullets, naming the chapter's results with ``{prf:ref}`` when it states any;
4. **figures**: each code cell that draws (calls ``plt.subplots``, ``plt.figure``, ``plt.show`` or a plotting
   function of ``synutil.plotting``) draws one figure, prints nothing, is tagged ``hide-input`` and has a MyST-NB
   ``mystnb: figure:`` caption and a ``name`` starting ``fig-<stem>-`` (underscores of the stem may be written
   as hyphens), and the prose refers to that name with
   ``{numref}``; every ``{numref}`` names a figure of the book;
5. **glossary links**: every ``{term}`` target is a term of ``book/glossary.md`` (exact spelling), used in prose
   only (never in a heading, a directive's title or math);
6. **code lines** of at most 88 columns.

Each rule is a function that returns its problems; each message names the file, the rule and how to fix it. A
small chapter written in the anatomy passes every rule, and each rule is shown to catch its own breaches of that
chapter (and only those). The sources are parsed here (code cells with their option lines or YAML block, fenced
blocks, headings); a test checks that this parser reads every chapter's code cells exactly as jupytext does. The
glossary (exactly the contract's terms, each pointing to a page and to functions that import) and the reading path
(``book/_ext/reading_path.py``: its graph, its drawing, and the directive in a small Sphinx build) are checked too.
"""

from __future__ import annotations

import ast
import importlib
import posixpath
import re
import sys
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jupytext
import pytest
import yaml

from tools.book_files import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import reading_path  # noqa: E402

MAX_COLUMNS = 88
GLOSSARY = ROOT / "book" / "glossary.md"
#: The terms the glossary defines, spelled exactly (the contract with the chapters).
TERMS = (
    "TSTR", "TRTR", "generalization utility", "generalization gap", "ranking consistency", "Kendall's tau",
    "fidelity level", "integral probability metric", "MMD", "C2ST", "total variation distance",
    "Wasserstein distance", "sliced Wasserstein distance", "approximation error", "coverage constant",
    "correct specification", "misspecification", "coverage gap", "low-noise condition", "label noise",
    "excess risk", "Bayes classifier", "regression function", "paired confidence interval", "replication",
    "fast mode", "full mode", "generator", "fitted generator", "self-consuming loop", "differential privacy",
    "distance to closest record", "Gaussian copula", "sequential CART", "tie class",
)
#: Calls that draw a figure: pyplot's figure makers and ``plt.show``, and the plotting functions of synutil.
PYPLOT_CALLS = {"subplots", "figure", "show", "subplot_mosaic"}
SYNUTIL_PLOTTING = {"loglog_plot", "heatmap"}

FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
CODE_CELL = re.compile(r"^(?P<fence>`{3,})\{code-cell\}")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.*?)\s*$")
BULLET = re.compile(r"^[-*+]\s+\S")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`")


def _target(content: str) -> str:
    """The target of a role: ``text <target>`` or ``target``."""
    explicit = re.match(r"^(.*?)\s*<([^<>]+)>\s*$", content, re.S)
    return (explicit[2] if explicit else content).strip()


# ------------------------------------------------------------------------------------------------ parsing


@dataclass
class CodeCell:
    line: int  # 1-based line of the opening fence
    options: dict
    source: list[str]
    source_line: int  # 1-based line of the first source line

    @property
    def tags(self) -> list[str]:
        return list(self.options.get("tags") or [])


@dataclass
class TextLine:
    number: int  # 1-based
    text: str
    depth: int  # number of enclosing fenced blocks (0: top level)
    fences: tuple = ()  # the info strings of the enclosing fences, outermost first


@dataclass
class Source:
    path: Path
    docname: str
    front: dict
    code_cells: list[CodeCell] = field(default_factory=list)
    text: list[TextLine] = field(default_factory=list)  # every line outside code cells and the front matter

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def name(self) -> str:
        return f"{self.docname}{self.path.suffix}"

    def top(self) -> list[TextLine]:
        return [t for t in self.text if t.depth == 0]

    def headings(self) -> list[tuple[TextLine, int, str]]:
        found = []
        for t in self.top():
            match = HEADING.match(t.text)
            if match:
                found.append((t, len(match["level"]), match["text"]))
        return found


def parse(path: Path) -> Source:
    """Split a MyST notebook into its front matter, code cells (with options) and Markdown lines (with the depth of
    fenced blocks they sit in)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    front: dict = {}
    i = 0
    if lines and lines[0].strip() == "---":
        end = next(k for k in range(1, len(lines)) if lines[k].strip() == "---")
        front = yaml.safe_load("\n".join(lines[1:end])) or {}
        i = end + 1
    relative = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)
    source = Source(path, relative.with_suffix("").as_posix(), front)
    stack: list[tuple[str, int, str]] = []  # open fences of the Markdown: (character, length, info)
    while i < len(lines):
        line = lines[i]
        cell = CODE_CELL.match(line) if not stack else None
        if cell:
            fence = cell["fence"]
            j = i + 1
            options: dict = {}
            if j < len(lines) and lines[j].strip() == "---":
                end = next(k for k in range(j + 1, len(lines)) if lines[k].strip() == "---")
                options = yaml.safe_load("\n".join(lines[j + 1:end])) or {}
                j = end + 1
            else:
                while j < len(lines) and OPTION.match(lines[j]):
                    option = OPTION.match(lines[j])
                    options[option["key"]] = yaml.safe_load(option["value"]) if option["value"] else None
                    j += 1
            start = j
            while j < len(lines) and lines[j].rstrip() != fence:
                j += 1
            source.code_cells.append(CodeCell(i + 1, options, lines[start:j], start + 1))
            i = j + 1
            continue
        stripped = line.strip()
        match = FENCE.match(stripped)
        closed = False
        if match and stack:
            char, length, _ = stack[-1]
            if set(stripped) == {char} and len(stripped) >= length:
                stack.pop()
                closed = True
        source.text.append(TextLine(i + 1, line, len(stack) + (1 if closed else 0),
                                    tuple(info for _, _, info in stack)))
        if match and not closed:
            stack.append((match["fence"][0], len(match["fence"]), match["info"].strip()))
        i += 1
    return source


# ------------------------------------------------------------------------------------------------ the book


@lru_cache(maxsize=None)
def toc_chapters() -> tuple[str, ...]:
    """Docnames of the chapters of Parts I to V, in the order of ``_toc.yml``."""
    return tuple(name for _, names in reading_path.toc_parts(ROOT) for name in names)


CHAPTERS = [ROOT / f"{name}.md" for name in toc_chapters()]
IDS = [p.relative_to(ROOT).with_suffix("").as_posix() for p in CHAPTERS]


@lru_cache(maxsize=None)
def source_of(path: Path) -> Source:
    return parse(path)


def glossary_terms(path: Path = GLOSSARY) -> list[str]:
    """The terms of the ``{glossary}`` directive of the glossary page, in the order written."""
    terms, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^(`{3,}|:{3,})\{glossary\}", line):
            inside = True
            continue
        if inside and re.match(r"^(`{3,}|:{3,})\s*$", line):
            break
        if inside and line.strip() and not line.startswith((" ", "\t")) and not OPTION.match(line):
            terms.append(line.strip())
    return terms


def _resolve_doc(docname: str, target: str) -> str:
    target = re.sub(r"\.(md|ipynb)$", "", target)
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))


def _relative_doc(docname: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(docname))


def _prerequisites(source: Source) -> list[str] | None:
    meta = source.front.get("synutil")
    value = meta.get("prerequisites") if isinstance(meta, dict) else None
    return [re.sub(r"\.(md|ipynb)$", "", str(p)) for p in value] if isinstance(value, list) else None


def _prereq_form(source: Source, prerequisites: list[str]) -> str:
    if not prerequisites:
        return "**Prerequisites:** the introduction only."
    links = ", ".join(f"{{doc}}`{_relative_doc(source.docname, p)}`" for p in prerequisites)
    return f"**Prerequisites:** {links}."


# ------------------------------------------------------------------------------------------------ the rules
# Each rule is a function from a parsed chapter to a list of problems (each message names the file, the rule and
# the fix); the tests below run them on every chapter, and on a small chapter broken one rule at a time.

RULE_1 = "rule 1 (front matter `synutil: prerequisites`)"
RULE_2 = "rule 2 (objectives box right after the title)"
RULE_3 = "rule 3 (`## What to remember` before `## Exercises`)"
RULE_4 = "rule 4 (figures: hide-input, numbered caption, {numref})"
RULE_5 = "rule 5 ({term} links)"
RULE_6 = f"rule 6 (code lines of at most {MAX_COLUMNS} columns)"
BOX_FORM = ("```{admonition} Objectives and prerequisites\n:class: tip objectives\nAfter this chapter you can\n"
            "- <objective>\n- ...\n\n**Prerequisites:** {doc}`...`.\n```")


def front_matter_problems(source: Source, order: list[str]) -> list[str]:
    """Rule 1; ``order`` is the docnames of the chapters in the order of ``_toc.yml``."""
    prerequisites = _prerequisites(source)
    if prerequisites is None:
        return [f"{source.name}: {RULE_1}: the front matter has no `synutil:` key with a `prerequisites:` list. "
                "Add after `kernelspec:`\n  synutil:\n    prerequisites: [book/part1/pipeline, ...]\nwith the "
                "chapter's direct prerequisites (docnames relative to the repository root, each earlier in "
                "_toc.yml)."]
    here = order.index(source.docname) if source.docname in order else len(order)
    problems = []
    for p in prerequisites:
        if p == source.docname:
            problems.append(f"{p!r} is the chapter itself")
        elif p not in order:
            problems.append(f"{p!r} is not a chapter of Parts I to V of _toc.yml (write a docname such as "
                            "book/part2/fidelity)")
        elif order.index(p) > here:
            problems.append(f"{p!r} comes after this chapter in _toc.yml")
    duplicates = sorted({p for p in prerequisites if prerequisites.count(p) > 1})
    if duplicates:
        problems.append(f"listed more than once: {duplicates}")
    if not prerequisites and here != 0:
        problems.append("the list is empty, but only the first chapter (book/part1/pipeline) has no prerequisite")
    if problems:
        return [f"{source.name}: {RULE_1}: " + "; ".join(problems)
                + ". Each prerequisite must be a chapter listed earlier in _toc.yml, listed once."]
    return []


def objectives_box(source: Source) -> tuple[TextLine, list[TextLine]] | None:
    """The opening line and the body lines of the box that follows the title, or None when no box follows it."""
    top = source.text
    title_index = next((k for k, t in enumerate(top) if t.depth == 0 and t.text.startswith("# ")), None)
    if title_index is None:
        return None
    k = title_index + 1
    while k < len(top) and not top[k].text.strip():
        k += 1
    if k >= len(top) or not re.match(r"^(`{3,}|:{3,})\{admonition\}", top[k].text):
        return None
    opener = top[k]
    body = []
    for t in top[k + 1:]:
        if t.depth == 0:  # the closing fence is reported at the depth of the box
            break
        if t.depth == 1 and re.fullmatch(r"(`{3,}|:{3,})", t.text.strip()):
            break
        body.append(t)
    return opener, body


def objectives_problems(source: Source) -> list[str]:
    """Rule 2."""
    titles = [h for h in source.headings() if h[1] == 1]
    if len(titles) != 1:
        return [f"{source.name}: {RULE_2}: the chapter needs exactly one `# Title` line, found {len(titles)}."]
    found = objectives_box(source)
    if found is None:
        return [f"{source.name}: {RULE_2}: no admonition follows the `# Title` line; put the box, exactly in this "
                f"form, right after the title (before the first paragraph):\n{BOX_FORM}"]
    opener, body = found
    problems = []
    title = re.sub(r"^(`{3,}|:{3,})\{admonition\}\s*", "", opener.text).strip()
    if title != "Objectives and prerequisites":
        problems.append(f"its title is {title!r}, not 'Objectives and prerequisites'")
    inner = [t for t in body if t.depth == 1]
    classes = next((t.text for t in inner if t.text.startswith(":class:")), "")
    if "objectives" not in classes.split():
        problems.append("it lacks the option line `:class: tip objectives`")
    if not any(t.text.strip() == "After this chapter you can" for t in inner):
        problems.append("it lacks the line 'After this chapter you can'")
    bullets = [t for t in inner if BULLET.match(t.text)]
    if not 3 <= len(bullets) <= 5:
        problems.append(f"it has {len(bullets)} objectives (top-level bullets); write 3 to 5")
    prerequisites = _prerequisites(source)
    line = None  # the paragraph that starts with **Prerequisites:**, its lines joined
    for k, t in enumerate(inner):
        if t.text.strip().startswith("**Prerequisites:**"):
            paragraph = [t]
            for follow in inner[k + 1:]:
                if not follow.text.strip() or follow.number != paragraph[-1].number + 1:
                    break
                paragraph.append(follow)
            line = " ".join(x.text.strip() for x in paragraph)
            break
    if line is None:
        problems.append("it lacks the line `**Prerequisites:** ...`")
    elif prerequisites is not None:
        expected = _prereq_form(source, prerequisites)
        links = [_resolve_doc(source.docname, _target(m["content"])) for m in ROLE.finditer(line)
                 if m["role"] == "doc"]
        if not prerequisites:
            if line != expected:
                problems.append(f"the front matter lists no prerequisite, so the line must read {expected!r}, "
                                f"not {line!r}")
        elif links != prerequisites:
            problems.append(f"its {{doc}} links {links} differ from the front-matter prerequisites {prerequisites} "
                            f"(same chapters, same order); write {expected!r}")
    if problems:
        return [f"{source.name}: {RULE_2}: " + "; ".join(problems) + f". The form is:\n{BOX_FORM}"]
    return []


def remember_problems(source: Source) -> list[str]:
    """Rule 3."""
    sections = [(t, text) for t, level, text in source.headings() if level == 2]
    names = [text for _, text in sections]
    follower = "Exercises" if "Exercises" in names else "References"
    if "What to remember" not in names:
        return [f"{source.name}: {RULE_3}: no `## What to remember` section; add one immediately before "
                f"`## {follower}` with 3 to 6 bullets, each a claim the chapter established, naming results with "
                "{prf:ref}."]
    index = names.index("What to remember")
    after = names[index + 1] if index + 1 < len(names) else None
    if after != follower:
        return [f"{source.name}: {RULE_3}: `## What to remember` is followed by "
                f"{'`## ' + after + '`' if after else 'no section'}; place it immediately before `## {follower}`."]
    start, end = sections[index][0].number, sections[index + 1][0].number
    body = [t for t in source.text if start < t.number < end]
    bullets = [t for t in body if t.depth == 0 and BULLET.match(t.text)]
    problems = []
    if not 3 <= len(bullets) <= 6:
        problems.append(f"{source.name}: {RULE_3}: the section has {len(bullets)} top-level bullets; write 3 to 6, "
                        "each a claim the chapter established.")
    states_results = any(re.match(r"^(`{3,}|:{3,})\{prf:(theorem|lemma|proposition|corollary|definition)\}",
                                  t.text) for t in source.text)
    if states_results and not any("{prf:ref}" in t.text for t in body):
        problems.append(f"{source.name}: {RULE_3}: the chapter states results but `## What to remember` names "
                        "none; refer to them with {prf:ref}`label` in the bullets.")
    return problems


def _code(cell: CodeCell) -> str:
    """The cell's Python, IPython magics and shell lines blanked."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source)


def _is_drawing_call(node: ast.Call, helpers: set[str]) -> bool:
    func = node.func
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id == "plt" and func.attr in PYPLOT_CALLS:
            return True
        return func.attr in SYNUTIL_PLOTTING
    return isinstance(func, ast.Name) and (func.id in SYNUTIL_PLOTTING or func.id in helpers)


def _calls(tree: ast.AST, *, top_level: bool):
    """Every call of the tree; with ``top_level``, those outside function and class bodies only."""
    def walk(node):
        for child in ast.iter_child_nodes(node):
            if top_level and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(child, ast.Call):
                yield child
            yield from walk(child)
    yield from walk(tree)


def drawing_helpers(source: Source) -> set[str]:
    """Functions the chapter defines whose bodies draw."""
    helpers = set()
    for cell in source.code_cells:
        try:
            tree = ast.parse(_code(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(_is_drawing_call(c, set()) for c in _calls(node, top_level=False)):
                    helpers.add(node.name)
    return helpers


def draws(cell: CodeCell, helpers: set[str]) -> bool:
    try:
        tree = ast.parse(_code(cell))
    except SyntaxError:
        return bool(re.search(r"\bplt\.(subplots|figure|show|subplot_mosaic)\(|\b(loglog_plot|heatmap)\(",
                              _code(cell)))
    return any(_is_drawing_call(c, helpers) for c in _calls(tree, top_level=True))


def _figure_options(cell: CodeCell) -> dict:
    mystnb = cell.options.get("mystnb")
    figure = mystnb.get("figure") if isinstance(mystnb, dict) else None
    return figure if isinstance(figure, dict) else {}


def _numref_targets(source: Source) -> list[str]:
    return [_target(m["content"]) for t in source.text for m in ROLE.finditer(t.text) if m["role"] == "numref"]


def figure_names(source: Source) -> set[str]:
    """The figure names of a page: ``mystnb: figure: name:`` of its cells and ``:name:`` options of its text."""
    names = {str(_figure_options(c)["name"]) for c in source.code_cells if _figure_options(c).get("name")}
    names.update(m[1] for t in source.text for m in [re.match(r"^:name:\s*(\S+)", t.text.strip())] if m)
    return names


@lru_cache(maxsize=None)
def book_figure_names() -> frozenset[str]:
    """Every figure name of the chapters and of the introduction (its reading path)."""
    names = set()
    for path in [ROOT / "book" / "intro.md", *CHAPTERS]:
        names.update(figure_names(source_of(path)))
    return frozenset(names)


def figure_problems(source: Source, known_figures: frozenset[str] | set[str]) -> list[str]:
    """Rule 4; ``known_figures`` are the figure names ``{numref}`` may reach (the book's)."""
    helpers = drawing_helpers(source)
    referred = set(_numref_targets(source))
    problems, names = [], []
    for cell in source.code_cells:
        if not draws(cell, helpers):
            continue
        where = f"the code cell at line {cell.line}"
        if "hide-input" not in cell.tags:
            problems.append(f"{where} draws a figure but is not tagged hide-input (add it to `tags:`)")
        figure = _figure_options(cell)
        caption, name = figure.get("caption"), figure.get("name")
        if not (isinstance(caption, str) and caption.strip()):
            problems.append(f"{where} draws a figure without a caption (`mystnb: figure: caption: |` in its YAML "
                            "option block)")
        prefixes = (f"fig-{source.stem}-", f"fig-{source.stem.replace('_', '-')}-")
        if not (isinstance(name, str) and name.startswith(prefixes)):
            problems.append(f"{where}: the figure's `name` is {name!r}; it must start with {prefixes[-1]!r}")
        elif name not in referred:
            problems.append(f"{where}: no {{numref}}`{name}` in the chapter's prose; refer to the figure at least "
                            "once")
        if name:
            names.append(name)
        try:
            top = list(_calls(ast.parse(_code(cell)), top_level=True))
        except SyntaxError:
            top = []
        makers = [c for c in top if isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name)
                  and c.func.value.id == "plt" and c.func.attr in {"subplots", "figure", "subplot_mosaic"}]
        if len(makers) > 1:
            problems.append(f"{where} makes {len(makers)} figures; a plotting cell shows exactly one (split it)")
        printing = [c for c in top if isinstance(c.func, ast.Name) and c.func.id in {"print", "display"}]
        if printing:
            problems.append(f"{where} draws and also calls {printing[0].func.id}(); move the text or table to a "
                            "visible cell of its own")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(f"figure names used twice: {duplicates}")
    unknown = sorted(t for t in referred if t not in known_figures)
    if unknown:
        problems.append(f"{{numref}} targets that name no figure of the book: {unknown}")
    return [f"{source.name}: {RULE_4}: {p}" for p in problems]


def term_problems(source: Source, terms: set[str]) -> list[str]:
    """Rule 5."""
    problems = []
    for t in source.text:
        for match in ROLE.finditer(t.text):
            if match["role"] != "term":
                continue
            target = _target(match["content"])
            if target not in terms:
                close = [term for term in terms if term.lower() == target.lower()]
                hint = f" (spelled {close[0]!r} in the glossary)" if close else ""
                problems.append(f"line {t.number}: {{term}}`{match['content']}` names no glossary term{hint}; use "
                                "one of the terms of book/glossary.md exactly, e.g. {term}`text <TSTR>`")
            if HEADING.match(t.text) and t.depth == 0:
                problems.append(f"line {t.number}: a {{term}} link in a heading; link the first use in prose")
            elif re.match(r"^(`{3,}|:{3,})\{", t.text.strip()):
                problems.append(f"line {t.number}: a {{term}} link in a directive's title; link in prose instead")
            elif t.text[:match.start()].count("$") % 2 == 1:
                problems.append(f"line {t.number}: a {{term}} link inside math; move it to the prose")
    return [f"{source.name}: {RULE_5}: {p}" for p in problems]


def code_line_problems(source: Source) -> list[str]:
    """Rule 6."""
    long = [(cell.source_line + k, len(line)) for cell in source.code_cells
            for k, line in enumerate(cell.source) if len(line) > MAX_COLUMNS]
    if not long:
        return []
    return [f"{source.name}: {RULE_6}: lines " + ", ".join(f"{n} ({w} columns)" for n, w in long)
            + f"; run `.venv/bin/python tools/format_chapters.py {source.name}` and wrap the long strings and "
            "comments it lists by hand."]


# ------------------------------------------------------------------------------------------------ every chapter


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_front_matter_prerequisites(path):
    problems = front_matter_problems(source_of(path), list(toc_chapters()))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_objectives_box(path):
    problems = objectives_problems(source_of(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_what_to_remember(path):
    problems = remember_problems(source_of(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_figures_are_numbered_and_referred_to(path):
    problems = figure_problems(source_of(path), book_figure_names())
    assert not problems, "\n  ".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_term_links_name_glossary_terms(path):
    problems = term_problems(source_of(path), set(glossary_terms()))
    assert not problems, "\n  ".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_code_lines_fit_88_columns(path):
    problems = code_line_problems(source_of(path))
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------------ the rules can fail

TOY_ORDER = ["book/part1/one", "book/part2/two", "book/part2/toy"]
TOY = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
synutil:
  prerequisites: [book/part1/one, book/part2/two]
---

# A toy chapter

```{admonition} Objectives and prerequisites
:class: tip objectives
After this chapter you can
- state the toy result;
- run the toy experiment
  and read its figure;
- check it.

**Prerequisites:** {doc}`../part1/one`,
{doc}`two`.
```

The {term}`TSTR` of a toy, see {numref}`fig-toy-curve`, is small; $x$ is not {term}`generalization utility`.

```{prf:theorem} Toy
:label: thm-toy

True.
```

```{code-cell} ipython3
x = compute()
print(x)
```

```{code-cell} ipython3
---
tags: [hide-input]
mystnb:
  figure:
    caption: |
      The toy curve.
    name: fig-toy-curve
---
fig, ax = plt.subplots()
ax.plot(x)
plt.show()
```

## What to remember

- {prf:ref}`thm-toy` holds;
- the figure shows it;
- the checks passed.

## Exercises

```{exercise}
Do it.
```
"""

BREAKS = {
    "front matter": [
        ("prerequisites: [book/part1/one, book/part2/two]", "prerequisites: [book/part2/two, book/part2/toy]"),
        ("prerequisites: [book/part1/one, book/part2/two]", "prerequisites: [book/part1/one, book/part1/one]"),
        ("prerequisites: [book/part1/one, book/part2/two]", "prerequisites: [book/part9/nowhere]"),
        ("prerequisites: [book/part1/one, book/part2/two]", "prerequisites: []"),
        ("synutil:\n  prerequisites: [book/part1/one, book/part2/two]\n", ""),
    ],
    "objectives": [
        ("```{admonition} Objectives", "Some prose first.\n\n```{admonition} Objectives"),
        ("Objectives and prerequisites\n:class", "Objectives\n:class"),
        (":class: tip objectives", ":class: tip"),
        ("After this chapter you can\n", ""),
        ("- check it.\n", ""),
        ("- check it.\n", "- check it.\n- a\n- b\n- c\n"),
        ("{doc}`../part1/one`,\n{doc}`two`", "{doc}`two`, {doc}`../part1/one`"),
        ("**Prerequisites:**", "**Needs:**"),
    ],
    "remember": [
        ("## What to remember", "## Summary"),
        ("- the checks passed.\n\n## Exercises", "- the checks passed.\n\n## Aside\n\nText.\n\n## Exercises"),
        ("- the figure shows it;\n- the checks passed.\n", ""),
        ("- {prf:ref}`thm-toy` holds;", "- the theorem holds;"),
    ],
    "figures": [
        ("tags: [hide-input]\nmystnb", "tags: [slide]\nmystnb"),
        ("    caption: |\n      The toy curve.\n", ""),
        ("name: fig-toy-curve", "name: fig-curve"),
        ("see {numref}`fig-toy-curve`", "see the figure"),
        ("fig, ax = plt.subplots()\nax.plot(x)", "fig, ax = plt.subplots()\nax.plot(x)\nprint(x)"),
        ("fig, ax = plt.subplots()\nax.plot(x)", "fig, ax = plt.subplots()\nfig2 = plt.figure()"),
        ("x = compute()\nprint(x)", "x = compute()\nplt.show()"),
        ("is small;", "is small ({numref}`fig-toy-missing`);"),
    ],
    "terms": [
        ("{term}`TSTR`", "{term}`tstr`"),
        ("{term}`TSTR`", "{term}`synthetic risk <train synthetic>`"),
        ("# A toy chapter", "# A toy chapter on {term}`TSTR`"),
        ("$x$ is not {term}`generalization utility`", "$x = {term}`TSTR`$"),
        ("```{prf:theorem} Toy", "```{prf:theorem} Toy {term}`TSTR`"),
    ],
    "code lines": [
        ("x = compute()\n", "x = compute()  # " + "a comment that makes this line far too long " * 2 + "\n"),
    ],
}
RULES = {"front matter": lambda s: front_matter_problems(s, TOY_ORDER), "objectives": objectives_problems,
         "remember": remember_problems, "figures": lambda s: figure_problems(s, {"fig-toy-curve"}),
         "terms": lambda s: term_problems(s, set(TERMS)), "code lines": code_line_problems}


def _toy_source(tmp_path: Path, text: str) -> Source:
    path = tmp_path / "book" / "part2" / "toy.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    source = parse(path)
    source.docname = "book/part2/toy"
    return source


def test_a_chapter_in_the_anatomy_passes_every_rule(tmp_path):
    source = _toy_source(tmp_path, TOY)
    for rule, check in RULES.items():
        assert check(source) == [], rule


@pytest.mark.parametrize("rule, old, new", [(rule, old, new) for rule, changes in BREAKS.items()
                                             for old, new in changes],
                         ids=[f"{rule}-{k}" for rule, changes in BREAKS.items() for k in range(len(changes))])
def test_each_rule_catches_its_breach(tmp_path, rule, old, new):
    assert old in TOY
    source = _toy_source(tmp_path, TOY.replace(old, new, 1))
    problems = RULES[rule](source)
    assert problems, f"the {rule} rule missed: {old!r} -> {new!r}"
    assert all(p.startswith("book/part2/toy.md: rule ") for p in problems), problems
    others = {name: check(source) for name, check in RULES.items() if name != rule}
    if rule != "front matter":  # a broken front matter also breaks the box's prerequisites line
        assert not any(others.values()), others


# ------------------------------------------------------------------------------------------------ the parser


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_parser_reads_code_cells_as_jupytext_does(path):
    """The checks above rest on this parser: its code cells (source and options) are jupytext's."""
    source = source_of(path)
    cells = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
    assert [c.source for c in cells] == ["\n".join(c.source) for c in source.code_cells]
    for ours, theirs in zip(source.code_cells, cells, strict=True):
        assert ours.options == dict(theirs.metadata), (source.name, ours.line)


def test_parser_on_both_option_forms_and_nested_fences(tmp_path):
    text = ("---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
            "synutil:\n  prerequisites: []\n---\n\n# A title\n\n"
            "````{exercise}\n```python\n# not a heading\n```\n````\n\n"
            "```{code-cell} ipython3\n:tags: [hide-input]\nplt.show()\n```\n\n"
            "```{code-cell} ipython3\n---\ntags: [hide-input]\nmystnb:\n  figure:\n    caption: |\n      A.\n"
            "    name: fig-x-a\n---\nfig, ax = plt.subplots()\n```\n\n## Section\n")
    path = tmp_path / "x.md"
    path.write_text(text)
    jupytext_cells = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
    source = parse(path)
    assert source.front["synutil"] == {"prerequisites": []}
    assert [c.options for c in source.code_cells] == [dict(c.metadata) for c in jupytext_cells]
    assert source.code_cells[1].options["mystnb"]["figure"]["name"] == "fig-x-a"
    assert [(level, text) for _, level, text in source.headings()] == [(1, "A title"), (2, "Section")]
    assert all(draws(c, set()) for c in source.code_cells)


# ------------------------------------------------------------------------------------------------ glossary


def test_glossary_defines_exactly_the_contract_terms():
    terms = glossary_terms()
    assert sorted(terms) == sorted(TERMS), (
        "book/glossary.md: the {glossary} directive must define exactly the terms of the contract; missing "
        f"{sorted(set(TERMS) - set(terms))}, extra {sorted(set(terms) - set(TERMS))}")
    assert len(terms) == len(set(terms)), "book/glossary.md: a term is defined twice"


def test_glossary_is_listed_labelled_and_linked():
    text = GLOSSARY.read_text(encoding="utf-8")
    assert text.startswith("(glossary-page)=\n# Glossary"), "book/glossary.md: start with the label (glossary-page)="
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert re.search(r"file: book/notation\s*\n\s*- file: book/glossary\b", toc), \
        "_toc.yml: list book/glossary right after book/notation in the Reference part"
    for page in ("intro.md", "notation.md"):
        assert "glossary-page" in (ROOT / "book" / page).read_text(encoding="utf-8"), \
            f"book/{page}: link the glossary with {{ref}}`glossary-page`"


def test_glossary_entries_point_to_existing_chapters_and_functions():
    text = GLOSSARY.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=\S)", text.split("{glossary}", 1)[1])
    problems = []
    for entry in entries[1:]:
        term = entry.splitlines()[0].strip()
        if term.startswith(("```", ":")):
            continue
        docs = [_target(m["content"]) for m in ROLE.finditer(entry) if m["role"] == "doc"]
        if not docs:
            problems.append(f"{term}: no {{doc}} link to the chapter that introduces it")
        for doc in docs:
            name = _resolve_doc("book/glossary", doc)
            if not any((ROOT / f"{name}{suffix}").exists() for suffix in (".md", ".ipynb")):
                problems.append(f"{term}: {{doc}}`{doc}` names no page")
        for dotted in re.findall(r"`(synutil(?:\.\w+)+)`", entry):
            module, _, attribute = dotted.rpartition(".")
            with warnings.catch_warnings():
                warnings.simplefilter("error", DeprecationWarning)
                try:
                    getattr(importlib.import_module(module), attribute)
                except (ImportError, AttributeError, DeprecationWarning) as error:
                    problems.append(f"{term}: `{dotted}` does not resolve, or is an old path ({error})")
    assert not problems, "book/glossary.md:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------------------------------------ reading path


def _toy_book(root: Path, prerequisites: dict[str, object]) -> None:
    toc = {"format": "jb-book", "root": "book/intro", "parts": [
        {"caption": "Part I — One", "chapters": [{"file": "book/a"}]},
        {"caption": "Part II — Two", "chapters": [{"file": "book/b"}, {"file": "book/c"}]},
        {"caption": "Reference", "chapters": [{"file": "book/notation"}]},
    ]}
    (root / "book").mkdir(parents=True, exist_ok=True)
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    for stem, title in (("a", "First"), ("b", "Second, with $(V,d)$"), ("c", "Third")):
        front = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        if prerequisites.get(stem) is not None:
            front["synutil"] = {"prerequisites": prerequisites[stem]}
        (root / "book" / f"{stem}.md").write_text(f"---\n{yaml.safe_dump(front)}---\n\n# {title}\n\nText.\n")
    (root / "book" / "notation.md").write_text("# Notation\n")


def test_reading_path_graph_reads_parts_titles_and_edges(tmp_path):
    _toy_book(tmp_path, {"a": [], "b": ["book/a"], "c": ["book/a", "book/b"]})
    parts, edges = reading_path.reading_path_graph(tmp_path)
    assert [(p.caption, p.numeral, p.name) for p in parts] == [("Part I — One", "I", "One"),
                                                               ("Part II — Two", "II", "Two")]
    assert [[(c.docname, c.title) for c in p.chapters] for p in parts] == [
        [("book/a", "First")], [("book/b", "Second, with $(V,d)$"), ("book/c", "Third")]]
    assert edges == [("book/a", "book/b"), ("book/a", "book/c"), ("book/b", "book/c")]
    svg = reading_path.draw(parts, edges, urls={"book/b": "b.html"}).decode()
    assert 'xlink:href="b.html"' in svg and "Third" in svg
    assert reading_path.draw(parts, edges, fmt="png")[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("prerequisites, message", [
    ({"a": [], "b": None, "c": ["book/b"]}, "book/b.md: no `synutil: prerequisites`"),
    ({"a": [], "b": ["book/c"], "c": ["book/a"]}, "'book/c' is listed later"),
    ({"a": [], "b": ["book/notation"], "c": ["book/a"]}, "is not a chapter of Parts I to V"),
    ({"a": [], "b": ["book/a", "book/a"], "c": ["book/a"]}, "listed twice"),
    ({"a": [], "b": ["book/b"], "c": ["book/a"]}, "lists itself"),
])
def test_reading_path_graph_refuses_bad_prerequisites(tmp_path, prerequisites, message):
    _toy_book(tmp_path, prerequisites)
    with pytest.raises(reading_path.ReadingPathError, match=re.escape(message)):
        reading_path.reading_path_graph(tmp_path)
    parts, edges = reading_path.reading_path_graph(tmp_path, strict=False)  # drafts: the bad entries are skipped
    assert sum(len(p.chapters) for p in parts) == 3
    assert all(s != t for s, t in edges)


def test_reading_path_of_the_book():
    """The figure on the introduction page can be drawn: every chapter's prerequisites are valid."""
    parts, edges = reading_path.reading_path_graph(ROOT)
    assert [p.numeral for p in parts] == ["I", "II", "III", "IV", "V"]
    assert [c.docname for p in parts for c in p.chapters] == list(toc_chapters())
    assert all(c.title and not c.title.startswith("book/") for p in parts for c in p.chapters)
    reached = {t for _, t in edges}
    assert reached == set(toc_chapters()[1:]), "every chapter but the first has a prerequisite"


def test_reading_path_directive_in_a_sphinx_build(tmp_path):
    """The directive makes a numbered figure that {numref} reaches, with a link per chapter; a bad prerequisite
    stops the build with an ExtensionError that names the chapter."""
    from sphinx.application import Sphinx
    from sphinx.errors import ExtensionError

    _toy_book(tmp_path, {"a": [], "b": ["book/a"], "c": ["book/b"]})
    (tmp_path / "book" / "intro.md").write_text(
        "# Intro\n\nThe map is {numref}`fig-intro-reading-path`.\n\n```{reading-path}\n:name: fig-intro-reading-path"
        "\n\nThe chapters and their prerequisites.\n```\n\n```{toctree}\n:hidden:\na\nb\nc\nnotation\n```\n")
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'reading_path']\nroot_doc = 'book/intro'\nnumfig = True\n"
        "myst_enable_extensions = ['dollarmath']\nexclude_patterns = ['_build']\n")

    def build(out):
        app = Sphinx(str(tmp_path), str(tmp_path), str(out), str(out / ".doctrees"), "html", status=None,
                     warning=None, freshenv=True)
        app.build()
        return out / "book" / "intro.html"

    html = build(tmp_path / "_build" / "html").read_text()
    figure = html[html.index("<figure"):html.index("</figure>")]
    assert 'id="fig-intro-reading-path"' in figure and "Fig. 1" in figure and "<svg" in figure
    assert all(f'xlink:href="{stem}.html"' in figure for stem in "abc") and "_blank" not in figure
    assert re.search(r'href="#fig-intro-reading-path"[^>]*>.*?Fig\. 1', html, re.S)
    (tmp_path / "book" / "c.md").write_text((tmp_path / "book" / "c.md").read_text()
                                            .replace("book/b", "book/zzz"))
    with pytest.raises(ExtensionError, match=r"book/c\.md: prerequisite 'book/zzz'"):
        build(tmp_path / "_build" / "html2")
