"""Cold-start import cost: `main` and each entry point's module, in fresh processes (median of 5),
beside the floor of functions_framework + jinja2 alone. Also what a first request adds
(the adapters its backends need)."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "floor: functions_framework + jinja2": ["functions_framework", "jinja2"],
    "main": ["main"],
    "main + followup_daily entry": ["main", "functions.entrypoints.http.scheduled", "functions.followup.job"],
    "main + escalate_sync entry": ["main", "functions.entrypoints.http.scheduled", "functions.escalate.job"],
    "main + survey entry": ["main", "functions.entrypoints.http.public", "functions.survey.page"],
    "main + unsubscribe entry": ["main", "functions.entrypoints.http.public", "functions.followup.unsubscribe"],
    "followup_daily first request (+ xlsx, SQLite, outbox adapters)": [
        "main",
        "functions.entrypoints.http.scheduled",
        "functions.followup.job",
        "functions.adapters.sheets.xlsx",
        "openpyxl",
        "functions.adapters.stores.sqlite",
        "functions.adapters.channels.outbox",
        "phonenumbers",
        "email_validator",
    ],
}
PROBE = "import importlib, time; t = time.perf_counter()\n{imports}\nprint(time.perf_counter() - t)"


def measure(modules: list[str], runs: int = 9) -> float:
    code = PROBE.format(imports="\n".join(f"importlib.import_module({m!r})" for m in modules))
    times = [
        float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times)


if __name__ == "__main__":
    for label, modules in CASES.items():
        print(f"{measure(modules) * 1000:7.1f} ms  {label}")
