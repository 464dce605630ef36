"""Linked course view: renal function -> dose -> viral load -> toxicity -> monitoring, day by day.

The learner plans two phases (an induction drug and days, then a maintenance drug and days), may make
the creatinine change on a chosen day, and reads the course :func:`cmvlib.course.plan_course` computes:
doses re-computed from the label tables whenever renal function changes, the illustrative viral-load
curve, the usual toxicity windows and the dated monitoring tests. A creatinine change is shown with a
warning that Cockcroft–Gault assumes a stable creatinine (:attr:`cmvlib.course.Course.warnings`). The result sums up the course and
its dose changes; :meth:`CourseCalculator.figure` gives the chart and
:meth:`CourseCalculator.figure_table_html` its table alternative, for an app to show.
"""
from __future__ import annotations

from typing import Any

from ..course import MAX_COURSE_DAYS, Course, PhasePlan, RenalChange, plan_course
from ..errors import InputError
from ..validate import whole_number
from ..kinetics import half_life_range
from ._base import Calculator, optional, whole_or_text
from .patient_form import PatientForm
from .render import render_course, render_warnings

DEFAULT_SCENARIO = "declining-renal"
INDUCTION = (("ganciclovir (IV)", "ganciclovir"), ("foscarnet (IV)", "foscarnet"))
MAINTENANCE = (("valganciclovir (oral)", "valganciclovir"), ("ganciclovir (IV)", "ganciclovir"),
               ("foscarnet (IV)", "foscarnet"), ("none (induction only)", "none"))
#: The example course of the default scenario: creatinine 1.0 -> 2.1 mg/dL on day 10 (examples.py says so).
EXAMPLE = {"induction_drug": "ganciclovir", "induction_days": 14, "maintenance_drug": "valganciclovir",
           "maintenance_days": 14, "change_day": 10, "new_creatinine_mg_dl": 2.1, "baseline_iu_ml": 50_000}


class CourseCalculator(Calculator):
    """A two-phase course for one patient, with an optional creatinine change on one day.

    Presets: patient fields and ``scenario``; ``induction_drug``, ``induction_days``, ``maintenance_drug``
    (``none`` for induction only), ``maintenance_days``, ``change_day`` and ``new_creatinine_mg_dl``
    (both empty: no change), ``baseline_iu_ml`` and ``half_life_days`` (both empty: no viral-load curve),
    ``retinitis``.
    """

    TITLE = "Treatment course, day by day"
    ALIASES = {"vl0": "baseline_iu_ml", "vl0_iu_ml": "baseline_iu_ml"}

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        hl = half_life_range()
        self.course: Course | None = None
        rows = [self._dropdown("induction_drug", "Induction drug", INDUCTION),
                self._text("induction_days", "Induction", "days", value=EXAMPLE["induction_days"]),
                self._dropdown("maintenance_drug", "Maintenance drug", MAINTENANCE),
                self._text("maintenance_days", "Maintenance", "days", value=EXAMPLE["maintenance_days"]),
                self._text("change_day", "Creatinine changes on day, optional", "", "empty: no change",
                           value=EXAMPLE["change_day"]),
                self._text("new_creatinine_mg_dl", "New serum creatinine, optional", "mg/dL", "empty: no change",
                           value=EXAMPLE["new_creatinine_mg_dl"]),
                self._text("baseline_iu_ml", "Viral load on day 0, optional", "IU/mL", "empty: no curve",
                           value=EXAMPLE["baseline_iu_ml"]),
                self._text("half_life_days", f"Half-life of decline ({hl.low_days:g}–{hl.high_days:g} sourced)",
                           "days", "empty: no curve", value=hl.high_days),
                self._checkbox("retinitis", "Retinitis (adds eye examination)")]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, **presets})

    def field_for(self, core_field: str | None) -> str | None:
        if core_field == "days":   # plan_course's only check left: the whole course is too long
            return "maintenance_days" if self.fields["maintenance_drug"].value != "none" else "induction_days"
        return super().field_for(core_field)

    def _phases(self) -> list[PhasePlan]:
        f = self.fields
        phases = []
        for phase, drug_field, days_field in (("induction", "induction_drug", "induction_days"),
                                              ("maintenance", "maintenance_drug", "maintenance_days")):
            drug = f[drug_field].value
            self.show_row(days_field, drug != "none")
            if drug == "none":
                continue
            days = whole_number(f[days_field].value, days_field, 1, MAX_COURSE_DAYS, "days")
            phases.append(PhasePlan(drug, phase, days))
        return phases

    def _renal_changes(self) -> list[RenalChange]:
        day, value = optional(self.fields["change_day"].value), optional(self.fields["new_creatinine_mg_dl"].value)
        if day is None and value is None:
            return []
        if day is None or value is None:
            missing = "change_day" if day is None else "new_creatinine_mg_dl"
            raise InputError(missing, "give both the day and the new creatinine, or leave both empty")
        when = whole_number(day, "change_day", 0, MAX_COURSE_DAYS, "days")
        return [RenalChange(when, {"serum_creatinine_mg_dl": value})]

    def plan(self) -> Course:
        """The course of the typed inputs (raises :class:`InputError` naming the field for bad input)."""
        f = self.fields
        phases = self._phases()
        changes = self._renal_changes()
        vl0, hl = optional(f["baseline_iu_ml"].value), optional(f["half_life_days"].value)
        patient = self.form.patient()   # its own errors name its own fields
        try:
            return plan_course(patient, phases, renal_changes=changes,
                               weight_basis=self.form.weight_basis, retinitis=f["retinitis"].value,
                               vl0_iu_ml=None if vl0 is None else whole_or_text(vl0),
                               half_life_days=None if hl is None else whole_or_text(hl))
        except InputError as err:
            if err.field == "day":
                raise InputError("change_day", f"must fall within the course, days 0 to "
                                               f"{sum(p.days for p in phases) - 1} (got {changes[0].day})") from None
            if changes and err.field == "serum_creatinine_mg_dl":   # the patient's own value passed above
                raise InputError("new_creatinine_mg_dl", err.problem) from None
            raise

    def figure(self) -> dict[str, Any] | None:
        """The course chart (:func:`cmvlib.charts.course_figure`) of the last valid inputs; ``None`` if invalid."""
        from ..charts import course_figure

        return None if self.course is None else course_figure(self.course)

    def figure_table_html(self) -> str:
        """The chart's text alternative (:func:`cmvlib.charts.course_table_html`); empty while invalid."""
        from ..charts import course_table_html

        return "" if self.course is None else course_table_html(self.course)

    def compute(self) -> str:
        """The course in words, with its warnings first (a creatinine change: Cockcroft–Gault lags it)."""
        self.course = None
        self.course = self.plan()
        return render_warnings(self.course.warnings, "Course warnings") + render_course(self.course)


def course_calculator(**presets: Any) -> CourseCalculator:
    """The course view (``course_calculator(change_day=7, new_creatinine_mg_dl=3.0)``)."""
    return CourseCalculator(**presets)
