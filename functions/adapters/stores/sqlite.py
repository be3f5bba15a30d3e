"""Store adapter on a SQLite file, the embedded default.

Reserving is one INSERT on the idempotency key (the primary key), so two processes cannot both
reserve a message. Each call opens its own connection: safe across threads and processes.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from functions.adapters.stores.sqlite_schema import (
    answered_at_text,
    case_from_json,
    case_json,
    case_updated_text,
    delivery_report_from,
    entry_from_row,
    initialise,
    iso_or_none,
    survey_from_json,
    survey_json,
    utc_text,
    voucher_from_json,
)
from functions.core.cases import CaseEvent, CaseRecord
from functions.core.errors import StoreUnavailable
from functions.core.i18n import both
from functions.core.ledger import (
    FAILED,
    QUEUED,
    RESERVED,
    SENT,
    UNCERTAIN,
    UNDELIVERED,
    DeliveryReport,
    LedgerEntry,
    LedgerFacts,
    StoredCredential,
    releasable,
)
from functions.core.surveys import Answer, Survey, TooManyAnswers
from functions.core.vouchers import Voucher, voucher_fields

if TYPE_CHECKING:  # short links are for SMS and Zalo: a run without them never loads the module
    from functions.core.short_links import ShortLink

T = TypeVar("T")
CHUNK = 500  # SQLite's limit on bound parameters is far above; keeps statements small


def _unavailable_on_error(method):
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"SQLite {self.path}: {error}") from error

    return wrapper


class SqliteStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ready = False

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if not self.path.parent.is_dir():
            raise StoreUnavailable(f"SQLite {self.path}: {both('folder_missing')}")
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as connection:
            connection.execute("PRAGMA busy_timeout = 30000")
            if not self._ready:
                initialise(connection)
                self._ready = True
            yield connection

    def _one(self, table: str, id_column: str, value: str, parse: Callable[[str], T]) -> T | None:
        with self._connection() as db:
            row = _body(db, table, id_column, value)
        return parse(row[0]) if row else None

    def reserve(self, entry: LedgerEntry) -> bool:
        return entry.key in self.reserve_many([entry])

    @_unavailable_on_error
    def reserve_many(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey] | None = None) -> set[str]:
        won: set[str] = set()
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            for entry in entries:
                if _reserve(db, entry, surveys.get(entry.key) if surveys else None):
                    won.add(entry.key)
            db.execute("COMMIT")
        return won

    @_unavailable_on_error
    def claim(self, done: str | None, at: datetime, key: str) -> bool:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            _confirm(db, [done] if done is not None else [], at)
            cursor = db.execute("UPDATE ledger SET state = ?, updated_at = ? WHERE key = ? AND state = ?",
                                (RESERVED, at.isoformat(), key, QUEUED))  # fmt: skip
            db.execute("COMMIT")
        return cursor.rowcount == 1

    def confirm(self, key: str, at: datetime) -> None:
        self.confirm_many([key], at)

    @_unavailable_on_error
    def advance(
        self, done: str | None, at: datetime, following: LedgerEntry | None, survey: Survey | None = None
    ) -> bool:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            _confirm(db, [done] if done is not None else [], at)
            won = following is not None and _reserve(db, following, survey)
            db.execute("COMMIT")
        return won

    @_unavailable_on_error
    def confirm_many(self, keys: Sequence[str], at: datetime) -> None:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            _confirm(db, keys, at)
            db.execute("COMMIT")

    @_unavailable_on_error
    def fail(self, key: str, error: str, at: datetime) -> None:
        self._settle(key, FAILED, error, at)

    def doubt(self, key: str, reason: str, at: datetime) -> None:
        self._settle(key, UNCERTAIN, reason, at)

    @_unavailable_on_error
    def _settle(self, key: str, state: str, error: str, at: datetime) -> None:
        with self._connection() as db:
            db.execute(
                "UPDATE ledger SET state = ?, updated_at = ?, error = ? WHERE key = ?",
                (state, at.isoformat(), error, key),
            )

    @_unavailable_on_error
    def release(self, key: str, force: bool = False) -> bool:
        states = releasable(force)
        with self._connection() as db:
            marks = ",".join("?" * len(states))
            cursor = db.execute(f"DELETE FROM ledger WHERE key = ? AND state IN ({marks})", (key, *states))
            return cursor.rowcount == 1

    @_unavailable_on_error
    def record_attempt(self, key: str, failed: str, channel: str, at: datetime) -> None:
        with self._connection() as db:
            db.execute(
                "UPDATE ledger SET channel = ?, updated_at = ?, attempts = json_insert(attempts, '$[#]', ?)"
                " WHERE key = ?",
                (channel, at.isoformat(), failed, key),
            )

    @_unavailable_on_error
    def record_delivery(self, report: DeliveryReport) -> None:
        with self._connection() as db:
            if report.status == UNDELIVERED:
                body = json.dumps({**report._asdict(), "at": report.at.isoformat()}, ensure_ascii=False)
                db.execute(
                    "INSERT OR REPLACE INTO undelivered VALUES (?, ?, ?)", (report.key, utc_text(report.at), body)
                )
            else:
                db.execute("DELETE FROM undelivered WHERE key = ?", (report.key,))

    @_unavailable_on_error
    def undelivered(self, since: datetime) -> list[DeliveryReport]:
        with self._connection() as db:
            rows = db.execute("SELECT body FROM undelivered WHERE at >= ? ORDER BY at, key", (utc_text(since),))
            return [delivery_report_from(json.loads(r[0])) for r in rows]

    @_unavailable_on_error
    def save_short_links(self, links: Sequence[ShortLink]) -> None:
        with self._connection() as db:
            db.executemany(
                "INSERT OR IGNORE INTO short_links VALUES (?, ?)",
                [(link.code, json.dumps({**dataclasses.asdict(link), "expires_at": link.expires_at.isoformat()}))
                 for link in links],
            )  # fmt: skip

    @_unavailable_on_error
    def short_link(self, code: str) -> ShortLink | None:
        from functions.core.short_links import ShortLink

        def parse(body: str) -> ShortLink:
            fields = json.loads(body)
            return ShortLink(**{**fields, "expires_at": datetime.fromisoformat(fields["expires_at"])})

        return self._one("short_links", "code", code, parse)

    @_unavailable_on_error
    def voucher(self, code: str) -> Voucher | None:
        return self._one("vouchers", "code", code, voucher_from_json)

    @_unavailable_on_error
    def issue_voucher(self, voucher: Voucher) -> Voucher:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            body = json.dumps(voucher_fields(voucher), ensure_ascii=False)
            db.execute(
                "INSERT OR IGNORE INTO vouchers VALUES (?, ?, ?)", (voucher.code, voucher.issued.isoformat(), body)
            )
            row = _body(db, "vouchers", "code", voucher.code)
            db.execute("COMMIT")
        assert row is not None
        return voucher_from_json(row[0])

    @_unavailable_on_error
    def vouchers(self, issued_since: date) -> list[Voucher]:
        with self._connection() as db:
            rows = db.execute("SELECT body FROM vouchers WHERE issued >= ? ORDER BY issued, code",
                              (issued_since.isoformat(),))  # fmt: skip
            return [voucher_from_json(r[0]) for r in rows]

    @_unavailable_on_error
    def count_vouchers(self, first: date, last: date, by: str = "issued") -> int:
        field = "json_extract(body, '$.used_on')" if by == "used_on" else "issued"
        used = " AND json_extract(body, '$.used_on') IS NOT NULL" if by == "issued_used" else ""
        with self._connection() as db:
            query = f"SELECT COUNT(*) FROM vouchers WHERE {field} BETWEEN ? AND ?{used}"
            return int(db.execute(query, (first.isoformat(), last.isoformat())).fetchone()[0])

    @_unavailable_on_error
    def set_voucher_used(self, code: str, day: date | None) -> None:
        with self._connection() as db:
            db.execute("UPDATE vouchers SET body = json_set(body, '$.used_on', ?) WHERE code = ?",
                       (day.isoformat() if day else None, code))  # fmt: skip

    @_unavailable_on_error
    def credential(self, name: str) -> StoredCredential | None:
        with self._connection() as db:
            row = db.execute("SELECT version, body FROM credentials WHERE name = ?", (name,)).fetchone()
        return StoredCredential(row[0], json.loads(row[1])) if row else None

    @_unavailable_on_error
    def swap_credential(self, name: str, version: int, fields: Mapping[str, str]) -> bool:
        body = json.dumps(dict(fields))
        with self._connection() as db:
            if version == 0:
                cursor = db.execute("INSERT OR IGNORE INTO credentials VALUES (?, 1, ?)", (name, body))
            else:
                cursor = db.execute(
                    "UPDATE credentials SET version = ?, body = ? WHERE name = ? AND version = ?",
                    (version + 1, body, name, version),
                )
            return cursor.rowcount == 1

    @_unavailable_on_error
    def entry(self, key: str) -> LedgerEntry | None:
        with self._connection() as db:
            row = db.execute("SELECT * FROM ledger WHERE key = ?", (key,)).fetchone()
        return entry_from_row(row) if row else None

    @_unavailable_on_error
    def facts(self, keys: Iterable[str], day: date, customers: Iterable[str] | None = None) -> LedgerFacts:
        keys = list(keys)
        states: dict[str, str] = {}
        with self._connection() as db:
            sent_at: dict[str, datetime] = {}
            channels: dict[str, str] = {}
            fallbacks: dict[str, tuple[str, ...]] = {}
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start : start + CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, state, updated_at, channel, attempts in db.execute(
                    f"SELECT key, state, updated_at, channel, attempts FROM ledger WHERE key IN ({marks})", chunk
                ):
                    states[key] = state
                    if state == SENT and updated_at:
                        sent_at[key], channels[key] = datetime.fromisoformat(updated_at), channel
                        if attempts != "[]":
                            fallbacks[key] = tuple(json.loads(attempts))
            if customers is None:
                return LedgerFacts(states, sent_at, channels, fallbacks)
            wanted = sorted(set(customers))
            contacted: set[str] = set()
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                contacted.update(r[0] for r in db.execute(
                    f"SELECT DISTINCT customer_id FROM ledger WHERE business_day = ? AND customer_id IN"
                    f" ({','.join('?' * len(chunk))})", (day.isoformat(), *chunk)))  # fmt: skip
            (reserved,) = db.execute(
                "SELECT COUNT(*) FROM ledger WHERE business_day = ?", (day.isoformat(),)
            ).fetchone()
        return LedgerFacts(states, sent_at, channels, fallbacks, frozenset(contacted), reserved)

    @_unavailable_on_error
    def count_sent(self, first: date, last: date, kinds: Sequence[str] = (), channel: str = "") -> int:
        query = "SELECT COUNT(*) FROM ledger WHERE state = ? AND business_day BETWEEN ? AND ?"
        values: list[Any] = [SENT, first.isoformat(), last.isoformat()]
        if channel:
            query, values = query + " AND channel = ?", values + [channel]
        if kinds:
            query, values = query + f" AND kind IN ({','.join('?' * len(kinds))})", values + list(kinds)
        with self._connection() as db:
            return int(db.execute(query, values).fetchone()[0])

    @_unavailable_on_error
    def sent_between(self, first: date, last: date) -> list[LedgerEntry]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT * FROM ledger WHERE business_day BETWEEN ? AND ? AND state = ? ORDER BY business_day, key",
                (first.isoformat(), last.isoformat(), SENT),
            ).fetchall()
        return [entry_from_row(r) for r in rows]

    @_unavailable_on_error
    def unconfirmed(self) -> list[LedgerEntry]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT * FROM ledger WHERE state IN (?, ?, ?, ?) ORDER BY reserved_at, key",
                (RESERVED, QUEUED, FAILED, UNCERTAIN),
            ).fetchall()
        return [entry_from_row(r) for r in rows]

    @_unavailable_on_error
    def record_opt_out(self, customer_id: str, at: datetime) -> None:
        with self._connection() as db:
            db.execute("INSERT OR IGNORE INTO opt_outs VALUES (?, ?)", (customer_id, at.isoformat()))

    @_unavailable_on_error
    def opt_outs(self) -> dict[str, datetime]:
        with self._connection() as db:
            return {cid: datetime.fromisoformat(at) for cid, at in db.execute("SELECT customer_id, at FROM opt_outs")}

    @_unavailable_on_error
    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            cursor = db.execute(
                "INSERT OR IGNORE INTO cases (case_id, status, body, updated_at) VALUES (?, ?, ?, ?)",
                (case.case_id, case.status, case_json(case), case_updated_text(case)),
            )
            if cursor.rowcount == 1:
                _insert_event(db, event)
            db.execute("COMMIT")
            return cursor.rowcount == 1

    @_unavailable_on_error
    def case(self, case_id: str) -> CaseRecord | None:
        return self._one("cases", "case_id", case_id, case_from_json)

    @_unavailable_on_error
    def cases(self, open_only: bool = False) -> list[CaseRecord]:
        query = "SELECT body FROM cases" + (" WHERE status != 'resolved'" if open_only else "") + " ORDER BY case_id"
        with self._connection() as db:
            return sorted((case_from_json(r[0]) for r in db.execute(query)), key=lambda c: (c.created_at, c.case_id))

    @_unavailable_on_error
    def cases_by_id(self, case_ids: Iterable[str]) -> list[CaseRecord]:
        wanted = sorted(set(case_ids))
        found: list[CaseRecord] = []
        with self._connection() as db:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                marks = ",".join("?" * len(chunk))
                found += [
                    case_from_json(r[0])
                    for r in db.execute(f"SELECT body FROM cases WHERE case_id IN ({marks})", chunk)
                ]
        return sorted(found, key=lambda c: (c.created_at, c.case_id))

    @_unavailable_on_error
    def cases_updated(self, since: datetime) -> list[CaseRecord]:
        with self._connection() as db:
            rows = db.execute("SELECT body FROM cases WHERE updated_at >= ?", (utc_text(since),)).fetchall()
        return sorted((case_from_json(r[0]) for r in rows), key=lambda c: (c.created_at, c.case_id))

    @_unavailable_on_error
    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        with self._connection() as db:
            case = case_from_json(_body_for_update(db, "cases", "case_id", case_id)).changed(**changes)
            db.execute(
                "UPDATE cases SET status = ?, body = ?, updated_at = ? WHERE case_id = ?",
                (case.status, case_json(case), case_updated_text(case), case_id),
            )
            _insert_event(db, event)
            db.execute("COMMIT")

    @_unavailable_on_error
    def case_events(self, case_id: str) -> list[CaseEvent]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT case_id, at, kind, detail FROM case_events WHERE case_id = ? ORDER BY id", (case_id,)
            )
            return [CaseEvent(c, datetime.fromisoformat(at), kind, json.loads(detail)) for c, at, kind, detail in rows]

    @_unavailable_on_error
    def create_survey(self, survey: Survey) -> bool:
        with self._connection() as db:
            return _insert_survey(db, survey)

    @_unavailable_on_error
    def survey(self, survey_id: str) -> Survey | None:
        return self._one("surveys", "survey_id", survey_id, survey_from_json)

    @_unavailable_on_error
    def surveys(self, since: datetime) -> list[Survey]:
        return self._surveys_where("created_at >= ?", (utc_text(since),))

    def _surveys_where(self, condition: str, values: Sequence[Any]) -> list[Survey]:
        with self._connection() as db:
            rows = db.execute(f"SELECT body FROM surveys WHERE {condition} ORDER BY created_at, survey_id", values)
            return [survey_from_json(r[0]) for r in rows]

    @_unavailable_on_error
    def surveys_answered(self, since: datetime) -> list[Survey]:
        return self._surveys_where("answered_at >= ?", (utc_text(since),))

    @_unavailable_on_error
    def surveys_of(self, customer_ids: Iterable[str], since: datetime) -> list[Survey]:
        wanted = sorted(set(customer_ids))
        found: list[Survey] = []
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            condition = f"created_at >= ? AND json_extract(body, '$.customer_id') IN ({','.join('?' * len(chunk))})"
            found += self._surveys_where(condition, (utc_text(since), *chunk))
        return sorted(found, key=lambda s: (s.created_at, s.survey_id))

    @_unavailable_on_error
    def count_surveys(self, since: datetime) -> int:
        with self._connection() as db:
            return int(
                db.execute("SELECT COUNT(*) FROM surveys WHERE created_at >= ?", (utc_text(since),)).fetchone()[0]
            )

    @_unavailable_on_error
    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        with self._connection() as db:
            survey = survey_from_json(_body_for_update(db, "surveys", "survey_id", survey_id))
            if len(survey.answers) >= limit:
                db.execute("ROLLBACK")
                raise TooManyAnswers(survey_id)
            survey = dataclasses.replace(survey, answers=survey.answers + (answer,))
            db.execute("UPDATE surveys SET body = ?, answered_at = ? WHERE survey_id = ?",
                       (survey_json(survey), answered_at_text(survey), survey_id))  # fmt: skip
            db.execute("COMMIT")
            return survey

    @_unavailable_on_error
    def job_state(self, name: str) -> dict[str, Any]:
        row = self._one("job_state", "name", name, json.loads)
        return dict(row) if row else {}

    @_unavailable_on_error
    def save_job_state(self, name: str, fields: Mapping[str, Any]) -> None:
        if not fields:
            return
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            row = _body(db, "job_state", "name", name)
            merged = {**(json.loads(row[0]) if row else {}), **fields}
            body = json.dumps({k: v for k, v in merged.items() if v is not None}, ensure_ascii=False)
            db.execute("INSERT OR REPLACE INTO job_state VALUES (?, ?)", (name, body))
            db.execute("COMMIT")

    @_unavailable_on_error
    def save_report(self, report: Mapping[str, Any]) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT INTO reports (job, at, body) VALUES (?, ?, ?)",
                (report["job"], report["now"], json.dumps(report, ensure_ascii=False, default=str)),
            )

    @_unavailable_on_error
    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT body FROM reports WHERE job = ? ORDER BY id DESC LIMIT ?", (job, limit)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]


def _insert_entry(db: sqlite3.Connection, entry: LedgerEntry) -> bool:
    """Reserve one entry; False when its key is taken (never overwritten)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO ledger (key, customer_id, kind, channel, business_day, state, reserved_at, updated_at,"
        " error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (entry.key, entry.customer_id, entry.kind, entry.channel, entry.business_day.isoformat(), entry.state,
         iso_or_none(entry.reserved_at), iso_or_none(entry.reserved_at), ""),
    )  # fmt: skip
    return cursor.rowcount == 1


