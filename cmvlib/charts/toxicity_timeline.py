"""Toxicity timeline chart: when each adverse effect usually starts, when to test, which lab values act.

For one drug the figure draws

- a horizontal bar for every onset window of :func:`cmvlib.toxicity.timeline` (one row per effect; windows
  that follow each dose or infusion are drawn once per dose day, so they need ``dose_days``);
- a row of markers for every monitoring test, on the days of
  :func:`cmvlib.monitoring.monitoring_schedule` (computed for the course unless given or turned off);
- the induction and maintenance phases as shaded spans;
- the drug's laboratory thresholds and their actions (:func:`cmvlib.toxicity.thresholds`) as notes
  under the chart.

Called with ``drug=None`` it precomputes every drug and adds a drop-down menu to switch among them, so
the choice works in the static book. Windows are usual onset times from the sources: toxicity can
occur at any time.

>>> fig = toxicity_timeline_figure("ganciclovir", 21, 28)
>>> [(t["name"], t["base"], t["x"]) for t in fig["data"] if t["type"] == "bar"]
[('neutropenia', [0.0], [14.0])]
>>> len(toxicity_table("ganciclovir", 21, 28)) == 1 + len({e.test for e in monitoring_events("ganciclovir", 21, 28)}) + 4 + 3
True
"""
from __future__ import annotations

import datetime
import html
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .. import monitoring as monitoring_mod
from .. import toxicity, validate
from ..errors import InputError
from ..monitoring import MonitoringEvent
from ..sources import cite
from . import style
from .text import fmt_number, table_html

#: Date used to compute the schedule; the chart shows day numbers only.
_START = datetime.date(2026, 1, 5)
_PHASE_FILL = {"induction": "rgba(128,128,128,0.14)", "maintenance": "rgba(128,128,128,0.05)"}
_MONITOR_COLOUR = style.OKABE_ITO["sky_blue"]
_ROW_PX = 40


@dataclass(frozen=True)
class ToxicityPanel:
    """What the chart draws for one drug (computed by :func:`toxicity_panel`)."""

    drug: str
    induction_days: float
    maintenance_days: float
    dose_days: tuple[float, ...] | None
    windows: tuple[toxicity.TimelineWindow, ...]
    events: tuple[MonitoringEvent, ...]
    thresholds: tuple[toxicity.LabThreshold, ...]
    not_drawn: tuple[tuple[str, str], ...]   # (effect, why it is not drawn)

    @property
    def total_days(self) -> float:
        return self.induction_days + self.maintenance_days

    @property
    def effects(self) -> tuple[str, ...]:
        """Drawn effects in order of first onset."""
        return tuple(dict.fromkeys(w.effect for w in self.windows))

    @property
    def tests(self) -> tuple[str, ...]:
        """Monitoring tests in order of first appearance."""
        return tuple(dict.fromkeys(e.test for e in self.events))


# ----------------------------------------------------------------------------------------- model
def _whole_days(value: float, field: str) -> int:
    if not float(value).is_integer():
        raise InputError(field, "must be a whole number of days to place monitoring events "
                                "(or pass monitoring=False)")
    return int(value)


def monitoring_events(drug: str, induction_days: object = 21, maintenance_days: object = 0,
                      retinitis: bool = False) -> list[MonitoringEvent]:
    """The monitoring schedule the chart draws for ``drug`` (empty for maribavir, which has none in the data).

    >>> sorted({e.day for e in monitoring_events("cidofovir", 14, 28) if e.test == "urine protein"})
    [0, 7, 14, 28]
    """
    name = validate.choice(drug, "drug", toxicity.DRUGS)
    induction = validate.number(induction_days, "induction_days", 0, toxicity.MAX_COURSE_DAYS, "days",
                                lo_inclusive=False)
    maintenance = validate.number(maintenance_days, "maintenance_days", 0, toxicity.MAX_COURSE_DAYS, "days")
    if name not in monitoring_mod.DRUGS:
        return []
    return monitoring_mod.monitoring_schedule(name, _START, _whole_days(induction, "induction_days"),
                                              _whole_days(maintenance, "maintenance_days"), retinitis=retinitis)


def _given_events(events: object, total: float) -> tuple[MonitoringEvent, ...]:
    if isinstance(events, (str, bytes, Mapping)) or not isinstance(events, Iterable):
        raise InputError("monitoring", "must be None (compute), False (none) or a list of monitoring events")
    out = tuple(events)
    for i, e in enumerate(out):
        if not isinstance(e, MonitoringEvent):
            raise InputError(f"monitoring[{i}]", "must be a MonitoringEvent from cmvlib.monitoring.monitoring_schedule")
        if e.day > total:
            raise InputError(f"monitoring[{i}]", f"day {e.day} falls after the course (day {total:g})")
    return out


