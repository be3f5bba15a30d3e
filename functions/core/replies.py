"""What comes back by email (pure): a message from the monitored mailbox read, with bounded work
(functions.core.mail_parts), into what careloop acts on — a bounce (a DSN with a 5.x.x status), an
auto-reply, or a customer's reply: a refusal ("HỦY", functions.core.refusals), a complaint, or words
to keep — its text cut of quoted history and signature — with what proves who sent it
(functions.core.mail_trust).

Nothing in a message is run or trusted: the text is data, capped, and a leading "=" is made text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any, NamedTuple

from functions.core import mail_parts
from functions.core.ids import AnsweredKey
from functions.core.mail_trust import answered_key, sender_authenticated
from functions.core.refusals import REFUSAL, refusal_reading
from functions.core.text import fold

TEXT_LIMIT = 500  # characters of a reply kept for staff
COMPLAINT_WORDS = (
    "khong hai long", "rat te", "qua te", "that vong", "bi loi", "hong", "khieu nai", "buc xuc", "lua dao",
    "cham tre", "khong chap nhan", "unhappy", "dissatisfied", "disappointed", "complaint", "terrible", "broken",
    "not working", "unacceptable",
)  # fmt: skip
AUTO_SUBJECTS = ("auto:", "automatic reply", "out of office", "tra loi tu dong", "vang mat")
BOUNCE, AUTO_REPLY, COMPLAINT, REPLY = "bounce", "auto_reply", "complaint", "reply"
UNREADABLE, ERASED = "unreadable", "erased"  # a message careloop does not read; one from an erased customer


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


class InboxMessage(NamedTuple):
    uid: int
    raw: bytes  # at most the first megabyte
    arrived: datetime | None  # when the mailbox received it (IMAP INTERNALDATE, the file's arrival)


class InboxBatch(NamedTuple):
    validity: int
    messages: list[InboxMessage]


@dataclass(frozen=True)
class Bounce:
    recipient: str
    status: str  # 5.1.1
    detail: str  # the receiving server's words
    message_id: str  # the Message-ID of the returned copy: ties it to careloop's message when it verifies


@dataclass(frozen=True)
class Mail:
    message_id: str
    sender: str  # the address, lower case
    sender_name: str
    subject: str
    received: datetime | None  # when it arrived (the mailbox's time), else its Date:
    answers: tuple[str, ...]  # the Message-IDs it answers (In-Reply-To, then References)
    text: str  # the reply's own words: quoted history and signature cut, at most TEXT_LIMIT characters
    kind: str  # BOUNCE, AUTO_REPLY or REPLY (a reply is classified further by `reply_kind`)
    bounce: Bounce | None = None
    channel: str = "email"
    key: str = ""  # the ledger key the channel itself names (a ZNS rating's tracking_id)
    score: int | None = None  # a rating given as such (a ZNS rating template's stars), not read from words
    answered: AnsweredKey | None = None  # careloop's message it answers, by a Message-ID that verifies
    authenticated: bool = False  # the receiving server (or the channel) vouches for its sender

    @property
    def answered_key(self) -> str:
        """The ledger key of careloop's message this one answers, or ''."""
        return self.key or (self.answered.key if self.answered is not None else "")


def read_mail(raw: bytes, secret: str = "", authserv_id: str = "", arrived: datetime | None = None,
              over_time: Callable[[], bool] = lambda: False) -> Mail:  # fmt: skip
    """The message as careloop acts on it; Unreadable when it breaks a bound (mail_parts) or takes longer
    than `over_time` allows. `secret` verifies careloop's Message-IDs; `authserv_id` names the receiving
    server whose Authentication-Results are believed."""
    mail_parts.check_shape(raw)
    message = message_from_bytes(raw, policy=policy.default)
    mail_parts.check_depth(message)
    headers = mail_parts.raw_headers(message)
    name, address = parseaddr(mail_parts.decoded(mail_parts.first(headers, "From")))
    address = address.strip().lower() if "@" in address else ""
    answering = " ".join(mail_parts.decoded(mail_parts.first(headers, h)) for h in ("In-Reply-To", "References"))
    ids = re.findall(r"<[^<>\s]{1,900}>", answering)  # (some mail programs encode long ones as encoded words)
    bounce = _bounce(message)
    answered = answered_key([bounce.message_id] if bounce is not None else list(dict.fromkeys(ids)), secret)
    kind = BOUNCE if bounce else AUTO_REPLY if _automatic(headers) else REPLY
    authenticated = sender_authenticated(headers.get("authentication-results", []), address.rpartition("@")[2],
                                         authserv_id) if address else False  # fmt: skip
    text = own_words(mail_parts.body_text(message, over_time)) if kind == REPLY else ""
    return Mail(mail_parts.first(headers, "Message-ID")[:998], address[:254], name[:200],
                mail_parts.decoded(mail_parts.first(headers, "Subject"))[:200], arrived or _dated(headers),
                tuple(dict.fromkeys(ids))[:50], text, kind, bounce, answered=answered,
                authenticated=authenticated)  # fmt: skip


