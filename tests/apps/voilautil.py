"""Start and stop a Voilà server for the app tests and the benchmark (bench/bench_voila.py).

:func:`voila_server` runs Voilà as an instructor would, ``voila book/apps`` from another working directory
with nothing but the classroom configuration installed in the environment (``voila/voila.json``, the
``cmv-offline`` template, ``cmvlib.voila_server``), on a free port, in its own process group; it waits until
the index answers and every app's kernel pool is filled, and always stops the whole group afterwards.
``plain=True`` starts Voilà with its defaults instead (no config file: the benchmark's baseline).
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS_DIR = ROOT / "book" / "apps"
CONFIG_DIR = ROOT / "voila"
APPS = tuple(sorted(p.stem for p in APPS_DIR.glob("*.ipynb") if not p.name.startswith("_")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str            # http://127.0.0.1:<port>/  (ends with "/")
    port: int
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def app_url(self, app: str, query: str = "") -> str:
        return f"{self.url}voila/render/{app}.ipynb" + (f"?{query}" if query else "")

    def channels_url(self, kernel_id: str) -> str:
        """The websocket a page opens to talk to its kernel (a new session id each time)."""
        return f"ws://127.0.0.1:{self.port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"


def _command(port: int, plain: bool, extra: tuple[str, ...], config_dir: Path | None, root: Path) -> list[str]:
    voila = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    if plain:   # Voilà's defaults: no config file anywhere on the search path
        voila.append("--Voila.config_file_paths=[]")
    elif config_dir is not None:   # this voila.json instead of the installed one
        voila.append(f"--Voila.config_file_paths={config_dir}")
    return [*voila, *extra, str(root)]


def _pools_filled(log: str, root: Path) -> bool:
    return all(f"Kernel pool of {p.name} is filled" in log for p in root.glob("*.ipynb") if not p.name.startswith("_"))


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (Voilà then shuts its kernels down); SIGKILL what is left,
    including kernels, which jupyter_client starts in sessions of their own."""
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    _, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


@contextlib.contextmanager
def voila_server(plain: bool = False, extra: tuple[str, ...] = (), timeout: float = 120,
                 wait_for_pools: bool = True, config_dir: Path | None = None,
                 root: Path = APPS_DIR) -> Iterator[Server]:
    """A running Voilà serving ``root`` (the installed configuration, or the ``voila.json`` in ``config_dir``,
    unless ``plain``), started in an empty working directory; stopped on exit, whatever happens."""
    port = free_port()
    log_file = tempfile.NamedTemporaryFile(prefix="voila-", suffix=".log", delete=False)
    env = {**os.environ, "VOILA_APP_IP": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
    cwd = tempfile.mkdtemp(prefix="voila-cwd-")
    proc = subprocess.Popen(_command(port, plain, extra, config_dir, root), cwd=cwd, env=env, stdout=log_file,
                            stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}/", port, proc, Path(log_file.name))
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"Voilà exited with {proc.returncode}:\n{server.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Voilà not ready after {timeout:.0f} s:\n{server.log()[-3000:]}")
            try:
                with urllib.request.urlopen(server.url, timeout=2) as r:
                    ready = r.status == 200
            except OSError:
                ready = False
            if ready and (plain or not wait_for_pools or _pools_filled(server.log(), root)):
                break
            time.sleep(0.25)
        yield server
    finally:
        _stop(proc)
        log_file.close()


def kernel_id_of(html: str) -> str:
    """The kernel id Voilà wrote into a rendered page (``jupyter-config-data``)."""
    import re

    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    if not m:
        raise AssertionError("no kernelId in the page")
    return m.group(1)


def kernel_message(msg_type: str, channel: str, content: dict, metadata: dict | None = None) -> str:
    """A Jupyter message as a browser sends it over the kernel websocket (JSON, protocol 5.3)."""
    import json

    header = {"msg_id": uuid.uuid4().hex, "username": "student", "session": uuid.uuid4().hex,
              "msg_type": msg_type, "version": "5.3", "date": "2026-01-01T00:00:00Z"}
    return json.dumps({"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content,
                       "channel": channel, "buffers": []})
