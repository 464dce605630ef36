"""Figures for the static book (not a test): strict build time and the weight of each page.

Run: `make bench-book` (or `.venv/bin/python bench/bench_book.py [--builds 3]`).

1. Build time: `make book-build` (strict, every notebook executed, the live calculators' assets included)
   from an empty `_build/html` and an empty Jupyter cache, ``--builds`` times; median with min/max.
2. Page weight: for every page of `_toc.yml`, the HTML plus every script, stylesheet and image it loads
   from the site (MathJax's on-demand components and fonts are not counted), raw and gzip -6 (what a
   gzipping host sends). Prints the heaviest pages and where their bytes go.
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "book")]
from bookutil import BOOK_HTML, local_assets, toc_docnames  # noqa: E402


def build_times(builds: int) -> list[float]:
    times = []
    for _ in range(builds):
        shutil.rmtree(BOOK_HTML, ignore_errors=True)
        shutil.rmtree(ROOT / "_build" / ".jupyter_cache", ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run(["make", "--no-print-directory", "book-build"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def _gzip_size(path: Path, cache: dict[Path, int]) -> int:
    if path not in cache:
        cache[path] = len(gzip.compress(path.read_bytes(), compresslevel=6))
    return cache[path]


def page_weights() -> list[tuple[str, int, int, list[tuple[int, str]]]]:
    """(page, raw bytes, gzip bytes, [(raw bytes, asset)] biggest first) for each page of the TOC."""
    cache: dict[Path, int] = {}
    rows = []
    for name in toc_docnames(ROOT / "_toc.yml"):
        page = BOOK_HTML / f"{name}.html"
        files = [page, *sorted(local_assets(page, BOOK_HTML))]
        raw = sum(f.stat().st_size for f in files)
        gz = sum(_gzip_size(f, cache) for f in files)
        parts = sorted(((f.stat().st_size, str(f.relative_to(BOOK_HTML))) for f in files), reverse=True)
        rows.append((name, raw, gz, parts))
    return sorted(rows, key=lambda r: r[1], reverse=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builds", type=int, default=3, help="clean strict builds to time (0: use the current build)")
    ap.add_argument("--top", type=int, default=5, help="heaviest pages to list")
    args = ap.parse_args()
    if args.builds:
        t = build_times(args.builds)
        print(f"strict clean build (make book-build)   median {statistics.median(t):6.1f} s  "
              f"(min {min(t):.1f}, max {max(t):.1f}, n={len(t)})")
    elif not (BOOK_HTML / "index.html").is_file():
        sys.exit("no _build/html: run `make book-build` or give --builds")
    rows = page_weights()
    print(f"\npage weight, {len(rows)} pages (HTML + the scripts, stylesheets and images each loads):")
    print(f"  median page {statistics.median(r[1] for r in rows) / 1e6:.2f} MB raw, "
          f"{statistics.median(r[2] for r in rows) / 1e6:.2f} MB gzip")
    for name, raw, gz, parts in rows[:args.top]:
        print(f"  {name:<40} {raw / 1e6:6.2f} MB raw  {gz / 1e6:5.2f} MB gzip")
        for size, asset in parts[:4]:
            print(f"      {size / 1e6:6.2f} MB  {asset}")


if __name__ == "__main__":
    main()
