"""Store throughput: reserve + confirm 1,000 messages on SQLite and on Firestore (the emulator),
one by one and in chunks (reserve_many: parallel creates; confirm_many: batched writes), and the
wall time of a follow-up run with 1,000 due messages (outbox channel, in-memory sheet) on each.

Starts its own Firestore emulator on 127.0.0.1 and stops it at the end.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from functions.adapters.channels.outbox import OutboxChannel  # noqa: E402
from functions.adapters.stores.firestore import FirestoreStore  # noqa: E402
from functions.adapters.stores.sqlite import SqliteStore  # noqa: E402
from functions.core.ledger import LedgerEntry  # noqa: E402
from functions.followup.job import run_followup  # noqa: E402
from tests.helpers import free_port  # noqa: E402
from tests.helpers.firestore_emulator import PROJECT, Emulator, emulator_binary  # noqa: E402
from tests.helpers.support import deps, memory_sheet, row  # noqa: E402

COUNT = 1000
NOW = datetime.combine(date(2026, 11, 23), clock(9), ZoneInfo("Asia/Ho_Chi_Minh"))


def entries(prefix: str):
    return [
        LedgerEntry(f"{prefix}/C-{i}/2026", f"C-{i}", "birthday", "email", NOW.date(), reserved_at=NOW)
        for i in range(COUNT)
    ]


def one_by_one(store, prefix: str) -> float:
    start = time.perf_counter()
    for e in entries(prefix):
        assert store.ledger.reserve(e)
        store.ledger.confirm(e.key, NOW)
    return time.perf_counter() - start


def chunked(store, prefix: str, size: int = 25) -> float:
    batch = entries(prefix)
    start = time.perf_counter()
    for i in range(0, COUNT, size):
        chunk = batch[i : i + size]
        won = store.ledger.reserve_many(chunk)
        assert len(won) == len(chunk)
        store.ledger.confirm_many(sorted(won), NOW)
    return time.perf_counter() - start


def followup_run(store, folder: Path) -> float:
    rows = [row(f"R-{i}", f"Khách {i}", email=f"r{i}@example.com", birthday="23/11/1990") for i in range(COUNT)]
    channel = OutboxChannel(folder / "outbox", "careloop", "cskh@example.com")
    wiring = deps(memory_sheet(rows), store, channel)
    start = time.perf_counter()
    report = run_followup(wiring, NOW).report
    assert len(report["sent"]) == COUNT, report["summary"]
    return time.perf_counter() - start


def measure(name: str, make_store, folder: Path) -> None:
    print(
        f"{name:<22} reserve+confirm {COUNT}: one by one {one_by_one(make_store(), 'a'):6.2f} s, "
        f"chunks of 25 {chunked(make_store(), 'b'):6.2f} s;  follow-up run with {COUNT} due: "
        f"{followup_run(make_store(), folder):6.2f} s"
    )


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp(prefix="careloop-bench-"))
    try:
        measure("SQLite", lambda: SqliteStore(folder / "bench.sqlite"), folder)
        binary = emulator_binary()
        if binary is None:
            print("Firestore emulator not installed: Firestore figures skipped")
        else:
            import os

            emulator = Emulator(binary, free_port())
            os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
            try:
                measure("Firestore (emulator)", lambda: FirestoreStore(PROJECT), folder / "fs")
            finally:
                emulator.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
