"""`make pdf` (pdf/build.py): the printed book and the case handouts, opened with pypdf and compared with the
built site — title page, contents, every page of _toc.yml in order with its number, each chart drawn and
captioned, each calculator's saved result, the bibliography, the education notice, no blank page, and
the handouts' answers after a page break."""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from pypdf.generic import ContentStream

from bookutil import ROOT, _fail_with_log, _run, toc_docnames
from pdf import names

pytestmark = [pytest.mark.slow, pytest.mark.browser]
DOCS = toc_docnames(ROOT / "_toc.yml")
CASES = [d for d in DOCS if names.is_case(d)]
NOTICE = "For education only: not for the care of individual patients."
DRAWING = {b"l", b"c", b"v", b"y", b"re", b"f", b"f*", b"S", b"B"}


def flat(text: str) -> str:
    """Text as printed and as extracted compare equal: ligatures undone, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def pdf_dir(book_html: Path) -> Path:
    """`python -m pdf.build` (what `make pdf` runs after the book build) on this session's build."""
    proc = _run([sys.executable, "-m", "pdf.build", str(book_html)], cwd=ROOT, timeout=1200)
    if proc.returncode != 0:
        _fail_with_log("The PDF build (python -m pdf.build)", proc)
    return book_html / names.FOLDER


@pytest.fixture(scope="module")
def book(pdf_dir: Path) -> PdfReader:
    return reader(pdf_dir / names.BOOK)


@cache
def reader(path: Path) -> PdfReader:
    return PdfReader(path)


@cache
def texts(path: Path) -> tuple[str, ...]:
    """The text of each page of ``path``, flattened."""
    return tuple(flat(page.extract_text()) for page in reader(path).pages)


def drawing_ops(pdf: PdfReader, index: int) -> int:
    """How many path-drawing operations page ``index`` holds (a chart has hundreds, a text page a few)."""
    return sum(op in DRAWING for _, op in ContentStream(pdf.pages[index].get_contents(), pdf).operations)


