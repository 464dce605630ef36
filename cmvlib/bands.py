"""Band edges: decide on the unrounded value, round only for display.

A label's renal table is a set of limits (ganciclovir 10, 25, 50, 70 mL/min; foscarnet 0.4 ... 1.4
mL/min/kg). Rounding a clearance *before* comparing it with a limit can carry a patient across it: a
foscarnet clearance of 0.396 mL/min/kg would round to 0.40 and get a dose the label does not give. So
every comparison here uses the exact value, with only a floating-point tolerance (``REL_TOL``, relative)
so that ``0.39999999999999997`` still counts as 0.4 and ``50.00000000000001`` as 50.

Display goes through :func:`shown`: it rounds for the reader but adds digits whenever the rounded number
would read as a limit the exact value is not on (0.396 is shown as "0.396", not "0.4").

>>> below(0.396, 0.4), below(0.39999999999999997, 0.4), at_least(69.96, 70)
(True, False, False)
>>> shown(0.396, 2, (0.4, 0.5)), shown(0.39999999999999997, 2, (0.4,)), shown(69.96, 1, (70,)), shown(87.5, 1)
('0.396', '0.4', '69.96', '87.5')
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

#: Relative tolerance of every limit comparison: floating-point noise only (1e-9 of the limit).
REL_TOL = 1e-9
#: The most decimal places :func:`shown` adds to keep a value from reading as a limit.
MAX_PLACES = 6


def compare(x: float, limit: float) -> int:
    """-1, 0 or 1 as ``x`` is below, at (within ``REL_TOL``) or above ``limit``."""
    if math.isclose(x, limit, rel_tol=REL_TOL, abs_tol=REL_TOL if limit == 0 else 0.0):
        return 0
    return -1 if x < limit else 1


def below(x: float, limit: float) -> bool:
    """``x < limit`` on the exact value (a value within tolerance of the limit is *at* it)."""
    return compare(x, limit) < 0


def at_least(x: float, limit: float) -> bool:
    """``x >= limit`` on the exact value."""
    return compare(x, limit) >= 0


def above(x: float, limit: float) -> bool:
    """``x > limit`` on the exact value."""
    return compare(x, limit) > 0


def at_most(x: float, limit: float) -> bool:
    """``x <= limit`` on the exact value."""
    return compare(x, limit) <= 0


def round_half_up(x: float, places: int) -> float:
    """Round the decimal value of ``x`` half-up, for display (``round_half_up(1.405, 2) == 1.41``).

    >>> round_half_up(49.99999999999999, 1), round_half_up(1.405, 2), round_half_up(69.25, 1)
    (50.0, 1.41, 69.3)
    """
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def shown(x: float, places: int, limits: Iterable[float] = ()) -> str:
    """``x`` rounded to ``places`` for the reader, with more digits where the rounded number would equal
    a limit in ``limits`` that ``x`` is not at (so the decision the number drives stays visible).

    >>> shown(9.96, 1, (10,)), shown(10.0, 1, (10,)), shown(55.04, 1, (55,)), shown(1.5045, 2, (1.5,))
    ('9.96', '10', '55.04', '1.505')
    >>> shown(69.999999, 1, (70,)), shown(69.9999999999, 1, (70,)), shown(1234.56, 1)
    ('69.999999', '70', '1234.6')
    """
    limits = tuple(limits)
    for p in range(places, MAX_PLACES + 1):
        r = round_half_up(x, p)
        if not any(compare(r, lim) == 0 and compare(x, lim) != 0 for lim in limits):
            break
    return _plain(r, p)


def _plain(r: float, places: int) -> str:
    """``r`` with at most ``places`` decimals and no trailing zeros (``70.0`` -> ``"70"``)."""
    text = f"{r:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
