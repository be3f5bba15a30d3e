"""Cases and their events in the SQLite file: a case and the event that changed it are one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from functions.adapters.stores.sqlite.database import CHUNK, SqlitePort, body_for_update, unavailable_on_error
from functions.adapters.stores.sqlite.schema import case_from_json, case_json, case_updated_text, utc_text
from functions.core.cases import CaseEvent, CaseRecord


class SqliteCases(SqlitePort):
    @unavailable_on_error
    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        with self.file.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            cursor = db.execute(
                "INSERT OR IGNORE INTO cases (case_id, status, body, updated_at) VALUES (?, ?, ?, ?)",
                (case.case_id, case.status, case_json(case), case_updated_text(case)),
            )
            if cursor.rowcount == 1:
                _insert_event(db, event)
            db.execute("COMMIT")
            return cursor.rowcount == 1

    @unavailable_on_error
    def case(self, case_id: str) -> CaseRecord | None:
        return self.file.one("cases", "case_id", case_id, case_from_json)

    @unavailable_on_error
    def cases(self, open_only: bool = False) -> list[CaseRecord]:
        query = "SELECT body FROM cases" + (" WHERE status != 'resolved'" if open_only else "") + " ORDER BY case_id"
        with self.file.connection() as db:
            return _in_order(case_from_json(r[0]) for r in db.execute(query))

    @unavailable_on_error
    def cases_by_id(self, case_ids: Iterable[str]) -> list[CaseRecord]:
        wanted = sorted(set(case_ids))
        found: list[CaseRecord] = []
        with self.file.connection() as db:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                marks = ",".join("?" * len(chunk))
                found += [
                    case_from_json(r[0])
                    for r in db.execute(f"SELECT body FROM cases WHERE case_id IN ({marks})", chunk)
                ]
        return _in_order(found)

    @unavailable_on_error
    def cases_updated(self, since: datetime) -> list[CaseRecord]:
        with self.file.connection() as db:
            rows = db.execute("SELECT body FROM cases WHERE updated_at >= ?", (utc_text(since),)).fetchall()
        return _in_order(case_from_json(r[0]) for r in rows)

    @unavailable_on_error
    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        with self.file.connection() as db:
            case = case_from_json(body_for_update(db, "cases", "case_id", case_id)).changed(**changes)
            db.execute(
                "UPDATE cases SET status = ?, body = ?, updated_at = ? WHERE case_id = ?",
                (case.status, case_json(case), case_updated_text(case), case_id),
            )
            _insert_event(db, event)
            db.execute("COMMIT")

    @unavailable_on_error
    def case_events(self, case_id: str) -> list[CaseEvent]:
        with self.file.connection() as db:
            rows = db.execute(
                "SELECT case_id, at, kind, detail FROM case_events WHERE case_id = ? ORDER BY id", (case_id,)
            )
            return [CaseEvent(c, datetime.fromisoformat(at), kind, json.loads(detail)) for c, at, kind, detail in rows]


def _in_order(cases: Iterable[CaseRecord]) -> list[CaseRecord]:
    return sorted(cases, key=lambda c: (c.created_at, c.case_id))


def _insert_event(db: sqlite3.Connection, event: CaseEvent) -> None:
    db.execute(
        "INSERT INTO case_events (case_id, at, kind, detail) VALUES (?, ?, ?, ?)",
        (event.case_id, event.at.isoformat(), event.kind, json.dumps(event.detail, ensure_ascii=False, default=str)),
    )
