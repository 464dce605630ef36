"""The course view, the toxicity chart of the monitoring calculator and the app wiring (cmvlib.ui.apps)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as widgets
import nbformat
import pytest

import cmvlib.ui as ui
from cmvlib import charts, examples
from cmvlib.course import PhasePlan, RenalChange, plan_course
from cmvlib.calc import NO_CHART
from cmvlib.display import mimebundle
from cmvlib.ui import apps


def shown_errors(calc) -> dict[str, str]:
    return {name: html.unescape(label.value) for name, label in calc.errors.items() if label.value}


# ------------------------------------------------------------------------------------------ course
def test_course_view_default_is_the_declining_renal_example():
    calc = ui.course_calculator()
    expected = plan_course(examples.patient("declining-renal"),
                           [PhasePlan("ganciclovir", "induction", 14), PhasePlan("valganciclovir", "maintenance", 14)],
                           renal_changes=[RenalChange(10, {"serum_creatinine_mg_dl": 2.1})],
                           vl0_iu_ml=50_000, half_life_days=1.0)
    assert shown_errors(calc) == {}
    assert calc.figure_table_html() == charts.course_table_html(expected)
    assert calc.figure() == charts.course_figure(expected)
    # the creatinine rise on day 10 lowers the ganciclovir dose that day, and the reason says why
    day10 = [c for c in expected.changes if c.day == 10]
    assert day10 and html.escape(day10[0].after) in calc.result_html.value


def test_course_view_follows_its_inputs():
    calc = ui.course_calculator(induction_drug="foscarnet", maintenance_drug="none", induction_days=21,
                                change_day=7, new_creatinine_mg_dl=3.0, baseline_iu_ml="", half_life_days="")
    assert shown_errors(calc) == {}
    patient = examples.patient("declining-renal")
    expected = plan_course(patient, [PhasePlan("foscarnet", "induction", 21)],
                           renal_changes=[RenalChange(7, {"serum_creatinine_mg_dl": 3.0})])
    assert calc.figure_table_html() == charts.course_table_html(expected)
    assert calc._rows["maintenance_days"].layout.display == "none"
    assert calc.figure()["data"]   # a chart even without a viral-load curve


@pytest.mark.parametrize("values, field", [
    ({"change_day": "abc"}, "change_day"), ({"change_day": "3.5"}, "change_day"), ({"change_day": 40}, "change_day"),
    ({"change_day": "-1"}, "change_day"), ({"new_creatinine_mg_dl": ""}, "new_creatinine_mg_dl"),
    ({"change_day": ""}, "change_day"), ({"new_creatinine_mg_dl": -1}, "new_creatinine_mg_dl"),
    ({"new_creatinine_mg_dl": "lots"}, "new_creatinine_mg_dl"), ({"induction_days": 0}, "induction_days"),
    ({"maintenance_days": "x"}, "maintenance_days"), ({"induction_days": 400}, "induction_days"),
    ({"baseline_iu_ml": "-5"}, "baseline_iu_ml"), ({"half_life_days": ""}, "half_life_days"),
    ({"half_life_days": "0"}, "half_life_days"), ({"weight_kg": "abc"}, "weight_kg"), ({"age_years": 12}, "age_years"),
])
def test_course_view_bad_input_is_marked_and_gives_no_course(values, field):
    calc = ui.course_calculator(**values)
    errors = shown_errors(calc)
    assert list(errors) == [field], errors
    assert "⚠" in errors[field] and "No result" in calc.result_html.value
    assert calc.figure() is None and calc.figure_table_html() == NO_CHART


def test_course_view_bad_patient_creatinine_is_marked_on_the_patient_not_the_change():
    calc = ui.course_calculator(serum_creatinine_mg_dl="abc", change_day=5, new_creatinine_mg_dl=3)
    errors = shown_errors(calc)   # the unit toggle shares the creatinine's error label
    assert set(errors) == {"serum_creatinine", "creatinine_unit"} and "abc" in errors["serum_creatinine"], errors


def test_course_view_message_clears_when_corrected():
    calc = ui.course_calculator(change_day="abc")
    calc.fields["change_day"].value = "5"
    assert shown_errors(calc) == {} and calc.figure() is not None


# ------------------------------------------------------------------------------- toxicity chart
def test_monitoring_calculator_draws_the_toxicity_timeline_of_its_course():
    calc = ui.monitoring_calculator(drug="foscarnet", induction_days=14, maintenance_days=28, retinitis=True)
    assert calc.figure() == charts.toxicity_timeline_figure("foscarnet", 14, 28, retinitis=True)
    assert calc.figure_table_html() == charts.toxicity_table_html("foscarnet", 14, 28, retinitis=True)
    calc.set_inputs(induction_days="soon")
    assert calc.figure() is None and calc.figure_table_html() == NO_CHART


# ----------------------------------------------------------------------------------- app wiring
PLOTLY = "application/vnd.plotly.v1+json"


def plotly_json(output_widget):
    return output_widget.outputs[0]["data"][PLOTLY]


def test_figure_box_redraws_chart_and_text_alternative_with_the_calculator():
    calc = ui.monitoring_calculator(drug="ganciclovir", induction_days=14)
    box = ui.figure_box(calc.figure, calc, alternative=calc.figure_table_html)
    chart, text = box.children
    assert plotly_json(chart) == mimebundle(calc.figure())[PLOTLY]
    assert text.value == calc.figure_table_html() and "<table" in text.value
    calc.fields["drug"].value = "cidofovir"
    assert plotly_json(chart) == mimebundle(charts.toxicity_timeline_figure("cidofovir", 14, 0))[PLOTLY]
    calc.fields["induction_days"].value = "x"
    assert chart.outputs == () and text.value == NO_CHART


def test_url_presets_apply_to_the_chosen_tab_and_the_patient_to_every_tab(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "app=foscarnet&scenario=hemodialysis")
    import ipywidgets as widgets

    tabs = _two_tabs()
    ui.apply_url_presets(tabs=tabs)
    assert tabs.selected_index == 1
    assert [c.TITLE for c in tabs.built()] == ["Ganciclovir and valganciclovir dose", "Foscarnet dose and hydration"]
    assert all(c.fields["on_hemodialysis"].value for c in tabs.built())


def _two_tabs():
    return ui.LazyTabs({"ganciclovir": ("(Val)ganciclovir", lambda: ui.dose_calculator("ganciclovir")),
                        "foscarnet": ("Foscarnet", lambda: ui.dose_calculator("foscarnet"))})


def test_a_tab_is_built_when_first_opened_with_the_patient_of_the_address(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "scenario=hemodialysis")
    tabs = _two_tabs()
    ui.apply_url_presets(tabs=tabs)
    assert len(tabs.built()) == 1 and tabs.children[1].children[0].value.startswith("<p>Opening Foscarnet")
    tabs.selected_index = 1                                      # the student opens the second tab
    first, second = tabs.built()
    assert tabs.children[1].children == (second,) and tabs.calculator(1) is second
    assert second.fields["on_hemodialysis"].value and "No result" not in second.result_html.value
    tabs.selected_index = 0
    assert tabs.built() == [first, second]                      # built once


@pytest.mark.parametrize("query, words", [("app=nowhere", "must be one of"), ("scenario=nowhere", "unknown example"),
                                          ("a=1&a=2", "twice")])
def test_bad_url_preset_is_a_message_not_an_exception(monkeypatch, query, words):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", query)
    import ipywidgets as widgets

    tabs = _two_tabs()
    ui.apply_url_presets(tabs=tabs)
    assert words in html.unescape(tabs.calculator(0).preset_html.value)


def test_no_query_leaves_the_examples(monkeypatch):
    """In the reader's browser (Pyodide) there is no Voilà and no query string."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    calc = ui.course_calculator()
    before = calc.result_html.value
    ui.apply_url_presets(calc)
    assert calc.result_html.value == before and calc.preset_html.value == ""


