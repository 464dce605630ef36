"""Every calculator is declared once (cmvlib.calc) and gives the same outcome through both bindings: the
ipywidgets calculator (chapters at build time, Voilà) and ``cmvlib.calc.run`` (what the static page's worker
calls with the saved widgets' values: choices by their label, flags as "true"/"false", dates as ISO text).

Checked for each calculator on its example, on a bad value in each field in turn, and on random values
(hypothesis): the result HTML, the message next to each field, the fields hidden, the chart and its text
alternative. Also: every ipywidgets calculator is declared, and carries the page's marks.
"""
from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cmvlib.ui as ui
from cmvlib import calc

#: Bad values a reader can type into a text box, and the page's text for an empty date picker.
JUNK = ("", " ", "abc", "0", "-1", "1e400", "nan", "<b>1</b>", "99999999", "9" * 400)


def builders() -> tuple[dict[str, object], dict[str, dict[str, str]]]:
    """Each declaration's ipywidgets builder, and the values of its example."""
    found, examples = {}, {}
    for name in ui.CALCULATORS:
        c = getattr(ui, name)()
        found[c.DECLARATION] = getattr(ui, name)
        examples[c.DECLARATION] = c.declared_values()
    return found, examples


BUILDERS, EXAMPLES = builders()


@pytest.fixture(scope="module")
def widgets_of():
    made: dict[str, object] = {}

    def get(name: str):
        if name not in made:
            made[name] = BUILDERS[name]()
        return made[name]
    return get


def test_every_calculator_is_declared_and_every_declaration_has_widgets():
    assert set(BUILDERS) == set(calc.names())
    assert None not in BUILDERS


def as_page_sends(decl: calc.Declaration, values: dict[str, str]) -> dict[str, str]:
    """A choice by its label, as the page reads it from the saved widget state."""
    out = dict(values)
    for f in decl.fields:
        if f.kind == "choice":
            try:
                out[f.name] = dict((v, lbl) for lbl, v in f.options)[f.read(values[f.name])]
            except Exception:
                pass
    return out


def type_into(c, decl: calc.Declaration, values: dict[str, str]) -> None:
    with c.hold():
        for f in decl.fields:
            w = c.fields[f.name]
            raw = values[f.name]
            if f.kind in ("choice", "flag"):
                w.value = f.read(raw)
            elif f.kind == "date":
                w.value = f.read(raw) if raw.strip() else None
            else:
                w.value = raw
    c._preset_errors = {}
    c.update()


def shown(c, decl: calc.Declaration) -> dict:
    hidden = tuple(n for n in decl.names if c.row(n) is not None and c.row(n).layout.display == "none")
    errors = {n: lbl.value for n, lbl in c.errors.items() if lbl.value and decl.field_for(n) == n}
    return {"html": c.result_html.value, "errors": errors, "figure": c.figure(), "table": c.figure_table_html(),
            "hidden": hidden}


def check_same(c, name: str, values: dict[str, str]) -> dict:
    decl = calc.get(name)
    values = {**decl.defaults(), **values}
    out = calc.run(name, values)
    assert json.loads(json.dumps(out)) == out                               # JSON-ready
    assert calc.run(name, as_page_sends(decl, values)) == out               # labels or values: same outcome
    type_into(c, decl, values)
    seen = shown(c, decl)
    assert seen["html"] == out["html"]
    assert seen["errors"] == out["errors"]
    assert seen["figure"] == out["figure"] and seen["table"] == out["table"]
    assert [n for n in seen["hidden"]] == [n for n in out["hidden"] if c.row(n) is not None]
    if out["errors"]:
        assert "No result" in out["html"] and out["figure"] is None
    return out


@pytest.mark.parametrize("name", calc.names())
def test_the_example_gives_a_result_in_both_bindings(widgets_of, name):
    out = check_same(widgets_of(name), name, EXAMPLES[name])
    assert out["errors"] == {} and "No result" not in out["html"]
    if calc.get(name).chart is not None:
        assert out["figure"]["data"] and "<table" in out["table"]


def junk_cases():
    for name in calc.names():
        decl = calc.get(name)
        for f in decl.fields:
            if f.kind in ("number", "text"):
                for junk in JUNK:
                    yield name, f.name, junk
            elif f.kind == "date":
                yield name, f.name, ""


@pytest.mark.parametrize("name, field, junk", list(junk_cases()))
def test_a_bad_value_in_any_field_gives_the_same_message_and_no_dose(widgets_of, name, field, junk):
    out = check_same(widgets_of(name), name, {**EXAMPLES[name], field: junk})
    if out["errors"]:
        assert len(out["errors"]) == 1 and "⚠" in next(iter(out["errors"].values()))
        assert " mg" not in out["html"]           # no dose next to a message


def values_strategy(decl: calc.Declaration):
    parts = {}
    for f in decl.fields:
        if f.kind == "choice":
            parts[f.name] = st.sampled_from([v for _, v in f.options] + [lbl for lbl, _ in f.options])
        elif f.kind == "flag":
            parts[f.name] = st.sampled_from(["true", "false"])
        elif f.kind == "date":
            parts[f.name] = st.one_of(st.just(""), st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1))
                                      .map(datetime.date.isoformat))
        else:
            parts[f.name] = st.one_of(st.sampled_from(JUNK + (f.default, "1", "14", "70", "1.2", "10:00")),
                                      st.floats(-10, 2000, allow_nan=False).map(lambda x: f"{x:.3g}"))
    return st.fixed_dictionaries(parts)


@pytest.mark.parametrize("name", calc.names())
def test_both_bindings_agree_on_any_input(widgets_of, name):
    decl = calc.get(name)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(values=values_strategy(decl))
    def agree(values):
        check_same(widgets_of(name), name, values)
    agree()


@pytest.mark.parametrize("name", calc.names())
def test_widgets_carry_the_page_marks(name):
    c = BUILDERS[name]()
    decl = calc.get(name)
    assert calc.MARK_CALCULATOR + name in c._dom_classes
    for f in decl.fields:
        assert calc.MARK_FIELD + f.name in c.fields[f.name]._dom_classes
        row = c.row(f.name)
        assert row is None or calc.MARK_ROW + f.name in row._dom_classes
        if decl.field_for(f.name) == f.name:
            assert calc.MARK_ERROR + f.name in c.errors[f.name]._dom_classes
    assert calc.MARK_RESULT in c.result_html._dom_classes


def test_a_chart_cell_is_tied_to_its_calculator():
    c = ui.monitoring_calculator(drug="foscarnet", start=datetime.date(2026, 3, 2))
    bundle = c.chart()._repr_mimebundle_()
    assert f'data-cmv-chart-for="{c.model_id}"' in bundle["text/html"]
    assert f'data-cmv-table-for="{c.model_id}"' in bundle["text/html"] and "<table" in bundle["text/html"]
    assert bundle["application/vnd.plotly.v1+json"]["data"] == c.figure()["data"]
    c.fields["induction_days"].value = "soon"
    bad = c.chart()._repr_mimebundle_()
    assert "plotly-graph-div" not in bad["text/html"] and calc.NO_CHART in bad["text/html"]
