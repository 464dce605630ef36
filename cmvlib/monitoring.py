"""Dated monitoring schedule for a course of anti-CMV treatment.

The intervals live in ``data/monitoring.csv``, one row per drug, phase and test, each with its source:

- CMV PCR weekly over the whole course (monitoring-1): days 0, 7, 14, ... so a course of ``n`` days
  has ``ceil(n / 7)`` PCR events.
- CBC and electrolytes twice weekly during induction (days 0 and 3 of each week), weekly after
  (monitoring-2); ganciclovir CBC every 2 days during induction (Davis); foscarnet electrolytes
  3 times a week in induction (the upper end of the label's 2-3), weekly in maintenance.
- Renal checks: foscarnet creatinine 3 times a week in induction, weekly in maintenance (the more
  frequent end of "every 1-2 weeks"); cidofovir creatinine, urine protein and WBC before each dose
  (weekly in induction, every 2 weeks in maintenance), drawn on the dose day; ganciclovir and
  valganciclovir creatinine before the first dose (label) and weekly over the whole course (Fraser
  Health ganciclovir monograph; the same interval for the prodrug valganciclovir).
- Ophthalmologic examination at baseline when the patient has retinitis; the follow-up interval is
  not given in the sources, so it is a note (:func:`monitoring_notes`), not a dated event.

Day 0 is the start date; induction covers days ``[0, induction_days)`` and maintenance the
``maintenance_days`` after it. Every event falls inside the course.

Examples
--------
>>> import datetime
>>> events = monitoring_schedule("foscarnet", datetime.date(2026, 3, 2), induction_days=14)
>>> [(e.day, e.test) for e in events if e.day < 3]  # doctest: +NORMALIZE_WHITESPACE
[(0, 'CMV viral load (PCR)'), (0, 'CBC'), (0, 'electrolytes'), (0, 'creatinine'), (0, 'ECG'),
 (2, 'electrolytes'), (2, 'creatinine')]
>>> sum(e.test == "CMV viral load (PCR)" for e in events)
2
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from . import _data, validate
from .errors import InputError
from .sources import cite

DRUGS = ("ganciclovir", "valganciclovir", "foscarnet", "cidofovir")
PCR_TEST = "CMV viral load (PCR)"  # the test name of the weekly viral-load events
_MAX_DAYS = 365  # input plausibility limit for a phase (not a clinical number)


@dataclass(frozen=True)
class MonitoringEvent:
    """One test on one date. ``day`` counts from day 0 = start; ``source`` is a citation key."""

    date: datetime.date
    day: int
    test: str
    phase: str
    reason: str
    source: str
    bullet_id: str = ""

    @property
    def citation(self) -> str:
        """The source as a reader sees it.

        >>> MonitoringEvent(datetime.date(2026, 1, 1), 0, "ECG", "induction", "", "label-foscarnet-us").citation
        'US foscarnet label [label-foscarnet-us]'
        """
        return cite(self.source)


@dataclass(frozen=True)
class _Row:
    index: int
    drug: str
    phase: str
    test: str
    every_days: int | None
    offsets: tuple[int, ...]
    combine: str
    when: str
    reason: str
    bullet: str
    source: str


@lru_cache(maxsize=None)
def _rows() -> tuple[_Row, ...]:
    out = []
    for i, r in enumerate(_data.table("monitoring")):
        out.append(_Row(
            index=i, drug=r["drug"], phase=r["phase"], test=r["test"],
            every_days=int(r["every_days"]) if r["every_days"].strip() else None,
            offsets=tuple(int(x) for x in r["offsets"].split(";") if x.strip()),
            combine=r["combine"], when=r["when"], reason=r["reason"], bullet=r["bullet"], source=r["source"]))
    return tuple(out)


def _applicable(drug: str, retinitis: bool) -> list[_Row]:
    """Rows for this drug: its own rows, plus the general rows it does not replace."""
    rows = [r for r in _rows() if r.drug in ("any", drug) and (r.when == "always" or retinitis)]
    replaced = {(r.phase, r.test) for r in rows if r.drug == drug and r.combine == "replace"}
    return [r for r in rows if r.drug == drug or (r.phase, r.test) not in replaced]


def _days_field(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, f"must be a whole number of days from 0 to {_MAX_DAYS} (got {value!r})")
    return int(validate.number(value, field, 0, _MAX_DAYS, "days"))


def _phase_days(row: _Row, induction: int, total: int) -> range | tuple[int, ...]:
    start, end = {"course": (0, total), "induction": (0, induction), "maintenance": (induction, total),
                  "start": (0, total)}[row.phase]
    if row.every_days is None:
        return (start,) if start < end else ()
    return tuple(sorted({k + o for k in range(start, end, row.every_days) for o in row.offsets if k + o < end}))


def monitoring_schedule(drug: str, start: datetime.date, induction_days: int, maintenance_days: int = 0,
                        retinitis: bool = False) -> list[MonitoringEvent]:
    """Dated monitoring events for one course, sorted by date (then in the data file's order).

    ``drug`` is ganciclovir, valganciclovir, foscarnet or cidofovir; ``induction_days`` and
    ``maintenance_days`` are whole numbers from 0 to 365 with at least one day in all.

    >>> ev = monitoring_schedule("cidofovir", datetime.date(2026, 3, 2), 14, 28)
    >>> sorted({e.day for e in ev if e.test == "urine protein"})
    [0, 7, 14, 28]
    >>> monitoring_schedule("aciclovir", datetime.date(2026, 3, 2), 14)
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: drug: must be one of ganciclovir, valganciclovir, foscarnet, cidofovir (got 'aciclovir')
    """
    drug = validate.choice(drug, "drug", DRUGS)
    if isinstance(start, datetime.datetime):
        start = start.date()
    if not isinstance(start, datetime.date):
        raise InputError("start", f"must be a date (got {start!r})")
    induction = _days_field(induction_days, "induction_days")
    total = induction + _days_field(maintenance_days, "maintenance_days")
    if total == 0:
        raise InputError("induction_days", "the course must last at least 1 day (induction plus maintenance)")
    retinitis = validate.flag(retinitis, "retinitis")

    events: dict[tuple[int, str], tuple[int, _Row]] = {}
    for row in _applicable(drug, retinitis):
        if row.phase == "note":
            continue
        priority = 1 if row.drug == drug else 0     # the drug's own row wins a same-day merge
        for day in _phase_days(row, induction, total):
            key = (day, row.test)
            if key not in events or priority > events[key][0]:
                events[key] = (priority, row)
    test_order = {}
    for row in _rows():
        test_order.setdefault(row.test, row.index)
    out = [MonitoringEvent(date=start + datetime.timedelta(days=day), day=day, test=test,
                           phase="induction" if day < induction else "maintenance",
                           reason=row.reason, source=row.source, bullet_id=row.bullet)
           for (day, test), (_, row) in events.items()]
    out.sort(key=lambda e: (e.day, test_order[e.test]))
    return out


def monitoring_notes(drug: str, retinitis: bool = False) -> tuple[str, ...]:
    """Monitoring advice that has no interval in the sources (shown as text, never as dated events).

    >>> print(monitoring_notes("cidofovir", retinitis=True)[0])  # doctest: +ELLIPSIS
    Regular ophthalmologic follow-up ... give no interval: none is scheduled here. [NIH OI guidelines (CMV) [nihoi-cmv]]
    >>> monitoring_notes("cidofovir")
    ()
    """
    drug = validate.choice(drug, "drug", DRUGS)
    retinitis = validate.flag(retinitis, "retinitis")
    return tuple(f"{r.reason} [{cite(r.source)}]" for r in _applicable(drug, retinitis) if r.phase == "note")
