"""cmvlib.monitoring: dated monitoring events from data/monitoring.csv."""
from __future__ import annotations

import dataclasses
import datetime
import math
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmvlib import _data
from cmvlib.errors import InputError
from cmvlib.guideline import bullet
from cmvlib.monitoring import DRUGS, MonitoringEvent, monitoring_notes, monitoring_schedule

START = datetime.date(2026, 3, 2)      # a Monday
KNOWN_SOURCES = {r["key"] for r in _data.table("sources")}
PCR = "CMV viral load (PCR)"


def by_test(events: list[MonitoringEvent]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for e in events:
        out[e.test].append(e.day)
    return dict(out)


# --------------------------------------------------------------------------------------------------
# The data file
# --------------------------------------------------------------------------------------------------
def test_monitoring_csv_rows_are_sourced():
    rows = _data.table("monitoring")
    assert rows
    for r in rows:
        assert r["source"] in KNOWN_SOURCES, r
        assert bullet(r["bullet"]).id == r["bullet"]
        assert r["drug"] in ("any",) + DRUGS
        assert r["phase"] in ("course", "induction", "maintenance", "start", "note")
        assert r["combine"] in ("add", "replace") and r["when"] in ("always", "retinitis")
        assert r["reason"] and r["frequency"] and r["detail"]
        if r["phase"] == "note":
            assert not r["every_days"] and not r["offsets"]
        else:
            assert r["offsets"]


def test_frequency_wording_matches_the_schedule():
    """Rows saying 'twice weekly' schedule 2 per 7 days, '2-3 times weekly' 3 (the upper end), etc."""
    per_week = {"twice weekly during induction": 2, "2-3 times weekly during induction": 3, "weekly": 1,
                "once weekly": 1,
                "once weekly thereafter": 1, "at least weekly during maintenance": 1,
                "at least every 1-2 weeks during maintenance": 1}
    for r in _data.table("monitoring"):
        if r["frequency"] in per_week:
            assert int(r["every_days"]) == 7
            assert len(r["offsets"].split(";")) == per_week[r["frequency"]], r
        if "3 times a week" in r["reason"]:
            assert "upper end" in r["reason"]


# --------------------------------------------------------------------------------------------------
# Exact schedules (14 days of induction, 14 of maintenance)
# --------------------------------------------------------------------------------------------------
def test_ganciclovir_exact():
    ev = monitoring_schedule("ganciclovir", START, 14, 14)
    assert by_test(ev) == {PCR: [0, 7, 14, 21], "CBC": [0, 2, 4, 6, 8, 10, 12, 14, 21],
                           "electrolytes": [0, 3, 7, 10, 14, 21], "creatinine": [0, 7, 14, 21]}
    crea = [e for e in ev if e.test == "creatinine"]
    assert [e.source for e in crea] == ["label-ganciclovir-us"] + ["fraser-health-ganciclovir"] * 3
    assert "before the first dose" in crea[0].reason and "weekly" in crea[1].reason
    cbc = next(e for e in ev if e.test == "CBC")
    assert cbc.source == "davis-drug-guide" and cbc.phase == "induction"
    assert next(e for e in ev if e.day == 21 and e.test == "CBC").phase == "maintenance"


def test_valganciclovir_uses_the_general_blood_count_schedule():
    ev = monitoring_schedule("valganciclovir", START, 21)
    assert by_test(ev) == {PCR: [0, 7, 14], "CBC": [0, 3, 7, 10, 14, 17],
                           "electrolytes": [0, 3, 7, 10, 14, 17], "creatinine": [0, 7, 14]}
    assert [e.source for e in ev if e.test == "creatinine"] == ["label-valganciclovir-us"] + [
        "fraser-health-ganciclovir"] * 2
    assert {e.source for e in ev if e.test == "CBC"} == {"nihoi-cmv"}
    assert {e.bullet_id for e in ev if e.test == "CBC"} == {"monitoring-2"}


def test_foscarnet_exact():
    ev = monitoring_schedule("foscarnet", START, 14, 14)
    assert by_test(ev) == {PCR: [0, 7, 14, 21], "CBC": [0, 3, 7, 10, 14, 21],
                           "electrolytes": [0, 2, 4, 7, 9, 11, 14, 21], "creatinine": [0, 2, 4, 7, 9, 11, 14, 21],
                           "ECG": [0]}
    crea = [e for e in ev if e.test == "creatinine"]
    assert {e.source for e in crea} == {"label-foscarnet-us"}
    assert "upper end" in crea[0].reason and "1-2 weeks" in crea[-1].reason
    # Monday/Wednesday/Friday in induction
    assert [e.date.strftime("%a") for e in crea[:3]] == ["Mon", "Wed", "Fri"]


def test_cidofovir_exact_pre_dose_checks():
    ev = monitoring_schedule("cidofovir", START, 14, 42)
    got = by_test(ev)
    assert got["creatinine"] == got["urine protein"] == [0, 7, 14, 28, 42]   # the dose days
    assert got["CBC"] == [0, 3, 7, 10, 14, 21, 28, 35, 42, 49]                # general schedule + pre-dose WBC
    pre_dose_wbc = [e for e in ev if e.test == "CBC" and e.source == "label-cidofovir-us"]
    assert [e.day for e in pre_dose_wbc] == [0, 7, 14, 28, 42]                 # merged: the drug's text wins
    assert all("48 h" in e.reason for e in ev if e.test in ("creatinine", "urine protein"))


def test_retinitis_adds_baseline_eye_exam_and_a_note_only():
    with_r = monitoring_schedule("ganciclovir", START, 21, retinitis=True)
    without = monitoring_schedule("ganciclovir", START, 21)
    extra = [e for e in with_r if e not in without]
    assert [(e.day, e.test, e.source, e.bullet_id) for e in extra] == [
        (0, "ophthalmologic examination", "nihoi-cmv", "monitoring-4")]
    notes = monitoring_notes("ganciclovir", retinitis=True)
    assert any("ophthalmologic follow-up" in n and "no interval" in n for n in notes)
    assert not any("ophthalmologic" in n for n in monitoring_notes("ganciclovir"))


def test_notes_exact():
    assert monitoring_notes("cidofovir") == ()
    # creatinine is now scheduled for (val)ganciclovir, so no "interval not given" note is left
    assert not any("creatinine" in n.lower() for d in ("ganciclovir", "valganciclovir") for n in monitoring_notes(d))
    assert len(monitoring_notes("foscarnet")) == 2 and "ECG" in monitoring_notes("foscarnet")[0]
    assert all(n.endswith("]") for d in DRUGS for n in monitoring_notes(d, True))


def test_event_fields_and_citation():
    e = monitoring_schedule("foscarnet", START, 7)[0]
    assert e == MonitoringEvent(START, 0, PCR, "induction", e.reason, "guideline-summary", "monitoring-1")
    assert e.citation == "Guideline summary [guideline-summary]"
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.day = 3  # type: ignore[misc]


def test_maintenance_only_course_and_datetime_start():
    ev = monitoring_schedule("ganciclovir", datetime.datetime(2026, 3, 2, 9, 30), 0, 14)
    assert ev[0].date == START and {e.phase for e in ev} == {"maintenance"}
    assert by_test(ev)["CBC"] == [0, 7]


# --------------------------------------------------------------------------------------------------
# Every drug's schedule against the intervals of facts.md section 9
# --------------------------------------------------------------------------------------------------
# facts.md section 9, "Toxicity timelines and monitoring" (../shared/clinical/facts.md), quoted:
#   Ganciclovir / valganciclovir, "Monitoring":
#     - "Davis: CBC at least every 2 days during twice-daily dosing, then weekly. VERIFIED."
#     - "Fraser Health: CBC with differential twice weekly; SCr weekly. VERIFIED."
#     - "NIH OI: CBC and electrolytes twice weekly during induction, then weekly (AIII)."
#     - "US label: SCr or CrCl before and during treatment. VERIFIED."
#   Foscarnet: "Monitor SCr 2-3 times weekly during induction and every 1-2 weeks during maintenance;
#     electrolytes 2-3 times weekly during induction and weekly during maintenance. ECG at baseline and
#     periodically. VERIFIED (secondary)."
#   Cidofovir: "Check SCr and urine protein, and WBC, within 48 h before each dose."
#   (The guideline summary's monitoring-2, for every drug: "Complete blood counts and serum electrolytes
#   should be monitored twice weekly during induction therapy and once weekly thereafter".)
# Specs: ("every", n) = an event at the start and then never more than n days apart (also across the end
# of the phase); ("per_week", k) = at least k events in every full week of the phase; ("before_dose",) =
# on or within 2 days (48 h) before each dose day.
EVERY_2, WEEKLY, EVERY_2_WEEKS = ("every", 2), ("every", 7), ("every", 14)
TWICE_WEEKLY = ("per_week", 2)
SECTION_9 = {
    "ganciclovir": {("creatinine", "induction"): WEEKLY, ("creatinine", "maintenance"): WEEKLY,
                    ("CBC", "induction"): EVERY_2, ("CBC", "maintenance"): WEEKLY,
                    ("electrolytes", "induction"): TWICE_WEEKLY, ("electrolytes", "maintenance"): WEEKLY},
    "valganciclovir": {("creatinine", "induction"): WEEKLY, ("creatinine", "maintenance"): WEEKLY,
                       ("CBC", "induction"): TWICE_WEEKLY, ("CBC", "maintenance"): WEEKLY,
                       ("electrolytes", "induction"): TWICE_WEEKLY, ("electrolytes", "maintenance"): WEEKLY},
    "foscarnet": {("creatinine", "induction"): TWICE_WEEKLY, ("creatinine", "maintenance"): EVERY_2_WEEKS,
                  ("electrolytes", "induction"): TWICE_WEEKLY, ("electrolytes", "maintenance"): WEEKLY,
                  ("CBC", "induction"): TWICE_WEEKLY, ("CBC", "maintenance"): WEEKLY},
    "cidofovir": {("creatinine", "induction"): ("before_dose",), ("creatinine", "maintenance"): ("before_dose",),
                  ("urine protein", "induction"): ("before_dose",), ("urine protein", "maintenance"): ("before_dose",),
                  ("CBC", "induction"): ("before_dose",), ("CBC", "maintenance"): ("before_dose",),
                  ("electrolytes", "induction"): TWICE_WEEKLY, ("electrolytes", "maintenance"): WEEKLY},
}
# Course lengths: cidofovir's label induction is 2 weekly doses, then a dose every 2 weeks.
COURSE = {"ganciclovir": (21, 28), "valganciclovir": (21, 28), "foscarnet": (21, 28), "cidofovir": (14, 42)}


def _meets(days: list[int], start: int, end: int, spec: tuple, dose_days: list[int]) -> str:
    """An empty string when ``days`` meet ``spec`` over the phase ``[start, end)``, else what is wrong."""
    inside = [d for d in days if start <= d < end]
    if spec[0] == "every":
        gap = spec[1]
        before = [d for d in days if d < start]
        anchor = [before[-1]] if before else []
        if not anchor and start not in inside:
            return f"no event on day {start}, the start of the phase"
        seq = anchor + inside
        if not seq:
            return "no event"
        worst = max([b - a for a, b in zip(seq, seq[1:])] + [end - seq[-1]])
        return "" if worst <= gap else f"a gap of {worst} days (allowed {gap})"
    if spec[0] == "per_week":
        for week in range((end - start) // 7):
            n = sum(start + 7 * week <= d < start + 7 * week + 7 for d in inside)
            if n < spec[1]:
                return f"{n} event(s) in week {week + 1} of the phase (needed {spec[1]})"
        return ""
    missing = [d for d in dose_days if start <= d < end and not any(d - 2 <= x <= d for x in days)]
    return f"nothing within 48 h before the doses on days {missing}" if missing else ""


@pytest.mark.parametrize("drug", DRUGS)
def test_every_schedule_meets_the_section_9_intervals(drug):
    assert set(SECTION_9) == set(DRUGS)              # every drug is checked
    induction, maintenance = COURSE[drug]
    total = induction + maintenance
    dose_days = list(range(0, induction, 7)) + list(range(induction, total, 14))   # cidofovir only
    got = by_test(monitoring_schedule(drug, START, induction, maintenance))
    problems = []
    for (test, phase), spec in SECTION_9[drug].items():
        start, end = (0, induction) if phase == "induction" else (induction, total)
        why = _meets(got.get(test, []), start, end, spec, dose_days)
        if why:
            problems.append(f"{drug} {test} in {phase}: {why}")
    assert problems == []


def test_section_9_checker_catches_a_missing_interval():
    # the checker itself: creatinine only at baseline (the old ganciclovir schedule) fails the weekly rule
    assert _meets([0], 0, 21, WEEKLY, []) == "a gap of 21 days (allowed 7)"
    assert _meets([0, 7, 14], 0, 21, WEEKLY, []) == ""
    assert _meets([0, 3, 7, 14, 17], 0, 21, TWICE_WEEKLY, []) == "1 event(s) in week 2 of the phase (needed 2)"
    assert _meets([0, 9], 0, 14, ("before_dose",), [0, 7]) == "nothing within 48 h before the doses on days [7]"


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DRUGS), st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)),
       st.integers(0, 365), st.integers(0, 365), st.booleans())
