"""Monitoring-schedule calculator: dated tests for one course (:func:`cmvlib.monitoring.monitoring_schedule`)."""
from __future__ import annotations

import datetime
from typing import Any

import ipywidgets as widgets

from ..errors import InputError
from ..monitoring import monitoring_notes, monitoring_schedule
from ._base import FIELD_WIDTH, STYLE, Calculator, whole_or_text
from .render import render_monitoring

DRUGS = (("ganciclovir", "ganciclovir"), ("valganciclovir", "valganciclovir"), ("foscarnet", "foscarnet"),
         ("cidofovir", "cidofovir"))


class MonitoringCalculator(Calculator):
    """Which test on which date, why, and from which source; notes for advice without an interval.

    Presets: ``drug``, ``start`` (a date or ``"2026-03-02"``), ``induction_days``, ``maintenance_days``,
    ``retinitis``.
    """

    TITLE = "Monitoring schedule"

    def __init__(self, **presets: Any) -> None:
        self._setup()
        start = widgets.DatePicker(value=datetime.date.today(), description="Start date (day 0)", style=STYLE,
                                   layout=widgets.Layout(width=FIELD_WIDTH, max_width="100%"))
        rows = [self._dropdown("drug", "Drug", DRUGS), self._add("start", start, "Start date"),
                self._text("induction_days", "Induction", "days", value=14),
                self._text("maintenance_days", "Maintenance", "days", value=0),
                self._checkbox("retinitis", "Retinitis (adds eye examination)")]
        self._finish(rows, presets)

    def _course(self) -> tuple[str, object, object]:
        f = self.fields
        return f["drug"].value, whole_or_text(f["induction_days"].value), whole_or_text(f["maintenance_days"].value)

    def figure(self) -> dict[str, Any] | None:
        """The toxicity timeline (:func:`cmvlib.charts.toxicity_timeline_figure`) of this course, with its
        monitoring days; ``None`` while the input is invalid."""
        from ..charts import toxicity_timeline_figure

        try:
            return toxicity_timeline_figure(*self._course(), retinitis=self.fields["retinitis"].value)
        except InputError:
            return None

    def figure_table_html(self) -> str:
        """The chart's text alternative (:func:`cmvlib.charts.toxicity_table_html`); empty while invalid."""
        from ..charts import toxicity_table_html

        try:
            return toxicity_table_html(*self._course(), retinitis=self.fields["retinitis"].value)
        except InputError:
            return ""

    def compute(self) -> str:
        f = self.fields
        drug, retinitis = f["drug"].value, f["retinitis"].value
        events = monitoring_schedule(drug, f["start"].value, whole_or_text(f["induction_days"].value),
                                     whole_or_text(f["maintenance_days"].value), retinitis=retinitis)
        return render_monitoring(events, monitoring_notes(drug, retinitis))


def monitoring_calculator(**presets: Any) -> MonitoringCalculator:
    """The monitoring calculator (``monitoring_calculator(drug="foscarnet", maintenance_days=28)``)."""
    return MonitoringCalculator(**presets)
