"""Every label row, every band edge, every 'not recommended' case, and properties over random patients."""
import pytest
from hypothesis import assume, given, settings, strategies as st

import cmvlib
from cmvlib import InputError, Patient, dose


def measured(crcl, weight=80.0, **kw):
    """A patient whose clearance is exactly ``crcl`` mL/min (measured), so rows are hit precisely."""
    return Patient(age_years=50, sex="male", weight_kg=weight, measured_crcl_ml_min=crcl, **kw)


HD = Patient(age_years=60, sex="female", weight_kg=64, on_hemodialysis=True)


# --- ganciclovir: US label section 2.5 Table 1 -----------------------------------------------------
GANCICLOVIR = [  # (CrCl, phase, mg/kg, interval h) - each printed row, at its lower edge, inside, and just below the next
    (70, "induction", 5.0, 12), (120, "induction", 5.0, 12), (69.9, "induction", 2.5, 12), (50, "induction", 2.5, 12),
    (49.9, "induction", 2.5, 24), (25, "induction", 2.5, 24), (24.9, "induction", 1.25, 24), (10, "induction", 1.25, 24),
    (70, "maintenance", 5.0, 24), (69.9, "maintenance", 2.5, 24), (50, "maintenance", 2.5, 24),
    (49.9, "maintenance", 1.25, 24), (25, "maintenance", 1.25, 24), (24.9, "maintenance", 0.625, 24),
    (10, "maintenance", 0.625, 24),
]


@pytest.mark.parametrize("crcl, phase, mg_per_kg, interval", GANCICLOVIR)
def test_ganciclovir_label_rows(crcl, phase, mg_per_kg, interval):
    r = dose("ganciclovir", phase, measured(crcl))
    assert (r.recommended, r.mg_per_kg, r.interval_hours, r.times_per_week) == (True, mg_per_kg, interval, None)
    assert r.dose_mg == pytest.approx(mg_per_kg * 80)
    assert "[label-ganciclovir-us]" in r.source and "Table 1" in r.source


@pytest.mark.parametrize("phase, mg_per_kg", [("induction", 1.25), ("maintenance", 0.625)])
def test_ganciclovir_hemodialysis_three_times_weekly_after_dialysis(phase, mg_per_kg):
    r = dose("ganciclovir", phase, HD)
    assert (r.mg_per_kg, r.interval_hours, r.times_per_week, r.dose_mg) == (mg_per_kg, None, 3, mg_per_kg * 64)
    assert "after each hemodialysis" in r.reason and "never every 24 h" in r.reason


@pytest.mark.parametrize("phase", ["induction", "maintenance"])
def test_ganciclovir_below_10_off_dialysis_is_not_recommended(phase):
    r = dose("ganciclovir", phase, measured(9.9))
    assert not r.recommended and r.dose_mg is None and r.mg_per_kg is None and r.interval_hours is None
    assert "no dose for CrCl below 10" in r.reason


def test_ganciclovir_maintenance_six_mg_five_days_a_week():
    r = dose("ganciclovir", "maintenance", measured(90), regimen="5-days-a-week")
    assert (r.mg_per_kg, r.dose_mg, r.interval_hours, r.times_per_week) == (6.0, 480.0, None, 5)
    for p in (measured(69.9), HD):
        assert not dose("ganciclovir", "maintenance", p, regimen="5-days-a-week").recommended


def test_issue_api_example():
    p = cmvlib.Patient(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)
    r = cmvlib.dose("ganciclovir", "induction", p)
    assert (r.recommended, r.dose_mg, r.interval_hours, r.times_per_week) == (True, 175.0, 12, None)
    assert r.reason and r.source


def test_band_edge_exactly_70_by_cockcroft_gault():
    p = Patient(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.0)
    assert dose("ganciclovir", "induction", p).mg_per_kg == 5.0


