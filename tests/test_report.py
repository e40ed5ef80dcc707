"""Tests of synutil.evaluation.report: one self-contained HTML file with the expected sections and working images."""

import base64
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from synutil.evaluation import evaluate
from synutil.evaluation.report import render_report, write_report
from synutil.tables import mixed_table

SECTIONS = ("headline", "fidelity", "privacy", "schema", "how-to-read", "reproducibility")


@pytest.fixture(scope="module")
def result():
    real = mixed_table(500, random_state=0).rename(columns={"region": "<b>region</b>"})
    syn = mixed_table(250, random_state=1).rename(columns={"region": "<b>region</b>"})
    return evaluate(real[:250], real[250:], syn, target="purchased", n_replications=100, random_state=4,
                    models={"lr": LogisticRegression(), "knn": KNeighborsClassifier(10)}, progress=False)


class _Collect(HTMLParser):
    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.images, self.ids, self.tags = [], [], [], set(), set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def test_report_is_self_contained_html_with_sections(result, tmp_path):
    path = result.to_html(tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    parser = _Collect()
    parser.feed(text)
    assert parser.errors == [] and parser.stack == []
    assert set(SECTIONS) <= parser.ids
    assert len(parser.images) == 4  # gap per model, per-column bars, pairwise heatmap, DCR histograms
    for img in parser.images:
        assert img["src"].startswith("data:image/png;base64,") and img.get("alt")
        assert base64.b64decode(img["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not {"script", "link", "iframe"} & parser.tags
    assert not re.search(r"(src|href)=['\"]?(https?:|//|file:)", text) and "url(" not in text
    for words in ("TRTR risk", "TSTR risk", "Kendall tau", "P(same order)", "C2ST AUC", "MMD^2", "memorisation",
                  "lower is better", "closer to 0.5 is better", f"Seed <code>{result.seed}</code>", "scikit-learn"):
        assert words in text, words
    assert "&lt;b&gt;region&lt;/b&gt;" in text and "<b>region</b>" not in text  # column names are escaped


def test_report_without_fidelity_and_privacy(tmp_path):
    real = mixed_table(200, random_state=0)
    res = evaluate(real[:100], real[100:], mixed_table(100, random_state=1), target="age", n_replications=20,
                   models={"lr": __import__("sklearn.linear_model").linear_model.Ridge()}, random_state=0,
                   progress=False, fidelity=False, privacy=False)
    text = render_report(res)
    assert text.count("Not computed") == 2 and text.count("<img") == 1
    with pytest.raises(ValueError, match="does not exist"):
        write_report(res, tmp_path / "missing" / "r.html")


def test_report_images_load_in_headless_chromium(result, tmp_path):
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed")
    if not (chromium and driver_path):
        pytest.skip("chromium / chromedriver not installed")
    path = result.to_html(tmp_path / "report.html")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", f"--user-data-dir={tempfile.mkdtemp(prefix='synutil-report-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as error:  # noqa: BLE001 - a browser that cannot start is an environment problem
        pytest.skip(f"chromium did not start: {str(error).splitlines()[0]}")
    try:
        driver.set_page_load_timeout(60)
        driver.get(Path(path).resolve().as_uri())
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        assert len(images) == 4 and all(ok and w > 50 and h > 50 for ok, w, h in images), images
        headings = driver.execute_script("return Array.from(document.querySelectorAll('h2')).map(h => h.id)")
        assert headings == list(SECTIONS)
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert severe == []
    finally:
        driver.quit()
