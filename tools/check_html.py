"""Load every chapter page of a built book in headless Chromium and check what a reader would see.

For each page listed in ``_toc.yml`` (the real page, not the redirecting ``index.html``) the check fails if

* the page shows an error output (a traceback or error cell output, a Sphinx "problematic" node or a
  system message),
* an image is broken (not loaded, or zero width), or a chapter that executes code shows no figure,
* math is left unrendered (a math element that MathJax did not typeset) or MathJax reports a TeX error.

Usage: ``python tools/check_html.py _build/fast-src/_build/html``. Every browser call has a timeout.
Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and the Python package
``selenium`` (the ``test`` extra).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import threading
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.book_files import ROOT, is_notebook, toc_files  # noqa: E402

PAGE_TIMEOUT_S = 60
MATH_TIMEOUT_S = 60

INSPECT = r"""
const q = (sel) => Array.from(document.querySelectorAll(sel));
const imgs = q('article img, main img').map(img => ({src: img.getAttribute('src'),
    ok: img.complete && img.naturalWidth > 0}));
const outputs = q('.cell_output img').length;
const errors = q('.output.traceback, .output.error, .problematic, .system-message, div.admonition.error')
    .map(e => e.innerText.slice(0, 300));
const mathNodes = q('.math.notranslate');
const untypeset = mathNodes.filter(e => !e.querySelector('script[type^="math/tex"], .MathJax, .MathJax_Display, mjx-container'))
    .map(e => e.innerText.slice(0, 80));
const texErrors = q('.MathJax_Error, merror').map(e => e.innerText.slice(0, 120));
return {title: document.title, images: imgs, figures: outputs, errors: errors,
        math: mathNodes.length, untypeset: untypeset, texErrors: texErrors};
"""

MATH_DONE = r"""
if (typeof MathJax === 'undefined') { return 'absent'; }
if (!MathJax.Hub || !MathJax.Hub.queue) { return 'loading'; }
return (MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0) ? 'done' : 'running';
"""


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    chromedriver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='synutil-chromium-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    driver.set_script_timeout(PAGE_TIMEOUT_S)
    return driver


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the check's output readable
        pass


def serve(folder: Path):
    """Serve ``folder`` on a free loopback port, as a reader's web server would (fonts need http)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def check_page(driver, url: str, *, needs_figure: bool, screenshot: Path | None = None) -> list[str]:
    driver.get(url)
    deadline = time.monotonic() + MATH_TIMEOUT_S
    state = driver.execute_script(MATH_DONE)
    while state in ("loading", "running") and time.monotonic() < deadline:
        time.sleep(0.25)
        state = driver.execute_script(MATH_DONE)
    report = driver.execute_script(INSPECT)
    problems = []
    if report["math"] and state != "done":
        problems.append(f"MathJax did not finish (state {state!r}) within {MATH_TIMEOUT_S} s")
    if report["untypeset"]:
        problems.append(f"{len(report['untypeset'])} math element(s) left unrendered, e.g. {report['untypeset'][:2]}")
    if report["texErrors"]:
        problems.append(f"MathJax TeX errors: {report['texErrors'][:3]}")
    if report["errors"]:
        problems.append(f"error output shown: {report['errors'][:2]}")
    broken = [img["src"] for img in report["images"] if not img["ok"]]
    if broken:
        problems.append(f"broken images: {broken[:3]}")
    if needs_figure and report["figures"] == 0:
        problems.append("no figure in the executed outputs")
    if screenshot is not None:
        driver.save_screenshot(str(screenshot))
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built HTML folder, e.g. _build/html")
    parser.add_argument("--screenshots", type=Path, default=None, help="save one PNG per page here")
    args = parser.parse_args(argv)
    if not args.html.is_dir():
        print(f"{args.html} is not a built book; build it first.")
        return 1
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    server = serve(args.html)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    driver = make_driver()
    failures = 0
    try:
        for source in toc_files():
            page = args.html / source.relative_to(ROOT).with_suffix(".html")
            name = str(source.relative_to(ROOT))
            if not page.exists():
                print(f"FAIL {name}: {page} was not built")
                failures += 1
                continue
            shot = args.screenshots / (page.stem + ".png") if args.screenshots else None
            url = base + page.relative_to(args.html).as_posix()
            problems = check_page(driver, url, needs_figure=is_notebook(source), screenshot=shot)
            if problems:
                failures += 1
                print(f"FAIL {name}: " + "; ".join(problems))
            else:
                print(f"ok   {name}")
    finally:
        driver.quit()
        server.shutdown()
    print(f"browser check: {failures} page(s) failed" if failures else "browser check: every page passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
