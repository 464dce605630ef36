"""The adjunct immunoglobulin calculator for CMV pneumonitis, declared once: each sourced regimen computed for
the patient (:func:`cmvlib.immunoglobulin_for_pneumonitis`). The patient needs a creatinine (or hemodialysis)
because every cmvlib patient does; it does not change the immunoglobulin dose.

>>> out = IMMUNOGLOBULIN.evaluate({"age_years": "50", "sex": "male", "weight_kg": "70", "serum_creatinine": "1.0"})
>>> " g" in out.html, out.errors
(True, {})
"""
from __future__ import annotations

from ..immunoglobulin import immunoglobulin_for_pneumonitis
from ..patient import Patient
from ..ui.render import render_immunoglobulin
from .declare import Declaration, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs

IMMUNOGLOBULIN = register(Declaration(
    name="immunoglobulin",
    title="Immunoglobulin for CMV pneumonitis (adjunct)",
    fields=patient_fields(weight_basis=False),
    compute=lambda read: render_immunoglobulin(immunoglobulin_for_pneumonitis(Patient(**patient_kwargs(read)))),
    adjust=creatinine_unit_change,
    scenario="hsct-pneumonitis",
))
