"""A validated adult patient and their renal function.

Renal function follows the labels: Cockcroft–Gault creatinine clearance in mL/min (ganciclovir,
valganciclovir, cidofovir) and the same formula per kilogram for foscarnet. The weight used is an
explicit choice (``weight_basis``: actual, Devine ideal, or adjusted), because the labels say only
"body weight": the choice changes both the clearance band and the mg/kg dose.

Clearance is rounded before banding — to 0.1 mL/min, or 0.01 mL/min/kg for foscarnet — with
round-half-up on the decimal value, so floating-point noise (49.99999999999999) never moves a
patient across a printed band edge.

>>> p = Patient(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)
>>> p.crcl_ml_min()
69.3
>>> Patient(age_years=40, sex="male", weight_kg=80, serum_creatinine_mg_dl=1.0).crcl_ml_min_per_kg()
1.39
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from . import _data, validate
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


def round_half_up(x: float, places: int) -> float:
    """Round the decimal value of ``x`` half-up (``round_half_up(1.405, 2) == 1.41``).

    >>> round_half_up(49.99999999999999, 1), round_half_up(1.405, 2), round_half_up(69.25, 1)
    (50.0, 1.41, 69.3)
    """
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class BodyWeight:
    """A dosing weight, how it was obtained, and any warning about the formula's validity."""

    basis: str
    kg: float
    formula: str
    warnings: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class RenalFunction:
    """Creatinine clearance as the labels use it, with the formula shown to the reader."""

    method: str                    # "Cockcroft-Gault" | "measured" | "hemodialysis"
    crcl_ml_min: float | None      # rounded to 0.1; None on hemodialysis
    crcl_ml_min_per_kg: float | None  # rounded to 0.01; None on hemodialysis
    weight: BodyWeight
    formula: str
    warnings: tuple[str, ...] = ()
    source: str = ""


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
    def ideal_weight(self) -> BodyWeight:
        """Devine ideal body weight: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 5 ft.

        >>> Patient(age_years=50, sex="female", weight_kg=90, height_cm=165, serum_creatinine_mg_dl=1).ideal_weight().kg
        56.9
        """
        height = self._need_height("ideal")
        inches = height / CM_PER_INCH
        base = constant("devine_male_base" if self.sex == "male" else "devine_female_base")
        kg = round_half_up(base + constant("devine_kg_per_inch") * (inches - constant("devine_min_height_in")), 1)
        warnings = []
        if inches < constant("devine_min_height_in"):
            warnings.append(f"The Devine formula is not validated below 5 ft (152.4 cm); height {height:g} cm "
                            "is outside it, so this ideal weight is an extrapolation.")
        if kg <= 0:
            raise InputError("height_cm", f"height {height:g} cm gives no usable ideal body weight")
        if kg > self.weight_kg:
            warnings.append(f"Ideal weight ({kg:g} kg) is above actual weight ({self.weight_kg:g} kg); many "
                            "calculators then use the actual weight. The labels do not say which weight to use.")
        return BodyWeight("ideal", kg, f"{base:g} kg + 2.3 kg × ({inches:.1f} in − 60 in) = {kg:g} kg",
                          tuple(warnings), cite("devine1974", "Devine ideal body weight"))

    def adjusted_weight(self) -> BodyWeight:
        """Adjusted body weight: IBW + 0.4 × (actual − IBW), meant for patients above their ideal weight.

        >>> Patient(age_years=50, sex="male", weight_kg=120, height_cm=175, serum_creatinine_mg_dl=1).adjusted_weight().kg
        90.3
        """
        self._need_height("adjusted")
        ibw = self.ideal_weight()
        factor = constant("adjbw_factor")
        kg = round_half_up(ibw.kg + factor * (self.weight_kg - ibw.kg), 1)
        warnings = list(w for w in ibw.warnings if "Devine" in w)
        if self.weight_kg <= ibw.kg:
            warnings.append(f"Adjusted weight is meant for patients above their ideal weight; actual weight "
                            f"({self.weight_kg:g} kg) is not above ideal ({ibw.kg:g} kg).")
        return BodyWeight("adjusted", kg,
                          f"{ibw.kg:g} + 0.4 × ({self.weight_kg:g} − {ibw.kg:g}) = {kg:g} kg",
                          tuple(warnings), cite("traynor1995", "adjusted body weight, factor 0.4"))

    def dosing_weight(self, weight_basis: str = "actual") -> BodyWeight:
        """The weight for ``weight_basis`` ("actual", "ideal" or "adjusted")."""
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
        """Creatinine clearance (mL/min and mL/min/kg) for ``weight_basis``, with the formula used.

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
            per_kg = crcl / weight.kg
            formula = f"measured {crcl:g} mL/min ÷ {weight.kg:g} kg = {round_half_up(per_kg, 2):g} mL/min/kg"
            return RenalFunction("measured", round_half_up(crcl, 1), round_half_up(per_kg, 2), weight, formula,
                                 weight.warnings, "measured creatinine clearance (entered)")
        assert self._scr is not None
        age_term = constant("cg_age_offset") - self.age_years
        female = self.sex == "female"
        factor = constant("cg_female_factor") if female else 1.0
        crcl = age_term * weight.kg / (constant("cg_divisor") * self._scr) * factor
        per_kg = age_term / (constant("cg_divisor") * self._scr) * factor
        crcl_r, per_kg_r = round_half_up(crcl, 1), round_half_up(per_kg, 2)
        sex_part = " × 0.85" if female else ""
        formula = (f"(140 − {self.age_years:g}) × {weight.kg:g} kg / (72 × {self._scr:.3g} mg/dL){sex_part} "
                   f"= {crcl_r:g} mL/min; per kg (weight cancels): (140 − {self.age_years:g}) / "
                   f"(72 × {self._scr:.3g}){sex_part} = {per_kg_r:g} mL/min/kg")
        return RenalFunction("Cockcroft-Gault", crcl_r, per_kg_r, weight, formula, weight.warnings,
                             cite("cockcroft1976", "Cockcroft–Gault as printed in the labels"))

    def crcl_ml_min(self, weight_basis: str = "actual") -> float | None:
        """Creatinine clearance in mL/min, rounded to 0.1 (``None`` on hemodialysis)."""
        return self.renal_function(weight_basis).crcl_ml_min

    def crcl_ml_min_per_kg(self, weight_basis: str = "actual") -> float | None:
        """Creatinine clearance in mL/min/kg, rounded to 0.01 (``None`` on hemodialysis)."""
        return self.renal_function(weight_basis).crcl_ml_min_per_kg
