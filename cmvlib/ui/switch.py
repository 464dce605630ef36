"""IV-to-oral switch calculator: may IV ganciclovir become oral valganciclovir? (first-line-2, pitfalls-2)"""
from __future__ import annotations

from typing import Any

from .. import dosing
from ..regimen import switch_to_oral
from ._base import Calculator
from .patient_form import PatientForm
from .render import render_decision, render_dose

DEFAULT_SCENARIO = "issue-example"


class SwitchCalculator(Calculator):
    """The switch criteria (days of IV therapy, improvement, absorption, severity) and, when they are
    met, the oral valganciclovir treatment (induction) dose for the patient's renal function.

    Presets: ``days_of_iv``, ``improving``, ``absorbing``, ``severe``, patient fields, ``scenario``.
    """

    TITLE = "Switch from IV ganciclovir to oral valganciclovir"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        rows = [self._text("days_of_iv", "IV ganciclovir given for", "days", value=4),
                self._checkbox("improving", "Clinically improving", True),
                self._checkbox("absorbing", "Oral absorption adequate (eating, no severe diarrhea)", True),
                self._checkbox("severe", "Disease still severe or life-threatening", False)]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, **presets})

    def compute(self) -> str:
        f = self.fields
        decision = switch_to_oral(f["days_of_iv"].value, improving=f["improving"].value,
                                  absorbing=f["absorbing"].value, severe=f["severe"].value)
        patient = self.form.patient()
        html = render_decision(decision)
        if decision.ok:
            result = dosing.dose("valganciclovir", "induction", patient, weight_basis=self.form.weight_basis)
            html += ("<p><strong>Oral valganciclovir at the treatment (induction) dose for this renal function:"
                     "</strong></p>" + render_dose(result))
        return html


def switch_calculator(**presets: Any) -> SwitchCalculator:
    """The IV-to-oral switch calculator (``switch_calculator(days_of_iv=2)``)."""
    return SwitchCalculator(**presets)
