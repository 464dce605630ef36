"""The foscarnet calculator, declared once: the label's mL/min/kg table for both regimens of the chosen phase,
with saline hydration (and the pre-hydration volume of a first infusion).

>>> out = FOSCARNET.evaluate({"age_years": "60", "sex": "male", "weight_kg": "70", "measured_crcl_ml_min": "35",
...                           "induction_regimen": "90q12h"})
>>> "mg/kg" in out.html, out.hidden
(True, ('maintenance_regimen',))
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import dosing
from ..errors import InputError
from ..patient import Patient
from ..ui.render import render_dose
from .declare import Declaration, Field, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs

PHASE = Field("phase", "Phase", "choice", options=(("induction", "induction"), ("maintenance", "maintenance")),
              default="induction", widget="toggle")
INDUCTION = Field("induction_regimen", "Induction regimen", "choice", widget="toggle", default="60q8h",
                  options=(("60 mg/kg every 8 h", "60q8h"), ("90 mg/kg every 12 h", "90q12h")))
MAINTENANCE = Field("maintenance_regimen", "Maintenance regimen", "choice", widget="toggle", default="90",
                    options=(("90 mg/kg/day", "90"), ("120 mg/kg/day", "120")))
FIRST_INFUSION = Field("first_infusion", "First infusion (add the pre-hydration volume)", "flag", default="false")


def compute(read: Mapping[str, Any]) -> str:
    phase = read["phase"]
    patient = Patient(**patient_kwargs(read))
    try:
        result = dosing.dose("foscarnet", phase, patient, weight_basis=read["weight_basis"],
                             regimen=read[f"{phase}_regimen"], first_infusion=read["first_infusion"])
    except InputError as err:
        if err.field == "regimen":
            raise InputError(f"{phase}_regimen", err.problem) from None
        raise
    return render_dose(result)


def hidden(values: Mapping[str, Any]) -> set[str]:
    return {"maintenance_regimen" if FOSCARNET.choice(values, "phase") == "induction" else "induction_regimen"}


FOSCARNET = register(Declaration(
    name="foscarnet",
    title="Foscarnet dose and hydration",
    fields=(PHASE, INDUCTION, MAINTENANCE, FIRST_INFUSION, *patient_fields()),
    compute=compute,
    hidden=hidden,
    adjust=creatinine_unit_change,
    scenario="foscarnet-teaching",
))
