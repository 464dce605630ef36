"""The case engine: a pure state machine over a :class:`~cmvlib.cases.schema.Case`.

``start(case)`` gives the first :class:`State`; ``options(state)`` what the learner may choose;
``choose(state, choice)`` the next state and its :class:`Feedback`; ``debrief(state)`` the decisions, what an
expert would have done, and a score by domain. Doses come only from :func:`cmvlib.dose` for that day's patient;
a wrong dose brings the pharmacist's call and the same question again. Bad input raises ``InputError`` and
changes nothing. A state is plain JSON (``State.to_json`` / ``State.from_json``).

>>> s = start("declining-renal")
>>> [o["id"] for o in options(s)]
['iv-ganciclovir', 'oral-valganciclovir', 'foscarnet']
>>> s, fb = choose(s, "iv-ganciclovir")
>>> s.node, fb.verdict
('day0-dose', 'expert')
>>> s, fb = choose(s, {"dose_mg": 820})
>>> s.node, fb.verdict, fb.text.startswith("The pharmacist calls")
('day0-dose', 'unsupported', True)
>>> s, fb = choose(s, {"dose_mg": 410})
>>> s.node, s.dose
('day5-switch', '410 mg IV every 12 h')
>>> choose(s, "stop-it")
Traceback (most recent call last):
...
cmvlib.errors.InputError: choice: 'stop-it' is not an option here; choose one of switch-oral, continue-iv, stop
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .. import validate
from ..dosing import dose
from ..errors import InputError
from ..patient import Patient
from ..result import DoseResult
from ..sources import cite
from .schema import DOMAINS, Case, Event, Node, Option, load_case

MAX_DOSE_MG = 20_000  # an input plausibility limit (a typing error above it), not a clinical number
POINTS = {"expert": 1.0, "acceptable": 0.5, "unsupported": 0.0}  # the book's scoring convention
NO_DOSE = "no-dose"
_CASES: dict[str, Case] = {}


@dataclass(frozen=True)
class State:
    """Where a learner is. JSON-ready: lists, dicts, strings and numbers only."""

    case: str
    node: str
    day: int
    regimen: dict[str, Any] | None = None   # drug, phase, options, since (day)
    dose: str = ""                          # the dose in force (a cmvlib.dose summary), "" before the first
    events: list[dict[str, Any]] = field(default_factory=list)   # events received, in order
    ordered: list[str] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)  # events caused by a choice, not yet arrived
    history: list[dict[str, Any]] = field(default_factory=list)  # every choice, retries included

    def to_json(self) -> dict[str, Any]:
        """The state as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> State:
        """A state back from :meth:`to_json`, checked by replaying its choices on its case (a state edited by
        hand, or saved before the case changed, is refused)."""
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or not {"case", "node", "day"} <= set(data) or set(data) - names:
            raise InputError("state", "is not a saved case state")
        try:
            state = cls(**data)
            replayed = replay(state.case, [h["pick"] for h in state.history])
        except (InputError, KeyError, TypeError):
            replayed = None
        if replayed != state:
            raise InputError("state", "does not match its case (edited, or saved before the case changed)")
        return state

    @property
    def finished(self) -> bool:
        """True at an end of the case."""
        return case_of(self).nodes[self.node].kind == "end"


@dataclass(frozen=True)
class Feedback:
    """What follows a choice: a verdict, the text, the citations (keys and as the reader sees them), the
    chapter section, and the new events."""

    verdict: str
    text: str
    cites: tuple[str, ...]
    citations: tuple[str, ...]
    section: str
    events: tuple[dict[str, Any], ...] = ()
    checks: tuple[dict[str, Any], ...] = ()  # the tests due at the step reached: ordered or not (monitoring)


def case_of(state: State) -> Case:
    """The case of ``state`` (shipped cases are loaded by id; others must have been started once)."""
    if state.case not in _CASES:
        _CASES[state.case] = load_case(state.case)
    return _CASES[state.case]


