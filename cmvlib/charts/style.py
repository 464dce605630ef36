"""The look shared by every cmvlib chart: palette, line styles, fonts and a theme-neutral layout.

Charts are plain Plotly figure dicts built with the standard library only (no plotly.py), so the same
code runs on a server, in Voilà and in the reader's browser (Pyodide).

- Colors come from the Okabe-Ito palette, which stays distinguishable with the common color-vision
  deficiencies. Pure black (unreadable on a dark page) and yellow (unreadable on a white page) are kept
  for fills only, never for lines or text.
- No meaning is carried by color alone: each series also has its own line dash or marker symbol.
- Backgrounds are transparent and grid lines are translucent gray, so a figure reads on the book's light
  and dark themes. The text color is a middle gray that keeps a 4.5:1 contrast on white and on black;
  ``layout.meta["themes"]`` carries relayout dicts a page may apply to switch the text to its theme's
  color (e.g. ``Plotly.relayout(div, meta.themes.dark)``).

>>> OKABE_ITO["blue"], OKABE_ITO["vermillion"]
('#0072B2', '#D55E00')
>>> rgba(OKABE_ITO["bluish_green"], 0.2)
'rgba(0,158,115,0.2)'
>>> base_layout("Title", "x (days)", "y (IU/mL)")["paper_bgcolor"]
'rgba(0,0,0,0)'
"""
from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

#: The Okabe-Ito color-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008).
OKABE_ITO = MappingProxyType({
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
})
#: Colors used for lines, markers and bars, in order (legible on light and dark backgrounds).
SERIES_COLORS: tuple[str, ...] = tuple(OKABE_ITO[k] for k in (
    "blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue"))
#: Line dashes paired with the series colors, so that a series is told apart without color.
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
#: Marker symbols paired with the series colors.
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star",
                            "triangle-down", "cross", "pentagon", "hexagon")
#: Bar fill patterns (Plotly ``marker.pattern.shape``) paired with the series colors.
PATTERNS: tuple[str, ...] = ("", "/", "x", ".", "\\", "+", "-", "|")

#: Middle gray: contrast 4.6:1 on white and 4.6:1 on black (WCAG AA for normal text on both).
TEXT_GREY = "#767676"
GRID_GREY = "rgba(128,128,128,0.30)"
LINE_GREY = "rgba(128,128,128,0.60)"
TRANSPARENT = "rgba(0,0,0,0)"
FONT_FAMILY = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
               "'Noto Sans', 'Liberation Sans', sans-serif")
FONT_SIZE = 14

#: Relayout dicts a page may apply to follow its theme (text color only; the rest is neutral).
THEMES = MappingProxyType({
    "light": {"font.color": "#303030"},
    "dark": {"font.color": "#E0E0E0"},
})

#: Height of one row of a timeline panel (bars or markers) and of the label above it, in pixels.
ROW_PX = 48
#: Thickness of a timeline bar, as a fraction of its row (the label sits in the rest of the row).
BAR_WIDTH = 0.5
#: Characters per line of text placed inside a figure: fits a phone (about 390 px wide) at 12-13 px.
NOTE_CHARS = 50
#: Height of one line of legend or note text, in pixels.
LINE_PX = 21

#: The words every illustrative model carries inside its figure.
ILLUSTRATIVE = "Illustrative model, not a prediction"


def color(i: int) -> str:
    """Series color number ``i`` (cycling).

    >>> color(0), color(6)
    ('#0072B2', '#0072B2')
    """
    return SERIES_COLORS[i % len(SERIES_COLORS)]


