"""One rendered message as an RFC 5322 email: text and HTML parts, UTF-8 headers, and the
RFC 2369 / RFC 8058 unsubscribe headers. Shared by the outbox and SMTP channels."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from functions.core.ids import digest_hex
from functions.core.messages import OutgoingMessage


def build_email(message: OutgoingMessage, sender_name: str, sender_email: str, reply_to: str = "") -> EmailMessage:
    email = EmailMessage()
    email["From"] = Address(sender_name, addr_spec=sender_email)
    email["To"] = Address(message.to_name, addr_spec=message.to)
    if reply_to:
        email["Reply-To"] = reply_to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    # Derived from the idempotency key: a message sent twice would at least share one Message-ID.
    digest = digest_hex(message.key, 24)
    email["Message-ID"] = f"<{digest}@{sender_email.rsplit('@', 1)[1]}>"
    if message.unsubscribe_url:  # customers' messages; notices to staff have none
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["Content-Language"] = message.language
    email["X-Careloop-Key"] = message.key
    email.set_content(message.text, charset="utf-8")
    email.add_alternative(message.html, subtype="html", charset="utf-8")
    return email
