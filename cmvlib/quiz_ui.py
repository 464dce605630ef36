"""Quizzes on screen: static HTML for the book (no kernel) and an ipywidgets quiz app for Voilà.

Both grade through :mod:`cmvlib.quiz` (the bank, :meth:`~cmvlib.quiz.Question.check`, scores by chapter).

**The static book.** :func:`quiz_html` writes a chapter's quiz as plain, accessible HTML at build time:
a ``fieldset`` per question with labelled radio buttons (or a labelled text box for numbers), a
"Check answer" button, a ``role="status"`` feedback line that says "Correct" or "Incorrect" in words
(not only in colour), every option's own explanation, a link back to the guideline bullet in the chapter
(``#bullet-<id>``) and the sources. ``book/_static/quiz-progress.js`` makes it work in the reader's
browser: grading (the same rules as :meth:`~cmvlib.quiz.Question.check`, from ``data-`` attributes),
the score, progress kept in ``localStorage`` across reloads with a Reset button, and the summary page
(:func:`summary_html`) with results by chapter and a list of mistakes. The page loads that script and
``quiz.css`` itself (relative links), so nothing else has to be configured; the script ignores a second
copy of itself.

*Why not jupyterquiz* (checked with jupyterquiz 2.9.6.4, the current release): it has per-option feedback,
but in this book it cannot be used as it ships. (1) Its static output is a ``Javascript`` display, and the
book drops ``application/javascript`` outputs (``nb_mime_priority_overrides`` in ``_config.yml``).
(2) Its renderer loads MathJax from a public CDN when the page's MathJax object is not yet ready, which
breaks the offline rule on every page with maths. (3) Its numeric box has no label and answers only to the
Enter key, its feedback line has no live-region role, and it builds random element ids (outputs differ on
every run, so nbval cannot compare them). (4) It keeps no progress and shows no score. Wrapping it would
have meant patching all four; the renderer here is ~150 lines of HTML plus a small script, and runs offline.

**Voilà.** :func:`quiz_app` returns a :class:`QuizApp` (chapters to include, shuffled with a seed,
immediate or end-of-quiz feedback, score by chapter, review of mistakes with links to the book). Outputs
are only ever updated by setting ``HTML`` widget values (never an ``Output`` widget).

Examples
--------
>>> html = quiz_html("first-line")
>>> html.count('class="cmv-q"') == len(load_questions("first-line"))
True
>>> 'role="status"' in html and "#bullet-first-line-1" in html and "http" not in html
True
>>> section_href("pitfalls-3")
'../chapters/07_pitfalls.html#bullet-pitfalls-3'
"""
from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from . import quiz as _quiz
from . import validate
from .errors import InputError
from .guideline import bullet
from .ui._base import fresh_choices
from .ui.render import notice_html
from .quiz import (Feedback, Option, Question, format_number, load_questions, options_in_display_order,
                   results_by_chapter, section_title, shuffled)

#: The book page (under book/chapters/) of each chapter.
CHAPTER_PAGES = {
    "first-line": "01_first_line",
    "alternatives": "02_alternatives",
    "special-populations": "03_special_populations",
    "monitoring": "04_monitoring",
    "adverse-effects": "05_adverse_effects",
    "duration": "06_duration_follow_up",
    "pitfalls": "07_pitfalls",
}
#: The quiz page (under book/quizzes/) of each chapter, and the summary page.
QUIZ_PAGES = {c: f"{page}_quiz" for c, page in CHAPTER_PAGES.items()}
SUMMARY_PAGE = "summary"
#: Where the book is served for links from the Voilà app (``make book`` serves it here).
DEFAULT_BOOK_URL = "http://127.0.0.1:8000"
STATIC = "../../_static/"  # from _build/html/book/quizzes/ to _build/html/_static/
LEVELS = {1: "recall", 2: "application", 3: "harder"}

_e = html.escape


def section_href(section_id: str, base: str = "../chapters/") -> str:
    """Link to a guideline bullet's anchor in its chapter page, relative to a quiz page by default."""
    return f"{base}{CHAPTER_PAGES[bullet(section_id).section_id]}.html#bullet-{section_id}"


