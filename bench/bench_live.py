"""Live calculators in place (issue 11): navigation -> first answer, cold and warm, against a bare-Pyodide
anchor page measured in the same run.

Not a test: figures for bench/README.md. Needs the built book (`make bench-live` builds it first).

- Serves _build/html on 127.0.0.1 like a static host (``Cache-Control: max-age=600``, as GitHub Pages
  sends; ``If-Modified-Since`` answered with 304) and counts the bytes it sends and their gzip size (each
  file's ``gzip -6`` size: what a gzipping host sends). Every host but 127.0.0.1 is unresolvable and every
  request to one is counted (must be 0).
- **anchor**: a bare page (served at ``/__bench__/anchor.html``, not part of the book) that loads the same
  self-hosted Pyodide runtime, trimmed standard library and cmvlib zip, imports cmvlib and computes one
  renal result: the floor. (It registers no service worker: its warm runs use the HTTP cache.)
- **bytes**: every file of ``_static/cmv-live/`` the server sent, raw and gzip -6, per file; on warm runs,
  the requests that reached the server at all (the service worker and the HTTP cache answer the rest).
- **chapter**: chapter 1 with its live renal calculator, opened at the calculator's section
  (``#calc-renal``, a reader following a link to it). As soon as the weight box exists, 100 kg is typed
  (a change typed on arrival); the time is navigation -> that change answered with cmvlib's clearance.
  Then, after the page has been open 5 s, another change, and then later changes (change -> answer on
  screen, measured in the page).
- **chapter, from the top**: the same page opened at its top (the calculator is far below, so Python
  starts when the page is idle); the weight is typed as soon as the box exists.
- Cold: a new, empty browser profile each run. Warm: the same profile reopened (persistent profile, so the
  HTTP cache and V8's compiled-wasm cache survive, as for a reader coming back). The anchor and the chapter
  have their own profiles; runs alternate anchor/chapter so both see the same machine load.
- Figures are medians (min-max); times in the page are from navigation start (``performance`` marks).

Usage: ``python bench/bench_live.py [--runs 3] [--json bench/results/live.json]``
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from browserkit import CHROMIUM  # noqa: E402
from browserkit import CHROMIUM_ARGS as _ARGS  # noqa: E402

from cmvlib import Patient  # noqa: E402

# The network guard: every host but 127.0.0.1 is unresolvable (Playwright's request routing would
# disable the HTTP cache and make every load cold).
CHROMIUM_ARGS = [*_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

BOOK_HTML = ROOT / "_build" / "html"
CHAPTER = "book/chapters/01_first_line.html"
FRAGMENT = "#calc-renal"        # the calculator's section: the reader arrives at the calculator
ANCHOR = "__bench__/anchor.html"
LIVE = "_static/cmv-live/"
SAVED = dict(age_years=50, sex="male", weight_kg=130, height_cm=175, serum_creatinine_mg_dl=1.2)
BASIS = "adjusted"

ANCHOR_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare Pyodide + cmvlib (bench anchor)</title></head>
<body><p id="out">starting</p>
<script src="../_static/cmv-live/__RUNTIME__/pyodide.js"></script>
<script>
(async () => {
  const base = new URL("../_static/cmv-live/", location.href).href;
  const zip = fetch(base + "__ZIP__").then((r) => r.arrayBuffer());
  const py = await loadPyodide({ indexURL: base + "__RUNTIME__/", stdLibURL: base + "__STDLIB__",
                                 lockFileContents: __LOCK__ });
  py.unpackArchive(await zip, "zip", { extractDir: "/cmv-live" });
  const html = py.runPython([
    "import sys", "sys.path.insert(0, '/cmv-live')", "from cmvlib.calc import run",
    "run('renal', {'age_years': '50', 'sex': 'male', 'weight_kg': '100', 'height_cm': '175',",
    "              'serum_creatinine': '1.2', 'weight_basis': 'adjusted'})['html']"].join("\\n"));
  const out = document.getElementById("out");
  out.innerHTML = html;
  out.dataset.done = "1";
  performance.mark("anchor-answer");
})();
</script></body></html>
"""


