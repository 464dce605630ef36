"""Citation keys and how a calculator names its source.

Every data row in cmvlib carries a key of ``data/sources.csv``; the book resolves the same key in
``book/references.bib``. :func:`cite` turns a key plus the row used into the text a reader sees.

>>> cite("label-ganciclovir-us", "section 2.5, Table 1, CrCl 50-69 mL/min row")
'US ganciclovir label, section 2.5, Table 1, CrCl 50-69 mL/min row [label-ganciclovir-us]'
"""
from __future__ import annotations

from . import _data


def sources() -> dict[str, dict[str, str]]:
    """All known sources, by citation key."""
    return {row["key"]: row for row in _data.table("sources")}


def cite(key: str, detail: str = "") -> str:
    """Human-readable citation of ``key`` (a known citation key), with the row or section used."""
    try:
        short = sources()[key]["short"]
    except KeyError:
        raise KeyError(f"unknown citation key {key!r}: add it to cmvlib/data/sources.csv") from None
    return f"{short}, {detail} [{key}]" if detail else f"{short} [{key}]"
