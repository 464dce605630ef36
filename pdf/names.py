"""What ``make pdf`` prints and where it writes it (the instructor page imports this at build time).

>>> handout("book/cases/hemodialysis")
'case-hemodialysis.pdf'
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

import yaml

#: The folder of the PDFs, relative to the built site (``_build/html``).
FOLDER = "pdf"
#: The whole book.
BOOK = "cmv-book.pdf"
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