def clearance(**changes) -> str:
    return Patient(**{**SAVED, **changes}).renal_function(BASIS).crcl_text()


class Counter:
    """Bytes the server sent since the last reset: raw and gzip, in all and per file."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.raw = 0
        self.gzip = 0
        self.files: dict[str, int] = {}
        self.gzip_files: dict[str, int] = {}
        self.not_modified = 0
        self.requests: list[str] = []

    def add(self, path: str, raw: int, gz: int) -> None:
        with self.lock:
            self.raw += raw
            self.gzip += gz
            self.files[path] = raw
            self.gzip_files[path] = gz
            self.requests.append(path)


@functools.lru_cache(maxsize=None)
def _gzip_size(path: str, mtime: float) -> int:
    return len(gzip.compress(Path(path).read_bytes(), compresslevel=6))


def serve(html: Path, anchor_dir: Path, counter: Counter):
    """A static host for ``html`` (counted) plus the bench's own pages under ``/__bench__/`` (not counted)."""

    def is_anchor(path: str) -> bool:
        return path.split("?")[0].startswith("/__bench__/")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(html), **kwargs)

        def log_message(self, format, *args):  # noqa: A002
            pass

        def end_headers(self):
            self.send_header("Cache-Control", "max-age=600")
            super().end_headers()

        def translate_path(self, path):
            if is_anchor(path):
                return str(anchor_dir / path.split("?")[0].rsplit("/", 1)[1])
            return super().translate_path(path)

        def send_response(self, code, message=None):
            self._status = code
            super().send_response(code, message)

        def send_head(self):
            f = super().send_head()
            if is_anchor(self.path):
                return f
            if f is None:
                if getattr(self, "_status", None) == 304:
                    counter.not_modified += 1
                return f
            p = Path(self.translate_path(unquote(urlsplit(self.path).path)))
            if p.is_dir():
                p = p / "index.html"
            if p.is_file():
                counter.add(str(p.relative_to(html)), p.stat().st_size, _gzip_size(str(p), p.stat().st_mtime))
            return f

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _marks(page) -> dict[str, float]:
    return page.evaluate("() => Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))")


def _bytes(counter: Counter) -> dict:
    live = {k: v for k, v in counter.files.items() if k.startswith(LIVE)}
    return {"raw": counter.raw, "gzip": counter.gzip, "live_raw": sum(live.values()),
            "live_gzip": sum(counter.gzip_files.get(k, 0) for k in live), "requests": len(counter.requests),
            "live_requests": sum(1 for k in counter.requests if k.startswith(LIVE)),
            "live_files": {k[len(LIVE):]: [v, counter.gzip_files.get(k, 0)] for k, v in sorted(live.items())}}


@contextlib.contextmanager
def _visit(pw, profile: Path, base_url: str, counter: Counter, path: str,
           init_script: str | None = None) -> Iterator[tuple[Any, list[str]]]:
    """A persistent-profile Chromium on ``path`` (counters reset, ``init_script`` run before the page's own),
    with the list of off-site requests it made."""
    counter.reset()
    blocked: list[str] = []
    ctx = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
    try:
        ctx.on("request", lambda r: None if r.url.startswith((base_url, "data:", "blob:")) else blocked.append(r.url))
        if init_script:
            ctx.add_init_script(init_script)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(f"{base_url}/{path}", wait_until="commit")
        yield page, blocked
    finally:
        ctx.close()


def run_anchor(pw, profile: Path, base_url: str, counter: Counter) -> dict:
    with _visit(pw, profile, base_url, counter, ANCHOR) as (page, blocked):
        page.wait_for_selector("#out[data-done]", timeout=300_000)
        assert clearance(weight_kg=100) in page.inner_text("#out")
        marks = _marks(page)
    return {"answer_s": round(marks["anchor-answer"] / 1000, 2), "bytes": _bytes(counter), "blocked": blocked}


