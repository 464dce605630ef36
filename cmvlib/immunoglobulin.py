"""Adjunct immunoglobulin for CMV pneumonitis (``data/immunoglobulin.csv``).

Only regimens read in a source are computed: Reed 1988 (CMV immunoglobulin with ganciclovir after bone
marrow transplant) and the Ontario IVIG guideline (allogeneic HSCT). Evidence is uncontrolled series only.
The guideline summary's "every other day for 3 to 5 doses" was not found in any source, so it is not computed.

>>> from cmvlib.patient import Patient
>>> regs = immunoglobulin_for_pneumonitis(Patient(age_years=45, sex="male", weight_kg=80, serum_creatinine_mg_dl=1))
>>> [(d.day, d.grams) for d in regs[0].doses]
[(1, 32.0), (2, 32.0), (7, 32.0), (14, 16.0)]
>>> regs[1].available, regs[1].reason
(False, 'height_cm: is needed for adjusted body weight: enter height in cm, or use actual body weight')
"""
from __future__ import annotations

from dataclasses import dataclass

from . import _data
from .errors import InputError
from .patient import Patient, round_half_up
from .sources import cite


@dataclass(frozen=True)
class IgDose:
    """One immunoglobulin dose: treatment day, mg/kg, the weight used and grams."""

    day: int
    mg_per_kg: float
    weight_kg: float
    grams: float


@dataclass(frozen=True)
class IgRegimen:
    """A sourced immunoglobulin regimen for this patient (``available=False`` with the reason if it cannot
    be computed, e.g. adjusted weight without a height)."""

    id: str
    product: str
    weight_basis: str
    available: bool
    doses: tuple[IgDose, ...]
    note: str
    reason: str
    source: str
    evidence: str = "Uncontrolled case series and historical comparisons; no randomized trial found."


def immunoglobulin_for_pneumonitis(patient: Patient) -> tuple[IgRegimen, ...]:
    """The sourced adjunct immunoglobulin regimens, computed for ``patient``."""
    if not isinstance(patient, Patient):
        raise InputError("patient", "must be a cmvlib.Patient")
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in _data.table("immunoglobulin"):
        by_id.setdefault(row["regimen"], []).append(row)
    out = []
    for rid, rows in by_id.items():
        first = rows[0]
        basis = first["weight_basis"]
        source = cite(first["source"], first["detail"].split(":")[0])
        note = " ".join(r["note"] for r in rows if r["note"])
        try:
            weight = patient.dosing_weight(basis)
        except InputError as e:
            out.append(IgRegimen(rid, first["product"], basis, False, (), note, str(e), source))
            continue
        doses = tuple(IgDose(int(r["day"]), float(r["mg_per_kg"]), weight.kg,
                             round_half_up(float(r["mg_per_kg"]) * weight.kg / 1000, 2)) for r in rows)
        reason = "; ".join(f"day {d.day}: {d.mg_per_kg:g} mg/kg × {weight.text} = {d.grams:g} g" for d in doses)
        out.append(IgRegimen(rid, first["product"], basis, True, doses, note,
                             f"{weight.formula}. {reason}.", source))
    return tuple(out)
