"""What the escalation job sends, through the one send path (`functions.delivery`): emails to
case owners (opened, escalated, a tier-3 reminder) and a CSAT survey to the customer of a case
resolved lately. Each goes once (its ledger key) and only inside working hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from functions.compose import Composed, Composer, Recipient, customer_values
from functions.core.cases import RESOLVED, CaseEvent, CaseRecord, category_title
from functions.core.customers import Customer, addresses_for
from functions.core.errors import RenderError
from functions.core.ids import digest_hex
from functions.core.ledger import IN_DOUBT, SENT, LedgerEntry
from functions.core.message_tab import TextBook
from functions.core.messages import OutgoingMessage
from functions.core.staff_texts import values_for
from functions.core.surveys import Survey
from functions.delivery import Delivery, RunClock, deliver
from functions.escalate.deps import EscalationDeps
from functions.escalate.plan import Notice
from functions.escalate.writeback import local_text
from functions.survey.offers import offer, recent_by_customer

RESOLVED_SURVEY_DAYS = 7  # a case resolved within this many days gets its customer a survey


@dataclass
class Sent:
    """What the run's messages came to, for the report."""

    notified: list[tuple[Notice, CaseRecord]] = field(default_factory=list)
    surveyed: list[dict[str, Any]] = field(default_factory=list)
    deferred: list[tuple[Notice, str]] = field(default_factory=list)  # reason code
    failed: list[tuple[Notice, str]] = field(default_factory=list)
    clock: RunClock | None = None  # the run's time for sending, shared by every message it sends
    holiday: str = ""  # the public holiday that kept the office closed, if one did
    refused: dict[str, str] = field(default_factory=dict)  # channel → why its provider refuses careloop itself


def send_notices(
    deps: EscalationDeps,
    now: datetime,
    notices: Sequence[Notice],
    final: dict[str, CaseRecord],
    sent: Sent,
    contacts: Mapping[str, str] | None = None,
) -> None:
    """Send the notices the ledger has not seen, inside working hours only; each says how to reach the
    customer (`contacts`: customer ID → phone and email as the Customers tab has them)."""
    facts = deps.records.ledger.facts([n.key for n in notices], _business_day(deps, now))
    due = [n for n in notices if facts.states.get(n.key) not in (SENT, *IN_DOUBT)]
    if not due:
        return
    if not deps.calendar.is_open(now):
        reason = _closed(deps, now, sent)
        sent.deferred += [(n, reason) for n in due]
        return
    has_email = "email" in deps.channels
    by_owner: dict[str, list[tuple[Notice, CaseRecord]]] = {}
    for notice in due:
        case = final.get(notice.case.case_id, notice.case)
        if not case.owner_email or not has_email:
            sent.deferred.append((notice, "no_owner" if has_email else "channel_unavailable"))
        else:
            by_owner.setdefault(case.owner_email, []).append((notice, case))
    planned: dict[str, list[tuple[Notice, CaseRecord]]] = {}
    deliveries = []
    for owner_email, items in by_owner.items():  # one email an owner a run, listing all their cases
        try:
            delivery = _owner_delivery(deps, now, owner_email, items, contacts or {})
        except RenderError as error:
            sent.failed += [(notice, str(error)) for notice, _ in items]
            continue
        planned[delivery.key] = items
        deliveries.append(delivery)
    outcome = deliver(deps.records, deps.channels, sent.clock or deps.retry, deliveries, now)
    sent.refused.update(outcome.refused)
    sent.failed += [(notice, error) for d, error in outcome.failed + outcome.unknown for notice, _ in planned[d.key]]
    sent.deferred += [(notice, "deferred") for d in outcome.deferred for notice, _ in planned[d.key]]
    for delivery in outcome.sent:
        _record_notified(deps, now, delivery, planned[delivery.key], sent)


def _owner_delivery(deps: EscalationDeps, now: datetime, owner_email: str, items: list[tuple[Notice, CaseRecord]],
                    contacts: Mapping[str, str]) -> Delivery:  # fmt: skip
    """One notice goes under its own ledger key; several go as one digest under a key of its own."""
    if len(items) == 1:
        notice, case = items[0]
        return Delivery(_entry(deps, notice.key, case.customer_id, f"case_{notice.kind}", now),
                        _owner_message(deps, notice.key, items, "case_notice", contacts))  # fmt: skip
    key = f"case-digest/{owner_email}/{digest_hex('|'.join(sorted(n.key for n, _ in items)), 12)}"
    return Delivery(_entry(deps, key, f"owner:{owner_email}", "case_digest", now),
                    _owner_message(deps, key, items, "case_digest", contacts))  # fmt: skip


def _record_notified(deps: EscalationDeps, now: datetime, delivery: Delivery, items: list[tuple[Notice, CaseRecord]],
                     sent: Sent) -> None:  # fmt: skip
    """Each notice a digest carried is sent too: its own key in the ledger, an event on its case."""
    if len(items) > 1:
        entries = [_entry(deps, n.key, c.customer_id, f"case_{n.kind}", now) for n, c in items]
        deps.records.ledger.confirm_many(sorted(deps.records.ledger.reserve_many(entries)), now)
    for notice, case in items:
        sent.notified.append((notice, case))
        deps.records.cases.update_case(
            case.case_id, {}, CaseEvent(case.case_id, now, "notified", {"kind": notice.kind, "to": case.owner_email})
        )


