"""The LMS exports of the question bank (cmvlib.lms): both files are parsed back and every question, option,
key, tolerance, explanation, chapter and source is compared with the bank.

No schema is checked: Moodle publishes none for its XML, and the QTI 1.2 XSD is not available offline
(it is on no package registry), so the XML is checked for well-formedness and its structure read back.
"""
from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import replace

import pytest

from cmvlib import lms
from cmvlib.quiz import Question, chapters, format_number, load_questions

QUESTIONS = load_questions()
TITLES = dict(chapters())
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def paragraphs(fragment: str) -> list[str]:
    """The plain text of each ``<p>`` of an HTML fragment; fails on any other markup (e.g. Markdown
    emphasis that would mean a bank text was not shown verbatim)."""
    paras = re.findall(r"<p>(.*?)</p>", fragment, re.S)
    assert re.sub(r"<p>.*?</p>", "", fragment, flags=re.S).strip() == "", f"text outside <p>: {fragment!r}"
    for p in paras:
        assert "<" not in p, f"markup inside a paragraph: {p!r}"
    return [html.unescape(p) for p in paras]


def text(el: ET.Element | None) -> str:
    assert el is not None
    return el.findtext("text") or ""


def check_general(q: Question, paras: list[str]) -> None:
    """The general feedback names every source of ``q`` and carries the notice."""
    joined = " ".join(paras)
    missing = [c for c in q.citations if c not in joined]
    assert not missing, f"{q.id}: sources missing from the general feedback: {missing}"
    assert "For education, not for patient care." in paras, q.id


# --------------------------------------------------------------------------------------------------
# Moodle XML
# --------------------------------------------------------------------------------------------------
def check_moodle(data: bytes, bank: Sequence[Question]) -> None:
    """Assert that Moodle XML ``data`` holds exactly the questions of ``bank``, field by field."""
    root = ET.fromstring(data)  # well formed
    assert root.tag == "quiz"
    seen, category = [], None
    for el in root.findall("question"):
        if el.get("type") == "category":
            category = text(el.find("category"))
            assert "For education, not for patient care" in text(el.find("info"))
            continue
        qid = text(el.find("name"))
        assert el.findtext("idnumber") == qid
        q = next(q for q in bank if q.id == qid)
        seen.append(qid)
        assert category == f"$course$/top/CMV textbook/{TITLES[q.chapter]}", qid
        assert paragraphs(text(el.find("questiontext")))[0] == q.stem, qid
        check_general(q, paragraphs(text(el.find("generalfeedback"))))
        answers = [(text(a), a.get("fraction"), a.findtext("tolerance"), paragraphs(text(a.find("feedback"))))
                   for a in el.findall("answer")]
        if q.type == "single":
            assert el.get("type") == "multichoice" and el.findtext("single") == "true", qid
            assert answers == [(f"<p>{html.escape(o.text, quote=False)}</p>", "100" if o.correct else "0", None,
                                [o.explanation]) for o in q.options], qid
        else:
            assert el.get("type") == "numerical", qid
            assert q.answer is not None
            tol = float(q.answer.tolerance)
            got = {(float(v), f, float(t)): fb for v, f, t, fb in answers if v != "*"}
            assert got == {(o.value, "100" if o.correct else "0", tol): [o.explanation] for o in q.options}, qid
            assert answers[0][1] == "100", f"{qid}: the answer must come first (Moodle takes the first match)"
            assert [a[:2] for a in answers if a[0] == "*"] == [("*", "0")], qid
            assert paragraphs(text(el.find("questiontext")))[1] == f"Answer in {q.answer.units}."
            assert el.findtext("units/unit/unit_name") == q.answer.units
    assert seen == [q.id for q in bank]


@pytest.fixture(scope="module")
def moodle() -> bytes:
    return lms.moodle_xml()


@pytest.fixture(scope="module")
def qti() -> bytes:
    return lms.qti_zip()