def _inputs(state: State, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The patient's inputs with the creatinine values received so far, then ``changes``."""
    inputs = dict(case_of(state).patient)
    creatinine = [{"serum_creatinine_mg_dl": e["values"]["serum_creatinine_mg_dl"]}
                  for e in state.events if e["kind"] == "creatinine"]
    for change in creatinine + [changes or {}]:
        if "serum_creatinine_mg_dl" in change or "serum_creatinine_umol_l" in change:
            inputs.update(serum_creatinine_mg_dl=None, serum_creatinine_umol_l=None)
        inputs.update(change)
    return inputs


def patient_on(state: State) -> Patient:
    """The patient with the creatinine values received so far."""
    return Patient(**_inputs(state))


def label_dose(state: State) -> DoseResult | None:
    """The label dose of the drug in force for today's patient (``None`` when no drug is in force)."""
    reg = state.regimen
    return None if reg is None else dose(reg["drug"], reg["phase"], patient_on(state), **reg["options"])


def _arrive(case: Case, state: State, node: Node, since: int) -> State:
    """Enter ``node``: the timeline events of days (since, node.day], the events caused by earlier choices that are
    due by then, and the node's own events arrive, in order of day (the later of one day's values counts)."""
    due = [e for e in state.pending if e["day"] <= node.day]
    new = sorted([asdict(e) for e in case.timeline if since < e.day <= node.day] + due +
                 [asdict(e) for e in node.events], key=lambda e: e["day"])
    return replace(state, node=node.id, day=node.day, events=state.events + new,
                   pending=[e for e in state.pending if e["day"] > node.day])


def _checks(node: Node, ordered: list[str]) -> list[dict[str, Any]]:
    """The tests ``node`` expects to have been ordered, each with whether it was (scored in the monitoring domain)."""
    return [{"test": x.test, "ordered": x.test in ordered, "text": x.text, "cites": list(x.cites),
             "section": x.section} for x in node.expects]


def _checks_text(day: int, checks: list[dict[str, Any]]) -> str:
    """The checks in words, appended to the feedback.

    >>> _checks_text(7, [{"test": "CBC", "ordered": True, "text": "t"}, {"test": "ECG", "ordered": False, "text": "Why."}])
    ' Due by day 7 - ordered: CBC. Not ordered: ECG. Why.'
    """
    done = ", ".join(c["test"] for c in checks if c["ordered"])
    missed = [f"Not ordered: {c['test']}. {c['text']}" for c in checks if not c["ordered"]]
    return " ".join([f" Due by day {day}" + (f" - ordered: {done}." if done else ":")] + missed)


def start(case: Case | str) -> State:
    """The first step of ``case`` (a :class:`Case`, a shipped case id, or the id of a case started before)."""
    if not isinstance(case, Case):
        case = _CASES[case] if isinstance(case, str) and case in _CASES else load_case(case)
    _CASES[case.id] = case
    return _arrive(case, State(case.id, case.start, 0), case.nodes[case.start], -1)


def _candidates(state: State, node: Node) -> dict[str, tuple[str, DoseResult | None]]:
    """The dose candidates of a dose point, by id: today's label dose, the label doses of the node's variants
    and of every earlier creatinine (the unadjusted doses), and "no label dose"; sorted by text."""
    reg = state.regimen
    assert reg is not None
    seen: dict[str, DoseResult | None] = {}
    earlier = [state.events[:i] for i, e in enumerate(state.events) if e["kind"] == "creatinine"]
    for events in [state.events] + earlier:
        r = label_dose(replace(state, events=events))
        if r is not None and r.recommended:
            seen.setdefault(r.summary, r)
    for v in node.variants:
        basis = {"weight_basis": v.weight_basis} if v.weight_basis else {}
        r = dose(reg["drug"], reg["phase"], Patient(**_inputs(state, v.patient)), **{**reg["options"], **basis})
        if r.recommended:
            seen.setdefault(r.summary, r)
    seen["No dose from the label for today's values: ask the pharmacist and the specialist team"] = None
    return {f"dose-{i + 1}" if r else NO_DOSE: (text, r) for i, (text, r) in enumerate(sorted(seen.items()))}


def options(state: State) -> list[dict[str, Any]]:
    """What the learner may choose now: ``{"id", "text"}`` each; a dose point also takes ``{"dose_mg": x}``."""
    node = case_of(state).nodes[state.node]
    if node.kind == "dose":
        return [{"id": k, "text": t} for k, (t, _) in _candidates(state, node).items()]
    return [{"id": o.id, "text": o.text} for o in node.options]


def _keys(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\[([a-z0-9-]+)\]", text))


def _feedback(verdict: str, text: str, cites: tuple[str, ...], section: str, events: list[dict]) -> Feedback:
    cites = tuple(dict.fromkeys(cites))
    return Feedback(verdict, text, cites, tuple(cite(k) for k in cites), section, tuple(events))


def _dose_choice(state: State, node: Node, choice: object) -> tuple[Option, str, str]:
    """A dose point's choice as an option (right — the label dose — goes on, anything else brings the
    pharmacist), the dose given ("" unless right) and the label's answer."""
    cands = _candidates(state, node)
    right = label_dose(state)
    assert right is not None
    if isinstance(choice, dict):
        if set(choice) != {"dose_mg"}:
            raise InputError("choice", "type a dose as {\"dose_mg\": <mg per administration>}")
        mg = validate.number(choice["dose_mg"], "dose_mg", 0, MAX_DOSE_MG, "mg", lo_inclusive=False)
        ok = right.recommended and round(mg) == round(right.dose_mg or 0)
        chosen = f"{mg:g} mg"
    else:
        chosen, picked = cands[_known(choice, list(cands))]
        ok = picked.summary == right.summary if picked is not None else not right.recommended
    kidneys = patient_on(state).renal_function(state.regimen["options"].get("weight_basis", "actual"))
    renal = "on hemodialysis" if kidneys.method == "hemodialysis" else \
        kidneys.per_kg_text() if state.regimen and state.regimen["drug"] == "foscarnet" else kidneys.crcl_text()
    answer = right.summary if right.recommended else "no dose"
    if ok:
        text = f"Right: {answer} for today's values ({renal}). {right.reason}"
        return Option("dose", chosen, node.next, "expert", text, node.cites, node.section), answer, answer
    text = (f"The pharmacist calls: {chosen} is not what the label gives for today's values ({renal}); "
            f"the label gives {answer}. {right.reason} Choose again.")
    return Option("dose", chosen, node.id, "unsupported", text, node.cites, node.section), "", answer


def _known(choice: object, ids: list[str]) -> str:
    if not isinstance(choice, str) or choice not in ids:
        raise InputError("choice", f"{choice!r} is not an option here; choose one of {', '.join(ids)}")
    return choice


def replay(case: Case | str, picks: list[object]) -> State:
    """The state after ``picks`` (choices as :func:`choose` takes them) from the start of ``case``: how a saved
    game, or an instructor's link to a given step, is restored."""
    state = start(case)
    for pick in picks:
        state, _ = choose(state, pick)
    return state


def choose(state: State, choice: object) -> tuple[State, Feedback]:
    """Apply ``choice`` (an option id, or ``{"dose_mg": x}`` at a dose point) and say what follows."""
    case = case_of(state)
    node = case.nodes[state.node]
    if node.kind == "end":
        raise InputError("choice", "the case is over: open the debrief")
    given, expert = "", node.expert or "; ".join(o.text for o in node.options if o.verdict == "expert")
    if node.kind == "dose":
        option, given, label = _dose_choice(state, node, choice)
        choice = {"dose_mg": float(choice["dose_mg"])} if isinstance(choice, dict) else choice
        expert = node.expert or f"the label's answer for that day's values: {label}"
        right = label_dose(state)
        extra = _keys(right.source) if right else ()
    else:
        option = {o.id: o for o in node.options}[_known(choice, [o.id for o in node.options])]
        extra = ()
    first = not any(h["node"] == node.id for h in state.history)
    record = {"node": node.id, "day": node.day, "domain": node.domain, "pick": choice, "choice": option.text,
              "verdict": option.verdict, "first": first, "dose": given, "expert": expert, "checks": []}
    new = replace(state, history=state.history + [record])
    if option.next == node.id:
        return new, _feedback(option.verdict, option.feedback, option.cites + extra, option.section, [])
    if option.regimen is not None:
        new = replace(new, regimen={**asdict(option.regimen), "since": node.day}, dose="")
    if option.hold:
        new = replace(new, regimen=None, dose="")
    if option.order:
        new = replace(new, ordered=new.ordered + list(option.order))
    if given:
        new = replace(new, dose=given)
    if option.events:
        new = replace(new, pending=new.pending + [asdict(e) for e in option.events])
    before, target = len(new.events), case.nodes[option.next]
    checks = _checks(target, new.ordered)
    new = _arrive(case, replace(new, history=state.history + [{**record, "checks": [
        {"node": target.id, "day": target.day, "test": c["test"], "ordered": c["ordered"]} for c in checks]}]),
        target, node.day)
    text = option.feedback + (_checks_text(target.day, checks) if checks else "")
    cites = option.cites + extra + tuple(k for c in checks if not c["ordered"] for k in c["cites"])
    fb = _feedback(option.verdict, text, cites, option.section, new.events[before:])
    return new, replace(fb, checks=tuple({**c, "citations": [cite(k) for k in c["cites"]]} for c in checks))


def debrief(state: State) -> dict[str, Any]:
    """The decisions (first attempts), what an expert would have done at each, retries, the tests that were due
    at the steps reached (ordered or not), and the score by domain (each test due counts in monitoring)."""
    case = case_of(state)
    decisions, checks, score = [], [], {d: [0.0, 0] for d in DOMAINS}
    for h in state.history:
        for c in h["checks"]:
            checks.append({**c, "text": next(x.text for x in case.nodes[c["node"]].expects if x.test == c["test"])})
            score["monitoring"][0] += 1.0 if c["ordered"] else 0.0
            score["monitoring"][1] += 1
        if not h["first"]:
            continue
        decisions.append({**{k: h[k] for k in ("node", "day", "domain", "choice", "verdict", "expert")},
                          "prompt": case.nodes[h["node"]].prompt})
        score[h["domain"]][0] += POINTS[h["verdict"]]
        score[h["domain"]][1] += 1
    return {"case": case.id, "title": case.title, "finished": case.nodes[state.node].kind == "end",
            "decisions": decisions, "checks": checks, "retries": sum(not h["first"] for h in state.history),
            "score": {d: {"points": p, "out_of": n} for d, (p, n) in score.items() if n}}


def event_text(event: dict[str, Any] | Event) -> str:
    """An event for the reader.

    >>> event_text(load_case("declining-renal").timeline[-1])
    'Day 10 — creatinine: Serum creatinine today. (serum_creatinine_mg_dl 2.1)'
    """
    e = asdict(event) if isinstance(event, Event) else event
    values = ", ".join(f"{k} {v:g}" for k, v in e["values"].items())
    return f"Day {e['day']} — {e['kind']}: {e['text']}" + (f" ({values})" if values else "")
