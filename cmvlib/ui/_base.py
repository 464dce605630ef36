"""Shared machinery of the calculators: labelled fields with one error label each, presets, updates.

A :class:`FieldSet` owns named input widgets (``fields``), one error label per field (``errors``)
and applies values from code or URL presets (:meth:`FieldSet.set_inputs`) without raising: a value
that cannot be applied becomes a message next to its field. A :class:`Calculator` is a ``VBox`` with
the education notice on top, its fields, and a ``result_html`` it recomputes on every change.

A calculator declared in :mod:`cmvlib.calc` (``DECLARATION = "<name>"``) builds its fields from the
declaration (:meth:`FieldSet._declared`) and computes through :meth:`cmvlib.calc.Declaration.evaluate`,
the function the static page's worker also calls; its widgets carry the marks the page looks for
(``cmv-calc-<name>``, ``cmv-field-<field>``, ``cmv-row-<field>``, ``cmv-error-<field>``, ``cmv-result-area``,
``cmv-status-area``), which the saved widget state keeps (``_dom_classes``); :meth:`Calculator.chart` shows its
chart in a notebook cell, marked so that the page redraws it.

Outputs are only ever updated by setting an ``HTML`` widget's ``value`` (never by printing into an
``Output`` widget, which froze Voilà on ~3% of loads).

Widgets that look the same share one style and one layout model (:func:`shared`): every ipywidgets widget
otherwise brings two models of its own, and each model is a message the browser waits for and an object it
builds before the page can draw (the dosing workbench had 862 models, 329 of them identical layouts). Only
a row's layout is the row's own: :meth:`FieldSet.show_row` (and the static page) hides a row through it.
"""
from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from .. import calc
from ..calc.values import optional, whole_or_text  # noqa: F401  (re-exported for the builders)
from ..errors import InputError
from .render import esc, field_label, live_note_html, notice_html, render_error, render_no_result

STYLE = {"description_width": "initial"}
FIELD_WIDTH = "30em"
TRUE_WORDS = ("true", "yes", "1", "on", "y")
FALSE_WORDS = ("false", "no", "0", "off", "n", "")


_SHARED: dict[tuple[type, tuple[tuple[str, Any], ...]], widgets.Widget] = {}


def shared(kind: type[widgets.Widget], **traits: Any) -> Any:
    """The one ``kind(**traits)`` model (a layout or a style) that every widget asking for it uses.

    Never change a shared model's traits: every widget using it would change. A model that has been closed
    (``Widget.close_all()``) is replaced by a new one.

    >>> import ipywidgets as widgets
    >>> shared(widgets.Layout, width="3em") is shared(widgets.Layout, width="3em")
    True
    >>> shared(widgets.Layout, width="3em") is shared(widgets.Layout, width="4em")
    False
    """
    key = (kind, tuple(sorted(traits.items())))
    model = _SHARED.get(key)
    if model is None or model.comm is None:
        model = _SHARED[key] = kind(**traits)
    return model


def style_of(kind: type[widgets.Widget], **traits: Any) -> Any:
    """The shared style model of widgets of ``kind`` with ``traits`` (see :func:`shared`)."""
    return shared(kind.style.klass, **traits)


def fresh_choices(selection: Any, options: Sequence[tuple[str, object]]) -> None:
    """Give ``selection`` (radio buttons, a dropdown) new ``options`` with none chosen, in one update.

    Setting ``options`` alone makes ipywidgets choose the first one and send that, and ``value = None``
    then follows as a second message: in between the page shows the first option chosen, and a reader who
    clicks it sends nothing (it is already checked), so their choice is lost when the second message
    unchecks it. The virtual-patient app lost a choice this way in 3-8 of 40 plays on a busy machine.

    >>> import ipywidgets as widgets
    >>> radio = widgets.RadioButtons(options=["a"], value="a")
    >>> fresh_choices(radio, [("Yes", 1), ("No", 2)])
    >>> radio.options, radio.value
    ((('Yes', 1), ('No', 2)), None)
    """
    with selection.hold_sync():
        selection.options = options
        selection.index = None


