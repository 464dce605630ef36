"""Calculators declared once (cmvlib.calc) give the same result through both bindings: the ipywidgets
calculator (chapters at build time, Voilà) and the static page's worker (``cmvlib.calc.run``, which the
page calls with the saved widgets' values: choices by their label, flags as "true"/"false").

Also: the result is the one the core computes (render_renal of Patient.renal_function), the widgets carry
the page's marks, and the page's code path imports nothing outside the standard library and cmvlib.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cmvlib.ui as ui
from cmvlib import InputError, Patient, calc
from cmvlib.calc.patient_fields import patient_kwargs
from cmvlib.ui.render import render_renal

ROOT = Path(__file__).resolve().parents[2]
RENAL = calc.get("renal")

#: Fixed sample: valid cases of every kind and invalid ones (each field, both units, missing values).
SAMPLES = [
    dict(age_years="68", sex="male", weight_kg="70", serum_creatinine="1.01"),
    dict(age_years="68", sex="female", weight_kg="50", serum_creatinine="1.01"),
    dict(age_years="50", sex="male", weight_kg="130", height_cm="175", serum_creatinine="1.2", weight_basis="adjusted"),
    dict(age_years="50", sex="male", weight_kg="130", height_cm="175", serum_creatinine="1.2", weight_basis="ideal"),
    dict(age_years="40", sex="male", weight_kg="80", serum_creatinine="88.4", creatinine_unit="umol/L"),
    dict(age_years="58", sex="female", weight_kg="64", on_hemodialysis="true"),
    dict(age_years="58", sex="female", weight_kg="64", measured_crcl_ml_min="35"),
    dict(age_years="68", sex="male", weight_kg="70", serum_creatinine="1,01"),
    dict(age_years="68", sex="male", weight_kg="900", serum_creatinine="1.01"),          # out of range
    dict(age_years="abc", sex="male", weight_kg="70", serum_creatinine="1.01"),          # not a number
    dict(age_years="15", sex="male", weight_kg="70", serum_creatinine="1.01"),           # not an adult
    dict(age_years="68", sex="male", weight_kg="", serum_creatinine="1.01"),             # missing
    dict(age_years="68", sex="male", weight_kg="70", serum_creatinine=""),               # no creatinine
    dict(age_years="68", sex="male", weight_kg="70", serum_creatinine="1.01", creatinine_unit="umol/L"),  # too low
    dict(age_years="68", sex="male", weight_kg="70", serum_creatinine="1.01", weight_basis="ideal"),  # no height
    dict(age_years="68", sex="male", weight_kg="70", height_cm="500", serum_creatinine="1.01"),
    dict(age_years="68", sex="male", weight_kg="70", serum_creatinine="1.01", measured_crcl_ml_min="-3"),
    dict(age_years="68", sex="male", weight_kg="<b>70</b>", serum_creatinine="1.01"),
]


def full(values: dict[str, str]) -> dict[str, str]:
    return {**RENAL.defaults(), **values}


def as_page_sends(values: dict[str, str]) -> dict[str, str]:
    """The values as the static page sends them: a choice by its label (the saved state has no values)."""
    out = dict(values)
    for f in RENAL.fields:
        if f.kind == "choice":
            out[f.name] = dict((v, lbl) for lbl, v in f.options)[f.read(values[f.name])]
    return out


@pytest.fixture(scope="module")
def widget_calc():
    return ui.renal_calculator()


def through_widgets(c, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Type ``values`` into the ipywidgets calculator (all at once) and read what it shows."""
    with c.hold():
        for f in RENAL.fields:
            w = c.fields[f.name]
            w.value = f.read(values[f.name]) if f.kind in ("choice", "flag") else values[f.name]
    c.update()
    # the unit toggle shares the creatinine box's label: each label once, under the field that owns it
    return c.result_html.value, {name: label.value for name, label in c.errors.items()
                                 if label.value and RENAL.field_for(name) == name}


def check_same(c, values: dict[str, str]) -> dict:
    values = full(values)
    out = calc.run("renal", values)
    assert json.loads(json.dumps(out)) == out                              # JSON-ready
    assert calc.run("renal", as_page_sends(values)) == out                 # labels or values: same outcome
    html, errors = through_widgets(c, values)
    assert c.declared_values() == values
    assert html == out["html"]
    assert errors == out["errors"]
    assert out["figure"] is None
    return out


@pytest.mark.parametrize("values", SAMPLES, ids=range(len(SAMPLES)))
def test_both_bindings_show_the_same(widget_calc, values):
    out = check_same(widget_calc, values)
    read = RENAL.read(full(values))
    try:
        expected = render_renal(Patient(**patient_kwargs(read)).renal_function(read["weight_basis"]))
    except InputError as err:
        assert "No result" in out["html"] and "mL/min" not in out["html"]
        field = RENAL.field_for(err.field)
        assert list(out["errors"]) == [field] and err.problem.split(" (got")[0] in out["errors"][field].replace("&#x27;", "'")
    else:
        assert out["html"] == expected and out["errors"] == {}


