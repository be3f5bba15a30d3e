"""The one send path every job uses: reserve → (create the survey and short links a message points
at) → send with retry, falling back channel by channel → fail or confirm.

A message is reserved in the ledger before it is sent and confirmed after, so a run repeated,
overlapping or restarted after a crash never sends one twice. The confirmation of one message and
the reservation of the next travel together: one store round trip a message, and a crash leaves at
most the message in flight unconfirmed (`careloop retry` lists it).

One occasion is one message whatever the channel: a channel that cannot reach the customer (not a
user of the provider, an invalid number, no such mailbox) passes it to the next under the same ledger key, and the
ledger notes each attempt. Any other failure stops there: a transient fault past its retries or an
answer lost after the provider took the request (it may have gone out: a second channel would make
it two), or a refusal staff must fix (a template the provider does not know), which fails the message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from functions.core.errors import (
    AmbiguousDeliveryError,
    PermanentDeliveryError,
    ProviderLimitReached,
    ProviderRefused,
    RecipientUnreachable,
    TransientDeliveryError,
)
from functions.core.i18n import both
from functions.core.ledger import LedgerEntry
from functions.core.messages import OutgoingMessage
from functions.core.surveys import Survey
from functions.ports import Channel, Ledger, Surveys, Vouchers
from functions.retry import RetryPolicy

if TYPE_CHECKING:
    from functions.core.short_links import ShortLink
    from functions.core.vouchers import Voucher


class SendRecords(Protocol):
    """What sending a message writes: its ledger entry (with its survey), and the voucher and short
    links its text points at."""

    ledger: Ledger
    surveys: Surveys
    vouchers: Vouchers


@dataclass(frozen=True)
class Delivery:
    entry: LedgerEntry  # what the ledger records; entry.key is the message's idempotency key
    message: OutgoingMessage  # on the first channel to try
    survey: Survey | None = None  # created once reserved, before sending: the link must work when tapped
    fallbacks: tuple[OutgoingMessage, ...] = ()  # the same message on the next channels, in order
    short_links: tuple[ShortLink, ...] = ()  # stored with the survey: texts and templates link to them
    voucher: Voucher | None = None  # issued once reserved, before sending: its code is in the text

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def choices(self) -> tuple[OutgoingMessage, ...]:
        return (self.message, *self.fallbacks)


@dataclass
class Delivered:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[tuple[Delivery, str]] = field(default_factory=list)  # recorded as failed in the ledger
    unknown: list[tuple[Delivery, str]] = field(default_factory=list)  # it may have gone out: never re-sent alone
    skipped: list[Delivery] = field(default_factory=list)  # reserved by another run
    deferred: list[Delivery] = field(default_factory=list)  # the run's time ran out: unreserved, for the next run
    reached: dict[str, OutgoingMessage] = field(default_factory=dict)  # key → the message on the channel that took it
    limits: dict[str, str] = field(default_factory=dict)  # channel → the provider's refusal for a limit of its own
    refused: dict[str, str] = field(default_factory=dict)  # channel → why its provider refuses careloop itself

    def channel(self, delivery: Delivery) -> str:
        """The channel that carried a sent message."""
        return self.reached.get(delivery.key, delivery.message).channel


@dataclass(frozen=True)
class RunClock:
    """A run's time for sending: every message's retries draw from it."""

    retry: RetryPolicy
    ends: float | None  # on retry.clock; None: no limit but each message's own

    @staticmethod
    def start(retry: RetryPolicy, budget_seconds: float | None) -> RunClock:
        return RunClock(retry, retry.clock() + budget_seconds if budget_seconds else None)

    def left(self) -> float:
        return float("inf") if self.ends is None else self.ends - self.retry.clock()

    def policy(self) -> RetryPolicy:
        """This message's retries: its own budget, or what is left of the run's if less."""
        return dataclasses.replace(self.retry, budget_seconds=min(self.retry.budget_seconds, max(self.left(), 0.0)))


def deliver(
    records: SendRecords,
    channels: Mapping[str, Channel],
    retry: RetryPolicy | RunClock,
    deliveries: Sequence[Delivery],
    now: datetime,
    queued: bool = False,
    outcome: Delivered | None = None,
) -> Delivered:
    """Each message reserved just before it goes and confirmed just after, the confirmation and the
    next reservation in one store round trip: a crash leaves at most the one message in flight in
    doubt. `retry`: each message's retry policy, or a run's clock that also bounds the run's time.
    `queued`: the messages were reserved as QUEUED by `fanout.enqueue` (a batch from the send queue): each is
    claimed instead, so a batch delivered twice sends each message once. `outcome`: where to record,
    when it starts with what the run already knows (a channel's limit reached by an earlier chunk)."""
    clock = retry if isinstance(retry, RunClock) else RunClock.start(retry, None)
    outcome = outcome if outcome is not None else Delivered()
    sent: str | None = None  # the key sent and not yet confirmed
    for index, delivery in enumerate(deliveries):
        if clock.left() <= 0:
            outcome.deferred += deliveries[index:]  # never reserved: the next run sends them
            break
        if queued:
            won = records.ledger.claim(sent, now, delivery.key)
        else:
            won = records.ledger.advance(sent, now, delivery.entry, delivery.survey)  # the survey with its reservation
        sent = None
        if not won:
            outcome.skipped.append(delivery)
            continue
        policy = clock.policy()
        error = _send(records, channels, policy, delivery, now, outcome)
        if error is None:
            sent = delivery.key
            outcome.sent.append(delivery)
        elif isinstance(error, TransientDeliveryError) and policy.budget_seconds < clock.retry.budget_seconds:
            records.ledger.release(
                delivery.key
            )  # the run's time, not its own, ended the retries: the next run sends it
            outcome.deferred.append(delivery)
        else:
            _record_failure(records, delivery, error, now, outcome)
    if sent is not None:  # the last one sent: confirmed on its own
        records.ledger.advance(sent, now, None)
    return outcome


def _record_failure(
    records: SendRecords, delivery: Delivery, error: Exception, now: datetime, outcome: Delivered
) -> None:
    if isinstance(error, AmbiguousDeliveryError):
        records.ledger.doubt(delivery.key, str(error), now)
        outcome.unknown.append((delivery, str(error)))
    elif isinstance(error, (TransientDeliveryError, PermanentDeliveryError, OSError)):
        records.ledger.fail(delivery.key, str(error), now)
        outcome.failed.append((delivery, str(error)))
    else:  # a fault nobody planned for: whether it went out is unknown, and one message never stops a run
        outcome.unknown.append((delivery, f"{type(error).__name__}: {error}"))


def _send(
    records: SendRecords,
    channels: Mapping[str, Channel],
    retry: RetryPolicy,
    delivery: Delivery,
    now: datetime,
    outcome: Delivered,
) -> Exception | None:
    """Send on the first channel that takes the message; the error that ended it, or None. Its
    survey was made with its reservation (`Store.advance`)."""
    error: Exception | None = made_ready(records, delivery)
    if error is not None:
        return error
    for index, message in enumerate(delivery.choices):
        if index:  # the one before refused it for good: note why, then try this one under the same key
            records.ledger.record_attempt(
                delivery.key, f"{delivery.choices[index - 1].channel}: {error}", message.channel, now
            )
        if message.channel in outcome.limits:  # its daily limit is spent: not asked again this run
            error = ProviderLimitReached(outcome.limits[message.channel])
            continue
        if message.channel in outcome.refused:  # it refuses careloop itself: not asked again this run
            error = ProviderRefused(outcome.refused[message.channel])
            continue
        error = _send_one(channels, retry, message)
        if error is None:
            outcome.reached[delivery.key] = message
            return None
        if isinstance(error, ProviderLimitReached):
            outcome.limits[message.channel] = str(error)
        if isinstance(error, ProviderRefused):
            outcome.refused[message.channel] = str(error)
        if not isinstance(error, RecipientUnreachable):
            return error
    return error


def made_ready(records: SendRecords, delivery: Delivery) -> Exception | None:
    """Store what the text points at (short links, the voucher) once the message is reserved."""
    if delivery.short_links:
        records.surveys.save_short_links(delivery.short_links)
    if (
        delivery.voucher is not None
        and records.vouchers.issue_voucher(delivery.voucher).owner() != delivery.voucher.owner()
    ):
        # another run gave this code to someone else a moment ago: the text names the wrong code
        return PermanentDeliveryError(both("voucher_taken", voucher=delivery.voucher.code))
    return None


def _send_one(channels: Mapping[str, Channel], retry: RetryPolicy, message: OutgoingMessage) -> Exception | None:
    channel = channels.get(message.channel)
    if channel is None:
        return RecipientUnreachable(both("channel_unavailable", channel=message.channel))
    try:
        retry.call(lambda: channel.deliver(message), (TransientDeliveryError,))
    except Exception as error:  # sorted by the caller: delivery errors fail, anything else is unknown
        return error
    return None
