"""The message ledger in the SQLite file. Reserving is one INSERT on the idempotency key (the
primary key), so two processes cannot both reserve a message; a message's survey is written in the
same transaction as its reservation."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from functions.adapters.stores.sqlite.database import CHUNK, SqlitePort, unavailable_on_error
from functions.adapters.stores.sqlite.schema import LEDGER_COLUMNS, entry_from_row, iso_or_none
from functions.adapters.stores.sqlite.surveys import insert_survey
from functions.core.ledger import FAILED, QUEUED, RESERVED, SENT, UNCERTAIN, LedgerEntry, LedgerFacts, releasable
from functions.core.surveys import Survey


class SqliteLedger(SqlitePort):
    def reserve(self, entry: LedgerEntry) -> bool:
        return entry.key in self.reserve_many([entry])

    @unavailable_on_error
    def reserve_many(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey] | None = None) -> set[str]:
        won: set[str] = set()
        with self.file.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            for entry in entries:
                if _reserve(db, entry, surveys.get(entry.key) if surveys else None):
                    won.add(entry.key)
            db.execute("COMMIT")
        return won

    @unavailable_on_error
    def claim(self, done: str | None, at: datetime, key: str) -> bool:
        with self.file.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            _confirm(db, [done] if done is not None else [], at)
            cursor = db.execute("UPDATE ledger SET state = ?, updated_at = ? WHERE key = ? AND state = ?",
                                (RESERVED, at.isoformat(), key, QUEUED))  # fmt: skip
            db.execute("COMMIT")
        return cursor.rowcount == 1

    def confirm(self, key: str, at: datetime) -> None:
        self.confirm_many([key], at)

    @unavailable_on_error
    def advance(
        self, done: str | None, at: datetime, following: LedgerEntry | None, survey: Survey | None = None
    ) -> bool:
        with self.file.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            _confirm(db, [done] if done is not None else [], at)
            won = following is not None and _reserve(db, following, survey)
            db.execute("COMMIT")
        return won

    @unavailable_on_error
    def confirm_many(self, keys: Sequence[str], at: datetime) -> None:
        with self.file.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            _confirm(db, keys, at)
            db.execute("COMMIT")

    def fail(self, key: str, error: str, at: datetime) -> None:
        self._settle(key, FAILED, error, at)

    def doubt(self, key: str, reason: str, at: datetime) -> None:
        self._settle(key, UNCERTAIN, reason, at)

    @unavailable_on_error
    def _settle(self, key: str, state: str, error: str, at: datetime) -> None:
        with self.file.connection() as db:
            db.execute(
                "UPDATE ledger SET state = ?, updated_at = ?, error = ? WHERE key = ?",
                (state, at.isoformat(), error, key),
            )

    @unavailable_on_error
    def release(self, key: str, force: bool = False) -> bool:
        states = releasable(force)
        with self.file.connection() as db:
            marks = ",".join("?" * len(states))
            cursor = db.execute(f"DELETE FROM ledger WHERE key = ? AND state IN ({marks})", (key, *states))
            return cursor.rowcount == 1

    @unavailable_on_error
    def record_attempt(self, key: str, failed: str, channel: str, at: datetime) -> None:
        with self.file.connection() as db:
            db.execute(
                "UPDATE ledger SET channel = ?, updated_at = ?, attempts = json_insert(attempts, '$[#]', ?)"
                " WHERE key = ?",
                (channel, at.isoformat(), failed, key),
            )

    @unavailable_on_error
    def entry(self, key: str) -> LedgerEntry | None:
        with self.file.connection() as db:
            row = db.execute(f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE key = ?", (key,)).fetchone()
        return entry_from_row(row) if row else None

    @unavailable_on_error
    def facts(self, keys: Iterable[str], day: date, customers: Iterable[str] | None = None) -> LedgerFacts:
        keys = list(keys)
        states: dict[str, str] = {}
        with self.file.connection() as db:
            sent_at: dict[str, datetime] = {}
            channels: dict[str, str] = {}
            fallbacks: dict[str, tuple[str, ...]] = {}
            reserved_at: dict[str, datetime] = {}
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
                    elif state == RESERVED and updated_at:
                        reserved_at[key] = datetime.fromisoformat(updated_at)
            if customers is None:
                return LedgerFacts(states, sent_at, channels, fallbacks, reserved_at=reserved_at)
            wanted = sorted(set(customers))
            counts: dict[str, int] = {}
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                counts.update(db.execute(
                    f"SELECT customer_id, COUNT(*) FROM ledger WHERE business_day = ? AND customer_id IN"
                    f" ({','.join('?' * len(chunk))}) GROUP BY customer_id", (day.isoformat(), *chunk)))  # fmt: skip
            (reserved,) = db.execute(
                "SELECT COUNT(*) FROM ledger WHERE business_day = ?", (day.isoformat(),)
            ).fetchone()
        return LedgerFacts(states, sent_at, channels, fallbacks, frozenset(counts), reserved, reserved_at,
                           {c: n for c, n in counts.items() if n > 1})  # fmt: skip

    @unavailable_on_error
    def count_sent(self, first: date, last: date, kinds: Sequence[str] = (), channel: str = "") -> int:
        query = "SELECT COUNT(*) FROM ledger WHERE state = ? AND business_day BETWEEN ? AND ?"
        values: list[Any] = [SENT, first.isoformat(), last.isoformat()]
        if channel:
            query, values = query + " AND channel = ?", values + [channel]
        if kinds:
            query, values = query + f" AND kind IN ({','.join('?' * len(kinds))})", values + list(kinds)
        with self.file.connection() as db:
            return int(db.execute(query, values).fetchone()[0])

    @unavailable_on_error
    def sent_between(self, first: date, last: date) -> list[LedgerEntry]:
        with self.file.connection() as db:
            rows = db.execute(
                f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE business_day BETWEEN ? AND ? AND state = ?"
                " ORDER BY business_day, key",
                (first.isoformat(), last.isoformat(), SENT),
            ).fetchall()
        return [entry_from_row(r) for r in rows]

    @unavailable_on_error
    def unconfirmed(self) -> list[LedgerEntry]:
        with self.file.connection() as db:
            rows = db.execute(
                f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE state IN (?, ?, ?, ?) ORDER BY reserved_at, key",
                (RESERVED, QUEUED, FAILED, UNCERTAIN),
            ).fetchall()
        return [entry_from_row(r) for r in rows]


def _insert_entry(db: sqlite3.Connection, entry: LedgerEntry) -> bool:
    """Reserve one entry; False when its key is taken (never overwritten)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO ledger (key, customer_id, kind, channel, business_day, state, reserved_at, updated_at,"
        " error, keyed_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (entry.key, entry.customer_id, entry.kind, entry.channel, entry.business_day.isoformat(), entry.state,
         iso_or_none(entry.reserved_at), iso_or_none(entry.reserved_at), "", int(entry.keyed_id)),
    )  # fmt: skip
    return cursor.rowcount == 1


def _reserve(db: sqlite3.Connection, entry: LedgerEntry, survey: Survey | None) -> bool:
    """Reserve the entry and, when it is won, create the survey it links to."""
    won = _insert_entry(db, entry)
    if won and survey is not None:
        insert_survey(db, survey)
    return won


def _confirm(db: sqlite3.Connection, keys: Sequence[str], at: datetime) -> None:
    """Mark sent; a key released meanwhile is not there to update."""
    db.executemany("UPDATE ledger SET state = ?, updated_at = ?, error = '' WHERE key = ?",
                   [(SENT, at.isoformat(), key) for key in keys])  # fmt: skip
