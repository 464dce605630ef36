"""The calculators of cmvlib.ui: every number shown is the one cmvlib computes; bad input gives a message
next to the right field and no dose; presets and the creatinine unit toggle; nothing escapes for junk."""
from __future__ import annotations

import datetime
import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cmvlib
import cmvlib.ui as ui
from cmvlib import examples, kinetics, monitoring, regimen
from cmvlib.cidofovir import cidofovir_schedule, eligibility_problems
from cmvlib.immunoglobulin import immunoglobulin_for_pneumonitis
from cmvlib.ui.patient_form import convert_creatinine
from cmvlib.ui.render import LIVE_NOTE, NOTICE

DOSE_MARK = 'data-cmv="dose"'


def result(calc) -> str:
    return html.unescape(calc.result_html.value)


def shown_errors(calc) -> dict[str, str]:
    return {name: html.unescape(label.value) for name, label in calc.errors.items() if label.value}


def assert_no_dose(calc, field: str) -> str:
    """The message sits next to ``field`` (and only there) and the result carries no dose."""
    errors = shown_errors(calc)
    assert field in errors, errors
    assert {n for n, msg in errors.items() if msg != errors[field]} == set(), errors
    assert 'role="alert"' in calc.errors[field].value and "⚠" in errors[field]
    assert DOSE_MARK not in calc.result_html.value
    assert "No result" in result(calc)
    return errors[field]


# ---------------------------------------------------------------------------------------------- build
@pytest.mark.parametrize("name", ui.CALCULATORS)
def test_every_calculator_builds_with_notice_status_and_a_result(name):
    calc = getattr(ui, name)()
    assert calc.widget is calc
    assert NOTICE in calc.notice_html.value
    assert calc.DECLARATION and LIVE_NOTE in html.unescape(calc.status_html.value)   # every one computes in place
    assert calc.children[0] is calc.notice_html                  # the notice is at the top
    assert shown_errors(calc) == {}
    assert "No result" not in result(calc) and calc.result_html.value
    for w in calc.fields.values():                              # every input has a visible label
        assert getattr(w, "description", ""), w


def test_shortcuts_and_dispatch():
    assert ui.ganciclovir_calculator().fields["drug"].value == "ganciclovir"
    assert ui.valganciclovir_calculator().fields["drug"].value == "valganciclovir"
    assert isinstance(ui.dose_calculator("foscarnet"), ui.FoscarnetCalculator)
    assert isinstance(ui.dose_calculator("cidofovir"), ui.CidofovirCalculator)


