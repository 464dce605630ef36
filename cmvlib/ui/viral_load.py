"""Viral-load fit: the ipywidgets binding of :data:`cmvlib.calc.viral_load.VIRAL_LOAD` (the learner types PCR
results as 'day, IU/mL' lines and reads the fitted decline)."""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..calc.viral_load import EXAMPLE_POINTS, VIRAL_LOAD, parse_points
from ..kinetics import example_lloq
from ..sources import cite
from ._base import Calculator, text_value
from .render import esc

__all__ = ["EXAMPLE_POINTS", "ViralLoadFitCalculator", "parse_points", "viral_load_fit_calculator"]


class ViralLoadFitCalculator(Calculator):
    """Least-squares fit of log10(viral load) against day: half-life, days to below the limit, and the
    refractory check (Kotton 2025 via :func:`cmvlib.regimen.refractory_flag`) when dosing is adequate.

    Presets: ``points`` (text lines or a list of ``(day, IU/mL)`` pairs), ``lloq`` (empty: no limit),
    ``adequate_dosing``.
    """

    TITLE = VIRAL_LOAD.title
    DECLARATION = VIRAL_LOAD.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        lloq = example_lloq()
        rows = [self._declared(VIRAL_LOAD.field("points")), self._declared(VIRAL_LOAD.field("lloq")),
                widgets.HTML(f"<p><small>The default limit is an example: {lloq.value:g} IU/mL, the SOLSTICE "
                             f"endpoint ({esc(cite(lloq.source))}); assays differ.</small></p>"),
                self._declared(VIRAL_LOAD.field("adequate_dosing"))]
        self._finish(rows, presets)

    def apply_value(self, name: str, value: object) -> None:
        if name == "points" and not isinstance(value, str) and isinstance(value, (list, tuple)):
            value = "\n".join(", ".join(text_value(x) for x in pair) if isinstance(pair, (list, tuple))
                              else text_value(pair) for pair in value)
        super().apply_value(name, value)


def viral_load_fit_calculator(**presets: Any) -> ViralLoadFitCalculator:
    """The viral-load fit calculator (``viral_load_fit_calculator(points=[(0, 10000), (7, 300)])``)."""
    return ViralLoadFitCalculator(**presets)
