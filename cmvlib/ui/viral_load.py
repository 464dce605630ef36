"""Viral-load fit: the learner types PCR results as 'day, IU/mL' lines and reads the fitted decline."""
from __future__ import annotations

import re
from typing import Any

import ipywidgets as widgets

from ..errors import InputError
from ..kinetics import example_lloq, fit_series, half_life_range
from ..regimen import refractory_flag
from ._base import FIELD_WIDTH, STYLE, Calculator, optional, text_value, whole_or_text
from ..sources import cite
from .render import esc, render_fit

EXAMPLE_POINTS = "0, 25000\n3, 6000\n7, 900\n10, 150"
_THOUSANDS = re.compile(r"^\d{1,3}(?:[,\u202f\u00a0 ']\d{3})+(?:\.\d+)?$")
_SPLIT = re.compile(r"\s*[,;\t]\s*|\s+")


def parse_points(text: str) -> list[tuple[int, str, str]]:
    """``(line number, day text, IU/mL text)`` for each non-empty line of ``day, IU/mL``.

    The separator is a comma, semicolon, tab or spaces; thousands separators in the value are dropped
    ("25,000" is 25000). Raises :class:`InputError` (field ``points``) for a line without two parts.

    >>> parse_points("0, 25,000\\n\\n3; 6000\\n7 900")
    [(1, '0', '25000'), (3, '3', '6000'), (4, '7', '900')]
    >>> parse_points("0 25000 7")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: points: line 1: write one result per line as 'day, IU/mL' (got '0 25000 7')
    """
    out = []
    for number, line in enumerate(str(text).splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = _SPLIT.split(line, maxsplit=1)
        if len(parts) == 2 and _THOUSANDS.match(parts[1].strip()):
            parts[1] = re.sub(r"[,\u202f\u00a0 ']", "", parts[1].strip())
        if len(parts) != 2 or not parts[1] or _SPLIT.search(parts[1].strip()):
            raise InputError("points", f"line {number}: write one result per line as 'day, IU/mL' (got {line!r})")
        out.append((number, parts[0], parts[1].strip()))
    if not out:
        raise InputError("points", "is missing: type one result per line as 'day, IU/mL', e.g. 0, 25000")
    return out


def _on_line(err: InputError, lines: list[tuple[int, str, str]]) -> InputError:
    """Re-word a core error about ``points[i]`` (or ``viral_loads[i]``) as one about the typed line."""
    m = re.match(r"\w+\[(\d+)\](?:\.(\w+))?", err.field or "")
    if not m or int(m.group(1)) >= len(lines):
        return InputError("points", err.problem)
    what = {"day": "day ", "iu_ml": "IU/mL "}.get(m.group(2) or "", "")
    return InputError("points", f"line {lines[int(m.group(1))][0]}: {what}{err.problem}")


class ViralLoadFitCalculator(Calculator):
    """Least-squares fit of log10(viral load) against day: half-life, days to below the limit, and the
    refractory check (Kotton 2025 via :func:`cmvlib.regimen.refractory_flag`) when dosing is adequate.

    Presets: ``points`` (text lines or a list of ``(day, IU/mL)`` pairs), ``lloq`` (empty: no limit),
    ``adequate_dosing``.
    """

    TITLE = "Fit your viral-load results"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        lloq = example_lloq()
        area = widgets.Textarea(value=EXAMPLE_POINTS, description="PCR results (day, IU/mL per line)",
                                placeholder="0, 25000\n7, 900", continuous_update=False, rows=6, style=STYLE,
                                layout=widgets.Layout(width=FIELD_WIDTH, max_width="100%"))
        rows = [self._add("points", area, "Viral-load results"),
                self._text("lloq", "Quantification limit, optional", "IU/mL", "empty: none", value=lloq.value),
                widgets.HTML(f"<p><small>The default limit is an example: {lloq.value:g} IU/mL, the SOLSTICE "
                             f"endpoint ({esc(cite(lloq.source))}); assays differ.</small></p>"),
                self._checkbox("adequate_dosing", "Adequately dosed therapy since day 0 (for the refractory check)",
                               True)]
        self._finish(rows, presets)

    def apply_value(self, name: str, value: object) -> None:
        if name == "points" and not isinstance(value, str) and isinstance(value, (list, tuple)):
            value = "\n".join(", ".join(text_value(x) for x in pair) if isinstance(pair, (list, tuple))
                              else text_value(pair) for pair in value)
        super().apply_value(name, value)

    def figure(self) -> dict[str, Any] | None:
        """The viral-load chart (:func:`cmvlib.charts.viral_load_figure`) of the typed results, as a figure
        dict for :func:`cmvlib.display.show`; ``None`` while the input is invalid.

        The widget does not draw it itself: a chart inside a widget needs an ``Output`` widget (the Voilà
        freeze risk), so an app shows it in its own cell. With the limit left empty the chart uses the
        sourced example LLOQ; the model curves start from the fitted day-0 load.
        """
        from ..charts import viral_load_figure

        try:
            points = [(day, value) for _, day, value in parse_points(self.fields["points"].value)]
            lloq = optional(self.fields["lloq"].value)
            start = 10 ** fit_series(points, lloq).intercept_log10     # the fitted day-0 load starts the model
            return viral_load_figure(start, lloq, points=points)
        except InputError:
            return None

    def compute(self) -> str:
        lines = parse_points(self.fields["points"].value)
        lloq_text = optional(self.fields["lloq"].value)
        try:
            fit = fit_series([(day, value) for _, day, value in lines], lloq=lloq_text)
        except InputError as err:
            raise _on_line(err, lines) if (err.field or "").startswith("points[") else err from None
        try:
            flag = refractory_flag([(whole_or_text(d), v) for _, d, v in lines], self.fields["adequate_dosing"].value)
        except InputError as err:
            flag = None
            note = (f"<p><strong>Refractory check not done</strong>: {esc(_on_line(err, lines).problem)}</p>")
        else:
            note = ""
        return render_fit(fit, half_life_range(), flag) + note


def viral_load_fit_calculator(**presets: Any) -> ViralLoadFitCalculator:
    """The viral-load fit calculator (``viral_load_fit_calculator(points=[(0, 10000), (7, 300)])``)."""
    return ViralLoadFitCalculator(**presets)
