"""Calculators for the book, the Voilà apps and the in-browser apps — written once (ipywidgets 8).

One line in a notebook cell shows a calculator (the Voilà and in-browser apps add
:func:`~cmvlib.ui.apps.apply_url_presets` and :func:`~cmvlib.ui.apps.figure_box`)::

    from cmvlib.ui import dose_calculator; dose_calculator()

Each builder returns a ``VBox`` subclass (also reachable as ``calc.widget``) with ``calc.fields``,
``calc.errors`` (one error label per field), ``calc.result_html`` and ``calc.set_inputs(**values)``
(presets; ``scenario=`` takes a :mod:`cmvlib.examples` name). The pure render functions
(:mod:`cmvlib.ui.render`) need no ipywidgets; the builders import it on first use.

For education, not for patient care.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from .render import (LIVE_NOTE, NOTICE, live_note_html, notice_html, render_course, render_decision,
                     render_dose, render_eligibility, render_error, render_fit, render_immunoglobulin, render_monitoring, render_no_result,
                     render_plan, render_renal, render_schedule, render_warnings, table_html)

_LAZY = {
    "PatientForm": "patient_form", "Calculator": "_base",
    "RenalCalculator": "renal", "renal_calculator": "renal",
    "DoseCalculator": "dose", "dose_calculator": "dose",
    "FoscarnetCalculator": "foscarnet", "foscarnet_calculator": "foscarnet",
    "CidofovirCalculator": "cidofovir", "cidofovir_calculator": "cidofovir",
    "SwitchCalculator": "switch", "switch_calculator": "switch",
    "RegimenSelector": "regimen", "regimen_selector": "regimen",
    "MonitoringCalculator": "monitoring", "monitoring_calculator": "monitoring",
    "ViralLoadFitCalculator": "viral_load", "viral_load_fit_calculator": "viral_load",
    "MaribavirCalculator": "maribavir", "maribavir_calculator": "maribavir",
    "ImmunoglobulinCalculator": "immunoglobulin", "immunoglobulin_calculator": "immunoglobulin",
    "CourseCalculator": "course", "course_calculator": "course",
    "apply_url_presets": "apps", "figure_box": "apps", "projector": "apps", "LazyTabs": "apps",
}

#: Builder name -> calculator, for apps that pick one by name (e.g. from a URL).
CALCULATORS = ("renal_calculator", "dose_calculator", "foscarnet_calculator", "cidofovir_calculator",
               "maribavir_calculator", "switch_calculator", "regimen_selector", "monitoring_calculator",
               "viral_load_fit_calculator", "immunoglobulin_calculator", "course_calculator")


def ganciclovir_calculator(**presets: Any) -> Any:
    """Shortcut for ``dose_calculator("ganciclovir")``."""
    return import_module(".dose", __name__).dose_calculator("ganciclovir", **presets)


def valganciclovir_calculator(**presets: Any) -> Any:
    """Shortcut for ``dose_calculator("valganciclovir")``."""
    return import_module(".dose", __name__).dose_calculator("valganciclovir", **presets)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted([*_LAZY, "CALCULATORS", "LIVE_NOTE", "NOTICE", "ganciclovir_calculator",
                  "valganciclovir_calculator", "notice_html", "render_course", "render_decision", "render_dose",
                  "render_eligibility", "render_error", "render_fit", "render_immunoglobulin",
                  "render_monitoring", "render_no_result", "render_plan", "render_renal", "render_schedule",
                  "render_warnings", "live_note_html", "table_html"])
