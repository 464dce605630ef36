"""The saved widget state the pages carry (book/_ext/widget_state.py): smaller than what the kernel saved, and
every attribute left out reads back in the browser exactly as the kernel saved it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bookutil import ROOT, toc_docnames

pytestmark = [pytest.mark.slow]
STATE = "application/vnd.jupyter.widget-state+json"

#: For each dropped [model id, attribute, saved value]: what the page's widget managers hold instead.
READ_BACK = """async (dropped) => {
  const out = [];
  for (const [id, key, saved] of dropped) {
    let got = '(model not found)';
    for (const m of window.cmvLive.managers) {
      try { const model = await m.get_model(id); if (model) { got = model.get(key); break; } } catch (e) { /* next */ }
    }
    if (JSON.stringify(got === undefined ? null : got) !== JSON.stringify(saved)) out.push([id, key, saved, String(got)]);
  }
  return out;
}"""


def page_state(page: Path) -> dict:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    tags = soup.find_all("script", type=STATE)
    assert len(tags) <= 1, page
    return json.loads(tags[0].string)["state"] if tags else {}


def kernel_state(book_html: Path, doc: str) -> dict:
    """The state the kernel saved into the executed notebook (before the build compacted it)."""
    nb = json.loads((book_html.parent / "jupyter_execute" / f"{doc}.ipynb").read_text(encoding="utf-8"))
    return nb["metadata"]["widgets"][STATE]["state"]


def widget_docs(book_html: Path) -> list[str]:
    return [d for d in toc_docnames(ROOT / "_toc.yml") if page_state(book_html / f"{d}.html")]


def dropped(kernel: dict, page: dict) -> list[list]:
    return [[mid, key, value] for mid, model in kernel.items() for key, value in model["state"].items()
            if key not in page[mid]["state"]]


def test_pages_carry_a_fraction_of_the_kernel_state(book_html: Path):
    docs = widget_docs(book_html)
    assert "book/chapters/01_first_line" in docs
    for doc in docs:
        kernel, page = kernel_state(book_html, doc), page_state(book_html / f"{doc}.html")
        assert page.keys() == kernel.keys(), doc
        for mid, model in page.items():
            assert "_model_name" not in model["state"] and "_view_module" not in model["state"], (doc, mid)
            if model["model_name"] == "LayoutModel":
                assert None not in model["state"].values(), (doc, mid)
        kept, saved = len(json.dumps(page, separators=(",", ":"))), len(json.dumps(kernel))
        assert kept < 0.6 * saved, (doc, kept, saved)


@pytest.mark.browser
def test_every_attribute_left_out_reads_back_as_saved(page_guard, book_url, book_html: Path):
    page, guard, errors = page_guard
    for doc in widget_docs(book_html):
        gone = dropped(kernel_state(book_html, doc), page_state(book_html / f"{doc}.html"))
        assert len(gone) > 100, doc
        page.goto(f"{book_url}/{doc}.html")
        page.wait_for_function("() => window.cmvLive && window.cmvLive.calculators.length", timeout=120_000)
        assert page.evaluate(READ_BACK, gone) == [], doc
    assert guard.blocked == [] and errors == [], (guard.blocked, errors)
