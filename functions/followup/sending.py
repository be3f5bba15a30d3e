"""Sending the follow-up run's due messages: each composed for the customer's channels, delivered
through `functions.delivery` (or queued for send_batch on a big day), and what staff are told of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.compose import Composed, Composer, Recipient, customer_values
from functions.core.customers import addresses_for, may_advertise
from functions.core.errors import RenderError
from functions.core.i18n import knows, say
from functions.core.ledger import LedgerEntry
from functions.core.message_tab import TextBook
from functions.core.messages import OutgoingMessage
from functions.core.occasions import date_text
from functions.core.surveys import Survey
from functions.core.vouchers import Voucher
from functions.delivery import Delivered, Delivery, RunClock, deliver
from functions.fanout import enqueue
from functions.followup.deps import FollowupDeps
from functions.followup.plan import BIRTHDAY, CHECKIN, DueMessage, Skip
from functions.followup.vouchers import occasion_voucher
from functions.ports import SendQueue
from functions.survey.offers import offer, recent_by_customer

CHUNK = 200  # messages composed and delivered at a time


@dataclass(frozen=True)
class Reached:
    """Where a sent message went; not its words (a big day sends thousands)."""

    channel: str
    to: str


@dataclass(frozen=True)
class Preview:
    message: DueMessage
    outgoing: OutgoingMessage
    fallbacks: tuple[OutgoingMessage, ...] = ()


def kind_words(message: DueMessage, language: str) -> str:
    """A message's kind as staff read it: "lời chúc sinh nhật", or the name of the care plan's occasion."""
    if message.occasion is not None and not knows(f"kind_{message.kind}"):
        return message.occasion.name
    return say(f"kind_{message.kind}", language)


class SendingRun:
    """What one follow-up run sent, message by message: composing each due message, delivering
    (or queueing) it, and what staff are told about each."""

    def __init__(self, deps: FollowupDeps, now: datetime, dry_run: bool, book: TextBook):
        self.deps, self.now, self.dry_run = deps, now, dry_run
        self.sent: list[tuple[DueMessage, Reached]] = []
        self.failed: list[tuple[DueMessage, str]] = []
        self.skipped: list[Skip] = []
        self.unknown: list[tuple[DueMessage, str]] = []  # a fault after reserving: it may have gone out
        self.previews: list[Preview] = []
        self.notes: dict[str, list[str]] = {}
        self.last_contact: dict[str, str] = {}
        self.offers: dict[str, Survey] = {}  # message key → the survey it carries
        self.queued: list[DueMessage] = []  # handed to the send queue: send_batch runs send them
        self.limits: dict[str, str] = {}  # channel → its provider's refusal for a daily limit (told to staff once)
        self.refused: dict[str, str] = {}  # channel → why its provider refuses careloop itself (the manager is told)
        self.batches = 0
        self.composer = Composer(deps.templates, deps.links, deps.channel_book, book)
        self.vouchers: dict[str, Voucher] = {}  # message key → the voucher it carries
        self.recent = recent_by_customer(())  # customer → their surveys of late, for the throttle (read in send)

    def send(self, messages: list[DueMessage]) -> None:
        deps = self.deps
        if deps.surveys and messages:  # only the surveys of the customers written to: a rerun reads none
            since = self.now - timedelta(days=deps.surveys.throttle_days)
            self.recent = recent_by_customer(deps.records.surveys.surveys_of({m.customer.id for m in messages}, since))
        clock = RunClock.start(deps.retry, deps.run_budget_seconds)
        # More due than one run sends: the rest fan out through the send queue, queued first.
        in_run = len(messages) if deps.queue is None else deps.fanout_after
        batch = deps.fanout_batch_size
        for part, queued, size in ((messages[in_run:], True, -(-CHUNK // batch) * batch),  # whole queue batches
                                   (messages[:in_run], False, CHUNK)):  # fmt: skip
            for start in range(0, len(part), size):
                self.send_chunk(part[start : start + size], queued, clock)

    def send_chunk(self, messages: list[DueMessage], queued: bool, clock: RunClock) -> None:
        """Compose, then deliver (or hand to the send queue) a chunk of the day's messages: a big day
        never holds every rendered text at once."""
        deps, language = self.deps, self.deps.staff_language
        composed: list[tuple[DueMessage, Composed]] = []
        for message in messages:
            try:
                composed.append((message, self.compose(message)))
            except RenderError as error:
                self.failure(message, say("render_failed", language, error=error))
        if self.dry_run:
            self.previews += [Preview(m, c.messages[0], c.messages[1:]) for m, c in composed]
            return
        due = {m.key: m for m, _ in composed}
        deliveries = [
            Delivery(
                LedgerEntry(m.key, m.customer.id, m.kind, c.messages[0].channel, self.now.date(), reserved_at=self.now),
                c.messages[0],
                self.offers.get(m.key),
                c.messages[1:],
                c.short_links,
                self.vouchers.get(m.key),
            )
            for m, c in composed
        ]
        if queued and deps.queue is not None:
            self.enqueue(deps.queue, deliveries, due)
            return
        outcome = deliver(deps.records, deps.channels, clock, deliveries, self.now,
                          outcome=Delivered(limits=dict(self.limits), refused=dict(self.refused)))  # fmt: skip
        self.skipped += [Skip(due[d.key], "reserved_elsewhere") for d in outcome.skipped]
        self.skipped += [Skip(due[d.key], "deferred") for d in outcome.deferred]
        self.limits.update(outcome.limits)
        self.refused.update(outcome.refused)
        for delivery, reason in outcome.failed:
            self.send_failure(due[delivery.key], reason)
        self.unknown += [(due[d.key], reason) for d, reason in outcome.unknown]
        for delivery in outcome.sent:
            message, reached = due[delivery.key], outcome.reached[delivery.key]
            self.sent.append((message, Reached(reached.channel, reached.to)))
            self.last_contact[message.customer.id] = self.contact_text(message, reached.channel, self.now)
            if reached is not delivery.message:  # the first channels could not reach the customer: say so
                self.fallback_note(
                    message, reached.channel, [m.channel for m in delivery.choices[: delivery.choices.index(reached)]]
                )

    def enqueue(self, queue: SendQueue, deliveries: list[Delivery], due: dict[str, DueMessage]) -> None:
        outcome = enqueue(
            self.deps.records, queue, deliveries, self.now, self.deps.fanout_batch_size, self.deps.links.secret
        )
        self.queued += [due[d.key] for d in outcome.queued]
        self.batches += outcome.batches
        self.skipped += [Skip(due[d.key], "reserved_elsewhere") for d in outcome.skipped]
        self.skipped += [Skip(due[d.key], "deferred") for d, _ in outcome.deferred]
        for delivery, reason in outcome.failed:
            self.send_failure(due[delivery.key], reason)

    def send_failure(self, message: DueMessage, reason: str) -> None:
        language = self.deps.staff_language
        self.failure(message, say("send_failed", language, kind=kind_words(message, language), error=reason))

    def fallback_note(self, message: DueMessage, channel: str, failed: Sequence[str]) -> None:
        """Which channel reached the customer, when the ones before it could not ("channel: why" or "channel")."""
        tried = ", ".join(dict.fromkeys(f.partition(":")[0] for f in failed))
        note = say("reached_by", self.deps.staff_language, channel=channel, failed=tried)
        self.notes.setdefault(message.customer.id, []).append(note)

    def contact_text(self, message: DueMessage, channel: str, at: datetime) -> str:
        language = self.deps.staff_language
        return say("last_contact", language, date=f"{at:%d/%m/%Y}", kind=kind_words(message, language), channel=channel)

    def compose(self, message: DueMessage) -> Composed:
        deps, customer, occasion = self.deps, message.customer, message.occasion
        values = customer_values(customer, deps.business_name, customer.purchase_date)
        values.update(occasion=occasion.name if occasion else None, occasion_date=date_text(message.date))
        period = message.key.rpartition("/")[2]  # the occurrence: "2026-11-16" for a check-in, "2027" for Tết
        survey = None
        if (occasion.survey if occasion else message.kind == CHECKIN) and deps.surveys:
            survey = offer(customer.id, f"{message.kind}/{period}", customer.language, self.now, self.recent,
                           deps.surveys)  # fmt: skip
            if survey:
                self.offers[message.key] = survey
        voucher = None
        advert = may_advertise(customer, deps.marketing_consent_required)  # else the occasion as care, no advert
        if (occasion.voucher if occasion else message.kind == BIRTHDAY) and deps.vouchers.on and advert:
            for_occasion = "" if message.kind == BIRTHDAY else f"{message.kind}/{period}"
            voucher = occasion_voucher(deps.records.vouchers, deps.links.secret, customer, self.now.date(),
                                       deps.vouchers, for_occasion)  # fmt: skip
            self.vouchers[message.key] = voucher
        addresses = addresses_for(customer, deps.rules.channels & frozenset(deps.channels), deps.channel_book)
        recipient = Recipient(customer.id, customer.name, customer.language, addresses)
        return self.composer.compose(message.key, message.kind, recipient, values, survey, self.now, voucher, advert,
                                     occasion_advert=bool(occasion and occasion.advert))  # fmt: skip

    def failure(self, message: DueMessage, error: str) -> None:
        self.failed.append((message, error))
        self.notes.setdefault(message.customer.id, []).append(error)
