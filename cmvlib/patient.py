"""A validated adult patient and their renal function.

Renal function follows the labels: Cockcroft–Gault creatinine clearance in mL/min (ganciclovir,
valganciclovir, cidofovir) and the same formula per kilogram for foscarnet. The weight used is an
explicit choice (``weight_basis``: actual, Devine ideal, or adjusted), because the labels say only
"body weight": the choice changes both the clearance band and the mg/kg dose.

Clearance is **not** rounded before banding: every band is decided on the exact value, with only a
floating-point tolerance (:mod:`cmvlib.bands`), so that rounding never carries a patient across a limit
where the label gives no dose. Numbers are rounded only for display (``RenalFunction.crcl_text``), with
extra digits where the rounded number would read as a band limit.

Ideal and adjusted weight never exceed actual weight: "ideal" is the lower of Devine ideal weight and
actual weight (Cockcroft–Gault with ideal weight "unless the actual body weight is less", Murphy 2001),
and adjusted weight applies only above ideal weight (otherwise the actual weight is used, and said so).

>>> p = Patient(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)
>>> round(p.crcl_ml_min(), 4), p.renal_function().crcl_text()
(69.3069, '69.3 mL/min')
>>> Patient(age_years=40, sex="male", weight_kg=80, serum_creatinine_mg_dl=1.0).renal_function().per_kg_text()
'1.39 mL/min/kg'
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import _data, bands, validate
from .bands import round_half_up
from ._rules import rules as _rules
from .errors import InputError
from .sources import cite

#: The weight used for both clearance and mg/kg dosing.
WEIGHT_BASES = ("actual", "ideal", "adjusted")
SEXES = ("male", "female")

# Plausibility limits for adults. These are input checks chosen by the project (not clinical
# facts): values outside them are almost certainly typing errors, so they are refused with a message.
ADULT_AGE_YEARS = 18  # dosing in the labels' adult sections; pediatric dosing differs
LIMITS = {
    "age_years": (0, 120, "years"),
    "weight_kg": (20, 350, "kg"),
    "height_cm": (120, 230, "cm"),
    "serum_creatinine_mg_dl": (0.1, 20, "mg/dL"),
    "serum_creatinine_umol_l": (8.8, 1768, "µmol/L"),
    "measured_crcl_ml_min": (0.1, 250, "mL/min"),
    "urine_protein_mg_dl": (0, 2000, "mg/dL"),
}
CM_PER_INCH = 2.54


@lru_cache(maxsize=None)
def constant(name: str) -> float:
    """A formula constant from ``data/renal.csv``."""
    for row in _data.table("renal"):
        if row["name"] == name:
            return float(row["value"])
    raise KeyError(name)


def constant_source(name: str) -> str:
    """The citation of a formula constant."""
    row = next(r for r in _data.table("renal") if r["name"] == name)
    return cite(row["source"], row["detail"])


@lru_cache(maxsize=None)
def clearance_limits() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Every clearance limit the dose tables decide on: ``(mL/min limits, mL/min/kg limits)``.

    Display uses them so that a shown clearance never reads as a limit it is not on.

    >>> ml_min, per_kg = clearance_limits()
    >>> {10.0, 25.0, 40.0, 50.0, 55.0, 60.0, 70.0} <= set(ml_min), {0.4, 0.5, 0.6, 0.8, 1.0, 1.4} <= set(per_kg)
    (True, True)
    """
    ml_min = {float(r[c]) for t in ("ganciclovir", "valganciclovir") for r in _data.table(t)
              for c in ("crcl_min", "crcl_max") if r[c].strip()}
    ml_min |= {float(r["value"]) for r in _data.table("cidofovir") if r["unit"] == "mL/min"}
    ml_min |= {float(r["value"]) for r in _data.table("foscarnet_rules") if r["unit"] == "mL/min"}
    per_kg = {float(r[c]) for r in _data.table("foscarnet") for c in ("clcr_min", "clcr_max") if r[c].strip()}
    return tuple(sorted(ml_min - {0.0})), tuple(sorted(per_kg - {0.0}))


@dataclass(frozen=True)
class BodyWeight:
    """A dosing weight (exact ``kg``; ``text`` for display), how it was obtained, and any warning."""

    basis: str
    kg: float
    formula: str
    warnings: tuple[str, ...] = ()
    source: str = ""

    @property
    def text(self) -> str:
        """``"70.5 kg"``: the weight rounded to 0.1 kg for the reader."""
        return f"{round_half_up(self.kg, 1):g} kg"


