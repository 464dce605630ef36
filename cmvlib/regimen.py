"""The guideline's treatment decisions: which regimen, when to switch to oral, when to stop, refractory.

Every option and action cites the guideline bullets it comes from (``cmvlib.guideline``) and the
citation keys of its sources. Where a bullet's evidence is "unverified" (taught from the guideline
summary only) the option's ``evidence`` field starts with ``"unverified"`` and says why. The numeric
thresholds (3-5 days, 14 days, 1 log10) live in ``data/decision_rules.csv`` with their sources.

Days are counted from day 0 = the first day of the therapy in question. Education only: these
functions teach the guideline's logic; they are not a prescribing tool.

Examples
--------
>>> case = CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False)
>>> [(o.rank, o.title) for o in select_regimen(case)]
[(1, 'IV ganciclovir'), (2, 'Foscarnet (alternative)'), (3, 'Cidofovir (third line)')]
>>> [n.title for n in not_advised(case)]
['Oral valganciclovir as initial therapy']
>>> cns = CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False, cns_disease=True)
>>> top = select_regimen(cns)[0]
>>> top.drugs, top.evidence.split(" ")[0]
(('ganciclovir', 'foscarnet'), 'unverified')
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache

from . import _data, validate
from ._rules import rules
from .errors import InputError
from .guideline import bullet, weakest_evidence

RESISTANCE = ("none", "suspected", "ul97", "ul54")
#: What :func:`refractory_flag` can say. Only "probable refractory" means refractory; a falling load never is.
FLAG_STATUSES = ("too early", "responding", "slow response", "probable refractory")
TRANSPLANT = ("sot", "hsct")

# Plausibility limits for inputs (not clinical numbers): a treatment course is counted in days within
# a year; viral loads are non-negative and below 10^10 IU/mL.
_MAX_DAY = 365
_MAX_LOAD_IU_ML = 1e10


# --------------------------------------------------------------------------------------------------
# Thresholds from data/decision_rules.csv
# --------------------------------------------------------------------------------------------------
def rule(name: str) -> float:
    """A threshold of ``data/decision_rules.csv`` by name.

    >>> rule("min_treatment_days"), rule("response_min_log10_fall")
    (14.0, 1.0)
    """
    try:
        return rules("decision_rules")[name].value
    except KeyError:
        raise KeyError(f"unknown decision rule {name!r}: see cmvlib/data/decision_rules.csv") from None


@lru_cache(maxsize=None)
def _source_keys() -> dict[str, str]:
    return {row["rule"]: row["source"] for row in _data.table("decision_rules")}


def rule_source(name: str) -> str:
    """The citation key behind a threshold.

    >>> rule_source("iv_before_oral_min_days")
    'guideline-summary'
    """
    rule(name)
    return _source_keys()[name]


def _n(x: float) -> str:
    return f"{x:g}"


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class CaseFeatures:
    """What the regimen decision needs to know about the patient (validated on creation).

    ``severe``, ``gi_absorption_ok`` and ``high_viral_load`` must always be given: they decide whether
    oral valganciclovir may be initial therapy. ``high_viral_load`` is the clinician's judgement: no
    verified source gives a numeric cut-off, so none is applied here. ``resistance`` is "none",
    "suspected" (refractory course, genotype pending), "ul97" or "ul54" (genotype result).
    ``transplant`` is None, "sot" or "hsct". ``on_art`` applies only when ``hiv`` is True.

    >>> CaseFeatures(severe=False, gi_absorption_ok=True, high_viral_load=False, resistance="UL97").resistance
    'ul97'
    >>> CaseFeatures(severe="yes", gi_absorption_ok=True, high_viral_load=False)
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: severe: must be True or False (got 'yes')
    """

    severe: bool
    gi_absorption_ok: bool
    high_viral_load: bool
    cns_disease: bool = False
    pneumonitis: bool = False
    retinitis: bool = False
    resistance: str = "none"
    ganciclovir_intolerance: bool = False
    hiv: bool = False
    on_art: bool = False
    transplant: str | None = None
    immunosuppressed: bool = False
    mononucleosis_like: bool = False
    progressing_on_therapy: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name not in ("resistance", "transplant"):
                validate.flag(getattr(self, f.name), f.name)
        object.__setattr__(self, "resistance", validate.choice(self.resistance, "resistance", RESISTANCE))
        if self.transplant is not None:
            object.__setattr__(self, "transplant", validate.choice(self.transplant, "transplant", TRANSPLANT))
        if self.on_art and not self.hiv:
            raise InputError("on_art", "applies only to patients with HIV: set hiv=True or on_art=False")

    @property
    def ganciclovir_resistant(self) -> bool:
        """A genotype shows a UL97 or UL54 mutation."""
        return self.resistance in ("ul97", "ul54")

    @property
    def refractory(self) -> bool:
        """Resistance suspected or proven, or disease progressing despite therapy."""
        return self.resistance != "none" or self.progressing_on_therapy

    @property
    def ganciclovir_unusable(self) -> bool:
        """Ganciclovir (and so valganciclovir, its prodrug) cannot be relied on."""
        return self.ganciclovir_resistant or self.ganciclovir_intolerance


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """One ranked drug option (rank 1 = preferred)."""

    rank: int
    title: str
    drugs: tuple[str, ...]
    rationale: str
    bullet_ids: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: str
    flag: str = ""   # a caution that goes with the option (also at the start of ``rationale``)


@dataclass(frozen=True)
class Action:
    """A non-drug action that goes with the regimen (reduce immunosuppression, ART, IVIG, genotype ...)."""

    title: str
    rationale: str
    bullet_ids: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class NotAdvised:
    """A drug the guideline says not to use in this case, and why."""

    title: str
    drugs: tuple[str, ...]
    reason: str
    bullet_ids: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """Everything :func:`plan` decides for one case."""

    features: CaseFeatures
    options: tuple[Option, ...]
    actions: tuple[Action, ...]
    not_advised: tuple[NotAdvised, ...]


@dataclass(frozen=True)
class Decision:
    """A yes/no decision with the reasons for it (the failed criteria when ``ok`` is False)."""

    ok: bool
    reasons: tuple[str, ...]
    bullet_ids: tuple[str, ...]
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    """Refractory-infection status: one of :data:`FLAG_STATUSES`."""

    status: str
    reason: str
    sources: tuple[str, ...]
    log10_change: float | None = None


# --------------------------------------------------------------------------------------------------
# Shared helpers: sources and evidence of cited bullets
# --------------------------------------------------------------------------------------------------
def _sources(bullet_ids: Sequence[str], extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Union (in order) of the bullets' source keys and ``extra``; the summary itself for bullets without one."""
    keys: list[str] = []
    for b in map(bullet, bullet_ids):
        keys.extend(b.sources or ("guideline-summary",))
    keys.extend(extra)
    return tuple(dict.fromkeys(keys))


