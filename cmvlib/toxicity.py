"""Toxicity of the CMV antivirals: when it appears, how often, and which laboratory values stop a drug.

Data: ``data/toxicity.csv`` (onset windows, incidences, recovery) and ``data/lab_thresholds.csv``
(laboratory rules and their actions), one source per row. Only statements marked VERIFIED or
VERIFIED (secondary) in the project's clinical facts are in the data.

Day convention: day 0 is the first dose of induction. A window is ``relative_to``
    * ``"course"``: days from the first dose of induction (neutropenia in week 1-2 = days 0-14);
    * ``"dose"``: days after each dose (cidofovir iritis, drawn once per dose day);
    * ``"infusion"``: during each infusion (foscarnet's fall in ionized calcium);
    * ``""``: a row that carries incidence or recovery facts only and is not drawn.

Left out because they are UNVERIFIED (text only, flagged):
    * cidofovir: **discontinue** for a serum-creatinine rise of 0.5 mg/dL or more above baseline, or 3+
      proteinuria. The rule exists in the label, but the source we could read had its numbers garbled;
      only the 0.3-0.4 mg/dL -> 3 mg/kg reduction is verified and in the data.
    * ganciclovir/valganciclovir: neutropenia 30-40% and thrombocytopenia 20% (institutional text) and
      historical figures are not in the data (no citation key); blood-count incidences for valganciclovir
      alone were not found, so only its neutropenia rows are listed.

Examples
--------
>>> [w.effect for w in timeline("foscarnet", 14, dose_days=[0])][:2]
['hypocalcemia (fall in ionized calcium)', 'hyperphosphatemia']
>>> check_labs("ganciclovir", anc_per_ul=400)[0].action
'do not start (label: avoid)'
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

from . import _data, validate
from ._data import opt_float
from .errors import InputError

DRUGS = ("ganciclovir", "valganciclovir", "foscarnet", "cidofovir", "maribavir")
RELATIVE_TO = ("course", "dose", "infusion", "")
MAX_COURSE_DAYS = 365.0
MAX_DOSE_DAYS = 2000  # three infusions a day for two years: a guard against runaway input

# Plausibility limits for laboratory input (reject typing errors; not clinical thresholds).
MAX_ANC_PER_UL = 100_000.0
MAX_PLATELETS_PER_UL = 2_000_000.0
MIN_HEMOGLOBIN_G_DL = 1.0
MAX_HEMOGLOBIN_G_DL = 25.0

LAB_NAMES = {
    "anc_per_ul": "ANC",
    "platelets_per_ul": "platelets",
    "hemoglobin_g_dl": "hemoglobin",
    "wbc": "white-cell count",
    "crcl_ml_min_per_kg": "CrCl",
    "crcl_ml_min": "CrCl",
    "scr_mg_dl": "serum creatinine",
    "urine_protein_mg_dl": "urine protein",
    "scr_rise_mg_dl": "serum creatinine rise above baseline",
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


@dataclass(frozen=True)
class ToxicityWindow:
    """One row of ``data/toxicity.csv``: an effect, its usual onset window, incidence and recovery.

    ``onset_start_day``/``onset_end_day`` are ``None`` when the source gives no window;
    ``onset_end_day`` is ``None`` with ``relative_to == "course"`` for "until therapy stops".
    ``recovery_start_day``/``recovery_end_day`` are days after stopping (or dose reduction).
    """

    drug: str
    effect: str
    onset_start_day: float | None
    onset_end_day: float | None
    relative_to: str
    timing: str
    incidence: str
    incidence_pct: float | None
    context: str
    recovery_start_day: float | None
    recovery_end_day: float | None
    recovery: str
    notes: str
    source: str

    @property
    def drawn(self) -> bool:
        """True when the row has an onset window that :func:`timeline` draws."""
        return self.onset_start_day is not None


@dataclass(frozen=True)
class LabThreshold:
    """One row of ``data/lab_thresholds.csv``. ``value`` is ``None`` for a rule without a number."""

    drug: str
    lab: str
    comparison: str
    value: float | None
    value_high: float | None
    unit: str
    when: str
    action: str
    notes: str
    source: str

    def applies(self, x: float) -> bool:
        """True when the laboratory value ``x`` meets this threshold."""
        if self.value is None:
            return False
        if self.comparison == "between":
            return self.value <= x <= (self.value_high if self.value_high is not None else self.value)
        return _COMPARE[self.comparison](x, self.value)

    def describe(self) -> str:
        """The threshold in words, e.g. ``'platelets < 25,000 /µL'``."""
        name = LAB_NAMES.get(self.lab, self.lab)
        if self.value is None:
            return name
        if self.comparison == "between":
            return f"{name} {self.value:,g}-{self.value_high:,g} {self.unit}"
        return f"{name} {self.comparison} {self.value:,g} {self.unit}"


@dataclass(frozen=True)
class LabFinding:
    """A laboratory value that crosses a sourced threshold, with the action and its citation key."""

    lab: str
    value: float
    threshold: str
    action: str
    source: str


@dataclass(frozen=True)
class TimelineWindow:
    """A window the toxicity chart draws (days from the first dose of induction)."""

    effect: str
    start_day: float
    end_day: float
    label: str
    source: str


def _drug(drug: object) -> str:
    return validate.choice(drug, "drug", DRUGS)


def _all_effects() -> tuple[ToxicityWindow, ...]:
    return tuple(ToxicityWindow(
        drug=r["drug"], effect=r["effect"], onset_start_day=opt_float(r["onset_start_day"]),
        onset_end_day=opt_float(r["onset_end_day"]), relative_to=r["relative_to"], timing=r["timing"],
        incidence=r["incidence"], incidence_pct=opt_float(r["incidence_pct"]), context=r["context"],
        recovery_start_day=opt_float(r["recovery_start_day"]), recovery_end_day=opt_float(r["recovery_end_day"]),
        recovery=r["recovery"], notes=r["notes"], source=r["source"]) for r in _data.table("toxicity"))


def _all_thresholds() -> tuple[LabThreshold, ...]:
    return tuple(LabThreshold(
        drug=r["drug"], lab=r["lab"], comparison=r["comparison"], value=opt_float(r["value"]),
        value_high=opt_float(r["value_high"]), unit=r["unit"], when=r["when"], action=r["action"],
        notes=r["notes"], source=r["source"]) for r in _data.table("lab_thresholds"))


def effects(drug: str) -> list[ToxicityWindow]:
    """All sourced toxicity rows for ``drug``, in data-file order.

    >>> [(w.effect, w.incidence_pct, w.source) for w in effects("maribavir")]
    [('taste disturbance', 46.0, 'label-maribavir-us')]
    >>> w = effects("ganciclovir")[0]
    >>> (w.effect, w.onset_start_day, w.onset_end_day, w.recovery_start_day, w.recovery_end_day)
    ('neutropenia', 0.0, 14.0, 2.0, 5.0)
    """
    name = _drug(drug)
    return [w for w in _all_effects() if w.drug == name]


def thresholds(drug: str) -> list[LabThreshold]:
    """All sourced laboratory rules for ``drug`` (maribavir has none).

    >>> [t.describe() for t in thresholds("cidofovir")]
    ['serum creatinine > 1.5 mg/dL', 'CrCl <= 55 mL/min', 'urine protein >= 100 mg/dL', 'serum creatinine rise above baseline 0.3-0.4 mg/dL above baseline']
    """
    name = _drug(drug)
    return [t for t in _all_thresholds() if t.drug == name]


def check_labs(drug: str, anc_per_ul: object = None, platelets_per_ul: object = None,
               hemoglobin_g_dl: object = None) -> list[LabFinding]:
    """Blood counts that cross a sourced threshold for ``drug``; an empty list when none does.

    Units: ANC in cells/µL, platelets per µL (150 x 10^9/L = 150,000/µL), hemoglobin in g/dL.
    Only ganciclovir and valganciclovir have sourced blood-count thresholds: for the other drugs the list
    is always empty, which means "no sourced threshold", not "safe".

    Examples
    --------
    >>> [(f.lab, f.threshold, f.source) for f in check_labs("valganciclovir", 1200, 20000, 7.5)]
    [('platelets_per_ul', 'platelets < 25,000 /µL', 'label-valganciclovir-us'), ('hemoglobin_g_dl', 'hemoglobin < 8 g/dL', 'label-valganciclovir-us')]
    >>> check_labs("ganciclovir", anc_per_ul=500, platelets_per_ul=25000, hemoglobin_g_dl=8)
    []
    >>> check_labs("ganciclovir", anc_per_ul=-1)
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: anc_per_ul: must be between 0 and 100000 cells/µL (got -1)
    """
    name = _drug(drug)
    given: dict[str, float] = {}
    if anc_per_ul is not None:
        given["anc_per_ul"] = validate.number(anc_per_ul, "anc_per_ul", 0, MAX_ANC_PER_UL, "cells/µL")
    if platelets_per_ul is not None:
        given["platelets_per_ul"] = validate.number(platelets_per_ul, "platelets_per_ul", 0,
                                                    MAX_PLATELETS_PER_UL, "/µL")
    if hemoglobin_g_dl is not None:
        given["hemoglobin_g_dl"] = validate.number(hemoglobin_g_dl, "hemoglobin_g_dl", MIN_HEMOGLOBIN_G_DL,
                                                   MAX_HEMOGLOBIN_G_DL, "g/dL")
    return [LabFinding(t.lab, given[t.lab], t.describe(), t.action, t.source)
            for t in thresholds(name) if t.lab in given and t.applies(given[t.lab])]


def _dose_days(dose_days: object, total: float) -> list[float]:
    if dose_days is None:
        return []
    if isinstance(dose_days, (str, bytes, Mapping)) or not isinstance(dose_days, Iterable):
        raise InputError("dose_days", "must be a list of day numbers (day 0 = first dose of induction)")
    days = set()
    for i, d in enumerate(islice(dose_days, MAX_DOSE_DAYS + 1)):
        if i == MAX_DOSE_DAYS:
            raise InputError("dose_days", f"at most {MAX_DOSE_DAYS} dose days")
        day = validate.number(d, f"dose_days[{i}]", 0, total, "days")
        if day >= total:
            raise InputError(f"dose_days[{i}]", f"must fall inside the course, before day {total:g} (got {day:g})")
        days.add(day)
    return sorted(days)


def _label(w: ToxicityWindow, dose_day: float | None = None) -> str:
    text = f"{w.effect}: {w.timing}" if w.timing else w.effect
    if w.incidence:
        text += f"; {w.incidence}"
    if dose_day is not None:
        text += f" [{'infusion' if w.relative_to == 'infusion' else 'dose'} on day {dose_day:g}]"
    return text


def timeline(drug: str, induction_days: object, maintenance_days: object = 0,
             dose_days: Sequence[object] | None = None) -> list[TimelineWindow]:
    """Windows for the toxicity chart of a course of ``drug``, sorted by start day.

    Course-relative windows are clipped to the end of the course (``induction_days + maintenance_days``);
    an open-ended window ("throughout therapy") runs to that end. Dose- and infusion-relative windows are
    drawn once for each day in ``dose_days`` (omitted when ``dose_days`` is None) and may run past the
    course end (cidofovir iritis follows a dose by days).

    Examples
    --------
    >>> [(w.effect, w.start_day, w.end_day) for w in timeline("ganciclovir", 21, 28)]
    [('neutropenia', 0.0, 14.0)]
    >>> [(w.start_day, w.end_day) for w in timeline("foscarnet", 10)][0]
    (0.0, 10.0)
    >>> [(w.effect, round(w.start_day, 1), round(w.end_day, 1)) for w in timeline("cidofovir", 14, dose_days=[0, 7])]
    [('nephrotoxicity', 0.0, 14.0), ('iritis', 3.1, 6.7), ('iritis', 10.1, 13.7)]
    """
    name = _drug(drug)
    induction = validate.number(induction_days, "induction_days", 0, MAX_COURSE_DAYS, "days", lo_inclusive=False)
    maintenance = validate.number(maintenance_days, "maintenance_days", 0, MAX_COURSE_DAYS, "days")
    total = induction + maintenance
    doses = _dose_days(dose_days, total)
    out: list[TimelineWindow] = []
    for w in effects(name):
        if not w.drawn:
            continue
        start = float(w.onset_start_day)  # type: ignore[arg-type]
        if w.relative_to == "course":
            end = total if w.onset_end_day is None else min(w.onset_end_day, total)
            if start < total:
                out.append(TimelineWindow(w.effect, start, end, _label(w), w.source))
        else:
            end = w.onset_end_day if w.onset_end_day is not None else start
            out.extend(TimelineWindow(w.effect, d + start, d + end, _label(w, d), w.source) for d in doses)
    return sorted(out, key=lambda t: (t.start_day, t.end_day, t.effect))
