"""A message on its way out (plain data): rendered text and where it goes, on one channel."""

from __future__ import annotations

from dataclasses import dataclass

PROMOTIONAL_LABEL = "[QC] "  # Decree 91/2020: advertising messages are labelled
VOUCHER_VARIANT = (
    "_voucher"  # a template kind's variant that carries a voucher, on a template of its own ("birthday_voucher")
)


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


def message_words(key: str, language: str, channel: str = "") -> str:
    """A message as staff name it, from its ledger key: "checkin/C-009/2026-11-30" → "tin hỏi thăm sau
    mua ngày 30/11 (email)"; never the key itself (staff read words, not codes)."""
    from functions.core.i18n import say

    kind, _, rest = key.partition("/")
    tail = rest.rpartition("/")[2]
    if kind == "checkin" and len(tail) == 10 and tail[4] == "-" and tail[7] == "-":
        words = say("words_checkin", language, date=f"{tail[8:10]}/{tail[5:7]}")
    elif kind == "birthday" and tail.isdigit():
        words = say("words_birthday", language, year=tail)
    elif kind == "survey" and rest.startswith("case/"):
        words = say("words_case_survey", language, case_id=tail)
    else:
        words = say("words_message", language)
    return f"{words} ({channel})" if channel else words


def kind_of_key(key: str) -> str:
    """The message kind a ledger key names ("survey/case/HS-1" → "case_survey"); '' for none."""
    kind, _, rest = key.partition("/")
    if kind == "survey" and rest.startswith("case/"):
        return "case_survey"
    return kind if rest.count("/") >= 1 else ""
