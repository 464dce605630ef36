"""A virtual-patient case as data: its schema (dataclasses) and :func:`load_case`, which validates it.

A case file (``cmvlib/data/cases/<id>.json``) holds the patient (an example of :mod:`cmvlib.examples`,
optionally with changed fields), a timeline of events arriving on days, and decision points (``nodes``).
Anything wrong raises :class:`~cmvlib.InputError` naming the path of the bad item.

>>> case = load_case("declining-renal")
>>> case.title, case.start, case.nodes[case.start].day
('Clearance that falls mid-course', 'day0-drug', 0)
>>> load_case({"id": "x"})
Traceback (most recent call last):
...
cmvlib.errors.InputError: case.title: is missing
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

from .. import examples
from ..dosing import OPTIONS, PHASES
from ..errors import InputError
from ..patient import WEIGHT_BASES, Patient
from ..sources import sources

EVENT_KINDS = ("creatinine", "blood_counts", "pcr", "genotype", "symptom")
NODE_KINDS = ("decide", "dose", "end")
DOMAINS = ("dosing", "monitoring", "toxicity", "duration")
VERDICTS = ("expert", "acceptable", "unsupported")
_SECTION = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Event:
    """Something that arrives on ``day``: a ``kind`` of :data:`EVENT_KINDS`, a text and its values
    (``creatinine``: ``serum_creatinine_mg_dl``; ``blood_counts``: ``anc_per_ul``, ``platelets_per_ul``,
    ``hemoglobin_g_dl``; ``pcr``: ``iu_ml``)."""

    day: int
    kind: str
    text: str
    values: dict[str, float]


@dataclass(frozen=True)
class Regimen:
    """A drug in force: ``drug``, ``phase`` and the options :func:`cmvlib.dose` takes (``regimen`` …)."""

    drug: str
    phase: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """A distractor of a dose point: the dose for the patient with ``patient`` fields changed, or on another
    ``weight_basis`` (actual, ideal, adjusted)."""

    text: str
    patient: dict[str, Any]
    weight_basis: str = ""


@dataclass(frozen=True)
class Option:
    """One choice at a decision point, where it leads (``next``; the same node = try again) and its feedback.

    ``regimen`` starts or changes the drug in force; ``hold`` stops it; ``order`` names the tests ordered;
    ``events`` are what the choice causes: they arrive, on this branch only, at the first step on or after their day."""

    id: str
    text: str
    next: str
    verdict: str
    feedback: str
    cites: tuple[str, ...]
    section: str
    regimen: Regimen | None = None
    hold: bool = False
    order: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Expect:
    """A test that should have been ordered by the time the learner reaches a step (scored in the monitoring
    domain): why it is due, its citations and chapter section."""

    test: str
    text: str
    cites: tuple[str, ...]
    section: str


@dataclass(frozen=True)
class Node:
    """A decision point on ``day``. ``decide`` lists its options; ``dose`` asks the dose of the drug in
    force (candidates are computed); ``end`` closes the case."""

    id: str
    day: int
    kind: str
    prompt: str
    domain: str
    events: tuple[Event, ...]
    options: tuple[Option, ...]
    next: str          # dose nodes: where the right dose leads
    cites: tuple[str, ...]
    section: str
    expert: str        # what an expert would do here, in words (dose nodes: computed)
    variants: tuple[Variant, ...]
    expects: tuple[Expect, ...] = ()


@dataclass(frozen=True)
class Case:
    """A validated case. ``patient`` is the ``cmvlib.Patient`` keyword arguments on day 0."""

    id: str
    title: str
    summary: str
    example: str
    patient: dict[str, Any]
    timeline: tuple[Event, ...]
    start: str
    nodes: dict[str, Node]

    def sections(self) -> set[str]:
        """Every chapter label the case links to (checked against the book by the tests)."""
        return {n.section for n in self.nodes.values() if n.section} | {
            o.section for n in self.nodes.values() for o in n.options} | {
            x.section for n in self.nodes.values() for x in n.expects}

    def cites(self) -> set[str]:
        """Every citation key the case uses."""
        return {k for n in self.nodes.values() for k in n.cites} | {
            k for n in self.nodes.values() for o in n.options for k in o.cites} | {
            k for n in self.nodes.values() for x in n.expects for k in x.cites}


class _Reader:
    """Reads one JSON object at ``path``: each field once, unknown keys refused, messages naming the path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise InputError(path, f"must be an object (got {type(data).__name__})")
        self.data, self.path, self.used = data, path, set()

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise InputError(f"{self.path}.{key}", "is missing")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            names = " or ".join(k.__name__ for k in _tuple(kind))
            raise InputError(f"{self.path}.{key}", f"must be {names} (got {value!r})")
        return value

    def text(self, key: str, default: Any = ...) -> str:
        value = self.get(key, str, default)
        if default is ... and not value.strip():
            raise InputError(f"{self.path}.{key}", "must not be empty")
        return value

    def done(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise InputError(f"{self.path}.{extra[0]}", "unknown key (a typo?)")


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _choice(value: str, path: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(path, f"must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _day(r: _Reader) -> int:
    day = r.get("day", int)
    if not 0 <= day <= 365:
        raise InputError(f"{r.path}.day", f"must be a day from 0 to 365 (got {day})")
    return day


_EVENT_VALUES = {"creatinine": ("serum_creatinine_mg_dl",), "pcr": ("iu_ml",),
                 "blood_counts": ("anc_per_ul", "platelets_per_ul", "hemoglobin_g_dl")}


def _event(data: object, path: str) -> Event:
    r = _Reader(data, path)
    day, kind, text = _day(r), _choice(r.text("kind"), f"{path}.kind", EVENT_KINDS), r.text("text")
    values = {}
    for key in _EVENT_VALUES.get(kind, ()):
        value = r.get(key, (int, float), None)
        if value is not None:
            values[key] = float(value)
    if kind == "creatinine" and not values:
        raise InputError(f"{path}.serum_creatinine_mg_dl", "is missing")
    r.done()
    return Event(day, kind, text, values)


def _cites(r: _Reader) -> tuple[str, ...]:
    keys = r.get("cites", list)
    known = sources()
    for i, key in enumerate(keys):
        if key not in known:
            raise InputError(f"{r.path}.cites[{i}]", f"unknown citation key {key!r} (see cmvlib/data/sources.csv)")
    return tuple(keys)


def _section(r: _Reader, required: bool = True) -> str:
    label = r.text("section") if required else r.get("section", str, "")
    if label and not _SECTION.match(label):
        raise InputError(f"{r.path}.section", f"must be a chapter label such as 'bullet-first-line-2' (got {label!r})")
    return label


def _regimen(data: object, path: str) -> Regimen:
    r = _Reader(data, path)
    drug = _choice(r.text("drug"), f"{path}.drug", tuple(PHASES))
    phase = _choice(r.text("phase"), f"{path}.phase", PHASES[drug])
    options = r.get("options", dict, {})
    for key in options:
        _choice(key, f"{path}.options.{key}", tuple(sorted(OPTIONS[drug] | {"weight_basis"})))
    if "weight_basis" in options:
        _choice(options["weight_basis"], f"{path}.options.weight_basis", WEIGHT_BASES)
    r.done()
    return Regimen(drug, phase, dict(options))


def _tests(r: _Reader) -> tuple[str, ...]:
    """``order``: one test name or a list of them."""
    value = r.get("order", (str, list), [])
    tests = [value] if isinstance(value, str) else value
    for i, test in enumerate(tests):
        if not isinstance(test, str) or not test.strip():
            raise InputError(f"{r.path}.order[{i}]", f"must be the name of a test (got {test!r})")
    return tuple(tests)


def _option(data: object, path: str) -> Option:
    r = _Reader(data, path)
    reg = r.get("regimen", dict, None)
    option = Option(r.text("id"), r.text("text"), r.text("next"),
                    _choice(r.text("verdict"), f"{path}.verdict", VERDICTS), r.text("feedback"), _cites(r),
                    _section(r), None if reg is None else _regimen(reg, f"{path}.regimen"),
                    r.get("hold", bool, False), _tests(r),
                    tuple(_event(e, f"{path}.events[{i}]") for i, e in enumerate(r.get("events", list, []))))
    r.done()
    return option


def _expect(data: object, path: str) -> Expect:
    r = _Reader(data, path)
    expect = Expect(r.text("test"), r.text("text"), _cites(r), _section(r))
    r.done()
    return expect


def _variant(data: object, path: str) -> Variant:
    r = _Reader(data, path)
    variant = Variant(r.text("text"), r.get("patient", dict, {}), r.get("weight_basis", str, ""))
    if variant.weight_basis:
        _choice(variant.weight_basis, f"{path}.weight_basis", WEIGHT_BASES)
    allowed = tuple(f.name for f in fields(Patient) if f.init)
    for key in variant.patient:
        _choice(key, f"{path}.patient.{key}", allowed)
    r.done()
    return variant


def _node(node_id: str, data: object, path: str) -> Node:
    r = _Reader(data, path)
    day, kind = _day(r), _choice(r.get("kind", str, "decide"), f"{path}.kind", NODE_KINDS)
    end = kind == "end"
    node = Node(node_id, day, kind, r.text("prompt"),
                "" if end else _choice(r.text("domain"), f"{path}.domain", DOMAINS),
                tuple(_event(e, f"{path}.events[{i}]") for i, e in enumerate(r.get("events", list, []))),
                tuple(_option(o, f"{path}.options[{i}]") for i, o in enumerate(r.get("options", list, []))),
                r.text("next") if kind == "dose" else "", _cites(r) if kind == "dose" else (),
                _section(r, kind == "dose"), r.get("expert", str, ""),
                tuple(_variant(v, f"{path}.variants[{i}]") for i, v in enumerate(r.get("variants", list, []))),
                tuple(_expect(x, f"{path}.expects[{i}]") for i, x in enumerate(r.get("expects", list, []))))
    if end and node.expects:
        raise InputError(f"{path}.expects", "an end node expects nothing (put it on a step the learner decides at)")
    if kind == "decide" and len(node.options) < 2:
        raise InputError(f"{path}.options", "a decision point needs at least two options")
    if kind != "decide" and node.options:
        raise InputError(f"{path}.options", f"a {kind} node takes no options")
    ids = [o.id for o in node.options]
    if len(set(ids)) != len(ids):
        raise InputError(f"{path}.options", "option ids must be unique")
    if kind == "decide" and not any(o.verdict == "expert" for o in node.options):
        raise InputError(f"{path}.options", "mark at least one option as the expert's (verdict 'expert')")
    r.done()
    return node


def _check_graph(case: Case) -> None:
    """Every branch leads to a node, days never go back, every node is reachable, and a dose point always has a
    drug in force."""
    def targets(n: Node) -> list[tuple[str, str]]:
        if n.kind == "dose":
            return [(f"nodes.{n.id}.next", n.next)]
        return [(f"nodes.{n.id}.options[{i}].next", o.next) for i, o in enumerate(n.options)]

    for n in case.nodes.values():
        for path, target in targets(n):
            if target not in case.nodes:
                raise InputError(path, f"leads to {target!r}, which is not a node of the case")
            if case.nodes[target].day < n.day:
                raise InputError(path, f"goes back in time (day {n.day} -> day {case.nodes[target].day})")
        for i, o in enumerate(n.options):
            for j, e in enumerate(o.events):
                if e.day < n.day:
                    raise InputError(f"nodes.{n.id}.options[{i}].events[{j}].day",
                                     f"goes back in time (a choice on day {n.day} causes an event on day {e.day})")
            if o.next == n.id and (o.regimen or o.hold or o.order or o.events):
                raise InputError(f"nodes.{n.id}.options[{i}]", "an option that keeps the learner at the step "
                                 "cannot start, hold or order anything, nor cause events")
    # Walk (node, drug in force?) pairs: a dose point must never be reached without a drug in force.
    seen: set[tuple[str, bool]] = set()
    todo = [(case.start, False)]
    while todo:
        node_id, on_drug = todo.pop()
        if (node_id, on_drug) in seen:
            continue
        seen.add((node_id, on_drug))
        n = case.nodes[node_id]
        if n.kind == "dose" and not on_drug:
            raise InputError(f"nodes.{node_id}", "is a dose point that a path reaches with no drug in force")
        if n.kind == "dose":
            todo.append((n.next, on_drug))
        todo.extend((o.next, (on_drug or o.regimen is not None) and not o.hold) for o in n.options)
    unreachable = sorted(set(case.nodes) - {node_id for node_id, _ in seen})
    if unreachable:
        raise InputError(f"nodes.{unreachable[0]}", "cannot be reached from the start")
    if not any(n.kind == "end" for n in case.nodes.values()):
        raise InputError("nodes", "the case needs at least one end node (kind 'end')")


def _patient(data: object) -> tuple[str, dict[str, Any]]:
    r = _Reader(data, "case.patient")
    example = r.text("example")
    try:
        inputs = {**examples.inputs(example), **r.get("changes", dict, {})}
        Patient(**inputs)
    except InputError as e:
        raise InputError("case.patient", str(e)) from None
    except TypeError as e:
        raise InputError("case.patient.changes", f"unknown patient field ({e})") from None
    r.done()
    return example, inputs


def names() -> tuple[str, ...]:
    """The ids of the cases shipped with cmvlib (``cmvlib/data/cases/*.json``), sorted."""
    folder = resources.files("cmvlib").joinpath("data", "cases")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


def load_case(source: str | dict[str, Any]) -> Case:
    """A validated case: a shipped case id (see :func:`names`) or the parsed JSON of a case file."""
    if isinstance(source, str):
        if source not in names():
            raise InputError("case", f"unknown case {source!r}; choose one of {', '.join(names())}")
        source = json.loads(resources.files("cmvlib").joinpath("data", "cases", f"{source}.json")
                            .read_text(encoding="utf-8"))
    r = _Reader(source, "case")
    case_id = r.text("id")
    if not _SECTION.match(case_id):
        raise InputError("case.id", f"must be lower-case letters, digits and hyphens (got {case_id!r})")
    title, summary = r.text("title"), r.text("summary")
    example, inputs = _patient(r.get("patient", dict))
    timeline = tuple(_event(e, f"case.timeline[{i}]") for i, e in enumerate(r.get("timeline", list)))
    raw = r.get("nodes", dict)
    nodes = {k: _node(k, v, f"nodes.{k}") for k, v in raw.items()}
    start = r.text("start")
    r.done()
    if start not in nodes:
        raise InputError("case.start", f"names {start!r}, which is not a node of the case")
    case = Case(case_id, title, summary, example, inputs, timeline, start, nodes)
    _check_graph(case)
    return case


