"""The virtual patients play in the static book (book/play/, no server: Pyodide + cmvlib in the page's Web Worker,
book/_ext/live/panel.js), in Chromium with every request off 127.0.0.1 aborted.

One case is played to its debrief with the keyboard and the mouse, with a wrong dose typed on the way (the
pharmacist's call, then recovery) and a typo (a message, no progress); the debrief's score equals
``cmvlib.cases.debrief`` for the same choices; a reload keeps the progress; "start again" starts again. Every
case page opens on its first step, built into the page, before Python is ready. Behaviour, not speed.
"""
from __future__ import annotations

import json
import re

import pytest

from cmvlib import cases
from cmvlib.cases import play

pytestmark = [pytest.mark.browser, pytest.mark.slow]

START_TIMEOUT_MS = 240_000
ANSWER_TIMEOUT_MS = 60_000
CASE = "declining-renal"
PAGE = "book/play/declining_renal.html"
#: Records every value the panel's data-cmv-live attribute takes, from the first script on.
RECORD_STATES = """
window.__cmvStates = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.attributeName === 'data-cmv-live') {
      const el = r.target;
      window.__cmvStates.push([el.getAttribute('data-cmv-live'), el.querySelector('[data-cmv-live-body]').innerText]);
    }
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-cmv-live'] });
"""


def _answers(page) -> int:
    return int(page.locator(".cmv-case").get_attribute("data-cmv-answers") or 0)


def _after(page, do) -> None:
    """Run ``do()`` and wait for the panel's next answer."""
    before = _answers(page)
    do()
    page.wait_for_function("b => Number(document.querySelector('.cmv-case').getAttribute('data-cmv-answers') || 0) > b",
                           arg=before, timeout=ANSWER_TIMEOUT_MS)


def _saved(page) -> dict:
    return json.loads(page.evaluate("k => localStorage.getItem(k)", f"{play.STORE_PREFIX}{CASE}"))


def _button(page, pick: str):
    text = next(o["text"] for o in cases.options(cases.State.from_json(_saved(page))) if o["id"] == pick)
    return page.locator(".cmv-case-options button", has_text=text)


def _open(page, url: str) -> None:
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".cmv-case[data-cmv-live=live], .cmv-case[data-cmv-live=failed]", timeout=START_TIMEOUT_MS)
    assert page.locator(".cmv-case").get_attribute("data-cmv-live") == "live"
    page.wait_for_function("() => Number(document.querySelector('.cmv-case').getAttribute('data-cmv-answers') || 0) > 0",
                           timeout=ANSWER_TIMEOUT_MS)


