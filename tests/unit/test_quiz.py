"""The question bank and the quiz code: schema, content rules, answers recomputed with cmvlib, grading,
scores, shuffling, the static HTML and the Voilà quiz app driven from code."""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmvlib import _data, guideline, kinetics, quiz, quiz_ui
from cmvlib.errors import InputError
from cmvlib.sources import sources

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT.parent / "shared" / "clinical" / "facts.md"
BANK = json.loads((ROOT / "cmvlib" / "data" / "questions.json").read_text(encoding="utf-8"))
QUESTIONS = quiz.load_questions()
CHAPTERS = [c for c, _ in quiz.chapters()]
BULLETS = {b.id: b for b in guideline.bullets()}

# --------------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------------
SOURCE = {"type": "object", "required": ["key", "detail"], "additionalProperties": False,
          "properties": {"key": {"type": "string", "minLength": 1}, "detail": {"type": "string", "minLength": 3}}}
OPTION = {"type": "object", "required": ["text", "correct", "explanation"], "additionalProperties": False,
          "properties": {"text": {"type": "string", "minLength": 1}, "correct": {"type": "boolean"},
                         "explanation": {"type": "string", "minLength": 20}, "value": {"type": "number"}}}
COMPUTE = {"type": "object", "required": ["function"],
           "properties": {"function": {"enum": sorted(quiz.COMPUTE_FUNCTIONS)}}}
QUESTION = {
    "type": "object",
    "required": ["id", "chapter", "section", "objective", "type", "difficulty", "stem", "options", "source"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z-]+-q\d\d$"},
        "chapter": {"enum": CHAPTERS},
        "section": {"enum": sorted(BULLETS)},
        "objective": {"type": "string", "minLength": 10},
        "type": {"enum": list(quiz.TYPES)},
        "difficulty": {"enum": list(quiz.DIFFICULTIES)},
        "stem": {"type": "string", "minLength": 20},
        "options": {"type": "array", "minItems": 2, "items": OPTION},
        "source": {"type": "array", "minItems": 1, "items": SOURCE},
        "answer": {"type": "object", "required": ["value", "tolerance", "units", "decimals"],
                   "additionalProperties": False,
                   "properties": {"value": {"type": "number"}, "tolerance": {"type": "number", "minimum": 0},
                                  "units": {"type": "string", "minLength": 1},
                                  "decimals": {"type": "integer", "minimum": 0, "maximum": 3}}},
        "compute": COMPUTE,
        "checks": {"type": "array", "minItems": 1,
                   "items": {"type": "object", "required": ["compute", "expect"], "additionalProperties": False,
                             "properties": {"compute": COMPUTE, "expect": {}}}},
    },
    "allOf": [{"if": {"properties": {"type": {"const": "numeric"}}},
               "then": {"required": ["answer", "compute"],
                        "properties": {"options": {"items": {"required": ["value"]}}}},
               "else": {"not": {"anyOf": [{"required": ["answer"]}, {"required": ["compute"]}]},
                        "properties": {"options": {"minItems": 3, "items": {"not": {"required": ["value"]}}}}}}],
}
BANK_SCHEMA = {"type": "object", "required": ["_about", "questions"], "additionalProperties": False,
               "properties": {"_about": {"type": "object", "required": ["what", "rules", "fields"]},
                              "questions": {"type": "array", "minItems": 56, "items": QUESTION}}}


def test_bank_matches_the_schema():
    jsonschema.validate(BANK, BANK_SCHEMA)


def test_about_header_describes_every_field():
    fields = set(BANK["_about"]["fields"])
    used = {k for q in BANK["questions"] for k in q}
    assert used <= fields, f"fields without a description in _about: {used - fields}"


def test_ids_are_unique_and_named_after_their_chapter():
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))
    for q in QUESTIONS:
        assert q.id.rsplit("-q", 1)[0] == q.chapter, q.id


def test_every_chapter_has_at_least_eight_questions():
    counts = Counter(q.chapter for q in QUESTIONS)
    assert set(counts) == set(CHAPTERS)
    assert min(counts.values()) >= 8, counts


def test_numeric_questions_in_several_chapters():
    numeric = Counter(q.chapter for q in QUESTIONS if q.type == "numeric")
    assert len(numeric) >= 5, numeric


