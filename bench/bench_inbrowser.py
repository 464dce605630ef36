"""In-browser calculators: bytes on a first load and time from navigation to a calculator answering.

Not a test: figures for bench/README.md. Needs the built book (`make bench-inbrowser` builds it first).

- Serves _build/html on 127.0.0.1 like a static host (``Cache-Control: max-age=600``, as GitHub Pages
  sends; ``If-Modified-Since`` answered with 304) and counts the bytes it really sends. The gzip figure is
  what a host that gzips every response would send (each file's ``gzip -6`` size).
- Cold: a new, empty browser profile. Warm: the same profile reopened (a persistent profile, so the HTTP
  cache survives, as for a reader coming back).
- "answering" = the app's first result is on screen (Python started, cmvlib imported, the calculator
  computed its example), then the time for a changed input to come back with cmvlib's new value.
- Every host but 127.0.0.1 is unresolvable, and every request to one is counted (must be 0).

Usage: ``python bench/bench_inbrowser.py [--warm-runs 3] [--app dosing_workbench] [--json out.json]``
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BOOK_HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tests"))
from browserkit import CHROMIUM  # noqa: E402
from browserkit import CHROMIUM_ARGS as _ARGS  # noqa: E402

# The network guard: every host but 127.0.0.1 is unresolvable (Playwright's request routing would
# disable the HTTP cache and make every load cold).
CHROMIUM_ARGS = [*_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
APP_URL = "lite/voici/render/book/apps/{app}.html"


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.raw = 0
        self.gzip = 0
        self.files: dict[str, int] = {}
        self.not_modified = 0

    def add(self, path: str, raw: int, gz: int) -> None:
        with self.lock:
            self.raw += raw
            self.gzip += gz
            self.files[path] = raw


@functools.lru_cache(maxsize=None)
def _gzip_size(path: str, mtime: float) -> int:
    return len(gzip.compress(Path(path).read_bytes(), compresslevel=6))


def make_handler(directory: Path, counter: Counter):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, format, *args):  # noqa: A002
            pass

        def end_headers(self):
            self.send_header("Cache-Control", "max-age=600")
            super().end_headers()

        def send_head(self):
            f = super().send_head()
            path = self.translate_path(unquote(urlsplit(self.path).path))
            if f is None:
                if getattr(self, "_status", None) == 304:
                    counter.not_modified += 1
                return f
            p = Path(path)
            if p.is_dir():
                p = p / "index.html"
            if p.is_file():
                counter.add(str(p.relative_to(directory)), p.stat().st_size, _gzip_size(str(p), p.stat().st_mtime))
            return f

        def send_response(self, code, message=None):
            self._status = code
            super().send_response(code, message)

    return Handler


def one_load(pw, profile: Path, url: str, counter: Counter, shot: Path | None = None) -> dict:
    counter.reset()
    blocked: list[str] = []
    context = pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
    try:
        def off_site(request):
            if not request.url.startswith(("data:", "blob:")) and urlsplit(request.url).hostname != "127.0.0.1":
                blocked.append(request.url)

        context.on("request", off_site)
        page = context.pages[0] if context.pages else context.new_page()
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.locator('[data-cmv="dose"]').first.wait_for(timeout=300_000)
        t_ready = time.perf_counter() - t0
        before = page.locator('[data-cmv="dose"]').first.inner_text()
        box = page.get_by_label("Weight (kg)").first
        t1 = time.perf_counter()
        box.fill("50")
        box.press("Enter")
        page.wait_for_function(
            "before => { const e = document.querySelector('[data-cmv=\"dose\"]'); return e && e.innerText !== before; }",
            arg=before, timeout=60_000)
        t_answer = time.perf_counter() - t1
        if shot is not None:
            page.screenshot(path=str(shot))
    finally:
        context.close()
    return {"ready_s": round(t_ready, 2), "change_answered_s": round(t_answer, 3),
            "navigation_to_answer_s": round(t_ready + t_answer, 2),
            "bytes_raw": counter.raw, "bytes_gzip": counter.gzip, "requests_served": len(counter.files),
            "not_modified": counter.not_modified, "blocked": blocked,
            "largest": sorted(counter.files.items(), key=lambda kv: -kv[1])[:8]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app", default="dosing_workbench")
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--html", type=Path, default=BOOK_HTML)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "inbrowser.json")
    args = parser.parse_args(argv)
    if not (args.html / APP_URL.format(app=args.app)).is_file():
        print(f"{args.html / APP_URL.format(app=args.app)} is missing: run `make book-build` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    counter = Counter()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.html, counter))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/" + APP_URL.format(app=args.app)
    profile = Path(tempfile.mkdtemp(prefix="cmv-bench-profile-"))
    results: dict = {"app": args.app, "url_path": APP_URL.format(app=args.app)}
    try:
        with sync_playwright() as pw:
            results["cold"] = one_load(pw, profile, url, counter)
            results["warm"] = [one_load(pw, profile, url, counter) for _ in range(args.warm_runs)]
    finally:
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    warm = results["warm"]
    results["summary"] = {
        "cold_navigation_to_answer_s": results["cold"]["navigation_to_answer_s"],
        "cold_mb_raw": round(results["cold"]["bytes_raw"] / 1e6, 2),
        "cold_mb_gzip": round(results["cold"]["bytes_gzip"] / 1e6, 2),
        "warm_navigation_to_answer_s_median": statistics.median(w["navigation_to_answer_s"] for w in warm) if warm else None,
        "warm_mb_downloaded_max": round(max((w["bytes_raw"] for w in warm), default=0) / 1e6, 3),
        "change_answered_s_median": statistics.median(
            [results["cold"]["change_answered_s"], *(w["change_answered_s"] for w in warm)]),
        "blocked_requests": len(results["cold"]["blocked"]) + sum(len(w["blocked"]) for w in warm),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(json.dumps(results["summary"], indent=1))
    print("largest files on a cold load (bytes):")
    for name, size in results["cold"]["largest"]:
        print(f"  {size:>10,}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