# ------------------------------------------------------------------- the README's instructor presets
README_PRESET = re.compile(r"^\| `(\w+)\.ipynb\?([^`]+)` \|", re.M)
APPS_DIR = Path(__file__).resolve().parents[2] / "book" / "apps"


def _calculators(namespace: dict) -> list:
    found = []
    for value in namespace.values():
        for v in (value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple))
                  else [value]):
            if isinstance(v, ui.Calculator) and v not in found:
                found.append(v)
    return found


@pytest.mark.parametrize("app, query", README_PRESET.findall(
    (APPS_DIR.parents[1] / "README.md").read_text(encoding="utf-8")))
def test_every_preset_the_readme_lists_applies_cleanly(app, query, monkeypatch):
    """Each documented preset address, run through the app notebook itself (as Voilà runs it without
    pre-heating): no message about the address, no field error, a result in every calculator."""
    monkeypatch.setenv("QUERY_STRING", query)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    namespace: dict = {}
    for cell in nbformat.read(APPS_DIR / f"{app}.ipynb", as_version=4).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, f"{app}.ipynb", "exec"), namespace)   # noqa: S102 - our own notebook
    calcs = _calculators(namespace)
    tabs = [v for v in namespace.values() if isinstance(v, ui.LazyTabs)]
    if tabs:
        calcs = tabs[0].built()
    assert calcs, f"{app}: no calculator found"
    assert all(calc.preset_html.value == "" for calc in calcs), (app, query)
    # the tab the address opens (other tabs get the scenario's patient and may lack a field of their own)
    shown = [tabs[0].calculator(tabs[0].selected_index or 0)] if tabs else calcs
    for calc in shown:
        assert shown_errors(calc) == {}, (app, query)
        assert "No result" not in calc.result_html.value, (app, query)
    if "tab=" in query:
        assert tabs[0].selected_index == tabs[0].names.index(re.search(r"tab=(\w+)", query).group(1))


