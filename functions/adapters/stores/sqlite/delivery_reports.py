"""Delivery reports in the SQLite file: only the undelivered are kept, for the next run to note."""

from __future__ import annotations

import json
from datetime import datetime

from functions.adapters.stores.sqlite.database import SqlitePort, unavailable_on_error
from functions.adapters.stores.sqlite.schema import delivery_report_from, utc_text
from functions.core.ledger import UNDELIVERED, DeliveryReport


class SqliteDeliveryReports(SqlitePort):
    @unavailable_on_error
    def record_delivery(self, report: DeliveryReport) -> None:
        with self.file.connection() as db:
            if report.status == UNDELIVERED:
                body = json.dumps({**report._asdict(), "at": report.at.isoformat()}, ensure_ascii=False)
                db.execute(
                    "INSERT OR REPLACE INTO undelivered VALUES (?, ?, ?)", (report.key, utc_text(report.at), body)
                )
            else:
                db.execute("DELETE FROM undelivered WHERE key = ?", (report.key,))

    @unavailable_on_error
    def undelivered(self, since: datetime) -> list[DeliveryReport]:
        with self.file.connection() as db:
            rows = db.execute("SELECT body FROM undelivered WHERE at >= ? ORDER BY at, key", (utc_text(since),))
            return [delivery_report_from(json.loads(r[0])) for r in rows]
