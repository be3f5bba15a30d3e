"""Who gets a birthday wish or a one-week check-in today, and who does not and why (pure).

Two steps, so the job can ask the ledger in between:
  due_messages(customers, today)   → every message the calendar calls for (and late ones)
  decide(due, ledger facts, now)   → what to send now, what to skip (with a reason), what is unknown
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from functions.core.customers import Customer, channels_for
from functions.core.ledger import FAILED, IN_DOUBT, QUEUED, SENT, LedgerFacts, in_flight
from functions.core.values import CALL

BIRTHDAY, CHECKIN = "birthday", "checkin"
CHECKIN_AFTER = timedelta(days=7)
LATE_REPORT_DAYS = 30  # a missed check-in is reported for this long, then no longer mentioned


@dataclass(frozen=True)
class FollowupRules:
    """The follow-up run's rules, from settings (bootstrap): none of its own defaults."""

    catchup_days: int
    daily_cap: int  # 0: no cap
    send_from: time
    send_until: time
    channels: frozenset[str]  # channels this deployment can send on

    @property
    def hours(self) -> str:
        return f"{self.send_from:%H:%M}–{self.send_until:%H:%M}"


@dataclass(frozen=True, slots=True)
class DueMessage:
    kind: str
    customer: Customer
    due: date
    late: bool = False  # past the catch-up window: reported, never sent

    @property
    def key(self) -> str:
        occasion = self.due.year if self.kind == BIRTHDAY else (self.due - CHECKIN_AFTER).isoformat()
        return f"{self.kind}/{self.customer.id}/{occasion}"


@dataclass(frozen=True, slots=True)
class Skip:
    message: DueMessage
    reason: str  # a code from i18n
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class FollowupPlan:
    send: list[DueMessage] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    unknown: list[DueMessage] = field(default_factory=list)


def due_messages(customers: Iterable[Customer], today: date, rules: FollowupRules) -> list[DueMessage]:
    window = timedelta(days=rules.catchup_days)
    report_from = today - window - timedelta(days=LATE_REPORT_DAYS)
    due: list[DueMessage] = []
    for customer in customers:
        if customer.birthday is not None and customer.birthday.falls_on(today):
            due.append(DueMessage(BIRTHDAY, customer, today))
        if customer.purchase_date is not None:
            checkin_day = customer.purchase_date + CHECKIN_AFTER
            if today - window <= checkin_day <= today:
                due.append(DueMessage(CHECKIN, customer, checkin_day))
            elif report_from <= checkin_day < today - window:
                due.append(DueMessage(CHECKIN, customer, checkin_day, late=True))
    return due


def _ledger_skip(message: DueMessage, state: str) -> Skip:
    """Why a message the ledger holds as sent or failed is not sent again."""
    return Skip(message, "already_sent" if state == SENT else "failed_before")


def _row_skip(message: DueMessage, now: datetime, rules: FollowupRules) -> Skip | None:
    """Why a new message is not sent now; None when it may go."""
    customer = message.customer
    if message.late:
        return Skip(message, "too_late", {"due": f"{message.due:%d/%m/%Y}", "days": rules.catchup_days})
    if customer.problems:
        return Skip(message, "invalid_row")
    if customer.opted_out:
        return Skip(message, "opted_out")
    if not channels_for(customer, rules.channels):
        if customer.phone and (customer.channels[:1] == (CALL,) or not customer.channels or message.kind == CHECKIN):
            return Skip(message, "call_list")  # cared for by phone, or nothing to write with: staff call
        return Skip(message, "channel_unavailable", {"channel": ", ".join(customer.channels) or "—"})
    if not rules.send_from <= now.time() < rules.send_until:
        return Skip(message, "outside_hours", {"hours": rules.hours})
    return None


def decide(due: Sequence[DueMessage], facts: LedgerFacts, now: datetime, rules: FollowupRules) -> FollowupPlan:
    """`now` is local time in the business time zone."""
    plan = FollowupPlan()
    sendable: list[DueMessage] = []
    for message in due:
        state = facts.states.get(message.key)
        if state == QUEUED:  # a send_batch run has it: said in the report, not in the row
            plan.skipped.append(Skip(message, "queued"))
            continue
        if in_flight(state, facts.reserved_at.get(message.key), now):  # another run is sending it right now
            plan.skipped.append(Skip(message, "in_flight"))
            continue
        if state in IN_DOUBT:
            plan.unknown.append(message)
            continue
        skip = _ledger_skip(message, state) if state in (SENT, FAILED) else _row_skip(message, now, rules)
        if skip is None:
            sendable.append(message)
        elif skip.reason != "already_sent" or not message.late:  # a late one sent long ago: nothing to say
            plan.skipped.append(skip)

    # One message per customer per day; the birthday wins, the check-in waits for the next run.
    contacted = set(facts.contacted_today)
    chosen: list[DueMessage] = []
    for message in sorted(sendable, key=lambda m: (m.kind != BIRTHDAY, m.due)):
        if message.customer.id in contacted:
            plan.skipped.append(Skip(message, "one_per_day"))
        else:
            contacted.add(message.customer.id)
            chosen.append(message)

    # The daily cap keeps the oldest due; the rest wait for tomorrow's run.
    room = rules.daily_cap - facts.reserved_today if rules.daily_cap else len(chosen)
    chosen.sort(key=lambda m: (m.due, m.kind != BIRTHDAY, m.customer.row))
    plan.send = chosen[: max(room, 0)]
    plan.skipped.extend(Skip(m, "daily_cap", {"cap": rules.daily_cap}) for m in chosen[max(room, 0) :])
    return plan
