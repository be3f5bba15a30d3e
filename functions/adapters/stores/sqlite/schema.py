"""How careloop's records sit in a SQLite file: the schema, what a newer version adds to a file
made by an older one (columns filled from the bodies kept), and each record to and from its row.
Moments are stored as ISO text; the ones queried by range in UTC, so text order is time order."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from functions.core.cases import DATETIME_FIELDS, CaseRecord, case_fields, case_from_fields
from functions.core.ledger import DeliveryReport, LedgerEntry
from functions.core.privacy import customers_named
from functions.core.surveys import Survey, survey_fields, survey_from_fields
from functions.core.vouchers import Voucher, voucher_from_fields

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    key TEXT PRIMARY KEY, customer_id TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL,
    business_day TEXT NOT NULL, state TEXT NOT NULL, reserved_at TEXT, updated_at TEXT,
    error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS ledger_by_day ON ledger (business_day);
CREATE INDEX IF NOT EXISTS ledger_by_state ON ledger (state);
CREATE TABLE IF NOT EXISTS opt_outs (customer_id TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (case_id TEXT PRIMARY KEY, status TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cases_by_status ON cases (status);
CREATE TABLE IF NOT EXISTS case_events (id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL,
    at TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS case_events_by_case ON case_events (case_id);
CREATE TABLE IF NOT EXISTS surveys (survey_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS surveys_by_time ON surveys (created_at);
CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL,
    at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS undelivered (key TEXT PRIMARY KEY, at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS undelivered_by_time ON undelivered (at);
CREATE TABLE IF NOT EXISTS short_links (code TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (name TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vouchers (code TEXT PRIMARY KEY, issued TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS vouchers_by_issue ON vouchers (issued);
CREATE TABLE IF NOT EXISTS job_state (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inbound_events (event_id TEXT PRIMARY KEY, source TEXT NOT NULL, received_at TEXT NOT NULL,
    taken_at TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS inbound_events_pending ON inbound_events (taken_at, received_at);
CREATE TABLE IF NOT EXISTS replies (reply_id TEXT PRIMARY KEY, kind TEXT NOT NULL, day TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS replies_by_day ON replies (day, kind);
"""
# Columns added after the first release: a store file made earlier gains them when opened (and
# each row's value, from its body, by BACKFILL).
ADDED_COLUMNS = {
    "ledger": {"attempts": "TEXT NOT NULL DEFAULT '[]'", "keyed_id": "INTEGER NOT NULL DEFAULT 0"},
    "cases": {"updated_at": "TEXT"},
    "surveys": {"answered_at": "TEXT"},
    "reports": {"customers": "TEXT NOT NULL DEFAULT ''"},  # the customers a report names (named_text)
}
ADDED_INDEXES = """
CREATE INDEX IF NOT EXISTS cases_by_update ON cases (updated_at);
CREATE INDEX IF NOT EXISTS surveys_by_answer ON surveys (answered_at);
"""


def time_or_none(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def case_json(case: CaseRecord) -> str:
    fields = case_fields(case)
    for name in DATETIME_FIELDS:
        fields[name] = iso_or_none(fields[name])
    return json.dumps(fields, ensure_ascii=False)


def case_from_json(body: str) -> CaseRecord:
    fields = json.loads(body)
    for name in DATETIME_FIELDS:
        fields[name] = time_or_none(fields.get(name))
    return case_from_fields(fields)


def utc_text(moment: datetime) -> str:
    """Sortable text for range queries: every moment in UTC."""
    return moment.astimezone(UTC).isoformat()


def survey_json(survey: Survey) -> str:
    return json.dumps(survey_fields(survey), ensure_ascii=False, default=lambda v: v.isoformat())


def case_updated_text(case: CaseRecord) -> str:
    return utc_text(case.updated_at or case.created_at)


def answered_at_text(survey: Survey) -> str | None:
    return utc_text(survey.latest.at) if survey.latest else None


def survey_from_json(body: str) -> Survey:
    return survey_from_fields(json.loads(body), datetime.fromisoformat)


def initialise(connection: sqlite3.Connection, attempts: int = 300) -> None:
    """WAL mode and the schema. Two processes opening a new file at once can find it locked
    (switching the journal mode does not wait for the busy timeout), so wait and try again."""
    for attempt in range(attempts):
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.executescript(SCHEMA)
            _add_columns(connection)
            connection.executescript(ADDED_INDEXES)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def _add_columns(connection: sqlite3.Connection) -> None:
    for table, columns in ADDED_COLUMNS.items():
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        for name, declaration in columns.items():
            if name not in present:
                try:
                    connection.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
                except sqlite3.OperationalError as error:  # another process added it first
                    if "duplicate column" not in str(error):
                        raise
                    continue
                _backfill(connection, table, name)


def _backfill(connection: sqlite3.Connection, table: str, column: str) -> None:
    """A column added to a store file made earlier: each row's value, from the body it keeps."""
    made: dict[tuple[str, str], tuple[str, Callable[[str], str | None]]] = {
        ("cases", "updated_at"): ("case_id", lambda body: case_updated_text(case_from_json(body))),
        ("surveys", "answered_at"): ("survey_id", lambda body: answered_at_text(survey_from_json(body))),
        ("reports", "customers"): ("id", lambda body: named_text(json.loads(body))),
    }
    if (table, column) not in made:
        return
    id_column, value_of = made[table, column]
    rows = connection.execute(f"SELECT {id_column}, body FROM {table}").fetchall()
    connection.executemany(f"UPDATE {table} SET {column} = ? WHERE {id_column} = ?",
                           [(value_of(body), row_id) for row_id, body in rows])  # fmt: skip


def named_text(report: Any) -> str:
    """The customers a report names, as its `customers` column keeps them: each between two \x1f."""
    named = customers_named(report)
    return "\x1f" + "\x1f".join(named) + "\x1f" if named else ""


def voucher_from_json(body: str) -> Voucher:
    return voucher_from_fields(json.loads(body))


def delivery_report_from(fields: dict[str, Any]) -> DeliveryReport:
    return DeliveryReport(**{**fields, "at": datetime.fromisoformat(fields["at"])})


def iso_or_none(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


LEDGER_COLUMNS = (
    "key, customer_id, kind, channel, business_day, state, reserved_at, updated_at, error, attempts, keyed_id"
)


def entry_from_row(row: tuple) -> LedgerEntry:
    """A ledger row read as LEDGER_COLUMNS names them."""
    key, customer_id, kind, channel, day, state, reserved_at, updated_at, error, attempts, keyed_id = row
    return LedgerEntry(
        key, customer_id, kind, channel, date.fromisoformat(day), state, time_or_none(reserved_at),
        time_or_none(updated_at), error, tuple(json.loads(attempts)), bool(keyed_id),
    )  # fmt: skip
