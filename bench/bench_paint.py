"""Pages stay fast (issue 11): first contentful paint of every chart or calculator page, and when its first
chart is drawn, as ratios to a text-only anchor page timed in the same run.

Not a test: figures for bench/README.md. Needs the built book (`make bench-paint` builds it first).

- Serves _build/html on 127.0.0.1 like a static host (bench_live's server: ``Cache-Control: max-age=600``);
  every host but 127.0.0.1 is unresolvable and every request to one is counted (must be 0).
- **anchor**: a page without charts or widgets (the glossary). **pages**: every page of the table of contents
  whose HTML holds a Plotly figure or saved widget state (found in the build, not listed by hand).
- Each page is opened at its top in a persistent-profile Chromium (bench_live's visit helper). Cold: a new
  profile; warm: the same profile reopened (HTTP cache and V8's code cache kept). Runs alternate over the
  pages so that every page sees the same machine load.
- FCP: ``first-contentful-paint`` of the page's paint timing. First chart: the first ``svg.main-svg`` inside a
  ``.plotly-graph-div`` (a MutationObserver installed before the page's own scripts), from navigation start.
- Figures are medians (min-max) of ``--runs`` runs; ratios are median / median of the anchor.

Usage: ``python bench/bench_paint.py [--runs 5] [--json bench/results/paint.json] [--only 01_ 04_]``
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_live import Counter, _visit, serve  # noqa: E402

BOOK_HTML = ROOT / "_build" / "html"
ANCHOR = "book/glossary.html"
CHART = 'class="plotly-graph-div'
WIDGETS = "application/vnd.jupyter.widget-state+json"

#: Installed before the page's scripts: records when the first chart's SVG appears.
FIRST_CHART = """
new MutationObserver((_, obs) => {
  if (document.querySelector('.plotly-graph-div svg.main-svg')) {
    performance.mark('bench-first-chart'); obs.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
FCP = """() => new Promise(done => new PerformanceObserver((list, obs) => {
  const e = list.getEntries().find(x => x.name === 'first-contentful-paint');
  if (e) { obs.disconnect(); done(e.startTime); }
}).observe({type: 'paint', buffered: true}))"""


def pages(html: Path) -> dict[str, list[str]]:
    """Every built page of the book with a chart or a calculator (saved widget state): path -> what it holds."""
    sys.path.insert(0, str(ROOT / "tests" / "book"))
    from bookutil import toc_docnames

    found = {}
    for doc in toc_docnames(ROOT / "_toc.yml"):
        text = (html / f"{doc}.html").read_text(encoding="utf-8")
        kinds = [k for k, marker in (("chart", CHART), ("widgets", WIDGETS)) if marker in text]
        if kinds:
            found[f"{doc}.html"] = kinds
    return found


def one_visit(pw, profile: Path, base_url: str, counter, path: str, chart: bool) -> dict:
    """Navigation -> first contentful paint (and -> first chart drawn, on a chart page), in seconds."""
    with _visit(pw, profile, base_url, counter, path, init_script=FIRST_CHART) as (page, blocked):
        fcp = page.evaluate(FCP)
        out = {"fcp_s": round(fcp / 1000, 3), "blocked": blocked}
        if chart:
            page.wait_for_function("() => performance.getEntriesByName('bench-first-chart').length", timeout=120_000)
            out["chart_s"] = round(page.evaluate("() => performance.getEntriesByName('bench-first-chart')[0].startTime") / 1000, 3)
    return out


def med(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold runs and warm runs of each page")
    parser.add_argument("--html", type=Path, default=BOOK_HTML)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "paint.json")
    parser.add_argument("--only", nargs="*", default=[], metavar="TEXT",
                        help="only the pages whose path contains one of these (the anchor always runs)")
    args = parser.parse_args(argv)
    if not (args.html / ANCHOR).is_file():
        print(f"{args.html / ANCHOR} is missing: run `make book-build` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    found = {p: k for p, k in pages(args.html).items() if not args.only or any(t in p for t in args.only)}
    targets = {ANCHOR: [], **found}
    counter = Counter()
    tmp = Path(tempfile.mkdtemp(prefix="cmv-bench-paint-"))
    server = serve(args.html, tmp, counter)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    res: dict = {p: {"kinds": k, "cold": [], "warm": []} for p, k in targets.items()}
    load = [os.getloadavg()[0]]
    try:
        with sync_playwright() as pw:
            for mode in ("cold", "warm"):
                for i in range(args.runs):
                    for n, (path, kinds) in enumerate(targets.items()):
                        profile = tmp / f"p{n}-{i if mode == 'cold' else 0}"   # warm: the first cold profile reopened
                        res[path][mode].append(one_visit(pw, profile, base_url, counter, path, "chart" in kinds))
            load.append(os.getloadavg()[0])
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    summary: dict = {"load_average": load, "blocked_requests": sum(
        len(r["blocked"]) for v in res.values() for m in ("cold", "warm") for r in v[m])}
    for mode in ("cold", "warm"):
        anchor = statistics.median(r["fcp_s"] for r in res[ANCHOR][mode])
        rows = {}
        for path, v in res.items():
            fcp = [r["fcp_s"] for r in v[mode]]
            row = {"kinds": "+".join(v["kinds"]) or "anchor", "fcp_s": med(fcp),
                   "fcp_ratio": round(statistics.median(fcp) / anchor, 2)}
            if "chart" in v["kinds"]:
                chart = [r["chart_s"] for r in v[mode]]
                row |= {"first_chart_s": med(chart), "first_chart_ratio": round(statistics.median(chart) / anchor, 2)}
            rows[path] = row
        summary[mode] = rows
    res["summary"] = summary
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
