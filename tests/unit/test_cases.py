"""Virtual-patient cases (cmvlib.cases): every case played through every branch, its file validated, its
citations and chapter links resolved; junk choices and broken case files refused with a message."""
from __future__ import annotations

import copy
from dataclasses import replace
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cmvlib
from cmvlib import cases, examples, toxicity
from cmvlib.cases import State, choose, label_dose, load_case, options, replay, start
from cmvlib.sources import sources

ROOT = Path(__file__).resolve().parents[2]
CASE_DIR = ROOT / "cmvlib" / "data" / "cases"
NAMES = cases.names()
BOOK_CASE = {"declining-renal": "declining_renal.md", "hemodialysis": "hemodialysis.md", "hiv-retinitis": "hiv_retinitis.md",
             "hsct-pneumonitis": "hsct_pneumonitis.md"}


def chapter_labels() -> set[str]:
    return {m for f in (ROOT / "book" / "chapters").glob("*.md")
            for m in re.findall(r"^\(([\w-]+)\)=", f.read_text(encoding="utf-8"), re.M)}


def path_events(case: cases.Case, state: State) -> list[cmvlib.cases.schema.Event]:
    """The events of the state's path up to its day, from the case data alone: the timeline, the own events of the
    steps reached, and the events caused by the options taken."""
    reached = [case.start] + [h["node"] for h in state.history] + [state.node]
    caused = [e for h in state.history if case.nodes[h["node"]].kind == "decide"
              for o in case.nodes[h["node"]].options if o.id == h["pick"] for e in o.events]
    events = list(case.timeline) + caused + [e for n in dict.fromkeys(reached) for e in case.nodes[n].events]
    return sorted((e for e in events if e.day <= state.day), key=lambda e: e.day)


def expected_dose(case: cases.Case, state: State) -> cmvlib.DoseResult:
    """cmvlib.dose for the drug in force and the patient of that day, recomputed from the case's data."""
    inputs = dict(case.patient)
    for e in path_events(case, state):
        if e.kind == "creatinine":
            inputs.update(serum_creatinine_umol_l=None, serum_creatinine_mg_dl=e.values["serum_creatinine_mg_dl"])
    reg = state.regimen
    return cmvlib.dose(reg["drug"], reg["phase"], cmvlib.Patient(**inputs), **reg["options"])


def choices(state: State) -> list[object]:
    """Every option id, plus at a dose point the label dose typed and an unadjusted-looking typed dose."""
    out: list[object] = [o["id"] for o in options(state)]
    r = label_dose(state)
    if cases.case_of(state).nodes[state.node].kind == "dose":
        out += [{"dose_mg": r.dose_mg}] if r.recommended else []
        out.append({"dose_mg": 1})
    return out


Step = tuple[State, object, cmvlib.cases.Feedback]


def walk(state: State, side: list[Step]) -> list[list[Step]]:
    """Every path from ``state`` to an end along the listed options that move on. The other choices (a typed
    dose; an option that keeps the learner at the step) are played too, and collected in ``side``, with the
    recovery from there: each option that moves on leads where it leads from the first attempt."""
    if state.finished:
        return [[]]
    paths = []
    listed = [o["id"] for o in options(state)]
    for choice in choices(state):
        new, fb = choose(state, choice)
        if new.node == state.node:
            assert fb.verdict == "unsupported" and not fb.events
            side.append((new, choice, fb))
            for again in listed:
                after, _ = choose(new, again)
                if after.node != new.node:
                    side.append((after, again, _))
                    assert after.node == choose(state, again)[0].node and not after.history[-1]["first"]
        elif choice in listed:
            paths += [[(new, choice, fb)] + rest for rest in walk(new, side)]
        else:
            side.append((new, choice, fb))
    return paths


SIDE: dict[str, list[Step]] = {name: [] for name in NAMES}
PATHS = {name: walk(start(name), SIDE[name]) for name in NAMES}