@pytest.mark.parametrize("age, weight, scr, mg_per_kg", [
    (26, 42, 0.95, 5.0),   # raw 70.00000000000001 -> >=70 row
    (20, 63, 2.1, 2.5),    # raw 49.99999999999999 -> 50-69 row, not 25-49
    (21, 54, 3.57, 2.5),   # raw 25.000000000000004 -> 25-49 row (q24h)
])
def test_float_noise_does_not_move_a_band(age, weight, scr, mg_per_kg):
    p = Patient(age_years=age, sex="male", weight_kg=weight, serum_creatinine_mg_dl=scr)
    assert dose("ganciclovir", "induction", p).mg_per_kg == mg_per_kg


# --- valganciclovir: US label section 2.5 Table 2 ---------------------------------------------------
VALGANCICLOVIR = [
    (60, "induction", 900, 12, None), (59.9, "induction", 450, 12, None), (40, "induction", 450, 12, None),
    (39.9, "induction", 450, 24, None), (25, "induction", 450, 24, None), (24.9, "induction", 450, 48, None),
    (10, "induction", 450, 48, None),
    (60, "maintenance", 900, 24, None), (59.9, "maintenance", 450, 24, None), (40, "maintenance", 450, 24, None),
    (39.9, "maintenance", 450, 48, None), (25, "maintenance", 450, 48, None), (24.9, "maintenance", 450, None, 2),
    (10, "maintenance", 450, None, 2),
]


@pytest.mark.parametrize("crcl, phase, mg, interval, per_week", VALGANCICLOVIR)
def test_valganciclovir_label_rows(crcl, phase, mg, interval, per_week):
    r = dose("valganciclovir", phase, measured(crcl))
    assert (r.recommended, r.dose_mg, r.interval_hours, r.times_per_week) == (True, mg, interval, per_week)
    assert "[label-valganciclovir-us]" in r.source


@pytest.mark.parametrize("phase", ["induction", "maintenance"])
def test_valganciclovir_not_recommended_below_10_and_on_dialysis(phase):
    for p in (measured(9.9), HD):
        r = dose("valganciclovir", phase, p)
        assert not r.recommended and r.dose_mg is None
    assert "should not be used on hemodialysis" in dose("valganciclovir", phase, HD).reason


def test_valganciclovir_oral_solution_on_dialysis_kotton_2025():
    r = dose("valganciclovir", "induction", HD, formulation="oral_solution")
    assert (r.dose_mg, r.times_per_week, r.interval_hours) == (200, 3, None) and "[kotton2025]" in r.source
    assert not dose("valganciclovir", "maintenance", HD, formulation="oral_solution").recommended
    assert not dose("valganciclovir", "induction", measured(90), formulation="oral_solution").recommended


# --- foscarnet: US label Table 13 -------------------------------------------------------------------
FOSCARNET = {  # (phase, regimen): [(mL/min/kg inside the band, mg/kg, interval)] from >1.4 down to 0.4-0.5
    ("induction", "60q8h"): [(60, 8), (45, 8), (50, 12), (40, 12), (60, 24), (50, 24)],
    ("induction", "90q12h"): [(90, 12), (70, 12), (50, 12), (80, 24), (60, 24), (50, 24)],
    ("maintenance", "90"): [(90, 24), (70, 24), (50, 24), (80, 48), (60, 48), (50, 48)],
    ("maintenance", "120"): [(120, 24), (90, 24), (65, 24), (105, 48), (80, 48), (65, 48)],
}
EDGES = [1.4, 1.0, 0.8, 0.6, 0.5, 0.4]  # the lower edge of each band; a value ON an edge belongs to the band below
ROWS = [(ph, reg, i) for (ph, reg) in FOSCARNET for i in range(6)]


@pytest.mark.parametrize("phase, regimen, i", ROWS)
def test_foscarnet_label_rows_and_edges(phase, regimen, i):
    mg_per_kg, interval = FOSCARNET[(phase, regimen)][i]
    weight = 50.0
    inside = EDGES[i] + 0.05 if i else 2.0
    on_upper_edge = None if i == 0 else EDGES[i - 1]  # exactly on the upper edge: still this band
    for per_kg in filter(None, (inside, on_upper_edge)):
        r = dose("foscarnet", phase, measured(per_kg * weight, weight), regimen=regimen)
        assert (r.recommended, r.mg_per_kg, r.interval_hours) == (True, mg_per_kg, interval), per_kg
        assert r.dose_mg == pytest.approx(mg_per_kg * weight)
        assert "[label-foscarnet-us]" in r.source


