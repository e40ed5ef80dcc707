"""The code in the instructor's guide runs as printed: every ```python block of the problem sets, in a fresh
namespace, with the working directory outside the repository (a student's copy has no repository around it)."""

from __future__ import annotations

import os
import re
import time

import matplotlib
import pytest

from tools.book_files import ROOT

PAGES = sorted((ROOT / "book" / "instructors").glob("problems_*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
BLOCKS = [(page, number, code) for page in PAGES for number, code in enumerate(BLOCK.findall(page.read_text()), 1)]


def test_every_problem_set_has_computational_solutions():
    assert PAGES, "no problem set under book/instructors"
    for page in PAGES:
        assert BLOCK.search(page.read_text()), f"{page.name} has no code in its solutions"


@pytest.mark.parametrize("page,number,code", BLOCKS, ids=[f"{p.stem}-{n}" for p, n, _ in BLOCKS])
def test_solution_code_runs(page, number, code, tmp_path, capsys):
    matplotlib.use("Agg")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    start = time.perf_counter()
    try:
        exec(compile(code, f"{page.name}, python block {number}", "exec"), {"__name__": "__main__"})
    finally:
        os.chdir(cwd)
    elapsed = time.perf_counter() - start
    printed = capsys.readouterr().out
    assert printed.strip(), "a solution's code should print what the solution discusses"
    assert elapsed < 120, f"{page.name} block {number} took {elapsed:.0f} s; keep solutions quick"