def test_schedule_properties(drug, start, induction, maintenance, retinitis):
    if induction + maintenance == 0:
        with pytest.raises(InputError):
            monitoring_schedule(drug, start, induction, maintenance, retinitis)
        return
    ev = monitoring_schedule(drug, start, induction, maintenance, retinitis)
    total = induction + maintenance
    assert all(0 <= e.day < total for e in ev)                                  # within the course
    assert [e.day for e in ev] == sorted(e.day for e in ev)                     # sorted by date
    assert all(e.date == start + datetime.timedelta(days=e.day) for e in ev)
    assert len({(e.day, e.test) for e in ev}) == len(ev)                        # one event per test per day
    assert all(e.phase == ("induction" if e.day < induction else "maintenance") for e in ev)
    assert all(e.source in KNOWN_SOURCES for e in ev)
    tests = by_test(ev)
    assert len(tests[PCR]) == math.ceil(total / 7)                              # weekly PCR
    assert tests[PCR] == list(range(0, total, 7))
    assert ("ophthalmologic examination" in tests) == retinitis
    if retinitis:
        assert tests["ophthalmologic examination"] == [0]
    cbc_ind = [d for d in tests["CBC"] if d < induction]
    full_weeks = induction // 7
    assert len(cbc_ind) >= 2 * full_weeks                                       # at least twice weekly in induction
    cbc_maint = [d for d in tests["CBC"] if d >= induction]
    assert len(cbc_maint) >= math.ceil(maintenance / 7)                         # at least weekly after
    if drug == "foscarnet":
        assert len([d for d in tests["creatinine"] if d < induction]) >= 3 * full_weeks
    if drug in ("ganciclovir", "valganciclovir"):                               # weekly creatinine (Fraser Health)
        assert tests["creatinine"] == list(range(0, total, 7))
    if drug == "cidofovir":
        doses = list(range(0, induction, 7)) + list(range(induction, total, 14))
        assert tests["creatinine"] == tests["urine protein"] == doses
        assert set(doses) <= set(tests["CBC"])


