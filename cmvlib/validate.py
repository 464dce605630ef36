"""Input validation shared by every cmvlib entry point.

Each check returns the clean value or raises :class:`~cmvlib.errors.InputError` whose message names
the field and says what a valid value looks like, in words a student understands.

>>> number("72", "weight_kg", 1, 400, "kg")
72.0
>>> number(-3, "weight_kg", 1, 400, "kg")
Traceback (most recent call last):
...
cmvlib.errors.InputError: weight_kg: must be between 1 and 400 kg (got -3)
"""
from __future__ import annotations

import math
from numbers import Real

from .errors import InputError


def _fmt(x: float) -> str:
    return f"{x:g}"


def number(value: object, field: str, lo: float, hi: float, unit: str = "", *,
           lo_inclusive: bool = True) -> float:
    """``value`` as a finite float within [lo, hi] (or (lo, hi] when ``lo_inclusive`` is False).

    Accepts ints, floats and numeric strings (a widget's text); refuses booleans, None, NaN and infinity.

    >>> number(10 ** 400, "weight_kg", 20, 350, "kg")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: weight_kg: must be between 20 and 350 kg (got a number too large to compute with)
    """
    unit_s = f" {unit}" if unit else ""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(field, f"is missing: enter a number{unit_s and ' in' + unit_s}")
    if isinstance(value, bool):
        raise InputError(field, f"must be a number{unit_s and ' in' + unit_s}, not {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise InputError(field, f"must be a number{unit_s and ' in' + unit_s} (got {value!r})") from None
    if not isinstance(value, Real):
        raise InputError(field, f"must be a number{unit_s and ' in' + unit_s} (got {type(value).__name__})")
    try:
        x = float(value)
    except OverflowError:   # a whole number too large for a float (typed as hundreds of digits)
        raise InputError(field, f"must be between {_fmt(lo)} and {_fmt(hi)}{unit_s} (got a number too large to "
                                "compute with)") from None
    if not math.isfinite(x):
        raise InputError(field, f"must be a finite number{unit_s and ' in' + unit_s} (got {value!r})")
    low_ok = x >= lo if lo_inclusive else x > lo
    if not (low_ok and x <= hi):
        lo_word = "from" if lo_inclusive else "above"
        raise InputError(field, f"must be between {_fmt(lo)} and {_fmt(hi)}{unit_s} (got {_fmt(x)})"
                         if lo_inclusive else f"must be {lo_word} {_fmt(lo)} and at most {_fmt(hi)}{unit_s} (got {_fmt(x)})")
    return x


def whole_number(value: object, field: str, lo: int, hi: int, unit: str) -> int:
    """:func:`number` that must also be whole (``14`` or ``"14"`` or ``14.0``, not ``14.5``).

    >>> whole_number("14", "days", 1, 365, "days")
    14
    >>> whole_number(14.5, "days", 1, 365, "days")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: days: must be a whole number of days (got 14.5)
    """
    x = number(value, field, lo, hi, unit)
    if not x.is_integer():
        raise InputError(field, f"must be a whole number of {unit} (got {_fmt(x)})")
    return int(x)


def choice(value: object, field: str, allowed: tuple[str, ...]) -> str:
    """``value`` (case-insensitive, stripped) if it is one of ``allowed``.

    >>> choice(" Female", "sex", ("male", "female"))
    'female'
    """
    if isinstance(value, str) and value.strip().lower() in allowed:
        return value.strip().lower()
    raise InputError(field, f"must be one of {', '.join(allowed)} (got {value!r})")


def flag(value: object, field: str) -> bool:
    """A true/false input; refuses anything but a bool."""
    if isinstance(value, bool):
        return value
    raise InputError(field, f"must be True or False (got {value!r})")
