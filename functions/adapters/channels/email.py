"""The email channel: always set up — through the SMTP server when smtp_host is set, else into the
outbox folder. Its settings are the business's mail settings (functions.settings), which staff alerts
and the digest use too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.adapters.channels.context import ChannelContext
from functions.core.channel_specs import EMAIL_ADDRESS, EMAIL_FORM, ChannelSpec

if TYPE_CHECKING:
    from functions.ports import Channel

SPEC = ChannelSpec("email", EMAIL_ADDRESS, EMAIL_FORM, words=("e-mail", "mail", "thu", "thu dien tu"), label="email")


def build(section: None, context: ChannelContext) -> Channel:
    mail = context.mail
    if mail.smtp_host:
        from functions.adapters.channels.smtp import SmtpChannel, SmtpConfig

        return SmtpChannel(
            SmtpConfig(
                mail.smtp_host,
                mail.smtp_port,
                mail.smtp_security,
                mail.smtp_user,
                mail.smtp_password,
                mail.smtp_timeout,
                context.business_name,
                context.sender_email,
                context.reply_to,
                context.message_id_secret,
            )  # fmt: skip
        )
    from functions.adapters.channels.outbox import OutboxChannel

    return OutboxChannel(
        mail.outbox, context.business_name, context.sender_email, context.reply_to, context.message_id_secret
    )


def describe(section: None, context: ChannelContext) -> str:
    return f"SMTP {context.mail.smtp_host}" if context.mail.smtp_host else f"outbox {context.mail.outbox}"
