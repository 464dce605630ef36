"""The linked treatment course: doses re-computed as renal function changes, administrations per day,
viral load, toxicity windows and monitoring placed on the course's days."""
import datetime

import pytest
from hypothesis import given, settings, strategies as st

from cmvlib import InputError, dose
from cmvlib.course import PhasePlan, RenalChange, plan_course
from cmvlib.examples import patient


def test_switch_and_renal_change_re_dose():
    p = patient("declining-renal")
    c = plan_course(p, [PhasePlan("ganciclovir", "induction", 5), PhasePlan("valganciclovir", "induction", 16)],
                    renal_changes=[RenalChange(10, {"serum_creatinine_mg_dl": 2.1})])
    assert c.length_days == 21 and c.phase_starts == (0, 5)
    worse = patient("declining-renal", serum_creatinine_mg_dl=2.1)
    assert c.days[9].result == dose("valganciclovir", "induction", p)
    assert c.days[10].result == dose("valganciclovir", "induction", worse)
    assert [ch.day for ch in c.changes] == [5, 10]
    assert c.days[0].administrations == 2 and c.days[0].mg == pytest.approx(2 * dose("ganciclovir", "induction", p).dose_mg)


def test_umol_change_replaces_mg_dl():
    p = patient("declining-renal")
    c = plan_course(p, [PhasePlan("ganciclovir", "induction", 4)],
                    renal_changes=[RenalChange(2, {"serum_creatinine_umol_l": 2.1 * 88.4})])
    assert c.days[2].result.mg_per_kg == dose("ganciclovir", "induction",
                                              patient("declining-renal", serum_creatinine_mg_dl=2.1)).mg_per_kg


@pytest.mark.parametrize("patient_name, drug, phase, opts, pattern", [
    ("hemodialysis", "ganciclovir", "induction", {}, [1, 0, 1, 0, 1, 0, 0] * 2),           # 3 times a week
    ("normal-renal", "cidofovir", "induction", {}, [1, 0, 0, 0, 0, 0, 0] * 2),             # weekly
    ("normal-renal", "foscarnet", "induction", {"regimen": "60q8h"}, [3] * 14),             # every 8 h
])
def test_administrations_per_day(patient_name, drug, phase, opts, pattern):
    c = plan_course(patient(patient_name), [PhasePlan(drug, phase, 14, opts)])
    assert [d.administrations for d in c.days] == pattern


def test_every_other_day_and_twice_weekly():
    p = patient("normal-renal", serum_creatinine_mg_dl=None, measured_crcl_ml_min=20)
    c = plan_course(p, [PhasePlan("valganciclovir", "induction", 4), PhasePlan("valganciclovir", "maintenance", 7)])
    assert [d.administrations for d in c.days] == [1, 0, 1, 0] + [1, 0, 0, 1, 0, 0, 0]


def test_not_recommended_days_give_no_drug():
    p = patient("normal-renal", serum_creatinine_mg_dl=None, measured_crcl_ml_min=9)
    c = plan_course(p, [PhasePlan("ganciclovir", "induction", 3)])
    assert all(d.administrations == 0 and d.mg is None and not d.result.recommended for d in c.days)


def test_viral_load_and_monitoring():
    c = plan_course(patient("normal-renal"), [PhasePlan("ganciclovir", "induction", 5),
                                              PhasePlan("valganciclovir", "induction", 16)],
                    vl0_iu_ml=1e5, half_life_days=1.0, start=datetime.date(2026, 3, 2))
    assert c.viral_load[0] == (0.0, 1e5) and c.viral_load[3][1] == pytest.approx(1e5 / 8)
    pcr = [e.day for e in c.monitoring if e.test == "CMV viral load (PCR)"]
    assert pcr == [0, 7, 14]  # weekly from day 0 across the switch
    assert all(0 <= e.day < 21 for e in c.monitoring)
    assert all(e.date == datetime.date(2026, 3, 2) + datetime.timedelta(days=e.day) for e in c.monitoring)
    assert c.toxicity and c.toxicity[0].effect == "neutropenia"


@pytest.mark.parametrize("kwargs, field", [
    (dict(phases=[]), "phases"), (dict(phases=[PhasePlan("aciclovir", "induction", 5)]), "drug"),
    (dict(phases=[PhasePlan("ganciclovir", "induction", 0)]), "days"),
    (dict(phases=[PhasePlan("ganciclovir", "induction", 2.5)]), "days"),
    (dict(phases=[PhasePlan("ganciclovir", "induction", 400)]), "days"),
    (dict(phases=[PhasePlan("ganciclovir", "induction", 5)], renal_changes=[RenalChange(9, {})]), "day"),
    (dict(phases=[PhasePlan("ganciclovir", "induction", 5)], renal_changes=[RenalChange(1, {"bogus": 1})]),
     "renal_changes"),
    (dict(phases=[PhasePlan("ganciclovir", "induction", 5)], renal_changes=[RenalChange(1, {"weight_kg": -4})]),
     "weight_kg"),
    (dict(phases=[PhasePlan("ganciclovir", "induction", 5)], vl0_iu_ml=1e4), "half_life_days"),
])
def test_invalid_course_inputs(kwargs, field):
    with pytest.raises(InputError) as err:
        plan_course(patient("normal-renal"), **kwargs)
    assert err.value.field == field


