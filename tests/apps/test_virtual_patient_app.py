"""The virtual-patient Voilà app (book/apps/virtual_patient.ipynb, cmvlib.ui.case_player) in Chromium, with every
request off 127.0.0.1 aborted: a case opened at a step from the address, played to its debrief (a wrong dose typed
on the way: the pharmacist's call, then recovery), its score that of ``cmvlib.cases.debrief`` for the same
choices, the timeline chart drawn; a bad address gives a plain message, never a traceback."""
from __future__ import annotations

import json
import re

import pytest

from cmvlib import cases
from cmvlib.cases import play
from cmvlib.cases.play import DOMAIN_NAMES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CASE = "declining-renal"
STEP = 3            # the expert's first three choices: the learner is asked the oral dose on day 5
TIMEOUT_MS = 60_000


def _open(app_page, voila, query: str):
    page = app_page.page
    page.goto(voila.app_url("virtual_patient", query))
    page.wait_for_selector(".cmv-case-player >> visible=true", timeout=TIMEOUT_MS)
    return page


def _step(page):
    return page.locator(".cmv-case-step").first


def _wait_text(page, text: str) -> None:
    try:
        page.wait_for_function("t => document.querySelector('.cmv-case-step').innerText.includes(t)", arg=text,
                               timeout=TIMEOUT_MS)
    except Exception as err:      # say what the page showed instead (a failure must be readable)
        shown = page.locator(".cmv-case-player").inner_text()
        raise AssertionError(f"waited for {text!r}; the player shows:\n{shown}") from err


def _prompt(state: cases.State) -> str:
    return cases.case_of(state).nodes[state.node].prompt


def _choose(page, state: cases.State, pick: str) -> None:
    """Pick ``pick`` as a learner would: once the step's own options are shown, none of them chosen."""
    options = cases.options(state)
    texts = [o["text"] for o in options]
    page.wait_for_function("ts => JSON.stringify([...document.querySelectorAll("
                           "'.cmv-case-choices .widget-radio-box label')].map(l => l.innerText.trim()))"
                           " === JSON.stringify(ts)", arg=texts, timeout=TIMEOUT_MS)
    assert page.locator(".cmv-case-choices input:checked").count() == 0, f"an option is already chosen at {state.node}"
    text = next(o["text"] for o in options if o["id"] == pick)
    page.locator(".cmv-case-choices").get_by_label(text, exact=True).check()
    page.locator(".cmv-case-choose").click()


def test_a_case_opens_at_a_step_from_the_address_and_plays_to_its_debrief(voila, app_page):
    page = _open(app_page, voila, f"case={CASE}&step={STEP}")
    path = play.expert_picks(CASE)
    chosen = list(path[:STEP])
    state = cases.replay(CASE, chosen)
    _wait_text(page, _prompt(state))
    assert "For education, not for patient care" in page.locator(".cmv-case-player").inner_text()
    for pick in path[STEP:]:
        node = cases.case_of(state).nodes[state.node]
        if node.kind == "dose" and not any(isinstance(p, dict) for p in chosen):
            box = page.locator(".cmv-case-player").get_by_label("Or type the dose (mg per administration)")
            box.fill("5000")
            page.locator(".cmv-case-give").click()
            _wait_text(page, "The pharmacist calls")
            chosen.append({"dose_mg": 5000.0})
            state = cases.replay(CASE, chosen)
            assert _prompt(state) in _step(page).inner_text()
        _choose(page, state, pick)
        chosen.append(pick)
        state = cases.replay(CASE, chosen)
        _wait_text(page, "Debrief" if state.finished else _prompt(state))
    assert state.finished and any(isinstance(p, dict) for p in chosen)
    score = cases.debrief(state)["score"]
    assert json.loads(page.locator(".cmv-case-score").get_attribute("data-cmv-score")) == score
    text = _step(page).inner_text()
    for domain, v in score.items():
        assert re.search(rf"{DOMAIN_NAMES[domain]}\s*{v['points']:g} / {v['out_of']}", text), (domain, text)
    assert score["dosing"]["points"] < score["dosing"]["out_of"]
    page.wait_for_selector(".cmv-case-player .js-plotly-plot .main-svg", state="attached", timeout=TIMEOUT_MS)
    assert "410 mg IV every 12 h" in page.locator(".cmv-case-player table.cmv-table").inner_text()
    page.locator(".cmv-case-restart").click()
    _wait_text(page, _prompt(cases.start(CASE)))
    assert app_page.outside == [], f"requests left the machine: {app_page.outside}"


@pytest.mark.parametrize("query, shown", [
    ("case=no-such-case", "Address (case): must be one of"),
    (f"case={CASE}&step=99", "Address (step): must be a whole number from 0 to"),
    (f"case={CASE}&step=two", "Address (step): must be a whole number"),
    ("scenario=hemodialysis", "Address (scenario): is not a preset of this app"),
])
def test_a_bad_address_shows_a_message_and_opens_the_first_case(voila, app_page, query, shown):
    page = _open(app_page, voila, query)
    page.wait_for_selector(".cmv-case-player .cmv-error", timeout=TIMEOUT_MS)
    assert shown in page.locator(".cmv-case-player .cmv-error").inner_text()
    first = cases.names()[0]
    assert _prompt(cases.start(first)) in _step(page).inner_text()
    assert not re.search(r"Traceback|Error at server", page.locator("#rendered_cells").inner_text())
    assert app_page.outside == []
