"""Course chart: a whole treatment course from :func:`cmvlib.course.plan_course` on one time axis.

Top panel: the phases as shaded spans, numbered above the chart and named in the legend (e.g. IV induction,
oral induction, maintenance); the daily dose of each drug (mg/day = dose per administration × administrations
that day) as a step line, re-computed by the course whenever renal function changes (a diamond marks each
change); the expected viral load on a log axis (the illustrative model of :mod:`cmvlib.kinetics`, not a
prediction) with the example LLOQ. The dose axis is on the right, or on the left when the course was planned
without a viral load. Bottom panel: toxicity onset windows (bars) and monitoring events (markers), one row per
effect or test, each named above its row. The legend is under the chart.

>>> from cmvlib.course import PhasePlan, RenalChange, plan_course
>>> from cmvlib.examples import patient
>>> c = plan_course(patient("declining-renal"),
...                 [PhasePlan("ganciclovir", "induction", 5), PhasePlan("valganciclovir", "induction", 16)],
...                 renal_changes=[RenalChange(10, {"serum_creatinine_mg_dl": 2.1})], vl0_iu_ml=50000,
...                 half_life_days=1.0)
>>> fig = course_figure(c)
>>> [(t["name"], t["y"][0], t["y"][-1]) for t in fig["data"] if t["name"].startswith("Daily dose")]
[('Daily dose: ganciclovir (mg/day)', 820.0, 820.0), ('Daily dose: valganciclovir (mg/day)', 1800.0, 900.0)]
>>> [r["Days"] for r in course_table(c) if r["Item"].startswith("Dose")]
['0 to 4', '5 to 9', '10 to 20']
"""
from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass
from typing import Any

from .. import kinetics
from ..course import Course, CourseDay
from ..errors import InputError
from ..sources import cite
from . import style
from .text import fmt_iu, fmt_number, table_html

_VL = style.OKABE_ITO["blue"]
_LLOQ = style.OKABE_ITO["vermillion"]
_DOSE = (style.OKABE_ITO["orange"], style.OKABE_ITO["reddish_purple"], style.OKABE_ITO["bluish_green"],
         style.OKABE_ITO["sky_blue"])
_DOSE_DASH = ("solid", "dash", "dot", "dashdot")
_PHASE_FILL = (style.OKABE_ITO["sky_blue"], style.OKABE_ITO["orange"], style.OKABE_ITO["bluish_green"],
               style.OKABE_ITO["reddish_purple"], style.OKABE_ITO["yellow"])
#: Layout of the figure in pixels: top margin (title, two-line subtitle, phase numbers), height of the
#: viral-load/dose panel, gap between the panels, x-axis ticks and title under the plot.
_TOP_MARGIN_PX = 118
_TOP_PANEL_PX = 300
_GAP_PX = 36
_AXIS_PX = 62


@dataclass(frozen=True)
class DoseSegment:
    """A run of consecutive days with the same drug, phase and dose (one level of the step line)."""

    drug: str
    phase: str
    first_day: int
    last_day: int
    summary: str
    mg_per_day: float | None
    reason: str
    source: str


@dataclass(frozen=True)
class PhaseSpan:
    """One planned phase on the time axis: days ``[start_day, end_day)``."""

    drug: str
    phase: str
    route: str
    start_day: int
    end_day: int

    @property
    def label(self) -> str:
        """``'valganciclovir induction (oral)'``."""
        route = {"IV": "IV", "by mouth": "oral"}.get(self.route, self.route)
        return f"{self.drug} {self.phase}" + (f" ({route})" if route else "")


def _check(course: object) -> Course:
    if not isinstance(course, Course):
        raise InputError("course", "must be a Course from cmvlib.course.plan_course(...)")
    return course


def phase_spans(course: Course) -> list[PhaseSpan]:
    """The planned phases as spans of days, with the route of their first day's dose."""
    course = _check(course)
    out = []
    for plan, s in zip(course.phases, course.phase_starts):
        route = course.days[s].result.route if course.days[s].result.recommended else ""
        out.append(PhaseSpan(plan.drug, plan.phase, route, s, s + plan.days))
    return out


