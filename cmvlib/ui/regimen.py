"""Regimen selector: the guideline's ranked options for a case described by checkboxes and choices."""
from __future__ import annotations

from dataclasses import fields as dc_fields
from typing import Any

from ..regimen import CaseFeatures, plan
from ._base import Calculator
from .render import render_plan

RESISTANCE = (("none known", "none"), ("suspected (refractory; genotype pending)", "suspected"),
              ("UL97 mutation", "ul97"), ("UL54 mutation", "ul54"))
TRANSPLANT = (("none", "none"), ("solid-organ transplant", "sot"), ("hematopoietic stem-cell transplant", "hsct"))
#: Checkbox labels for the yes/no features of :class:`cmvlib.regimen.CaseFeatures`.
FLAGS = {
    "severe": "Severe or life-threatening disease",
    "gi_absorption_ok": "Gut absorption adequate",
    "high_viral_load": "High viral load (clinician's judgement; no numeric cut-off)",
    "cns_disease": "Neurological (CNS) disease",
    "pneumonitis": "Pneumonitis",
    "retinitis": "Retinitis",
    "ganciclovir_intolerance": "Ganciclovir intolerance (for example neutropenia)",
    "hiv": "HIV infection",
    "on_art": "On antiretroviral therapy (HIV only)",
    "immunosuppressed": "Other immunosuppression",
    "mononucleosis_like": "Mononucleosis-like syndrome",
    "progressing_on_therapy": "Progressing despite therapy",
}
DEFAULTS = {"severe": True, "gi_absorption_ok": True}


class RegimenSelector(Calculator):
    """Ranked drug options, accompanying actions and drugs not advised (:func:`cmvlib.regimen.plan`).

    Presets: any :class:`cmvlib.regimen.CaseFeatures` field (``resistance``: none, suspected, ul97, ul54;
    ``transplant``: none, sot, hsct).
    """

    TITLE = "Regimen selector (guideline logic)"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        missing = set(f.name for f in dc_fields(CaseFeatures)) - set(FLAGS) - {"resistance", "transplant"}
        assert not missing, f"CaseFeatures fields without a widget: {missing}"
        rows = [self._checkbox(name, label, DEFAULTS.get(name, False)) for name, label in FLAGS.items()]
        rows += [self._dropdown("resistance", "Resistance", RESISTANCE),
                 self._dropdown("transplant", "Transplant", TRANSPLANT)]
        self._finish(rows, presets)

    def features(self) -> CaseFeatures:
        """The case as :class:`cmvlib.regimen.CaseFeatures` (raises InputError, e.g. ART without HIV)."""
        f = self.fields
        transplant = f["transplant"].value
        return CaseFeatures(**{name: f[name].value for name in FLAGS}, resistance=f["resistance"].value,
                            transplant=None if transplant == "none" else transplant)

    def compute(self) -> str:
        return render_plan(plan(self.features()))


def regimen_selector(**presets: Any) -> RegimenSelector:
    """The regimen selector (``regimen_selector(resistance="ul97", transplant="sot")``)."""
    return RegimenSelector(**presets)
