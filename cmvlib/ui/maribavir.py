"""Maribavir calculator: the label's fixed dose, changed or withheld by the co-medications ticked."""
from __future__ import annotations

import re
from typing import Any

import ipywidgets as widgets

from .. import dosing
from ..errors import InputError
from ._base import Calculator
from .patient_form import PatientForm
from .render import render_dose

DEFAULT_SCENARIO = "issue-example"
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


class MaribavirCalculator(Calculator):
    """Maribavir for refractory post-transplant CMV: 400 mg twice daily, or the label's dose with an
    anticonvulsant, or no dose (hemodialysis, a drug not to be combined), with interaction warnings.

    Presets: patient fields, ``co_medications`` (comma-separated names: ticks their boxes, others go to
    the free-text field), one ``takes_<drug>`` flag per box, ``other_co_medications``, ``scenario``.
    """

    TITLE = "Maribavir dose and interactions"
    ALIASES = {"co_medications": "other_co_medications"}

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self.form = PatientForm(weight_basis=False)
        self._adopt(self.form)
        self.drugs = dict((box_name(d), d) for d, _ in dosing.maribavir_co_medications())
        rows: list[widgets.Widget] = [widgets.HTML("<p><strong>Co-medications</strong> (tick each one the "
                                                   "patient takes)</p>")]
        for action, heading in GROUPS:
            boxes = [self._checkbox(box_name(d), d, False) for d, a in dosing.maribavir_co_medications()
                     if a == action]
            rows.append(widgets.VBox([widgets.HTML(f"<p>{heading}</p>"),
                                      widgets.HBox(boxes, layout=widgets.Layout(flex_flow="row wrap"))],
                                     layout=widgets.Layout(margin="0 0 0 1em")))
        rows.append(self._text("other_co_medications", "Other co-medications", "comma-separated",
                               "e.g. aspirin, omeprazole"))
        self._finish([self.form, *rows], {"scenario": DEFAULT_SCENARIO, **presets})

    def co_medications(self) -> list[str]:
        """The ticked drugs, then the typed ones."""
        ticked = [drug for name, drug in self.drugs.items() if self.fields[name].value]
        return ticked + split_names(self.fields["other_co_medications"].value)

    def compute(self) -> str:
        meds = self.co_medications()
        return render_dose(dosing.dose("maribavir", "treatment", self.form.patient(), co_medications=meds))

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
