"""The one send path every job uses: reserve → (create the survey a link points at) → send with
retry → fail or confirm.

A message is reserved in the ledger before it is sent and confirmed after, so a run repeated,
overlapping or restarted after a crash never sends one twice. The confirmation of one message and
the reservation of the next travel together: one store round trip a message, and a crash leaves at
most the message in flight unconfirmed (`careloop retry` lists it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from functions.core.errors import AmbiguousDeliveryError, PermanentDeliveryError, TransientDeliveryError
from functions.core.i18n import both
from functions.core.ledger import LedgerEntry
from functions.core.messages import OutgoingMessage
from functions.core.surveys import Survey
from functions.ports import Channel, Store
from functions.retry import RetryPolicy


@dataclass(frozen=True)
class Delivery:
    entry: LedgerEntry  # what the ledger records; entry.key is the message's idempotency key
    message: OutgoingMessage
    survey: Survey | None = None  # created once reserved, before sending: the link must work when tapped

    @property
    def key(self) -> str:
        return self.entry.key


@dataclass
class Delivered:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[tuple[Delivery, str]] = field(default_factory=list)  # recorded as failed in the ledger
    unknown: list[tuple[Delivery, str]] = field(default_factory=list)  # it may have gone out: never re-sent alone
    skipped: list[Delivery] = field(default_factory=list)  # reserved by another run
    deferred: list[Delivery] = field(default_factory=list)  # the run's time ran out: unreserved, for the next run


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
    store: Store,
    channels: Mapping[str, Channel],
    retry: RetryPolicy | RunClock,
    deliveries: Sequence[Delivery],
    now: datetime,
) -> Delivered:
    """Each message reserved just before it goes and confirmed just after, the confirmation and the
    next reservation in one store round trip: a crash leaves at most the one message in flight in
    doubt. `retry`: each message's retry policy, or a run's clock that also bounds the run's time."""
    clock = retry if isinstance(retry, RunClock) else RunClock.start(retry, None)
    outcome = Delivered()
    sent: str | None = None  # the key sent and not yet confirmed
    for index, delivery in enumerate(deliveries):
        if clock.left() <= 0:
            outcome.deferred += deliveries[index:]  # never reserved: the next run sends them
            break
        won = store.advance(sent, now, delivery.entry)
        sent = None
        if not won:
            outcome.skipped.append(delivery)
            continue
        policy = clock.policy()
        error = _send(store, channels, policy, delivery)
        if error is None:
            sent = delivery.key
            outcome.sent.append(delivery)
        elif isinstance(error, TransientDeliveryError) and policy.budget_seconds < clock.retry.budget_seconds:
            store.release(delivery.key)  # the run's time, not its own, ended the retries: the next run sends it
            outcome.deferred.append(delivery)
        else:
            _record_failure(store, delivery, error, now, outcome)
    if sent is not None:  # the last one sent: confirmed on its own
        store.advance(sent, now, None)
    return outcome


def _record_failure(store: Store, delivery: Delivery, error: Exception, now: datetime, outcome: Delivered) -> None:
    if isinstance(error, AmbiguousDeliveryError):
        store.doubt(delivery.key, str(error), now)
        outcome.unknown.append((delivery, str(error)))
    elif isinstance(error, (TransientDeliveryError, PermanentDeliveryError, OSError)):
        store.fail(delivery.key, str(error), now)
        outcome.failed.append((delivery, str(error)))
    else:  # a fault nobody planned for: whether it went out is unknown, and one message never stops a run
        outcome.unknown.append((delivery, f"{type(error).__name__}: {error}"))


def _send(store: Store, channels: Mapping[str, Channel], retry: RetryPolicy, delivery: Delivery) -> Exception | None:
    channel = channels.get(delivery.message.channel)
    if channel is None:
        return PermanentDeliveryError(both("channel_unavailable", channel=delivery.message.channel))
    if delivery.survey is not None:
        store.create_survey(delivery.survey)  # a store fault stops the run, as everywhere else
    try:
        retry.call(lambda: channel.deliver(delivery.message), (TransientDeliveryError,))
    except Exception as error:  # sorted by the caller: delivery errors fail, anything else is unknown
        return error
    return None
