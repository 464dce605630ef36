"""The instructor page's lists, written from data at build time: ``{cmv-teaching} server|apps|presets|downloads``.

A local Sphinx extension (``_config.yml``). Nothing here is typed by hand, so a new app, preset, case or
export appears on ``book/teaching.md`` without editing it:

- ``server``: the classroom server's address field (``teaching.js`` keeps it and follows it);
- ``apps``: every notebook of ``book/apps`` (as Voilà's index lists them: not ``_*``), with the title and
  first paragraph of its first Markdown cell;
- ``presets``: :func:`cmvlib.presets.classroom_presets`;
- ``downloads``: the question bank files of :mod:`cmvlib.lms` (``make lms``) and the PDFs of ``make pdf``
  (:mod:`pdf.names`: the book and one handout per worked case of ``_toc.yml``).

App links are written relative to the classroom server (``data-cmv-app``); ``_static/teaching.js``
prefixes the address the instructor sets (kept in ``localStorage``). PDF downloads are written only as
file names with the command that builds them; the script turns each PDF into a link once ``pdf/manifest.js``
(written empty here, filled by ``make pdf``, loaded by the page) lists it. The question bank files are linked
as they are: every ``make book-build`` writes them.
"""
from __future__ import annotations

import json
import re
import sys
from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "book" / "apps"
SCRIPT, STYLE = "teaching.js", "teaching.css"
MARK = 'class="cmv-teaching'
KINDS = ("server", "apps", "presets", "downloads")
#: The classroom server of ``make demo`` on the instructor's own machine (the field's first value).
DEFAULT_SERVER = "http://127.0.0.1:8866"
if str(ROOT) not in sys.path:   # the pdf/ folder at the repository root
    sys.path.insert(0, str(ROOT))
from pdf import names  # noqa: E402


def apps(folder: Path = APPS) -> list[tuple[str, str, str]]:
    """``(notebook file, title, one-line description)`` of every app, in name order."""
    out = []
    for path in sorted(folder.glob("*.ipynb")):
        if path.name.startswith("_"):
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = next(("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"), "")
        heading = re.search(r"^#\s+(.+)$", text, re.M)
        paragraphs = [p.strip() for p in re.sub(r"^#.*$", "", text, flags=re.M).split("\n\n") if p.strip()]
        title = heading.group(1).strip() if heading else path.stem.replace("_", " ").capitalize()
        out.append((path.name, title, " ".join(paragraphs[0].split()) if paragraphs else ""))
    return out


def _app_link(app_file: str, query: str, text: str) -> str:
    path = app_file + (f"?{query}" if query else "")
    return (f'<a class="cmv-app-link" data-cmv-app="{escape(path)}" href="{escape(_default_href(path))}">'
            f"{text}</a>")


def _default_href(path: str) -> str:
    return f"{DEFAULT_SERVER}/voila/render/{path}"


def apps_html() -> str:
    rows = "".join(f"<tr><td>{_app_link(name, '', escape(title))}</td><td>{escape(line)}</td></tr>"
                   for name, title, line in apps())
    return ('<table class="cmv-teaching table"><thead><tr><th scope="col">App</th><th scope="col">What it shows'
            f"</th></tr></thead><tbody>{rows}</tbody></table>")


