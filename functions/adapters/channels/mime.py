"""One rendered message as the exact bytes of an RFC 5322 email, the same on every Python.

The headers are written here, not by the `email` package's folder: on Python 3.11 and 3.12 it
turns a long List-Unsubscribe URL into an encoded-word, loses the space between two encoded
words, and decodes customer text that looks like an encoded word (`=?utf-8?q?…=0D=0A…?=`) into a
header line of its own. Here every header is ASCII:
- text that is plain printable ASCII goes as it is, folded only at spaces;
- anything else (Vietnamese, text that looks like an encoded word, control characters) goes as
  RFC 2047 base64 encoded-words of whole UTF-8 characters, so no space is lost and nothing in
  it can be read as a header;
- List-Unsubscribe is `<https://…>` as RFC 2369 and RFC 8058 want it, never encoded;
- domains go as IDNA (punycode).
Only the body parts come from `email.message.EmailMessage` (text and HTML, UTF-8). Shared by the
outbox and SMTP channels.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from functions.core.ids import message_id_local
from functions.core.messages import OutgoingMessage

LINE = 78  # RFC 5322 §2.1.1: lines SHOULD be at most 78 characters
_PLAIN = re.compile(r"[\x20-\x7e]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")  # CR, LF, tabs and the rest: never in a header, even encoded
_ATOM_TEXT = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ .]*")  # a display name that needs no quoting


@dataclass(frozen=True)
class RawEmail:
    sender: str  # the envelope's MAIL FROM
    recipient: str  # the envelope's RCPT TO
    data: bytes  # the message, CRLF line ends


def build_email(
    message: OutgoingMessage, sender_name: str, sender_email: str, reply_to: str = "", id_secret: str = ""
) -> RawEmail:
    """`id_secret` (the store's secret) keys the Message-ID, so a reply naming it proves it answers careloop."""
    sender, recipient = ascii_address(sender_email), ascii_address(message.to)
    sender_name = message.sender_name or sender_name
    headers = [
        ("From", f"{phrase(sender_name, 6)} <{sender}>" if sender_name else sender),
        ("To", f"{phrase(message.to_name, 4)} <{recipient}>" if message.to_name else recipient),
    ]
    if reply_to:
        headers.append(("Reply-To", ascii_address(reply_to)))
    headers += [
        ("Subject", text(message.subject, 9)),
        ("Date", formatdate(localtime=False, usegmt=True)),
        # From the idempotency key: a message sent twice would at least share one Message-ID.
        ("Message-ID", f"<{message_id_local(message.key, id_secret)}@{sender.rpartition('@')[2]}>"),
    ]
    if message.unsubscribe_url:  # customers' messages; notices to staff have none
        headers.append(("List-Unsubscribe", f"<{_url(message.unsubscribe_url)}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    else:  # owners' case emails, the weekly digest: made by a machine, no out-of-office reply wanted (RFC 3834)
        headers.append(("Auto-Submitted", "auto-generated"))
    headers += [("Content-Language", _token(message.language)), ("X-Careloop-Key", text(message.key, 16))]
    lines = b"".join(f"{name}: {value}\r\n".encode("ascii") for name, value in headers)
    return RawEmail(sender, recipient, lines + _body(message))


def _body(message: OutgoingMessage) -> bytes:
    """MIME-Version, Content-Type and the two parts (text, then HTML), from the email package."""
    body = EmailMessage(policy=SMTP)
    body.set_content(message.text, charset="utf-8")
    body.add_alternative(message.html, subtype="html", charset="utf-8")
    return body.as_bytes()


def ascii_address(address: str) -> str:
    """An address whose domain is IDNA (punycode). The local part must be ASCII already:
    careloop finds non-ASCII local parts when it reads the sheet (most mail servers refuse them)."""
    local, _, domain = address.strip().rpartition("@")
    if not local.isascii() or not _PLAIN.fullmatch(local) or not local:
        raise ValueError(f"not an ASCII address: {address!r}")
    if domain.isascii():
        return f"{local}@{domain}"
    import idna

    return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"


def phrase(value: str, used: int) -> str:
    """A display name: plain words as they are, anything else as encoded-words."""
    value = " ".join(_CONTROL.sub(" ", value).split())
    if _ATOM_TEXT.fullmatch(value) and "=?" not in value and value.strip() == value:
        return value if re.fullmatch(r"[A-Za-z0-9 ]*", value) else '"' + value.replace("\\", "\\\\") + '"'
    return _encoded_words(value, used)


def text(value: str, used: int) -> str:
    """An unstructured header value (RFC 5322 §3.2.5), `used` characters into its line."""
    value = _CONTROL.sub(" ", value)
    if _PLAIN.fullmatch(value) and "=?" not in value and "  " not in value and value.strip() == value:
        return _fold_at_spaces(value, used)
    return _encoded_words(value, used)


def _fold_at_spaces(value: str, used: int) -> str:
    lines: list[str] = []
    line = ""
    for word in value.split(" "):
        if line and used + len(line) + 1 + len(word) > LINE:
            lines.append(line)
            line, used = word, 1
        else:
            line = f"{line} {word}" if line else word
    return "\r\n ".join([*lines, line])


def _encoded_words(value: str, used: int) -> str:
    """RFC 2047 base64 encoded-words, each of whole characters and at most 75 long, one a line."""
    words: list[str] = []
    chunk = ""
    for character in value:
        candidate = chunk + character
        if len(_b(candidate)) > 75 - (used if not words else 1):
            words.append(_b(chunk))
            chunk = character
        else:
            chunk = candidate
    words.append(_b(chunk))
    return "\r\n ".join(words)


def _b(value: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def _url(value: str) -> str:
    if not _PLAIN.fullmatch(value) or " " in value or len(value) > 900:
        raise ValueError(f"not a URL a header can carry: {value[:80]!r}")
    return value


def _token(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", value) else "vi"
