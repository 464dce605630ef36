"""A pure player of a case: the HTML of a step, and a JSON entry point the static page's worker calls.

A step shows the patient panel (:func:`~cmvlib.cases.status`), the events received so far, the feedback of the
last choice (its verdict in words, its sources and a link to its chapter section), the question with its options
(buttons; at a dose point also a labelled box for a typed dose) and, at the end, the debrief (score by domain,
each decision beside what an expert would have done, and the course as a timeline chart with its table).
Buttons and forms carry ``data-cmv-action`` (JSON): the page sends the action back with the saved state, nothing
else; all the logic is here. Standard library only (it runs in Pyodide).

>>> req = {"args": {"case": "declining-renal"}, "state": None, "action": None}
>>> out = json.loads(play_json(json.dumps(req)))
>>> out["state"]["node"], 'data-cmv-action="{&quot;pick&quot;: &quot;iv-ganciclovir&quot;}"' in out["html"]
('day0-drug', True)
>>> req = {**req, "state": out["state"], "action": {"pick": "iv-ganciclovir"}}
>>> out = json.loads(play_json(json.dumps(req)))
>>> out["state"]["node"], "Expert choice" in out["html"]
('day0-dose', True)
>>> bad = json.loads(play_json(json.dumps({**req, "state": out["state"], "action": {"dose_mg": "41O"}})))
>>> bad["state"] == out["state"], "dose_mg: must be a number" in bad["html"]
(True, True)
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..charts.case_timeline import timeline_figure, timeline_table_html
from ..errors import InputError
from .engine import NO_DOSE, Feedback, State, case_of, choose, debrief, event_text, label_dose, options, replay, start
from .schema import names
from .status import status

VERDICTS = {"expert": "Expert choice", "acceptable": "Acceptable", "unsupported": "Not supported"}
DOMAIN_NAMES = {"dosing": "Dosing", "monitoring": "Monitoring", "toxicity": "Toxicity", "duration": "Duration"}
STORE_PREFIX = "cmv-case:"  # the browser's localStorage key of a case's saved state
#: The book's chapters in this checkout (cmvlib lives at the book's root), whatever the working directory.
BOOK_CHAPTERS = Path(__file__).resolve().parents[2] / "book" / "chapters"
_e = html.escape


def expert_picks(case: str, steps: int | None = None) -> list[object]:
    """The first ``steps`` choices (all, by default) of the expert path: at each step the first expert option,
    at a dose point the label's dose for that day."""
    state, picks = start(case), []
    while not state.finished and (steps is None or len(picks) < steps):
        node = case_of(state).nodes[state.node]
        if node.kind == "dose":
            right = label_dose(state)
            ids = {o["text"]: o["id"] for o in options(state)}
            pick = ids[right.summary] if right is not None and right.recommended else NO_DOSE
        else:
            pick = next(o.id for o in node.options if o.verdict == "expert")
        state, _ = choose(state, pick)
        picks.append(pick)
    return picks


def chapter_links(case: str, chapters: Path, base: str = "../chapters/") -> dict[str, str]:
    """The link of each chapter section ``case`` cites: ``base`` + the page of ``chapters`` (``*.md``) that
    defines the label (``(label)=``) + ``.html#label``."""
    wanted = case_of(start(case)).sections()
    links = {}
    for page in sorted(chapters.glob("*.md")):
        for label in re.findall(r"^\(([\w-]+)\)=", page.read_text(encoding="utf-8"), re.M):
            if label in wanted:
                links[label] = f"{base}{page.stem}.html#{label}"
    return links


def last_feedback(state: State) -> Feedback | None:
    """The feedback of the last choice of ``state`` (recomputed: a saved state keeps choices, not feedback)."""
    if not state.history:
        return None
    picks = [h["pick"] for h in state.history]
    return choose(replay(state.case, picks[:-1]), picks[-1])[1]


def _action(data: Mapping[str, Any]) -> str:
    return _e(json.dumps(dict(data)))


def _list(items: list[str], cls: str) -> str:
    return f'<ul class="{cls}">' + "".join(f"<li>{x}</li>" for x in items) + "</ul>"


def _panel(state: State) -> str:
    st, at_dose = status(state), case_of(state).nodes[state.node].kind == "dose"
    rows = [("Day", str(st["day"])), ("Creatinine clearance", st["renal"]), ("Drug in force", st["drug"] or "none"),
            ("Dose in force", st["dose_in_force"] or "none")]
    if st["label_dose"] and not at_dose:          # at a dose point the question asks for it
        rows.append(("Label dose for today's values", st["label_dose"]))
    rows += [("Monitoring due this week", ", ".join(st["monitoring"])), ("Blood counts past a threshold", "; ".join(st["labs"])),
             ("Toxicity windows open today", ", ".join(st["toxicity"])), ("Viral load", st["viral_load"])]
    body = "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows if v)
    return f'<table class="cmv-case-panel"><caption>The patient today</caption><tbody>{body}</tbody></table>'


