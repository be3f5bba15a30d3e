"""Sends that fan out through the send queue (Pub/Sub) when a run has more due than fit its time:
the run reserves them as QUEUED and publishes them in batches (`enqueue`); each batch reaches a
`send_batch` run, which claims and sends them through the one send path (`deliver(queued=True)`).

A batch is JSON: each message's ledger entry and its text on every channel it may take. Its survey,
short links and voucher are stored before it is queued, so a batch needs only what is sent. It is
signed with the signing key: a batch careloop did not make (another recipient or text under a
genuinely queued key) is refused before anything is claimed, so the real message still goes."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from functions.core.errors import QueueUnavailable
from functions.core.ledger import QUEUED, LedgerEntry
from functions.core.messages import OutgoingMessage
from functions.delivery import Delivery, SendRecords, made_ready
from functions.ports import SendQueue

VERSION = 2  # 2: signed


class BatchUnreadable(ValueError):
    """Not a batch careloop made: nothing in it can be sent (the queue should not offer it again)."""


@dataclass
class Queued:
    queued: list[Delivery] = field(default_factory=list)  # reserved as QUEUED and handed to the queue
    skipped: list[Delivery] = field(default_factory=list)  # reserved by another run
    failed: list[tuple[Delivery, str]] = field(default_factory=list)  # never handed out (a voucher taken)
    deferred: list[tuple[Delivery, str]] = field(default_factory=list)  # the queue refused: released, for the next run
    batches: int = 0


def enqueue(
    records: SendRecords, queue: SendQueue, deliveries: Sequence[Delivery], now: datetime, size: int, secret: str
) -> Queued:
    """Reserve the messages as QUEUED (each with its survey, links and voucher: the text points at
    them), then hand them to the queue in batches of `size` by their first channel; `send_batch`
    runs claim and send them (`deliver(..., queued=True)`). What the queue refuses is released."""
    outcome = Queued()
    deliveries = [dataclasses.replace(d, entry=dataclasses.replace(d.entry, state=QUEUED)) for d in deliveries]
    won = records.ledger.reserve_many([d.entry for d in deliveries], {d.key: d.survey for d in deliveries if d.survey})
    ready: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        if delivery.key not in won:
            outcome.skipped.append(delivery)
        elif (error := made_ready(records, delivery)) is not None:
            records.ledger.fail(delivery.key, str(error), now)
            outcome.failed.append((delivery, str(error)))
        else:
            ready.setdefault(delivery.message.channel, []).append(delivery)
    for channel, batch in ready.items():
        chunks = [batch[i : i + size] for i in range(0, len(batch), size)]
        try:
            queue.publish(channel, [encode(chunk, secret) for chunk in chunks])
        except QueueUnavailable as error:  # none of them went out: the next run sends them
            for delivery in batch:
                records.ledger.release(delivery.key)
            outcome.deferred += [(d, str(error)) for d in batch]
            continue
        outcome.queued += batch
        outcome.batches += len(chunks)
    return outcome


def encode(deliveries: Sequence[Delivery], secret: str) -> bytes:
    items = [
        {"entry": _entry_fields(d.entry), "choices": [dataclasses.asdict(m) for m in d.choices]} for d in deliveries
    ]
    return json.dumps({"v": VERSION, "items": items, "sig": _signature(items, secret)}, ensure_ascii=False).encode()


def _signature(items: Any, secret: str) -> str:
    canonical = json.dumps(items, ensure_ascii=False, sort_keys=True).encode()
    return hmac.new(secret.encode(), b"send-batch\n" + canonical, hashlib.sha256).hexdigest()


def _entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    fields: dict[str, Any] = dataclasses.asdict(entry)
    fields.update(business_day=entry.business_day.isoformat(), updated_at=None,
                  reserved_at=entry.reserved_at.isoformat() if entry.reserved_at else None)  # fmt: skip
    return fields


def decode(payload: bytes, secret: str) -> list[Delivery]:
    """The batch's messages, once its signature holds; BatchUnreadable otherwise (nothing is sent)."""
    try:
        batch = json.loads(payload)
        if batch.get("v") != VERSION:
            raise BatchUnreadable(f"batch version {batch.get('v')!r}, expected {VERSION}")
        if not hmac.compare_digest(str(batch.get("sig", "")), _signature(batch["items"], secret)):
            raise BatchUnreadable("the batch's signature does not hold: not made by careloop, or changed")
        return [_delivery(item) for item in batch["items"]]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BatchUnreadable(f"{type(error).__name__}: {error}") from error


def _delivery(item: dict[str, Any]) -> Delivery:
    fields = item["entry"]
    entry = LedgerEntry(
        **{
            **fields,
            "business_day": date.fromisoformat(fields["business_day"]),
            "reserved_at": datetime.fromisoformat(fields["reserved_at"]) if fields["reserved_at"] else None,
            "attempts": tuple(fields.get("attempts", ())),
        }
    )
    first, *fallbacks = (_message(m) for m in item["choices"])
    return Delivery(entry, first, fallbacks=tuple(fallbacks))


def _message(fields: dict[str, Any]) -> OutgoingMessage:
    return OutgoingMessage(**{**fields, "params": tuple(tuple(p) for p in fields.get("params", ()))})
