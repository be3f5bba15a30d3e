"""Who gets a message of the care plan today, and who does not and why (pure).

The occasions are the Care plan tab's rows (`core.care_plan`), the birthday wish and the one-week
check-in by default. Two steps, so the job can ask the ledger in between:
  due_messages(customers, today, rules, occasions)   → every message the plan calls for (and late ones)
  decide(due, ledger facts, now)                     → what to send now, what to skip (with a reason), what is unknown
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from typing import Any

from functions.core import values
from functions.core.care_plan import OccasionDay, default_occasions
from functions.core.customers import Customer, channels_for, may_advertise
from functions.core.i18n import say
from functions.core.ledger import FAILED, IN_DOUBT, QUEUED, SENT, LedgerFacts, in_flight
from functions.core.occasions import BEFORE, COLUMN, NO_RETURN, RELATIVE, Occasion, Occurrence, occurrence_finder
from functions.core.tables import Table
from functions.core.text import cell_text, shorten
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
    max_per_day: int  # messages a customer may get in one day
    consent_required: bool  # an advert goes only to customers who ticked their consent

    @property
    def hours(self) -> str:
        return f"{self.send_from:%H:%M}–{self.send_until:%H:%M}"


@dataclass(frozen=True, slots=True)
class DueMessage:
    kind: str
    customer: Customer
    due: date
    late: bool = False  # past the catch-up window: reported, never sent
    occasion: Occasion | None = None  # the care plan's occasion (None: a message made before there was one)
    period: str = ""  # what makes it once per occurrence: the year, or the date it counts from
    date: date | values.Birthday | None = None  # the date it says ({ngay})

    @property
    def key(self) -> str:
        period = self.period or (
            str(self.due.year) if self.kind == BIRTHDAY else (self.due - CHECKIN_AFTER).isoformat()
        )
        return f"{self.kind}/{self.customer.id}/{period}"

    @property
    def rank(self) -> int:
        """Its occasion's place in the care plan: when a customer has two on one day, the first goes."""
        return self.occasion.order if self.occasion is not None else int(self.kind != BIRTHDAY)

    @property
    def by_call(self) -> bool:
        """A customer careloop cannot write to is called by staff for it (an occasion that asks how it went)."""
        return self.occasion.survey if self.occasion is not None else self.kind == CHECKIN


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


CellOf = Callable[[Customer, int], Any]  # a customer's cell in a Customers column, by position


def customer_cell(table: Table) -> CellOf:
    """A customer's cell of the Customers tab as read, by its row and the column's position."""
    rows = table.rows

    def cell(customer: Customer, position: int) -> Any:
        raw = rows[customer.row - 2] if 0 <= customer.row - 2 < len(rows) else ()
        return raw[position] if 0 <= position < len(raw) else None

    return cell


class OccasionDates:
    """Each customer's date for an occasion: the birthday and purchase date as the Customers reading
    read them, any other column's cell read here (each distinct cell once); what cannot be read is
    kept per customer, for the row's System note."""

    def __init__(self, cell: CellOf, date_order: str, today: date, language: str):
        self.cell, self.order, self.today, self.language = cell, date_order, today, language
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.problems: dict[str, list[str]] = {}

    def reader(self, occasion: Occasion) -> Callable[[Customer], date | values.Birthday | None]:
        """`of` for one occasion: the row's own birthday or purchase date, as read, when it needs no more."""
        if occasion.source == "purchase_date" or (occasion.source == "birthday" and not occasion.when.needs_year):
            return attrgetter(occasion.source)
        return lambda customer: self.of(occasion, customer)

    def of(self, occasion: Occasion, customer: Customer) -> date | values.Birthday | None:
        if occasion.source == "birthday":
            found: Any = customer.birthday
        elif occasion.source == "purchase_date":
            found = customer.purchase_date
        elif occasion.source == COLUMN:
            found = self._read(self.cell(customer, occasion.position), occasion.when.rule)
            if isinstance(found, values.CellError):
                self._problem(customer, occasion, "care_date_unreadable", self.cell(customer, occasion.position))
                return None
        else:
            return None
        if isinstance(found, values.Birthday) and occasion.when.needs_year:
            if found.year is None:
                self._problem(customer, occasion, "care_date_needs_year", None)
                return None
            return date(found.year, found.month, found.day)
        return found

    def _read(self, cell: Any, rule: str) -> Any:
        if cell is None or not cell_text(cell):
            return None
        key = (type(cell), cell, rule)
        if key not in self.memo:
            try:
                if rule == NO_RETURN:  # the latest of the dates typed in the cell
                    parts = re.split(r"[,;\n]", cell) if isinstance(cell, str) else [cell]
                    self.memo[key] = max(values.read_date(p, self.order, self.today) for p in parts if cell_text(p))
                elif rule in RELATIVE:
                    self.memo[key] = values.read_date(cell, self.order, self.today)
                else:
                    self.memo[key] = values.read_day_month(cell, self.order, self.today)
            except values.CellError as error:
                self.memo[key] = error
        return self.memo[key]

    def _problem(self, customer: Customer, occasion: Occasion, code: str, cell: Any) -> None:
        note = say(code, self.language, column=occasion.column, occasion=occasion.name, value=shorten(cell_text(cell)))
        if note not in (notes := self.problems.setdefault(customer.id, [])):
            notes.append(note)


