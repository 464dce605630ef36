"""The patient inputs every dosing calculator shares (ipywidgets binding of
:mod:`cmvlib.calc.patient_fields`, where each field's name, label, unit and limits are declared once).

:class:`PatientForm` collects age, sex, weight, height, serum creatinine (with an mg/dL ↔ µmol/L
toggle that converts the typed value, 1 mg/dL = 88.4 µmol/L from ``data/renal.csv``), an optional
measured creatinine clearance, hemodialysis, urine protein (cidofovir only) and the weight basis.
Each field has a visible label with its unit and one error label next to it. The form does not
validate anything itself: :meth:`PatientForm.patient` hands the typed text to
:class:`cmvlib.Patient`, whose :class:`~cmvlib.errors.InputError` names the field to mark.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..calc import patient_fields as pf
from ..calc.patient_fields import UNITS, WEIGHT_BASES, convert_creatinine, creatinine_description
from ..patient import Patient
from ._base import FieldSet, text_value

__all__ = ["UNITS", "WEIGHT_BASES", "PatientForm", "convert_creatinine"]
_CREATININE_KEYS = {"serum_creatinine_mg_dl": "mg/dL", "serum_creatinine_umol_l": "umol/L"}


class PatientForm(FieldSet, widgets.VBox):
    """Patient inputs with one error label per field.

    Parameters
    ----------
    urine_protein : show the urine-protein field (cidofovir).
    weight_basis : show the weight-basis choice (actual, ideal, adjusted).
    **values : initial values, as for :meth:`set_values` (e.g. ``weight_kg=70``).

    Attributes
    ----------
    fields, errors : dicts keyed ``age_years``, ``sex``, ``weight_kg``, ``height_cm``,
        ``serum_creatinine`` (the text; ``creatinine_unit`` is its toggle), ``measured_crcl_ml_min``,
        ``on_hemodialysis``, ``urine_protein_mg_dl``, ``weight_basis``.
    """

    ALIASES = {"serum_creatinine_mg_dl": "serum_creatinine", "serum_creatinine_umol_l": "serum_creatinine",
               "creatinine_unit": "serum_creatinine"}

    def __init__(self, *, urine_protein: bool = False, weight_basis: bool = True, **values: Any) -> None:
        self._init_fields()
        self._memory: tuple[str, str, str] | None = None  # (unit before, text before, text after) of a toggle
        rows = [self._creatinine_row() if f is pf.CREATININE else self._declared(f)
                for f in pf.ALL if f is not pf.CREATININE_UNIT]
        self.show_row("urine_protein_mg_dl", urine_protein)
        self.show_row("weight_basis", weight_basis)
        self._uses_protein, self._uses_basis = urine_protein, weight_basis
        super().__init__(rows, layout=widgets.Layout(max_width="100%"))
        with self.hold():
            for name, value in values.items():
                self.apply_value(name, value)

    def _creatinine_row(self) -> widgets.Box:
        """The creatinine box with the unit toggle in its row; both share one error label."""
        unit = self._declared(pf.CREATININE_UNIT).children[0]
        del self._rows["creatinine_unit"]
        row = self._declared(pf.CREATININE)
        self.errors["creatinine_unit"] = self.errors["serum_creatinine"]
        row.children = (row.children[0], unit, *row.children[1:])
        return row

    def _watch(self, name: str, widget: widgets.Widget) -> None:
        if name == "creatinine_unit":
            widget.observe(self._convert, names="value")   # convert first, then notify once
        super()._watch(name, widget)

    def _convert(self, change: dict[str, Any]) -> None:
        text = self.fields["serum_creatinine"]
        self._describe_unit(change["new"])
        if self._holding:
            return
        with self.hold():
            memory = self._memory
            if memory and memory[0] == change["new"] and memory[2] == text.value:
                text.value = memory[1]                    # toggling back restores what was typed
                self._memory = None
            else:
                before = text.value
                text.value = convert_creatinine(before, change["new"])
                self._memory = (change["old"], before, text.value)

    def _describe_unit(self, unit: str) -> None:
        self.fields["serum_creatinine"].description = creatinine_description(unit)

    # --- presets ----------------------------------------------------------------------------
    def accepts(self, name: str) -> bool:
        return name in self.fields or name in _CREATININE_KEYS

    def apply_value(self, name: str, value: object) -> None:
        if name in _CREATININE_KEYS:
            with self.hold():
                self.fields["creatinine_unit"].value = _CREATININE_KEYS[name]
                self.fields["serum_creatinine"].value = text_value(value)
                self._memory = None
            return
        with self.hold():
            super().apply_value(name, value)

    def set_values(self, **values: Any) -> None:
        """Apply values (names as :class:`cmvlib.Patient` takes them, plus ``weight_basis`` and
        ``creatinine_unit``); raises :class:`~cmvlib.errors.InputError` for a value no widget can hold."""
        for name, value in values.items():
            self.apply_value(name, value)

    def reset(self) -> None:
        """Empty every field (before a scenario is loaded)."""
        with self.hold():
            for name in ("age_years", "weight_kg", "height_cm", "serum_creatinine", "measured_crcl_ml_min",
                         "urine_protein_mg_dl"):
                self.fields[name].value = ""
            self.fields["sex"].value = "male"
            self.fields["on_hemodialysis"].value = False
            self.fields["creatinine_unit"].value = "mg/dL"
            self.fields["weight_basis"].value = "actual"
            self._memory = None

    # --- reading ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The typed inputs as :class:`cmvlib.Patient` keyword arguments (text as typed; empty optional
        fields as ``None``)."""
        shown = [f for f in pf.ALL if f.name != "weight_basis" and (f is not pf.URINE_PROTEIN or self._uses_protein)]
        return pf.patient_kwargs({f.name: f.read(f.text(self.fields[f.name].value)) for f in shown})

    @property
    def weight_basis(self) -> str:
        """The chosen weight basis ("actual" when the choice is hidden)."""
        return self.fields["weight_basis"].value if self._uses_basis else "actual"

    def patient(self) -> Patient:
        """A validated :class:`cmvlib.Patient`; raises :class:`~cmvlib.errors.InputError` naming the field."""
        return Patient(**self.values())
