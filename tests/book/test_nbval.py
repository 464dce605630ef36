"""nbval over every notebook in book/.

- Notebooks the book builds (MyST .md with a kernelspec, or .ipynb pages): the strict build's
  executed copy is run again in a fresh kernel and every output must match (``--nbval``; what
  legitimately varies is sanitized), so the numbers on the page are the numbers the code gives.
- Notebooks the book does not build (``exclude_patterns`` of _config.yml, e.g. the Voila apps in
  book/apps, saved without outputs): every cell must run (``--nbval-lax``).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookutil import ROOT

pytestmark = pytest.mark.slow

SANITIZE = """\
[plotly-uuid]
regex: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
replace: UUID

[calculator-model-id]
regex: data-cmv-(chart|table)-for="[0-9a-f]+"
replace: data-cmv-\1-for="ID"

[memory-address]
regex: at 0x[0-9a-f]+
replace: at 0xADDRESS

[kernel-tcp-warning]
regex: .*Kernel is running over TCP without encryption.*
replace: KERNEL-WARNING
"""


def book_notebooks() -> list[Path]:
    """Every notebook source in book/: .ipynb files and MyST .md files with a kernelspec."""
    found = []
    for path in sorted((ROOT / "book").rglob("*")):
        if "node_modules" in path.parts or "_build" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        if path.suffix == ".ipynb":
            found.append(path)
        elif path.suffix == ".md":
            head = path.read_text(encoding="utf-8")[:2000]
            if head.startswith("---") and "kernelspec:" in head.split("\n---", 1)[0]:
                found.append(path)
    return found


def excluded_from_build(path: Path) -> bool:
    import fnmatch

    import yaml

    patterns = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")).get("exclude_patterns", [])
    rel = path.relative_to(ROOT).as_posix()
    return any(fnmatch.fnmatch(rel, p) or rel.startswith(p.rstrip("/") + "/") for p in patterns)


def _nbval(tmp_path: Path, mode: str, notebooks: list[Path]) -> subprocess.CompletedProcess:
    (tmp_path / "sanitize.cfg").write_text(SANITIZE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts =\n", encoding="utf-8")
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
        "--rootdir", str(tmp_path), mode, "--nbval-sanitize-with", str(tmp_path / "sanitize.cfg"),
        "--nbval-cell-timeout", "120", *map(str, notebooks),
    ]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=900)


def test_notebooks_outside_the_build_run(tmp_path: Path):
    notebooks = [p for p in book_notebooks() if excluded_from_build(p)]
    if not notebooks:
        pytest.skip("every notebook in book/ is a page of the book")
    copies = []
    for source in notebooks:
        if source.suffix == ".md":
            target = tmp_path / source.relative_to(ROOT).with_suffix(".ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "jupytext", "--to", "ipynb", "-o", str(target), str(source)], check=True, capture_output=True)
        else:
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
        # helper modules next to a notebook, if any, come along
        for helper in source.parent.glob("*.py"):
            shutil.copy(helper, target.parent / helper.name)
        copies.append(target)
    proc = _nbval(tmp_path, "--nbval-lax", copies)
    assert proc.returncode == 0, f"nbval-lax failed:\n{proc.stdout[-15000:]}\n{proc.stderr[-3000:]}"


def test_every_notebook_of_the_book_runs_and_reproduces_its_build_outputs(book_html: Path, tmp_path: Path):
    notebooks = [p for p in book_notebooks() if not excluded_from_build(p)]
    if not notebooks:
        pytest.skip("the book has no notebook pages yet")  # nothing to execute; the build still ran
    executed_root = book_html.parent / "jupyter_execute"
    copies = []
    for source in notebooks:
        rel = source.relative_to(ROOT).with_suffix(".ipynb")
        executed = executed_root / rel
        assert executed.is_file(), f"{source} was not executed by the strict build (looked for {executed})"
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(executed, target)
        copies.append(target)
    proc = _nbval(tmp_path, "--nbval", copies)
    assert proc.returncode == 0, f"nbval failed:\n{proc.stdout[-15000:]}\n{proc.stderr[-3000:]}"
    assert " passed" in proc.stdout


def test_demo_notebook_reproduces(demo_html: Path, tmp_path: Path):
    """The fixture notebook (figure + widget) passes nbval: display.show output is deterministic."""
    executed = demo_html.parent / "jupyter_execute" / "book" / "demo.ipynb"
    shutil.copy(executed, tmp_path / "demo.ipynb")
    proc = _nbval(tmp_path, "--nbval", [tmp_path / "demo.ipynb"])
    assert proc.returncode == 0, proc.stdout[-8000:]