def built(book_html: Path, doc: str) -> BeautifulSoup:
    return BeautifulSoup((book_html / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")


def title_of(soup: BeautifulSoup) -> str:
    return flat(soup.select_one("article h1").get_text().rstrip("#"))


def starts(book: PdfReader) -> dict[str, int]:
    """Bookmark title -> 0-based page index."""
    return {item.title: book.get_destination_page_number(item) for item in book.outline}


def test_title_page_contents_and_every_page_of_the_toc_in_order(book: PdfReader, pdf_dir: Path, book_html: Path) -> None:
    titles = [title_of(built(book_html, doc)) for doc in DOCS]
    marks = starts(book)
    assert list(marks) == ["Contents", *titles]
    assert list(marks.values()) == sorted(marks.values()), "bookmarks out of order"
    pages = texts(pdf_dir / names.BOOK)
    assert pages[0].startswith("Treating disseminated CMV infection") and NOTICE.split(":")[0] in pages[0]
    contents = " ".join(pages[marks["Contents"]:marks[titles[0]]])
    for title in titles:   # each title with the page number where it starts, in order
        assert f"{title} {marks[title] + 1}" in contents, f"{title!r} not listed with its page in the contents"
        assert title in pages[marks[title]][:400], f"page {marks[title] + 1} is not {title!r}"
    assert all(text.endswith(str(i + 1)) for i, text in enumerate(pages[1:], 1)), "a page without its number"


def test_chapters_are_numbered(book: PdfReader) -> None:
    chapters = [t for t in starts(book) if re.match(r"\d+\. ", t)]
    assert [int(t.split(".")[0]) for t in chapters] == list(range(1, 8))


def chart_labels(soup: BeautifulSoup) -> list[list[str]]:
    """For each chart of a built page, the texts Plotly draws from its layout (title, axis titles)."""
    out = []
    for script in soup.select("div.plotly-graph-div + script"):
        layout = json.loads(re.search(r"figure = (\{.*\});\n  function draw", script.string, re.S).group(1))["layout"]
        titles = [layout.get(key, {}).get("title", {}) for key in ("xaxis", "yaxis")] + [layout.get("title", {})]
        out.append([flat(re.sub(r"<[^>]+>", " ", t["text"])) for t in titles if isinstance(t, dict) and t.get("text")])
    return out


def test_every_chart_is_drawn_with_its_numbered_caption(book: PdfReader, pdf_dir: Path, book_html: Path) -> None:
    """The caption comes from the chart's metadata; the titles on the same page are drawn by Plotly (SVG text)."""
    marks, pages_text = starts(book), texts(pdf_dir / names.BOOK)
    bounds = sorted(marks.values()) + [len(book.pages)]
    total = 0
    for doc in DOCS:
        soup = built(book_html, doc)
        labels = chart_labels(soup)
        charts = len(labels)
        assert charts == len(soup.select("div.plotly-graph-div"))
        if not charts:
            continue
        first = marks[title_of(soup)]
        pages = range(first, bounds[bounds.index(first) + 1])
        number = re.match(r"(\d+)\. ", title_of(soup))
        for k in range(1, charts + 1):
            label = f"Figure {number.group(1) + '.' if number else ''}{k}."
            where = [i for i in pages if label in pages_text[i]]
            assert where, f"{doc}: no caption {label!r}"
            drawn = pages_text[where[0] - 1] + pages_text[where[0]]   # the chart, then its caption (maybe overleaf)
            assert labels[k - 1] and all(text in drawn for text in labels[k - 1]), \
                f"{doc}: {label} printed without its chart (no {labels[k - 1]})"
        total += charts
    assert total >= 5


def test_each_calculator_prints_its_saved_result(pdf_dir: Path, book_html: Path) -> None:
    text = " ".join(texts(pdf_dir / names.BOOK))
    checked = 0
    for doc in DOCS:
        tag = built(book_html, doc).find("script", type="application/vnd.jupyter.widget-state+json")
        if tag is None:
            continue
        for model in json.loads(tag.string)["state"].values():
            state = model.get("state", {})
            if "cmv-result-area" in state.get("_dom_classes", []) and state.get("value"):
                words = flat(BeautifulSoup(state["value"], "html.parser").get_text(" ")).split()
                result = " ".join(words[:8])   # the answer's first line, e.g. "Foscarnet induction: 5600 mg IV every 12 h"
                assert result in text, f"{doc}: saved result {result!r} not printed"
                checked += 1
    assert checked >= 11, f"only {checked} calculators found"


def test_the_bibliography_is_printed(book: PdfReader, pdf_dir: Path, book_html: Path) -> None:
    marks = starts(book)
    soup = built(book_html, "book/references")
    first = marks[title_of(soup)]
    after = min([v for v in marks.values() if v > first], default=len(book.pages))
    printed = " ".join(texts(pdf_dir / names.BOOK)[first:after])
    entries = [(flat(e.select_one(".label").get_text("")), flat(e.find("p").get_text(" "))) for e in soup.select(".citation")]
    assert len(entries) > 40
    for label, entry in entries:
        assert label in printed and " ".join(entry.split()[:6]) in printed, f"reference not printed: {label} {entry[:80]!r}"


def test_every_page_has_the_notice_and_something_on_it(pdf_dir: Path) -> None:
    for path in sorted(pdf_dir.glob("*.pdf")):
        for i, text in enumerate(texts(path)):
            assert "For education only" in text, f"{path.name} page {i + 1}: no education notice"
            body = text.replace(NOTICE, "").replace("Treating disseminated CMV infection —", "")
            body = re.sub(r"\s*\d+( / \d+)?$", "", body).strip()
            assert len(body) > 20 or drawing_ops(reader(path), i) > 100, f"{path.name} page {i + 1} is blank: {body!r}"


@pytest.mark.parametrize("doc", CASES)
def test_each_case_handout_has_the_case_then_its_answers_on_a_new_page(doc: str, pdf_dir: Path, book_html: Path) -> None:
    pages = texts(pdf_dir / names.handout(doc))
    assert pages[0].startswith(title_of(built(book_html, doc)))
    answers = [i for i, text in enumerate(pages) if text.startswith("Answers ")]
    assert len(answers) == 1 and answers[0] >= 1, "the answers do not start a page of their own"
    before = " ".join(pages[: answers[0]])
    assert "Questions" in before and "Answers" not in before
    assert all(text.endswith(f"{i + 1} / {len(pages)}") for i, text in enumerate(pages)), "page numbers"


def test_the_manifest_lists_exactly_the_printed_files(pdf_dir: Path) -> None:
    """The instructor page links the PDFs the manifest lists (an empty one comes with every build)."""
    listed = names.read_manifest(pdf_dir.parent)
    assert listed == sorted(p.name for p in pdf_dir.glob("*.pdf"))
    assert listed == sorted([names.BOOK, *(names.handout(doc) for doc in CASES)])