def _events(state: State, new: int) -> str:
    items = [_e(event_text(e)) for e in state.events]
    items = items[:len(items) - new] + [f"<strong>New:</strong> {x}" for x in items[len(items) - new:]]
    return f'<h3>What you know</h3>{_list(items, "cmv-case-events")}'


def _feedback(fb: Feedback, links: Mapping[str, str]) -> str:
    link = links.get(fb.section)
    read = f'<p>Read: <a href="{_e(link)}">the chapter section</a></p>' if link else ""
    return (f'<div class="cmv-case-feedback cmv-verdict-{fb.verdict}" data-cmv-verdict="{fb.verdict}" tabindex="-1">'
            f'<p><strong>{VERDICTS[fb.verdict]}.</strong> {_e(fb.text)}</p>'
            f'<p class="cmv-case-sources">Sources: {_e("; ".join(fb.citations))}</p>{read}</div>')


def _question(state: State) -> str:
    node, key = case_of(state).nodes[state.node], f"cmv-case-{state.case}"
    buttons = "".join(f'<li><button type="button" class="cmv-case-option" data-cmv-action="{_action({"pick": o["id"]})}">'
                      f'{_e(o["text"])}</button></li>' for o in options(state))
    out = [f'<h3 id="{key}-q" tabindex="-1">Day {node.day}: your decision</h3>', f"<p>{_e(node.prompt)}</p>",
           f'<ul class="cmv-case-options" aria-labelledby="{key}-q">{buttons}</ul>']
    if node.kind == "dose":
        out.append(f'<form class="cmv-case-dose" data-cmv-action="{_action({})}">'
                   f'<label for="{key}-dose">Or type the dose (mg per administration)</label> '
                   f'<input id="{key}-dose" name="dose_mg" type="text" inputmode="decimal" autocomplete="off"> '
                   '<button type="submit">Give this dose</button></form>')
    return "".join(out)


def debrief_html(state: State) -> str:
    """The debrief: the score by domain (``data-cmv-score``: JSON of :func:`debrief`'s score), each decision
    (first attempts) beside what an expert would have done, and the retries."""
    d = debrief(state)
    score = "".join(f'<tr><th scope="row">{DOMAIN_NAMES[k]}</th><td>{v["points"]:g} / {v["out_of"]}</td></tr>'
                    for k, v in d["score"].items())
    rows = "".join(f'<tr><th scope="row">Day {x["day"]}</th><td data-label="Question">{_e(x["prompt"])}</td>'
                   f'<td data-label="Your first choice">{_e(x["choice"])}</td>'
                   f'<td data-label="Verdict">{VERDICTS[x["verdict"]]}</td>'
                   f'<td data-label="An expert">{_e(x["expert"])}</td></tr>' for x in d["decisions"])
    return (f'<h3 id="cmv-case-{state.case}-debrief" tabindex="-1">Debrief</h3>'
            f'<table class="cmv-case-score" data-cmv-score="{_e(json.dumps(d["score"], sort_keys=True))}">'
            f'<caption>Your score by domain</caption><tbody>{score}</tbody></table>'
            '<p>Your first attempt at each decision counts: expert 1, acceptable ½, not supported 0. '
            f'Choices made again after a pharmacist\'s or consultant\'s call: {d["retries"]}.</p>'
            '<table class="cmv-case-decisions"><caption>Your decisions and what an expert would have done</caption>'
            '<thead><tr><th scope="col">Day</th><th scope="col">Question</th><th scope="col">Your first choice</th>'
            f'<th scope="col">Verdict</th><th scope="col">An expert</th></tr></thead><tbody>{rows}</tbody></table>')


def step_html(state: State, links: Mapping[str, str] | None = None, feedback: Feedback | None = None,
              error: str = "", new: int = 0, controls: bool = True) -> str:
    """The HTML of a step: panel, events (the last ``new`` marked), feedback, the question or the debrief.
    ``controls=False`` leaves out the buttons and the dose box (a binding that draws its own, e.g. ipywidgets)."""
    links = links or {}
    node = case_of(state).nodes[state.node]
    out = [_panel(state), _events(state, new)]
    if error:
        out.append(f'<p class="cmv-case-error" role="alert" data-cmv-focus>⚠ {_e(error)}</p>')
    if feedback is not None:
        out.append(_feedback(feedback, links))
    if node.kind == "end":
        out.append(f"<p><strong>Day {node.day}.</strong> {_e(node.prompt)}</p>{debrief_html(state)}")
    elif controls:
        out.append(_question(state))
    else:
        out.append(f'<h3>Day {node.day}: your decision</h3><p>{_e(node.prompt)}</p>')
    if state.history and controls:
        out.append(f'<p><button type="button" class="cmv-case-restart" data-cmv-action="{_action({"restart": True})}">'
                   "Start the case again</button></p>")
    return "".join(out)


