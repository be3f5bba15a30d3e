"""Every kind of message, read as the raw bytes a mail provider reads, not as Python's parser
sees them: headers to the RFCs whatever the customer's name holds."""

from __future__ import annotations

import re
from datetime import date
from email import message_from_bytes, policy
from email.header import decode_header, make_header

import pytest

from functions.adapters.channels.outbox import OutboxChannel
from functions.adapters.templates import Templates
from functions.compose import Composer, Recipient
from functions.core.messages import OutgoingMessage
from functions.core.staff_texts import EDITABLE_KINDS, values_for
from functions.entrypoints.cli.check import SAMPLE_CONTEXT, SAMPLE_LINKS, SAMPLE_SURVEY
from tests.helpers import NINE_AM
from tests.helpers.rules import channel_book

KINDS = ("birthday", "checkin", "case_notice", "case_survey")
HOSTILE_NAMES = [
    "Nguyễn Văn Tuấn",
    "=?utf-8?q?X=0D=0AReply-To:_attacker@evil.com?=",
    "=?utf-8?b?SGFja2Vk?=",
    "Lan\r\nBcc: spy@evil.com",
    'Trần "Quote" <x@y.z>',
    "Đặng " * 60,
    "plain name",
]
ALLOWED = {"From", "To", "Reply-To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post",
           "Content-Language", "X-Careloop-Key", "MIME-Version", "Content-Type", "Auto-Submitted"}  # fmt: skip
UNSUBSCRIBE = "https://care.example.vn/unsubscribe/" + "eyJjIjoiQy0wMDQyIiwibCI6InZpIn0.aBcD" * 4


def rendered(kind: str, name: str) -> tuple[str, str, str]:
    """(subject, text, HTML) of a kind's email to a customer called `name`: from its text (what
    customers receive) or its template (what owners receive)."""
    if kind not in EDITABLE_KINDS:
        message = Templates().message(kind, "vi", {**SAMPLE_CONTEXT, "greeting": name, "name": name, "customer": name})
        return message.subject, message.text, message.html
    values = values_for(name, name, "", "Văn phòng Luật Minh An", date(2026, 11, 16), "HS-ABCD2345")
    recipient = Recipient("C-1", name, "vi", [("email", "lan@bücher.de")])
    survey = None if kind == "birthday" else SAMPLE_SURVEY
    (email,) = (
        Composer(Templates(), SAMPLE_LINKS, channel_book())
        .compose(kind, kind, recipient, values, survey, NINE_AM)
        .messages
    )
    return email.subject, email.text, email.html


def raw_message(tmp_path, kind: str, name: str) -> tuple[bytes, str]:
    subject, text, html = rendered(kind, name)
    message = OutgoingMessage(f"{kind}/C-1\n/2026", "email", "lan@bücher.de", name, subject, text, html, UNSUBSCRIBE,
                              "vi")  # fmt: skip
    OutboxChannel(tmp_path, "Văn phòng Luật Minh An", "cskh@luatminhan.vn", "hotro@luatminhan.vn").deliver(message)
    (path,) = tmp_path.glob("*.eml")
    return path.read_bytes(), subject


def header_block(raw: bytes) -> list[tuple[str, str]]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # every header byte is ASCII
    unfolded = re.sub(r"\r\n[ \t]", " ", head)
    return [tuple(line.split(": ", 1)) for line in unfolded.split("\r\n")]  # type: ignore[misc]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
@pytest.mark.parametrize("kind", KINDS)
def test_headers_as_the_bytes_say(tmp_path, kind, name):
    raw, subject = raw_message(tmp_path, kind, name)
    headers = header_block(raw)
    names = [n for n, _ in headers]
    assert set(names) <= ALLOWED and len(names) == len(set(names))  # no header line that data created
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF, no bare LF or CR
    values = dict(headers)
    assert values["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>" and "=?" not in values["List-Unsubscribe"]
    assert values["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert values["Content-Language"] == "vi"
    assert values["To"].endswith("<lan@xn--bcher-kva.de>")  # the IDN domain as punycode
    assert str(make_header(decode_header(values["Subject"]))) == subject  # no space lost
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == subject and parsed["Reply-To"] == "hotro@luatminhan.vn"
    display_name = values["To"].rsplit(" <", 1)[0]
    assert str(make_header(decode_header(display_name))).strip('"') == " ".join(name.split())  # RFC 2047 decoding
    html = parsed.get_body(("html",)).get_content()
    assert "<title>" in html


def test_a_name_that_looks_like_an_encoded_word_stays_literal_text(tmp_path):
    raw, _ = raw_message(tmp_path, "birthday", "=?utf-8?b?SGFja2Vk?=")
    to = dict(header_block(raw))["To"]
    assert str(make_header(decode_header(to.rsplit(" <", 1)[0]))) == "=?utf-8?b?SGFja2Vk?="
    assert message_from_bytes(raw, policy=policy.default)["To"].addresses[0].display_name == "=?utf-8?b?SGFja2Vk?="


@pytest.mark.parametrize("kind", ["case_notice", "case_digest", "weekly_digest"])
def test_owners_and_managers_emails_say_they_are_auto_generated_and_customers_do_not(tmp_path, kind):
    """Issue 21: RFC 3834's Auto-Submitted, so no out-of-office reply answers a machine's email."""
    message = OutgoingMessage(f"{kind}/x", "email", "an@luat.vn", "Giám đốc An", "Hồ sơ", "text", "", "", "vi", kind)
    OutboxChannel(tmp_path / "staff", "Văn phòng Luật Minh An", "cskh@luatminhan.vn").deliver(message)
    (path,) = (tmp_path / "staff").glob("*.eml")
    assert dict(header_block(path.read_bytes()))["Auto-Submitted"] == "auto-generated"
    raw, _ = raw_message(tmp_path, "checkin", "Lan")
    assert "Auto-Submitted" not in dict(header_block(raw))


BODIES = [
    "Chào anh Huy,\nCảm ơn anh đã ghé.",
    "plain ascii, short lines",
    "Cảm ơn quý khách " * 40,  # one long Vietnamese line
    "x" * 2000 + "\nĐ",  # longer than SMTP's 998
    ".\n..\nFrom me\n.",  # lines SMTP and mbox treat specially
    "a\rb\r\nc\n\n",
    "--=_" + "0" * 32 + "\n=_ =?utf-8?q?x?=",  # looks like a boundary, an encoded word
    "",
]


@pytest.mark.parametrize("text", BODIES, ids=range(len(BODIES)))
def test_body_parts_as_the_bytes_say(tmp_path, text):
    html = f"<p>{text}</p>" + "<b>x</b> " * 20
    message = OutgoingMessage("checkin/C-1/2026-11-16", "email", "lan@example.com", "Lan", "Hỏi thăm", text, html,
                              UNSUBSCRIBE, "vi")  # fmt: skip
    OutboxChannel(tmp_path, "Văn phòng Luật Minh An", "cskh@luatminhan.vn").deliver(message)
    (path,) = tmp_path.glob("*.eml")
    raw = path.read_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative" and len(list(parsed.iter_parts())) == 2
    for subtype, sent in (("plain", text), ("html", html)):
        part = parsed.get_body((subtype,))
        lines = [line.decode() for line in sent.encode().splitlines()]
        assert part.get_content().replace("\r\n", "\n") == "".join(line + "\n" for line in lines)
        assert part.get_content_charset() == "utf-8"
        if part["Content-Transfer-Encoding"] in ("7bit", "8bit"):  # sent as typed only when every line is short
            assert all(len(line.encode()) <= 78 for line in lines)
        else:
            assert part["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