def _evidence(basis: Sequence[str]) -> str:
    """Evidence of the weakest basis bullet; "unverified"/"partly verified" carry the bullet's note."""
    weakest = weakest_evidence(tuple(basis))
    if weakest.evidence in ("unverified", "partly verified"):
        return f"{weakest.evidence} ({weakest.id}): {weakest.note}"
    return weakest.evidence


@dataclass(frozen=True)
class _Listed:
    priority: int
    title: str
    drugs: tuple[str, ...]
    rationale: str
    bullet_ids: tuple[str, ...]
    basis: tuple[str, ...]          # the bullets whose evidence decides the option's evidence
    extra_sources: tuple[str, ...] = ()
    evidence: str | None = None     # set when the option rests on a source rather than on a bullet
    flag: str = ""                  # a caution shown with the option (Option.flag)


def _not(title: str, drugs: tuple[str, ...], reasons: list[tuple[str, tuple[str, ...], tuple[str, ...]]]
         ) -> NotAdvised:
    ids = tuple(dict.fromkeys(i for _, b, _ in reasons for i in b))
    extra = tuple(k for _, _, e in reasons for k in e)
    return NotAdvised(title, drugs, " ".join(r for r, _, _ in reasons), ids, _sources(ids, extra))


# --------------------------------------------------------------------------------------------------
# One small rule per drug option: returns _Listed, NotAdvised or None (not relevant here)
# --------------------------------------------------------------------------------------------------
def _combination(f: CaseFeatures) -> _Listed | NotAdvised | None:
    if not (f.cns_disease or f.progressing_on_therapy):
        return None
    if f.ganciclovir_unusable:
        why = "a UL97/UL54 genotype shows ganciclovir resistance" if f.ganciclovir_resistant else \
            "the patient does not tolerate ganciclovir"
        return _not("Ganciclovir plus foscarnet combination", ("ganciclovir", "foscarnet"),
                    [(f"Combination therapy relies on ganciclovir, but {why}.",
                      ("alternatives-1",), ("lurain2010",) if f.ganciclovir_resistant else ())])
    basis = tuple(b for b, on in (("alternatives-2", f.cns_disease),
                                  ("pitfalls-4", f.progressing_on_therapy)) if on)
    parts = []
    if f.cns_disease:
        parts.append("Neurological CMV disease: the summary prefers ganciclovir plus foscarnet as initial "
                     "therapy to maximise response, at the cost of more adverse effects (alternatives-2).")
    if f.progressing_on_therapy:
        parts.append("Disease progressing despite standard therapy: the summary says to consider combination "
                     "therapy (pitfalls-4).")
    parts.append("No primary source read supports this; teach it as the summary's advice.")
    return _Listed(0, "IV ganciclovir plus foscarnet (combination)", ("ganciclovir", "foscarnet"),
                   " ".join(parts), basis + ("adverse-effects-2",), basis)