def test_each_question_has_exactly_one_correct_option_and_every_option_is_explained():
    for q in QUESTIONS:
        assert sum(o.correct for o in q.options) == 1, q.id
        assert all(o.explanation.strip() for o in q.options), q.id
        assert len({o.text for o in q.options}) == len(q.options), f"{q.id}: two options read the same"
        assert len({o.explanation for o in q.options}) == len(q.options), f"{q.id}: an explanation is copied"


def test_sources_are_known_citation_keys():
    known = sources()
    for q in QUESTIONS:
        for s in q.source:
            assert s.key in known, f"{q.id}: unknown source {s.key}"
            assert s.text.endswith(f"[{s.key}]")


def test_sections_are_guideline_bullets():
    for q in QUESTIONS:
        assert q.section in BULLETS, q.id


def test_every_guideline_bullet_is_tested_by_some_question():
    assert set(BULLETS) <= {q.section for q in QUESTIONS}


def test_questions_on_unverified_bullets_say_so():
    """A question on a bullet no source supports must teach that status, never present it as fact."""
    flag = re.compile(r"unverified|no source|not found", re.I)
    for q in QUESTIONS:
        if BULLETS[q.section].unverified:
            o = q.correct_option
            assert flag.search(o.text + " " + o.explanation), q.id


def test_numeric_answers_and_their_options_agree():
    for q in QUESTIONS:
        if q.type != "numeric":
            continue
        assert q.correct_option.value == q.answer.value, q.id
        for o in q.options:
            if not o.correct:
                assert abs(o.value - q.answer.value) > q.answer.tolerance, f"{q.id}: a wrong value is within tolerance"
        wrong = sorted(o.value for o in q.options if not o.correct)
        assert all(b - a > 2 * q.answer.tolerance for a, b in zip(wrong, wrong[1:])), f"{q.id}: ambiguous mistakes"


# --------------------------------------------------------------------------------------------------
# Content: no number that is neither sourced nor computed
# --------------------------------------------------------------------------------------------------
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Intermediate steps of a worked calculation, shown in an explanation (not clinical facts).
ARITHMETIC = {"first-line-q03": {"3944", "93.6"}, "duration-q04": {"1825"}, "alternatives-q01": {"270"}}


def _numbers(text: str) -> list[str]:
    return [n.replace(",", "") for n in NUMBER.findall(text)]


def test_every_number_in_options_is_in_the_facts_file_the_vignette_or_computed():
    facts = FACTS.read_text(encoding="utf-8").replace(",", "")
    for q in QUESTIONS:
        allowed = set(_numbers(q.stem)) | ARITHMETIC.get(q.id, set())
        allowed |= {quiz.format_number(o.value, 2) for o in q.options if o.value is not None}
        allowed |= {quiz.format_number(c["expect"], 2) for c in q.checks if isinstance(c["expect"], float)}
        for o in q.options:
            for n in _numbers(o.text + " " + o.explanation):
                assert n in facts or n in allowed or quiz.format_number(float(n), 2) in allowed, (q.id, o.text, n)


def test_kinetic_questions_use_only_sourced_half_lives_and_the_sourced_lloq():
    half_lives = {p.value for p in kinetics.parameters() if p.role == "half_life"}
    for q in QUESTIONS:
        for spec in [q.compute, *(c["compute"] for c in q.checks)]:
            if spec and spec["function"] in ("days_to_below", "half_lives_to_below"):
                assert spec["args"]["lloq"] == kinetics.example_lloq().value, q.id
                if "half_life_days" in spec["args"]:
                    assert spec["args"]["half_life_days"] in half_lives, q.id
            if spec and spec["function"] == "doubling_time_days":
                assert spec["args"]["rate_log10_per_day"] in {p.value for p in kinetics.growth_rates()}, q.id


# --------------------------------------------------------------------------------------------------
# Every stored answer and every quoted number recomputed with cmvlib
# --------------------------------------------------------------------------------------------------
NUMERIC = [q for q in QUESTIONS if q.type == "numeric"]
CHECKED = [(q, i, c) for q in QUESTIONS for i, c in enumerate(q.checks)]


@pytest.mark.parametrize("q", NUMERIC, ids=[q.id for q in NUMERIC])
def test_stored_answer_equals_what_cmvlib_computes(q):
    computed = quiz.compute(q.compute)
    assert isinstance(computed, float) and math.isfinite(computed)
    assert quiz.rounded(computed, q.answer.decimals) == q.answer.value
    assert q.check(computed).correct


