"""The renal-function calculator, declared once: Cockcroft–Gault with the weight choice and the
mg/dL ↔ µmol/L toggle (:class:`cmvlib.ui.RenalCalculator` and the static page both use it).

>>> out = RENAL.evaluate({"age_years": "68", "sex": "male", "weight_kg": "70", "serum_creatinine": "1.01"})
>>> "69.3 mL/min" in out.html, out.errors
(True, {})
>>> bad = RENAL.evaluate({"age_years": "68", "sex": "male", "weight_kg": "900", "serum_creatinine": "1.01"})
>>> list(bad.errors), "No result" in bad.html, "mL/min" in bad.html
(['weight_kg'], True, False)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..patient import Patient
from ..ui.render import render_renal
from .declare import Declaration, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs


def compute(read: Mapping[str, Any]) -> str:
    """Creatinine clearance (mL/min and mL/min/kg) with the formula and weight used."""
    return render_renal(Patient(**patient_kwargs(read)).renal_function(read["weight_basis"]))


RENAL = register(Declaration(
    name="renal",
    title="Renal function (Cockcroft–Gault)",
    fields=patient_fields(urine_protein=False, weight_basis=True),
    compute=compute,
    adjust=creatinine_unit_change,
    scenario="issue-example",
))
