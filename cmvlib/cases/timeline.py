"""The course of a played case as data, for the debrief chart: doses given, renal function, viral load (measured
and the illustrative expected decline), blood counts (with the sourced thresholds they cross) and the learner's
decisions (first attempts), all by day. Recomputed from the state's choices with the engine and cmvlib.

>>> from cmvlib.cases.play import expert_picks
>>> from cmvlib.cases import replay
>>> t = timeline(replay("declining-renal", expert_picks("declining-renal")))
>>> [(d.drug, d.first_day, d.last_day, d.summary) for d in t.doses]
[('ganciclovir', 0, 5, '410 mg IV every 12 h'), ('valganciclovir', 5, 10, '900 mg by mouth every 12 h'), ('valganciclovir', 10, 14, '450 mg by mouth every 12 h')]
>>> [(r.day, r.crcl_ml_min) for r in t.renal]
[(0, 87.7), (10, 41.8)]
>>> t.expected[0], t.decisions[0].verdict
((0, 50000.0, 50000.0), 'expert')
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .. import kinetics, toxicity
from .engine import State, case_of, choose, debrief, label_dose, patient_on, start


@dataclass(frozen=True)
class DoseSpan:
    """A dose given from ``first_day`` until ``last_day`` (the next dose, a hold or the end)."""

    drug: str
    first_day: int
    last_day: int
    summary: str
    mg: float | None


@dataclass(frozen=True)
class Renal:
    day: int
    crcl_ml_min: float | None   # None on hemodialysis
    text: str


@dataclass(frozen=True)
class Mark:
    """Something on a day: a measured load, a blood count, a decision (``verdict`` for decisions)."""

    day: int
    text: str
    value: float | None = None
    verdict: str = ""


@dataclass(frozen=True)
class Timeline:
    case: str
    title: str
    last_day: int
    doses: tuple[DoseSpan, ...]
    renal: tuple[Renal, ...]
    pcr: tuple[Mark, ...]
    expected: tuple[tuple[int, float, float], ...]    # (day, low, high) IU/mL, illustrative
    half_lives: tuple[float, float, tuple[str, ...]]
    blood_counts: tuple[Mark, ...]
    decisions: tuple[Mark, ...]


def _doses(state: State) -> list[DoseSpan]:
    spans: list[DoseSpan] = []
    prev = start(state.case)
    for h in state.history:
        nxt, _ = choose(prev, h["pick"])
        if spans and spans[-1].last_day < 0 and (h["dose"] or nxt.regimen is None):
            spans[-1] = replace(spans[-1], last_day=h["day"])
        if h["dose"]:
            r = label_dose(prev)
            spans.append(DoseSpan(prev.regimen["drug"], h["day"], -1, h["dose"], r.dose_mg if r else None))
        prev = nxt
    if spans and spans[-1].last_day < 0:
        spans[-1] = replace(spans[-1], last_day=state.day)
    return spans


def _renal(state: State) -> list[Renal]:
    """The clearance on day 0 (the case's patient) and after each creatinine received."""
    out = []
    for i, e in enumerate([None] + state.events):
        if e is None or e["kind"] == "creatinine":
            rf = patient_on(replace(state, events=state.events[:i])).renal_function()
            crcl = None if rf.crcl_ml_min is None else round(rf.crcl_ml_min, 1)
            out = [r for r in out if r.day != (e or {"day": 0})["day"]] + [Renal((e or {"day": 0})["day"], crcl, rf.crcl_text())]
    return out


def _expected(state: State, first: DoseSpan | None) -> tuple[tuple[int, float, float], ...]:
    """The illustrative decline from the last load measured before the first dose, to the last day."""
    pcr = first and next((e for e in reversed(state.events) if e["kind"] == "pcr" and e["values"]
                          and e["day"] <= first.first_day), None)
    if not pcr:
        return ()
    low, high, _ = kinetics.half_life_range()
    v0 = pcr["values"]["iu_ml"]
    return tuple((d, kinetics.viral_load(d - first.first_day, v0, low), kinetics.viral_load(d - first.first_day, v0, high))
                 for d in range(first.first_day, state.day + 1))


def _blood_counts(state: State) -> list[Mark]:
    out = []
    for e in state.events:
        if e["kind"] == "blood_counts":
            drug = (state.regimen or {}).get("drug", "")
            flags = [f"{f.threshold}: {f.action}" for f in toxicity.check_labs(drug, **e["values"])] if drug and e["values"] else []
            out.append(Mark(e["day"], "; ".join([e["text"]] + flags)))
    return out


def timeline(state: State) -> Timeline:
    """The course of ``state`` (usually a finished one) as data."""
    doses = _doses(state)
    return Timeline(
        state.case, case_of(state).title, state.day, tuple(doses), tuple(_renal(state)),
        tuple(Mark(e["day"], e["text"], e["values"]["iu_ml"]) for e in state.events if e["kind"] == "pcr" and e["values"]),
        _expected(state, doses[0] if doses else None), kinetics.half_life_range(), tuple(_blood_counts(state)),
        tuple(Mark(d["day"], f'{d["prompt"]} — {d["choice"]}', verdict=d["verdict"]) for d in debrief(state)["decisions"]))