def toxicity_panel(drug: str, induction_days: object = 21, maintenance_days: object = 0,
                   dose_days: Sequence[object] | None = None, monitoring: object = None,
                   retinitis: bool = False) -> ToxicityPanel:
    """Validate the inputs and collect what the chart draws for one drug (checks delegated to the core)."""
    if isinstance(dose_days, Iterable) and not isinstance(dose_days, (str, bytes, Mapping)):
        dose_days = list(islice(dose_days, toxicity.MAX_DOSE_DAYS + 1))
    windows = toxicity.timeline(drug, induction_days, maintenance_days, dose_days)
    name = validate.choice(drug, "drug", toxicity.DRUGS)
    induction = validate.number(induction_days, "induction_days", 0, toxicity.MAX_COURSE_DAYS, "days",
                                lo_inclusive=False)
    maintenance = validate.number(maintenance_days, "maintenance_days", 0, toxicity.MAX_COURSE_DAYS, "days")
    if monitoring is None:
        events = tuple(monitoring_events(name, induction, maintenance, retinitis))
    elif monitoring is False:
        events = ()
    else:
        events = _given_events(monitoring, induction + maintenance)
    doses = None if dose_days is None else tuple(sorted({float(d) for d in dose_days}))  # validated above
    total = induction + maintenance
    drawn = {w.effect for w in windows}
    has_window = {w.effect for w in toxicity.effects(name) if w.drawn}
    not_drawn: dict[str, str] = {}
    for w in toxicity.effects(name):
        if w.effect in drawn or w.effect in not_drawn or (not w.drawn and w.effect in has_window):
            continue
        if not w.drawn:
            not_drawn[w.effect] = "no onset window in the sources"
        elif w.relative_to in ("dose", "infusion"):
            not_drawn[w.effect] = f"follows each {w.relative_to}: give dose days"
        elif w.onset_start_day is not None and w.onset_start_day >= total:
            not_drawn[w.effect] = f"usual onset from day {fmt_number(w.onset_start_day)}, after this course"
    return ToxicityPanel(name, induction, maintenance, doses, tuple(windows), events,
                         tuple(toxicity.thresholds(name)), tuple(not_drawn.items()))


# ---------------------------------------------------------------------------------------- text
def _threshold_line(t: toxicity.LabThreshold) -> str:
    return f"{t.describe()} ({t.when}): {t.action} [{t.source}]"


def _not_drawn_text(p: ToxicityPanel) -> str:
    return "; ".join(f"{effect}: {why}" for effect, why in p.not_drawn)


def _esc(text: str) -> str:
    """Plotly reads a few HTML tags in text: escape data so that 'ANC < 500' stays text."""
    return html.escape(text, quote=False)


def _notes(p: ToxicityPanel) -> list[str]:
    lines = []
    if p.thresholds:
        lines.append("<b>Laboratory thresholds</b>")
        lines += ["• " + _esc(_threshold_line(t)) for t in p.thresholds]
    else:
        lines.append(f"<b>Laboratory thresholds</b>: none in the sources for {p.drug}.")
    if p.not_drawn:
        lines.append("<b>Not drawn</b>: " + _esc(_not_drawn_text(p)) + ".")
    wrapped = []
    for line in lines:
        wrapped += textwrap.wrap(line, 120, subsequent_indent="   ") or [""]
    return wrapped


def _panel_caption(p: ToxicityPanel) -> str:
    parts = [f"{p.drug.capitalize()}: usual onset windows of adverse effects (bars) over a course of "
             f"{fmt_number(p.induction_days)} days of induction"
             + (f" and {fmt_number(p.maintenance_days)} days of maintenance" if p.maintenance_days else "")
             + " (day 0 = first dose of induction). Windows are the usual onset times given by the sources; "
               "toxicity can occur at any time."]
    if p.events:
        parts.append("Markers: monitoring tests on their scheduled days (each test has its own row and symbol).")
    elif p.drug not in monitoring_mod.DRUGS:
        parts.append(f"No monitoring schedule for {p.drug} is in the data.")
    if p.not_drawn:
        parts.append("Not drawn: " + _not_drawn_text(p) + ".")
    if p.thresholds:
        parts.append("Laboratory thresholds: " + "; ".join(_threshold_line(t) for t in p.thresholds) + ".")
    sources = sorted({w.source for w in p.windows} | {e.source for e in p.events} | {t.source for t in p.thresholds})
    if sources:
        parts.append("Sources: " + "; ".join(cite(s) for s in sources) + ".")
    return " ".join(parts)


