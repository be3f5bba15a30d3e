"""A 10,000-row follow-up run through gspread and the local Sheets API server: request counts and
wall time, beside a naive baseline on the same data in the same run — the common per-row approach,
one gspread `update_cell` per processed row (which also writes USER_ENTERED: formulas leak in).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from functions.adapters.sheets.google import GoogleSheet  # noqa: E402
from functions.adapters.sheets.google_http import Connection, bounded_http_client  # noqa: E402
from functions.adapters.stores.sqlite import SqliteStore  # noqa: E402
from functions.followup.job import run_followup  # noqa: E402
from tests.helpers import NINE_AM  # noqa: E402
from tests.helpers.fakes import MemoryChannel  # noqa: E402
from tests.helpers.sheets_server import SheetsServer  # noqa: E402
from tests.helpers.support import HEADER, deps, many_customers  # noqa: E402

ROWS = 10_000
KEY = "bench"


def customers():
    return [
        HEADER + ["Liên hệ gần nhất", "Ghi chú hệ thống"],
        *many_customers(ROWS, birthday_every=20, checkin_every=30),
    ]


def careloop_run(server, folder: Path) -> tuple[float, int, int]:
    server.state.create(KEY, {"Khách hàng": customers()})
    server.state.log.clear()
    sheet = GoogleSheet(Connection(KEY, server.url, "none"))
    start = time.perf_counter()
    report = run_followup(deps(sheet, SqliteStore(folder / "careloop.sqlite"), MemoryChannel()), NINE_AM).report
    seconds = time.perf_counter() - start
    return seconds, len(server.state.log), len(report["sent"])


def naive_run(server, processed: int) -> tuple[float, int]:
    """Read all records, then one update_cell per processed row, as many scripts do."""
    import gspread
    import requests

    server.state.create(KEY, {"Khách hàng": customers()})
    server.state.log.clear()
    client = gspread.Client(
        None, session=requests.Session(), http_client=bounded_http_client(Connection(KEY, server.url, "none"))
    )
    start = time.perf_counter()
    worksheet = client.open_by_key(KEY).worksheet("Khách hàng")
    records = worksheet.get_all_values()
    column = records[0].index("Liên hệ gần nhất") + 1
    for number in range(2, 2 + processed):
        worksheet.update_cell(number, column, "23/11/2026 – đã gửi")
    return time.perf_counter() - start, len(server.state.log)


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp(prefix="careloop-bench-"))
    try:
        with SheetsServer() as server:
            seconds, requests_made, sent = careloop_run(server, folder)
            print(f"careloop  {ROWS:,} rows, {sent} messages: {requests_made} Sheets requests, {seconds:6.2f} s")
            naive_seconds, naive_requests = naive_run(server, sent)
            print(
                f"naive     {ROWS:,} rows, {sent} update_cell calls: "
                f"{naive_requests} Sheets requests, {naive_seconds:6.2f} s"
            )
            print(
                f"ratio     {naive_requests / requests_made:.0f}x fewer requests, "
                f"{naive_seconds / seconds:.1f}x less time "
                f"(at Google's 60 write requests/minute the naive run would need ≥ {naive_requests / 60:.0f} minutes)"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
