"""What the case shows beside each step, computed with cmvlib for that day's values: the renal function, the
label dose of the drug in force, the monitoring due this week, the tests the learner has ordered, the blood counts
that cross a sourced threshold, the illustrative viral-load range and the toxicity windows open today.

>>> from cmvlib.cases import start, choose
>>> s, _ = choose(start("declining-renal"), "iv-ganciclovir")
>>> st = status(s)
>>> st["renal"], st["label_dose"], st["toxicity"]
('87.7 mL/min', '410 mg IV every 12 h', ['neutropenia'])
>>> st["viral_load"]
'illustrative: 50,000 IU/mL expected on day 0 (half-life 0.7-1 d) [rose2017, emery1999]'
>>> s, _ = choose(choose(s, {"dose_mg": 410})[0], "continue-iv")
>>> status(s)["viral_load"]
'illustrative: 3-49 IU/mL expected on day 10 (half-life 0.7-1 d) [rose2017, emery1999]'
>>> from cmvlib.cases import replay
>>> status(s)["ordered"], status(replay("ul97-resistance", ["iv-ganciclovir", {"dose_mg": 400}, "reduce", "full"]))["ordered"]
([], ['CBC', 'CMV viral load (PCR)', 'creatinine'])
"""
from __future__ import annotations

import datetime
from typing import Any

from .. import kinetics, monitoring, toxicity
from .engine import State, label_dose, patient_on

_START = datetime.date(2026, 1, 5)  # dates are for display only


def _latest(state: State, kind: str) -> dict[str, Any] | None:
    return next((e for e in reversed(state.events) if e["kind"] == kind and e["values"]), None)


def _viral_load(state: State) -> str:
    """The illustrative range expected today from the last measured load before the drug in force started."""
    reg = state.regimen
    pcr = reg and next((e for e in reversed(state.events) if e["kind"] == "pcr" and e["values"]
                        and e["day"] <= reg["since"]), None)
    if not pcr:
        return ""
    low, high, keys = kinetics.half_life_range()
    t = state.day - reg["since"]
    lo, hi = (kinetics.viral_load(t, pcr["values"]["iu_ml"], h) for h in (low, high))
    span = f"{lo:,.0f}" if round(lo) == round(hi) else f"{lo:,.0f}-{hi:,.0f}"
    return f"illustrative: {span} IU/mL expected on day {state.day} (half-life {low:g}-{high:g} d) [{', '.join(keys)}]"


def status(state: State) -> dict[str, Any]:
    """The computed panel of a step (JSON-ready)."""
    reg, result = state.regimen, label_dose(state)
    basis = reg["options"].get("weight_basis", "actual") if reg else "actual"
    out: dict[str, Any] = {"day": state.day, "renal": patient_on(state).renal_function(basis).crcl_text(),
                           "drug": reg["drug"] if reg else "", "label_dose": result.summary if result else "",
                           "dose_in_force": state.dose, "monitoring": [], "ordered": sorted(set(state.ordered)),
                           "labs": [], "toxicity": [],
                           "viral_load": _viral_load(state)}
    if reg is None:
        return out
    t = state.day - reg["since"]
    if reg["drug"] in monitoring.DRUGS:
        days = (t + 1, 0) if reg["phase"] == "induction" else (0, t + 1)
        events = monitoring.monitoring_schedule(reg["drug"], _START, *days) if t < 365 else []
        out["monitoring"] = sorted({e.test for e in events if t - 6 <= e.day <= t})
    counts = _latest(state, "blood_counts")
    if counts:
        out["labs"] = [f"{f.threshold}: {f.action} [{f.source}]" for f in toxicity.check_labs(reg["drug"], **counts["values"])]
    out["toxicity"] = sorted({w.effect for w in toxicity.timeline(reg["drug"], t + 1) if w.start_day <= t <= w.end_day})
    return out
