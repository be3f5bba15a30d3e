"""Parse + plan throughput: generated Customers rows → customers → due messages → decisions.

Prints rows/s for 10,000 and 100,000 rows (target: 100,000 rows in under 1 s). Pure core only:
no workbook, no store (an empty ledger), as the job does between its one read and its one write.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from functions.core.customers import read_customers  # noqa: E402
from functions.core.gc_pause import cycle_collector_paused  # noqa: E402
from functions.core.ledger import LedgerFacts
from functions.core.tables import Table  # noqa: E402
from functions.followup.plan import decide, due_messages  # noqa: E402
from tests.helpers.rules import followup_rules, read_rules
from tests.helpers.support import HEADER as SAMPLE_HEADER  # noqa: E402

HEADER = [*SAMPLE_HEADER, "Ghi chú hệ thống"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Đức", "Thu"]
GIVEN = ["Lan", "Hùng", "Tuấn", "Hà", "Anh", "Mai", "Bảo", "Ánh", "Tùng", "Hương"]
TODAY = date(2026, 11, 23)


def generate(count: int, seed: int = 7) -> Table:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        birthday = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        purchase = TODAY - timedelta(days=rng.randrange(400))
        rows.append(
            [
                f"C-{i:06d}",
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                rng.choice(["anh", "chị", ""]),
                f"kh{i}@example.com" if i % 5 else "",
                f"09{rng.randrange(10**8):08d}" if i % 3 else "",
                f"{birthday:%d/%m/%Y}" if i % 4 else birthday,
                f"{purchase:%d/%m/%Y}",
                rng.choice(["", "vi", "en"]),
                "",
                "" if i % 50 else True,
                "",
            ]
        )
    return Table("Khách hàng", HEADER, rows)


def measure(count: int, repeats: int = 3) -> tuple[float, int, int]:
    table = generate(count)
    now = datetime.combine(TODAY, clock(9), ZoneInfo("Asia/Ho_Chi_Minh"))
    times = []
    for _ in range(repeats):
        from functions.core import values

        values._parse_date_text.cache_clear()  # each run starts cold, like a fresh process
        start = time.perf_counter()
        with cycle_collector_paused():  # as the follow-up job does around this part
            sheet = read_customers(table, read_rules(), TODAY)
            rules = followup_rules()
            due = due_messages(sheet.customers, TODAY, rules)
            plan = decide(due, LedgerFacts(), now, rules)
        times.append(time.perf_counter() - start)
        problems = len(sheet.problems)
        del sheet, due  # as a finished run drops them
    return statistics.median(times), len(plan.send), problems


if __name__ == "__main__":
    for count in (10_000, 100_000):
        seconds, sending, problems = measure(count)
        print(
            f"parse+plan {count:>7,} rows: {seconds:6.3f} s  {count / seconds:>9,.0f} rows/s  "
            f"({sending} to send, {problems} row problems)"
        )
