"""``make pdf``: the whole book and one handout per worked case, printed by Chromium from the built site.

``python -m pdf.build [SITE]`` (``SITE`` = ``_build/html``, built first by ``make book-build``) serves the
site on 127.0.0.1, opens every page of ``_toc.yml`` in Debian's Chromium (Playwright; every request that
would leave the machine is aborted, the live calculators' Python is not started: the page prints the
calculators' saved state), draws every Plotly chart (``window.cmvPlotly.ensure``), waits for the widgets and
the maths, adds ``pdf/print.css`` and a numbered caption under each chart (its ``layout.meta.caption``),
and prints it (``page.pdf``, A4, the education notice in every page's footer). pypdf then merges a title
page, the contents (with page numbers) and the chapters into ``SITE/pdf/cmv-book.pdf`` (with bookmarks and
page numbers), and writes each worked case alone, its "Answers" section starting a new page, to
``SITE/pdf/case-<name>.pdf`` (:mod:`pdf.names`).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import html
import http.server
import io
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pypdf import PdfReader, PdfWriter

from . import names

ROOT = Path(__file__).resolve().parents[1]
PRINT_CSS = Path(__file__).with_name("print.css")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 720, "height": 1000}   # about A4's printable width: charts are drawn at the size they print
TIMEOUT_MS = 120_000
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
NOTICE = "For education only: not for the care of individual patients."
EMPTY_HEADER = "<span></span>"
FOOTER = ('<div style="font-size:7.5pt;width:100%;padding:0 15mm;box-sizing:border-box;color:#555;display:flex;'
          'justify-content:space-between"><span>{left}</span><span>{right}</span></div>')
#: The book's page numbers, stamped on the merged pages (each page is printed alone, so Chromium's own restart).
NUMBERS_FOOTER = ('<div style="font-size:7.5pt;width:100%;padding:0 15mm;box-sizing:border-box;text-align:right;color:#555">'
                  '<span class="pageNumber"></span></div>')
PAGE_NUMBER = '<span class="pageNumber"></span> / <span class="totalPages"></span>'

#: Runs in the page before it prints: charts drawn and captioned, widgets and maths rendered.
PREPARE_JS = """
async ({caption, answers}) => {
  const until = async (test, what, ms = 60000) => {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error('not ready: ' + what);
      await new Promise(r => setTimeout(r, 100));
    }
  };
  const charts = [...document.querySelectorAll('div.plotly-graph-div')];
  if (charts.length) {
    await until(() => window.cmvPlotly, 'cmv-plotly.js');
    await window.cmvPlotly.ensure();
    await until(() => charts.every(gd => gd.querySelector('svg.main-svg') && gd._fullLayout), 'charts drawn');
  }
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  await until(() => document.querySelectorAll('.jupyter-widgets').length >= views, 'widgets drawn');
  if (document.querySelector('span.math, div.math')) await until(() => document.querySelector('mjx-container'), 'maths');
  if (document.fonts) await document.fonts.ready;
  const number = (document.querySelector('article h1 .section-number') || {textContent: ''}).textContent.trim().replace(/\\.$/, '');
  charts.forEach((gd, i) => {
    const meta = (gd._fullLayout && gd._fullLayout.meta) || {};
    const p = document.createElement('p');
    p.className = 'cmv-print-caption';
    p.innerHTML = '<strong>' + caption + ' ' + (number ? number + '.' : '') + (i + 1) + '.</strong> ';
    p.append(String(meta.caption || (gd._fullLayout.title && gd._fullLayout.title.text) || '').replace(/<[^>]*>/g, ''));
    gd.after(p);
  });
  if (answers) {
    const heading = [...document.querySelectorAll('section > h2')].find(h => h.textContent.trim().startsWith('Answers'));
    if (!heading) throw new Error('no "Answers" section');
    heading.parentElement.classList.add('cmv-print-answers');
  }
  return charts.length;
}
"""
EXTRA_CSS = """
.cmv-print-caption { font-size: 0.9em; margin: 0.3rem 0 1rem; break-before: avoid; }
details.cmv-chart-table { display: none !important; }
"""


@dataclass
class Printed:
    """One page of the book, printed."""

    docname: str
    title: str
    pdf: bytes
    charts: int

    @property
    def pages(self) -> int:
        return _pages(self.pdf)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _footer(left: str, right: str = "") -> str:
    """A footer: ``left`` as text, ``right`` as HTML (Chromium fills ``pageNumber``/``totalPages`` spans)."""
    return FOOTER.format(left=html.escape(left), right=right)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A light-mode, Save-Data Chromium context whose requests stay on 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, color_scheme="light", service_workers="block")
            context.set_default_timeout(TIMEOUT_MS)
            # Save-Data: the calculators keep their saved state (Python starts only on a change)
            context.add_init_script("Object.defineProperty(navigator, 'connection', {value: {saveData: true}})")
            context.route("**/*", lambda r: r.continue_() if _local(r.request.url) else r.abort())
            yield context
        finally:
            browser.close()


def _local(url: str) -> bool:
    return url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1"


def print_page(context, url: str, docname: str, *, answers: bool = False, footer: str = NOTICE,
               numbers: str = "") -> Printed:
    """Print one built page (``answers``: its "Answers" section starts a new page; ``numbers``: the footer's
    right-hand side, e.g. :data:`PAGE_NUMBER`)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{url}/{docname}.html", wait_until="load")
        page.add_style_tag(content=PRINT_CSS.read_text(encoding="utf-8") + EXTRA_CSS)
        charts = page.evaluate(PREPARE_JS, {"caption": "Figure", "answers": answers})
        title = page.evaluate("() => (document.querySelector('article h1') || {textContent: document.title})"
                              ".textContent.replace(/#$/, '').replace(/\\s+/g, ' ').trim()")
        if errors:
            raise RuntimeError(f"{docname}: errors in the page: {errors}")
        pdf = page.pdf(format="A4", margin=MARGIN, print_background=True, display_header_footer=True,
                       header_template=EMPTY_HEADER, footer_template=_footer(footer, numbers))
        return Printed(docname, title, _without_blank_tail(pdf, footer), charts)
    finally:
        page.close()


