"""Channel adapter for an SMTP server: implicit TLS, STARTTLS or plain, login, timeouts.

One connection is opened on the first message and reused for the run. SMTP 4xx replies and
dropped connections are transient (the job retries them); 5xx replies are permanent.
"""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from dataclasses import dataclass

from functions.adapters.channels.mime import RawEmail, build_email
from functions.core.errors import (
    AmbiguousDeliveryError,
    PermanentDeliveryError,
    ProviderRefused,
    RecipientUnreachable,
    TransientDeliveryError,
)
from functions.core.messages import OutgoingMessage


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    user: str = ""
    password: str = ""
    timeout: float = 30.0
    sender_name: str = ""
    sender_email: str = ""
    reply_to: str = ""
    id_secret: str = ""  # keys each Message-ID (the store's secret): a reply naming one answers careloop
    tls_context: ssl.SSLContext | None = None  # tests pass one that trusts their own certificate


def _login(connection: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib encodes credentials as ASCII; a Vietnamese password ("mật khẩu") goes as UTF-8
    in AUTH PLAIN (RFC 4616)."""
    if (user + password).isascii():
        connection.login(user, password)
        return
    connection.ehlo_or_helo_if_needed()
    credentials = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = connection.docmd("AUTH", f"PLAIN {credentials}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


class _AnswerLost(Exception):
    """The whole message, end-of-data marker included, reached the server; its reply did not come back."""


def _transmit(connection: smtplib.SMTP, email: RawEmail) -> None:
    """MAIL, RCPT and DATA as smtplib's sendmail does, but telling a failure before the server could
    accept the message (safe to send again) from one after it may have (never sent again)."""
    connection.ehlo_or_helo_if_needed()
    code, reply = connection.mail(email.sender)
    if code != 250:
        connection.rset()
        raise smtplib.SMTPSenderRefused(code, reply, email.sender)
    code, reply = connection.rcpt(email.recipient)
    if code not in (250, 251):
        connection.rset()
        raise smtplib.SMTPRecipientsRefused({email.recipient: (code, reply)})
    connection.putcmd("data")
    code, reply = connection.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    data = re.sub(rb"(?m)^\.", b"..", email.data)  # a line starting with "." gets another (RFC 5321 §4.5.2)
    connection.send(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
    try:
        code, reply = connection.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        raise _AnswerLost() from error
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


class SmtpChannel:
    channels = frozenset({"email"})

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = c.tls_context or ssl.create_default_context()
        if c.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
        else:
            connection = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.security == "starttls":
                connection.starttls(context=context)
        if c.user:
            _login(connection, c.user, c.password)
        return connection

    def deliver(self, message: OutgoingMessage) -> None:
        if message.channel != "email":
            raise PermanentDeliveryError(f"smtp: channel {message.channel} is not supported")
        try:
            c = self.config
            email = build_email(message, c.sender_name, c.sender_email, c.reply_to, c.id_secret)
        except ValueError as error:  # an address or URL no header can carry: it never went out
            raise PermanentDeliveryError(str(error)) from error
        try:
            if self._connection is None:
                self._connection = self._connect()
            _transmit(self._connection, email)
        except _AnswerLost as lost:
            self.close()
            raise AmbiguousDeliveryError(
                f"SMTP {self.config.host}:{self.config.port}: the message was sent, then the server's answer was lost "
                f"({lost.__cause__}); it may have been accepted"
            ) from lost
        except smtplib.SMTPAuthenticationError as error:
            raise ProviderRefused(f"SMTP login refused ({error.smtp_code})") from error
        except smtplib.SMTPRecipientsRefused as error:
            code = next(iter(error.recipients.values()))[0]
            self._raise_for(code, "recipient refused", unreachable=True)
        except smtplib.SMTPResponseException as error:
            self._raise_for(
                error.smtp_code,
                error.smtp_error.decode(errors="replace")
                if isinstance(error.smtp_error, bytes)
                else str(error.smtp_error),
            )
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.close()
            raise TransientDeliveryError(f"SMTP {self.config.host}:{self.config.port}: {error}") from error

    def _raise_for(self, code: int, text: str, unreachable: bool = False) -> None:
        if 400 <= code < 500:
            self.close()  # start afresh on the retry
            raise TransientDeliveryError(f"SMTP {code}: {text}")
        # A refused mailbox: the customer may still be reached on another channel of their row.
        raise (RecipientUnreachable if unreachable else PermanentDeliveryError)(f"SMTP {code}: {text}")

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._connection = None
