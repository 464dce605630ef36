"""Fixtures shared by every test folder: the strict book build (once per session, used by the book
tests), a local server for it, and one headless Chromium for the whole session (see
browserkit)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from browserkit import CHROMIUM, CHROMIUM_ARGS, PatientBrowser

sys.path.insert(0, str(Path(__file__).parent / "book"))
from bookutil import BOOK_HTML, ROOT, _fail_with_log, _run, serve  # noqa: E402

# --doctest-modules would import this file a second time as a module named "conftest", which clashes
# with the folders' own conftest.py files (no doctests here anyway).
collect_ignore = ["conftest.py"]


@pytest.fixture(scope="session")
def book_html() -> Path:
    """Build the book strictly, once per session (`make book-build`, the command CI and `make book` use),
    and return _build/html. A failing build fails every test that needs it; nothing is skipped."""
    proc = _run(["make", "--no-print-directory", "book-build"], cwd=ROOT)
    if proc.returncode != 0:
        _fail_with_log("The strict book build (make book-build)", proc)
    assert (BOOK_HTML / "index.html").is_file()
    return BOOK_HTML


@pytest.fixture(scope="session")
def book_url(book_html: Path):
    """The built book on a free port of 127.0.0.1."""
    with serve(book_html) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, shared by the book and Voilà tests."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield PatientBrowser(chromium)
        finally:
            chromium.close()
