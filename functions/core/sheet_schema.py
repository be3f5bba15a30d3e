"""The spreadsheet contract: tabs and columns, found by name rather than position (pure).

Headers are compared after `header_key` (case, spaces, punctuation and Vietnamese diacritics
ignored), so "Ngày sinh", "NGAY SINH" and "ngày_sinh" are one column.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from functions.core.channel_specs import ChannelBook
from functions.core.data_files import data_file
from functions.core.i18n import both
from functions.core.text import header_key


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    title_vi: str
    title_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    system: bool = False  # written by careloop only
    # How careloop shows a column it makes (never one staff made): its width in characters (0: its
    # header's), long text wrapped, and the number format of the numbers it writes there.
    width: int = 0
    wrap: bool = False
    number_format: str = ""
    # careloop writes a name after its title ("Chủ đề 1: Giá/phí", a chart's legend): found by the title it starts with
    named: bool = False

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi

    def named_title(self, name: str, language: str) -> str:
        """The header of a named column: its title, and the name it shows now."""
        return f"{self.title(language)}: {name}" if name else self.title(language)

    def holds(self, normalised: str) -> bool:
        """Whether a header (as header_key reads it) is this column's."""
        return normalised in self.keys or (self.named and any(normalised.startswith(k) for k in self.keys))

    def width_in(self, language: str) -> int:
        """Characters: the width set, else the header's longest word (a wrapped header takes lines)."""
        return max(self.width, max(len(word) for word in self.title(language).split()) + 3, 8)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.title_vi, self.title_en, *self.aliases)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(header_key(s) for s in self.spellings)


@dataclass(frozen=True)
class TabSpec:
    key: str
    title_vi: str
    title_en: str
    columns: tuple[ColumnSpec, ...]
    aliases: tuple[str, ...] = ()

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.title_vi, self.title_en, *self.aliases)

    def column(self, key: str) -> ColumnSpec:
        return next(c for c in self.columns if c.key == key)


@cache
def _tabs() -> dict[str, TabSpec]:
    """templates/sheet.toml: every tab's titles, other spellings and columns (staff's words are data)."""
    data = data_file("sheet")
    return {
        key: TabSpec(
            key, tab["vi"], tab["en"], tuple(_column(c) for c in tab["columns"]), tuple(tab.get("aliases", ()))
        )
        for key, tab in data.items()
    }


def _column(data: Mapping[str, Any]) -> ColumnSpec:
    flags = {k: v for k, v in data.items() if k not in ("key", "vi", "en", "aliases")}
    return ColumnSpec(data["key"], data["vi"], data["en"], tuple(data.get("aliases", ())), **flags)


def tab(key: str) -> TabSpec:
    return _tabs()[key]


CUSTOMERS = tab("customers")
MATRIX = tab("matrix")
CASES = tab("cases")
# The Dashboard's figures and its twelve weeks; a "By <channel>" column for each channel: dashboard_tab().
DASHBOARD = tab("dashboard")
CALLS = tab("calls")
MESSAGES = tab("messages")
CARE_PLAN = tab("care_plan")
THEMES = tab("themes")
SUGGESTIONS = tab("suggestions")
VOUCHERS = tab("vouchers")
HEALTH = tab("health")
REPLIES = tab("replies")
SETTINGS = tab("settings")


def customers_tab(channels: ChannelBook) -> TabSpec:
    """The Customers tab with the address column of each channel that has its own (after Phone)."""
    own = tuple(ColumnSpec(key, vi, en) for key, vi, en in channels.own_columns())
    if not own:
        return CUSTOMERS
    at = [c.key for c in CUSTOMERS.columns].index("phone") + 1
    return dataclasses.replace(CUSTOMERS, columns=CUSTOMERS.columns[:at] + own + CUSTOMERS.columns[at:])


