"""Issue 10: no rounding ever carries a patient across a limit. Bands are decided on the exact clearance
(only floating-point noise counts as "on" a limit); the sweeps go densely around every limit of every drug,
phase and regimen column, through measured clearances and through Cockcroft–Gault."""
import pytest
from hypothesis import given, strategies as st

from cmvlib import Patient, _data, bands, dose
from cmvlib.dosing import REGIMENS

# Offsets around a limit: well inside, at rounding distance (0.396 -> "0.40", 9.96 -> "10.0"), and at noise level.
OFFSETS = (-0.05, -0.004, -0.0004, -1e-6, -1e-11, 0.0, 1e-11, 1e-6, 0.0004, 0.004, 0.05)


def measured(crcl, weight=80.0):
    return Patient(age_years=50, sex="male", weight_kg=weight, measured_crcl_ml_min=crcl)


def _ml_min_calls():
    """(table, drug, phase, options) of every mL/min dosing table."""
    for phase in ("induction", "maintenance"):
        for regimen in REGIMENS.get(("ganciclovir", phase), ("standard",)):
            yield "ganciclovir", phase, {"regimen": regimen}, lambda r, ph=phase, rg=regimen: (
                r["phase"] == ph and r["regimen"] == rg)
        yield "valganciclovir", phase, {}, lambda r, ph=phase: r["phase"] == ph and r["formulation"] == "tablet"


ML_MIN = [(drug, phase, opts, match, limit) for drug, phase, opts, match in _ml_min_calls()
          for limit in sorted({float(row[edge]) for row in _data.table(drug) if match(row) and row["hemodialysis"] == "no"
                               for edge in ("crcl_min", "crcl_max") if row[edge].strip() and float(row[edge]) > 0})]


def _expected_row(drug, match, x):
    rows = [r for r in _data.table(drug) if match(r) and r["hemodialysis"] == "no"]
    lo = lambda r: float(r["crcl_min"] or 0)  # noqa: E731
    hi = lambda r: float(r["crcl_max"]) if r["crcl_max"].strip() else float("inf")  # noqa: E731
    # the exact half-open band; a value within 1e-9 (relative) of an edge counts as on it
    return [r for r in rows if (x >= lo(r) or abs(x - lo(r)) <= 1e-9 * lo(r))
            and (hi(r) == float("inf") or (x < hi(r) and abs(x - hi(r)) > 1e-9 * hi(r)))]


@pytest.mark.parametrize("drug, phase, opts, match, limit", ML_MIN,
                         ids=[f"{d}-{p}-{o.get('regimen', '')}-{lim:g}" for d, p, o, _, lim in ML_MIN])
@pytest.mark.parametrize("offset", OFFSETS)
def test_ml_min_bands_are_decided_on_the_exact_clearance(drug, phase, opts, match, limit, offset):
    x = limit + offset
    r = dose(drug, phase, measured(x), **opts)
    (row,) = _expected_row(drug, match, x)
    assert r.source.endswith(f"[{row['source']}]") and row["detail"] in r.source
    assert r.recommended is (row["recommended"] == "yes")
    if bands.below(x, limit):
        shown = r.renal.crcl_text()
        assert shown != f"{limit:g} mL/min", "a value below a limit must never be shown as the limit"


STOP_LIMITS = [  # (drug, phase, options, limit in mL/min): below it the label gives no dose off dialysis
    ("ganciclovir", "induction", {}, 10), ("ganciclovir", "maintenance", {"regimen": "daily"}, 10),
    ("ganciclovir", "maintenance", {"regimen": "5-days-a-week"}, 70),
    ("valganciclovir", "induction", {}, 10), ("valganciclovir", "maintenance", {}, 10),
]


@pytest.mark.parametrize("drug, phase, opts, limit", STOP_LIMITS)
@given(below=st.floats(min_value=1e-7, max_value=0.2))
def test_no_clearance_below_a_stop_limit_gets_a_dose(drug, phase, opts, limit, below):
    x = limit * (1 - below) if below > 1e-6 else limit - below
    assert not dose(drug, phase, measured(x), **opts).recommended


