"""Calculators declared once and bound twice: to ipywidgets (:mod:`cmvlib.ui`) and to the static book
page, where a Web Worker runs this package on Pyodide (no kernel, no IPython, no ipywidgets).

A declaration (:class:`Declaration`) lists a calculator's fields (name, label, unit, limits, kind,
default) and its pure compute (values -> result HTML through :mod:`cmvlib.ui.render`), optionally a
figure. The registry is keyed by calculator name; the page finds a calculator's widgets by the marks the
ipywidgets binding puts on them (``cmv-calc-<name>``, ``cmv-field-<field>``, ``cmv-row-<field>``,
``cmv-error-<field>``, ``cmv-result-area``, ``cmv-status-area``; a chart cell carries ``data-cmv-chart-for``) and calls :func:`run` (through :func:`run_json`) with their values.

To make another calculator live: declare it in a module of this package (fields + compute), import it
below, and give its ipywidgets class ``DECLARATION = "<name>"`` (see :class:`cmvlib.ui.RenalCalculator`).

Standard library and cmvlib only.

>>> out = run("renal", {"age_years": "68", "sex": "male", "weight_kg": "70", "serum_creatinine": "1.01"})
>>> sorted(out), "69.3 mL/min" in out["html"]
(['errors', 'figure', 'hidden', 'html', 'table'], True)
>>> run("renal", {"age_years": "abc", "weight_kg": "70", "serum_creatinine": "1.01"})["errors"]["age_years"]
'<span class="cmv-error" role="alert">⚠ Age: must be a number in years (got &#x27;abc&#x27;)</span>'
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from . import (cidofovir, course, dose, foscarnet, immunoglobulin, maribavir, monitoring,  # noqa: F401  (register
               regimen, renal, switch, viral_load)                                          # the calculators)
from .declare import NO_CHART, Chart, Declaration, Field, Outcome, get, names, register

#: Where the page marks go: class names on the widgets (``_dom_classes``) of a declared calculator.
MARK_CALCULATOR = "cmv-calc-"
MARK_FIELD = "cmv-field-"
MARK_ERROR = "cmv-error-"
MARK_RESULT = "cmv-result-area"
MARK_STATUS = "cmv-status-area"
MARK_ROW = "cmv-row-"


def run(name: str, values: Mapping[str, str], previous: Mapping[str, str] | None = None) -> dict:
    """The JSON-ready outcome of calculator ``name`` for ``values`` (field -> text):
    ``{"html": result HTML, "errors": {field: message HTML}, "figure": figure dict or None, "table": the
    figure's text alternative, "hidden": fields that do not apply}``, plus
    ``"inputs"`` (updates to apply to the inputs) when ``previous`` shows a change that moves another
    input (the creatinine unit toggle)."""
    return get(name).evaluate(values, previous).as_json()


def run_json(request: str) -> str:
    """:func:`run` for the page's worker: a JSON request ``{"calculator", "values", "previous"}`` in, the
    JSON outcome out. A request naming no declared calculator, or malformed, gives ``{"error": text}``."""
    try:
        req = json.loads(request)
        name, values = req["calculator"], req["values"]
        if not isinstance(values, dict):
            raise ValueError("values must be an object")
        out = run(str(name), {str(k): str(v) for k, v in values.items()},
                  {str(k): str(v) for k, v in (req.get("previous") or {}).items()} or None)
    except (ValueError, KeyError, TypeError) as err:
        return json.dumps({"error": str(err)})
    return json.dumps(out)


__all__ = ["Chart", "Declaration", "Field", "MARK_CALCULATOR", "MARK_ERROR", "MARK_FIELD", "MARK_RESULT", "MARK_ROW",
           "MARK_STATUS", "NO_CHART", "Outcome", "get", "names", "register", "run", "run_json"]
