"""The dose tables printed in the chapters must say exactly what cmvlib's data tables say.

The prose keeps the label tables as the reader knows them (ranges such as "50–69"); this test
rebuilds each printed row from ``cmvlib/data/*.csv`` so the two can never drift apart.
"""
from pathlib import Path

import pytest

from cmvlib import _data

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "book" / "chapters"


def _num(x: str) -> str:
    return f"{float(x):g}"


def _band(lo: str, hi: str) -> str:
    """Half-open mL/min band as the label prints it: ≥70, 50–69, ..."""
    if not hi:
        return f"≥{_num(lo)}"
    return f"{_num(lo)}–{int(float(hi)) - 1}"


def _rows(table: str, **match: str) -> list[dict[str, str]]:
    return [r for r in _data.table(table) if all(r[k] == v for k, v in match.items())]


def _normalise(text: str) -> str:
    return " ".join(text.replace("|", " | ").split())


def _assert_row(cells: list[str], text: str) -> None:
    row = _normalise("| " + " | ".join(cells) + " |")
    assert row in _normalise(text), f"chapter table row missing or different: {row}"


def test_ganciclovir_table_in_chapter_1():
    text = (CHAPTERS / "01_first_line.md").read_text(encoding="utf-8")
    ind = _rows("ganciclovir", phase="induction", regimen="standard", hemodialysis="no", recommended="yes")
    mnt = _rows("ganciclovir", phase="maintenance", regimen="daily", hemodialysis="no", recommended="yes")
    for i, m in zip(ind, mnt):
        assert (i["crcl_min"], i["crcl_max"]) == (m["crcl_min"], m["crcl_max"])
        _assert_row([_band(i["crcl_min"], i["crcl_max"]), f"{float(i['mg_per_kg']):.1f} mg/kg" if float(i["mg_per_kg"]) == 5
                     else f"{_num(i['mg_per_kg'])} mg/kg", f"q{_num(i['interval_hours'])}h",
                     f"{float(m['mg_per_kg']):.1f} mg/kg" if float(m["mg_per_kg"]) == 5 else f"{_num(m['mg_per_kg'])} mg/kg",
                     f"q{_num(m['interval_hours'])}h"], text)


def _valgan_words(row: dict[str, str]) -> str:
    per = {"12": "twice daily", "24": "once daily", "48": "every 2 days"}
    if row["times_per_week"] == "2":
        return f"{row['dose_mg']} mg twice weekly"
    return f"{row['dose_mg']} mg {per[row['interval_hours']]}"


def test_valganciclovir_table_in_chapter_1():
    text = (CHAPTERS / "01_first_line.md").read_text(encoding="utf-8")
    ind = _rows("valganciclovir", phase="induction", formulation="tablet", hemodialysis="no", recommended="yes")
    mnt = _rows("valganciclovir", phase="maintenance", formulation="tablet", hemodialysis="no", recommended="yes")
    for i, m in zip(ind, mnt):
        _assert_row([_band(i["crcl_min"], i["crcl_max"]), _valgan_words(i), _valgan_words(m)], text)


def _fos_band(row: dict[str, str]) -> str:
    lo, hi = _num(row["clcr_min"]), row["clcr_max"]
    if not hi:
        return f">{lo}"
    if row["clcr_min_inclusive"] == "yes":
        return f"≥{lo}–{_num(hi)}"
    return f">{float(row['clcr_min']):.1f}–{float(hi):.1f}"


@pytest.mark.parametrize("phase, columns", [("induction", ("60q8h", "90q12h")), ("maintenance", ("90", "120"))])
def test_foscarnet_tables_in_chapter_2(phase, columns):
    text = (CHAPTERS / "02_alternatives.md").read_text(encoding="utf-8")
    a, b = (_rows("foscarnet", phase=phase, regimen=c, recommended="yes") for c in columns)
    for ra, rb in zip(a, b):
        assert (ra["clcr_min"], ra["clcr_max"]) == (rb["clcr_min"], rb["clcr_max"])
        _assert_row([_fos_band(ra), f"{ra['mg_per_kg']} mg/kg q{ra['interval_hours']}h",
                     f"{rb['mg_per_kg']} mg/kg q{rb['interval_hours']}h"], text)