@dataclass(frozen=True)
class RenalFunction:
    """Creatinine clearance as the labels use it, with the formula shown to the reader."""

    method: str                    # "Cockcroft-Gault" | "measured" | "hemodialysis"
    crcl_ml_min: float | None      # exact (never rounded: bands are decided on it); None on hemodialysis
    crcl_ml_min_per_kg: float | None  # exact; None on hemodialysis
    weight: BodyWeight
    formula: str
    warnings: tuple[str, ...] = ()
    source: str = ""

    @property
    def assumption(self) -> str:
        """What the estimate assumes, for the reader (empty for a measured clearance or dialysis)."""
        if self.method != "Cockcroft-Gault":
            return ""
        return ("Cockcroft–Gault assumes a stable creatinine: while creatinine is rising or falling the estimate lags "
                f"the kidneys, so recheck it and re-dose. {cite('chen2013', 'estimates need a steady-state creatinine')}")

    def crcl_text(self) -> str:
        """The clearance for the reader: ``"69.3 mL/min"`` (0.1 mL/min, more digits near a limit)."""
        if self.crcl_ml_min is None:
            return "not estimated (hemodialysis)"
        return f"{bands.shown(self.crcl_ml_min, 1, clearance_limits()[0])} mL/min"

    def per_kg_text(self) -> str:
        """The clearance per kg for the reader: ``"1.39 mL/min/kg"`` (0.01, more digits near a limit)."""
        if self.crcl_ml_min_per_kg is None:
            return "not estimated (hemodialysis)"
        return f"{bands.shown(self.crcl_ml_min_per_kg, 2, clearance_limits()[1])} mL/min/kg"


