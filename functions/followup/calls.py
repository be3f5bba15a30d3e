"""The care-call list the follow-up run leaves for staff: check-ins of customers cared for by phone
(or with no channel to write to), customers whose low score opened a case still waiting for its first
answer, and VIPs with an occasion today; uncalled rows stay with their age."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from functions.core.calls import CallTask, call_list_writes, new_calls, read_calls
from functions.core.customers import Customer
from functions.core.ledger import SENT
from functions.core.links import Links
from functions.core.short_links import DIAL, DIAL_DAYS, ShortLink
from functions.core.tables import Table, TabWrite
from functions.followup.plan import DueMessage, Skip
from functions.ports import Cases, Ledger


class CallListRecords(Protocol):
    """The calls already recorded (the ledger) and the low scores whose case waits for a call."""

    ledger: Ledger
    cases: Cases


def call_list(
    records: CallListRecords,
    links: Links,
    table: Table,
    skipped: Sequence[Skip],
    due: Sequence[DueMessage],
    customers: Sequence[Customer],
    today: date,
    language: str,
) -> tuple[TabWrite, list[ShortLink]]:
    """The Calls tab's write, and the dial links its new rows point at (to store before the write)."""
    by_id = {c.id: c for c in customers if c.phone and not c.opted_out}
    tasks = [
        CallTask(
            s.message.customer.id,
            s.message.customer.name,
            s.message.customer.phone or "",
            "call_checkin",
            s.message.due,
        )  # fmt: skip
        for s in skipped
        if s.reason == "call_list" and s.message.by_call and s.message.customer.id in by_id
    ]
    for case in records.cases.cases(open_only=True):  # a low score: the case's first answer is a call
        customer = by_id.get(case.customer_id)
        if case.source == "csat" and case.first_responded_at is None and customer is not None:
            tasks.append(CallTask(customer.id, customer.name, customer.phone or "", "call_low_score",
                                  case.created_at.date()))  # fmt: skip
    for message in due:
        customer = by_id.get(message.customer.id)
        if customer is not None and customer.vip and not message.late:
            tasks.append(CallTask(customer.id, customer.name, customer.phone or "", "call_vip", today))
    rows, tasks = read_calls(table, today), _first_each(tasks)
    recorded = records.ledger.facts([r.key for r in rows] + [t.key for t in tasks], today).states
    done = {key for key, state in recorded.items() if state == SENT}
    expires = datetime.combine(today + timedelta(days=DIAL_DAYS), time(), UTC)
    # Only the rows this run adds get a dial link: a listed call's link was stored when it was listed.
    dial = {t.key: links.short(DIAL, f"{t.phone} {t.due.isoformat()}", language, expires)
            for t in new_calls(tasks, rows, done) if t.phone}  # fmt: skip
    write = call_list_writes(tasks, rows, done, today, language, {k: links.short_url(v) for k, v in dial.items()})
    return write, list(dial.values())


def _first_each(tasks: list[CallTask]) -> list[CallTask]:
    """One call per customer: the first reason found."""
    seen: dict[str, CallTask] = {}
    for task in tasks:
        seen.setdefault(task.customer_id, task)
    return list(seen.values())
