"""Named example patients shared by docstrings, chapters, apps, quizzes and tests (and instructor presets).

>>> from cmvlib.examples import patient, NAMES
>>> patient("hemodialysis").on_hemodialysis
True
>>> "band-edge-70" in NAMES
True
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

from .errors import InputError
from .patient import Patient

_EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "normal-renal": ("A 45-year-old man, 75 kg, creatinine 0.9 mg/dL: normal renal function.",
                     dict(age_years=45, sex="male", weight_kg=75, height_cm=178, serum_creatinine_mg_dl=0.9,
                          urine_protein_mg_dl=20)),
    "issue-example": ("A 68-year-old man, 70 kg, creatinine 1.01 mg/dL (CrCl 69.3 mL/min, just under 70).",
                      dict(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)),
    "band-edge-70": ("A 68-year-old man, 70 kg, creatinine 1.0 mg/dL: CrCl exactly 70 mL/min.",
                     dict(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.0)),
    "hemodialysis": ("A 58-year-old woman, 64 kg, kidney recipient back on hemodialysis.",
                     dict(age_years=58, sex="female", weight_kg=64, height_cm=163, on_hemodialysis=True)),
    "hiv-retinitis": ("A 34-year-old man with AIDS and CMV retinitis, 62 kg, creatinine 0.8 mg/dL.",
                      dict(age_years=34, sex="male", weight_kg=62, height_cm=175, serum_creatinine_mg_dl=0.8,
                           urine_protein_mg_dl=15)),
    "hsct-pneumonitis": ("A 52-year-old woman after allogeneic HSCT with CMV pneumonitis, 70 kg, 165 cm, "
                         "creatinine 1.1 mg/dL.",
                         dict(age_years=52, sex="female", weight_kg=70, height_cm=165, serum_creatinine_mg_dl=1.1)),
    "foscarnet-teaching": ("A 40-year-old man, 80 kg, creatinine 1.0 mg/dL: normal creatinine, yet 1.39 "
                           "mL/min/kg puts him in a reduced foscarnet band.",
                           dict(age_years=40, sex="male", weight_kg=80, serum_creatinine_mg_dl=1.0)),
    "obese": ("A 50-year-old man, 130 kg, 175 cm, creatinine 1.2 mg/dL: the weight choice changes the band.",
              dict(age_years=50, sex="male", weight_kg=130, height_cm=175, serum_creatinine_mg_dl=1.2)),
    "declining-renal": ("A 63-year-old man, 82 kg, whose creatinine rises from 1.0 to 2.1 mg/dL mid-course "
                        "(this is the starting value).",
                        dict(age_years=63, sex="male", weight_kg=82, height_cm=180, serum_creatinine_mg_dl=1.0,
                             urine_protein_mg_dl=20)),
}

#: The example names, in display order.
NAMES: tuple[str, ...] = tuple(_EXAMPLES)
#: One line describing each example.
DESCRIPTIONS = MappingProxyType({k: v[0] for k, v in _EXAMPLES.items()})


def inputs(name: str) -> dict[str, Any]:
    """The keyword arguments of example ``name`` (a fresh dict a widget or preset can edit)."""
    if name not in _EXAMPLES:
        raise InputError("scenario", f"unknown example {name!r}; choose one of {', '.join(NAMES)}")
    return dict(_EXAMPLES[name][1])


def patient(name: str, **changes: Any) -> Patient:
    """Example patient ``name``, optionally with some inputs changed."""
    return Patient(**{**inputs(name), **changes})