def test_a_case_plays_to_its_debrief_with_a_wrong_dose_and_a_typo_and_survives_a_reload(page_guard, book_url):
    page, guard, errors = page_guard
    page.add_init_script(RECORD_STATES)
    url = f"{book_url}/{PAGE}"
    _open(page, url)
    states = page.evaluate("window.__cmvStates")
    start = cases.load_case(CASE).nodes[cases.load_case(CASE).start].prompt
    assert states[0][0] == "starting" and start in states[0][1], states[:1]   # the opening, from the build
    assert [s for s, _ in states][-1] == "live"
    assert "Education" in page.locator(".cmv-education-notice").inner_text().title()

    expert = play.expert_picks(CASE)
    chosen: list[object] = []
    # 1. the drug, with the keyboard: Tab to the button, Enter
    _button(page, expert[0]).focus()
    _after(page, lambda: page.keyboard.press("Enter"))
    chosen.append(expert[0])
    # 2. a wrong dose typed: the pharmacist calls, the same question again
    box = page.get_by_label("Or type the dose (mg per administration)")
    box.fill("820")
    _after(page, lambda: box.press("Enter"))
    chosen.append({"dose_mg": 820.0})
    feedback = page.locator(".cmv-case-feedback")
    assert "The pharmacist calls" in feedback.inner_text() and feedback.get_attribute("data-cmv-verdict") == "unsupported"
    assert _saved(page) == cases.replay(CASE, chosen).to_json()
    # 3. a typo: a message, nothing changed
    box = page.get_by_label("Or type the dose (mg per administration)")
    box.fill("41O")
    _after(page, lambda: box.press("Enter"))
    alert = page.locator(".cmv-case-error[role=alert]")
    assert "must be a number" in alert.inner_text() and "Nothing was changed" in alert.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('cmv-case-error')")
    assert _saved(page) == cases.replay(CASE, chosen).to_json()
    # 4. recovery, then the rest of the expert path with the mouse; a reload half-way keeps the progress
    for i, pick in enumerate(expert[1:]):
        _after(page, lambda pick=pick: _button(page, pick).click())
        chosen.append(pick)
        if i == 2:
            page.reload(wait_until="commit")
            _open(page, url)
            assert _saved(page) == cases.replay(CASE, chosen).to_json()
            assert "Start the case again" in page.locator(".cmv-case").inner_text()
    state = cases.replay(CASE, chosen)
    assert state.finished and _saved(page) == state.to_json()

    # the debrief: the score of cmvlib.cases.debrief for the same choices, the chart and its table
    score = json.loads(page.locator(".cmv-case-score").get_attribute("data-cmv-score"))
    assert score == cases.debrief(state)["score"] and score["dosing"]["points"] < score["dosing"]["out_of"]
    chart = page.locator(f"#cmv-case-{CASE}-timeline")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector(f"#cmv-case-{CASE}-timeline .main-svg", timeout=ANSWER_TIMEOUT_MS)
    traces = page.evaluate("id => document.getElementById(id).data.map(t => t.name)", f"cmv-case-{CASE}-timeline")
    assert any("illustrative" in t for t in traces) and any(t.startswith("Your decision") for t in traces)
    assert "410 mg IV every 12 h" in page.locator(".cmv-case-table table").text_content()
    page.reload(wait_until="commit")
    _open(page, url)
    assert page.locator(".cmv-case-score").get_attribute("data-cmv-score") == json.dumps(score, sort_keys=True)

    # start again
    _after(page, lambda: page.get_by_role("button", name="Start the case again").click())
    assert _saved(page) == cases.start(CASE).to_json()
    assert guard.blocked == [], f"requests that tried to leave the site: {guard.blocked}"
    assert guard.failed_local == [] and guard.page_errors == [] and errors == [], (guard.failed_local, guard.page_errors, errors)


@pytest.mark.parametrize("name", cases.names())
def test_every_case_page_is_built_with_its_opening_step_and_the_live_panel(book_html, name):
    html = (book_html / "book" / "play" / f"{name.replace('-', '_')}.html").read_text(encoding="utf-8")
    case = cases.load_case(name)
    assert play.NOT_STARTED in html and f'data-cmv-store="{play.STORE_PREFIX}{name}"' in html
    assert case.nodes[case.start].prompt.replace("'", "&#x27;") in html
    assert "cmv-education-notice" in html
    panel = re.search(r'<script ([^>]*)src="\.\./\.\./_static/cmv-live/panel\.js[^"]*"', html)
    assert panel and 'defer="defer"' in panel.group(1) and 'data-plotly-glue="../cmv-plotly.js"' in panel.group(1)
    assert "cmv-plotly.js" not in html.replace('data-plotly-glue="../cmv-plotly.js"', "")   # loaded at the debrief


def test_the_trimmed_runtime_plays_every_case_to_its_debrief(book_html):
    """The page's Python (Pyodide under node, the trimmed standard library and the cmvlib zip of the build) plays
    every case through the live panels' entry point, with junk at every step (book/_ext/live/runtime.py)."""
    from test_live_runtime import _check

    live_dir = book_html / "_static" / "cmv-live"
    manifest = json.loads((live_dir / "manifest.json").read_text())
    report = _check(live_dir, manifest, live_dir / manifest["stdlib"])
    assert report["failures"] == []
    assert report["played"] == {n: len(play.expert_picks(n)) + 1 for n in cases.names()}
