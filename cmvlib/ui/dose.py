"""Ganciclovir and valganciclovir dose calculator: the ipywidgets binding of :data:`cmvlib.calc.dose.DOSE`
(fields and compute live there; the static book page computes through the same declaration)."""
from __future__ import annotations

from typing import Any

from ..calc.dose import DOSE
from ._base import Calculator
from .patient_form import PatientForm

DEFAULT_SCENARIO = DOSE.scenario


class DoseCalculator(Calculator):
    """Ganciclovir (IV) or valganciclovir (oral) for induction or maintenance, by renal function.

    Presets: patient fields, ``drug``, ``phase``, ``regimen`` (ganciclovir maintenance: ``daily`` or
    ``5-days-a-week``), ``formulation`` (valganciclovir: ``tablet`` or ``oral_solution``), ``scenario``.
    """

    TITLE = DOSE.title
    DECLARATION = DOSE.name

    def __init__(self, drug: str = "ganciclovir", **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        rows = [self._declared(DOSE.field(name)) for name in ("drug", "phase", "regimen", "formulation")]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, "drug": drug, **presets})


def dose_calculator(drug: str = "ganciclovir", **presets: Any) -> Calculator:
    """The dose calculator for ``drug``: "ganciclovir" or "valganciclovir" (one calculator, a drug toggle);
    "foscarnet" and "cidofovir" return their own calculators."""
    if drug == "foscarnet":
        from .foscarnet import FoscarnetCalculator
        return FoscarnetCalculator(**presets)
    if drug == "cidofovir":
        from .cidofovir import CidofovirCalculator
        return CidofovirCalculator(**presets)
    return DoseCalculator(drug, **presets)
