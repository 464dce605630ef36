"""Made for the projector: at 1280x720 every app (every tab of the workbench) shows its inputs and its chart,
or the start of its result, without scrolling; ``?present=1`` enlarges the type and the chart labels."""
from __future__ import annotations

import pytest

from browserkit import guard_context
from voilautil import APPS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CALC = ".cmv-calculator >> visible=true"
#: The boxes of what must be in view: every visible control of the calculator outside the folded section and
#: the outputs column, the chart (whole) and the result (its first 150 px, or all of it if shorter).
BOXES = """calc => {
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
                                                                right: r.right, name: e.outerHTML.slice(0, 80)}; };
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const controls = [...calc.querySelectorAll("input, select, textarea, button")]
    .filter(e => shown(e) && !e.closest(".cmv-more .lm-AccordionPanel-content, .cmv-outputs"));
  const chart = calc.querySelector(".cmv-outputs .js-plotly-plot");
  const result = calc.querySelector(".cmv-result-area") || calc.querySelector(".cmv-result");   // quiz: its status
  return {controls: controls.map(box), chart: chart && box(chart), result: result && box(result),
          width: innerWidth, height: innerHeight};
}"""


def _inside(b: dict, width: int, height: int) -> bool:
    return b["top"] >= 0 and b["left"] >= 0 and b["bottom"] <= height + 0.5 and b["right"] <= width + 0.5


def _check_in_view(page) -> dict:
    calc = page.locator(CALC).first
    got = calc.evaluate(BOXES)
    w, h = got["width"], got["height"]
    assert got["controls"], "no inputs found"
    outside = [b["name"] for b in got["controls"] if not _inside(b, w, h)]
    assert not outside, f"inputs out of view: {outside}"
    assert got["chart"] or got["result"], "neither a chart nor a result"
    if got["chart"]:
        assert _inside(got["chart"], w, h), f"chart out of view: {got['chart']}"
    if got["result"] and not got["chart"]:
        r = got["result"]
        assert _inside({**r, "bottom": min(r["bottom"], r["top"] + 150)}, w, h), f"result out of view: {r}"
    return got


@pytest.fixture
def projector_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    guard_context(context)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _open(page, voila, app: str, query: str = "") -> None:
    page.goto(voila.app_url(app, query))
    page.wait_for_selector(CALC)
    page.wait_for_function("() => !document.querySelector('.cmv-outputs .cmv-figure-box') || "
                           "document.querySelector('.cmv-outputs .js-plotly-plot .main-svg')")


@pytest.mark.parametrize("app", APPS)
def test_inputs_and_result_in_view_at_1280x720(voila, projector_page, app):
    page = projector_page
    _open(page, voila, app)
    tabs = page.locator(".lm-TabBar-tab")
    for i in range(max(1, tabs.count())):
        if tabs.count():
            tabs.nth(i).click()            # a tab's calculator is built when it is first opened
            page.wait_for_selector(CALC)
            page.wait_for_timeout(300)
        assert page.evaluate("() => scrollY") == 0
        _check_in_view(page)


@pytest.mark.parametrize("query", ["", "present=1"])
def test_tab_titles_are_shown_in_full(voila, projector_page, query):
    page = projector_page
    _open(page, voila, "dosing_workbench", query)
    clipped = page.eval_on_selector_all(".lm-TabBar-tabLabel", "labels => labels.filter(l => l.scrollWidth > "
                                        "l.clientWidth + 1).map(l => l.textContent)")
    assert page.locator(".lm-TabBar-tabLabel").count() == 6 and clipped == [], clipped


@pytest.mark.parametrize("app", [a for a in APPS if a != "quiz"])
def test_presenter_mode_enlarges_type_and_charts(voila, projector_page, app):
    page = projector_page
    sizes = {}
    for query in ("", "present=1"):
        _open(page, voila, app, query)
        sizes[query] = page.locator(CALC).first.evaluate("""calc => {
            const px = e => e ? parseFloat(getComputedStyle(e).fontSize) : null;
            return {input: px(calc.querySelector(".cmv-inputs .widget-label")),
                    result: px(calc.querySelector(".cmv-result-area .cmv-result, .cmv-result-area")),
                    chart: px(calc.querySelector(".cmv-outputs .main-svg text"))}; }""")
        assert "unknown preset" not in page.locator(CALC).first.inner_text().lower()
    normal, present = sizes[""], sizes["present=1"]
    assert present["input"] >= 1.3 * normal["input"] and present["result"] >= 1.3 * normal["result"], sizes
    if normal["chart"] is not None:
        assert present["chart"] > normal["chart"], sizes


def _descendants(w) -> list:
    kids = list(getattr(w, "children", ()))
    return kids + [d for k in kids for d in _descendants(k)]


def test_projector_moves_every_input_once_and_folds_the_named_rows():
    from cmvlib import ui

    calc = ui.course_calculator()
    before = {id(w) for w in calc.fields.values()}
    chart = ui.figure_box(calc.figure, calc)
    ui.projector(calc, chart, folded=["height_cm", "retinitis"])
    inside = [id(w) for w in _descendants(calc)]
    assert all(inside.count(i) == 1 for i in before), "an input lost or shown twice"
    [more] = [w for w in _descendants(calc) if "cmv-more" in w._dom_classes]
    folded = {id(w) for w in _descendants(more)}
    assert {id(calc.fields["height_cm"]), id(calc.fields["retinitis"])} <= folded
    assert id(calc.fields["weight_kg"]) not in folded and more.selected_index is None
    [right] = [w for w in _descendants(calc) if "cmv-outputs" in w._dom_classes]
    assert list(right.children) == [chart, calc.result_html]
    shown = calc.result_html.value
    calc.fields["weight_kg"].value = "120"         # still computes, into the moved result
    assert calc.outcome is not None and calc.result_html.value != shown
    with pytest.raises(ValueError, match="no_such_field"):
        ui.projector(ui.regimen_selector(), folded=["no_such_field"])
