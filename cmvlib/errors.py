"""The one exception cmvlib raises for bad input.

Every invalid value (negative, zero, non-numeric, NaN, absurd, missing, pediatric age ...)
raises :class:`InputError`, a :class:`ValueError` whose message names the field and says, in
plain language, what is wrong and what is expected. Widgets show that message next to the field.
"""
from __future__ import annotations


class InputError(ValueError):
    """Invalid input. ``field`` names the offending input (``None`` when several are involved).

    >>> e = InputError("weight_kg", "must be a number above 0")
    >>> str(e)
    'weight_kg: must be a number above 0'
    >>> e.field, e.problem
    ('weight_kg', 'must be a number above 0')
    """

    def __init__(self, field: str | None, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)
