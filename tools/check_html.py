"""Load every chapter page of a built book in headless Chromium and check what a reader would see.

For each page listed in ``_toc.yml`` (the real page, not the redirecting ``index.html``) the check fails if

* the page shows an error output (a traceback or error cell output, a Sphinx "problematic" node or a
  system message),
* an image is broken (not loaded, or zero width), or a chapter that executes code shows no figure,
* math is left unrendered (a math element that MathJax did not typeset) or MathJax reports a TeX error,
* a chapter page offers no notebook download that works (the ".ipynb" entry of the download menu must
  fetch a notebook whose first cell checks for ``synutil``), or no link to its slides.

Then it opens each chapter's reveal.js deck (``slides/<stem>.html``) and fails if the deck does not start,
has fewer than three slides, raises a JavaScript error, loads anything from outside the book, or leaves math
untypeset. Reference pages that execute code (the status page, ``course_non_chapter_pages`` in
``_config.yml``) need no figure, download or deck.

Usage: ``python tools/check_html.py _build/fast-src/_build/html``. Every browser call has a timeout.
Needs Debian's ``chromium`` and ``chromium-driver`` (``make test`` installs them when it runs as root) and
the Python package ``selenium`` (the ``test`` extra).
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
from tools.course import docname, non_chapter_pages  # noqa: E402

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


MIN_SLIDES = 3

DOWNLOAD = r"""
const done = arguments[arguments.length - 1];
const link = document.querySelector('a.btn-download-notebook-button');
const slides = document.querySelector('a.btn-slides-button');
const result = {link: link ? link.getAttribute('href') : null, download: link ? link.getAttribute('download') : null,
                slides: slides ? slides.href : null};
if (!link) { done(result); return; }
fetch(link.href).then(r => { result.status = r.status; return r.status === 200 ? r.json() : null; })
  .then(nb => {
    if (nb) { result.nbformat = nb.nbformat; result.first = nb.cells.length ? nb.cells[0].cell_type + ':' +
              [].concat(nb.cells[0].source).join('') : ''; result.cells = nb.cells.length; }
    done(result);
  }).catch(e => { result.error = String(e); done(result); });
"""

DECK = r"""
const q = (sel) => Array.from(document.querySelectorAll(sel));
const ready = typeof Reveal !== 'undefined' && Reveal.isReady && Reveal.isReady();
const resources = performance.getEntriesByType('resource').map(e => e.name);
return {ready: ready, total: ready ? Reveal.getTotalSlides() : 0,
        present: q('.reveal .slides section.present').length,
        title: (document.querySelector('.reveal h1') || {innerText: ''}).innerText,
        images: q('.reveal img').map(img => ({src: (img.getAttribute('src') || '').slice(0, 60),
                                              ok: img.complete && img.naturalWidth > 0})),
        external: resources.filter(u => !u.startsWith(location.origin) && !u.startsWith('data:')),
        math: q('script[type^="math/tex"]').length + q('.MathJax, .MathJax_Display').length,
        texErrors: q('.MathJax_Error, merror').map(e => e.innerText.slice(0, 120))};
"""

#: Console messages that are not errors of the page: the server has no favicon; MathJax 2 probes its fonts
#: with a blank font URL; and the style sheet of MathJax's hidden assistive MathML names its TeX fonts, which
#: the offline MathJax copy (jupyter-server-mathjax, STIX fonts only) does not ship: the rendered math uses STIX.
BENIGN_CONSOLE = ("favicon.ico", "about:blank", "/_static/mathjax/fonts/HTML-CSS/TeX/otf/")


class BrowserMissing(RuntimeError):
    pass


def make_driver():
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    chromedriver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (Path(chromium).exists() and Path(chromedriver).exists()):
        raise BrowserMissing("the browser check needs Chromium and ChromeDriver: install Debian's packages "
                             "chromium and chromium-driver (make test does it when run as root)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        raise BrowserMissing(f"the browser check needs selenium (pip install -e '.[test]'): {error}") from None
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='synutil-chromium-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    except Exception as error:  # selenium's WebDriverException and OSError: one line, no traceback
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BrowserMissing(f"Chromium did not start ({chromium}, {chromedriver}): {first}") from None
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


def _wait_for_math(driver) -> str:
    deadline = time.monotonic() + MATH_TIMEOUT_S
    state = driver.execute_script(MATH_DONE)
    while state in ("loading", "running") and time.monotonic() < deadline:
        time.sleep(0.25)
        state = driver.execute_script(MATH_DONE)
    return state


def check_download(driver) -> list[str]:
    """The chapter's ".ipynb" download and slides button (on the page just loaded)."""
    result = driver.execute_async_script(DOWNLOAD)
    if not result["link"]:
        return ["no notebook download (.ipynb) in the download menu"]
    problems = []
    if result.get("status") != 200:
        problems.append(f"notebook download {result['link']} answers {result.get('status') or result.get('error')}")
    elif result.get("nbformat") != 4 or not result.get("first", "").startswith("code:") \
            or 'find_spec("synutil")' not in result.get("first", ""):
        problems.append(f"notebook download {result['link']} is not a chapter notebook with its set-up cell first")
    if not result["download"]:
        problems.append("the notebook link does not save the file (no download attribute)")
    if not result["slides"]:
        problems.append("no link to the chapter's slides")
    return problems


