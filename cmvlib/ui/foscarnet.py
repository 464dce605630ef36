"""Foscarnet dose calculator: the label's mL/min/kg table, both regimens, and hydration."""
from __future__ import annotations

from typing import Any

from .. import dosing
from ..errors import InputError
from ._base import Calculator
from .patient_form import PatientForm
from .render import render_dose

DEFAULT_SCENARIO = "foscarnet-teaching"
PHASES = (("induction", "induction"), ("maintenance", "maintenance"))
INDUCTION = (("60 mg/kg every 8 h", "60q8h"), ("90 mg/kg every 12 h", "90q12h"))
MAINTENANCE = (("90 mg/kg/day", "90"), ("120 mg/kg/day", "120"))


class FoscarnetCalculator(Calculator):
    """Foscarnet induction or maintenance by clearance per kilogram, with saline hydration (and the
    extra volume before the first infusion when ticked).

    Presets: patient fields, ``phase``, ``regimen`` (``60q8h``/``90q12h`` in induction, ``90``/``120``
    in maintenance; also ``induction_regimen``/``maintenance_regimen``), ``first_infusion``, ``scenario``.
    """

    TITLE = "Foscarnet dose and hydration"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm()
        self._adopt(self.form)
        rows = [self._toggle("phase", "Phase", PHASES),
                self._toggle("induction_regimen", "Induction regimen", INDUCTION),
                self._toggle("maintenance_regimen", "Maintenance regimen", MAINTENANCE),
                self._checkbox("first_infusion", "First infusion (add the pre-hydration volume)")]
        self._finish([*rows, self.form], {"scenario": DEFAULT_SCENARIO, **presets})

    def accepts(self, name: str) -> bool:
        return name == "regimen" or super().accepts(name)

    def apply_value(self, name: str, value: object) -> None:
        if name == "regimen":
            for field, options in (("induction_regimen", INDUCTION), ("maintenance_regimen", MAINTENANCE)):
                if any(str(value).strip().lower() in (v.lower(), t.lower()) for t, v in options):
                    return super().apply_value(field, value)
            raise InputError("regimen", f"must be one of: {', '.join(v for _, v in INDUCTION + MAINTENANCE)} "
                                        f"(got {value!r})")
        super().apply_value(name, value)

    def field_for(self, core_field: str | None) -> str | None:
        if core_field == "regimen":
            return f"{self.fields['phase'].value}_regimen"
        return super().field_for(core_field)

    def compute(self) -> str:
        phase = self.fields["phase"].value
        self.show_row("induction_regimen", phase == "induction")
        self.show_row("maintenance_regimen", phase == "maintenance")
        regimen = self.fields[f"{phase}_regimen"].value
        patient = self.form.patient()
        return render_dose(dosing.dose("foscarnet", phase, patient, weight_basis=self.form.weight_basis,
                                       regimen=regimen, first_infusion=self.fields["first_infusion"].value))


def foscarnet_calculator(**presets: Any) -> FoscarnetCalculator:
    """The foscarnet calculator (``foscarnet_calculator(regimen="90q12h", first_infusion=True)``)."""
    return FoscarnetCalculator(**presets)