def dashboard_tab(channels: ChannelBook) -> TabSpec:
    """The Dashboard with a "By <channel>" column of messages for each channel, after Messages."""
    at = [c.key for c in DASHBOARD.columns].index("messages") + 1
    added = tuple(ColumnSpec(f"messages_{spec.name}", f"Qua {spec.shown}", f"By {spec.shown}", system=True)
                  for spec in channels.specs)  # fmt: skip
    return dataclasses.replace(DASHBOARD, columns=DASHBOARD.columns[:at] + added + DASHBOARD.columns[at:])


class ChartSpec(NamedTuple):
    """A chart over the Dashboard's weekly series: the weeks along the bottom, one line or column
    per series column, its header the series' name."""

    key: str
    title_vi: str
    title_en: str
    kind: str  # "LINE" or "COLUMN"
    series: tuple[str, ...]  # column keys
    axis_vi: str
    axis_en: str
    stacked: bool = False

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi

    def axis(self, language: str) -> str:
        return self.axis_en if language == "en" else self.axis_vi


@dataclass(frozen=True)
class TabLayout:
    tab: TabSpec
    checkboxes: tuple[str, ...] = ()
    dropdowns: dict[str, list[str]] = field(default_factory=dict)
    starter_rows: list[list[Any]] = field(default_factory=list)  # written only into an empty tab
    header_notes: dict[str, str] = field(default_factory=dict)  # column key → a note on its header cell
    charts: tuple[ChartSpec, ...] = ()
    colours: dict[str, dict[str, str]] = field(default_factory=dict)  # column key → cell text → background

    def headers(self, language: str) -> list[str]:
        return [c.title(language) for c in self.tab.columns]

    def choices(self, key: str) -> list[str] | None:
        """The values a checkbox or dropdown column accepts; None for a free column."""
        if key in self.checkboxes:
            return ["TRUE", "FALSE"]
        return self.dropdowns.get(key)

    def protected(self) -> list[str]:
        """Columns staff should not type in: careloop writes them (a warning, not a lock)."""
        return [c.key for c in self.tab.columns if c.system]


class MissingColumnError(ValueError):
    """A required column is absent; the message names it and its accepted spellings."""

    def __init__(self, tab: TabSpec, column: ColumnSpec):
        spellings = ", ".join(f"'{s}'" for s in column.spellings)
        super().__init__(
            both(
                "column_missing",
                tab_vi=tab.title_vi,
                tab_en=tab.title_en,
                column_vi=column.title_vi,
                column_en=column.title_en,
                spellings=spellings,
            )
        )
        self.tab, self.column = tab, column


def locate_columns(tab: TabSpec, header: Sequence[object], require: bool = True) -> dict[str, int]:
    """Map each known column key to its 0-based position in `header`; the first match wins.

    Raises MissingColumnError for a required column that is not there (unless require=False).
    """
    by_key: dict[str, int] = {}
    for position, title in enumerate(header):
        if title is None:
            continue
        normalised = header_key(str(title))
        for spec in tab.columns:
            if spec.key not in by_key and spec.holds(normalised):
                by_key[spec.key] = position
                break
    for spec in tab.columns:
        if require and spec.required and spec.key not in by_key:
            raise MissingColumnError(tab, spec)
    return by_key


def find_tab(tab: TabSpec, titles: Sequence[str]) -> str | None:
    """The title of the existing tab that matches `tab`, by the same forgiving comparison."""
    wanted = {header_key(s) for s in tab.spellings}
    return next((t for t in titles if header_key(t) in wanted), None)


def with_missing_columns(
    tab: TabSpec, positions: Mapping[str, int], width: int, wanted: Collection[str], language: str
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Each wanted column the tab lacks, placed after the last one (`width` columns are in use):
    the positions of all columns, and the (position, header title) of the ones to add."""
    placed = dict(positions)
    added: list[tuple[int, str]] = []
    for spec in tab.columns:
        if spec.key in wanted and spec.key not in placed:
            placed[spec.key] = width + len(added)
            added.append((placed[spec.key], spec.title(language)))
    return placed, added
