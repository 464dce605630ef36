"""Calculators computing in place on the static pages (cmvlib.calc + book/_ext/live_calculators.py).

In Chromium with every request off 127.0.0.1 aborted: chapter 1's renal calculator, on the static page,
computes what cmvlib computes for the values typed (Pyodide + cmvlib in a Web Worker, no kernel), shows a
field message and no result for a bad value, converts the creatinine on a unit toggle, and answers a change
typed before Python is ready once it is. The worker imports only the standard library and cmvlib. Also
static checks of the build: which pages get the live embedder, what the worker is given.

These test behaviour, not speed (timeouts are generous; figures are in bench/bench_live.py).
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bookutil import ROOT, toc_docnames
from cmvlib import Patient, calc
from cmvlib.calc.patient_fields import convert_creatinine

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHAPTER = "book/chapters/01_first_line.html"
ROOT_SEL = ".cmv-calc-renal"
#: The chapter's saved example (renal_calculator(scenario="obese", weight_basis="adjusted")).
SAVED = dict(age_years=50, sex="male", weight_kg=130, height_cm=175, serum_creatinine_mg_dl=1.2)
BASIS = "adjusted"
START_TIMEOUT_MS = 240_000      # a cold Pyodide start on a loaded 2-core machine
ANSWER_TIMEOUT_MS = 60_000
LIVE_JS = Path(__file__).resolve().parents[2] / "book" / "_ext" / "live" / "page.js"


def clearance(**changes) -> str:
    return Patient(**{**SAVED, **changes}).renal_function(BASIS).crcl_text()


def _open(page, book_url: str):
    page.goto(f"{book_url}/{CHAPTER}", wait_until="commit")
    root = page.locator(ROOT_SEL)
    root.wait_for()
    return root


def _wait_live(page) -> None:
    page.wait_for_selector(f"{ROOT_SEL}[data-cmv-live=live], {ROOT_SEL}[data-cmv-live=failed]", timeout=START_TIMEOUT_MS)
    assert page.locator(ROOT_SEL).get_attribute("data-cmv-live") == "live"


def _type(root, field: str, text: str) -> None:
    box = root.locator(f".cmv-field-{field} input")
    box.fill(text)
    box.press("Enter")          # continuous_update=False: the value is sent on Enter / blur


def _answers(root) -> int:
    return int(root.get_attribute("data-cmv-answers") or 0)


def _wait_answers(page, n: int) -> None:
    page.wait_for_function(f"n => Number(document.querySelector('{ROOT_SEL}').getAttribute('data-cmv-answers') || 0) >= n",
                           arg=n, timeout=ANSWER_TIMEOUT_MS)


def _result(root) -> str:
    return root.locator(".cmv-result-area").inner_text()


def _clean(guard, errors) -> None:
    assert guard.blocked == [], f"requests that tried to leave the site: {guard.blocked}"
    assert guard.failed_local == [] and guard.page_errors == [] and errors == [], (guard.failed_local, guard.page_errors, errors)


def test_renal_calculator_computes_in_place(page_guard, book_url):
    page, guard, errors = page_guard
    root = _open(page, book_url)
    assert clearance() in _result(root)                     # the saved example, drawn from the widget state
    _wait_live(page)
    assert "computed in your browser" in root.locator(".cmv-status-area").inner_text()
    _type(root, "weight_kg", "100")
    _wait_answers(page, 1)
    wanted = clearance(weight_kg=100)
    assert wanted != clearance() and wanted in _result(root)
    # exactly the HTML cmvlib's declaration renders for the values on the page
    values = page.evaluate("() => { const c = window.cmvLive.calculators[0]; const v = {};"
                           " for (const [n, m] of Object.entries(c.fields)) { const l = m.get('_options_labels');"
                           " v[n] = Array.isArray(l) ? l[m.get('index')] : String(m.get('value')); } return v; }")
    assert values["weight_kg"] == "100" and values["weight_basis"].startswith("adjusted")
    html = page.evaluate("() => window.cmvLive.calculators[0].result.get('value')")
    assert html == calc.run("renal", values)["html"]
    # a bad value: its message next to the field, no result; then corrected
    _type(root, "weight_kg", "abc")
    _wait_answers(page, 2)
    assert "Weight: must be a number in kg" in root.locator(".cmv-error-weight_kg").inner_text()
    assert "No result" in _result(root) and "mL/min" not in _result(root)
    _type(root, "weight_kg", "90")
    _wait_answers(page, 3)
    assert root.locator(".cmv-error-weight_kg").inner_text().strip() == ""
    assert clearance(weight_kg=90) in _result(root)
    # the unit toggle converts the typed creatinine (cmvlib's rule) and keeps the result
    root.locator(".cmv-field-creatinine_unit button", has_text="µmol/L").click()
    _wait_answers(page, 4)
    assert root.locator(".cmv-field-serum_creatinine input").input_value() == convert_creatinine("1.2", "umol/L")
    assert "µmol/L" in root.locator(".cmv-field-serum_creatinine").inner_text()
    assert clearance(weight_kg=90) in _result(root)
    _clean(guard, errors)


def test_typed_before_python_is_ready_is_answered(page_guard, book_url):
    """The cmvlib zip is held back until the weight has been typed: the value is kept, then computed."""
    page, guard, errors = page_guard
    held = []
    page.route("**/_static/cmv-live/cmvlib-*.zip", lambda route: held.append(route))
    root = _open(page, book_url)
    page.wait_for_function(f"() => document.querySelector('{ROOT_SEL}').getAttribute('data-cmv-live') === 'starting'",
                           timeout=ANSWER_TIMEOUT_MS)
    _type(root, "weight_kg", "110")
    page.wait_for_timeout(300)
    assert _answers(root) == 0 and clearance() in _result(root)     # not computed yet, input kept
    assert root.locator(".cmv-field-weight_kg input").input_value() == "110"
    assert "Starting Python" in root.locator(".cmv-status-area").inner_text()
    page.wait_for_function("() => true")            # let Playwright dispatch the held request
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the worker never asked for the cmvlib zip"
    held[0].continue_()
    _wait_live(page)
    _wait_answers(page, 1)
    assert clearance(weight_kg=110) in _result(root)
    _clean(guard, errors)


def test_worker_imports_only_the_standard_library_and_cmvlib(page_guard, book_url):
    page, guard, errors = page_guard
    root = _open(page, book_url)
    _wait_live(page)
    _type(root, "age_years", "70")
    _wait_answers(page, 1)
    mods = page.evaluate("() => window.cmvLive.modules()")
    assert mods["packages"] == []                   # no Pyodide package loaded (not even micropip)
    new = sorted(set(mods["after"]) - set(mods["before"]))
    assert "cmvlib.calc.renal" in new
    stdlib = set(mods["stdlib"])
    outside = [m for m in new if m.split(".")[0] not in stdlib | {"cmvlib"}]
    assert outside == [], f"the worker imported modules outside the standard library and cmvlib: {outside}"
    assert "/cmv-live" in mods["path"]
    _clean(guard, errors)


def test_widget_manager_waits_for_the_first_chart_far_above_the_calculators(page_guard, book_url):
    """On a chapter whose charts and calculators are far below the fold (chapter 4), the widget manager bundle
    (embed-live-widgets.js, 1.3 MB) is not fetched while plotly.js is held back: the first chart comes first.
    Once plotly.js is let through, the manager is fetched once and every widget is drawn. On chapter 1, whose
    calculator is near the top, the manager is fetched at once, with plotly.js still held."""
    page, guard, errors = page_guard
    held, asked = [], []
    page.route("**/plotly.min.js*", lambda route: held.append(route))
    page.on("request", lambda r: "embed-live-widgets.js" in r.url and asked.append(r.url))
    page.goto(f"{book_url}/book/chapters/04_monitoring.html", wait_until="domcontentloaded")
    page.wait_for_function("() => window.cmvLive", timeout=20_000)
    page.wait_for_timeout(500)          # well under the 3 s after which page.js draws the widgets anyway
    assert asked == [] and page.evaluate("() => performance.getEntriesByName('cmv-widgets-drawn').length") == 0
    page.wait_for_function("() => document.querySelector('script[src*=\"plotly.min.js\"]')", timeout=20_000)
    for route in held:
        route.continue_()
    page.unroute("**/plotly.min.js*")
    page.wait_for_function("() => performance.getEntriesByName('cmv-widgets-drawn').length", timeout=60_000)
    assert len(asked) == 1 and "?v=" in asked[0], asked
    assert page.locator(".jupyter-widgets[class*='cmv-calc-']").count() >= 1     # the calculators, drawn
    _clean(guard, errors)

    asked.clear()
    page.route("**/plotly.min.js*", lambda route: held.append(route))
    root = _open(page, book_url)
    page.wait_for_function("() => performance.getEntriesByName('cmv-widgets-drawn').length", timeout=60_000)
    assert root.locator(".cmv-field-weight_kg input").is_visible() and len(asked) == 1
    _clean(guard, errors)


# ------------------------------------------------------------------------------------- static checks
def _scripts(html_file: Path) -> list[dict]:
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    return [dict(s.attrs) for s in soup.find_all("script", src=True)]


def test_live_embedder_replaces_embed_js_only_where_a_calculator_is_live(book_html):
    chapter = _scripts(book_html / CHAPTER)
    live = [s for s in chapter if "cmv-live/embed-live.js" in s["src"]]
    assert len(live) == 1 and "defer" in live[0] and live[0]["data-cmv-zip"].startswith("cmvlib-")
    assert not any("html-manager/embed.js" in s["src"] for s in chapter)
    # every calculator is declared: no page with saved widgets keeps the html-manager's embedder, and a page
    # without widgets gets neither
    for page in [book_html / f"{name}.html" for name in toc_docnames(ROOT / "_toc.yml")]:
        scripts = [s["src"] for s in _scripts(page)]
        widgets = "application/vnd.jupyter.widget-state+json" in page.read_text(encoding="utf-8")
        assert not any("html-manager/embed.js" in s for s in scripts), page
        assert sum("embed-live.js" in s for s in scripts) == (1 if widgets else 0), page


def test_worker_gets_the_runtime_and_cmvlib_only(book_html):
    out = book_html / "_static" / "cmv-live"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["pyodide"] == "0.29.3" and "renal" in manifest["calculators"]
    runtime = out / manifest["runtime"]
    assert runtime.name == "pyodide-0.29.3"                           # versioned: cached as immutable
    assert sorted(p.name for p in runtime.iterdir()) == ["pyodide.asm.js", "pyodide.asm.wasm", "pyodide.js"]
    assert re.fullmatch(r"python_stdlib-[0-9a-f]{12}\.zip", manifest["stdlib"]) and (out / manifest["stdlib"]).is_file()
    names = zipfile.ZipFile(out / manifest["zip"]).namelist()
    assert "cmvlib/calc/renal.py" in names and all(n.startswith("cmvlib/") for n in names)
    # built into _build/html/_static/cmv-live, never from book/_static (whose scripts go on every page)
    assert not [p for p in (LIVE_JS.parents[2] / "_static").rglob("*") if "embed-live" in p.name or p.suffix == ".wasm"]
    worker = (out / "worker.js").read_text()
    assert not re.search(r"https?://", worker)
    build = json.loads(re.search(r"const BUILD = (\{.*\});", worker).group(1))
    assert build["runtime"] == f"{manifest['runtime']}/" and build["stdlib"] == manifest["stdlib"]
    assert build["lock"] == {"info": manifest["lock_info"], "packages": {}}    # no pyodide-lock.json fetched
    sw = (book_html / manifest["service_worker"]).read_text()
    assert json.loads(re.search(r"const BUILD = (\{.*\});", sw).group(1)) == {"cache": manifest["cache"],
                                                                               "files": manifest["immutable"]}
    assert sorted(manifest["immutable"]) == sorted(
        [f"_static/cmv-live/{manifest['runtime']}/{p.name}" for p in runtime.iterdir()]
        + [f"_static/cmv-live/{manifest['stdlib']}", f"_static/cmv-live/{manifest['zip']}"])


def test_page_script_and_cmvlib_agree_on_the_marks():
    js = LIVE_JS.read_text()
    for mark in (calc.MARK_CALCULATOR, calc.MARK_FIELD, calc.MARK_ERROR, calc.MARK_RESULT, calc.MARK_STATUS):
        assert f"'{mark}'" in js, mark