def test_render_module_needs_no_widgets():
    import subprocess
    import sys
    code = ("import sys; import cmvlib.ui.render, cmvlib.ui; "
            "assert 'ipywidgets' not in sys.modules, 'render imported ipywidgets'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------------ renal function
@pytest.mark.parametrize("scenario", [n for n in examples.NAMES])
@pytest.mark.parametrize("basis", ["actual", "ideal", "adjusted"])
def test_renal_calculator_shows_cmvlib_numbers(scenario, basis):
    calc = ui.renal_calculator()
    calc.set_inputs(scenario=scenario, weight_basis=basis)
    p = examples.patient(scenario)
    try:
        renal = p.renal_function(basis)
    except cmvlib.InputError as err:                            # e.g. ideal weight without a height
        assert_no_dose(calc, err.field)
        return
    out = result(calc)
    assert renal.formula in out
    if renal.crcl_ml_min is not None:
        assert renal.crcl_text() in out and renal.per_kg_text() in out
    assert renal.weight.formula in out


def test_renal_calculator_exact_example():
    calc = ui.renal_calculator(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)
    assert "69.3 mL/min" in result(calc)
    assert "(140 − 68) × 70 kg / (72 × 1.01 mg/dL) = 69.3 mL/min" in result(calc)


# ---------------------------------------------------------------------------------------------- doses
@pytest.mark.parametrize("scenario", examples.NAMES)
@pytest.mark.parametrize("drug,phase,option", [
    ("ganciclovir", "induction", {}), ("ganciclovir", "maintenance", {"regimen": "daily"}),
    ("ganciclovir", "maintenance", {"regimen": "5-days-a-week"}),
    ("valganciclovir", "induction", {"formulation": "tablet"}),
    ("valganciclovir", "maintenance", {"formulation": "oral_solution"})])
def test_dose_calculator_matches_cmvlib(scenario, drug, phase, option):
    calc = ui.dose_calculator()
    calc.set_inputs(scenario=scenario, drug=drug, phase=phase, **option)
    expected = cmvlib.dose(drug, phase, examples.patient(scenario), **option)
    out = result(calc)
    assert expected.source in out and expected.reason in out
    if expected.recommended:
        assert DOSE_MARK in calc.result_html.value
        assert f"{expected.summary}" in out
        if expected.mg_per_kg is not None:
            assert f"({expected.mg_per_kg:g} mg/kg)" in out
    else:
        assert DOSE_MARK not in calc.result_html.value and "No dose" in out
    for w in expected.warnings:
        assert w in out
    if expected.renal.crcl_ml_min is not None:
        assert expected.renal.crcl_text() in out


def test_dose_calculator_shows_only_the_options_that_apply():
    calc = ui.dose_calculator("valganciclovir")
    assert calc._rows["formulation"].layout.display is None
    assert calc._rows["regimen"].layout.display == "none"
    calc.set_inputs(drug="ganciclovir", phase="maintenance")
    assert calc._rows["regimen"].layout.display is None and calc._rows["formulation"].layout.display == "none"


def test_weight_basis_changes_the_dose():
    calc = ui.dose_calculator(scenario="obese", weight_basis="adjusted")
    expected = cmvlib.dose("ganciclovir", "induction", examples.patient("obese"), weight_basis="adjusted")
    assert expected.summary in result(calc)
    assert "adjusted" in result(calc)


@pytest.mark.parametrize("phase,regimen_", [("induction", "60q8h"), ("induction", "90q12h"),
                                            ("maintenance", "90"), ("maintenance", "120")])
@pytest.mark.parametrize("first", [False, True])
def test_foscarnet_calculator_dose_and_hydration(phase, regimen_, first):
    calc = ui.foscarnet_calculator()
    calc.set_inputs(scenario="normal-renal", phase=phase, regimen=regimen_, first_infusion=first)
    expected = cmvlib.dose("foscarnet", phase, examples.patient("normal-renal"), regimen=regimen_,
                           first_infusion=first)
    out = result(calc)
    assert expected.summary in out and expected.source in out
    assert f"({expected.mg_per_kg:g} mg/kg)" in out
    assert [h.text in out for h in expected.hydration] == [True] * len(expected.hydration)
    assert ("before the first infusion" in out) is first
    assert expected.renal.per_kg_text() in out


def test_foscarnet_teaching_case_and_hemodialysis():
    calc = ui.foscarnet_calculator()
    expected = cmvlib.dose("foscarnet", "induction", examples.patient("foscarnet-teaching"))
    assert expected.summary in result(calc) and "1.39 mL/min/kg" in result(calc)
    calc.set_inputs(scenario="hemodialysis")
    assert DOSE_MARK not in calc.result_html.value and "No dose" in result(calc)
    calc.set_inputs(regimen="q6h")
    assert "q6h" in assert_no_dose(calc, "induction_regimen")


def test_cidofovir_eligible_dose_and_probenecid_clock():
    calc = ui.cidofovir_calculator()
    calc.set_inputs(scenario="hiv-retinitis", infusion_start="09:30")
    p = examples.patient("hiv-retinitis")
    expected = cmvlib.dose("cidofovir", "induction", p)
    out = result(calc)
    assert expected.summary in out and "(once a week)" in out and "Start criteria met" in out
    for item in cidofovir_schedule("09:30"):
        assert item.clock in out and item.what in out
    assert "06:30" in out                                        # probenecid 2 g 3 h before 09:30


def test_cidofovir_contraindicated_and_rise_rule():
    calc = ui.cidofovir_calculator()
    calc.set_inputs(scenario="hiv-retinitis", urine_protein_mg_dl=150)
    p = examples.patient("hiv-retinitis", urine_protein_mg_dl=150)
    problems = eligibility_problems(p, p.renal_function())
    out = result(calc)
    assert problems and all(pr in out for pr in problems)
    assert DOSE_MARK not in calc.result_html.value and "Probenecid" not in out
    # during maintenance, creatinine 0.8 -> 1.15 (rise 0.35): reduced to 3 mg/kg, with the stable-creatinine caveat
    calc.set_inputs(scenario="hiv-retinitis", phase="maintenance", serum_creatinine_mg_dl=1.15,
                    baseline_serum_creatinine_mg_dl=0.8)
    expected = cmvlib.dose("cidofovir", "maintenance", examples.patient("hiv-retinitis", serum_creatinine_mg_dl=1.15),
                           baseline_serum_creatinine_mg_dl=0.8)
    assert expected.mg_per_kg == 3 and expected.summary in result(calc) and "(3 mg/kg)" in result(calc)
    assert "assumes a stable creatinine" in result(calc)
    # the same rise during induction: the label's reduction is for maintenance, so no dose
    calc.set_inputs(scenario="hiv-retinitis", phase="induction", serum_creatinine_mg_dl=1.15,
                    baseline_serum_creatinine_mg_dl=0.8)
    assert DOSE_MARK not in calc.result_html.value and "maintenance dose" in result(calc)
    calc.set_inputs(scenario="hiv-retinitis", baseline_serum_creatinine_mg_dl="abc")
    assert_no_dose(calc, "baseline_serum_creatinine_mg_dl")


@pytest.mark.parametrize("bad", ["25:00", "ten", "", "10"])
def test_cidofovir_bad_clock(bad):
    calc = ui.cidofovir_calculator(infusion_start=bad)
    assert "clock time" in assert_no_dose(calc, "infusion_start")


def test_cidofovir_needs_urine_protein():
    calc = ui.cidofovir_calculator(scenario="issue-example")      # no urine protein in this example
    assert "Urine protein" in assert_no_dose(calc, "urine_protein_mg_dl")


# ---------------------------------------------------------------------------------- decisions
def test_switch_calculator():
    calc = ui.switch_calculator(days_of_iv=2, absorbing=False)
    decision = regimen.switch_to_oral(2, improving=True, absorbing=False, severe=False)
    out = result(calc)
    assert "Not yet" in out and all(r in out for r in decision.reasons) and DOSE_MARK not in out
    calc.set_inputs(days_of_iv="4", absorbing="true")
    expected = cmvlib.dose("valganciclovir", "induction", examples.patient("issue-example"))
    assert "Yes" in result(calc) and expected.summary in result(calc)
    calc.set_inputs(days_of_iv=-1)
    assert_no_dose(calc, "days_of_iv")


def test_regimen_selector_matches_plan():
    calc = ui.regimen_selector(resistance="ul97", transplant="sot")
    p = regimen.plan(regimen.CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False,
                                          resistance="ul97", transplant="sot"))
    out = result(calc)
    for o in p.options:
        assert f"<td>{o.rank}</td><td>{o.title}</td>" in out
    for n in p.not_advised:
        assert n.title in out and n.reason in out
    for a in p.actions:
        assert a.title in out
    calc.set_inputs(on_art=True)                                 # ART without HIV
    assert "HIV" in assert_no_dose(calc, "on_art")
    calc.fields["hiv"].value = True
    assert shown_errors(calc) == {} and "Optimize antiretroviral therapy" in result(calc)


