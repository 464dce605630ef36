"""Maribavir calculator: the ipywidgets binding of :data:`cmvlib.calc.maribavir.MARIBAVIR` (the label's fixed
dose, changed or withheld by the co-medications ticked)."""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .. import dosing
from ..calc.maribavir import BOXES, GROUPS, MARIBAVIR, box_name, split_names
from ._base import Calculator
from .patient_form import PatientForm

__all__ = ["MaribavirCalculator", "box_name", "maribavir_calculator", "split_names"]
DEFAULT_SCENARIO = MARIBAVIR.scenario


class MaribavirCalculator(Calculator):
    """Maribavir for refractory post-transplant CMV: 400 mg twice daily, or the label's dose with an
    anticonvulsant, or no dose (hemodialysis, a drug not to be combined), with interaction warnings.

    Presets: patient fields, ``co_medications`` (comma-separated names: ticks their boxes, others go to
    the free-text field), one ``takes_<drug>`` flag per box, ``other_co_medications``, ``scenario``.
    """

    TITLE = MARIBAVIR.title
    DECLARATION = MARIBAVIR.name
    ALIASES = {"co_medications": "other_co_medications"}

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm(weight_basis=False)
        self._adopt(self.form)
        self.drugs = {f.name: drug for f, drug, _ in BOXES}
        rows: list[widgets.Widget] = [widgets.HTML("<p><strong>Co-medications</strong> (tick each one the "
                                                   "patient takes)</p>")]
        for action, heading in GROUPS:
            boxes = [self._declared(f) for f, _, a in BOXES if a == action]
            rows.append(widgets.VBox([widgets.HTML(f"<p>{heading}</p>"),
                                      widgets.HBox(boxes, layout=widgets.Layout(flex_flow="row wrap"))],
                                     layout=widgets.Layout(margin="0 0 0 1em")))
        rows.append(self._declared(MARIBAVIR.field("other_co_medications")))
        self._finish([self.form, *rows], {"scenario": DEFAULT_SCENARIO, **presets})

    def co_medications(self) -> list[str]:
        """The ticked drugs, then the typed ones."""
        ticked = [drug for name, drug in self.drugs.items() if self.fields[name].value]
        return ticked + split_names(self.fields["other_co_medications"].value)

    # --- presets: co_medications=... ticks the boxes it names ---------------------------------
    def accepts(self, name: str) -> bool:
        return name == "co_medications" or super().accepts(name)

    def apply_value(self, name: str, value: object) -> None:
        if name != "co_medications":
            super().apply_value(name, value)
            return
        wanted = [dosing.co_medication_name(n) for n in split_names(value)]
        for box, drug in self.drugs.items():
            self.fields[box].value = drug in wanted
        self.fields["other_co_medications"].value = ", ".join(n for n in wanted if n not in self.drugs.values())


def maribavir_calculator(**presets: Any) -> MaribavirCalculator:
    """The maribavir calculator (``maribavir_calculator(co_medications="tacrolimus")``)."""
    return MaribavirCalculator(**presets)