def test_at_least_two_cases_shipped():
    assert {"declining-renal", "hemodialysis"} <= set(NAMES)
    assert sorted(p.stem for p in CASE_DIR.glob("*.json")) == list(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_path_reaches_an_end_and_every_branch_is_taken(name):
    case = load_case(name)
    paths = PATHS[name]
    assert len(paths) >= 3
    taken = set()
    for path in paths:
        assert path[-1][0].finished
    for state, choice, _ in [step for path in paths for step in path] + SIDE[name]:
        taken.add((state.history[-1]["node"], state.history[-1]["choice"]))
    for node in case.nodes.values():
        for option in node.options:
            assert (node.id, option.text) in taken, (node.id, option.id)
    assert {n for n, _ in taken} == {n.id for n in case.nodes.values() if n.kind != "end"}


@pytest.mark.parametrize("name", NAMES)
def test_the_dose_at_every_step_is_cmvlib_dose_for_that_days_values(name):
    case = load_case(name)
    steps = {json.dumps([h["pick"] for h in s.history]): (s, c, fb)
             for s, c, fb in [step for path in PATHS[name] for step in path] + SIDE[name]}
    for state, choice, fb in steps.values():   # each step once (paths share their beginnings)
        if state.regimen is None:
            continue
        expected = expected_dose(case, state)
        assert label_dose(state) == expected
        assert cases.status(state)["label_dose"] == expected.summary
        if state.history[-1]["dose"]:   # a dose was just accepted, on the day of its step
            on_day = expected_dose(case, replace(state, day=state.history[-1]["day"]))
            assert state.dose == (on_day.summary if on_day.recommended else "no dose")
            assert fb.verdict == "expert" and set(re.findall(r"\[([a-z0-9-]+)\]", on_day.source)) <= set(fb.cites)
        if state.history[-1]["verdict"] == "unsupported" and case.nodes[state.history[-1]["node"]].kind == "dose":
            assert fb.text.startswith("The pharmacist calls")
            assert (expected.summary if expected.recommended else "the label gives no dose") in fb.text
    assert all(any(s.history[-1]["dose"] for s, _, _ in path) for path in PATHS[name])   # a dose on every path


def test_a_renal_change_moves_the_dose_in_force():
    path = next(p for p in PATHS["declining-renal"] if {"switch-oral", "recalculate"} <= {c for _, c, _ in p})
    doses = [s.dose for s, _, _ in path if s.history[-1]["dose"]]
    assert doses == ["410 mg IV every 12 h", "900 mg by mouth every 12 h", "450 mg by mouth every 12 h"]


@pytest.mark.parametrize("name", NAMES)
def test_states_are_json_and_the_debrief_scores_by_domain(name):
    case = load_case(name)
    steps = {json.dumps([h["pick"] for h in s.history]): (s, fb) for path in PATHS[name] for s, _, fb in path}
    for state, fb in steps.values():   # each step once (paths share their beginnings)
        assert State.from_json(json.loads(json.dumps(state.to_json()))) == state   # from_json replays the picks
        json.dumps(cases.status(state))
        assert fb.verdict in cmvlib.cases.schema.VERDICTS and fb.text and len(fb.citations) == len(fb.cites)
    for path in PATHS[name]:
        final = path[-1][0]
        d = json.loads(json.dumps(cases.debrief(final)))
        assert d["finished"] and d["decisions"]
        assert {x["node"] for x in d["decisions"]} == {h["node"] for h in final.history}
        for x in d["decisions"]:
            node = case.nodes[x["node"]]
            if node.kind == "dose":
                assert x["expert"].endswith(next(h["dose"] for h in final.history if h["node"] == node.id and h["dose"]))
            else:
                assert x["expert"] == "; ".join(o.text for o in node.options if o.verdict == "expert")
        assert d["retries"] == sum(not h["first"] for h in final.history)
        for domain, s in d["score"].items():
            assert domain in cmvlib.cases.schema.DOMAINS and 0 <= s["points"] <= s["out_of"]
    experts = [p for p in PATHS[name] if all(h["verdict"] == "expert" for h in p[-1][0].history)]
    assert experts
    for path in experts:
        assert all(v["points"] == v["out_of"] for v in cases.debrief(path[-1][0])["score"].values())
    slips = [s for s, _, _ in SIDE[name] if any(h["verdict"] == "unsupported" and h["first"] for h in s.history)]
    assert slips
    for state in slips:
        score = cases.debrief(state)["score"]
        assert sum(v["points"] for v in score.values()) < sum(v["out_of"] for v in score.values())


@pytest.mark.parametrize("name", NAMES)
def test_case_files_cite_known_sources_and_link_existing_sections(name):
    case = load_case(name)
    assert case.cites() and case.cites() <= set(sources())
    assert case.sections() and case.sections() <= chapter_labels()
    raw = json.loads((CASE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert raw["id"] == name


@pytest.mark.parametrize("name", sorted(BOOK_CASE))
def test_cases_use_the_patient_of_their_worked_case(name):
    case = load_case(name)
    text = (ROOT / "book" / "cases" / BOOK_CASE[name]).read_text(encoding="utf-8")
    assert f'examples.patient("{case.example}")' in text
    assert case.patient == examples.inputs(case.example)


def at(name: str, *picks: object) -> State:
    state = start(name)
    for pick in picks:
        state, _ = choose(state, pick)
    return state


JUNK = ["nope", "", None, 3, 4.5, True, [], {"dose_mg": 410}, {"option": "iv-ganciclovir"}]
JUNK_DOSES = [{"dose_mg": -1}, {"dose_mg": 0}, {"dose_mg": "abc"}, {"dose_mg": math.nan}, {"dose_mg": math.inf},
              {"dose_mg": 1e9}, {"dose_mg": None}, {"dose_mg": 410, "unit": "mg"}, {}, "dose-99", "410"]


@pytest.mark.parametrize("junk", JUNK + JUNK_DOSES)
def test_junk_choices_raise_input_error_and_do_not_advance(junk):
    for state in (start("declining-renal"), at("declining-renal", "iv-ganciclovir")):
        before = copy.deepcopy(state.to_json())
        if state.node == "day0-dose" and junk == {"dose_mg": 410}:
            continue
        with pytest.raises(cmvlib.InputError) as e:
            choose(state, junk)
        assert e.value.field in ("choice", "dose_mg") and str(e.value)
        assert state.to_json() == before


def test_an_ended_case_takes_no_choice_and_a_bad_state_is_refused():
    final = PATHS["declining-renal"][0][-1][0]
    with pytest.raises(cmvlib.InputError, match="the case is over"):
        choose(final, "stop-now")
    saved = final.to_json()
    edited = [{**saved, "dose": "9999 mg"}, {**saved, "node": "day0-drug"},
              {**saved, "history": saved["history"][:-1]}, {**saved, "history": [{"pick": "x"}]},
              {**saved, "history": 3}, {**saved, "regimen": {"drug": "cidofovir"}}]
    for bad in [{}, {"case": "declining-renal", "node": "nowhere", "day": 0}, [], {"case": "x", "node": "y"},
                {"case": "declining-renal", "node": "end", "day": 0, "colour": 1}] + edited:
        with pytest.raises(cmvlib.InputError):
            State.from_json(bad)
    with pytest.raises(cmvlib.InputError, match="unknown case"):
        start("no-such-case")


def base() -> dict:
    return json.loads((CASE_DIR / "declining-renal.json").read_text(encoding="utf-8"))


def _del(path: list):
    def edit(d):
        for k in path[:-1]:
            d = d[k]
        del d[path[-1]]
    return edit


def _set(path: list, value):
    def edit(d):
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return edit


OPT0 = ["nodes", "day0-drug", "options", 0]
BROKEN = [
    (_del(["title"]), "case.title: is missing"),
    (_del(OPT0 + ["next"]), "nodes.day0-drug.options[0].next: is missing"),
    (_set(OPT0 + ["colour"], "red"), "nodes.day0-drug.options[0].colour: unknown key"),
    (_set(["nodes", "day5-switch", "dosage"], 1), "nodes.day5-switch.dosage: unknown key"),
    (_set(OPT0 + ["next"], "nowhere"), "nodes.day0-drug.options[0].next: leads to 'nowhere'"),
    (_set(OPT0 + ["cites"], ["no-such-key"]), "nodes.day0-drug.options[0].cites[0]: unknown citation key"),
    (_set(OPT0 + ["section"], "Bullet 1"), "nodes.day0-drug.options[0].section: must be a chapter label"),
    (_set(OPT0 + ["verdict"], "good"), "nodes.day0-drug.options[0].verdict: must be one of"),
    (_set(OPT0 + ["regimen", "drug"], "aciclovir"), "nodes.day0-drug.options[0].regimen.drug: must be one of"),
    (_set(OPT0 + ["regimen", "options"], {"regime": "x"}), "regimen.options.regime: must be one of"),
    (_set(["timeline", 5, "serum_creatinine_mg_dl"], "high"), "case.timeline[5].serum_creatinine_mg_dl: must be"),
    (_set(["timeline", 1, "kind"], "xray"), "case.timeline[1].kind: must be one of"),
    (_set(["nodes", "day0-dose", "day"], 7), "nodes.day0-dose.next: goes back in time"),
    (_set(["nodes", "orphan"], {"day": 3, "kind": "end", "prompt": "x"}), "nodes.orphan: cannot be reached"),
    (_set(["start"], "begin"), "case.start: names 'begin'"),
    (_set(["patient"], {"example": "no-such"}), "case.patient: scenario: unknown example"),
    (_set(["patient", "changes"], {"weight_kg": -5}), "case.patient: weight_kg"),
    (_set(["nodes", "day10-dose", "variants", 0, "patient"], {"creatinine": 2}), "variants[0].patient.creatinine"),
    (_set(["nodes", "day0-drug", "options"], [base()["nodes"]["day0-drug"]["options"][0]]), "at least two options"),
    (_set(OPT0 + ["verdict"], "acceptable"), "nodes.day0-drug.options: mark at least one option as the expert"),
    (_set(["nodes", "day0-drug", "day"], "0"), "nodes.day0-drug.day: must be int"),
    (_del(OPT0 + ["regimen"]), "nodes.day0-dose: is a dose point that a path reaches with no drug in force"),
    (_set(["nodes", "day5-switch", "options", 2, "hold"], True), "options[2]: an option that keeps the learner"),
]


@pytest.mark.parametrize("edit, message", BROKEN)
def test_a_broken_case_file_is_rejected_with_a_message_naming_it(edit, message):
    data = base()
    load_case(copy.deepcopy(data))
    edit(data)
    with pytest.raises(cmvlib.InputError) as e:
        load_case(data)
    assert message in str(e.value)


IDS = ["iv-ganciclovir", "oral-valganciclovir", "switch-oral", "continue-iv", "stop", "recalculate", "keep", "hold",
       "stop-now", "pcr-weekly", "dose-1", "dose-2", "dose-3", "no-dose", "tablets", "solution", "stay-iv",
       "foscarnet", "maribavir", "continue", "baseline-cbc", "no-baseline", "reduce", "unchanged", "full",
       "counts-only", "genotype", "hydrate-and-watch", "no-fluids", "levels", "label-fluids", "none", "foscarnet-set",
       "weekly", "weekly-pcr", "no-pcr", "stop-and-watch", "secondary-prophylaxis", "mtor", "label-checks",
       "probenecid-and-saline", "maintenance", "kidney-blood-eye", "same"]
PICK = st.one_of(st.sampled_from(IDS), st.text(max_size=5), st.none(), st.integers(),
                 st.fixed_dictionaries({"dose_mg": st.one_of(st.floats(), st.integers(-10, 5000), st.text(max_size=4))}))


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(NAMES), st.lists(PICK, max_size=25))
def test_random_choice_sequences_never_crash(name, picks):
    state = start(name)
    for pick in picks:
        if state.finished:
            break
        before = state.to_json()
        try:
            state, fb = choose(state, pick)
        except cmvlib.InputError:
            assert state.to_json() == before
            continue
        assert fb.text and fb.verdict in cmvlib.cases.schema.VERDICTS
        assert State.from_json(json.loads(json.dumps(state.to_json()))) == state
        if state.regimen is not None:
            assert label_dose(state) == expected_dose(load_case(name), state)


def test_the_readme_minimal_case_loads_and_plays():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    raw = re.search(r"\*\*Writing a case\.\*\*.*?```json\n(.*?)```", text, re.S).group(1)
    state = start(load_case(json.loads(raw)))
    state, fb = choose(state, "oral")
    assert state.node == "drug" and fb.verdict == "unsupported"
    state, _ = choose(choose(state, "iv")[0], {"dose_mg": 175})
    assert state.finished and state.dose == "175 mg IV every 12 h"
    assert cases.debrief(state)["score"] == {"dosing": {"points": 1.0, "out_of": 2}}


_PLAY = r"""
import json, sys
before = set(sys.modules)
from cmvlib import cases
state = cases.start("declining-renal")
for pick in ("iv-ganciclovir", {"dose_mg": 410}):
    state, _ = cases.choose(state, pick)
print(json.dumps({"dose": state.dose, "status": cases.status(state), "stdlib": sorted(sys.stdlib_module_names),
                  "new": sorted(set(sys.modules) - before)}))
"""


def test_the_engine_needs_only_the_standard_library():
    """A case played in an interpreter without site-packages (-I -S), as in Pyodide: stdlib and cmvlib only."""
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + _PLAY],
                          capture_output=True, text=True, check=True, timeout=120)
    data = json.loads(proc.stdout)
    assert data["dose"] == "410 mg IV every 12 h" and data["status"]["label_dose"] == data["dose"]
    assert [m for m in data["new"] if m.split(".")[0] not in set(data["stdlib"]) | {"cmvlib"}] == []


