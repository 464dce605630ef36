"""Renal-function calculator: Cockcroft–Gault with the weight choice and the mg/dL ↔ µmol/L toggle."""
from __future__ import annotations

from typing import Any

from ._base import Calculator
from .patient_form import PatientForm
from .render import render_renal

DEFAULT_SCENARIO = "issue-example"


class RenalCalculator(Calculator):
    """Creatinine clearance (mL/min and mL/min/kg) with the formula and weight used.

    Presets: any :class:`cmvlib.Patient` field, ``weight_basis``, ``creatinine_unit`` or ``scenario``.
    """

    TITLE = "Renal function (Cockcroft–Gault)"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        self._finish([self.form], {"scenario": DEFAULT_SCENARIO, **presets})

    def compute(self) -> str:
        return render_renal(self.form.patient().renal_function(self.form.weight_basis))


def renal_calculator(**presets: Any) -> RenalCalculator:
    """The renal-function calculator, optionally with presets (``renal_calculator(scenario="obese")``)."""
    return RenalCalculator(**presets)
