"""What a job keeps between runs, and its run reports, in the SQLite file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from functions.adapters.stores.sqlite.database import SqlitePort, body, unavailable_on_error
from functions.adapters.stores.sqlite.schema import named_text


class SqliteJobState(SqlitePort):
    @unavailable_on_error
    def job_state(self, name: str) -> dict[str, Any]:
        row = self.file.one("job_state", "name", name, json.loads)
        return dict(row) if row else {}

    @unavailable_on_error
    def save_job_state(self, name: str, fields: Mapping[str, Any]) -> None:
        if not fields:
            return
        with self.file.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            row = body(db, "job_state", "name", name)
            merged = {**(json.loads(row[0]) if row else {}), **fields}
            kept = json.dumps({k: v for k, v in merged.items() if v is not None}, ensure_ascii=False)
            db.execute("INSERT OR REPLACE INTO job_state VALUES (?, ?)", (name, kept))
            db.execute("COMMIT")

    @unavailable_on_error
    def save_report(self, report: Mapping[str, Any]) -> None:
        with self.file.connection() as db:
            text = json.dumps(report, ensure_ascii=False, default=str)
            db.execute(
                "INSERT INTO reports (job, at, body, customers) VALUES (?, ?, ?, ?)",
                (report["job"], report["now"], text, named_text(json.loads(text))),
            )

    @unavailable_on_error
    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]:
        with self.file.connection() as db:
            rows = db.execute(
                "SELECT body FROM reports WHERE job = ? ORDER BY id DESC LIMIT ?", (job, limit)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]
