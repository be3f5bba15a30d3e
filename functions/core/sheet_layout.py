"""What `careloop setup-sheet` makes of a spreadsheet (pure): careloop's tabs with their
headers, checkboxes, dropdowns, a warning on system columns, and the default escalation row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from functions.core.cases import STATUS_TITLES
from functions.core.sheet_schema import CASES, CUSTOMERS, DASHBOARD, MATRIX, TabSpec


@dataclass(frozen=True)
class TabLayout:
    tab: TabSpec
    checkboxes: tuple[str, ...] = ()
    dropdowns: dict[str, list[str]] = field(default_factory=dict)
    starter_rows: list[list[Any]] = field(default_factory=list)  # written only into an empty tab

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


def layouts(language: str = "vi") -> list[TabLayout]:
    return [
        TabLayout(
            CUSTOMERS,
            checkboxes=("opt_out", "escalate"),
            dropdowns={"language": ["vi", "en"], "channel": ["email", "sms", "zalo"], "severity": ["1", "2", "3"]},
        ),
        TabLayout(MATRIX, starter_rows=[["*", "", "", "", 4, 24]]),
        TabLayout(CASES, dropdowns={"status": list(STATUS_TITLES.get(language, STATUS_TITLES["vi"]).values())}),
        TabLayout(DASHBOARD),
    ]
