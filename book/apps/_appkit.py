"""Voilà wiring shared by the app notebooks in this folder (no clinical logic: that is in cmvlib).

- :func:`apply_url_presets` reads the page's query string (``?scenario=hemodialysis``) through
  :func:`cmvlib.presets.inputs_from_query` and applies it with ``calc.set_inputs(**inputs)``.
  With pre-heated kernels (``voila/voila.json``) the notebook has already run when the request
  arrives, so the query is read by ``voila.utils.get_query_string()`` in a background thread and
  applied to the live widgets; without pre-heating Voilà puts it in ``QUERY_STRING`` before the run.
  A query that cannot be read becomes a plain message in the calculator's ``preset_html``.
- :func:`figure_box` shows a Plotly figure inside a widget that can be redrawn, by setting the
  ``Output`` widget's ``outputs`` value (a plain state update, like an ``HTML`` value) — never by
  printing into it, which froze Voilà on ~3 % of loads.

This module is not served (Voilà's file allow-list is empty and the index lists notebooks only).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from cmvlib import presets
from cmvlib.display import mimebundle
from cmvlib.errors import InputError
from cmvlib.ui.render import render_error


def _query_now() -> str | None:
    """The query string when Voilà set it before the run (not pre-heated), else ``None``."""
    return os.environ.get("QUERY_STRING")


def _preheated() -> bool:
    return os.environ.get("VOILA_PREHEAT") == "True"


def _apply(calcs: Sequence[Any], query: str | None, tabs: widgets.Tab | None, tab_names: Sequence[str]) -> None:
    try:
        inputs = presets.inputs_from_query(query)
    except InputError as err:
        calcs[0].preset_html.value = render_error(err, "Address (preset)")
        return
    if not inputs:
        return
    targets = list(calcs)
    if tabs is not None:
        wanted = inputs.pop("app", None) or inputs.pop("tab", None)
        if wanted is not None:
            if wanted not in tab_names:
                calcs[0].preset_html.value = render_error(
                    InputError("app", f"must be one of {', '.join(tab_names)} (got {wanted!r})"), "Address (preset)")
                return
            tabs.selected_index = tab_names.index(wanted)
            targets = [calcs[tab_names.index(wanted)]]
        else:
            targets = [calcs[tabs.selected_index or 0]]
        if "scenario" in inputs and len(calcs) > 1:   # the same patient in every tab
            for calc in calcs:
                if calc not in targets:
                    calc.set_inputs(scenario=inputs["scenario"])
    for calc in targets:
        calc.set_inputs(**inputs)


def apply_url_presets(*calcs: Any, tabs: widgets.Tab | None = None, tab_names: Sequence[str] = ()) -> None:
    """Apply the page's URL preset to ``calcs`` (each a cmvlib.ui calculator with ``set_inputs``).

    With ``tabs`` (one calculator per tab, named by ``tab_names``), ``?app=<name>`` opens that tab and the
    other values go to its calculator; a ``scenario`` loads the same patient in every tab.
    """
    def run(query: str | None) -> None:
        _apply(calcs, query, tabs, tuple(tab_names))

    if not _preheated():
        run(_query_now())
        return

    def wait_then_run() -> None:
        from voila.utils import get_query_string   # blocks until Voilà hands this kernel a request
        run(get_query_string())

    threading.Thread(target=wait_then_run, name="cmv-url-preset", daemon=True).start()


def _output(figure: Any) -> dict[str, Any]:
    return {"output_type": "display_data", "data": mimebundle(figure), "metadata": {}}


def figure_box(make_figure: Callable[[], Any], *sources: Any) -> widgets.Output:
    """An ``Output`` widget showing ``make_figure()`` (a Plotly figure dict, or ``None`` for "no chart"),
    redrawn whenever a ``result_html`` of ``sources`` changes."""
    box = widgets.Output(layout=widgets.Layout(width="100%", min_height="460px"))

    def redraw(_change: Any = None) -> None:
        figure = make_figure()
        box.outputs = (_output(figure),) if figure is not None else ()

    for source in sources:
        source.result_html.observe(redraw, names="value")
    redraw()
    return box
