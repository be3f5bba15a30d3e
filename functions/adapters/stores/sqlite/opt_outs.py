"""Opt-outs in the SQLite file: the first one for a customer stays."""

from __future__ import annotations

from datetime import datetime

from functions.adapters.stores.sqlite.database import SqlitePort, unavailable_on_error


class SqliteOptOuts(SqlitePort):
    @unavailable_on_error
    def record_opt_out(self, customer_id: str, at: datetime) -> None:
        with self.file.connection() as db:
            db.execute("INSERT OR IGNORE INTO opt_outs VALUES (?, ?)", (customer_id, at.isoformat()))

    @unavailable_on_error
    def opt_outs(self) -> dict[str, datetime]:
        with self.file.connection() as db:
            return {cid: datetime.fromisoformat(at) for cid, at in db.execute("SELECT customer_id, at FROM opt_outs")}
