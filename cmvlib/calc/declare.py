"""How a calculator is declared once: its fields, a pure compute to result HTML, an optional figure.

A :class:`Declaration` is bound twice, with no logic of its own in either binding:

- :mod:`cmvlib.ui` (ipywidgets: chapters at build time, Voilà) builds its widgets from the fields and, on
  every change, calls :meth:`Declaration.evaluate` with the widgets' values;
- the static book page (no kernel) sends the values of the saved widgets to a Web Worker running Pyodide,
  which calls :func:`cmvlib.calc.run`, i.e. the same :meth:`Declaration.evaluate`.

Values cross both bindings as text (``dict[str, str]``, JSON-ready): a text box as typed, a choice as its
option value or its label (a page knows only the labels), a flag as ``"true"``/``"false"``. Standard library
only: this module runs in Pyodide.

>>> f = Field("weight_basis", "Weight used for dosing", "choice", options=(("actual body weight", "actual"),))
>>> f.read("Actual body weight"), f.read("actual")
('actual', 'actual')
>>> Field("weight_kg", "Weight", "number", unit="kg").description
'Weight (kg)'
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..ui.render import render_error, render_no_result

KINDS = ("number", "text", "choice", "flag", "date")
TRUE_WORDS = ("true", "yes", "1", "on", "y")
FALSE_WORDS = ("false", "no", "0", "off", "n", "")


@dataclass(frozen=True)
class Field:
    """One input of a calculator, declared once for validation messages, forms, presets and pages.

    Parameters
    ----------
    name : the field's key in the values (``weight_kg``); a page marks its widget ``cmv-field-<name>``.
    label : the reader's name for it, used in messages (``Weight``).
    kind : ``number`` (a text box holding a number the core checks), ``text``, ``choice``, ``flag`` or ``date``
        (ISO text, ``2026-03-02``; read as a :class:`datetime.date`).
    unit : shown after the label (``Weight (kg)``).
    limits : ``(low, high)`` the core accepts, in ``unit`` (informative: the core validates).
    default : the value (text) when none is given.
    hint : placeholder text of an empty box.
    options : ``(label, value)`` pairs of a choice.
    optional : an empty box means "not given" (``None``), not "missing".
    aliases : core field names (of :class:`~cmvlib.errors.InputError`) whose messages show at this field.
    widget : presentation hint: ``toggle`` or ``dropdown`` for a choice, ``textarea`` for text.
    prompt : the widget's visible text when it is not ``label (unit)``.
    tooltips : per-option tooltips of a toggle.
    """

    name: str
    label: str
    kind: str = "number"
    unit: str = ""
    limits: tuple[float, float] | None = None
    default: str = ""
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    aliases: tuple[str, ...] = ()
    widget: str = ""
    prompt: str = ""
    tooltips: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name}: kind must be one of {KINDS}, not {self.kind!r}")
        if (self.kind == "choice") != bool(self.options):
            raise ValueError(f"field {self.name}: a choice needs options, and only a choice has them")

    @property
    def description(self) -> str:
        """The widget's visible text: ``prompt``, else ``label (unit)``."""
        if self.prompt:
            return self.prompt
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def read(self, raw: object) -> Any:
        """The value a compute function receives: text for ``number``/``text`` (``None`` when an optional
        box is empty), the option value for a ``choice``, a bool for a ``flag``, a date for a ``date``; raises
        :class:`~cmvlib.errors.InputError` naming this field for a choice, flag or date it cannot read.

        >>> Field("on_hemodialysis", "On hemodialysis", "flag").read("true")
        True
        >>> Field("height_cm", "Height", optional=True).read("  ") is None
        True
        >>> Field("start", "Start date", "date").read("2026-03-02")
        datetime.date(2026, 3, 2)
        """
        if self.kind == "date":
            if isinstance(raw, datetime.date):
                return raw
            if raw is None or not str(raw).strip():
                raise InputError(self.name, "is missing: enter a date like 2026-03-02")
            try:
                return datetime.date.fromisoformat(str(raw).strip())
            except ValueError:
                raise InputError(self.name, f"must be a date like 2026-03-02 (got {raw!r})") from None
        if self.kind == "flag":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in TRUE_WORDS + FALSE_WORDS:
                return word in TRUE_WORDS
            raise InputError(self.name, f"must be yes or no (true or false), got {raw!r}")
        if self.kind == "choice":
            wanted = str(raw).strip().lower()
            for label, value in self.options:
                if wanted in (value.lower(), label.lower()):
                    return value
            raise InputError(self.name, f"must be one of: {', '.join(v for _, v in self.options)} (got {raw!r})")
        text = "" if raw is None else str(raw)
        if self.optional and not text.strip():
            return None
        return text

    def text(self, value: object) -> str:
        """How a widget's value travels as text (a flag as ``"true"``/``"false"``).

        >>> Field("on_hemodialysis", "On hemodialysis", "flag").text(False)
        'false'
        """
        if self.kind == "flag":
            return "true" if value is True else "false" if value is False else str(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return "" if value is None else str(value)


#: What a calculator's chart shows: the Plotly figure dict and its text alternative (HTML table or words).
Chart = tuple[dict, str]

#: Shown where a calculator's chart would be while its input is invalid.
NO_CHART = '<p class="cmv-no-chart"><em>No chart for these values: see the message above.</em></p>'


@dataclass(frozen=True)
class Outcome:
    """What a calculator shows: the result HTML, one message (HTML) per field, an optional figure dict with its
    text alternative (``table``), the fields that do not apply (``hidden``), and updates a binding applies to
    its inputs (``{field: {"value": text, "description": text}}``)."""

    html: str
    errors: dict[str, str] = field(default_factory=dict)
    figure: dict | None = None
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    table: str = ""
    hidden: tuple[str, ...] = ()

    def as_json(self) -> dict:
        """The JSON-ready dict the page's worker returns."""
        out: dict = {"html": self.html, "errors": dict(self.errors), "figure": self.figure, "table": self.table,
                     "hidden": list(self.hidden)}
        if self.inputs:
            out["inputs"] = {k: dict(v) for k, v in self.inputs.items()}
        return out


#: ``(values, previous values) -> input updates``: what a change of one input does to another (e.g. the
#: creatinine unit toggle converts the typed creatinine).
Adjust = Callable[[Mapping[str, str], Mapping[str, str]], dict]


@dataclass(frozen=True)
class Declaration:
    """A calculator declared once (see the module docstring).

    ``compute`` receives the values read by each field (:meth:`Field.read`) and returns the result HTML
    (a :mod:`cmvlib.ui.render` function of the core's result) or raises :class:`~cmvlib.errors.InputError`
    naming the field (or a core name in a field's ``aliases``); ``chart`` (optional) returns the figure dict and
    its text alternative from the same values; ``hidden`` (optional) names the fields that do not apply to
    the values as typed (e.g. the maintenance schedule during induction): bindings hide them.
    """

    name: str
    title: str
    fields: tuple[Field, ...]
    compute: Callable[[Mapping[str, Any]], str]
    chart: Callable[[Mapping[str, Any]], Chart] | None = None
    hidden: Callable[[Mapping[str, Any]], Collection[str]] | None = None
    adjust: Adjust | None = None
    scenario: str | None = None   # the cmvlib.examples case shown when no preset is given

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"calculator {self.name}: repeated field names {names}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def defaults(self) -> dict[str, str]:
        """Every field's default value (text)."""
        return {f.name: f.default for f in self.fields}

    def field_for(self, core_field: str | None) -> str | None:
        """The field that shows a core error about ``core_field`` (``serum_creatinine_umol_l`` ->
        ``serum_creatinine``; ``points[3].day`` -> ``points``), or ``None``."""
        if core_field is None:
            return None
        base = core_field.split("[")[0].split(".")[0]
        for f in self.fields:
            if base in f.aliases:
                return f.name
        return base if base in self.names else None

    def read(self, values: Mapping[str, object]) -> dict[str, Any]:
        """Each field's value as its compute receives it (missing keys take the default)."""
        return {f.name: f.read(values.get(f.name, f.default)) for f in self.fields}

    def choice(self, values: Mapping[str, object], name: str) -> Any:
        """Field ``name`` read from ``values``, or its default when it cannot be read (for ``hidden``)."""
        f = self.field(name)
        try:
            return f.read(values.get(name, f.default))
        except InputError:
            return f.read(f.default)

    def hidden_fields(self, values: Mapping[str, object]) -> tuple[str, ...]:
        """The fields that do not apply to ``values`` (in declaration order)."""
        if self.hidden is None:
            return ()
        hide = set(self.hidden(values))
        return tuple(n for n in self.names if n in hide)

    def evaluate(self, values: Mapping[str, object], previous: Mapping[str, object] | None = None) -> Outcome:
        """The outcome for ``values``: the result, or the message next to its field and no result.

        ``previous`` (the values of the last evaluation) lets ``adjust`` see which input changed. Only
        :class:`~cmvlib.errors.InputError` is caught: anything else is a bug and must surface.
        """
        inputs: dict[str, dict[str, str]] = {}
        if self.adjust is not None and previous is not None:
            inputs = self.adjust(values, previous)
            values = {**values, **{k: u["value"] for k, u in inputs.items() if "value" in u}}
        hidden = self.hidden_fields(values)
        try:
            read = self.read(values)
            html = self.compute(read)
            figure, table = self.chart(read) if self.chart is not None else (None, "")
        except InputError as err:
            name = self.field_for(err.field)
            errors = {} if name is None else {name: render_error(err, self.field(name).label)}
            return Outcome(render_no_result([err], placed=name is not None), errors, None, inputs,
                           NO_CHART if self.chart is not None else "", hidden)
        return Outcome(html, {}, figure, inputs, table, hidden)


_REGISTRY: dict[str, Declaration] = {}


def register(declaration: Declaration) -> Declaration:
    """Add a calculator to the registry (keyed by its name, which pages carry as ``cmv-calc-<name>``)."""
    if declaration.name in _REGISTRY and _REGISTRY[declaration.name] is not declaration:
        raise ValueError(f"calculator {declaration.name!r} is declared twice")
    _REGISTRY[declaration.name] = declaration
    return declaration


def get(name: str) -> Declaration:
    """The declared calculator ``name``; :class:`~cmvlib.errors.InputError` if there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError("calculator", f"unknown calculator {name!r}; declared: {', '.join(sorted(_REGISTRY))}") from None


def names() -> tuple[str, ...]:
    """The declared calculators' names."""
    return tuple(sorted(_REGISTRY))
