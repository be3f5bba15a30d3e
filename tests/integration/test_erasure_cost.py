"""Issue 37 (1): erasure in bounded work. On the Firestore emulator, counted as Firestore bills it: an
erasure reads the reports that name the customer, the states that may hold personal data and the
webhook events not yet taken — not every report, short link or digest ever kept — and its commits
stay well inside Firestore's limits however big the reports that name them. Reports kept before they
said whom they name are still read and scrubbed (until retention ends them)."""

from __future__ import annotations

import json
from datetime import timedelta

from functions.adapters.stores.firestore import FirestoreStore
from functions.adapters.stores.firestore.database import COMMIT_BYTES
from functions.core.privacy import customers_named, personal_strings
from functions.core.short_links import DIAL, SURVEY, ShortLink
from tests.helpers import NINE_AM
from tests.helpers.firestore_counter import counted
from tests.helpers.firestore_emulator import PROJECT
from tests.helpers.records import entry

EMAIL, PHONE, NAME = "lan.nguyen@example.com", "+84912345678", "Nguyễn Thị Lan"


def test_a_report_names_its_customers_by_id_and_ledger_key():
    report = {"job": "followup", "sent": [{"key": "checkin/C-1/2026-11-16", "to": EMAIL}],
              "problems": [{"customer_id": "C-7", "message": "Email 'x@' không hợp lệ"}],
              "notified": [{"key": "case/HS-1/tier2", "to": "ha@luat.vn"}]}  # fmt: skip
    assert customers_named(report) == ["C-1", "C-7", "HS-1"]  # a case key names no customer: a spare entry


def test_an_erasure_reads_what_names_the_customer_whatever_the_history(firestore):
    store = FirestoreStore(PROJECT)
    legacy = {"job": "followup", "now": NINE_AM.isoformat(), "sent": [{"key": "checkin/C-1/2026-01-05", "to": EMAIL}]}
    store.database.client.collection("reports").add(
        {"job": "followup", "at": legacy["now"], "saved_at": NINE_AM, "body": json.dumps(legacy)}
    )  # kept by the previous release
    for n in range(1500):  # a long history about other customers
        store.job_state.save_report(
            {
                "job": "escalate",
                "now": NINE_AM.isoformat(),
                "sent": [{"key": f"checkin/C-{n + 100}/2026-11-16", "to": f"k{n}@example.com"}],
            }
        )
    big = "x" * 400_000  # reports that name her, big enough that one commit could not carry them all
    for n in range(12):
        store.job_state.save_report(
            {
                "job": "followup",
                "now": NINE_AM.isoformat(),
                "filler": big,
                "sent": [{"key": f"birthday/C-1/{2014 + n}", "to": EMAIL, "name": NAME}],
            }
        )
    links = [ShortLink(f"s{n:07d}", SURVEY, f"SV-{n}", "vi", NINE_AM + timedelta(days=30)) for n in range(300)]
    store.surveys.save_short_links([*links, ShortLink("dial5678", DIAL, f"{PHONE} 2026-11-25", "vi", NINE_AM)])
    for n in range(40):  # the Cases rows' digests of a long history: no personal data
        store.job_state.save_job_state(f"escalate-rows-{n}", {f"HS-{n}-{m}": "abc" for m in range(50)})
    store.job_state.save_job_state("zalo_users", {"4433221100": "C-1"})
    store.ledger.reserve(entry("birthday/C-1/2026", "C-1"))

    tally = counted(store)
    changed = store.customer_data.erase_customer("C-1", personal_strings(NAME, EMAIL, PHONE), NINE_AM)
    reads = tally.by_collection("reads")
    commits = [n for (kind, what), n in tally.counts.items() if kind == "rpcs" and what.startswith("commit")]
    assert changed["reports"] == 13 and changed["short_links"] == 1 and changed["job_state"] == 1
    assert reads.get("reports", 0) <= 13 + 1 + 1  # hers, the legacy one, the first indexed one
    assert reads.get("short_links", 0) <= 4 and reads.get("job_state", 0) <= 2  # by target: hers, her phone's forms
    own = reads.get("ledger", 0) + reads.get("surveys", 0) + reads.get("cases", 0) + reads.get("vouchers", 0)
    assert sum(reads.values()) - own - reads.get("undelivered", 0) <= 50, reads
    assert sum(commits) >= 3  # 12 reports of 400 kB: split by bytes, each commit under COMMIT_BYTES + one report
    kept = json.dumps([store.job_state.reports("followup", 20)], ensure_ascii=False)
    assert EMAIL not in kept and NAME not in kept
    assert COMMIT_BYTES < 4 * 1024 * 1024


def test_a_store_file_of_the_previous_release_learns_whom_its_reports_name(tmp_path):
    """SQLite: reports kept before they said whom they name get it when the file is opened, so an
    erasure, reading only the reports that name the customer, still scrubs them."""
    import sqlite3

    from functions.adapters.stores.sqlite import SqliteStore

    path = tmp_path / "s.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE reports (id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, at TEXT NOT NULL, "
                   "body TEXT NOT NULL)")  # fmt: skip
        for n in range(3):
            report = {"job": "followup", "now": NINE_AM.isoformat(),
                      "sent": [{"key": f"checkin/C-{n}/2026-11-16", "to": f"k{n}@example.com"}]}  # fmt: skip
            db.execute("INSERT INTO reports (job, at, body) VALUES (?, ?, ?)", ("followup", "x", json.dumps(report)))
    store = SqliteStore(path)
    changed = store.customer_data.erase_customer("C-1", personal_strings("k1@example.com"), NINE_AM)
    assert changed["reports"] == 1
    kept = json.dumps(store.job_state.reports("followup"))
    assert "k1@example.com" not in kept and "k0@example.com" in kept and "k2@example.com" in kept
