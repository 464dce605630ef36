"""App wiring of the apps in book/apps, served by Voilà and run in the reader's browser (no clinical logic).

- :func:`apply_url_presets` reads the page's query string (``?scenario=hemodialysis``) through
  :func:`cmvlib.presets.inputs_from_query` and applies it with ``calc.set_inputs(**inputs)``.
  With pre-heated kernels (``voila/voila.json``) the notebook has already run when the request
  arrives, so the query is read by ``voila.utils.get_query_string()`` in a background thread and
  applied to the live widgets on the kernel's own thread (re-sent if the page had already loaded them:
  :func:`_apply_on_kernel`); without pre-heating Voilà puts it in ``QUERY_STRING`` before the run.
  A query that cannot be read becomes a plain message in the calculator's ``preset_html``. In the
  reader's browser (Pyodide, no Voilà) there is no query: the apps open on their examples.
- :func:`figure_box` shows a Plotly figure inside a widget that can be redrawn, by setting the
  ``Output`` widget's ``outputs`` value (a plain state update, like an ``HTML`` value) — never by
  printing into it, which froze Voilà on ~3 % of loads — with its text alternative underneath.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from .. import presets
from ..display import mimebundle
from ..errors import InputError
from .render import render_error


def _query_now() -> str | None:
    """The query string when Voilà set it before the run (not pre-heated), else ``None``."""
    return os.environ.get("QUERY_STRING")


def _preheated() -> bool:
    return os.environ.get("VOILA_PREHEAT") == "True"


def _apply(calcs: Sequence[Any], query: str | None, tabs: widgets.Tab | None, tab_names: Sequence[str]) -> bool:
    """Apply ``query``; ``False`` if it held nothing (no widget changed)."""
    try:
        inputs = presets.inputs_from_query(query)
    except InputError as err:
        calcs[0].preset_html.value = render_error(err, "Address (preset)")
        return True
    if not inputs:
        return False
    targets = list(calcs)
    if tabs is not None:
        wanted = inputs.pop("app", None) or inputs.pop("tab", None)
        if wanted is not None:
            if wanted not in tab_names:
                calcs[0].preset_html.value = render_error(
                    InputError("app", f"must be one of {', '.join(tab_names)} (got {wanted!r})"), "Address (preset)")
                return True
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
    return True


#: Seconds after a late preset when every widget's state is sent again (see :func:`_apply_on_kernel`).
RESEND_AFTER_S = (1.5, 5.0)


def _kernel_loop() -> Any:
    """The running kernel's event loop, or ``None`` outside a kernel (tests, plain Python)."""
    from IPython import get_ipython

    return getattr(getattr(get_ipython(), "kernel", None), "io_loop", None)


def _send_all_states() -> None:
    """Send every live widget's whole state to the browser again (models it has are simply refreshed)."""
    for widget in list(_live_widgets()):
        if getattr(widget, "comm", None) is not None:
            widget.send_state()


def _live_widgets() -> Iterable[widgets.Widget]:
    from ipywidgets.widgets import widget as widget_module

    return widget_module._instances.values()   # ipywidgets 8 registry (pinned; tests/unit/test_ui_apps.py)


def _apply_on_kernel(run: Callable[[str | None], bool], query: str | None) -> None:
    """Apply a preset (called on the kernel's thread).

    If the browser has already fetched the widget states (ipywidgets' control comm is open), the changes
    are sent as updates, and an update that reaches the browser while it is still building its widget
    models from those states is dropped there: a bookmark then opened on the wrong tab (4 loads in 50 on
    a loaded machine, though the kernel had the right tab). So in that case every state is sent again
    once the page has had time to build its models. An empty query changes nothing and sends nothing.
    """
    browser_has_states = getattr(widgets.Widget, "_control_comm", None) is not None
    changed = run(query)
    loop = _kernel_loop()
    if changed and browser_has_states and loop is not None:
        for delay in RESEND_AFTER_S:
            loop.call_later(delay, _send_all_states)


def _on_kernel_thread(fn: Callable[..., None], *args: Any) -> None:
    """Run ``fn(*args)`` on the kernel's own thread, between two messages it handles (widgets must not
    change from another thread while the kernel answers the browser's request for their states).
    Outside a kernel ``fn`` runs at once."""
    loop = _kernel_loop()
    if loop is None:
        fn(*args)
    else:
        loop.add_callback(fn, *args)


def apply_url_presets(*calcs: Any, tabs: widgets.Tab | None = None, tab_names: Sequence[str] = ()) -> None:
    """Apply the page's URL preset to ``calcs`` (each a cmvlib.ui calculator with ``set_inputs``).

    With ``tabs`` (one calculator per tab, named by ``tab_names``), ``?app=<name>`` opens that tab and the
    other values go to its calculator; a ``scenario`` loads the same patient in every tab.
    """
    def run(query: str | None) -> bool:
        return _apply(calcs, query, tabs, tuple(tab_names))

    if not _preheated():
        run(_query_now())
        return

    def wait_then_run() -> None:
        from voila.utils import get_query_string   # blocks until Voilà hands this kernel a request
        _on_kernel_thread(_apply_on_kernel, run, get_query_string())

    threading.Thread(target=wait_then_run, name="cmv-url-preset", daemon=True).start()


def _output(figure: Any) -> dict[str, Any]:
    return {"output_type": "display_data", "data": mimebundle(figure), "metadata": {}}


def figure_box(make_figure: Callable[[], Any], *sources: Any,
               alternative: Callable[[], str] | None = None) -> widgets.VBox:
    """``make_figure()`` (a Plotly figure dict, or ``None`` for "no chart") in an ``Output`` widget, and
    ``alternative()`` (the chart's text or table alternative, HTML) under it; both redrawn whenever a
    ``result_html`` of ``sources`` changes."""
    chart = widgets.Output(layout=widgets.Layout(width="100%", min_height="460px"))
    text = widgets.HTML(layout=widgets.Layout(max_width="100%"))

    def redraw(_change: Any = None) -> None:
        figure = make_figure()
        chart.outputs = (_output(figure),) if figure is not None else ()
        if alternative is not None:
            text.value = alternative()

    for source in sources:
        source.result_html.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([chart, text] if alternative is not None else [chart],
                       layout=widgets.Layout(width="100%"))
    box.add_class("cmv-figure-box")
    return box
