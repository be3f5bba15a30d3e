"""What a run is wired with, as bootstrap makes it from settings: the settings a test runs under, the
channel registry's book, the Customers tab's reading rules, the follow-up plan's rules (tests change
what they test, by name)."""

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


# The business the tests run for: its name, and links on a public address signed with the test secret.
TEST_SETTINGS = {"business_name": "Văn phòng Luật Minh An", "public_url": "https://care.example.vn"}


def business_settings(**overrides: str):  # -> Settings
    """Settings as a deployment would load them (no careloop.toml), for a test's business."""
    from functions.settings import load_settings
    from tests.helpers import TEST_SECRET

    given = {**TEST_SETTINGS, "secret": TEST_SECRET, **overrides}
    return load_settings(env={"CARELOOP_CONFIG": ""}, overrides=given, sends=False)


def followup_rules(channels: frozenset[str] = frozenset({"email"}), **settings: str):  # -> FollowupRules
    """Who is due and when, from default settings (`settings`: those a test changes, as typed)."""
    from functions import bootstrap

    return bootstrap.followup_rules(business_settings(**settings), channels)