@settings(max_examples=40, deadline=None)
@given(scr_day=st.integers(0, 20), scr=st.floats(0.3, 8), ind=st.integers(1, 10), rest=st.integers(1, 20))
def test_mg_per_day_never_rises_when_creatinine_rises(scr_day, scr, ind, rest):
    p = patient("declining-renal")  # creatinine 1.0 before the change
    later = max(scr, 1.0)
    c = plan_course(p, [PhasePlan("ganciclovir", "induction", ind + rest)],
                    renal_changes=[RenalChange(min(scr_day, ind + rest - 1), {"serum_creatinine_mg_dl": later})])
    weekly = [d.result.mg_per_week or 0 for d in c.days]
    assert all(b <= a + 1e-9 for a, b in zip(weekly, weekly[1:]))


# --------------------------------------------------------------------------------------------------
# Re-dosing at a band edge, and the Cockcroft–Gault stable-creatinine warning
# --------------------------------------------------------------------------------------------------
# Ganciclovir induction (US label Table 1, facts.md section 1): CrCl >= 70 mL/min -> 5 mg/kg q12h,
# 50-69 -> 2.5 mg/kg q12h. A 68-year-old man of 70 kg: creatinine 1.0 mg/dL gives exactly 70 mL/min,
# 1.01 mg/dL gives 69.3 mL/min (examples "band-edge-70" and "issue-example").
@pytest.mark.parametrize("start_scr, new_scr, before_mg_kg, after_mg_kg, shown", [
    (1.0, 1.01, 5.0, 2.5, "1.0 → 1.01"),     # down across the edge: 70 -> 69.3 mL/min
    (1.01, 1.0, 2.5, 5.0, "1.01 → 1.0"),     # up across the edge: 69.3 -> 70 mL/min
])
def test_course_re_doses_when_creatinine_crosses_a_band_edge(start_scr, new_scr, before_mg_kg, after_mg_kg, shown):
    p = patient("band-edge-70", serum_creatinine_mg_dl=start_scr)
    c = plan_course(p, [PhasePlan("ganciclovir", "induction", 7)],
                    renal_changes=[RenalChange(3, {"serum_creatinine_mg_dl": new_scr})])
    assert [d.result.mg_per_kg for d in c.days] == [before_mg_kg] * 3 + [after_mg_kg] * 4
    assert c.days[3].result == dose("ganciclovir", "induction", patient("band-edge-70", serum_creatinine_mg_dl=new_scr))
    assert [ch.day for ch in c.changes] == [3]
    (warning,) = c.warnings
    assert warning.startswith(f"Creatinine changed on day 3 ({shown} mg/dL): Cockcroft–Gault assumes a stable "
                              "creatinine, so the estimate lags a rising or falling value")
    assert "recheck creatinine and re-dose" in warning and "[cockcroft1976]" in warning and "[chen2013]" in warning


def test_creatinine_warning_only_when_the_creatinine_changes():
    p = patient("declining-renal")                       # creatinine 1.0 mg/dL
    phases = [PhasePlan("ganciclovir", "induction", 10)]
    assert plan_course(p, phases).warnings == ()
    assert plan_course(p, phases, renal_changes=[RenalChange(4, {"weight_kg": 70})]).warnings == ()
    assert plan_course(p, phases, renal_changes=[RenalChange(4, {"serum_creatinine_mg_dl": 1.0})]).warnings == ()
    assert plan_course(p, phases, renal_changes=[RenalChange(0, {"serum_creatinine_mg_dl": 2.0})]).warnings == ()
    two = plan_course(p, phases, renal_changes=[RenalChange(3, {"serum_creatinine_mg_dl": 2.0}),
                                                RenalChange(6, {"serum_creatinine_umol_l": 1.5 * 88.4})])
    assert [w.split(":")[0] for w in two.warnings] == ["Creatinine changed on day 3 (1.0 → 2.0 mg/dL)",
                                                       "Creatinine changed on day 6 (2.0 → 1.5 mg/dL)"]


def test_course_view_shows_the_creatinine_warning():
    import html

    from cmvlib import ui

    calc = ui.course_calculator(change_day=10, new_creatinine_mg_dl=2.1)
    shown = html.unescape(calc.result_html.value)
    assert calc.course.warnings and calc.course.warnings[0] in shown
    assert "Creatinine changed on day 10 (1.0 → 2.1 mg/dL): Cockcroft–Gault assumes a stable creatinine" in shown
    calc.fields["change_day"].value = ""
    calc.fields["new_creatinine_mg_dl"].value = ""
    assert calc.course.warnings == () and "Cockcroft–Gault assumes" not in html.unescape(calc.result_html.value)


def test_foscarnet_120_maintenance_follows_re_induction():
    # Label (facts.md section 3): maintenance 90-120 mg/kg/day; 120 when early re-induction is needed.
    p = patient("normal-renal")
    alone = plan_course(p, [PhasePlan("foscarnet", "maintenance", 7, {"regimen": "120"})])
    assert len(alone.warnings) == 1 and "re-induces first" in alone.warnings[0]
    assert "[label-foscarnet-us]" in alone.warnings[0]
    after_induction = plan_course(p, [PhasePlan("foscarnet", "induction", 7),
                                      PhasePlan("foscarnet", "maintenance", 7, {"regimen": "120"})])
    assert after_induction.warnings == ()
    assert plan_course(p, [PhasePlan("foscarnet", "maintenance", 7)]).warnings == ()
