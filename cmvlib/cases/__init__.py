"""Virtual-patient cases: a case is data (``cmvlib/data/cases/<id>.json``, validated by :mod:`.schema`) played by a
pure state machine (:mod:`.engine`) whose doses come only from :func:`cmvlib.dose`. Standard library only.

>>> from cmvlib import cases
>>> "declining-renal" in cases.names()
True
"""
from .engine import (Feedback, State, case_of, choose, debrief, event_text, label_dose, options, patient_on, replay,
                     start)
from .schema import Case, load_case, names
from .status import status

__all__ = ["Case", "Feedback", "State", "case_of", "choose", "debrief", "event_text", "label_dose", "load_case",
           "names", "options", "patient_on", "replay", "start", "status"]
