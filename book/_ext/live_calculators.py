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

- ``embed-live.js`` (``live/page.js``, small) and ``embed-live-widgets.js``/``.css`` (``live/widgets.js``: the
  widget manager, 1.3 MB, which ``embed-live.js`` fetches when it draws the widgets, named with its hash in
  ``data-cmv-widgets``) + Font Awesome files, from ``live/build.mjs``;
- ``panel.js`` (``live/panel.js``): live panels, elements whose HTML a cmvlib entry point writes turn by turn
  (``data-cmv-live-entry``: the virtual patients of ``book/play/``, :mod:`cmvlib.cases.play`), added to the
  pages that have one (it loads ``cmv-plotly.js`` when an answer draws a chart);
- ``worker.js`` (``live/worker.js``, unbundled, with the names below written in);
- ``pyodide-<version>/``: the runtime of the npm package ``pyodide`` (:data:`PYODIDE_NPM`): ``pyodide.js``,
  ``pyodide.asm.js``, ``pyodide.asm.wasm``. Its ``pyodide-lock.json`` is not served: no package is loaded,
  the worker passes its ``info`` (ABI check) with no packages;
- ``python_stdlib-<hash>.zip``: the standard library trimmed to what Pyodide's start-up and cmvlib import
  without comments (:func:`trimmed_stdlib`; computed by ``live/runtime.py`` in Pyodide under node, proven
  by ``tests/book/test_live_runtime.py``), 0.8 MB instead of 2.4 MB;
- ``cmvlib-<hash>.zip``: the modules of this checkout's ``cmvlib`` that need only the standard library
  (:func:`library_files`: not the ipywidgets/IPython presentation modules) and its data files;

and ``_build/html/cmv-sw.js`` (``live/sw.js``), a service worker at the book's root that serves these
versioned, content-hashed files cache-first and passes every other request to the network (never HTML).
Zips have fixed timestamps, so an unchanged library keeps its name and the browser's cached copy.

Nothing is fetched from outside the site, at build or reading time.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BOOK_NODE_MODULES = ROOT / "book" / "node_modules"
#: The npm package ``pyodide`` this build serves (the one place its folder is named).
PYODIDE_NPM = BOOK_NODE_MODULES / "pyodide"
RUNTIME_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm")
OUT = "cmv-live"                       # inside _build/html/_static
SERVICE_WORKER = "cmv-sw.js"           # at the book's root: its scope is the whole book
BUILD_SLOT = "const BUILD = {};"       # the line of worker.js and sw.js that receives the build's names
BUNDLE = f"{OUT}/embed-live.js"
WIDGETS_BUNDLE = "embed-live-widgets.js"   # beside BUNDLE
PANEL = f"{OUT}/panel.js"
PANEL_MARKER = "data-cmv-live-entry="
WIDGET_EMBEDDER = "vendor/html-manager/embed.js"
STATE_TYPE = "application/vnd.jupyter.widget-state+json"
DATA_SUFFIXES = (".csv", ".json")


