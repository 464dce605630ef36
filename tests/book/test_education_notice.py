"""The "For education only" notice: on every built page of the book, once, in the main content, right under
the page's title (book/_ext/education_notice.py puts it there; tests/book/pagecheck.py checks in Chromium
that it is on screen on load at 1280x720 and 390x844).

Checked in the built HTML, not in _config.yml: a theme option the theme does not render (as
``html.extra_footer`` was) passes a configuration check and shows the reader nothing.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow

NOTICE = "For education only: not for the care of individual patients."
#: Not pages of the book: the theme's assets, the copied sources, and Sphinx's generated index and
#: search pages.
SKIP_DIRS = {"_static", "_sources"}
SKIP_PAGES = {"genindex.html", "search.html"}
REDIRECT = re.compile(r'^\s*<meta http-equiv="Refresh" content="0; url=[^"]+"\s*/?>\s*$', re.I)


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def _squash(text: str) -> str:
    """Whitespace-free text, so that "<strong>For education only:</strong> not" and the plain sentence compare equal."""
    return re.sub(r"\s+", "", text)


def book_pages_on_disk(root: Path) -> list[Path]:
    """Every HTML page that a reader of the built book can open (not the root redirect stub)."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root)
        if SKIP_DIRS & set(rel.parts[:-1]) or rel.name in SKIP_PAGES and len(rel.parts) == 1:
            continue
        if REDIRECT.match(path.read_text(encoding="utf-8")):
            continue
        pages.append(path)
    return pages


def notice_problems(page: Path) -> list[str]:
    """What is wrong with the notice on one built page ([] if it is there once, right under the title)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    main = soup.select_one("main#main-content")
    article = main.select_one("article.bd-article") if main else None
    if article is None:
        return ["no main content area (main#main-content article.bd-article)"]
    wanted = _squash(NOTICE)
    problems = []
    in_page = _squash(_text(soup.body)).count(wanted)
    in_article = _squash(_text(article)).count(wanted)
    if in_article != 1 or in_page != 1:
        problems.append(f"the notice is {in_article} time(s) in the main content and {in_page} time(s) in the page (want 1 and 1)")
    if in_article == 0:
        return problems
    # Before any content of the page's first section: everything above the notice is the title (h1).
    h1 = article.find("h1")
    before = _squash(_text(article)).split(wanted)[0]
    title = _squash(_text(h1)) if h1 else ""
    if before != title:
        problems.append(f"not right under the title: {before[:120]!r} comes first (title {title!r})")
    # ... and, in the HTML itself, before the first second-level heading.
    html = str(article)
    flat = lambda markup: _squash(re.sub(r"<[^>]+>", " ", markup))  # noqa: E731 - text in HTML order
    first_h2 = html.find("<h2")
    if first_h2 >= 0 and flat(html).find(wanted) >= len(flat(html[:first_h2])):
        problems.append("the notice comes after the first <h2>")
    return problems


def test_every_page_has_the_notice_right_under_its_title(book_html: Path, book_pages: list[Path]):
    pages = book_pages_on_disk(book_html)
    missing_from_walk = sorted(str(p.relative_to(book_html)) for p in set(book_pages) - set(pages))
    assert not missing_from_walk, f"pages of _toc.yml that the walk skipped: {missing_from_walk}"
    offenders = {str(p.relative_to(book_html)): probs for p in pages if (probs := notice_problems(p))}
    assert not offenders, f"pages without the education notice right under the title: {offenders}"


def test_notice_check_catches_a_page_without_it(tmp_path: Path):
    """The check itself: a page like chapter 3 before the notice (none), one with it under an intro
    paragraph (as the quizzes had it), and one done right."""
    shell = (
        '<html><body><main id="main-content"><article class="bd-article"><section><h1>3. Title</h1>'
        "{top}<p>Intro.</p>{late}<section><h2>3.1 Objectives</h2><p>Text.</p></section></section>"
        "</article><footer>{footer}</footer></main></body></html>"
    )
    cases = {
        "none": ({}, ["0 time(s)"]),
        "late": ({"late": f"<p>{NOTICE}</p>"}, ["not right under the title"]),
        "footer": ({"footer": f"<p>{NOTICE}</p>"}, ["0 time(s) in the main content"]),
        "twice": ({"top": f"<p>{NOTICE}</p>", "late": f"<p>{NOTICE}</p>"}, ["2 time(s)"]),
        "right": ({"top": '<div role="note"><p><strong>For education only:</strong> not for the care of individual'
                          " patients. Check every dose.</p></div>"}, []),
    }
    for name, (parts, expected) in cases.items():
        page = tmp_path / f"{name}.html"
        page.write_text(shell.format(**{"top": "", "late": "", "footer": "", **parts}), encoding="utf-8")
        problems = notice_problems(page)
        assert len(problems) == len(expected) and all(e in p for e, p in zip(expected, problems)), (name, problems)
