"""Paths and limits shared by the in-browser tests (imported by name: every conftest is "conftest")."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))
from bookutil import BOOK_HTML, OUTPUT, ROOT  # noqa: E402,F401

LITE_HTML = BOOK_HTML / "lite"
LIVE_PAGE = "book/live/index.html"
#: Generous: a cold Pyodide start takes tens of seconds on this 2-core machine, more under load.
KERNEL_TIMEOUT_MS = 240_000
ANSWER_TIMEOUT_MS = 60_000
