"""Showing a Plotly figure on every surface the book uses (presentation layer).

:func:`show` displays one MIME bundle with two representations of the same figure:

- ``application/vnd.plotly.v1+json``: the figure JSON. JupyterLab, Voilà and JupyterLite
  (Pyodide) render it with their Plotly extension. This replaces ``fig.show()``, which needs
  nbformat and fails in Pyodide.
- ``text/html``: a ``<div class="plotly-graph-div cmv-plotly">`` and a script that draws the figure
  with a plotly.js the page already has. It does **not** embed plotly.js (4.8 MB): the book's
  extension (``book/_ext/offline_assets.py``) adds the self-hosted copy to each page with a figure.
  Jupyter Book renders this one (it cannot render the Plotly JSON).

The HTML is deterministic (the element id is derived from the figure and a per-process counter),
so notebooks give the same output on every run and nbval can compare them.

The figure may be a plain ``dict`` (figure JSON with ``data``/``layout``/``frames``/``config``), so
chart code in :mod:`cmvlib.charts` need not import plotly, or any object with ``to_plotly_json``
(a ``plotly.graph_objects.Figure``). IPython is imported only when displaying.

Examples
--------
>>> fig = {"data": [{"type": "scatter", "x": [0, 1], "y": [3, 2]}], "layout": {"title": {"text": "t"}}}
>>> bundle = mimebundle(fig)
>>> sorted(bundle)
['application/vnd.plotly.v1+json', 'text/html']
>>> bundle["application/vnd.plotly.v1+json"]["data"][0]["y"]
[3, 2]
>>> "plotly.min.js" in bundle["text/html"] or "cdn" in bundle["text/html"]
False
>>> mimebundle(fig)["text/html"] == mimebundle(fig)["text/html"]   # ids differ per call, not per run
False
"""
from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
from collections.abc import Mapping
from typing import Any

PLOTLY_MIME = "application/vnd.plotly.v1+json"
FIGURE_KEYS = ("data", "layout", "frames", "config")
DEFAULT_HEIGHT_PX = 450

_counter = itertools.count(1)


def figure_dict(figure: Any) -> dict[str, Any]:
    """The figure as a JSON-ready dict with only ``data``, ``layout``, ``frames`` and ``config``.

    Parameters
    ----------
    figure : dict or plotly Figure
        Figure JSON, or an object with ``to_plotly_json()`` / ``to_dict()``.

    Returns
    -------
    dict
        A deep copy that survives ``json.dumps`` (NumPy arrays and the like become lists).

    Raises
    ------
    TypeError
        If ``figure`` is neither a mapping nor a Plotly figure, or has no ``data`` list.

    Examples
    --------
    >>> figure_dict({"data": [{"type": "bar", "y": [1]}], "extra": 1})
    {'data': [{'type': 'bar', 'y': [1]}], 'layout': {}}
    >>> figure_dict("not a figure")
    Traceback (most recent call last):
    ...
    TypeError: show() needs a Plotly figure or its JSON dict, not str
    """
    if isinstance(figure, Mapping):
        raw: Mapping[str, Any] = figure
    elif hasattr(figure, "to_plotly_json"):
        raw = _plotly_json_roundtrip(figure)
    elif hasattr(figure, "to_dict"):
        raw = figure.to_dict()
    else:
        raise TypeError(f"show() needs a Plotly figure or its JSON dict, not {type(figure).__name__}")
    if not isinstance(raw.get("data", []), (list, tuple)):
        raise TypeError("a figure's 'data' must be a list of traces")
    out = {key: raw[key] for key in FIGURE_KEYS if key in raw}
    out.setdefault("data", [])
    out.setdefault("layout", {})
    return json.loads(_dumps(out))


def _plotly_json_roundtrip(figure: Any) -> dict[str, Any]:
    """Serialise a plotly object with plotly's own encoder (handles NumPy and dates)."""
    import plotly.io as pio  # only reached with a plotly object, so plotly is installed

    return json.loads(pio.to_json(figure, validate=False))


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} into a figure's JSON")


def _dumps(value: Any) -> str:
    """Compact, key-sorted JSON; NaN and infinities become ``null`` as Plotly expects."""
    return json.dumps(_finite(value), sort_keys=True, separators=(",", ":"), default=_default, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def figure_html(fig: Mapping[str, Any], div_id: str) -> str:
    """HTML that draws ``fig`` with the page's plotly.js, without loading plotly.js itself.

    On the book's pages it calls ``window.cmvPlotly.draw`` (``book/_static/cmv-plotly.js``, deferred, so the
    call waits for ``DOMContentLoaded``), which fetches plotly.js only when the chart is needed; elsewhere
    (Voilà, JupyterLab) it falls back to the page's ``Plotly.newPlot``.

    Examples
    --------
    >>> out = figure_html({"data": [], "layout": {"height": 300}}, "cmv-fig-x")
    >>> out.startswith('<div id="cmv-fig-x" class="plotly-graph-div cmv-plotly"')
    True
    >>> "height:300px" in out and "<script" in out and " src=" not in out
    True
    """
    height = fig.get("layout", {}).get("height") or DEFAULT_HEIGHT_PX
    payload = _dumps(fig).replace("</", "<\\/")  # never close the <script> early
    ident = json.dumps(div_id)
    return (
        f'<div id="{html.escape(div_id)}" class="plotly-graph-div cmv-plotly" '
        f'style="height:{int(height)}px; width:100%;"></div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        f"  var id = {ident}, figure = {payload};\n"
        "  function draw() {\n"
        "    if (window.cmvPlotly) { window.cmvPlotly.draw(id, figure); return; }\n"
        "    if (window.Plotly) { window.Plotly.newPlot(id, figure); }\n"
        "  }\n"
        '  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }\n'
        "  else { draw(); }\n"
        "})();\n"
        "</script>"
    )


def mimebundle(figure: Any) -> dict[str, Any]:
    """The MIME bundle :func:`show` displays: Plotly JSON plus self-contained-but-plotly.js-free HTML."""
    fig = figure_dict(figure)
    digest = hashlib.sha1(_dumps(fig).encode("utf-8")).hexdigest()[:10]
    div_id = f"cmv-fig-{digest}-{next(_counter)}"
    return {PLOTLY_MIME: fig, "text/html": figure_html(fig, div_id)}


def show(figure: Any) -> None:
    """Display a Plotly figure (dict or ``plotly.graph_objects.Figure``) in the current front end.

    Works in a Jupyter Book build (HTML drawn by the page's self-hosted plotly.js), in JupyterLab
    and Voilà, and in JupyterLite/Pyodide (the ``application/vnd.plotly.v1+json`` bundle).
    """
    from IPython.display import display  # presentation layer only

    display(mimebundle(figure), raw=True)
