"""Self-assessment quizzes: the question bank, grading, scores by chapter (standard library only).

The bank is data (``data/questions.json``, its fields described in its ``_about`` header): per question
the chapter (one of the guideline's seven sections), the guideline bullet it tests, a learning objective,
a stem, options each with its **own explanation**, a difficulty and its sources. Numeric questions carry
a ``compute`` spec: :func:`compute` recomputes the answer with cmvlib, and the tests fail if a stored
answer ever differs from the library. The static book pages and the Voilà app both grade through
:meth:`Question.check`, so a learner gets the same verdict everywhere.

Examples
--------
>>> qs = load_questions("first-line")
>>> len(qs) >= 8, qs[0].chapter, qs[0].type
(True, 'first-line', 'single')
>>> q = question("first-line-q05")
>>> q.answer.value, q.answer.units, compute(q.compute)
(175.0, 'mg', 175.0)
>>> q.check(175).correct, q.check("350").correct
(True, False)
>>> q.check(350).explanation.startswith("350 mg is 5 mg/kg")
True
>>> first = load_questions("first-line")[0]
>>> first.check(first.correct_option.index).correct
True
>>> s = score({"first-line-q05": 175, "first-line-q04": 290})
>>> (s.correct, s.answered, s.total) == (1, 2, len(load_questions()))
True
>>> [q.id for q in shuffled(load_questions("pitfalls"), seed=1)] == [q.id for q in shuffled(load_questions("pitfalls"), seed=1)]
True
"""
from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from . import _data, validate
from .errors import InputError
from .guideline import bullet, sections
from .sources import cite

TYPES = ("single", "numeric")
DIFFICULTIES = (1, 2, 3)
#: A typed numeric answer must lie within these bounds (a typing check, not a clinical range).
MAX_NUMERIC_ANSWER = 1e9


# --------------------------------------------------------------------------------------------------
# The question objects
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """A citation key of ``data/sources.csv`` and where in the source the fact was read."""

    key: str
    detail: str = ""

    @property
    def text(self) -> str:
        """The citation as a reader sees it (``cmvlib.sources.cite``)."""
        return cite(self.key, self.detail)


@dataclass(frozen=True)
class Option:
    """One answer option. ``index`` is its position in the bank (stable under shuffling); numeric
    questions give each option the ``value`` it stands for (the answer or an anticipated mistake)."""

    index: int
    text: str
    correct: bool
    explanation: str
    value: float | None = None


