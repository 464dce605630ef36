"""A treatment course that links the pieces: patient → drug phases over days → doses re-computed as
renal function changes → expected viral load (illustrative) → toxicity windows → monitoring events.

This is what the course chart and the linked course app draw.

>>> from cmvlib.examples import patient
>>> c = plan_course(patient("declining-renal"),
...                 [PhasePlan("ganciclovir", "induction", 5), PhasePlan("valganciclovir", "induction", 16)],
...                 renal_changes=[RenalChange(10, {"serum_creatinine_mg_dl": 2.1})], vl0_iu_ml=50000,
...                 half_life_days=1.0)
>>> [(d.day, d.drug, d.result.summary) for d in c.days if d.day in (0, 5, 10)]
[(0, 'ganciclovir', '410 mg IV every 12 h'), (5, 'valganciclovir', '900 mg by mouth every 12 h'), (10, 'valganciclovir', '450 mg by mouth every 12 h')]
>>> [ch.day for ch in c.changes]
[5, 10]
>>> print(c.warnings[0])  # doctest: +ELLIPSIS
Creatinine changed on day 10 (1.0 → 2.1 mg/dL): Cockcroft–Gault assumes a stable creatinine, so the estimate lags ...
"""
from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import kinetics, monitoring, toxicity, validate
from .dosing import PHASES, dose
from .errors import InputError
from .patient import Patient
from .result import DoseResult
from .sources import cite

MAX_COURSE_DAYS = 365
PCR_TEST = monitoring.PCR_TEST
# Days of the week on which "n times a week" doses fall, counted from the phase start. A display
# convention (the labels say only "3 times per week, after hemodialysis", "twice weekly" ...).
_WEEKLY_PATTERN = {1: (0,), 2: (0, 3), 3: (0, 2, 4), 5: (0, 1, 2, 3, 4), 7: tuple(range(7))}


@dataclass(frozen=True)
class PhasePlan:
    """One phase: ``drug`` in ``phase`` ("induction" | "maintenance") for ``days`` days, with dose options
    (``regimen``, ``formulation`` ... as :func:`cmvlib.dose` takes them)."""

    drug: str
    phase: str
    days: int
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RenalChange:
    """From ``day`` on, the patient's inputs change (e.g. ``{"serum_creatinine_mg_dl": 2.1}``)."""

    day: int
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class CourseDay:
    """One day of the course: the dose in force, how many administrations fall on this day, and mg given."""

    day: int
    date: datetime.date
    drug: str
    phase: str
    result: DoseResult
    administrations: int
    mg: float | None


@dataclass(frozen=True)
class DoseChange:
    """A day on which the drug or its dose changes, with why."""

    day: int
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class Course:
    """The computed course. ``viral_load`` is empty unless a baseline load and half-life were given."""

    patient: Patient
    phases: tuple[PhasePlan, ...]
    start: datetime.date
    days: tuple[CourseDay, ...]
    changes: tuple[DoseChange, ...]
    phase_starts: tuple[int, ...]
    viral_load: tuple[tuple[float, float], ...]
    toxicity: tuple[toxicity.TimelineWindow, ...]
    monitoring: tuple[monitoring.MonitoringEvent, ...]
    warnings: tuple[str, ...] = ()   # shown with the course (creatinine changes, foscarnet re-induction)

    @property
    def length_days(self) -> int:
        return len(self.days)


