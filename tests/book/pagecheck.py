"""Open one built page in Chromium with the network cut off, and report what a reader would meet.

Shared by test_browser.py for the book's chapters and the chart-machinery fixture book.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from browserkit import is_local

SERIOUS = {"serious", "critical"}


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


def check_page(browser, url: str, screenshot: Path | None = None, axe_report: Path | None = None) -> PageReport:
    report = PageReport(url=url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

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
            from axe_playwright_python.sync_playwright import Axe

            results = Axe().run(page)
            violations = results.response.get("violations", [])
            axe_report.parent.mkdir(parents=True, exist_ok=True)
            axe_report.write_text(json.dumps(violations, indent=1), encoding="utf-8")
            report.serious_a11y = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in violations
                if v.get("impact") in SERIOUS
            ]
    finally:
        context.close()
    return report
