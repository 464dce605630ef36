"""cmvlib.guideline: guideline.json holds the seed summary word for word, with known sources."""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from cmvlib import _data, guideline
from cmvlib.guideline import EVIDENCE_LEVELS, Bullet, Section, bullet, bullets, sections, weakest_evidence

ROOT = Path(__file__).resolve().parents[2]
SEED = Path(os.environ.get("CMV_SHARED_DIR", ROOT.parent / "shared")) / "seed" / "guideline-summary.txt"
REFS = re.compile(r"\s+(\d+(?:,\s*\d+)*)$")


def parse_seed() -> tuple[str, list[tuple[str, list[tuple[str, tuple[int, ...]]]]]]:
    """(lead text, [(section title, [(bullet text, refs)])]) of the seed summary."""
    lines = [ln.rstrip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    lead = lines[1]
    out: list[tuple[str, list[tuple[str, tuple[int, ...]]]]] = []
    for ln in lines[2:]:
        if ln.startswith("- "):
            m = REFS.search(ln)
            assert m, f"bullet without reference numbers: {ln!r}"
            text = ln[2:m.start()]
            out[-1][1].append((text, tuple(int(x) for x in m.group(1).split(","))))
        else:
            out.append((ln, []))
    return lead, out


@pytest.fixture(scope="module")
def seed():
    assert SEED.is_file(), f"seed summary not found at {SEED} (set CMV_SHARED_DIR to the shared folder)"
    return parse_seed()


def test_seed_has_seven_sections_and_27_bullets(seed):
    _, secs = seed
    assert len(secs) == 7
    assert sum(len(b) for _, b in secs) == 27


def test_every_seed_bullet_is_in_guideline_json_word_for_word(seed):
    _, secs = seed
    ours = sections()
    assert [s.title for s in ours] == [t for t, _ in secs]
    for section, (title, seed_bullets) in zip(ours, secs):
        assert [b.text for b in section.bullets] == [t for t, _ in seed_bullets], title
        assert [b.summary_refs for b in section.bullets] == [r for _, r in seed_bullets], title


def test_lead_sentence_matches_the_seed(seed):
    lead, _ = seed
    data = _data.json_data("guideline")
    assert f"{data['lead']['text']} {data['lead']['summary_refs'][0]}" == lead
    assert data["title"] == SEED.read_text(encoding="utf-8").splitlines()[0].strip()


def test_ids_follow_section_and_position():
    for s in sections():
        assert [b.id for b in s.bullets] == [f"{s.id}-{i}" for i in range(1, len(s.bullets) + 1)]
        assert all(b.section_id == s.id for b in s.bullets)


def test_every_source_key_exists_in_sources_csv():
    known = {r["key"] for r in _data.table("sources")}
    data = _data.json_data("guideline")
    for key in data["lead"]["sources"]:
        assert key in known
    for b in bullets():
        missing = set(b.sources) - known
        assert not missing, f"{b.id} cites unknown keys {missing}"


def test_evidence_levels_and_notes():
    assert {b.evidence for b in bullets()} <= set(EVIDENCE_LEVELS)
    for b in bullets():
        assert b.note.strip(), b.id
        if not b.sources:        # nothing read supports it: it must be marked unverified
            assert b.evidence == "unverified", b.id


def test_known_unverified_bullets():
    unverified = {b.id for b in bullets() if b.unverified}
    assert unverified == {"alternatives-2", "alternatives-4", "special-populations-3", "pitfalls-1", "pitfalls-4"}


def test_bullet_lookup_exact():
    b = bullet("first-line-2")
    assert b == Bullet(
        id="first-line-2", section_id="first-line",
        text=("After 3-5 days of IV therapy, if clinical improvement is observed and oral absorption is adequate, "
              "transition to oral valganciclovir 900 mg twice daily for the remainder of the 2-3 week course"),
        summary_refs=(1, 2), sources=("label-valganciclovir-us", "smpc-ganciclovir-uk", "asberg2007"),
        evidence="partly verified", note=b.note)
    assert "UNVERIFIED" in b.note


@pytest.mark.parametrize("bad", ["first-line-0", "first-line-5", "", "FIRST-LINE-1", None, 3, ("first-line-1",)])
def test_unknown_bullet_raises_key_error_with_message(bad):
    with pytest.raises(KeyError, match="unknown guideline bullet"):
        bullet(bad)


def test_results_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        bullet("pitfalls-1").text = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        sections()[0].title = "x"  # type: ignore[misc]
    assert isinstance(sections()[0], Section) and isinstance(sections()[0].bullets, tuple)


def test_weakest_evidence():
    assert weakest_evidence(("first-line-1", "first-line-3")).id == "first-line-3"
    assert weakest_evidence(("monitoring-2", "first-line-1")).evidence == "verified-secondary"
    with pytest.raises(KeyError):
        weakest_evidence(())
    with pytest.raises(KeyError):
        weakest_evidence(("nope-1",))


def test_module_exports():
    assert guideline.bullets() == tuple(b for s in sections() for b in s.bullets)
