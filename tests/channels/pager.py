"""A channel that exists only in the test suite: short texts to a pager number — a column of its
own in the Customers tab (`Số máy nhắn tin`) — through a made-up "Pager" provider, which writes each
message it accepts into the outbox folder and cannot reach a number ending in 9. Registered by
adding this module's name to the registry's list (the one line a new channel adds), it must be read
from settings, typed by staff, composed, sent and fallen back from like any other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from functions.adapters.channels.context import ChannelContext
from functions.core import setting_checks as check
from functions.core.channel_specs import TEXT_FORM, ChannelSpec, FittedText
from functions.core.errors import RecipientUnreachable, RenderError
from functions.core.messages import OutgoingMessage

NAME = "pager"


@dataclass(frozen=True)
class PagerSettings:
    pager_token: str = check.setting("", secret=True, doc="Pager: the account's token")
    pager_limit: int = check.setting(300, check.int_range(20, 1000), doc="Pager: characters a message may hold")


SETTINGS = PagerSettings


def _fit(section: PagerSettings, text: str, name: str) -> FittedText:
    text = " ".join(text.split())
    if len(text) > section.pager_limit:
        raise RenderError(f"{name}: {len(text)} > {section.pager_limit}")
    return FittedText(text, len(text), "UTF-8", 1)


SPEC = ChannelSpec(
    NAME,
    "pager_number",  # a column of its own: staff type each customer's pager number there
    TEXT_FORM,
    words=("may nhan tin",),
    label="Pager",
    provider=("pager_token",),
    fit=_fit,
    column=("Số máy nhắn tin", "Pager number"),
)


class PagerChannel:
    channels = frozenset({NAME})

    def __init__(self, folder: Path):
        self.folder = folder

    def deliver(self, message: OutgoingMessage) -> None:
        if message.to.endswith("9"):
            raise RecipientUnreachable(f"Pager: {message.to} has no pager")
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9.-]+", "_", message.key)
        (self.folder / f"{name}.pager.txt").write_text(f"{message.to}\n{message.text}", encoding="utf-8")

    def close(self) -> None:
        pass


def build(section: PagerSettings, context: ChannelContext) -> PagerChannel:
    return PagerChannel(Path(context.mail.outbox))


def describe(section: PagerSettings, context: ChannelContext) -> str:
    return "Pager (test)"