def test_monitoring_calculator_matches_schedule():
    start = datetime.date(2026, 3, 2)
    calc = ui.monitoring_calculator(drug="foscarnet", start="2026-03-02", induction_days=14, maintenance_days="28",
                                    retinitis=True)
    events = monitoring.monitoring_schedule("foscarnet", start, 14, 28, retinitis=True)
    out = result(calc)
    assert f"{len(events)} tests" in out
    assert out.count("<tr>") == len(events) + 1
    for e in events:
        assert f"<td>{e.date.isoformat()}</td><td>{e.day}</td><td>{e.phase}</td><td>{e.test}</td>" in out
    for note in monitoring.monitoring_notes("foscarnet", True):
        assert note in out
    for bad in ("abc", "", "-1", "14.5", "400"):
        calc.set_inputs(induction_days=bad)
        assert_no_dose(calc, "induction_days")
    calc.set_inputs(induction_days=14, start="not a date")
    assert_no_dose(calc, "start")
    calc.fields["start"].value = None                             # the date picker emptied
    assert_no_dose(calc, "start")


def test_viral_load_fit_matches_kinetics():
    calc = ui.viral_load_fit_calculator(points="0, 10,000\n2; 3000\n4\t1000", lloq="137")
    fit = kinetics.fit_series([(0, 10000), (2, 3000), (4, 1000)], lloq=137)
    out = result(calc)
    assert fit.reading in out and f"{fit.half_life_days:.2f} days" in out and f"{fit.r2:.3f}" in out
    calc.set_inputs(points=[(0, 50000), (7, 20000), (14, 8000)], lloq="")
    flag = regimen.refractory_flag([(0, 50000), (7, 20000), (14, 8000)], True)
    assert f"Refractory check: {flag.status}" in result(calc) and flag.reason in result(calc)
    assert kinetics.fit_series([(0, 50000), (7, 20000), (14, 8000)]).reading in result(calc)