@pytest.mark.parametrize("phase, regimen", list(FOSCARNET))
def test_foscarnet_below_0_4_is_not_recommended(phase, regimen):
    r = dose("foscarnet", phase, measured(0.39 * 50, 50), regimen=regimen)
    assert not r.recommended and r.dose_mg is None and "below 0.4 mL/min/kg" in r.reason
    assert dose("foscarnet", phase, measured(0.4 * 50, 50), regimen=regimen).recommended  # 0.4 itself is in the band
    assert not dose("foscarnet", phase, HD, regimen=regimen).recommended


def test_foscarnet_float_noise_at_edges():
    # 56.7 / 40.5 = 1.4000000000000001 -> the >1.0-1.4 band; 16.2 / 40.5 = 0.39999999999999997 -> 0.4 band
    assert dose("foscarnet", "induction", measured(56.7, 40.5)).mg_per_kg == 45
    assert dose("foscarnet", "induction", measured(16.2, 40.5)).mg_per_kg == 50


def test_foscarnet_teaching_point_normal_creatinine_reduced_band():
    p = Patient(age_years=40, sex="male", weight_kg=80, serum_creatinine_mg_dl=1.0)
    assert dose("foscarnet", "induction", p).mg_per_kg == 45


def test_foscarnet_default_regimens():
    p = measured(150)
    assert dose("foscarnet", "induction", p).regimen == "60q8h"
    assert dose("foscarnet", "maintenance", p).regimen == "90"


@pytest.mark.parametrize("mg_per_kg, expected", [(40, (500, 500)), (50, (500, 500)), (60, (500, 500)),
                                                  (90, (750, 1000)), (105, (750, 1000)), (120, (750, 1000))])
def test_foscarnet_hydration_volumes(mg_per_kg, expected):
    (h,) = cmvlib.foscarnet_hydration(mg_per_kg)
    assert (h.volume_min_ml, h.volume_max_ml) == expected and h.when == "with each infusion"


@pytest.mark.parametrize("mg_per_kg", [65, 70, 80])
def test_foscarnet_hydration_label_gap_is_flagged_not_guessed(mg_per_kg):
    (h,) = cmvlib.foscarnet_hydration(mg_per_kg)
    assert h.volume_min_ml is None and "prints no hydration volume" in h.text


def test_foscarnet_first_infusion_volume_and_result_carries_hydration():
    r = dose("foscarnet", "induction", measured(150), regimen="90q12h", first_infusion=True)
    assert [(h.when, h.volume_min_ml, h.volume_max_ml) for h in r.hydration] == [
        ("before the first infusion", 750, 1000), ("with each infusion", 750, 1000)]


def test_foscarnet_limited_data_warning():
    p = Patient(age_years=50, sex="male", weight_kg=80, serum_creatinine_mg_dl=3.0)
    assert any("2.8 mg/dL" in w for w in dose("foscarnet", "induction", p).warnings)


# --- cidofovir -------------------------------------------------------------------------------------
def cido(scr=0.9, protein=30, age=40, weight=70):
    return Patient(age_years=age, sex="male", weight_kg=weight, serum_creatinine_mg_dl=scr, urine_protein_mg_dl=protein)


def test_cidofovir_doses():
    r = dose("cidofovir", "induction", cido())
    assert (r.mg_per_kg, r.dose_mg, r.interval_hours) == (5, 350, 168)
    assert dose("cidofovir", "maintenance", cido()).interval_hours == 336


@pytest.mark.parametrize("patient, ok", [
    (cido(scr=1.5, age=30, weight=100), True),          # SCr exactly 1.5 is allowed (contraindicated above 1.5)
    (cido(scr=1.51, age=30, weight=100), False),
    (cido(protein=99.9), True), (cido(protein=100), False),
    (Patient(age_years=41, sex="male", weight_kg=40, serum_creatinine_mg_dl=1.0, urine_protein_mg_dl=0), True),  # 55.0
    (Patient(age_years=40, sex="male", weight_kg=40, serum_creatinine_mg_dl=1.0, urine_protein_mg_dl=0), True),  # 55.6
])
def test_cidofovir_eligibility_edges(patient, ok):
    assert dose("cidofovir", "induction", patient).recommended is (patient.crcl_ml_min() > 55 and ok)


