"""The sheet's Settings tab: the settings that are the business's to decide, read over the deployed
ones (each checked as its deployed setting is), and the rows setup-sheet seeds it with."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from functions.core.i18n import say
from functions.core.settings_tab import SettingsFromTab, setting_rows, settings_tab_write, tab_values
from functions.core.tables import Table
from functions.core.text import shorten
from functions.settings.checks import registry_order
from functions.settings.schema import Settings, setting_fields


def tab_settings() -> tuple[str, ...]:
    """The settings that are the business's to decide: staff may set them in the sheet's Settings tab.
    Secrets, service addresses and anything that could send mail elsewhere (smtp_*, sender_email,
    public_url, provider credentials, store) stay with whoever deploys careloop."""
    return tuple(f.name for f in sorted((f for f in setting_fields() if f.metadata.get("tab")),
                                          key=lambda f: f.metadata["tab"]))  # fmt: skip


TAB_ORIGIN = "tab"


def _tab_example(name: str) -> str:
    """A right value of a tab setting, shown to staff beside a wrong one."""
    example = next(f.metadata.get("example") for f in setting_fields() if f.name == name)
    return example or ", ".join(registry_order())


def shown_value(settings: Settings, name: str) -> str:
    """A setting's value as staff type it (what `check` and the Settings tab show)."""
    value = settings.redacted()[name]
    return ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)


def with_tab_values(settings: Settings, values: Mapping[str, str]) -> tuple[Settings, dict[str, str]]:
    """The settings with the tab's values (setting name → text) over the deployed ones, each checked as
    its deployed setting is; a value that fails is left out, with why (name → the check's words)."""
    fields = {f.name: f for f in setting_fields()}
    taken: dict[str, Any] = {}
    refused: dict[str, str] = {}
    for name, text in values.items():
        try:
            taken[name] = fields[name].metadata["parse"](text)
        except ValueError as error:
            refused[name] = str(error)
    if not taken:
        return settings, refused
    origins = dict(settings.origins) | dict.fromkeys(taken, TAB_ORIGIN)
    tuned = dataclasses.replace(settings, **taken, origins=tuple(origins.items()))
    return tuned, refused


def read_settings_tab(settings: Settings, table: Table | None, language: str) -> tuple[Settings, SettingsFromTab]:
    """The settings in force for a run: the tab's values over the deployed ones. A value that fails
    its check gets a System note (why, a right value, the value used instead) and the run goes on."""
    rows = setting_rows(table)
    deployed_only = {f.name for f in setting_fields()} - set(tab_settings())
    values, notes = tab_values(rows, tab_settings(), deployed_only, language)
    tuned, refused = with_tab_values(settings, {key: value for key, (_, value) in values.items()})
    for key, error in refused.items():
        row, value = values[key]
        notes[row.row] = say("setting_invalid", language, value=shorten(value, 80), error=error,
                             example=_tab_example(key), used=shown_value(settings, key))  # fmt: skip
    if "manager_emails" in values and len(tuned.manager_emails) > TAB_MANAGERS:  # the sheet cannot make a mailer
        row, _ = values["manager_emails"]
        notes[row.row] = say("setting_too_many", language, count=len(tuned.manager_emails), limit=TAB_MANAGERS)
        tuned = dataclasses.replace(tuned, manager_emails=tuned.manager_emails[:TAB_MANAGERS])
    report: dict[str, Any] = {}
    if taken := {key: shown_value(tuned, key) for key in values if key not in refused}:
        report["from_tab"] = taken
    if notes:
        names = {r.row: r.name for r in rows}
        report["invalid"] = [
            {"row": row, "note": note, "name": names.get(row, "")} for row, note in sorted(notes.items())
        ]
    return tuned, SettingsFromTab(settings_tab_write(rows, notes, language), report)


TAB_MANAGERS = 10  # addresses the Settings tab may name: anyone who edits the sheet could type any


def settings_tab_rows(settings: Settings, language: str) -> list[list[str]]:
    """What `setup-sheet` seeds the Settings tab with: each setting, its value in force, its meaning."""
    return [[name, shown_value(settings, name), say(f"setting_{name}", language), ""] for name in tab_settings()]


def origin_text(settings: Settings, name: str, language: str) -> str:
    origin = settings.origin(name)
    return say(f"origin_{origin}", language) if origin in ("default", TAB_ORIGIN) else origin
