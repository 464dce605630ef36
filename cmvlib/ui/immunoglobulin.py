"""Adjunct immunoglobulin for CMV pneumonitis: the ipywidgets binding of
:data:`cmvlib.calc.immunoglobulin.IMMUNOGLOBULIN` (the sourced regimens computed for the patient)."""
from __future__ import annotations

from typing import Any

from ..calc.immunoglobulin import IMMUNOGLOBULIN
from ._base import Calculator
from .patient_form import PatientForm

DEFAULT_SCENARIO = IMMUNOGLOBULIN.scenario


class ImmunoglobulinCalculator(Calculator):
    """Each sourced regimen (its own weight basis) with the grams per dose, or why it cannot be computed.

    Presets: patient fields, ``scenario``.
    """

    TITLE = IMMUNOGLOBULIN.title
    DECLARATION = IMMUNOGLOBULIN.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm(weight_basis=False)
        self._adopt(self.form)
        self._finish([self.form], {"scenario": DEFAULT_SCENARIO, **presets})


def immunoglobulin_calculator(**presets: Any) -> ImmunoglobulinCalculator:
    """The immunoglobulin calculator."""
    return ImmunoglobulinCalculator(**presets)
