"""The patient inputs every dosing calculator shares, declared once (standard library only).

:class:`cmvlib.ui.PatientForm` builds its widgets from these fields; a calculator's declaration lists the
ones it shows. :func:`patient_kwargs` turns the read values into :class:`cmvlib.Patient` keyword
arguments (the creatinine text goes to ``serum_creatinine_mg_dl`` or ``serum_creatinine_umol_l`` by the
unit toggle), and :func:`creatinine_unit_change` converts the typed creatinine when the unit is toggled
(1 mg/dL = 88.4 µmol/L, from ``data/renal.csv``).

>>> kw = patient_kwargs({"age_years": "68", "sex": "male", "weight_kg": "70", "height_cm": None,
...                      "serum_creatinine": "89.3", "creatinine_unit": "umol/L",
...                      "measured_crcl_ml_min": None, "on_hemodialysis": False})
>>> kw["serum_creatinine_umol_l"], "serum_creatinine_mg_dl" in kw
('89.3', False)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..patient import LIMITS, constant, round_half_up
from .declare import Field

UNITS = (("mg/dL", "mg/dL"), ("µmol/L", "umol/L"))
WEIGHT_BASES = (("actual body weight", "actual"), ("ideal body weight (Devine; needs height)", "ideal"),
                ("adjusted body weight (needs height)", "adjusted"))


def _limits(name: str) -> tuple[float, float]:
    lo, hi, _unit = LIMITS[name]
    return (lo, hi)


AGE = Field("age_years", "Age", "number", unit="years", hint="adult, 18 or over", limits=_limits("age_years"))
SEX = Field("sex", "Sex", "choice", options=(("male", "male"), ("female", "female")), default="male",
            widget="toggle")
WEIGHT = Field("weight_kg", "Weight", "number", unit="kg", limits=_limits("weight_kg"))
HEIGHT = Field("height_cm", "Height", "number", unit="cm", hint="needed for ideal or adjusted weight",
               optional=True, limits=_limits("height_cm"))
CREATININE = Field("serum_creatinine", "Serum creatinine", "number", unit="mg/dL", optional=True,
                   limits=_limits("serum_creatinine_mg_dl"),
                   aliases=("serum_creatinine_mg_dl", "serum_creatinine_umol_l", "creatinine_unit"))
CREATININE_UNIT = Field("creatinine_unit", "Creatinine unit", "choice", options=UNITS, default="mg/dL",
                        widget="toggle", prompt="Unit", tooltips=("milligrams per decilitre", "micromoles per litre"))
MEASURED_CRCL = Field("measured_crcl_ml_min", "Measured CrCl, optional", "number", unit="mL/min",
                      hint="leave empty to estimate", optional=True, limits=_limits("measured_crcl_ml_min"))
HEMODIALYSIS = Field("on_hemodialysis", "On hemodialysis", "flag", default="false")
URINE_PROTEIN = Field("urine_protein_mg_dl", "Urine protein", "number", unit="mg/dL", optional=True,
                      limits=_limits("urine_protein_mg_dl"))
WEIGHT_BASIS = Field("weight_basis", "Weight used for dosing", "choice", options=WEIGHT_BASES, default="actual",
                     widget="dropdown")

#: Every patient field, in the form's order.
ALL = (AGE, SEX, WEIGHT, HEIGHT, CREATININE, CREATININE_UNIT, MEASURED_CRCL, HEMODIALYSIS, URINE_PROTEIN,
       WEIGHT_BASIS)


def patient_fields(*, urine_protein: bool = False, weight_basis: bool = True) -> tuple[Field, ...]:
    """The patient fields a calculator shows (urine protein for cidofovir; the weight basis where it
    matters)."""
    return tuple(f for f in ALL if (f is not URINE_PROTEIN or urine_protein) and (f is not WEIGHT_BASIS or weight_basis))


def unit_label(unit: str) -> str:
    """``"umol/L"`` -> ``"µmol/L"``."""
    return dict((v, k) for k, v in UNITS)[unit]


def creatinine_description(unit: str) -> str:
    """The creatinine box's visible text for ``unit``.

    >>> creatinine_description("umol/L")
    'Serum creatinine (µmol/L)'
    """
    return f"{CREATININE.label} ({unit_label(unit)})"


def convert_creatinine(text: str, to_unit: str) -> str:
    """The typed creatinine ``text`` converted to ``to_unit`` ("mg/dL" or "umol/L"); text that is not a
    positive number is returned unchanged (the patient check then explains it).

    µmol/L are shown to 0.1 and mg/dL to 0.01 (the precision of a laboratory report).

    >>> convert_creatinine("1", "umol/L"), convert_creatinine("88.4", "mg/dL"), convert_creatinine("abc", "mg/dL")
    ('88.4', '1', 'abc')
    """
    try:
        x = float(text.strip().replace(",", "."))
    except ValueError:
        return text
    if not (x > 0 and x < float("inf")):
        return text
    factor = constant("scr_umol_per_mg_dl")
    value = round_half_up(x * factor, 1) if to_unit == "umol/L" else round_half_up(x / factor, 2)
    return f"{value:g}"


def creatinine_unit_change(values: Mapping[str, str], previous: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """When the unit toggle changed and the creatinine text did not, the text converted to the new unit and
    the box's new description (an ``adjust`` of :class:`~cmvlib.calc.Declaration`).

    >>> creatinine_unit_change({"creatinine_unit": "µmol/L", "serum_creatinine": "1"},
    ...                        {"creatinine_unit": "mg/dL", "serum_creatinine": "1"})
    {'serum_creatinine': {'value': '88.4', 'description': 'Serum creatinine (µmol/L)'}}
    >>> creatinine_unit_change({"creatinine_unit": "mg/dL", "serum_creatinine": "1"},
    ...                        {"creatinine_unit": "mg/dL", "serum_creatinine": "2"})
    {}
    """
    try:
        new = CREATININE_UNIT.read(values.get("creatinine_unit", CREATININE_UNIT.default))
        old = CREATININE_UNIT.read(previous.get("creatinine_unit", CREATININE_UNIT.default))
    except ValueError:
        return {}          # the declaration's read explains a bad unit
    text = str(values.get("serum_creatinine", ""))
    if new == old or text != str(previous.get("serum_creatinine", "")):
        return {}
    return {"serum_creatinine": {"value": convert_creatinine(text, new), "description": creatinine_description(new)}}


def patient_kwargs(read: Mapping[str, Any]) -> dict[str, Any]:
    """:class:`cmvlib.Patient` keyword arguments from read patient fields (text as typed; ``None`` for an
    empty optional box). Fields a calculator does not show are left out."""
    scr_key = "serum_creatinine_mg_dl" if read.get("creatinine_unit", "mg/dL") == "mg/dL" else "serum_creatinine_umol_l"
    out: dict[str, Any] = {name: read[name] for name in ("age_years", "sex", "weight_kg", "height_cm",
                                                         "measured_crcl_ml_min", "on_hemodialysis",
                                                         "urine_protein_mg_dl") if name in read}
    out[scr_key] = read.get("serum_creatinine")
    return out
