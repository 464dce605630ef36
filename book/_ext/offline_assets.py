"""Serve every front-end asset of the book from its own ``_static`` folder (no CDN, ever).

A small local Sphinx extension, loaded by ``_config.yml`` (``sphinx.local_extensions``):

- copies plotly.js — the npm "basic" bundle ``plotly.js-basic-dist-min`` (1.2 MB: the scatter, bar and pie
  traces, all the book's charts use; the full 4.8 MB bundle took 3-5x a text page's paint time to compile
  on a cold visit), same version as the ``plotly`` package's — the ipywidgets HTML embedder
  (npm ``@jupyter-widgets/html-manager``) and MathJax (npm ``mathjax``) into
  ``_build/html/_static/vendor/``. They are *not* in ``html_static_path``: Jupyter Book would
  otherwise load every ``*.js`` there on every page.
- adds ``cmv-plotly.js`` (small, deferred), which draws the figures and follows the theme's dark mode,
  only to pages that contain a Plotly figure (``class="plotly-graph-div"``, as written by
  :func:`cmvlib.display.show`). plotly.js itself is never in the page's head: cmv-plotly.js loads
  it when a chart comes near the viewport or the page is idle (its tag's ``data-plotly`` names the file),
  so the text paints without waiting for it. ``cmv-widgets.js`` (MathJax 3 bridge, slider names) goes
  only to pages with saved widget state, and the widget embedder there is deferred.
- drops any script or stylesheet that a theme or extension registers on a third-party host.
- gives bibliography entries an ARIA role that their list accepts (``listitem``).

myst-nb loads the widget embedder on pages with saved widget state (``nb_ipywidgets_js`` in
``_config.yml`` points at the copy made here) and Sphinx loads MathJax on pages with maths
(``mathjax_path``).
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parent / "node_modules"

#: Where the copies go, relative to ``_build/html/_static``.
PLOTLY_JS = "vendor/plotly/plotly.min.js"
PLOTLY_GLUE_JS = "cmv-plotly.js"  # book/_static/cmv-plotly.js (small; copied by html_static_path)
WIDGETS_JS = "cmv-widgets.js"  # book/_static: MathJax 2 API bridge and slider names for the embedder
WIDGET_EMBEDDER = "vendor/html-manager/embed.js"
FIGURE_MARKER = 'class="plotly-graph-div'
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


#: The trace types of the basic bundle (its README); tests/unit/test_charts.py checks every chart uses only these.
PLOTLY_TRACES = ("bar", "pie", "scatter")


def _plotly_js() -> Path:
    """The basic plotly.js bundle from npm (book/package.json)."""
    return _npm_dir("plotly.js-basic-dist-min", ".") / "plotly-basic.min.js"


def _npm_dir(package: str, sub: str) -> Path:
    path = NODE_MODULES / package / sub
    if not path.is_dir():
        raise ExtensionError(
            f"{path} is missing: install the book's front-end assets with `make book-assets` "
            "(npm ci in book/, from book/package-lock.json)"
        )
    return path


def _copy_tree(src: Path, dst: Path, ignore: tuple[str, ...] = ()) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*ignore))


def copy_vendor_assets(app: Sphinx) -> None:
    """Copy the self-hosted assets into ``<outdir>/_static/vendor`` (HTML builders only)."""
    if app.builder.format != "html":
        return
    vendor = Path(app.outdir) / "_static" / "vendor"
    (vendor / "plotly").mkdir(parents=True, exist_ok=True)
    source = _plotly_js()
    shutil.copy2(source, vendor / "plotly" / "plotly.min.js")
    app.cmv_plotly_version = hashlib.sha1(source.read_bytes()).hexdigest()[:8]  # type: ignore[attr-defined]
    # The embedder finds its fonts next to itself (webpack's automatic public path).
    _copy_tree(
        _npm_dir("@jupyter-widgets/html-manager", "dist"),
        vendor / "html-manager",
        ignore=("*.map", "*amd.js", "*.LICENSE.txt"),
    )
    # MathJax loads its fonts and on-demand components relative to its own script.
    _copy_tree(
        _npm_dir("mathjax", "es5"),
        vendor / "mathjax",
        ignore=("node-main.js", "*-full*.js", "mml-*.js", "tex-mml-*.js", "tex-svg*.js", "output/svg*"),
    )


def _is_third_party(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(str(url))
    if parts.scheme in ("http", "https") or str(url).startswith("//"):
        return parts.hostname not in LOCAL_HOSTS
    return False


def per_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Add the chart glue where a figure is, defer the widget embedder; drop third-party assets everywhere."""
    if "body" in context:
        # docutils writes citations as role="doc-biblioentry" inside a role="list": the role is
        # deprecated and a list must hold list items (axe: aria-required-children, critical).
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
    if FIGURE_MARKER in context.get("body", ""):
        # deferred, before the other deferred scripts (the live embedder, 600, may draw charts through it)
        plotly = f"{PLOTLY_JS}?v={getattr(app, 'cmv_plotly_version', '')}"  # relative to the glue, in _static
        app.add_js_file(PLOTLY_GLUE_JS, priority=401, defer="defer", **{"data-plotly": plotly})
    scripts = context.get("script_files") or []
    embedders = [js for js in scripts if str(getattr(js, "filename", js) or "").endswith(WIDGET_EMBEDDER)]
    if embedders:
        app.add_js_file(WIDGETS_JS, priority=200)  # before Sphinx's MathJax configuration (not deferred)
        for js in embedders:  # it draws the widgets on window "load" anyway: never block the text for it
            scripts[scripts.index(js)] = type(js)(js.filename, priority=js.priority, **{**js.attributes, "defer": "defer"})
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not assets:
            continue
        kept = [a for a in assets if not _is_third_party(getattr(a, "filename", a))]
        for dropped in [a for a in assets if a not in kept]:
            logger.info("offline_assets: dropped third-party asset %s on %s", getattr(dropped, "filename", dropped), pagename)
        assets[:] = kept


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", copy_vendor_assets)
    # run late, after myst-nb has added its per-page widget scripts
    app.connect("html-page-context", per_page_assets, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
