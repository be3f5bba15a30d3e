"""Everything the SQLite file holds about one customer: shown on request, and erased on request
(what goes and what stays is `core.privacy`'s). Erased means gone from the bytes: the connection
erases with `secure_delete` (freed space zeroed), and the file is vacuumed and its write-ahead log
checkpointed and truncated, so no page of the file or the WAL keeps the text."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from functions.adapters.stores.sqlite.database import SqlitePort, unavailable_on_error
from functions.adapters.stores.sqlite.schema import (
    LEDGER_COLUMNS,
    answered_at_text,
    case_from_json,
    case_json,
    entry_from_row,
    survey_from_json,
    survey_json,
    voucher_from_json,
)
from functions.core.cases import CaseEvent
from functions.core.ledger import LedgerEntry
from functions.core.privacy import (
    NOT_PERSONAL_STATES,
    erased_case,
    erased_entry,
    erased_event,
    erased_survey,
    erased_voucher,
    own_texts,
    scrubbed,
)
from functions.core.vouchers import voucher_fields

OF_CUSTOMER = "json_extract(body, '$.customer_id') = ?"


class SqliteCustomerData(SqlitePort):
    @unavailable_on_error
    def customer_records(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        with self.file.connection() as db:
            cases = [
                json.loads(b) for (b,) in db.execute(f"SELECT body FROM cases WHERE {OF_CUSTOMER}", (customer_id,))
            ]
            case_ids = [c["case_id"] for c in cases]
            surveys = [json.loads(b) for (b,) in db.execute(f"SELECT body FROM surveys WHERE {OF_CUSTOMER}",
                                                               (customer_id,))]  # fmt: skip
            return {
                "ledger": [_fields(entry_from_row(r)) for r in db.execute(
                    f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE customer_id = ? ORDER BY key", (customer_id,))],
                "surveys": surveys,
                "cases": cases,
                "case_events": [{"case_id": c, "at": at, "kind": k, "detail": json.loads(d)} for c, at, k, d in
                                db.execute(f"SELECT case_id, at, kind, detail FROM case_events WHERE case_id IN "
                                           f"({','.join('?' * len(case_ids))}) ORDER BY id", case_ids)],
                "vouchers": [json.loads(b) for (b,) in db.execute(f"SELECT body FROM vouchers WHERE {OF_CUSTOMER}",
                                                                    (customer_id,))],
                "opt_out": [{"customer_id": c, "at": at} for c, at in
                            db.execute("SELECT customer_id, at FROM opt_outs WHERE customer_id = ?", (customer_id,))],
                "undelivered": [json.loads(b) for (b,) in db.execute(
                    f"SELECT body FROM undelivered WHERE {OF_CUSTOMER}", (customer_id,))],
                "short_links": [json.loads(b) for (b,) in db.execute(
                    "SELECT body FROM short_links WHERE json_extract(body, '$.target') IN "
                    f"({','.join('?' * (1 + len(surveys)))})", [customer_id, *(s["survey_id"] for s in surveys)])],
            }  # fmt: skip

    @unavailable_on_error
    def erase_customer(self, customer_id: str, personal: Sequence[str], at: datetime) -> dict[str, int]:
        changed: dict[str, int] = {}
        with self.file.connection() as db:
            db.execute("PRAGMA secure_delete = ON")
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE customer_id = ?", (customer_id,)).fetchall()
            for entry in map(entry_from_row, rows):
                erased = erased_entry(entry)
                attempts = json.dumps(list(erased.attempts), ensure_ascii=False)
                db.execute(
                    "UPDATE ledger SET error = ?, attempts = ? WHERE key = ?", (erased.error, attempts, entry.key)
                )
            changed["ledger"] = len(rows)
            surveys = [survey_from_json(b) for (b,) in db.execute(f"SELECT body FROM surveys WHERE {OF_CUSTOMER}",
                                                                    (customer_id,))]  # fmt: skip
            cases = [case_from_json(b) for (b,) in db.execute(f"SELECT body FROM cases WHERE {OF_CUSTOMER}",
                                                                (customer_id,))]  # fmt: skip
            personal = (*personal, *own_texts(cases, surveys))
            for survey in map(erased_survey, surveys):
                db.execute("UPDATE surveys SET body = ?, answered_at = ? WHERE survey_id = ?",
                           (survey_json(survey), answered_at_text(survey), survey.survey_id))  # fmt: skip
            changed["surveys"] = len(surveys)
            for case in cases:
                db.execute(
                    "UPDATE cases SET body = ? WHERE case_id = ?", (case_json(erased_case(case, at)), case.case_id)
                )
                for event_id, when, kind, detail in db.execute(
                    "SELECT id, at, kind, detail FROM case_events WHERE case_id = ?", (case.case_id,)
                ).fetchall():
                    read = CaseEvent(case.case_id, datetime.fromisoformat(when), kind, json.loads(detail))
                    event = erased_event(read, personal)
                    db.execute("UPDATE case_events SET detail = ? WHERE id = ?",
                               (json.dumps(event.detail, ensure_ascii=False, default=str), event_id))  # fmt: skip
            changed["cases"] = len(cases)
            vouchers = [voucher_from_json(b) for (b,) in db.execute(f"SELECT body FROM vouchers WHERE {OF_CUSTOMER}",
                                                                      (customer_id,))]  # fmt: skip
            for voucher in map(erased_voucher, vouchers):
                db.execute("UPDATE vouchers SET body = ? WHERE code = ?",
                           (json.dumps(voucher_fields(voucher), ensure_ascii=False), voucher.code))  # fmt: skip
            changed["vouchers"] = len(vouchers)
            changed["undelivered"] = db.execute(f"DELETE FROM undelivered WHERE {OF_CUSTOMER}", (customer_id,)).rowcount
            targets = [customer_id, *(s.survey_id for s in surveys), *personal]
            changed["short_links"] = db.execute(  # their surveys', their unsubscribe page's, their phone's to dial
                f"DELETE FROM short_links WHERE json_extract(body, '$.target') IN ({','.join('?' * len(targets))}) "
                f"OR {' OR '.join(['instr(body, ?) > 0'] * len(personal)) or '0'}",
                [*targets, *personal],
            ).rowcount
            # only what may name them: the reports that do, the states that may hold personal data, the
            # webhook events not yet taken (a taken one keeps no body)
            changed["reports"] = _scrub(
                db, "reports", "id", personal, where=("instr(customers, ?) > 0", f"\x1f{customer_id}\x1f")
            )
            changed["job_state"] = _scrub(
                db,
                "job_state",
                "name",
                personal,
                customer_id,
                ("substr(name, 1, ?) != ?", len(NOT_PERSONAL_STATES), NOT_PERSONAL_STATES),
            )
            changed["inbound_events"] = _scrub(db, "inbound_events", "event_id", personal, where=("taken_at IS NULL",))
            db.execute("COMMIT")
        with self.file.connection() as db:  # no page of the file, and nothing in its WAL, keeps the old text
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return changed


def _scrub(
    db: Any, table: str, id_column: str, personal: Sequence[str], customer_id: str = "", where: tuple[Any, ...] = ()
) -> int:
    """Every body of `table` (the rows `where` picks: its condition, then its parameters) naming a
    personal string, rewritten without it (a report's recipients, a state's notes); in a state, what
    maps to the customer (a channel's user → this customer) goes too."""
    count = 0
    condition = f" WHERE {where[0]}" if where else ""
    for row_id, text in db.execute(f"SELECT {id_column}, body FROM {table}{condition}", where[1:]).fetchall():
        try:
            body = json.loads(text) if text else text
        except ValueError:
            continue
        kept = {k: v for k, v in body.items() if v != customer_id} if customer_id and isinstance(body, dict) else body
        cleaned = scrubbed(kept, personal)
        if cleaned != body:
            db.execute(f"UPDATE {table} SET body = ? WHERE {id_column} = ?",
                       (json.dumps(cleaned, ensure_ascii=False), row_id))  # fmt: skip
            count += 1
    return count


def _fields(entry: LedgerEntry) -> dict[str, Any]:
    """A ledger entry as JSON holds it (days and moments as ISO text)."""
    return json.loads(json.dumps(dataclasses.asdict(entry), default=lambda v: v.isoformat()))