def _title(chapter: str) -> str:
    return dict(_quiz.chapters())[chapter]


def _assets() -> str:
    return (f'<link rel="stylesheet" href="{STATIC}quiz.css">\n'
            f'<script src="{STATIC}quiz-progress.js" defer></script>')


def _sources(q: Question) -> str:
    return "; ".join(_e(c) for c in q.citations)


# --------------------------------------------------------------------------------------------------
# Static HTML (the book)
# --------------------------------------------------------------------------------------------------
def _option_html(q: Question, o: Option) -> str:
    oid = f"{q.id}-o{o.index}"
    return (f'<div class="cmv-q-option" data-option="{o.index}">'
            f'<input type="radio" name="{q.id}" id="{oid}" value="{o.index}">'
            f'<label for="{oid}">{_e(o.text)}</label>'
            f'<p class="cmv-q-expl" hidden><span class="cmv-q-mark"></span> '
            f'<span class="cmv-q-why">{_e(o.explanation)}</span></p></div>')


def _numeric_html(q: Question) -> str:
    assert q.answer is not None
    a = q.answer
    box = f"{q.id}-input"
    return (f'<div class="cmv-q-numeric" data-answer="{a.value:g}" data-tolerance="{a.tolerance:g}" '
            f'data-decimals="{a.decimals}" data-units="{_e(a.units)}">'
            f'<label for="{box}">Your answer ({_e(a.units)})</label> '
            f'<input type="text" inputmode="decimal" autocomplete="off" id="{box}" size="10"> '
            f'<span aria-hidden="true">{_e(a.units)}</span></div>')


def _known_html(q: Question) -> str:
    """After a numeric answer is checked: the answer and the anticipated mistakes, each explained."""
    known = "".join(
        f'<li class="cmv-q-option" data-option="{o.index}" data-value="{o.value:g}">'
        f'<span class="cmv-q-mark"></span> <strong>{_e(o.text)}</strong>: '
        f'<span class="cmv-q-why">{_e(o.explanation)}</span></li>'
        for o in sorted(q.options, key=lambda o: (not o.correct, o.index)))
    return f'<div class="cmv-q-known" hidden><p>The answer and the mistakes we expect:</p><ul>{known}</ul></div>'


def question_html(q: Question, number: int, total: int) -> str:
    """One question as a ``<li>`` of the quiz list (see the module docstring)."""
    correct = q.correct_option.index
    body = (_numeric_html(q) if q.type == "numeric" else
            '<div class="cmv-q-options">' + "".join(_option_html(q, o) for o in options_in_display_order(q))
            + "</div>")
    return (f'<li class="cmv-q" id="q-{q.id}" data-qid="{q.id}" data-type="{q.type}" data-correct="{correct}">'
            f'<fieldset><legend><span class="cmv-q-num">Question {number} of {total}</span> '
            f'<span class="cmv-q-level">(level {q.difficulty} of 3: {LEVELS[q.difficulty]})</span> '
            f'<span class="cmv-q-stem">{_e(q.stem)}</span></legend>'
            f'{body}'
            f'<button type="button" class="cmv-q-check">Check answer</button>'
            f'<div class="cmv-q-feedback" role="status" aria-live="polite" tabindex="-1"></div>'
            f'{_known_html(q) if q.type == "numeric" else ""}'
            f'<div class="cmv-q-more" hidden><p>Read more: <a href="{section_href(q.section)}">'
            f'{_e(section_title(q))}</a>. Objective: {_e(q.objective)}</p>'
            f'<p class="cmv-q-sources">Sources: {_sources(q)}</p></div>'
            f'</fieldset></li>')


