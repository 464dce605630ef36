"""Patient validation, Cockcroft–Gault, body-weight descriptors, exact clearance and its display."""
import math

import pytest
from hypothesis import given, strategies as st

import cmvlib
from cmvlib import InputError, Patient
from cmvlib.patient import round_half_up

BASE = dict(age_years=50, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.0)


def make(**changes):
    return Patient(**{**BASE, **changes})


def test_cockcroft_gault_as_printed_in_the_labels():
    # (140 - 50) x 70 / (72 x 1.0) = 87.5; women x 0.85 = 74.375 (shown 74.4)
    assert make().crcl_ml_min() == 87.5
    assert make(sex="female").crcl_ml_min() == pytest.approx(74.375, rel=1e-12)
    assert make(sex="female").renal_function().crcl_text() == "74.4 mL/min"
    assert make().crcl_ml_min_per_kg() == 1.25  # 90 / 72
    assert make(sex="female").crcl_ml_min_per_kg() == pytest.approx(1.0625, rel=1e-12)
    assert make(sex="female").renal_function().per_kg_text() == "1.06 mL/min/kg"


def test_issue_example_and_foscarnet_teaching_point():
    issue = Patient(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)
    assert issue.crcl_ml_min() == pytest.approx(72 * 70 / (72 * 1.01), rel=1e-12)
    assert issue.renal_function().crcl_text() == "69.3 mL/min"
    # facts.md: a 40-year-old man with SCr 1.0 has 100/72 = 1.39 mL/min/kg
    assert make(age_years=40).crcl_ml_min_per_kg() == pytest.approx(100 / 72, rel=1e-12)
    assert make(age_years=40).renal_function().per_kg_text() == "1.39 mL/min/kg"


def test_umol_per_l_is_converted_with_88_4():
    p = make(serum_creatinine_mg_dl=None, serum_creatinine_umol_l=88.4)
    assert p.scr_mg_dl == pytest.approx(1.0)
    assert p.crcl_ml_min() == make().crcl_ml_min()


def test_measured_clearance_is_used_when_given():
    p = make(measured_crcl_ml_min=42)
    r = p.renal_function()
    assert (r.method, r.crcl_ml_min, r.crcl_ml_min_per_kg) == ("measured", 42.0, 0.6)


def test_hemodialysis_needs_no_creatinine_and_estimates_nothing():
    p = make(serum_creatinine_mg_dl=None, on_hemodialysis=True)
    assert p.renal_function().method == "hemodialysis"
    assert p.crcl_ml_min() is None


def test_devine_ideal_and_adjusted_weight():
    p = make(height_cm=182.88, weight_kg=120)  # exactly 6 ft: 50 + 2.3 x 12 = 77.6
    assert p.ideal_weight().kg == pytest.approx(77.6, rel=1e-12)
    assert p.adjusted_weight().kg == pytest.approx(77.6 + 0.4 * (120 - 77.6), rel=1e-12)  # 94.56, never rounded
    assert p.adjusted_weight().text == "94.6 kg"
    f = make(sex="female", height_cm=152.4)
    assert f.ideal_weight().kg == pytest.approx(45.5) and not f.ideal_weight().warnings


def test_weight_descriptor_warnings_outside_validity():
    short = make(height_cm=150)
    assert any("not validated below 5 ft" in w for w in short.ideal_weight().warnings)
    thin = make(height_cm=190, weight_kg=60)
    assert any("applies only above ideal weight" in w for w in thin.adjusted_weight().warnings)
    assert any("below Devine ideal weight" in w for w in thin.ideal_weight().warnings)


def test_thin_tall_patient_is_never_dosed_above_his_real_weight():
    # 190 cm man: Devine 50 + 2.3 x (74.8 - 60) = 84.1 kg, but he weighs 60 kg (issue 10: ~8 mg/kg of real weight)
    thin = make(height_cm=190, weight_kg=60)
    for basis in ("ideal", "adjusted"):
        w = thin.dosing_weight(basis)
        assert (w.basis, w.kg) == ("actual", 60.0), basis
        assert "[murphy2001]" in w.source
        assert thin.crcl_ml_min(basis) == thin.crcl_ml_min("actual")
        r = cmvlib.dose("ganciclovir", "induction", thin, weight_basis=basis)
        assert r.dose_mg == 5 * 60  # 5 mg/kg of real weight, not 5 x 84.1 = 420 mg


