"""The viral-load fit, declared once: the learner types PCR results as 'day, IU/mL' lines and reads the fitted
decline (:func:`cmvlib.kinetics.fit_series`), the refractory check (Kotton 2025 via
:func:`cmvlib.regimen.refractory_flag`) and the illustrative chart of the same results with its table.

>>> out = VIRAL_LOAD.evaluate({})
>>> "half-life" in out.html.lower(), out.figure is not None, "<table" in out.table
(True, True, True)
>>> VIRAL_LOAD.evaluate({"points": "0, 25000\\n3, -5"}).errors["points"].count("line 2")
1
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..charts import viral_load_figure, viral_load_table_html
from ..errors import InputError
from ..kinetics import example_lloq, fit_series, half_life_range
from ..regimen import refractory_flag
from ..ui.render import esc, render_fit
from .declare import Chart, Declaration, Field, register
from .values import whole_or_text

EXAMPLE_POINTS = "0, 25000\n3, 6000\n7, 900\n10, 150"
_THOUSANDS = re.compile(r"^\d{1,3}(?:[,\u202f\u00a0 ']\d{3})+(?:\.\d+)?$")
_SPLIT = re.compile(r"\s*[,;\t]\s*|\s+")

POINTS = Field("points", "Viral-load results", "text", widget="textarea", default=EXAMPLE_POINTS,
               hint="0, 25000\n7, 900", prompt="PCR results (day, IU/mL per line)",
               aliases=("viral_loads", "series"))
LLOQ = Field("lloq", "Quantification limit, optional", unit="IU/mL", hint="empty: none", optional=True,
             default=f"{example_lloq().value:g}", aliases=("lloq_iu_ml",))
ADEQUATE = Field("adequate_dosing", "Adequately dosed therapy since day 0 (for the refractory check)", "flag",
                 default="true")


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


def on_line(err: InputError, lines: list[tuple[int, str, str]]) -> InputError:
    """Re-word a core error about ``points[i]`` (or ``viral_loads[i]``) as one about the typed line."""
    m = re.match(r"\w+\[(\d+)\](?:\.(\w+))?", err.field or "")
    if not m or int(m.group(1)) >= len(lines):
        return InputError("points", err.problem)
    what = {"day": "day ", "iu_ml": "IU/mL "}.get(m.group(2) or "", "")
    return InputError("points", f"line {lines[int(m.group(1))][0]}: {what}{err.problem}")


def compute(read: Mapping[str, Any]) -> str:
    lines = parse_points(read["points"])
    try:
        fit = fit_series([(day, value) for _, day, value in lines], lloq=read["lloq"])
    except InputError as err:
        raise on_line(err, lines) if (err.field or "").startswith("points[") else err from None
    try:
        flag = refractory_flag([(whole_or_text(d), v) for _, d, v in lines], read["adequate_dosing"])
    except InputError as err:
        flag = None
        note = f"<p><strong>Refractory check not done</strong>: {esc(on_line(err, lines).problem)}</p>"
    else:
        note = ""
    return render_fit(fit, half_life_range(), flag) + note


def chart(read: Mapping[str, Any]) -> Chart:
    """The viral-load chart of the typed results: the model curves start from the fitted day-0 load; with the
    limit left empty the chart uses the sourced example limit."""
    points = [(day, value) for _, day, value in parse_points(read["points"])]
    start = 10 ** fit_series(points, read["lloq"]).intercept_log10
    return (viral_load_figure(start, read["lloq"], points=points),
            viral_load_table_html(start, read["lloq"], points=points))


VIRAL_LOAD = register(Declaration(
    name="viral_load_fit",
    title="Fit your viral-load results",
    fields=(POINTS, LLOQ, ADEQUATE),
    compute=compute,
    chart=chart,
))
