"""A classroom server must not be a remote shell and must serve nothing but the apps.

- A client that opens a running app's kernel websocket and sends ``execute_request`` (on any channel)
  gets nothing executed: the code would create a file, and the file never appears. The same socket
  does answer a ``kernel_info_request``, so the silence is Voilà dropping the message, not a dead socket.
- Paths outside book/apps (``..`` in every spelling, the Jupyter APIs, the notebooks' own sources, the
  wiring module, the config) are not served.
- Closing an app's tab shuts its kernel down (the template's page-hide beacon).
"""
from __future__ import annotations

import http.client
import json
import time
import urllib.request
from pathlib import Path

import pytest
import websocket   # websocket-client

from voilautil import kernel_id_of, kernel_message

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _render(voila, app: str = "regimen_selector") -> str:
    with urllib.request.urlopen(voila.app_url(app), timeout=60) as r:
        return r.read().decode()


def _replies(ws, seconds: float) -> list[dict]:
    out, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        ws.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            raw = ws.recv()
        except websocket.WebSocketTimeoutException:
            break
        if isinstance(raw, str):
            out.append(json.loads(raw))
    return out


def test_execute_request_over_the_kernel_websocket_runs_nothing(voila, tmp_path):
    kernel = kernel_id_of(_render(voila))
    ws = websocket.create_connection(voila.channels_url(kernel), timeout=10)
    try:
        ws.send(kernel_message("kernel_info_request", "shell", {}))
        assert any(m["header"]["msg_type"] == "kernel_info_reply" for m in _replies(ws, 5)), \
            "the kernel channel does not answer at all: the test below would prove nothing"
        targets = []
        for channel in ("shell", "control", "iopub", "stdin"):
            target = tmp_path / f"pwned-{channel}"
            targets.append(target)
            code = f"open({str(target)!r}, 'w').write('executed')"
            ws.send(kernel_message("execute_request", channel, {"code": code, "silent": False, "store_history": True,
                                                      "user_expressions": {}, "allow_stdin": False,
                                                      "stop_on_error": True}))
        for other in ("inspect_request", "complete_request", "history_request"):
            ws.send(kernel_message(other, "shell", {"code": "import os", "cursor_pos": 9, "detail_level": 0,
                                          "hist_access_type": "tail", "n": 5, "output": True, "raw": True}))
        replies = _replies(ws, 4)
    finally:
        ws.close()
    assert not [m for m in replies if m["header"]["msg_type"] in ("execute_reply", "execute_input",
                                                                  "inspect_reply", "complete_reply", "history_reply")]
    assert [t for t in targets if t.exists()] == []


def test_no_traceback_reaches_the_page(voila):
    html = _render(voila, "dosing_workbench")
    assert "Traceback" not in html and "show_tracebacks" not in html


# --------------------------------------------------------------------------------------- paths
SECRETS = {
    "README.md": "Treating disseminated CMV infection",
    "cmvlib/patient.py": "class Patient",
    "voila/voila.json": "MappingKernelManager",
    "cmvlib/ui/apps.py": "def apply_url_presets",
    "book/apps/dosing_workbench.ipynb": '"cell_type"',
    "pyproject.toml": "[project]",
}

PATHS = [
    "/voila/files/../README.md", "/voila/files/%2e%2e/README.md", "/voila/files/..%2fREADME.md",
    "/voila/files/%2e%2e%2f%2e%2e%2fREADME.md", "/voila/files/....//README.md",
    "/voila/files/../../cmvlib/ui/apps.py", "/voila/files/dosing_workbench.ipynb", "/voila/files/%2Fwork%2Fmain%2FREADME.md",
    "/voila/render/../../cmvlib/patient.py", "/voila/render/%2e%2e/%2e%2e/cmvlib/patient.py",
    "/voila/render/..%2f..%2fcmvlib%2fpatient.py", "/voila/render/%2e%2e/%2e%2e/cmvlib/ui/apps.py",
    "/voila/tree/..", "/voila/tree/%2e%2e", "/voila/tree/../..", "/voila/tree/%2e%2e/%2e%2e/cmvlib",
    "/api/contents", "/api/contents/README.md", "/api/contents/../README.md", "/api/files/README.md",
    "/voila/api/contents/..", "/voila/api/contents/%2e%2e", "/voila/api/contents/../README.md",
    "/voila/api/contents/../cmvlib/ui/apps.py?content=1&format=text",
    "/files/README.md", "/notebooks/dosing_workbench.ipynb", "/tree/..", "/edit/README.md",
    "/voila/static/../../../README.md", "/voila/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/README.md",
    "/voila/templates/cmv-offline/../../voila.json", "/voila/templates/cmv-offline/%2e%2e/%2e%2e/voila.json",
    "/voila/templates/cmv-offline/conf.json", "/voila/templates/cmv-offline/index.html.j2",
    "/voila/labextensions/../../../../../README.md", "/voila/api/themes/%2e%2e/%2e%2e/README.md",
    "/api/kernels", "/api/sessions", "/api/terminals", "/terminals/1", "/lab", "/doc",
]


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


@pytest.mark.parametrize("path", PATHS)
def test_paths_outside_the_apps_are_not_served(voila, path):
    status, body = _get(voila.port, path)
    leaked = [name for name, marker in SECRETS.items() if marker in body]
    assert not leaked, f"{path} -> {status} served {leaked}"
    assert status != 200 or path in ("/voila/tree/..", "/voila/tree/%2e%2e"), f"{path} -> {status}"


def test_contents_api_gives_names_of_app_notebooks_only(voila):
    """The tree page's contents API lists the app notebooks (names, no sources)."""
    status, body = _get(voila.port, "/voila/api/contents")
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    assert names and all(n.endswith(".ipynb") for n in names), names
    for query in ("", "?content=1", "?content=1&format=text"):
        status, body = _get(voila.port, "/voila/api/contents/dosing_workbench.ipynb" + query)
        assert status == 200 and json.loads(body)["content"] is None, query


def test_closing_the_tab_shuts_the_kernel_down(voila, browser):
    page = browser.new_page()
    page.goto(voila.app_url("regimen_selector"))
    page.wait_for_selector(".cmv-calculator")
    kernel = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    page.wait_for_function("() => document.cookie.includes('_xsrf=')", timeout=10_000)
    assert _get(voila.port, f"/api/kernels/{kernel}")[0] == 200
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 15
    while _get(voila.port, f"/api/kernels/{kernel}")[0] == 200 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert _get(voila.port, f"/api/kernels/{kernel}")[0] == 404