def _ganciclovir(f: CaseFeatures) -> _Listed | NotAdvised | None:
    if f.ganciclovir_resistant:
        gene = f.resistance.upper()
        why = ("the classic UL97 mutations confer ganciclovir resistance (some UL97 mutations selected by maribavir, "
               "such as C480F, confer resistance to both)" if gene == "UL97" else
               "UL54 mutations usually follow UL97 mutations and can confer high-level ganciclovir resistance")
        return _not("IV ganciclovir", ("ganciclovir",),
                    [(f"Genotype shows a {gene} mutation: {why}.", ("pitfalls-3",),
                      ("smpc-ganciclovir-uk", "lurain2010", "santosbravo2021"))])
    if f.ganciclovir_intolerance:
        return _not("IV ganciclovir", ("ganciclovir",),
                    [("Ganciclovir intolerance (for example neutropenia): the summary names foscarnet as the "
                      "alternative (alternatives-1).", ("alternatives-1", "adverse-effects-1"), ())])
    text = ("Cornerstone of therapy: IV ganciclovir for 2-3 weeks (first-line-1); Kotton 2025 recommends IV "
            "ganciclovir in life-threatening and severe disease.")
    ids: tuple[str, ...] = ("first-line-1",)
    if f.severe:
        text += " Severe disease: start promptly (first-line-3)."
        ids += ("first-line-3",)
    if f.resistance == "suspected" or f.progressing_on_therapy:
        text += (" Resistance suspected: the sources read do not say whether to continue ganciclovir or switch "
                 "before the genotype returns; check that the dose is right for the renal function.")
        return _Listed(2, "IV ganciclovir (pending genotype)", ("ganciclovir",), text,
                       ids + ("pitfalls-3",), ("first-line-1",))
    return _Listed(1, "IV ganciclovir", ("ganciclovir",), text, ids, ("first-line-1",))


