"""The debrief chart of a played case: its course on one time axis (:mod:`cmvlib.cases.timeline`), and its table.

Four panels, top to bottom: the viral load (measured results of the case as markers; the expected decline from
the first dose as a shaded band between the sourced half-lives, an illustrative model, not a prediction; log
axis), the dose per administration of each drug (a step line), the creatinine clearance, and one row of the
learner's decisions (marker symbol and word by verdict) with one of blood counts. Scatter traces only.

>>> from cmvlib.cases import replay
>>> from cmvlib.cases.play import expert_picks
>>> state = replay("declining-renal", expert_picks("declining-renal"))
>>> fig = timeline_figure(state)
>>> {t["type"] for t in fig["data"]}, "illustrative model" in fig["layout"]["title"]["subtitle"]["text"]
({'scatter'}, True)
>>> [r["Value"] for r in timeline_table(state) if r["Item"].startswith("Dose")]
['410 mg IV every 12 h', '900 mg by mouth every 12 h', '450 mg by mouth every 12 h']
"""
from __future__ import annotations

import math
from typing import Any

from .. import kinetics
from ..cases.engine import State
from ..sources import cite
from ..cases.timeline import Timeline, timeline
from . import style
from .text import fmt_iu, table_html

VERDICT_MARKS = {"expert": ("Expert choice", "circle", style.OKABE_ITO["bluish_green"]),
                 "acceptable": ("Acceptable", "diamond", style.OKABE_ITO["orange"]),
                 "unsupported": ("Not supported", "x", style.OKABE_ITO["vermillion"])}
ROWS = ("Your decisions", "Blood counts")
_DOMAINS = {"y": (0.70, 1.0), "y2": (0.45, 0.63), "y3": (0.22, 0.38), "y4": (0.0, 0.13)}


def timeline_caption(t: Timeline) -> str:
    low, high, keys = t.half_lives
    return (f"The course of “{t.title}” as you played it, days 0-{t.last_day}. Top: the measured CMV loads of the "
            f"case (markers) and the expected decline from the first dose (shaded band, half-life {low:g}-{high:g} "
            f"days [{', '.join(keys)}]; {style.ILLUSTRATIVE.lower()}). Then the dose per administration given "
            "(step lines, one per drug), the creatinine clearance, and your first choice at each decision "
            "(symbol by verdict) with the blood counts received. Dash-dot line: an example LLOQ of "
            f"{fmt_iu(kinetics.example_lloq().value)} IU/mL ({cite(kinetics.example_lloq().source)}); assays differ.")


def _xy(axis: str) -> dict[str, str]:
    return {"xaxis": "x", "yaxis": axis}


def _figure_data(t: Timeline) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = []
    if t.expected:
        days = [d for d, _, _ in t.expected]
        data += [{"type": "scatter", "mode": "lines", "name": "Expected, slowest decline (illustrative)", "x": days,
                  "y": [hi for _, _, hi in t.expected], "line": {"color": style.rgba(style.OKABE_ITO["blue"], 0.5),
                                                                 "width": 1, "dash": "dot"}, **_xy("y"),
                  "hovertemplate": "Day %{x}: %{y:,.3~r} IU/mL (illustrative)<extra></extra>"},
                 {"type": "scatter", "mode": "lines", "name": "Expected, fastest decline (illustrative)", "x": days,
                  "y": [lo for _, lo, _ in t.expected], "fill": "tonexty",
                  "fillcolor": style.rgba(style.OKABE_ITO["blue"], 0.15),
                  "line": {"color": style.rgba(style.OKABE_ITO["blue"], 0.5), "width": 1, "dash": "dot"}, **_xy("y"),
                  "hovertemplate": "Day %{x}: %{y:,.3~r} IU/mL (illustrative)<extra></extra>"}]
    if t.expected or t.pcr:
        lloq = kinetics.example_lloq()
        data.append({"type": "scatter", "mode": "lines", "name": f"LLOQ {fmt_iu(lloq.value)} IU/mL (example)",
                     "x": [0, t.last_day], "y": [lloq.value, lloq.value], **_xy("y"), "hoverinfo": "skip",
                     "line": {"color": style.OKABE_ITO["vermillion"], "dash": "dashdot", "width": 1.5}})
    if t.pcr:
        data.append({"type": "scatter", "mode": "markers", "name": "Measured CMV load (case data)",
                     "x": [m.day for m in t.pcr], "y": [m.value for m in t.pcr], **_xy("y"),
                     "marker": {"color": style.OKABE_ITO["blue"], "symbol": "square", "size": 10},
                     "hovertemplate": "Day %{x}: %{y:,} IU/mL<extra></extra>"})
    for k, drug in enumerate(dict.fromkeys(d.drug for d in t.doses)):
        spans = [d for d in t.doses if d.drug == drug]
        xs, ys, text = [], [], []
        for s in spans:
            xs += [s.first_day, s.last_day, None]
            ys += [s.mg or 0, s.mg or 0, None]
            text += [s.summary, s.summary, ""]
        data.append({"type": "scatter", "mode": "lines+markers", "name": f"Dose: {drug} (mg per administration)",
                     "x": xs, "y": ys, "text": text, **_xy("y2"),
                     "line": {"color": style.color(k + 1), "dash": style.DASHES[k % len(style.DASHES)], "width": 3},
                     "marker": {"symbol": style.SYMBOLS[k + 1], "size": 8},
                     "hovertemplate": "Day %{x}: %{text}<extra></extra>"})
    renal = [r for r in t.renal if r.crcl_ml_min is not None]
    if renal:
        data.append({"type": "scatter", "mode": "lines+markers", "name": "Creatinine clearance (mL/min)",
                     "x": [r.day for r in renal] + [t.last_day], "y": [r.crcl_ml_min for r in renal] + [renal[-1].crcl_ml_min],
                     "line": {"color": style.OKABE_ITO["reddish_purple"], "shape": "hv", "width": 2}, **_xy("y3"),
                     "marker": {"symbol": "triangle-up", "size": 9}, "hovertemplate": "Day %{x}: %{y} mL/min<extra></extra>"})
    for verdict, (word, symbol, colour) in VERDICT_MARKS.items():
        marks = [m for m in t.decisions if m.verdict == verdict]
        if marks:
            data.append({"type": "scatter", "mode": "markers", "name": f"Your decision: {word.lower()}",
                         "x": [m.day for m in marks], "y": [ROWS[0]] * len(marks), "text": [m.text for m in marks],
                         "marker": {"symbol": symbol, "color": colour, "size": 13, "line": {"width": 1}}, **_xy("y4"),
                         "hovertemplate": f"Day %{{x}}: %{{text}} ({word})<extra></extra>"})
    if t.blood_counts:
        data.append({"type": "scatter", "mode": "markers", "name": "Blood counts received",
                     "x": [m.day for m in t.blood_counts], "y": [ROWS[1]] * len(t.blood_counts),
                     "text": [m.text for m in t.blood_counts], **_xy("y4"),
                     "marker": {"symbol": "star", "color": style.OKABE_ITO["vermillion"], "size": 12},
                     "hovertemplate": "Day %{x}: %{text}<extra></extra>"})
    return data