def _administrations(result: DoseResult, day_in_phase: int) -> int:
    if not result.recommended:
        return 0
    if result.interval_hours is not None:
        h = result.interval_hours
        return int(24 // h) if h <= 24 else int(day_in_phase % round(h / 24) == 0)
    return int(day_in_phase % 7 in _WEEKLY_PATTERN.get(result.times_per_week or 0, ()))


def _mg_dl(value: float | None) -> str:
    """A creatinine for the reader: "1.0", "2.1", "1.01" (two decimals at most), or "not given"."""
    if value is None:
        return "not given"
    return f"{value:.1f}" if round(value, 1) == round(value, 2) else f"{value:.2f}"


def creatinine_change_warning(day: int, before_mg_dl: float | None, after_mg_dl: float | None) -> str:
    """The warning shown when the creatinine changes during a course: Cockcroft–Gault is derived for, and
    assumes, a stable creatinine (Cockcroft 1976; Chen 2013 on clearance while creatinine is changing).

    >>> print(creatinine_change_warning(7, 1.0, 1.6))  # doctest: +ELLIPSIS
    Creatinine changed on day 7 (1.0 → 1.6 mg/dL): Cockcroft–Gault assumes a stable creatinine, ... re-dose. ...
    """
    return (f"Creatinine changed on day {day} ({_mg_dl(before_mg_dl)} → {_mg_dl(after_mg_dl)} mg/dL): Cockcroft–Gault "
            "assumes a stable creatinine, so the estimate lags a rising or falling value; recheck creatinine and "
            f"re-dose. Sources: {cite('cockcroft1976')}; {cite('chen2013')}.")


def _foscarnet_120_warnings(plans: Sequence[PhasePlan]) -> list[str]:
    """Foscarnet maintenance at 120 mg/kg/day follows re-induction (label): warn when no foscarnet
    induction phase comes before it in the course."""
    out = []
    for i, p in enumerate(plans):
        if (p.drug, p.phase) == ("foscarnet", "maintenance") and str(p.options.get("regimen", "")).strip() == "120" \
                and not any((q.drug, q.phase) == ("foscarnet", "induction") for q in plans[:i]):
            out.append("Foscarnet maintenance at 120 mg/kg/day is for patients who needed early re-induction: the "
                       "label re-induces first (induction doses again), then continues maintenance at 120 instead of "
                       f"90 mg/kg/day. This course has no foscarnet induction before it. Source: {cite('label-foscarnet-us')}.")
    return out


def _validate_phases(phases: Sequence[PhasePlan]) -> tuple[PhasePlan, ...]:
    if not phases or isinstance(phases, (str, bytes)):
        raise InputError("phases", "give at least one phase (drug, phase, days)")
    out = []
    for p in phases:
        if not isinstance(p, PhasePlan):
            raise InputError("phases", f"each phase must be a PhasePlan (got {p!r})")
        drug = validate.choice(p.drug, "drug", tuple(d for d in PHASES if d != "maribavir"))
        phase = validate.choice(p.phase, "phase", PHASES[drug])
        days = int(validate.number(p.days, "days", 1, MAX_COURSE_DAYS, "days"))
        if days != p.days:
            raise InputError("days", f"must be a whole number of days (got {p.days!r})")
        out.append(PhasePlan(drug, phase, days, dict(p.options)))
    if sum(p.days for p in out) > MAX_COURSE_DAYS:
        raise InputError("days", f"the whole course must last at most {MAX_COURSE_DAYS} days")
    return tuple(out)


def plan_course(patient: Patient, phases: Sequence[PhasePlan], *, renal_changes: Sequence[RenalChange] = (),
                weight_basis: str = "actual", start: datetime.date | None = None,
                vl0_iu_ml: float | None = None, half_life_days: float | None = None,
                retinitis: bool = False) -> Course:
    """Compute a course day by day; doses are re-computed whenever renal function changes.

    Whenever a change moves the serum creatinine, the course carries a warning naming the day: the
    Cockcroft–Gault estimate assumes a stable creatinine and lags a rising or falling one.

    Monitoring: the weekly PCR keeps its weekly rhythm from day 0 across phases; the other tests follow
    each phase's drug and phase from the day that phase starts. Toxicity windows start with the first
    phase of a drug (ganciclovir and its prodrug valganciclovir count as one exposure). The viral load is the illustrative mono-exponential model of
    :mod:`cmvlib.kinetics`, not a prediction.
    """
    if not isinstance(patient, Patient):
        raise InputError("patient", "must be a cmvlib.Patient")
    plans = _validate_phases(phases)
    start = start or datetime.date(2026, 1, 5)  # a Monday; dates are for display only
    if not isinstance(start, datetime.date):
        raise InputError("start", f"must be a date (got {start!r})")
    total = sum(p.days for p in plans)
    changes = sorted(renal_changes, key=lambda c: getattr(c, "day", 0))
    for c in changes:
        if not isinstance(c, RenalChange) or not isinstance(c.changes, Mapping):
            raise InputError("renal_changes", f"each change must be a RenalChange(day, {{field: value}}) (got {c!r})")
        validate.number(c.day, "day", 0, total - 1, "day of the course")

    def patient_on(day: int) -> Patient:
        inputs = {k: getattr(patient, k) for k in ("age_years", "sex", "weight_kg", "serum_creatinine_mg_dl",
                  "serum_creatinine_umol_l", "measured_crcl_ml_min", "height_cm", "on_hemodialysis",
                  "urine_protein_mg_dl")}
        for c in changes:
            if c.day <= day:
                if "serum_creatinine_mg_dl" in c.changes or "serum_creatinine_umol_l" in c.changes:
                    inputs.update(serum_creatinine_mg_dl=None, serum_creatinine_umol_l=None)
                inputs.update(c.changes)
        try:
            return Patient(**inputs)
        except TypeError as e:
            raise InputError("renal_changes", f"unknown patient field in a change: {e}") from None

    warnings: list[str] = _foscarnet_120_warnings(plans)
    for c in changes:
        if c.day > 0 and ("serum_creatinine_mg_dl" in c.changes or "serum_creatinine_umol_l" in c.changes):
            before, after = patient_on(c.day - 1).scr_mg_dl, patient_on(c.day).scr_mg_dl
            if before != after:
                warnings.append(creatinine_change_warning(c.day, before, after))

    cache: dict[tuple, DoseResult] = {}
    days: list[CourseDay] = []
    dose_changes: list[DoseChange] = []
    phase_starts, offset = [], 0
    for plan in plans:
        phase_starts.append(offset)
        for i in range(plan.days):
            d = offset + i
            p = patient_on(d)
            key = (plan.drug, plan.phase, tuple(sorted(plan.options.items())), repr(p))
            if key not in cache:
                cache[key] = dose(plan.drug, plan.phase, p, weight_basis=weight_basis, **plan.options)
            r = cache[key]
            n = _administrations(r, i)
            days.append(CourseDay(d, start + datetime.timedelta(days=d), plan.drug, plan.phase, r, n,
                                  None if r.dose_mg is None else round(r.dose_mg * n, 2)))
            prev = days[-2] if len(days) > 1 else None
            if prev and (prev.drug, prev.phase, prev.result.summary) != (plan.drug, plan.phase, r.summary):
                dose_changes.append(DoseChange(d, f"{prev.drug} {prev.phase}: {prev.result.summary}",
                                               f"{plan.drug} {plan.phase}: {r.summary}", r.reason))
        offset += plan.days

    vl: tuple[tuple[float, float], ...] = ()
    if vl0_iu_ml is not None or half_life_days is not None:
        if vl0_iu_ml is None or half_life_days is None:
            raise InputError("half_life_days" if half_life_days is None else "vl0_iu_ml",
                             "give both a baseline viral load and a half-life for the illustrative curve")
        vl = tuple(kinetics.viral_load_curve(vl0_iu_ml, half_life_days, total, step=1))

    tox: list[toxicity.TimelineWindow] = []
    events: dict[tuple[int, str], monitoring.MonitoringEvent] = {}
    induction_total = sum(p.days for p in plans if p.phase == "induction")
    first = plans[0]
    for e in monitoring.monitoring_schedule(first.drug, start, induction_total, total - induction_total, retinitis):
        if e.test == PCR_TEST:
            events[(e.day, e.test)] = e
    # Valganciclovir is a prodrug of ganciclovir: one exposure, whose toxicity windows start when the
    # first of the two starts (the switch does not restart "week 1-2 of induction").
    family = {"valganciclovir": "ganciclovir"}
    for fam in dict.fromkeys(family.get(p.drug, p.drug) for p in plans):
        mine = [(plan, s) for plan, s in zip(plans, phase_starts) if family.get(plan.drug, plan.drug) == fam]
        s0 = mine[0][1]
        ind = sum(plan.days for plan, _ in mine if plan.phase == "induction")
        mnt = sum(plan.days for plan, _ in mine if plan.phase == "maintenance")
        dose_days = [cd.day - s0 for cd in days if family.get(cd.drug, cd.drug) == fam and cd.administrations]
        for w in toxicity.timeline(mine[0][0].drug, ind or mnt, mnt if ind else 0, dose_days=dose_days):
            tox.append(toxicity.TimelineWindow(w.effect, w.start_day + s0, w.end_day + s0, w.label, w.source))
    for plan, s in zip(plans, phase_starts):
        ind, mnt = (plan.days, 0) if plan.phase == "induction" else (0, plan.days)
        for e in monitoring.monitoring_schedule(plan.drug, start + datetime.timedelta(days=s), ind, mnt, retinitis):
            if e.test == PCR_TEST:
                continue
            day = e.day + s
            events.setdefault((day, e.test), monitoring.MonitoringEvent(
                **{**e.__dict__, "day": day, "date": start + datetime.timedelta(days=day)}))
    return Course(patient, plans, start, tuple(days), tuple(dose_changes), tuple(phase_starts), vl,
                  tuple(sorted(tox, key=lambda w: w.start_day)),
                  tuple(sorted(events.values(), key=lambda e: (e.day, e.test))), tuple(dict.fromkeys(warnings)))
