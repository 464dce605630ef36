"""Fixtures for the in-browser tests: the built book (one build per session, shared with tests/book),
a local server and contexts of the shared Chromium with every request outside 127.0.0.1 aborted and counted.

The book is built once per session by tests/conftest.py (`make book-build`, which prepares
_build/lite-dir first).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browserkit import guard_context
from liteutil import LITE_HTML, OUTPUT


@pytest.fixture(scope="session")
def lite_html(book_html: Path) -> Path:
    """_build/html (the session's one strict build), which must hold its JupyterLite site."""
    assert (LITE_HTML / "jupyter-lite.json").is_file(), "the book build made no JupyterLite site (_build/html/lite)"
    return book_html


@pytest.fixture(scope="session")
def site_url(lite_html: Path, book_url: str) -> str:
    return book_url


@pytest.fixture()
def live_context(browser):
    """A fresh browser context (cold cache) with the network guard; yields (context, guard)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    guard = guard_context(context)
    try:
        yield context, guard
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = OUTPUT / "screenshots" / "inbrowser"
    path.mkdir(parents=True, exist_ok=True)
    return path