def dose_segments(course: Course) -> list[DoseSegment]:
    """Runs of days with one drug, phase and dose: the levels of the dose step line."""
    course = _check(course)
    out: list[DoseSegment] = []
    run: list[CourseDay] = []

    def close() -> None:
        if run:
            first, r = run[0], run[0].result
            per_day = None if r.dose_mg is None else max(d.mg or 0.0 for d in run)
            out.append(DoseSegment(first.drug, first.phase, first.day, run[-1].day, r.summary,
                                   per_day, r.reason, r.source))

    for d in course.days:
        if run and (run[0].drug, run[0].phase, run[0].result.summary) != (d.drug, d.phase, d.result.summary):
            close()
            run = []
        run.append(d)
    close()
    return out


# ---------------------------------------------------------------------------------------- text
def course_caption(course: Course) -> str:
    """The caption of :func:`course_figure`."""
    course = _check(course)
    spans = phase_spans(course)
    side = "right" if course.viral_load else "left"
    parts = [f"A {course.length_days}-day course: " + "; ".join(
        f"{s.label}, days {s.start_day}-{s.end_day - 1}" for s in spans)
        + " (shaded spans, numbered above the chart and named in the legend).",
        f"Step lines ({side} axis): the daily dose in mg/day of each drug from the label tables, re-computed "
        "when renal function changes; a diamond marks each change. Doses of different drugs are not comparable."]
    if any(s.mg_per_day is None for s in dose_segments(course)):
        parts.append("Crosses at 0 mark days on which the label gives no dose (not recommended).")
    if course.viral_load:
        parts.append(f"Solid line (left axis, log scale): expected viral load, {style.ILLUSTRATIVE.lower()} "
                     "(a mono-exponential decline).")
        lloq = kinetics.example_lloq()
        parts.append(f"Dash-dot line: an example LLOQ of {fmt_iu(lloq.value)} IU/mL ({cite(lloq.source)}); "
                     "assays differ.")
    else:
        parts.append("No viral-load curve: the course was planned without a baseline load and half-life.")
    parts.append("Bottom panel: usual onset windows of adverse effects (bars; toxicity can occur at any time) "
                 "and monitoring tests (markers, one row per test).")
    sources = sorted({seg.source.split("[")[-1].rstrip("]") for seg in dose_segments(course) if "[" in seg.source}
                     | {w.source for w in course.toxicity} | {e.source for e in course.monitoring})
    if sources:
        parts.append("Sources: " + ", ".join(f"[{s}]" for s in sources) + ".")
    return " ".join(parts)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _phase_text(span: PhaseSpan) -> str:
    last = span.end_day - 1
    days = f"day {span.start_day}" if last == span.start_day else f"days {span.start_day}-{last}"
    return f"{span.label}, {days}"


def _wrap(text: str, width: int = 44) -> str:
    return "<br>".join(_esc(x) for x in textwrap.wrap(text, width)) or _esc(text)


