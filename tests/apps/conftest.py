"""Fixtures of the Voilà app tests: one server with the repository's configuration for the whole session,
and pages of the shared headless Chromium (tests/conftest.py) that may not reach anything but 127.0.0.1
(every other request is aborted and counted)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browserkit import guard_context  # noqa: E402
from voilautil import voila_server  # noqa: E402


@pytest.fixture(scope="session")
def voila():
    """Voilà as `make demo` runs it (voila/voila.json), on a free port; stopped (process group) afterwards."""
    with voila_server() as server:
        yield server


class Page:
    """A Playwright page plus the requests it tried to send off this machine."""

    def __init__(self, page, outside: list[str]) -> None:
        self.page = page
        self.outside = outside


@pytest.fixture
def app_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    guard = guard_context(context)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield Page(page, guard.blocked)
    context.close()