@dataclass(frozen=True)
class Answer:
    """The answer of a numeric question: ``value`` ± ``tolerance`` in ``units`` (``decimals`` shown)."""

    value: float
    tolerance: float
    units: str
    decimals: int

    @property
    def text(self) -> str:
        """``"175 mg"``, ``"0.91 days"``."""
        return f"{format_number(self.value, self.decimals)} {self.units}"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one response: whether it is correct, the option it matched (``None`` for a number
    that matches no option) and the explanation to show."""

    question_id: str
    correct: bool
    option: Option | None
    explanation: str


@dataclass(frozen=True)
class Question:
    """One question of the bank (see ``data/questions.json`` for the fields)."""

    id: str
    chapter: str
    section: str
    objective: str
    type: str
    difficulty: int
    stem: str
    options: tuple[Option, ...]
    source: tuple[Source, ...]
    answer: Answer | None = None
    compute: Mapping[str, Any] | None = None
    checks: tuple[Mapping[str, Any], ...] = ()

    @property
    def correct_option(self) -> Option:
        """The one correct option."""
        return next(o for o in self.options if o.correct)

    @property
    def citations(self) -> tuple[str, ...]:
        """Every source as a reader sees it."""
        return tuple(s.text for s in self.source)

    def option(self, index: int) -> Option:
        """The option with bank index ``index``."""
        for o in self.options:
            if o.index == index:
                return o
        raise InputError("answer", f"question {self.id} has no option {index!r} "
                                   f"(choose one of {sorted(o.index for o in self.options)})")

    def check(self, response: object) -> Feedback:
        """Grade a response: an option index for single-best-answer, a number (or numeric text) for numeric.

        Raises
        ------
        InputError
            for a response that is not an option of this question, or not a number.
        """
        if self.type == "single":
            if isinstance(response, bool) or not isinstance(response, int):
                raise InputError("answer", f"choose one of the options of question {self.id} (got {response!r})")
            chosen = self.option(response)
            return Feedback(self.id, chosen.correct, chosen, chosen.explanation)
        assert self.answer is not None
        x = parse_number(response)
        if _close(x, self.answer.value, self.answer.tolerance):
            chosen = self.correct_option
            return Feedback(self.id, True, chosen, chosen.explanation)
        wrong = [o for o in self.options if not o.correct and o.value is not None
                 and _close(x, o.value, self.answer.tolerance)]
        if wrong:
            chosen = min(wrong, key=lambda o: abs(x - float(o.value)))  # type: ignore[arg-type]
            return Feedback(self.id, False, chosen, chosen.explanation)
        return Feedback(self.id, False, None,
                        f"{format_number(x, self.answer.decimals)} {self.answer.units} is not the answer "
                        f"({self.answer.text}, within ±{format_number(self.answer.tolerance, self.answer.decimals)}).")


def _close(x: float, target: float, tolerance: float) -> bool:
    return abs(x - target) <= tolerance + 1e-9


def format_number(x: float, decimals: int) -> str:
    """``x`` with at most ``decimals`` decimals, trailing zeros dropped.

    >>> format_number(175.0, 1), format_number(0.9122, 2), format_number(62.1, 1), format_number(500, 0)
    ('175', '0.91', '62.1', '500')
    """
    text = f"{x:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: object) -> float:
    """A typed answer as a float: numbers, or text such as ``"175"``, ``"3,600"`` (thousands),
    ``"0,91"`` (decimal comma) or ``"175 mg"`` (a trailing unit is ignored).

    >>> parse_number("3,600"), parse_number("0,91"), parse_number(" 175 mg "), parse_number(8.5)
    (3600.0, 0.91, 175.0, 8.5)
    >>> parse_number("abc")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: answer: type a number, for example 175 or 0.91 (got 'abc')
    """
    if isinstance(value, str):
        text = value.strip()
        match = re.match(r"^([+-]?[\d.,]+)\s*[^\d.,\s]*\s*$", text)
        if not match:
            raise InputError("answer", f"type a number, for example 175 or 0.91 (got {value!r})")
        text = match.group(1)
        text = text.replace(",", "") if _THOUSANDS.match(text) else text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise InputError("answer", f"type a number, for example 175 or 0.91 (got {value!r})") from None
    return validate.number(value, "answer", -MAX_NUMERIC_ANSWER, MAX_NUMERIC_ANSWER)


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------
def chapters() -> tuple[tuple[str, str], ...]:
    """``(id, title)`` of the seven chapters, in book order (the guideline's sections).

    >>> chapters()[0], len(chapters())
    (('first-line', 'First-Line Treatment'), 7)
    """
    return tuple((s.id, s.title) for s in sections())


def _question(raw: Mapping[str, Any]) -> Question:
    options = tuple(Option(i, o["text"], bool(o["correct"]), o["explanation"],
                           None if o.get("value") is None else float(o["value"]))
                    for i, o in enumerate(raw["options"]))
    ans = raw.get("answer")
    answer = None if ans is None else Answer(float(ans["value"]), float(ans["tolerance"]), ans["units"],
                                             int(ans["decimals"]))
    return Question(id=raw["id"], chapter=raw["chapter"], section=raw["section"], objective=raw["objective"],
                    type=raw["type"], difficulty=int(raw["difficulty"]), stem=raw["stem"], options=options,
                    source=tuple(Source(s["key"], s.get("detail", "")) for s in raw["source"]),
                    answer=answer, compute=raw.get("compute"), checks=tuple(raw.get("checks", ())))


@lru_cache(maxsize=None)
def _bank() -> tuple[Question, ...]:
    return tuple(_question(raw) for raw in _data.json_data("questions")["questions"])


def load_questions(chapter: str | Sequence[str] | set[str] | None = None) -> list[Question]:
    """The questions of ``chapter`` (a chapter id, several ids, or ``None`` for all), in bank order.

    >>> {q.chapter for q in load_questions(["duration", "pitfalls"])} == {"duration", "pitfalls"}
    True
    >>> load_questions("dosing")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: chapter: must be one of first-line, alternatives, special-populations, monitoring, adverse-effects, duration, pitfalls (got 'dosing')
    """
    if chapter is None:
        return list(_bank())
    ids = tuple(c for c, _ in chapters())
    if not isinstance(chapter, (str, list, tuple, set, frozenset)):
        raise InputError("chapter", f"must be a chapter id or a list of them (got {chapter!r})")
    wanted = {validate.choice(c, "chapter", ids) for c in ([chapter] if isinstance(chapter, str) else chapter)}
    return [q for q in _bank() if q.chapter in wanted]


def question(question_id: str) -> Question:
    """One question by id; ``InputError`` if there is none."""
    for q in _bank():
        if q.id == question_id:
            return q
    raise InputError("question", f"no question {question_id!r} in the bank")


def section_title(question: Question) -> str:
    """The guideline bullet a question tests, as a short title: ``"First-Line Treatment, bullet 2"``."""
    b = bullet(question.section)
    title = dict(chapters())[b.section_id]
    return f"{title}, bullet {b.id.rsplit('-', 1)[1]}"


# --------------------------------------------------------------------------------------------------
# Shuffling and scores
# --------------------------------------------------------------------------------------------------
def shuffled(questions: Sequence[Question], seed: int | str, *, options: bool = True) -> list[Question]:
    """The questions in a random order fixed by ``seed``, each with its options shuffled too (option
    ``index`` values keep their bank meaning, so responses stay gradable).

    >>> qs = load_questions("alternatives")
    >>> a, b = shuffled(qs, 7), shuffled(qs, 7)
    >>> [q.id for q in a] == [q.id for q in b], sorted(q.id for q in a) == sorted(q.id for q in qs)
    (True, True)
    """
    rng = random.Random(f"cmv-quiz:{seed}")
    out = list(questions)
    rng.shuffle(out)
    if options:
        out = [replace(q, options=tuple(rng.sample(q.options, len(q.options)))) for q in out]
    return out


def options_in_display_order(q: Question) -> tuple[Option, ...]:
    """The options of ``q`` in the order the static book shows them: shuffled with the question id as
    seed, so the page is the same on every build and the correct answer is not always first."""
    return tuple(random.Random(f"cmv-quiz-options:{q.id}").sample(q.options, len(q.options)))


@dataclass(frozen=True)
class Score:
    """``correct`` of ``answered`` responses, out of ``total`` questions."""

    correct: int
    answered: int
    total: int

    @property
    def percent(self) -> float | None:
        """Percentage correct of the questions answered (``None`` before any answer)."""
        return None if not self.answered else round(100 * self.correct / self.answered, 1)


def _graded(answers: Mapping[str, object], questions: Sequence[Question]) -> dict[str, bool]:
    if not isinstance(answers, Mapping):
        raise InputError("answers", "must map question ids to responses, e.g. {'first-line-q01': 2}")
    by_id = {q.id: q for q in questions}
    graded = {}
    for qid, response in answers.items():
        if qid not in by_id:
            raise InputError("answers", f"question {qid!r} is not among the questions being scored")
        graded[qid] = by_id[qid].check(response).correct
    return graded


def score(answers: Mapping[str, object], questions: Sequence[Question] | None = None) -> Score:
    """Score responses (question id -> response) against ``questions`` (default: the whole bank)."""
    qs = load_questions() if questions is None else list(questions)
    graded = _graded(answers, qs)
    return Score(sum(graded.values()), len(graded), len(qs))


def results_by_chapter(answers: Mapping[str, object], questions: Sequence[Question] | None = None
                       ) -> dict[str, Score]:
    """A :class:`Score` per chapter present in ``questions`` (default: the whole bank), in book order.

    >>> r = results_by_chapter({"first-line-q05": 175, "pitfalls-q09": 6300})
    >>> (r["first-line"].correct, r["pitfalls"].correct, r["pitfalls"].answered, r["monitoring"].answered)
    (1, 0, 1, 0)
    """
    qs = load_questions() if questions is None else list(questions)
    graded = _graded(answers, qs)
    out = {}
    for chapter, _ in chapters():
        mine = [q for q in qs if q.chapter == chapter]
        if mine:
            done = [graded[q.id] for q in mine if q.id in graded]
            out[chapter] = Score(sum(done), len(done), len(mine))
    return out


# --------------------------------------------------------------------------------------------------
# Recomputing answers with cmvlib
# --------------------------------------------------------------------------------------------------
def _patient(spec: Mapping[str, Any]):
    from . import examples
    from .patient import Patient
    if "example" in spec:
        return examples.patient(spec["example"], **spec.get("args", {}))
    return Patient(**spec["args"])


def _dose(spec: Mapping[str, Any]) -> Any:
    from .dosing import dose
    result = dose(spec["drug"], spec["phase"], _patient(spec), weight_basis=spec.get("weight_basis", "actual"),
                  **spec.get("options", {}))
    return getattr(result, spec["field"])


def _crcl(per_kg: bool):
    def run(spec: Mapping[str, Any]) -> Any:
        p = _patient(spec)
        basis = spec.get("weight_basis", "actual")
        return p.crcl_ml_min_per_kg(basis) if per_kg else p.crcl_ml_min(basis)
    return run


def _kinetics(name: str):
    def run(spec: Mapping[str, Any]) -> Any:
        from . import kinetics
        return getattr(kinetics, name)(**spec["args"])
    return run


def _hydration(spec: Mapping[str, Any]) -> Any:
    from .dosing import foscarnet_hydration
    each = next(h for h in foscarnet_hydration(**spec["args"]) if h.when == "with each infusion")
    return getattr(each, spec["field"])


def _immunoglobulin(spec: Mapping[str, Any]) -> Any:
    from .immunoglobulin import immunoglobulin_for_pneumonitis
    regimen = next(r for r in immunoglobulin_for_pneumonitis(_patient(spec)) if r.id == spec["regimen"])
    return getattr(next(d for d in regimen.doses if d.day == spec["day"]), spec["field"])


def _cidofovir_schedule(spec: Mapping[str, Any]) -> Any:
    from .cidofovir import cidofovir_schedule
    items = cidofovir_schedule(**spec["args"])
    if spec["field"] == "probenecid_times":
        return ", ".join(i.clock for i in items if i.what.startswith("Probenecid"))
    raise KeyError(spec["field"])


def _decision(name: str):
    def run(spec: Mapping[str, Any]) -> Any:
        from . import regimen
        args = {k: ([tuple(p) for p in v] if k.startswith("viral_loads") else v) for k, v in spec["args"].items()}
        return getattr(getattr(regimen, name)(**args), spec["field"])
    return run


def _check_labs(spec: Mapping[str, Any]) -> Any:
    from .toxicity import check_labs
    findings = check_labs(spec["drug"], **spec["args"])
    if spec["field"] == "labs":
        return ", ".join(f.lab for f in findings)
    raise KeyError(spec["field"])


COMPUTE_FUNCTIONS = {
    "dose": _dose,
    "crcl_ml_min": _crcl(per_kg=False),
    "crcl_ml_min_per_kg": _crcl(per_kg=True),
    "days_to_below": _kinetics("days_to_below"),
    "half_lives_to_below": _kinetics("half_lives_to_below"),
    "doubling_time_days": _kinetics("doubling_time_days"),
    "foscarnet_hydration": _hydration,
    "immunoglobulin": _immunoglobulin,
    "cidofovir_schedule": _cidofovir_schedule,
    "refractory_flag": _decision("refractory_flag"),
    "can_stop": _decision("can_stop"),
    "check_labs": _check_labs,
}


def compute(spec: Mapping[str, Any]) -> Any:
    """Run a bank ``compute`` spec with cmvlib and return the raw result (a number, text or flag).

    >>> compute({"function": "days_to_below", "args": {"vl0": 100000, "lloq": 137, "half_life_days": 1.0}})
    9.511608391476285
    >>> compute({"function": "dose", "example": "hemodialysis", "drug": "ganciclovir", "phase": "induction",
    ...          "field": "summary"})
    '80 mg IV 3 times a week, after each dialysis session'
    """
    try:
        run = COMPUTE_FUNCTIONS[spec["function"]]
    except KeyError:
        raise InputError("compute", f"unknown function {spec.get('function')!r}; "
                                    f"one of {', '.join(COMPUTE_FUNCTIONS)}") from None
    return run(spec)


def rounded(value: Any, decimals: int | None) -> Any:
    """A computed value as the bank stores it: floats rounded to ``decimals``; other values unchanged.

    >>> rounded(9.5116, 1), rounded("responding", None), rounded(None, 1)
    (9.5, 'responding', None)
    """
    if isinstance(value, float) and not isinstance(value, bool) and decimals is not None and math.isfinite(value):
        return round(value, decimals)
    return value
