"""Monitoring-schedule calculator: the ipywidgets binding of :data:`cmvlib.calc.monitoring.MONITORING` (dated
tests for one course, and the course's toxicity timeline as its chart)."""
from __future__ import annotations

import datetime
from typing import Any

from ..calc.monitoring import MONITORING
from ._base import Calculator


class MonitoringCalculator(Calculator):
    """Which test on which date, why, and from which source; notes for advice without an interval.

    Presets: ``drug``, ``start`` (a date or ``"2026-03-02"``; today when not given), ``induction_days``,
    ``maintenance_days``, ``retinitis``.
    """

    TITLE = MONITORING.title
    DECLARATION = MONITORING.name

    def __init__(self, **presets: Any) -> None:
        self._setup()
        rows = [self._declared(f, datetime.date.today() if f.name == "start" else None) for f in MONITORING.fields]
        self._finish(rows, presets)


def monitoring_calculator(**presets: Any) -> MonitoringCalculator:
    """The monitoring calculator (``monitoring_calculator(drug="foscarnet", maintenance_days=28)``)."""
    return MonitoringCalculator(**presets)
