"""Serve MathJax from the book itself, so that math renders without a network connection.

Jupyter Book loads MathJax from a CDN by default; readers offline, CI and the browser check have no
network. This extension copies the MathJax 2.7 build that the ``jupyter-server-mathjax`` package ships
into ``_static/mathjax`` of the HTML output and points Sphinx at it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MATHJAX_CONFIG = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": True,
        "processClass": "math|output_area|tex2jax_process",
        "ignoreClass": "tex2jax_ignore|highlight|pre",
    },
    "TeX": {"extensions": ["AMSmath.js", "AMSsymbols.js"], "equationNumbers": {"autoNumber": "none"}},
    # jupyter-server-mathjax ships the STIX web fonts only (browsers load them over http(s);
    # from file:// pages they fall back to local fonts).
    "HTML-CSS": {"availableFonts": [], "webFont": "STIX-Web", "imageFont": None, "preferredFont": None},
    "messageStyle": "none",
}


def _mathjax_source() -> Path:
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _configure(app, config):
    config.mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    config.mathjax2_config = MATHJAX_CONFIG
    config.mathjax3_config = None
    config.myst_update_mathjax = False


def _copy(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(_mathjax_source(), target, dirs_exist_ok=True)


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