NUMBERS = st.one_of(st.sampled_from(["", " ", "abc", "0", "-1", "1e400", "nan", "1,2", "70", "1.01", "175", "18", "120"]),
                    st.floats(min_value=-10, max_value=2000, allow_nan=False).map(lambda x: f"{x:.3g}"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(age=NUMBERS, weight=NUMBERS, height=NUMBERS, scr=NUMBERS, crcl=NUMBERS,
       sex=st.sampled_from(["male", "female"]), unit=st.sampled_from(["mg/dL", "umol/L"]),
       hd=st.sampled_from(["true", "false"]), basis=st.sampled_from(["actual", "ideal", "adjusted"]))
def test_both_bindings_agree_on_any_input(widget_calc, age, weight, height, scr, crcl, sex, unit, hd, basis):
    check_same(widget_calc, dict(age_years=age, sex=sex, weight_kg=weight, height_cm=height, serum_creatinine=scr,
                                 creatinine_unit=unit, measured_crcl_ml_min=crcl, on_hemodialysis=hd, weight_basis=basis))


def test_unit_toggle_converts_the_same_way_in_both_bindings():
    c = ui.renal_calculator()                                  # issue-example: 1.01 mg/dL
    before = c.declared_values()
    c.fields["creatinine_unit"].value = "umol/L"
    after_widgets = c.declared_values()
    page = calc.run("renal", {**before, "creatinine_unit": "µmol/L"}, previous=before)
    assert page["inputs"] == {"serum_creatinine": {"value": after_widgets["serum_creatinine"],
                                                   "description": c.fields["serum_creatinine"].description}}
    assert page["html"] == c.result_html.value and "69.3 mL/min" in page["html"]
    # no change of unit, or a typed creatinine: nothing to convert
    assert "inputs" not in calc.run("renal", after_widgets, previous=after_widgets)


def test_declared_fields_are_the_widgets_fields():
    c = ui.renal_calculator()
    for f in RENAL.fields:
        w = c.fields[f.name]
        assert w.description == f.description
        if f.kind == "choice":
            assert [v for _, v in w.options] == [v for _, v in f.options]
    assert RENAL.field("weight_kg").limits == (20, 350) and RENAL.field("weight_kg").unit == "kg"


def test_widgets_carry_the_page_marks():
    c = ui.renal_calculator()
    state = c.get_state()
    assert "cmv-calc-renal" in state["_dom_classes"]
    for f in RENAL.fields:
        assert f"cmv-field-{f.name}" in c.fields[f.name].get_state()["_dom_classes"]
    for name in ("age_years", "weight_kg", "serum_creatinine", "weight_basis"):
        assert f"cmv-error-{name}" in c.errors[name].get_state()["_dom_classes"]
    assert "cmv-result-area" in c.result_html._dom_classes and "cmv-status-area" in c.status_html._dom_classes


def test_run_json_is_what_the_worker_calls():
    req = {"calculator": "renal", "values": full(SAMPLES[0])}
    assert json.loads(calc.run_json(json.dumps(req))) == calc.run("renal", full(SAMPLES[0]))
    assert "error" in json.loads(calc.run_json(json.dumps({"calculator": "nope", "values": {}})))
    assert "error" in json.loads(calc.run_json("not json"))
    assert "renal" in calc.names()


_PAGE_PATH = r"""
import json, sys
before = set(sys.modules)
from cmvlib import calc
print(json.dumps({"out": json.loads(calc.run_json(json.dumps({"calculator": "renal", "values": {
    "age_years": "68", "sex": "male", "weight_kg": "70", "serum_creatinine": "1.01"}}))),
    "stdlib": sorted(sys.stdlib_module_names), "new": sorted(set(sys.modules) - before)}))
"""


def test_the_page_code_path_needs_only_the_standard_library():
    """What the worker runs, in an interpreter without site-packages (-I -S): no ipywidgets, IPython or
    anything else but the standard library and cmvlib is imported (or even importable)."""
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + _PAGE_PATH],
                          capture_output=True, text=True, check=True, timeout=120)
    data = json.loads(proc.stdout)
    assert "69.3 mL/min" in data["out"]["html"]
    outside = [m for m in data["new"] if m.split(".")[0] not in set(data["stdlib"]) | {"cmvlib"}]
    assert outside == []
    assert not any(m.startswith(("ipywidgets", "IPython", "traitlets", "plotly")) for m in data["new"])
