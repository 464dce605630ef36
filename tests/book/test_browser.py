"""Real-browser tests: every page of the book (and the chart-machinery fixture) in headless Chromium,
with every request that is not to 127.0.0.1 aborted and counted; axe runs on each page in light and in dark
mode (0 serious or critical violations in either). Screenshots go to test-output/screenshots/, axe reports
(one list per mode) to test-output/axe/."""
from __future__ import annotations

import pytest

from bookutil import OUTPUT, ROOT, toc_docnames
from pagecheck import check_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BOOK_PAGES = toc_docnames(ROOT / "_toc.yml")
DEMO_PAGES = ["book/demo", "book/plain"]


def _assert_reader_view(report):
    assert report.blocked_requests == [], f"requests that tried to leave localhost: {report.blocked_requests}"
    assert report.console_errors == [], f"console errors: {report.console_errors}"
    assert report.failed_local_requests == [], f"missing local files: {report.failed_local_requests}"
    assert report.charts_drawn == report.charts, f"{report.charts - report.charts_drawn} Plotly chart(s) drew no SVG"
    assert report.sliders_that_changed == report.sliders_checked, "a chart slider did not change its chart"
    assert report.widgets_rendered >= report.widgets_expected, (
        f"{report.widgets_expected} widget view(s), {report.widgets_rendered} rendered from saved state"
    )
    assert report.math_typeset >= min(report.math_expected, 1), "maths was not typeset"
    assert report.serious_a11y == [], f"serious/critical axe violations: {report.serious_a11y}"
    assert report.notice_problems == [], f"education notice not on screen on load: {report.notice_problems}"


@pytest.mark.parametrize("docname", BOOK_PAGES)
def test_book_page_in_chromium(docname, browser, book_url, book_pages, screenshot_dir):
    name = docname.replace("/", "__")
    report = check_page(
        browser,
        f"{book_url}/{docname}.html",
        screenshot=screenshot_dir / f"{name}.png",
        axe_report=OUTPUT / "axe" / f"{name}.json",
    )
    _assert_reader_view(report)


@pytest.mark.parametrize("docname", DEMO_PAGES)
def test_chart_machinery_in_chromium(docname, browser, demo_url, screenshot_dir):
    name = "fixture__" + docname.replace("/", "__")
    report = check_page(
        browser, f"{demo_url}/{docname}.html", screenshot=screenshot_dir / f"{name}.png",
        axe_report=OUTPUT / "axe" / f"{name}.json",
    )
    _assert_reader_view(report)
    if docname == "book/demo":
        assert (report.charts, report.charts_drawn, report.sliders_checked, report.sliders_that_changed) == (1, 1, 1, 1)
        assert report.widgets_expected == 1 and report.widgets_rendered >= 1
        assert report.math_typeset >= 1


def test_blocked_requests_are_counted(browser, demo_url):
    """The network guard itself works: a page asking for a third-party script is caught."""
    context = browser.new_context()
    blocked = []
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else (blocked.append(r.request.url), r.abort()))
    page = context.new_page()
    page.goto(f"{demo_url}/book/plain.html")
    page.evaluate("() => new Promise(done => { const s = document.createElement('script'); s.src = 'https://cdn.example.org/x.js'; s.onerror = done; s.onload = done; document.head.appendChild(s); })")
    context.close()
    assert blocked == ["https://cdn.example.org/x.js"]


def test_chart_follows_dark_mode(browser, demo_url, screenshot_dir):
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page = context.new_page()
    page.goto(f"{demo_url}/book/demo.html", wait_until="networkidle")
    page.wait_for_selector("div.plotly-graph-div svg.main-svg")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    page.wait_for_function(
        "() => { const gd = document.querySelector('div.plotly-graph-div');"
        " return gd._fullLayout && gd._fullLayout.paper_bgcolor.replace(/ /g, '') === 'rgba(0,0,0,0)'; }"
    )
    font = page.evaluate("() => document.querySelector('div.plotly-graph-div')._fullLayout.font.color")
    body = page.evaluate("() => getComputedStyle(document.body).color")
    assert font.replace(" ", "") == body.replace(" ", "")
    behind = page.evaluate("() => getComputedStyle(document.querySelector('div.plotly-graph-div').parentElement).backgroundColor")
    assert behind.replace(" ", "") in ("rgba(0,0,0,0)", "transparent"), behind
    page.locator("div.plotly-graph-div").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "fixture__book__demo__dark.png"))
    context.close()


def test_text_paints_while_plotly_is_held_back(browser, demo_url):
    """The page's text paints, and cmvPlotly works, while every request for plotly.js is held back: the text
    never waits for the 4.8 MB chart library. Once it is let through, the chart draws, and draw() on the same
    element redraws it (Plotly.react), before and after plotly.js has loaded (cmv-plotly.js's contract)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page = context.new_page()
    held = []
    page.route("**/plotly.min.js*", lambda route: held.append(route))
    page.goto(f"{demo_url}/book/demo.html", wait_until="commit")
    page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length", timeout=20_000)
    page.wait_for_function("() => window.cmvPlotly", timeout=20_000)
    assert page.get_by_role("heading", level=1, name="Chart machinery demo").is_visible()
    assert page.get_by_text("This page is built only by").is_visible()
    assert page.evaluate("() => window.Plotly === undefined")
    assert page.locator("div.plotly-graph-div svg.main-svg").count() == 0
    page.wait_for_selector("script[src*='plotly.min.js']", state="attached")   # asked for once the text has painted
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1, "plotly.js is requested once, when the chart needs it"
    # a redraw before plotly.js is there: only the latest figure is drawn
    redrawn = page.evaluate_handle("""() => {
        const gd = document.querySelector('div.plotly-graph-div');
        window.cmvPlotly.draw(gd, {data: [{type: 'bar', x: ['a'], y: [1]}]});
        return {done: window.cmvPlotly.draw(gd.id, {data: [{type: 'bar', x: ['a', 'b', 'c'], y: [1, 2, 3]}]})};
    }""")
    held[0].continue_()
    page.evaluate("h => h.done.then(gd => gd.id)", redrawn)
    assert page.evaluate("() => document.querySelector('div.plotly-graph-div').data[0].x.length") == 3
    # a redraw of the same element once plotly.js is loaded keeps the element (Plotly.react) and the theme
    page.evaluate("""async () => {
        const gd = document.querySelector('div.plotly-graph-div');
        gd.dataset.mark = 'kept';
        await window.cmvPlotly.draw(gd, {data: [{type: 'scatter', y: [3, 1, 2, 5]}]});
        await window.cmvPlotly.ensure();
    }""")
    assert page.evaluate("() => document.querySelector('div.plotly-graph-div[data-mark=kept]').data[0].y.length") == 4
    assert page.evaluate("() => document.querySelector('div.plotly-graph-div')._fullLayout.paper_bgcolor").replace(" ", "") == "rgba(0,0,0,0)"
    assert page.evaluate("() => document.querySelectorAll('script[src*=\"plotly.min.js\"]').length") == 1
    context.close()