def test_a_steps_own_events_arrive_only_on_the_paths_that_reach_it():
    """The README's case with a consequence: choosing oral first costs a day, and the creatinine rises on it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    raw = json.loads(re.search(r"\*\*Writing a case\.\*\*.*?```json\n(.*?)```", text, re.S).group(1))
    raw["nodes"]["late"] = {**raw["nodes"]["dose"], "day": 1, "events": [
        {"day": 1, "kind": "creatinine", "text": "Creatinine the next day.", "serum_creatinine_mg_dl": 2.1}]}
    raw["nodes"]["end"]["day"] = 1
    raw["nodes"]["drug"]["options"][1].update(next="late", regimen={"drug": "ganciclovir", "phase": "induction"})
    case = load_case(raw)
    later, fb = choose(start(case), "oral")
    assert later.node == "late" and [e["day"] for e in fb.events] == [1]
    expected = cmvlib.dose("ganciclovir", "induction", examples.patient("issue-example", serum_creatinine_mg_dl=2.1))
    assert label_dose(later) == expected and expected.summary != label_dose(choose(start(case), "iv")[0]).summary
    assert choose(later, {"dose_mg": expected.dose_mg})[0].dose == expected.summary
    assert not any(e["day"] == 1 for e in choose(start(case), "iv")[0].events)


def test_hold_order_and_blood_counts_in_the_status():
    """The README's case with a blood count on day 0 and a step that holds the drug and orders a count."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    raw = json.loads(re.search(r"\*\*Writing a case\.\*\*.*?```json\n(.*?)```", text, re.S).group(1))
    raw["timeline"].append({"day": 0, "kind": "blood_counts", "text": "Counts.", "anc_per_ul": 400,
                            "platelets_per_ul": 90000, "hemoglobin_g_dl": 10})
    raw["nodes"]["dose"]["next"] = "counts"
    raw["nodes"]["counts"] = {"day": 0, "domain": "toxicity", "prompt": "Counts?", "options": [
        {"id": "hold", "text": "Hold", "next": "end", "verdict": "expert", "hold": True, "order": "CBC",
         "feedback": "Held.", "cites": ["label-ganciclovir-us"], "section": "cytopenias-during-treatment"},
        {"id": "go-on", "text": "Go on", "next": "end", "verdict": "unsupported",
         "feedback": "No.", "cites": ["label-ganciclovir-us"], "section": "cytopenias-during-treatment"}]}
    state = replay(load_case(raw), ["iv", {"dose_mg": 175}])
    findings = cases.status(state)["labs"]
    expected = toxicity.check_labs("ganciclovir", 400, 90000, 10)
    assert len(findings) == len(expected) == 1 and expected[0].threshold in findings[0]
    held, _ = choose(state, "hold")
    assert held.regimen is None and held.dose == "" and held.ordered == ["CBC"] and label_dose(held) is None
    assert cases.status(held)["label_dose"] == "" and cases.status(held)["labs"] == []
    assert choose(state, "go-on")[0].regimen == state.regimen