@pytest.mark.parametrize("drug, phase, opts", [("ganciclovir", "induction", {}), ("valganciclovir", "maintenance", {})])
def test_cockcroft_gault_just_below_10_gets_no_dose_and_shows_why(drug, phase, opts):
    # 87.5 / SCr mL/min: SCr 8.785 gives 9.960 mL/min, which once rounded read "10.0" and got a dose
    p = Patient(age_years=50, sex="male", weight_kg=70, serum_creatinine_mg_dl=8.785)
    r = dose(drug, phase, p, **opts)
    assert not r.recommended and "CrCl 9.96 mL/min" in r.reason


@given(scr=st.floats(min_value=8.6, max_value=8.9))
def test_cockcroft_gault_sweep_across_10(scr):
    p = Patient(age_years=50, sex="male", weight_kg=70, serum_creatinine_mg_dl=scr)
    exact = 90 * 70 / (72 * scr)
    r = dose("ganciclovir", "induction", p)
    assert r.recommended is (exact >= 10 or abs(exact - 10) <= 1e-8)


# --- foscarnet: mL/min/kg, every column of induction and maintenance ----------------------------------------
FOSCARNET = [(phase, regimen, float(row[edge]))
             for (drug, phase), regimens in REGIMENS.items() if drug == "foscarnet" for regimen in regimens
             for row in _data.table("foscarnet") if row["phase"] == phase and row["regimen"] == regimen
             for edge in ("clcr_min", "clcr_max") if row[edge].strip() and float(row[edge]) > 0]


def _foscarnet_row(phase, regimen, x):
    def inside(r):
        lo = float(r["clcr_min"] or 0)
        hi = float(r["clcr_max"]) if r["clcr_max"].strip() else float("inf")
        c_lo, c_hi = bands.compare(x, lo), bands.compare(x, hi)
        return (c_lo >= 0 if r["clcr_min_inclusive"] == "yes" else c_lo > 0) and \
               (c_hi <= 0 if r["clcr_max_inclusive"] == "yes" else c_hi < 0)
    return [r for r in _data.table("foscarnet") if r["phase"] == phase and r["regimen"] == regimen and inside(r)]


@pytest.mark.parametrize("phase, regimen, limit", sorted(set(FOSCARNET)))
@pytest.mark.parametrize("offset", [o / 10 for o in OFFSETS])
def test_foscarnet_bands_are_decided_on_the_exact_clearance(phase, regimen, limit, offset):
    x = limit + offset
    r = dose("foscarnet", phase, measured(x * 100, weight=100), regimen=regimen)
    (row,) = _foscarnet_row(phase, regimen, r.renal.crcl_ml_min_per_kg)
    assert row["detail"] in r.source
    assert r.recommended is (row["recommended"] == "yes")
    if bands.below(x, 0.4):
        assert not r.recommended


@pytest.mark.parametrize("phase, regimen", [(p, g) for (d, p), gs in REGIMENS.items() if d == "foscarnet" for g in gs])
def test_foscarnet_0_396_is_below_0_4_and_says_so(phase, regimen):
    # issue 10: 0.396 mL/min/kg was rounded to 0.40 and got a dose
    r = dose("foscarnet", phase, measured(39.6, weight=100), regimen=regimen)
    assert not r.recommended and r.dose_mg is None
    assert "0.396 mL/min/kg" in r.reason and "below 0.4" in r.reason
    on_limit = dose("foscarnet", phase, measured(40.0, weight=100), regimen=regimen)
    assert on_limit.recommended  # exactly 0.4 is inside the lowest band


