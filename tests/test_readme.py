"""The README's example must run as printed."""

import re

from tools.book_files import ROOT


def test_readme_example_runs(capsys):
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README.md has no python example"
    exec(compile(blocks[0], "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "UtilityResult" in printed and "RankingResult" in printed and "C2STResult" in printed


def test_readme_evaluate_example_runs(tmp_path, monkeypatch, capsys):
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    evaluate_blocks = [b for b in blocks if "synutil.evaluate(" in b]
    assert evaluate_blocks, "README.md has no example of synutil.evaluate"
    assert len(evaluate_blocks[0].strip().splitlines()) <= 10, "the evaluate example must stay within 10 lines"
    monkeypatch.chdir(tmp_path)
    exec(compile(evaluate_blocks[0], "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "purchased" in printed or "utility" in printed.lower()
    report = (tmp_path / "report.html").read_text()
    assert report.lstrip().lower().startswith("<!doctype html") and "<img" in report