def quiz_html(chapter: str, *, assets: bool = True) -> str:
    """A chapter's quiz as static HTML (deterministic: the same bank gives the same page)."""
    qs = load_questions(chapter)
    items = "\n".join(question_html(q, i, len(qs)) for i, q in enumerate(qs, 1))
    title = _title(chapter)
    return (f'<section class="cmv-quiz" data-quiz-chapter="{chapter}" aria-label="Self-assessment quiz: {_e(title)}">\n'
            f'<noscript><p class="cmv-quiz-noscript">This quiz needs JavaScript. Each question\'s answer is in '
            f'the chapter it links to.</p></noscript>\n'
            f'<div class="cmv-quiz-bar"><p class="cmv-quiz-score" role="status" aria-live="polite">'
            f'{len(qs)} questions; none answered yet.</p>'
            f'<button type="button" class="cmv-quiz-reset">Reset this quiz</button></div>\n'
            f'<ol class="cmv-quiz-list">\n{items}\n</ol>\n</section>\n' + (_assets() if assets else ""))


def summary_html(*, assets: bool = True) -> str:
    """The results-by-chapter page: a table filled from the reader's saved progress, and their mistakes."""
    rows = []
    index: dict[str, dict[str, str]] = {}
    for chapter, title in _quiz.chapters():
        qs = load_questions(chapter)
        page = f"{QUIZ_PAGES[chapter]}.html"
        for q in qs:
            index[q.id] = {"quiz": f"{page}#q-{q.id}", "section": section_href(q.section),
                           "title": section_title(q), "stem": q.stem}
        rows.append(f'<tr data-chapter="{chapter}" data-qids="{" ".join(q.id for q in qs)}">'
                    f'<th scope="row"><a href="{page}">{_e(title)}</a></th><td>{len(qs)}</td>'
                    f'<td class="cmv-s-answered">0</td><td class="cmv-s-correct">0</td>'
                    f'<td class="cmv-s-percent">–</td></tr>')
    total = len(load_questions())
    data = json.dumps(index, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return ('<section class="cmv-quiz-summary" aria-label="Quiz results by chapter">\n'
            '<table class="cmv-summary-table"><caption>Your results, saved in this browser</caption>'
            '<thead><tr><th scope="col">Chapter quiz</th><th scope="col">Questions</th><th scope="col">Answered</th>'
            '<th scope="col">Correct</th><th scope="col">Correct of answered</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody>'
            f'<tfoot><tr data-chapter="all"><th scope="row">All chapters</th><td>{total}</td>'
            '<td class="cmv-s-answered">0</td><td class="cmv-s-correct">0</td><td class="cmv-s-percent">–</td>'
            '</tr></tfoot></table>\n'
            '<p class="cmv-summary-status" role="status" aria-live="polite"></p>\n'
            '<button type="button" class="cmv-summary-reset">Reset all progress</button>\n'
            '<h2 id="review-your-mistakes-list">Review your mistakes</h2>\n'
            '<ul class="cmv-summary-mistakes"><li>No mistakes saved in this browser.</li></ul>\n'
            f'<script type="application/json" class="cmv-quiz-index">{data}</script>\n'
            '</section>\n' + (_assets() if assets else ""))


def show_quiz(chapter: str) -> Any:
    """Display a chapter's quiz in a notebook (the book's quiz pages call this)."""
    from IPython.display import HTML
    return HTML(quiz_html(chapter))


def show_summary() -> Any:
    """Display the results-by-chapter page in a notebook."""
    from IPython.display import HTML
    return HTML(summary_html())


# --------------------------------------------------------------------------------------------------
# Pure renderers shared by the Voilà app
# --------------------------------------------------------------------------------------------------
def feedback_html(q: Question, fb: Feedback, book_url: str) -> str:
    """The verdict in words, the explanation of the chosen option and of the correct one, a link to the book."""
    verdict = ("<strong>✓ Correct.</strong>" if fb.correct else "<strong>✗ Incorrect.</strong>")
    parts = [f'<p class="cmv-app-verdict">{verdict} {_e(fb.explanation)}</p>']
    if not fb.correct:
        right = q.answer.text if q.type == "numeric" and q.answer else q.correct_option.text
        parts.append(f"<p>The answer: <strong>{_e(right)}</strong>. {_e(q.correct_option.explanation)}</p>")
    parts.append(f'<p>Read more: <a href="{_e(section_href(q.section, _book_base(book_url)))}" target="_blank" '
                 f'rel="noopener">{_e(section_title(q))}</a>. Sources: {_sources(q)}</p>')
    return "".join(parts)


def _book_base(book_url: str) -> str:
    return book_url.rstrip("/") + "/book/chapters/"


def results_html(qs: Sequence[Question], responses: dict[str, object]) -> str:
    """The score overall and by chapter as an HTML table."""
    by_chapter = results_by_chapter(responses, qs)
    titles = dict(_quiz.chapters())
    rows = "".join(f'<tr><th scope="row">{_e(titles[c])}</th><td>{s.correct}</td><td>{s.answered}</td>'
                   f'<td>{s.total}</td><td>{"–" if s.percent is None else format_number(s.percent, 1) + "%"}</td></tr>'
                   for c, s in by_chapter.items())
    correct = sum(s.correct for s in by_chapter.values())
    answered = sum(s.answered for s in by_chapter.values())
    return (f'<p class="cmv-app-total"><strong>Score: {correct} of {len(qs)}</strong> ({answered} answered).</p>'
            '<table class="cmv-app-table"><caption>Score by chapter</caption><thead><tr><th scope="col">Chapter</th>'
            '<th scope="col">Correct</th><th scope="col">Answered</th><th scope="col">Questions</th>'
            f'<th scope="col">Correct of answered</th></tr></thead><tbody>{rows}</tbody></table>')


def review_html(qs: Sequence[Question], responses: dict[str, object], book_url: str) -> str:
    """Every wrongly answered question with the learner's answer, the right one and the explanations."""
    items = []
    for q in qs:
        if q.id not in responses:
            continue
        fb = q.check(responses[q.id])
        if fb.correct:
            continue
        given = (q.option(responses[q.id]).text if q.type == "single"  # type: ignore[arg-type]
                 else f"{responses[q.id]} {q.answer.units if q.answer else ''}")
        items.append(f'<li class="cmv-app-mistake"><p>{_e(q.stem)}</p><p>Your answer: {_e(str(given))}</p>'
                     f"{feedback_html(q, fb, book_url)}</li>")
    if not items:
        return "<p>No mistakes to review.</p>"
    return f'<h3>Review of mistakes</h3><ol class="cmv-app-review">{"".join(items)}</ol>'


# --------------------------------------------------------------------------------------------------
# The Voilà quiz app
# --------------------------------------------------------------------------------------------------
APP_CSS = """<style>
.cmv-quiz-app .cmv-quiz-radio label { white-space: normal; height: auto; line-height: 1.4; margin-bottom: 0.35em; }
.cmv-quiz-app .cmv-quiz-radio { width: 100%; }
.cmv-quiz-app table { border-collapse: collapse; } .cmv-quiz-app th, .cmv-quiz-app td { border: 1px solid #999; padding: 0.2em 0.6em; }
.cmv-quiz-app .cmv-app-verdict strong { font-size: 1.05em; }
.cmv-quiz-app a { color: #0a58ca; text-decoration: underline; }
</style>"""


class QuizApp(widgets.VBox):
    """A ``VBox``: a setup panel (chapters, feedback mode, shuffle number, Start), then one question at a
    time (Check, Next), then the results (score by chapter, review of mistakes).

    Driven from code the same way a reader drives it: ``app.start()``, ``app.answer(response)`` (an
    option index, or a number/text for numeric questions: sets the widget and presses Check),
    ``app.next()``; ``app.responses`` maps question ids to responses, ``app.results`` gives a
    :class:`~cmvlib.quiz.Score` per chapter.
    """

    def __init__(self, chapters: Iterable[str] | None = None, *, seed: int = 1, feedback: str = "immediate",
                 book_url: str | None = None) -> None:
        super().__init__()
        self.add_class("cmv-quiz-app")
        self.add_class("cmv-calculator")  # the apps' shared page conventions (notice, result line)
        if feedback not in ("immediate", "end"):
            raise InputError("feedback", f"must be 'immediate' or 'end' (got {feedback!r})")
        self.book_url = book_url or os.environ.get("CMV_BOOK_URL", DEFAULT_BOOK_URL)
        all_chapters = _quiz.chapters()
        ids = tuple(c for c, _ in all_chapters)
        chosen = set(ids) if chapters is None else {validate.choice(c, "chapters", ids) for c in chapters}
        self.chapter_boxes = {c: widgets.Checkbox(value=c in chosen, description=t, indent=False)
                              for c, t in all_chapters}
        self.mode = widgets.ToggleButtons(options=[("Feedback after each question", "immediate"),
                                                   ("Feedback at the end", "end")], value=feedback,
                                          description="Feedback", style={"description_width": "initial"})
        self.seed = widgets.BoundedIntText(value=seed, min=0, max=10**6, description="Shuffle number",
                                           style={"description_width": "initial"})
        self.start_button = widgets.Button(description="Start the quiz", button_style="primary")
        self.setup_message = widgets.HTML()
        self.status = widgets.HTML()  # the line that says what will be (or was) asked
        self.status.add_class("cmv-result")
        self.setup = widgets.VBox([
            widgets.HTML("<p>Choose the chapters to include. Questions come in a shuffled order; the same "
                         "shuffle number gives the same order.</p>"),
            widgets.HTML("<strong>Chapters</strong>"), widgets.VBox(list(self.chapter_boxes.values())),
            self.mode, self.seed, self.start_button, self.setup_message])
        for box in self.chapter_boxes.values():
            box.observe(lambda _: self._count(), "value")

        self.progress = widgets.HTML()
        self.stem = widgets.HTML()
        self.choices = widgets.RadioButtons(options=[], value=None, layout={"width": "100%"})
        self.choices.add_class("cmv-quiz-radio")
        self.number = widgets.Text(description="Your answer", placeholder="a number",
                                   style={"description_width": "initial"})
        self.check_button = widgets.Button(description="Check answer", button_style="info")
        self.next_button = widgets.Button(description="Next question", disabled=True)
        self.feedback = widgets.HTML()
        self.question_box = widgets.VBox([self.progress, self.stem, self.choices, self.number,
                                          widgets.HBox([self.check_button, self.next_button]), self.feedback])
        self.results_html = widgets.HTML()
        self.restart_button = widgets.Button(description="Start again")
        self.results_box = widgets.VBox([self.results_html, self.restart_button])

        self.start_button.on_click(lambda _: self.start())
        self.check_button.on_click(lambda _: self.check())
        self.next_button.on_click(lambda _: self.next())
        self.restart_button.on_click(lambda _: self.restart())

        self.questions: list[Question] = []
        self.responses: dict[str, object] = {}
        self.position = 0
        self.header = widgets.HTML(APP_CSS + notice_html())
        self.children = [self.header, self.status, self.setup]
        self._count()

    # --- state ---------------------------------------------------------------------------------
    @property
    def current(self) -> Question | None:
        """The question on screen (``None`` before the start and after the end)."""
        return self.questions[self.position] if 0 <= self.position < len(self.questions) else None

    @property
    def results(self):
        """A :class:`~cmvlib.quiz.Score` per included chapter."""
        return results_by_chapter(self.responses, self.questions)

    # --- actions -------------------------------------------------------------------------------
    def _count(self) -> None:
        wanted = [c for c, box in self.chapter_boxes.items() if box.value]
        n = len(load_questions(wanted)) if wanted else 0
        self.status.value = (f"<p>{n} questions from {len(wanted)} of 7 chapters selected.</p>" if wanted
                             else "<p>No chapter selected.</p>")

    def start(self) -> None:
        """Build the shuffled question list from the setup panel and show the first question."""
        wanted = [c for c, box in self.chapter_boxes.items() if box.value]
        if not wanted:
            self.setup_message.value = "<p role=\"alert\"><strong>Choose at least one chapter.</strong></p>"
            return
        self.setup_message.value = ""
        self.questions = shuffled(load_questions(wanted), seed=self.seed.value)
        self.responses = {}
        self.position = 0
        self.children = [self.header, self.status, self.question_box]
        self._show()

    def _show(self) -> None:
        q = self.current
        if q is None:
            self._finish()
            return
        # The progress line changes last, so a reader (or a test) who sees "Question n" sees all of question n.
        self.feedback.value = ""
        if q.type == "single":
            fresh_choices(self.choices, [(o.text, o.index) for o in q.options])
            self.choices.disabled = False
            self.choices.layout.display = None
            self.number.layout.display = "none"
        else:
            self.number.value = ""
            self.number.disabled = False
            self.number.description = f"Your answer ({q.answer.units})" if q.answer else "Your answer"
            self.number.layout.display = None
            fresh_choices(self.choices, [])
            self.choices.layout.display = "none"
        self.check_button.disabled = False
        self.check_button.description = "Check answer" if self.mode.value == "immediate" else "Save answer"
        self.next_button.disabled = True
        self.next_button.description = ("See the results" if self.position == len(self.questions) - 1
                                         else "Next question")
        self.stem.value = f'<p class="cmv-app-stem"><strong>{_e(q.stem)}</strong></p>'
        self.status.value = f"<p>{len(self.responses)} of {len(self.questions)} answered.</p>"
        self.progress.value = (f"<p>Question {self.position + 1} of {len(self.questions)} · "
                               f"{_e(_title(q.chapter))} · level {q.difficulty} of 3</p>")

    def answer(self, response: object) -> None:
        """Enter ``response`` in the widget as a reader would, then press Check."""
        q = self.current
        if q is None:
            raise InputError("answer", "there is no question on screen: press Start")
        if q.type == "single":
            self.choices.value = response
        else:
            self.number.value = str(response)
        self.check()

    def check(self) -> None:
        """Grade the answer on screen: feedback now (immediate mode) or only at the end."""
        q = self.current
        if q is None:
            return
        response: object = self.choices.value if q.type == "single" else self.number.value
        if response is None or (isinstance(response, str) and not response.strip()):
            self.feedback.value = "<p role=\"alert\">Choose or type an answer first.</p>"
            return
        try:
            fb = q.check(response)
        except InputError as e:
            self.feedback.value = f'<p role="alert">{_e(e.problem)}</p>'
            return
        self.responses[q.id] = response
        self.status.value = f"<p>{len(self.responses)} of {len(self.questions)} answered.</p>"
        self.choices.disabled = True
        self.number.disabled = True
        self.check_button.disabled = True
        self.next_button.disabled = False
        if self.mode.value == "immediate":
            self.feedback.value = feedback_html(q, fb, self.book_url)
        else:
            self.feedback.value = "<p>Answer saved. Feedback comes at the end.</p>"

    def next(self) -> None:
        """Move to the next question (or to the results after the last one)."""
        if self.current is None:
            return
        self.position += 1
        self._show()

    def _finish(self) -> None:
        right = sum(s.correct for s in self.results.values())
        self.status.value = f"<p>Finished: {right} of {len(self.questions)} correct.</p>"
        self.results_html.value = ("<h2>Results</h2>" + results_html(self.questions, self.responses)
                                   + review_html(self.questions, self.responses, self.book_url))
        self.children = [self.header, self.status, self.results_box]

    def restart(self) -> None:
        """Back to the setup panel."""
        self.questions, self.responses, self.position = [], {}, 0
        self.children = [self.header, self.status, self.setup]
        self._count()


def quiz_app(chapters: Iterable[str] | None = None, *, seed: int = 1, feedback: str = "immediate",
             book_url: str | None = None) -> QuizApp:
    """The quiz app: pick chapters and the feedback mode, answer shuffled questions, see the score by
    chapter and review mistakes with links to the book (``book_url``, default ``$CMV_BOOK_URL`` or the
    address ``make book`` serves on)."""
    return QuizApp(chapters, seed=seed, feedback=feedback, book_url=book_url)
