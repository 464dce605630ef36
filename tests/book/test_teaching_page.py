"""The instructor page (book/teaching.md, lists from book/_ext/teaching.py, script book/_static/teaching.js):
every app and preset linked from data, the classroom server's address kept in the browser, the downloads."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from bookutil import ROOT
from cmvlib import lms
from cmvlib.presets import classroom_presets, inputs_from_query

pytestmark = pytest.mark.slow
APPS = ROOT / "book" / "apps"
PAGE = "book/teaching"
KEY = "cmv-classroom-server"


def app_notebooks() -> set[str]:
    return {p.name for p in APPS.glob("*.ipynb") if not p.name.startswith("_")}


def links(html: str) -> list[str]:
    return [a["data-cmv-app"] for a in BeautifulSoup(html, "html.parser").select("a[data-cmv-app]")]


def test_every_preset_names_an_app_that_exists_and_a_query_the_apps_accept() -> None:
    for preset in classroom_presets():
        assert f"{preset.app}.ipynb" in app_notebooks(), f"preset {preset} names no app of book/apps"
        assert inputs_from_query(preset.query), f"preset {preset} holds no input"


def test_the_page_links_every_app_and_every_preset_and_only_apps_that_exist(book_html: Path) -> None:
    listed = links((book_html / f"{PAGE}.html").read_text(encoding="utf-8"))
    assert {link.split("?")[0] for link in listed} == app_notebooks()
    presets = {f"{p.app}.ipynb?{p.query}" for p in classroom_presets()}
    assert presets <= set(listed), f"presets not on the page: {presets - set(listed)}"
    assert len(listed) == len(app_notebooks()) + len(presets)


def test_the_page_says_how_to_start_a_classroom_server_and_lists_the_downloads(book_html: Path) -> None:
    soup = BeautifulSoup((book_html / f"{PAGE}.html").read_text(encoding="utf-8"), "html.parser")
    assert "make demo DEMO_IP=0.0.0.0" in soup.get_text()
    lms_links = [a["href"] for a in soup.select("ul.cmv-downloads a[download]")]
    assert lms_links == [f"../lms/{lms.MOODLE_FILE}", f"../lms/{lms.QTI_FILE}"]
    assert all((book_html / "book" / href).resolve().is_file() for href in lms_links)   # make book-build writes them
    downloads = [li["data-cmv-pdf"] for li in soup.select("li[data-cmv-pdf]")]
    assert "../pdf/cmv-book.pdf" in downloads
    cases = sorted(p.stem for p in (ROOT / "book" / "cases").glob("*.md"))
    assert sorted(re.findall(r"\.\./pdf/case-(\w+)\.pdf", " ".join(downloads))) == cases
    label = soup.find("label", attrs={"for": "cmv-server-address"})
    assert label is not None and soup.find("input", id="cmv-server-address") is not None


@pytest.mark.browser
def test_the_server_address_is_checked_followed_by_every_link_and_kept(page_guard, book_url: str) -> None:
    page, guard, errors = page_guard
    page.goto(f"{book_url}/{PAGE}.html")
    field = page.get_by_label("Classroom server address")
    message = page.locator("#cmv-server-message")
    hrefs = lambda: page.eval_on_selector_all("a[data-cmv-app]", "els => els.map(a => [a.dataset.cmvApp, a.href])")  # noqa: E731
    before = hrefs()
    assert before and all(href == f"http://127.0.0.1:8866/voila/render/{app}" for app, href in before)

    field.fill("http://class room:88/x?y")             # by keyboard: type, then Enter
    field.press("Enter")
    assert "is not a server address" in message.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert hrefs() == before, "a bad address changed the links"
    assert page.evaluate(f"localStorage.getItem('{KEY}')") is None

    field.fill("192.168.1.20:8866/")
    field.press("Enter")
    assert "192.168.1.20:8866" in message.inner_text() and field.get_attribute("aria-invalid") is None
    after = hrefs()
    assert all(href == f"http://192.168.1.20:8866/voila/render/{app}" for app, href in after)

    page.reload()
    assert page.get_by_label("Classroom server address").input_value() == "http://192.168.1.20:8866"
    page.wait_for_function("() => [...document.querySelectorAll('a[data-cmv-app]')]"
                           ".every(a => a.href.startsWith('http://192.168.1.20:8866/voila/render/'))")
    assert guard.blocked == [] and not errors and not guard.page_errors


@pytest.mark.browser
def test_a_pdf_is_a_link_exactly_when_it_is_published(page_guard, book_url: str, book_html: Path) -> None:
    page, guard, errors = page_guard
    page.goto(f"{book_url}/{PAGE}.html")
    items = page.query_selector_all("li[data-cmv-pdf]")
    assert len(items) == 1 + len(list((ROOT / "book" / "cases").glob("*.md")))
    for item in items:
        path = item.get_attribute("data-cmv-pdf")
        published = (book_html / "book" / path).resolve().is_file()
        link = item.query_selector("a[href]")
        assert (link is not None) == published, f"{path}: published={published}, link={link is not None}"
        if link is None:
            assert "built by make" in " ".join(item.inner_text().split())
        else:
            assert urlsplit(link.evaluate("a => a.href")).path.endswith(path.lstrip("./"))
    assert guard.blocked == [] and not guard.failed_local and not errors, "a missing file was requested"


@pytest.mark.browser
def test_the_manifest_decides_which_pdfs_are_links(page_guard, book_url: str) -> None:
    """Both states on one page, whatever was built: the manifest script is answered by the test."""
    page, _, errors = page_guard
    page.route("**/pdf/manifest.js", lambda route: route.fulfill(
        content_type="text/javascript", body='window.cmvPdfFiles = ["cmv-book.pdf"];'))
    page.goto(f"{book_url}/{PAGE}.html")
    linked = page.eval_on_selector_all("li[data-cmv-pdf] a[download]", "els => els.map(a => a.getAttribute('href'))")
    waiting = page.eval_on_selector_all("li[data-cmv-pdf]:not(.cmv-download-ready)", "els => els.map(e => e.innerText)")
    assert linked == ["../pdf/cmv-book.pdf"]
    assert waiting and all("built by make pdf" in " ".join(text.split()) for text in waiting)
    assert not errors