def run_chapter(pw, profile: Path, base_url: str, counter: Counter, at_calculator: bool = True) -> dict:
    with _visit(pw, profile, base_url, counter, f"{CHAPTER}{FRAGMENT if at_calculator else ''}") as (page, blocked):
        root = page.locator(".cmv-calc-renal")
        box = root.locator(".cmv-field-weight_kg input")
        box.wait_for(timeout=300_000)
        box.fill("100")
        box.press("Enter")                                   # typed on arrival
        page.wait_for_function("() => Number(document.querySelector('.cmv-calc-renal').dataset.cmvAnswers || 0) >= 1",
                               timeout=300_000)
        assert clearance(weight_kg=100) in root.locator(".cmv-result-area").inner_text()
        marks = _marks(page)
        if not at_calculator:
            return {"first_answer_s": round(marks["cmv-live-answer"] / 1000, 2),
                    "worker_started_s": round(marks["cmv-live-start"] / 1000, 2), "blocked": blocked}
        # a change after the page has been open 5 s
        page.wait_for_function("() => performance.now() > 5000", timeout=60_000)
        box.fill("90")
        box.press("Enter")
        page.wait_for_function("() => Number(document.querySelector('.cmv-calc-renal').dataset.cmvAnswers || 0) >= 2",
                               timeout=60_000)
        assert clearance(weight_kg=90) in root.locator(".cmv-result-area").inner_text()
        # later changes
        for i, w in enumerate(("80", "85", "95", "105", "110")):
            box.fill(w)
            box.press("Enter")
            page.wait_for_function(f"() => Number(document.querySelector('.cmv-calc-renal').dataset.cmvAnswers || 0) >= {3 + i}",
                                   timeout=60_000)
        lat = page.evaluate("() => window.cmvLive.latencies")
        boot = page.evaluate("() => window.cmvLive.bootMs")
    return {"first_answer_s": round(marks["cmv-live-answer"] / 1000, 2),
            "widgets_drawn_s": round(marks["cmv-widgets-drawn"] / 1000, 2),
            "worker_started_s": round(marks["cmv-live-start"] / 1000, 2),
            "python_ready_s": round(marks["cmv-live-ready"] / 1000, 2), "worker_boot_ms": boot,
            "after_5s_change_ms": round(lat[1], 1), "later_changes_ms": [round(x, 1) for x in lat[2:]],
            "bytes": _bytes(counter), "blocked": blocked}