# -------------------------------------------------------------------------------------- figure
def _row_label(text: str) -> str:
    return "<br>".join(_esc(x) for x in textwrap.wrap(text, 28)) or _esc(text)


def _monitor_row(test: str) -> str:
    return f"Test: {test}"


def _traces(p: ToxicityPanel, visible: bool) -> list[dict[str, Any]]:
    traces = []
    for i, effect in enumerate(p.effects):
        ws = [w for w in p.windows if w.effect == effect]
        colour = style.colour(i)
        traces.append({
            "type": "bar", "orientation": "h", "name": effect, "legendgroup": p.drug, "visible": visible,
            "y": [effect] * len(ws), "base": [w.start_day for w in ws], "x": [w.end_day - w.start_day for w in ws],
            "customdata": [["<br>".join(_esc(x) for x in textwrap.wrap(w.label, 60)), fmt_number(w.start_day),
                            fmt_number(w.end_day), w.source] for w in ws],
            "hovertemplate": "%{customdata[0]}<br>Days %{customdata[1]}-%{customdata[2]} "
                             "[%{customdata[3]}]<extra></extra>",
            "marker": {"color": style.rgba(colour, 0.75), "line": {"color": colour, "width": 1.5},
                       "pattern": {"shape": style.PATTERNS[i % len(style.PATTERNS)], "fgcolor": colour,
                                   "solidity": 0.3}},
            "width": 0.6, "showlegend": False,
        })
    for j, test in enumerate(p.tests):
        evs = [e for e in p.events if e.test == test]
        traces.append({
            "type": "scatter", "mode": "markers", "name": test, "legendgroup": p.drug, "visible": visible,
            "x": [e.day for e in evs], "y": [_monitor_row(test)] * len(evs),
            "customdata": [["<br>".join(_esc(x) for x in textwrap.wrap(e.reason, 60)), e.source, e.phase] for e in evs],
            "hovertemplate": f"{test}, day %{{x}} (%{{customdata[2]}})<br>%{{customdata[0]}} "
                             "[%{customdata[1]}]<extra></extra>",
            "marker": {"color": _MONITOR_COLOUR, "symbol": style.SYMBOLS[j % len(style.SYMBOLS)], "size": 11,
                       "line": {"color": style.OKABE_ITO["blue"], "width": 1}},
            "showlegend": False,
        })
    return traces


def _rows_of(p: ToxicityPanel) -> list[str]:
    return list(p.effects) + [_monitor_row(t) for t in p.tests]


def _shapes(p: ToxicityPanel) -> list[dict[str, Any]]:
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": 0, "x1": p.induction_days, "y0": 0, "y1": 1,
               "fillcolor": _PHASE_FILL["induction"], "line": {"width": 0}, "layer": "below"}]
    if p.maintenance_days:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": p.induction_days, "x1": p.total_days,
                       "y0": 0, "y1": 1, "fillcolor": _PHASE_FILL["maintenance"], "line": {"width": 0},
                       "layer": "below"})
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": p.induction_days, "x1": p.induction_days,
                       "y0": 0, "y1": 1, "line": {"color": style.LINE_GREY, "dash": "dash", "width": 1.5}})
    return shapes