def test_cidofovir_crcl_exactly_55_is_contraindicated():
    p = Patient(age_years=41, sex="male", weight_kg=40, serum_creatinine_mg_dl=1.0, urine_protein_mg_dl=0)
    assert p.crcl_ml_min() == 55.0
    r = dose("cidofovir", "induction", p)
    assert not r.recommended and "55 mL/min or less" in r.reason
    assert not dose("cidofovir", "induction", HD).recommended


@pytest.mark.parametrize("current, mg_per_kg, words", [
    (1.19, 5, "below the 0.3"), (1.2, 3, "reduce the maintenance dose"),  # 1.2 - 0.9 = 0.29999999999999993: 0.3
    (1.3, 3, "reduce the maintenance dose"), (1.304, None, "gives no dose"), (1.31, None, "gives no dose"),
    (1.39, None, "gives no dose"), (1.4, None, "must be discontinued"), (2.0, None, "must be discontinued"),
    (0.8, 5, "below the 0.3")])
def test_cidofovir_creatinine_rise_rule(current, mg_per_kg, words):
    # label: rise 0.3-0.4 mg/dL -> maintenance 3 mg/kg; >= 0.5 -> discontinue; between, the label gives no dose
    r = dose("cidofovir", "maintenance", cido(scr=current), baseline_serum_creatinine_mg_dl=0.9)
    assert r.mg_per_kg == mg_per_kg and r.recommended is (mg_per_kg is not None)
    assert words in r.reason
    if current != 0.9:
        assert any("steady-state creatinine" in w for w in r.warnings)  # Cockcroft–Gault assumes a stable value


def test_cidofovir_rise_is_never_rounded_into_the_reduction_band():
    # 0.404 mg/dL would round to 0.40 and get 3 mg/kg: it is above the band, and the label gives no dose there
    r = dose("cidofovir", "maintenance", cido(scr=1.304), baseline_serum_creatinine_mg_dl=0.9)
    assert not r.recommended and "0.404 mg/dL" in r.reason


def test_cidofovir_rise_during_induction_gets_no_dose_and_proteinuria_stops():
    r = dose("cidofovir", "induction", cido(scr=1.2), baseline_serum_creatinine_mg_dl=0.9)
    assert not r.recommended and "maintenance dose" in r.reason
    r = dose("cidofovir", "maintenance", cido(protein=100), baseline_serum_creatinine_mg_dl=0.9)
    assert not r.recommended and "3+ proteinuria" in r.reason


def test_cidofovir_creatinine_shown_with_enough_digits_at_the_limit():
    p = Patient(age_years=30, sex="male", weight_kg=100, serum_creatinine_umol_l=133, urine_protein_mg_dl=0)
    r = dose("cidofovir", "induction", p)  # 133 / 88.4 = 1.5045 mg/dL: above 1.5, not "1.5 is above 1.5"
    assert not r.recommended and "1.505 mg/dL (133 µmol/L) is above 1.5 mg/dL" in r.reason


def test_cidofovir_needs_creatinine_and_urine_protein():
    with pytest.raises(InputError, match="urine_protein_mg_dl"):
        dose("cidofovir", "induction", cido(protein=None))
    with pytest.raises(InputError, match="serum_creatinine_mg_dl"):
        dose("cidofovir", "induction", Patient(age_years=40, sex="male", weight_kg=70, measured_crcl_ml_min=90,
                                               urine_protein_mg_dl=10))


