"""The question bank for a learning-management system: Moodle XML and a QTI 1.2 package (``make lms``).

Tooling, not the stdlib core (the QTI package needs ``text2qti``). Both files carry every question of
:mod:`cmvlib.quiz` with its chapter, every option with its own explanation as feedback, and a general
feedback that names the guideline bullet, the sources (:attr:`cmvlib.quiz.Question.citations`) and the
notice "For education, not for patient care" (also in each category's / quiz's description).

**Moodle XML** (:func:`moodle_xml`, written with ``xml.etree``; Moodle has no XSD for it): a category
``$course$/top/CMV textbook/<chapter>`` per chapter; single-best-answer questions as ``multichoice``
(``single`` true, fraction 100 for the correct option, 0 for the others, each option's explanation as its
feedback); numeric questions as ``numerical``: the answer with its tolerance (fraction 100), each
anticipated wrong value with the same tolerance (fraction 0, its explanation) and a catch-all ``*``
answer, so a Moodle student gets the explanation the book gives. Question ``idnumber`` = the bank id.
HTML is written as escaped text rather than CDATA (the same XML to a parser; ``xml.etree`` writes no CDATA).

**QTI 1.2** (:func:`qti_zip`, for Canvas classic quizzes and other QTI 1.2 readers) is built with text2qti (BSD-3,
kept: 0.8.0 of 2026-08; pure Python, needs only Python-Markdown and bespon, no pandoc: the bank has no
LaTeX). One quiz per chapter (Canvas makes a quiz and a question bank of each), the seven merged into one
``.zip`` with one ``imsmanifest.xml``. Bank text is backslash-escaped so text2qti's Markdown shows it
verbatim. text2qti's numerical questions have one answer range (the answer ± tolerance) and
correct/incorrect feedback only — as do Canvas's own, which count every listed numeric answer as
correct — so the explanations of the anticipated wrong values go into the incorrect feedback, each
introduced by its value. The QTI 1.2 schema is not at hand offline, so the tests check well-formedness
and compare every question with the bank.
"""
from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path