def _html(value: str = "", **layout: Any) -> widgets.HTML:
    """An ``HTML`` widget with the shared style and the shared layout ``layout``."""
    return widgets.HTML(value=value, style=style_of(widgets.HTML), layout=shared(widgets.Layout, **layout))


def text_value(value: object) -> str:
    """How a preset value is typed into a text box (``None`` -> empty).

    >>> text_value(None), text_value(72), text_value(1.5), text_value(" 80 ")
    ('', '72', '1.5', ' 80 ')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


class FieldSet:
    """Named input widgets with one error label next to each (mixed into widget containers)."""

    def _init_fields(self) -> None:
        self.fields: dict[str, widgets.Widget] = {}
        self.errors: dict[str, widgets.HTML] = {}
        self.labels: dict[str, str] = {}
        self._rows: dict[str, widgets.Box] = {}
        self._holding = 0
        self._listeners: list[Callable[[str], None]] = []

    # --- building ---------------------------------------------------------------------------
    def _add(self, name: str, widget: widgets.Widget, label: str, *extra: widgets.Widget) -> widgets.Box:
        """Register ``widget`` as field ``name`` and return its row: the widget, extras, its error label."""
        self.fields[name] = widget
        self.labels[name] = label
        self.errors[name] = _html(margin="0 0 0 0.5em", max_width="100%")
        row = widgets.HBox([widget, *extra, self.errors[name]],
                           layout=widgets.Layout(flex_flow="row wrap", align_items="center", max_width="100%"))
        self._rows[name] = row
        self._watch(name, widget)
        return row

    def _watch(self, name: str, widget: widgets.Widget) -> None:
        """Notify the listeners when field ``name`` changes (subclasses may observe before)."""
        widget.observe(lambda change, n=name: self._on_value(n), names="value")

    def _text(self, name: str, label: str, unit: str = "", placeholder: str = "", value: object = None,
              width: str = FIELD_WIDTH) -> widgets.Box:
        description = f"{label} ({unit})" if unit else label
        w = widgets.Text(value=text_value(value), description=description, placeholder=placeholder,
                         continuous_update=False, style=style_of(widgets.Text, **STYLE),
                         layout=shared(widgets.Layout, width=width, max_width="100%"))
        return self._add(name, w, label)

    def _dropdown(self, name: str, label: str, options: Sequence[tuple[str, object]], value: object = None
                  ) -> widgets.Box:
        w = widgets.Dropdown(options=list(options), value=options[0][1] if value is None else value,
                             description=label, style=style_of(widgets.Dropdown, **STYLE),
                             layout=shared(widgets.Layout, width=FIELD_WIDTH, max_width="100%"))
        return self._add(name, w, label)

    def _toggle(self, name: str, label: str, options: Sequence[tuple[str, object]], value: object = None
                ) -> widgets.Box:
        w = widgets.ToggleButtons(options=list(options), value=options[0][1] if value is None else value,
                                  description=label, style=style_of(widgets.ToggleButtons, **STYLE, button_width="auto"),
                                  tooltips=[lbl for lbl, _ in options])
        return self._add(name, w, label)

    def _checkbox(self, name: str, label: str, value: bool = False) -> widgets.Box:
        w = widgets.Checkbox(value=value, description=label, indent=False, style=style_of(widgets.Checkbox, **STYLE),
                             layout=shared(widgets.Layout, width="auto", max_width="100%"))
        return self._add(name, w, label)

    def _declared(self, field: calc.Field, value: object = None) -> widgets.Box:
        """The row of a field declared in :mod:`cmvlib.calc` (its widget chosen by kind and hint)."""
        if field.kind == "flag":
            return self._checkbox(field.name, field.label, value=field.read(field.default if value is None else value))
        if field.kind == "choice":
            make = self._dropdown if field.widget == "dropdown" else self._toggle
            row = make(field.name, field.label, field.options, value=field.read(field.default if value is None else value))
            if field.prompt:
                self.fields[field.name].description = field.prompt
            if field.tooltips and isinstance(self.fields[field.name], widgets.ToggleButtons):
                self.fields[field.name].tooltips = list(field.tooltips)
            return row
        if field.kind == "date":
            w = widgets.DatePicker(value=None if value is None else field.read(value), description=field.description,
                                   style=style_of(widgets.Dropdown, **STYLE),
                                   layout=shared(widgets.Layout, width=FIELD_WIDTH, max_width="100%"))
            return self._add(field.name, w, field.label)
        if field.widget == "textarea":
            w = widgets.Textarea(value=text_value(field.default if value is None else value),
                                 description=field.description, placeholder=field.hint, continuous_update=False,
                                 rows=6, style=style_of(widgets.Text, **STYLE),
                                 layout=shared(widgets.Layout, width=FIELD_WIDTH, max_width="100%"))
            return self._add(field.name, w, field.label)
        row = self._text(field.name, field.label, field.unit, field.hint, value if value is not None else field.default)
        if field.prompt:
            self.fields[field.name].description = field.prompt
        return row

    def show_row(self, name: str, visible: bool) -> None:
        """Show or hide a field's row (fields that do not apply are hidden, not disabled)."""
        row = self.row(name)
        if row is not None:
            row.layout.display = None if visible else "none"

    def row(self, name: str) -> widgets.Box | None:
        """The row that holds field ``name`` (``None`` if it shares another field's row)."""
        return self._rows.get(name)

    # --- changes ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Apply several values with a single notification at the end."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def _on_value(self, name: str) -> None:
        if not self._holding:
            self._changed(name)

    def _changed(self, name: str) -> None:
        for listener in self._listeners:
            listener(name)

    # --- errors -----------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for label in self.errors.values():
            if label.value:
                label.value = ""

    def show_error(self, error: InputError) -> bool:
        """Put ``error`` next to its field; ``False`` if no field of this set matches it."""
        name = self.field_for(error.field)
        if name is None:
            return False
        self.errors[name].value = render_error(error, self.labels.get(name) or field_label(name))
        return True

    def field_for(self, core_field: str | None) -> str | None:
        """The field that shows a core error about ``core_field`` (``points[3].day`` -> ``points``)."""
        if core_field is None:
            return None
        base = core_field.split("[")[0].split(".")[0]
        base = self.ALIASES.get(base, base)
        return base if base in self.fields else None

    ALIASES: Mapping[str, str] = {}

    def accepts(self, name: str) -> bool:
        """Whether :meth:`apply_value` takes a preset called ``name``."""
        return name in self.fields

    # --- presets ----------------------------------------------------------------------------
    def apply_value(self, name: str, value: object) -> None:
        """Put ``value`` into field ``name``, converted for its widget; :class:`InputError` if impossible."""
        w = self.fields[name]
        if isinstance(w, widgets.Checkbox):
            w.value = _flag(value, name)
        elif isinstance(w, (widgets.Dropdown, widgets.ToggleButtons)):
            w.value = _option(value, name, w.options)
        elif isinstance(w, widgets.DatePicker):
            w.value = _date(value, name)
        else:
            w.value = text_value(value)


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise InputError(name, f"must be yes or no (true or false), got {value!r}")


