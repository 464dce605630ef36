"""Open one built page in Chromium with the network cut off, and report what a reader would meet.

Shared by test_browser.py for the book's chapters and the chart-machinery fixture book.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from browserkit import is_local

SERIOUS = {"serious", "critical"}
#: The full axe run is made in both of the theme's modes (its "auto" mode follows the reader's system).
MODES = ("light", "dark")
#: The notice every page shows under its title (book/_ext/education_notice.py), and the screens it must be
#: on without scrolling: a laptop in light mode and a phone in dark mode (the page's full axe run, in both
#: modes, checks the contrast of the whole page; the notice's contrast on a phone is checked here).
NOTICE = "For education only: not for the care of individual patients."
NOTICE_SCREENS = {"1280x720 light": ({"width": 1280, "height": 720}, "light"),
                  "390x844 dark": ({"width": 390, "height": 844}, "dark")}


@dataclass
class PageReport:
    url: str
    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_local_requests: list[str] = field(default_factory=list)
    charts: int = 0
    charts_drawn: int = 0
    sliders_checked: int = 0
    sliders_that_changed: int = 0
    widgets_expected: int = 0
    widgets_rendered: int = 0
    math_expected: int = 0
    math_typeset: int = 0
    serious_a11y: list[dict] = field(default_factory=list)
    notice_problems: list[str] = field(default_factory=list)


_SVG_STATE = """gd => Array.from(gd.querySelectorAll('svg.main-svg g.plot, svg.main-svg g.cartesianlayer'))
    .map(g => g.innerHTML).join('|')"""


def _change_slider(page, gd) -> bool:
    """Click another step of the chart's first slider; True if the drawn traces changed."""
    rail = gd.query_selector("g.slider-container rect.slider-rail-touch-rect") or gd.query_selector(
        "g.slider-container rect.slider-rail-rect"
    )
    if rail is None:
        return False
    before = gd.evaluate(_SVG_STATE)
    active = gd.evaluate("gd => (gd.layout.sliders[0].active || 0)")
    n_steps = gd.evaluate("gd => gd.layout.sliders[0].steps.length")
    box = rail.bounding_box()
    target = 0 if active >= n_steps / 2 else n_steps - 1
    x = box["x"] + box["width"] * (0.02 if target == 0 else 0.98)
    page.mouse.click(x, box["y"] + box["height"] / 2)
    try:
        page.wait_for_function(
            "([gd, before]) => (" + _SVG_STATE + ")(gd) !== before", arg=[gd, before], timeout=5000
        )
    except Exception:  # noqa: BLE001 - reported as "did not change"
        return False
    return gd.evaluate("gd => gd.layout.sliders[0].active") != active


_NOTICE_ON_SCREEN = """el => {
    const r = el.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + 8, 0), innerWidth - 1), y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: innerWidth, height: innerHeight,
            scrollY: scrollY, covered_by: hit && !el.contains(hit) ? hit.outerHTML.slice(0, 120) : null};
}"""


def notice_problems(browser, url: str, screenshot_dir: Path | None = None) -> list[str]:
    """Load ``url`` on each of NOTICE_SCREENS and report where the education notice is not on screen as loaded
    (in the main content, inside the viewport, not covered, readable: axe's colour contrast)."""
    problems = []
    for screen, (viewport, scheme) in NOTICE_SCREENS.items():
        context = browser.new_context(viewport=viewport, color_scheme=scheme, service_workers="block")
        context.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
        page = context.new_page()
        try:
            page.goto(url, wait_until="load")
            notices = page.locator("main#main-content").get_by_text(NOTICE)
            if notices.count() != 1:
                problems.append(f"{screen}: {notices.count()} notices in the main content (want 1)")
                continue
            notice = notices.first
            if not notice.is_visible():
                problems.append(f"{screen}: the notice is hidden")
                continue
            box = notice.evaluate(_NOTICE_ON_SCREEN)
            if box["scrollY"] != 0 or box["top"] < 0 or box["left"] < 0 or box["bottom"] > box["height"] or box["right"] > box["width"]:
                problems.append(f"{screen}: the notice is not inside the viewport on load: {box}")
            if box["covered_by"]:
                problems.append(f"{screen}: the notice is covered by {box['covered_by']}")
            if screenshot_dir is not None:
                name = url.split("://", 1)[1].split("/", 1)[1].removesuffix(".html").replace("/", "__")
                screenshot_dir.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot_dir / f"{name}__{screen.replace(' ', '_')}.png"))
            from axe_playwright_python.sync_playwright import Axe

            notice.evaluate("el => el.setAttribute('data-notice-under-test', '')")
            results = Axe().run(page, context="[data-notice-under-test]", options={"runOnly": ["color-contrast"]})
            for v in results.response.get("violations", []):
                problems.append(f"{screen}: {v['id']}: {[n.get('failureSummary') for n in v['nodes']][:2]}")
        finally:
            context.close()
    return problems


