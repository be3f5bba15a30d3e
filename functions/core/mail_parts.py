"""Reading a message anyone could have sent, with bounded work (pure): its size and shape checked
before it is parsed, its headers read as written (never parsed into structures a hostile value can
break), its HTML turned into text in one pass. A message over a bound is Unreadable: it costs only
itself, and staff see a row saying so."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import Message

HEADER_BYTES = 64 * 1024  # the whole header block
FIELD_BYTES = 8 * 1024  # one header field, its folded lines together
MAX_PARTS = 100  # MIME parts (Content-Type fields) in a message
MAX_DEPTH = 8  # multiparts inside multiparts
BODY_CHARS = 256 * 1024  # of a part's decoded text, read for the reply's words
_SENDER = re.compile(rb"^From:[ \t]*([^\r\n]{0,300})", re.I | re.M)
_ADDRESS = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_BLOCKS = ("<br", "<p", "</p", "<div", "</div", "<tr", "<li", "<h")  # a tag that ends a line


class Unreadable(ValueError):
    """A message careloop does not read: what is wrong with it, for the row staff see."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_shape(raw: bytes) -> None:
    """Unreadable when the headers are too big, a field too long, or the MIME parts too many: checked on
    the bytes, in one pass, before any parser sees them."""
    end = min((at for at in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if at >= 0), default=len(raw))
    if end > HEADER_BYTES:
        raise Unreadable(f"headers of {end} bytes (at most {HEADER_BYTES})")
    field = 0
    for line in raw[:end].split(b"\n"):
        field = field + len(line) if line[:1] in (b" ", b"\t") else len(line)
        if field > FIELD_BYTES:
            raise Unreadable(f"a header field over {FIELD_BYTES} bytes")
    parts = len(re.findall(rb"(?im)^content-type:", raw))
    if parts > MAX_PARTS:
        raise Unreadable(f"{parts} MIME parts (at most {MAX_PARTS})")


def check_depth(message: Message) -> None:
    """Unreadable when multiparts nest deeper than MAX_DEPTH (walked without recursion)."""
    waiting: list[tuple[Message, int]] = [(message, 0)]
    while waiting:
        part, depth = waiting.pop()
        if depth > MAX_DEPTH:
            raise Unreadable(f"MIME nested over {MAX_DEPTH} deep")
        payload = part.get_payload() if part.is_multipart() else None
        waiting += [(p, depth + 1) for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def sender_of(raw: bytes) -> str:
    """The address in a From: line, found without parsing (for the row of a message that cannot be read)."""
    found = _SENDER.search(raw[:HEADER_BYTES])
    address = _ADDRESS.search(found.group(1).decode("utf-8", "replace")) if found else None
    return address.group(0).lower() if address else ""


def raw_headers(message: Message) -> dict[str, list[str]]:
    """Every header as written (unfolded, not parsed), by lower-case name, topmost first."""
    found: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        found.setdefault(str(name).strip().lower(), []).append(" ".join(str(value).split()))
    return found


def first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name.lower())
    return values[0] if values else ""


def decoded(value: str) -> str:
    """A header's encoded words decoded (RFC 2047); as written when they cannot be."""
    try:
        return " ".join(str(make_header(decode_header(value))).split())
    except (ValueError, LookupError, UnicodeError, TypeError):  # a charset no one knows, a broken word
        return value


def body_text(message: Message, over_time: Callable[[], bool]) -> str:
    """The text/plain body (or the HTML's text), decoded by its charset, at most BODY_CHARS; no
    attachment is read."""
    getter = getattr(message, "get_body", None)
    part = getter(("plain", "html")) if getter is not None else None
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError, ValueError, AssertionError):  # an unknown or lying charset
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    content = str(content)[:BODY_CHARS]
    if over_time():
        raise Unreadable("too slow to read")
    return html_text(content) if part.get_content_type() == "text/html" else content


def html_text(markup: str) -> str:
    """HTML's text, in one pass: tags become spaces (line ends for block tags), script and style go,
    entities are decoded. Linear in its size, whatever it holds (a megabyte of '<' included)."""
    lower = markup.lower()
    out: list[str] = []
    at, closing = 0, -1
    while at < len(markup):
        opening = markup.find("<", at)
        if opening < 0:
            out.append(markup[at:])
            break
        out.append(markup[at:opening])
        if closing < opening:
            closing = markup.find(">", opening)
        if closing < 0:  # no tag closes after here: the rest is text
            out.append(markup[opening:])
            break
        if markup.find("<", opening + 1, closing) >= 0:  # a '<' that opens no tag: text
            out.append("<")
            at = opening + 1
            continue
        at = closing + 1
        for hidden in ("<script", "<style"):
            if lower.startswith(hidden, opening):
                end = lower.find("</" + hidden[1:], closing)
                at = len(markup) if end < 0 else (lower.find(">", end) + 1 or len(markup))
                closing = -1
        out.append("\n" if lower.startswith(_BLOCKS, opening) else " ")
    return html.unescape("".join(out))


def returned_message_id(part: Message) -> str:
    """The Message-ID of the returned copy (or headers) of the message a DSN reports on."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):  # message/rfc822: the original
        return " ".join(str(payload[0].get("Message-ID", "")).split())[:998]
    text = part.get_payload(decode=True) or b""
    found = re.search(rb"^Message-ID:[ \t]*(<[^<>\s]{1,900}>)", text if isinstance(text, bytes) else b"", re.M | re.I)
    return found.group(1).decode("ascii", "replace") if found else ""