@pytest.mark.parametrize("text,needle", [("0, 1000\n2, -5", "line 2"), ("0, 1000\nabc", "line 2"),
                                         ("", "missing"), ("0, 1000", "2 different days"),
                                         ("0, 1000\n1.5, x", "line 2")])
def test_viral_load_bad_lines(text, needle):
    calc = ui.viral_load_fit_calculator(points=text)
    assert needle in assert_no_dose(calc, "points")


def test_viral_load_fractional_days_fit_but_no_refractory_check():
    calc = ui.viral_load_fit_calculator(points="0, 1000\n1.5, 500")
    assert "halves" in result(calc) and "Refractory check not done" in result(calc)


def test_immunoglobulin_calculator_matches_core():
    calc = ui.immunoglobulin_calculator()
    regs = immunoglobulin_for_pneumonitis(examples.patient("hsct-pneumonitis"))
    out = result(calc)
    for r in regs:
        assert r.product in out
        for d in r.doses:
            assert f"<td>{d.day}</td><td>{d.mg_per_kg:g}</td><td>{round(d.weight_kg, 1):g}</td><td>{d.grams:g}</td>" in out
    calc.set_inputs(height_cm="")
    assert "Not computed" in result(calc) and "height" in result(calc)


# ------------------------------------------------------------------------------------------ maribavir
@pytest.mark.parametrize("meds", ["", "tacrolimus", "carbamazepine", "phenytoin, tacrolimus", "Rifampicin",
                                  "ganciclovir", "carbamazepine, phenytoin", "aspirin", "phenobarbital; omeprazole"])
@pytest.mark.parametrize("scenario", ["issue-example", "hemodialysis"])
def test_maribavir_calculator_matches_cmvlib(meds, scenario):
    calc = ui.maribavir_calculator(scenario=scenario, co_medications=meds)
    names = [m.strip() for m in meds.replace(";", ",").split(",") if m.strip()]
    expected = cmvlib.dose("maribavir", "treatment", examples.patient(scenario), co_medications=names)
    out = result(calc)
    assert expected.source in out and expected.reason in out
    assert (DOSE_MARK in calc.result_html.value) == expected.recommended
    if expected.recommended:
        assert expected.summary in out
    for w in expected.warnings:
        assert w in out


def test_maribavir_presets_tick_boxes_and_keep_other_names_as_text():
    calc = ui.maribavir_calculator(co_medications="Rifampicin, tacrolimus, aspirin")
    ticked = {name for name, w in calc.fields.items() if name.startswith("takes_") and w.value}
    assert ticked == {"takes_rifampin", "takes_tacrolimus"}
    assert calc.fields["other_co_medications"].value == "aspirin"
    assert DOSE_MARK not in calc.result_html.value and "rifampin" in result(calc)
    calc.fields["takes_rifampin"].value = False                 # unticking gives the dose back
    assert "400 mg" in result(calc) and "check the label" in result(calc)
    every_box = {name for name in calc.fields if name.startswith("takes_")}
    assert len(every_box) == len(cmvlib.dosing.maribavir_co_medications())


def test_maribavir_bad_preset_names_the_field():
    calc = ui.maribavir_calculator(co_medications=[3])
    assert "drug names" in assert_no_dose(calc, "other_co_medications")


