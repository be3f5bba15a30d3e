"""Channel adapter that writes each email into a folder as one .eml file (the embedded default).

Every delivery makes a new file, never overwriting one, so a message sent twice shows as two.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from functions.adapters.channels.mime import build_email
from functions.core.errors import PermanentDeliveryError
from functions.core.messages import OutgoingMessage


class OutboxChannel:
    channels = frozenset({"email"})

    def __init__(
        self, folder: str | Path, sender_name: str, sender_email: str, reply_to: str = "", id_secret: str = ""
    ):
        self.folder = Path(folder)
        self.sender_name, self.sender_email, self.reply_to = sender_name, sender_email, reply_to
        self.id_secret = id_secret  # keys each Message-ID (the store's secret)

    def deliver(self, message: OutgoingMessage) -> None:
        if message.channel != "email":
            raise PermanentDeliveryError(f"outbox: channel {message.channel} is not supported")
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            email = build_email(message, self.sender_name, self.sender_email, self.reply_to, self.id_secret)
        except ValueError as error:  # an address or URL no header can carry: it never went out
            raise PermanentDeliveryError(str(error)) from error
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{stamp}_{re.sub(r'[^A-Za-z0-9.-]+', '_', message.key)}_{secrets.token_hex(3)}.eml"
        with open(self.folder / name, "xb") as file:
            file.write(email.data)

    def close(self) -> None:
        pass