def send_resolved_surveys(
    deps: EscalationDeps,
    now: datetime,
    final: dict[str, CaseRecord],
    customers: dict[str, Customer],
    sent: Sent,
    book: TextBook | None = None,
) -> None:
    """A case resolved lately gets its customer a CSAT survey, once (ledger key survey/case/<id>), in
    staff's words when the Messages tab has them (`book`)."""
    if deps.surveys is None or deps.links is None:
        return
    resolved = {
        f"survey/case/{c.case_id}": c
        for c in final.values()
        if c.status == RESOLVED
        and c.resolved_at
        and (c.customer_email or c.customer_id in customers)
        and now - c.resolved_at < timedelta(days=RESOLVED_SURVEY_DAYS)
    }
    facts = deps.records.ledger.facts(list(resolved), _business_day(deps, now))
    due = {k: c for k, c in resolved.items() if k not in facts.states}
    if not due:
        return
    if not deps.calendar.is_open(now):
        reason = _closed(deps, now, sent)
        sent.deferred += [(Notice(k, "survey", c), reason) for k, c in due.items()]
        return
    opted_out = deps.records.opt_outs.opt_outs()
    since = now - timedelta(days=deps.surveys.throttle_days)  # the throttle: only these customers' surveys
    recent = recent_by_customer(deps.records.surveys.surveys_of({c.customer_id for c in due.values()}, since))
    planned: dict[str, CaseRecord] = {}
    deliveries = []
    composer = Composer(deps.templates, deps.links, deps.channel_book, book)
    for key, case in due.items():
        customer = customers.get(case.customer_id)
        if case.customer_id in opted_out or (customer and customer.opted_out):
            continue
        survey = offer(case.customer_id, f"case/{case.case_id}", case.language, now, recent, deps.surveys)
        if survey is None:
            continue  # asked about something else lately: no second survey so soon
        try:
            composed = _survey_message(deps, composer, key, case, customer, survey, now)
        except RenderError as error:
            sent.failed.append((Notice(key, "survey", case), str(error)))
            continue
        recent.setdefault(case.customer_id, set()).add(survey.survey_id)
        planned[key] = case
        first, *fallbacks = composed.messages
        entry = _entry(deps, key, case.customer_id, "case_survey", now, first.channel)
        deliveries.append(Delivery(entry, first, survey, tuple(fallbacks), composed.short_links))
    outcome = deliver(deps.records, deps.channels, sent.clock or deps.retry, deliveries, now)
    sent.refused.update(outcome.refused)
    sent.failed += [(Notice(d.key, "survey", planned[d.key]), error) for d, error in outcome.failed + outcome.unknown]
    sent.deferred += [(Notice(d.key, "survey", planned[d.key]), "deferred") for d in outcome.deferred]
    sent.surveyed += [
        {
            "case_id": planned[d.key].case_id,
            "customer_id": planned[d.key].customer_id,
            "survey_id": d.survey.survey_id if d.survey else "",
            "key": d.key,
        }
        for d in outcome.sent
    ]


def _closed(deps: EscalationDeps, now: datetime, sent: Sent) -> str:
    """Why nothing goes out now: a public holiday, named, or outside working hours."""
    holiday = deps.calendar.holiday(_business_day(deps, now), deps.staff_language)
    if holiday:
        sent.holiday = holiday
        return "holiday"
    return "outside_working_hours"


def _business_day(deps: EscalationDeps, now: datetime) -> date:
    return now.astimezone(deps.calendar.zone).date()


def _entry(
    deps: EscalationDeps, key: str, customer_id: str, kind: str, now: datetime, channel: str = "email"
) -> LedgerEntry:
    return LedgerEntry(key, customer_id, kind, channel, _business_day(deps, now), reserved_at=now)


def _owner_message(
    deps: EscalationDeps, key: str, items: list[tuple[Notice, CaseRecord]], kind: str, contacts: Mapping[str, str]
) -> OutgoingMessage:
    language = deps.staff_language
    case = items[0][1]
    cases = [_case_context(deps, notice, c, contacts) for notice, c in items]
    owner = case.owner.split("<")[0].strip() or case.owner_email
    context = {**cases[0], "cases": cases, "owner": owner, "sheet_link": deps.sheet_link,
               "business_name": deps.business_name, "unsubscribe_url": ""}  # fmt: skip
    rendered = deps.templates.message(kind, language, context)
    return OutgoingMessage(key, "email", case.owner_email, owner, rendered.subject, rendered.text, rendered.html, "",
                           language)  # fmt: skip


def _case_context(
    deps: EscalationDeps, notice: Notice, case: CaseRecord, contacts: Mapping[str, str]
) -> dict[str, Any]:
    contact = contacts.get(case.customer_id) or case.customer_email
    return {"kind": notice.kind, "tier": case.tier, "case_id": case.case_id, "customer": case.customer_name,
            "customer_id": case.customer_id, "category": category_title(case.category, deps.staff_language),
            "issue": case.issue, "first_response_due": local_text(case.first_response_due, deps.calendar),
            "resolve_due": local_text(case.resolve_due, deps.calendar), "contact": contact,
            "from_reply": case.key.startswith("reply/")}  # fmt: skip


def _survey_message(
    deps: EscalationDeps,
    composer: Composer,
    key: str,
    case: CaseRecord,
    customer: Customer | None,
    survey: Survey,
    now: datetime,
) -> Composed:
    """The survey on the customer's channels as the sheet has them now, or by the case's email."""
    assert deps.links is not None  # checked by the caller
    if customer is not None:
        addresses = addresses_for(customer, frozenset(deps.channels), deps.channel_book)
        values = customer_values(customer, deps.business_name, case_id=case.case_id)
    else:
        addresses = [("email", case.customer_email)]
        values = values_for(case.customer_name, case.customer_name, "", deps.business_name, case_id=case.case_id)
    recipient = Recipient(case.customer_id, case.customer_name, case.language, addresses)
    return composer.compose(key, "case_survey", recipient, values, survey, now)
