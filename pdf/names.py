"""Where ``make pdf`` writes its files (standard library only: the instructor page imports it at build time).

>>> handout("book/cases/hemodialysis")
'case-hemodialysis.pdf'
"""
from __future__ import annotations

from pathlib import PurePosixPath

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
