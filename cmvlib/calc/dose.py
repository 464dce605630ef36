"""The ganciclovir (IV) and valganciclovir (oral) dose calculator, declared once: the label tables by
creatinine clearance (:func:`cmvlib.dose`), with the maintenance schedule shown only for ganciclovir
maintenance and the formulation only for valganciclovir.

>>> out = DOSE.evaluate({"age_years": "68", "sex": "male", "weight_kg": "70", "serum_creatinine": "1.01"})
>>> "2.5 mg/kg" in out.html, out.hidden
(True, ('regimen', 'formulation'))
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import dosing
from ..patient import Patient
from ..ui.render import render_dose
from .declare import Declaration, Field, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs

DRUG = Field("drug", "Drug", "choice", options=(("ganciclovir (IV)", "ganciclovir"), ("valganciclovir (oral)", "valganciclovir")),
             default="ganciclovir", widget="toggle")
PHASE = Field("phase", "Phase", "choice", options=(("induction", "induction"), ("maintenance", "maintenance")),
              default="induction", widget="toggle")
SCHEDULE = Field("regimen", "Maintenance schedule", "choice", options=(("daily", "daily"), ("5 days a week", "5-days-a-week")),
                 default="daily", widget="toggle")
FORMULATION = Field("formulation", "Formulation", "choice", options=(("tablet", "tablet"), ("oral solution", "oral_solution")),
                    default="tablet", widget="toggle")


def options(read: Mapping[str, Any]) -> dict[str, str]:
    """The regimen or formulation option that applies to the drug and phase."""
    if read["drug"] == "ganciclovir" and read["phase"] == "maintenance":
        return {"regimen": read["regimen"]}
    return {"formulation": read["formulation"]} if read["drug"] == "valganciclovir" else {}


def compute(read: Mapping[str, Any]) -> str:
    patient = Patient(**patient_kwargs(read))
    return render_dose(dosing.dose(read["drug"], read["phase"], patient, weight_basis=read["weight_basis"],
                                   **options(read)))


def hidden(values: Mapping[str, Any]) -> set[str]:
    drug, phase = DOSE.choice(values, "drug"), DOSE.choice(values, "phase")
    return ({"regimen"} if not (drug == "ganciclovir" and phase == "maintenance") else set()) | (
        {"formulation"} if drug != "valganciclovir" else set())


DOSE = register(Declaration(
    name="dose",
    title="Ganciclovir and valganciclovir dose",
    fields=(DRUG, PHASE, SCHEDULE, FORMULATION, *patient_fields()),
    compute=compute,
    hidden=hidden,
    adjust=creatinine_unit_change,
    scenario="issue-example",
))
