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
    downloads = [li["data-cmv-download"] for li in soup.select("li[data-cmv-download]")]
    assert f"../lms/{lms.MOODLE_FILE}" in downloads and f"../lms/{lms.QTI_FILE}" in downloads
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
def test_a_download_is_a_link_exactly_when_its_file_is_published(page_guard, book_url: str, book_html: Path) -> None:
    page, guard, _ = page_guard
    page.goto(f"{book_url}/{PAGE}.html")
    page.wait_for_function("() => document.querySelectorAll('li.cmv-download-ready').length >= 2")  # the LMS files
    page.wait_for_load_state("networkidle")
    for item in page.query_selector_all("li[data-cmv-download]"):
        path = item.get_attribute("data-cmv-download")
        published = (book_html / "book" / path).resolve().is_file()
        link = item.query_selector("a[href]")
        assert (link is not None) == published, f"{path}: published={published}, link={link is not None}"
        if link is None:
            assert "built by make" in " ".join(item.inner_text().split())
        else:
            assert urlsplit(link.evaluate("a => a.href")).path.endswith(path.lstrip("./"))
    assert guard.blocked == []
