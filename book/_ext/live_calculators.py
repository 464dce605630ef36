"""Calculators that compute in place on the static pages: Pyodide + cmvlib in a Web Worker, no kernel.

A local Sphinx extension (``_config.yml``). The chapters display ipywidgets calculators; the ones declared
in :mod:`cmvlib.calc` carry marks in their saved widget state (``cmv-calc-<name>``, ``cmv-field-<field>``,
``cmv-error-<field>``, ``cmv-result-area``, ``cmv-status-area``). On a page with such a calculator, this extension
replaces the html-manager's ``embed.js`` by ``_static/cmv-live/embed-live.js`` (``live/page.js``, bundled
offline with esbuild from ``book/node_modules``), which draws the same widgets with a manager it keeps,
and sends each change to ``worker.js``, where Pyodide runs :func:`cmvlib.calc.run`. Other pages keep
``embed.js``.

Into ``_build/html/_static/cmv-live/`` at each build (never under ``book/_static``, whose scripts Jupyter
Book adds to every page):

- ``embed-live.js``/``.css`` (+ Font Awesome files), from ``live/build.mjs``;
- ``worker.js`` (``live/worker.js``, unbundled);
- ``pyodide/``: the runtime of the npm package ``pyodide`` (``book/node_modules``, ``make book-assets``):
  ``pyodide.js``, ``pyodide.asm.js``, ``pyodide.asm.wasm``, ``python_stdlib.zip``, ``pyodide-lock.json``
  (read by ``loadPyodide``; no package is loaded);
- ``cmvlib-<hash>.zip``: the ``cmvlib`` package of this checkout (``.py``, ``.csv``, ``.json``), with fixed
  timestamps so that an unchanged library keeps its name and the browser's cached copy.

Nothing is fetched from outside the site, at build or reading time.
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BOOK_NODE_MODULES = ROOT / "book" / "node_modules"
PYODIDE_NPM = BOOK_NODE_MODULES / "pyodide"
PYODIDE_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
OUT = "cmv-live"                       # inside _build/html/_static
BUNDLE = f"{OUT}/embed-live.js"
WIDGET_EMBEDDER = "vendor/html-manager/embed.js"
STATE_TYPE = "application/vnd.jupyter.widget-state+json"
LIB_SUFFIXES = (".py", ".csv", ".json")


def cmvlib_zip() -> tuple[bytes, str]:
    """The ``cmvlib`` package as a zip (deterministic) and its file name ``cmvlib-<sha256[:12]>.zip``."""
    buf = io.BytesIO()
    package = ROOT / "cmvlib"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package.rglob("*")):
            if path.is_file() and path.suffix in LIB_SUFFIXES and "__pycache__" not in path.parts:
                info = zipfile.ZipInfo(path.relative_to(ROOT).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, path.read_bytes())
    data = buf.getvalue()
    return data, f"cmvlib-{hashlib.sha256(data).hexdigest()[:12]}.zip"


def _declared_names() -> tuple[str, ...]:
    from cmvlib import calc

    return calc.names()


def build_assets(app: Sphinx) -> None:
    """Bundle the page script, copy the worker and the Pyodide runtime, zip cmvlib (HTML builders only)."""
    if app.builder.format != "html":
        return
    out = Path(app.outdir) / "_static" / OUT
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    esbuild = BOOK_NODE_MODULES / "esbuild"
    if not esbuild.is_dir():
        raise ExtensionError(f"{esbuild} is missing: install the book's front-end tools with `make book-assets`")
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("node is needed to bundle the live calculators' page script (npm's node)")
    proc = subprocess.run([node, str(HERE / "live" / "build.mjs"), str(out)], cwd=ROOT / "book",
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise ExtensionError(f"bundling the live calculators failed:\n{proc.stdout}\n{proc.stderr}")
    logger.info(proc.stdout.strip())
    shutil.copy2(HERE / "live" / "worker.js", out / "worker.js")
    missing = [f for f in PYODIDE_FILES if not (PYODIDE_NPM / f).is_file()]
    if missing:
        raise ExtensionError(f"{PYODIDE_NPM} lacks {missing}: install the book's front-end tools with `make book-assets`")
    (out / "pyodide").mkdir()
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE_NPM / name, out / "pyodide" / name)
    data, name = cmvlib_zip()
    (out / name).write_bytes(data)
    app.cmv_live_zip = name  # type: ignore[attr-defined]
    (out / "manifest.json").write_text(json.dumps({"zip": name, "calculators": list(_declared_names()),
                                                   "pyodide": json.loads((PYODIDE_NPM / "package.json").read_text())["version"]},
                                                  indent=1), encoding="utf-8")


def _state_body(script: object) -> str | None:
    attributes = getattr(script, "attributes", {}) or {}
    if attributes.get("type") == STATE_TYPE:
        return str(attributes.get("body", ""))
    return None


def live_calculators_on(context: dict) -> list[str]:
    """The declared calculators whose marks are in the page's saved widget state."""
    states = [b for b in (_state_body(s) for s in context.get("script_files") or []) if b]
    return [n for n in _declared_names() if any(f'"cmv-calc-{n}"' in body for body in states)]


def use_live_embedder(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """On a page with a live calculator: the live embedder (deferred) instead of ``embed.js``."""
    if not live_calculators_on(context):
        return
    scripts = context["script_files"]
    embedders = [s for s in scripts if str(getattr(s, "filename", s) or "").endswith(WIDGET_EMBEDDER)]
    if not embedders:
        raise ExtensionError(f"{pagename}: a live calculator but no widget embedder to replace")
    for s in embedders:
        scripts.remove(s)
    app.add_js_file(BUNDLE, priority=600, defer="defer", **{"data-cmv-zip": app.cmv_live_zip})  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", build_assets)
    # after myst-nb (widget scripts) and offline_assets (900: cmv-widgets.js before the embedder)
    app.connect("html-page-context", use_live_embedder, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
