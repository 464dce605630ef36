"""Cidofovir calculator: start criteria, dose, the rule on a creatinine rise, and the probenecid clock."""
from __future__ import annotations

from typing import Any

from .. import dosing
from ..cidofovir import cidofovir_schedule, eligibility_problems
from ._base import Calculator, optional
from .patient_form import PatientForm
from .render import render_dose, render_eligibility, render_schedule

DEFAULT_SCENARIO = "hiv-retinitis"
PHASES = (("induction", "induction"), ("maintenance", "maintenance"))


class CidofovirCalculator(Calculator):
    """Cidofovir: whether the label's start criteria are met, the dose (reduced or withheld after a
    creatinine rise when a baseline is given) and the day's probenecid and saline schedule.

    Presets: patient fields (including ``urine_protein_mg_dl``), ``phase``,
    ``baseline_serum_creatinine_mg_dl`` (the value before treatment; empty before the first dose),
    ``infusion_start`` (``"10:00"``), ``scenario``.
    """

    TITLE = "Cidofovir dose and probenecid schedule"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm(urine_protein=True)
        self._adopt(self.form)
        rows = [self._toggle("phase", "Phase", PHASES),
                self._text("baseline_serum_creatinine_mg_dl", "Baseline serum creatinine, during therapy only",
                           "mg/dL", "empty before the first dose"),
                self._text("infusion_start", "Infusion starts at", "24-h clock", "e.g. 10:00", value="10:00")]
        self._finish([self.form, *rows], {"scenario": DEFAULT_SCENARIO, **presets})

    def compute(self) -> str:
        patient = self.form.patient()
        basis = self.form.weight_basis
        problems = eligibility_problems(patient, patient.renal_function(basis))
        result = dosing.dose("cidofovir", self.fields["phase"].value, patient, weight_basis=basis,
                             baseline_serum_creatinine_mg_dl=optional(
                                 self.fields["baseline_serum_creatinine_mg_dl"].value))
        schedule = cidofovir_schedule(self.fields["infusion_start"].value)
        html = render_dose(result) + render_eligibility(problems)
        if result.recommended:
            html += render_schedule(schedule)
        return html


def cidofovir_calculator(**presets: Any) -> CidofovirCalculator:
    """The cidofovir calculator (``cidofovir_calculator(infusion_start="09:30")``)."""
    return CidofovirCalculator(**presets)
