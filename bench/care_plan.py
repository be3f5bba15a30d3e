"""The care plan's cost (issue 35): parse + plan of 100,000 Customers rows with the Care plan's two
default occasions (what careloop did before: the birthday wish and the check-in) against all six
starter rows turned on (Tết by the lunar calendar, 20/10 with a condition on Xưng hô, a reminder
from a staff column `Ngày hẹn`, a win-back advert), and a day with several occasions at once.

    python bench/care_plan.py

Pure core only (no workbook, no store), as the follow-up job does between its one read and its one
write; the Care plan tab is one more tab of the same read, so a run's requests do not change.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.plan import generate  # noqa: E402
from functions.core.care_plan import read_care_plan, starter_rows  # noqa: E402
from functions.core.customers import read_customers  # noqa: E402
from functions.core.gc_pause import cycle_collector_paused  # noqa: E402
from functions.core.ledger import LedgerFacts  # noqa: E402
from functions.core.sheet_schema import CARE_PLAN  # noqa: E402
from functions.core.tables import Table  # noqa: E402
from functions.followup.plan import OccasionDates, customer_cell, decide, due_messages  # noqa: E402
from tests.helpers.rules import followup_rules, read_rules  # noqa: E402

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def with_appointments(table: Table, today: date) -> Table:
    """The Customers rows with a staff column `Ngày hẹn`: one customer in seven has an appointment soon."""
    rows = [[*r, f"{today + timedelta(days=i % 14):%d/%m/%Y}" if i % 7 == 0 else ""] for i, r in enumerate(table.rows)]
    return Table(table.title, [*table.header, "Ngày hẹn"], rows)


def care_plan(all_on: bool) -> Table:
    active = [c.key for c in CARE_PLAN.columns].index("active")
    rows = [[*r[:active], r[active] or all_on, *r[active + 1 :]] for r in starter_rows("vi")]
    return Table(CARE_PLAN.title_vi, [c.title_vi for c in CARE_PLAN.columns], rows)


def measure(table: Table, today: date, all_on: bool, repeats: int = 3) -> tuple[float, int, int, int]:
    now = datetime.combine(today, clock(9), ZONE)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with cycle_collector_paused():
            sheet = read_customers(table, read_rules(), today)
            plan_tab = read_care_plan(care_plan(all_on), table.header, sheet.columns, "vi")
            rules = followup_rules()
            dates = OccasionDates(customer_cell(table), "DMY", today, "vi")
            due = due_messages(sheet.customers, today, rules, plan_tab.occasions, dates)
            plan = decide(due, LedgerFacts(), now, rules)
        times.append(time.perf_counter() - start)
        waiting = sum(1 for s in plan.skipped if s.reason == "one_per_day")
    return statistics.median(times), len(plan_tab.occasions), len(plan.send), waiting


if __name__ == "__main__":
    for today in (date(2026, 11, 23), date(2027, 2, 6)):  # an ordinary Monday; Tết 2027
        table = with_appointments(generate(100_000), today)
        for all_on in (False, True):
            seconds, occasions, sending, waiting = measure(table, today, all_on)
            print(f"{today:%d/%m/%Y}  {occasions} occasions  parse+plan 100,000 rows: {seconds:6.3f} s  "
                  f"{100_000 / seconds:>9,.0f} rows/s  ({sending} to send, {waiting} wait a day)")  # fmt: skip