def _annotations(p: ToxicityPanel, notes_y: float) -> list[dict[str, Any]]:
    notes = [{"name": "phase_induction", "text": f"Induction (days 0-{fmt_number(p.induction_days)})",
              "xref": "x", "yref": "paper", "x": p.induction_days / 2, "y": 1, "yanchor": "bottom",
              "showarrow": False}]
    if p.maintenance_days:
        notes.append({"name": "phase_maintenance",
                      "text": f"Maintenance (days {fmt_number(p.induction_days)}-{fmt_number(p.total_days)})",
                      "xref": "x", "yref": "paper", "x": p.induction_days + p.maintenance_days / 2, "y": 1,
                      "yanchor": "bottom", "showarrow": False})
    if not p.windows and not p.events:
        notes.append({"name": "empty", "text": f"Nothing to draw for {p.drug}: no onset window or monitoring "
                      "schedule in the sources (see the notes below and the table).",
                      "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False})
    notes.append({"name": "lab_thresholds", "text": "<br>".join(_notes(p)), "xref": "paper", "yref": "paper",
                  "x": 0, "y": notes_y, "xanchor": "left", "yanchor": "top", "align": "left", "showarrow": False,
                  "font": {"size": 12.5}})
    return notes


def _panel_layout(p: ToxicityPanel, rows: int, note_lines: int) -> dict[str, Any]:
    """Layout entries that change with the drug (height and margins are set for the largest panel)."""
    labels = _rows_of(p)
    plot_px = max(rows, 1) * _ROW_PX + 40
    return {
        "title.text": f"Toxicity timeline: {p.drug}",
        "yaxis.categoryarray": labels,
        "yaxis.tickvals": labels,
        "yaxis.ticktext": [_row_label(x) for x in labels],
        "yaxis.range": [len(labels) - 0.5, -0.5] if labels else [0.5, -0.5],
        "xaxis.range": [-0.5, p.total_days + 0.5 + max([0.0] + [w.end_day - p.total_days for w in p.windows])],
        "shapes": _shapes(p),
        "annotations": _annotations(p, -70 / plot_px),
    }


def _apply(layout: dict[str, Any], updates: Mapping[str, Any]) -> None:
    for key, value in updates.items():
        target = layout
        *path, last = key.split(".")
        for part in path:
            target = target.setdefault(part, {})
        target[last] = value


def toxicity_timeline_figure(drug: str | None, induction_days: object = 21, maintenance_days: object = 0,
                             dose_days: Sequence[object] | None = None, monitoring: object = None, *,
                             retinitis: bool = False) -> dict[str, Any]:
    """Plotly figure dict of the toxicity timeline of ``drug`` (or of every drug, with a menu, if None).

    Parameters
    ----------
    drug : one of :data:`cmvlib.toxicity.DRUGS`, or None for a drop-down menu over all of them.
    induction_days, maintenance_days : the course (day 0 = first dose of induction).
    dose_days : days of each dose or infusion, to draw windows that follow each dose (e.g. cidofovir
        iritis, the fall in ionised calcium during each foscarnet infusion). None: those are not drawn.
    monitoring : None to compute :func:`cmvlib.monitoring.monitoring_schedule` (whole days needed), False
        for no monitoring markers, or a list of :class:`~cmvlib.monitoring.MonitoringEvent` (one drug only).
    retinitis : add the baseline eye examination to the computed schedule.

    Examples
    --------
    >>> fig = toxicity_timeline_figure(None, 14, 28)
    >>> [b["label"] for b in fig["layout"]["updatemenus"][0]["buttons"]]
    ['ganciclovir', 'valganciclovir', 'foscarnet', 'cidofovir', 'maribavir']
    >>> toxicity_timeline_figure("aciclovir")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: drug: must be one of ganciclovir, valganciclovir, foscarnet, cidofovir, maribavir (got 'aciclovir')
    """
    if drug is None:
        if monitoring not in (None, False):
            raise InputError("monitoring", "give monitoring events only with one drug (drug=None shows all drugs)")
        panels = [toxicity_panel(d, induction_days, maintenance_days, dose_days, monitoring, retinitis)
                  for d in toxicity.DRUGS]
    else:
        panels = [toxicity_panel(drug, induction_days, maintenance_days, dose_days, monitoring, retinitis)]
    return _figure(panels, menu=drug is None)


def _figure(panels: list[ToxicityPanel], menu: bool) -> dict[str, Any]:
    rows = max(len(_rows_of(p)) for p in panels)
    note_lines = max(len(_notes(p)) for p in panels)
    plot_px = max(rows, 1) * _ROW_PX + 40
    bottom = 95 + 17 * note_lines
    top = 150 if menu else 110
    data: list[dict[str, Any]] = []
    owner: list[int] = []
    for k, p in enumerate(panels):
        traces = _traces(p, visible=(k == 0))
        data += traces
        owner += [k] * len(traces)
    if menu:
        caption = (f"Choose a drug in the menu. {_panel_caption(panels[0])} "
                   "The other drugs' charts are described in the table.")
    else:
        caption = _panel_caption(panels[0])
    layout = style.base_layout(
        f"Toxicity timeline: {panels[0].drug}", "Days from the first dose of induction (day 0)", "",
        subtitle="Usual onset windows from the sources; toxicity can occur at any time",
        height=top + plot_px + bottom,
        description="Horizontal bars show when each adverse effect usually starts; markers show monitoring days.",
        caption=caption)
    layout["margin"] = {"l": 10, "r": 30, "t": top, "b": bottom}
    layout["yaxis"].update({"type": "category", "categoryorder": "array", "tickmode": "array",
                            "showgrid": False, "title": {"text": ""}})
    layout["xaxis"].update({"zeroline": False})
    layout["barmode"] = "overlay"
    layout["showlegend"] = False
    _apply(layout, _panel_layout(panels[0], rows, note_lines))
    if menu:
        buttons = []
        for k, p in enumerate(panels):
            updates = _panel_layout(p, rows, note_lines)
            buttons.append({"label": p.drug, "method": "update",
                            "args": [{"visible": [o == k for o in owner]}, updates]})
        layout["updatemenus"] = [{**style.control_style(), "type": "dropdown", "active": 0, "buttons": buttons,
                                  "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom",
                                  "pad": {"b": 36}, "showactive": True}]
        layout["meta"]["drugs"] = [p.drug for p in panels]
    return {"data": data, "layout": layout}


# --------------------------------------------------------------------------------------- table
def toxicity_caption(drug: str | None, induction_days: object = 21, maintenance_days: object = 0,
                     dose_days: Sequence[object] | None = None, monitoring: object = None, *,
                     retinitis: bool = False) -> str:
    """The caption of :func:`toxicity_timeline_figure` called with the same arguments."""
    return toxicity_timeline_figure(drug, induction_days, maintenance_days, dose_days, monitoring,
                                    retinitis=retinitis)["layout"]["meta"]["caption"]


def _days_list(days: Sequence[float]) -> str:
    return ", ".join(fmt_number(d) for d in days)


def _panel_rows(p: ToxicityPanel) -> list[dict[str, str]]:
    rows = []
    for w in p.windows:
        rows.append({"Item": w.effect, "Drug": p.drug, "Kind": "usual onset window",
                     "Days": f"{fmt_number(w.start_day, 2)} to {fmt_number(w.end_day, 2)}",
                     "Details": w.label, "Source": cite(w.source)})
    for test in p.tests:
        evs = [e for e in p.events if e.test == test]
        rows.append({"Item": test, "Drug": p.drug, "Kind": "monitoring",
                     "Days": _days_list([e.day for e in evs]),
                     "Details": " / ".join(dict.fromkeys(e.reason for e in evs)),
                     "Source": "; ".join(cite(s) for s in dict.fromkeys(e.source for e in evs))})
    for t in p.thresholds:
        rows.append({"Item": t.describe(), "Drug": p.drug, "Kind": "laboratory threshold", "Days": t.when,
                     "Details": t.action, "Source": cite(t.source)})
    for effect, why in p.not_drawn:
        facts = [w for w in toxicity.effects(p.drug) if w.effect == effect]
        details = [why] + [f"incidence {w.incidence}" + (f" ({w.context})" if w.context else "")
                           for w in facts if w.incidence]
        rows.append({"Item": effect, "Drug": p.drug, "Kind": "not drawn (listed under the chart)", "Days": "",
                     "Details": "; ".join(details),
                     "Source": "; ".join(cite(s) for s in dict.fromkeys(w.source for w in facts))})
    return rows


def toxicity_table(drug: str | None, induction_days: object = 21, maintenance_days: object = 0,
                   dose_days: Sequence[object] | None = None, monitoring: object = None, *,
                   retinitis: bool = False) -> list[dict[str, str]]:
    """The text alternative of :func:`toxicity_timeline_figure`: one row per plotted item.

    Rows: every drawn onset window (bar), every monitoring test (row of markers), every laboratory
    threshold and every effect listed as not drawn (notes under the chart), for ``drug`` or for every
    drug when ``drug`` is None.
    Columns: Item, Drug, Kind, Days, Details, Source.

    >>> [(r["Item"], r["Days"]) for r in toxicity_table("cidofovir", 14, 0, dose_days=[0, 7], monitoring=False)][:3]
    [('nephrotoxicity', '0 to 14'), ('iritis', '3.1 to 6.7'), ('iritis', '10.1 to 13.7')]
    """
    drugs = toxicity.DRUGS if drug is None else (drug,)
    if drug is None and monitoring not in (None, False):
        raise InputError("monitoring", "give monitoring events only with one drug (drug=None shows all drugs)")
    rows = []
    for d in drugs:
        rows += _panel_rows(toxicity_panel(d, induction_days, maintenance_days, dose_days, monitoring, retinitis))
    return rows


def toxicity_table_html(drug: str | None, *args: Any, **kwargs: Any) -> str:
    """:func:`toxicity_table` as an accessible HTML table."""
    name = "all drugs" if drug is None else str(drug)
    return table_html(toxicity_table(drug, *args, **kwargs),
                      f"Toxicity timeline of {name}, as a table: onset windows, monitoring days and laboratory thresholds.")