# --------------------------------------------------------------------------------------------------
# Invalid input
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw,field", [
    (dict(drug="aciclovir"), "drug"), (dict(drug=None), "drug"), (dict(drug=3), "drug"), (dict(drug=""), "drug"),
    (dict(start="2026-03-02"), "start"), (dict(start=None), "start"), (dict(start=20260302), "start"),
    (dict(induction_days=-1), "induction_days"), (dict(induction_days=14.5), "induction_days"),
    (dict(induction_days=14.0), "induction_days"), (dict(induction_days=True), "induction_days"),
    (dict(induction_days=366), "induction_days"), (dict(induction_days="14"), "induction_days"),
    (dict(induction_days=None), "induction_days"), (dict(induction_days=math.nan), "induction_days"),
    (dict(maintenance_days=-7), "maintenance_days"), (dict(maintenance_days=400), "maintenance_days"),
    (dict(maintenance_days=False), "maintenance_days"), (dict(maintenance_days=2.5), "maintenance_days"),
    (dict(induction_days=0, maintenance_days=0), "induction_days"), (dict(retinitis="yes"), "retinitis"),
    (dict(retinitis=1), "retinitis")])
def test_invalid_input(kw, field):
    args = dict(drug="ganciclovir", start=START, induction_days=14, maintenance_days=0, retinitis=False)
    args.update(kw)
    with pytest.raises(InputError) as e:
        monitoring_schedule(**args)
    assert e.value.field == field


def test_drug_name_is_forgiving_about_case():
    assert monitoring_schedule(" Foscarnet", START, 7) == monitoring_schedule("foscarnet", START, 7)


@pytest.mark.parametrize("args,field", [(("maribavir",), "drug"), (("foscarnet", "no"), "retinitis")])
def test_notes_invalid(args, field):
    with pytest.raises(InputError) as e:
        monitoring_notes(*args)
    assert e.value.field == field
