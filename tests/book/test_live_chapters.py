"""Every calculator of the chapters computes in place (the static page, no kernel: Pyodide + cmvlib in a Web
Worker), in Chromium with every request off 127.0.0.1 aborted.

On each chapter, for each calculator: a change typed into it gives exactly the result HTML that
``cmvlib.calc.run`` gives for the values on the page; a bad value shows its field's message and no dose; a chart
tied to the calculator is redrawn with its table (and gives way to a "no chart" note while the input is bad);
fields that do not apply are hidden and shown again as the choices change. Behaviour, not speed (timeouts are
generous; figures are in bench/bench_live.py).
"""
from __future__ import annotations

import pytest

from cmvlib import calc

pytestmark = [pytest.mark.browser, pytest.mark.slow]

START_TIMEOUT_MS = 240_000
ANSWER_TIMEOUT_MS = 60_000

#: Each calculator's page, a change (field, new value) and a bad value (field, junk) to type.
CASES = {
    "book/chapters/01_first_line.html": {
        "renal": (("weight_kg", "95"), ("age_years", "12")),
        "dose": (("weight_kg", "95"), ("weight_kg", "-5")),
        "switch": (("days_of_iv", "2"), ("days_of_iv", "abc")),
    },
    "book/chapters/02_alternatives.html": {
        "foscarnet": (("weight_kg", "90"), ("serum_creatinine", "0")),
        "cidofovir": (("weight_kg", "70"), ("infusion_start", "25:99")),
        "immunoglobulin": (("weight_kg", "80"), ("weight_kg", "5000")),
        "regimen": (("cns_disease", True), ("on_art", True)),   # ART without HIV: a message, no plan
        "maribavir": (("takes_carbamazepine", True), ("age_years", "")),
    },
    "book/chapters/04_monitoring.html": {
        "viral_load_fit": (("points", "0, 40000\n4, 9000\n9, 700"), ("points", "0, 25000\n3, -5")),
        "monitoring": (("induction_days", "10"), ("maintenance_days", "x")),
    },
    "book/chapters/07_pitfalls.html": {
        "course": (("change_day", "5"), ("change_day", "99")),
    },
}


def test_every_declared_calculator_is_tested_on_a_page():
    assert sorted(n for page in CASES.values() for n in page) == sorted(calc.names())


def _index(page, name: str) -> int:
    return page.evaluate("n => window.cmvLive.calculators.findIndex(c => c.name === n)", name)


def _answers(root) -> int:
    return int(root.get_attribute("data-cmv-answers") or 0)


def _enter(page, root, field: str, value) -> int:
    """Type (or tick) ``value`` into ``field`` and return how many answers there were before."""
    before = _answers(root)
    box = root.locator(f".cmv-field-{field}")
    box.scroll_into_view_if_needed()
    if isinstance(value, bool):
        checkbox = box.locator("input[type=checkbox]")
        if checkbox.is_checked() != value:
            checkbox.click()
    elif box.locator("textarea").count():
        box.locator("textarea").fill(value)
        box.locator("textarea").blur()          # continuous_update=False: sent on blur
    else:
        box.locator("input").fill(value)
        box.locator("input").press("Enter")     # continuous_update=False: sent on Enter
    return before


def _wait_answer(page, name: str, before: int) -> None:
    page.wait_for_function("([n, b]) => Number(document.querySelector('.cmv-calc-' + n).getAttribute('data-cmv-answers')"
                           " || 0) > b", arg=[name, before], timeout=ANSWER_TIMEOUT_MS)


def _expected(page, name: str) -> dict:
    values = page.evaluate("i => window.cmvLive.values(i)", _index(page, name))
    return calc.run(name, values)


def _shown_html(page, name: str) -> str:
    return page.evaluate("i => window.cmvLive.calculators[i].result.get('value')", _index(page, name))


def _chart(page, name: str) -> dict:
    """What the calculator's chart cell shows: whether a drawn figure is visible, its trace names, its table."""
    cid = page.evaluate("i => window.cmvLive.calculators[i].id", _index(page, name))
    return page.evaluate("""id => {
        const box = document.querySelector(`[data-cmv-chart-for="${id}"]`);
        const gd = box && box.querySelector('.plotly-graph-div');
        const table = document.querySelector(`[data-cmv-table-for="${id}"]`);
        return { visible: Boolean(gd && !gd.hidden && gd.data && gd.data.length),
                 traces: gd && gd.data ? gd.data.map(t => t.name || '').join('|') : '',
                 x: gd && gd.data ? JSON.stringify(gd.data.map(t => t.x)) : '',
                 table: table ? table.innerHTML : null };
    }""", cid)


