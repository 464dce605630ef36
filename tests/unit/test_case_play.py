"""The case player (cmvlib.cases.play), the course as data (cases.timeline) and the debrief chart
(charts.case_timeline), on every case of cmvlib.cases.names(): what a page shows at each step, what bad input
does, what a saved state restores, and that every case has its page in the book."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

from cmvlib import cases
from cmvlib.cases import play
from cmvlib.cases.timeline import timeline
from cmvlib.charts.case_timeline import timeline_figure, timeline_table

ROOT = Path(__file__).resolve().parents[2]
NAMES = cases.names()


def turn(name: str, state: object = None, action: object = None, links: object = None) -> dict:
    out = json.loads(play.play_json(json.dumps({"args": {"case": name, "links": links or {}}, "state": state,
                                                "action": action})))
    assert "error" not in out, out
    return out


def as_action(pick: object) -> dict:
    return dict(pick) if isinstance(pick, dict) else {"pick": pick}


def actions_in(page_html: str) -> list[dict]:
    return [json.loads(html.unescape(a)) for a in re.findall(r'data-cmv-action="([^"]*)"', page_html)]


@pytest.mark.parametrize("name", NAMES)
def test_the_expert_path_plays_to_a_full_score_through_the_entry_point(name):
    out = turn(name)
    for pick in play.expert_picks(name):
        assert as_action(pick) in actions_in(out["html"]), f"{pick!r} is not offered on the page"
        out = turn(name, out["state"], as_action(pick))
        assert "Expert choice" in out["html"]
    state = cases.State.from_json(out["state"])
    assert state.finished
    score = json.loads(html.unescape(re.search(r'data-cmv-score="([^"]*)"', out["html"]).group(1)))
    assert score == cases.debrief(state)["score"]
    assert all(v["points"] == v["out_of"] for v in score.values())
    assert list(out["figures"]) == [f"cmv-case-{name}-timeline"] and f'id="cmv-case-{name}-timeline"' in out["html"]


@pytest.mark.parametrize("name", NAMES)
def test_each_step_shows_the_panel_events_question_and_feedback_with_its_chapter_link(name):
    links = play.chapter_links(name, ROOT / "book" / "chapters")
    assert set(links) == cases.load_case(name).sections()
    state = cases.start(name)
    out = turn(name, links=links)
    assert "The patient today" in out["html"] and "What you know" in out["html"]
    for text in (o["text"] for o in cases.options(state)):
        assert html.escape(text) in out["html"]
    pick = play.expert_picks(name, 1)[0]
    out = turn(name, out["state"], as_action(pick), links)
    fb = cases.choose(state, pick)[1]
    assert html.escape(fb.text) in out["html"] and html.escape("; ".join(fb.citations)) in out["html"]
    assert f'href="{links[fb.section]}"' in out["html"] and links[fb.section].endswith(f".html#{fb.section}")


def test_a_dose_point_hides_the_label_dose_and_takes_a_typed_dose_with_a_labelled_box():
    state = cases.replay("declining-renal", ["iv-ganciclovir"])
    out = turn("declining-renal", state.to_json())
    assert "Label dose for today" not in out["html"]
    box = re.search(r'<label for="([^"]+)">[^<]+</label> <input id="([^"]+)" name="dose_mg"', out["html"])
    assert box and box.group(1) == box.group(2)
    wrong = turn("declining-renal", out["state"], {"dose_mg": "820"})
    assert "The pharmacist calls" in wrong["html"] and wrong["state"]["node"] == "day0-dose"
    right = turn("declining-renal", wrong["state"], {"dose_mg": "410"})
    assert right["state"]["node"] == "day5-switch"
    assert "Label dose for today&#x27;s values" in right["html"] and "410 mg IV every 12 h" in right["html"]


@pytest.mark.parametrize("action, message", [
    ({"dose_mg": "41O"}, "must be a number"),
    ({"dose_mg": "-5"}, "dose_mg"),
    ({"dose_mg": "1e309"}, "dose_mg"),
    ({"pick": "no-such-option"}, "is not an option here"),
    ({"x": 1}, "is not an option here"),
])
def test_bad_input_gives_a_message_and_no_progress(action, message):
    state = cases.replay("declining-renal", ["iv-ganciclovir"]).to_json()
    out = turn("declining-renal", state, action)
    assert out["state"] == state
    alert = re.search(r'<p class="cmv-case-error" role="alert"[^>]*>(.*?)</p>', out["html"])
    assert alert and message in html.unescape(alert.group(1)) and "Nothing was changed." in alert.group(1)


def test_a_saved_state_continues_and_a_bad_one_starts_again_with_a_note():
    state = cases.replay("declining-renal", ["oral-valganciclovir", "iv-ganciclovir"]).to_json()
    out = turn("declining-renal", state)
    assert out["state"] == state and "The consultant stops you" not in out["html"]   # the last feedback only
    assert "Expert choice" in out["html"] and "Start the case again" in out["html"]
    again = turn("declining-renal", state, {"restart": True})
    assert again["state"] == cases.start("declining-renal").to_json() and "Start the case again" not in again["html"]
    edited = {**state, "node": "end"}
    out = turn("declining-renal", edited)
    assert out["state"] == cases.start("declining-renal").to_json() and "starts again" in out["html"]
    assert "Nothing was changed" not in out["html"]
    other = cases.start("hemodialysis").to_json()
    assert turn("declining-renal", other)["state"]["case"] == "declining-renal"


@pytest.mark.parametrize("request_text", ["", "{", "[]", "null", '{"args": {"case": "nope"}}', '{"args": 3}',
                                          '{"args": {"case": "declining-renal"}, "action": [1]}'])
def test_malformed_requests_give_an_error_never_a_crash(request_text):
    assert "error" in json.loads(play.play_json(request_text))


@pytest.mark.parametrize("name", NAMES)
def test_the_page_opens_on_the_first_step_with_its_controls_disabled_until_python_is_live(name):
    page = play.page(name, ROOT / "book" / "chapters")._repr_html_()
    assert f'data-cmv-live-entry="{play.ENTRY}"' in page and f'data-cmv-store="cmv-case:{name}"' in page
    case = cases.load_case(name)
    assert play.NOT_STARTED in page and html.escape(case.nodes[case.start].prompt) in page
    assert page.count("<button disabled ") == len(cases.options(cases.start(name)))
    assert "<button type" not in page


@pytest.mark.parametrize("name", NAMES)
def test_every_case_has_a_page_in_the_book(name):
    page = ROOT / "book" / "play" / f"{name.replace('-', '_')}.md"
    assert page.is_file(), f"add {page.relative_to(ROOT)} (a copy of another case page) and list it in _toc.yml"
    assert f'page("{name}")' in page.read_text(encoding="utf-8")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] if part["caption"] == "Virtual patients" for c in part["chapters"]]
    assert f"book/play/{page.stem}" in files


@pytest.mark.parametrize("name", NAMES)
def test_the_debrief_timeline_draws_what_was_played(name):
    picks = play.expert_picks(name)
    state = cases.replay(name, picks)
    t, fig, rows = timeline(state), timeline_figure(state), timeline_table(state)
    assert {tr["type"] for tr in fig["data"]} == {"scatter"}
    assert len(t.decisions) == len(cases.debrief(state)["decisions"])
    marks = [x for tr in fig["data"] if tr["name"].startswith("Your decision") for x in tr["x"]]
    assert sorted(marks) == sorted(d["day"] for d in cases.debrief(state)["decisions"])
    given = [h["dose"] for h in state.history if h["dose"]]
    assert [d.summary for d in t.doses] == given
    assert [r["Value"] for r in rows if r["Item"].startswith("Dose of")] == given
    if t.expected:
        assert "illustrative model, not a prediction" in fig["layout"]["title"]["subtitle"]["text"]
        assert any("illustrative" in r["Item"] for r in rows)
        assert all(tr["name"].endswith("(illustrative)") for tr in fig["data"] if tr["name"].startswith("Expected"))


def test_a_dose_changed_mid_course_shows_as_a_new_step_and_the_renal_change_too():
    state = cases.replay("declining-renal", play.expert_picks("declining-renal"))
    t = timeline(state)
    assert [(d.first_day, d.mg) for d in t.doses] == [(0, 410.0), (5, 900.0), (10, 450.0)]
    assert [r.day for r in t.renal] == [0, 10] and t.renal[1].crcl_ml_min < t.renal[0].crcl_ml_min
    wrong_first = cases.replay("declining-renal", ["oral-valganciclovir"] + play.expert_picks("declining-renal"))
    verdicts = [m.verdict for m in timeline(wrong_first).decisions]
    assert verdicts[0] == "unsupported" and len(verdicts) == len(t.decisions)


# ------------------------------------------------------------------------------ the ipywidgets binding
def test_the_widget_player_plays_the_same_case_and_shows_the_debrief_chart():
    from cmvlib.ui.case_player import case_player

    player = case_player(NAMES[0], chapters=ROOT / "book" / "chapters")
    assert player.state == cases.start(NAMES[0]) and player.chart.outputs == ()
    player.act(None)
    assert "pick one of the options first" in player.step.value and player.state == cases.start(NAMES[0])
    for pick in play.expert_picks(NAMES[0]):
        assert pick in [v for _, v in player.choices.options]
        player.act(pick)
    assert player.state.finished and "data-cmv-score" in player.step.value
    assert player.chart.outputs[0]["data"]["application/vnd.plotly.v1+json"]["data"]
    assert "<table" in player.table.value and player.choices.layout.display == "none"
    assert [w.layout.display for w in (player, player.step, player.chart, player.table, player.restart)] == [None] * 5
    assert "data-cmv-action" not in player.step.value          # its own widgets, not the page's buttons
    player.restart.click()
    assert player.state == cases.start(NAMES[0]) and player.chart.outputs == ()


def test_the_widget_player_dose_box_and_url_presets():
    from cmvlib.ui.case_player import case_player

    player = case_player("declining-renal")
    player.set_inputs(case="declining-renal", step="1")
    assert player.state == cases.replay("declining-renal", play.expert_picks("declining-renal", 1))
    assert player.dose_row.layout.display is None and "Expert choice" in player.step.value
    before = player.state
    player.dose.value = "41O"
    player.dose_button.click()
    assert player.state == before and "must be a number" in player.step.value and player.dose.value == "41O"
    player.dose.value = "820"
    player.dose_button.click()
    assert player.state.node == "day0-dose" and "The pharmacist calls" in player.step.value
    player.dose.value = "410"
    player.dose_button.click()
    assert player.state.node == "day5-switch" and player.dose_row.layout.display == "none"
    for query, message in [({"case": "nope"}, "Address (case)"), ({"step": "-1"}, "Address (step)"),
                           ({"step": "8"}, "Address (step)"), ({"scenario": "obese"}, "Address (scenario)")]:
        state = player.state
        player.set_inputs(**query)
        assert message in player.preset_html.value and player.state == state
    player.set_inputs(case="hemodialysis")
    assert player.state == cases.start("hemodialysis") and player.preset_html.value == ""
    assert player.picker.value == "hemodialysis"
    player.picker.value = "declining-renal"
    assert player.state == cases.start("declining-renal")


def test_each_step_sends_its_options_with_none_chosen_in_one_update_before_its_text(monkeypatch):
    """What the browser receives when the learner chooses: the radio buttons' new options arrive in one
    update with nothing chosen (never the first option chosen for a moment: a click on it then sent nothing
    and the choice was lost), and the step's text comes last, so a page that shows it shows its options."""
    from cmvlib.ui.case_player import case_player

    player = case_player("declining-renal")
    sent: list[tuple[str, dict]] = []
    for name, w in (("choices", player.choices), ("step", player.step)):
        monkeypatch.setattr(w, "_send", lambda msg, buffers=None, name=name: sent.append((name, msg["state"])))
    player.choices.value = play.expert_picks("declining-renal")[0]     # the learner's click, as the browser sends it
    sent.clear()
    player.choose_button.click()
    choices = [{k: list(v) if isinstance(v, tuple) else v for k, v in state.items()}
               for name, state in sent if name == "choices"]
    assert choices == [{"_options_labels": [text for text, _ in player.choices.options], "index": None}]
    assert [name for name, _ in sent][-1] == "step" and player.state.node == "day0-dose"
