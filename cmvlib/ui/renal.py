"""Renal-function calculator: Cockcroft–Gault with the weight choice and the mg/dL ↔ µmol/L toggle.

The ipywidgets binding of the declaration :data:`cmvlib.calc.renal.RENAL` (fields and compute live
there; the static book page computes through the same declaration in the reader's browser).
"""
from __future__ import annotations

from typing import Any

from ..calc.renal import RENAL
from ._base import Calculator
from .patient_form import PatientForm

DEFAULT_SCENARIO = RENAL.scenario


class RenalCalculator(Calculator):
    """Creatinine clearance (mL/min and mL/min/kg) with the formula and weight used.

    Presets: any :class:`cmvlib.Patient` field, ``weight_basis``, ``creatinine_unit`` or ``scenario``.
    """

    TITLE = RENAL.title
    DECLARATION = RENAL.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm(urine_protein=False, weight_basis=True)
        self._adopt(self.form)
        self._finish([self.form], {"scenario": DEFAULT_SCENARIO, **presets})


def renal_calculator(**presets: Any) -> RenalCalculator:
    """The renal-function calculator, optionally with presets (``renal_calculator(scenario="obese")``)."""
    return RenalCalculator(**presets)
