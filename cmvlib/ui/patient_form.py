"""The patient inputs every dosing calculator shares.

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

from ..patient import Patient, constant, round_half_up
from ._base import STYLE, FieldSet, optional, text_value

UNITS = (("mg/dL", "mg/dL"), ("µmol/L", "umol/L"))
WEIGHT_BASES = (("actual body weight", "actual"), ("ideal body weight (Devine; needs height)", "ideal"),
                ("adjusted body weight (needs height)", "adjusted"))
_CREATININE_KEYS = {"serum_creatinine_mg_dl": "mg/dL", "serum_creatinine_umol_l": "umol/L"}


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
        rows = [
            self._text("age_years", "Age", "years", "adult, 18 or over"),
            self._toggle("sex", "Sex", (("male", "male"), ("female", "female"))),
            self._text("weight_kg", "Weight", "kg"),
            self._text("height_cm", "Height", "cm", "needed for ideal or adjusted weight"),
            self._creatinine_row(),
            self._text("measured_crcl_ml_min", "Measured CrCl, optional", "mL/min",
                       "leave empty to estimate"),
            self._checkbox("on_hemodialysis", "On hemodialysis"),
            self._text("urine_protein_mg_dl", "Urine protein", "mg/dL"),
            self._dropdown("weight_basis", "Weight used for dosing", WEIGHT_BASES),
        ]
        self.show_row("urine_protein_mg_dl", urine_protein)
        self.show_row("weight_basis", weight_basis)
        self._uses_protein, self._uses_basis = urine_protein, weight_basis
        super().__init__(rows, layout=widgets.Layout(max_width="100%"))
        with self.hold():
            for name, value in values.items():
                self.apply_value(name, value)

    def _creatinine_row(self) -> widgets.Box:
        unit = widgets.ToggleButtons(options=list(UNITS), value="mg/dL", description="Unit",
                                     tooltips=["milligrams per decilitre", "micromoles per litre"],
                                     style={**STYLE, "button_width": "auto"})
        unit.observe(self._convert, names="value")   # before the row's observer: convert, then notify once
        row = self._text("serum_creatinine", "Serum creatinine", "mg/dL")
        self.fields["creatinine_unit"] = unit
        self.labels["creatinine_unit"] = "Creatinine unit"
        self.errors["creatinine_unit"] = self.errors["serum_creatinine"]
        unit.observe(lambda change: self._on_value("creatinine_unit"), names="value")
        row.children = (row.children[0], unit, *row.children[1:])
        return row

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
        self.fields["serum_creatinine"].description = f"Serum creatinine ({dict((v, k) for k, v in UNITS)[unit]})"

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
        f = self.fields
        scr_key = "serum_creatinine_mg_dl" if f["creatinine_unit"].value == "mg/dL" else "serum_creatinine_umol_l"
        out: dict[str, Any] = dict(
            age_years=f["age_years"].value, sex=f["sex"].value, weight_kg=f["weight_kg"].value,
            height_cm=optional(f["height_cm"].value), measured_crcl_ml_min=optional(f["measured_crcl_ml_min"].value),
            on_hemodialysis=f["on_hemodialysis"].value)
        out[scr_key] = optional(f["serum_creatinine"].value)
        if self._uses_protein:
            out["urine_protein_mg_dl"] = optional(f["urine_protein_mg_dl"].value)
        return out

    @property
    def weight_basis(self) -> str:
        """The chosen weight basis ("actual" when the choice is hidden)."""
        return self.fields["weight_basis"].value if self._uses_basis else "actual"

    def patient(self) -> Patient:
        """A validated :class:`cmvlib.Patient`; raises :class:`~cmvlib.errors.InputError` naming the field."""
        return Patient(**self.values())
