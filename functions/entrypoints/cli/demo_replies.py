"""The demo's customers answer back (issue 25), as the world would deliver it: replies and a bounce
saved as .eml files into the demo's mail folder (what the escalation run reads when there is no
IMAP mailbox), and a rating by phone, which the phone channels' stand-ins post to the channel's
webhook as its provider would. Each answers the message careloop really sent (its outbox copy)."""

from __future__ import annotations

import email
import os
import time
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

COMPLAINT = ("C-004", "Sản phẩm bị lỗi, tôi rất không hài lòng. Mong văn phòng liên hệ lại sớm.")
REFUSAL = ("C-005", "HỦY")
BOUNCED = "C-014"
RATED = ("C-009", 2, ["Thời gian chờ lâu"], "Chưa ai gọi lại cho tôi")


def customers_reply(outbox: Path, inbox: Path, rate_by_phone: Any, now: datetime) -> list[str]:
    """What was simulated, a line each (empty when the messages they answer are not in the outbox)."""
    inbox.mkdir(parents=True, exist_ok=True)
    said = []
    for customer_id, text in (COMPLAINT, REFUSAL):
        sent = _sent_email(outbox, f"checkin_{customer_id}_")
        if sent is not None:
            _save(inbox, f"reply-{customer_id}", _reply(sent, text, now), now)
            said.append(f"{customer_id} ✉ «{text}»")
    bounced = _sent_email(outbox, f"checkin_{BOUNCED}_")
    if bounced is not None:
        _save(inbox, f"bounce-{BOUNCED}", _bounce(bounced, now), now)
        said.append(f"{BOUNCED} ✉ 550 5.1.1 mailbox does not exist")
    customer_id, stars, chips, note = RATED
    if rate_by_phone(f"checkin/{customer_id}/", stars, chips, note):
        said.append(f"{customer_id} ☎ {stars}★ «{note}»")
    return said


def _sent_email(outbox: Path, name: str) -> EmailMessage | None:
    found = sorted(outbox.glob(f"*_{name}*.eml"))
    if not found:
        return None
    message = email.message_from_bytes(found[-1].read_bytes(), _class=EmailMessage, policy=SMTP)
    return message if isinstance(message, EmailMessage) else None


def _reply(sent: EmailMessage, text: str, now: datetime) -> bytes:
    """The customer's mail program answering careloop's message, its history quoted below."""
    reply = EmailMessage()
    reply["From"] = str(sent["To"])
    reply["To"] = str(sent["From"])
    reply["Subject"] = "Re: " + str(sent["Subject"])
    reply["Date"] = format_datetime(now)
    reply["Message-ID"] = f"<{time.time_ns()}.reply@mail.example.com>"
    reply["In-Reply-To"] = reply["References"] = str(sent["Message-ID"])
    body = sent.get_body(("plain",))
    quoted = "\n".join("> " + line for line in (body.get_content() if body else "").splitlines()[:20])
    reply.set_content(f"{text}\n\nVào {now:%d/%m/%Y} {sent['From']} đã viết:\n{quoted}\n")
    return reply.as_bytes(policy=SMTP)


def _bounce(sent: EmailMessage, now: datetime) -> bytes:
    """The receiving server's delivery status notification (RFC 3464), returning careloop's headers."""
    recipient = str(sent["To"]).rpartition("<")[2].rstrip(">").strip()
    returned = "".join(f"{name}: {value}\r\n" for name, value in sent.items()
                       if name in ("From", "To", "Subject", "Message-ID", "X-Careloop-Key"))  # fmt: skip
    boundary = f"DSN-{time.time_ns()}"
    return (
        f"From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\nTo: {sent['From']}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nDate: {format_datetime(now)}\r\n"
        f"Message-ID: <{boundary}@mx.example.com>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"Your message could not be delivered to {recipient}.\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: mailbox does not exist\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{returned}\r\n--{boundary}--\r\n"
    ).encode()


def _save(inbox: Path, name: str, raw: bytes, now: datetime) -> None:
    """Saved as arriving at the demo's moment (the file's time is its arrival): heard whatever day the
    demo is run for, each file a microsecond after the last."""
    path = inbox / f"{time.time_ns()}-{name}.eml"
    path.write_bytes(raw)
    stamp = int(now.timestamp() * 1_000_000 + len(list(inbox.iterdir()))) * 1000
    os.utime(path, ns=(stamp, stamp))
