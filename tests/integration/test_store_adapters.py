"""What is particular to one Store adapter (the shared behaviour is in test_store_contract.py)."""

import time
from datetime import UTC, datetime

import pytest

from functions.adapters.stores.firestore import FirestoreStore, _fitted, document_id, key_of
from functions.adapters.stores.sqlite import SqliteStore
from functions.core.errors import StoreUnavailable
from tests.helpers import TODAY, free_port


def test_sqlite_unreachable_says_so(tmp_path):
    with pytest.raises(StoreUnavailable, match="does not exist"):
        SqliteStore(tmp_path / "missing" / "s.sqlite").facts([], TODAY)
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(StoreUnavailable, match="SQLite .*dir.sqlite"):
        SqliteStore(tmp_path / "dir.sqlite").facts([], TODAY)


@pytest.mark.parametrize("key", ["birthday/C-00042/2026", "a~b/c%d/e", "%7E/~", ""])
def test_firestore_document_ids_are_safe_readable_and_reversible(key):
    document = document_id(key)
    assert "/" not in document and key_of(document) == key
    assert document_id("birthday/C-00042/2026") == "birthday~C-00042~2026"


def test_firestore_client_is_not_built_at_construction_or_import():
    store = FirestoreStore("demo-careloop")
    assert "client" not in store.__dict__


def test_firestore_unreachable_is_store_unavailable(monkeypatch):
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{free_port()}")  # nothing listens there
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="demo-careloop"):
        FirestoreStore("demo-careloop", timeout=2).opt_outs()
    assert time.monotonic() - started < 30


def test_firestore_reports_are_trimmed_to_fit_a_document():
    report = {"job": "followup", "now": "x", "problems": [{"message": "x" * 200}] * 20000, "sent": [{"k": 1}] * 3}
    body = _fitted(report)
    assert len(body.encode()) <= 900_000 and '"truncated": ["problems"]' in body and '"sent": [{"k": 1}' in body


def test_a_store_file_from_before_channel_attempts_gains_the_column_and_keeps_its_entries(tmp_path):
    import sqlite3

    from functions.core.ledger import LedgerEntry

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:  # the ledger as the first release made it
        db.execute(
            "CREATE TABLE ledger (key TEXT PRIMARY KEY, customer_id TEXT NOT NULL, kind TEXT NOT NULL, "
            "channel TEXT NOT NULL, business_day TEXT NOT NULL, state TEXT NOT NULL, reserved_at TEXT, "
            "updated_at TEXT, error TEXT NOT NULL DEFAULT '')"
        )
        db.execute("INSERT INTO ledger VALUES ('birthday/C-1/2025', 'C-1', 'birthday', 'email', '2025-11-24', "
                   "'sent', NULL, NULL, '')")  # fmt: skip
    store = SqliteStore(path)
    assert store.entry("birthday/C-1/2025").attempts == ()
    assert store.reserve(LedgerEntry("birthday/C-1/2026", "C-1", "birthday", "zalo", TODAY)) is True
    store.record_attempt("birthday/C-1/2026", "zalo: -118", "sms", datetime.now(UTC))
    assert store.entry("birthday/C-1/2026").attempts == ("zalo: -118",)