def _as_browser_writes(page, html: str) -> str:
    """``html`` as the browser serialises it back (entities normalised)."""
    return page.evaluate("h => { const d = document.createElement('div'); d.innerHTML = h; return d.innerHTML; }", html)


def _wait_chart(page, name: str, previous_x: str) -> dict:
    for _ in range(300):
        shown = _chart(page, name)
        if shown["visible"] and shown["x"] != previous_x:
            return shown
        page.wait_for_timeout(100)
    raise AssertionError(f"{name}: the chart was not redrawn")


@pytest.mark.parametrize("path", sorted(CASES))
def test_each_calculator_on_the_page_computes_in_place(page_guard, book_url, path):
    page, guard, errors = page_guard
    page.goto(f"{book_url}/{path}", wait_until="commit")
    for name, ((field, value), (bad_field, junk)) in CASES[path].items():
        root = page.locator(f".cmv-calc-{name}")
        root.wait_for()
        page.wait_for_selector(f".cmv-calc-{name}[data-cmv-live=live], .cmv-calc-{name}[data-cmv-live=failed]",
                               timeout=START_TIMEOUT_MS)
        assert root.get_attribute("data-cmv-live") == "live"
        charted = calc.get(name).chart is not None
        chart_before = _chart(page, name) if charted else None
        if charted:
            assert chart_before["visible"] and "<table" in chart_before["table"]   # the saved chart is drawn
        saved = _shown_html(page, name)

        # a change: exactly cmvlib's result for the values on the page, and a redrawn chart
        assert page.evaluate("i => window.cmvLive.values(i)", _index(page, name))[field] != str(value).lower(), name
        _wait_answer(page, name, _enter(page, root, field, value))
        wanted = _expected(page, name)
        assert wanted["errors"] == {} and "No result" not in wanted["html"], (name, wanted["errors"])
        assert _shown_html(page, name) == wanted["html"] != saved, name
        assert root.locator(".cmv-error-" + field).count() == 0 or root.locator(".cmv-error-" + field).inner_text().strip() == ""
        if charted:
            shown = _wait_chart(page, name, chart_before["x"])
            assert shown["table"] == _as_browser_writes(page, wanted["table"]) and "<table" in shown["table"]

        # a bad value: its field's message, no dose, no chart
        _wait_answer(page, name, _enter(page, root, bad_field, junk))
        wanted = _expected(page, name)
        assert list(wanted["errors"]) == [bad_field], (name, wanted["errors"])
        message = root.locator(f".cmv-error-{bad_field}").inner_text()
        assert "⚠" in message and message.strip(), name
        assert "No result" in root.locator(".cmv-result-area").inner_text()
        assert " mg " not in root.locator(".cmv-result-area").inner_text()
        if charted:
            shown = _chart(page, name)
            assert not shown["visible"] and shown["table"] == _as_browser_writes(page, calc.NO_CHART)
    assert guard.blocked == [], f"requests that tried to leave the site: {guard.blocked}"
    assert guard.failed_local == [] and guard.page_errors == [] and errors == [], (guard.failed_local, guard.page_errors, errors)


def test_fields_that_do_not_apply_are_hidden_and_shown_in_place(page_guard, book_url):
    page, guard, errors = page_guard
    page.goto(f"{book_url}/book/chapters/01_first_line.html", wait_until="commit")
    root = page.locator(".cmv-calc-dose")
    page.wait_for_selector(".cmv-calc-dose[data-cmv-live=live]", timeout=START_TIMEOUT_MS)
    schedule, formulation = root.locator(".cmv-row-regimen"), root.locator(".cmv-row-formulation")
    assert schedule.is_hidden() and formulation.is_hidden()          # ganciclovir induction, as saved
    before = _answers(root)
    root.locator(".cmv-field-phase button", has_text="maintenance").click()
    _wait_answer(page, "dose", before)
    assert schedule.is_visible() and formulation.is_hidden()
    assert _shown_html(page, "dose") == _expected(page, "dose")["html"]
    before = _answers(root)
    root.locator(".cmv-field-drug button", has_text="valganciclovir").click()
    _wait_answer(page, "dose", before)
    assert schedule.is_hidden() and formulation.is_visible()
    assert "valganciclovir" in _shown_html(page, "dose").lower()
    assert guard.blocked == [] and guard.page_errors == [] and errors == []
