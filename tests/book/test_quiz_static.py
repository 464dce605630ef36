"""The quizzes of the BUILT book in headless Chromium (no kernel): answer -> feedback and explanations,
reload -> progress kept, reset clears it, the summary page shows results by chapter, the keyboard works,
and no request leaves 127.0.0.1 (every other request is aborted and counted). Screenshots go to
test-output/screenshots/quiz_*.png."""
from __future__ import annotations

import math

import pytest

from cmvlib import quiz, quiz_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def reader(browser, book_url):
    """A fresh browser profile (empty localStorage) whose requests may only reach the local server."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(book_url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def open_quiz(chapter: str | None = None):
        name = quiz_ui.QUIZ_PAGES[chapter] if chapter else quiz_ui.SUMMARY_PAGE
        page.goto(f"{book_url}/book/quizzes/{name}.html", wait_until="networkidle")
        page.wait_for_function("() => window.cmvQuiz !== undefined")
        return page

    page.open_quiz = open_quiz
    yield page
    context.close()
    assert outside == [], f"requests that tried to leave 127.0.0.1: {outside}"
    assert errors == [], f"console errors: {errors}"


def q_item(page, qid: str):
    return page.locator(f'li.cmv-q[data-qid="{qid}"]')


def answer_single(page, q: quiz.Question, index: int) -> None:
    item = q_item(page, q.id)
    item.locator(f'label[for="{q.id}-o{index}"]').click()
    item.locator(".cmv-q-check").click()


def test_every_quiz_page_shows_its_chapter_questions(reader):
    for chapter, _ in quiz.chapters():
        page = reader.open_quiz(chapter)
        qs = quiz.load_questions(chapter)
        assert page.locator("li.cmv-q").count() == len(qs)
        assert page.locator(".cmv-quiz-score").inner_text().startswith(f"{len(qs)} questions; none answered")


def test_answer_shows_feedback_explanations_and_the_link_back(reader, book_url, screenshot_dir):
    page = reader.open_quiz("first-line")
    q = quiz.question("first-line-q02")
    answer_single(page, q, q.correct_option.index)
    item = q_item(page, q.id)
    feedback = item.locator(".cmv-q-feedback")
    assert feedback.get_attribute("role") == "status"
    assert feedback.inner_text().startswith("✓ Correct.")
    assert q.correct_option.explanation in feedback.inner_text()
    for o in q.options:                       # every option's own explanation is now shown
        expl = item.locator(f'.cmv-q-option[data-option="{o.index}"] .cmv-q-expl')
        assert expl.is_visible() and o.explanation in expl.inner_text()
    assert item.locator("input[type=radio]:not([disabled])").count() == 0
    link = item.locator(".cmv-q-more a")
    assert link.is_visible() and link.get_attribute("href").endswith("#bullet-first-line-1")

    wrong = next(o for o in q.options if not o.correct)
    q3 = quiz.question("first-line-q09")
    wrong3 = next(o for o in q3.options if not o.correct)
    answer_single(page, q3, wrong3.index)
    text = q_item(page, q3.id).locator(".cmv-q-feedback").inner_text()
    assert text.startswith("✗ Incorrect.") and wrong3.explanation in text and q3.correct_option.text in text
    assert wrong.explanation in item.inner_text()
    assert page.locator(".cmv-quiz-score").inner_text().startswith("Answered 2 of 11: 1 correct.")
    page.screenshot(path=str(screenshot_dir / "quiz_first_line_answered.png"), full_page=True)

    link.click()                               # the link lands on the section of the chapter
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/book/chapters/01_first_line.html#bullet-first-line-1")
    assert page.locator("#bullet-first-line-1").count() == 1


def test_numeric_answers_are_graded_like_the_library(reader):
    page = reader.open_quiz("alternatives")
    q = quiz.question("alternatives-q03")       # 3600 mg; 4800 mg = ignored the reduced band
    item = q_item(page, q.id)
    box = item.get_by_label("Your answer (mg)")
    box.fill("abc")
    item.locator(".cmv-q-check").click()
    assert "Type a number" in item.locator(".cmv-q-feedback").inner_text()
    assert item.locator(".cmv-q-known").is_hidden()
    box.fill("4,800")
    box.press("Enter")
    text = item.locator(".cmv-q-feedback").inner_text()
    assert text.startswith("✗ Incorrect.") and q.check(4800).explanation in text and "3600 mg" in text
    assert item.locator(".cmv-q-known").is_visible()
    q2 = quiz.question("alternatives-q02")      # 1.39 mL/min/kg ± 0.01
    item2 = q_item(page, q2.id)
    item2.get_by_label("Your answer (mL/min/kg)").fill("1,39")
    item2.locator(".cmv-q-check").click()
    assert item2.locator(".cmv-q-feedback").inner_text().startswith("✓ Correct.")
    js = page.evaluate("() => ['3,600', '0,91', '175 mg', '1.2.3'].map(window.cmvQuiz.parseNumber)")
    assert js[:3] == [3600, 0.91, 175] and (js[3] is None or math.isnan(js[3]))


def test_progress_survives_a_reload_and_reset_clears_it(reader, screenshot_dir):
    page = reader.open_quiz("pitfalls")
    q1, q2 = quiz.question("pitfalls-q04"), quiz.question("pitfalls-q09")
    answer_single(page, q1, q1.correct_option.index)
    item2 = q_item(page, q2.id)
    item2.get_by_label("Your answer (mg)").fill("6300")
    item2.locator(".cmv-q-check").click()
    page.reload(wait_until="networkidle")
    page.wait_for_function("() => window.cmvQuiz !== undefined")
    item1 = q_item(page, q1.id)
    assert item1.locator(".cmv-q-feedback").inner_text().startswith("✓ Correct.")
    assert item1.locator(f'#{q1.id}-o{q1.correct_option.index}').is_checked()
    assert item2.locator("input").input_value() == "6300"
    assert item2.locator(".cmv-q-feedback").inner_text().startswith("✗ Incorrect.")
    total = len(quiz.load_questions("pitfalls"))
    assert page.locator(".cmv-quiz-score").inner_text().startswith(f"Answered 2 of {total}: 1 correct.")
    saved = page.evaluate("() => JSON.parse(localStorage.getItem('cmv-quiz-progress-v1'))")
    assert saved == {q1.id: {"r": q1.correct_option.index, "ok": True}, q2.id: {"r": 6300, "ok": False}}
    page.screenshot(path=str(screenshot_dir / "quiz_pitfalls_reloaded.png"))

    page.get_by_role("button", name="Reset this quiz").click()
    assert page.locator(".cmv-quiz-score").inner_text().startswith(f"{total} questions; none answered")
    assert item1.locator(".cmv-q-feedback").inner_text() == "" and not item1.locator("input:checked").count()
    page.reload(wait_until="networkidle")
    page.wait_for_function("() => window.cmvQuiz !== undefined")
    assert page.locator("li.cmv-q.cmv-q-answered").count() == 0
    assert page.evaluate("() => localStorage.getItem('cmv-quiz-progress-v1')") == "{}"


def test_summary_page_shows_results_by_chapter_and_mistakes(reader, screenshot_dir):
    page = reader.open_quiz("monitoring")
    right, wrong = quiz.question("monitoring-q05"), quiz.question("monitoring-q07")
    answer_single(page, right, right.correct_option.index)
    answer_single(page, wrong, next(o.index for o in wrong.options if not o.correct))
    page = reader.open_quiz(None)
    row = page.locator('tr[data-chapter="monitoring"]')
    assert [row.locator(c).inner_text() for c in (".cmv-s-answered", ".cmv-s-correct", ".cmv-s-percent")] == \
        ["2", "1", "50%"]
    assert page.locator('tr[data-chapter="first-line"] .cmv-s-answered').inner_text() == "0"
    total = page.locator('tr[data-chapter="all"]')
    assert total.locator(".cmv-s-answered").inner_text() == "2"
    mistakes = page.locator(".cmv-summary-mistakes li")
    assert mistakes.count() == 1 and wrong.stem[:60] in mistakes.inner_text()
    assert mistakes.locator("a").first.get_attribute("href") == f"04_monitoring_quiz.html#q-{wrong.id}"
    assert mistakes.locator("a").nth(1).get_attribute("href") == quiz_ui.section_href(wrong.section)
    page.screenshot(path=str(screenshot_dir / "quiz_summary.png"), full_page=True)
    page.get_by_role("button", name="Reset all progress").click()
    assert row.locator(".cmv-s-answered").inner_text() == "0"
    assert "reset" in page.locator(".cmv-summary-status").inner_text()


def test_quiz_is_usable_with_the_keyboard(reader):
    page = reader.open_quiz("duration")
    q = quiz.question("duration-q01")
    first = page.locator(f'li.cmv-q[data-qid="{q.id}"] input[type=radio]').first
    first.focus()
    page.keyboard.press("ArrowDown")           # moves and selects the next radio button
    chosen = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("Tab")                 # to the Check button
    assert page.evaluate("() => document.activeElement.className") == "cmv-q-check"
    page.keyboard.press("Enter")
    feedback = q_item(page, q.id).locator(".cmv-q-feedback")
    assert page.evaluate("() => document.activeElement.className") == "cmv-q-feedback"
    expected = "✓ Correct." if q.check(int(chosen)).correct else "✗ Incorrect."
    assert feedback.inner_text().startswith(expected)
