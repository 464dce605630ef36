"""IV-to-oral switch calculator: the ipywidgets binding of :data:`cmvlib.calc.switch.SWITCH` (first-line-2,
pitfalls-2)."""
from __future__ import annotations

from typing import Any

from ..calc.switch import SWITCH
from ._base import Calculator
from .patient_form import PatientForm

DEFAULT_SCENARIO = SWITCH.scenario


class SwitchCalculator(Calculator):
    """The switch criteria (days of IV therapy, improvement, absorption, severity) and, when they are
    met, the oral valganciclovir treatment (induction) dose for the patient's renal function.

    Presets: ``days_of_iv``, ``improving``, ``absorbing``, ``severe``, patient fields, ``scenario``.
    """

    TITLE = SWITCH.title
    DECLARATION = SWITCH.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        rows = [self._declared(SWITCH.field(n)) for n in ("days_of_iv", "improving", "absorbing", "severe")]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, **presets})


def switch_calculator(**presets: Any) -> SwitchCalculator:
    """The IV-to-oral switch calculator (``switch_calculator(days_of_iv=2)``)."""
    return SwitchCalculator(**presets)
