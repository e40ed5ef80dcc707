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