def test_cidofovir_probenecid_clock_times():
    items = cmvlib.cidofovir_schedule("10:00")
    probenecid = [(i.clock, i.what) for i in items if "Probenecid" in i.what]
    assert probenecid == [("07:00", "Probenecid 2 g by mouth"), ("13:00", "Probenecid 1 g by mouth"),
                          ("19:00", "Probenecid 1 g by mouth")]
    assert [i.minutes_from_start for i in items] == sorted(i.minutes_from_start for i in items)
    assert any(i.clock == "08:00" and "saline" in i.what for i in items)
    late = [i.clock for i in cmvlib.cidofovir_schedule("22:30") if "Probenecid" in i.what]
    assert late == ["19:30", "01:30 (+1 day)", "07:30 (+1 day)"]


@pytest.mark.parametrize("bad", ["25:00", "10:60", "ten", "", None, 10, "1000"])
def test_cidofovir_schedule_bad_clock(bad):
    with pytest.raises(InputError, match="infusion_start"):
        cmvlib.cidofovir_schedule(bad)


# --- maribavir and immunoglobulin -------------------------------------------------------------------
@pytest.mark.parametrize("meds, mg", [((), 400), (["carbamazepine"], 800), (["Phenytoin"], 1200),
                                      (["phenobarbital", "tacrolimus"], 1200)])
def test_maribavir_doses(meds, mg):
    r = dose("maribavir", "treatment", measured(90), co_medications=meds)
    assert (r.dose_mg, r.interval_hours) == (mg, 12)


@pytest.mark.parametrize("meds", [["rifampicin"], ["ganciclovir"], ["valganciclovir"], ["St John's wort"],
                                  ["carbamazepine", "phenytoin"]])
def test_maribavir_not_recommended_with(meds):
    assert not dose("maribavir", "treatment", measured(90), co_medications=meds).recommended


def test_maribavir_interaction_warnings_and_dialysis():
    r = dose("maribavir", "treatment", measured(90), co_medications=["tacrolimus", "aspirin"])
    assert any("tacrolimus" in w for w in r.warnings) and any("aspirin" in w for w in r.warnings)
    assert not dose("maribavir", "treatment", HD).recommended
    with pytest.raises(InputError, match="co_medications"):
        dose("maribavir", "treatment", measured(90), co_medications="tacrolimus")


def test_immunoglobulin_regimens():
    p = Patient(age_years=52, sex="female", weight_kg=70, height_cm=165, serum_creatinine_mg_dl=1.1)
    reed, ontario = cmvlib.immunoglobulin_for_pneumonitis(p)
    assert [(d.day, d.mg_per_kg, d.grams) for d in reed.doses] == [(1, 400, 28), (2, 400, 28), (7, 400, 28), (14, 200, 14)]
    adj = p.adjusted_weight().kg
    assert [(d.day, d.grams) for d in ontario.doses] == [(1, round(adj, 2)), (2, round(adj, 2))]
    assert "[reed1988]" in reed.source and "[ontario-ivig]" in ontario.source


# --- invalid calls ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, kwargs, field", [
    (("acyclovir", "induction"), {}, "drug"), (("ganciclovir", "prophylaxis"), {}, "phase"),
    (("foscarnet", "induction"), {"regimen": "90q8h"}, "regimen"),
    (("ganciclovir", "induction"), {"regimen": "5-days-a-week"}, "regimen"),
    (("valganciclovir", "induction"), {"regimen": "x"}, "regimen"),
    (("ganciclovir", "induction"), {"weight_basis": "lean"}, "weight_basis"),
    (("ganciclovir", "induction"), {"weight_basis": "ideal"}, "height_cm"),
    (("valganciclovir", "induction"), {"formulation": "syrup"}, "formulation"),
    (("foscarnet", "induction"), {"first_infusion": "yes"}, "first_infusion"),
    (("cidofovir", "induction"), {"baseline_serum_creatinine_mg_dl": -1}, "baseline_serum_creatinine_mg_dl"),
    ((None, "induction"), {}, "drug"),
])
def test_invalid_calls_raise_input_error(args, kwargs, field):
    with pytest.raises(InputError) as err:
        dose(*args, Patient(age_years=50, sex="male", weight_kg=80, serum_creatinine_mg_dl=1.0, urine_protein_mg_dl=10),
             **kwargs)
    assert err.value.field == field


def test_patient_must_be_a_patient():
    with pytest.raises(InputError, match="patient"):
        dose("ganciclovir", "induction", {"age_years": 50})


