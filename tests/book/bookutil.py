"""Helpers shared by the book tests and bench/bench_book.py (paths, the build command runner, the TOC, a
local server, the assets a page loads)."""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import posixpath
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
BOOK_HTML = ROOT / "_build" / "html"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OUTPUT = ROOT / "test-output"
BUILD_TIMEOUT_S = 1200


def _run(cmd: list[str], cwd: Path, timeout: int = BUILD_TIMEOUT_S) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _fail_with_log(what: str, proc: subprocess.CompletedProcess) -> None:
    log = (proc.stdout + "\n" + proc.stderr)[-12000:]
    pytest.fail(f"{what} failed (exit {proc.returncode}):\n{log}", pytrace=False)


def toc_docnames(toc_path: Path) -> list[str]:
    """Every document of a Jupyter Book ``_toc.yml``, root first, in reading order."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        walk(part.get("chapters"))
    return [str(Path(n).with_suffix("")) for n in names]



class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


#: Script attributes naming a file that script loads on demand (relative to the script's folder), with the
#: stylesheet that comes with it: plotly.js (cmv-plotly.js) and the widget manager (embed-live.js). (panel.js's
#: data-plotly is relative to the chart glue it loads after an answer: not a file from there, so not counted.)
ON_DEMAND = {"data-plotly": (), "data-cmv-widgets": (".css",)}


def local_assets(page: Path, root: Path) -> set[Path]:
    """The files of the site under ``root`` that ``page`` loads: scripts, stylesheets, preloads, icons, images,
    and the files its scripts load on demand (:data:`ON_DEMAND`)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    refs = [s["src"] for s in soup.find_all("script", src=True)]
    for script in soup.find_all("script", src=True):
        for attr, companions in ON_DEMAND.items():
            if script.get(attr):
                ref = posixpath.join(posixpath.dirname(script["src"].split("?")[0]), script[attr])
                refs += [ref] + [ref.split("?")[0].removesuffix(".js") + ext for ext in companions]
    refs += [link["href"] for link in soup.find_all("link", href=True) if {"stylesheet", "preload", "icon"} & set(link.get("rel", []))]
    refs += [img["src"] for img in soup.find_all("img", src=True)]
    out = set()
    for ref in refs:
        if ref.startswith(("data:", "http:", "https:", "//")):
            continue
        path = (page.parent / unquote(ref.split("?")[0].split("#")[0])).resolve()
        if path.is_file() and root in path.parents:
            out.add(path)
    return out
