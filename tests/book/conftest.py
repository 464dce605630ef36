"""Fixtures for the book tests (the strict build is tests/conftest.py's): a fixture book that exercises
the chart/widget/maths machinery, and a local HTTP server (the browser is tests/conftest.py's).

The strict build is `make book-build` (the same command CI and `make book` use). A failing build
fails every test that needs it; nothing is skipped.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from bookutil import FIXTURES, OUTPUT, ROOT, _fail_with_log, _run, serve, toc_docnames
from browserkit import guard_context


@pytest.fixture(scope="session")
def book_pages(book_html: Path) -> list[Path]:
    """The built HTML page of every document in _toc.yml."""
    pages = [book_html / f"{name}.html" for name in toc_docnames(ROOT / "_toc.yml")]
    missing = [str(p) for p in pages if not p.is_file()]
    assert not missing, f"documents of _toc.yml without a built page: {missing}"
    return pages


@pytest.fixture(scope="session")
def demo_html(tmp_path_factory: pytest.TempPathFactory, book_html: Path) -> Path:
    """Build tests/book/fixtures/chart_demo with the book's own _config.yml and extension.

    It holds a Plotly figure with a slider, an ipywidget and maths, so the offline machinery is
    tested even before the chapters have charts. Depends on the main build so that the npm
    assets and the venv are in place.
    """
    src = tmp_path_factory.mktemp("chart_demo_book")
    (src / "book").mkdir()
    shutil.copy(ROOT / "_config.yml", src / "_config.yml")
    shutil.copy(FIXTURES / "chart_demo" / "_toc.yml", src / "_toc.yml")
    for page in ("demo.md", "plain.md"):
        shutil.copy(FIXTURES / "chart_demo" / page, src / "book" / page)
    for shared in ("_ext", "_static", "references.bib"):
        (src / "book" / shared).symlink_to(ROOT / "book" / shared)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    proc = _run([str(jupyter_book), "build", str(src), "--all", "-W", "-n", "--keep-going", "--builder", "html"], cwd=src)
    if proc.returncode != 0:
        _fail_with_log("The fixture book build (tests/book/fixtures/chart_demo)", proc)
    return src / "_build" / "html"


@pytest.fixture(scope="session")
def demo_url(demo_html: Path):
    with serve(demo_html) as url:
        yield url


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = OUTPUT / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture()
def page_guard(browser):
    """A 1280×900 page whose off-site requests are aborted and counted (``guard``), with its console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    guard = guard_context(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        yield page, guard, errors
    finally:
        context.close()