def rgba(hex_colour: str, alpha: float) -> str:
    """``'#RRGGBB'`` as a CSS ``rgba()`` string with opacity ``alpha``."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:g})"


def axis(title: str, **extra: Any) -> dict[str, Any]:
    """An axis with a title (which should name the unit) and neutral grid lines."""
    out: dict[str, Any] = {
        "title": {"text": title},
        "gridcolor": GRID_GREY,
        "linecolor": LINE_GREY,
        "zerolinecolor": GRID_GREY,
        "showline": True,
        "ticks": "outside",
        "tickcolor": LINE_GREY,
        "automargin": True,
    }
    out.update(extra)
    return out


def base_layout(title: str, x_title: str, y_title: str, *, subtitle: str = "", height: int = 520,
                description: str = "", caption: str = "") -> dict[str, Any]:
    """The layout shared by every chart: transparent background, readable font, titled axes.

    ``description`` (one sentence) and ``caption`` go to ``layout.meta`` together with :data:`THEMES`.
    """
    title_obj: dict[str, Any] = {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 18},
                                 "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}}
    if subtitle:
        title_obj["subtitle"] = {"text": subtitle, "font": {"size": 14}}
    return {
        "title": title_obj,
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT_GREY},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "autosize": True,
        "height": height,
        "margin": {"l": 70, "r": 30, "t": 90, "b": 60},
        "xaxis": axis(x_title),
        "yaxis": axis(y_title),
        "legend": {"bgcolor": TRANSPARENT, "orientation": "h", "x": 0, "xanchor": "left",
                   "y": -0.18, "yanchor": "top"},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "hovermode": "closest",
        "separators": ".,",
        "meta": {"description": description, "caption": caption,
                 "themes": {k: dict(v) for k, v in THEMES.items()}},
    }


def control_style() -> dict[str, Any]:
    """Colors for sliders and menus that read on light and dark pages."""
    return {"bgcolor": "rgba(128,128,128,0.25)", "bordercolor": LINE_GREY}


def wrap(text: str, width: int = NOTE_CHARS, indent: str = "") -> list[str]:
    """``text`` escaped for Plotly (which reads a few HTML tags) and wrapped into lines of ``width`` characters.

    >>> wrap("ANC < 500 cells/uL: do not start", 20)
    ['ANC &lt; 500 cells/uL:', 'do not start']
    """
    return [html.escape(x, quote=False) for x in textwrap.wrap(text, width, subsequent_indent=indent)] or [""]


def row_labels(labels: Sequence[str], yref: str = "y", font_size: int = 12) -> list[dict[str, Any]]:
    """Annotations that name each row of a categorical timeline panel *above* its bar or markers.

    Labels sit at the left edge of the plot area, in the half row above the bar (bars are
    :data:`BAR_WIDTH` of a :data:`ROW_PX` row), so they need no left margin and the plot keeps its width on a
    phone. Row ``i`` is category number ``i`` of the axis ``yref``.

    >>> [(a["y"], a["text"], a["yshift"]) for a in row_labels(["neutropenia", "Test: CBC"])]
    [(0, 'neutropenia', 13.0), (1, 'Test: CBC', 13.0)]
    """
    shift = BAR_WIDTH * ROW_PX / 2 + 1
    return [{"name": f"row_{i}", "text": html.escape(label, quote=False), "xref": "paper", "yref": yref, "x": 0,
             "y": i, "xanchor": "left", "yanchor": "bottom", "yshift": shift, "showarrow": False,
             "align": "left", "font": {"size": font_size}} for i, label in enumerate(labels)]


def legend_below(entries: int) -> tuple[dict[str, Any], int]:
    """A horizontal legend at the bottom of the figure, and the most pixels it may need there.

    Anchored to the figure (``xref`` and ``yref`` = ``"container"``), plotly.js reserves the legend's actual
    height at the bottom of the figure and shrinks the plot to fit, so the legend can neither overlap the
    plot, the axis titles nor the title, at any page width. Its entries wrap onto more lines on a narrow page:
    the returned height is for the narrowest (one entry per line); add it to the figure's height, not to its
    bottom margin.

    >>> legend, px = legend_below(3)
    >>> legend["yref"], legend["y"], legend["yanchor"], legend["orientation"], px
    ('container', 0, 'bottom', 'h', 73)
    """
    legend = {"bgcolor": TRANSPARENT, "orientation": "h", "x": 0.01, "xanchor": "left", "xref": "container",
              "y": 0, "yanchor": "bottom", "yref": "container", "font": {"size": 13},
              "tracegroupgap": 0}
    return legend, entries * LINE_PX + 10
