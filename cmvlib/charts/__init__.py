"""Charts of the CMV textbook, built as plain Plotly figure dicts (no plotly.py needed).

Every chart function returns ``{"data": [...], "layout": {...}}`` that plotly.js draws directly, so the same
code runs in the book, in Voilà and in the reader's browser (Pyodide), where plotly.py is not shipped. Show
one with :func:`cmvlib.display.show`. What a reader may vary is precomputed as Plotly sliders or menus, so
the charts stay interactive in the static HTML book.

Each chart has a caption (``layout.meta["caption"]``, also :func:`caption`) and a text alternative: a
``*_table`` function returning one row (a dict) per plotted item, and :func:`table_html` for an accessible
HTML table.

>>> from cmvlib import charts
>>> fig = charts.viral_load_figure(50_000)
>>> sorted(fig)
['data', 'layout']
>>> "Illustrative model, not a prediction" in fig["layout"]["title"]["subtitle"]["text"]
True
"""
from __future__ import annotations

from .course_chart import (course_caption, course_figure, course_table, course_table_html, dose_segments,
                           phase_spans)
from .style import ILLUSTRATIVE, OKABE_ITO, SERIES_COLORS
from .text import caption, description, table_html
from .toxicity_timeline import (monitoring_events, toxicity_caption, toxicity_panel, toxicity_table,
                                toxicity_table_html, toxicity_timeline_figure)
from .viral_load import (DEFAULT_HALF_LIVES, viral_load_caption, viral_load_figure, viral_load_model,
                         viral_load_table, viral_load_table_html)

__all__ = [
    "ILLUSTRATIVE", "OKABE_ITO", "SERIES_COLORS", "caption", "description", "table_html",
    "DEFAULT_HALF_LIVES", "viral_load_caption", "viral_load_figure", "viral_load_model", "viral_load_table",
    "viral_load_table_html", "monitoring_events", "toxicity_caption", "toxicity_panel", "toxicity_table",
    "toxicity_table_html", "toxicity_timeline_figure", "course_caption", "course_figure", "course_table",
    "course_table_html", "dose_segments", "phase_spans",
]
