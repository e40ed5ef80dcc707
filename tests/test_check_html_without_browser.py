"""On a machine without Chromium the browser check says so in one line, with no selenium traceback."""

from __future__ import annotations

import pathlib

from tools import check_html


def test_missing_browser_gives_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(check_html.shutil, "which", lambda name: None)
    real_exists = pathlib.Path.exists
    monkeypatch.setattr(pathlib.Path, "exists",
                        lambda self: False if self.name in ("chromium", "chromedriver") else real_exists(self))
    assert check_html.main([str(tmp_path)]) == 1
    out = capsys.readouterr()
    lines = [line for line in (out.out + out.err).splitlines() if line.strip()]
    assert len(lines) == 1 and "chromium-driver" in lines[0] and "Traceback" not in out.err, lines
