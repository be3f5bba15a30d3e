"""Replies heard, in the SQLite file: their kind and day only, for the figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from functions.adapters.stores.sqlite.database import SqlitePort, unavailable_on_error
from functions.core.replies import HeardReply


class SqliteReplies(SqlitePort):
    @unavailable_on_error
    def record_replies(self, replies: Sequence[HeardReply]) -> None:
        with self.file.connection() as db:
            db.executemany("INSERT OR IGNORE INTO replies VALUES (?, ?, ?)",
                           [(r.reply_id, r.kind, r.day.isoformat()) for r in replies])  # fmt: skip

    @unavailable_on_error
    def replies_between(self, first: date, last: date) -> list[HeardReply]:
        with self.file.connection() as db:
            rows = db.execute(
                "SELECT reply_id, kind, day FROM replies WHERE day BETWEEN ? AND ? ORDER BY day, reply_id",
                (first.isoformat(), last.isoformat()),
            )
            return [HeardReply(i, k, date.fromisoformat(d)) for i, k, d in rows]

    @unavailable_on_error
    def count_replies(self, first: date, last: date, kinds: Sequence[str]) -> int:
        with self.file.connection() as db:
            marks = ",".join("?" * len(kinds))
            (count,) = db.execute(f"SELECT COUNT(*) FROM replies WHERE day BETWEEN ? AND ? AND kind IN ({marks})",
                                  (first.isoformat(), last.isoformat(), *kinds)).fetchone()  # fmt: skip
            return int(count)
