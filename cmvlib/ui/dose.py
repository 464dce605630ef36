"""Ganciclovir and valganciclovir dose calculator (label tables by creatinine clearance)."""
from __future__ import annotations

from typing import Any

from .. import dosing
from ._base import Calculator
from .patient_form import PatientForm
from .render import render_dose

DEFAULT_SCENARIO = "issue-example"
DRUGS = (("ganciclovir (IV)", "ganciclovir"), ("valganciclovir (oral)", "valganciclovir"))
PHASES = (("induction", "induction"), ("maintenance", "maintenance"))
GANCICLOVIR_MAINTENANCE = (("daily", "daily"), ("5 days a week", "5-days-a-week"))
FORMULATIONS = (("tablet", "tablet"), ("oral solution", "oral_solution"))


class DoseCalculator(Calculator):
    """Ganciclovir (IV) or valganciclovir (oral) for induction or maintenance, by renal function.

    Presets: patient fields, ``drug``, ``phase``, ``regimen`` (ganciclovir maintenance: ``daily`` or
    ``5-days-a-week``), ``formulation`` (valganciclovir: ``tablet`` or ``oral_solution``), ``scenario``.
    """

    TITLE = "Ganciclovir and valganciclovir dose"

    def __init__(self, drug: str = "ganciclovir", **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        rows = [self._toggle("drug", "Drug", DRUGS), self._toggle("phase", "Phase", PHASES),
                self._toggle("regimen", "Maintenance schedule", GANCICLOVIR_MAINTENANCE),
                self._toggle("formulation", "Formulation", FORMULATIONS)]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, "drug": drug, **presets})

    def compute(self) -> str:
        drug, phase = self.fields["drug"].value, self.fields["phase"].value
        self.show_row("regimen", drug == "ganciclovir" and phase == "maintenance")
        self.show_row("formulation", drug == "valganciclovir")
        options = ({"regimen": self.fields["regimen"].value} if drug == "ganciclovir" and phase == "maintenance"
                   else {"formulation": self.fields["formulation"].value} if drug == "valganciclovir" else {})
        patient = self.form.patient()
        return render_dose(dosing.dose(drug, phase, patient, weight_basis=self.form.weight_basis, **options))


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