def test_moodle_holds_every_question_option_key_tolerance_and_explanation(moodle: bytes) -> None:
    check_moodle(moodle, QUESTIONS)
    assert moodle.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert moodle.count(b'<question type="category">') == len(TITLES)


# --------------------------------------------------------------------------------------------------
# QTI 1.2
# --------------------------------------------------------------------------------------------------
def mattext(el: ET.Element | None) -> list[str]:
    assert el is not None
    node = el.find(f".//{QTI}mattext")
    assert node is not None and node.get("texttype") == "text/html"
    return paragraphs(node.text or "")


def qti_items(data: bytes) -> list[tuple[str, ET.Element]]:
    """``(assessment title, item)`` of every item of every assessment the manifest lists, in order."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    names = zf.namelist()
    for name in names:  # every XML file is well formed
        if name.endswith(".xml"):
            ET.fromstring(zf.read(name))
    manifest = ET.fromstring(zf.read("imsmanifest.xml"))
    out = []
    for res in manifest.iter(f"{CP}resource"):
        for f in res.iter(f"{CP}file"):
            assert f.get("href") in names, f"the manifest lists a missing file {f.get('href')}"
        if res.get("type") == "imsqti_xmlv1p2":
            doc = ET.fromstring(zf.read(res.find(f"{CP}file").get("href")))
            assessment = doc.find(f"{QTI}assessment")
            out += [(assessment.get("title"), item) for item in assessment.iter(f"{QTI}item")]
    return out


def check_qti(data: bytes, bank: Sequence[Question]) -> None:
    """Assert that QTI package ``data`` holds exactly the questions of ``bank``, field by field."""
    items = qti_items(data)
    assert [item.get("title") for _, item in items] == [q.id for q in bank]
    for (quiz_title, item), q in zip(items, bank):
        assert quiz_title == f"CMV textbook: {TITLES[q.chapter]}", q.id
        kind = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                for f in item.iter(f"{QTI}qtimetadatafield")}["question_type"]
        feedback = {fb.get("ident"): mattext(fb) for fb in item.iter(f"{QTI}itemfeedback")}
        conditions = list(item.iter(f"{QTI}respcondition"))
        shown = [c.find(f"{QTI}displayfeedback").get("linkrefid") for c in conditions
                 if c.find(f"{QTI}displayfeedback") is not None]
        assert mattext(item.find(f"{QTI}presentation"))[0] == q.stem, q.id
        assert "general_fb" in shown, q.id
        check_general(q, feedback["general_fb"])
        if q.type == "single":
            assert kind == "multiple_choice_question", q.id
            labels = list(item.iter(f"{QTI}response_label"))
            assert [mattext(lab) for lab in labels] == [[o.text] for o in q.options], q.id
            keys = [c.findtext(f".//{QTI}varequal") for c in conditions
                    if c.findtext(f"{QTI}setvar") == "100"]
            assert keys == [labels[q.correct_option.index].get("ident")], f"{q.id}: wrong key"
            links = {c.findtext(f".//{QTI}varequal"): c.find(f"{QTI}displayfeedback").get("linkrefid")
                     for c in conditions if c.find(f"{QTI}displayfeedback") is not None}
            for lab, o in zip(labels, q.options):
                assert feedback.get(links.get(lab.get("ident"))) == [o.explanation], f"{q.id}: option {o.index}"
        else:
            assert kind == "numerical_question", q.id
            assert q.answer is not None
            a = q.answer
            right = next(c for c in conditions if c.findtext(f"{QTI}setvar") == "100")
            assert float(right.findtext(f".//{QTI}varequal")) == pytest.approx(a.value), q.id
            assert float(right.findtext(f".//{QTI}vargte")) == pytest.approx(a.value - a.tolerance), q.id
            assert float(right.findtext(f".//{QTI}varlte")) == pytest.approx(a.value + a.tolerance), q.id
            assert mattext(item.find(f"{QTI}presentation"))[1] == f"Answer in {a.units}."
            assert feedback.get("correct_fb") == [q.correct_option.explanation], q.id
            assert feedback.get("general_incorrect_fb") == [
                f"If you answered {format_number(o.value, a.decimals)} {a.units}: {o.explanation}"
                for o in q.options if not o.correct] + [
                f"The answer is {a.text} (within ±{format_number(a.tolerance, a.decimals)})."], q.id
            assert {"correct_fb", "general_incorrect_fb"} <= set(shown), q.id


def test_qti_holds_every_question_option_key_tolerance_and_explanation(qti: bytes) -> None:
    check_qti(qti, QUESTIONS)


def test_qti_is_one_canvas_package_with_a_quiz_per_chapter(qti: bytes) -> None:
    zf = zipfile.ZipFile(io.BytesIO(qti))
    metas = [ET.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith("/assessment_meta.xml")]
    canvas = "{http://canvas.instructure.com/xsd/cccv1p0}"
    assert [m.findtext(f"{canvas}title") for m in metas] == [f"CMV textbook: {t}" for t in TITLES.values()]
    assert all("For education, not for patient care" in m.findtext(f"{canvas}description") for m in metas)


# --------------------------------------------------------------------------------------------------
# The comparisons can fail; the files are written; the exports are reproducible
# --------------------------------------------------------------------------------------------------
def _mutants() -> list[tuple[str, list[Question]]]:
    """The bank with one thing wrong each: an explanation dropped (single, numeric), a key moved,
    a tolerance changed, a source dropped."""
    single = next(i for i, q in enumerate(QUESTIONS) if q.type == "single")
    numeric = next(i for i, q in enumerate(QUESTIONS) if q.type == "numeric" and len(q.options) > 1)

    def edit(i: int, **changes) -> list[Question]:
        bank = list(QUESTIONS)
        bank[i] = replace(bank[i], **changes)
        return bank

    s, n = QUESTIONS[single], QUESTIONS[numeric]
    return [
        ("single explanation dropped", edit(single, options=(replace(s.options[0], explanation=""),) + s.options[1:])),
        ("wrong-value explanation dropped",
         edit(numeric, options=tuple(replace(o, explanation="") if not o.correct else o for o in n.options))),
        ("key moved", edit(single, options=tuple(
            replace(o, correct=o.index == (s.correct_option.index + 1) % len(s.options)) for o in s.options))),
        ("tolerance changed", edit(numeric, answer=replace(n.answer, tolerance=n.answer.tolerance + 1))),
        ("source dropped", edit(single, source=s.source[:-1] if len(s.source) > 1 else ())),
    ]


@pytest.mark.parametrize("what,bank", _mutants(), ids=[m[0] for m in _mutants()])
def test_the_comparisons_fail_on_an_export_of_a_different_bank(what: str, bank: list[Question]) -> None:
    with pytest.raises(AssertionError):
        check_moodle(lms.moodle_xml(bank), QUESTIONS)
    with pytest.raises(AssertionError):
        check_qti(lms.qti_zip(bank), QUESTIONS)


def test_write_puts_both_files_in_the_folder_and_the_exports_are_reproducible(tmp_path, moodle, qti) -> None:
    paths = lms.write(tmp_path / "lms")
    assert [p.name for p in paths] == [lms.MOODLE_FILE, lms.QTI_FILE]
    assert paths[0].read_bytes() == moodle and paths[1].read_bytes() == qti


@pytest.mark.parametrize("raw", ['CrCl < 10 & "5 mg/kg" -- *q12h* _x_ [a](b) 1. # ! + - \\ `c` | \'s'])
def test_bank_text_reaches_qti_verbatim(raw: str) -> None:
    q = replace(QUESTIONS[0], stem=raw, options=tuple(replace(o, text=f"{raw} {o.index}", explanation=raw)
                                                      for o in QUESTIONS[0].options))
    check_qti(lms.qti_zip([q]), [q])
    check_moodle(lms.moodle_xml([q]), [q])
