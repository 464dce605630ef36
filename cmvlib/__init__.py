"""cmvlib — the sourced logic behind an open textbook on treating disseminated CMV infection.

For education, not for patient care. The core is standard-library Python (it also runs in Pyodide);
Plotly and ipywidgets live only in the presentation modules (``cmvlib.charts``, ``cmvlib.ui``).

>>> import cmvlib
>>> p = cmvlib.Patient(age_years=68, sex="male", weight_kg=70, serum_creatinine_mg_dl=1.01)
>>> cmvlib.dose("ganciclovir", "induction", p).summary
'175 mg IV every 12 h'
>>> cmvlib.dose("foscarnet", "induction", p, regimen="90q12h").summary
'3500 mg IV every 12 h'
"""
from .cidofovir import cidofovir_schedule
from .dosing import DRUGS, PHASES, dose, foscarnet_hydration
from .errors import InputError
from .immunoglobulin import immunoglobulin_for_pneumonitis
from .patient import Patient
from .result import DoseResult, Hydration

__version__ = "0.1.0"
__all__ = ["DRUGS", "PHASES", "DoseResult", "Hydration", "InputError", "Patient", "cidofovir_schedule", "dose",
           "foscarnet_hydration", "immunoglobulin_for_pneumonitis"]
