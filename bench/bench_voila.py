"""Voilà benchmark: prints figures (it is not a test). Run: `make bench-voila` (~10-15 min).

Measured side by side in one run, in Debian's headless Chromium (fresh browser context per load, so no
HTTP cache; requests that would leave 127.0.0.1 are aborted, as behind a firewall that rejects them):

1. Time to interactive: navigation -> the dosing workbench's calculator drawn (its widgets exist only once
   the kernel is connected and the widget state is loaded), plain Voilà (defaults, no config file:
   kernel started and notebook run on request) vs the repository's configuration (voila/voila.json:
   pre-heated pool, cmv-offline template).
2. Widget round trip: a weight typed (the input's change event) -> the result showing the dose cmvlib
   computes for it, timed inside the page (performance.now and a MutationObserver).
3. 30 concurrent sessions of the dosing workbench on our configuration: load times, round-trip p95 while all
   30 type at once, errors, memory per session (psutil: RSS of Voilà and its kernels, after - before, / 30).
4. 200 consecutive page loads (the six apps in turn), each closed like a tab, with a 20 s limit: hangs counted.
5. The server's share of part 3: 30 sessions whose "browsers" are protocol clients (the page fetched, the
   kernel websocket opened, the widget states requested, the weight set by a widget ``update`` message, the
   dose awaited in the result widget's update), all typing at once. Students' laptops draw their own pages;
   part 3 draws all 30 on the server's 2 cores, which part 5 leaves out.

Medians with (min-max). Goals (issue 4): TTI <= 1.0 s, round trip <= 30 ms median, p95 <= 150 ms at 30
sessions with 0 errors, 0 hangs in 200 loads.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psutil
import websocket   # websocket-client (as in the security test)

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "apps")]
from browserkit import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from voilautil import APPS, kernel_id_of, kernel_message, voila_server  # noqa: E402

import cmvlib  # noqa: E402
from cmvlib import calc  # noqa: E402
from cmvlib import examples  # noqa: E402

CALC = ".cmv-calculator >> visible=true"
READY = "#rendered_cells .cmv-calculator:visible, #rendered_cells .js-plotly-plot .main-svg"
WEIGHTS = (70, 83)
EXPECTED = {w: cmvlib.dose("ganciclovir", "induction", examples.patient("issue-example", weight_kg=w)).summary
            for w in WEIGHTS}

ROUND_TRIP_JS = """async ([weight, expected]) => {
  const calc = [...document.querySelectorAll('.cmv-calculator')].find(c => c.offsetParent !== null);
  const label = [...calc.querySelectorAll('label.widget-label')].find(l => l.textContent.trim() === 'Weight (kg)');
  const input = document.getElementById(label.htmlFor);
  const result = calc.querySelector('.cmv-result').parentElement;
  return await new Promise((resolve, reject) => {
    const t0 = performance.now();
    const done = () => result.innerText.includes(expected);
    const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(performance.now() - t0); } });
    obs.observe(result, {subtree: true, childList: true, characterData: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('round trip timed out')); }, 10000);
    input.value = String(weight);
    input.dispatchEvent(new Event('change', {bubbles: true}));
  });
}"""


def fmt(values: list[float], unit: str = "ms", scale: float = 1.0) -> str:
    if not values:
        return "n/a"
    v = [x * scale for x in values]
    return f"{statistics.median(v):.0f} {unit} ({min(v):.0f}-{max(v):.0f}, n={len(v)})" if unit == "ms" else \
        f"{statistics.median(v):.2f} {unit} ({min(v):.2f}-{max(v):.2f}, n={len(v)})"


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


async def new_page(browser, blocked: list[str]):
    context = await browser.new_context(viewport={"width": 1280, "height": 1400})

    async def route(r):
        if r.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
            await r.continue_()
        else:
            blocked.append(r.request.url)
            await r.abort()

    await context.route("**/*", route)
    return context, await context.new_page()


async def load(browser, url: str, blocked: list[str], timeout_ms: float = 60_000, ready: str = CALC):
    """(seconds to interactive, context, page); raises on timeout."""
    context, page = await new_page(browser, blocked)
    t0 = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout_ms)
        await page.wait_for_selector(ready, timeout=timeout_ms)
    except Exception:
        await context.close()
        raise
    return time.perf_counter() - t0, context, page


async def round_trips(page, n: int) -> list[float]:
    out = []
    for i in range(n):
        w = WEIGHTS[(i + 1) % 2]
        out.append(await page.evaluate(ROUND_TRIP_JS, [w, EXPECTED[w]]))
    return out


def tree_rss(pid: int) -> int:
    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


async def tti_and_round_trip(browser, server, loads: int, pause: float, label: str) -> dict:
    """Cold-cache loads (a fresh context each), then warm-cache loads (one context, its first load not
    counted), each on a server at rest (:func:`quiet`: the kernel the previous load took has been replaced in
    the pool, and Voilà's start is over); round trips ``pause`` s after the load."""
    blocked: list[str] = []
    ttis, warm, rts = [], [], []
    for i in range(loads):
        await quiet()
        t, context, page = await load(browser, server.app_url("dosing_workbench"), blocked)
        ttis.append(t)
        await asyncio.sleep(pause)
        rts += await round_trips(page, 15)
        await context.close()
    context, page = await new_page(browser, blocked)
    for i in range(loads + 1):
        await quiet()
        t0 = time.perf_counter()
        await page.goto(server.app_url("dosing_workbench"), wait_until="commit")
        await page.wait_for_selector(CALC, timeout=60_000)
        if i:
            warm.append(time.perf_counter() - t0)
    await context.close()
    print(f"  {label}: TTI cold cache {fmt(ttis, 's')}, warm cache {fmt(warm, 's')}; round trip {fmt(rts)}; "
          f"requests blocked (left 127.0.0.1): {len(blocked)}", flush=True)
    return {"tti": ttis, "warm": warm, "rt": rts, "blocked": len(blocked)}


def kernels_of(server) -> list:
    return [c for c in psutil.Process(server.proc.pid).children(recursive=True)
            if "ipykernel" in " ".join(c.cmdline())]


async def settle(server, expected_fills: int, limit: float = 300) -> None:
    """Wait until the pools have been refilled ``expected_fills`` times in the log (or ``limit`` s)."""
    deadline = time.monotonic() + limit
    while server.log().count("is filled with") < expected_fills and time.monotonic() < deadline:
        await asyncio.sleep(1)


async def concurrent(browser, server, sessions: int) -> dict:
    await settle(server, server.log().count("is filled with"))
    before = tree_rss(server.proc.pid)
    old_kernels = {k.pid for k in kernels_of(server)}
    fills = server.log().count("is filled with")
    blocked: list[str] = []
    # One browser stands for the 30 students' machines: opening 30 cold pages of the JupyterLab-based front
    # end at once on these 2 cores measures Chromium, not Voilà (every load then timed out, with the pool
    # full). So the pages open one after another in one context (warm HTTP cache), each on its own kernel,
    # and then all 30 type at the same time.
    context, _ = await new_page(browser, blocked)
    t0 = time.perf_counter()
    results = []
    for _ in range(sessions):
        page = await context.new_page()
        t = time.perf_counter()
        try:
            await page.goto(server.app_url("dosing_workbench"), wait_until="commit", timeout=60_000)
            await page.wait_for_selector(CALC, timeout=60_000)
            results.append((time.perf_counter() - t, context, page))
        except Exception as err:    # noqa: BLE001 - counted as an error
            results.append(err)
    all_loaded = time.perf_counter() - t0
    ok = [r for r in results if not isinstance(r, BaseException)]
    errors = len(results) - len(ok)
    loads = [r[0] for r in ok]
    await settle(server, fills + 1)            # the used kernels replaced: measure with the pools full again
    await asyncio.sleep(5)
    after = tree_rss(server.proc.pid)
    rt_results = await asyncio.gather(*[round_trips(page, 10) for _, _, page in ok], return_exceptions=True)
    rts = [x for r in rt_results if not isinstance(r, BaseException) for x in r]
    errors += sum(isinstance(r, BaseException) for r in rt_results)
    used = [k for k in kernels_of(server) if k.pid in old_kernels]
    kernel_mb = statistics.mean(k.memory_info().rss for k in used) / 2**20 if used else float("nan")
    await context.close()
    per_session = (after - before) / max(1, len(ok)) / 2**20
    print(f"  {sessions} sessions (opened one after another, then typing at once): all interactive after {all_loaded:.1f} s; load {fmt(loads, 's')}; "
          f"round trip {fmt(rts)}, p95 {p95(rts) if rts else float('nan'):.0f} ms; errors {errors}; memory per "
          f"session {per_session:.0f} MB (Voilà + kernels RSS {before / 2**20:.0f} -> {after / 2**20:.0f} MB, pools "
          f"refilled; a used kernel {kernel_mb:.0f} MB); blocked {len(blocked)}", flush=True)
    return {"loads": loads, "rt": rts, "p95": p95(rts) if rts else float("nan"), "errors": errors,
            "mb": per_session}


# --------------------------------------------------------------------- part 5: protocol clients
class WidgetClient:
    """One student's session without a browser: the rendered page, its kernel's websocket, and the
    dosing workbench's first tab found in the widget states (weight box and result)."""

    def __init__(self, server) -> None:
        with urllib.request.urlopen(server.app_url("dosing_workbench"), timeout=120) as r:
            kernel = kernel_id_of(r.read().decode())
        self.ws = websocket.create_connection(server.channels_url(kernel), timeout=60)
        control = uuid.uuid4().hex
        self.ws.send(kernel_message("comm_open", "shell", {"comm_id": control, "target_name": "jupyter.widget.control",
                                                  "data": {}}, {"version": "1.0.0"}))   # control protocol
        self.ws.send(kernel_message("comm_msg", "shell", {"comm_id": control, "data": {"method": "request_states"}}))
        states = self._wait(lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == control)
        states = states["content"]["data"]["states"]
        tab = next(s["state"] for s in states.values() if s["model_name"] == "TabModel")
        first = tab["children"][0].removeprefix("IPY_MODEL_")       # the first tab (built at start)
        self.result = self._find(states, first, lambda s: calc.MARK_RESULT in s.get("_dom_classes", ()))
        self.weight = self._find(states, first, lambda s: s.get("description") == "Weight (kg)"
                                 and s.get("_model_name") == "TextModel")
        if not (self.result and self.weight):
            raise LookupError("the first tab has no weight field or no result")

    def _find(self, states: dict, model: str, match) -> str:
        """The first model under ``model`` (itself included) whose state ``match`` accepts, or ``""``."""
        state = states[model]["state"]
        if match(state):
            return model
        for child in state.get("children", []):
            found = self._find(states, child.removeprefix("IPY_MODEL_"), match)
            if found:
                return found
        return ""

    def _wait(self, match, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            raw = self.ws.recv()
            if isinstance(raw, str):
                m = json.loads(raw)
                m["msg_type"] = m["header"]["msg_type"]
                if match(m):
                    return m
        raise TimeoutError("no answer from the kernel")

    def drain(self) -> None:
        """Read what the kernel sent while the client waited (so the first round trip is not a backlog)."""
        while True:
            self.ws.settimeout(0.2)
            try:
                self.ws.recv()
            except websocket.WebSocketTimeoutException:
                return

    def round_trip(self, weight: int) -> float:
        """Seconds from the weight sent to the result widget's update that shows the expected dose."""
        expected = EXPECTED[weight]
        t0 = time.perf_counter()
        self.ws.send(kernel_message("comm_msg", "shell", {"comm_id": self.weight, "data": {
            "method": "update", "state": {"value": str(weight)}, "buffer_paths": []}}))
        self._wait(lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == self.result
                   and expected in str(m["content"]["data"].get("state", {}).get("value", "")))
        return time.perf_counter() - t0

    def close(self) -> None:
        self.ws.close()


async def quiet(limit: float = 600, idle_percent: float = 15.0) -> None:
    """Wait until the machine's CPU use stays under ``idle_percent`` for 3 s in a row (or ``limit`` s)."""
    deadline, calm = time.monotonic() + limit, 0
    while calm < 3 and time.monotonic() < deadline:
        busy = await asyncio.to_thread(psutil.cpu_percent, 1.0)
        calm = calm + 1 if busy < idle_percent else 0


async def protocol_sessions(server, sessions: int, trips: int = 10) -> dict:
    """``sessions`` protocol clients opened one after another, then all typing at once (a barrier per
    round, like part 3's gather)."""
    import threading

    await settle(server, server.log().count("is filled with"))
    before = tree_rss(server.proc.pid)
    fills = server.log().count("is filled with")
    clients, errors = [], 0
    for _ in range(sessions):
        try:
            clients.append(await asyncio.to_thread(WidgetClient, server))
        except Exception as err:     # noqa: BLE001 - counted
            errors += 1
            print(f"    session failed: {type(err).__name__}: {err}", flush=True)
    await settle(server, fills + 1)
    await quiet()       # every used kernel replaced in the pools: measure the server at rest, not refilling
    after = tree_rss(server.proc.pid)
    await asyncio.gather(*[asyncio.to_thread(c.drain) for c in clients])
    barrier = threading.Barrier(len(clients))
    times: list[float] = []
    failures: list[BaseException] = []

    def student(client: WidgetClient) -> None:
        for i in range(trips):
            barrier.wait()
            try:
                times.append(client.round_trip(WEIGHTS[(i + 1) % 2]))
            except Exception as err:   # noqa: BLE001 - counted
                failures.append(err)
                barrier.abort()
                return

    threads = [threading.Thread(target=student, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    await asyncio.to_thread(lambda: [t.join() for t in threads])
    for c in clients:
        c.close()
    errors += len(failures)
    rts = [t * 1000 for t in times]
    per_session = (after - before) / max(1, len(clients)) / 2**20
    print(f"  {sessions} protocol sessions (no browser drawing), all typing at once: round trip {fmt(rts)}, "
          f"p95 {p95(rts) if rts else float('nan'):.0f} ms; errors {errors}; memory per session {per_session:.0f} MB",
          flush=True)
    return {"rt": rts, "p95": p95(rts) if rts else float("nan"), "errors": errors, "mb": per_session}


def classroom_config(pool: int) -> Path:
    """voila/voila.json with a pool of ``pool`` kernels for the dosing workbench (the app of the day)."""
    import json
    import tempfile

    conf = json.loads((ROOT / "voila" / "voila.json").read_text())
    conf.setdefault("VoilaKernelManager", {})["kernel_pools_config"] = {
        "default": {"pool_size": conf["VoilaConfiguration"]["default_pool_size"]},
        "dosing_workbench.ipynb": {"pool_size": pool}}
    d = Path(tempfile.mkdtemp(prefix="voila-classroom-"))
    (d / "voila.json").write_text(json.dumps(conf))
    return d


async def many_loads(browser, server, n: int, limit_s: float) -> dict:
    """``n`` loads of the apps in turn, each closed like a tab (``pagehide``: the template's beacon shuts its
    kernel down); a load not interactive within ``limit_s`` counts as hung, with what its page showed."""
    blocked: list[str] = []
    hangs, times, t_start = [], [], time.perf_counter()
    for i in range(n):
        app = APPS[i % len(APPS)]
        context, page = await new_page(browser, blocked)
        t0 = time.perf_counter()
        try:
            await page.goto(server.app_url(app), wait_until="commit", timeout=limit_s * 1000)
            await page.wait_for_selector(READY, timeout=limit_s * 1000)
            times.append(time.perf_counter() - t0)
        except Exception as err:    # noqa: BLE001 - a hang is what we count
            try:
                shown = " ".join((await page.inner_text("body", timeout=2000)).split())[:80]
            except Exception:       # noqa: BLE001
                shown = "?"
            hangs.append((i, app, type(err).__name__, shown))
        await page.close(run_before_unload=True)
        await context.close()
    kernels = sum("ipykernel" in " ".join(c.cmdline()) for c in psutil.Process(server.proc.pid).children(recursive=True))
    print(f"  {n} consecutive loads ({', '.join(APPS)} in turn, {limit_s:.0f} s limit each, each closed like a tab): "
          f"hangs {len(hangs)}{' ' + str(hangs[:8]) if hangs else ''}; load {fmt(times, 's')}; "
          f"total {time.perf_counter() - t_start:.0f} s; kernels left {kernels}; blocked {len(blocked)}"
          f"{' ' + str(sorted(set(blocked))[:5]) if blocked else ''}", flush=True)
    return {"hangs": len(hangs), "times": times}


async def main(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    print(f"Voilà benchmark {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()}: {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GB, load average {os.getloadavg()[0]:.1f}", flush=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        parts = set(args.parts.split(","))
        base = mine = conc = many = conc_b = proto = None
        if "1" in parts:
            print("1-2. Time to interactive and round trip (dosing workbench)", flush=True)
            with voila_server(plain=True) as plain:
                await asyncio.sleep(3)
                base = await tti_and_round_trip(browser, plain, args.loads, 4.0, "plain Voilà (defaults, cold kernel)")
        if parts & {"1", "3", "4", "5"}:
            with voila_server() as ours:
                await asyncio.sleep(3)
                if "1" in parts:
                    mine = await tti_and_round_trip(browser, ours, args.loads, 4.0, "our configuration (voila.json)")
                if "3" in parts:
                    print("3. Concurrent sessions (our configuration, default pools of 2)", flush=True)
                    conc = await concurrent(browser, ours, args.sessions)
                if "4" in parts:
                    print("4. Consecutive loads (our configuration)", flush=True)
                    await asyncio.sleep(8)
                    many = await many_loads(browser, ours, args.many, args.limit)
                if "5" in parts:
                    print("5. Concurrent sessions, protocol clients (the server's share; default pools of 2)",
                          flush=True)
                    proto = await protocol_sessions(ours, args.sessions)
        if "3b" in parts:
            print(f"3b. Concurrent sessions, classroom pool: our configuration + a pool of {args.sessions + 2} for "
                  "the dosing workbench", flush=True)
            with voila_server(config_dir=classroom_config(args.sessions + 2), timeout=900) as classroom:
                conc_b = await concurrent(browser, classroom, args.sessions)
        await browser.close()
    print("\nSummary (goal):")
    if base and mine:
        print(f"  TTI cold cache: plain {fmt(base['tti'], 's')} vs ours {fmt(mine['tti'], 's')} (<= 1.0 s)")
        print(f"  TTI warm cache: plain {fmt(base['warm'], 's')} vs ours {fmt(mine['warm'], 's')}")
        print(f"  round trip plain {fmt(base['rt'])} vs ours {fmt(mine['rt'])} (<= 30 ms median)")
    for label, c in (("pools of 2", conc), ("classroom pool", conc_b), ("protocol clients", proto)):
        if c:
            print(f"  {args.sessions} sessions, {label}: p95 {c['p95']:.0f} ms (<= 150 ms), errors {c['errors']} (0), "
                  f"{c['mb']:.0f} MB per session")
    if many:
        print(f"  {args.many} loads: {many['hangs']} hung (0)")


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # stop the Voilà servers on the way out
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=7, help="page loads per configuration for TTI (default 7)")
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--many", type=int, default=200)
    ap.add_argument("--limit", type=float, default=20.0, help="seconds before a load counts as hung")
    ap.add_argument("--parts", default="1,3,4,5", help="parts to run: 1 (TTI, round trip), 3 (30 sessions), "
                    "4 (200 loads), 3b (30 sessions with a 32-kernel pool; see bench/README.md), 5 (30 protocol "
                    "clients); default 1,3,4,5")
    asyncio.run(main(ap.parse_args()))