def _without_blank_tail(pdf: bytes, footer: str) -> bytes:
    """``pdf`` without the empty pages a layout may leave at its end (only the footer on them)."""
    reader = PdfReader(io.BytesIO(pdf))
    keep = len(reader.pages)
    while keep > 1 and not reader.pages[keep - 1].extract_text().replace(footer, "").strip(" \n\xa0/0123456789"):
        keep -= 1
    if keep == len(reader.pages):
        return pdf
    writer = PdfWriter()
    writer.append(reader, pages=(0, keep))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def print_html(context, body: str, *, footer: str | None) -> bytes:
    """Pages of the book's own (title, contents, page numbers) from HTML, with ``footer`` (a template) if any."""
    page = context.new_page()
    try:
        page.set_content(f"<!doctype html><html lang='en'><head><meta charset='utf-8'><style>{FRONT_CSS}</style></head>"
                         f"<body>{body}</body></html>")
        return page.pdf(format="A4", margin=MARGIN, display_header_footer=footer is not None,
                        header_template=EMPTY_HEADER, footer_template=footer or EMPTY_HEADER)
    finally:
        page.close()


FRONT_CSS = """
body { font-family: system-ui, sans-serif; color: #111; }
.title { margin-top: 30%; text-align: center; }
.title h1 { font-size: 30pt; margin-bottom: 0.5em; }
.notice { border: 1px solid #b35c00; padding: 0.8em 1em; margin: 3em auto; max-width: 80%; }
ol.contents { list-style: none; padding: 0; font-size: 11pt; }
ol.contents li { display: flex; gap: 0.4em; margin: 0.35em 0; }
ol.contents .dots { flex: 1; border-bottom: 1px dotted #999; margin-bottom: 0.3em; }
"""


def title_html(book_title: str, author: str, built: str) -> str:
    return (f'<div class="title"><h1>{html.escape(book_title)}</h1><p>{html.escape(author)}</p>'
            f'<p class="notice"><strong>For education only:</strong> not for the care of individual patients. Check '
            f"every dose against the current label and local protocols.</p><p>Printed {html.escape(built)}</p></div>")


def contents_html(entries: list[tuple[str, int]]) -> str:
    items = "".join(f'<li><span>{html.escape(t)}</span><span class="dots"></span><span>{n}</span></li>'
                    for t, n in entries)
    return f'<h1>Contents</h1><ol class="contents">{items}</ol>'


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def build_book(context, chapters: list[Printed], book_title: str, author: str) -> bytes:
    """Title page, contents (page numbers of the merged book), every chapter; bookmarks per chapter."""
    title = print_html(context, title_html(book_title, author, time.strftime("%Y-%m-%d")), footer=None)
    contents, front = b"", 1
    for _ in range(3):   # the contents' own length moves the page numbers it lists
        starts, page = [], _pages(title) + front
        for ch in chapters:
            starts.append(page + 1)
            page += ch.pages
        contents = print_html(context, contents_html([(c.title, s) for c, s in zip(chapters, starts)]),
                              footer=_footer(NOTICE))
        if _pages(contents) == front:
            break
        front = _pages(contents)
    writer = PdfWriter()
    for part in (title, contents):
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_outline_item(title="Contents", page_number=_pages(title))
    for ch, start in zip(chapters, starts):
        writer.append(PdfReader(io.BytesIO(ch.pdf)))
        writer.add_outline_item(title=ch.title, page_number=start - 1)
    # the book's page numbers, from the contents on (the title page has none)
    blank = "".join('<div style="break-before:page">&nbsp;</div>' for _ in range(len(writer.pages) - 1))
    numbers = PdfReader(io.BytesIO(print_html(context, "<div>&nbsp;</div>" + blank, footer=NUMBERS_FOOTER)))
    for page, stamp in list(zip(writer.pages, numbers.pages))[1:]:
        page.merge_page(stamp)
        page.compress_content_streams()   # merge_page leaves the page's stream uncompressed (~10x larger)
    writer.compress_identical_objects()
    writer.add_metadata({"/Title": book_title, "/Author": author, "/Subject": NOTICE})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build(site: Path, toc: Path = ROOT / "_toc.yml", config: Path = ROOT / "_config.yml") -> list[Path]:
    """Write the book and the handouts into ``site/pdf``; returns their paths."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} has no built book: run `make book-build` first")
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    docs = names.toc_docnames(toc)
    out = site / names.FOLDER
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(site) as url, chromium() as context:
        chapters = [print_page(context, url, doc) for doc in docs]
        book = out / names.BOOK
        book.write_bytes(build_book(context, chapters, settings["title"], settings["author"]))
        written.append(book)
        for doc in filter(names.is_case, docs):
            handout = print_page(context, url, doc, answers=True, footer=f"{settings['title']} — {NOTICE}",
                                 numbers=PAGE_NUMBER)
            path = out / names.handout(doc)
            path.write_bytes(handout.pdf)
            written.append(path)
    names.write_manifest(site, [p.name for p in written])
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    for path in build(args.site):
        print(f"wrote {path} ({_pages(path.read_bytes())} pages, {path.stat().st_size // 1024} KiB)")
    print(f"make pdf: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
