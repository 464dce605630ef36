"""cmvlib.toxicity: the sourced toxicity windows and laboratory rules of facts.md sections 1-5 and 9,
the chart timeline, the blood-count check and every invalid input."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmvlib import _data, toxicity
from cmvlib.errors import InputError
from cmvlib.sources import sources
from cmvlib.toxicity import DRUGS, check_labs, effects, thresholds, timeline


def _row(drug, effect, source=None):
    rows = [w for w in effects(drug) if w.effect == effect and (source is None or w.source == source)]
    assert len(rows) == 1, (drug, effect, source, rows)
    return rows[0]


def _threshold(drug, lab, when=None):
    rows = [t for t in thresholds(drug) if t.lab == lab and (when is None or t.when == when)]
    assert len(rows) == 1, (drug, lab, when, rows)
    return rows[0]


# ------------------------------------------------------------------------------ data integrity

@pytest.mark.parametrize("table", ["toxicity", "lab_thresholds"])
def test_rows_have_known_sources_and_drugs(table):
    known = sources()
    rows = _data.table(table)
    assert rows
    for row in rows:
        assert row["source"] in known, row
        assert row["drug"] in DRUGS, row


def test_toxicity_rows_are_consistent():
    drawn = set()
    for drug in DRUGS:
        for w in effects(drug):
            assert w.relative_to in toxicity.RELATIVE_TO
            assert w.drawn == (w.relative_to != ""), w
            if w.onset_end_day is not None:
                assert w.onset_start_day is not None and w.onset_start_day <= w.onset_end_day, w
            if w.relative_to in ("dose", "infusion"):
                assert w.onset_end_day is not None, w
            if w.incidence_pct is not None:
                assert 0 < w.incidence_pct <= 100 and f"{w.incidence_pct:g}%" in w.incidence, w
            if w.recovery_start_day is not None:
                assert w.recovery_end_day is not None and w.recovery_start_day <= w.recovery_end_day
            if w.drawn:
                assert (drug, w.effect) not in drawn, f"two drawn rows for {drug} {w.effect}"
                drawn.add((drug, w.effect))


def test_threshold_rows_are_consistent():
    for drug in DRUGS:
        for t in thresholds(drug):
            assert t.comparison in ("<", "<=", ">", ">=", "between", "")
            assert (t.value is None) == (t.comparison == "")
            assert (t.value_high is not None) == (t.comparison == "between")
            assert t.lab in toxicity.LAB_NAMES
            assert t.when in ("before starting", "during therapy", "before each dose")


def test_unverified_numbers_are_not_data():
    # cidofovir discontinuation at a creatinine rise >= 0.5 mg/dL / 3+ proteinuria: UNVERIFIED numbers
    cido = thresholds("cidofovir")
    assert all(not (t.lab == "scr_rise_mg_dl" and t.value == 0.5) for t in cido)
    assert all("discontinu" not in t.action for t in cido)
    # institutional neutropenia 30-40% / thrombocytopenia 20%: no citation key, left out
    for drug in ("ganciclovir", "valganciclovir"):
        assert all(w.incidence not in ("30-40%", "20%") for w in effects(drug))


# -------------------------------------------------------------------- exact facts (sections 1-5, 9)

def test_ganciclovir_neutropenia_timing_and_recovery():
    smpc = _row("ganciclovir", "neutropenia", "smpc-ganciclovir-uk")
    assert (smpc.onset_start_day, smpc.onset_end_day, smpc.relative_to) == (0, 14, "course")
    assert (smpc.recovery_start_day, smpc.recovery_end_day) == (2, 5)
    davis = _row("ganciclovir", "neutropenia", "davis-drug-guide")
    assert (davis.recovery_start_day, davis.recovery_end_day) == (3, 7)
    assert not davis.drawn


@pytest.mark.parametrize("effect, source, pct", [
    ("neutropenia", "insert-ganciclovir-tw", 26.1),
    ("anemia", "insert-ganciclovir-tw", 19.9),
    ("thrombocytopenia", "insert-ganciclovir-tw", 7.3),
    ("leukopenia", "insert-ganciclovir-tw", 3.9),
    ("leukopenia", "label-ganciclovir-us", 41),
    ("anemia", "label-ganciclovir-us", 25),
])
def test_ganciclovir_incidences(effect, source, pct):
    assert _row("ganciclovir", effect, source).incidence_pct == pct


def test_valganciclovir_neutropenia():
    w = _row("valganciclovir", "neutropenia")
    assert (w.onset_start_day, w.onset_end_day, w.recovery_start_day, w.recovery_end_day) == (0, 14, 2, 5)
    assert w.source == "mims-valcyte"
    severe = _row("valganciclovir", "severe neutropenia")
    assert severe.incidence_pct == 21.8 and "3 weeks" in severe.timing and severe.source == "martingandul2014"


def test_foscarnet_nephrotoxicity():
    rows = [w for w in effects("foscarnet") if w.effect.startswith("nephrotoxicity")]
    assert sorted(w.incidence_pct for w in rows) == [12, 33]
    drawn = [w for w in rows if w.drawn]
    assert len(drawn) == 1
    assert (drawn[0].onset_start_day, drawn[0].onset_end_day, drawn[0].incidence_pct) == (7, 14, 12)
    assert "34/280" in drawn[0].incidence


@pytest.mark.parametrize("effect, incidence, relative_to", [
    ("hypocalcemia (fall in ionized calcium)", "15-30%", "infusion"),
    ("hypomagnesemia", "15-30%", "course"),
    ("hypokalemia", "16-48%", "course"),
    ("hypophosphatemia", "8-26%", "course"),
    ("hyperphosphatemia", "6%", "course"),
])
def test_foscarnet_electrolytes(effect, incidence, relative_to):
    w = _row("foscarnet", effect)
    assert (w.incidence, w.relative_to) == (incidence, relative_to)
    if relative_to == "course":
        assert (w.onset_start_day, w.onset_end_day) == (0, None)  # throughout therapy


def test_foscarnet_seizures():
    w = _row("foscarnet", "seizures")
    assert w.incidence_pct == 10 and "18/189" in w.incidence


@pytest.mark.parametrize("effect, pct", [
    ("nephrotoxicity", 59), ("neutropenia (ANC <=500/mm3)", 24),
    ("intraocular pressure fall (>=50% from baseline)", 24), ("uveitis/iritis", 11), ("iritis", 26),
])
def test_cidofovir_incidences(effect, pct):
    assert _row("cidofovir", effect).incidence_pct == pct


def test_cidofovir_iritis_window_is_mean_plus_minus_sd():
    w = _row("cidofovir", "iritis")
    assert w.relative_to == "dose" and w.source == "davis1997"
    assert w.onset_start_day == pytest.approx(4.9 - 1.8) and w.onset_end_day == pytest.approx(4.9 + 1.8)
    assert "4.2 ± 1.6 doses" in w.timing


def test_cidofovir_nephrotoxicity_from_first_dose():
    w = _row("cidofovir", "nephrotoxicity")
    assert (w.onset_start_day, w.onset_end_day, w.relative_to) == (0, None, "course")
    assert "1-2 doses" in w.timing


def test_maribavir_taste():
    w = _row("maribavir", "taste disturbance")
    assert w.incidence_pct == 46 and "108/234" in w.incidence


# ------------------------------------------------------------------------------ lab thresholds

@pytest.mark.parametrize("drug, source", [("ganciclovir", "label-ganciclovir-us"),
                                          ("valganciclovir", "label-valganciclovir-us")])
def test_myelotoxic_start_thresholds(drug, source):
    assert (_threshold(drug, "anc_per_ul").comparison, _threshold(drug, "anc_per_ul").value) == ("<", 500)
    assert _threshold(drug, "platelets_per_ul").value == 25000
    assert _threshold(drug, "hemoglobin_g_dl").value == 8
    assert {t.source for t in thresholds(drug) if t.value is not None} == {source}
    kotton = _threshold(drug, "wbc")
    assert kotton.source == "kotton2025" and "leukopenia alone" in kotton.action


def test_foscarnet_and_cidofovir_thresholds():
    stop = _threshold("foscarnet", "crcl_ml_min_per_kg", "during therapy")
    assert (stop.comparison, stop.value, stop.unit) == ("<", 0.4, "mL/min/kg") and "stop" in stop.action
    assert _threshold("foscarnet", "crcl_ml_min_per_kg", "before starting").value == 0.4
    assert (_threshold("cidofovir", "scr_mg_dl").comparison, _threshold("cidofovir", "scr_mg_dl").value) == (">", 1.5)
    assert (_threshold("cidofovir", "crcl_ml_min").comparison, _threshold("cidofovir", "crcl_ml_min").value) == ("<=", 55)
    protein = _threshold("cidofovir", "urine_protein_mg_dl")
    assert (protein.comparison, protein.value) == (">=", 100)
    rise = _threshold("cidofovir", "scr_rise_mg_dl")
    assert (rise.comparison, rise.value, rise.value_high) == ("between", 0.3, 0.4)
    assert "3 mg/kg" in rise.action
    assert thresholds("maribavir") == []


def test_threshold_applies_at_edges():
    assert _threshold("cidofovir", "scr_mg_dl").applies(1.51) and not _threshold("cidofovir", "scr_mg_dl").applies(1.5)
    assert _threshold("cidofovir", "crcl_ml_min").applies(55) and not _threshold("cidofovir", "crcl_ml_min").applies(55.1)
    assert _threshold("cidofovir", "urine_protein_mg_dl").applies(100)
    rise = _threshold("cidofovir", "scr_rise_mg_dl")
    assert rise.applies(0.3) and rise.applies(0.4) and not rise.applies(0.29) and not rise.applies(0.41)
    assert not _threshold("ganciclovir", "wbc").applies(0)


# ---------------------------------------------------------------------------------- check_labs

@pytest.mark.parametrize("drug", ["ganciclovir", "valganciclovir"])
def test_check_labs_edges(drug):
    assert check_labs(drug, anc_per_ul=500, platelets_per_ul=25000, hemoglobin_g_dl=8) == []
    assert check_labs(drug) == []
    found = check_labs(drug, anc_per_ul=499, platelets_per_ul=24999, hemoglobin_g_dl=7.9)
    assert [(f.lab, f.value) for f in found] == [("anc_per_ul", 499), ("platelets_per_ul", 24999),
                                                 ("hemoglobin_g_dl", 7.9)]
    assert {f.action for f in found} == {"do not start (label: avoid)"}
    assert found[0].threshold == "ANC < 500 cells/µL"


def test_check_labs_accepts_text_and_zero_counts():
    (f,) = check_labs("ganciclovir", anc_per_ul="0")
    assert (f.lab, f.value, f.source) == ("anc_per_ul", 0.0, "label-ganciclovir-us")


@pytest.mark.parametrize("drug", ["foscarnet", "cidofovir", "maribavir"])
def test_check_labs_no_blood_count_thresholds(drug):
    assert check_labs(drug, anc_per_ul=100, platelets_per_ul=1000, hemoglobin_g_dl=5) == []


@pytest.mark.parametrize("kwargs, field", [
    (dict(anc_per_ul=-1), "anc_per_ul"), (dict(anc_per_ul=100001), "anc_per_ul"),
    (dict(anc_per_ul=float("nan")), "anc_per_ul"), (dict(anc_per_ul=True), "anc_per_ul"),
    (dict(anc_per_ul="low"), "anc_per_ul"), (dict(anc_per_ul=""), "anc_per_ul"),
    (dict(platelets_per_ul=-5), "platelets_per_ul"), (dict(platelets_per_ul=2_000_001), "platelets_per_ul"),
    (dict(platelets_per_ul=float("inf")), "platelets_per_ul"),
    (dict(hemoglobin_g_dl=0), "hemoglobin_g_dl"), (dict(hemoglobin_g_dl=-3), "hemoglobin_g_dl"),
    (dict(hemoglobin_g_dl=26), "hemoglobin_g_dl"), (dict(hemoglobin_g_dl=120), "hemoglobin_g_dl"),
    (dict(hemoglobin_g_dl=[8]), "hemoglobin_g_dl"),
])
def test_check_labs_invalid(kwargs, field):
    with pytest.raises(InputError) as e:
        check_labs("ganciclovir", **kwargs)
    assert e.value.field == field


_anything = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=6),
                      st.floats(allow_nan=True, allow_infinity=True), st.lists(st.integers(), max_size=2))


@settings(max_examples=300)
@given(drug=st.one_of(st.sampled_from(DRUGS), _anything), anc=_anything, plt=_anything, hb=_anything)
def test_check_labs_never_raises_anything_but_input_error(drug, anc, plt, hb):
    try:
        found = check_labs(drug, anc, plt, hb)
    except InputError:
        return
    assert isinstance(found, list)


@settings(max_examples=200)
@given(anc=st.floats(0, 100000), plt=st.floats(0, 2e6), hb=st.floats(1, 25))
def test_check_labs_flags_exactly_the_low_counts(anc, plt, hb):
    labs = {f.lab for f in check_labs("ganciclovir", anc, plt, hb)}
    assert labs == {lab for lab, low in (("anc_per_ul", anc < 500), ("platelets_per_ul", plt < 25000),
                                         ("hemoglobin_g_dl", hb < 8)) if low}


# -------------------------------------------------------------------------------------- timeline

def test_timeline_ganciclovir():
    (w,) = timeline("ganciclovir", 21, 28)
    assert (w.effect, w.start_day, w.end_day, w.source) == ("neutropenia", 0, 14, "smpc-ganciclovir-uk")
    assert "week 1 or 2 of induction" in w.label


def test_timeline_clips_course_windows_to_the_course():
    (w,) = timeline("ganciclovir", 10)
    assert (w.start_day, w.end_day) == (0, 10)
    assert [w.effect for w in timeline("foscarnet", 5) if w.effect.startswith("nephro")] == []
    neph = [w for w in timeline("foscarnet", 10) if w.effect.startswith("nephro")]
    assert [(w.start_day, w.end_day) for w in neph] == [(7, 10)]


def test_timeline_foscarnet():
    windows = timeline("foscarnet", 14, 14, dose_days=[0, 1, 2])
    calcium = [w for w in windows if w.effect.startswith("hypocalcemia")]
    assert [(w.start_day, round(w.end_day * 24, 3)) for w in calcium] == [(0, 2.0), (1, 26.0), (2, 50.0)]
    throughout = {w.effect: (w.start_day, w.end_day) for w in windows if w.end_day == 28}
    assert throughout == {"hypomagnesemia": (0, 28), "hypokalemia": (0, 28), "hypophosphatemia": (0, 28),
                          "hyperphosphatemia": (0, 28)}
    neph = [w for w in windows if w.effect.startswith("nephro")]
    assert [(w.start_day, w.end_day) for w in neph] == [(7, 14)] and "12%" in neph[0].label


def test_timeline_dose_days_any_iterable_duplicates_merged():
    a = timeline("cidofovir", 14, dose_days=[7, 0, 0])
    assert a == timeline("cidofovir", 14, dose_days=range(0, 14, 7)) == timeline("cidofovir", 14, dose_days=(0, 7))


def test_timeline_without_dose_days_omits_dose_windows():
    assert all(not w.effect.startswith("hypocalcemia") for w in timeline("foscarnet", 14))
    assert [w.effect for w in timeline("cidofovir", 14)] == ["nephrotoxicity"]


def test_timeline_cidofovir_iritis_per_dose():
    windows = timeline("cidofovir", 14, 28, dose_days=[0, 7, 21, 35])
    iritis = [(w.start_day, w.end_day) for w in windows if w.effect == "iritis"]
    assert iritis == [pytest.approx((d + 3.1, d + 6.7)) for d in (0, 7, 21, 35)]
    assert [w for w in windows if w.effect == "nephrotoxicity"][0].end_day == 42
    assert windows == sorted(windows, key=lambda w: (w.start_day, w.end_day, w.effect))


def test_timeline_maribavir_has_no_drawn_windows():
    assert timeline("maribavir", 56) == []


@settings(max_examples=100)
@given(drug=st.sampled_from(DRUGS), induction=st.floats(0.5, 365), maintenance=st.floats(0, 365),
       doses=st.lists(st.floats(0, 1), max_size=6))
def test_timeline_windows_are_well_formed(drug, induction, maintenance, doses):
    total = induction + maintenance
    dose_days = [d * total * 0.999 for d in doses]
    for w in timeline(drug, induction, maintenance, dose_days):
        assert 0 <= w.start_day <= w.end_day
        assert w.source in sources()
        assert w.label.startswith(w.effect)


@pytest.mark.parametrize("args, kwargs, field", [
    (("zidovudine", 14), {}, "drug"), (("", 14), {}, "drug"), ((None, 14), {}, "drug"),
    (("ganciclovir", 0), {}, "induction_days"), (("ganciclovir", -7), {}, "induction_days"),
    (("ganciclovir", 400), {}, "induction_days"), (("ganciclovir", "two weeks"), {}, "induction_days"),
    (("ganciclovir", True), {}, "induction_days"), (("ganciclovir", None), {}, "induction_days"),
    (("ganciclovir", 14, -1), {}, "maintenance_days"), (("ganciclovir", 14, 500), {}, "maintenance_days"),
    (("ganciclovir", 14, float("nan")), {}, "maintenance_days"),
    (("cidofovir", 14), dict(dose_days="0,7"), "dose_days"), (("cidofovir", 14), dict(dose_days=7), "dose_days"),
    (("cidofovir", 14), dict(dose_days=[0, -7]), "dose_days[1]"),
    (("cidofovir", 14), dict(dose_days=[0, 14]), "dose_days[1]"),
    (("cidofovir", 14, 14), dict(dose_days=[0, 30]), "dose_days[1]"),
    (("cidofovir", 14), dict(dose_days=[None]), "dose_days[0]"),
    (("cidofovir", 14), dict(dose_days={0: 1}), "dose_days"),
    (("foscarnet", 14), dict(dose_days=[0.001] * 2001), "dose_days"),
])
def test_timeline_invalid(args, kwargs, field):
    with pytest.raises(InputError) as e:
        timeline(*args, **kwargs)
    assert e.value.field == field


@pytest.mark.parametrize("bad", ["Ganciclovir-X", "letermovir", "", None, 3, True, "aciclovir"])
def test_unknown_drug_everywhere(bad):
    for call in (lambda: effects(bad), lambda: thresholds(bad), lambda: check_labs(bad), lambda: timeline(bad, 14)):
        with pytest.raises(InputError) as e:
            call()
        assert e.value.field == "drug"


def test_drug_names_are_case_insensitive():
    assert effects(" Foscarnet ") == effects("foscarnet")


@settings(max_examples=150)
@given(drug=st.one_of(st.sampled_from(DRUGS), _anything), ind=_anything, maint=_anything,
       doses=st.one_of(st.none(), _anything, st.lists(_anything, max_size=4)))
def test_timeline_raises_only_input_error(drug, ind, maint, doses):
    try:
        timeline(drug, ind, maint, doses)
    except InputError:
        pass