# -------------------------------------------------------------------------------------- figure
def course_figure(course: Course) -> dict[str, Any]:
    """Plotly figure dict of a planned course (see the module docstring for what is drawn).

    Raises :class:`~cmvlib.errors.InputError` if ``course`` is not a :class:`cmvlib.course.Course`.
    """
    course = _check(course)
    n = course.length_days
    spans = phase_spans(course)
    segments = dose_segments(course)
    data: list[dict[str, Any]] = []

    # viral load (left axis, log)
    if course.viral_load:
        lloq = kinetics.example_lloq().value
        data.append({"type": "scatter", "mode": "lines", "name": "Expected viral load (illustrative)",
                     "x": [t for t, _ in course.viral_load], "y": [v for _, v in course.viral_load],
                     "xaxis": "x", "yaxis": "y", "line": {"color": _VL, "width": 3},
                     "hovertemplate": "Day %{x:g}: %{y:,.3~r} IU/mL (illustrative)<extra></extra>"})
        data.append({"type": "scatter", "mode": "lines+text", "name": f"LLOQ {fmt_iu(lloq)} IU/mL (example)",
                     "x": [0, n], "y": [lloq, lloq], "text": ["", "LLOQ (example)"],
                     "textposition": "top left", "textfont": {"color": _LLOQ}, "xaxis": "x", "yaxis": "y",
                     "line": {"color": _LLOQ, "dash": "dashdot", "width": 1.5}, "hoverinfo": "skip"})

    # daily dose (right axis): one step line per drug
    drugs = list(dict.fromkeys(d.drug for d in course.days))
    for k, drug in enumerate(drugs):
        days = [d for d in course.days if d.drug == drug]
        xs = [d.day for d in days] + [days[-1].day + 1]
        ys = [d.mg for d in days] + [days[-1].mg]
        data.append({"type": "scatter", "mode": "lines", "name": f"Daily dose: {drug} (mg/day)",
                     "x": xs, "y": ys, "xaxis": "x", "yaxis": "y2", "connectgaps": False,
                     "line": {"color": _DOSE[k % len(_DOSE)], "dash": _DOSE_DASH[k % len(_DOSE_DASH)],
                              "shape": "hv", "width": 2.5},
                     "customdata": [_wrap(d.result.summary) for d in days] + [_wrap(days[-1].result.summary)],
                     "hovertemplate": "Day %{x}: %{y:,.4~r} mg/day<br>%{customdata}<extra>" + drug + "</extra>"})
    changes = [seg for seg in segments[1:]]
    if changes:
        data.append({"type": "scatter", "mode": "markers", "name": "Dose or drug changes",
                     "x": [seg.first_day for seg in changes], "y": [seg.mg_per_day or 0 for seg in changes],
                     "xaxis": "x", "yaxis": "y2",
                     "marker": {"symbol": "diamond", "size": 12, "color": style.OKABE_ITO["vermillion"],
                                "line": {"color": style.TEXT_GREY, "width": 1}},
                     "customdata": [_wrap(f"{seg.drug} {seg.phase}: {seg.summary}. {seg.reason}") for seg in changes],
                     "hovertemplate": "Day %{x}: %{customdata}<extra></extra>"})
    stopped = [d for d in course.days if not d.result.recommended]
    if stopped:
        data.append({"type": "scatter", "mode": "markers", "name": "No label dose (not recommended)",
                     "x": [d.day for d in stopped], "y": [0] * len(stopped), "xaxis": "x", "yaxis": "y2",
                     "marker": {"symbol": "x", "size": 10, "color": style.OKABE_ITO["vermillion"]},
                     "customdata": [_wrap(d.result.reason) for d in stopped],
                     "hovertemplate": "Day %{x}: not recommended<br>%{customdata}<extra></extra>"})

    # toxicity windows and monitoring (bottom panel, categorical)
    effects = list(dict.fromkeys(w.effect for w in course.toxicity))
    for i, effect in enumerate(effects):
        ws = [w for w in course.toxicity if w.effect == effect]
        colour = style.color(i + 2)
        data.append({"type": "bar", "orientation": "h", "name": effect, "showlegend": False,
                     "y": [effect] * len(ws), "base": [w.start_day for w in ws],
                     "x": [w.end_day - w.start_day for w in ws], "xaxis": "x", "yaxis": "y3", "width": style.BAR_WIDTH,
                     "marker": {"color": style.rgba(colour, 0.7), "line": {"color": colour, "width": 1.5},
                                "pattern": {"shape": style.PATTERNS[(i + 1) % len(style.PATTERNS)],
                                            "fgcolor": colour, "solidity": 0.3}},
                     "customdata": [[_wrap(w.label), fmt_number(w.start_day), fmt_number(w.end_day), w.source]
                                    for w in ws],
                     "hovertemplate": "%{customdata[0]}<br>Days %{customdata[1]}-%{customdata[2]} "
                                      "[%{customdata[3]}]<extra></extra>"})
    tests = list(dict.fromkeys(e.test for e in course.monitoring))
    for j, test in enumerate(tests):
        evs = [e for e in course.monitoring if e.test == test]
        data.append({"type": "scatter", "mode": "markers", "name": test, "showlegend": False,
                     "x": [e.day for e in evs], "y": [f"Test: {test}"] * len(evs), "xaxis": "x", "yaxis": "y3",
                     "marker": {"color": style.OKABE_ITO["sky_blue"], "symbol": style.SYMBOLS[j % len(style.SYMBOLS)],
                                "size": 10, "line": {"color": style.OKABE_ITO["blue"], "width": 1}},
                     "customdata": [[_wrap(e.reason), e.source] for e in evs],
                     "hovertemplate": f"{_esc(test)}, day %{{x}}<br>%{{customdata[0]}} [%{{customdata[1]}}]"
                                      "<extra></extra>"})

    # phases: numbered above their shaded spans, named in the legend (numbers fit narrow spans on a phone)
    shapes, notes = [], []
    for i, s in enumerate(spans):
        colour = _PHASE_FILL[i % len(_PHASE_FILL)]
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": s.start_day, "x1": s.end_day,
                       "y0": 0, "y1": 1, "fillcolor": style.rgba(colour, 0.12), "layer": "below",
                       "line": {"width": 1, "color": style.rgba(colour, 0.6)}})
        notes.append({"name": f"phase_{i}", "text": str(i + 1), "xref": "x", "yref": "paper",
                      "x": (s.start_day + s.end_day) / 2, "y": 1, "yanchor": "bottom", "yshift": 2,
                      "showarrow": False, "font": {"size": 13}})
        data.append({"type": "scatter", "mode": "markers", "name": f"{i + 1}: {_phase_text(s)}",
                     "x": [None], "y": [None], "xaxis": "x", "yaxis": "y2", "hoverinfo": "skip",
                     "marker": {"symbol": "square", "size": 14, "color": style.rgba(colour, 0.3),
                                "line": {"color": style.rgba(colour, 0.8), "width": 1}}})

    rows = effects + [f"Test: {t}" for t in tests]
    bottom_px = max(len(rows), 1) * style.ROW_PX
    plot_px = _TOP_PANEL_PX + _GAP_PX + bottom_px
    legend, legend_px = style.legend_below(sum(t.get("showlegend", True) for t in data))
    margin = {"l": 72, "r": 72 if course.viral_load else 16, "t": _TOP_MARGIN_PX, "b": _AXIS_PX}
    caption = course_caption(course)
    if course.viral_load:
        subtitle = f"Doses from the label tables.<br>Viral load: {style.ILLUSTRATIVE}"
    else:
        subtitle = "Doses from the label tables.<br>No viral-load curve (no baseline load given)"
    layout = style.base_layout(
        "Treatment course", "Days from the start of treatment (day 0)", "",
        subtitle=subtitle, height=margin["t"] + plot_px + margin["b"] + legend_px,
        description="Phases, daily doses, expected viral load (illustrative), toxicity windows and monitoring "
                    "days of one treatment course on a shared time axis.",
        caption=caption)
    layout["margin"] = margin
    layout["legend"] = legend
    # panels, from the top: viral load and dose (y, y2), gap, toxicity and monitoring rows (y3)
    split = bottom_px / plot_px
    top_domain = [(bottom_px + _GAP_PX) / plot_px, 1.0]
    layout["xaxis"].update({"range": [-0.5, n + 0.5], "anchor": "y3", "zeroline": False})
    layout["yaxis"] = style.axis("Viral load, IU/mL (log; illustrative)", type="log", dtick=1, tickformat=",~r",
                                 domain=top_domain, anchor="x")
    top_mg = max([d.mg or 0 for d in course.days] + [1])
    dose_axis = style.axis("Daily dose, mg/day (step lines)", anchor="x", rangemode="tozero",
                           range=[0, top_mg * 1.15], tickmode="auto", nticks=6)
    if course.viral_load:
        # Below the LLOQ the model's numbers mean nothing a test can show: stop one decade under it.
        lloq = kinetics.example_lloq().value
        top = max([v for _, v in course.viral_load] + [lloq])
        layout["yaxis"]["range"] = [math.floor(math.log10(lloq)) - 1, math.log10(top) + 0.3]
        dose_axis.update({"overlaying": "y", "side": "right", "showgrid": False})
    else:
        # No trace on the log axis: plotly.js would not draw it, and an axis overlaying it would fall back
        # to the whole height. The dose axis takes the top panel itself, on the left.
        layout["yaxis"]["visible"] = False
        dose_axis.update({"domain": top_domain, "side": "left"})
    layout["yaxis2"] = dose_axis
    layout["yaxis3"] = style.axis("", type="category", categoryorder="array", categoryarray=rows,
                                  tickmode="array", tickvals=rows, showticklabels=False, ticks="",
                                  domain=[0, split], anchor="x", showgrid=False,
                                  range=[len(rows) - 0.5, -0.5] if rows else [0.5, -0.5])
    layout["barmode"] = "overlay"
    layout["shapes"] = shapes
    layout["annotations"] = notes + style.row_labels(rows, "y3")
    for name in ("xaxis", "yaxis", "yaxis2"):   # axis titles that fit a phone
        layout[name]["title"]["font"] = {"size": 13}
    layout["meta"]["illustrative"] = bool(course.viral_load)
    return {"data": data, "layout": layout}


