"""What comes back by email (pure): a message from the monitored mailbox read into what careloop
acts on — a bounce (a DSN with a 5.x.x status), an auto-reply, or a customer's reply: a refusal
("HỦY"), a complaint, or words to keep — its text cut of quoted history and signature.

Nothing in a message is run or trusted: the text is data, capped, and a leading "=" is made text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import NamedTuple

from functions.core.ids import key_of_message_id
from functions.core.text import fold

TEXT_LIMIT = 500  # characters of a reply kept for staff
REFUSALS = ("huy", "stop", "unsubscribe", "tu choi", "khong nhan tin", "dung gui", "ngung gui", "huy dang ky")
COMPLAINT_WORDS = (
    "khong hai long", "rat te", "qua te", "that vong", "bi loi", "hong", "khieu nai", "buc xuc", "lua dao",
    "cham tre", "khong chap nhan", "unhappy", "dissatisfied", "disappointed", "complaint", "terrible", "broken",
    "not working", "unacceptable",
)  # fmt: skip
AUTO_SUBJECTS = ("auto:", "automatic reply", "out of office", "tra loi tu dong", "vang mat")
BOUNCE, AUTO_REPLY, REFUSAL, COMPLAINT, REPLY = "bounce", "auto_reply", "refusal", "complaint", "reply"


class HeardReply(NamedTuple):
    """A reply heard, as the figures count it: no words, no address, only its kind and day."""

    reply_id: str  # "PH-…", the Replies tab's: the same message heard twice is one record
    kind: str  # BOUNCE, AUTO_REPLY, REFUSAL, COMPLAINT, REPLY or SURVEY_ANSWER
    day: date  # received, in the business's time zone


SURVEY_ANSWER = "survey_answer"  # a score replied to a check-in: that survey's answer
CUSTOMER_REPLIES = (REPLY, COMPLAINT, REFUSAL, SURVEY_ANSWER)  # what a customer wrote (not machines)


class InboxMark(NamedTuple):
    """Where the last run stopped in the mailbox: the folder's UIDVALIDITY and the last UID taken."""

    validity: int
    uid: int


class InboxBatch(NamedTuple):
    validity: int
    messages: list[tuple[int, bytes]]  # (UID, the message's bytes, at most the first megabyte)


@dataclass(frozen=True)
class Bounce:
    recipient: str
    status: str  # 5.1.1
    detail: str  # the receiving server's words
    key: str  # careloop's ledger key of the message that bounced (from its X-Careloop-Key), if returned


@dataclass(frozen=True)
class Mail:
    message_id: str
    sender: str  # the address, lower case
    sender_name: str
    subject: str
    received: datetime | None
    answers: tuple[str, ...]  # the Message-IDs it answers (In-Reply-To, then References)
    text: str  # the reply's own words: quoted history and signature cut, at most TEXT_LIMIT characters
    kind: str  # BOUNCE, AUTO_REPLY or REPLY (a reply is classified further by `reply_kind`)
    bounce: Bounce | None = None
    channel: str = "email"
    key: str = ""  # the ledger key the channel itself names (a ZNS rating's tracking_id)
    score: int | None = None  # a rating given as such (a ZNS rating template's stars), not read from words

    @property
    def answered_key(self) -> str:
        """The ledger key of careloop's message this one answers (its Message-ID carries it), or ''."""
        if self.key:
            return self.key
        if self.bounce is not None and self.bounce.key:
            return self.bounce.key
        return next((key for m in self.answers if (key := key_of_message_id(m))), "")


def read_mail(raw: bytes) -> Mail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    name, address = parseaddr(str(message.get("From", "")))
    answers = tuple(dict.fromkeys(re.findall(r"<[^<>\s]+>", f"{message.get('In-Reply-To', '')} "
                                                             f"{message.get('References', '')}")))  # fmt: skip
    try:
        received = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        received = None
    bounce = _bounce(message)
    kind = BOUNCE if bounce else AUTO_REPLY if _automatic(message) else REPLY
    return Mail(str(message.get("Message-ID", "")).strip(), address.strip().lower(), name, _header(message, "Subject"),
                received, answers, own_words(_plain_text(message)), kind, bounce)  # fmt: skip


def reply_kind(text: str, phrases: tuple[str, ...] = ()) -> str:
    """REFUSAL for a stop word alone or nearly so; COMPLAINT for a complaint's words or a triage
    phrase; else REPLY."""
    words = fold(re.sub(r"[^\w\s]", " ", text))
    if words and len(words.split()) <= 4 and any(re.search(rf"(?<!\w){w}(?!\w)", words) for w in REFUSALS):
        return REFUSAL
    if any(re.search(rf"(?<!\w){re.escape(fold(p))}(?!\w)", words) for p in (*COMPLAINT_WORDS, *phrases) if p):
        return COMPLAINT
    return REPLY


