"""The question bank's LMS files are published with the site: `make book-build` runs `make lms`, which
writes them under _build/html/lms (their content is checked in tests/unit/test_lms.py)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from cmvlib import lms
from cmvlib.quiz import chapters

pytestmark = pytest.mark.slow


def test_the_built_site_publishes_the_current_bank_for_moodle_and_canvas(book_html: Path) -> None:
    moodle, qti = book_html / "lms" / lms.MOODLE_FILE, book_html / "lms" / lms.QTI_FILE
    assert moodle.read_bytes() == lms.moodle_xml(), "the published Moodle XML is not the current bank"
    published, fresh = (zipfile.ZipFile(io.BytesIO(data)) for data in (qti.read_bytes(), lms.qti_zip()))
    assert published.namelist() == fresh.namelist()
    assessments = [n for n in fresh.namelist() if n.endswith(".xml") and n != "imsmanifest.xml"]
    assert len(assessments) == 2 * len(chapters())  # a quiz and its Canvas settings per chapter
    assert all(published.read(n) == fresh.read(n) for n in assessments), "the published QTI is not the current bank"
