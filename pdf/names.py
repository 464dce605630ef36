"""What ``make pdf`` prints and where it writes it (the instructor page imports this at build time).

>>> handout("book/cases/hemodialysis")
'case-hemodialysis.pdf'
"""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import yaml

#: The folder of the PDFs, relative to the built site (``_build/html``).
FOLDER = "pdf"
#: The whole book.
BOOK = "cmv-book.pdf"
#: The PDFs built so far, as a script (``window.cmvPdfFiles = [names]``): written empty with the site, filled by
#: ``make pdf``. The instructor page loads it before it paints, so it links, and requests, only files that are there.
MANIFEST = "manifest.js"
#: The documents whose pages are worked cases (one handout each).
CASES_FOLDER = "book/cases"


def handout(docname: str) -> str:
    """The handout file of the worked case ``docname`` (a document of ``_toc.yml``)."""
    return f"case-{PurePosixPath(docname).name}.pdf"


def is_case(docname: str) -> bool:
    """True for a worked case (a document under :data:`CASES_FOLDER`)."""
    return str(PurePosixPath(docname).parent) == CASES_FOLDER


def toc_docnames(toc: Path) -> list[str]:
    """Every document of a Jupyter Book ``_toc.yml``, root first, in reading order."""
    def walk(entries: list[dict] | None) -> list[str]:
        return [n for e in entries or [] for n in ([e["file"]] if "file" in e else []) + walk(e.get("sections"))]

    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    parts = data.get("parts", [{"chapters": data.get("chapters")}])
    return [str(PurePosixPath(n).with_suffix("")) for n in [data["root"]] + [n for p in parts for n in walk(p.get("chapters"))]]


def write_manifest(site: Path, files: list[str]) -> None:
    """Record which PDFs ``site`` (a built book) carries."""
    folder = site / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(f"window.cmvPdfFiles = {json.dumps(sorted(files))};  // make pdf\n", encoding="utf-8")


def read_manifest(site: Path) -> list[str]:
    """The PDFs the manifest of ``site`` lists."""
    text = (site / FOLDER / MANIFEST).read_text(encoding="utf-8")
    return json.loads(text.split("=", 1)[1].split(";", 1)[0])