def own_words(text: str) -> str:
    """The reply's own words: up to the quoted history ("On … wrote:", "Vào … đã viết:", "> "
    lines, a forwarded header block) and the signature ("-- "), spaces collapsed, capped, and never
    read by a spreadsheet as a formula."""
    kept = []
    for line in unicodedata.normalize("NFC", text).replace("\r\n", "\n").split("\n"):  # windows-1258 decomposes
        stripped = line.strip()
        if stripped.startswith(">") or stripped in ("--", "-- ") or line == "-- ":
            break
        if re.match(r"^(On .+ wrote:|Vào .+ (đã )?viết:|-{2,}\s*(Original|Forwarded) Message|From: .+@)", stripped):
            break
        kept.append(stripped)
    words = " ".join(" ".join(kept).split())[:TEXT_LIMIT]
    return "'" + words if words.startswith(("=", "+", "-", "@")) else words


def _header(message: Message, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "")).split())[:200]
    except (ValueError, LookupError):  # an encoded-word in a charset no one knows
        return ""


def _automatic(message: Message) -> bool:
    """An out-of-office or other machine answer (RFC 3834 and the headers mail programs use)."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    subject = fold(_header(message, "Subject"))
    marked = auto not in ("", "no") or "X-Autoreply" in message or "X-Autorespond" in message
    return marked or precedence in ("bulk", "auto_reply", "junk", "list") or subject.startswith(AUTO_SUBJECTS)


def _bounce(message: Message) -> Bounce | None:
    """A delivery status notification with a permanent (5.x.x) failure, whatever its Auto-Submitted."""
    if message.get_content_type() != "multipart/report" or message.get_param("report-type") != "delivery-status":
        return None
    recipient = status = detail = key = ""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                status = status or str(block.get("Status", "")).strip()
                recipient = recipient or str(block.get("Final-Recipient", "")).split(";")[-1].strip().lower()
                detail = detail or " ".join(str(block.get("Diagnostic-Code", "")).split(";")[-1].split())
        elif content_type in ("text/rfc822-headers", "message/rfc822"):
            key = key or _returned_key(part)
    if not status.startswith("5"):
        return None
    return Bounce(recipient, status, detail[:200], key)


def _returned_key(part: Message) -> str:
    """careloop's X-Careloop-Key from the returned copy of the message that bounced."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):  # message/rfc822: the original
        return str(payload[0].get("X-Careloop-Key", "")).strip()
    text = part.get_payload(decode=True) or b""
    found = re.search(rb"^X-Careloop-Key:\s*(\S+)", text if isinstance(text, bytes) else b"", re.M | re.I)
    return found.group(1).decode("ascii", "replace") if found else ""


def _plain_text(message: EmailMessage) -> str:
    """The text/plain body (or the HTML's text), decoded by its charset; attachments are not read."""
    part = message.get_body(("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError, ValueError):  # an unknown or lying charset
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if part.get_content_type() == "text/html":
        content = re.sub(r"(?is)<(script|style).*?</\1>|<[^>]+>", " ", content)
    return str(content)


def reply_score(text: str) -> int | None:
    """A survey answered by reply: "2", "2 điểm", "2/5", "4 sao" — a score from 1 to 5 alone, or
    anywhere with its unit; None for anything else ("2 lần", a date, a phone number)."""
    words = fold(text)
    unit = r"\s*(?:/\s*5|diem|sao|points?|stars?)"
    found = re.fullmatch(rf"([1-5])(?:{unit})?[\s.,!]*", words) or re.search(rf"(?<![\w/])([1-5]){unit}(?!\w)", words)
    return int(found.group(1)) if found else None


BOUNCED = "bounced"  # a job state: each hard-bounced address (by its digest) → when


def address_mark(address: str) -> str:
    """How a bounced address is kept: its digest (an address is personal data, and no field name)."""
    from functions.core.ids import digest_hex

    return digest_hex(address.strip().lower(), 16)


def without_bounced_email(channels: tuple[str, ...], email: str | None, bounced: Collection[str]) -> tuple[str, ...]:
    """A customer's channels without email while their address is one that bounced hard; staff
    changing the address (a new one has no mark) brings email back."""
    if email and "email" in channels and address_mark(email) in bounced:
        return tuple(c for c in channels if c != "email")
    return channels
