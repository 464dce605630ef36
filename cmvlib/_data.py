"""Loading the package's data tables (CSV and JSON under ``cmvlib/data``).

CSV files may start with ``#`` comment lines that document the columns; the first non-comment
line is the header. Every table carries a ``source`` column holding a citation key of
``data/sources.csv`` (checked by ``tests/unit/test_data_tables.py``). Files are read once.
"""
from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from importlib import resources
from typing import Any


def _text(name: str) -> str:
    return resources.files("cmvlib").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``data/<name>.csv`` as dicts of strings (comment lines skipped)."""
    lines = [ln for ln in _text(f"{name}.csv").splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return tuple(dict(row) for row in csv.DictReader(io.StringIO("\n".join(lines))))


@lru_cache(maxsize=None)
def json_data(name: str) -> Any:
    """Parsed ``data/<name>.json``."""
    return json.loads(_text(f"{name}.json"))


def opt_float(value: str) -> float | None:
    """``float(value)``, or ``None`` for an empty cell."""
    return float(value) if value.strip() else None
