"""Viral-load kinetics on treatment: an ILLUSTRATIVE teaching model, not a prediction tool.

The model is the simplest one that explains the arithmetic a student needs: on effective therapy,
CMV DNA in blood falls mono-exponentially,

    VL(t) = VL0 * 2 ** (-t / t_half),

so the time from VL0 to below an assay's lower limit of quantification (LLOQ) is
``t_half * log2(VL0 / LLOQ)`` (:func:`days_to_below`). Real patients do not follow one straight line
on a log scale, and a chart drawn from this module shows a teaching shape, not a forecast.

Sourced parameters (``data/kinetics.csv``, one source per row)
    * half-life of CMV DNA disappearance on therapy about 1 day (Emery 1999, ``emery1999``);
    * infected-cell half-life about 0.7 day (Rose 2017, ``rose2017``);
    * growth rates before therapy 0.33 (went on to disease) and 0.19 (no disease) log10/mL per day
      (Emery 2000, ``emery2000``);
    * an example LLOQ of 137 IU/mL (SOLSTICE, ``avery2022``).

**UNVERIFIED, kept out of the data:** a CMV DNAemia half-life of about 2-3 days on oral valganciclovir
or IV ganciclovir in solid-organ transplant recipients (recollection of Mattes et al. and Humar et al.;
not found in a readable source). The book may mention it only as flagged text. The VICTOR trial's
median of 19-21 days to eradication (``asberg2007``) is longer than a 1-day half-life predicts, so the
book presents half-lives as ranges (:func:`half_life_range`), never as one number.

Patterns (all shape values are chosen by the user; none has a sourced value or a default)
    * ``"mono"``: the mono-exponential decline above.
    * ``"plateau"``: decline towards a lower steady state ``floor_iu_ml`` (Rose 2017's abstract: ganciclovir
      may drive replication to a lower steady state rather than eradicate it).
    * ``"hump"``: a transient rebound (Rose 2017 reports four decay patterns, one with a "hump"); a raised-
      cosine bump of up to ``hump_rise_log10`` added to log10 VL between ``hump_start_day`` and
      ``hump_start_day + hump_width_days``.
    * ``"shoulder"``: the viral load stays at VL0 for ``delay_days`` before it starts to fall. This shape is
      ours, for illustration; it was not read in the source.

Examples
--------
>>> round(days_to_below(1e5, 137, 1.0), 1)
9.5
>>> [(d, round(v)) for d, v in viral_load_curve(8000, 1.0, 3, step=1)]
[(0.0, 8000), (1.0, 4000), (2.0, 2000), (3.0, 1000)]
>>> fit = fit_series([(0, 10000), (2, 3000), (4, 1000)], lloq=137)
>>> round(fit.half_life_days, 2), fit.n
(1.2, 3)
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from . import _data, validate
from .errors import InputError

# Plausibility limits for input (not clinical values: they only reject typing errors).
MAX_VIRAL_LOAD_IU_ML = 1e9
MAX_HALF_LIFE_DAYS = 30.0
MAX_DAY = 365.0
MAX_LLOQ_IU_ML = 1e6
MAX_CURVE_POINTS = 10_000
MAX_HUMP_RISE_LOG10 = 3.0
MAX_FIT_POINTS = 1_000

PATTERNS: dict[str, tuple[str, ...]] = {
    "mono": (),
    "shoulder": ("delay_days",),
    "plateau": ("floor_iu_ml",),
    "hump": ("hump_start_day", "hump_width_days", "hump_rise_log10"),
}
_LOG10_2 = math.log10(2)


@dataclass(frozen=True)
class KineticParameter:
    """One sourced row of ``data/kinetics.csv``."""

    parameter: str
    value: float
    unit: str
    role: str
    context: str
    notes: str
    source: str


class HalfLifeRange(NamedTuple):
    """The sourced range of decline half-lives offered to learners."""

    low_days: float
    high_days: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Fit:
    """Log-linear least-squares fit of a viral-load series (see :func:`fit_series`).

    ``slope_log10_per_day`` is the change of log10(IU/mL) per day; ``half_life_days`` is ``None`` when the
    load is not falling; ``days_to_lloq`` counts from the last result used, on the fitted line (``None``
    without an LLOQ or when not falling); ``n`` is the number of results used; ``n_below_lloq`` the number
    left out because they were below the LLOQ.
    """

    slope_log10_per_day: float
    half_life_days: float | None
    r2: float
    n: int
    days_to_lloq: float | None
    reading: str
    intercept_log10: float
    n_below_lloq: int


@dataclass(frozen=True)
class _Shape:
    pattern: str
    delay_days: float = 0.0
    floor_iu_ml: float = 0.0
    hump_start_day: float = 0.0
    hump_width_days: float = 0.0
    hump_rise_log10: float = 0.0


# ----------------------------------------------------------------------------------------- data
def parameters() -> tuple[KineticParameter, ...]:
    """All sourced kinetic parameters.

    >>> [(p.parameter, p.value, p.source) for p in parameters()][:2]
    [('half_life_days', 1.0, 'emery1999'), ('doubling_time_days', 1.0, 'emery1999')]
    """
    return tuple(KineticParameter(r["parameter"], float(r["value"]), r["unit"], r["role"], r["context"],
                                  r["notes"], r["source"]) for r in _data.table("kinetics"))


def half_life_range() -> HalfLifeRange:
    """Lowest and highest sourced decline half-life (days) and their citation keys.

    The low end is Rose 2017's infected-cell half-life (0.7 d), the high end Emery 1999's half-life of
    CMV DNA disappearance (1 d); facts.md's clearance table uses both as half-lives of decline.

    >>> half_life_range()
    HalfLifeRange(low_days=0.7, high_days=1.0, sources=('rose2017', 'emery1999'))
    """
    rows = sorted((p for p in parameters() if p.role == "half_life"), key=lambda p: p.value)
    return HalfLifeRange(rows[0].value, rows[-1].value, tuple(dict.fromkeys(p.source for p in rows)))


def growth_rates() -> tuple[KineticParameter, ...]:
    """Sourced pre-treatment growth rates (log10 per day), fastest first.

    >>> [(p.value, p.source) for p in growth_rates()]
    [(0.33, 'emery2000'), (0.19, 'emery2000')]
    """
    return tuple(sorted((p for p in parameters() if p.parameter == "growth_rate_log10_per_day"),
                        key=lambda p: -p.value))


def example_lloq() -> KineticParameter:
    """The sourced example LLOQ (137 IU/mL, the SOLSTICE endpoint). Assays differ: this is an example.

    >>> p = example_lloq(); (p.value, p.unit, p.source)
    (137.0, 'IU/mL', 'avery2022')
    """
    return next(p for p in parameters() if p.parameter == "lloq_iu_ml")


def doubling_time_days(rate_log10_per_day: object) -> float:
    """Doubling time of a rising load, log10(2) / rate (arithmetic, not a published figure).

    >>> round(doubling_time_days(0.33), 2), round(doubling_time_days(0.19), 2)
    (0.91, 1.58)
    """
    rate = validate.number(rate_log10_per_day, "rate_log10_per_day", 0, 5, "log10 per day", lo_inclusive=False)
    return _LOG10_2 / rate


# ---------------------------------------------------------------------------------- validation
def _viral_load_value(value: object, field: str) -> float:
    return validate.number(value, field, 0, MAX_VIRAL_LOAD_IU_ML, "IU/mL", lo_inclusive=False)


def _half_life(value: object) -> float:
    return validate.number(value, "half_life_days", 0, MAX_HALF_LIFE_DAYS, "days", lo_inclusive=False)


def _lloq(value: object) -> float:
    return validate.number(value, "lloq", 0, MAX_LLOQ_IU_ML, "IU/mL", lo_inclusive=False)


def _shape(pattern: object, vl0: float, given: dict[str, object]) -> _Shape:
    name = validate.choice(pattern, "pattern", tuple(PATTERNS))
    needed = PATTERNS[name]
    for arg, value in given.items():
        if value is not None and arg not in needed:
            owner = next(p for p, args in PATTERNS.items() if arg in args)
            raise InputError(arg, f"is only used with pattern='{owner}' (pattern is '{name}')")
    for arg in needed:
        if given.get(arg) is None:
            raise InputError(arg, f"is required for pattern='{name}': choose an illustrative value "
                                  "(there is no sourced default)")
    if name == "shoulder":
        return _Shape(name, delay_days=validate.number(given["delay_days"], "delay_days", 0, MAX_DAY, "days"))
    if name == "plateau":
        floor = _viral_load_value(given["floor_iu_ml"], "floor_iu_ml")
        if floor >= vl0:
            raise InputError("floor_iu_ml", f"must be below the starting viral load ({vl0:g} IU/mL)")
        return _Shape(name, floor_iu_ml=floor)
    if name == "hump":
        return _Shape(
            name,
            hump_start_day=validate.number(given["hump_start_day"], "hump_start_day", 0, MAX_DAY, "days"),
            hump_width_days=validate.number(given["hump_width_days"], "hump_width_days", 0, MAX_DAY, "days",
                                            lo_inclusive=False),
            hump_rise_log10=validate.number(given["hump_rise_log10"], "hump_rise_log10", 0,
                                            MAX_HUMP_RISE_LOG10, "log10", lo_inclusive=False))
    return _Shape(name)


def _evaluate(t: float, vl0: float, half_life: float, shape: _Shape) -> float:
    if shape.pattern == "shoulder":
        return vl0 * 2.0 ** (-max(0.0, t - shape.delay_days) / half_life)
    if shape.pattern == "plateau":
        return shape.floor_iu_ml + (vl0 - shape.floor_iu_ml) * 2.0 ** (-t / half_life)
    if shape.pattern == "hump":
        phase = (t - shape.hump_start_day) / shape.hump_width_days
        bump = shape.hump_rise_log10 * (1 - math.cos(2 * math.pi * phase)) / 2 if 0 <= phase <= 1 else 0.0
        return 10.0 ** (math.log10(vl0) - t * _LOG10_2 / half_life + bump)
    return vl0 * 2.0 ** (-t / half_life)


# ------------------------------------------------------------------------------------- curves
def viral_load(day: object, vl0_iu_ml: object, half_life_days: object, pattern: str = "mono", *,
               delay_days: object = None, floor_iu_ml: object = None, hump_start_day: object = None,
               hump_width_days: object = None, hump_rise_log10: object = None) -> float:
    """Illustrative viral load (IU/mL) on ``day`` of treatment (day 0 = start).

    Shape arguments are keyword-only and required by their pattern (see the module docstring):
    ``shoulder`` needs ``delay_days``; ``plateau`` needs ``floor_iu_ml``; ``hump`` needs
    ``hump_start_day``, ``hump_width_days`` and ``hump_rise_log10``.

    Examples
    --------
    >>> viral_load(2, 10000, 1.0)
    2500.0
    >>> viral_load(3, 10000, 1.0, "shoulder", delay_days=2)
    5000.0
    >>> viral_load(1, 10000, 1.0, "plateau", floor_iu_ml=1000)
    5500.0
    >>> viral_load(1, 10000, 1.0, "plateau")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: floor_iu_ml: is required for pattern='plateau': choose an illustrative value (there is no sourced default)
    """
    t = validate.number(day, "day", 0, MAX_DAY, "days")
    vl0 = _viral_load_value(vl0_iu_ml, "vl0_iu_ml")
    half_life = _half_life(half_life_days)
    shape = _shape(pattern, vl0, dict(delay_days=delay_days, floor_iu_ml=floor_iu_ml,
                                      hump_start_day=hump_start_day, hump_width_days=hump_width_days,
                                      hump_rise_log10=hump_rise_log10))
    return _evaluate(t, vl0, half_life, shape)


def viral_load_curve(vl0: object, half_life_days: object, days: object, step: object = 0.5,
                     pattern: str = "mono", *, delay_days: object = None, floor_iu_ml: object = None,
                     hump_start_day: object = None, hump_width_days: object = None,
                     hump_rise_log10: object = None) -> list[tuple[float, float]]:
    """``[(day, IU/mL), ...]`` from day 0 to ``days`` every ``step`` days (the last point is ``days``).

    ``step`` (default half a day) is a drawing resolution, not a clinical value.

    >>> viral_load_curve(1000, 1.0, 1)
    [(0.0, 1000.0), (0.5, 707.1067811865476), (1.0, 500.0)]
    """
    v0 = _viral_load_value(vl0, "vl0")
    half_life = _half_life(half_life_days)
    length = validate.number(days, "days", 0, MAX_DAY, "days", lo_inclusive=False)
    dt = validate.number(step, "step", 0, length, "days", lo_inclusive=False)
    if length / dt > MAX_CURVE_POINTS:
        raise InputError("step", f"is too small: at most {MAX_CURVE_POINTS} points "
                                 f"(use a step of at least {length / MAX_CURVE_POINTS:g} days)")
    shape = _shape(pattern, v0, dict(delay_days=delay_days, floor_iu_ml=floor_iu_ml,
                                     hump_start_day=hump_start_day, hump_width_days=hump_width_days,
                                     hump_rise_log10=hump_rise_log10))
    n = int(math.floor(length / dt + 1e-9))
    times = [round(i * dt, 9) for i in range(n + 1)]
    if times[-1] < length - 1e-9:
        times.append(length)
    return [(t, _evaluate(t, v0, half_life, shape)) for t in times]


def half_lives_to_below(vl0: object, lloq: object) -> float:
    """Number of half-lives from ``vl0`` to ``lloq``: log2(vl0 / lloq), 0 if already at or below it.

    >>> round(half_lives_to_below(1e4, 137), 2)
    6.19
    """
    v0, limit = _viral_load_value(vl0, "vl0"), _lloq(lloq)
    return math.log2(v0 / limit) if v0 > limit else 0.0


def days_to_below(vl0: object, lloq: object, half_life_days: object) -> float:
    """Days from ``vl0`` to below ``lloq`` on a mono-exponential decline: t_half * log2(vl0 / lloq).

    Returns 0 when ``vl0`` is already at or below the LLOQ. Model arithmetic, not a published result.

    >>> round(days_to_below(1e6, 137, 0.7), 1)
    9.0
    >>> days_to_below(100, 137, 1.0)
    0.0
    """
    half_life = _half_life(half_life_days)
    return half_life * half_lives_to_below(vl0, lloq)


# --------------------------------------------------------------------------------------- fitting
def _points(points: object) -> list[tuple[float, float]]:
    if isinstance(points, (str, bytes, Mapping)) or not isinstance(points, Iterable):
        raise InputError("points", "must be a list of (day, IU/mL) pairs")
    items = list(islice(points, MAX_FIT_POINTS + 1))
    if len(items) > MAX_FIT_POINTS:
        raise InputError("points", f"at most {MAX_FIT_POINTS} results")
    clean = []
    for i, item in enumerate(items):
        pair = None if isinstance(item, (str, bytes, Mapping)) or not isinstance(item, Iterable) else list(islice(item, 3))
        if pair is None or len(pair) != 2:
            raise InputError(f"points[{i}]", f"must be a (day, IU/mL) pair (got {item!r})")
        day = validate.number(pair[0], f"points[{i}].day", 0, MAX_DAY, "days")
        value = _viral_load_value(pair[1], f"points[{i}].iu_ml")
        clean.append((day, value))
    return clean


def _days_text(x: float, decimals: int) -> str:
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} day" if text == "1" else f"{text} days"


def _iu_text(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,g}"


def fit_series(points: Sequence[tuple[object, object]], lloq: object = None) -> Fit:
    """Fit log10(viral load) against day by least squares and say what it means.

    Results below ``lloq`` (when given) are left out of the fit and counted in ``n_below_lloq``; the
    reading mentions them. At least 2 different days must remain, otherwise :class:`InputError`.
    A straight line on a log scale is the mono-exponential model: Rose 2017 showed that real declines
    can bend, level off or rebound, so read the fit as an average rate.

    Examples
    --------
    >>> fit = fit_series([(0, 8000), (1, 4000), (2, 2000), (7, 50)], lloq=137)
    >>> round(fit.half_life_days, 6), fit.n, fit.n_below_lloq, round(fit.days_to_lloq, 2)
    (1.0, 3, 1, 3.87)
    >>> fit.reading
    'Your viral load halves about every 1 day; at this rate it would fall below 137 IU/mL in about 4 days after the last result used (day 2). 1 result below 137 IU/mL was left out of the fit.'
    >>> fit_series([(0, 500), (3, 2000)]).reading
    'The viral load is not falling. It is rising: it doubles about every 1.5 days.'
    >>> fit_series([(0, 500)])
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: points: need results on at least 2 different days
    """
    limit = None if lloq is None else _lloq(lloq)
    clean = _points(points)
    used = [(d, v) for d, v in clean if limit is None or v >= limit]
    n_below = len(clean) - len(used)
    if len({d for d, _ in used}) < 2:
        extra = f" at or above the LLOQ ({_iu_text(limit)} IU/mL)" if n_below else ""
        raise InputError("points", f"need results on at least 2 different days{extra}")
    xs = [d for d, _ in used]
    ys = [math.log10(v) for _, v in used]
    slope, intercept = statistics.linear_regression(xs, ys)
    if abs(slope) < 1e-12:  # floating-point noise of a flat series
        slope = 0.0
    mean_y = statistics.fmean(ys)
    ss_tot = sum((y - mean_y) ** 2 for y in ys)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys))
    r2 = 1.0 if ss_tot <= 1e-24 else max(0.0, 1.0 - ss_res / ss_tot)

    half_life = -_LOG10_2 / slope if slope < 0 else None
    last_day = max(xs)
    days_to_lloq = None
    if half_life is None:
        reading = "The viral load is not falling."
        if slope > 0:
            reading += f" It is rising: it doubles about every {_days_text(_LOG10_2 / slope, 1)}."
    else:
        reading = f"Your viral load halves about every {_days_text(half_life, 1)}"
        if limit is not None:
            fitted_last = intercept + slope * last_day
            days_to_lloq = max(0.0, (math.log10(limit) - fitted_last) / slope)
            if days_to_lloq == 0.0:
                reading += f"; on this line it is already below {_iu_text(limit)} IU/mL."
            elif days_to_lloq < 0.5:
                reading += (f"; at this rate it would fall below {_iu_text(limit)} IU/mL in less than a day "
                            f"after the last result used (day {last_day:g}).")
            else:
                reading += (f"; at this rate it would fall below {_iu_text(limit)} IU/mL in about "
                            f"{_days_text(round(days_to_lloq), 0)} after the last result used (day {last_day:g}).")
        else:
            reading += "."
    if n_below:
        reading += (f" {n_below} result{'s' if n_below > 1 else ''} below {_iu_text(limit)} IU/mL "
                    f"{'were' if n_below > 1 else 'was'} left out of the fit.")
    return Fit(slope, half_life, r2, len(used), days_to_lloq, reading, intercept, n_below)