def refused(err: InputError) -> str:
    """The message of a choice refused (bad input): the problem, and that nothing changed."""
    return f"{str(err).rstrip('.')}. Nothing was changed."


def _restore(case: str, saved: object) -> tuple[State, str]:
    if saved is None:
        return start(case), ""
    try:
        state = State.from_json(saved)
    except InputError:
        return start(case), "Your saved progress belongs to an older version of this case: it starts again."
    if state.case != case:
        return start(case), "Your saved progress belongs to another case: this one starts again."
    return state, ""


def play(case: str, saved: object = None, action: Mapping[str, Any] | None = None,
         links: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One turn: the saved state (or the start), the ``action`` applied (``{"pick": id}``, ``{"dose_mg": text}``
    or ``{"restart": true}``; ``None`` shows the step), and ``{"html", "state", "figures"}``. Bad input gives a
    message in the HTML and the state unchanged."""
    state, note = _restore(case, saved)
    fb, error, new = last_feedback(state), note, 0
    if action and action.get("restart"):
        state, fb = start(case), None
    elif action:
        try:
            pick = {"dose_mg": action["dose_mg"]} if "dose_mg" in action else action.get("pick")
            state, fb = choose(state, pick)
            new = len(fb.events)
        except InputError as exc:
            error = refused(exc)

    figures = {}
    html_out = step_html(state, links, fb, error, new)
    if state.finished:
        div = f"cmv-case-{case}-timeline"
        figures[div] = timeline_figure(state)
        html_out += (f'<div id="{div}" class="plotly-graph-div cmv-plotly" role="img" '
                     f'aria-label="{_e(figures[div]["layout"]["meta"]["description"])}"></div>'
                     f'<details class="cmv-case-table"><summary>The course as a table</summary>'
                     f"{timeline_table_html(state)}</details>")
    return {"html": html_out, "state": state.to_json(), "figures": figures}


def play_json(request: str) -> str:
    """The worker's entry point: ``{"args": {"case", "links"?}, "state", "action"}`` in, :func:`play`'s outcome
    out (or ``{"error"}`` for a malformed request), as JSON."""
    try:
        req = json.loads(request)
        args = req["args"]
        if not isinstance(args, dict) or args.get("case") not in names():
            raise InputError("case", "is not a case of this book")
        out = play(args["case"], req.get("state"), req.get("action"), args.get("links") or {})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return json.dumps({"error": f"{type(exc).__name__}: {exc}"})
    return json.dumps(out)


#: What a case page says before its Python has started (the page script replaces it: starting, live, failed).
NOT_STARTED = "This case plays in your browser once the page has loaded (JavaScript is needed); nothing leaves it."
ENTRY = "cmvlib.cases.play:play_json"


@dataclass(frozen=True)
class Page:
    """A case for the static book: the opening step (buttons disabled until the page's Python is live) inside
    an element the page script (``book/_ext/live/panel.js``) plays through :data:`ENTRY`."""

    case: str
    links: Mapping[str, str]
    static: str = "../../_static/"

    def _repr_html_(self) -> str:
        case = case_of(start(self.case))
        opening = re.sub(r"<(button|input) ", r"<\1 disabled ", play(self.case, links=self.links)["html"])
        args = _e(json.dumps({"case": self.case, "links": dict(self.links)}, sort_keys=True))
        return (f'<link rel="stylesheet" href="{self.static}case-player.css">'
                f'<div class="cmv-case" data-cmv-live-entry="{ENTRY}" data-cmv-args="{args}" '
                f'data-cmv-store="{STORE_PREFIX}{self.case}"><p class="cmv-case-summary">{_e(case.summary)}</p>'
                f'<p class="cmv-static-note cmv-case-status" role="status" data-cmv-live-status>{NOT_STARTED}</p>'
                f'<div class="cmv-case-body" data-cmv-live-body>{opening}</div></div>')


def page(case: str, chapters: str | Path = BOOK_CHAPTERS) -> Page:
    """The playable case for a book page under ``book/play/`` (links to the sections of ``chapters``)."""
    return Page(case, chapter_links(case, Path(chapters)))
