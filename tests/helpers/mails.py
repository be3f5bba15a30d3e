"""Messages as they arrive in the monitored mailbox, raw bytes as mail servers deliver them: a
customer's replies in the encodings mail programs use, an out-of-office, a delivery failure."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from tests.helpers import TEST_SECRET, VN

OURS = "<0123456789abcdef01234567@luatminhan.vn>"  # a Message-ID that looks like careloop's but proves nothing


def ours(key: str, secret: str = TEST_SECRET) -> str:
    """The Message-ID careloop gave its message `key` (keyed with the store's secret, as it sends them)."""
    from functions.core.ids import message_id_local

    return f"<{message_id_local(key, secret)}@luatminhan.vn>"


def dmarc_pass(domain: str, authserv_id: str = "mx.test") -> str:
    """An Authentication-Results value as a receiving server writes one for a sender it authenticated."""
    return f"{authserv_id}; dkim=pass header.i=@{domain} header.s=s1; spf=pass smtp.mailfrom={domain}; dmarc=pass " \
           f"(p=NONE) header.from={domain}"  # fmt: skip


WHEN = format_datetime(datetime(2026, 11, 24, 9, 30, tzinfo=VN))


def reply(sender: str, text: str, *, message_id: str, charset: str = "utf-8", cte: str = "quoted-printable",
          subject: str = "Re: Cảm ơn chị Lan đã chọn Văn phòng Luật Minh An", in_reply_to: str = OURS,
          **headers: str) -> bytes:  # fmt: skip
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "cskh@luatminhan.vn"
    message["Subject"] = subject
    message["Date"] = WHEN
    message["Message-ID"] = message_id
    message["In-Reply-To"] = in_reply_to
    message["References"] = in_reply_to
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text, charset=charset, cte=cte)
    return message.as_bytes(policy=SMTP)


def windows_1258(sender: str, text: str, message_id: str) -> bytes:
    """A reply from an old Vietnamese mail program: windows-1258, 8-bit."""
    head = (f"From: {sender}\r\nTo: cskh@luatminhan.vn\r\nSubject: Re: hoi tham\r\nDate: {WHEN}\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=windows-1258\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n")  # fmt: skip
    return head.encode("ascii") + cp1258(text) + b"\r\n"


TONES = "\u0300\u0301\u0303\u0309\u0323"  # windows-1258 writes Vietnamese tones as combining marks


def cp1258(text: str) -> bytes:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out.append((base + "".join(c for c in parts if c in TONES)).encode("cp1258"))
    return b"".join(out)


def with_attachment(sender: str, text: str, message_id: str, size: int = 5 * 1024 * 1024) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "cskh@luatminhan.vn", "Re: ảnh sản phẩm"
    message["Date"], message["Message-ID"] = WHEN, message_id
    message.set_content(text)
    message.add_attachment(b"\xff\xd8" + b"\x00" * size, maintype="image", subtype="jpeg", filename="loi.jpg")
    return message.as_bytes(policy=SMTP)


def bounce(recipient: str, key: str, message_id: str, status: str = "5.1.1", returned: str = "") -> bytes:
    """A DSN as Postfix writes one (RFC 3464), with the returned headers of careloop's message (its
    Message-ID keyed for `key`, unless `returned` names another)."""
    returned = returned or ours(key)
    boundary = "DSN-boundary-1"
    return (
        f"From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\nTo: cskh@luatminhan.vn\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nDate: {WHEN}\r\nMessage-ID: {message_id}\r\n"
        f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: mailbox does not exist\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Van phong Luat Minh An <cskh@luatminhan.vn>\r\nTo: {recipient}\r\nSubject: Hoi tham\r\n"
        f"Message-ID: {returned}\r\nX-Careloop-Key: {key}\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode("ascii")