# --------------------------------------------------------------------------------------- table
def course_table(course: Course) -> list[dict[str, str]]:
    """The text alternative of :func:`course_figure`: one row per plotted item.

    Rows: each phase span, each dose level of the step lines, the viral-load curve and the LLOQ (when drawn),
    each toxicity window and each monitoring test. Columns: Item, Days, Details, Source.
    """
    course = _check(course)
    rows = [{"Item": f"Phase: {s.label}", "Days": f"{s.start_day} to {s.end_day - 1}",
             "Details": f"{s.end_day - s.start_day} days", "Source": ""} for s in phase_spans(course)]
    for seg in dose_segments(course):
        per_day = "no label dose" if seg.mg_per_day is None else f"{fmt_number(seg.mg_per_day, 2)} mg/day"
        rows.append({"Item": f"Dose: {seg.drug} {seg.phase}", "Days": f"{seg.first_day} to {seg.last_day}",
                     "Details": f"{seg.summary} ({per_day}). {seg.reason}", "Source": seg.source})
    if course.viral_load:
        weekly = [f"day {t:g}: {fmt_iu(v)}" for t, v in course.viral_load if t % 7 == 0]
        rows.append({"Item": "Expected viral load (illustrative)", "Days": f"0 to {course.viral_load[-1][0]:g}",
                     "Details": f"{style.ILLUSTRATIVE}. IU/mL " + "; ".join(weekly), "Source": "cmvlib.kinetics model"})
        lloq = kinetics.example_lloq()
        rows.append({"Item": "Lower limit of quantification (LLOQ)", "Days": "",
                     "Details": f"{fmt_iu(lloq.value)} IU/mL, an example; assays differ", "Source": cite(lloq.source)})
    for w in course.toxicity:
        rows.append({"Item": f"Toxicity: {w.effect}", "Days": f"{fmt_number(w.start_day, 2)} to {fmt_number(w.end_day, 2)}",
                     "Details": w.label, "Source": cite(w.source)})
    for test in dict.fromkeys(e.test for e in course.monitoring):
        evs = [e for e in course.monitoring if e.test == test]
        rows.append({"Item": f"Monitoring: {test}", "Days": ", ".join(str(e.day) for e in evs),
                     "Details": " / ".join(dict.fromkeys(e.reason for e in evs)),
                     "Source": "; ".join(cite(s) for s in dict.fromkeys(e.source for e in evs))})
    return rows


def course_table_html(course: Course) -> str:
    """:func:`course_table` as an accessible HTML table."""
    return table_html(course_table(course), "Treatment course, as a table. " + course_caption(course))
