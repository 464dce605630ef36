"""The regimen selector, declared once: the guideline's ranked options (:func:`cmvlib.regimen.plan`) for a case
described by yes/no features, the resistance known and the transplant.

>>> out = REGIMEN.evaluate({"resistance": "ul97"})
>>> "foscarnet" in out.html.lower(), out.errors
(True, {})
>>> list(REGIMEN.evaluate({"on_art": "true"}).errors)
['on_art']
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields as dc_fields
from typing import Any

from ..regimen import CaseFeatures, plan
from ..ui.render import render_plan
from .declare import Declaration, Field, register

#: Labels of the yes/no features of :class:`cmvlib.regimen.CaseFeatures`.
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
DEFAULTS = {"severe": "true", "gi_absorption_ok": "true"}
RESISTANCE = Field("resistance", "Resistance", "choice", widget="dropdown", default="none",
                   options=(("none known", "none"), ("suspected (refractory; genotype pending)", "suspected"),
                            ("UL97 mutation", "ul97"), ("UL54 mutation", "ul54")))
TRANSPLANT = Field("transplant", "Transplant", "choice", widget="dropdown", default="none",
                   options=(("none", "none"), ("solid-organ transplant", "sot"),
                            ("hematopoietic stem-cell transplant", "hsct")))
_missing = {f.name for f in dc_fields(CaseFeatures)} - set(FLAGS) - {"resistance", "transplant"}
assert not _missing, f"CaseFeatures fields without a field: {_missing}"


def features(read: Mapping[str, Any]) -> CaseFeatures:
    """The case as :class:`cmvlib.regimen.CaseFeatures` (raises InputError, e.g. ART without HIV)."""
    transplant = read["transplant"]
    return CaseFeatures(**{name: read[name] for name in FLAGS}, resistance=read["resistance"],
                        transplant=None if transplant == "none" else transplant)


REGIMEN = register(Declaration(
    name="regimen",
    title="Regimen selector (guideline logic)",
    fields=(*(Field(name, label, "flag", default=DEFAULTS.get(name, "false")) for name, label in FLAGS.items()),
            RESISTANCE, TRANSPLANT),
    compute=lambda read: render_plan(plan(features(read))),
))
