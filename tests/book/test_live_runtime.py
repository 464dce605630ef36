"""The live calculators' runtime as built (book/_ext/live_calculators.py): the trimmed standard library and
cmvlib zip are enough, and the service worker keeps them for the next page without ever keeping a page.

- Under node (Pyodide from the built ``_static/cmv-live``, its trimmed ``python_stdlib-<hash>.zip``, the
  lock info the worker passes): every module of the cmvlib zip imports, and every declared calculator
  (``calc.names()``: new ones are covered when declared) answers on its defaults, on each option of each
  choice and on junk in every field (``live/runtime.py``'s ``exercise``). The same check fails when a
  module cmvlib needs is taken out of the zip (so it can fail).
- In Chromium (off-site requests aborted), over a server that sends ``Cache-Control: no-store`` (the HTTP
  cache keeps nothing): after one visit, the runtime files answer 404, yet the reloaded page computes
  (served by the service worker); and a changed page is shown changed (pages never come from its cache).
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from browserkit import guard_context
from cmvlib import Patient, calc

ROOT = Path(__file__).resolve().parents[2]
PYRUN = ROOT / "book" / "_ext" / "live" / "pyrun.mjs"
CHAPTER = "book/chapters/01_first_line.html"
ROOT_SEL = ".cmv-calc-renal"
SAVED = dict(age_years=50, sex="male", weight_kg=130, height_cm=175, serum_creatinine_mg_dl=1.2)
START_TIMEOUT_MS = 240_000


def _extension():
    spec = importlib.util.spec_from_file_location("live_calculators", ROOT / "book" / "_ext" / "live_calculators.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def live(book_html: Path) -> tuple[Path, dict]:
    out = book_html / "_static" / "cmv-live"
    return out, json.loads((out / "manifest.json").read_text())


def _check(live_dir: Path, manifest: dict, stdlib: Path) -> dict:
    config = {"runtime": str(live_dir / manifest["runtime"]), "stdlib": str(stdlib), "zip": str(live_dir / manifest["zip"]),
              "lock": {"info": manifest["lock_info"], "packages": {}}, "function": "check"}
    proc = subprocess.run(["node", str(PYRUN), json.dumps(config)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


# ------------------------------------------------------------------------------------------ under node
def test_trimmed_runtime_runs_every_module_and_calculator(live):
    live_dir, manifest = live
    report = _check(live_dir, manifest, live_dir / manifest["stdlib"])
    assert report["failures"] == []
    assert report["calculators"] == list(calc.names()) and report["runs"] > 100 * len(report["calculators"])
    assert all(report["answered"][name] > 10 for name in calc.names()), report["answered"]   # results, not only messages
    lib = zipfile.ZipFile(live_dir / manifest["zip"]).namelist()
    assert len(report["modules"]) == len([n for n in lib if n.endswith(".py")])
    # it ran on the trimmed library: what cmvlib needs is there, the tools a library never imports are not
    trimmed = set(report["stdlib"]["modules"])
    assert report["stdlib"]["bytes"] == (live_dir / manifest["stdlib"]).stat().st_size
    assert {"json", "statistics", "dataclasses", "encodings.utf_8", "pyodide.ffi", "importlib.resources._adapters"} <= trimmed
    assert not {"doctest", "unittest", "pdb", "pydoc", "multiprocessing", "encodings.cp1252"} & trimmed
    stdlib_names = {m.split(".")[0] for m in report["loaded"]}
    assert "ipywidgets" not in stdlib_names and "IPython" not in stdlib_names


def test_the_check_fails_when_a_needed_module_is_missing(live, tmp_path):
    live_dir, manifest = live
    source = zipfile.ZipFile(live_dir / manifest["stdlib"])
    holed = tmp_path / "python_stdlib-holed.zip"
    with zipfile.ZipFile(holed, "w") as zf:
        for info in source.infolist():
            if info.filename != "statistics.py":            # needed by cmvlib.kinetics
                zf.writestr(info, source.read(info))
    report = _check(live_dir, manifest, holed)
    assert any("statistics" in f for f in report["failures"])


def test_cmvlib_zip_leaves_out_only_the_presentation_modules(live):
    live_dir, manifest = live
    names = set(zipfile.ZipFile(live_dir / manifest["zip"]).namelist())
    assert {"cmvlib/calc/__init__.py", "cmvlib/calc/renal.py", "cmvlib/ui/__init__.py", "cmvlib/ui/render.py",
            "cmvlib/charts/__init__.py", "cmvlib/data/guideline.json"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    imports = _extension().runtime_py().imports
    left_out = [p for p in sorted((ROOT / "cmvlib").rglob("*.py"))
                if "__pycache__" not in p.parts and p.relative_to(ROOT).as_posix() not in names]
    assert left_out, "the ipywidgets binding should not be shipped"
    assert "cmvlib/ui/_base.py" not in names and "cmvlib/lms.py" not in names
    stdlib = set(sys.stdlib_module_names) | {"cmvlib"}
    for path in left_out:      # each needs a package outside the standard library, itself or through a left-out module
        mod = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        deps = imports(mod, path.read_text(), path.name == "__init__.py", lazy=True)
        assert {d.split(".")[0] for d in deps} - stdlib or any(
            f"{d.replace('.', '/')}.py" not in names and (ROOT / f"{d.replace('.', '/')}.py").is_file()
            for d in deps if d.startswith("cmvlib")), path


# ------------------------------------------------------------------------------- the service worker
class _Handler(http.server.SimpleHTTPRequestHandler):
    """The built book with ``Cache-Control: no-store``; 404 for the paths in ``server.deny``; ``server.marker``
    written into every page; every path asked for kept in ``server.asked``."""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        path = self.path.split("?")[0].lstrip("/")
        self.server.asked.append(path)  # type: ignore[attr-defined]
        if path in self.server.deny:  # type: ignore[attr-defined]
            self.send_error(404)
            return
        if path.endswith(".html") and self.server.marker:  # type: ignore[attr-defined]
            body = Path(self.translate_path(self.path)).read_bytes().replace(
                b"</body>", f'<p id="{self.server.marker}">changed</p></body>'.encode())  # type: ignore[attr-defined]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture()
def site(book_html: Path) -> Iterator[tuple[str, http.server.ThreadingHTTPServer]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(book_html)))
    server.deny, server.marker, server.asked = set(), "", []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()


def _cached(page, cache: str) -> list[str]:
    return page.evaluate("async (name) => (await caches.has(name)) ? (await (await caches.open(name)).keys()).map(r => r.url) : []",
                         cache)


def _wait_cached(page, base: str, manifest: dict) -> None:
    wanted = sorted(f"{base}/{f}" for f in manifest["immutable"])
    for _ in range(600):
        if sorted(_cached(page, manifest["cache"])) == wanted:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"the service worker cached {_cached(page, manifest['cache'])}, not {wanted}")


def _answer(page, weight: str) -> str:
    root = page.locator(ROOT_SEL)
    page.wait_for_selector(f"{ROOT_SEL}[data-cmv-live=live]", timeout=START_TIMEOUT_MS)
    box = root.locator(".cmv-field-weight_kg input")
    box.fill(weight)
    box.press("Enter")
    page.wait_for_function(f"() => Number(document.querySelector('{ROOT_SEL}').dataset.cmvAnswers || 0) >= 1",
                           timeout=60_000)
    return root.locator(".cmv-result-area").inner_text()


@pytest.mark.browser
@pytest.mark.slow
def test_next_visit_computes_with_the_runtime_gone_from_the_server(browser, site, live):
    base, server = site
    _, manifest = live
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    guard = guard_context(context)
    try:
        page = context.new_page()
        page.goto(f"{base}/{CHAPTER}")
        clearance = Patient(**{**SAVED, "weight_kg": 100}).renal_function("adjusted").crcl_text()
        assert clearance in _answer(page, "100")
        _wait_cached(page, base, manifest)
        server.deny = set(manifest["immutable"])            # the runtime is gone from the server
        server.asked.clear()
        response = page.reload()
        assert response is not None and not response.from_service_worker
        assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
        clearance = Patient(**{**SAVED, "weight_kg": 90}).renal_function("adjusted").crcl_text()
        assert clearance in _answer(page, "90")
        assert not set(server.asked) & server.deny, "runtime files were asked from the server"
        assert f"{CHAPTER}" in server.asked and "_static/cmv-live/worker.js" in server.asked   # not versioned: network
        assert guard.blocked == [] and guard.page_errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_pages_never_come_from_the_service_worker(browser, site, live):
    base, server = site
    _, manifest = live
    context = browser.new_context()
    guard = guard_context(context)
    try:
        page = context.new_page()
        page.goto(f"{base}/{CHAPTER}")
        _wait_cached(page, base, manifest)
        page.reload()
        assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
        server.marker = "cmv-changed-page"                  # the page changes on the server
        response = page.reload()
        assert response is not None and response.ok and not response.from_service_worker
        assert page.locator("#cmv-changed-page").count() == 1
        cached = _cached(page, manifest["cache"])
        assert cached and not [u for u in cached if not u.startswith(f"{base}/_static/cmv-live/") or u.endswith(".html")]
        assert guard.blocked == []
    finally:
        context.close()
