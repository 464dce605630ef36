"""App wiring of the apps in book/apps, served by Voilà and run in the reader's browser (no clinical logic).

- :func:`apply_url_presets` reads the page's query string (``?scenario=hemodialysis``) through
  :func:`cmvlib.presets.inputs_from_query` and applies it with ``calc.set_inputs(**inputs)``.
  With pre-heated kernels (``voila/voila.json``) the notebook has already run when the request
  arrives, so the query is read by ``voila.utils.get_query_string()`` in a background thread and
  applied to the live widgets on the kernel's own thread (re-sent if the page had already loaded them:
  :func:`_apply_on_kernel`); without pre-heating Voilà puts it in ``QUERY_STRING`` before the run.
  A query that cannot be read becomes a plain message in the calculator's ``preset_html``. In the
  reader's browser (Pyodide, no Voilà) there is no query: the apps open on their examples.
- :class:`LazyTabs` builds a tab's calculator when the tab is first opened (the dosing workbench).
- :func:`figure_box` shows a Plotly figure inside a widget that can be redrawn, by setting the
  ``Output`` widget's ``outputs`` value (a plain state update, like an ``HTML`` value) — never by
  printing into it, which froze Voilà on ~3 % of loads — with its text alternative underneath.
- :func:`projector` lays a calculator out for a projector: inputs on the left (less-used fields folded),
  result and chart on the right. ``?present=1`` (read by the page's template, not a preset) enlarges both.
"""
from __future__ import annotations

import os
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from .. import presets
from ..display import mimebundle
from ..errors import InputError
from .render import esc, render_error


def _query_now() -> str | None:
    """The query string when Voilà set it before the run (not pre-heated), else ``None``."""
    return os.environ.get("QUERY_STRING")


def _preheated() -> bool:
    return os.environ.get("VOILA_PREHEAT") == "True"


#: Query parameters of the page itself, not presets (``present=1``: presenter mode, see the template).
PAGE_PARAMETERS = ("present",)


def without_page_parameters(query: str | None) -> str | None:
    """``query`` without :data:`PAGE_PARAMETERS` (kept as typed otherwise).

    >>> without_page_parameters("?present=1&scenario=obese"), without_page_parameters("present=1")
    ('scenario=obese', '')
    >>> without_page_parameters(None), without_page_parameters("a=1&&b=2")
    (None, 'a=1&&b=2')
    """
    if not query:
        return query
    parts = query.lstrip("?").split("&")
    kept = [p for p in parts if urllib.parse.unquote_plus(p.split("=", 1)[0]) not in PAGE_PARAMETERS]
    return query if len(kept) == len(parts) else "&".join(kept)


def _apply(calcs: Sequence[Any], query: str | None, tabs: LazyTabs | None) -> bool:
    """Apply ``query``; ``False`` if it held nothing (no widget changed)."""
    first = calcs[0] if calcs else tabs.calculator(0)   # type: ignore[union-attr]
    try:
        inputs = presets.inputs_from_query(without_page_parameters(query))
    except InputError as err:
        first.preset_html.value = render_error(err, "Address (preset)")
        return True
    if not inputs:
        return False
    targets = list(calcs)
    if tabs is not None:
        wanted = inputs.pop("app", None) or inputs.pop("tab", None)
        if wanted is not None and wanted not in tabs.names:
            first.preset_html.value = render_error(
                InputError("app", f"must be one of {', '.join(tabs.names)} (got {wanted!r})"), "Address (preset)")
            return True
        index = (tabs.selected_index or 0) if wanted is None else tabs.names.index(wanted)
        if "scenario" in inputs:    # the same patient in every tab (the others get it when first opened)
            tabs.load_everywhere(scenario=inputs["scenario"])
        targets = [tabs.calculator(index)]
        tabs.selected_index = index
    for calc in targets:
        calc.set_inputs(**inputs)
    return True


