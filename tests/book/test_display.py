"""cmvlib.display: one figure, two representations, no plotly.js inside, deterministic output."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from cmvlib import display

FIG = {
    "data": [{"type": "scatter", "x": [0, 1, 2], "y": [5.0, 4.0, 3.0], "name": "VL"}],
    "layout": {"title": {"text": "t"}, "sliders": [{"steps": [{"label": "a", "method": "restyle", "args": [{"y": [[1, 2, 3]]}]}]}]},
}


def test_bundle_has_plotly_json_and_html():
    bundle = display.mimebundle(FIG)
    assert set(bundle) == {display.PLOTLY_MIME, "text/html"}
    assert bundle[display.PLOTLY_MIME]["data"] == FIG["data"]
    assert bundle[display.PLOTLY_MIME]["layout"] == FIG["layout"]


def test_html_draws_with_the_page_plotly_without_loading_it():
    html = display.mimebundle(FIG)["text/html"]
    assert 'class="plotly-graph-div cmv-plotly"' in html
    assert "Plotly.newPlot" in html and "cmvPlotly.draw" in html
    assert " src=" not in html and "plotly.min.js" not in html and "cdn" not in html.lower()
    assert len(html) < 5_000  # the figure JSON only; plotly.js is 4.8 MB


def test_html_carries_the_same_figure_json():
    html = display.mimebundle(FIG)["text/html"]
    payload = re.search(r"figure = (\{.*\});\n", html).group(1)
    assert json.loads(payload) == display.figure_dict(FIG)


def test_ids_are_deterministic_per_process():
    """Same figures in the same order give the same HTML in a fresh interpreter (nbval compares)."""
    code = (
        "from cmvlib import display;"
        "print(display.mimebundle({'data': [{'y': [1]}]})['text/html']);"
        "print(display.mimebundle({'data': [{'y': [1]}]})['text/html'])"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    ids = re.findall(r'id="(cmv-fig-[0-9a-f]{10}-\d+)"', runs[0])
    assert len(ids) == 2 and ids[0] != ids[1]  # two identical figures on a page still get two divs


def test_unsafe_text_cannot_close_the_script():
    fig = {"data": [{"type": "scatter", "y": [1], "name": "</script><script>alert(1)</script>"}]}
    html = display.mimebundle(fig)["text/html"]
    assert html.count("</script>") == 1


def test_non_finite_numbers_become_null():
    fig = {"data": [{"type": "scatter", "y": [1.0, float("nan"), float("inf")]}]}
    assert display.figure_dict(fig)["data"][0]["y"] == [1.0, None, None]
    json.loads(re.search(r"figure = (\{.*\});\n", display.mimebundle(fig)["text/html"]).group(1))


def test_extra_keys_dropped_missing_layout_added():
    assert display.figure_dict({"data": [], "junk": 1}) == {"data": [], "layout": {}}


def test_frames_and_config_kept():
    fig = {"data": [], "layout": {}, "frames": [{"name": "f", "data": [{"y": [1]}]}], "config": {"displaylogo": False}}
    out = display.figure_dict(fig)
    assert out["frames"] == fig["frames"] and out["config"] == fig["config"]


def test_height_from_layout_or_default():
    assert "height:300px" in display.figure_html({"data": [], "layout": {"height": 300}}, "x")
    assert f"height:{display.DEFAULT_HEIGHT_PX}px" in display.figure_html({"data": [], "layout": {}}, "x")


@pytest.mark.parametrize("bad", ["fig", 3, None, ["data"], {"data": "not a list"}])
def test_bad_figures_raise_type_error(bad):
    with pytest.raises(TypeError):
        display.mimebundle(bad)


def test_plotly_figure_accepted():
    go = pytest.importorskip("plotly.graph_objects")
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    out = display.figure_dict(fig)
    assert out["data"][0]["y"] == [3, 4] and out["data"][0]["type"] == "scatter"
    assert "template" in out["layout"]


def test_show_displays_the_raw_bundle(monkeypatch):
    import IPython.display

    seen = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: seen.append((obj, raw)))
    display.show(FIG)
    (bundle, raw), = seen
    assert raw is True and set(bundle) == {display.PLOTLY_MIME, "text/html"}


def test_importing_display_imports_neither_ipython_nor_plotly():
    code = "import sys, cmvlib.display; print(any(m.split('.')[0] in ('IPython', 'plotly') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