def presets_html() -> str:
    from cmvlib.presets import classroom_presets

    titles = {name: title for name, title, _ in apps()}
    rows = []
    for p in classroom_presets():
        app_file = p.app + ".ipynb"
        if app_file in titles:   # a preset of an app that is gone is not offered (the tests catch it)
            text = f"{escape(titles[app_file])}: <code>?{escape(p.query)}</code>"
            rows.append(f"<tr><td>{_app_link(app_file, p.query, text)}</td><td>{escape(p.what)}</td></tr>")
    return ('<table class="cmv-teaching table"><thead><tr><th scope="col">Preset</th><th scope="col">Case'
            f"</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def downloads(docnames: list[str], titles: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(path relative to the site, what it is, the command that builds it)`` of every download."""
    from cmvlib import lms

    out = [(f"lms/{lms.MOODLE_FILE}", "The question bank for Moodle (Moodle XML)", "make lms"),
           (f"lms/{lms.QTI_FILE}", "The question bank for Canvas and Blackboard (QTI 1.2)", "make lms"),
           (f"{names.FOLDER}/{names.BOOK}", "The whole book (PDF)", "make pdf")]
    out += [(f"{names.FOLDER}/{names.handout(doc)}", f"Handout: {titles.get(doc, doc)} (PDF, answers on a separate page)",
             "make pdf") for doc in docnames if names.is_case(doc)]
    return out


def downloads_html(files: list[tuple[str, str, str]], depth: int) -> str:
    """The PDFs wait for ``make pdf`` (its manifest, loaded here, says which are there); the question bank files
    are written by every ``make book-build``."""
    up = "../" * depth
    items = []
    for path, what, command in files:
        if path.startswith(names.FOLDER + "/"):
            items.append(f'<li data-cmv-pdf="{escape(up + path)}">{escape(what)}: <code>{escape(path)}</code> '
                         f'<span class="cmv-download-state">(built by <code>{escape(command)}</code>)</span></li>')
        else:
            items.append(f'<li>{escape(what)}: <a href="{escape(up + path)}" download><code>{escape(path)}</code></a> '
                         f'(written by <code>{escape(command)}</code>, part of every <code>make book</code>)</li>')
    manifest = f'<script src="{escape(up + names.FOLDER + "/" + names.MANIFEST)}"></script>'
    return f'{manifest}<ul class="cmv-teaching cmv-downloads">{"".join(items)}</ul>'


class teaching_list(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """A placeholder, filled once every page's title is known (``doctree-resolved``)."""


def server_html() -> str:
    """The address field: a labelled input, a button, a help line and a live message."""
    return (
        '<form class="cmv-teaching cmv-server-form" novalidate>'
        '<label for="cmv-server-address">Classroom server address</label> '
        f'<input id="cmv-server-address" name="server" type="url" inputmode="url" autocomplete="url" '
        f'spellcheck="false" value="{DEFAULT_SERVER}" aria-describedby="cmv-server-help cmv-server-message"> '
        '<button type="submit" class="btn btn-primary btn-sm">Use this address</button>'
        '<p id="cmv-server-help" class="cmv-server-help">The address students open, e.g. '
        '<code>http://192.168.1.20:8866</code> (with a path if a proxy serves it under one). This browser '
        'keeps it for your next visit; nothing is sent anywhere.</p>'
        '<p id="cmv-server-message" class="cmv-server-message" role="status" aria-live="polite"></p>'
        "</form>")


class TeachingDirective(SphinxDirective):
    """``{cmv-teaching} apps`` | ``presets`` | ``downloads``: the list, as HTML."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        if self.arguments[0] not in KINDS:
            raise self.error(f"cmv-teaching: unknown list {self.arguments[0]!r} (one of {', '.join(KINDS)})")
        return [teaching_list(kind=self.arguments[0])]


def fill_lists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(teaching_list)):
        if node["kind"] == "server":
            html = server_html()
        elif node["kind"] == "apps":
            html = apps_html()
        elif node["kind"] == "presets":
            html = presets_html()
        else:
            titles = {d: t.astext() for d, t in app.env.titles.items()}
            html = downloads_html(downloads(names.toc_docnames(ROOT / "_toc.yml"), titles), docname.count("/"))
        node.replace_self(nodes.raw("", html, format="html"))


def add_script(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if MARK in context.get("body", ""):
        app.add_js_file(SCRIPT, defer="defer")
        app.add_css_file(STYLE)


def empty_manifest(app: Sphinx, exception: Exception | None) -> None:
    """A new site carries no PDF yet (``make pdf`` prints them and fills the manifest)."""
    if exception is None and app.builder.format == "html":
        names.write_manifest(Path(app.outdir), [])


def setup(app: Sphinx) -> dict:
    app.add_node(teaching_list)
    app.add_directive("cmv-teaching", TeachingDirective)
    app.connect("doctree-resolved", fill_lists)
    app.connect("html-page-context", add_script)
    app.connect("build-finished", empty_manifest)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