@pytest.mark.parametrize("q, i, check", CHECKED, ids=[f"{q.id}-check{i}" for q, i, _ in CHECKED])
def test_numbers_quoted_in_stems_equal_what_cmvlib_computes(q, i, check):
    expect = check["expect"]
    decimals = len(repr(expect).split(".")[1]) if isinstance(expect, float) else None
    assert quiz.rounded(quiz.compute(check["compute"]), decimals) == expect


def test_compute_rejects_an_unknown_function():
    with pytest.raises(InputError, match="unknown function"):
        quiz.compute({"function": "guess"})


def test_the_bank_is_package_data():
    assert _data.json_data("questions")["questions"][0]["id"] == QUESTIONS[0].id


# --------------------------------------------------------------------------------------------------
# Loading and grading
# --------------------------------------------------------------------------------------------------
def test_load_questions_by_chapter():
    assert len(quiz.load_questions()) == len(BANK["questions"])
    for c in CHAPTERS:
        assert {q.chapter for q in quiz.load_questions(c)} == {c}
    assert {q.chapter for q in quiz.load_questions(["monitoring", "duration"])} == {"monitoring", "duration"}
    q = quiz.load_questions("first-line")[0]
    assert (q.id, q.section, q.type) == ("first-line-q01", "first-line-1", "single")
    assert q.options[0].text and isinstance(q.options[0].correct, bool) and q.options[0].explanation
    assert q.source[0].key == "label-ganciclovir-us" and q.difficulty == 1 and q.objective


@pytest.mark.parametrize("bad", ["Dosing", "", 3, ["first-line", "nope"]])
def test_load_questions_rejects_unknown_chapters(bad):
    with pytest.raises(InputError):
        quiz.load_questions(bad)


def test_question_lookup():
    assert quiz.question("pitfalls-q09").answer.value == 3500
    with pytest.raises(InputError, match="no question"):
        quiz.question("pitfalls-q99")


def test_single_best_answer_grading():
    q = quiz.question("first-line-q01")
    right = q.check(q.correct_option.index)
    assert right.correct and right.option is q.correct_option and right.explanation == q.correct_option.explanation
    for o in q.options:
        fb = q.check(o.index)
        assert fb.correct == o.correct and fb.explanation == o.explanation


@pytest.mark.parametrize("bad", [True, "0", 0.0, None, -1, 99, [0]])
def test_single_best_answer_rejects_responses_that_are_not_options(bad):
    with pytest.raises(InputError):
        quiz.question("first-line-q01").check(bad)


def test_numeric_grading_tolerance_mistakes_and_unknown_values():
    q = quiz.question("first-line-q03")           # 35.8 mL/min ± 0.2; 42.1 = forgot the female factor
    assert q.check(35.8).correct and q.check(35.6).correct and q.check("36.0").correct
    assert not q.check(35.5).correct and not q.check(36.1).correct
    forgot = q.check("42,1")
    assert not forgot.correct and forgot.option.value == 42.1 and "female factor" in forgot.explanation
    unknown = q.check(50)
    assert not unknown.correct and unknown.option is None and "35.8 mL/min" in unknown.explanation


def test_numeric_grading_reads_typed_text():
    q = quiz.question("alternatives-q03")         # 3600 mg
    assert q.check("3,600").correct and q.check("3600 mg").correct and q.check(" 3600 ").correct
    assert q.check("4800").option.value == 4800


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", None, True, float("nan"), float("inf"), "1e400", [3600]])
def test_numeric_grading_rejects_what_is_not_a_number(bad):
    with pytest.raises(InputError) as err:
        quiz.question("alternatives-q03").check(bad)
    assert err.value.field == "answer"


def test_score_and_results_by_chapter():
    answers = {"first-line-q05": 175, "first-line-q04": 290, "pitfalls-q09": "3500",
               "monitoring-q04": quiz.question("monitoring-q04").correct_option.index}
    s = quiz.score(answers)
    assert (s.correct, s.answered, s.total, s.percent) == (3, 4, len(QUESTIONS), 75.0)
    r = quiz.results_by_chapter(answers)
    assert list(r) == CHAPTERS
    assert (r["first-line"].correct, r["first-line"].answered, r["first-line"].total) == (1, 2, 11)
    assert r["duration"].answered == 0 and r["duration"].percent is None
    only = quiz.results_by_chapter({"pitfalls-q09": 3500}, quiz.load_questions("pitfalls"))
    assert list(only) == ["pitfalls"] and only["pitfalls"].correct == 1


