"""What `careloop setup-sheet` makes of a spreadsheet (pure): careloop's tabs with their
headers, checkboxes, dropdowns, a warning on system columns, and the default escalation row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from functions.core.calls import outcome_titles
from functions.core.cases import STATUS_TITLES
from functions.core.i18n import say
from functions.core.message_tab import KIND_LABELS
from functions.core.sheet_schema import (
    CALLS,
    CASES,
    CUSTOMERS,
    DASHBOARD,
    HEALTH,
    MATRIX,
    MESSAGES,
    SETTINGS,
    VOUCHERS,
    TabSpec,
)
from functions.core.staff_texts import placeholder_table


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


DASHBOARD_CHARTS = (
    ChartSpec("csat", "CSAT theo tuần", "CSAT by week", "LINE", ("satisfied",), "% hài lòng (4–5)",
              "% satisfied (4–5)"),
    ChartSpec("cases", "Hồ sơ mới theo cấp", "Cases opened by tier", "COLUMN", ("opened_t1", "opened_t2", "opened_t3"),
              "Số hồ sơ", "Cases", stacked=True),
    ChartSpec("sla", "Đạt hạn phản hồi đầu theo cấp", "First response in time by tier", "LINE",
              ("sla_t1", "sla_t2", "sla_t3"), "% hồ sơ", "% of cases"),
    ChartSpec("messages", "Tin đã gửi theo tuần", "Messages sent by week", "COLUMN",
              ("messages_email", "messages_sms", "messages_zalo"), "Số tin", "Messages", stacked=True),
)  # fmt: skip
CHART_ROWS = 12  # the weeks each chart draws: rows 2–13 under the header
CHART_DOMAIN = "week"
CHART_TABS = ((DASHBOARD, DASHBOARD_CHARTS),)


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


# Google's dropdowns refuse what is not listed: the usual orders of channels are listed too.
CHANNEL_CHOICES = ["email", "sms", "zalo", "zalo, sms", "zalo, sms, email", "zalo, email", "sms, email", "gọi điện"]


def layouts(
    language: str = "vi", message_rows: Sequence[Sequence[Any]] = (), setting_rows: Sequence[Sequence[Any]] = ()
) -> list[TabLayout]:
    """Every tab careloop uses; `message_rows`: the built-in texts the Messages tab starts with;
    `setting_rows`: the Settings tab's, each setting with its value in force and its meaning."""
    kinds = list(KIND_LABELS.get(language, KIND_LABELS["vi"]).values())
    placeholders = "\n".join(f"{typed} – {meaning}" for typed, meaning in placeholder_table(language))
    return [
        TabLayout(
            CUSTOMERS,
            checkboxes=("opt_out", "escalate", "vip"),
            dropdowns={"language": ["vi", "en"], "channel": CHANNEL_CHOICES, "severity": ["1", "2", "3"]},
        ),
        TabLayout(MATRIX, starter_rows=[["*", "", "", "", 4, 24]]),
        TabLayout(CASES, dropdowns={"status": list(STATUS_TITLES.get(language, STATUS_TITLES["vi"]).values())}),
        TabLayout(DASHBOARD, charts=DASHBOARD_CHARTS),
        TabLayout(
            MESSAGES,
            checkboxes=("active",),
            dropdowns={"kind": kinds, "language": ["vi", "en"], "channel": ["email", "sms"]},
            starter_rows=[list(r) for r in message_rows],
            header_notes={"text": say("messages_header_note", language, table=placeholders)},
        ),
        TabLayout(VOUCHERS, checkboxes=("used",)),
        TabLayout(
            CALLS,
            checkboxes=("called", "escalate"),
            dropdowns={"outcome": outcome_titles(language), "score": ["1", "2", "3", "4", "5"]},
        ),
        TabLayout(HEALTH, colours={"result": health_colours()}),
        TabLayout(SETTINGS, starter_rows=[list(r) for r in setting_rows]),
    ]


# The Health tab's results, coloured as staff read a traffic light (in both languages: a sheet set up
# in one may be run in the other).
GREEN, AMBER, RED = "#D1FADF", "#FEF0C7", "#FEE4E2"


def health_colours() -> dict[str, str]:
    shades = {"health_ok": GREEN, "health_errors": AMBER, "health_late": AMBER, "health_could_not_run": RED}
    return {say(code, language): colour for code, colour in shades.items() for language in ("vi", "en")}