@lru_cache(maxsize=1)
def runtime_py() -> ModuleType:
    """``live/runtime.py`` (the import analysis; it also runs in Pyodide) as a module."""
    spec = importlib.util.spec_from_file_location("cmv_live_runtime", HERE / "live" / "runtime.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def library_files(package: Path = ROOT / "cmvlib") -> list[Path]:
    """The files of ``package`` the worker gets: its data files, and every module that imports nothing
    outside the standard library and the package (in functions too: this leaves out the presentation
    modules that need ipywidgets, IPython or plotly) and whose parent packages and import-time imports
    of the package are such modules too. (A kept module may call a left-out one in a function: the
    widget builders of ``cmvlib.ui``, which the worker never calls.)"""
    imports = runtime_py().imports
    modules: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        if "__pycache__" not in path.parts:
            name = ".".join(path.relative_to(package.parent).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path

    def needs(module: str, lazy: bool) -> set[str]:
        path = modules[module]
        return imports(module, path.read_text(encoding="utf-8"), path.name == "__init__.py", lazy=lazy)

    allowed = sys.stdlib_module_names | {package.name}
    kept = {m for m in modules if all(d.split(".")[0] in allowed for d in needs(m, lazy=True))}
    while True:                              # drop what needs a dropped module to be imported
        drop = {m for m in kept if any(d in modules and d not in kept for d in needs(m, lazy=False) | _parents(m))}
        if not drop:
            break
        kept -= drop
    data = [p for p in package.rglob("*") if p.suffix in DATA_SUFFIXES and "__pycache__" not in p.parts]
    return sorted([modules[m] for m in kept] + data)


def _parents(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def deterministic_zip(members: list[tuple[str, bytes]], prefix: str) -> tuple[bytes, str]:
    """A zip of ``(name, data)`` (names ending in ``/`` are folders) with fixed timestamps and maximal
    compression, and its file name ``<prefix>-<sha256[:12]>.zip``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else zipfile.ZIP_DEFLATED
            info.external_attr = (0o40755 << 16 | 0x10) if name.endswith("/") else 0o644 << 16
            zf.writestr(info, data, compresslevel=9)
    data = buf.getvalue()
    return data, f"{prefix}-{hashlib.sha256(data).hexdigest()[:12]}.zip"


def cmvlib_zip() -> tuple[bytes, str]:
    """The worker's ``cmvlib`` (:func:`library_files`) as a zip and its name ``cmvlib-<sha256[:12]>.zip``."""
    return deterministic_zip([(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in library_files()], "cmvlib")


def run_in_pyodide(config: dict) -> str:
    """Call a function of ``live/runtime.py`` in Pyodide under node (``live/pyrun.mjs``); its JSON result."""
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("node is needed to build the live calculators (npm's node)")
    proc = subprocess.run([node, str(HERE / "live" / "pyrun.mjs"), json.dumps(config)], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        raise ExtensionError(f"Pyodide under node failed ({config.get('function')}):\n{proc.stderr[-4000:]}")
    return proc.stdout


def trimmed_stdlib(lib_zip: bytes, cache: Path) -> tuple[bytes, str]:
    """Pyodide's ``python_stdlib.zip`` reduced to the modules ``runtime.needed`` lists for this cmvlib, without
    comments (computed in Pyodide on the full library; cached in ``cache`` by the inputs' hash), as a
    deterministic zip ``python_stdlib-<hash>.zip``."""
    full = (PYODIDE_NPM / "python_stdlib.zip").read_bytes()
    key = hashlib.sha256(b"".join([full, lib_zip, (HERE / "live" / "runtime.py").read_bytes(),
                                   (HERE / "live" / "pyrun.mjs").read_bytes()])).hexdigest()[:16]
    members = cache / f"stdlib-{key}.json"
    if not members.is_file():
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "cmvlib.zip").write_bytes(lib_zip)
            out = run_in_pyodide({"runtime": str(PYODIDE_NPM), "zip": str(Path(tmp) / "cmvlib.zip"), "function": "needed"})
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("stdlib-*.json"):
            old.unlink()
        members.write_text(out, encoding="utf-8")
    files = json.loads(members.read_text(encoding="utf-8"))
    return deterministic_zip([(name, text.encode("utf-8")) for name, text in files.items()], "python_stdlib")


def _fill(template: Path, build: dict) -> str:
    """``template`` with its :data:`BUILD_SLOT` line holding ``build``."""
    text = template.read_text(encoding="utf-8")
    if text.count(BUILD_SLOT) != 1:
        raise ExtensionError(f"{template} must hold the line {BUILD_SLOT!r} once")
    return text.replace(BUILD_SLOT, f"const BUILD = {json.dumps(build, separators=(',', ':'))};")


def _declared_names() -> tuple[str, ...]:
    from cmvlib import calc

    return calc.names()


def build_assets(app: Sphinx) -> None:
    """Bundle the page script; copy the Pyodide runtime; zip cmvlib and the standard library it needs; write
    the worker, the service worker and ``manifest.json`` (HTML builders only)."""
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
    widgets_hash = hashlib.sha256(b"".join((out / WIDGETS_BUNDLE).with_suffix(ext).read_bytes() for ext in (".js", ".css")))
    app.cmv_live_widgets = f"{WIDGETS_BUNDLE}?v={widgets_hash.hexdigest()[:8]}"  # type: ignore[attr-defined]
    missing = [f for f in (*RUNTIME_FILES, "python_stdlib.zip", "pyodide-lock.json", "package.json")
               if not (PYODIDE_NPM / f).is_file()]
    if missing:
        raise ExtensionError(f"{PYODIDE_NPM} lacks {missing}: install the book's front-end tools with `make book-assets`")
    version = json.loads((PYODIDE_NPM / "package.json").read_text())["version"]
    runtime = f"pyodide-{version}"
    (out / runtime).mkdir()
    for name in RUNTIME_FILES:
        shutil.copy2(PYODIDE_NPM / name, out / runtime / name)
    shutil.copy2(HERE / "live" / "panel.js", out / "panel.js")
    lib, lib_name = cmvlib_zip()
    (out / lib_name).write_bytes(lib)
    stdlib, stdlib_name = trimmed_stdlib(lib, Path(app.doctreedir).parent / ".cmv-live-cache")
    (out / stdlib_name).write_bytes(stdlib)
    app.cmv_live_zip = lib_name  # type: ignore[attr-defined]
    lock_info = json.loads((PYODIDE_NPM / "pyodide-lock.json").read_text())["info"]
    (out / "worker.js").write_text(_fill(HERE / "live" / "worker.js", {
        "runtime": f"{runtime}/", "stdlib": stdlib_name, "lock": {"info": lock_info, "packages": {}}}), encoding="utf-8")
    immutable = [f"_static/{OUT}/{runtime}/{n}" for n in RUNTIME_FILES] + [f"_static/{OUT}/{n}" for n in (stdlib_name, lib_name)]
    cache = "cmv-live-" + hashlib.sha256("\n".join(immutable).encode()).hexdigest()[:12]
    (Path(app.outdir) / SERVICE_WORKER).write_text(_fill(HERE / "live" / "sw.js", {"cache": cache, "files": immutable}),
                                                   encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({
        "zip": lib_name, "stdlib": stdlib_name, "runtime": runtime, "pyodide": version, "lock_info": lock_info,
        "calculators": list(_declared_names()), "service_worker": SERVICE_WORKER, "cache": cache,
        "immutable": immutable}, indent=1), encoding="utf-8")


def _state_body(script: object) -> str | None:
    attributes = getattr(script, "attributes", {}) or {}
    if attributes.get("type") == STATE_TYPE:
        return str(attributes.get("body", ""))
    return None


def live_calculators_on(context: dict) -> list[str]:
    """The declared calculators whose marks are in the page's saved widget state."""
    states = [b for b in (_state_body(s) for s in context.get("script_files") or []) if b]
    return [n for n in _declared_names() if any(f'"cmv-calc-{n}"' in body for body in states)]


def use_live_panels(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """On a page with a live panel: ``panel.js`` (deferred), told where the chart glue is (``cmv-plotly.js``,
    which it loads only when an answer draws a chart, e.g. a case's debrief) and what the glue loads."""
    if PANEL_MARKER not in context.get("body", ""):
        return
    from offline_assets import PLOTLY_GLUE_JS, PLOTLY_JS

    app.add_js_file(PANEL, priority=600, defer="defer", **{  # type: ignore[attr-defined]
        "data-cmv-zip": app.cmv_live_zip, "data-plotly-glue": f"../{PLOTLY_GLUE_JS}",
        "data-plotly": f"{PLOTLY_JS}?v={getattr(app, 'cmv_plotly_version', '')}"})


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
    app.add_js_file(BUNDLE, priority=600, defer="defer", **{  # type: ignore[attr-defined]
        "data-cmv-zip": app.cmv_live_zip, "data-cmv-widgets": app.cmv_live_widgets})


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", build_assets)
    # after myst-nb (widget scripts) and offline_assets (900: cmv-widgets.js before the embedder)
    app.connect("html-page-context", use_live_embedder, priority=950)
    app.connect("html-page-context", use_live_panels, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
