"""What every channel's `build()` may use besides its own settings section: who the business is,
where its public functions answer, and the store's provider credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class MailSetup:
    """How email leaves: an SMTP server, or (no host) the outbox folder."""

    outbox: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_user: str
    smtp_password: str
    smtp_timeout: float


@dataclass(frozen=True)
class ChannelContext:
    business_name: str
    sender_email: str
    reply_to: str
    public_url: str
    message_id_secret: str  # keys careloop's Message-IDs (the store's secret); empty: they prove nothing
    mail: MailSetup
    credentials: Any = None  # functions.ports.Credentials: the store's, for providers whose tokens change


class Webhook(NamedTuple):
    """A public function a channel answers its provider with: the module holding the function of the
    same name (imported when first called), and what it is, for Terraform's description."""

    module: str
    description: str
