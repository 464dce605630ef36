"""The monitoring-schedule calculator, declared once: which test on which date, why and from which source
(:func:`cmvlib.monitoring.monitoring_schedule`), with the course's toxicity timeline as its chart
(:func:`cmvlib.charts.toxicity_timeline_figure`, an illustrative model) and the chart's table.

>>> out = MONITORING.evaluate({"drug": "ganciclovir", "start": "2026-03-02"})
>>> "2026-03-09" in out.html, out.figure is not None, "<table" in out.table
(True, True, True)
>>> list(MONITORING.evaluate({"start": "next monday"}).errors)
['start']
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..charts import toxicity_table_html, toxicity_timeline_figure
from ..monitoring import monitoring_notes, monitoring_schedule
from ..ui.render import render_monitoring
from .declare import Chart, Declaration, Field, register
from .values import whole_or_text

DRUG = Field("drug", "Drug", "choice", widget="dropdown", default="ganciclovir",
             options=tuple((d, d) for d in ("ganciclovir", "valganciclovir", "foscarnet", "cidofovir")))
START = Field("start", "Start date", "date", prompt="Start date (day 0)")
INDUCTION = Field("induction_days", "Induction", unit="days", default="14")
MAINTENANCE = Field("maintenance_days", "Maintenance", unit="days", default="0")
RETINITIS = Field("retinitis", "Retinitis (adds eye examination)", "flag", default="false")


def course(read: Mapping[str, Any]) -> tuple[str, object, object]:
    """The drug and the phase lengths as the core takes them."""
    return read["drug"], whole_or_text(read["induction_days"]), whole_or_text(read["maintenance_days"])


def compute(read: Mapping[str, Any]) -> str:
    drug, induction, maintenance = course(read)
    events = monitoring_schedule(drug, read["start"], induction, maintenance, retinitis=read["retinitis"])
    return render_monitoring(events, monitoring_notes(drug, read["retinitis"]))


def chart(read: Mapping[str, Any]) -> Chart:
    return (toxicity_timeline_figure(*course(read), retinitis=read["retinitis"]),
            toxicity_table_html(*course(read), retinitis=read["retinitis"]))


MONITORING = register(Declaration(
    name="monitoring",
    title="Monitoring schedule",
    fields=(DRUG, START, INDUCTION, MAINTENANCE, RETINITIS),
    compute=compute,
    chart=chart,
))