def set_mode(page, mode: str) -> None:
    """Switch the reader's system to ``mode``: the theme follows (html[data-theme]); wait for transitions."""
    page.emulate_media(color_scheme=mode)
    page.wait_for_function("m => document.documentElement.dataset.theme === m", arg=mode)
    page.wait_for_function("() => !document.getAnimations().some(a => a.playState === 'running' && a instanceof CSSTransition)")


def axe_violations(page, mode: str) -> list[dict]:
    """axe-core's violations on the whole page in ``mode`` ("light" or "dark")."""
    from axe_playwright_python.sync_playwright import Axe

    set_mode(page, mode)
    return Axe().run(page).response.get("violations", [])


def check_page(browser, url: str, screenshot: Path | None = None, axe_report: Path | None = None) -> PageReport:
    report = PageReport(url=url)
    report.notice_problems = notice_problems(browser, url, screenshot.parent / "notice" if screenshot else None)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light", service_workers="block")

    def route(route_obj):
        if is_local(route_obj.request.url):
            route_obj.continue_()
        else:
            report.blocked_requests.append(route_obj.request.url)
            route_obj.abort()

    context.route("**/*", route)
    page = context.new_page()

    def on_console(msg):
        if msg.type == "error":
            report.console_errors.append(msg.text)

    def on_pageerror(exc):
        report.console_errors.append(f"uncaught: {exc}")

    def on_requestfailed(req):
        if is_local(req.url):
            report.failed_local_requests.append(f"failed {req.url}")

    def on_response(resp):
        if resp.status >= 400:
            report.failed_local_requests.append(f"{resp.status} {resp.url}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("requestfailed", on_requestfailed)
    page.on("response", on_response)
    try:
        page.goto(url, wait_until="load")
        try:  # plotly.js pages may keep a connection busy; the checks below wait for what they need
            page.wait_for_load_state("networkidle", timeout=15000)
        except Exception:  # noqa: BLE001 - not an assertion
            pass
        # Plotly charts
        charts = page.query_selector_all("div.plotly-graph-div")
        report.charts = len(charts)
        for gd in charts:
            try:
                gd.wait_for_selector("svg.main-svg", timeout=10000)
                report.charts_drawn += 1
            except Exception:  # noqa: BLE001 - counted as not drawn
                continue
            if gd.query_selector("g.slider-container"):
                report.sliders_checked += 1
                gd.scroll_into_view_if_needed()
                report.sliders_that_changed += _change_slider(page, gd)
        # Widgets rendered from saved state by the self-hosted embedder
        report.widgets_expected = len(page.query_selector_all('script[type="application/vnd.jupyter.widget-view+json"]'))
        if report.widgets_expected:
            try:
                page.wait_for_function(
                    "n => document.querySelectorAll('.jupyter-widgets.widget-inline-hbox, .jupyter-widgets.widget-container, .jupyter-widgets').length >= n",
                    arg=report.widgets_expected,
                    timeout=10000,
                )
            except Exception:  # noqa: BLE001 - counted below
                pass
            report.widgets_rendered = page.evaluate(
                "() => document.querySelectorAll('.widget-subarea .jupyter-widgets, .jupyter-widgets.widget-inline-hbox').length"
            )
        # Maths typeset by the self-hosted MathJax
        report.math_expected = len(page.query_selector_all("span.math, div.math"))
        if report.math_expected:
            try:
                page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=10000)
            except Exception:  # noqa: BLE001 - counted below
                pass
            report.math_typeset = len(page.query_selector_all("mjx-container"))
        if screenshot is not None:
            page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
            page.wait_for_timeout(200)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        # What the reader met ends here: axe fetches stylesheets itself (resolving @import against
        # the wrong base), so requests made while it runs are not the page's.
        report.console_errors = list(report.console_errors)
        report.failed_local_requests = list(report.failed_local_requests)
        report.blocked_requests = list(report.blocked_requests)
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_pageerror)
        page.remove_listener("response", on_response)
        page.remove_listener("requestfailed", on_requestfailed)
        if axe_report is not None:
            violations = {mode: axe_violations(page, mode) for mode in MODES}
            axe_report.parent.mkdir(parents=True, exist_ok=True)
            axe_report.write_text(json.dumps(violations, indent=1), encoding="utf-8")
            report.serious_a11y = [
                {"mode": mode, "id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for mode, found in violations.items() for v in found
                if v.get("impact") in SERIOUS
            ]
    finally:
        context.close()
    return report
