"""Live calculators in the static book: the reader's browser runs cmvlib on Pyodide (no server).

A local Sphinx extension (``_config.yml``: ``sphinx.local_extensions``) on top of jupyterlite-sphinx:

- ``{live-app}`` directive: an app notebook of ``book/apps/`` shown as a Voici app (the static
  Voilà: outputs only, run automatically) inside the page. Nothing loads until the reader presses
  "Run live" (the runtime is ~15 MB the first time); a progress line then counts the seconds until the
  app answers. Options: ``:title:`` (the iframe's accessible name, required), ``:height:``.
  Markup for a chapter (path relative to the chapter)::

      ```{live-app} ../apps/dosing_workbench.ipynb
      :title: Dosing workbench
      :height: 1400px
      ```

- Runs jupyterlite-sphinx's ``jupyter lite build`` only when a page uses an in-browser app (a book
  or fixture without one gets no 50 MB ``lite/`` folder), from the folder ``make lite-dir`` prepares
  (``lite/build_runtime.py``: Pyodide from npm, every wheel bundled, lock hashes rewritten).
- Afterwards makes the built site self-contained: drops the Font Awesome stylesheets that Voici's
  template links on a CDN, hides the calculators' "static page" note (this copy is live), and fails the
  build if any ``src``/``href`` of the JupyterLite pages, or ``pyodideUrl``, still points off the site.
  An app whose notebook metadata says ``"cmv": {"charts": false}`` does not load the Plotly renderer
  (4.8 MB), as in Voilà (``voila/templates/cmv-offline``).
- Page assets (``inbrowser.js``/``.css`` next to this file) only on pages with a live app; the Google
  Fonts stylesheet that jupyterlite-sphinx registers is removed by ``offline_assets``.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: Prepared by ``make lite-dir`` (lite/build_runtime.py); never committed.
LITE_DIR = ROOT / "_build" / "lite-dir"
LITE_OUT = "lite"  # jupyterlite-sphinx's folder inside _build/html
PAGE_JS = "cmv-live.js"
PAGE_CSS = "cmv-live.css"
MARKER = 'class="cmv-live"'
HIDE_CSS = "<style>.cmv-static-note{display:none}</style>"
#: Off-site stylesheets that Voici's "lab" template links (icons only; the apps do not use them).
_CDN_LINK = re.compile(r'<link[^>]+href="(?:https?:)?//[^"]+"[^>]*>\s*', re.I)
_ATTR_URL = re.compile(r'\s(?:src|href)="((?:https?:)?//[^"]+)"', re.I)
_PAGE_CONFIG = re.compile(r'(<script id="jupyter-config-data" type="application/json">)(.*?)(</script>)', re.S)
PLOTLY_EXTENSION = "jupyterlab-plotly"


class live_app(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """A placeholder that becomes the "Run live" block (HTML only)."""


class LiveAppDirective(SphinxDirective):
    """``{live-app} <notebook>``: the notebook as a Voici app, started on demand."""

    required_arguments = 1
    final_argument_whitespace = False
    option_spec = {"title": directives.unchanged_required, "height": directives.unchanged}

    def run(self):
        from jupyterlite_sphinx.jupyterlite_sphinx import VoiciDirective

        if "title" not in self.options:
            raise self.error("live-app needs a :title: (the embedded app's accessible name)")
        voici = VoiciDirective(self.name, [self.arguments[0]], {"height": "1px"}, [], self.lineno,
                               self.content_offset, self.block_text, self.state, self.state_machine)
        frame = voici.run()[0]  # registers and copies the notebook for the JupyterLite build
        node = live_app()
        node["src"] = frame["iframe_src"]
        node["title"] = self.options["title"]
        node["height"] = self.options.get("height", "900px")
        self.env.cmv_live_pages = getattr(self.env, "cmv_live_pages", set()) | {self.env.docname}
        return [node]


def visit_live_app_html(self, node: live_app) -> None:
    from html import escape

    src, title = escape(node["src"], quote=True), escape(node["title"], quote=True)
    height = escape(node["height"], quote=True)
    self.body.append(
        f'<div {MARKER} data-src="{src}" data-title="{title}" data-height="{height}">'
        f'<p class="cmv-live-intro"><button type="button" class="cmv-live-start">'
        f'Run “{title}” live</button> '
        '<span class="cmv-live-status" role="status" aria-live="polite">Python runs in your browser: '
        'about 15&nbsp;MB and up to a minute the first time, then from the browser’s cache. '
        'Nothing you type leaves this page.</span></p>'
        f'<p class="cmv-live-newtab"><a href="{src}" target="_blank" rel="noopener">'
        'Open it in a new tab</a></p>'
        '<noscript>The live calculator needs JavaScript.</noscript></div>'
    )
    raise nodes.SkipNode


def skip_node(self, node) -> None:
    raise nodes.SkipNode


def configure(app: Sphinx, config) -> None:
    """Point jupyterlite-sphinx at the prepared folder (absolute: the fixture books reuse _config.yml)."""
    config.jupyterlite_dir = str(LITE_DIR)
    config.jupyterlite_config = str(LITE_DIR / "jupyter_lite_config.json")
    config.jupyterlite_silence = True


def add_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if MARKER in context.get("body", ""):
        app.add_js_file(PAGE_JS, priority=500)
        app.add_css_file(PAGE_CSS, priority=500)


def copy_page_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name, src in ((PAGE_JS, "inbrowser.js"), (PAGE_CSS, "inbrowser.css")):
        shutil.copy2(HERE / src, static / name)


def build_lite(app: Sphinx, error) -> None:
    """jupyterlite-sphinx's build, only when a page has an in-browser app, then the offline fix-ups."""
    if error is not None or app.builder.format != "html":
        return
    if not getattr(app.env, "jupyterlite_notebooks", None):
        logger.info("inbrowser: no page uses an in-browser app; JupyterLite not built")
        return
    if not (LITE_DIR / "static" / "pyodide" / "pyodide-lock.json").is_file():
        raise ExtensionError(f"{LITE_DIR} is not prepared: run `make lite-dir` (lite/build_runtime.py)")
    from jupyterlite_sphinx.jupyterlite_sphinx import jupyterlite_build

    stale = Path(app.outdir) / LITE_OUT
    if stale.exists():
        shutil.rmtree(stale)
    for db in Path(app.srcdir).glob(".jupyterlite.doit.db*"):
        db.unlink()  # doit's task cache would skip tasks whose output was deleted
    jupyterlite_build(app, None)
    make_self_contained(Path(app.outdir) / LITE_OUT)


