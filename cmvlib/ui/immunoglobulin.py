"""Adjunct immunoglobulin for CMV pneumonitis: the sourced regimens computed for the patient."""
from __future__ import annotations

from typing import Any

from ..immunoglobulin import immunoglobulin_for_pneumonitis
from ._base import Calculator
from .patient_form import PatientForm
from .render import render_immunoglobulin

DEFAULT_SCENARIO = "hsct-pneumonitis"


class ImmunoglobulinCalculator(Calculator):
    """Each sourced regimen (its own weight basis) with the grams per dose, or why it cannot be computed.

    The patient needs a creatinine (or hemodialysis) because every cmvlib patient does; it does not change
    the immunoglobulin dose. Presets: patient fields, ``scenario``.
    """

    TITLE = "Immunoglobulin for CMV pneumonitis (adjunct)"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm(weight_basis=False)
        self._adopt(self.form)
        self._finish([self.form], {"scenario": DEFAULT_SCENARIO, **presets})

    def compute(self) -> str:
        return render_immunoglobulin(immunoglobulin_for_pneumonitis(self.form.patient()))


def immunoglobulin_calculator(**presets: Any) -> ImmunoglobulinCalculator:
    """The immunoglobulin calculator."""
    return ImmunoglobulinCalculator(**presets)
