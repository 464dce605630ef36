"""cmvlib.regimen: the guideline's regimen choice, IV-to-oral switch, stopping rule and refractory flag."""
from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmvlib import _data
from cmvlib.errors import InputError
from cmvlib.guideline import bullet
from cmvlib.regimen import (
    FLAG_STATUSES, RESISTANCE, CaseFeatures, Decision, Flag, actions, can_stop, not_advised, plan, refractory_flag, rule,
    rule_source, select_regimen, switch_to_oral)

KNOWN_SOURCES = {r["key"] for r in _data.table("sources")}
BOOL_FIELDS = [f.name for f in dataclasses.fields(CaseFeatures) if f.name not in ("resistance", "transplant")]


def case(**kw) -> CaseFeatures:
    base = dict(severe=False, gi_absorption_ok=True, high_viral_load=False)
    base.update(kw)
    return CaseFeatures(**base)


def drugs(features: CaseFeatures) -> list[tuple[str, ...]]:
    return [o.drugs for o in select_regimen(features)]


GCV, VGC, FOS, CDV, MBV = ("ganciclovir",), ("valganciclovir",), ("foscarnet",), ("cidofovir",), ("maribavir",)
COMBO = ("ganciclovir", "foscarnet")


@st.composite
def features(draw) -> CaseFeatures:
    kw = {name: draw(st.booleans()) for name in BOOL_FIELDS if name != "on_art"}
    kw["on_art"] = draw(st.booleans()) if kw["hiv"] else False
    kw["resistance"] = draw(st.sampled_from(RESISTANCE))
    kw["transplant"] = draw(st.sampled_from([None, "sot", "hsct"]))
    return CaseFeatures(**kw)


# --------------------------------------------------------------------------------------------------
# decision_rules.csv
# --------------------------------------------------------------------------------------------------
def test_decision_rules_exact_values_and_sources():
    rows = {r["rule"]: r for r in _data.table("decision_rules")}
    assert {k: float(r["value"]) for k, r in rows.items()} == {
        "iv_before_oral_min_days": 3, "iv_before_oral_max_days": 5, "min_treatment_days": 14,
        "stop_consecutive_two_results": 2, "refractory_min_days": 14, "refractory_window_days": 14,
        "response_min_log10_fall": 1}
    for r in rows.values():
        assert r["source"] in KNOWN_SOURCES and r["unit"] and r["note"] and r["detail"]
    assert rule_source("iv_before_oral_min_days") == "guideline-summary"
    assert rule_source("min_treatment_days") == "kotton2025"
    assert rule_source("response_min_log10_fall") == "griffiths2021"
    assert rule_source("refractory_min_days") == "kotton2025"
    assert "never as refractory" in rows["response_min_log10_fall"]["note"]
    assert "refractory_min_log10_fall" not in rows      # a fall is not a refractory criterion
    with pytest.raises(KeyError, match="unknown decision rule"):
        rule("no-such-rule")


# --------------------------------------------------------------------------------------------------
# CaseFeatures validation
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", BOOL_FIELDS)
@pytest.mark.parametrize("bad", [1, 0, "yes", "True", None, 1.0])
def test_boolean_fields_refuse_non_bools(name, bad):
    kw = dict(severe=False, gi_absorption_ok=True, high_viral_load=False, hiv=True)
    kw[name] = bad
    with pytest.raises(InputError) as e:
        CaseFeatures(**kw)
    assert e.value.field == name


@pytest.mark.parametrize("bad", ["ul23", "", None, 97, "resistant", True])
def test_resistance_enum(bad):
    with pytest.raises(InputError) as e:
        case(resistance=bad)
    assert e.value.field == "resistance"


@pytest.mark.parametrize("bad", ["kidney", "", "SOT ", 1, True, "none"])
def test_transplant_enum(bad):
    if bad == "SOT ":
        assert case(transplant=bad).transplant == "sot"     # case and spaces are forgiven
        return
    with pytest.raises(InputError) as e:
        case(transplant=bad)
    assert e.value.field == "transplant"


