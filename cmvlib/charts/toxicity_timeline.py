"""Toxicity timeline chart: when each adverse effect usually starts, when to test, which lab values act.

For one drug the figure draws

- a horizontal bar for every onset window of :func:`cmvlib.toxicity.timeline` (one row per effect; windows
  that follow each dose or infusion are drawn once per dose day, so they need ``dose_days``);
- a row of markers for every monitoring test, on the days of
  :func:`cmvlib.monitoring.monitoring_schedule` (computed for the course unless given or turned off);
- the induction and maintenance phases as shaded spans;
- a short note under the chart: the shaded phases, the effects not drawn, and where to read the drug's
  laboratory thresholds and their actions (:func:`cmvlib.toxicity.thresholds`), which the caption and the
  table list in full (long text does not fit a phone-wide figure).

Each row is named above its bars or markers, so the plot keeps the page's width on a phone.

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
_MONITOR_COLOR = style.OKABE_ITO["sky_blue"]
#: Layout in pixels: top margin (title and two-line subtitle, phase labels), the drug menu, the x-axis ticks
#: and title under the plot, one line of the note under the chart; characters per line of a hover label.
_TOP_PX = 104
_MENU_PX = 38
_AXIS_PX = 62
_NOTE_LINE_PX = 17
_HOVER_CHARS = 44
#: Rows of the plot area at least (room for the "nothing to draw" note) and empty rows above the first row.
_MIN_ROWS = 3
_TOP_PAD_ROWS = 0.25


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


def _phase_text(p: ToxicityPanel) -> str:
    induction = f"induction, days 0-{fmt_number(p.induction_days)}"
    if not p.maintenance_days:
        return f"Shading: {induction}."
    return (f"Shading: {induction} (darker); maintenance, days {fmt_number(p.induction_days)}-"
            f"{fmt_number(p.total_days)} (after the dashed line).")


def _notes(p: ToxicityPanel) -> list[str]:
    """The short note under the chart, as lines that fit a phone (the details are in the caption and table)."""
    lines = style.wrap(_phase_text(p))
    if p.not_drawn:
        lines += style.wrap("Not drawn: " + ", ".join(effect for effect, _ in p.not_drawn) + ".")
    if p.thresholds:
        lines += style.wrap(f"Laboratory thresholds ({len(p.thresholds)}) and why effects are not drawn: "
                            "in the table with this chart.")
    else:
        lines += style.wrap(f"No laboratory thresholds for {p.drug} in the sources.")
    return lines


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
def _monitor_row(test: str) -> str:
    return f"Test: {test}"


def _traces(p: ToxicityPanel, visible: bool, rows: int) -> list[dict[str, Any]]:
    """The bars and markers of one panel in a plot sized for ``rows`` rows (a panel with fewer rows spreads
    them over the plot's height, with bars kept :data:`~cmvlib.charts.style.ROW_PX`-thin)."""
    bar_width = style.BAR_WIDTH * _rows_drawn(p) / max(rows, _MIN_ROWS)
    traces = []
    for i, effect in enumerate(p.effects):
        ws = [w for w in p.windows if w.effect == effect]
        colour = style.color(i)
        traces.append({
            "type": "bar", "orientation": "h", "name": effect, "legendgroup": p.drug, "visible": visible,
            "y": [effect] * len(ws), "base": [w.start_day for w in ws], "x": [w.end_day - w.start_day for w in ws],
            "customdata": [["<br>".join(style.wrap(w.label, _HOVER_CHARS)), fmt_number(w.start_day),
                            fmt_number(w.end_day), w.source] for w in ws],
            "hovertemplate": "%{customdata[0]}<br>Days %{customdata[1]}-%{customdata[2]} "
                             "[%{customdata[3]}]<extra></extra>",
            "marker": {"color": style.rgba(colour, 0.75), "line": {"color": colour, "width": 1.5},
                       "pattern": {"shape": style.PATTERNS[i % len(style.PATTERNS)], "fgcolor": colour,
                                   "solidity": 0.3}},
            "width": bar_width, "showlegend": False,
        })
    for j, test in enumerate(p.tests):
        evs = [e for e in p.events if e.test == test]
        traces.append({
            "type": "scatter", "mode": "markers", "name": test, "legendgroup": p.drug, "visible": visible,
            "x": [e.day for e in evs], "y": [_monitor_row(test)] * len(evs),
            "customdata": [["<br>".join(style.wrap(e.reason, _HOVER_CHARS)), e.source, e.phase] for e in evs],
            "hovertemplate": f"{_esc(test)}, day %{{x}} (%{{customdata[2]}})<br>%{{customdata[0]}} "
                             "[%{customdata[1]}]<extra></extra>",
            "marker": {"color": _MONITOR_COLOR, "symbol": style.SYMBOLS[j % len(style.SYMBOLS)], "size": 11,
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


def _phase_labels(p: ToxicityPanel, x_max: float) -> list[dict[str, Any]]:
    """'Induction' and 'Maintenance' above their shaded spans, only where each span is wide enough to hold its
    word on a phone (a quarter of the axis); the note under the chart always names the spans."""
    spans = [("induction", "Induction", 0.0, p.induction_days)]
    if p.maintenance_days:
        spans.append(("maintenance", "Maintenance", p.induction_days, p.total_days))
    width = x_max + 0.5
    if any((end - start) / width < 0.25 for _, _, start, end in spans):
        return []
    return [{"name": f"phase_{key}", "text": text, "xref": "x", "yref": "paper", "x": (start + end) / 2, "y": 1,
             "yanchor": "bottom", "yshift": 2, "showarrow": False, "font": {"size": 12}}
            for key, text, start, end in spans]


def _annotations(p: ToxicityPanel, notes_y: float, x_max: float) -> list[dict[str, Any]]:
    notes = _phase_labels(p, x_max) + style.row_labels(_rows_of(p))
    if not p.windows and not p.events:
        notes.append({"name": "empty", "text": "<br>".join(style.wrap(
                          f"Nothing to draw for {p.drug}: no onset window or monitoring schedule in the sources "
                          "(see the note below and the table).", 40)),
                      "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False})
    notes.append({"name": "notes", "text": "<br>".join(_notes(p)), "xref": "paper", "yref": "paper",
                  "x": 0, "y": notes_y, "xanchor": "left", "yanchor": "top", "align": "left", "showarrow": False,
                  "font": {"size": 12.5}})
    return notes


def _rows_drawn(p: ToxicityPanel) -> int:
    return max(len(_rows_of(p)), _MIN_ROWS)


def _plot_px(rows: int) -> float:
    """Height of the plot area: the rows, a little room above the first row's label, at least a few rows."""
    return (max(rows, _MIN_ROWS) + _TOP_PAD_ROWS) * style.ROW_PX


def _panel_layout(p: ToxicityPanel, rows: int) -> dict[str, Any]:
    """Layout entries that change with the drug. The height and margins are set for the panel with the most
    rows (``rows``); a panel with fewer rows spreads them over the same height, each label above its row."""
    labels = _rows_of(p)
    plot_px = _plot_px(rows)
    x_max = p.total_days + 0.5 + max([0.0] + [w.end_day - p.total_days for w in p.windows])
    return {
        "title.text": f"Toxicity timeline: {p.drug}",
        "yaxis.categoryarray": labels,
        "yaxis.tickvals": labels,
        # the panel's rows fill the plot; the room above the first label stays _TOP_PAD_ROWS * ROW_PX
        "yaxis.range": [_rows_drawn(p) - 0.5, -0.5 - _TOP_PAD_ROWS * _rows_drawn(p) / max(rows, _MIN_ROWS)],
        "xaxis.range": [-0.5, x_max],
        "shapes": _shapes(p),
        "annotations": _annotations(p, -_AXIS_PX / plot_px, x_max),
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
        iritis, the fall in ionized calcium during each foscarnet infusion). None: those are not drawn.
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
    plot_px = _plot_px(rows)
    margin = {"l": 10, "r": 20, "t": _TOP_PX + (_MENU_PX if menu else 0),
              "b": _AXIS_PX + note_lines * _NOTE_LINE_PX + 12}
    data: list[dict[str, Any]] = []
    owner: list[int] = []
    for k, p in enumerate(panels):
        traces = _traces(p, visible=(k == 0), rows=rows)
        data += traces
        owner += [k] * len(traces)
    if menu:
        caption = (f"Choose a drug in the menu. {_panel_caption(panels[0])} "
                   "The other drugs' charts are described in the table.")
    else:
        caption = _panel_caption(panels[0])
    layout = style.base_layout(
        f"Toxicity timeline: {panels[0].drug}", "Days from the first dose of induction (day 0)", "",
        subtitle="Usual onset windows from the sources;<br>toxicity can occur at any time",
        height=round(margin["t"] + plot_px + margin["b"]),
        description="Horizontal bars show when each adverse effect usually starts; markers show monitoring days.",
        caption=caption)
    layout["margin"] = margin
    # Each row is named above its bars (annotations), so no tick labels take the plot's width on a phone.
    layout["yaxis"].update({"type": "category", "categoryorder": "array", "tickmode": "array",
                            "showticklabels": False, "ticks": "", "showgrid": False, "title": {"text": ""}})
    layout["xaxis"].update({"zeroline": False})
    layout["xaxis"]["title"]["font"] = {"size": 13}
    layout["barmode"] = "overlay"
    layout["showlegend"] = False
    _apply(layout, _panel_layout(panels[0], rows))
    if menu:
        buttons = []
        for k, p in enumerate(panels):
            updates = _panel_layout(p, rows)
            buttons.append({"label": p.drug, "method": "update",
                            "args": [{"visible": [o == k for o in owner]}, updates]})
        layout["updatemenus"] = [{**style.control_style(), "type": "dropdown", "active": 0, "buttons": buttons,
                                  "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom",
                                  "pad": {"b": 26}, "showactive": True}]
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
    threshold and every effect not drawn (named in the note under the chart), for ``drug`` or for every
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
