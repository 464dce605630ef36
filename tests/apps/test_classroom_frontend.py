"""The classroom server's front end (voila/frontend/classroom.js, bundled into the cmv-offline template's
static folder and committed) is what its sources build today: a change to classroom.js, the shared esbuild
plugin or the npm packages without `make classroom-assets` fails here."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "voila" / "templates" / "cmv-offline" / "static"
BUILT = ("cmv-classroom.js", "cmv-classroom.css", "plotly.min.js", "cmv-classroom.version")


def test_the_committed_front_end_is_what_its_sources_build(tmp_path):
    subprocess.run(["make", "--no-print-directory", "-s", "book-assets"], cwd=ROOT, check=True)
    subprocess.run(["node", "voila/frontend/build.mjs", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    stale = [name for name in BUILT if (tmp_path / name).read_bytes() != (STATIC / name).read_bytes()]
    assert not stale, f"{stale} differ from a fresh build: run `make classroom-assets` and commit the result"


def test_the_front_end_takes_no_font_or_file_from_elsewhere():
    """The bundle's CSS refers to no file (no icon font: cmvlib's widgets use none), so nothing is missing
    or fetched from another site."""
    css = (STATIC / "cmv-classroom.css").read_text()
    assert "url(" not in css.replace("url(data:", "") and "http" not in css.replace("http://www.w3.org", "")