# -------------------------------------------------------------------------------- bad input
BAD = [
    ("weight_kg", -70, "between"), ("weight_kg", 0, "between"), ("weight_kg", "seventy", "number"),
    ("weight_kg", "", "missing"), ("weight_kg", 900, "between 20 and 350 kg (got 900)"),
    ("age_years", 15, "adults"), ("age_years", "", "missing"), ("age_years", "nan", "finite"),
    ("serum_creatinine", "", "missing"), ("serum_creatinine", "0", "between"),
    ("serum_creatinine", "-1", "between"), ("serum_creatinine", "x", "number"),
    ("measured_crcl_ml_min", "0", "between"), ("height_cm", "abc", "number"),
]


@pytest.mark.parametrize("builder", ["renal_calculator", "dose_calculator", "foscarnet_calculator",
                                     "cidofovir_calculator", "maribavir_calculator", "switch_calculator",
                                     "immunoglobulin_calculator"])
@pytest.mark.parametrize("field,value,words", BAD)
def test_bad_patient_input_message_next_to_field_and_no_dose(builder, field, value, words):
    calc = getattr(ui, builder)()
    assert DOSE_MARK in calc.result_html.value or builder == "renal_calculator"
    calc.set_inputs(**{field: value})
    assert words in assert_no_dose(calc, field)


def test_ideal_weight_without_height_marks_height():
    calc = ui.dose_calculator(scenario="issue-example", weight_basis="ideal")
    assert "height" in assert_no_dose(calc, "height_cm")


def test_message_clears_when_the_field_is_corrected():
    calc = ui.dose_calculator()
    calc.fields["weight_kg"].value = "900"
    assert_no_dose(calc, "weight_kg")
    calc.fields["weight_kg"].value = "70"
    assert shown_errors(calc) == {} and "175 mg IV every 12 h" in result(calc)


def test_error_text_is_escaped():
    calc = ui.renal_calculator(weight_kg="<script>alert(1)</script>")
    assert "<script>" not in calc.errors["weight_kg"].value and "&lt;script&gt;" in calc.errors["weight_kg"].value


# -------------------------------------------------------------------------------- unit toggle
def test_unit_toggle_converts_both_ways_and_keeps_the_result():
    calc = ui.renal_calculator(age_years=40, sex="male", weight_kg=80, serum_creatinine_mg_dl=1)
    before = result(calc)
    scr, unit = calc.fields["serum_creatinine"], calc.fields["creatinine_unit"]
    unit.value = "umol/L"
    assert scr.value == "88.4" and "µmol/L" in scr.description
    assert result(calc) == before
    scr.value = "176.8"
    unit.value = "mg/dL"
    assert scr.value == "2"
    expected = cmvlib.Patient(age_years=40, sex="male", weight_kg=80, serum_creatinine_mg_dl=2).renal_function().crcl_text()
    assert expected in result(calc)


def test_unit_toggle_back_restores_the_typed_value():
    calc = ui.renal_calculator()                                  # issue-example: 1.01 mg/dL
    unit = calc.fields["creatinine_unit"]
    unit.value = "umol/L"
    assert calc.fields["serum_creatinine"].value == "89.3"
    unit.value = "mg/dL"
    assert calc.fields["serum_creatinine"].value == "1.01" and "69.3 mL/min" in result(calc)


def test_unit_preset_in_umol_and_junk_text_is_left_alone():
    calc = ui.renal_calculator(age_years=40, sex="male", weight_kg=80, serum_creatinine_umol_l=88.4)
    assert calc.fields["creatinine_unit"].value == "umol/L" and calc.fields["serum_creatinine"].value == "88.4"
    expected = cmvlib.Patient(age_years=40, sex="male", weight_kg=80, serum_creatinine_umol_l=88.4).renal_function().crcl_text()
    assert expected in result(calc)
    assert convert_creatinine("abc", "umol/L") == "abc" and convert_creatinine("-1", "umol/L") == "-1"
    calc.fields["serum_creatinine"].value = "abc"
    calc.fields["creatinine_unit"].value = "mg/dL"
    assert calc.fields["serum_creatinine"].value == "abc"
    assert_no_dose(calc, "serum_creatinine")


