"""Viral-load decline chart: the illustrative kinetics model of :mod:`cmvlib.kinetics` on a log scale.

The figure shows

- the sourced half-life range (:func:`cmvlib.kinetics.half_life_range`) as a shaded band between two
  dashed curves;
- a main curve whose half-life the reader picks with a **slider** (the slider's values are choices for
  exploring the arithmetic, not data); every position is precomputed, so it works in the static book;
- the lower limit of quantification (LLOQ) as a labelled horizontal line, and where the main curve
  crosses it, with the "days to below the LLOQ" (:func:`cmvlib.kinetics.days_to_below`);
- optionally the learner's own PCR results as markers and their log-linear fit
  (:func:`cmvlib.kinetics.fit_series`), with the fit's reading.

It is labelled "Illustrative model, not a prediction" in its title.

>>> fig = viral_load_figure(10_000)
>>> fig["layout"]["yaxis"]["type"], len(fig["layout"]["sliders"][0]["steps"])
('log', 8)
>>> fig["layout"]["meta"]["steps"][1]["half_life_days"], round(fig["layout"]["meta"]["steps"][1]["days_to_below_lloq"], 2)
(1.0, 6.19)
>>> [r["Item"] for r in viral_load_table(10_000, half_lives=[1, 2])][:3]
['Sourced half-life, low end', 'Sourced half-life, high end', 'Half-life you choose: 1 day']
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .. import kinetics, validate
from ..errors import InputError
from ..sources import cite
from . import style
from .text import fmt_days, fmt_iu, fmt_number, table_html

#: Half-lives offered on the slider (days). These are choices for exploring the model, NOT data:
#: the sourced range is :func:`cmvlib.kinetics.half_life_range`.
DEFAULT_HALF_LIVES: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)
#: Drawing resolution of every curve (days). Not a clinical value.
CURVE_STEP_DAYS = 0.25
#: At most this many slider positions (keeps the page small).
MAX_SLIDER_STEPS = 40

# Trace order (tests and the slider's update rely on it).
TRACE_RANGE_HIGH, TRACE_RANGE_LOW, TRACE_MAIN, TRACE_CROSSING, TRACE_LLOQ = 0, 1, 2, 3, 4

_WHAT = {"half_life_days": "CMV DNA in blood on therapy",
         "infected_cell_half_life_days": "infected-cell half-life"}
_MAIN = style.OKABE_ITO["blue"]
_RANGE = style.OKABE_ITO["bluish_green"]
_LLOQ = style.OKABE_ITO["vermillion"]
_POINTS = style.OKABE_ITO["reddish_purple"]
_FIT = style.OKABE_ITO["orange"]


@dataclass(frozen=True)
class Curve:
    """One drawn model curve: its half-life, points and when it falls below the LLOQ."""

    label: str
    half_life_days: float
    days: tuple[float, ...]
    iu_ml: tuple[float, ...]
    days_to_below_lloq: float | None
    basis: str
    source: str = ""
    what: str = ""


@dataclass(frozen=True)
class ViralLoadModel:
    """Everything the figure, its caption and its table show (computed once by :func:`viral_load_model`)."""

    vl0_iu_ml: float
    lloq_iu_ml: float
    lloq_basis: str
    lloq_is_example: bool
    days: float
    pattern: str
    range_curves: tuple[Curve, ...]
    curves: tuple[Curve, ...]
    active: int
    points: tuple[tuple[float, float], ...]
    fit: kinetics.Fit | None
    x_max: float


# ----------------------------------------------------------------------------------------- model
def _half_lives(half_lives: object) -> tuple[float, ...]:
    if half_lives is None:
        return DEFAULT_HALF_LIVES
    if isinstance(half_lives, (str, bytes, Mapping)) or not isinstance(half_lives, Iterable):
        raise InputError("half_lives", "must be a list of half-lives in days, e.g. [0.5, 1, 2]")
    items = list(islice(half_lives, MAX_SLIDER_STEPS + 1))
    if not items:
        raise InputError("half_lives", "must hold at least one half-life in days")
    if len(items) > MAX_SLIDER_STEPS:
        raise InputError("half_lives", f"at most {MAX_SLIDER_STEPS} half-lives")
    values = [validate.number(h, f"half_lives[{i}]", 0, kinetics.MAX_HALF_LIFE_DAYS, "days", lo_inclusive=False)
              for i, h in enumerate(items)]
    return tuple(sorted(set(values)))


def _crossing(vl0: float, lloq: float, half_life: float, pattern: str,
              curve: list[tuple[float, float]]) -> float | None:
    if pattern == "mono":
        return kinetics.days_to_below(vl0, lloq, half_life)
    # Other shapes have no closed form here: read the first drawn point below the LLOQ.
    return next((t for t, v in curve if v < lloq), None)


def _curve(label: str, vl0: float, lloq: float, half_life: float, days: float, pattern: str,
           shape: dict[str, object], basis: str, source: str = "", what: str = "") -> Curve:
    pts = kinetics.viral_load_curve(vl0, half_life, days, CURVE_STEP_DAYS, pattern, **shape)
    return Curve(label, half_life, tuple(t for t, _ in pts), tuple(v for _, v in pts),
                 _crossing(vl0, lloq, half_life, pattern, pts), basis, source, what)


def viral_load_model(vl0_iu_ml: object, lloq_iu_ml: object = None, days: object = 28,
                     half_lives: Sequence[object] | None = None, points: object = None,
                     pattern: str = "mono", *, initial_half_life: object = None,
                     **shape: object) -> ViralLoadModel:
    """Validate the inputs and compute every curve the viral-load chart draws.

    Arguments are those of :func:`viral_load_figure`. Bad input raises :class:`~cmvlib.errors.InputError`
    (most checks are delegated to :mod:`cmvlib.kinetics`).
    """
    vl0 = validate.number(vl0_iu_ml, "vl0_iu_ml", 0, kinetics.MAX_VIRAL_LOAD_IU_ML, "IU/mL", lo_inclusive=False)
    if lloq_iu_ml is None:
        example = kinetics.example_lloq()
        lloq, is_example = example.value, True
        lloq_basis = f"an example LLOQ ({cite(example.source)}); assays differ"
    else:
        lloq = validate.number(lloq_iu_ml, "lloq_iu_ml", 0, kinetics.MAX_LLOQ_IU_ML, "IU/mL", lo_inclusive=False)
        is_example, lloq_basis = False, "the LLOQ you entered (your laboratory's assay)"
    length = validate.number(days, "days", 0, kinetics.MAX_DAY, "days", lo_inclusive=False)
    choices = _half_lives(half_lives)
    name = validate.choice(pattern, "pattern", tuple(kinetics.PATTERNS))
    unknown = sorted(set(shape) - {a for args in kinetics.PATTERNS.values() for a in args})
    if unknown:
        raise InputError(unknown[0], "is not an option of the viral-load chart")

    sourced = sorted((p for p in kinetics.parameters() if p.role == "half_life"), key=lambda p: p.value)
    range_curves = []
    for end, p in (("low end", sourced[0]), ("high end", sourced[-1])):
        if range_curves and p.value == range_curves[0].half_life_days:
            break
        range_curves.append(_curve(f"Sourced half-life, {end}", vl0, lloq, p.value, length, name, shape,
                                   f"{p.context}: {p.notes} ({cite(p.source)})", p.source,
                                   _WHAT.get(p.parameter, p.parameter)))
    curves = tuple(_curve(f"Half-life you choose: {fmt_days(h, 2)}", vl0, lloq, h, length, name, shape,
                          "your choice on the slider (not data)") for h in choices)
    if initial_half_life is None:
        target = kinetics.half_life_range().high_days
    else:
        target = validate.number(initial_half_life, "initial_half_life", 0, kinetics.MAX_HALF_LIFE_DAYS, "days",
                                 lo_inclusive=False)
    active = min(range(len(choices)), key=lambda i: (abs(choices[i] - target), choices[i]))

    clean: tuple[tuple[float, float], ...] = ()
    fit = None
    if points is not None:
        if isinstance(points, Iterable) and not isinstance(points, (str, bytes, Mapping)):
            points = list(islice(points, kinetics.MAX_FIT_POINTS + 1))
        fit = kinetics.fit_series(points, lloq)   # validates the series (InputError naming the point)
        clean = tuple((validate.number(d, "day", 0, kinetics.MAX_DAY), float(validate.number(v, "iu_ml", 0, math.inf)))
                      for d, v in points)
    x_max = max([length] + [d for d, _ in clean])
    return ViralLoadModel(vl0, lloq, lloq_basis, is_example, length, name, tuple(range_curves), curves, active,
                          clean, fit, x_max)


# ---------------------------------------------------------------------------------------- text
def _crossing_text(c: Curve, m: ViralLoadModel) -> str:
    limit = f"{fmt_iu(m.lloq_iu_ml)} IU/mL"
    t = c.days_to_below_lloq
    if t is None:
        return f"does not fall below {limit} within the {fmt_days(m.days, 1)} drawn"
    if t == 0:
        return f"already at or below {limit} on day 0"
    how = "" if m.pattern == "mono" else " (first drawn day)"
    text = f"below {limit} after about {fmt_days(t, 1)}{how}"
    if t > m.x_max:
        text += f", beyond the {fmt_days(m.x_max, 1)} shown"
    return text


def _annotation_text(c: Curve, m: ViralLoadModel) -> str:
    return f"<b>Half-life {fmt_days(c.half_life_days, 2)}</b> (your choice):<br>{_crossing_text(c, m)}"


def _sourced_range_text(m: ViralLoadModel) -> str:
    hl = [c.half_life_days for c in m.range_curves]
    if len(hl) == 1:
        return fmt_days(hl[0], 2)
    return f"{fmt_number(hl[0], 2)}-{fmt_days(hl[-1], 2)}"


def _sourced_range_sources(m: ViralLoadModel) -> str:
    return " and ".join(f"about {fmt_days(c.half_life_days, 2)} ({c.what}, {cite(c.source)})" for c in m.range_curves)


def viral_load_caption(*args: Any, **kwargs: Any) -> str:
    """The caption of :func:`viral_load_figure` called with the same arguments."""
    return _caption(viral_load_model(*args, **kwargs))


def _caption(m: ViralLoadModel) -> str:
    shape = {
        "mono": "a mono-exponential decline, VL(t) = VL0 × 2^(−t / half-life)",
        "shoulder": "a decline that starts after a delay you chose (a shape for illustration)",
        "plateau": "a decline towards a lower steady state you chose",
        "hump": "a decline with a transient rebound you chose",
    }[m.pattern]
    half_lives = ", ".join(fmt_number(c.half_life_days, 2) for c in m.curves)
    parts = [
        f"{style.ILLUSTRATIVE}. Viral load (log scale) from {fmt_iu(m.vl0_iu_ml)} IU/mL on day 0, drawn as "
        f"{shape}. The shaded band between the dashed curves spans the sourced half-lives, "
        f"{_sourced_range_sources(m)}. The slider's half-lives ({half_lives} days) are choices for exploring "
        "the arithmetic, not data; the solid curve and the note at the top right follow it.",
        f"The dash-dot line is the lower limit of quantification, {fmt_iu(m.lloq_iu_ml)} IU/mL: {m.lloq_basis}.",
        "Real declines can bend, level off or rebound (Rose 2017 [rose2017]).",
    ]
    if m.fit is not None:
        below = f" Open circles: results below the LLOQ, left out of the fit." if m.fit.n_below_lloq else ""
        parts.append(f"Filled circles: your {len(m.points)} PCR results; long-dash line: their log-linear fit "
                     f"(R² {m.fit.r2:.2f}).{below} {m.fit.reading}")
    return " ".join(parts)


# -------------------------------------------------------------------------------------- figure
def _line(c: Curve, colour: str, dash: str, width: float, **extra: Any) -> dict[str, Any]:
    trace = {
        "type": "scatter", "mode": "lines", "name": c.label, "x": list(c.days), "y": list(c.iu_ml),
        "line": {"color": colour, "dash": dash, "width": width},
        "hovertemplate": "Day %{x:.2f}<br>%{y:,.3~r} IU/mL<extra>%{fullData.name}</extra>",
    }
    trace.update(extra)
    return trace


def _crossing_xy(c: Curve, m: ViralLoadModel) -> tuple[list[float], list[float]]:
    t = c.days_to_below_lloq
    if t is None or t > m.x_max:
        return [], []
    return [t], [m.lloq_iu_ml]


def _annotations(c: Curve, m: ViralLoadModel) -> list[dict[str, Any]]:
    notes = [{
        "name": "days_to_below_lloq", "text": _annotation_text(c, m), "xref": "paper", "yref": "paper",
        "x": 0.99, "y": 0.99, "xanchor": "right", "yanchor": "top", "align": "right", "showarrow": False,
        "bgcolor": "rgba(128,128,128,0.12)", "borderpad": 4,
    }]
    if m.fit is not None:
        wrapped = "<br>".join(textwrap.wrap(f"Your results: {m.fit.reading}", 46))
        notes.append({
            "name": "fit_reading", "text": wrapped, "xref": "paper", "yref": "paper", "x": 0.99, "y": 0.80,
            "xanchor": "right", "yanchor": "top", "align": "right", "showarrow": False,
            "bgcolor": "rgba(128,128,128,0.12)", "borderpad": 4, "font": {"size": 12},
        })
    return notes


def _crossing_name(c: Curve) -> str:
    return f"Falls below the LLOQ (half-life {fmt_days(c.half_life_days, 2)})"


def _y_range(m: ViralLoadModel) -> list[float]:
    top = max([m.vl0_iu_ml] + [v for c in m.range_curves + m.curves for v in c.iu_ml] + [v for _, v in m.points])
    bottom = min([m.lloq_iu_ml] + [v for _, v in m.points])
    return [math.floor(math.log10(bottom)) - 0.5, math.log10(top) + 0.4]


def _fit_trace(m: ViralLoadModel) -> dict[str, Any]:
    fit = m.fit
    assert fit is not None
    used = [d for d, v in m.points if v >= m.lloq_iu_ml]
    first, last = min(used), max(used)
    end = last
    if fit.days_to_lloq is not None:
        end = max(last, min(last + fit.days_to_lloq, m.x_max))
    xs = [first, end] if end > first else [first, last]
    name = ("Fit: half-life " + fmt_days(fit.half_life_days, 1)) if fit.half_life_days else "Fit (not falling)"
    return {
        "type": "scatter", "mode": "lines", "name": name, "x": xs,
        "y": [10 ** (fit.intercept_log10 + fit.slope_log10_per_day * x) for x in xs],
        "line": {"color": _FIT, "dash": "longdash", "width": 2.5},
        "hovertemplate": "Fit, day %{x:.1f}<br>%{y:,.3~r} IU/mL<extra></extra>",
    }


def viral_load_figure(vl0_iu_ml: object, lloq_iu_ml: object = None, days: object = 28,
                      half_lives: Sequence[object] | None = None, points: object = None,
                      pattern: str = "mono", *, initial_half_life: object = None,
                      **shape: object) -> dict[str, Any]:
    """Plotly figure dict of the illustrative viral-load decline, with a half-life slider.

    Parameters
    ----------
    vl0_iu_ml : starting viral load (IU/mL) on day 0.
    lloq_iu_ml : the assay's lower limit of quantification; default (None) the sourced example LLOQ,
        :func:`cmvlib.kinetics.example_lloq` (137 IU/mL).
    days : days drawn (default 28).
    half_lives : the slider's half-lives in days (default :data:`DEFAULT_HALF_LIVES`, 0.5-4 days); they are
        the reader's choices, not data.
    points : the learner's PCR results, ``[(day, IU/mL), ...]``: drawn as markers with their log-linear fit.
    pattern, **shape : the curve shape of :func:`cmvlib.kinetics.viral_load_curve` ("mono" by default;
        other patterns need their shape arguments, e.g. ``floor_iu_ml`` for "plateau").
    initial_half_life : the slider's starting position (the nearest offered value); default the high end
        of the sourced range (1 day).

    Returns
    -------
    dict
        ``{"data": [...], "layout": {...}}``. Traces: 0-1 the sourced range (high, low), 2 the slider's curve,
        3 its LLOQ crossing, 4 the LLOQ line, then your results and their fit. ``layout.meta`` holds the caption,
        and for each slider step its half-life and exact days to below the LLOQ.

    Examples
    --------
    >>> fig = viral_load_figure(1e5, points=[(0, 1e5), (3, 1e4), (6, 1200), (9, 100)])
    >>> [t["name"] for t in fig["data"]][5:]
    ['Your PCR results', 'Below the LLOQ (not fitted)', 'Fit: half-life 0.9 days']
    >>> fig["data"][TRACE_LLOQ]["y"]
    [137.0, 137.0]
    >>> viral_load_figure(0)
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: vl0_iu_ml: must be above 0 and at most 1e+09 IU/mL (got 0)
    """
    m = viral_load_model(vl0_iu_ml, lloq_iu_ml, days, half_lives, points, pattern,
                         initial_half_life=initial_half_life, **shape)
    return _figure(m)


def _figure(m: ViralLoadModel) -> dict[str, Any]:
    main = m.curves[m.active]
    traces: list[dict[str, Any]] = []
    high = m.range_curves[-1]
    low = m.range_curves[0]
    range_name = "Sourced range, half-life " + _sourced_range_text(m)
    traces.append(_line(high, _RANGE, "dash", 2, name=range_name, legendgroup="range",
                        hovertemplate=f"{high.label}, {fmt_days(high.half_life_days, 2)}<br>"
                                      "Day %{x:.2f}: %{y:,.3~r} IU/mL<extra></extra>"))
    if len(m.range_curves) > 1:
        traces.append(_line(low, _RANGE, "dot", 2, name=range_name, legendgroup="range", showlegend=False,
                            fill="tonexty", fillcolor=style.rgba(_RANGE, 0.18),
                            hovertemplate=f"{low.label}, {fmt_days(low.half_life_days, 2)}<br>"
                                          "Day %{x:.2f}: %{y:,.3~r} IU/mL<extra></extra>"))
    else:   # a single sourced value: keep the trace indices stable with an empty trace
        traces.append({"type": "scatter", "mode": "lines", "name": range_name, "x": [], "y": [],
                       "showlegend": False, "line": {"color": _RANGE}})
    traces.append(_line(main, _MAIN, "solid", 3.5, name=main.label))
    cx, cy = _crossing_xy(main, m)
    traces.append({"type": "scatter", "mode": "markers", "name": _crossing_name(main), "x": cx, "y": cy,
                   "showlegend": False,
                   "marker": {"color": _MAIN, "symbol": "diamond", "size": 13,
                              "line": {"color": style.OKABE_ITO["orange"], "width": 1.5}},
                   "hovertemplate": "Below the LLOQ from day %{x:.1f}<extra></extra>"})
    lloq_label = f"LLOQ {fmt_iu(m.lloq_iu_ml)} IU/mL" + (" (example)" if m.lloq_is_example else "")
    traces.append({"type": "scatter", "mode": "lines+text", "name": lloq_label,
                   "x": [0.0, m.x_max], "y": [m.lloq_iu_ml, m.lloq_iu_ml], "text": ["", lloq_label],
                   "textposition": "top left", "textfont": {"color": _LLOQ},
                   "line": {"color": _LLOQ, "dash": "dashdot", "width": 2},
                   "hovertemplate": f"{lloq_label}<extra></extra>"})
    if m.fit is not None:
        used = [(d, v) for d, v in m.points if v >= m.lloq_iu_ml]
        below = [(d, v) for d, v in m.points if v < m.lloq_iu_ml]
        traces.append({"type": "scatter", "mode": "markers", "name": "Your PCR results",
                       "x": [d for d, _ in used], "y": [v for _, v in used],
                       "marker": {"color": _POINTS, "symbol": "circle", "size": 11,
                                  "line": {"color": style.TEXT_GREY, "width": 1}},
                       "hovertemplate": "Your result, day %{x:g}<br>%{y:,.3~r} IU/mL<extra></extra>"})
        if below:
            traces.append({"type": "scatter", "mode": "markers",
                           "name": "Below the LLOQ (not fitted)",
                           "x": [d for d, _ in below], "y": [v for _, v in below],
                           "marker": {"color": _POINTS, "symbol": "circle-open", "size": 11,
                                      "line": {"width": 2}},
                           "hovertemplate": "Your result, day %{x:g}<br>%{y:,.3~r} IU/mL (below LLOQ)<extra></extra>"})
        traces.append(_fit_trace(m))

    steps = []
    for c in m.curves:
        sx, sy = _crossing_xy(c, m)
        steps.append({
            "label": fmt_number(c.half_life_days, 2), "value": fmt_number(c.half_life_days, 2),
            "method": "update",
            "args": [{"x": [list(c.days), sx], "y": [list(c.iu_ml), sy], "name": [c.label, _crossing_name(c)]},
                     {"annotations": _annotations(c, m)}, [TRACE_MAIN, TRACE_CROSSING]],
        })
    caption = _caption(m)
    layout = style.base_layout(
        "CMV viral load on treatment", "Days from the start of treatment (day 0)",
        "CMV DNA in blood (IU/mL, log scale)", subtitle=style.ILLUSTRATIVE, height=620,
        description=(f"{style.ILLUSTRATIVE}: viral load falling from {fmt_iu(m.vl0_iu_ml)} IU/mL, on a log "
                     f"scale, against the LLOQ of {fmt_iu(m.lloq_iu_ml)} IU/mL; a slider sets the half-life."),
        caption=caption)
    layout["yaxis"].update({"type": "log", "range": _y_range(m), "dtick": 1, "tickformat": ",~r"})
    layout["xaxis"].update({"range": [0, m.x_max], "rangemode": "tozero"})
    for axis_name in ("xaxis", "yaxis"):   # axis titles that fit a phone
        layout[axis_name]["title"]["font"] = {"size": 13}
    layout["annotations"] = _annotations(main, m)
    # legend at the bottom of the figure (it overlapped the subtitle above the plot); the height leaves room
    # for it at one entry per line, as on a phone
    layout["legend"], legend_px = style.legend_below(sum(t.get("showlegend", True) for t in traces))
    layout["height"] += legend_px
    layout["margin"] = {"l": 80, "r": 30, "t": 90, "b": 60}

    layout["sliders"] = [{
        **style.control_style(),
        "active": m.active, "steps": steps, "x": 0, "len": 1, "y": 0, "yanchor": "top",
        "pad": {"t": 62, "b": 10}, "activebgcolor": style.rgba(_MAIN, 0.6),
        "currentvalue": {"prefix": "Half-life in days (your choice, not data): "},
        "tickcolor": style.LINE_GREY,
    }]
    layout["meta"]["steps"] = [{"half_life_days": c.half_life_days, "days_to_below_lloq": c.days_to_below_lloq}
                               for c in m.curves]
    layout["meta"]["illustrative"] = True
    return {"data": traces, "layout": layout}


# --------------------------------------------------------------------------------------- table
def viral_load_table(vl0_iu_ml: object, lloq_iu_ml: object = None, days: object = 28,
                     half_lives: Sequence[object] | None = None, points: object = None,
                     pattern: str = "mono", *, initial_half_life: object = None,
                     **shape: object) -> list[dict[str, str]]:
    """The text alternative of :func:`viral_load_figure`: one row per plotted item.

    Rows: the sourced range's curves, each slider half-life, the LLOQ, each of your results and their fit.
    Columns: Item, Half-life (days), Viral load (IU/mL), Below the LLOQ, Basis.
    """
    m = viral_load_model(vl0_iu_ml, lloq_iu_ml, days, half_lives, points, pattern,
                         initial_half_life=initial_half_life, **shape)
    return _rows(m)


def _weekly(c: Curve, m: ViralLoadModel) -> str:
    days = [d for d in range(0, int(m.days) + 1, 7)]
    out = []
    for d in days:
        i = min(range(len(c.days)), key=lambda k: abs(c.days[k] - d))
        v = c.iu_ml[i]
        out.append(f"day {d}: " + (fmt_iu(v) if v >= m.lloq_iu_ml else "below LLOQ"))
    return "; ".join(out)


def _rows(m: ViralLoadModel) -> list[dict[str, str]]:
    rows = []
    for c in m.range_curves + m.curves:
        rows.append({"Item": c.label, "Half-life (days)": fmt_number(c.half_life_days, 2),
                     "Viral load (IU/mL)": _weekly(c, m), "Below the LLOQ": _crossing_text(c, m),
                     "Basis": f"{style.ILLUSTRATIVE}; half-life: {c.basis}"})
    rows.append({"Item": "Lower limit of quantification (LLOQ)", "Half-life (days)": "",
                 "Viral load (IU/mL)": fmt_iu(m.lloq_iu_ml), "Below the LLOQ": "", "Basis": m.lloq_basis})
    if m.fit is not None:
        for d, v in m.points:
            below = v < m.lloq_iu_ml
            rows.append({"Item": f"Your PCR result, day {fmt_number(d, 2)}", "Half-life (days)": "",
                         "Viral load (IU/mL)": fmt_iu(v), "Below the LLOQ": "yes (left out of the fit)" if below else "no",
                         "Basis": "your result"})
        hl = "" if m.fit.half_life_days is None else fmt_number(m.fit.half_life_days, 1)
        rows.append({"Item": "Fit to your results", "Half-life (days)": hl,
                     "Viral load (IU/mL)": f"slope {m.fit.slope_log10_per_day:.3f} log10 per day, R² {m.fit.r2:.2f}",
                     "Below the LLOQ": m.fit.reading, "Basis": "least-squares fit of log10(viral load) against day"})
    return rows


def viral_load_table_html(*args: Any, **kwargs: Any) -> str:
    """:func:`viral_load_table` as an accessible HTML table captioned like the figure."""
    m = viral_load_model(*args, **kwargs)
    return table_html(_rows(m), "Viral load on treatment, as a table. " + _caption(m))
