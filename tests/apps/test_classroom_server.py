"""One classroom server, however it is started: the settings of voila/ (pool, culling, offline template,
allowlists, no tracebacks, TCP_NODELAY) come with the installed project, not with ``make demo``.

- ``voila <apps>`` and ``jupyter server`` started in an empty directory, with no config option, read them
  (the effective values of the running applications are compared with voila/*.json);
- Voilà as a server extension of ``jupyter server`` serves the offline template, hides a failing cell's
  traceback and refuses files; the standalone Voilà hides it too (the session server runs ``voila book/apps``
  from an empty directory: every other app test checks it);
- a wheel of the project (Binder's postBuild, a JupyterHub image) carries the same files.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from voilautil import APPS_DIR, CONFIG_DIR, ROOT, _stop, free_port, voila_server

pytestmark = [pytest.mark.slow]

SETTINGS = json.loads((CONFIG_DIR / "voila.json").read_text())
SERVER_SETTINGS = json.loads((CONFIG_DIR / "jupyter_server_config.json").read_text())
BOOM = "cmv-boom-marker"
HIDDEN = "There was an error when executing cell"


def _probe(code: str, cwd: Path) -> dict:
    """Run ``code`` (which prints one JSON line last) in a fresh interpreter in ``cwd``."""
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


VOILA_PROBE = f"""
import json
from voila.app import Voila
app = Voila()
app.initialize([{str(APPS_DIR)!r}])
c = app.voila_configuration
print(json.dumps({{"root_dir": app.root_dir, "template": c.template, "show_tracebacks": c.show_tracebacks,
    "preheat_kernel": c.preheat_kernel, "default_pool_size": c.default_pool_size,
    "extension_allowlist": c.extension_allowlist, "file_allowlist": c.file_allowlist,
    "file_denylist": c.file_denylist, "allow_template_override": c.allow_template_override,
    "connection": app.kernel_websocket_connection_class.__module__ + "." + app.kernel_websocket_connection_class.__name__,
    "cull_idle_timeout": app.config.MappingKernelManager.cull_idle_timeout,
    "template_paths": app.template_paths}}))
"""

SERVER_PROBE = """
import json
from jupyter_server.serverapp import ServerApp
app = ServerApp()
app.initialize(["--allow-root", "--ServerApp.open_browser=False"])
km, cls = app.kernel_manager, app.kernel_websocket_connection_class
print(json.dumps({"cull_idle_timeout": km.cull_idle_timeout, "cull_interval": km.cull_interval,
    "cull_connected": km.cull_connected, "connection": cls.__module__ + "." + cls.__name__,
    "voila": "voila.server_extension" in app.extension_manager.extensions}))