@pytest.mark.parametrize("phase, regimen", [(p, g) for (d, p), gs in REGIMENS.items() if d == "foscarnet" for g in gs])
@given(below=st.floats(min_value=1e-6, max_value=0.1), age=st.floats(18, 100), female=st.booleans())
def test_no_foscarnet_dose_below_0_4_by_cockcroft_gault(phase, regimen, below, age, female):
    # choose the creatinine that puts the per-kg clearance just below 0.4
    per_kg = 0.4 * (1 - below)
    factor = 0.85 if female else 1.0
    scr = (140 - age) * factor / (72 * per_kg)
    if not 0.1 <= scr <= 20:
        return
    p = Patient(age_years=age, sex="female" if female else "male", weight_kg=70, serum_creatinine_mg_dl=scr)
    assert bands.below(p.crcl_ml_min_per_kg(), 0.4)
    assert not dose("foscarnet", phase, p, regimen=regimen).recommended


# --- cidofovir start criteria ---------------------------------------------------------------------------------
@given(below=st.floats(min_value=0, max_value=0.3))
def test_cidofovir_never_starts_at_or_below_55(below):
    p = Patient(age_years=50, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.0, urine_protein_mg_dl=0,
                measured_crcl_ml_min=55 - below)
    assert not dose("cidofovir", "induction", p).recommended


@given(above=st.floats(min_value=1e-6, max_value=0.3))
def test_cidofovir_never_starts_above_creatinine_1_5(above):
    p = Patient(age_years=20, sex="male", weight_kg=120, serum_creatinine_mg_dl=1.5 + above, urine_protein_mg_dl=0)
    assert not dose("cidofovir", "induction", p).recommended


def test_cidofovir_55_04_is_above_55_and_shown_so():
    p = Patient(age_years=50, sex="male", weight_kg=80, serum_creatinine_mg_dl=1.0, urine_protein_mg_dl=0,
                measured_crcl_ml_min=55.04)
    assert dose("cidofovir", "induction", p).recommended
    assert p.renal_function().crcl_text() == "55.04 mL/min"


@given(rise=st.floats(min_value=1e-6, max_value=2.0))
def test_cidofovir_no_dose_above_the_reduction_band(rise):
    baseline = 0.9
    p = Patient(age_years=40, sex="male", weight_kg=70, serum_creatinine_mg_dl=baseline + 0.4 + rise,
                urine_protein_mg_dl=0)
    exact = p.scr_mg_dl - baseline
    r = dose("cidofovir", "maintenance", p, baseline_serum_creatinine_mg_dl=baseline)
    assert r.recommended is bands.at_most(exact, 0.4)


# --- display -------------------------------------------------------------------------------------------------
@given(x=st.floats(min_value=0.1, max_value=250))
def test_a_shown_clearance_never_reads_as_a_limit_it_is_not_on(x):
    from cmvlib.patient import clearance_limits
    text = bands.shown(x, 1, clearance_limits()[0])
    for limit in clearance_limits()[0]:
        if float(text) == limit:
            assert bands.compare(x, limit) == 0


def test_hemodialysis_headline_says_after_each_session():
    hd = Patient(age_years=60, sex="female", weight_kg=64, on_hemodialysis=True)
    assert dose("ganciclovir", "induction", hd).summary == "80 mg IV 3 times a week, after each dialysis session"
    sol = dose("valganciclovir", "induction", hd, formulation="oral_solution")
    assert sol.summary.endswith("3 times a week, after each dialysis session")
    assert "dialysis" not in dose("valganciclovir", "maintenance", measured(20)).summary


@pytest.mark.parametrize("crcl, ok", [(11.9, False), (12 - 1e-6, False), (12, True), (12.0000000000001, True), (25, True)])
def test_maribavir_below_the_studied_clearance_is_treated_like_dialysis(crcl, ok):
    # label: CrCl 12-70 mL/min studied (no adjustment); ESRD including dialysis not studied -> no dose either way
    r = dose("maribavir", "treatment", measured(crcl))
    assert r.recommended is ok
    if not ok:
        assert "not studied" in r.reason and "12 mL/min" in r.reason
    hd = dose("maribavir", "treatment", Patient(age_years=50, sex="male", weight_kg=70, on_hemodialysis=True))
    assert not hd.recommended and hd.source == dose("maribavir", "treatment", measured(11.9)).source
