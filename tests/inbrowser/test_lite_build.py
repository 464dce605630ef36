"""The built in-browser site is self-contained (checked on the files, no browser).

Pyodide, every wheel and every front-end file come from the site itself; the lock's sha256 match the
shipped files (Pyodide refuses a wheel whose hash differs); PyPI fallback is off; notebooks live in memory
(a reader never sees a stale copy); no plotly.py is shipped (cmvlib.charts emits the figure JSON).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from liteutil import LIVE_PAGE, LITE_HTML, ROOT

pytestmark = pytest.mark.slow

KERNEL = "@jupyterlite/pyodide-kernel-extension:kernel"
NOTEBOOKS = sorted(p for p in (ROOT / "book" / "apps").glob("*.ipynb") if not p.name.startswith("_"))
OFFSITE = re.compile(r'\s(?:src|href)="((?:https?:)?//[^"]+)"', re.I)
NAMESPACES = ("http://www.w3.org", "http://creativecommons.org", "http://purl.org")


def _config(lite: Path) -> dict:
    return json.loads((lite / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]


def test_kernel_is_served_from_the_site_without_pypi(lite_html):
    kernel = _config(LITE_HTML)["litePluginSettings"][KERNEL]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert (LITE_HTML / "static" / "pyodide" / "pyodide.js").is_file()
    assert (LITE_HTML / "static" / "pyodide" / "pyodide.asm.wasm").is_file()
    assert kernel["disablePyPIFallback"] is True
    preload = kernel["loadPyodideOptions"]["packages"]
    assert {"cmvlib", "ipywidgets", "ipython", "pyodide_kernel", "piplite", "sqlite3"} <= set(preload)


def test_notebooks_and_settings_stay_in_memory(lite_html):
    config = _config(LITE_HTML)
    assert config["enableMemoryStorage"] is True
    for key in ("contentsStorageDrivers", "settingsStorageDrivers", "workspacesStorageDrivers"):
        assert config[key] == ["memoryStorageDriver"], key


def test_lock_lists_exactly_the_shipped_wheels_with_their_hashes(lite_html):
    pyodide = LITE_HTML / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text(encoding="utf-8"))["packages"]
    wheels = {p.name for p in pyodide.glob("*.whl")}
    assert {e["file_name"] for e in lock.values()} == wheels
    for name, entry in lock.items():
        digest = hashlib.sha256((pyodide / entry["file_name"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{name}: lock sha256 does not match {entry['file_name']}"
        missing = {re.sub(r"[-_.]+", "-", d).lower() for d in entry["depends"]} - set(lock)
        assert not missing, f"{name} depends on packages that are not shipped: {missing}"
    assert "cmvlib" in lock and "ipywidgets" in lock
    assert not any(n.startswith("plotly") for n in wheels), "plotly.py must not be shipped to the browser"


def test_cmvlib_wheel_is_this_checkout(lite_html):
    import zipfile

    pyodide = LITE_HTML / "static" / "pyodide"
    (wheel,) = pyodide.glob("cmvlib-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = zf.read("cmvlib/dosing.py")
    assert shipped == (ROOT / "cmvlib" / "dosing.py").read_bytes(), "the shipped cmvlib is stale: make lite-dir"


def test_only_the_needed_front_end_extensions(lite_html):
    names = {e["name"] for e in _config(LITE_HTML)["federated_extensions"]}
    assert names == {"@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager", "jupyterlab-plotly"}


def test_no_page_of_the_lite_site_links_off_site(lite_html):
    offenders = []
    for page in LITE_HTML.rglob("*.html"):
        rel = page.relative_to(LITE_HTML).as_posix()
        if rel.startswith(("extensions/", "build/")):
            continue
        offenders += [f"{rel}: {u}" for u in OFFSITE.findall(page.read_text(encoding="utf-8")) if not u.startswith(NAMESPACES)]
    assert offenders == []


def test_every_live_notebook_has_an_app_and_a_button(lite_html):
    page = (lite_html / LIVE_PAGE).read_text(encoding="utf-8")
    assert page.count('class="cmv-live"') == len(NOTEBOOKS) > 0
    assert "<iframe" not in page, "nothing may load before the reader presses Run"
    assert "fonts.googleapis" not in page
    for nb in NOTEBOOKS:
        render = LITE_HTML / "voici" / "render" / "book" / "apps" / f"{nb.stem}.html"
        assert render.is_file(), f"no Voici app for {nb.name}"
        assert f'data-src="../../lite/voici/render/book/apps/{nb.stem}.html"' in page


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_plotly_renderer_only_for_apps_with_charts(lite_html, nb):
    """Chart-free apps (notebook metadata "cmv": {"charts": false}) do not load the 4.8 MB Plotly renderer."""
    page = (LITE_HTML / "voici" / "render" / "book" / "apps" / f"{nb.stem}.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    names = {e["name"] for e in config["federated_extensions"]}
    charts = json.loads(nb.read_text(encoding="utf-8"))["metadata"].get("cmv", {}).get("charts", True)
    assert "@jupyterlite/pyodide-kernel-extension" in names
    assert ("jupyterlab-plotly" in names) == charts, (nb.stem, names)
