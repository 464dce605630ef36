"""Linked course view: the ipywidgets binding of :data:`cmvlib.calc.course.COURSE` (renal function -> dose ->
viral load -> toxicity -> monitoring, day by day; :meth:`CourseCalculator.figure` gives the chart and
:meth:`CourseCalculator.figure_table_html` its table alternative)."""
from __future__ import annotations

from typing import Any

from ..calc import course as declared
from ..calc.course import COURSE
from ..course import Course
from ._base import Calculator
from .patient_form import PatientForm

DEFAULT_SCENARIO = COURSE.scenario
#: The fields above the patient's, in the form's order.
COURSE_FIELDS = ("induction_drug", "induction_days", "maintenance_drug", "maintenance_days", "change_day",
                 "new_creatinine_mg_dl", "baseline_iu_ml", "half_life_days", "retinitis")


class CourseCalculator(Calculator):
    """A two-phase course for one patient, with an optional creatinine change on one day.

    Presets: patient fields and ``scenario``; ``induction_drug``, ``induction_days``, ``maintenance_drug``
    (``none`` for induction only), ``maintenance_days``, ``change_day`` and ``new_creatinine_mg_dl``
    (both empty: no change), ``baseline_iu_ml`` and ``half_life_days`` (both empty: no viral-load curve),
    ``retinitis``.
    """

    TITLE = COURSE.title
    DECLARATION = COURSE.name
    ALIASES = {"vl0": "baseline_iu_ml", "vl0_iu_ml": "baseline_iu_ml"}

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        rows = [self._declared(COURSE.field(n)) for n in COURSE_FIELDS]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, **presets})

    def plan(self) -> Course:
        """The course of the typed inputs (raises :class:`~cmvlib.errors.InputError` naming the field)."""
        return declared.plan(COURSE.read(self.declared_values()))

    @property
    def course(self) -> Course | None:
        """The course of the last valid inputs (``None`` while they are invalid)."""
        return None if self.figure() is None else self.plan()


def course_calculator(**presets: Any) -> CourseCalculator:
    """The course view (``course_calculator(change_day=7, new_creatinine_mg_dl=3.0)``)."""
    return CourseCalculator(**presets)
