"""Doses from the label tables, for a validated :class:`~cmvlib.patient.Patient`.

One entry point, :func:`dose`, serves the book, the apps, the quizzes and the tests. Tables are data
(``data/ganciclovir.csv`` …), one row per printed label row, each with its citation. Where a label gives
no dose the result is ``recommended=False`` with the reason — never a number.

>>> from cmvlib.patient import Patient
>>> p = Patient(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)
>>> r = dose("ganciclovir", "induction", p)
>>> r.recommended, r.dose_mg, r.interval_hours, r.mg_per_kg
(True, 175.0, 12.0, 2.5)
>>> r.source
'US ganciclovir label, section 2.5 Table 1, CrCl 50-69 mL/min row [label-ganciclovir-us]'
>>> dose("valganciclovir", "induction", Patient(age_years=60, sex="female", weight_kg=60, on_hemodialysis=True)).summary
'Not recommended'
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _data, bands, validate
from ._rules import rules as _rules
from .cidofovir import cidofovir_dose
from .errors import InputError
from .bands import round_half_up
from .patient import Patient, RenalFunction
from .result import DoseResult, Hydration
from .sources import cite

DRUGS = ("ganciclovir", "valganciclovir", "foscarnet", "cidofovir", "maribavir")
PHASES = {
    "ganciclovir": ("induction", "maintenance"),
    "valganciclovir": ("induction", "maintenance"),
    "foscarnet": ("induction", "maintenance"),
    "cidofovir": ("induction", "maintenance"),
    "maribavir": ("treatment",),
}
REGIMENS = {
    ("ganciclovir", "induction"): ("standard",),
    ("ganciclovir", "maintenance"): ("daily", "5-days-a-week"),
    ("foscarnet", "induction"): ("60q8h", "90q12h"),
    ("foscarnet", "maintenance"): ("90", "120"),
}
# Options each drug accepts besides weight_basis; anything else is refused with a clear message.
OPTIONS = {
    "ganciclovir": {"regimen"},
    "valganciclovir": {"formulation"},
    "foscarnet": {"regimen", "first_infusion"},
    "cidofovir": {"baseline_serum_creatinine_mg_dl"},
    "maribavir": {"co_medications"},
}


def dose(drug: str, phase: str, patient: Patient, *, weight_basis: str = "actual", **options: Any) -> DoseResult:
    """The label dose of ``drug`` in ``phase`` for ``patient``.

    Parameters
    ----------
    drug : "ganciclovir" | "valganciclovir" | "foscarnet" | "cidofovir" | "maribavir"
    phase : "induction" | "maintenance" (maribavir: "treatment")
    patient : a validated :class:`~cmvlib.patient.Patient`
    weight_basis : "actual" (default) | "ideal" | "adjusted" — the weight used for both clearance and
        mg/kg; ideal and adjusted need ``height_cm``.
    regimen : ganciclovir maintenance "daily" | "5-days-a-week"; foscarnet induction "60q8h" (default) |
        "90q12h", maintenance "90" (default) | "120" (mg/kg/day).
    formulation : valganciclovir "tablet" (default) | "oral_solution".
    first_infusion : foscarnet, add the volume given before the first infusion.
    baseline_serum_creatinine_mg_dl : cidofovir during therapy: apply the label's rule on a creatinine rise.
    co_medications : maribavir, names of co-administered drugs (dose changes and interactions).

    Raises
    ------
    InputError
        for an unknown drug, phase, regimen or option, or invalid values.
    """
    drug = validate.choice(drug, "drug", DRUGS)
    phase = validate.choice(phase, "phase", PHASES[drug])
    if not isinstance(patient, Patient):
        raise InputError("patient", "must be a cmvlib.Patient (create one with cmvlib.Patient(...))")
    unknown = set(options) - OPTIONS[drug]
    if unknown:
        raise InputError(sorted(unknown)[0], f"is not an option for {drug} (its options: "
                         f"{', '.join(sorted(OPTIONS[drug] | {'weight_basis'}))})")
    if "regimen" in options or (drug, phase) in REGIMENS:
        allowed = REGIMENS.get((drug, phase), ())
        if not allowed:
            raise InputError("regimen", f"{drug} {phase} has no regimen choice")
        options["regimen"] = validate.choice(options.get("regimen") or allowed[0], "regimen", allowed)
    renal = patient.renal_function(weight_basis)
    return _CALCULATORS[drug](phase, patient, renal, options)


# --- helpers ---------------------------------------------------------------------------------------
def _bound(cell: str, default: float) -> float:
    value = _data.opt_float(cell)
    return default if value is None else value


def _clearance_words(renal: RenalFunction, per_kg: bool = False) -> str:
    if renal.method == "hemodialysis":
        return "On hemodialysis"
    value = renal.per_kg_text() if per_kg else renal.crcl_text()
    how = "measured" if renal.method == "measured" else "Cockcroft–Gault"
    return f"CrCl {value} ({how}, {renal.weight.basis} weight {renal.weight.text})"


def _mg(x: float) -> float:
    return round_half_up(x, 2)


def _result(drug: str, phase: str, row: Mapping[str, str], renal: RenalFunction, *, dose_mg: float | None,
            mg_per_kg: float | None, reason: str, route: str, regimen: str | None = None,
            warnings: Iterable[str] = (), hydration: tuple[Hydration, ...] = ()) -> DoseResult:
    recommended = row["recommended"] == "yes"
    return DoseResult(
        drug=drug, phase=phase, recommended=recommended,
        dose_mg=dose_mg if recommended else None,
        mg_per_kg=mg_per_kg if recommended else None,
        interval_hours=_data.opt_float(row.get("interval_hours", "")) if recommended else None,
        times_per_week=int(row["times_per_week"]) if recommended and row.get("times_per_week") else None,
        reason=reason, source=cite(row["source"], row["detail"]), regimen=regimen, route=route,
        renal=renal, warnings=tuple(renal.warnings) + tuple(warnings), hydration=hydration)


def _crcl_row(table: str, renal: RenalFunction, match: Callable[[Mapping[str, str]], bool]) -> Mapping[str, str]:
    """The row of a mL/min table (crcl_min <= CrCl < crcl_max, on the exact clearance) or its hemodialysis row."""
    rows = [r for r in _data.table(table) if match(r)]
    if renal.method == "hemodialysis":
        hits = [r for r in rows if r["hemodialysis"] == "yes"]
    else:
        x = renal.crcl_ml_min
        hits = [r for r in rows if r["hemodialysis"] == "no"
                and bands.at_least(x, _bound(r["crcl_min"], 0.0)) and bands.below(x, _bound(r["crcl_max"], float("inf")))]
    if len(hits) != 1:  # the data tests make this unreachable; fail loudly rather than guess
        raise LookupError(f"{table}: {len(hits)} rows match {renal}")
    return hits[0]


# --- ganciclovir and valganciclovir (mL/min tables) -------------------------------------------------
def _ganciclovir(phase: str, patient: Patient, renal: RenalFunction, opts: dict[str, Any]) -> DoseResult:
    regimen = opts["regimen"]
    row = _crcl_row("ganciclovir", renal, lambda r: r["phase"] == phase and r["regimen"] == regimen)
    where = _clearance_words(renal)
    mg_per_kg = _data.opt_float(row["mg_per_kg"])
    if mg_per_kg is None:
        return _result("ganciclovir", phase, row, renal, dose_mg=None, mg_per_kg=None, route="IV",
                       regimen=regimen, reason=f"{where}. {row['note']}")
    mg = _mg(mg_per_kg * renal.weight.kg)
    reason = (f"{where}. {row['note']} {mg_per_kg:g} mg/kg × {renal.weight.text} = {mg:g} mg per dose.")
    return _result("ganciclovir", phase, row, renal, dose_mg=mg, mg_per_kg=mg_per_kg, route="IV",
                   regimen=regimen if len(REGIMENS[("ganciclovir", phase)]) > 1 else None, reason=reason)


def _valganciclovir(phase: str, patient: Patient, renal: RenalFunction, opts: dict[str, Any]) -> DoseResult:
    formulation = validate.choice(opts.get("formulation", "tablet"), "formulation", ("tablet", "oral_solution"))
    row = _crcl_row("valganciclovir", renal, lambda r: r["phase"] == phase and r["formulation"] == formulation)
    mg = _data.opt_float(row["dose_mg"])
    reason = f"{_clearance_words(renal)}. {row['note']}"
    return _result("valganciclovir", phase, row, renal, dose_mg=mg, mg_per_kg=None, route="by mouth",
                   regimen=formulation, reason=reason)


# --- foscarnet (mL/min/kg table, hydration) ----------------------------------------------------------
def _foscarnet_row(phase: str, regimen: str, per_kg: float) -> Mapping[str, str]:
    def inside(r: Mapping[str, str]) -> bool:
        lo, hi = _bound(r["clcr_min"], 0.0), _bound(r["clcr_max"], float("inf"))
        above_lo = bands.at_least(per_kg, lo) if r["clcr_min_inclusive"] == "yes" else bands.above(per_kg, lo)
        below_hi = bands.at_most(per_kg, hi) if r["clcr_max_inclusive"] == "yes" else bands.below(per_kg, hi)
        return above_lo and below_hi
    hits = [r for r in _data.table("foscarnet") if r["phase"] == phase and r["regimen"] == regimen and inside(r)]
    if len(hits) != 1:
        raise LookupError(f"foscarnet: {len(hits)} rows match {per_kg}")
    return hits[0]


def foscarnet_hydration(mg_per_kg: float, first_infusion: bool = False) -> tuple[Hydration, ...]:
    """Saline or 5% dextrose to give with a foscarnet dose of ``mg_per_kg`` (label).

    >>> [h.volume_max_ml for h in foscarnet_hydration(60)], [h.volume_min_ml for h in foscarnet_hydration(70)]
    ([500.0], [None])
    >>> [h.when for h in foscarnet_hydration(90, first_infusion=True)]
    ['before the first infusion', 'with each infusion']
    """
    mg_per_kg = validate.number(mg_per_kg, "mg_per_kg", 1, 200, "mg/kg")
    first_infusion = validate.flag(first_infusion, "first_infusion")
    out = []
    for row in _data.table("foscarnet_hydration"):
        source = cite(row["source"], row["detail"])
        if row["when"] == "first_infusion":
            if first_infusion:
                out.append(Hydration("before the first infusion", float(row["volume_min_ml"]),
                                     float(row["volume_max_ml"]), row["note"], source))
        elif float(row["dose_min"]) <= mg_per_kg <= float(row["dose_max"]):
            out.append(Hydration("with each infusion", float(row["volume_min_ml"]), float(row["volume_max_ml"]),
                                 row["note"], source))
    if not any(h.when == "with each infusion" for h in out):
        out.append(Hydration("with each infusion", None, None,
                             f"the label prints no hydration volume for a {mg_per_kg:g} mg/kg dose (it gives 500 mL "
                             "for 40-60 mg/kg and 750-1000 mL for 90-120 mg/kg). Decide with the prescriber; "
                             "the calculator does not guess.", cite("label-foscarnet-us", "hydration")))
    return tuple(out)


def _foscarnet(phase: str, patient: Patient, renal: RenalFunction, opts: dict[str, Any]) -> DoseResult:
    regimen = opts["regimen"]
    first = validate.flag(opts.get("first_infusion", False), "first_infusion")
    warnings = []
    if renal.method == "hemodialysis":
        row = {"recommended": "no", "source": "label-foscarnet-us", "detail": "Table 13 (no hemodialysis row)"}
        reason = ("On hemodialysis. The label gives no foscarnet dose for hemodialysis. Institutional non-FDA "
                  "schedules exist (UCSF); they are taught in the text, not calculated here.")
        return _result("foscarnet", phase, row, renal, dose_mg=None, mg_per_kg=None, route="IV",
                       regimen=regimen, reason=reason)
    row = _foscarnet_row(phase, regimen, renal.crcl_ml_min_per_kg)
    rules = _rules("foscarnet_rules")
    if patient.scr_mg_dl is not None and bands.above(patient.scr_mg_dl, rules["limited_data_scr_mg_dl"].value):
        warnings.append(rules["limited_data_scr_mg_dl"].note)
    if renal.method == "measured" and bands.below(renal.crcl_ml_min, rules["limited_data_measured_crcl_ml_min"].value):
        warnings.append(rules["limited_data_measured_crcl_ml_min"].note)
    where = _clearance_words(renal, per_kg=True)
    mg_per_kg = _data.opt_float(row["mg_per_kg"])
    if mg_per_kg is None:
        return _result("foscarnet", phase, row, renal, dose_mg=None, mg_per_kg=None, route="IV",
                       regimen=regimen, reason=f"{where}. {row['note']}", warnings=warnings)
    mg = _mg(mg_per_kg * renal.weight.kg)
    hours = row["interval_hours"]
    note = f" {row['note']}" if row["note"] else ""
    reason = (f"{where}.{note} Column {regimen}: {mg_per_kg:g} mg/kg every {hours} h × {renal.weight.text} "
              f"= {mg:g} mg per dose. {rules['max_rate_mg_per_kg_min'].note}")
    return _result("foscarnet", phase, row, renal, dose_mg=mg, mg_per_kg=mg_per_kg, route="IV", regimen=regimen,
                   reason=reason, warnings=warnings, hydration=foscarnet_hydration(mg_per_kg, first))


# --- maribavir (fixed dose, interactions) -------------------------------------------------------------
_ALIASES = {"rifampicin": "rifampin", "cyclosporine": "ciclosporin", "cyclosporin": "ciclosporin",
            "st johns wort": "st john's wort", "st. john's wort": "st john's wort", "phenobarbitone": "phenobarbital"}


def co_medication_name(name: str) -> str:
    """A co-medication's name as the maribavir table spells it (lower case, common synonyms mapped).

    >>> co_medication_name(" Rifampicin "), co_medication_name("Cyclosporine"), co_medication_name("aspirin")
    ('rifampin', 'ciclosporin', 'aspirin')
    """
    n = name.strip().lower()
    return _ALIASES.get(n, n)


def maribavir_co_medications() -> tuple[tuple[str, str], ...]:
    """The co-medications of the maribavir label table, each as ``(name, action)`` in table order;
    ``action`` is "dose" (the label gives another dose), "avoid" (not recommended together) or "monitor"
    (raised levels: monitor and adjust). Other names given to :func:`dose` get a "check the label" warning.

    >>> maribavir_co_medications()[0], ("tacrolimus", "monitor") in maribavir_co_medications()
    (('carbamazepine', 'dose'), True)
    """
    return tuple((r["co_medication"], r["action"]) for r in _data.table("maribavir") if r["co_medication"])


def _maribavir(phase: str, patient: Patient, renal: RenalFunction, opts: dict[str, Any]) -> DoseResult:
    meds = opts.get("co_medications", ())
    if isinstance(meds, str) or not isinstance(meds, Iterable):
        raise InputError("co_medications", "must be a list of drug names, e.g. ['tacrolimus']")
    names = []
    for m in meds:
        if not isinstance(m, str) or not m.strip():
            raise InputError("co_medications", f"each entry must be a drug name (got {m!r})")
        names.append(co_medication_name(m))
    table = {r["co_medication"]: r for r in _data.table("maribavir")}
    base = table[""]
    warnings, avoid, doses = [], [], []
    for n in names:
        row = table.get(n)
        if row is None:
            warnings.append(f"{n}: not in this book's maribavir interaction table; check the label.")
        elif row["action"] == "avoid":
            avoid.append(row)
        elif row["action"] == "monitor":
            warnings.append(row["note"])
        else:
            doses.append(row)
    route = "by mouth"
    studied = _rules("maribavir_renal")["min_studied_crcl_ml_min"]
    if renal.method == "hemodialysis" or bands.below(renal.crcl_ml_min, studied.value):
        where = "On hemodialysis" if renal.method == "hemodialysis" else \
            f"{_clearance_words(renal)}, below the {studied.value:g} mL/min the renal study reached"
        renal_row = next(r for r in _data.table("maribavir_renal") if r["rule"] == "min_studied_crcl_ml_min")
        row = {**base, "recommended": "no", "source": renal_row["source"], "detail": renal_row["detail"]}
        return _result("maribavir", phase, row, renal, dose_mg=None, mg_per_kg=None, route=route, warnings=warnings,
                       reason=f"{where}: maribavir was not studied in end-stage renal disease or dialysis, so the "
                              "label gives no dose (the same answer on or off dialysis).")
    if avoid:
        row = {**avoid[0], "recommended": "no"}
        return _result("maribavir", phase, row, renal, dose_mg=None, mg_per_kg=None, route=route, warnings=warnings,
                       reason=" ".join(f"{r['co_medication']}: {r['note']}" for r in avoid))
    if len({r["dose_mg"] for r in doses}) > 1:
        row = {**doses[0], "recommended": "no"}
        return _result("maribavir", phase, row, renal, dose_mg=None, mg_per_kg=None, route=route, warnings=warnings,
                       reason="The label gives no dose for this combination of anticonvulsants.")
    row = {**(doses[0] if doses else base), "recommended": "yes"}
    reason = (f"{row['note']} Indication: post-transplant CMV infection or disease refractory to ganciclovir, "
              "valganciclovir, cidofovir or foscarnet, with or without resistance. Not expected to work in CNS disease.")
    return _result("maribavir", phase, row, renal, dose_mg=float(row["dose_mg"]), mg_per_kg=None, route=route,
                   warnings=warnings, reason=reason)


_CALCULATORS: dict[str, Callable[[str, Patient, RenalFunction, dict[str, Any]], DoseResult]] = {
    "ganciclovir": _ganciclovir,
    "valganciclovir": _valganciclovir,
    "foscarnet": _foscarnet,
    "cidofovir": lambda phase, patient, renal, opts: cidofovir_dose(phase, patient, renal, **opts),
    "maribavir": _maribavir,
}
