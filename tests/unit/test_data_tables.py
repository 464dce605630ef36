"""The data files: a known source on every row, and label tables that cover every clearance exactly once."""
import csv
import io
import json
from importlib import resources

import pytest

from cmvlib import _data
from cmvlib.sources import cite, sources

DATA = resources.files("cmvlib") / "data"
CSV_TABLES = sorted(p.name[:-4] for p in DATA.iterdir() if p.name.endswith(".csv") and p.name != "sources.csv")


def test_sources_table_is_well_formed():
    rows = _data.table("sources")
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate citation keys"
    for r in rows:
        assert r["short"] and r["citation"] and r["read_via"], r["key"]
        assert r["status"] in {"verified", "verified-secondary", "low-reliability"}, r["key"]


@pytest.mark.parametrize("name", CSV_TABLES)
def test_every_row_cites_a_known_source(name):
    rows = _data.table(name)
    assert rows, f"{name}.csv is empty"
    known = sources()
    assert "source" in rows[0], f"{name}.csv has no source column"
    for row in rows:
        assert row["source"] in known, f"{name}.csv: unknown source {row['source']!r}"


@pytest.mark.parametrize("name", CSV_TABLES)
def test_tables_document_their_columns(name):
    text = (DATA / f"{name}.csv").read_text(encoding="utf-8")
    assert text.startswith("#"), f"{name}.csv must start with comment lines documenting its columns"
    header = next(csv.reader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#")))))
    assert len(header) == len(set(header))


def test_guideline_bullets_cite_known_sources():
    known = sources()
    g = json.loads((DATA / "guideline.json").read_text(encoding="utf-8"))
    for section in g["sections"]:
        for b in section["bullets"]:
            assert set(b["sources"]) <= set(known), b["id"]


def _covers_once(rows, lo_key, hi_key, grid, inside):
    for x in grid:
        hits = [r for r in rows if inside(r, x)]
        assert len(hits) == 1, (x, hits)


@pytest.mark.parametrize("table, group", [("ganciclovir", "regimen"), ("valganciclovir", "formulation")])
def test_ml_per_min_tables_cover_every_clearance_exactly_once(table, group):
    rows = [r for r in _data.table(table) if r["hemodialysis"] == "no"]
    grid = [i / 10 for i in range(0, 3000)]
    for key in {(r["phase"], r[group]) for r in rows}:
        part = [r for r in rows if (r["phase"], r[group]) == key]
        _covers_once(part, "crcl_min", "crcl_max", grid, lambda r, x: float(r["crcl_min"] or 0) <= x <
                     float(r["crcl_max"] or "inf"))
        hd = [r for r in _data.table(table) if r["hemodialysis"] == "yes" and (r["phase"], r[group]) == key]
        assert len(hd) <= 1


def test_foscarnet_table_covers_every_clearance_exactly_once():
    rows = _data.table("foscarnet")

    def inside(r, x):
        lo, hi = float(r["clcr_min"]), float(r["clcr_max"] or "inf")
        return (x >= lo if r["clcr_min_inclusive"] == "yes" else x > lo) and (
            x <= hi if r["clcr_max_inclusive"] == "yes" else x < hi)
    for key in {(r["phase"], r["regimen"]) for r in rows}:
        _covers_once([r for r in rows if (r["phase"], r["regimen"]) == key], "", "", [i / 100 for i in range(400)],
                     inside)


def test_not_recommended_rows_carry_no_number():
    for table, cols in [("ganciclovir", ("mg_per_kg", "interval_hours", "times_per_week")),
                        ("valganciclovir", ("dose_mg", "interval_hours", "times_per_week")),
                        ("foscarnet", ("mg_per_kg", "interval_hours"))]:
        for r in _data.table(table):
            if r["recommended"] == "no":
                assert all(not r[c] for c in cols), r
                assert r["note"], r


def test_cite_unknown_key():
    with pytest.raises(KeyError, match="sources.csv"):
        cite("no-such-key")


def test_lab_thresholds_agree_with_the_dose_tables():
    """The toxicity chart's thresholds repeat numbers the calculators use: they must never drift apart."""
    from cmvlib._rules import rules
    from cmvlib.toxicity import thresholds
    cido = rules("cidofovir")
    by_lab = {t.lab: t for t in thresholds("cidofovir")}
    assert by_lab["scr_mg_dl"].value == cido["start_max_scr_mg_dl"].value
    assert by_lab["crcl_ml_min"].value == cido["start_min_crcl_ml_min"].value
    assert by_lab["urine_protein_mg_dl"].value == cido["start_max_urine_protein_mg_dl"].value
    rise = by_lab["scr_rise_mg_dl"]
    assert (rise.value, rise.value_high) == (cido["reduce_rise_min_mg_dl"].value, cido["reduce_rise_max_mg_dl"].value)
    stop = {float(r["clcr_max"]) for r in _data.table("foscarnet") if r["recommended"] == "no"}
    assert {t.value for t in thresholds("foscarnet")} == stop
