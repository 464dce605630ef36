"""book/references.bib against cmvlib/data/sources.csv and every {cite} in the book."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

from cmvlib import _data

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "book" / "references.bib"
CITE_ROLE = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`([^`]*)`")
REQUIRED = {
    "article": ("author", "title", "journal", "year"),
    "misc": ("title", "note"),
}


@pytest.fixture(scope="module")
def bib():
    return parse_file(str(BIB), bib_format="bibtex")


@pytest.fixture(scope="module")
def source_rows() -> dict[str, dict[str, str]]:
    return {row["key"]: row for row in _data.table("sources")}


def cited_keys() -> dict[str, set[str]]:
    """{cite} keys used in book/**/*.md, with the files that use each."""
    used: dict[str, set[str]] = {}
    for path in sorted((ROOT / "book").rglob("*.md")):
        if "node_modules" in path.parts or "_build" in path.parts:
            continue
        for match in CITE_ROLE.finditer(path.read_text(encoding="utf-8")):
            for key in filter(None, (k.strip() for k in match.group(1).split(","))):
                used.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return used


def test_every_source_key_has_a_bib_entry(bib, source_rows):
    missing = sorted(set(source_rows) - set(bib.entries))
    assert not missing, f"sources.csv keys without an entry in book/references.bib: {missing}"


def test_every_bib_entry_is_a_source_key(bib, source_rows):
    extra = sorted(set(bib.entries) - set(source_rows))
    assert not extra, f"book/references.bib entries not in cmvlib/data/sources.csv: {extra}"


def test_every_cited_key_exists(bib):
    unknown = {key: sorted(files) for key, files in cited_keys().items() if key not in bib.entries}
    assert not unknown, f"{{cite}} keys with no entry in book/references.bib: {unknown}"


def test_cite_role_pattern_finds_keys():
    text = "a {cite}`kotton2025` b {cite:p}`reed1988, emery1999` c {cite:t}`x-y`"
    keys = [k.strip() for m in CITE_ROLE.finditer(text) for k in m.group(1).split(",")]
    assert keys == ["kotton2025", "reed1988", "emery1999", "x-y"]


@pytest.mark.parametrize("entry_type", sorted(REQUIRED))
def test_entries_have_their_required_fields(bib, entry_type):
    for key, entry in bib.entries.items():
        if entry.type != entry_type:
            continue
        present = set(entry.fields) | set(entry.persons)
        missing = [f for f in REQUIRED[entry_type] if f not in present]
        assert not missing, f"{key} (@{entry_type}) lacks {missing}"


def test_labels_are_misc_with_dailymed_setid(bib, source_rows):
    setid = re.compile(r"setid ([0-9a-f-]{36})")
    for key, row in source_rows.items():
        if key.startswith(("label-", "smpc-")):
            assert bib.entries[key].type == "misc", key
        match = setid.search(row["citation"])
        if match:
            assert match.group(1) in bib.entries[key].fields.get("note", ""), f"{key}: DailyMed setid not in note"


def test_years_and_volumes_agree_with_sources_csv(bib, source_rows):
    """Where sources.csv names a year or 'volume:pages', the .bib says the same."""
    for key, row in source_rows.items():
        fields = bib.entries[key].fields
        match = re.search(r"(\d{4});(\d+)(?:\(\d+\))?:([e\d-]+)", row["citation"])
        if match:
            year, volume, first_page = match.group(1), match.group(2), match.group(3).split("-")[0]
            assert fields.get("year") == year, key
            assert fields.get("volume") == volume, key
            assert fields.get("pages", "").split("--")[0] == first_page, key
