"""The one send path every job uses: reserve → (create the survey a link points at) → send with
retry → fail or confirm.

A message is reserved in the ledger before it is sent and confirmed after, so a run repeated,
overlapping or restarted after a crash never sends one twice. Messages are reserved and confirmed
a chunk at a time: a crash leaves at most one chunk unconfirmed (`careloop retry` lists them),
and a store far away costs two round trips a chunk, not two a message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from functions.core.errors import PermanentDeliveryError, TransientDeliveryError
from functions.core.i18n import both
from functions.core.ledger import LedgerEntry
from functions.core.messages import OutgoingMessage
from functions.core.surveys import Survey
from functions.ports import Channel, Store
from functions.retry import RetryPolicy

CHUNK = 25  # messages reserved and confirmed together


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
    unknown: list[tuple[Delivery, str]] = field(default_factory=list)  # left reserved: it may have gone out
    skipped: list[Delivery] = field(default_factory=list)  # reserved by another run


def deliver(
    store: Store,
    channels: Mapping[str, Channel],
    retry: RetryPolicy,
    deliveries: Sequence[Delivery],
    now: datetime,
    chunk: int = CHUNK,
) -> Delivered:
    outcome = Delivered()
    for start in range(0, len(deliveries), chunk):
        _deliver_chunk(store, channels, retry, deliveries[start : start + chunk], now, outcome)
    return outcome


def _deliver_chunk(
    store: Store,
    channels: Mapping[str, Channel],
    retry: RetryPolicy,
    deliveries: Sequence[Delivery],
    now: datetime,
    outcome: Delivered,
) -> None:
    won = store.reserve_many([d.entry for d in deliveries])
    sent: list[Delivery] = []
    for delivery in deliveries:
        if delivery.key not in won:
            outcome.skipped.append(delivery)
            continue
        error = _send(store, channels, retry, delivery)
        if error is None:
            sent.append(delivery)
        elif isinstance(error, (TransientDeliveryError, PermanentDeliveryError, OSError)):
            store.fail(delivery.key, str(error), now)
            outcome.failed.append((delivery, str(error)))
        else:  # a fault nobody planned for: whether it went out is unknown, and one message never stops a run
            outcome.unknown.append((delivery, f"{type(error).__name__}: {error}"))
    store.confirm_many([d.key for d in sent], now)
    outcome.sent += sent


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