def timeline_figure(state: State) -> dict[str, Any]:
    """The Plotly figure dict of the course of ``state`` (see the module docstring)."""
    t = timeline(state)
    legend, legend_px = style.legend_below(8)
    layout = style.base_layout(f"Your course: {t.title}", "Day of treatment", "CMV load (IU/mL)",
                               subtitle=f"Shaded: {style.ILLUSTRATIVE.lower()}",
                               height=720 + legend_px, caption=timeline_caption(t),
                               description=f"Timeline of the case {t.title} as played, days 0 to {t.last_day}.")
    layout["xaxis"].update(range=[-0.5, t.last_day + 0.5], anchor="y4", dtick=1 if t.last_day <= 7 else 2 if t.last_day <= 21 else 7)
    low = kinetics.example_lloq().value / 10          # below a tenth of the LLOQ the model's tail means nothing
    top = max([hi for _, _, hi in t.expected] + [m.value or 0 for m in t.pcr] + [low * 100])
    layout["yaxis"].update(type="log", domain=_DOMAINS["y"], range=[math.log10(low), math.log10(top) + 0.3])
    layout["yaxis2"] = style.axis("Dose (mg)", domain=_DOMAINS["y2"], anchor="x", rangemode="tozero")
    layout["yaxis3"] = style.axis("CrCl (mL/min)", domain=_DOMAINS["y3"], anchor="x", rangemode="tozero")
    layout["yaxis4"] = style.axis("", domain=_DOMAINS["y4"], anchor="x", type="category",
                                  categoryorder="array", categoryarray=list(ROWS), showticklabels=False)
    layout["annotations"] = style.row_labels(ROWS, "y4")
    layout.update(legend=legend, margin={"l": 70, "r": 30, "t": 90, "b": 60 + legend_px})
    return {"data": _figure_data(t), "layout": layout}


def timeline_table(state: State) -> list[dict[str, str]]:
    """The text alternative of :func:`timeline_figure`: one row per item drawn (Day, Item, Value)."""
    t = timeline(state)
    rows = [{"Day": f"{d.first_day}-{d.last_day}", "Item": f"Dose of {d.drug}", "Value": d.summary} for d in t.doses]
    rows += [{"Day": str(r.day), "Item": "Creatinine clearance", "Value": r.text} for r in t.renal]
    rows += [{"Day": str(m.day), "Item": "Measured CMV load (case data)", "Value": f"{fmt_iu(m.value or 0)} IU/mL"} for m in t.pcr]
    if t.expected:
        (d0, _, _), (d1, lo, hi) = t.expected[0], t.expected[-1]
        rows.append({"Day": f"{d0}-{d1}", "Item": "Expected CMV load (illustrative model, not a prediction)",
                     "Value": f"{fmt_iu(lo)}-{fmt_iu(hi)} IU/mL by day {d1}"})
    rows += [{"Day": str(m.day), "Item": "Blood counts", "Value": m.text} for m in t.blood_counts]
    rows += [{"Day": str(m.day), "Item": f"Your decision ({VERDICT_MARKS[m.verdict][0].lower()})", "Value": m.text}
             for m in t.decisions]
    return sorted(rows, key=lambda r: int(r["Day"].split("-")[0]))


def timeline_table_html(state: State) -> str:
    """:func:`timeline_table` as an accessible HTML table."""
    return table_html(timeline_table(state), "The course as you played it, by day")
