"""Cidofovir: eligibility to start, the dose, the in-course rule on a creatinine rise, and the
probenecid and saline schedule with clock times (US label, ``data/cidofovir.csv``).

>>> from cmvlib.patient import Patient
>>> p = Patient(age_years=40, sex="male", weight_kg=70, serum_creatinine_mg_dl=0.9, urine_protein_mg_dl=30)
>>> r = cidofovir_dose("induction", p, p.renal_function())
>>> r.dose_mg, r.interval_hours
(350.0, 168.0)
>>> [f"{i.clock} {i.what}" for i in cidofovir_schedule("10:00") if i.what.startswith("Probenecid")]
['07:00 Probenecid 2 g by mouth', '13:00 Probenecid 1 g by mouth', '19:00 Probenecid 1 g by mouth']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import bands, validate
from ._rules import rules
from .bands import round_half_up
from .errors import InputError
from .patient import LIMITS, Patient, RenalFunction
from .result import DoseResult
from .sources import cite

_TABLE = "cidofovir"


def _r(name: str) -> float:
    return rules(_TABLE)[name].value


def eligibility_problems(patient: Patient, renal: RenalFunction) -> list[str]:
    """Why cidofovir may not be started (empty list: eligible), per the label's contraindications."""
    if renal.method == "hemodialysis":
        return ["On hemodialysis: creatinine clearance is far below the label's minimum of more than 55 mL/min."]
    scr, protein = _need_scr(patient), _need_protein(patient)
    problems = []
    max_scr = _r("start_max_scr_mg_dl")
    if bands.above(scr, max_scr):
        problems.append(f"Serum creatinine {patient.scr_text((max_scr,))} is above {max_scr:g} mg/dL.")
    if bands.at_most(renal.crcl_ml_min, _r("start_min_crcl_ml_min")):
        problems.append(f"CrCl {renal.crcl_text()} is {_r('start_min_crcl_ml_min'):g} mL/min or less.")
    if bands.at_least(protein, _r("start_max_urine_protein_mg_dl")):
        problems.append(f"Urine protein {protein:g} mg/dL is {_r('start_max_urine_protein_mg_dl'):g} mg/dL (2+) "
                        "or more.")
    return problems


def _need_scr(patient: Patient) -> float:
    if patient.scr_mg_dl is None:
        raise InputError("serum_creatinine_mg_dl", "is needed for cidofovir: the label's criteria use serum "
                         "creatinine as well as clearance")
    return patient.scr_mg_dl


def _need_protein(patient: Patient) -> float:
    if patient.urine_protein_mg_dl is None:
        raise InputError("urine_protein_mg_dl", "is needed for cidofovir: the label requires urine protein below "
                         "100 mg/dL to start, checked before every dose")
    return patient.urine_protein_mg_dl


def cidofovir_dose(phase: str, patient: Patient, renal: RenalFunction,
                   baseline_serum_creatinine_mg_dl: float | None = None) -> DoseResult:
    """Cidofovir dose, or ``recommended=False`` with the reason. Use :func:`cmvlib.dose` normally.

    Without a baseline creatinine the label's criteria for **starting** apply. With
    ``baseline_serum_creatinine_mg_dl`` (the value before treatment) the label's in-course rule applies, on
    the exact rise (never rounded first): 0.3-0.4 mg/dL above baseline, the maintenance dose is reduced to
    3 mg/kg; 0.5 mg/dL or more, or 3+ proteinuria, cidofovir is discontinued. Where the label gives no dose
    (a rise between 0.4 and 0.5 mg/dL, a rise during induction, 2+ proteinuria) no dose is given.
    """
    rs = rules(_TABLE)
    dose_rule = rs[f"{phase}_mg_per_kg"]
    interval = rs[f"{phase}_interval_hours"].value
    w = renal.weight

    def result(ok: bool, mg_per_kg: float | None, reason: str, source: str, warnings: tuple[str, ...] = ()):
        return DoseResult("cidofovir", phase, ok, round_half_up(mg_per_kg * w.kg, 2) if ok else None,
                          interval if ok else None, None, reason, source, mg_per_kg=mg_per_kg if ok else None,
                          route="IV", renal=renal, warnings=tuple(renal.warnings) + warnings)

    def mg(mg_per_kg: float) -> str:
        return f"{mg_per_kg:g} mg/kg × {w.text} = {round_half_up(mg_per_kg * w.kg, 2):g} mg"

    problems = eligibility_problems(patient, renal)
    base_text = f"{dose_rule.note} With probenecid and saline (see the schedule). {mg(dose_rule.value)}."
    if baseline_serum_creatinine_mg_dl is None:
        if problems:
            return result(False, None, "Contraindicated: " + " ".join(problems),
                          rs["start_max_scr_mg_dl"].source.replace("SCr >1.5 mg/dL", "start criteria"))
        return result(True, dose_rule.value, base_text, dose_rule.source)

    lo, hi, unit = LIMITS["serum_creatinine_mg_dl"]
    baseline = validate.number(baseline_serum_creatinine_mg_dl, "baseline_serum_creatinine_mg_dl", lo, hi, unit)
    scr, protein = _need_scr(patient), _need_protein(patient)
    rise = scr - baseline  # exact: a 0.404 mg/dL rise is above the 0.3-0.4 band, not in it
    reduce, stop = rs["reduced_mg_per_kg"], rs["stop_rise_min_mg_dl"]
    r_min, r_max = _r("reduce_rise_min_mg_dl"), _r("reduce_rise_max_mg_dl")
    rise_text = bands.shown(rise, 2, (r_min, r_max, stop.value))
    changing: tuple[str, ...] = ()
    if bands.compare(rise, 0) != 0:
        changing = (f"Creatinine has changed from baseline ({baseline:g} → {patient.scr_text()}): Cockcroft–Gault "
                    "assumes a stable creatinine, so the clearance shown lags a changing value; recheck it before "
                    f"each dose. [{cite('chen2013', 'clearance equations assume a steady-state creatinine')}]",)
    protein_rule = rs["in_course_urine_protein_mg_dl"]
    if bands.at_least(protein, protein_rule.value):
        return result(False, None, f"Urine protein {protein:g} mg/dL (2+ or more) during therapy: {protein_rule.note}",
                      protein_rule.source, changing)
    if bands.at_least(rise, stop.value):
        return result(False, None, f"Serum creatinine has risen {rise_text} mg/dL above baseline "
                      f"({baseline:g} → {patient.scr_text()}): {stop.note}", stop.source, changing)
    if bands.above(rise, r_max):
        return result(False, None, f"Serum creatinine has risen {rise_text} mg/dL above baseline: above the "
                      f"label's {r_min:g}-{r_max:g} mg/dL reduction band and below its {stop.value:g} mg/dL stop "
                      "rule, the label gives no dose. No dose is calculated; ask a specialist.", reduce.source, changing)
    warnings = changing + tuple(f"Start criteria no longer met: {p}" for p in problems)
    if bands.at_least(rise, r_min):
        if phase != "maintenance":
            return result(False, None, f"Serum creatinine has risen {rise_text} mg/dL above baseline during "
                          "induction: the label's reduction to 3 mg/kg is for the maintenance dose, and it gives no "
                          "reduced induction dose. No dose is calculated; ask a specialist.", reduce.source, warnings)
        return result(True, reduce.value, f"Serum creatinine has risen {rise_text} mg/dL above baseline "
                      f"({r_min:g}-{r_max:g} mg/dL): reduce the maintenance dose to {mg(reduce.value)}.",
                      reduce.source, warnings)
    return result(True, dose_rule.value, f"Creatinine change {rise_text if rise < 0 else '+' + rise_text} mg/dL "
                  f"from baseline (below the {r_min:g} mg/dL that triggers a reduction). {base_text}",
                  dose_rule.source, warnings)


