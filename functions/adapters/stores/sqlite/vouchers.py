"""Vouchers in the SQLite file: a code is issued once; whoever issues it first owns it."""

from __future__ import annotations

import json
from datetime import date

from functions.adapters.stores.sqlite.database import SqlitePort, body, unavailable_on_error
from functions.adapters.stores.sqlite.schema import voucher_from_json
from functions.core.vouchers import Voucher, voucher_fields


class SqliteVouchers(SqlitePort):
    @unavailable_on_error
    def voucher(self, code: str) -> Voucher | None:
        return self.file.one("vouchers", "code", code, voucher_from_json)

    @unavailable_on_error
    def issue_voucher(self, voucher: Voucher) -> Voucher:
        with self.file.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            fields = json.dumps(voucher_fields(voucher), ensure_ascii=False)
            db.execute(
                "INSERT OR IGNORE INTO vouchers VALUES (?, ?, ?)", (voucher.code, voucher.issued.isoformat(), fields)
            )
            row = body(db, "vouchers", "code", voucher.code)
            db.execute("COMMIT")
        assert row is not None
        return voucher_from_json(row[0])

    @unavailable_on_error
    def vouchers(self, issued_since: date) -> list[Voucher]:
        with self.file.connection() as db:
            rows = db.execute("SELECT body FROM vouchers WHERE issued >= ? ORDER BY issued, code",
                              (issued_since.isoformat(),))  # fmt: skip
            return [voucher_from_json(r[0]) for r in rows]

    @unavailable_on_error
    def count_vouchers(self, first: date, last: date, by: str = "issued") -> int:
        field = "json_extract(body, '$.used_on')" if by == "used_on" else "issued"
        used = " AND json_extract(body, '$.used_on') IS NOT NULL" if by == "issued_used" else ""
        with self.file.connection() as db:
            query = f"SELECT COUNT(*) FROM vouchers WHERE {field} BETWEEN ? AND ?{used}"
            return int(db.execute(query, (first.isoformat(), last.isoformat())).fetchone()[0])

    @unavailable_on_error
    def set_voucher_used(self, code: str, day: date | None) -> None:
        with self.file.connection() as db:
            db.execute("UPDATE vouchers SET body = json_set(body, '$.used_on', ?) WHERE code = ?",
                       (day.isoformat() if day else None, code))  # fmt: skip