def reply_kind(text: str, phrases: tuple[str, ...] = ()) -> str:
    """REFUSAL for a request to stop messages (functions.core.refusals), CANCELLATION for one that
    cancels something else (for staff); COMPLAINT for a complaint's words or a triage phrase; else REPLY."""
    if reading := refusal_reading(text):
        return reading
    words = fold(re.sub(r"[^\w\s]", " ", text))
    if any(re.search(rf"(?<!\w){re.escape(fold(p))}(?!\w)", words) for p in (*COMPLAINT_WORDS, *phrases) if p):
        return COMPLAINT
    return REPLY


def own_words(text: str) -> str:
    """The reply's own words: up to the quoted history ("On … wrote:", "Vào … đã viết:", "> "
    lines, a forwarded header block) and the signature ("-- "), spaces collapsed, capped, and never
    read by a spreadsheet as a formula."""
    kept = []
    for line in unicodedata.normalize("NFC", text[: mail_parts.BODY_CHARS]).replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(">") or stripped in ("--", "-- ") or line == "-- ":
            break
        if re.match(r"^(On .+ wrote:|Vào .+ (đã )?viết:|-{2,}\s*(Original|Forwarded) Message|From: .+@)", stripped):
            break
        kept.append(stripped)
    words = " ".join(" ".join(kept).split())[:TEXT_LIMIT]
    return "'" + words if words.startswith(("=", "+", "-", "@")) else words


def _dated(headers: dict[str, list[str]]) -> datetime | None:
    """The Date: header, when the mailbox gave no arrival time (never trusted for more than showing)."""
    try:
        moment = parsedate_to_datetime(mail_parts.first(headers, "Date"))
        return moment if moment.tzinfo is not None else None
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _automatic(headers: dict[str, list[str]]) -> bool:
    """An out-of-office or other machine answer (RFC 3834 and the headers mail programs use)."""
    auto = mail_parts.first(headers, "Auto-Submitted").strip().lower() or "no"
    precedence = mail_parts.first(headers, "Precedence").strip().lower()
    subject = fold(mail_parts.decoded(mail_parts.first(headers, "Subject"))[:200])
    marked = auto != "no" or "x-autoreply" in headers or "x-autorespond" in headers
    return marked or precedence in ("bulk", "auto_reply", "junk", "list") or subject.startswith(AUTO_SUBJECTS)


def _bounce(message: Message) -> Bounce | None:
    """A delivery status notification with a permanent (5.x.x) failure, whatever its Auto-Submitted."""
    if message.get_content_type() != "multipart/report" or message.get_param("report-type") != "delivery-status":
        return None
    recipient = status = detail = returned = ""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                status = status or " ".join(str(block.get("Status", "")).split())[:20]
                recipient = recipient or str(block.get("Final-Recipient", "")).split(";")[-1].strip().lower()[:254]
                detail = detail or " ".join(str(block.get("Diagnostic-Code", "")).split(";")[-1].split())[:200]
        elif content_type in ("text/rfc822-headers", "message/rfc822"):
            returned = returned or mail_parts.returned_message_id(part)
    if not status.startswith("5"):
        return None
    return Bounce(recipient, status, detail, returned)


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


def expired_marks(marks: Mapping[str, Any], before: datetime, when: Callable[[Any], Any] = lambda at: at) -> list[str]:
    """The marks (an address's digest → when it bounced; `when` finds the moment in another kind of
    value) older than `before`: retention reaches them too. One with no readable moment is kept."""
    old = []
    for mark, value in marks.items():
        try:
            moment = datetime.fromisoformat(str(when(value)))
        except ValueError:
            continue
        if moment.tzinfo is not None and moment < before:
            old.append(mark)
    return old
