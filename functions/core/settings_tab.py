"""The Settings tab (Cài đặt) as rows, and the System notes it gets back (pure).

Staff set there the settings that are the business's to decide; `functions.settings` checks each
value as it checks the deployed one. Here: which row names which setting, and what to write back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from functions.core.i18n import say
from functions.core.sheet_schema import SETTINGS, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite, row_cells
from functions.core.text import cell_text


@dataclass(frozen=True)
class SettingRow:
    row: int  # the sheet row
    name: str  # as typed
    value: str
    note: str  # its System note now


@dataclass(frozen=True)
class SettingsFromTab:
    """What a run took from the Settings tab: the notes to write back, and what its report says."""

    write: TabWrite | None = None
    report: dict[str, Any] = field(default_factory=dict)


def setting_key(name: str) -> str:
    """ "Voucher value", "voucher-value" and "voucher_value" name one setting."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def setting_rows(table: Table | None) -> list[SettingRow]:
    """The tab's rows that name something (rows without a name are staff's own notes)."""
    if table is None:
        return []
    at = locate_columns(SETTINGS, table.header, require=False)
    if "name" not in at:
        return []

    cells = [row_cells(raw, at) for raw in table.rows]
    rows = [SettingRow(Table.row_number(i), *(cell_text(c.get(k)) for k in ("name", "value", "system_note")))
            for i, c in enumerate(cells)]  # fmt: skip
    return [r for r in rows if r.name]


def tab_values(
    rows: Sequence[SettingRow], allowed: Collection[str], deployed_only: Collection[str], language: str
) -> tuple[dict[str, tuple[SettingRow, str]], dict[int, str]]:
    """Each allowed setting given a value (key → its row and value), and the notes of rows that
    cannot be used: a name careloop does not know, one only the deployment sets, a second row."""
    values: dict[str, tuple[SettingRow, str]] = {}
    notes: dict[int, str] = {}
    first: dict[str, int] = {}
    for row in rows:
        key = setting_key(row.name)
        if key in first:
            notes[row.row] = say("setting_twice", language, name=row.name, row=first[key])
        elif key in allowed:
            first[key] = row.row
            if row.value:
                values[key] = (row, row.value)
        elif key in deployed_only:
            notes[row.row] = say("setting_deployed_only", language, name=row.name)
        else:
            notes[row.row] = say("setting_unknown", language, name=row.name, names=", ".join(allowed))
    return values, notes


def settings_tab_write(rows: Sequence[SettingRow], notes: Mapping[int, str], language: str) -> TabWrite | None:
    """The System notes that change: a note where a row has a problem, none where it has not."""
    writes = [RowWrite(r.row, r.name, {"system_note": notes.get(r.row, "")})
              for r in rows if r.note != notes.get(r.row, "")]  # fmt: skip
    return TabWrite(SETTINGS, SETTINGS.column("name"), writes, language) if writes else None


# The escalation run keeps in its job state the tab's values the public survey page uses, so the
# page follows staff's settings without reading the sheet (the job's state is read each run anyway).
PAGE_SETTINGS = ("csat_threshold", "survey_nps", "business_name")
PAGE_SETTINGS_JOB, PAGE_SETTINGS_KEY = "escalate", "page_settings"


def page_settings(outcome: SettingsFromTab) -> dict[str, str]:
    return {k: v for k, v in outcome.report.get("from_tab", {}).items() if k in PAGE_SETTINGS}


Deps = TypeVar("Deps")


def with_settings_tab(
    deps: Deps, read: Callable[[Deps, Table | None], tuple[Deps, SettingsFromTab]] | None, tables: Mapping[str, Table]
) -> tuple[Deps, SettingsFromTab]:
    """`deps` with the Settings tab's values in force (as they are without a reader); only the fields
    the tab's settings feed change, so whatever else the caller set on `deps` stays."""
    return read(deps, tables.get(SETTINGS.key)) if read is not None else (deps, SettingsFromTab())
