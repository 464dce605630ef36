"""The Voilà quiz app (book/apps/quiz.ipynb) in a real browser: choose a chapter, answer the shuffled
questions with immediate feedback, see the score by chapter and the review of mistakes with links to the
book; end-of-quiz mode holds feedback back. No request leaves 127.0.0.1."""
from __future__ import annotations

import re

import pytest

from cmvlib import quiz

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = ".cmv-quiz-app >> visible=true"


def open_quiz(app_page, voila):
    page = app_page.page
    page.goto(voila.app_url("quiz"))
    page.wait_for_selector(APP)
    return page


def only_chapter(page, chapter: str) -> None:
    for c, title in quiz.chapters():
        box = page.get_by_label(title, exact=True)
        box.set_checked(c == chapter)


def on_screen(page, candidates: list[quiz.Question], number: int) -> quiz.Question:
    """The question on screen once question ``number`` is shown (the app updates its progress line last)."""
    page.wait_for_selector(f"{APP} >> text=Question {number} of {len(candidates)}")
    stem = page.locator(f"{APP} >> .cmv-app-stem").inner_text()
    return next(q for q in candidates if q.stem == stem.strip())


def answer(page, q: quiz.Question, right: bool) -> None:
    if q.type == "single":
        option = q.correct_option if right else next(o for o in q.options if not o.correct)
        page.get_by_label(option.text, exact=True).check()
    else:
        value = q.answer.value if right else next(o.value for o in q.options if not o.correct)
        page.get_by_label(f"Your answer ({q.answer.units})", exact=True).fill(quiz.format_number(value, 3))
    page.get_by_role("button", name=re.compile("Check answer|Save answer")).click()


def test_quiz_app_immediate_feedback_score_and_review(voila, app_page):
    page = open_quiz(app_page, voila)
    text = page.locator("#rendered_cells").inner_text()
    assert "For education, not for patient care" in text
    assert f"{len(quiz.load_questions())} questions from 7 of 7 chapters" in text
    questions = quiz.load_questions("pitfalls")
    total = len(questions)
    only_chapter(page, "pitfalls")
    page.wait_for_selector(f"{APP} >> text={total} questions from 1 of 7 chapters")
    page.get_by_role("button", name="Start the quiz").click()
    wrong_one = None
    for n in range(len(questions)):
        q = on_screen(page, questions, n + 1)
        right = n != 1
        answer(page, q, right)
        verdict = page.locator(f"{APP} >> .cmv-app-verdict")
        verdict.wait_for()
        assert verdict.inner_text().startswith("✓ Correct." if right else "✗ Incorrect.")
        if not right:
            wrong_one = q
            link = page.locator(f"{APP} >> a", has_text=re.compile("Pitfalls and Caveats, bullet")).first
            assert f"/book/chapters/07_pitfalls.html#bullet-{q.section}" in link.get_attribute("href")
        page.get_by_role("button", name=re.compile("Next question|See the results")).click()
    results = page.locator(f"{APP} >> .cmv-app-total")
    results.wait_for()
    assert results.inner_text().startswith(f"Score: {total - 1} of {total}")
    table = page.locator(f"{APP} >> table.cmv-app-table")
    assert "Pitfalls and Caveats" in table.inner_text() and f"{100 * (total - 1) / total:.1f}%" in table.inner_text()
    review = page.locator(f"{APP} >> .cmv-app-review li")
    assert review.count() == 1 and wrong_one.stem in review.inner_text()
    page.wait_for_timeout(300)
    assert app_page.outside == [], f"requests left the machine: {app_page.outside}"


def test_quiz_app_end_of_quiz_feedback(voila, app_page):
    page = open_quiz(app_page, voila)
    only_chapter(page, "special-populations")
    page.get_by_text("Feedback at the end", exact=True).click()
    page.get_by_role("button", name="Start the quiz").click()
    questions = quiz.load_questions("special-populations")
    for n in range(len(questions)):
        answer(page, on_screen(page, questions, n + 1), right=n % 2 == 0)
        page.wait_for_selector(f"{APP} >> text=Answer saved. Feedback comes at the end.")
        assert page.locator(f"{APP} >> .cmv-app-verdict").count() == 0
        page.get_by_role("button", name=re.compile("Next question|See the results")).click()
    page.locator(f"{APP} >> .cmv-app-total").wait_for()
    assert page.locator(f"{APP} >> .cmv-app-total").inner_text().startswith("Score: 5 of 10")
    assert page.locator(f"{APP} >> .cmv-app-review li").count() == 5
    assert app_page.outside == [], f"requests left the machine: {app_page.outside}"
