"""The virtual patients in Voilà and Jupyter (ipywidgets): the step from :mod:`cmvlib.cases.play`, the options as
labelled radio buttons with a "Choose" button, a labelled dose box at a dose point, "start again", and at the end
the debrief with its timeline chart and table. All the logic is cmvlib.cases'.

For class, ``set_inputs(case=<id>, step=<n>)`` (``?case=<id>&step=<n>`` through
:func:`cmvlib.ui.apply_url_presets`) opens a case after the first ``n`` choices of the expert path; anything
else gives a plain message and changes nothing.

>>> p = case_player("declining-renal")
>>> p.set_inputs(case="declining-renal", step="2"); p.state.node
'day5-switch'
>>> p.set_inputs(step="99"); "Address (step): must be a whole number from 0 to 7" in p.preset_html.value
True
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import cases
from ..cases import play
from ..charts.case_timeline import timeline_figure, timeline_table_html
from ..display import mimebundle
from ..errors import InputError
from ._base import fresh_choices
from .render import notice_html, render_error

#: Where the book is served for the chapter links (``make book`` serves it here).
DEFAULT_BOOK_URL = "http://127.0.0.1:8000"
PRESETS = ("case", "step")


class CasePlayer(widgets.VBox):
    """One case at a time, chosen from :func:`cmvlib.cases.names`."""

    def __init__(self, case: str | None = None, chapters: str | Path = play.BOOK_CHAPTERS,
                 book_url: str = DEFAULT_BOOK_URL) -> None:
        self.chapters, self.book_url = Path(chapters), book_url.rstrip("/")
        def wide() -> widgets.Layout:     # one Layout per widget: a shared one would hide them all together
            return widgets.Layout(width="100%")

        self.picker = widgets.Dropdown(description="Case", options=[(cases.load_case(n).title, n) for n in cases.names()],
                                       style={"description_width": "initial"}, layout=widgets.Layout(max_width="100%"))
        self.preset_html = widgets.HTML()
        self.question = widgets.HTML(layout=wide())   # the step's question again, beside the options
        self.step = widgets.HTML(layout=wide())
        self.choices = widgets.RadioButtons(description="Your decision", style={"description_width": "initial"},
                                            layout=wide())
        self.choose_button = widgets.Button(description="Choose", button_style="primary")
        self.dose = widgets.Text(description="Or type the dose (mg per administration)",
                                 style={"description_width": "initial"})
        self.dose_button = widgets.Button(description="Give this dose")
        self.restart = widgets.Button(description="Start the case again")
        self.chart = widgets.Output(layout=wide())
        self.table = widgets.HTML(layout=wide())
        self.dose_row = widgets.HBox([self.dose, self.dose_button], layout=widgets.Layout(flex_flow="row wrap"))
        # cmv-calculator / cmv-result: the marks every app's tests look for (tests/apps/test_voila_apps.py)
        for w, mark in ((self, "cmv-case-player"), (self, "cmv-calculator"), (self.step, "cmv-case-step"),
                        (self.step, "cmv-result"), (self.choices, "cmv-case-choices"),
                        (self.choose_button, "cmv-case-choose"), (self.dose, "cmv-case-dose-box"),
                        (self.dose_button, "cmv-case-give"), (self.restart, "cmv-case-restart"),
                        (self.preset_html, "cmv-preset-area")):
            w.add_class(mark)
        self.step.add_class("cmv-result-area")
        notice = widgets.HTML(notice_html("Virtual patients"))
        # Laid out like every app for the projector (cmvlib.ui.projector's classes, the template's CSS): the
        # decision on the left, the patient, the feedback and the debrief on the right; stacked on a phone.
        left = widgets.VBox([self.picker, self.preset_html, self.question, self.choices, self.choose_button, self.dose_row, self.restart])
        right = widgets.VBox([self.step, self.chart, self.table])
        left.add_class("cmv-inputs")
        right.add_class("cmv-outputs")
        columns = widgets.HBox([left, right])
        columns.add_class("cmv-columns")
        super().__init__([notice, columns], layout=wide())
        self.add_class("cmv-projector")
        self.picker.observe(lambda change: change["new"] != self.state.case and self.open_case(change["new"]), names="value")
        self.choose_button.on_click(lambda _: self.act(self.choices.value))
        self.dose_button.on_click(lambda _: self.act({"dose_mg": self.dose.value}))
        self.restart.on_click(lambda _: self.open_case(self.state.case))
        self.open_case(case or self.picker.value)

    def open_case(self, case: str, picks: list[object] | None = None) -> None:
        """Show ``case`` after ``picks`` (from the start by default)."""
        self.links = play.chapter_links(case, self.chapters, f"{self.book_url}/book/chapters/")
        state = cases.replay(case, picks or [])
        self._show(state, play.last_feedback(state))
        self.picker.value = case

    def act(self, choice: object) -> None:
        """Apply ``choice`` (an option id or ``{"dose_mg": text}``); bad input: a message, no progress."""
        try:
            if choice is None:
                raise InputError("choice", "pick one of the options first")
            state, fb = cases.choose(self.state, choice)
        except InputError as err:
            self._show(self.state, self.feedback, play.refused(err))
            return
        self._show(state, fb, new=len(fb.events))

    def set_inputs(self, **inputs: str) -> None:
        """URL presets: ``case`` (a case id) and ``step`` (choices of the expert path already made)."""
        try:
            unknown = sorted(set(inputs) - set(PRESETS))
            if unknown:
                raise InputError(unknown[0], f"is not a preset of this app; use {' or '.join(PRESETS)}")
            case = inputs.get("case", self.state.case).strip()
            if case not in cases.names():
                raise InputError("case", f"must be one of {', '.join(cases.names())} (got {case!r})")
            path = play.expert_picks(case)
            text = inputs.get("step", "0").strip()
            if not text.isdigit() or int(text) > len(path):
                raise InputError("step", f"must be a whole number from 0 to {len(path)} (got {text!r})")
        except InputError as err:
            self.preset_html.value = render_error(err, f"Address ({err.field})")
            return
        self.preset_html.value = ""
        self.open_case(case, path[:int(text)])

    def _show(self, state: cases.State, fb: cases.Feedback | None, error: str = "", new: int = 0) -> None:
        # The step's text changes last, so a reader (or a test) who sees step n sees its options too.
        self.state, self.feedback = state, fb
        node = cases.case_of(state).nodes[state.node]
        opts = [] if state.finished else cases.options(state)
        fresh_choices(self.choices, [(o["text"], o["id"]) for o in opts])
        self.question.value = "" if state.finished else \
            f'<p class="cmv-case-question"><strong>Day {state.day}.</strong> {html.escape(node.prompt)}</p>'
        at_dose = not state.finished and node.kind == "dose"
        self.choices.layout.display = self.choose_button.layout.display = "none" if state.finished else None
        self.dose_row.layout.display = None if at_dose else "none"
        if not error:
            self.dose.value = ""
        figure = timeline_figure(state) if state.finished else None
        self.chart.outputs = ({"output_type": "display_data", "data": mimebundle(figure), "metadata": {}},) if figure else ()
        self.table.value = timeline_table_html(state) if state.finished else ""
        self.step.value = play.step_html(state, self.links, fb, error, new, controls=False)


def case_player(case: str | None = None, **kwargs: Any) -> CasePlayer:
    """A :class:`CasePlayer` (the Voilà app ``book/apps/virtual_patient.ipynb``)."""
    return CasePlayer(case, **kwargs)
