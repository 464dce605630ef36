"""Text alternatives for charts: captions, accessible HTML tables and number formatting.

Every chart module has a ``*_table(...)`` function returning one dict per plotted item (the keys are the
column headings, in order); :func:`table_html` turns such rows into an HTML ``<table>`` with a
``<caption>`` and column headers (``<th scope="col">``); the first cell of each row is its row header.

>>> rows = [{"Item": "LLOQ", "Value (IU/mL)": "137"}, {"Item": "Start", "Value (IU/mL)": "10,000"}]
>>> print(table_html(rows, "Viral load <example>"))
<table class="cmv-table">
<caption>Viral load &lt;example&gt;</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Value (IU/mL)</th></tr></thead>
<tbody>
<tr><th scope="row">LLOQ</th><td>137</td></tr>
<tr><th scope="row">Start</th><td>10,000</td></tr>
</tbody>
</table>
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any


def table_html(rows: Sequence[Mapping[str, Any]], caption: str) -> str:
    """An accessible HTML table of ``rows`` (a list of dicts with the same keys) titled ``caption``.

    Columns follow the keys of the first row; ``None`` shows as an empty cell. Everything is escaped.

    >>> table_html([], "Nothing drawn")
    '<table class="cmv-table">\\n<caption>Nothing drawn</caption>\\n<tbody>\\n<tr><td>No items.</td></tr>\\n</tbody>\\n</table>'
    """
    esc = html.escape
    out = ['<table class="cmv-table">', f"<caption>{esc(str(caption))}</caption>"]
    if not rows:
        return "\n".join(out + ["<tbody>", "<tr><td>No items.</td></tr>", "</tbody>", "</table>"])
    columns = list(rows[0])
    out.append("<thead><tr>" + "".join(f'<th scope="col">{esc(str(c))}</th>' for c in columns) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = ["" if row.get(c) is None else esc(str(row.get(c))) for c in columns]
        out.append("<tr>" + f'<th scope="row">{cells[0]}</th>' + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def caption(figure: Mapping[str, Any]) -> str:
    """The caption a cmvlib chart carries in ``layout.meta["caption"]``.

    >>> caption({"data": [], "layout": {"meta": {"caption": "A chart."}}})
    'A chart.'
    """
    return str(figure.get("layout", {}).get("meta", {}).get("caption", ""))


def description(figure: Mapping[str, Any]) -> str:
    """The one-sentence description a cmvlib chart carries in ``layout.meta["description"]``."""
    return str(figure.get("layout", {}).get("meta", {}).get("description", ""))


def fmt_number(x: float, decimals: int = 1) -> str:
    """``x`` with at most ``decimals`` decimals, trailing zeros dropped, thousands separated.

    >>> fmt_number(9.4999), fmt_number(10.0), fmt_number(12345.678, 0), fmt_number(0.04, 1)
    ('9.5', '10', '12,346', '0')
    """
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_days(x: float, decimals: int = 1) -> str:
    """``'1 day'``, ``'9.5 days'``.

    >>> fmt_days(1.0), fmt_days(9.46)
    ('1 day', '9.5 days')
    """
    text = fmt_number(x, decimals)
    return f"{text} day" if text == "1" else f"{text} days"


def fmt_iu(x: float) -> str:
    """A viral load in IU/mL for reading: whole numbers with separators, small values with 2 significant digits.

    >>> fmt_iu(137.0), fmt_iu(1234567.8), fmt_iu(3.25)
    ('137', '1,234,568', '3.2')
    """
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2g}"
