"""A message on its way out (plain data): rendered text and where it goes, on one channel."""

from __future__ import annotations

from dataclasses import dataclass

PROMOTIONAL_LABEL = "[QC] "  # Decree 91/2020: advertising messages are labelled


@dataclass(frozen=True)
class RenderedMessage:
    subject: str  # email only
    text: str  # the email's text part, the SMS, or a readable form of the Zalo parameters
    html: str  # email only
    params: tuple[tuple[str, str], ...] = ()  # a Zalo template's parameters


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
    kind: str = ""  # the message kind: a Zalo template is approved per kind
    params: tuple[tuple[str, str], ...] = ()  # a Zalo template's parameters, in order
    source: str = ""  # where the words came from (a Messages tab row, the built-in text), for previews
    sender_name: str = ""  # the From name when it is not the channel's own: the business_name the Settings tab gives
