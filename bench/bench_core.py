"""Figures for the core library (not a test): `import cmvlib` time and one `dose()` call.

Run: `make bench` (or `.venv/bin/python bench/bench_core.py`). Prints medians with min/max.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import timeit


def import_time_ms(runs: int = 15) -> list[float]:
    code = "import time; t=time.perf_counter(); import cmvlib; print((time.perf_counter()-t)*1000)"
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(runs)]


def dose_time_us(repeat: int = 7, number: int = 2000) -> list[float]:
    setup = ("import cmvlib; p = cmvlib.Patient(age_years=68, sex='male', weight_kg=70, serum_creatinine_mg_dl=1.01);"
             "cmvlib.dose('ganciclovir', 'induction', p)")
    times = timeit.repeat("cmvlib.dose('ganciclovir', 'induction', p)", setup=setup, repeat=repeat, number=number)
    return [t / number * 1e6 for t in times]


def patient_and_dose_time_us(repeat: int = 7, number: int = 2000) -> list[float]:
    stmt = ("cmvlib.dose('foscarnet', 'induction', cmvlib.Patient(age_years=68, sex='male', weight_kg=70, "
            "serum_creatinine_mg_dl=1.01), regimen='90q12h')")
    times = timeit.repeat(stmt, setup="import cmvlib", repeat=repeat, number=number)
    return [t / number * 1e6 for t in times]


def line(name: str, values: list[float], unit: str) -> str:
    return f"{name:<44} median {statistics.median(values):8.1f} {unit}  (min {min(values):.1f}, max {max(values):.1f}, n={len(values)})"


if __name__ == "__main__":
    print(line("import cmvlib (fresh interpreter)", import_time_ms(), "ms"))
    print(line("dose('ganciclovir', 'induction', p)", dose_time_us(), "µs"))
    print(line("Patient(...) + dose('foscarnet', ...)", patient_and_dose_time_us(), "µs"))