def console_errors(driver) -> list[str]:
    try:
        entries = driver.get_log("browser")
    except Exception:  # a driver without log support: nothing to report
        return []
    return [e["message"][:200] for e in entries
            if e.get("level") == "SEVERE" and not any(b in e["message"] for b in BENIGN_CONSOLE)]


def check_deck(driver, url: str, *, screenshot: Path | None = None) -> list[str]:
    console_errors(driver)  # forget the previous page's messages
    driver.get(url)
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    report = driver.execute_script(DECK)
    while not report["ready"] and time.monotonic() < deadline:
        time.sleep(0.25)
        report = driver.execute_script(DECK)
    state = _wait_for_math(driver)
    report = driver.execute_script(DECK)
    problems = []
    if not report["ready"]:
        problems.append("reveal.js did not start")
    elif report["total"] < MIN_SLIDES or not report["present"]:
        problems.append(f"{report['total']} slide(s), none shown" if not report["present"]
                        else f"only {report['total']} slide(s)")
    if not report["title"].strip():
        problems.append("no title slide")
    if report["external"]:
        problems.append(f"loads from outside the book: {report['external'][:3]}")
    broken = [img["src"] for img in report["images"] if not img["ok"]]
    if broken:
        problems.append(f"broken images: {broken[:3]}")
    if report["math"] and state != "done":
        problems.append(f"MathJax did not finish (state {state!r})")
    if report["texErrors"]:
        problems.append(f"MathJax TeX errors: {report['texErrors'][:3]}")
    if ready_total := report["total"]:
        driver.execute_script("Reveal.slide(Reveal.getTotalSlides() - 1)")  # walk to the last slide
        time.sleep(0.3)
        if driver.execute_script("return Reveal.isLastSlide()") is not True and ready_total > 1:
            problems.append("cannot move to the last slide")
        driver.execute_script("Reveal.slide(0)")
    errors = console_errors(driver)
    if errors:
        problems.append(f"JavaScript errors: {errors[:2]}")
    if screenshot is not None:
        time.sleep(0.5)
        driver.save_screenshot(str(screenshot))
    return problems


def check_page(driver, url: str, *, needs_figure: bool, chapter: bool = False,
               screenshot: Path | None = None) -> list[str]:
    driver.get(url)
    state = _wait_for_math(driver)
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
    if chapter:
        problems.extend(check_download(driver))
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
    try:
        driver = make_driver()
    except BrowserMissing as error:
        print(f"browser check: {error}")
        return 1
    server = serve(args.html)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    failures = 0
    skip = non_chapter_pages()
    decks = []
    try:
        for source in toc_files():
            page = args.html / source.relative_to(ROOT).with_suffix(".html")
            name = str(source.relative_to(ROOT))
            if not page.exists():
                print(f"FAIL {name}: {page} was not built")
                failures += 1
                continue
            chapter = is_notebook(source) and docname(source) not in skip
            if chapter:
                decks.append(source)
            shot = args.screenshots / (page.stem + ".png") if args.screenshots else None
            url = base + page.relative_to(args.html).as_posix()
            problems = check_page(driver, url, needs_figure=chapter, chapter=chapter, screenshot=shot)
            if problems:
                failures += 1
                print(f"FAIL {name}: " + "; ".join(problems))
            else:
                print(f"ok   {name}")
        for source in decks:
            deck = args.html / "slides" / f"{source.stem}.html"
            name = f"slides/{source.stem}.html"
            if not deck.exists():
                print(f"FAIL {name}: the deck of {source.relative_to(ROOT)} was not built")
                failures += 1
                continue
            shot = args.screenshots / f"slides-{source.stem}.png" if args.screenshots else None
            problems = check_deck(driver, base + f"slides/{source.stem}.html", screenshot=shot)
            if problems:
                failures += 1
                print(f"FAIL {name}: " + "; ".join(problems))
            else:
                print(f"ok   {name}")
    finally:
        driver.quit()
        server.shutdown()
    print(f"browser check: {failures} page(s) failed" if failures else "browser check: every page and deck passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
