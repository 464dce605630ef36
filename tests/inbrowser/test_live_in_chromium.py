"""The calculators compute in the reader's browser (Pyodide), with every request off 127.0.0.1 aborted.

1. The book's page of live calculators: press "Run", wait for Python, change the weight, and read the dose
   that cmvlib computes for it.
2. A Voici app opened on its own (the "open in a new tab" address): change the creatinine, read the dose.
Timeouts are generous: a cold Pyodide start takes tens of seconds here. This tests behaviour, not speed.
"""
from __future__ import annotations

import pytest

from cmvlib import Patient, dose
from liteutil import ANSWER_TIMEOUT_MS, KERNEL_TIMEOUT_MS, LIVE_PAGE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The calculators' default patient (cmvlib.examples "issue-example").
DEFAULT = dict(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)


def _expected(**changes) -> str:
    result = dose("ganciclovir", "induction", Patient(**{**DEFAULT, **changes}))
    assert result.recommended and result.dose_mg is not None
    return f"Ganciclovir induction: {result.summary}"


def _dose_text(frame) -> str:
    return frame.locator('[data-cmv="dose"]').first.inner_text()


def _type(frame, label: str, value: str) -> None:
    box = frame.get_by_label(label).first
    box.fill(value)
    box.press("Enter")  # continuous_update=False: the value is sent on Enter / blur


def _no_browser_storage(frame) -> list[str]:
    """IndexedDB databases the app created (JupyterLite's contents/settings would be here if persistent)."""
    return frame.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")


def test_live_calculator_in_the_book_page(live_context, site_url, screenshot_dir):
    context, guard = live_context
    page = context.new_page()
    page.goto(f"{site_url}/{LIVE_PAGE}", wait_until="load")
    box = page.locator("div.cmv-live").first
    assert box.locator("iframe").count() == 0
    box.locator("button.cmv-live-start").click()
    page.wait_for_selector("div.cmv-live.cmv-live-ready, div.cmv-live.cmv-live-failed", timeout=KERNEL_TIMEOUT_MS)
    frame = box.frame_locator("iframe")
    assert "cmv-live-ready" in (box.get_attribute("class") or ""), frame.locator("body").inner_text()[-3000:]
    default = _expected()
    assert default in _dose_text(frame), "the live calculator shows cmvlib's dose for its example"
    _type(frame, "Weight (kg)", "50")
    wanted = _expected(weight_kg=50)
    assert wanted != default
    frame.locator('[data-cmv="dose"]', has_text=wanted).first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.screenshot(path=str(screenshot_dir / "live_page_answered.png"))
    status = box.locator(".cmv-live-status").inner_text()
    assert status.startswith("Ready")
    app = page.frames[-1]
    assert not [n for n in _no_browser_storage(app) if "JupyterLite" in (n or "")]
    assert guard.blocked == [], f"requests that tried to leave localhost: {guard.blocked}"
    assert guard.failed_local == [], f"missing local files: {guard.failed_local}"
    assert guard.page_errors == []


def test_voici_app_on_its_own(live_context, site_url, screenshot_dir):
    context, guard = live_context
    page = context.new_page()
    page.goto(f"{site_url}/lite/voici/render/book/apps/dosing_workbench.html", wait_until="load")
    page.locator('[data-cmv="dose"]').first.wait_for(timeout=KERNEL_TIMEOUT_MS)
    assert _expected() in _dose_text(page)
    _type(page, "Serum creatinine (mg/dL)", "2")
    wanted = _expected(serum_creatinine_mg_dl=2)
    page.locator('[data-cmv="dose"]', has_text=wanted).first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.screenshot(path=str(screenshot_dir / "voici_app_answered.png"), full_page=True)
    assert guard.blocked == [], f"requests that tried to leave localhost: {guard.blocked}"
    assert guard.failed_local == [], f"missing local files: {guard.failed_local}"
    assert guard.page_errors == []
