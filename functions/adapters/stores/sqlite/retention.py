"""Nothing kept forever, in the SQLite file: the daily run deletes what is older than the business
keeps records (`retention_days`), freed space zeroed (`secure_delete`)."""

from __future__ import annotations

from datetime import datetime

from functions.adapters.stores.sqlite.database import SqlitePort, unavailable_on_error
from functions.adapters.stores.sqlite.schema import utc_text

# Each kind and what dates it: julianday() compares moments written with any offset as moments.
EXPIRED = {
    "ledger": "business_day < date(?)",
    "surveys": "julianday(created_at) < julianday(?)",
    "replies": "day < date(?)",
    "reports": "julianday(at) < julianday(?)",
    "short_links": "julianday(json_extract(body, '$.expires_at')) < julianday(?)",
    "undelivered": "julianday(at) < julianday(?)",
    "vouchers": "issued < date(?)",  # a voucher is a customer's name and a gift: not kept past retention either
}


class SqliteRetention(SqlitePort):
    @unavailable_on_error
    def delete_expired(self, before: datetime) -> dict[str, int]:
        moment = utc_text(before)
        with self.file.connection() as db:
            db.execute("PRAGMA secure_delete = ON")
            db.execute("BEGIN IMMEDIATE")
            deleted = {table: db.execute(f"DELETE FROM {table} WHERE {where}", (moment,)).rowcount
                       for table, where in EXPIRED.items()}  # fmt: skip
            resolved = "status = 'resolved' AND julianday(updated_at) < julianday(?)"
            db.execute(f"DELETE FROM case_events WHERE case_id IN (SELECT case_id FROM cases WHERE {resolved})",
                       (moment,))  # fmt: skip
            deleted["cases"] = db.execute(f"DELETE FROM cases WHERE {resolved}", (moment,)).rowcount
            db.execute("COMMIT")
        return {kind: n for kind, n in deleted.items() if n}