"""


def test_voila_started_elsewhere_reads_the_installed_settings(tmp_path):
    got = _probe(VOILA_PROBE, tmp_path)
    want = SETTINGS["VoilaConfiguration"]
    assert got["root_dir"] == str(APPS_DIR)
    for key in ("template", "show_tracebacks", "preheat_kernel", "default_pool_size", "extension_allowlist",
                "file_allowlist", "file_denylist", "allow_template_override"):
        assert got[key] == want[key], key
    assert got["connection"] == SETTINGS["Voila"]["kernel_websocket_connection_class"]
    assert got["cull_idle_timeout"] == SETTINGS["MappingKernelManager"]["cull_idle_timeout"]
    assert any(Path(p).name == "cmv-offline" for p in got["template_paths"]), got["template_paths"]


def test_jupyter_server_started_elsewhere_reads_the_installed_settings(tmp_path):
    got = _probe(SERVER_PROBE, tmp_path)
    culling = SERVER_SETTINGS["MappingKernelManager"]
    assert got["voila"], "Voilà is not a server extension of jupyter server"
    assert (got["cull_idle_timeout"], got["cull_interval"], got["cull_connected"]) == (
        culling["cull_idle_timeout"], culling["cull_interval"], culling["cull_connected"])
    assert got["connection"] == SERVER_SETTINGS["ServerApp"]["kernel_websocket_connection_class"]
    assert culling == SETTINGS["MappingKernelManager"], "the two routes must cull alike"


@pytest.fixture(scope="module")
def apps_with_a_failing_cell(tmp_path_factory) -> Path:
    """A served folder: one real app and a notebook whose cell raises (its message must not be shown)."""
    root = tmp_path_factory.mktemp("apps")
    shutil.copy(APPS_DIR / "regimen_selector.ipynb", root)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Boom"),
                                         nbformat.v4.new_code_cell(f"raise RuntimeError({BOOM!r})")])
    nbformat.write(nb, root / "boom.ipynb")
    return root


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


@contextlib.contextmanager
def jupyter_server(root: Path, cwd: Path):
    """``jupyter server`` on ``root`` (token ``t``), started in ``cwd`` with no config option."""
    port = free_port()
    log = cwd / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "jupyter_server", "--allow-root", "--no-browser",
                                 f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=t",
                                 f"--ServerApp.root_dir={root}"], cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            with contextlib.suppress(OSError):
                if _get(port, "/api/status?token=t")[0] == 200:
                    break
            time.sleep(0.25)
        yield port
    finally:
        _stop(proc)


def test_server_extension_serves_the_classroom_template_without_tracebacks(apps_with_a_failing_cell, tmp_path):
    with jupyter_server(apps_with_a_failing_cell, tmp_path) as port:
        status, app = _get(port, "/voila/render/regimen_selector.ipynb?token=t")
        assert status == 200 and 'class="cmv-nav"' in app, "not the cmv-offline template"
        assert "cdn.jsdelivr" not in app and "fontawesome" not in app.lower()
        status, boom = _get(port, "/voila/render/boom.ipynb?token=t")
        assert status == 200 and HIDDEN in boom and BOOM not in boom
        assert _get(port, "/voila/files/regimen_selector.ipynb?token=t")[0] == 403    # file_denylist
        assert _get(port, "/voila/render/regimen_selector.ipynb?template=lab&token=t")[1].count("cdn.jsdelivr") == 0


def test_standalone_voila_hides_a_failing_cells_traceback(apps_with_a_failing_cell):
    with voila_server(root=apps_with_a_failing_cell) as server:
        status, boom = _get(server.port, "/voila/render/boom.ipynb")
        assert status == 200 and HIDDEN in boom and BOOM not in boom


def test_a_wheel_of_the_project_carries_the_classroom_files(tmp_path):
    src = tmp_path / "src"    # a copy: setuptools builds in the source tree
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "cmvlib", "voila"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, src / name)  # type: ignore[operator]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(tmp_path), str(src)], check=True, cwd=tmp_path,
                   capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("cmvlib-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        data = {n.split(".data/data/", 1)[1]: zf.read(n) for n in zf.namelist() if ".data/data/" in n}
        assert "cmvlib/voila_server.py" in zf.namelist()
    template = CONFIG_DIR / "templates" / "cmv-offline"
    want = {"etc/jupyter/voila.json": CONFIG_DIR / "voila.json",
            "etc/jupyter/jupyter_server_config.json": CONFIG_DIR / "jupyter_server_config.json",
            **{f"share/jupyter/voila/templates/cmv-offline/{p.relative_to(template).as_posix()}": p
               for p in template.rglob("*") if p.is_file()}}
    assert set(data) == set(want)
    assert all(data[k] == p.read_bytes() for k, p in want.items())


def test_binder_installs_the_project_and_proxies_the_classroom_voila():
    binder = ROOT / "binder"
    reqs = (binder / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements.txt" in reqs and "-c ../constraints.txt" in reqs
    assert any(r.startswith("jupyter-server-proxy==") for r in reqs)
    post = (binder / "postBuild").read_text()
    assert os.access(binder / "postBuild", os.X_OK) and "pip install --no-deps ." in post and "-e ." not in post
    config = {}
    exec((binder / "jupyter_server_config.py").read_text(), {"get_config": lambda: _Config(config)})
    command = config["servers"]["classroom"]["command"]
    assert command[0] == "voila" and command[-1] == "book/apps" and "--port={port}" in command
    assert not [a for a in command if "config_file_paths" in a or "template" in a]   # the installed settings


class _Config:
    """Enough of traitlets' config object for ``c.ServerProxy.servers = ...``."""

    def __init__(self, store: dict) -> None:
        self.ServerProxy = type("Section", (), {"__setattr__": lambda _self, k, v: store.__setitem__(k, v)})()
