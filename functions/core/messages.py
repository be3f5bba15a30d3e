"""A message on its way out (plain data): rendered text and where it goes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # the ledger's idempotency key
    channel: str
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    language: str