def _reserve(db: sqlite3.Connection, entry: LedgerEntry, survey: Survey | None) -> bool:
    """Reserve the entry and, when it is won, create the survey it links to."""
    won = _insert_entry(db, entry)
    if won and survey is not None:
        _insert_survey(db, survey)
    return won


def _confirm(db: sqlite3.Connection, keys: Sequence[str], at: datetime) -> None:
    """Mark sent; a key released meanwhile is not there to update."""
    db.executemany("UPDATE ledger SET state = ?, updated_at = ?, error = '' WHERE key = ?",
                   [(SENT, at.isoformat(), key) for key in keys])  # fmt: skip


def _insert_survey(db: sqlite3.Connection, survey: Survey) -> bool:
    """Create the survey; False when it exists (the existing one stands)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO surveys (survey_id, created_at, body, answered_at) VALUES (?, ?, ?, ?)",
        (survey.survey_id, utc_text(survey.created_at), survey_json(survey), answered_at_text(survey)),
    )
    return cursor.rowcount == 1


def _body(db: sqlite3.Connection, table: str, id_column: str, value: str) -> tuple[str] | None:
    """The JSON body of one case or survey, by its ID; None when there is none."""
    row: tuple[str] | None = db.execute(f"SELECT body FROM {table} WHERE {id_column} = ?", (value,)).fetchone()
    return row


def _body_for_update(db: sqlite3.Connection, table: str, id_column: str, value: str) -> str:
    """Begin a write transaction and read the body it will replace; KeyError (rolled back) when there is none."""
    db.execute("BEGIN IMMEDIATE")
    row = _body(db, table, id_column, value)
    if row is None:
        db.execute("ROLLBACK")
        raise KeyError(value)
    return row[0]


def _insert_event(db: sqlite3.Connection, event: CaseEvent) -> None:
    db.execute(
        "INSERT INTO case_events (case_id, at, kind, detail) VALUES (?, ?, ?, ?)",
        (event.case_id, event.at.isoformat(), event.kind, json.dumps(event.detail, ensure_ascii=False, default=str)),
    )
