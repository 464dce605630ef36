"""The chapters' and cases' Markdown against cmvlib (no build needed; runs in a second or two).

- Every guideline bullet (cmvlib/data/guideline.json) is quoted word for word in the chapter of its section,
  under its ``(bullet-<id>)=`` target, and the lead sentence is quoted in the introduction.
- Every page with a calculator or a chart shows the education-only notice; every chart is labelled
  "Illustrative model" where it draws a model (viral load, toxicity windows, course), and every chart cell is
  followed by a table alternative; every calculator is followed by a note on how to use it live.
- Numbers: the answers to the exercises are glued from cmvlib at build time (``{glue:text}``); every glue
  key a page uses is defined on that page. The numbers still typed by hand in the prose (worked examples,
  pearls, the label tables) are recomputed here with cmvlib and must appear in the Markdown as quoted.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from cmvlib import Patient, _data, cidofovir_schedule, dose, examples, foscarnet_hydration, kinetics
from cmvlib.guideline import sections
from cmvlib.regimen import can_stop

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
CHAPTERS = {
    "first-line": "01_first_line.md",
    "alternatives": "02_alternatives.md",
    "special-populations": "03_special_populations.md",
    "monitoring": "04_monitoring.md",
    "adverse-effects": "05_adverse_effects.md",
    "duration": "06_duration_follow_up.md",
    "pitfalls": "07_pitfalls.md",
}
CASES = {
    "hemodialysis.md": "hemodialysis",
    "hiv_retinitis.md": "hiv-retinitis",
    "hsct_pneumonitis.md": "hsct-pneumonitis",
    "declining_renal.md": "declining-renal",
}
NOTICE = "For education, not for patient care"
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)
GLUE_ROLE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`:]+)(?::[^`]*)?`")
GLUE_CALL = re.compile(r"""glue\(\s*(f?)(["'])(.*?)\2""")


def chapter(section_id: str) -> str:
    return (BOOK / "chapters" / CHAPTERS[section_id]).read_text(encoding="utf-8")


def pages() -> list[Path]:
    return [BOOK / "intro.md", *sorted((BOOK / "chapters").glob("*.md")), *sorted((BOOK / "cases").glob("*.md"))]


def page_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def flat(text: str) -> str:
    """Markdown with line breaks and runs of spaces collapsed (prose is wrapped at ~110 characters)."""
    return re.sub(r"\s+", " ", text)


def code_cells(text: str) -> list[tuple[int, str]]:
    """(offset, source) of every code cell, in page order."""
    return [(m.start(), m.group(1)) for m in CODE_CELL.finditer(text)]


def is_notebook(text: str) -> bool:
    head = text.split("\n---", 1)[0]
    return text.startswith("---") and "kernelspec:" in head and "format_name: myst" in head


# ------------------------------------------------------------------------------------------ bullets
ALL_BULLETS = [(s.id, b) for s in sections() for b in s.bullets]


def test_there_are_27_bullets_in_7_sections():
    assert len(ALL_BULLETS) == 27
    assert [s.id for s in sections()] == list(CHAPTERS)


@pytest.mark.parametrize("section_id,bullet", ALL_BULLETS, ids=[b.id for _, b in ALL_BULLETS])
def test_every_bullet_is_quoted_verbatim_under_its_target(section_id, bullet):
    text = chapter(section_id)
    target = f"(bullet-{bullet.id})="
    assert text.count(target) == 1, f"{CHAPTERS[section_id]} must hold the target {target} exactly once"
    after = text.split(target, 1)[1]
    next_target = re.search(r"^\(bullet-[a-z-]+\d\)=", after, re.M)
    own = after[: next_target.start()] if next_target else after
    assert f"> {bullet.text}\n" in own, f"bullet {bullet.id} is not quoted word for word after {target}"
    assert f"Guideline bullet {bullet.id}" in own
    assert f"**Support in our sources:** {bullet.evidence}." in own, f"{bullet.id}: evidence label differs"


def test_no_bullet_target_is_in_the_wrong_chapter():
    for section_id, name in CHAPTERS.items():
        found = set(re.findall(r"^\(bullet-([a-z-]+-\d+)\)=", chapter(section_id), re.M))
        assert found == {b.id for s, b in ALL_BULLETS if s == section_id}, name


def test_the_lead_sentence_is_quoted_in_the_introduction():
    lead = _data.json_data("guideline")["lead"]["text"]
    assert f"> {lead}\n" in page_text(BOOK / "intro.md")


# -------------------------------------------------------------- notices, captions, table alternatives
CALCULATOR = re.compile(r"\b(\w+_calculator|regimen_selector)\(")


def computes_in_place(builder: str) -> bool:
    """Whether the calculator built by ``builder`` is declared in cmvlib.calc (live on the static page)."""
    import cmvlib.ui

    return getattr(getattr(cmvlib.ui, builder)(), "DECLARATION", None) is not None
CHART = re.compile(r"display\.show\(\s*charts\.(\w+)\(")
MODEL_CHARTS = {"viral_load_figure", "toxicity_timeline_figure", "course_figure"}


def interactive_pages() -> list[Path]:
    return [p for p in pages() if any(CALCULATOR.search(src) or CHART.search(src) for _, src in code_cells(page_text(p)))]


def test_the_pages_with_calculators_and_charts_are_notebooks():
    found = {p.name for p in interactive_pages()}
    assert {"01_first_line.md", "02_alternatives.md", "04_monitoring.md", "05_adverse_effects.md",
            "06_duration_follow_up.md", "07_pitfalls.md", "declining_renal.md"} <= found
    for path in pages():
        text = page_text(path)
        if code_cells(text):
            assert is_notebook(text), f"{path.name} has code cells but no jupytext/kernelspec front matter"


@pytest.mark.parametrize("path", interactive_pages(), ids=lambda p: p.name)
def test_calculator_and_chart_pages_show_the_education_notice(path):
    text = page_text(path)
    cells = code_cells(text)
    has_chart = any(CHART.search(src) for _, src in cells)
    if has_chart:
        # calculators carry the notice in their widget; a chart needs it in the page itself
        assert re.search(r"```\{admonition\} " + NOTICE, text), f"{path.name}: chart without a notice admonition"


@pytest.mark.parametrize("path", interactive_pages(), ids=lambda p: p.name)
def test_every_chart_is_captioned_labelled_and_followed_by_a_table(path):
    text = page_text(path)
    cells = code_cells(text)
    for i, (offset, src) in enumerate(cells):
        match = CHART.search(src)
        if not match:
            continue
        assert i + 1 < len(cells), f"{path.name}: the last cell is a chart with no table after it"
        assert "table_html(" in cells[i + 1][1], f"{path.name}: chart cell {i} is not followed by a table cell"
        before = text[max(0, offset - 1800):offset]
        assert re.search(r"\*\*Chart [\w.]+\. ", before), f"{path.name}: chart cell {i} has no caption before it"
        if match.group(1) in MODEL_CHARTS:
            assert "(Illustrative model" in before, f"{path.name}: chart cell {i} is not labelled Illustrative model"


@pytest.mark.parametrize("path", interactive_pages(), ids=lambda p: p.name)
def test_every_calculator_has_a_caption_and_says_how_to_use_it_live(path):
    text = page_text(path)
    cells = code_cells(text)
    for i, (offset, src) in enumerate(cells):
        if not CALCULATOR.search(src):
            continue
        before = text[max(0, offset - 1500):offset]
        assert re.search(r"\*\*Calculator [\d.]+\. ", before), f"{path.name}: calculator cell {i} has no caption"
        after = text[offset:offset + 2500]
        note = re.search(r"```\{admonition\} Using this (calculator|chart) live\n(.*?)```", after, re.S)
        assert note, f"{path.name}: calculator cell {i} has no 'Using this calculator live' note after it"
        body = flat(note.group(2))
        if CALCULATOR.search(src) and computes_in_place(CALCULATOR.search(src).group(1)):
            # computed on the page itself (issue 11): no "does nothing", no server instructions for students
            assert "computes on this page, in your browser" in body, f"{path.name}: calculator cell {i}"
            assert "make demo" not in body and "does nothing" not in body and "8866" not in body
            continue
        assert "static page" in body and "saved example" in body
        assert "`make demo`" in body
        assert "{ref}`live-calculators`" in body, f"{path.name}: live note without the in-browser page"
        if "not yet one of the Voilà apps" not in body:
            assert "`http://127.0.0.1:8866/voila/render/" in body, f"{path.name}: live note without an app address"


def test_monitoring_calculator_has_a_fixed_start_date():
    text = page_text(BOOK / "chapters" / "04_monitoring.md")
    assert "monitoring_calculator(" in text
    assert "start=datetime.date(2026, 3, 2)" in text, "a calculator without a start date shows today's date"


# ------------------------------------------------------------------------------------------ glue
@pytest.mark.parametrize("path", [p for p in pages() if "{glue" in page_text(p)], ids=lambda p: p.name)
def test_every_glue_key_is_defined_on_its_page(path):
    text = page_text(path)
    used = set(GLUE_ROLE.findall(text))
    defined_literal = {m.group(3) for m in GLUE_CALL.finditer(text) if not m.group(1)}
    templates = [re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(m.group(3))) for m in GLUE_CALL.finditer(text) if m.group(1)]
    missing = sorted(k for k in used if k not in defined_literal and not any(re.fullmatch(t, k) for t in templates))
    assert not missing, f"{path.name}: glue keys used but never glued: {missing}"


def test_the_exercise_answers_are_glued_not_typed():
    """The answers of "Check your understanding" quote no computed dose or clearance by hand."""
    for name in ("01_first_line.md", "02_alternatives.md", "04_monitoring.md", "07_pitfalls.md"):
        text = page_text(BOOK / "chapters" / name)
        quiz = text.split("## Check your understanding", 1)[1].split("## Summary", 1)[0]
        answers = re.sub(r"^```\{code-cell\}.*?^```\s*$", "", quiz, flags=re.S | re.M)
        assert "{glue:text}" in answers, name
        # a computed result typed by hand would be "<number> mg every", "<number> mL/min" after "=" ...
        typed = re.findall(r"= \d+(?:\.\d+)? mL/min|\d{3,5} mg every", answers)
        assert not typed, f"{name}: hand-typed computed answers {typed}"


# ------------------------------------------------------------------ numbers typed in the prose
def patient(**kw) -> Patient:
    return Patient(**{"age_years": 60, "sex": "male", "weight_kg": 70, **kw})


def every(hours: float) -> str:
    return {8: "q8h", 12: "q12h", 24: "q24h", 48: "q48h"}[hours]


def in_text(path: str, phrase: str) -> None:
    assert flat(phrase) in flat(page_text(BOOK / path)), f"{path}: expected to quote {phrase!r}"


def test_ch1_band_edge_example():
    for crcl, mg_per_kg, interval in ((69.6, 2.5, 12), (70.0, 5.0, 12)):
        r = dose("ganciclovir", "induction", patient(measured_crcl_ml_min=crcl))
        assert (r.mg_per_kg, r.interval_hours) == (mg_per_kg, interval)
    in_text("chapters/01_first_line.md", "So 69.6 mL/min is in the 50–69 band (2.5 mg/kg every 12 hours in induction), "
            "and 70.0 mL/min is in the ≥70 band.")


def test_ch1_pearl_switching_drugs_changes_the_band():
    p = patient(measured_crcl_ml_min=55)
    gcv, vgc = dose("ganciclovir", "induction", p), dose("valganciclovir", "induction", p)
    assert (gcv.mg_per_kg, gcv.interval_hours) == (2.5, 12)
    assert (vgc.dose_mg, vgc.interval_hours) == (450, 12)
    in_text("chapters/01_first_line.md", "A clearance of 55 mL/min is in the 50–69 band for ganciclovir "
            "(2.5 mg/kg every 12 hours in induction) but in the 40–59 band for valganciclovir (450 mg twice daily)")


def test_ch1_quiz_arithmetic_and_twice_daily():
    p = patient(serum_creatinine_mg_dl=1.6)
    assert (140 - 60) * 70 == 5600 and math.isclose(72 * 1.6, 115.2)
    assert p.crcl_ml_min() == round(5600 / 115.2, 1)
    r = dose("valganciclovir", "induction", p)
    assert (r.dose_mg, r.interval_hours) == (450, 12)
    in_text("chapters/01_first_line.md", "that is, 450 mg twice daily")


def test_ch1_label_tables_match_cmvlib():
    rows = {  # band -> a clearance inside it
        "≥70": 80, "50–69": 60, "25–49": 30, "10–24": 15,
    }
    text = flat(page_text(BOOK / "chapters" / "01_first_line.md"))
    for band, crcl in rows.items():
        p = patient(measured_crcl_ml_min=crcl)
        ind, mnt = dose("ganciclovir", "induction", p), dose("ganciclovir", "maintenance", p)
        mgkg = {5.0: "5.0"}  # the table prints the full dose as 5.0 mg/kg
        row = (f"| {band} | {mgkg.get(ind.mg_per_kg, f'{ind.mg_per_kg:g}')} mg/kg | {every(ind.interval_hours)} | "
               f"{mgkg.get(mnt.mg_per_kg, f'{mnt.mg_per_kg:g}')} mg/kg | {every(mnt.interval_hours)} |")
        assert row in text, row
    words = {12: "twice daily", 24: "once daily", 48: "every 2 days"}
    for band, crcl in {"≥60": 70, "40–59": 50, "25–39": 30, "10–24": 15}.items():
        p = patient(measured_crcl_ml_min=crcl)
        ind, mnt = dose("valganciclovir", "induction", p), dose("valganciclovir", "maintenance", p)
        mnt_words = words.get(mnt.interval_hours) if mnt.interval_hours else f"{'twice' if mnt.times_per_week == 2 else mnt.times_per_week} weekly"
        row = f"| {band} | {ind.dose_mg:g} mg {words[ind.interval_hours]} | {mnt.dose_mg:g} mg {mnt_words} |"
        assert row in text, row
    hd = examples.patient("hemodialysis")
    assert dose("ganciclovir", "induction", hd).mg_per_kg == 1.25
    assert dose("ganciclovir", "maintenance", hd).mg_per_kg == 0.625
    assert not dose("valganciclovir", "induction", hd).recommended


def test_ch2_foscarnet_tables_match_cmvlib():
    text = flat(page_text(BOOK / "chapters" / "02_alternatives.md"))
    bands = [(">1.4", 1.5), (">1.0–1.4", 1.2), (">0.8–1.0", 0.9), (">0.6–0.8", 0.7), (">0.5–0.6", 0.55),
             ("≥0.4–0.5", 0.45)]
    for phase, columns in (("induction", ("60q8h", "90q12h")), ("maintenance", ("90", "120"))):
        for band, per_kg in bands:
            p = patient(weight_kg=100, measured_crcl_ml_min=per_kg * 100)
            cells = []
            for regimen in columns:
                r = dose("foscarnet", phase, p, regimen=regimen)
                cells.append(f"{r.mg_per_kg:g} mg/kg {every(r.interval_hours)}")
            assert f"| {band} | {cells[0]} | {cells[1]} |" in text, (phase, band, cells)
        low = dose("foscarnet", phase, patient(weight_kg=100, measured_crcl_ml_min=35), regimen=columns[0])
        assert not low.recommended
        assert "| <0.4 | not recommended | not recommended |" in text


def test_ch2_worked_examples():
    p = patient(age_years=40, serum_creatinine_mg_dl=1.0)
    assert p.crcl_ml_min_per_kg() == 1.39 == round(100 / 72, 2)
    in_text("chapters/02_alternatives.md", "100 / 72 = 1.39 mL/min/kg, which is already in the first reduced band")
    in_text("chapters/02_alternatives.md", "1.3888… rounds to 1.39 mL/min/kg")
    seventy = patient(measured_crcl_ml_min=70)
    assert seventy.crcl_ml_min_per_kg() == 1.0
    for regimen in ("60q8h", "90q12h"):
        r = dose("foscarnet", "induction", seventy, regimen=regimen)
        assert (r.mg_per_kg, r.interval_hours) == (50, 12)
    in_text("chapters/02_alternatives.md", "A clearance of 70 mL/min in a 70 kg person is 1.0 mL/min/kg, the "
            "\">0.8–1.0\" band, where both induction columns give 50 mg/kg every 12 hours")
    clock = [(i.clock, i.what) for i in cidofovir_schedule("10:00") if i.what.startswith("Probenecid")]
    assert clock == [("07:00", "Probenecid 2 g by mouth"), ("13:00", "Probenecid 1 g by mouth"),
                     ("19:00", "Probenecid 1 g by mouth")]
    in_text("chapters/02_alternatives.md", "For an infusion from 10:00 to 11:00 that means 2 g at 07:00, 1 g at 13:00 "
            "and 1 g at 19:00")
    assert math.isclose(90 * 60, 5400) and math.isclose(72 * 1.2, 86.4)


def test_ch4_log_fall_per_half_life():
    assert round(kinetics.half_lives_to_below(10, 1), 2) == 3.32
    in_text("chapters/04_monitoring.md", "each tenfold (1 log10) fall takes 3.32 × t½")
    assert kinetics.example_lloq().value == 137
    in_text("chapters/04_monitoring.md", "with L = 137 IU/mL")


def test_ch5_hydration_answers():
    gaps = {"90": [], "120": []}
    for column in gaps:
        for per_kg in (1.5, 1.2, 0.9, 0.7, 0.55, 0.45):
            r = dose("foscarnet", "maintenance", patient(weight_kg=100, measured_crcl_ml_min=per_kg * 100),
                     regimen=column)
            if foscarnet_hydration(r.mg_per_kg)[0].volume_min_ml is None:
                gaps[column].append(int(r.mg_per_kg))
    assert sorted(set(gaps["90"])) == [70, 80] and sorted(set(gaps["120"])) == [65, 80]
    in_text("chapters/05_adverse_effects.md", "In the 90 mg/kg/day column: 70 mg/kg and 80 mg/kg. In the 120 mg/kg/day "
            "column: 65 mg/kg and 80 mg/kg.")
    h = foscarnet_hydration(60)[0]
    assert (h.volume_min_ml, h.volume_max_ml) == (500, 500)
    in_text("chapters/05_adverse_effects.md", "60 mg/kg is in the 40–60 mg/kg range: 500 mL")
    first = foscarnet_hydration(90, first_infusion=True)
    assert any((x.volume_min_ml, x.volume_max_ml) == (750, 1000) for x in first)


def test_ch6_stopping_rule_example():
    results = [(0, 100_000), (7, 5_000), (14, 400), (21, 90)]
    assert not can_stop(14, results[:3], 137, symptoms_resolved=True).ok
    assert can_stop(21, results, 137, symptoms_resolved=True).ok
    assert not can_stop(21, results, 137, symptoms_resolved=True, consecutive_required=2).ok
    in_text("chapters/06_duration_follow_up.md", "On day 14 the minimum duration is met but the viral load is not; on "
            "day 21 both are.")
    # "a half-life that doubles doubles the time to clearance"
    assert math.isclose(kinetics.days_to_below(1e5, 137, 2), 2 * kinetics.days_to_below(1e5, 137, 1))


def test_ch1_saved_example_doubles_at_the_edge():
    issue = dose("ganciclovir", "induction", examples.patient("issue-example"))
    edge = dose("ganciclovir", "induction", examples.patient("band-edge-70"))
    assert edge.dose_mg == 2 * issue.dose_mg
    in_text("chapters/01_first_line.md", "a hundredth of a mg/dL doubles the dose")


# ------------------------------------------------------------------------------------------ cases
@pytest.mark.parametrize("name,example", CASES.items())
def test_every_case_uses_its_example_patient_and_links_back(name, example):
    text = page_text(BOOK / "cases" / name)
    assert is_notebook(text)
    assert f'examples.patient("{example}"' in text
    assert "```{admonition} " + NOTICE in text
    for heading in ("## The patient", "## Questions", "## Answers", "## Discussion"):
        assert heading in text, f"{name}: missing {heading}"
    assert re.search(r"\{cite\}`[^`]+`", text), f"{name}: no citation"
    assert re.search(r"\{ref\}`(?:[^`<]*<)?bullet-[a-z-]+-\d+>?`", text), f"{name}: no link to a chapter bullet"
    visible = [src for _, src in code_cells(text) if "remove-input" not in src and "remove-cell" not in src]
    assert len(visible) >= 3, f"{name}: the answers should be visible code cells calling cmvlib"


def test_case_cite_keys_are_sources():
    keys = {row["key"] for row in _data.table("sources")}
    for name in CASES:
        for m in re.finditer(r"\{cite\}`([^`]+)`", page_text(BOOK / "cases" / name)):
            unknown = [k.strip() for k in m.group(1).split(",") if k.strip() not in keys]
            assert not unknown, f"{name}: {unknown}"


def test_case_numbers_quoted_in_prose():
    hd = examples.patient("hemodialysis")
    assert dose("ganciclovir", "induction", hd).times_per_week == 3
    in_text("cases/hemodialysis.md", "three times a week, never every 24 hours")
    vgc = dose("valganciclovir", "maintenance", examples.patient("hiv-retinitis"))
    assert (vgc.dose_mg, vgc.interval_hours) == (900, 24)
    in_text("cases/hiv_retinitis.md", "maintenance (valganciclovir 900 mg daily)")
    hsct = dose("ganciclovir", "induction", examples.patient("hsct-pneumonitis"))
    assert (hsct.mg_per_kg, hsct.interval_hours) == (2.5, 12)
    in_text("cases/hsct_pneumonitis.md", "That is the 50-69 mL/min band: half the dose at the same interval")
    p0 = examples.patient("declining-renal")
    p10 = examples.patient("declining-renal", serum_creatinine_mg_dl=2.1)
    g0 = dose("ganciclovir", "induction", p0)
    assert (g0.mg_per_kg, g0.interval_hours) == (5, 12)
    in_text("cases/declining_renal.md", "full dose, 5 mg/kg every 12 hours")
    v0, v10 = dose("valganciclovir", "induction", p0), dose("valganciclovir", "induction", p10)
    assert (v0.dose_mg, v0.interval_hours) == (900, 12) and v10.dose_mg == v0.dose_mg / 2
    in_text("cases/declining_renal.md", "Valganciclovir 900 mg twice daily is the equivalent")
    in_text("cases/declining_renal.md", "it halves the dose here")