CHAPTERS = {f.stem: {m for m in re.findall(r"^\(([\w-]+)\)=", f.read_text(encoding="utf-8"), re.M)}
            for f in (ROOT / "book" / "chapters").glob("*.md")}


def test_the_cases_together_exercise_every_chapter():
    linked = {s for name in NAMES for s in load_case(name).sections()}
    assert len(CHAPTERS) == 7
    for chapter, labels in CHAPTERS.items():
        assert linked & labels, f"no case links to {chapter}"
    assert len(NAMES) >= 8


@pytest.mark.parametrize("name", NAMES)
def test_the_debrief_counts_every_test_due_in_the_monitoring_domain(name):
    case = load_case(name)
    for path in PATHS[name]:
        final = path[-1][0]
        d = cases.debrief(final)
        reached = [case.nodes[s.node] for s, _, _ in path]
        due = [(n.id, x.test) for n in reached for x in n.expects]
        assert [(c["node"], c["test"]) for c in d["checks"]] == due
        ordered, seen = set(), []
        for h in final.history:   # the tests ordered so far, from the case's options (not the state's own list)
            node = case.nodes[h["node"]]
            ordered |= {t for o in node.options if o.id == h["pick"] and o.next != node.id for t in o.order}
            seen += [c["test"] in ordered for c in h["checks"]]
        assert [c["ordered"] for c in d["checks"]] == seen and all(c["text"] for c in d["checks"])
        decisions = [x for x in d["decisions"] if x["domain"] == "monitoring"]
        if decisions or due:
            assert d["score"]["monitoring"]["out_of"] == len(decisions) + len(due)


