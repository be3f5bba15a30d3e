"""The checks of careloop's own settings that need more than core.setting_checks: where the sheet
and the store are, and the channels' order (which the channel registry knows)."""

from __future__ import annotations

import re

from functions.core.i18n import both
from functions.core.setting_checks import PROJECT_ID


def firestore_location(store: str) -> tuple[str, str] | None:
    """(project, database) for "firestore://PROJECT[/DATABASE]"; None for a SQLite path."""
    if not store.startswith("firestore://"):
        return None
    project, _, database = store.removeprefix("firestore://").partition("/")
    return project, database or "(default)"


def sheet_check(text: str) -> str:
    from functions.adapters.sheets.google_http import spreadsheet_key

    value = text.strip()
    if spreadsheet_key(value) or value.lower().endswith((".xlsx", ".xlsm")):
        return value
    raise ValueError(both("need_sheet"))


def store_check(text: str) -> str:
    value = text.strip()
    if value.startswith("firestore://"):
        project, database = firestore_location(value) or ("", "")
        if not re.fullmatch(PROJECT_ID, project):
            raise ValueError(both("need_firestore_project"))
        if not re.fullmatch(r"\(default\)|[a-z][a-z0-9-]{2,62}", database):
            raise ValueError(both("need_firestore_database"))
        return value
    if "://" in value or not value:
        raise ValueError(both("need_store"))
    return value


def registry_order() -> tuple[str, ...]:
    """Every channel, in the registry's order: the default channel_order."""
    from functions.adapters.channels.registry import specs

    return tuple(spec.name for spec in specs())


def channel_order_check(text: str) -> tuple[str, ...]:
    names = registry_order()
    order = tuple(word.strip().lower() for word in re.split(r"[,;\s]+", text) if word.strip())
    if not order or any(word not in names for word in order) or len(set(order)) != len(order):
        raise ValueError(both("need_channel_order", choices=", ".join(names)))
    return order