# ------------------------------------------------------------- a preset that arrives after the page
class _Loop:
    def __init__(self) -> None:
        self.later: list[tuple[float, object]] = []

    def call_later(self, delay: float, fn) -> None:
        self.later.append((delay, fn))


@pytest.mark.parametrize("browser_has_states", [False, True])
@pytest.mark.parametrize("query", ["weight_kg=83", ""])
def test_a_late_preset_sends_every_state_again(browser_has_states, query, monkeypatch):
    calc = ui.dose_calculator()
    loop = _Loop()
    monkeypatch.setattr(apps, "_kernel_loop", lambda: loop)
    monkeypatch.setattr(widgets.Widget, "_control_comm", object() if browser_has_states else None)
    apps._apply_on_kernel(lambda q: apps._apply([calc], q, None), query)
    assert calc.fields["weight_kg"].value == ("83" if query else "70")    # applied either way
    resend = browser_has_states and bool(query)                         # an empty query changes nothing
    assert [d for d, _ in loop.later] == (list(apps.RESEND_AFTER_S) if resend else [])
    sent = []
    monkeypatch.setattr(widgets.Widget, "send_state", lambda self, key=None: sent.append(self))
    for _, fn in loop.later:
        fn()
    if resend:   # every widget of the calculator (with a comm) went out again, each time
        assert calc.fields["weight_kg"] in sent and calc.result_html in sent
        assert sent.count(calc.result_html) == len(apps.RESEND_AFTER_S)


def test_live_widgets_registry_sees_new_widgets():
    w = widgets.HTML("x")
    assert w in list(apps._live_widgets())


# ------------------------------------------------------------------------------ projector layout
FOLDED = ["height_cm", "measured_crcl_ml_min", "half_life_days"]


def test_the_folded_section_opens_when_one_of_its_fields_has_a_message():
    calc = ui.projector(ui.course_calculator(), folded=FOLDED)
    section = next(w for w in apps._live_widgets() if isinstance(w, widgets.Accordion) and "cmv-more" in w._dom_classes
                   and calc.row("height_cm") in w.children[0].children)
    assert section.selected_index is None                      # closed while every value is fine
    calc.fields["weight_kg"].value = "-3"                      # a message outside the section: stays closed
    assert calc.errors["weight_kg"].value and section.selected_index is None
    calc.fields["weight_kg"].value = "70"
    calc.fields["measured_crcl_ml_min"].value = "-5"           # inside: opens, and the message is seen
    assert calc.errors["measured_crcl_ml_min"].value and section.selected_index == 0


def test_a_preset_with_a_bad_folded_value_opens_the_section_at_once():
    calc = ui.course_calculator(half_life_days="zero")
    ui.projector(calc, folded=FOLDED)
    section = calc.row("half_life_days")
    opened = [w for w in apps._live_widgets() if isinstance(w, widgets.Accordion) and "cmv-more" in w._dom_classes
              and w.children[0].children and section in w.children[0].children]
    assert calc.errors["half_life_days"].value and opened[0].selected_index == 0