def test_exactly_ideal_weight_uses_it_and_heavier_patients_are_adjusted_between():
    p = make(height_cm=182.88, weight_kg=77.6)  # Devine 77.6 kg
    assert p.ideal_weight().basis == "ideal" and p.adjusted_weight().basis == "actual"
    heavy = make(height_cm=182.88, weight_kg=120)
    assert 77.6 < heavy.adjusted_weight().kg < 120 and heavy.ideal_weight().kg < 120


@given(height=st.floats(120, 230), weight=st.floats(20, 350), female=st.booleans())
def test_no_dosing_weight_exceeds_actual_weight_unless_actual_is_chosen(height, weight, female):
    p = Patient(age_years=50, sex="female" if female else "male", weight_kg=weight, height_cm=height,
                serum_creatinine_mg_dl=1.0)
    try:
        ideal, adjusted = p.ideal_weight(), p.adjusted_weight()
    except InputError as e:  # a height too short for any Devine weight is refused, never guessed
        assert e.field == "height_cm"
        return
    assert ideal.kg <= weight and adjusted.kg <= weight
    if weight < p.devine_weight_kg():
        assert ideal.kg == adjusted.kg == weight
    else:
        assert ideal.kg <= adjusted.kg


def test_weight_basis_changes_clearance():
    p = make(height_cm=175, weight_kg=130, serum_creatinine_mg_dl=1.2)
    crcl = {b: p.crcl_ml_min(b) for b in ("actual", "ideal", "adjusted")}
    assert crcl["ideal"] < crcl["adjusted"] < crcl["actual"]
    with pytest.raises(InputError, match="height_cm"):
        make().crcl_ml_min("ideal")


@pytest.mark.parametrize("raw, places, expected", [
    (49.99999999999999, 1, 50.0), (70.00000000000001, 1, 70.0), (69.95, 1, 70.0), (69.94999, 1, 69.9),
    (1.4000000000000001, 2, 1.4), (0.39999999999999997, 2, 0.4), (1.405, 2, 1.41), (0.395, 2, 0.4)])
def test_round_half_up(raw, places, expected):
    assert round_half_up(raw, places) == expected


@pytest.mark.parametrize("age, weight, scr, expected, row", [
    (26, 42, 0.95, 70.0, "CrCl >=70"), (20, 63, 2.1, 50.0, "50-69"), (20, 57, 1.9, 50.0, "50-69"),
    (21, 54, 3.57, 25.0, "25-49"), (83, 48, 3.8, 10.0, "10-24")])
def test_floating_point_noise_never_leaves_a_band_edge(age, weight, scr, expected, row):
    # raw Cockcroft–Gault gives 70.00000000000001, 49.99999999999999 ... for these patients: exactly on the edge
    p = make(age_years=age, weight_kg=weight, serum_creatinine_mg_dl=scr)
    assert p.crcl_ml_min() == pytest.approx(expected, rel=1e-12)
    assert p.renal_function().crcl_text() == f"{expected:g} mL/min"
    assert row in cmvlib.dose("ganciclovir", "induction", p).source


def test_creatinine_is_shown_with_enough_digits_next_to_a_limit():
    p = make(serum_creatinine_mg_dl=None, serum_creatinine_umol_l=133)  # 1.5045 mg/dL
    assert p.scr_text((1.5,)) == "1.505 mg/dL (133 µmol/L)"
    assert p.scr_text() == "1.5 mg/dL (133 µmol/L)"


@pytest.mark.parametrize("changes, flagged", [
    (dict(age_years=80, serum_creatinine_mg_dl=0.6), True),
    (dict(age_years=65, serum_creatinine_mg_dl=0.99), True),
    (dict(age_years=64, serum_creatinine_mg_dl=0.6), False),
    (dict(age_years=40, serum_creatinine_mg_dl=0.6, height_cm=180, weight_kg=55), True),   # below ideal weight
    (dict(age_years=40, serum_creatinine_mg_dl=0.6, height_cm=180, weight_kg=80), False),
    (dict(age_years=80, serum_creatinine_mg_dl=1.0), False),
    (dict(age_years=80, serum_creatinine_mg_dl=None, measured_crcl_ml_min=40), False)])
def test_low_creatinine_in_an_older_or_light_patient_is_flagged(changes, flagged):
    r = make(**changes).renal_function()
    hits = [w for w in r.warnings if w.startswith("Low creatinine")]
    assert bool(hits) is flagged
    if hits:
        assert "[giannelli2007]" in hits[0] and "[scr-rounding-review2018]" in hits[0]
        assert "not a fix" in hits[0]  # the book does not round creatinine up; it says why


