"""Pure render functions: cmvlib results in, accessible HTML strings out (no widgets).

The calculators put these strings into ``ipywidgets.HTML`` values; quizzes, apps and tests can call
them directly. Every piece of text that comes from a result is escaped. Errors are signalled by
words and an icon (never colour alone) and carry ``role="alert"``; tables use ``<th scope>``.
This module imports only the standard library and the cmvlib core, so it also runs without ipywidgets.

Examples
--------
>>> from cmvlib import dose, examples
>>> html = render_dose(dose("ganciclovir", "induction", examples.patient("issue-example")))
>>> "175 mg IV every 12 h" in html and "CrCl 50-69 mL/min row" in html
True
>>> render_error(InputError("weight_kg", "must be between 20 and 350 kg (got 900)"))
'<span class="cmv-error" role="alert">⚠ Weight: must be between 20 and 350 kg (got 900)</span>'
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..bands import round_half_up
from ..errors import InputError
from ..patient import RenalFunction
from ..result import DoseResult
from ..sources import cite

if TYPE_CHECKING:
    from ..course import Course

NOTICE = "For education, not for patient care"
#: A calculator's status line: true in Voilà and Jupyter; on the static page the live script replaces it with its
#: own status ("starting", "live": computed in the reader's browser).
LIVE_NOTE = "Change any value and the result follows."
ERROR_ICON = "⚠"

#: How each input field is named to the reader (core field name -> label).
FIELD_LABELS = {
    "age_years": "Age",
    "sex": "Sex",
    "weight_kg": "Weight",
    "height_cm": "Height",
    "serum_creatinine": "Serum creatinine",
    "serum_creatinine_mg_dl": "Serum creatinine",
    "serum_creatinine_umol_l": "Serum creatinine",
    "creatinine_unit": "Creatinine unit",
    "measured_crcl_ml_min": "Measured creatinine clearance",
    "on_hemodialysis": "On hemodialysis",
    "urine_protein_mg_dl": "Urine protein",
    "weight_basis": "Weight used for dosing",
    "baseline_serum_creatinine_mg_dl": "Baseline serum creatinine",
    "infusion_start": "Infusion start",
    "days_of_iv": "Days of IV therapy",
    "induction_days": "Induction days",
    "maintenance_days": "Maintenance days",
    "start": "Start date",
    "points": "Viral-load results",
    "lloq": "Quantification limit",
    "on_art": "On antiretroviral therapy",
}

_STYLE = ('<style>.cmv-calc table.cmv-table{border-collapse:collapse;margin:.3em 0;max-width:100%}'
          '.cmv-calc table.cmv-table th,.cmv-calc table.cmv-table td{border:1px solid #8889;padding:.2em .45em;'
          'text-align:left;vertical-align:top}.cmv-calc .cmv-error{font-weight:600}'
          '.cmv-calc .cmv-dose{font-size:1.15em}.cmv-calc .cmv-notice{border-left:4px solid #b35900;'
          'padding:.2em .6em;margin:.2em 0}</style>')


def esc(text: object) -> str:
    """``text`` as HTML-safe text.

    >>> esc("<b> & 'x'")
    '&lt;b&gt; &amp; &#x27;x&#x27;'
    """
    return html.escape(str(text))


def field_label(field: str | None) -> str:
    """The reader's name for a core field (``points[2].day`` -> ``Viral-load results``).

    >>> field_label("serum_creatinine_umol_l"), field_label("points[0].day"), field_label("severe")
    ('Serum creatinine', 'Viral-load results', 'Severe')
    """
    if field is None:
        return ""
    base = field.split("[")[0].split(".")[0]
    return FIELD_LABELS.get(base, base.replace("_", " ").capitalize())


def notice_html(title: str = "") -> str:
    """The calculator's heading and the education-only notice (always shown at the top).

    >>> NOTICE in notice_html("Renal function")
    True
    """
    head = f'<div class="cmv-title"><strong>{esc(title)}</strong></div>' if title else ""
    return (f'{_STYLE}<div class="cmv-calc">{head}<p class="cmv-notice" role="note"><strong>{NOTICE}.</strong> '
            "Check every dose against the current label and local protocols.</p></div>")


def live_note_html() -> str:
    """A calculator's status line (the static page's script replaces it with its status: "starting", "live").

    >>> "result follows" in live_note_html()
    True
    """
    return f'<p class="cmv-static-note cmv-live-note"><em>{esc(LIVE_NOTE)}</em></p>'


def render_error(error: InputError, label: str | None = None) -> str:
    """A plain-language error message for one field (icon + words + ``role="alert"``).

    >>> render_error(InputError("age_years", "must be a number in years (got 'abc')"))
    '<span class="cmv-error" role="alert">⚠ Age: must be a number in years (got &#x27;abc&#x27;)</span>'
    """
    name = label if label is not None else field_label(error.field)
    prefix = f"{esc(name)}: " if name else ""
    return f'<span class="cmv-error" role="alert">{ERROR_ICON} {prefix}{esc(error.problem)}</span>'


def render_no_result(errors: Sequence[InputError] = (), placed: bool = True) -> str:
    """The result area when the input is invalid: no dose, and where to look.

    ``placed`` says whether the messages are already shown next to their fields; otherwise they are
    listed here.

    >>> out = render_no_result([InputError("weight_kg", "is missing: enter a number in kg")])
    >>> "No result" in out and "mg" not in out
    True
    """
    body = (f'<p class="cmv-no-result"><strong>{ERROR_ICON} No result</strong>: correct the input marked '
            f"{ERROR_ICON} above.</p>")
    if not placed and errors:
        body = (f'<div class="cmv-no-result" role="alert"><p><strong>{ERROR_ICON} No result</strong>: '
                "the input needs correcting.</p><ul>"
                + "".join(f"<li>{render_error(e)}</li>" for e in errors) + "</ul></div>")
    return _wrap(body)


def render_course(course: Course) -> str:
    """A planned :class:`cmvlib.course.Course` in words: its length, the model's nature and each dose change
    with its reason (the day-by-day table is the course chart's text alternative)."""
    from ..kinetics import half_life_range

    hl = half_life_range()
    body = (f"<p><strong>{course.length_days}-day course.</strong> The viral-load curve is an illustrative "
            f"model (half-lives {hl.low_days:g}–{hl.high_days:g} days: "
            f"{esc('; '.join(cite(s) for s in hl.sources))}), not a prediction.</p>")
    changes = "".join(f"<li>Day {c.day}: {esc(c.after)} — {esc(c.reason)}</li>" for c in course.changes if c.reason)
    if changes:
        body += f"<p>Dose changes:</p><ul>{changes}</ul>"
    return _wrap(body)


def _wrap(body: str) -> str:
    return f'<div class="cmv-calc cmv-result" aria-live="polite">{body}</div>'


def _rows_table(rows: Iterable[tuple[str, str]], caption: str) -> str:
    """A two-column table of (header, already-escaped HTML value) rows."""
    cells = "".join(f'<tr><th scope="row">{esc(h)}</th><td>{v}</td></tr>' for h, v in rows)
    return f'<table class="cmv-table"><caption>{esc(caption)}</caption><tbody>{cells}</tbody></table>'


def table_html(headers: Sequence[str], rows: Iterable[Sequence[object]], caption: str) -> str:
    """An accessible table (column headers with ``scope="col"``); cells are escaped.

    >>> table_html(["Day", "Test"], [[0, "CBC"]], "Schedule")  # doctest: +NORMALIZE_WHITESPACE
    '<table class="cmv-table"><caption>Schedule</caption><thead><tr><th scope="col">Day</th><th
     scope="col">Test</th></tr></thead><tbody><tr><td>0</td><td>CBC</td></tr></tbody></table>'
    """
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<table class="cmv-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def render_warnings(warnings: Iterable[str], title: str = "Warnings") -> str:
    """A titled list of warnings, or an empty string when there are none.

    >>> render_warnings([])
    ''
    >>> render_warnings(["check calcium"])
    '<div class="cmv-warnings"><p><strong>⚠ Warnings</strong></p><ul><li>check calcium</li></ul></div>'
    """
    items = [w for w in warnings if w]
    if not items:
        return ""
    return (f'<div class="cmv-warnings"><p><strong>{ERROR_ICON} {esc(title)}</strong></p><ul>'
            + "".join(f"<li>{esc(w)}</li>" for w in dict.fromkeys(items)) + "</ul></div>")


# ------------------------------------------------------------------------------------ renal / dose
def _renal_rows(renal: RenalFunction) -> list[tuple[str, str]]:
    w = renal.weight
    rows = [("Method", esc(renal.method))]
    if renal.crcl_ml_min is not None:
        rows.append(("Creatinine clearance", f"<strong>{esc(renal.crcl_text())}</strong>"))
        rows.append(("Per kilogram", esc(renal.per_kg_text())))
    rows.append(("Weight used", f"{esc(w.basis)}: {esc(w.formula)}"
                 + (f" ({esc(w.source)})" if w.source else "")))
    rows.append(("Formula", esc(renal.formula)))
    if renal.assumption:
        rows.append(("Assumes", esc(renal.assumption)))
    if renal.source:
        rows.append(("Source", esc(renal.source)))
    return rows


def render_renal(renal: RenalFunction) -> str:
    """Creatinine clearance with the weight and the formula used, its source and warnings.

    >>> from cmvlib import examples
    >>> out = render_renal(examples.patient("issue-example").renal_function())
    >>> "69.3 mL/min" in out and "(140 − 68) × 70 kg" in out and "cockcroft1976" in out
    True
    """
    return _wrap(_rows_table(_renal_rows(renal), "Renal function") + render_warnings(renal.warnings))


def render_dose(result: DoseResult, show_renal: bool = True) -> str:
    """The dose (or "no dose" and why), the table row and source used, hydration, warnings and the renal
    function it was computed from.

    >>> from cmvlib import dose, examples
    >>> hd = examples.patient("hemodialysis")
    >>> out = render_dose(dose("valganciclovir", "induction", hd))
    >>> "No dose" in out and 'data-cmv="dose"' not in out
    True
    """
    if result.recommended:
        per_kg = f" ({result.mg_per_kg:g} mg/kg)" if result.mg_per_kg is not None else ""
        head = (f'<p class="cmv-dose" data-cmv="dose"><strong>{esc(result.drug.capitalize())} {esc(result.phase)}: '
                f"{esc(result.summary)}</strong>{per_kg}</p>")
    else:
        head = (f'<p class="cmv-dose cmv-not-recommended"><strong>{esc(result.drug.capitalize())} '
                f"{esc(result.phase)}: No dose (not recommended)</strong></p>")
    rows = [("Why", esc(result.reason)), ("Table row used and source", esc(result.source))]
    if result.regimen:
        rows.insert(0, ("Regimen", esc(result.regimen)))
    body = head + _rows_table(rows, "How this result was reached")
    if result.hydration:
        items = "".join(f"<li>{esc(h.text)} ({esc(h.source)})</li>" for h in result.hydration)
        body += f'<div class="cmv-hydration"><p><strong>Hydration</strong></p><ul>{items}</ul></div>'
    body += render_warnings(result.warnings)
    if show_renal and result.renal is not None:
        body += _rows_table(_renal_rows(result.renal), "Renal function used")
    return _wrap(body)


def render_schedule(items: Iterable[object], title: str = "Probenecid and saline schedule") -> str:
    """A cidofovir day (:func:`cmvlib.cidofovir.cidofovir_schedule` items) as a table.

    >>> from cmvlib import cidofovir_schedule
    >>> "07:00" in render_schedule(cidofovir_schedule("10:00"))
    True
    """
    rows = [(i.clock, f"{i.minutes_from_start:+d} min", i.what, i.source) for i in items]
    return _wrap(table_html(["Clock", "From infusion start", "What", "Source"], rows, title))


def render_eligibility(problems: Sequence[str]) -> str:
    """Whether cidofovir may be started (label criteria), with the failed criteria.

    >>> render_eligibility([])
    '<div class="cmv-calc cmv-result" aria-live="polite"><p><strong>Start criteria met</strong> (label: serum creatinine, clearance and urine protein).</p></div>'
    """
    if not problems:
        return _wrap("<p><strong>Start criteria met</strong> (label: serum creatinine, clearance and urine "
                     "protein).</p>")
    items = "".join(f"<li>{esc(p)}</li>" for p in problems)
    return _wrap(f"<p><strong>{ERROR_ICON} Start criteria not met</strong> (label contraindication):</p>"
                 f"<ul>{items}</ul>")


# ---------------------------------------------------------------------------------- decisions
def _cites(keys: Iterable[str]) -> str:
    return "; ".join(cite(k) for k in keys)


def render_decision(decision: object, question: str = "Switch to oral valganciclovir?") -> str:
    """A yes/no decision (:class:`cmvlib.regimen.Decision`) with its reasons, notes and sources.

    >>> from cmvlib.regimen import switch_to_oral
    >>> out = render_decision(switch_to_oral(2, improving=True, absorbing=True, severe=False))
    >>> "Not yet" in out and "only 2 days of IV therapy" in out
    True
    """
    verdict = "Yes: the criteria are met" if decision.ok else f"{ERROR_ICON} Not yet: criteria not met"
    reasons = "".join(f"<li>{esc(r)}</li>" for r in decision.reasons)
    notes = "".join(f"<li>{esc(n)}</li>" for n in decision.notes)
    body = (f'<p class="cmv-verdict"><strong>{esc(question)} {verdict}</strong></p><ul>{reasons}</ul>'
            + (f"<p><strong>Notes</strong></p><ul>{notes}</ul>" if notes else "")
            + f"<p><strong>Guideline bullets</strong>: {esc(', '.join(decision.bullet_ids))}. "
            f"<strong>Sources</strong>: {esc(_cites(decision.sources))}</p>")
    return _wrap(body)


def render_plan(plan: object) -> str:
    """Ranked options, actions and drugs not advised (:class:`cmvlib.regimen.Plan`).

    >>> from cmvlib.regimen import CaseFeatures, plan
    >>> out = render_plan(plan(CaseFeatures(severe=True, gi_absorption_ok=True, high_viral_load=False)))
    >>> "IV ganciclovir" in out and "Oral valganciclovir as initial therapy" in out
    True
    """
    opts = [(o.rank, o.title, o.rationale, o.evidence, f"{', '.join(o.bullet_ids)}; {_cites(o.sources)}")
            for o in plan.options]
    body = table_html(["Rank", "Option", "Why", "Evidence", "Guideline bullets and sources"], opts,
                      "Drug options, preferred first")
    if plan.actions:
        acts = [(a.title, a.rationale, a.evidence, f"{', '.join(a.bullet_ids)}; {_cites(a.sources)}")
                for a in plan.actions]
        body += table_html(["Action", "Why", "Evidence", "Guideline bullets and sources"], acts,
                           "Actions that go with the regimen")
    if plan.not_advised:
        nots = [(n.title, n.reason, f"{', '.join(n.bullet_ids)}; {_cites(n.sources)}") for n in plan.not_advised]
        body += table_html(["Not advised", "Why", "Guideline bullets and sources"], nots,
                           "Not advised in this case")
    return _wrap(body)


# ---------------------------------------------------------------------------------- monitoring
def render_monitoring(events: Sequence[object], notes: Sequence[str] = ()) -> str:
    """A dated monitoring schedule (:func:`cmvlib.monitoring.monitoring_schedule`) as a table.

    >>> import datetime
    >>> from cmvlib.monitoring import monitoring_schedule
    >>> out = render_monitoring(monitoring_schedule("foscarnet", datetime.date(2026, 3, 2), 14))
    >>> "2026-03-02" in out and "ECG" in out
    True
    """
    rows = [(e.date.isoformat(), e.day, e.phase, e.test, e.reason, e.citation) for e in events]
    body = (f"<p><strong>{len(rows)} tests</strong> over the course (day 0 = start).</p>"
            + table_html(["Date", "Day", "Phase", "Test", "Why", "Source"], rows, "Monitoring schedule"))
    if notes:
        body += "<p><strong>Without a dated interval</strong></p><ul>" + "".join(
            f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
    return _wrap(body)


# ---------------------------------------------------------------------------------- kinetics
def render_fit(fit: object, half_life_range: object = None, flag: object = None) -> str:
    """A viral-load fit (:class:`cmvlib.kinetics.Fit`): the reading, the numbers, and the sourced range.

    >>> from cmvlib.kinetics import fit_series
    >>> out = render_fit(fit_series([(0, 8000), (1, 4000), (2, 2000)], lloq=137))
    >>> "halves about every 1 day" in out and "Half-life" in out
    True
    """
    rows = [("Reading", f"<strong>{esc(fit.reading)}</strong>"),
            ("Slope", f"{fit.slope_log10_per_day:.3f} log10 IU/mL per day"),
            ("Half-life", f"{fit.half_life_days:.2f} days" if fit.half_life_days is not None else "not falling"),
            ("Fit (r²)", f"{fit.r2:.3f}"),
            ("Results used", f"{fit.n}" + (f" ({fit.n_below_lloq} below the limit left out)" if fit.n_below_lloq
                                           else ""))]
    if fit.days_to_lloq is not None:
        rows.append(("Days to below the limit", f"{fit.days_to_lloq:.1f} after the last result used"))
    body = _rows_table(rows, "Your viral-load fit")
    if half_life_range is not None:
        body += (f"<p>Sourced range of decline half-lives on therapy: {half_life_range.low_days:g}–"
                 f"{half_life_range.high_days:g} days ({esc(_cites(half_life_range.sources))}).</p>")
    if flag is not None:
        body += (f"<p><strong>Refractory check: {esc(flag.status)}</strong>. {esc(flag.reason)} "
                 f"({esc(_cites(flag.sources))})</p>")
    body += ("<p><em>An illustrative straight-line (mono-exponential) model: real declines can bend, level off "
             "or rebound (Rose 2017). It is not a prediction.</em></p>")
    return _wrap(body)


# ------------------------------------------------------------------------------ immunoglobulin
def render_immunoglobulin(regimens: Sequence[object]) -> str:
    """Sourced adjunct immunoglobulin regimens (:func:`cmvlib.immunoglobulin_for_pneumonitis`).

    >>> from cmvlib import examples, immunoglobulin_for_pneumonitis
    >>> out = render_immunoglobulin(immunoglobulin_for_pneumonitis(examples.patient("hsct-pneumonitis")))
    >>> "Ontario" in out or "ontario" in out
    True
    """
    parts = []
    for r in regimens:
        title = f"<p><strong>{esc(r.product)}</strong> ({esc(r.weight_basis)} body weight) — {esc(r.source)}</p>"
        if r.available:
            table = table_html(["Day", "mg/kg", "Weight (kg)", "Dose (g)"],
                               [(d.day, f"{d.mg_per_kg:g}", f"{round_half_up(d.weight_kg, 1):g}", f"{d.grams:g}") for d in r.doses],
                               f"{r.product}: doses")
            parts.append(f'<div data-cmv="dose">{title}{table}<p>{esc(r.reason)}</p>'
                         f"<p>{esc(r.note)}</p><p><em>Evidence: {esc(r.evidence)}</em></p></div>")
        else:
            parts.append(f"<div>{title}<p><strong>{ERROR_ICON} Not computed</strong>: {esc(r.reason)}</p>"
                         f"<p>{esc(r.note)}</p></div>")
    return _wrap("".join(parts))