def _readme_case() -> dict:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return json.loads(re.search(r"\*\*Writing a case\.\*\*.*?```json\n(.*?)```", text, re.S).group(1))


def test_tests_ordered_events_caused_and_tests_expected():
    """A choice that orders two tests, or one that causes a creatinine rise two steps later; the step after
    expects both tests: the feedback says which were not ordered and the debrief scores them."""
    raw = _readme_case()
    raw["nodes"]["dose"]["next"] = "watch"
    raw["nodes"]["watch"] = {"day": 0, "domain": "monitoring", "prompt": "Watch?", "options": [
        {"id": "both", "text": "CBC and creatinine", "next": "later", "verdict": "expert", "order": ["CBC", "creatinine"],
         "feedback": "Yes.", "cites": ["label-ganciclovir-us"], "section": "bullet-monitoring-2"},
        {"id": "none", "text": "Nothing", "next": "later", "verdict": "unsupported",
         "events": [{"day": 3, "kind": "creatinine", "text": "Creatinine.", "serum_creatinine_mg_dl": 2.1}],
         "feedback": "No.", "cites": ["label-ganciclovir-us"], "section": "bullet-monitoring-2"}]}
    raw["nodes"]["later"] = {"day": 2, "domain": "dosing", "prompt": "Day 2?", "options": [
        {"id": "on", "text": "Go on", "next": "end", "verdict": "expert", "feedback": "Yes.",
         "cites": ["label-ganciclovir-us"], "section": "bullet-monitoring-2"},
        {"id": "off", "text": "Stop", "next": "later", "verdict": "unsupported", "feedback": "No.",
         "cites": ["label-ganciclovir-us"], "section": "bullet-monitoring-2"}],
        "expects": [{"test": "CBC", "text": "Counts are due.", "cites": ["davis-drug-guide"], "section": "bullet-monitoring-2"},
                    {"test": "creatinine", "text": "The dose follows it.", "cites": ["label-ganciclovir-us"],
                     "section": "bullet-monitoring-3"}]}
    raw["nodes"]["end"]["day"] = 4
    case = load_case(raw)
    at_watch = replay(case, ["iv", {"dose_mg": 175}])
    good, fb = choose(at_watch, "both")
    assert good.ordered == ["CBC", "creatinine"] and [c["ordered"] for c in fb.checks] == [True, True]
    assert "Not ordered" not in fb.text and fb.text.startswith("Yes. Due by day 2 - ordered: CBC, creatinine.")
    bad, fb = choose(at_watch, "none")
    assert bad.ordered == [] and [c["ordered"] for c in fb.checks] == [False, False]
    assert "Not ordered: CBC. Counts are due." in fb.text and "davis-drug-guide" in fb.cites
    assert fb.events == () and bad.pending and bad.pending[0]["day"] == 3   # caused, not yet arrived
    end, fb = choose(bad, "on")
    assert [e["day"] for e in fb.events] == [3] and not end.pending
    assert label_dose(end) != label_dose(choose(good, "on")[0])              # the rise moves the dose, on its branch only
    assert cmvlib.cases.patient_on(end).scr_mg_dl == 2.1
    assert State.from_json(json.loads(json.dumps(end.to_json()))) == end
    score = cases.debrief(end)["score"]["monitoring"]
    assert score == {"points": 0.0, "out_of": 3}                             # the decision and two tests due
    assert cases.debrief(choose(good, "on")[0])["score"]["monitoring"] == {"points": 3.0, "out_of": 3}
    assert [c["test"] for c in cases.debrief(end)["checks"]] == ["CBC", "creatinine"]


