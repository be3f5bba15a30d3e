"""A follow-up day at 100,000 customers, end to end, as a business runs it: `careloop run followup`
in its own process on the Google path (the Sheets API test server, the Firestore emulator, an SMTP
sink, each in a process of its own), and on the embedded default (an xlsx workbook, SQLite, the
outbox folder). Prints each run's wall time and peak memory (the careloop process's maximum resident
set, from the kernel: imports included, as Cloud Functions counts it) next to the goal.

Every 20th customer has a birthday on the day, every 30th a check-in due (with its survey): 8,334
messages.

Run: .venv/bin/python bench/scale.py [--customers N] [--only google|embedded]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import TEST_SECRET, free_port  # noqa: E402
from tests.helpers.firestore_emulator import PROJECT, started_or_exit  # noqa: E402
from tests.helpers.processes import start_group, stop_group, wait_for_http  # noqa: E402
from tests.helpers.support import HEADER, IDENTITY, many_customers, write_workbook  # noqa: E402

NOW = "2026-11-23T10:00"
GOALS = {"google": (60.0, 300), "embedded": (None, 500)}  # seconds, MiB


def careloop(settings: dict[str, str], folder: Path) -> tuple[float, float, dict]:
    """`careloop setup-sheet` (once, as a business does before its first day; not measured), then
    `careloop run followup --json` in a process of its own: (seconds, peak MiB, its report)."""
    env = {**os.environ, "CARELOOP_CONFIG": "", "CARELOOP_SECRET": TEST_SECRET,
           **{f"CARELOOP_{k.upper()}": v for k, v in settings.items()}}  # fmt: skip
    subprocess.run([str(ROOT / ".venv/bin/careloop"), "setup-sheet"], env=env, cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    out = folder / "report.json"
    start = time.perf_counter()
    with out.open("wb") as sink:
        process = subprocess.Popen([str(ROOT / ".venv/bin/careloop"), "run", "followup", "--now", NOW, "--json"],
                                   env=env, stdout=sink, stderr=subprocess.PIPE, cwd=folder)  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        sys.exit(f"careloop failed ({status}): {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024, json.loads(out.read_text())


def google_run(folder: Path, book: Path) -> tuple[float, float, dict]:
    emulator = started_or_exit()
    sheets_port, smtp_port = free_port(), free_port()
    python = str(ROOT / ".venv/bin/python")
    sheets = start_group([python, "-m", "tests.helpers.sheets_server", "--port", str(sheets_port), "--key", "bench",
                          "--load", str(book)], cwd=ROOT)  # fmt: skip
    smtp = start_group([python, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}", "-c",
                        "aiosmtpd.handlers.Sink"])  # fmt: skip
    try:
        wait_for_http(
            sheets, f"http://127.0.0.1:{sheets_port}/v4/spreadsheets/bench", 120, "the Sheets API test server"
        )
        settings = {**IDENTITY, "sheet": "google:bench", "sheets_api_url": f"http://127.0.0.1:{sheets_port}",
                    "sheets_credentials": "none", "store": f"firestore://{PROJECT}", "smtp_host": "127.0.0.1",
                    "smtp_port": str(smtp_port), "smtp_security": "none"}  # fmt: skip
        return careloop(settings, folder)
    finally:
        stop_group(smtp)
        stop_group(sheets)
        emulator.stop()


def embedded_run(folder: Path, book: Path) -> tuple[float, float, dict]:
    settings = {"sheet": str(book), "store": str(folder / "careloop.sqlite"), "outbox": str(folder / "outbox")}
    return careloop(settings, folder)


def line(name: str, seconds: float, mib: float, report: dict) -> str:
    goal_seconds, goal_mib = GOALS[name]
    goals = f"goal < {goal_mib} MiB" + (f", < {goal_seconds:.0f} s" if goal_seconds else "")
    sent = report["summary"]["sent"]
    return f"{name:9} {sent:,} sent  {seconds:6.1f} s  {mib:6.0f} MiB   ({goals})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--only", choices=sorted(GOALS))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="careloop-scale-"))
    try:
        print(f"{args.customers:,} customers, the follow-up day of {NOW}")
        for name, run in (("google", google_run), ("embedded", embedded_run)):
            if args.only in (None, name):
                rows = many_customers(args.customers, birthday_every=20, checkin_every=30)
                book = write_workbook(folder / f"{name}.xlsx", HEADER, rows)
                print(line(name, *run(folder, book)), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
