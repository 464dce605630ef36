"""Foscarnet dose calculator: the ipywidgets binding of :data:`cmvlib.calc.foscarnet.FOSCARNET` (the label's
mL/min/kg table, both regimens, and hydration)."""
from __future__ import annotations

from typing import Any

from ..calc.foscarnet import FOSCARNET
from ..errors import InputError
from ._base import Calculator
from .patient_form import PatientForm

DEFAULT_SCENARIO = FOSCARNET.scenario
REGIMENS = ("induction_regimen", "maintenance_regimen")


class FoscarnetCalculator(Calculator):
    """Foscarnet induction or maintenance by clearance per kilogram, with saline hydration (and the
    extra volume before the first infusion when ticked).

    Presets: patient fields, ``phase``, ``regimen`` (``60q8h``/``90q12h`` in induction, ``90``/``120``
    in maintenance; also ``induction_regimen``/``maintenance_regimen``), ``first_infusion``, ``scenario``.
    """

    TITLE = FOSCARNET.title
    DECLARATION = FOSCARNET.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        rows = [self._declared(FOSCARNET.field(n)) for n in ("phase", *REGIMENS, "first_infusion")]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, **presets})

    def accepts(self, name: str) -> bool:
        return name == "regimen" or super().accepts(name)

    def apply_value(self, name: str, value: object) -> None:
        """``regimen=`` sets whichever phase's regimen offers that value."""
        if name == "regimen":
            for field in map(FOSCARNET.field, REGIMENS):
                if any(str(value).strip().lower() in (v.lower(), t.lower()) for t, v in field.options):
                    return super().apply_value(field.name, value)
            raise InputError("regimen", "must be one of: " + ", ".join(
                v for f in map(FOSCARNET.field, REGIMENS) for _, v in f.options) + f" (got {value!r})")
        super().apply_value(name, value)

    def field_for(self, core_field: str | None) -> str | None:
        if core_field == "regimen":
            return f"{self.fields['phase'].value}_regimen"
        return super().field_for(core_field)


def foscarnet_calculator(**presets: Any) -> FoscarnetCalculator:
    """The foscarnet calculator (``foscarnet_calculator(regimen="90q12h", first_infusion=True)``)."""
    return FoscarnetCalculator(**presets)
