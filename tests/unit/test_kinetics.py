"""cmvlib.kinetics: sourced parameters, the mono-exponential arithmetic of facts.md section 8, the
illustrative patterns, the log-linear fit and every invalid input."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmvlib import _data, kinetics
from cmvlib.errors import InputError
from cmvlib.kinetics import (days_to_below, doubling_time_days, fit_series, half_life_range,
                             half_lives_to_below, viral_load, viral_load_curve)
from cmvlib.sources import sources

LLOQ = 137.0

# ----------------------------------------------------------------------------------------- data


def test_every_kinetic_row_has_a_known_source():
    known = sources()
    rows = _data.table("kinetics")
    assert rows, "kinetics.csv is empty"
    for row in rows:
        assert row["source"] in known, row
        float(row["value"])


def test_sourced_parameters_match_facts():
    got = {(p.parameter, p.value, p.source) for p in kinetics.parameters()}
    assert got == {
        ("half_life_days", 1.0, "emery1999"),
        ("doubling_time_days", 1.0, "emery1999"),
        ("infected_cell_half_life_days", 0.7, "rose2017"),
        ("growth_rate_log10_per_day", 0.33, "emery2000"),
        ("growth_rate_log10_per_day", 0.19, "emery2000"),
        ("lloq_iu_ml", 137.0, "avery2022"),
    }


def test_unverified_two_to_three_day_half_life_is_not_data():
    for p in kinetics.parameters():
        if "half_life" in p.parameter:
            assert p.value < 2, p
    assert half_life_range().high_days < 2


def test_half_life_range():
    low, high, srcs = half_life_range()
    assert (low, high) == (0.7, 1.0)
    assert set(srcs) == {"rose2017", "emery1999"}


def test_growth_rates_and_derived_doubling_times():
    assert [p.value for p in kinetics.growth_rates()] == [0.33, 0.19]
    # facts.md: 0.301/0.33 = 0.91 d with disease, 0.301/0.19 = 1.58 d without
    assert round(doubling_time_days(0.33), 2) == 0.91
    assert round(doubling_time_days(0.19), 2) == 1.58


def test_example_lloq():
    p = kinetics.example_lloq()
    assert (p.value, p.unit, p.source) == (137.0, "IU/mL", "avery2022")


# ------------------------------------------------------------------------ facts.md section 8 table

@pytest.mark.parametrize("vl0, half_lives", [(1e4, 6.19), (1e5, 9.51), (1e6, 12.83)])
def test_half_lives_needed(vl0, half_lives):
    assert round(half_lives_to_below(vl0, LLOQ), 2) == half_lives


@pytest.mark.parametrize("vl0, half_life, days", [
    (1e4, 0.7, 4.3), (1e4, 1, 6.2), (1e4, 2, 12.4), (1e4, 3, 18.6),
    (1e5, 0.7, 6.7), (1e5, 1, 9.5), (1e5, 2, 19.0), (1e5, 3, 28.5),
    (1e6, 0.7, 9.0), (1e6, 1, 12.8), (1e6, 2, 25.7), (1e6, 3, 38.5),
])
def test_days_to_below_matches_facts_table(vl0, half_life, days):
    assert round(days_to_below(vl0, LLOQ, half_life), 1) == days


@pytest.mark.parametrize("half_life, days_per_log", [(0.7, 2.3), (1, 3.3), (2, 6.6), (3, 10.0)])
def test_days_per_log10_drop(half_life, days_per_log):
    assert round(days_to_below(10 * LLOQ, LLOQ, half_life), 1) == days_per_log


def test_days_to_below_exact_formula_and_already_below():
    assert days_to_below(1e5, 137, 1.0) == pytest.approx(math.log2(1e5 / 137))
    assert days_to_below(137, 137, 1.0) == 0.0
    assert days_to_below(50, 137, 2.0) == 0.0


@given(vl0=st.floats(1, 1e9), lloq=st.floats(1, 1e5), h=st.floats(0.05, 10), k=st.floats(0.1, 3))
def test_days_to_below_scales_linearly_with_half_life(vl0, lloq, h, k):
    assert days_to_below(vl0, lloq, h * k) == pytest.approx(k * days_to_below(vl0, lloq, h), rel=1e-12, abs=1e-12)


@given(vl0=st.floats(200, 1e9), h=st.floats(0.05, 30))
def test_model_reaches_lloq_exactly_at_days_to_below(vl0, h):
    t = days_to_below(vl0, LLOQ, h)
    if t <= 365:
        assert viral_load(t, vl0, h) == pytest.approx(LLOQ, rel=1e-9)


# ------------------------------------------------------------------------------------ patterns

def test_mono_values():
    assert viral_load(0, 10000, 1.0) == 10000
    assert viral_load(1, 10000, 1.0) == 5000
    assert viral_load(1.4, 10000, 0.7) == pytest.approx(2500)


def test_shoulder_holds_then_declines():
    assert viral_load(1.5, 10000, 1.0, "shoulder", delay_days=2) == 10000
    assert viral_load(2, 10000, 1.0, "shoulder", delay_days=2) == 10000
    assert viral_load(4, 10000, 1.0, "shoulder", delay_days=2) == 2500
    assert viral_load(4, 10000, 1.0, "shoulder", delay_days=0) == viral_load(4, 10000, 1.0)


def test_plateau_levels_off_at_floor():
    assert viral_load(0, 10000, 1.0, "plateau", floor_iu_ml=500) == 10000
    assert viral_load(1, 10000, 1.0, "plateau", floor_iu_ml=500) == 500 + 9500 / 2
    assert viral_load(365, 10000, 1.0, "plateau", floor_iu_ml=500) == pytest.approx(500)


def test_hump_adds_a_transient_rebound():
    kw = dict(hump_start_day=4, hump_width_days=4, hump_rise_log10=1.0)
    # outside the hump: the mono curve; at its centre: 1 log10 higher
    assert viral_load(3, 1e5, 1.0, "hump", **kw) == pytest.approx(viral_load(3, 1e5, 1.0))
    assert viral_load(9, 1e5, 1.0, "hump", **kw) == pytest.approx(viral_load(9, 1e5, 1.0))
    assert viral_load(6, 1e5, 1.0, "hump", **kw) == pytest.approx(10 * viral_load(6, 1e5, 1.0))
    # a real rebound: the load rises during the first half of the hump
    assert viral_load(6, 1e5, 1.0, "hump", **kw) > viral_load(4, 1e5, 1.0, "hump", **kw)


def test_curve_points_and_last_day():
    curve = viral_load_curve(1000, 1.0, 1, step=0.3)
    assert [d for d, _ in curve] == [0.0, 0.3, 0.6, 0.9, 1.0]
    assert curve[-1][1] == 500
    assert viral_load_curve(1000, 1.0, 2, step=1) == [(0.0, 1000.0), (1.0, 500.0), (2.0, 250.0)]
    assert len(viral_load_curve(1000, 1.0, 365, step=0.5)) == 731


def test_curve_passes_shape_arguments():
    curve = viral_load_curve(1000, 1.0, 4, step=1, pattern="shoulder", delay_days=2)
    assert [v for _, v in curve] == [1000, 1000, 1000, 500, 250]


@settings(max_examples=60)
@given(vl0=st.floats(1, 1e9), h=st.floats(0.01, 30), days=st.floats(0.5, 365), step=st.floats(0.1, 5))
def test_mono_curve_is_monotone_non_increasing(vl0, h, days, step):
    step = min(step, days)
    values = [v for _, v in viral_load_curve(vl0, h, days, step=step)]
    assert values[0] == pytest.approx(vl0)
    assert all(b <= a for a, b in zip(values, values[1:]))
    assert all(v >= 0 for v in values)


@settings(max_examples=60)
@given(vl0=st.floats(10, 1e9), frac=st.floats(0.001, 0.99), h=st.floats(0.1, 30), delay=st.floats(0, 60))
def test_plateau_and_shoulder_stay_bounded_and_non_increasing(vl0, frac, h, delay):
    floor = vl0 * frac
    plateau = [v for _, v in viral_load_curve(vl0, h, 60, step=1, pattern="plateau", floor_iu_ml=floor)]
    shoulder = [v for _, v in viral_load_curve(vl0, h, 60, step=1, pattern="shoulder", delay_days=delay)]
    for values in (plateau, shoulder):
        assert all(b <= a for a, b in zip(values, values[1:]))
        assert values[0] <= vl0 * (1 + 1e-12)
    assert all(v >= floor * (1 - 1e-12) for v in plateau)


# --------------------------------------------------------------------------------------- fitting

@settings(max_examples=80)
@given(vl0=st.floats(1e3, 1e9), h=st.floats(0.2, 30),
       days=st.lists(st.integers(0, 60), min_size=2, max_size=12, unique=True))
def test_fit_recovers_half_life_of_exact_series(vl0, h, days):
    points = [(d, vl0 * 2 ** (-d / h)) for d in days]
    if min(v for _, v in points) <= 0:
        return
    fit = fit_series(points)
    assert fit.half_life_days == pytest.approx(h, abs=1e-9)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.n == len(days)


def test_fit_reading_with_lloq():
    fit = fit_series([(0, 8000), (1, 4000), (2, 2000), (7, 50)], lloq=137)
    assert fit.n == 3 and fit.n_below_lloq == 1
    assert fit.half_life_days == pytest.approx(1.0)
    assert fit.slope_log10_per_day == pytest.approx(-math.log10(2))
    assert fit.days_to_lloq == pytest.approx(math.log2(2000 / 137))
    assert fit.reading == ("Your viral load halves about every 1 day; at this rate it would fall below 137 IU/mL "
                           "in about 4 days after the last result used (day 2). "
                           "1 result below 137 IU/mL was left out of the fit.")


def test_fit_reading_decimal_half_life():
    # half-life 1.3 days, from 10^5 on day 0 to the value on day 3.9
    h = 1.3
    fit = fit_series([(0, 1e5), (3.9, 1e5 * 2 ** (-3.9 / h))], lloq=137)
    assert fit.reading.startswith("Your viral load halves about every 1.3 days; at this rate it would fall "
                                  "below 137 IU/mL in about ")
    assert fit.days_to_lloq == pytest.approx(h * math.log2(1e5 / 137) - 3.9)


def test_fit_without_lloq_has_no_time_to_lloq():
    fit = fit_series([(0, 1e4), (2, 2500)])
    assert fit.days_to_lloq is None
    assert fit.reading == "Your viral load halves about every 1 day."


def test_fit_already_below_lloq_on_the_line():
    fit = fit_series([(0, 1000), (1, 150), (2, 137)], lloq=137)
    assert fit.days_to_lloq == 0.0
    assert "already below 137 IU/mL" in fit.reading


def test_fit_not_falling():
    flat = fit_series([(0, 5000), (3, 5000), (5, 5000)])
    assert flat.half_life_days is None and flat.slope_log10_per_day == 0.0
    assert flat.reading == "The viral load is not falling."
    rising = fit_series([(0, 500), (3, 2000)], lloq=137)
    assert rising.half_life_days is None and rising.days_to_lloq is None
    assert rising.reading == "The viral load is not falling. It is rising: it doubles about every 1.5 days."


def test_fit_r2_below_one_for_noisy_series_and_replicates_allowed():
    fit = fit_series([(0, 10000), (0, 8000), (2, 3000), (4, 900), (5, 700)])
    assert 0.9 < fit.r2 < 1.0
    assert fit.n == 5


def test_fit_accepts_any_iterable_of_pairs():
    exact = fit_series([(0, 8000), (1, 4000)])
    assert fit_series(((0, 8000), (1, 4000))) == exact
    assert fit_series(iter([[0, 8000], [1, 4000]])) == exact
    assert fit_series((p for p in [(0, "8000"), ("1", 4000)])) == exact


def test_fit_needs_two_distinct_days():
    with pytest.raises(InputError) as e:
        fit_series([(1, 1000), (1, 500)])
    assert e.value.field == "points"
    with pytest.raises(InputError, match="at or above the LLOQ"):
        fit_series([(0, 1000), (2, 100), (3, 50)], lloq=137)
    with pytest.raises(InputError):
        fit_series([])


# --------------------------------------------------------------------------------- invalid input

BAD_NUMBERS = [None, "", "abc", True, False, float("nan"), float("inf"), -float("inf"), [1], object()]


@pytest.mark.parametrize("bad", BAD_NUMBERS + [-1, 0])
@pytest.mark.parametrize("field", ["vl0_iu_ml", "half_life_days"])
def test_viral_load_rejects_bad_numbers(field, bad):
    args = dict(day=1, vl0_iu_ml=1000, half_life_days=1.0)
    args[field] = bad
    with pytest.raises(InputError) as e:
        viral_load(**args)
    assert e.value.field == field


@pytest.mark.parametrize("bad", BAD_NUMBERS + [-1, 365.5])
def test_viral_load_rejects_bad_day(bad):
    with pytest.raises(InputError) as e:
        viral_load(bad, 1000, 1.0)
    assert e.value.field == "day"


@pytest.mark.parametrize("field, value", [("vl0_iu_ml", 1.1e9), ("half_life_days", 30.01), ("day", 366)])
def test_absurd_values(field, value):
    args = dict(day=1, vl0_iu_ml=1000, half_life_days=1.0)
    args[field] = value
    with pytest.raises(InputError) as e:
        viral_load(**args)
    assert e.value.field == field


def test_limits_are_inclusive_at_the_top():
    assert viral_load(365, 1e9, 30) > 0


@pytest.mark.parametrize("kwargs, field", [
    (dict(pattern="biphasic"), "pattern"),
    (dict(pattern=None), "pattern"),
    (dict(pattern="shoulder"), "delay_days"),
    (dict(pattern="plateau"), "floor_iu_ml"),
    (dict(pattern="hump", hump_width_days=2, hump_rise_log10=1), "hump_start_day"),
    (dict(pattern="hump", hump_start_day=2, hump_rise_log10=1), "hump_width_days"),
    (dict(pattern="hump", hump_start_day=2, hump_width_days=2), "hump_rise_log10"),
    (dict(pattern="mono", delay_days=2), "delay_days"),
    (dict(pattern="shoulder", delay_days=2, floor_iu_ml=10), "floor_iu_ml"),
    (dict(pattern="shoulder", delay_days=-1), "delay_days"),
    (dict(pattern="shoulder", delay_days=400), "delay_days"),
    (dict(pattern="plateau", floor_iu_ml=1000), "floor_iu_ml"),
    (dict(pattern="plateau", floor_iu_ml=5000), "floor_iu_ml"),
    (dict(pattern="plateau", floor_iu_ml=0), "floor_iu_ml"),
    (dict(pattern="plateau", floor_iu_ml=float("nan")), "floor_iu_ml"),
    (dict(pattern="hump", hump_start_day=2, hump_width_days=0, hump_rise_log10=1), "hump_width_days"),
    (dict(pattern="hump", hump_start_day=2, hump_width_days=2, hump_rise_log10=0), "hump_rise_log10"),
    (dict(pattern="hump", hump_start_day=2, hump_width_days=2, hump_rise_log10=4), "hump_rise_log10"),
    (dict(pattern="hump", hump_start_day=-2, hump_width_days=2, hump_rise_log10=1), "hump_start_day"),
    (dict(pattern="hump", hump_start_day=2, hump_width_days=2, hump_rise_log10=True), "hump_rise_log10"),
])
def test_bad_shapes(kwargs, field):
    with pytest.raises(InputError) as e:
        viral_load(1, 1000, 1.0, **kwargs)
    assert e.value.field == field
    with pytest.raises(InputError) as e:
        viral_load_curve(1000, 1.0, 5, **kwargs)
    assert e.value.field == field


@pytest.mark.parametrize("kwargs, field", [
    (dict(vl0=0), "vl0"), (dict(vl0=-5), "vl0"), (dict(vl0="x"), "vl0"), (dict(vl0=2e9), "vl0"),
    (dict(half_life_days=0), "half_life_days"), (dict(half_life_days=31), "half_life_days"),
    (dict(days=0), "days"), (dict(days=400), "days"), (dict(days=float("nan")), "days"),
    (dict(step=0), "step"), (dict(step=-1), "step"), (dict(step=20), "step"), (dict(step=0.0001), "step"),
    (dict(step=True), "step"),
])
def test_bad_curve_arguments(kwargs, field):
    args = dict(vl0=1000, half_life_days=1.0, days=10, step=0.5)
    args.update(kwargs)
    with pytest.raises(InputError) as e:
        viral_load_curve(**args)
    assert e.value.field == field


@pytest.mark.parametrize("args, field", [
    ((0, 137, 1), "vl0"), ((-1, 137, 1), "vl0"), ((2e9, 137, 1), "vl0"), (("a", 137, 1), "vl0"),
    ((1e5, 0, 1), "lloq"), ((1e5, -137, 1), "lloq"), ((1e5, None, 1), "lloq"), ((1e5, 2e6, 1), "lloq"),
    ((1e5, 137, 0), "half_life_days"), ((1e5, 137, -1), "half_life_days"), ((1e5, 137, 40), "half_life_days"),
    ((1e5, 137, float("inf")), "half_life_days"), ((1e5, 137, None), "half_life_days"),
])
def test_bad_days_to_below(args, field):
    with pytest.raises(InputError) as e:
        days_to_below(*args)
    assert e.value.field == field


@pytest.mark.parametrize("bad", [0, -0.1, 6, "fast", None, True])
def test_bad_growth_rate(bad):
    with pytest.raises(InputError) as e:
        doubling_time_days(bad)
    assert e.value.field == "rate_log10_per_day"


@pytest.mark.parametrize("points, field", [
    ("0,1000", "points"), (None, "points"), (5, "points"), ({0: 1000, 1: 500}, "points"),
    ([(0, 1000), (1,)], "points[1]"), ([(0, 1000), "1,500"], "points[1]"), ([(0, 1000), (1, 2, 3)], "points[1]"),
    ([(0, 1000), (-1, 500)], "points[1].day"), ([(0, 1000), (400, 500)], "points[1].day"),
    ([(0, 1000), (1, 0)], "points[1].iu_ml"), ([(0, 1000), (1, -5)], "points[1].iu_ml"),
    ([(0, 1000), (1, float("nan"))], "points[1].iu_ml"), ([(0, 1e10), (1, 500)], "points[0].iu_ml"),
    ([(True, 1000), (1, 500)], "points[0].day"), ([(0, 1000)] * 1001, "points"),
])
def test_bad_fit_points(points, field):
    with pytest.raises(InputError) as e:
        fit_series(points)
    assert e.value.field == field


@pytest.mark.parametrize("bad", [0, -1, "x", float("nan"), True, 2e6])
def test_bad_fit_lloq(bad):
    with pytest.raises(InputError) as e:
        fit_series([(0, 1000), (1, 500)], lloq=bad)
    assert e.value.field == "lloq"


_anything = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=5),
                      st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=150)
@given(points=st.one_of(_anything, st.lists(st.tuples(_anything, _anything), max_size=5),
                        st.lists(_anything, max_size=4)), lloq=_anything)
def test_fit_series_raises_only_input_error(points, lloq):
    try:
        fit = fit_series(points, lloq=lloq)
    except InputError:
        return
    assert fit.n >= 2


@settings(max_examples=150)
@given(day=_anything, vl0=_anything, h=_anything)
def test_viral_load_raises_only_input_error(day, vl0, h):
    try:
        value = viral_load(day, vl0, h)
    except InputError:
        return
    assert value >= 0
