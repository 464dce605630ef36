"""The IV-to-oral switch calculator, declared once: may IV ganciclovir become oral valganciclovir (the switch
criteria of :func:`cmvlib.regimen.switch_to_oral`), and if so at which treatment dose for the renal function.

>>> out = SWITCH.evaluate({"age_years": "68", "sex": "male", "weight_kg": "70", "serum_creatinine": "1.01"})
>>> "900 mg" in out.html or "450 mg" in out.html
True
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import dosing
from ..patient import Patient
from ..regimen import switch_to_oral
from ..ui.render import render_decision, render_dose
from .declare import Declaration, Field, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs

DAYS = Field("days_of_iv", "IV ganciclovir given for", unit="days", default="4")
IMPROVING = Field("improving", "Clinically improving", "flag", default="true")
ABSORBING = Field("absorbing", "Oral absorption adequate (eating, no severe diarrhea)", "flag", default="true")
SEVERE = Field("severe", "Disease still severe or life-threatening", "flag", default="false")


def compute(read: Mapping[str, Any]) -> str:
    decision = switch_to_oral(read["days_of_iv"], improving=read["improving"], absorbing=read["absorbing"],
                              severe=read["severe"])
    patient = Patient(**patient_kwargs(read))
    html = render_decision(decision)
    if decision.ok:
        result = dosing.dose("valganciclovir", "induction", patient, weight_basis=read["weight_basis"])
        html += ("<p><strong>Oral valganciclovir at the treatment (induction) dose for this renal function:"
                 "</strong></p>" + render_dose(result))
    return html


SWITCH = register(Declaration(
    name="switch",
    title="Switch from IV ganciclovir to oral valganciclovir",
    fields=(DAYS, IMPROVING, ABSORBING, SEVERE, *patient_fields()),
    compute=compute,
    adjust=creatinine_unit_change,
    scenario="issue-example",
))
