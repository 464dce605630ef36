"""Named single-value rules (``rule,value,unit,note,source,detail`` tables) such as ``data/cidofovir.csv``."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import _data
from .sources import cite


@dataclass(frozen=True)
class Rule:
    """One sourced number with the sentence that explains it."""

    name: str
    value: float
    unit: str
    note: str
    source: str

    def __float__(self) -> float:
        return self.value


@lru_cache(maxsize=None)
def rules(table: str) -> dict[str, Rule]:
    """The rules of ``data/<table>.csv`` by name, each with its formatted citation."""
    return {r["rule"]: Rule(r["rule"], float(r["value"]), r["unit"], r["note"], cite(r["source"], r["detail"]))
            for r in _data.table(table)}
