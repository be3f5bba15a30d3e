"""Events providers posted (a channel's webhook) in the SQLite file, until the escalation run takes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from functions.adapters.stores.sqlite.database import SqlitePort, unavailable_on_error
from functions.adapters.stores.sqlite.schema import utc_text
from functions.core.inbound import InboundEvent

KEPT_IDS = timedelta(days=2)  # a taken event's id outlives the window a replay could be signed within


class SqliteInboundEvents(SqlitePort):
    @unavailable_on_error
    def record_event(self, event: InboundEvent) -> bool:
        with self.file.connection() as db:
            added = db.execute(
                "INSERT OR IGNORE INTO inbound_events VALUES (?, ?, ?, NULL, ?)",
                (event.event_id, event.source, utc_text(event.received_at), event.body),
            )
            return added.rowcount == 1

    @unavailable_on_error
    def pending_events(self, limit: int) -> list[InboundEvent]:
        with self.file.connection() as db:
            rows = db.execute(
                "SELECT event_id, source, received_at, body FROM inbound_events WHERE taken_at IS NULL "
                "ORDER BY received_at, event_id LIMIT ?",
                (limit,),
            )
            return [InboundEvent(i, s, datetime.fromisoformat(at), b) for i, s, at, b in rows]

    @unavailable_on_error
    def events_taken(self, event_ids: Sequence[str], at: datetime) -> None:
        with self.file.connection() as db:
            db.executemany(
                "UPDATE inbound_events SET taken_at = ?, body = '' WHERE event_id = ? AND taken_at IS NULL",
                [(utc_text(at), i) for i in event_ids],
            )
            db.execute(
                "DELETE FROM inbound_events WHERE taken_at IS NOT NULL AND received_at < ?",
                (utc_text(at - KEPT_IDS),),
            )
