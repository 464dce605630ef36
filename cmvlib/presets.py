"""Instructor presets: a URL query string turned into calculator inputs (standard library only).

An instructor bookmarks an app with a prepared case, e.g. ``dosing_workbench.ipynb?scenario=hemodialysis``
or ``?scenario=obese&weight_basis=adjusted`` or explicit values ``?age_years=68&weight_kg=70``. This
module only reads and checks the query; the calculator applies the values with
``calc.set_inputs(**inputs)``, which checks each value as if it had been typed (so a bad value shows
its plain message next to the field, never a traceback).

Checked here: the query is well formed, each name is a plain identifier and appears once, values are
short text, and ``scenario`` names one of :data:`cmvlib.examples.NAMES` (via
:func:`cmvlib.examples.inputs`). Parameters Voilà itself reads (``template``, ``theme``, ``token``)
are skipped. Anything else raises :class:`~cmvlib.errors.InputError` with a plain message.

Examples
--------
>>> inputs_from_query("scenario=obese&weight_basis=adjusted")
{'scenario': 'obese', 'weight_basis': 'adjusted'}
>>> inputs_from_query("?age_years=68&weight_kg=70&on_hemodialysis=true")
{'age_years': '68', 'weight_kg': '70', 'on_hemodialysis': 'true'}
>>> inputs_from_query(None), inputs_from_query("")
({}, {})
>>> inputs_from_query("scenario=nowhere")
Traceback (most recent call last):
...
cmvlib.errors.InputError: scenario: unknown example 'nowhere'; choose one of normal-renal, issue-example, band-edge-70, hemodialysis, hiv-retinitis, hsct-pneumonitis, foscarnet-teaching, obese, declining-renal
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import parse_qsl

from . import examples
from .errors import InputError

#: Query parameters that belong to Voilà (template and theme choice, login token): never inputs.
VOILA_PARAMETERS = frozenset({"template", "theme", "token", "voila-template", "voila-theme"})
MAX_PARAMETERS = 30
MAX_VALUE_LENGTH = 500   # a viral-load series typed as text fits; a pasted document does not
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")


def inputs_from_query(query: str | None, allowed: Iterable[str] | None = None) -> dict[str, str]:
    """The inputs named in a URL query string, as text ready for ``calc.set_inputs(**inputs)``.

    Parameters
    ----------
    query : the query string, with or without its leading ``?`` (``None`` or empty: no inputs).
    allowed : if given, the only names accepted besides ``scenario``.

    Raises
    ------
    InputError
        naming the parameter, for a malformed query, a repeated or unknown name, an over-long value or
        an unknown scenario.

    Examples
    --------
    >>> inputs_from_query("weight_kg=70&weight_kg=80")
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: weight_kg: is given twice in the address; keep one value
    >>> inputs_from_query("dose_mg=5000", allowed=["weight_kg"])
    Traceback (most recent call last):
    ...
    cmvlib.errors.InputError: dose_mg: is not a preset of this app; use scenario or weight_kg
    >>> inputs_from_query("theme=dark&scenario=hemodialysis")
    {'scenario': 'hemodialysis'}
    """
    if query is None:
        return {}
    if not isinstance(query, str):
        raise InputError("query", f"must be text (got {type(query).__name__})")
    query = query.lstrip("?")
    if not query.strip():
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_PARAMETERS)
    except ValueError:
        raise InputError("query", f"the address has a malformed or over-long query "
                                  f"(at most {MAX_PARAMETERS} name=value pairs)") from None
    names = None if allowed is None else {"scenario", *allowed}
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.strip().lower()
        if key in VOILA_PARAMETERS:
            continue
        shown = name if len(name) <= 40 else name[:40] + "…"
        if not _NAME.match(key):
            raise InputError("query", f"{shown!r} is not a preset name (letters, digits and _ only)")
        if names is not None and key not in names:
            raise InputError(key, f"is not a preset of this app; use {' or '.join(sorted(names))}")
        if key in out:
            raise InputError(key, "is given twice in the address; keep one value")
        if len(value) > MAX_VALUE_LENGTH or any(ord(c) < 32 and c not in "\n\t" for c in value):
            raise InputError(key, f"must be plain text of at most {MAX_VALUE_LENGTH} characters")
        out[key] = value
    if "scenario" in out:
        out["scenario"] = out["scenario"].strip()
        examples.inputs(out["scenario"])   # raises InputError("scenario", ...) for an unknown name
    return out


class Preset(NamedTuple):
    """An instructor preset: an app of ``book/apps`` (without ``.ipynb``), its query string and the case it shows."""

    app: str
    query: str
    what: str


#: The prepared cases of the instructor page (``book/teaching.md``), beside one preset per example patient.
CLASSROOM: tuple[Preset, ...] = (
    Preset("dosing_workbench", "scenario=hemodialysis",
           "58-year-old woman on hemodialysis: the post-dialysis rows of every drug"),
    Preset("dosing_workbench", "scenario=obese&weight_basis=adjusted",
           "130 kg, 175 cm: the weight basis moves the clearance band"),
    Preset("dosing_workbench", "scenario=band-edge-70", "CrCl exactly 70 mL/min: which band?"),
    Preset("dosing_workbench", "tab=foscarnet&scenario=foscarnet-teaching",
           "normal creatinine, yet a reduced foscarnet band (mL/min/kg)"),
    Preset("dosing_workbench", "tab=cidofovir&scenario=hiv-retinitis", "cidofovir start criteria and probenecid clock"),
    Preset("dosing_workbench", "age_years=68&sex=male&weight_kg=70&serum_creatinine_mg_dl=1.01",
           "explicit values (any patient field; serum_creatinine_umol_l for µmol/L)"),
    Preset("viral_load_simulator", "points=0,25000%0A7,2500%0A14,3000", "a rebound to discuss (one day, IU/mL per line)"),
    Preset("regimen_selector", "resistance=ul97&transplant=sot", "UL97 resistance after a solid-organ transplant"),
    Preset("toxicity_monitoring", "drug=foscarnet&maintenance_days=28", "foscarnet monitoring over induction and maintenance"),
    Preset("course_view", "change_day=5&new_creatinine_mg_dl=3.0", "the creatinine triples on day 5: the dose steps down that day"),
    Preset("course_view", "induction_drug=foscarnet&maintenance_drug=none&induction_days=21", "a foscarnet-only course"),
    Preset("dosing_workbench", "tab=switch&scenario=issue-example",
           "when to switch from IV ganciclovir to oral valganciclovir"),
    Preset("dosing_workbench", "tab=maribavir&co_medications=phenytoin,tacrolimus",
           "maribavir with an anticonvulsant (dose change) and tacrolimus (levels)"),
)


def classroom_presets() -> tuple[Preset, ...]:
    """:data:`CLASSROOM`, then the dosing workbench on each example patient of :mod:`cmvlib.examples`.

    >>> classroom_presets()[-1].query
    'scenario=declining-renal'
    """
    listed = {p.query for p in CLASSROOM if p.app == "dosing_workbench"}
    scenarios = tuple(Preset("dosing_workbench", f"scenario={name}", examples.DESCRIPTIONS[name])
                      for name in examples.NAMES if f"scenario={name}" not in listed)
    return CLASSROOM + scenarios
