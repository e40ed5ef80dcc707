"""The package is laid out in two layers, and the rule that keeps them apart holds.

Toolkit (what a practitioner imports): every module outside ``synutil/bounds`` and ``synutil/sim``.
Lab (what the book's experiments are built from): ``synutil.bounds`` and ``synutil.sim``.
The toolkit never imports the lab; chapters import each name from the layer it belongs to.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "synutil"
LAB = ("bounds", "sim")
TOOLKIT_FILES = sorted(
    p for p in PACKAGE.rglob("*.py")
    if p.relative_to(PACKAGE).parts[0] not in LAB and p.name != "_compat.py"
)


def imported_modules(path: Path) -> list[str]:
    """Absolute dotted names of every module imported by ``path`` (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(ROOT).parent.parts)
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.append(base)
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def is_lab(module: str) -> bool:
    return any(module == f"synutil.{layer}" or module.startswith(f"synutil.{layer}.") for layer in LAB)


def test_the_package_has_the_two_layers():
    for layer in LAB:
        assert (PACKAGE / layer / "__init__.py").exists(), f"synutil/{layer}/ is the lab layer's subpackage"
    assert not list(PACKAGE.glob("_bounds_*.py")), "the theorems' closed forms live in synutil/bounds/, not _bounds_*"
    assert len(TOOLKIT_FILES) > 20


@pytest.mark.parametrize("path", TOOLKIT_FILES, ids=[str(p.relative_to(ROOT)) for p in TOOLKIT_FILES])
def test_toolkit_never_imports_the_lab(path):
    offenders = [name for name in imported_modules(path) if is_lab(name)]
    assert not offenders, (
        f"{path.relative_to(ROOT)} (toolkit layer) imports {offenders} from the lab layer; move the shared code "
        "into the toolkit (or a private top-level module such as synutil/_validation.py)"
    )


def test_the_resolver_sees_relative_imports():
    """The check above would pass vacuously if relative imports were not resolved: it sees the lab here."""
    names = imported_modules(PACKAGE / "sim" / "least_squares.py")
    assert "synutil.bounds.quadrature" in names and is_lab("synutil.bounds.quadrature")


OLD_PATHS = re.compile(
    r"from synutil\.(experiments|simulate|knn|learners|least_squares|torch_models|selfconsuming|fidelity_classes"
    r"|report|cli|_bounds_\w+|_quadrature|_mmd|_table_\w+|_evaluate_\w+|_cache) import"
)


def chapter_sources():
    return sorted((ROOT / "book").rglob("*.md"))


@pytest.mark.parametrize("page", chapter_sources(), ids=[str(p.relative_to(ROOT)) for p in chapter_sources()])
def test_chapters_import_from_the_new_layout(page):
    old = OLD_PATHS.findall(page.read_text())
    assert not old, f"{page.relative_to(ROOT)} imports from old module paths {old}; see synutil/_compat.py MOVED"
