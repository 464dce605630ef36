"""The answer every dose calculation returns."""
from __future__ import annotations

from dataclasses import dataclass

from .patient import RenalFunction


@dataclass(frozen=True)
class Hydration:
    """Fluid given with foscarnet. ``volume_min_ml`` is ``None`` where the label prints no volume."""

    when: str  # "before the first infusion" | "with each infusion"
    volume_min_ml: float | None
    volume_max_ml: float | None
    note: str
    source: str

    @property
    def text(self) -> str:
        """The volume in words (``"750–1000 mL"``, ``"500 mL"``, or the label gap)."""
        if self.volume_min_ml is None:
            return f"{self.when}: {self.note}"
        vol = (f"{self.volume_min_ml:g} mL" if self.volume_min_ml == self.volume_max_ml
               else f"{self.volume_min_ml:g}–{self.volume_max_ml:g} mL")
        return f"{self.when}: {vol} of 0.9% saline or 5% dextrose. {self.note}"


@dataclass(frozen=True)
class DoseResult:
    """A dose per administration, or ``recommended=False`` with the reason (and never a number).

    ``dose_mg`` is per administration before any rounding to vial or tablet sizes (rounded to 0.01 mg
    only to drop floating-point noise). ``interval_hours`` is ``None`` for schedules given per week,
    which use ``times_per_week`` instead.
    """

    drug: str
    phase: str
    recommended: bool
    dose_mg: float | None
    interval_hours: float | None
    times_per_week: int | None
    reason: str
    source: str
    mg_per_kg: float | None = None
    regimen: str | None = None
    route: str = ""
    renal: RenalFunction | None = None
    warnings: tuple[str, ...] = ()
    hydration: tuple[Hydration, ...] = ()

    def __post_init__(self) -> None:  # the invariant the whole book relies on
        if not self.recommended and (self.dose_mg is not None or self.mg_per_kg is not None):
            raise AssertionError("a result that is not recommended must carry no dose")

    @property
    def frequency(self) -> str:
        """How often, in words: ``"every 12 h"``, ``"3 times a week"`` (on hemodialysis ``"3 times a week, after
        each dialysis session"``); empty if not recommended."""
        if self.interval_hours is not None:
            words = {48: " (every other day)", 168: " (once a week)", 336: " (every 2 weeks)"}
            return f"every {self.interval_hours:g} h{words.get(self.interval_hours, '')}"
        if self.times_per_week is not None:
            times = f"{self.times_per_week} times a week" if self.times_per_week != 2 else "twice a week"
            on_dialysis = self.renal is not None and self.renal.method == "hemodialysis"
            return f"{times}, after each dialysis session" if on_dialysis else times
        return ""

    @property
    def mg_per_week(self) -> float | None:
        """Total mg per week (for comparing schedules); ``None`` if not recommended."""
        if self.dose_mg is None:
            return None
        per_week = 168 / self.interval_hours if self.interval_hours else float(self.times_per_week or 0)
        return round(self.dose_mg * per_week, 6)

    @property
    def summary(self) -> str:
        """One line: ``"175 mg IV every 12 h"`` or ``"Not recommended"``."""
        if not self.recommended:
            return "Not recommended"
        route = f" {self.route}" if self.route else ""
        return f"{self.dose_mg:g} mg{route} {self.frequency}"
