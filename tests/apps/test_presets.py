"""cmvlib.presets: a URL query string -> inputs for ``calc.set_inputs`` (fast, no server)."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmvlib import examples
from cmvlib.errors import InputError
from cmvlib.presets import MAX_PARAMETERS, MAX_VALUE_LENGTH, inputs_from_query


@pytest.mark.parametrize("name", examples.NAMES)
def test_every_example_is_a_scenario(name):
    assert inputs_from_query(f"scenario={name}") == {"scenario": name}


def test_explicit_values_come_back_as_typed_text():
    q = "age_years=68&sex=male&weight_kg=70&serum_creatinine_mg_dl=1.01&on_hemodialysis=false"
    assert inputs_from_query("?" + q) == {"age_years": "68", "sex": "male", "weight_kg": "70",
                                          "serum_creatinine_mg_dl": "1.01", "on_hemodialysis": "false"}


def test_percent_encoding_and_newlines_in_a_value():
    assert inputs_from_query("points=0,25000%0A7,2500") == {"points": "0,25000\n7,2500"}


def test_voila_parameters_are_not_inputs():
    assert inputs_from_query("template=lab&theme=dark&token=abc&scenario=obese") == {"scenario": "obese"}


@pytest.mark.parametrize("query", [None, "", "?", "   "])
def test_nothing_given(query):
    assert inputs_from_query(query) == {}


@pytest.mark.parametrize("query, field, words", [
    ("scenario=nowhere", "scenario", "unknown example"),
    ("scenario=", "scenario", "unknown example"),
    ("weight_kg=70&weight_kg=80", "weight_kg", "given twice"),
    ("Weight_kg=70&weight_kg=80", "weight_kg", "given twice"),
    ("weight-kg=70", "query", "not a preset name"),
    ("1abc=2", "query", "not a preset name"),
    ("__class__=x", "query", "not a preset name"),
    ("=5", "query", "not a preset name"),
    ("a=1&&b=2", "query", "malformed"),
    ("weight_kg", "query", "malformed"),
    ("x=" + "9" * (MAX_VALUE_LENGTH + 1), "x", "at most"),
    ("x=a%00b", "x", "plain text"),
    ("&".join(f"k{i}=1" for i in range(MAX_PARAMETERS + 1)), "query", "at most"),
])
def test_bad_queries_raise_input_error_naming_the_parameter(query, field, words):
    with pytest.raises(InputError) as err:
        inputs_from_query(query)
    assert err.value.field == field and words in err.value.problem


def test_allowed_names():
    assert inputs_from_query("scenario=obese&weight_basis=adjusted", allowed=["weight_basis"]) == \
        {"scenario": "obese", "weight_basis": "adjusted"}
    with pytest.raises(InputError, match="dose_mg: is not a preset of this app"):
        inputs_from_query("dose_mg=9000", allowed=["weight_kg"])


def test_not_text():
    with pytest.raises(InputError):
        inputs_from_query(b"scenario=obese")  # type: ignore[arg-type]


names = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True).filter(
    lambda n: n not in ("scenario", "template", "theme", "token"))


@given(st.dictionaries(names, st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=60),
                       max_size=MAX_PARAMETERS))
def test_any_well_formed_query_round_trips(values):
    assert inputs_from_query(urlencode(values)) == values


@given(st.text(max_size=300))
def test_any_text_gives_inputs_or_input_error(text):
    try:
        out = inputs_from_query(text)
    except InputError as err:
        assert err.field and err.problem
    else:
        assert isinstance(out, dict) and all(isinstance(v, str) for v in out.values())
