"""The guideline summary as data: its seven sections and 27 bullets, each with sources and evidence.

``data/guideline.json`` holds one entry per bullet of ``../shared/seed/guideline-summary.txt`` (word for
word), the citation keys in which the statement was read, how much of it those sources support
(``evidence``: verified | verified-secondary | partly verified | unverified) and a note saying what was
and was not verified. The regimen and monitoring modules cite these bullet ids.

Examples
--------
>>> [s.id for s in sections()]
['first-line', 'alternatives', 'special-populations', 'monitoring', 'adverse-effects', 'duration', 'pitfalls']
>>> b = bullet("pitfalls-4")
>>> b.section_id, b.evidence
('pitfalls', 'unverified')
>>> b.text.startswith("Combination therapy with ganciclovir and foscarnet")
True
>>> bullet("first-line-9")
Traceback (most recent call last):
...
KeyError: "unknown guideline bullet 'first-line-9': ids look like 'first-line-2' (see cmvlib/data/guideline.json)"
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import _data

#: Evidence levels used in guideline.json, weakest first.
EVIDENCE_LEVELS: tuple[str, ...] = ("unverified", "partly verified", "verified-secondary", "verified")


@dataclass(frozen=True)
class Bullet:
    """One bullet of the guideline summary.

    ``summary_refs`` are the summary's own reference numbers (it does not name them); ``sources`` are
    citation keys of ``data/sources.csv`` (empty when no source read supports the bullet).
    """

    id: str
    section_id: str
    text: str
    summary_refs: tuple[int, ...]
    sources: tuple[str, ...]
    evidence: str
    note: str

    @property
    def unverified(self) -> bool:
        """True when no source read supports the bullet (taught from the summary only).

        >>> bullet("alternatives-2").unverified, bullet("first-line-1").unverified
        (True, False)
        """
        return self.evidence == "unverified"


@dataclass(frozen=True)
class Section:
    """One section (= one chapter of the book) with its bullets in summary order."""

    id: str
    title: str
    bullets: tuple[Bullet, ...]


@lru_cache(maxsize=None)
def sections() -> tuple[Section, ...]:
    """The seven sections of the guideline summary, in order.

    >>> len(sections()), sum(len(s.bullets) for s in sections())
    (7, 27)
    """
    out = []
    for s in _data.json_data("guideline")["sections"]:
        bullets = tuple(
            Bullet(id=b["id"], section_id=s["id"], text=b["text"], summary_refs=tuple(b["summary_refs"]),
                   sources=tuple(b["sources"]), evidence=b["evidence"], note=b["note"])
            for b in s["bullets"])
        out.append(Section(id=s["id"], title=s["title"], bullets=bullets))
    return tuple(out)


@lru_cache(maxsize=None)
def _by_id() -> dict[str, Bullet]:
    return {b.id: b for s in sections() for b in s.bullets}


def bullet(bullet_id: str) -> Bullet:
    """The bullet with this id (for example ``"first-line-2"``); ``KeyError`` if there is none.

    >>> bullet("monitoring-1").text
    'Weekly monitoring of CMV viral load by PCR is essential to assess treatment response'
    """
    try:
        return _by_id()[bullet_id]
    except (KeyError, TypeError):
        raise KeyError(f"unknown guideline bullet {bullet_id!r}: ids look like 'first-line-2' "
                       "(see cmvlib/data/guideline.json)") from None


def bullets() -> tuple[Bullet, ...]:
    """All 27 bullets in summary order.

    >>> bullets()[0].id, bullets()[-1].id
    ('first-line-1', 'pitfalls-5')
    """
    return tuple(_by_id().values())


def weakest_evidence(bullet_ids: tuple[str, ...] | list[str]) -> Bullet:
    """The bullet among ``bullet_ids`` whose evidence is weakest (first one on a tie).

    >>> weakest_evidence(["first-line-1", "pitfalls-4"]).id
    'pitfalls-4'
    """
    found = [bullet(i) for i in bullet_ids]
    if not found:
        raise KeyError("weakest_evidence needs at least one bullet id")
    return min(found, key=lambda b: EVIDENCE_LEVELS.index(b.evidence))
