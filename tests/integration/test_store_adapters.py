"""What is particular to one Store adapter (the shared behaviour: the contract suite, test_store_PORT.py)."""

import time
from datetime import UTC, date, datetime

import pytest

from functions.adapters.stores.firestore import FirestoreStore
from functions.adapters.stores.firestore.documents import document_id, fitted, key_of
from functions.adapters.stores.sqlite import SqliteStore
from functions.core.errors import StoreUnavailable
from tests.helpers import NINE_AM, ROOT, TODAY, free_port


def test_sqlite_unreachable_says_so(tmp_path):
    with pytest.raises(StoreUnavailable, match="does not exist"):
        SqliteStore(tmp_path / "missing" / "s.sqlite").ledger.facts([], TODAY)
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(StoreUnavailable, match="SQLite .*dir.sqlite"):
        SqliteStore(tmp_path / "dir.sqlite").ledger.facts([], TODAY)


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
        FirestoreStore("demo-careloop", timeout=2).opt_outs.opt_outs()
    assert time.monotonic() - started < 30


def test_firestore_reports_are_trimmed_to_fit_a_document():
    report = {"job": "followup", "now": "x", "problems": [{"message": "x" * 200}] * 20000, "sent": [{"k": 1}] * 3}
    body = fitted(report)
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
    assert store.ledger.entry("birthday/C-1/2025").attempts == ()
    assert store.ledger.reserve(LedgerEntry("birthday/C-1/2026", "C-1", "birthday", "zalo", TODAY)) is True
    store.ledger.record_attempt("birthday/C-1/2026", "zalo: -118", "sms", datetime.now(UTC))
    assert store.ledger.entry("birthday/C-1/2026").attempts == ("zalo: -118",)


def test_a_store_file_from_before_bounded_reads_gains_its_columns_filled_from_the_bodies(tmp_path):
    import dataclasses
    import sqlite3
    from datetime import timedelta

    from functions.adapters.stores.sqlite.schema import case_json, survey_json
    from functions.core.surveys import Answer
    from tests.helpers.records import a_case, a_survey

    answered = a_survey("C-1", created=NINE_AM - timedelta(days=3))
    answered = dataclasses.replace(answered, answers=(Answer(5, NINE_AM - timedelta(days=2)),))
    case = a_case(1, created=NINE_AM - timedelta(days=5), updated_at=NINE_AM - timedelta(days=1))
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:  # cases and surveys as issue 15's release kept them
        db.execute("CREATE TABLE cases (case_id TEXT PRIMARY KEY, status TEXT NOT NULL, body TEXT NOT NULL)")
        db.execute("CREATE TABLE surveys (survey_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL)")
        db.execute("INSERT INTO cases VALUES (?, ?, ?)", (case.case_id, case.status, case_json(case)))
        db.execute("INSERT INTO surveys VALUES (?, ?, ?)", (answered.survey_id, "2026-11-20T02:00:00+00:00",
                                                             survey_json(answered)))  # fmt: skip
    store = SqliteStore(path)
    assert [c.case_id for c in store.cases.cases_updated(NINE_AM - timedelta(days=2))] == [case.case_id]
    assert store.cases.cases_updated(NINE_AM) == []
    assert [s.survey_id for s in store.surveys.surveys_answered(NINE_AM - timedelta(days=2, minutes=1))] == [
        answered.survey_id
    ]
    assert store.job_state.job_state("escalate") == {}  # the table is made too


def test_a_store_file_written_by_the_release_before_the_ports_split_opens_and_runs(tmp_path):
    """Issue 22: the file tests/fixtures/store-before-issue-22.sqlite was written by the release
    before the split (commit e9716b0, by tests/fixtures/make_store_before_issue_22.py): every kind
    of record reads back as it was written, and each port writes to it."""
    import shutil
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from functions.core.cases import IN_PROGRESS, CaseEvent
    from functions.core.ledger import SENT, UNCERTAIN
    from functions.core.surveys import Answer
    from tests.helpers.records import a_case, a_voucher, entry

    path = tmp_path / "careloop.sqlite"
    shutil.copy(ROOT / "tests" / "fixtures" / "store-before-issue-22.sqlite", path)
    store, at = SqliteStore(path), datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    ledger, surveys, cases = store.ledger, store.surveys, store.cases
    assert ledger.entry("checkin/C-1/2026-11-16").state == SENT
    doubtful = ledger.entry("birthday/C-2/2026")
    assert (doubtful.state, doubtful.channel, doubtful.attempts) == (UNCERTAIN, "sms", ("zalo: not on Zalo",))
    assert [e.key for e in ledger.unconfirmed()] == ["birthday/C-2/2026"]
    assert [r.detail for r in store.delivery_reports.undelivered(at - timedelta(days=1))] == ["30003 unreachable"]
    assert set(store.opt_outs.opt_outs()) == {"C-3"}
    survey = surveys.survey("SV-OLDRELEASE")
    assert survey.latest.score == 2 and [s.survey_id for s in surveys.surveys_answered(at)] == ["SV-OLDRELEASE"]
    assert surveys.short_link("abcdefgh").target == "SV-OLDRELEASE"
    (case,) = cases.cases(open_only=True)
    assert case.status == IN_PROGRESS and [e.kind for e in cases.case_events(case.case_id)] == ["opened", "status"]
    assert store.vouchers.voucher("OLDREL01").used_on == date(2026, 11, 25)
    assert store.credentials.credential("zalo").version == 1
    assert store.job_state.job_state("escalate")["row_shards"] == 16
    assert store.job_state.reports("followup")[0]["summary"] == {"sent": 1}
    # and it takes new records of every kind
    assert ledger.reserve(entry("birthday/C-9/2026")) and ledger.release("birthday/C-2/2026", force=True)
    surveys.add_answer("SV-OLDRELEASE", Answer(5, at + timedelta(days=1)), limit=20)
    cases.create_case(a_case(2), CaseEvent(a_case(2).case_id, at, "opened", {}))
    store.vouchers.issue_voucher(a_voucher("NEWCODE1", "C-9"))
    assert len(cases.cases()) == 2 and surveys.survey("SV-OLDRELEASE").latest.score == 5
    assert store.vouchers.count_vouchers(date(2026, 11, 1), date(2026, 11, 30)) == 2