def due_messages(
    customers: Iterable[Customer],
    today: date,
    rules: FollowupRules,
    occasions: Sequence[Occasion] | None = None,
    dates: OccasionDates | None = None,
) -> list[DueMessage]:
    """Every occasion's message due today for each customer it is for, and the late ones still reported.

    A message goes on its day, or within `catchup_days` after it: one counted from a date of the row
    (a check-in, a reminder — never after the day it reminds of) when a run was missed; a yearly or
    fixed-day one only when an occasion above it in the plan fell within those days (it then took the
    customer's message of the day, and this one follows). Late ones counted from a row's date are
    reported for LATE_REPORT_DAYS more."""
    occasions = default_occasions() if occasions is None else occasions
    dates = dates or OccasionDates(lambda customer, position: None, "DMY", today, "vi")
    window = rules.catchup_days
    first = today - timedelta(days=window + LATE_REPORT_DAYS)
    due: list[DueMessage] = []
    customers = list(customers)
    falls: dict[int, list[tuple[Occasion, Occurrence]]] = {}  # customer's index → the occasions that fall for them
    for occasion in occasions:  # occasion by occasion: each rule's window worked out once for every customer
        find, conditions, cell = occurrence_finder(occasion.when, first, today), occasion.conditions, dates.cell
        date_of = dates.reader(occasion)
        for index, customer in enumerate(customers):
            if conditions and not all(c.holds(cell(customer, c.position)) for c in conditions):
                continue
            if occasion.advert and not may_advertise(customer, rules.consent_required):
                continue  # an advert only with consent: not due at all
            if hits := find(date_of(customer)):
                falls.setdefault(index, []).extend((occasion, o) for o in hits)
    for index in sorted(falls):  # in the sheet's order, each customer's in the plan's
        customer, found = customers[index], falls[index]
        for occasion, occurrence in found:
            late_by = (today - occurrence.day).days
            catchup = occasion.catchup(window)
            if late_by == 0 or (late_by <= catchup and (occasion.when.rule in RELATIVE or _displaced(
                    occasion, occurrence, found, catchup))):  # fmt: skip
                late = False
            elif occasion.when.rule in RELATIVE and occasion.when.rule != BEFORE:
                late = True
            else:
                continue
            due.append(DueMessage(occasion.kind, customer, occurrence.day, late, occasion, occurrence.period,
                                  occurrence.date))  # fmt: skip
    return due


def _displaced(occasion: Occasion, occurrence: Occurrence, found: Sequence[tuple[Occasion, Occurrence]],
               catchup: int) -> bool:  # fmt: skip
    """Whether an occasion above this one fell for the customer within the catch-up days before its day."""
    start = occurrence.day - timedelta(days=catchup)
    return any(other.order < occasion.order and start <= o.day <= occurrence.day for other, o in found)


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
        if customer.phone and (customer.channels[:1] == (CALL,) or not customer.channels or message.by_call):
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

    # At most max_per_day messages a customer a day; the care plan's order decides (the birthday first
    # by default), the others wait for the next run.
    contacted = Counter(facts.counted_today())
    chosen: list[DueMessage] = []
    for message in sorted(sendable, key=lambda m: (m.rank, m.due)):
        if contacted[message.customer.id] >= rules.max_per_day:
            plan.skipped.append(Skip(message, "one_per_day"))
        else:
            contacted[message.customer.id] += 1
            chosen.append(message)

    # The daily cap keeps the oldest due; the rest wait for tomorrow's run.
    room = rules.daily_cap - facts.reserved_today if rules.daily_cap else len(chosen)
    chosen.sort(key=lambda m: (m.due, m.rank, m.customer.row))
    plan.send = chosen[: max(room, 0)]
    plan.skipped.extend(Skip(m, "daily_cap", {"cap": rules.daily_cap}) for m in chosen[max(room, 0) :])
    return plan


def care_plan_day(
    today: date,
    plan: FollowupPlan,
    sent: Sequence[tuple[DueMessage, Any]],
    sent_at: Mapping[str, datetime],
    catchup_days: int,
) -> dict[str, OccasionDay]:
    """What each occasion did today, for its Care plan row: sent (by this run and earlier ones today),
    waiting for a later day (the customer had another message today), or skipped for good."""
    counts: dict[str, list[int]] = {}
    for message, _ in sent:
        counts.setdefault(message.kind, [0, 0, 0])[0] += 1
    for skip in plan.skipped:
        message, counted = skip.message, counts.setdefault(skip.message.kind, [0, 0, 0])
        if skip.reason == "already_sent" and (at := sent_at.get(message.key)) is not None and at.date() == today:
            counted[0] += 1
        elif skip.reason == "one_per_day":
            last_chance = message.occasion is None or (today - message.due).days >= message.occasion.catchup(
                catchup_days)  # fmt: skip
            counted[2 if last_chance else 1] += 1
    return {kind: OccasionDay(today, *numbers) for kind, numbers in counts.items() if any(numbers)}