# --- properties ------------------------------------------------------------------------------------
CALLS = [("ganciclovir", "induction", {}), ("ganciclovir", "maintenance", {}),
         ("ganciclovir", "maintenance", {"regimen": "5-days-a-week"}),
         ("valganciclovir", "induction", {}), ("valganciclovir", "maintenance", {}),
         ("foscarnet", "induction", {"regimen": "60q8h"}), ("foscarnet", "induction", {"regimen": "90q12h"}),
         ("foscarnet", "maintenance", {"regimen": "90"}), ("foscarnet", "maintenance", {"regimen": "120"}),
         ("cidofovir", "induction", {}), ("cidofovir", "maintenance", {})]
patients = st.builds(
    lambda age, female, weight, scr, height, protein: Patient(
        age_years=age, sex="female" if female else "male", weight_kg=weight, serum_creatinine_mg_dl=scr,
        height_cm=height, urine_protein_mg_dl=protein),
    st.floats(18, 120), st.booleans(), st.floats(20, 350), st.floats(0.1, 20), st.floats(120, 230), st.floats(0, 2000))


@settings(max_examples=150)
@given(p=patients, call=st.sampled_from(CALLS), basis=st.sampled_from(["actual", "ideal", "adjusted"]))
def test_every_result_is_either_a_positive_dose_or_no_number(p, call, basis):
    drug, phase, kw = call
    r = dose(drug, phase, p, weight_basis=basis, **kw)
    if r.recommended:
        assert r.dose_mg > 0 and (r.interval_hours is None) != (r.times_per_week is None)
    else:
        assert r.dose_mg is None and r.mg_per_kg is None and r.interval_hours is None and r.reason
    assert r.source.endswith("]")


@settings(max_examples=200)
@given(weight=st.floats(30, 150), high=st.floats(0.1, 250), low=st.floats(0.1, 250),  # 250/150 > 1.4 mL/min/kg
       call=st.sampled_from([c for c in CALLS if c[0] != "cidofovir"]))
def test_dose_never_rises_as_renal_function_falls_and_never_exceeds_normal(weight, high, low, call):
    assume(low < high)
    drug, phase, kw = call
    a, b = (dose(drug, phase, measured(c, weight), **kw) for c in (high, low))
    normal = dose(drug, phase, measured(250, weight), **kw)  # normal function in every table
    if b.recommended:
        assert a.recommended and b.mg_per_week <= a.mg_per_week + 1e-9
        assert b.dose_mg <= normal.dose_mg + 1e-9 and b.mg_per_week <= normal.mg_per_week + 1e-9


@given(per_kg=st.floats(0.0, 3.0), call=st.sampled_from([c for c in CALLS if c[0] == "foscarnet"]))
def test_foscarnet_mg_per_kg_never_exceeds_its_column(per_kg, call):
    drug, phase, kw = call
    assume(per_kg * 60 >= 0.1)
    r = dose(drug, phase, measured(per_kg * 60, 60), **kw)
    top = {"60q8h": (60, 180), "90q12h": (90, 180), "90": (90, 90), "120": (120, 120)}[kw["regimen"]]
    if r.recommended:
        assert r.mg_per_kg <= top[0] and r.mg_per_kg * 24 / r.interval_hours <= top[1]
    else:
        assert per_kg < 0.4


junk = st.one_of(st.none(), st.booleans(), st.text(max_size=4), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(-10**9, 10**9), st.lists(st.integers(), max_size=1))


@settings(max_examples=300)
@given(age=junk, weight=junk, scr=junk, sex=st.sampled_from(["male", "female", "other", None, 3]),
       call=st.sampled_from(CALLS + [("maribavir", "treatment", {})]), basis=junk)
def test_no_exception_but_input_error(age, weight, scr, sex, call, basis):
    drug, phase, kw = call
    try:
        p = Patient(age_years=age, sex=sex, weight_kg=weight, serum_creatinine_mg_dl=scr, urine_protein_mg_dl=10)
        dose(drug, phase, p, weight_basis=basis, **kw)
    except InputError:
        pass