def _valganciclovir_reasons(f: CaseFeatures) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Why oral valganciclovir is not initial therapy here (empty list: it is acceptable)."""
    out: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
    if f.severe:
        out.append(("Severe disease: not as initial therapy (pitfalls-2); Kotton 2025 recommends IV ganciclovir "
                    "in life-threatening and severe disease (verified).", ("pitfalls-2",), ()))
    if not f.gi_absorption_ok:
        out.append(("Impaired gastrointestinal absorption: not as initial therapy (pitfalls-2; the guideline "
                    "wording is unverified, supporting cohort data exist).", ("pitfalls-2",), ()))
    if f.high_viral_load:
        out.append(("High viral load: not as initial therapy (pitfalls-2; guideline wording unverified).",
                    ("pitfalls-2",), ()))
    if f.cns_disease:
        out.append(("Neurological disease: initial IV combination therapy is preferred (alternatives-2).",
                    ("alternatives-2",), ()))
    if f.resistance != "none":
        out.append(("Valganciclovir is a prodrug of ganciclovir, so ganciclovir resistance (suspected or "
                    "proven) applies to it too.", ("pitfalls-3",), ("label-valganciclovir-us",)))
    if f.ganciclovir_intolerance:
        out.append(("Valganciclovir delivers ganciclovir and shares its toxicity (adverse-effects-1).",
                    ("adverse-effects-1",), ()))
    if f.progressing_on_therapy:
        out.append(("Disease progressing despite therapy: the oral step-down is only for patients who are "
                    "improving (first-line-2).", ("first-line-2",), ()))
    return out


def _valganciclovir(f: CaseFeatures) -> _Listed | NotAdvised | None:
    reasons = _valganciclovir_reasons(f)
    if reasons:
        steps_down = not (f.ganciclovir_unusable or f.resistance != "none" or f.progressing_on_therapy)
        if steps_down:
            reasons.append(("It may still replace IV ganciclovir later, once the switch criteria are met "
                            "(first-line-2; see switch_to_oral).", ("first-line-2",), ()))
        return _not("Oral valganciclovir as initial therapy", ("valganciclovir",), reasons)
    text = ("Non-severe disease with adequate absorption: Kotton 2025 recommends oral valganciclovir or IV "
            "ganciclovir as first-line treatment; valganciclovir twice daily is therapeutically equivalent to "
            "IV ganciclovir twice daily (UK SmPC; VICTOR trial). The summary itself puts IV ganciclovir first.")
    if f.retinitis and f.hiv:
        return _Listed(1, "Oral valganciclovir, with intravitreal therapy for sight-threatening lesions (HIV)",
                       ("valganciclovir",),
                       "HIV with CMV retinitis: the NIH OI guideline chooses the regimen individually and includes "
                       "systemic therapy when feasible. For immediately sight-threatening lesions (within 1500 µm "
                       "of the fovea) it gives intravitreal ganciclovir 2 mg or foscarnet 2.4 mg (1-4 doses over "
                       "7-10 days) plus oral valganciclovir 900 mg twice daily for 14-21 days, then 900 mg daily "
                       "(AI). IV ganciclovir or foscarnet are its alternatives. Needs adequate absorption and an "
                       "ophthalmologist (monitoring-4).",
                       ("special-populations-2", "monitoring-4", "first-line-2"), (), ("nihoi-cmv",),
                       evidence="verified-secondary: NIH OI guideline, brief version (graded AI)")
    if f.retinitis:
        text += (" Retinitis: Kotton 2025 prefers IV ganciclovir in sight-threatening disease; the NIH OI "
                 "guideline combines oral valganciclovir with intravitreal therapy for immediately "
                 "sight-threatening lesions.")
    return _Listed(2, "Oral valganciclovir (non-severe disease)", ("valganciclovir",), text,
                   ("first-line-2", "pitfalls-2"), (), ("kotton2025", "smpc-ganciclovir-uk", "asberg2007"),
                   evidence="verified-secondary: Kotton 2025 lists oral valganciclovir as first-line treatment "
                            "(quoted in a drug-database curation note)")


def _foscarnet(f: CaseFeatures) -> _Listed | NotAdvised | None:
    extra: tuple[str, ...] = ()
    if f.ganciclovir_intolerance and not f.refractory:
        text = "Ganciclovir intolerance: foscarnet is the recommended alternative (alternatives-1)."
        prio = 1
    elif f.refractory:
        text = ("Ganciclovir resistance: foscarnet is the recommended alternative (alternatives-1)."
                if f.ganciclovir_resistant else
                "Refractory course (resistance suspected or disease progressing despite therapy): the summary "
                "names foscarnet as the alternative for ganciclovir resistance (alternatives-1).")
        if f.resistance == "ul97":
            text += (" Foscarnet does not need the UL97 kinase, so the classic ganciclovir UL97 mutations leave it "
                     "active (not a rule for every UL97 mutation: some selected by maribavir also affect ganciclovir).")
            extra = ("smpc-ganciclovir-uk", "santosbravo2021")
        elif f.resistance == "ul54":
            text += (" UL54 mutations may cross-resist: polymerase-domain mutations confer foscarnet resistance, "
                     "so choose by the genotype report.")
            extra = ("chou2011",)
        else:
            text += (" Resistance is not yet proven: the sources read do not say whether to switch before the "
                     "genotype returns.")
        prio = 1
    else:
        text = "Alternative if ganciclovir resistance or intolerance develops (alternatives-1)."
        prio = 3
    if f.progressing_on_therapy:
        text += (" If the disease is progressing on foscarnet maintenance, the label re-induces first (the "
                 "induction dose again) and then continues maintenance at 120 mg/kg/day instead of 90; it does not "
                 "simply raise the maintenance dose.")
        extra += ("label-foscarnet-us",)
    text += " Nephrotoxic: hydrate with saline and dose by renal function (adverse-effects-2, -3)."
    title = "Foscarnet" if prio == 1 else "Foscarnet (alternative)"
    return _Listed(prio, title, ("foscarnet",), text,
                   ("alternatives-1", "adverse-effects-2", "adverse-effects-3"), ("alternatives-1",), extra)


def _maribavir(f: CaseFeatures) -> _Listed | NotAdvised | None:
    if not f.refractory:
        return None
    if f.transplant is None:
        return _not("Maribavir", ("maribavir",),
                    [("Maribavir is labelled only for refractory CMV after transplantation.", ("pitfalls-3",),
                      ("label-maribavir-us",))])
    if f.cns_disease:
        return _not("Maribavir", ("maribavir",),
                    [("CNS disease: maribavir is not expected to work (low CNS penetration; US label).",
                      ("pitfalls-3",), ("label-maribavir-us",))])
    text = ("Refractory post-transplant CMV, with or without genotypic resistance: maribavir is labelled for "
            "this (beyond the guideline summary). Do not give it with ganciclovir or valganciclovir (it "
            "antagonizes their activation); it raises tacrolimus, ciclosporin, sirolimus and everolimus levels.")
    if f.resistance in ("ul97", "suspected"):
        text += " UL97 also carries maribavir-resistance mutations: check the genotype report."
    evidence = "verified: US maribavir label (not part of the guideline summary)"
    if f.retinitis:
        # The label (verified, facts.md section 5) says maribavir is not expected to work in CNS CMV disease
        # because of low CNS penetration; the retina is part of the central nervous system. That the trials
        # (SOLSTICE) excluded retinal and CNS disease was not read in a source: UNVERIFIED, so not claimed.
        flag = ("CMV retinitis: maribavir is not expected to work in CNS CMV disease because little of it "
                "reaches the central nervous system (US label), and the retina is part of the central nervous "
                "system; no source read shows that it treats CMV retinitis. Ranked last: prefer the other "
                "options and involve an ophthalmologist.")
        return _Listed(5, "Maribavir (ranked last: not expected to reach the retina)", ("maribavir",),
                       f"CAUTION: {flag} {text}", ("pitfalls-3",), (), ("label-maribavir-us", "avery2022"),
                       evidence=evidence + "; the retinitis caution extends the label's CNS statement to the "
                                           "retina (whether the trials enrolled retinitis was not read)",
                       flag=flag)
    return _Listed(3, "Maribavir (refractory post-transplant infection)", ("maribavir",), text,
                   ("pitfalls-3",), (), ("label-maribavir-us", "avery2022"), evidence=evidence)


def _cidofovir(f: CaseFeatures) -> _Listed | NotAdvised | None:
    text = "Third-line agent with substantial nephrotoxicity (alternatives-3)."
    extra: tuple[str, ...] = ()
    if f.resistance == "ul97":
        text += (" Cidofovir does not need the UL97 kinase, so the classic ganciclovir UL97 mutations leave it active "
                 "(not a rule for every UL97 mutation: some selected by maribavir also affect ganciclovir).")
        extra = ("smpc-ganciclovir-uk", "santosbravo2021")
    elif f.resistance == "ul54":
        text += (" Only if the genotype allows: exonuclease-domain UL54 mutations cross-resist ganciclovir and "
                 "cidofovir.")
        extra = ("chou2011",)
    return _Listed(4, "Cidofovir (third line)", ("cidofovir",), text, ("alternatives-3",), ("alternatives-3",),
                   extra)


#: The drug rules, in the order used to break ties of priority.
DRUG_RULES: tuple[Callable[[CaseFeatures], _Listed | NotAdvised | None], ...] = (
    _combination, _ganciclovir, _valganciclovir, _foscarnet, _maribavir, _cidofovir)


def _evaluate(f: CaseFeatures) -> list[_Listed | NotAdvised]:
    if not isinstance(f, CaseFeatures):
        raise InputError("features", f"must be a CaseFeatures (got {type(f).__name__})")
    return [r for r in (rule_fn(f) for rule_fn in DRUG_RULES) if r is not None]


def select_regimen(features: CaseFeatures) -> list[Option]:
    """Drug options for this case, ranked (rank 1 = preferred).

    >>> ul54 = CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False,
    ...                     resistance="ul54", transplant="sot")
    >>> [(o.rank, o.drugs) for o in select_regimen(ul54)]
    [(1, ('foscarnet',)), (2, ('maribavir',)), (3, ('cidofovir',))]
    """
    listed = [r for r in _evaluate(features) if isinstance(r, _Listed)]
    order = {id(r): i for i, r in enumerate(listed)}
    listed.sort(key=lambda r: (r.priority, order[id(r)]))
    return [Option(rank=i, title=r.title, drugs=r.drugs, rationale=r.rationale, bullet_ids=r.bullet_ids,
                   sources=_sources(r.bullet_ids, r.extra_sources),
                   evidence=r.evidence or _evidence(r.basis), flag=r.flag)
            for i, r in enumerate(listed, start=1)]


def not_advised(features: CaseFeatures) -> list[NotAdvised]:
    """Drugs the guideline advises against in this case, with the reasons.

    >>> poor_gut = CaseFeatures(severe=False, gi_absorption_ok=False, high_viral_load=True)
    >>> print(not_advised(poor_gut)[0].reason)  # doctest: +ELLIPSIS
    Impaired gastrointestinal absorption: ... High viral load: ...
    """
    return [r for r in _evaluate(features) if isinstance(r, NotAdvised)]


# --------------------------------------------------------------------------------------------------
# Non-drug actions: one small rule each
# --------------------------------------------------------------------------------------------------
def _action(title: str, rationale: str, bullet_ids: tuple[str, ...], basis: tuple[str, ...],
            extra: tuple[str, ...] = ()) -> Action:
    return Action(title, rationale, bullet_ids, _sources(bullet_ids, extra), _evidence(basis))


def _immunosuppression(f: CaseFeatures) -> Action | None:
    if not (f.transplant or f.immunosuppressed):
        return None
    if f.mononucleosis_like:
        return _action("Stop immunosuppressive therapy (strongly recommended)",
                       "Severe disseminated CMV with a mononucleosis-like syndrome: the summary strongly recommends "
                       "stopping immunosuppressive therapy (special-populations-3); no source read addresses this "
                       "presentation.", ("special-populations-3", "special-populations-1"), ("special-populations-3",))
    text = ("Immunocompromised patient: consider stopping immunosuppressive therapy when possible "
            "(special-populations-1).")
    extra: tuple[str, ...] = ()
    if f.transplant == "sot":
        text += (" After this episode (secondary prevention, not treatment of the current disease): a figure of "
                 "Kotton 2025 on secondary prevention in R+ kidney recipients says to 'consider switching from "
                 "mycophenolate to mTOR and reduce CNI'.")
        extra = ("kotton2025",)
    return _action("Reduce or stop immunosuppressive therapy when possible", text,
                   ("special-populations-1",), ("special-populations-1",), extra)


def _art(f: CaseFeatures) -> Action | None:
    if not f.hiv:
        return None
    title = "Optimize antiretroviral therapy" if f.on_art else "Start antiretroviral therapy"
    return _action(title, "HIV with CMV disease: initiate or optimize ART concurrently with CMV treatment "
                   "(special-populations-2); ART keeping CD4 counts up prevents CMV end-organ disease. The "
                   "timing of ART relative to CMV treatment was not found in the sources read.",
                   ("special-populations-2",), ("special-populations-2",))


def _ivig(f: CaseFeatures) -> Action | None:
    if not f.pneumonitis:
        return None
    return _action("Add intravenous immunoglobulin (adjunct for pneumonitis)",
                   "CMV pneumonitis: adjunctive IVIG can be given (alternatives-4). The summary's schedule "
                   "('every other day for 3 to 5 doses') was not found in any source; the schedules that were "
                   "read differ (Reed 1988; Ontario guideline, allogeneic HSCT) and rest on uncontrolled series.",
                   ("alternatives-4",), ("alternatives-4",))


def _genotype(f: CaseFeatures) -> Action | None:
    if f.resistance == "ul97":
        return _action("Check UL54 as well",
                       "Ganciclovir resistance usually arises first in UL97; later UL54 mutations can add "
                       "cross-resistance to cidofovir and foscarnet (pitfalls-3).", ("pitfalls-3",), ("pitfalls-3",))
    if f.resistance == "suspected" or (f.progressing_on_therapy and f.resistance == "none"):
        return _action("Send a resistance genotype (UL97 and UL54; UL27 after maribavir, UL56 after letermovir)",
                       "Resistance develops with prolonged antiviral exposure (pitfalls-3); maribavir resistance maps to "
                       "UL97 and UL27 and letermovir resistance to UL56, so test those genes where the drugs were used "
                       "(the ARUP panel sequences UL27, UL54, UL56 and UL97). Kotton 2025 considers "
                       "probable refractory infection when DNAemia is unchanged or rising after at least 2 weeks of "
                       "adequately dosed therapy (see refractory_flag). Genotyping needs a measurable viral load.",
                       ("pitfalls-3",), ("pitfalls-3",), ("chou-maribavir-resistance", "arup-cmv-resistance"))
    return None


def _ophthalmology(f: CaseFeatures) -> Action | None:
    if not f.retinitis:
        return None
    return _action("Ophthalmologic examination",
                   "Suspected CMV retinitis: ophthalmologic examination (monitoring-4), and regular follow-up even "
                   "after successful treatment (duration-2); the follow-up interval is not given in the sources.",
                   ("monitoring-4", "duration-2"), ("monitoring-4", "duration-2"))


#: The action rules, in display order.
ACTION_RULES: tuple[Callable[[CaseFeatures], Action | None], ...] = (
    _immunosuppression, _art, _ivig, _genotype, _ophthalmology)


def actions(features: CaseFeatures) -> list[Action]:
    """Non-drug actions for this case.

    >>> hiv = CaseFeatures(severe=False, gi_absorption_ok=True, high_viral_load=False, hiv=True)
    >>> [a.title for a in actions(hiv)]
    ['Start antiretroviral therapy']
    """
    if not isinstance(features, CaseFeatures):
        raise InputError("features", f"must be a CaseFeatures (got {type(features).__name__})")
    return [a for a in (rule_fn(features) for rule_fn in ACTION_RULES) if a is not None]


def plan(features: CaseFeatures) -> Plan:
    """Options, actions and drugs not advised, together.

    >>> p = plan(CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False, pneumonitis=True,
    ...                       transplant="hsct"))
    >>> [a.title for a in p.actions]  # doctest: +NORMALIZE_WHITESPACE
    ['Reduce or stop immunosuppressive therapy when possible',
     'Add intravenous immunoglobulin (adjunct for pneumonitis)']
    """
    return Plan(features, tuple(select_regimen(features)), tuple(actions(features)),
                tuple(not_advised(features)))


# --------------------------------------------------------------------------------------------------
# IV-to-oral switch, stopping, refractory infection
# --------------------------------------------------------------------------------------------------
def _check(criteria: list[tuple[bool, str, str]]) -> tuple[bool, tuple[str, ...]]:
    """(ok, reasons): the failed criteria's texts, or every met criterion's text when all are met."""
    failed = tuple(bad for met, _, bad in criteria if not met)
    return (not failed, failed or tuple(good for _, good, _ in criteria))


def switch_to_oral(days_of_iv: float, improving: bool, absorbing: bool, severe: bool) -> Decision:
    """May IV ganciclovir be switched to oral valganciclovir? (first-line-2, pitfalls-2)

    All must hold: at least 3 days of IV therapy (the summary's "3-5 days"), clinical improvement,
    adequate oral absorption, disease no longer severe.

    >>> switch_to_oral(4, improving=True, absorbing=True, severe=False).ok
    True
    >>> d = switch_to_oral(2, improving=True, absorbing=False, severe=False)
    >>> d.ok, len(d.reasons)
    (False, 2)
    """
    days = validate.number(days_of_iv, "days_of_iv", 0, _MAX_DAY, "days")
    improving = validate.flag(improving, "improving")
    absorbing = validate.flag(absorbing, "absorbing")
    severe = validate.flag(severe, "severe")
    lo, hi = rule("iv_before_oral_min_days"), rule("iv_before_oral_max_days")
    ok, reasons = _check([
        (days >= lo, f"{_n(days)} days of IV therapy (the summary switches after {_n(lo)}-{_n(hi)} days)",
         f"only {_n(days)} days of IV therapy: the summary switches after {_n(lo)}-{_n(hi)} days"),
        (improving, "clinically improving", "no clinical improvement yet: stay on IV ganciclovir"),
        (absorbing, "oral absorption adequate",
         "oral absorption not adequate: valganciclovir should not be relied on (pitfalls-2)"),
        (not severe, "disease no longer severe",
         "disease still severe: Kotton 2025 recommends IV ganciclovir in severe disease (pitfalls-2)"),
    ])
    notes = ("The 3-5 day window comes only from the guideline summary; the switch criteria of Kotton 2025 "
             "were not read (UNVERIFIED wording).",
             "Oral valganciclovir twice daily is therapeutically equivalent to IV ganciclovir twice daily (UK SmPC; "
             "VICTOR trial); adjust the dose to renal function.")
    return Decision(ok, reasons, ("first-line-2", "pitfalls-2"),
                    (rule_source("iv_before_oral_min_days"), "kotton2025", "label-valganciclovir-us",
                     "smpc-ganciclovir-uk", "asberg2007"), notes)


def _whole_day(value: object, field: str) -> int:
    return validate.whole_number(value, field, 0, _MAX_DAY, "days")


def _viral_loads(loads: object, field: str) -> tuple[tuple[int, float], ...]:
    """Validated ``(day, IU/mL)`` pairs sorted by day; days are whole numbers from day 0, unique."""
    if isinstance(loads, (str, bytes)) or not isinstance(loads, Sequence):
        raise InputError(field, "must be a list of (day, IU/mL) pairs")
    out: dict[int, float] = {}
    for i, pair in enumerate(loads):
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise InputError(field, f"item {i + 1} must be a (day, IU/mL) pair (got {pair!r})")
        day = _whole_day(pair[0], f"{field}[{i}].day")
        value = validate.number(pair[1], f"{field}[{i}].iu_ml", 0, _MAX_LOAD_IU_ML, "IU/mL")
        if day in out:
            raise InputError(field, f"two results on day {day}: give one result per day")
        out[day] = value
    return tuple(sorted(out.items()))


def can_stop(days_treated: int, viral_loads_iu_ml: Sequence[tuple[int, float]], threshold_iu_ml: float,
             symptoms_resolved: bool, consecutive_required: int = 1) -> Decision:
    """May treatment stop? (first-line-4, duration-1)

    All must hold: at least 14 days of treatment (Kotton 2025 minimum; the summary says 2-3 weeks), the
    latest ``consecutive_required`` viral loads below the institutional ``threshold_iu_ml`` and symptoms
    resolved. Kotton 2025 asks for DNAemia below threshold (one result, the default); the HSCT practice
    rule (Griffiths and Reeves 2021) asks for two consecutive undetectable results. Result days are
    counted from day 0 and may not lie after ``days_treated``.

    >>> can_stop(14, [(0, 25000), (7, 2100), (14, 90)], 137, True).ok
    True
    >>> d = can_stop(14, [(7, 90), (14, 200)], 137, True, consecutive_required=2)
    >>> d.ok, d.reasons[0]
    (False, 'latest result 200 IU/mL on day 14 is not below the threshold of 137 IU/mL')
    """
    days = _whole_day(days_treated, "days_treated")
    loads = _viral_loads(viral_loads_iu_ml, "viral_loads_iu_ml")
    threshold = validate.number(threshold_iu_ml, "threshold_iu_ml", 0, _MAX_LOAD_IU_ML, "IU/mL",
                                lo_inclusive=False)
    resolved = validate.flag(symptoms_resolved, "symptoms_resolved")
    if isinstance(consecutive_required, bool) or not isinstance(consecutive_required, int) \
            or not 1 <= consecutive_required <= 10:
        raise InputError("consecutive_required", f"must be a whole number from 1 to 10 (got {consecutive_required!r})")
    if loads and loads[-1][0] > days:
        raise InputError("viral_loads_iu_ml", f"a result is dated day {loads[-1][0]}, after day {days} of treatment")
    min_days = rule("min_treatment_days")
    latest = loads[-consecutive_required:]
    above = [(d, v) for d, v in latest if v >= threshold]
    if len(latest) < consecutive_required:
        below_ok, load_bad = False, (f"only {len(loads)} viral-load result(s): {consecutive_required} consecutive "
                                     f"result(s) below {_n(threshold)} IU/mL are needed")
    elif above:
        d, v = above[-1]
        below_ok, load_bad = False, (f"latest result {_n(v)} IU/mL on day {d} is not below the threshold of "
                                     f"{_n(threshold)} IU/mL")
    else:
        below_ok, load_bad = True, ""
    ok, reasons = _check([
        (days >= min_days, f"{days} days of treatment (minimum {_n(min_days)})",
         f"only {days} days of treatment: Kotton 2025 asks for a minimum of {_n(min_days)} days"),
        (below_ok, f"latest {consecutive_required} result(s) below {_n(threshold)} IU/mL", load_bad),
        (resolved, "symptoms resolved", "symptoms not resolved"),
    ])
    notes = ("The summary says 'until CMV is no longer detected'; Kotton 2025 says 'below the threshold' "
             "(the institution's).",
             "The summary says at least 2-3 weeks; Kotton 2025 gives a minimum of 2 weeks.")
    sources = ("kotton2025", "guideline-summary") + (
        (rule_source("stop_consecutive_two_results"),)
        if consecutive_required >= rule("stop_consecutive_two_results") else ())
    return Decision(ok, reasons, ("first-line-4", "duration-1"), sources, notes)


def _log10_change(before: float, after: float) -> float:
    """log10(after / before), rounded to 6 decimals; an undetectable (0) latest result counts as a full
    fall (-inf), a rise from undetectable as +inf."""
    if after == 0:
        return -math.inf
    if before == 0:
        return math.inf
    return round(math.log10(after) - math.log10(before), 6)


def refractory_flag(viral_loads: Sequence[tuple[int, float]], adequate_dosing: bool) -> Flag:
    """Is the infection refractory? Days count from day 0 of adequately dosed therapy.

    The definition is the one the book cites. Kotton 2025 (verified): "Probable refractory CMV infection is
    considered if CMV DNAemia levels remain unchanged or increase after at least 2 wk" of appropriately
    dosed therapy. The Chemaly 2019 trial definitions call a rise of more than 1 log10 after at least
    2 weeks refractory and a persistent load (the same level, or a rise under 1 log10) probable
    refractory; only their abstract was read, so those numbers are UNVERIFIED (facts.md section 7d) and
    the stronger grade is named in the text but not applied. A load that falls, however slowly, is not refractory by either
    definition and is never labelled so here.

    - "too early": dosing not adequate, no result on or after day 14, or no result at least 14 days
      before the latest one to compare with (the reference: the last result at least 14 days earlier).
    - "responding": the latest result is undetectable (0) or at least 1 log10 below the reference.
    - "slow response": below the reference, but by less than 1 log10. Not refractory: keep measuring
      weekly on the same assay, check the dose and absorption, and judge again at the next result. The
      1 log10 yardstick is a review's (Griffiths and Reeves 2021), which calls a smaller fall refractory;
      the consensus definition followed here does not.
    - "probable refractory": unchanged (the same value) or risen (Kotton 2025).

    What "unchanged" means: no source read gives a number for it (an assay-variability margin within
    which two results count as the same). The only assay statement at hand (facts.md section 8) is a
    bias of +0.6 to -1.0 log10 *between* assays after WHO calibration, which says nothing about repeat
    results on one assay, so it is not used. Hence only an identical result counts as unchanged and any
    fall counts as a fall; the "slow response" text warns that a very small fall may be within the
    assay's own variability, so the clinician judges whether the load is in effect unchanged.

    >>> refractory_flag([(0, 50000), (7, 20000), (14, 8000)], True).status
    'slow response'
    >>> refractory_flag([(0, 50000), (14, 2000)], True).status
    'responding'
    >>> refractory_flag([(0, 50000), (14, 50000)], True).status
    'probable refractory'
    >>> refractory_flag([(0, 50000), (14, 90000)], True).status
    'probable refractory'
    >>> refractory_flag([(0, 50000), (10, 90000)], True).status
    'too early'
    """
    loads = _viral_loads(viral_loads, "viral_loads")
    adequate = validate.flag(adequate_dosing, "adequate_dosing")
    if not loads:
        raise InputError("viral_loads", "is missing: give at least one (day, IU/mL) result")
    min_days, window = rule("refractory_min_days"), rule("refractory_window_days")
    min_fall = rule("response_min_log10_fall")
    definition = rule_source("refractory_min_days")          # Kotton 2025: unchanged or rising after 2 weeks
    yardstick = rule_source("response_min_log10_fall")       # Griffiths and Reeves 2021: 1 log10 over 2 weeks
    if not adequate:
        return Flag("too early", "Refractoriness is judged only on adequately dosed therapy: correct the dose "
                    "(renal function, absorption) and count the 2 weeks from then.", (definition,))
    last_day, last = loads[-1]
    if last_day < min_days:
        return Flag("too early", f"Latest result is on day {last_day}: Kotton 2025 judges the response only after "
                    f"at least {_n(min_days)} days of adequately dosed therapy.", (definition,))
    earlier = [(d, v) for d, v in loads if d <= last_day - window]
    if not earlier:
        return Flag("too early", f"No result at least {_n(window)} days before day {last_day} to compare with.",
                    (definition, rule_source("refractory_window_days")))
    ref_day, ref = earlier[-1]
    change = _log10_change(ref, last)
    what = (f"from {_n(ref)} IU/mL on day {ref_day} to {_n(last)} IU/mL on day {last_day}")
    if change > 0:
        return Flag("probable refractory", f"Viral load rose {what} despite adequately dosed therapy. Kotton 2025 considers "
                    "probable refractory infection when DNAemia is unchanged or rising after at least 2 weeks; "
                    "the numeric trial definitions that call a rise refractory (Chemaly 2019) are UNVERIFIED and are "
                    "not applied here. Send a resistance genotype and review the regimen.",
                    (definition, yardstick, "chemaly2019"), change)
    if change == 0:   # the same value (an undetectable latest result counts as a fall, see _log10_change)
        return Flag("probable refractory", f"Viral load unchanged {what} despite adequately dosed therapy: Kotton 2025 "
                    "considers this probable refractory infection (DNAemia unchanged or rising after at least 2 weeks). "
                    "Check the dose and absorption, send a resistance genotype and review the regimen.",
                    (definition, "chemaly2019"), change)
    if last == 0:
        return Flag("responding", f"Viral load {what}: no longer detected.", (definition,), change)
    if -change >= min_fall:
        return Flag("responding", f"Viral load fell {what}: at least {_n(min_fall)} log10 in 2 weeks.",
                    (definition, yardstick), change)
    return Flag("slow response", f"Slow response: viral load fell {what}, less than {_n(min_fall)} log10 over 2 weeks. "
                "A falling load is not refractory by the consensus definition (Kotton 2025: unchanged or rising "
                "after at least 2 weeks), so keep watching: measure weekly on the same assay, check the dose for "
                "renal function and absorption, and judge again at the next result. A very small fall may be "
                "within the assay's own variability (no sourced cut-off is applied): if the load is in effect "
                f"unchanged, that is probable refractory infection. (A review uses a fall of {_n(min_fall)} log10 "
                "over 2 weeks as its yardstick: Griffiths and Reeves 2021.)", (definition, yardstick), change)