def _option(value: object, name: str, options: Sequence[tuple[str, object]]) -> object:
    for text, option in options:
        if value == option and type(value) is type(option):
            return option
    if isinstance(value, str):
        wanted = value.strip().lower()
        for text, option in options:
            if wanted in (str(option).lower(), text.lower()):
                return option
    choices = ", ".join(str(o) if o is not None else text for text, o in options)
    raise InputError(name, f"must be one of: {choices} (got {value!r})")


def _date(value: object, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(name, f"must be a date like 2026-03-02 (got {value!r})")


class ChartDisplay:
    """What :meth:`Calculator.chart` displays: the figure (HTML drawn by the page's plotly.js, and the Plotly
    JSON for Jupyter front ends) with its text alternative, inside an element marked with the calculator's
    model id (``data-cmv-chart-for``) so that the static page's live calculator redraws it."""

    def __init__(self, calculator: Calculator) -> None:
        self.calculator = calculator

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display import mimebundle

        c = self.calculator
        figure, table = c.figure(), c.figure_table_html()
        bundle = mimebundle(figure) if figure is not None else {}
        body = bundle.get("text/html", "")
        html = (f'<div class="cmv-chart" data-cmv-chart-for="{esc(c.model_id)}">{body}</div>'
                '<details class="cmv-chart-table"><summary>The chart as a table</summary>'
                f'<div data-cmv-table-for="{esc(c.model_id)}">{table}</div></details>')
        return {**bundle, "text/html": html, "text/plain": f"Chart of the {c.TITLE} calculator"}


class Calculator(FieldSet, widgets.VBox):
    """Base of every calculator: notice, inputs, ``result_html``; recomputes on each change.

    Subclasses build their rows in ``__init__`` (calling :meth:`_setup` first and :meth:`_finish` last)
    and implement :meth:`compute`, which returns the result HTML or raises :class:`InputError`.

    Attributes
    ----------
    fields : dict of name -> input widget (includes the patient form's fields)
    errors : dict of name -> the HTML error label next to that field
    result_html : the HTML widget showing the result (or "No result" for bad input)
    preset_html : messages about preset values that were ignored
    """

    TITLE = "Calculator"
    #: The name of the calculator's declaration in :mod:`cmvlib.calc` (``None``: :meth:`compute` instead).
    DECLARATION: str | None = None

    def _setup(self) -> None:
        self._init_fields()
        self._forms: list[FieldSet] = []
        self._preset_errors: dict[str, InputError] = {}
        self.notice_html = _html(notice_html(self.TITLE))
        self.status_html = _html(live_note_html())
        self.preset_html = _html()
        self.result_html = _html(max_width="100%")
        self.outcome: calc.Outcome | None = None

    def _adopt(self, form: FieldSet) -> None:
        """Include a form's fields (same widget objects) and recompute when it changes."""
        self._forms.append(form)
        self.fields.update(form.fields)
        self.errors.update(form.errors)
        self.labels.update(form.labels)
        form._listeners.append(self._changed)

    def _finish(self, inputs: Sequence[widgets.Widget], presets: Mapping[str, Any]) -> None:
        widgets.VBox.__init__(self, [self.notice_html, self.status_html, *inputs, self.preset_html,
                                     self.result_html],
                              layout=widgets.Layout(max_width="60em", width="100%"))
        self.add_class("cmv-calculator")
        if self.DECLARATION is not None:
            self._mark(calc.get(self.DECLARATION))
        if presets:
            self.set_inputs(**presets)
        else:
            self.update()

    def _mark(self, declaration: calc.Declaration) -> None:
        """Put the page's marks on the widgets (kept in the saved widget state as ``_dom_classes``)."""
        self.add_class(calc.MARK_CALCULATOR + declaration.name)
        for name in declaration.names:
            self.fields[name].add_class(calc.MARK_FIELD + name)
            row = self.row(name)
            if row is not None:
                row.add_class(calc.MARK_ROW + name)
            if declaration.field_for(name) == name:
                self.errors[name].add_class(calc.MARK_ERROR + name)
        self.result_html.add_class(calc.MARK_RESULT)
        self.status_html.add_class(calc.MARK_STATUS)

    def row(self, name: str) -> widgets.Box | None:
        for fs in (self, *self._forms):
            if name in fs._rows:
                return fs._rows[name]
        return None

    def figure(self) -> dict[str, Any] | None:
        """The chart of the last result (a Plotly figure dict), ``None`` while the input is invalid."""
        return None if self.outcome is None else self.outcome.figure

    def figure_table_html(self) -> str:
        """The chart's text alternative (HTML) for the last result."""
        if self.outcome is None:
            return calc.NO_CHART if self.DECLARATION and calc.get(self.DECLARATION).chart else ""
        return self.outcome.table

    def chart(self) -> ChartDisplay:
        """The chart and its text alternative, for a notebook cell under the calculator: on the static page
        the live calculator redraws both (they carry the calculator's model id); elsewhere a static copy."""
        return ChartDisplay(self)

    def declared_values(self) -> dict[str, str]:
        """The declared fields' values as text (what the static page's worker receives too)."""
        declaration = calc.get(self.DECLARATION)
        return {f.name: f.text(self.fields[f.name].value) for f in declaration.fields}

    @property
    def widget(self) -> widgets.VBox:
        """The top-level widget (the calculator itself)."""
        return self

    # --- changes ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for form in self._forms:
                stack.enter_context(form.hold())
            self._holding += 1
            try:
                yield
            finally:
                self._holding -= 1

    def _changed(self, name: str) -> None:
        if self._holding:
            return
        self._preset_errors.pop(name, None)
        self._preset_errors.pop("scenario", None)   # a bad scenario name blocks only until the first edit
        self.update()

    def field_for(self, core_field: str | None) -> str | None:
        for fs in self._forms:
            name = fs.field_for(core_field)
            if name is not None:
                return name
        return FieldSet.field_for(self, core_field)

    def compute(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def update(self) -> None:
        """Recompute: clear the messages, then show the result, or the error next to its field and no dose.

        Only :class:`InputError` is caught: anything else is a bug and must surface.
        """
        self.clear_errors()
        self.outcome = None
        if self._preset_errors:
            unplaced = [err for err in self._preset_errors.values() if not self.show_error(err)]
            self.result_html.value = render_no_result(unplaced, placed=not unplaced)
            return
        if self.DECLARATION is not None:
            self.outcome = outcome = calc.get(self.DECLARATION).evaluate(self.declared_values())
            for name in calc.get(self.DECLARATION).names:
                self.show_row(name, name not in outcome.hidden)
            for name, message in outcome.errors.items():
                self.errors[name].value = message
            self.result_html.value = outcome.html
            return
        try:
            html = self.compute()
        except InputError as err:
            placed = self.show_error(err)
            self.result_html.value = render_no_result([err], placed=placed)
            return
        self.result_html.value = html

    # --- presets ----------------------------------------------------------------------------
    def set_inputs(self, **values: Any) -> None:
        """Apply preset values (from code or URL query parameters) and recompute once.

        ``scenario=<name>`` first loads :func:`cmvlib.examples.inputs` (patient fields not in it are
        cleared). Values that cannot be applied are shown next to their field and give no result until
        that field is changed; unknown names are listed in ``preset_html`` and otherwise ignored. Never
        raises.
        """
        self._preset_errors = {}
        unknown: list[str] = []
        with self.hold():
            scenario = values.pop("scenario", None)
            if scenario is not None:
                self._apply_scenario(scenario)
            for name, value in values.items():
                self._apply(name, value, unknown)
        self.preset_html.value = ("" if not unknown else
                                  "<p><em>Ignored unknown preset parameter(s): "
                                  + ", ".join(sorted(esc(n) for n in unknown)) + ".</em></p>")
        self.update()

    def _apply_scenario(self, scenario: object) -> None:
        from .. import examples

        try:
            data = examples.inputs(scenario) if isinstance(scenario, str) else examples.inputs(repr(scenario))
        except InputError as err:
            self._preset_errors["scenario"] = err
            return
        for form in self._forms:
            reset = getattr(form, "reset", None)
            if reset is not None:
                reset()
        for name, value in data.items():
            self._apply(name, value, [])

    def _apply(self, name: str, value: object, unknown: list[str]) -> None:
        for fs in (*self._forms, self):
            if fs.accepts(name):
                try:
                    fs.apply_value(name, value)
                except InputError as err:
                    self._preset_errors[fs.field_for(name) or name] = err
                return
        unknown.append(name)

    def accepts(self, name: str) -> bool:
        return name in self.fields and not any(name in f.fields for f in self._forms)