@dataclass(frozen=True)
class ScheduleItem:
    """One step of a cidofovir day: clock time (``+1 day`` when past midnight), minutes from the start
    of the infusion, what to give, and the source."""

    clock: str
    minutes_from_start: int
    what: str
    source: str


def _parse_clock(text: object) -> int:
    if not isinstance(text, str) or not re.fullmatch(r"\s*\d{1,2}:\d{2}\s*", text):
        raise InputError("infusion_start", f"must be a clock time like 10:00 (got {text!r})")
    h, m = (int(x) for x in text.strip().split(":"))
    if h > 23 or m > 59:
        raise InputError("infusion_start", f"must be a clock time between 00:00 and 23:59 (got {text!r})")
    return h * 60 + m


def _clock(minutes: int) -> str:
    day, rem = divmod(minutes, 24 * 60)
    suffix = "" if day == 0 else (" (+1 day)" if day == 1 else " (day before)" if day == -1 else f" ({day:+d} days)")
    return f"{rem // 60:02d}:{rem % 60:02d}{suffix}"


def cidofovir_schedule(infusion_start: str = "10:00") -> tuple[ScheduleItem, ...]:
    """Probenecid, saline and infusion for a cidofovir dose whose infusion starts at ``infusion_start``.

    Probenecid 2 g 3 h before the infusion, then 1 g at 2 h and at 8 h after it ends; 1 L saline over
    1–2 h just before; a second litre over 1–3 h with or right after the infusion, if tolerated.
    """
    start = _parse_clock(infusion_start)
    rs = rules(_TABLE)
    end = int(start + 60 * _r("infusion_hours"))
    pre_l, second_l = _r("saline_before_l"), _r("saline_second_l")
    items = [
        (start - int(60 * _r("probenecid_before_hours")), f"Probenecid {_r('probenecid_before_g'):g} g by mouth",
         rs["probenecid_before_g"].source),
        (start - int(60 * _r("saline_before_max_hours")),
         f"Start {pre_l:g} L 0.9% saline IV over {_r('saline_before_min_hours'):g}-{_r('saline_before_max_hours'):g} h "
         f"(start by {_clock(start - int(60 * _r('saline_before_min_hours')))} for a 1 h run), ending as the "
         "infusion begins", rs["saline_before_l"].source),
        (start, "Cidofovir infusion over 1 h; if tolerated start a second "
                f"{second_l:g} L of saline over 1-3 h with it or right after it", rs["infusion_hours"].source),
        (end, "Cidofovir infusion ends", rs["infusion_hours"].source),
        (end + int(60 * _r("probenecid_after_hours_1")), f"Probenecid {_r('probenecid_after_g'):g} g by mouth",
         rs["probenecid_after_g"].source),
        (end + int(60 * _r("probenecid_after_hours_2")), f"Probenecid {_r('probenecid_after_g'):g} g by mouth",
         rs["probenecid_after_g"].source),
    ]
    return tuple(ScheduleItem(_clock(t), t - start, what, src) for t, what, src in sorted(items, key=lambda i: i[0]))
