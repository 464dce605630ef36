"""The linked course view, declared once: renal function -> dose -> viral load -> toxicity -> monitoring, day by
day (:func:`cmvlib.course.plan_course`). Two phases (an induction drug and days, then a maintenance drug and
days), an optional creatinine change on a chosen day (doses re-computed from the label tables, with the warning
that Cockcroft–Gault assumes a stable creatinine), the illustrative viral-load curve and the course chart with
its day-by-day table.

The defaults are the example course of the ``declining-renal`` scenario: creatinine 1.0 -> 2.1 mg/dL on day 10.

>>> out = COURSE.evaluate({"age_years": "58", "sex": "female", "weight_kg": "64", "serum_creatinine": "1.0"})
>>> out.errors, out.figure is not None, "<table" in out.table
({}, True, True)
>>> COURSE.evaluate({**COURSE.defaults(), "maintenance_drug": "none"}).hidden
('maintenance_days',)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..charts import course_figure, course_table_html
from ..course import MAX_COURSE_DAYS, Course, PhasePlan, RenalChange, plan_course
from ..errors import InputError
from ..kinetics import half_life_range
from ..patient import Patient
from ..ui.render import render_course, render_warnings
from ..validate import whole_number
from .declare import Chart, Declaration, Field, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs
from .values import whole_or_text

_HL = half_life_range()
INDUCTION_DRUG = Field("induction_drug", "Induction drug", "choice", widget="dropdown", default="ganciclovir",
                       options=(("ganciclovir (IV)", "ganciclovir"), ("foscarnet (IV)", "foscarnet")))
INDUCTION_DAYS = Field("induction_days", "Induction", unit="days", default="14")
MAINTENANCE_DRUG = Field("maintenance_drug", "Maintenance drug", "choice", widget="dropdown", default="valganciclovir",
                         options=(("valganciclovir (oral)", "valganciclovir"), ("ganciclovir (IV)", "ganciclovir"),
                                  ("foscarnet (IV)", "foscarnet"), ("none (induction only)", "none")))
MAINTENANCE_DAYS = Field("maintenance_days", "Maintenance", unit="days", default="14")
CHANGE_DAY = Field("change_day", "Creatinine changes on day, optional", hint="empty: no change", default="10",
                   optional=True)
NEW_CREATININE = Field("new_creatinine_mg_dl", "New serum creatinine, optional", unit="mg/dL", hint="empty: no change",
                       default="2.1", optional=True)
BASELINE = Field("baseline_iu_ml", "Viral load on day 0, optional", unit="IU/mL", hint="empty: no curve",
                 default="50000", optional=True, aliases=("vl0", "vl0_iu_ml"))
HALF_LIFE = Field("half_life_days", f"Half-life of decline ({_HL.low_days:g}–{_HL.high_days:g} sourced)", unit="days",
                  hint="empty: no curve", default=f"{_HL.high_days:g}", optional=True)
RETINITIS = Field("retinitis", "Retinitis (adds eye examination)", "flag", default="false")


def phases(read: Mapping[str, Any]) -> list[PhasePlan]:
    out = []
    for phase in ("induction", "maintenance"):
        drug = read[f"{phase}_drug"]
        if drug != "none":
            days = whole_number(read[f"{phase}_days"], f"{phase}_days", 1, MAX_COURSE_DAYS, "days")
            out.append(PhasePlan(drug, phase, days))
    return out


def renal_changes(read: Mapping[str, Any]) -> list[RenalChange]:
    day, value = read["change_day"], read["new_creatinine_mg_dl"]
    if day is None and value is None:
        return []
    if day is None or value is None:
        raise InputError("change_day" if day is None else "new_creatinine_mg_dl",
                         "give both the day and the new creatinine, or leave both empty")
    return [RenalChange(whole_number(day, "change_day", 0, MAX_COURSE_DAYS, "days"), {"serum_creatinine_mg_dl": value})]


def plan(read: Mapping[str, Any]) -> Course:
    """The course of the typed inputs (raises :class:`InputError` naming the field for bad input)."""
    planned, changes = phases(read), renal_changes(read)
    vl0, hl = read["baseline_iu_ml"], read["half_life_days"]
    patient = Patient(**patient_kwargs(read))   # its own errors name its own fields
    try:
        return plan_course(patient, planned, renal_changes=changes, weight_basis=read["weight_basis"],
                           retinitis=read["retinitis"], vl0_iu_ml=None if vl0 is None else whole_or_text(vl0),
                           half_life_days=None if hl is None else whole_or_text(hl))
    except InputError as err:
        if err.field == "day":
            raise InputError("change_day", f"must fall within the course, days 0 to "
                                           f"{sum(p.days for p in planned) - 1} (got {changes[0].day})") from None
        if changes and err.field == "serum_creatinine_mg_dl":   # the patient's own value passed above
            raise InputError("new_creatinine_mg_dl", err.problem) from None
        if err.field == "days":   # the whole course is too long: the last phase's days
            raise InputError(planned[-1].phase + "_days", err.problem) from None
        raise


def compute(read: Mapping[str, Any]) -> str:
    """The course in words, with its warnings first (a creatinine change: Cockcroft–Gault lags it)."""
    course = plan(read)
    return render_warnings(course.warnings, "Course warnings") + render_course(course)


def chart(read: Mapping[str, Any]) -> Chart:
    course = plan(read)
    return course_figure(course), course_table_html(course)


def hidden(values: Mapping[str, Any]) -> set[str]:
    return {"maintenance_days"} if COURSE.choice(values, "maintenance_drug") == "none" else set()


COURSE = register(Declaration(
    name="course",
    title="Treatment course, day by day",
    fields=(INDUCTION_DRUG, INDUCTION_DAYS, MAINTENANCE_DRUG, MAINTENANCE_DAYS, CHANGE_DAY, NEW_CREATININE,
            BASELINE, HALF_LIFE, RETINITIS, *patient_fields()),
    compute=compute,
    chart=chart,
    hidden=hidden,
    adjust=creatinine_unit_change,
    scenario="declining-renal",
))
