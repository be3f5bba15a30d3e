"""The rules a run reads with, as bootstrap makes them from default settings: the channel registry's
book and the Customers tab's reading rules (tests change what they test, by name)."""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from functions.core.channel_specs import ChannelBook
from functions.core.customers import ReadRules


@cache
def _default_book() -> ChannelBook:
    from functions import bootstrap
    from functions.settings import Settings

    return bootstrap.channel_book(Settings())


def channel_book(**settings: str) -> ChannelBook:
    """Every registered channel, each text-form channel fitted with its default settings, or with
    `settings` by name as typed (sms_max_segments="1")."""
    if not settings:
        return _default_book()
    from functions import bootstrap
    from functions.settings import load_settings

    return bootstrap.channel_book(load_settings(env={"CARELOOP_CONFIG": ""}, overrides=settings, sends=False))


def read_rules(**changes: Any) -> ReadRules:
    from functions import bootstrap
    from functions.settings import Settings

    return dataclasses.replace(bootstrap.read_rules(Settings()), **changes)