@pytest.mark.parametrize("bad", [[("first-line-q01", 0)], "first-line-q01", {"no-such-q01": 0},
                                 {"first-line-q01": "A"}])
def test_score_rejects_bad_answers(bad):
    with pytest.raises(InputError):
        quiz.score(bad)


def test_score_rejects_answers_to_questions_not_being_scored():
    with pytest.raises(InputError, match="not among"):
        quiz.score({"pitfalls-q01": 0}, quiz.load_questions("first-line"))


def _right(q):
    return q.answer.value if q.type == "numeric" else q.correct_option.index


def _wrong(q):
    if q.type == "numeric":
        return next(o.value for o in q.options if not o.correct)
    return next(o.index for o in q.options if not o.correct)


@settings(max_examples=50, deadline=None)
@given(st.sets(st.sampled_from([q.id for q in QUESTIONS])), st.sets(st.sampled_from([q.id for q in QUESTIONS])))
def test_scores_count_right_and_wrong_answers(right_ids, wrong_ids):
    wrong_ids = wrong_ids - right_ids
    by_id = {q.id: q for q in QUESTIONS}
    answers = {i: _right(by_id[i]) for i in right_ids} | {i: _wrong(by_id[i]) for i in wrong_ids}
    s = quiz.score(answers)
    assert (s.correct, s.answered) == (len(right_ids), len(right_ids) + len(wrong_ids))
    r = quiz.results_by_chapter(answers)
    assert sum(x.correct for x in r.values()) == s.correct and sum(x.total for x in r.values()) == s.total


# --------------------------------------------------------------------------------------------------
# Shuffling
# --------------------------------------------------------------------------------------------------
def test_shuffle_is_deterministic_for_a_seed_and_differs_between_seeds():
    a, b, c = quiz.shuffled(QUESTIONS, 1), quiz.shuffled(QUESTIONS, 1), quiz.shuffled(QUESTIONS, 2)
    assert [q.id for q in a] == [q.id for q in b]
    assert [[o.index for o in q.options] for q in a] == [[o.index for o in q.options] for q in b]
    assert [q.id for q in a] != [q.id for q in c]


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.integers(0, 10**6), st.text(max_size=8)))
def test_shuffle_is_a_permutation_that_keeps_grading(seed):
    out = quiz.shuffled(QUESTIONS, seed)
    assert sorted(q.id for q in out) == sorted(q.id for q in QUESTIONS)
    for q in out:
        original = quiz.question(q.id)
        assert sorted(o.index for o in q.options) == [o.index for o in original.options]
        assert q.check(_right(original)).correct and not q.check(_wrong(original)).correct


def test_shuffle_without_options_keeps_their_order():
    out = quiz.shuffled(QUESTIONS, 3, options=False)
    assert all(q.options == quiz.question(q.id).options for q in out)


def test_static_option_order_is_fixed_and_does_not_give_the_answer_away():
    positions = []
    for q in QUESTIONS:
        order = quiz.options_in_display_order(q)
        assert order == quiz.options_in_display_order(q)
        positions.append([o.correct for o in order].index(True))
    assert len(set(positions)) >= 3, Counter(positions)
    assert Counter(positions).most_common(1)[0][1] < 0.5 * len(QUESTIONS)


