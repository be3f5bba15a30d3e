"""The checks of careloop's own settings that need more than core.setting_checks: where the sheet
and the store are, and the channels' order (which the channel registry knows)."""

from __future__ import annotations

import re

from functions.core.i18n import both


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
        if not re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", project):
            raise ValueError(both("need_firestore_project"))
        if not re.fullmatch(r"\(default\)|[a-z][a-z0-9-]{2,62}", database):
            raise ValueError(both("need_firestore_database"))
        return value
    if "://" in value or not value:
        raise ValueError(both("need_store"))
    return value


def channel_order_check(text: str) -> tuple[str, ...]:
    from functions.adapters.channels.registry import specs

    names = tuple(spec.name for spec in specs())
    order = tuple(word.strip().lower() for word in re.split(r"[,;\s]+", text) if word.strip())
    if not order or any(word not in names for word in order) or len(set(order)) != len(order):
        raise ValueError(both("need_channel_order", choices=", ".join(names)))
    return order
