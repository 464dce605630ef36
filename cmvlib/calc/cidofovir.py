"""The cidofovir calculator, declared once: the label's start criteria, the dose (reduced or withheld after a
creatinine rise when a baseline is given) and the day's probenecid and saline schedule.

>>> out = CIDOFOVIR.evaluate({"age_years": "45", "sex": "male", "weight_kg": "70", "serum_creatinine": "0.9",
...                           "urine_protein_mg_dl": "30"})
>>> "5 mg/kg" in out.html, "Probenecid" in out.html
(True, True)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import dosing
from ..cidofovir import cidofovir_schedule, eligibility_problems
from ..patient import Patient
from ..ui.render import render_dose, render_eligibility, render_schedule
from .declare import Declaration, Field, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs

PHASE = Field("phase", "Phase", "choice", options=(("induction", "induction"), ("maintenance", "maintenance")),
              default="induction", widget="toggle")
BASELINE = Field("baseline_serum_creatinine_mg_dl", "Baseline serum creatinine, during therapy only", unit="mg/dL",
                 hint="empty before the first dose", optional=True)
START = Field("infusion_start", "Infusion starts at", "text", unit="24-h clock", hint="e.g. 10:00", default="10:00")


def compute(read: Mapping[str, Any]) -> str:
    patient = Patient(**patient_kwargs(read))
    basis = read["weight_basis"]
    problems = eligibility_problems(patient, patient.renal_function(basis))
    result = dosing.dose("cidofovir", read["phase"], patient, weight_basis=basis,
                         baseline_serum_creatinine_mg_dl=read["baseline_serum_creatinine_mg_dl"])
    schedule = cidofovir_schedule(read["infusion_start"])
    html = render_dose(result) + render_eligibility(problems)
    return html + render_schedule(schedule) if result.recommended else html


CIDOFOVIR = register(Declaration(
    name="cidofovir",
    title="Cidofovir dose and probenecid schedule",
    fields=(*patient_fields(urine_protein=True), PHASE, BASELINE, START),
    compute=compute,
    adjust=creatinine_unit_change,
    scenario="hiv-retinitis",
))