CAUSE = ["nodes", "day0-drug", "options", 0]
BROKEN_NEW = [
    (_set(CAUSE + ["events"], [{"day": 5, "kind": "xray", "text": "x"}]), "options[0].events[0].kind: must be one of"),
    (_set(["nodes", "day5-switch", "options", 0, "events"], [{"day": 2, "kind": "symptom", "text": "x"}]),
     "nodes.day5-switch.options[0].events[0].day: goes back in time"),
    (_set(["nodes", "day5-switch", "options", 2, "events"], [{"day": 6, "kind": "symptom", "text": "x"}]),
     "options[2]: an option that keeps the learner at the step cannot start, hold or order anything, nor cause"),
    (_set(CAUSE + ["order"], ["CBC", ""]), "nodes.day0-drug.options[0].order[1]: must be the name of a test"),
    (_set(CAUSE + ["order"], 3), "nodes.day0-drug.options[0].order: must be str or list"),
    (_set(["nodes", "end", "expects"], [{"test": "CBC", "text": "x", "cites": [], "section": "bullet-monitoring-2"}]),
     "nodes.end.expects: an end node expects nothing"),
    (_set(["nodes", "day5-switch", "expects"], [{"test": "CBC", "text": "x", "cites": ["nope"], "section": "a"}]),
     "nodes.day5-switch.expects[0].cites[0]: unknown citation key"),
    (_set(["nodes", "day5-switch", "expects"], [{"test": "CBC", "cites": [], "section": "a"}]),
     "nodes.day5-switch.expects[0].text: is missing"),
    (_set(CAUSE + ["regimen", "options"], {"weight_basis": "lean"}), "regimen.options.weight_basis: must be one of"),
    (_set(["nodes", "day10-dose", "variants", 0, "weight_basis"], "lean"), "variants[0].weight_basis: must be one of"),
]


