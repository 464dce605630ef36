"""Cidofovir calculator: the ipywidgets binding of :data:`cmvlib.calc.cidofovir.CIDOFOVIR` (start criteria,
dose, the rule on a creatinine rise, and the probenecid clock)."""
from __future__ import annotations

from typing import Any

from ..calc.cidofovir import CIDOFOVIR
from ._base import Calculator
from .patient_form import PatientForm

DEFAULT_SCENARIO = CIDOFOVIR.scenario


class CidofovirCalculator(Calculator):
    """Cidofovir: whether the label's start criteria are met, the dose (reduced or withheld after a
    creatinine rise when a baseline is given) and the day's probenecid and saline schedule.

    Presets: patient fields (including ``urine_protein_mg_dl``), ``phase``,
    ``baseline_serum_creatinine_mg_dl`` (the value before treatment; empty before the first dose),
    ``infusion_start`` (``"10:00"``), ``scenario``.
    """

    TITLE = CIDOFOVIR.title
    DECLARATION = CIDOFOVIR.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm(urine_protein=True)
        self._adopt(self.form)
        rows = [self._declared(CIDOFOVIR.field(n)) for n in ("phase", "baseline_serum_creatinine_mg_dl", "infusion_start")]
        self._finish([self.form, *rows], {"scenario": DEFAULT_SCENARIO, **presets})


def cidofovir_calculator(**presets: Any) -> CidofovirCalculator:
    """The cidofovir calculator (``cidofovir_calculator(infusion_start="09:30")``)."""
    return CidofovirCalculator(**presets)
