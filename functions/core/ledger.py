"""The message ledger's plain data: one entry per message, keyed by its idempotency key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

RESERVED, SENT, FAILED = "reserved", "sent", "failed"
QUEUED = "queued"  # reserved and handed to the send queue (Pub/Sub): a send_batch run claims it, once
UNCERTAIN = "uncertain"  # the server may have accepted it (its answer was lost): never re-sent without --force
IN_DOUBT = (RESERVED, UNCERTAIN)  # reserved and never confirmed: it may have gone out


def releasable(force: bool) -> tuple[str, ...]:
    """The states `careloop retry` may forget so a later run sends again; an uncertain one only by force."""
    return (RESERVED, QUEUED, FAILED, UNCERTAIN) if force else (RESERVED, QUEUED, FAILED)


@dataclass(frozen=True)
class LedgerEntry:
    key: str  # idempotency key, e.g. "birthday/C-00042/2026"
    customer_id: str
    kind: str
    channel: str
    business_day: date  # the day the message counts against (one per customer per day)
    state: str = RESERVED
    reserved_at: datetime | None = None
    updated_at: datetime | None = None
    error: str = ""
    attempts: tuple[str, ...] = ()  # channels tried before the current one, each "channel: why it failed"
    # Sent with a keyed Message-ID (issue 32); False for an entry kept from before, whose unkeyed
    # Message-ID a reply may still name for a grace period.
    keyed_id: bool = True


@dataclass(frozen=True)
class LedgerFacts:
    """What the ledger knows that planning needs."""

    states: Mapping[str, str] = field(default_factory=dict)  # key → state, for the asked keys
    sent_at: Mapping[str, datetime] = field(default_factory=dict)  # key → when confirmed, for sent ones
    channels: Mapping[str, str] = field(default_factory=dict)  # key → the channel that carried it, for sent ones
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key → channels that failed first
    contacted_today: frozenset[str] = frozenset()  # customer IDs holding a reservation today
    reserved_today: int = 0  # messages reserved today, for the daily cap
    reserved_at: Mapping[str, datetime] = field(default_factory=dict)  # key → when, for RESERVED ones
    # customer ID → messages reserved today, where a store counted more than one (else 1 per contacted_today)
    counts_today: Mapping[str, int] = field(default_factory=dict)

    def counted_today(self) -> dict[str, int]:
        """Customer ID → the messages they hold today."""
        return {customer: self.counts_today.get(customer, 1) for customer in self.contacted_today}


LEASE = timedelta(minutes=15)  # a run's time to send what it reserved: until then it is in flight, not in doubt


def in_flight(state: str | None, reserved_at: datetime | None, now: datetime) -> bool:
    """A reservation another run may still be sending (overlapping runs): not in doubt until its lease
    has gone (a crashed run's reservation is then reported, and never re-sent alone)."""
    return state == RESERVED and reserved_at is not None and now - reserved_at < LEASE


DELIVERED, UNDELIVERED = "delivered", "undelivered"


class DeliveryReport(NamedTuple):  # tuples, not dataclasses: they load with every run's cold start
    """What the provider said later about a message it accepted (a status callback)."""

    key: str
    customer_id: str
    channel: str
    status: str  # DELIVERED or UNDELIVERED
    detail: str  # the provider's error code and words, for staff
    at: datetime
    kind: str = ""  # the message kind (birthday, checkin, …)


class StoredCredential(NamedTuple):
    """A provider's credentials kept in the store (a single-use refresh token), changed only by
    compare-and-swap on `version` so two runs never both spend one token."""

    version: int
    fields: Mapping[str, str]