def med(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold runs and warm runs of each page")
    parser.add_argument("--html", type=Path, default=BOOK_HTML)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "live.json")
    args = parser.parse_args(argv)
    manifest = args.html / LIVE / "manifest.json"
    if not manifest.is_file():
        print(f"{manifest} is missing: run `make book-build` first", file=sys.stderr)
        return 2
    live = json.loads(manifest.read_text())
    from playwright.sync_api import sync_playwright

    counter = Counter()
    tmp = Path(tempfile.mkdtemp(prefix="cmv-bench-live-"))
    (tmp / "anchor").mkdir()
    anchor = (ANCHOR_HTML.replace("__ZIP__", live["zip"]).replace("__RUNTIME__", live["runtime"])
              .replace("__STDLIB__", live["stdlib"])
              .replace("__LOCK__", json.dumps({"info": live["lock_info"], "packages": {}})))
    (tmp / "anchor" / "anchor.html").write_text(anchor, encoding="utf-8")
    server = serve(args.html, tmp / "anchor", counter)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    res: dict = {"anchor": {"cold": [], "warm": []}, "chapter": {"cold": [], "warm": []},
                 "chapter_top": {"cold": [], "warm": []}}
    try:
        with sync_playwright() as pw:
            for i in range(args.runs):                        # cold: a new profile per run
                res["anchor"]["cold"].append(run_anchor(pw, tmp / f"a-cold-{i}", base_url, counter))
                res["chapter"]["cold"].append(run_chapter(pw, tmp / f"c-cold-{i}", base_url, counter))
                res["chapter_top"]["cold"].append(run_chapter(pw, tmp / f"t-cold-{i}", base_url, counter, False))
            for _ in range(args.runs):                        # warm: the first cold profile reopened
                res["anchor"]["warm"].append(run_anchor(pw, tmp / "a-cold-0", base_url, counter))
                res["chapter"]["warm"].append(run_chapter(pw, tmp / "c-cold-0", base_url, counter))
                res["chapter_top"]["warm"].append(run_chapter(pw, tmp / "t-cold-0", base_url, counter, False))
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    a, c, t = res["anchor"], res["chapter"], res["chapter_top"]
    summary = {
        "anchor_cold_s": med([r["answer_s"] for r in a["cold"]]),
        "anchor_warm_s": med([r["answer_s"] for r in a["warm"]]),
        "chapter_cold_first_answer_s": med([r["first_answer_s"] for r in c["cold"]]),
        "chapter_warm_first_answer_s": med([r["first_answer_s"] for r in c["warm"]]),
        "ratio_cold": round(statistics.median(r["first_answer_s"] for r in c["cold"])
                            / statistics.median(r["answer_s"] for r in a["cold"]), 2),
        "ratio_warm": round(statistics.median(r["first_answer_s"] for r in c["warm"])
                            / statistics.median(r["answer_s"] for r in a["warm"]), 2),
        "chapter_top_cold_first_answer_s": med([r["first_answer_s"] for r in t["cold"]]),
        "chapter_top_warm_first_answer_s": med([r["first_answer_s"] for r in t["warm"]]),
        "chapter_widgets_drawn_warm_s": med([r["widgets_drawn_s"] for r in c["warm"]]),
        "chapter_worker_started_warm_s": med([r["worker_started_s"] for r in c["warm"]]),
        "chapter_python_ready_warm_s": med([r["python_ready_s"] for r in c["warm"]]),
        "change_after_5s_ms": med([r["after_5s_change_ms"] for r in c["cold"] + c["warm"]]),
        "later_changes_ms": med([x for r in c["cold"] + c["warm"] for x in r["later_changes_ms"]]),
        "live_layer_cold_mb_gzip": round(statistics.median(r["bytes"]["live_gzip"] for r in c["cold"]) / 1e6, 2),
        "live_layer_cold_mb_raw": round(statistics.median(r["bytes"]["live_raw"] for r in c["cold"]) / 1e6, 2),
        "page_cold_mb_gzip": round(statistics.median(r["bytes"]["gzip"] for r in c["cold"]) / 1e6, 2),
        "warm_mb_downloaded_max": round(max(r["bytes"]["raw"] for r in c["warm"] + a["warm"]) / 1e6, 3),
        "chapter_warm_live_requests_max": max(r["bytes"]["live_requests"] for r in c["warm"]),
        "chapter_warm_requests_max": max(r["bytes"]["requests"] for r in c["warm"]),
        "blocked_requests": sum(len(r["blocked"]) for side in (a, c, t) for runs in side.values() for r in runs),
    }
    res["summary"] = summary
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    print(live_table(c["cold"]))
    return 0


def live_table(runs: list[dict]) -> str:
    """Markdown: each live-layer file a cold chapter visit received (first run), raw and gzip, largest first."""
    files = runs[0]["bytes"]["live_files"]
    rows = [f"| `{name}` | {raw / 1e6:.3f} | {gz / 1e6:.3f} |" for name, (raw, gz) in
            sorted(files.items(), key=lambda kv: -kv[1][1])]
    total = (f"| **total** ({len(files)} files) | {sum(v[0] for v in files.values()) / 1e6:.2f} | "
             f"**{sum(v[1] for v in files.values()) / 1e6:.2f}** |")
    return "\n".join(["| file (`_static/cmv-live/`) | MB raw | MB gzip |", "| --- | --- | --- |", *rows, total])


if __name__ == "__main__":
    sys.exit(main())