from .quiz import Question, chapters, format_number, load_questions, section_title
from .ui.render import NOTICE
#: The category under which Moodle files the questions (one sub-category per chapter).
CATEGORY = "CMV textbook"
MOODLE_FILE = "cmv-questions.moodle.xml"
QTI_FILE = "cmv-questions-qti.zip"
#: A fixed time stamp for the zip entries (the manifest carries text2qti's date of the build).
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------------------------------
# Texts shared by both formats
# --------------------------------------------------------------------------------------------------
def _p(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def units_prompt(q: Question) -> str:
    """The line under a numeric stem: ``"Answer in mg."``."""
    assert q.answer is not None
    return f"Answer in {q.answer.units}."


def general_feedback(q: Question) -> list[str]:
    """The general feedback of ``q``, one paragraph per line: the bullet tested, the sources, the notice."""
    return [f"Tests: {section_title(q)}.", "Sources: " + "; ".join(q.citations) + ".", f"{NOTICE}."]


def wrong_value_feedback(q: Question) -> list[str]:
    """Numeric questions: each anticipated wrong value with its explanation, and the answer."""
    assert q.answer is not None
    a = q.answer
    lines = [f"If you answered {format_number(o.value, a.decimals)} {a.units}: {o.explanation}"
             for o in q.options if not o.correct and o.value is not None]
    return lines + [f"The answer is {a.text} (within ±{format_number(a.tolerance, a.decimals)})."]


def chapter_description(title: str) -> str:
    """The description of a chapter's category (Moodle) or quiz (QTI)."""
    return (f"Self-assessment questions of the CMV textbook, chapter {title}. {NOTICE}: "
            f"every answer is sourced; the sources are in each question's feedback.")


# --------------------------------------------------------------------------------------------------
# Moodle XML
# --------------------------------------------------------------------------------------------------
def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html", **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {**({"format": fmt} if fmt else {}), **attrs})
    ET.SubElement(el, "text").text = text
    return el


def _moodle_question(q: Question) -> ET.Element:
    kind = "numerical" if q.type == "numeric" else "multichoice"
    el = ET.Element("question", type=kind)
    _text(el, "name", q.id, fmt=None)
    stem = _p(q.stem) + (_p(units_prompt(q)) if q.type == "numeric" else "")
    _text(el, "questiontext", stem)
    _text(el, "generalfeedback", "".join(_p(x) for x in general_feedback(q)))
    ET.SubElement(el, "defaultgrade").text = "1"
    ET.SubElement(el, "penalty").text = "0"
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = q.id
    if q.type == "numeric":
        assert q.answer is not None
        tol = f"{q.answer.tolerance:g}"
        for o in sorted(q.options, key=lambda o: not o.correct):  # the answer first: Moodle takes the first match
            ans = _text(el, "answer", f"{o.value:g}", fmt="moodle_auto_format", fraction="100" if o.correct else "0")
            ET.SubElement(ans, "tolerance").text = tol
            _text(ans, "feedback", _p(o.explanation))
        rest = _text(el, "answer", "*", fmt="moodle_auto_format", fraction="0")
        ET.SubElement(rest, "tolerance").text = "0"
        _text(rest, "feedback", "".join(_p(x) for x in wrong_value_feedback(q)[-1:]))
        ET.SubElement(el, "unitgradingtype").text = "0"
        ET.SubElement(el, "unitpenalty").text = "0"
        ET.SubElement(el, "showunits").text = "3"  # no unit field: the stem says which unit
        ET.SubElement(el, "unitsleft").text = "0"
        unit = ET.SubElement(ET.SubElement(el, "units"), "unit")
        ET.SubElement(unit, "multiplier").text = "1"
        ET.SubElement(unit, "unit_name").text = q.answer.units
    else:
        ET.SubElement(el, "single").text = "true"
        ET.SubElement(el, "shuffleanswers").text = "true"
        ET.SubElement(el, "answernumbering").text = "abc"
        for o in q.options:
            ans = _text(el, "answer", _p(o.text), fraction="100" if o.correct else "0")
            _text(ans, "feedback", _p(o.explanation))
    tags = ET.SubElement(el, "tags")
    for tag in (f"chapter:{q.chapter}", f"bullet:{q.section}", f"difficulty:{q.difficulty}"):
        _text(tags, "tag", tag, fmt=None)
    return el


def moodle_xml(questions: Sequence[Question] | None = None) -> bytes:
    """The bank (default: every question) as Moodle XML, a category per chapter, in book order."""
    qs = load_questions() if questions is None else list(questions)
    root = ET.Element("quiz")
    for chapter, title in chapters():
        mine = [q for q in qs if q.chapter == chapter]
        if not mine:
            continue
        cat = ET.SubElement(root, "question", type="category")
        _text(cat, "category", f"$course$/top/{CATEGORY}/{title}", fmt=None)
        _text(cat, "info", _p(chapter_description(title)))
        ET.SubElement(cat, "idnumber").text = f"cmv-{chapter}"
        root.extend(_moodle_question(q) for q in mine)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --------------------------------------------------------------------------------------------------
# QTI 1.2 through text2qti
# --------------------------------------------------------------------------------------------------
#: The characters Python-Markdown (with text2qti's extensions: tables, smarty) lets a backslash escape.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|\"'])")


def md_escape(text: str) -> str:
    """``text`` as Markdown that text2qti renders verbatim (no emphasis, smart quotes, LaTeX or HTML).

    >>> md_escape('CrCl < 10 -- "5 mg/kg" *q12h*')
    'CrCl &lt; 10 \\\\-\\\\- \\\\"5 mg/kg\\\\" \\\\*q12h\\\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))


def _md_paragraphs(lines: Sequence[str]) -> str:
    """Several paragraphs as one text2qti block: paragraphs after the first are indented 4 spaces."""
    return "\n\n    ".join(md_escape(x) for x in lines)


def text2qti_source(title: str, questions: Sequence[Question]) -> str:
    """One chapter's quiz in text2qti's plain-text format."""
    out = [f"Quiz title: {CATEGORY}: {title}", f"Quiz description: {md_escape(chapter_description(title))}",
           "Shuffle answers: true", ""]
    for q in questions:  # every marker is 4 characters wide ("1.  " each time), as the indentation must be
        out.append(f"Title: {q.id}")
        stem = [q.stem] + ([units_prompt(q)] if q.type == "numeric" else [])
        out.append(f"1.  {_md_paragraphs(stem)}")
        out.append(f"... {_md_paragraphs(general_feedback(q))}")
        if q.type == "numeric":
            assert q.answer is not None
            out += [f"+   {md_escape(q.correct_option.explanation)}"] if q.correct_option.explanation else []
            out.append(f"-   {_md_paragraphs(wrong_value_feedback(q))}")
            out.append(f"=   {q.answer.value!r} +- {q.answer.tolerance!r}")
        else:
            for i, o in enumerate(q.options):
                out.append(f"{'*' if o.correct else ''}{chr(97 + i)}) {md_escape(o.text)}")
                out += [f"... {md_escape(o.explanation)}"] if o.explanation else []
        out.append("")
    return "\n".join(out)


def _zip_entry(zf: zipfile.ZipFile, name: str, data: str | bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def qti_zip(questions: Sequence[Question] | None = None) -> bytes:
    """The bank (default: every question) as one QTI 1.2 ``.zip``: a quiz per chapter, one manifest."""
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    qs = load_questions() if questions is None else list(questions)
    ns = {"": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1", "imsmd": "http://www.imsglobal.org/xsd/imsmd_v1p2",
          "lom": "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    for prefix, uri in ns.items():
        ET.register_namespace(prefix, uri)
    manifest: ET.Element | None = None
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as zf:
        _zip_entry(zf, "non_cc_assessments/", b"")  # as text2qti and Canvas's own exports lay the package out
        for chapter, title in chapters():
            mine = [q for q in qs if q.chapter == chapter]
            if not mine:
                continue
            qti = QTI(Quiz(text2qti_source(title, mine), config=Config(), source_name=f"<{chapter}>"))
            ident = qti.assessment_identifier
            _zip_entry(zf, f"{ident}/assessment_meta.xml", qti.assessment_meta)
            _zip_entry(zf, f"{ident}/{ident}.xml", qti.assessment)
            part = ET.fromstring(qti.imsmanifest_xml)
            if manifest is None:
                manifest = part
            else:
                manifest.find("resources", {"": ns[""]}).extend(part.find("resources", {"": ns[""]}))
        assert manifest is not None, "no questions to export"
        _zip_entry(zf, "imsmanifest.xml", ET.tostring(manifest, encoding="utf-8", xml_declaration=True))
    return stream.getvalue()


def write(directory: str | Path) -> list[Path]:
    """Write both files into ``directory`` (created if needed); return their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / MOODLE_FILE, out / QTI_FILE]
    paths[0].write_bytes(moodle_xml())
    paths[1].write_bytes(qti_zip())
    return paths


if __name__ == "__main__":
    import sys

    for path in write(sys.argv[1] if len(sys.argv) > 1 else "_build/html/lms"):
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