@pytest.mark.parametrize("edit, message", BROKEN_NEW)
def test_broken_orders_events_and_expects_are_rejected(edit, message):
    data = base()
    edit(data)
    with pytest.raises(cmvlib.InputError) as e:
        load_case(data)
    assert message in str(e.value)


def test_the_readme_table_lists_every_case_truly():
    """README's table of cases: every shipped case, its title, the chapters its feedback links, its steps, dose
    points and paths as the walk finds them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \| ([\d, –]+) \| (\d+) \((\d+)\) / (\d+) \|", text, re.M)
    assert sorted(r[0] for r in rows) == sorted(NAMES)
    number = {stem: int(stem[:2]) for stem in CHAPTERS}
    for name, title, chapters, steps, doses, paths in rows:
        case = load_case(name)
        linked = sorted({number[stem] for stem, labels in CHAPTERS.items() if case.sections() & labels})
        shown = list(range(1, 8)) if chapters == "1–7" else [int(c) for c in chapters.split(", ")]
        assert title.startswith(case.title) and shown == linked, name
        decided = [n for n in case.nodes.values() if n.kind != "end"]
        assert (int(steps), int(doses)) == (len(decided), sum(n.kind == "dose" for n in decided)), name
        assert int(paths) == len(PATHS[name]), name


def test_weight_used_the_end_says_what_the_doses_did():
    """weight-used's end text: at 1.8 mg/dL the dose on actual weight stays in the top band, on ideal weight it
    becomes once daily (computed by cmvlib.dose, so the sentence stays true)."""
    doses = {}
    for path in PATHS["weight-used"]:
        final = path[-1][0]
        doses[final.regimen["options"]["weight_basis"]] = [h["dose"] for h in final.history if h["dose"]]
    assert doses["actual"][0] == doses["actual"][-1] and "every 12 h" in doses["actual"][-1]
    assert "every 12 h" in doses["ideal"][0] and "every 24 h" in doses["ideal"][-1]
    assert "top band" in load_case("weight-used").nodes["end"].prompt