# --------------------------------------------------------------------------------------------------
# Static HTML
# --------------------------------------------------------------------------------------------------
class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    p = _Collect()
    p.feed(html)
    return p.tags


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quiz_html_is_accessible_and_complete(chapter):
    html = quiz_ui.quiz_html(chapter)
    tags = _tags(html)
    qs = quiz.load_questions(chapter)
    ids = [a["id"] for _, a in tags if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate element ids"
    labels = {a["for"] for t, a in tags if t == "label"}
    inputs = [a for t, a in tags if t == "input"]
    assert inputs and all(a["id"] in labels for a in inputs), "an input without a label"
    assert sum(1 for t, a in tags if t == "fieldset") == len(qs) == sum(1 for t, a in tags if t == "legend")
    status = [a for _, a in tags if a.get("role") == "status"]
    assert len(status) == len(qs) + 1                       # one per question, plus the score line
    assert sum(1 for t, a in tags if t == "button" and a.get("type") == "button") == len(qs) + 1
    for q in qs:
        li = next(a for t, a in tags if t == "li" and a.get("data-qid") == q.id)
        assert li["data-correct"] == str(q.correct_option.index) and li["data-type"] == q.type
        assert f'href="{quiz_ui.section_href(q.section)}"' in html
        for o in q.options:
            assert quiz_ui.html.escape(o.explanation) in html
    assert "http" not in html and html == quiz_ui.quiz_html(chapter)


def test_numeric_html_carries_the_answer_the_tolerance_and_the_mistakes():
    html = quiz_ui.quiz_html("alternatives")
    assert 'data-answer="3600" data-tolerance="0.5"' in html
    assert 'data-value="4800"' in html and 'data-value="5600"' in html
    assert '<label for="alternatives-q03-input">Your answer (mg)</label>' in html


def test_links_to_sections_reach_existing_anchors_in_the_chapters():
    for b in BULLETS:
        href = quiz_ui.section_href(b)
        page, anchor = href.removeprefix("../chapters/").split("#")
        text = (ROOT / "book" / "chapters" / page.replace(".html", ".md")).read_text(encoding="utf-8")
        assert f"({anchor})=" in text, href


def test_summary_html_lists_every_chapter_and_question():
    html = quiz_ui.summary_html()
    tags = _tags(html)
    rows = [a for t, a in tags if t == "tr" and "data-qids" in a]
    assert [r["data-chapter"] for r in rows] == CHAPTERS
    assert sorted(i for r in rows for i in r["data-qids"].split()) == sorted(q.id for q in QUESTIONS)
    index = json.loads(re.search(r'class="cmv-quiz-index">(.*?)</script>', html, re.S).group(1))
    assert set(index) == {q.id for q in QUESTIONS}
    assert index["pitfalls-q09"]["quiz"] == "07_pitfalls_quiz.html#q-pitfalls-q09"
    assert "http" not in html


def test_quiz_pages_exist_for_every_chapter_and_are_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for chapter, page in quiz_ui.QUIZ_PAGES.items():
        text = (ROOT / "book" / "quizzes" / f"{page}.md").read_text(encoding="utf-8")
        assert f'show_quiz("{chapter}")' in text and "kernelspec:" in text
        assert f"book/quizzes/{page}" in toc
    assert "show_summary()" in (ROOT / "book" / "quizzes" / "summary.md").read_text(encoding="utf-8")
    assert f"book/quizzes/{quiz_ui.SUMMARY_PAGE}" in toc


def test_static_script_mirrors_the_python_grading_rules():
    js = (ROOT / "book" / "_static" / "quiz-progress.js").read_text(encoding="utf-8")
    assert "localStorage" in js and "cmv-quiz-progress-v1" in js and "http" not in js.replace("https://", "")
    # the same number-reading rules as quiz.parse_number
    assert r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$" in js and r"[^\d.,\s]*" in js


# --------------------------------------------------------------------------------------------------
# The Voilà quiz app, driven from code
# --------------------------------------------------------------------------------------------------
def _finish(app, responder):
    while app.current is not None:
        app.answer(responder(app.current))
        app.next()


def test_app_immediate_feedback_scores_by_chapter_and_reviews_mistakes():
    app = quiz_ui.quiz_app(["first-line", "pitfalls"], seed=5, book_url="http://127.0.0.1:9999")
    n = len(quiz.load_questions("first-line")) + len(quiz.load_questions("pitfalls"))
    assert f"{n} questions from 2 of 7 chapters" in app.status.value
    assert "For education, not for patient care" in app.header.value
    app.start_button.click()
    assert {q.chapter for q in app.questions} == {"first-line", "pitfalls"} and len(app.questions) == n
    first = app.current
    app.answer(_right(first))
    assert "✓ Correct." in app.feedback.value and app.next_button.disabled is False
    assert "http://127.0.0.1:9999/book/chapters/" in app.feedback.value
    app.next_button.click()
    second = app.current
    app.answer(_wrong(second))
    assert "✗ Incorrect." in app.feedback.value and "The answer:" in app.feedback.value
    app.next()
    _finish(app, _right)
    assert app.current is None and app.results_box in app.children
    assert app.results["first-line"].total == len(quiz.load_questions("first-line"))
    assert sum(s.correct for s in app.results.values()) == n - 1
    assert f"Score: {n - 1} of {n}" in app.results_html.value and "Review of mistakes" in app.results_html.value
    assert quiz_ui.html.escape(second.stem) in app.results_html.value
    assert f"Finished: {n - 1} of {n} correct" in app.status.value
    app.restart_button.click()
    assert app.setup in app.children and app.responses == {}


def test_app_end_of_quiz_feedback_gives_no_verdict_until_the_end():
    app = quiz_ui.quiz_app(["duration"], feedback="end")
    app.start()
    app.answer(_wrong(app.current))
    assert "Feedback comes at the end" in app.feedback.value and "Incorrect" not in app.feedback.value
    app.next()
    _finish(app, _right)
    assert "Score: 10 of 11" in app.results_html.value


def test_app_shuffle_follows_the_seed():
    orders = []
    for seed in (4, 4, 9):
        app = quiz_ui.quiz_app(seed=seed)
        app.start()
        orders.append([q.id for q in app.questions])
    assert orders[0] == orders[1] != orders[2] and len(orders[0]) == len(QUESTIONS)


def test_app_refuses_bad_input_with_a_message():
    app = quiz_ui.quiz_app(["alternatives"])
    for box in app.chapter_boxes.values():
        box.value = False
    assert "No chapter selected" in app.status.value
    app.start()
    assert "Choose at least one chapter" in app.setup_message.value and app.questions == []
    app.chapter_boxes["alternatives"].value = True
    app.start()
    while app.current.type != "numeric":
        app.answer(_right(app.current))
        app.next()
    app.check()
    assert "Choose or type an answer first" in app.feedback.value
    app.answer("abc")
    assert "type a number" in app.feedback.value and app.current.id not in app.responses
    app.answer("3,600" if app.current.id == "alternatives-q03" else str(app.current.answer.value))
    assert "✓ Correct." in app.feedback.value


def test_app_rejects_bad_arguments():
    with pytest.raises(InputError):
        quiz_ui.quiz_app(["nope"])
    with pytest.raises(InputError):
        quiz_ui.quiz_app(feedback="never")
    app = quiz_ui.quiz_app()
    with pytest.raises(InputError, match="press Start"):
        app.answer(0)


# --------------------------------------------------------------------------------------------------
# Clinical safety review: items whose key or explanation rested on overstated points
# --------------------------------------------------------------------------------------------------
def test_cidofovir_discontinuation_item_teaches_the_label_rule_and_the_calculator_gives_no_dose():
    q = quiz.question("pitfalls-q11")
    key = q.correct_option.text
    assert "0.5 mg/dL or more above baseline" in key and "3+ proteinuria" in key
    assert "unverified" not in (key + q.correct_option.explanation).lower()
    assert any(c["compute"]["function"] == "dose" and c["compute"]["field"] == "recommended" and c["expect"] is False
               for c in q.checks)


def test_foscarnet_items_treat_progression_by_re_induction_and_name_stop_reasons_beyond_clearance():
    q = quiz.question("duration-q07")
    assert "re-induction" in q.correct_option.text and "120 mg/kg/day" in q.correct_option.text
    instead = [o for o in q.options if "instead of re-inducing" in o.text]
    assert instead and not instead[0].correct
    stop = next(o for o in quiz.question("pitfalls-q09").options if o.value == 0)
    assert "Stop only below" not in stop.explanation
    for reason in ("Seizures", "QT prolongation", "electrolyte", "hypersensitivity"):
        assert reason in stop.explanation, reason


def test_resistance_items_cover_the_genes_of_the_newer_drugs():
    ul97 = quiz.question("pitfalls-q04")
    assert "classic" in ul97.correct_option.text
    myth = next(o for o in ul97.options if o.text.startswith("Any UL97 mutation means"))
    assert not myth.correct and "maribavir" in myth.explanation
    genes = quiz.question("pitfalls-q12").correct_option.text
    assert all(g in genes for g in ("UL97", "UL27", "UL54", "UL56"))
    assert {s.key for s in quiz.question("pitfalls-q12").source} >= {"chou-maribavir-resistance", "arup-cmv-resistance"}


def test_a_slowly_falling_load_is_not_keyed_as_probable_refractory():
    q = quiz.question("monitoring-q12")
    assert q.correct_option.text.startswith("No: the load is falling")
    broader = next(o for o in q.options if "any fall of less than 1 log10" in o.text)
    assert not broader.correct
