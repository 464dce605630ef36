"""Regimen selector: the ipywidgets binding of :data:`cmvlib.calc.regimen.REGIMEN` (the guideline's ranked
options for a case described by checkboxes and choices)."""
from __future__ import annotations

from typing import Any

from ..calc.regimen import REGIMEN
from ._base import Calculator


class RegimenSelector(Calculator):
    """Ranked drug options, accompanying actions and drugs not advised (:func:`cmvlib.regimen.plan`).

    Presets: any :class:`cmvlib.regimen.CaseFeatures` field (``resistance``: none, suspected, ul97, ul54;
    ``transplant``: none, sot, hsct).
    """

    TITLE = REGIMEN.title
    DECLARATION = REGIMEN.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        self._finish([self._declared(f) for f in REGIMEN.fields], presets)


def regimen_selector(**presets: Any) -> RegimenSelector:
    """The regimen selector (``regimen_selector(resistance="ul97", transplant="sot")``)."""
    return RegimenSelector(**presets)
