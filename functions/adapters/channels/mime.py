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
The body parts (text and HTML, UTF-8) are written here too. Shared by the outbox and SMTP channels.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
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
    """MIME-Version, Content-Type and the two parts (text, then HTML), each UTF-8 in the shortest
    transfer encoding the email package would choose between (8bit when every line fits in 78
    characters, else quoted-printable or base64), written directly: the email package took a
    quarter of a big day's time building them."""
    text, html = _part(message.text), _part(message.html)
    boundary = "=_" + secrets.token_hex(16)
    while boundary.encode("ascii") in text[1] + html[1]:  # the text holds it: another one
        boundary = "=_" + secrets.token_hex(16)
    return b"".join(
        [
            b"MIME-Version: 1.0\r\n",
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii"),
            *(
                f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
                f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode("ascii")
                + data
                + b"\r\n"  # + the delimiter's CRLF
                for subtype, (encoding, data) in (("plain", text), ("html", html))
            ),
            f"--{boundary}--\r\n".encode("ascii"),
        ]
    )


def _part(value: str) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, the encoded body with CRLF line ends)."""
    lines = value.encode("utf-8").splitlines()
    if max((len(line) for line in lines), default=0) <= LINE:
        return ("7bit" if value.isascii() else "8bit"), b"".join(line + b"\r\n" for line in lines)
    plain = b"\n".join(lines) + b"\n"
    quoted = binascii.b2a_qp(plain, istext=True).replace(b"\n", b"\r\n")
    base64_lines = base64.encodebytes(plain).replace(b"\n", b"\r\n")
    return ("quoted-printable", quoted) if len(quoted) <= len(base64_lines) else ("base64", base64_lines)


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