class LazyTabs(widgets.Tab):
    """Tabs of calculators, each built (and laid out by :func:`projector`) when its tab is first opened.

    A tab that nobody opens costs nothing: the browser builds only the models of what it shows (the dosing
    workbench's page held 862 widget models before, 6 calculators of which a student sees one).

    ``makers`` maps each tab's name (its ``?app=`` value) to its title and a function that builds its
    calculator. Until then the tab holds a short "Opening ..." line.
    """

    def __init__(self, makers: Mapping[str, tuple[str, Callable[[], Any]]], **kwargs: Any) -> None:
        from ._base import _html, shared

        self.names = tuple(makers)
        self._makers = [make for _, make in makers.values()]
        self._built: dict[int, Any] = {}
        self._everywhere: dict[str, Any] = {}
        boxes = [widgets.VBox([_html(f"<p>Opening {esc(title)} ...</p>")], layout=shared(widgets.Layout))
                 for title, _ in makers.values()]
        super().__init__(children=boxes, titles=[title for title, _ in makers.values()], selected_index=0, **kwargs)
        self.observe(self._opened, names="selected_index")
        self.calculator(0)

    def _opened(self, change: Any) -> None:
        if change["new"] is not None:
            self.calculator(change["new"])

    def calculator(self, index: int) -> Any:
        """The calculator of tab ``index``, built now if it has not been."""
        calc = self._built.get(index)
        if calc is None:
            calc = self._built[index] = projector(self._makers[index]())
            if self._everywhere:
                calc.set_inputs(**self._everywhere)
            self.children[index].children = (calc,)
        return calc

    def built(self) -> list[Any]:
        """The calculators built so far, in tab order."""
        return [self._built[i] for i in sorted(self._built)]

    def load_everywhere(self, **inputs: Any) -> None:
        """Apply ``inputs`` (e.g. a scenario) to every calculator, now or when its tab is first opened."""
        self._everywhere = dict(inputs)
        for calc in self.built():
            calc.set_inputs(**inputs)


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


def apply_url_presets(*calcs: Any, tabs: LazyTabs | None = None) -> None:
    """Apply the page's URL preset to ``calcs`` (each a cmvlib.ui calculator with ``set_inputs``), or to
    ``tabs``: ``?app=<name>`` opens that tab and the other values go to its calculator; a ``scenario`` loads
    the same patient in every tab.
    """
    if not calcs and tabs is None:
        raise TypeError("apply_url_presets needs calculators or tabs")

    def run(query: str | None) -> bool:
        return _apply(calcs, query, tabs)

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
               alternative: Callable[[], str] | None = None, height: int | None = None) -> widgets.VBox:
    """``make_figure()`` (a Plotly figure dict, or ``None`` for "no chart") in an ``Output`` widget, and
    ``alternative()`` (the chart's text or table alternative, HTML) under it; both redrawn whenever a
    ``result_html`` of ``sources`` changes. ``height`` (px) overrides the figure's own."""
    chart = widgets.Output(layout=widgets.Layout(width="100%", min_height=f"{height or 460}px"))
    text = widgets.HTML(layout=widgets.Layout(max_width="100%"))

    def redraw(_change: Any = None) -> None:
        figure = make_figure()
        if figure is not None and height is not None:
            figure = {**figure, "layout": {**figure.get("layout", {}), "height": height}}
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


def _detach(widget: widgets.Widget, among: list[widgets.Widget]) -> bool:
    """Remove ``widget`` from ``among`` (changed in place) or from the box under it that holds it."""
    if any(w is widget for w in among):
        among[:] = [w for w in among if w is not widget]
        return True
    for child in among:
        if isinstance(child, widgets.Box):
            children = list(child.children)
            if _detach(widget, children):
                child.children = tuple(children)
                return True
    return False


def projector(calc: Any, *beside: widgets.Widget, folded: Sequence[str] = ()) -> Any:
    """``calc`` (a cmvlib.ui calculator) laid out for a projector, and returned: the notice on top, then its
    inputs in a column on the left, the rows of the ``folded`` fields in a closed "More inputs" section at
    their end (opened by itself when one of them shows a message), and on the right ``beside`` (a chart) above
    its result. The template's CSS puts the two columns side by side on a wide screen and one under the other
    on a phone."""
    own = (calc.notice_html, calc.status_html, calc.preset_html, calc.result_html)
    inputs = [c for c in calc.children if all(c is not w for w in own)]
    rows = [calc.row(name) for name in folded]
    for name, row in zip(folded, rows):
        if row is None or not _detach(row, inputs):
            raise ValueError(f"{calc.TITLE}: {name!r} is not a field with a row of its own")
    more = []
    if rows:
        section = widgets.Accordion([widgets.VBox(rows)], titles=("More inputs",), selected_index=None)
        section.add_class("cmv-more")
        more = [section]

        def open_on_error(change: Any) -> None:    # a message inside a closed section would go unseen
            if change["new"]:
                section.selected_index = 0

        for name in folded:
            error = calc.errors.get(name)
            if error is not None:
                error.observe(open_on_error, names="value")
                if error.value:
                    section.selected_index = 0
    left = widgets.VBox([calc.status_html, *inputs, *more, calc.preset_html])
    right = widgets.VBox([*beside, calc.result_html])
    left.add_class("cmv-inputs")
    right.add_class("cmv-outputs")
    columns = widgets.HBox([left, right])
    columns.add_class("cmv-columns")
    calc.children = (calc.notice_html, columns)
    calc.layout.max_width = "none"
    calc.add_class("cmv-projector")
    return calc