INVALID = [
    (dict(age_years=-5), "age_years"), (dict(age_years=0), "age_years"), (dict(age_years=140), "age_years"),
    (dict(age_years=17.9), "age_years"), (dict(age_years="old"), "age_years"), (dict(age_years=float("nan")), "age_years"),
    (dict(age_years=True), "age_years"), (dict(age_years=None), "age_years"),
    (dict(weight_kg=0), "weight_kg"), (dict(weight_kg=-70), "weight_kg"), (dict(weight_kg=900), "weight_kg"),
    (dict(weight_kg=float("inf")), "weight_kg"), (dict(weight_kg="seventy"), "weight_kg"), (dict(weight_kg=[70]), "weight_kg"),
    (dict(sex="x"), "sex"), (dict(sex=None), "sex"), (dict(sex=1), "sex"),
    (dict(serum_creatinine_mg_dl=0), "serum_creatinine_mg_dl"), (dict(serum_creatinine_mg_dl=-1), "serum_creatinine_mg_dl"),
    (dict(serum_creatinine_mg_dl=45), "serum_creatinine_mg_dl"), (dict(serum_creatinine_mg_dl=float("nan")), "serum_creatinine_mg_dl"),
    (dict(serum_creatinine_mg_dl=None), "serum_creatinine_mg_dl"),
    (dict(serum_creatinine_umol_l=88.4), "serum_creatinine_umol_l"),
    (dict(serum_creatinine_mg_dl=None, serum_creatinine_umol_l=5000), "serum_creatinine_umol_l"),
    (dict(measured_crcl_ml_min=0), "measured_crcl_ml_min"), (dict(measured_crcl_ml_min=900), "measured_crcl_ml_min"),
    (dict(height_cm=20), "height_cm"), (dict(height_cm=400), "height_cm"),
    (dict(urine_protein_mg_dl=-1), "urine_protein_mg_dl"), (dict(on_hemodialysis="yes"), "on_hemodialysis"),
]


@pytest.mark.parametrize("changes, field", INVALID)
def test_invalid_input_raises_input_error_naming_the_field(changes, field):
    with pytest.raises(InputError) as err:
        make(**changes)
    assert err.value.field == field
    assert field in str(err.value)
    assert isinstance(err.value, ValueError)


def test_pediatric_age_message_says_why():
    with pytest.raises(InputError, match="pediatric CMV dosing differs"):
        make(age_years=12)


def test_numeric_strings_from_widgets_are_accepted():
    assert make(weight_kg="70", serum_creatinine_mg_dl=" 1,0 ").crcl_ml_min() == 87.5


def test_invalid_weight_basis():
    with pytest.raises(InputError, match="weight_basis"):
        make().crcl_ml_min("lean")


@given(age=st.floats(18, 120), weight=st.floats(20, 350), scr=st.floats(0.1, 20),
       female=st.booleans(), height=st.none() | st.floats(120, 230))
def test_clearance_is_finite_positive_and_exact(age, weight, scr, female, height):
    p = Patient(age_years=age, sex="female" if female else "male", weight_kg=weight,
                serum_creatinine_mg_dl=scr, height_cm=height)
    crcl, per_kg = p.crcl_ml_min(), p.crcl_ml_min_per_kg()
    assert math.isfinite(crcl) and crcl >= 0
    assert crcl == pytest.approx((140 - age) * weight / (72 * scr) * (0.85 if female else 1), rel=1e-12)
    # the per-kg estimate does not depend on the weight used (weight cancels)
    assert per_kg == pytest.approx(
        Patient(age_years=age, sex=p.sex, weight_kg=70, serum_creatinine_mg_dl=scr).crcl_ml_min_per_kg(), rel=1e-12)


@given(st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(-10**6, 10**6), st.lists(st.integers(), max_size=2)))
def test_any_weight_value_either_works_or_raises_input_error(value):
    try:
        Patient(age_years=50, sex="male", weight_kg=value, serum_creatinine_mg_dl=1)
    except InputError as e:
        assert e.field == "weight_kg"


def test_public_names():
    assert issubclass(cmvlib.InputError, ValueError)


def test_cockcroft_gault_says_it_assumes_a_stable_creatinine():
    assert "stable creatinine" in make().renal_function().assumption and "[chen2013]" in make().renal_function().assumption
    assert make(measured_crcl_ml_min=40).renal_function().assumption == ""
    from cmvlib.ui.render import render_renal
    assert "assumes a stable creatinine" in render_renal(make().renal_function())