@dataclass(frozen=True)
class Patient:
    """An adult patient (18 years and over). All inputs are validated; see ``LIMITS``.

    Give serum creatinine in mg/dL **or** µmol/L (1 mg/dL = 88.4 µmol/L), or a measured creatinine
    clearance, or ``on_hemodialysis=True``.

    >>> Patient(age_years=15, sex="female", weight_kg=50, serum_creatinine_mg_dl=0.7)
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: age_years: this book covers adults (18 years and over); pediatric CMV dosing differs (for example valganciclovir by body-surface area and Schwartz clearance), so no dose is given for age 15
    """

    age_years: float
    sex: str
    weight_kg: float
    serum_creatinine_mg_dl: float | None = None
    serum_creatinine_umol_l: float | None = None
    measured_crcl_ml_min: float | None = None
    height_cm: float | None = None
    on_hemodialysis: bool = False
    urine_protein_mg_dl: float | None = None
    _scr: float | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def num(name: str, value: object) -> float:
            lo, hi, unit = LIMITS[name]
            return validate.number(value, name, lo, hi, unit)

        def opt(name: str) -> float | None:
            value = getattr(self, name)
            return None if value is None else num(name, value)

        age = num("age_years", self.age_years)
        if age < ADULT_AGE_YEARS:
            raise InputError("age_years", "this book covers adults (18 years and over); pediatric CMV dosing "
                             "differs (for example valganciclovir by body-surface area and Schwartz clearance), "
                             f"so no dose is given for age {age:g}")
        set_ = object.__setattr__
        set_(self, "age_years", age)
        set_(self, "sex", validate.choice(self.sex, "sex", SEXES))
        set_(self, "weight_kg", num("weight_kg", self.weight_kg))
        for name in ("serum_creatinine_mg_dl", "serum_creatinine_umol_l", "measured_crcl_ml_min",
                     "height_cm", "urine_protein_mg_dl"):
            set_(self, name, opt(name))
        set_(self, "on_hemodialysis", validate.flag(self.on_hemodialysis, "on_hemodialysis"))
        if self.serum_creatinine_mg_dl is not None and self.serum_creatinine_umol_l is not None:
            raise InputError("serum_creatinine_umol_l", "give serum creatinine in one unit only (mg/dL or µmol/L)")
        scr = self.serum_creatinine_mg_dl
        if self.serum_creatinine_umol_l is not None:
            scr = self.serum_creatinine_umol_l / constant("scr_umol_per_mg_dl")
        set_(self, "_scr", scr)
        if scr is None and self.measured_crcl_ml_min is None and not self.on_hemodialysis:
            raise InputError("serum_creatinine_mg_dl", "is missing: enter serum creatinine (mg/dL or µmol/L) "
                             "or a measured creatinine clearance, or tick hemodialysis")

    # --- creatinine -----------------------------------------------------------------------
    @property
    def scr_mg_dl(self) -> float | None:
        """Serum creatinine in mg/dL (converted from µmol/L when given so), or ``None``."""
        return self._scr

    # --- body weight ----------------------------------------------------------------------
    def devine_weight_kg(self, basis: str = "ideal") -> float:
        """Devine ideal body weight (exact): 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 5 ft.
        ``basis`` names the weight asked for, in the message when height is missing."""
        inches = self._need_height(basis) / CM_PER_INCH
        base = constant("devine_male_base" if self.sex == "male" else "devine_female_base")
        kg = base + constant("devine_kg_per_inch") * (inches - constant("devine_min_height_in"))
        if kg <= 0:
            raise InputError("height_cm", f"height {self.height_cm:g} cm gives no usable ideal body weight")
        return kg

    def _devine_warnings(self) -> list[str]:
        inches = self._need_height("ideal") / CM_PER_INCH
        if inches < constant("devine_min_height_in"):
            return [f"The Devine formula is not validated below 5 ft (152.4 cm); height {self.height_cm:g} cm "
                    "is outside it, so this ideal weight is an extrapolation."]
        return []

    def ideal_weight(self) -> BodyWeight:
        """Ideal body weight for dosing: the **lower** of Devine ideal weight and actual weight.

        A patient lighter than his Devine weight is dosed on his actual weight, never above it
        (Cockcroft–Gault with ideal weight "unless the actual body weight is less", Murphy 2001).

        >>> Patient(age_years=50, sex="female", weight_kg=90, height_cm=165, serum_creatinine_mg_dl=1).ideal_weight().text
        '56.9 kg'
        >>> thin = Patient(age_years=30, sex="male", weight_kg=60, height_cm=190, serum_creatinine_mg_dl=1).ideal_weight()
        >>> thin.basis, thin.kg
        ('actual', 60.0)
        """
        devine = self.devine_weight_kg()
        inches = self.height_cm / CM_PER_INCH
        base = "50" if self.sex == "male" else "45.5"
        devine_text = f"{base} kg + 2.3 kg × ({inches:.1f} in − 60 in) = {round_half_up(devine, 1):g} kg"
        source = cite("murphy2001", "ideal body weight unless the actual body weight is less")
        warnings = self._devine_warnings()
        if self.weight_kg < devine:
            warnings.append(f"Actual weight ({self.weight_kg:g} kg) is below Devine ideal weight "
                            f"({round_half_up(devine, 1):g} kg): the lower, actual weight, is used, so the dose is "
                            "never above the patient's real weight.")
            return BodyWeight("actual", self.weight_kg, f"Devine ideal {devine_text}; actual "
                              f"{self.weight_kg:g} kg is lower and is used", tuple(warnings), source)
        return BodyWeight("ideal", devine, f"Devine ideal {devine_text}", tuple(warnings),
                          cite("devine1974", "Devine ideal body weight") + "; " + source)

    def adjusted_weight(self) -> BodyWeight:
        """Adjusted body weight IBW + 0.4 × (actual − IBW), for patients **above** their ideal weight.

        At or below ideal weight there is nothing to adjust: the actual weight is used (and said so).

        >>> Patient(age_years=50, sex="male", weight_kg=120, height_cm=175, serum_creatinine_mg_dl=1).adjusted_weight().text
        '90.3 kg'
        >>> Patient(age_years=50, sex="male", weight_kg=60, height_cm=175, serum_creatinine_mg_dl=1).adjusted_weight().basis
        'actual'
        """
        ibw = self.devine_weight_kg("adjusted")
        warnings = self._devine_warnings()
        source = cite("traynor1995", "adjusted body weight, factor 0.4")
        if self.weight_kg <= ibw:
            warnings.append(f"Adjusted weight applies only above ideal weight; actual weight ({self.weight_kg:g} kg) "
                            f"is not above Devine ideal weight ({round_half_up(ibw, 1):g} kg), so actual weight is used.")
            return BodyWeight("actual", self.weight_kg, f"actual body weight {self.weight_kg:g} kg (not above ideal)",
                              tuple(warnings), cite("murphy2001", "ideal or actual, whichever is less"))
        factor = constant("adjbw_factor")
        kg = ibw + factor * (self.weight_kg - ibw)
        ibw_r = f"{round_half_up(ibw, 1):g}"
        return BodyWeight("adjusted", kg,
                          f"{ibw_r} + 0.4 × ({self.weight_kg:g} − {ibw_r}) = {round_half_up(kg, 1):g} kg",
                          tuple(warnings), source)

    def dosing_weight(self, weight_basis: str = "actual") -> BodyWeight:
        """The weight for ``weight_basis`` ("actual", "ideal" or "adjusted"); never above actual weight
        unless the basis is "actual"."""
        basis = validate.choice(weight_basis, "weight_basis", WEIGHT_BASES)
        if basis == "ideal":
            return self.ideal_weight()
        if basis == "adjusted":
            return self.adjusted_weight()
        return BodyWeight("actual", self.weight_kg, f"actual body weight {self.weight_kg:g} kg")

    def dosing_weight_kg(self, weight_basis: str = "actual") -> float:
        """Shortcut for ``dosing_weight(weight_basis).kg``."""
        return self.dosing_weight(weight_basis).kg

    def _need_height(self, basis: str) -> float:
        if self.height_cm is None:
            raise InputError("height_cm", f"is needed for {basis} body weight: enter height in cm, "
                             "or use actual body weight")
        return self.height_cm

    # --- renal function -------------------------------------------------------------------
    def renal_function(self, weight_basis: str = "actual") -> RenalFunction:
        """Creatinine clearance (mL/min and mL/min/kg, exact) for ``weight_basis``, with the formula used.

        A measured clearance, when given, is used in preference to the estimate. On hemodialysis
        clearance is not estimated (Cockcroft–Gault assumes stable kidney function).
        """
        weight = self.dosing_weight(weight_basis)
        if self.on_hemodialysis:
            return RenalFunction("hemodialysis", None, None, weight,
                                 "on hemodialysis: creatinine clearance is not estimated; dialysis rows apply",
                                 weight.warnings)
        if self.measured_crcl_ml_min is not None:
            crcl = self.measured_crcl_ml_min
            renal = RenalFunction("measured", crcl, crcl / weight.kg, weight, "", weight.warnings,
                                  "measured creatinine clearance (entered)")
            return replace(renal, formula=f"measured {crcl:g} mL/min ÷ {weight.text} = {renal.per_kg_text()}")
        assert self._scr is not None
        age_term = constant("cg_age_offset") - self.age_years
        female = self.sex == "female"
        factor = constant("cg_female_factor") if female else 1.0
        crcl = age_term * weight.kg / (constant("cg_divisor") * self._scr) * factor
        per_kg = age_term / (constant("cg_divisor") * self._scr) * factor
        renal = RenalFunction("Cockcroft-Gault", crcl, per_kg, weight, "", weight.warnings + self._creatinine_warnings(),
                              cite("cockcroft1976", "Cockcroft–Gault as printed in the labels"))
        sex_part = " × 0.85" if female else ""
        scr = f"{bands.shown(self._scr, 3)} mg/dL"
        formula = (f"(140 − {self.age_years:g}) × {weight.text} / (72 × {scr}){sex_part} "
                   f"= {renal.crcl_text()}; per kg (weight cancels): (140 − {self.age_years:g}) / "
                   f"(72 × {scr}){sex_part} = {renal.per_kg_text()}")
        return replace(renal, formula=formula)

    def scr_text(self, limits: tuple[float, ...] = ()) -> str:
        """Serum creatinine for the reader in mg/dL (with the µmol/L entered, if so), with enough digits
        not to read as one of ``limits``: 133 µmol/L is "1.505 mg/dL (133 µmol/L)" next to a 1.5 limit."""
        if self._scr is None:
            return "not given"
        text = f"{bands.shown(self._scr, 2, limits)} mg/dL"
        if self.serum_creatinine_umol_l is not None:
            text += f" ({self.serum_creatinine_umol_l:g} µmol/L)"
        return text

    def _creatinine_warnings(self) -> tuple[str, ...]:
        """Cockcroft–Gault caveats for this creatinine: it assumes a stable value, and a low creatinine in
        an older or light patient may reflect little muscle rather than good kidneys."""
        low = _rules("renal_caveats")["low_scr_mg_dl"]
        older = _rules("renal_caveats")["older_age_years"]
        if self._scr is None or not bands.below(self._scr, low.value):
            return ()
        light = self.height_cm is not None and self.weight_kg < self.devine_weight_kg()
        if not (bands.at_least(self.age_years, older.value) or light):
            return ()
        who = " and ".join(w for w in (f"at {self.age_years:g} years" if bands.at_least(self.age_years, older.value)
                                       else "", "below ideal body weight" if light else "") if w)
        return (f"Low creatinine ({self.scr_text()}) {who}: little muscle makes little creatinine, so "
                "Cockcroft–Gault may overestimate clearance (the creatinine must also be stable). Consider a "
                "measured clearance. Rounding creatinine up to 1.0 mg/dL is not a fix: a review found it made "
                f"estimates less accurate. Sources: {'; '.join(cite(r['source']) for r in _data.table('renal_caveats'))}.",)

    def crcl_ml_min(self, weight_basis: str = "actual") -> float | None:
        """Creatinine clearance in mL/min, exact (``None`` on hemodialysis); display with ``crcl_text``."""
        return self.renal_function(weight_basis).crcl_ml_min

    def crcl_ml_min_per_kg(self, weight_basis: str = "actual") -> float | None:
        """Creatinine clearance in mL/min/kg, exact (``None`` on hemodialysis); display with ``per_kg_text``."""
        return self.renal_function(weight_basis).crcl_ml_min_per_kg
