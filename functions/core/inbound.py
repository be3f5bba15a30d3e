"""What customers say through a channel's webhook (pure): the stored event, and what it means once
the channel's adapter has read it — words or a rating heard as a reply, or a tie between the
channel's user and a customer (a message delivered to them, a phone they shared).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from functions.core.replies import REPLY, Mail, expired_marks, own_words

DELIVERED = "delivered"  # the provider says this user received careloop's message (its tracking_id names it)
SHARED_PHONE = "shared_phone"  # the user typed a phone into the business's form: weaker, staff confirm


class InboundEvent(NamedTuple):
    """An event a provider posted to careloop, kept until the escalation run takes it."""

    event_id: str  # the body's digest: the same event posted again is the same record
    source: str  # the channel's name
    received_at: datetime
    body: str  # the raw body, as signed


@dataclass(frozen=True)
class HeardEvent:
    source: str  # the channel's name
    tie: str  # DELIVERED or SHARED_PHONE: the event ties its user to a customer; '' : it carries words
    at: datetime | None
    user_id: str  # the channel's user the event is about
    msg_id: str
    text: str  # the words, or a rating's note and chips
    tracking_id: str  # careloop's ledger key of the message the event is about (a rating, a delivery)
    phone: str  # a shared phone, in E.164 ("+84…")
    rating: int | None  # a rating's stars, 1–5


def heard_mail(event: HeardEvent, event_key: str, label: str) -> Mail:
    """A customer's text or rating as the replies read by email are: the same rules act on both. The
    provider signed the event (its webhook checked) and vouches for its user: its sender is authenticated."""
    words = own_words(event.text)
    if event.rating is not None:
        words = " · ".join(w for w in (f"{event.rating}★", words) if w)
    key = event.tracking_id if event.tracking_id.count("/") >= 2 else ""  # a long key went as a digest: not named
    return Mail(f"{event.source}:{event.msg_id or event_key}", "", f"{label} {event.user_id}".strip(), "", event.at,
                (), words, REPLY, channel=event.source, key=key, score=event.rating, authenticated=True)  # fmt: skip


def ties_state(source: str) -> str:
    """The job state of a channel's user ties: user id → {"to": the customer, "at": when}."""
    return f"{source}_users"


def tied_to(value: Any) -> str:
    """The customer a user is tied to, as the job state keeps it (a plain ID before ties were dated)."""
    return str(value.get("to", "")) if isinstance(value, dict) else str(value or "")


def expired_ties(ties: Mapping[str, Any], before: datetime) -> list[str]:
    """The users whose tie is older than `before` (an undated one, from before, is kept)."""
    return expired_marks(ties, before, lambda value: value.get("at") if isinstance(value, dict) else None)