def test_enum_normalisation_and_on_art_rule():
    assert case(resistance=" UL54").resistance == "ul54"
    assert case(transplant="HSCT").transplant == "hsct"
    with pytest.raises(InputError) as e:
        case(on_art=True)
    assert e.value.field == "on_art"
    assert case(hiv=True, on_art=True).on_art is True


def test_required_fields_and_frozen():
    with pytest.raises(TypeError):
        CaseFeatures(severe=True, gi_absorption_ok=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        CaseFeatures(True, True, False)  # type: ignore[misc]  # keyword-only
    with pytest.raises(dataclasses.FrozenInstanceError):
        case().severe = True  # type: ignore[misc]


@pytest.mark.parametrize("fn", [select_regimen, actions, not_advised, plan])
@pytest.mark.parametrize("bad", [None, {"severe": True}, "severe"])
def test_functions_refuse_non_features(fn, bad):
    with pytest.raises(InputError) as e:
        fn(bad)
    assert e.value.field == "features"


# --------------------------------------------------------------------------------------------------
# select_regimen: exact rankings for teaching cases
# --------------------------------------------------------------------------------------------------
def test_uncomplicated_non_severe_case():
    opts = select_regimen(case())
    assert [o.drugs for o in opts] == [GCV, VGC, FOS, CDV]
    assert [o.rank for o in opts] == [1, 2, 3, 4]
    assert opts[0].bullet_ids == ("first-line-1",) and opts[0].evidence == "verified"
    assert opts[1].evidence.startswith("verified-secondary") and "kotton2025" in opts[1].sources
    assert "third" in opts[3].title.lower() and opts[3].bullet_ids == ("alternatives-3",)
    assert not_advised(case()) == []


@pytest.mark.parametrize("kw", [dict(severe=True), dict(gi_absorption_ok=False), dict(high_viral_load=True)])
def test_pitfalls_2_keeps_oral_valganciclovir_from_initial_therapy(kw):
    f = case(**kw)
    assert drugs(f) == [GCV, FOS, CDV]
    (na,) = not_advised(f)
    assert na.drugs == VGC and "pitfalls-2" in na.bullet_ids and "first-line-2" in na.bullet_ids
    assert "switch criteria" in na.reason          # it can still be the oral step-down later


def test_severe_case_cites_prompt_start():
    top = select_regimen(case(severe=True))[0]
    assert top.drugs == GCV and top.bullet_ids == ("first-line-1", "first-line-3")
    assert top.evidence == "verified"             # the drug choice rests on first-line-1


def test_cns_disease_combination_flagged_unverified():
    f = case(severe=True, cns_disease=True)
    opts = select_regimen(f)
    assert [o.drugs for o in opts] == [COMBO, GCV, FOS, CDV]
    assert opts[0].evidence.startswith("unverified (alternatives-2)")
    assert "alternatives-2" in opts[0].bullet_ids
    assert [n.drugs for n in not_advised(f)] == [VGC]


def test_progressing_despite_therapy():
    f = case(severe=True, progressing_on_therapy=True)
    opts = select_regimen(f)
    assert [o.drugs for o in opts] == [COMBO, FOS, GCV, CDV]
    assert opts[0].evidence.startswith("unverified (pitfalls-4)")
    assert "guideline-summary" in opts[0].sources            # pitfalls-4 has no other source
    assert opts[2].title == "IV ganciclovir (pending genotype)"
    assert [a.title for a in actions(f)] == ["Send a resistance genotype (UL97 and UL54; UL27 after maribavir, UL56 after letermovir)"]
    # not a transplant recipient: maribavir is labelled only after transplantation
    assert [n.drugs for n in not_advised(f)] == [VGC, MBV]


def test_ganciclovir_intolerance():
    f = case(ganciclovir_intolerance=True)
    opts = select_regimen(f)
    assert [o.drugs for o in opts] == [FOS, CDV]
    assert opts[0].title == "Foscarnet" and "intolerance" in opts[0].rationale
    assert [n.drugs for n in not_advised(f)] == [GCV, VGC]


def test_ul97_resistance():
    f = case(severe=True, resistance="ul97", transplant="sot")
    opts = select_regimen(f)
    assert [o.drugs for o in opts] == [FOS, MBV, CDV]
    assert "UL97" in opts[0].rationale and "smpc-ganciclovir-uk" in opts[0].sources
    assert "leave it active" in opts[2].rationale
    assert [n.drugs for n in not_advised(f)] == [GCV, VGC]
    assert "Check UL54 as well" in [a.title for a in actions(f)]


def test_ul54_resistance_genotype_guided_and_maribavir():
    f = case(severe=True, resistance="ul54", transplant="hsct")
    opts = select_regimen(f)
    assert [o.drugs for o in opts] == [FOS, MBV, CDV]
    assert "genotype" in opts[0].rationale and "chou2011" in opts[0].sources
    mbv = opts[1]
    assert mbv.sources[-2:] == ("label-maribavir-us", "avery2022")
    assert mbv.evidence.startswith("verified") and "not part of the guideline summary" in mbv.evidence
    assert "Only if the genotype allows" in opts[2].rationale


def test_ul54_cns_disease_excludes_maribavir():
    f = case(severe=True, resistance="ul54", transplant="sot", cns_disease=True)
    assert drugs(f) == [FOS, CDV]
    excluded = {n.drugs: n for n in not_advised(f)}
    assert set(excluded) == {COMBO, GCV, VGC, MBV}
    assert "CNS" in excluded[MBV].reason and "label-maribavir-us" in excluded[MBV].sources


def test_suspected_resistance():
    f = case(resistance="suspected", transplant="sot")
    assert drugs(f) == [FOS, GCV, MBV, CDV]
    assert "not yet proven" in select_regimen(f)[0].rationale
    assert "Send a resistance genotype (UL97 and UL54; UL27 after maribavir, UL56 after letermovir)" in [a.title for a in actions(f)]


@pytest.mark.parametrize("resistance", ["ul97", "ul54", "suspected"])
def test_retinitis_ranks_maribavir_last_with_a_flag(resistance):
    # Label (facts.md section 5): not expected to work in CNS CMV disease (low CNS penetration); the retina
    # is part of the CNS. Without retinitis maribavir sits above cidofovir, with it below everything.
    plain = select_regimen(case(severe=True, resistance=resistance, transplant="sot"))
    eye = select_regimen(case(severe=True, resistance=resistance, transplant="sot", retinitis=True))
    assert [o.drugs for o in plain][-2:] == [MBV, CDV] and not [o for o in plain if o.drugs == MBV][0].flag
    assert eye[-1].drugs == MBV and eye[-2].drugs == CDV
    mbv = eye[-1]
    assert "retin" in mbv.flag and "central nervous system" in mbv.flag and "US label" in mbv.flag
    assert mbv.rationale.startswith("CAUTION: " + mbv.flag)
    assert "last" in mbv.title and "label-maribavir-us" in mbv.sources
    assert [o.drugs for o in eye][:-1] == [o.drugs for o in plain if o.drugs != MBV]


def test_cns_and_retinitis_excludes_maribavir():
    f = case(severe=True, resistance="ul97", transplant="sot", cns_disease=True, retinitis=True)
    assert MBV not in drugs(f) and MBV in [n.drugs for n in not_advised(f)]


def test_foscarnet_progression_re_induces_before_120():
    # Label (facts.md section 3): maintenance 90-120 mg/kg/day; 120 only when early re-induction is needed.
    opt = next(o for o in select_regimen(case(severe=True, progressing_on_therapy=True)) if o.drugs == FOS)
    text = opt.rationale
    assert "re-induces first" in text and text.index("re-induces first") < text.index("120 mg/kg/day")
    assert "does not simply raise the maintenance dose" in text and "label-foscarnet-us" in opt.sources
    calm = next(o for o in select_regimen(case()) if o.drugs == FOS)
    assert "120" not in calm.rationale


def test_mtor_switch_is_secondary_prevention_not_treatment():
    # Kotton 2025 figure (facts.md 7a): secondary prevention in R+ kidney recipients: "consider switching
    # from mycophenolate to mTOR and reduce CNI".
    (sot,) = actions(case(transplant="sot"))
    assert "secondary prevention, not treatment of the current disease" in sot.rationale
    assert "'consider switching from mycophenolate to mTOR and reduce CNI'" in sot.rationale
    assert "kotton2025" in sot.sources
    for f in (case(transplant="hsct"), case(immunosuppressed=True)):
        (a,) = actions(f)
        assert "mTOR" not in a.rationale


# --------------------------------------------------------------------------------------------------
# actions
# --------------------------------------------------------------------------------------------------
def test_actions_exact():
    f = case(severe=True, pneumonitis=True, retinitis=True, transplant="sot", mononucleosis_like=True)
    acts = actions(f)
    assert [a.title for a in acts] == ["Stop immunosuppressive therapy (strongly recommended)",
                                       "Add intravenous immunoglobulin (adjunct for pneumonitis)",
                                       "Ophthalmologic examination"]
    assert acts[0].evidence.startswith("unverified (special-populations-3)")
    assert acts[1].evidence.startswith("unverified (alternatives-4)")
    assert acts[1].sources == ("reed1988", "ontario-ivig")
    assert acts[2].bullet_ids == ("monitoring-4", "duration-2")


def test_reduce_immunosuppression_and_art():
    (a,) = actions(case(immunosuppressed=True))
    assert a.title == "Reduce or stop immunosuppressive therapy when possible"
    assert a.evidence.startswith("partly verified (special-populations-1)")
    assert [a.title for a in actions(case(hiv=True))] == ["Start antiretroviral therapy"]
    (art,) = actions(case(hiv=True, on_art=True))
    assert art.title == "Optimize antiretroviral therapy" and art.bullet_ids == ("special-populations-2",)
    assert actions(case()) == []
    assert actions(case(mononucleosis_like=True)) == []     # nothing to stop without immunosuppression


def test_plan_bundles_everything():
    f = case(pneumonitis=True)
    p = plan(f)
    assert p.features is f and p.options == tuple(select_regimen(f)) and p.actions == tuple(actions(f))


# --------------------------------------------------------------------------------------------------
# Properties over random cases
# --------------------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(features())
def test_regimen_invariants(f):
    opts = select_regimen(f)
    listed = [o.drugs for o in opts]
    excluded = [n.drugs for n in not_advised(f)]
    assert [o.rank for o in opts] == list(range(1, len(opts) + 1))
    assert not set(listed) & set(excluded)
    assert FOS in listed                                   # foscarnet is always an option
    if f.retinitis and MBV in listed:                      # maribavir below everything, flagged
        assert listed[-2:] == [CDV, MBV] and opts[-1].flag
    else:
        assert listed[-1] == CDV                           # cidofovir is otherwise last (third line)
    assert all(bool(o.flag) == (o.drugs == MBV and f.retinitis) for o in opts)
    if f.severe or not f.gi_absorption_ok or f.high_viral_load or f.cns_disease:
        assert VGC not in listed
    if f.ganciclovir_unusable:
        assert GCV not in listed and VGC not in listed and COMBO not in listed
    assert (COMBO in listed) == ((f.cns_disease or f.progressing_on_therapy) and not f.ganciclovir_unusable)
    if COMBO in listed:
        assert listed[0] == COMBO and opts[0].evidence.startswith("unverified")
    assert (MBV in listed) == (f.refractory and f.transplant is not None and not f.cns_disease)
    if f.refractory or f.ganciclovir_intolerance:
        assert opts[0].drugs in (COMBO, FOS)
    for item in list(opts) + actions(f) + not_advised(f):
        assert item.bullet_ids and all(bullet(b) for b in item.bullet_ids)
        assert item.sources and set(item.sources) <= KNOWN_SOURCES
    for item in list(opts) + actions(f):
        if any(bullet(b).unverified for b in item.bullet_ids if b in ("alternatives-2", "alternatives-4",
                                                                      "pitfalls-4", "special-populations-3")):
            assert item.evidence.startswith("unverified")


@settings(max_examples=200, deadline=None)
@given(features())
def test_action_invariants(f):
    titles = [a.title for a in actions(f)]
    assert ("Add intravenous immunoglobulin (adjunct for pneumonitis)" in titles) == f.pneumonitis
    assert any("antiretroviral" in t for t in titles) == f.hiv
    assert any("immunosuppressive" in t for t in titles) == bool(f.transplant or f.immunosuppressed)
    assert ("Stop immunosuppressive therapy (strongly recommended)" in titles) == bool(
        (f.transplant or f.immunosuppressed) and f.mononucleosis_like)
    assert ("Ophthalmologic examination" in titles) == f.retinitis


# --------------------------------------------------------------------------------------------------
# switch_to_oral
# --------------------------------------------------------------------------------------------------
def test_switch_exact():
    d = switch_to_oral(3, True, True, False)
    assert d == Decision(True, ("3 days of IV therapy (the summary switches after 3-5 days)", "clinically improving",
                                "oral absorption adequate", "disease no longer severe"),
                         ("first-line-2", "pitfalls-2"),
                         ("guideline-summary", "kotton2025", "label-valganciclovir-us", "smpc-ganciclovir-uk",
                          "asberg2007"), d.notes)
    assert "UNVERIFIED" in d.notes[0] and "guideline summary" in d.notes[0]
    no = switch_to_oral(2.5, False, False, True)
    assert no.ok is False and len(no.reasons) == 4
    assert no.reasons[0] == "only 2.5 days of IV therapy: the summary switches after 3-5 days"
    assert switch_to_oral(30, True, True, False).ok       # later than day 5 is still allowed
    assert switch_to_oral("4", True, True, False).ok      # a widget's text


@given(st.floats(0, 365), st.booleans(), st.booleans(), st.booleans())
def test_switch_never_ok_when_a_criterion_fails(days, improving, absorbing, severe):
    d = switch_to_oral(days, improving, absorbing, severe)
    expected = days >= 3 and improving and absorbing and not severe
    assert d.ok == expected
    failed = [days < 3, not improving, not absorbing, severe]
    assert len(d.reasons) == (sum(failed) if not expected else 4)


@pytest.mark.parametrize("args,field", [
    ((-1, True, True, False), "days_of_iv"), ((366, True, True, False), "days_of_iv"),
    ((math.nan, True, True, False), "days_of_iv"), ((math.inf, True, True, False), "days_of_iv"),
    ((True, True, True, False), "days_of_iv"), (("four", True, True, False), "days_of_iv"),
    ((None, True, True, False), "days_of_iv"), ((4, 1, True, False), "improving"),
    ((4, True, "yes", False), "absorbing"), ((4, True, True, None), "severe")])
def test_switch_invalid(args, field):
    with pytest.raises(InputError) as e:
        switch_to_oral(*args)
    assert e.value.field == field


# --------------------------------------------------------------------------------------------------
# can_stop
# --------------------------------------------------------------------------------------------------
LOADS = [(0, 25000), (7, 2100), (14, 90), (21, 0)]


def test_can_stop_exact():
    d = can_stop(21, LOADS, 137, True, consecutive_required=2)
    assert d.ok and d.reasons == ("21 days of treatment (minimum 14)", "latest 2 result(s) below 137 IU/mL",
                                  "symptoms resolved")
    assert d.bullet_ids == ("first-line-4", "duration-1")
    assert d.sources == ("kotton2025", "guideline-summary", "griffiths2021")
    assert can_stop(14, LOADS[:3], 137, True).sources == ("kotton2025", "guideline-summary")
    short = can_stop(13, [(0, 25000), (13, 90)], 137, True)
    assert not short.ok and short.reasons == ("only 13 days of treatment: Kotton 2025 asks for a minimum of 14 days",)
    at = can_stop(14, [(14, 137)], 137, True)                 # "below" the threshold is strict
    assert not at.ok
    assert can_stop(21, LOADS, 137, False).reasons == ("symptoms not resolved",)
    few = can_stop(21, [(21, 0)], 137, True, consecutive_required=2)
    assert few.reasons == ("only 1 viral-load result(s): 2 consecutive result(s) below 137 IU/mL are needed",)
    assert not can_stop(21, [], 137, True).ok


def test_can_stop_uses_latest_results_in_day_order():
    # given out of order: the latest (day 21) is above threshold
    d = can_stop(21, [(21, 500), (14, 0), (7, 100)], 137, True)
    assert not d.ok and d.reasons == ("latest result 500 IU/mL on day 21 is not below the threshold of 137 IU/mL",)


@given(st.integers(0, 365), st.lists(st.tuples(st.integers(0, 365), st.floats(0, 1e7)), max_size=8,
                                     unique_by=lambda p: p[0]),
       st.floats(1, 1e5), st.booleans(), st.integers(1, 3))
def test_can_stop_never_ok_when_a_criterion_fails(days, loads, threshold, resolved, k):
    loads = [(d, v) for d, v in loads if d <= days]
    dec = can_stop(days, loads, threshold, resolved, k)
    latest = sorted(loads)[-k:]
    expected = days >= 14 and resolved and len(latest) == k and all(v < threshold for _, v in latest)
    assert dec.ok == expected


@pytest.mark.parametrize("kw,field", [
    (dict(days_treated=-1), "days_treated"), (dict(days_treated=14.5), "days_treated"),
    (dict(days_treated=True), "days_treated"), (dict(days_treated=400), "days_treated"),
    (dict(viral_loads_iu_ml="0,100"), "viral_loads_iu_ml"), (dict(viral_loads_iu_ml=None), "viral_loads_iu_ml"),
    (dict(viral_loads_iu_ml={0: 100}), "viral_loads_iu_ml"), (dict(viral_loads_iu_ml=[(0, 1, 2)]), "viral_loads_iu_ml"),
    (dict(viral_loads_iu_ml=[100]), "viral_loads_iu_ml"), (dict(viral_loads_iu_ml=[(0, -5)]), "viral_loads_iu_ml[0].iu_ml"),
    (dict(viral_loads_iu_ml=[(0, math.nan)]), "viral_loads_iu_ml[0].iu_ml"),
    (dict(viral_loads_iu_ml=[(1.5, 5)]), "viral_loads_iu_ml[0].day"),
    (dict(viral_loads_iu_ml=[(-1, 5)]), "viral_loads_iu_ml[0].day"),
    (dict(viral_loads_iu_ml=[(3, 5), (3, 6)]), "viral_loads_iu_ml"),
    (dict(viral_loads_iu_ml=[(22, 5)]), "viral_loads_iu_ml"),          # after day 21 of treatment
    (dict(threshold_iu_ml=0), "threshold_iu_ml"), (dict(threshold_iu_ml="high"), "threshold_iu_ml"),
    (dict(symptoms_resolved="yes"), "symptoms_resolved"),
    (dict(consecutive_required=0), "consecutive_required"), (dict(consecutive_required=True), "consecutive_required"),
    (dict(consecutive_required=2.0), "consecutive_required"), (dict(consecutive_required=11), "consecutive_required")])
def test_can_stop_invalid(kw, field):
    args = dict(days_treated=21, viral_loads_iu_ml=LOADS, threshold_iu_ml=137, symptoms_resolved=True)
    args.update(kw)
    with pytest.raises(InputError) as e:
        can_stop(**args)
    assert e.value.field == field


# --------------------------------------------------------------------------------------------------
# refractory_flag
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("loads,status,change", [
    ([(0, 10000), (14, 1000)], "responding", -1.0),                  # exactly 1 log10 counts as a response
    ([(0, 10000), (14, 1001)], "slow response", -0.999566),          # falling: never refractory
    ([(0, 10000), (14, 9999)], "slow response", -0.000043),          # any fall is a fall (no sourced margin)
    ([(0, 50000), (7, 20000), (14, 8000)], "slow response", -0.79588),
    ([(0, 10000), (14, 10000)], "probable refractory", 0.0),           # unchanged (Kotton 2025)
    ([(0, 10000), (7, 200), (14, 10001)], "probable refractory", 0.000043),
    ([(0, 10000), (14, 0)], "responding", -math.inf),                  # undetectable
    ([(0, 0), (14, 0)], "responding", -math.inf),
    ([(0, 0), (14, 50)], "probable refractory", math.inf),
    ([(0, 50000), (7, 400000), (21, 3000)], "responding", -2.124939),  # reference = day 7 (last >= 14 days before)
    ([(0, 1e6), (10, 1e5), (13, 1e4)], "too early", None),             # day 13 < 14
    ([(5, 1e6), (15, 1e4)], "too early", None),                        # no result 14 days before day 15
])
def test_refractory_exact(loads, status, change):
    f = refractory_flag(loads, True)
    assert f.status == status
    if change is None:
        assert f.log10_change is None
    else:
        assert f.log10_change == change


def test_refractory_reasons_and_sources():
    rising = refractory_flag([(0, 1000), (14, 5000)], True)
    assert "Chemaly 2019" in rising.reason and "UNVERIFIED" in rising.reason
    assert rising.sources == ("kotton2025", "griffiths2021", "chemaly2019")
    same = refractory_flag([(0, 1000), (14, 1000)], True)
    assert same.status == "probable refractory" and same.reason.startswith("Viral load unchanged")
    assert same.sources[0] == "kotton2025"
    slow = refractory_flag([(0, 1000), (14, 500)], True)
    assert slow.status == "slow response" and slow.sources == ("kotton2025", "griffiths2021")
    assert slow.reason.startswith("Slow response: viral load fell from 1000 IU/mL on day 0 to 500 IU/mL on day 14")
    assert "not refractory" in slow.reason and "keep watching" in slow.reason and "Griffiths" in slow.reason
    assert "probable refractory" not in slow.status
    not_adequate = refractory_flag([(0, 1000), (30, 5000)], False)
    assert not_adequate == Flag("too early", not_adequate.reason, ("kotton2025",))
    assert "adequately dosed" in not_adequate.reason


@given(st.lists(st.tuples(st.integers(0, 60), st.floats(0, 1e8)), min_size=1, max_size=8, unique_by=lambda p: p[0]),
       st.booleans())
def test_refractory_properties(loads, adequate):
    f = refractory_flag(loads, adequate)
    assert f.status in FLAG_STATUSES
    assert set(f.sources) <= KNOWN_SOURCES
    last_day = max(d for d, _ in loads)
    if not adequate or last_day < 14:
        assert f.status == "too early"
    if f.status == "responding":
        assert f.log10_change <= -1
    if f.status == "slow response":
        assert -1 < f.log10_change < 0
    if f.status == "probable refractory":
        assert f.log10_change >= 0   # unchanged or risen (Kotton 2025); a falling load is never refractory
    if f.log10_change is not None and f.log10_change < 0:
        assert f.status in ("responding", "slow response")


@pytest.mark.parametrize("args,field", [
    (([], True), "viral_loads"), ((None, True), "viral_loads"), (([(0, 10)], "yes"), "adequate_dosing"),
    (([(0, "lots")], True), "viral_loads[0].iu_ml"), (([("day one", 5)], True), "viral_loads[0].day"),
    (([(0, 1e11)], True), "viral_loads[0].iu_ml"), (([(366, 5)], True), "viral_loads[0].day")])
def test_refractory_invalid(args, field):
    with pytest.raises(InputError) as e:
        refractory_flag(*args)
    assert e.value.field == field


def test_no_option_teaches_that_ul97_means_ganciclovir_only():
    # issue 10: some UL97 mutations (selected by maribavir) confer maribavir and ganciclovir resistance
    from cmvlib.regimen import CaseFeatures, not_advised, select_regimen
    for transplant in ("sot", "hsct"):
        case = CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False, resistance="ul97",
                            transplant=transplant)
        texts = [o.rationale for o in select_regimen(case)] + [n.reasons[0][0] if hasattr(n, "reasons") else str(n)
                                                               for n in not_advised(case)]
        assert not any("ganciclovir only" in t for t in texts)


def test_genotype_action_names_ul27_and_ul56():
    from cmvlib.regimen import CaseFeatures, actions
    case = CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False, resistance="suspected")
    genotype = [a for a in actions(case) if a.title.startswith("Send a resistance genotype")]
    assert genotype and "UL27" in genotype[0].title and "UL56" in genotype[0].title
    assert "[arup-cmv-resistance]" in " ".join(genotype[0].sources) or "arup-cmv-resistance" in genotype[0].sources
