"""The maribavir calculator, declared once: the label's fixed dose, changed or withheld by the co-medications
ticked (one box per drug of the label's interaction table, in :func:`cmvlib.dosing.maribavir_co_medications`)
or typed.

>>> out = MARIBAVIR.evaluate({"age_years": "50", "sex": "male", "weight_kg": "70", "serum_creatinine": "1.0",
...                           "takes_carbamazepine": "true"})
>>> "800 mg" in out.html
True
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import dosing
from ..errors import InputError
from ..patient import Patient
from ..ui.render import render_dose
from .declare import Declaration, Field, register
from .patient_fields import creatinine_unit_change, patient_fields, patient_kwargs

#: Heading of each group of co-medication boxes, by the label table's action.
GROUPS = (("dose", "Change the maribavir dose (label)"),
          ("avoid", "Not recommended with maribavir (label)"),
          ("monitor", "Levels raised by maribavir: monitor (label)"))


def box_name(drug: str) -> str:
    """The field name of a co-medication's box.

    >>> box_name("st john's wort")
    'takes_st_john_s_wort'
    """
    return "takes_" + re.sub(r"[^a-z0-9]+", "_", drug.lower()).strip("_")


def split_names(value: object) -> list[str]:
    """Drug names from text separated by commas, semicolons or lines (or from a list of names).

    >>> split_names("tacrolimus, Phenytoin;\\n"), split_names(["aspirin"])
    (['tacrolimus', 'Phenytoin'], ['aspirin'])
    """
    if isinstance(value, str):
        return [n.strip() for n in re.split(r"[,;\n]", value) if n.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(n, str) for n in value):
        return [n.strip() for n in value if n.strip()]
    raise InputError("co_medications", f"must be drug names separated by commas (got {value!r})")


#: One box per drug of the label table: (field, drug name, label action).
BOXES = tuple((Field(box_name(drug), drug, "flag", default="false"), drug, action)
              for drug, action in dosing.maribavir_co_medications())
OTHER = Field("other_co_medications", "Other co-medications", "text", unit="comma-separated",
              hint="e.g. aspirin, omeprazole", aliases=("co_medications",))


def co_medications(read: Mapping[str, Any]) -> list[str]:
    """The ticked drugs, then the typed ones."""
    return [drug for f, drug, _ in BOXES if read[f.name]] + split_names(read["other_co_medications"])


def compute(read: Mapping[str, Any]) -> str:
    meds = co_medications(read)
    return render_dose(dosing.dose("maribavir", "treatment", Patient(**patient_kwargs(read)), co_medications=meds))


MARIBAVIR = register(Declaration(
    name="maribavir",
    title="Maribavir dose and interactions",
    fields=(*patient_fields(weight_basis=False), *(f for f, _, _ in BOXES), OTHER),
    compute=compute,
    adjust=creatinine_unit_change,
    scenario="issue-example",
))
