"""What a run costs on Firestore: document reads, writes and deletes (and calls) per run, counted
on the emulator by wrapping the client's API (tests/helpers/firestore_counter.py), and the monthly
bill they project to.

Runs, each on a clean database:
  follow-up   10,000 customers, 1,000 due (500 birthdays, 500 check-ins with a survey), then its rerun,
              and the same day with 10,000 surveys in the 90 days before (the throttle reads its window);
  escalation  a steady run (the second within the hour) with 5 open cases, 100 / 1,000 / 10,000
              cases in the history (two years, all in the Cases tab), 5,000 surveys in 90 days
              (a third answered) and a 1,000-message day behind it; and the hourly run that also
              works out the Dashboard.

The sheet is in memory (its cost is the Sheets API's, counted by bench/sheets.py); channels are
in memory. Prints the table, then the projected month: 40 escalation runs a day (at most one an
hour refreshes the Dashboard: 10 in a 10-hour day) and 1 follow-up run, 26 working days.

Run: .venv/bin/python bench/cost.py   (starts its own Firestore emulator on 127.0.0.1)
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from functions.adapters.stores.firestore import FirestoreStore  # noqa: E402
from functions.escalate.job import run_escalate  # noqa: E402
from functions.followup.job import run_followup  # noqa: E402
from functions.survey.offers import SurveyRules  # noqa: E402
from tests.helpers.firestore_counter import Tally, counted  # noqa: E402
from tests.helpers.firestore_emulator import PROJECT, started_or_exit  # noqa: E402
from tests.helpers.history_seed import seed_history  # noqa: E402
from tests.helpers.support import deps, escalation_book, escalation_deps, many_customers, memory_sheet  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.combine(date(2026, 11, 23), clock(10), VN)
# Firestore's price beyond the free quota, multi-region (the dearest; one region costs about half),
# and the free quota a day: cloud.google.com/firestore/pricing, read 2026-11-24.
PRICE_PER_100K = {"reads": 0.06, "writes": 0.18, "deletes": 0.02}
FREE_PER_DAY = {"reads": 50_000, "writes": 20_000, "deletes": 20_000}
DAYS, ESCALATIONS, REFRESHES = 26, 40, 10


def escalation_runs(cases: int) -> tuple[Tally, Tally, float]:
    """(the hourly run that works out the Dashboard, a steady run within the hour, its wall time)."""
    store = FirestoreStore(PROJECT)
    rows = seed_history(store, NOW, cases, 5_000, 1_000)
    customers = [[f"C-{n:05d}", f"Khách {n}", f"c{n}@example.com", False, "", "", "", ""] for n in range(10_000)]
    sheet = escalation_book(customers, cases=rows)
    wiring = escalation_deps(sheet, store)
    run_escalate(wiring, NOW - timedelta(hours=2))  # the first run after the upgrade: takes in every row once
    tally = counted(store)
    run_escalate(wiring, NOW)  # an hour on: the Dashboard is worked out again
    hourly = Tally()
    hourly.counts.update(tally.counts)
    tally.reset()
    start = time.perf_counter()
    run_escalate(wiring, NOW + timedelta(minutes=15))
    return hourly, tally, time.perf_counter() - start


def followup_runs(surveys: int = 0) -> tuple[Tally, Tally, int]:
    """The follow-up day and its rerun; `surveys` in the 90 days before (the survey throttle's history)."""
    store = FirestoreStore(PROJECT)
    if surveys:
        seed_history(store, NOW, 0, surveys, 0)
    tally = counted(store)
    wiring = deps(memory_sheet(many_customers(10_000, 20, 20)), store, surveys=SurveyRules(30, 30))
    report = run_followup(wiring, NOW).report
    first = Tally()
    first.counts.update(tally.counts)
    tally.reset()
    rerun = run_followup(wiring, NOW).report
    assert not rerun["sent"], rerun["summary"]
    return first, tally, len(report["sent"])


def line(name: str, tally: Tally, extra: str = "") -> str:
    reads, writes, deletes, rpcs = (tally.total(w) for w in ("reads", "writes", "deletes", "rpcs"))
    top = ", ".join(f"{c} {n}" for c, n in sorted(tally.by_collection("reads").items(), key=lambda i: -i[1])[:4])
    return f"| {name} | {reads:,} | {writes:,} | {deletes:,} | {rpcs:,} | {top or '–'} |{extra}"


def bill(per_day: dict[str, int]) -> float:
    return sum(DAYS * max(0, per_day[w] - FREE_PER_DAY[w]) * PRICE_PER_100K[w] / 100_000 for w in per_day)


def main() -> None:
    emulator = started_or_exit()
    try:
        print("| run | reads | writes | deletes | calls | most reads in |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        first, rerun, sent = followup_runs()
        print(line(f"follow-up, 10,000 customers, {sent:,} sent", first))
        print(line("follow-up rerun, nothing left to send", rerun))
        emulator.wipe()
        with_history, _, sent = followup_runs(surveys=10_000)
        print(line(f"follow-up, {sent:,} sent, 10,000 surveys in the 90 days before", with_history))
        emulator.wipe()
        results = {}
        for cases in (100, 1_000, 10_000):
            hourly, steady, seconds = escalation_runs(cases)
            results[cases] = (hourly, steady)
            print(line(f"escalation, steady, {cases:,} cases in history", steady, f" {seconds:.2f} s"))
            print(line(f"escalation, hourly with Dashboard, {cases:,} cases", hourly))
            emulator.wipe()
        hourly, steady = results[10_000]
        per_day = {w: first.total(w) + REFRESHES * hourly.total(w) + (ESCALATIONS - REFRESHES) * steady.total(w)
                   for w in ("reads", "writes", "deletes")}  # fmt: skip
        print()
        print(f"A day (1 follow-up, {ESCALATIONS} escalations of which {REFRESHES} refresh the Dashboard, "
              f"10,000 cases in history): " + ", ".join(f"{w} {n:,} (free {FREE_PER_DAY[w]:,})"
                                                        for w, n in per_day.items()))  # fmt: skip
        print(
            f"Projected bill for {DAYS} days: ${bill(per_day):.2f} "
            f"(beyond the free quota at $/100k {PRICE_PER_100K}, cloud.google.com/firestore/pricing, 2026-11-24)"
        )
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