def make_self_contained(lite_out: Path) -> None:
    """Drop CDN stylesheets from the generated HTML and refuse any remaining off-site URL."""
    offenders = []
    for page in sorted(lite_out.rglob("*.html")):
        if "/extensions/" in page.as_posix() or "/build/" in page.as_posix():
            continue
        text = page.read_text(encoding="utf-8")
        new = _CDN_LINK.sub("", text)
        if "/voici/render/" in page.as_posix():
            if HIDE_CSS not in new:
                new = new.replace("</head>", HIDE_CSS + "</head>", 1)
            new = _without_unused_plotly(new)
        if new != text:
            page.write_text(new, encoding="utf-8")
        offenders += [f"{page.relative_to(lite_out)}: {url}" for url in _ATTR_URL.findall(new)
                      if not url.startswith(("http://www.w3.org", "http://creativecommons.org", "http://purl.org"))]
    config = json.loads((lite_out / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]
    kernel = config.get("litePluginSettings", {}).get("@jupyterlite/pyodide-kernel-extension:kernel", {})
    if not str(kernel.get("pyodideUrl", "")).startswith("./"):
        offenders.append(f"jupyter-lite.json: pyodideUrl {kernel.get('pyodideUrl')!r} is not on the site")
    if kernel.get("disablePyPIFallback") is not True:
        offenders.append("jupyter-lite.json: disablePyPIFallback is not true")
    if offenders:
        raise ExtensionError("the in-browser apps would load from outside the site:\n  " + "\n  ".join(offenders))


def _without_unused_plotly(page: str) -> str:
    """A Voici page whose notebook is flagged ``"cmv": {"charts": false}``, without the Plotly extension."""
    m = _PAGE_CONFIG.search(page)
    if m is None:
        return page
    config = json.loads(m.group(2))
    notebook = config.get("notebookSrc") or {}
    if notebook.get("metadata", {}).get("cmv", {}).get("charts", True) is not False:
        return page
    config["federated_extensions"] = [e for e in config.get("federated_extensions", [])
                                      if e.get("name") != PLOTLY_EXTENSION]
    return page[:m.start(2)] + json.dumps(config) + page[m.end(2):]


def setup(app: Sphinx) -> dict:
    app.setup_extension("jupyterlite_sphinx")
    from jupyterlite_sphinx.jupyterlite_sphinx import jupyterlite_build

    for listener in list(app.events.listeners.get("build-finished", [])):
        if listener.handler is jupyterlite_build:
            app.disconnect(listener.id)
    app.connect("config-inited", configure)
    app.connect("builder-inited", copy_page_assets)
    app.connect("html-page-context", add_page_assets)
    app.connect("build-finished", build_lite)
    app.add_node(live_app, html=(visit_live_app_html, None), latex=(skip_node, None), text=(skip_node, None),
                 man=(skip_node, None), texinfo=(skip_node, None))
    app.add_directive("live-app", LiveAppDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
