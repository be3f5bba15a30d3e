"""Cold-start import cost: `main` and each entry point's module, in fresh processes (median of 5),
beside the floor of functions_framework + jinja2 alone. Also what a first request adds
(the adapters its backends need)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
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


def measure(modules: list[str], runs: int = 9, where: Path = ROOT) -> float:
    """Fresh processes that may not write bytecode (as a function's read-only source cannot)."""
    code = PROBE.format(imports="\n".join(f"importlib.import_module({m!r})" for m in modules))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=where, env=env, capture_output=True, text=True, check=True
            ).stdout
        )  # fmt: skip
        for _ in range(runs)
    ]
    return statistics.median(times)


def bundle_figures() -> None:
    """The follow-up entry from the deployed bundle: with the bytecode it ships, and without."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bundle import build

    modules = CASES["main + followup_daily entry"]
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(build(Path(folder) / "bundle.zip")) as archive:
            archive.extractall(Path(folder) / "with")
            archive.extractall(Path(folder) / "without")
        for cache in (Path(folder) / "without").rglob("__pycache__"):
            shutil.rmtree(cache)
        for kind in ("with", "without"):
            print(f"{measure(modules, where=Path(folder) / kind) * 1000:7.1f} ms  bundle, followup_daily entry, "
                  f"{kind} shipped bytecode")  # fmt: skip


if __name__ == "__main__":
    for label, modules in CASES.items():
        print(f"{measure(modules) * 1000:7.1f} ms  {label}")
    bundle_figures()