# -------------------------------------------------------------------------------- presets
def test_presets_from_url_strings():
    calc = ui.dose_calculator()
    calc.set_inputs(scenario="hemodialysis", drug="Valganciclovir", phase="maintenance", on_hemodialysis="true")
    assert calc.fields["on_hemodialysis"].value is True
    expected = cmvlib.dose("valganciclovir", "maintenance", examples.patient("hemodialysis"))
    assert expected.reason in result(calc)
    calc.set_inputs(scenario="band-edge-70")                      # scenario clears fields it does not set
    assert calc.fields["height_cm"].value == "" and calc.fields["on_hemodialysis"].value is False
    assert cmvlib.dose("ganciclovir", "maintenance", examples.patient("band-edge-70")).summary in result(calc) \
        or cmvlib.dose("valganciclovir", "maintenance", examples.patient("band-edge-70")).summary in result(calc)


def test_bad_and_unknown_presets_never_raise():
    calc = ui.dose_calculator()
    calc.set_inputs(sex="robot", colour="blue")
    assert "robot" in assert_no_dose(calc, "sex")
    assert "colour" in calc.preset_html.value
    calc.set_inputs(weight_kg=71)                                 # a new preset replaces the old problems
    assert shown_errors(calc) == {} and DOSE_MARK in calc.result_html.value
    calc.set_inputs(on_hemodialysis="maybe")
    assert_no_dose(calc, "on_hemodialysis")
    calc.fields["on_hemodialysis"].value = True                  # correcting the field releases the result
    assert shown_errors(calc) == {}
    calc.set_inputs(scenario="no-such-case")
    assert "no-such-case" in result(calc) and DOSE_MARK not in calc.result_html.value
    calc.fields["weight_kg"].value = "72"                        # any edit releases a bad scenario name
    assert shown_errors(calc) == {} and DOSE_MARK in calc.result_html.value


# -------------------------------------------------------------------------------- junk (hypothesis)
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                 st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                 st.sampled_from(["", " ", "1e400", "nan", "-0", "70", "1,5", "µmol/L", "umol/L", "female",
                                  "ideal", "adjusted", "induction", "maintenance", "90q12h", "120", "ul54",
                                  "hsct", "foscarnet", "25:00", "09:30", "2026-02-30", "0, 100\n3, 50"]),
                 st.lists(st.tuples(st.integers(-5, 400), st.floats(-10, 1e10)), max_size=4),
                 st.dates())
_CALCS: dict[str, object] = {}


def _calc(name):
    if name not in _CALCS:
        _CALCS[name] = getattr(ui, name)()
    return _CALCS[name]


@pytest.mark.parametrize("name", ui.CALCULATORS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_exception_escapes_for_junk(name, data):
    calc = _calc(name)
    keys = sorted(calc.fields) + ["scenario", "regimen", "serum_creatinine_mg_dl", "serum_creatinine_umol_l",
                                  "unknown"]
    values = data.draw(st.dictionaries(st.sampled_from(keys), JUNK, max_size=5))
    calc.set_inputs(**values)                                    # must not raise
    # a typed junk string in a text box must not raise either
    texts = [k for k, w in calc.fields.items() if w.__class__.__name__ in ("Text", "Textarea")]
    if texts:
        calc.fields[data.draw(st.sampled_from(texts))].value = data.draw(st.text(max_size=20))
    if shown_errors(calc):
        assert DOSE_MARK not in calc.result_html.value and "No result" in result(calc)
    assert calc.result_html.value


def test_viral_load_figure_for_show():
    calc = ui.viral_load_fit_calculator()
    fig = calc.figure()
    assert "Your PCR results" in [t["name"] for t in fig["data"]]
    calc.set_inputs(points="0, abc")
    assert calc.figure() is None


@settings(max_examples=80, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("0123456789,.;- \t\neE<xµ"), max_size=40), lloq=JUNK)
def test_viral_load_figure_and_fit_never_raise(text, lloq):
    calc = _calc("viral_load_fit_calculator")
    calc.set_inputs(points=text, lloq=lloq)
    fig = calc.figure()
    assert fig is None or "data" in fig
    if shown_errors(calc):
        assert "No result" in result(calc)
