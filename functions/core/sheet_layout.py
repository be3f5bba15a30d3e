"""What `careloop setup-sheet` makes of a spreadsheet (pure): careloop's tabs with their
headers, checkboxes, dropdowns, a warning on system columns, and the default escalation row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from functions.core.calls import outcome_titles
from functions.core.care_plan import starter_rows
from functions.core.cases import STATUS_TITLES
from functions.core.channel_specs import ChannelBook
from functions.core.i18n import say
from functions.core.message_tab import KIND_LABELS
from functions.core.occasions import WHEN_EXAMPLES
from functions.core.sheet_schema import (
    CALLS,
    CARE_PLAN,
    CASES,
    CUSTOMERS,
    DASHBOARD,
    HEALTH,
    MATRIX,
    MESSAGES,
    REPLIES,
    SETTINGS,
    SUGGESTIONS,
    THEMES,
    VOUCHERS,
    ChartSpec,
    TabLayout,
    TabSpec,
    customers_tab,
    dashboard_tab,
    locate_columns,
)
from functions.core.staff_texts import placeholder_table
from functions.core.tables import Table, TabWrite
from functions.core.theme_tab import starter_rows as theme_rows


def dashboard_charts(channels: ChannelBook) -> tuple[ChartSpec, ...]:
    """The Dashboard's charts; the messages chart stacks one series per channel."""
    by_channel = tuple(f"messages_{name}" for name in channels.names)
    messages = ChartSpec("messages", "Tin đã gửi theo tuần", "Messages sent by week", "COLUMN", by_channel,
                         "Số tin", "Messages", stacked=True)  # fmt: skip
    return (*CARE_CHARTS, messages, THEMES_CHART)


def chart_tabs(channels: ChannelBook) -> tuple[tuple[TabSpec, tuple[ChartSpec, ...]], ...]:
    """The tabs with charts, as the sheet adapters draw them (the Dashboard, with its channels' columns)."""
    return ((dashboard_tab(channels), dashboard_charts(channels)),)


CARE_CHARTS = (
    ChartSpec("csat", "CSAT theo tuần", "CSAT by week", "LINE", ("satisfied",), "% hài lòng (4–5)",
              "% satisfied (4–5)"),
    ChartSpec("cases", "Hồ sơ mới theo cấp", "Cases opened by tier", "COLUMN", ("opened_t1", "opened_t2", "opened_t3"),
              "Số hồ sơ", "Cases", stacked=True),
    ChartSpec("sla", "Đạt hạn phản hồi đầu theo cấp", "First response in time by tier", "LINE",
              ("sla_t1", "sla_t2", "sla_t3"), "% hồ sơ", "% of cases"),
)  # fmt: skip
THEME_SERIES = tuple(c.key for c in DASHBOARD.columns if c.named)  # the top themes, week by week
THEMES_CHART = ChartSpec("themes", "Khách nói về gì, theo tuần", "What customers talk about, by week", "LINE",
                         THEME_SERIES, "Số lần nhắc", "Mentions")  # fmt: skip
CHART_ROWS = 12  # the weeks each chart draws: rows 2–13 under the header
CHART_DOMAIN = "week"
CALL_CHOICE = "gọi điện"  # a row cared for by a staff call (core.values reads it)


def channel_choices(channels: ChannelBook) -> list[str]:
    """Google's dropdowns refuse what is not listed: the usual orders of channels are listed too."""
    return [*channels.choices(), CALL_CHOICE]


def layouts(
    channels: ChannelBook,
    language: str = "vi",
    message_rows: Sequence[Sequence[Any]] = (),
    setting_rows: Sequence[Sequence[Any]] = (),
) -> list[TabLayout]:
    """Every tab careloop uses; `channels`: the channels careloop has (the Channel dropdowns, the
    Dashboard's columns); `message_rows`: the built-in texts the Messages tab starts with;
    `setting_rows`: the Settings tab's, each setting with its value in force and its meaning."""
    kinds = list(KIND_LABELS.get(language, KIND_LABELS["vi"]).values())
    placeholders = "\n".join(f"{typed} – {meaning}" for typed, meaning in placeholder_table(language))
    return [
        TabLayout(
            customers_tab(channels),
            checkboxes=("opt_out", "marketing_consent", "erase", "escalate", "vip"),
            dropdowns={"language": ["vi", "en"], "channel": channel_choices(channels), "severity": ["1", "2", "3"]},
        ),
        TabLayout(MATRIX, starter_rows=[["*", "", "", "", 4, 24]]),
        TabLayout(CASES, dropdowns={"status": list(STATUS_TITLES.get(language, STATUS_TITLES["vi"]).values())}),
        TabLayout(dashboard_tab(channels), charts=dashboard_charts(channels)),
        TabLayout(
            MESSAGES,
            checkboxes=("active", "test"),
            dropdowns={"kind": kinds, "language": ["vi", "en"], "channel": list(channels.editable())},
            starter_rows=[list(r) for r in message_rows],
            header_notes={"text": say("messages_header_note", language, table=placeholders)},
        ),
        TabLayout(
            CARE_PLAN,
            checkboxes=("survey", "voucher", "active"),
            dropdowns={"type": [say("care_type_care", language), say("care_type_advert", language)]},
            starter_rows=starter_rows(language),
            header_notes={"when": say("care_when_note", language, examples=WHEN_EXAMPLES)},
        ),
        TabLayout(VOUCHERS, checkboxes=("used",)),
        TabLayout(
            THEMES,
            checkboxes=("active",),
            starter_rows=theme_rows(language),
            header_notes={"keywords": say("themes_keywords_note", language)},
        ),
        TabLayout(SUGGESTIONS, header_notes={"words": say("suggestions_note", language)}),
        TabLayout(
            CALLS,
            checkboxes=("called", "escalate"),
            dropdowns={"outcome": outcome_titles(language), "score": ["1", "2", "3", "4", "5"]},
        ),
        TabLayout(HEALTH, colours={"result": health_colours()}),
        TabLayout(SETTINGS, starter_rows=[list(r) for r in setting_rows]),
        TabLayout(REPLIES, checkboxes=("confirm", "done")),
    ]


# The Health tab's results, coloured as staff read a traffic light (in both languages: a sheet set up
# in one may be run in the other).
GREEN, AMBER, RED = "#86EFAC", "#FCD34D", "#FCA5A5"  # strong enough to tell apart at a glance, text still legible


def health_colours() -> dict[str, str]:
    shades = {"health_ok": GREEN, "health_errors": AMBER, "health_late": AMBER, "health_could_not_run": RED}
    return {say(code, language): colour for code, colour in shades.items() for language in ("vi", "en")}


def set_up(layouts: Sequence[TabLayout], tables: dict[str, Table], language: str) -> tuple[list[TabWrite], list[str]]:
    """What a run adds to the sheet (`tables`: every layout's tab as read, its header at least):
    each of careloop's tabs that is missing and the columns one lacks, as writes that make them,
    and what a person reads of it. `tables` then holds each new tab as the write will leave it.

    Never the Customers tab: a sheet without it was renamed or replaced by staff, and an empty new
    one would make careloop silently do nothing (that stays a run that cannot run)."""
    writes: list[TabWrite] = []
    said: list[str] = []
    for layout in layouts:
        if layout.tab.key == CUSTOMERS.key:
            continue
        id_column = next((c for c in layout.tab.columns if c.required), layout.tab.columns[0])
        table = tables.get(layout.tab.key)
        if table is None:
            title = layout.tab.title(language)
            tables[layout.tab.key] = Table(title, layout.headers(language), [list(r) for r in layout.starter_rows])
            said.append(f"+ tab '{title}'")
        else:
            located = locate_columns(layout.tab, table.header, require=False)
            missing = [c.title(language) for c in layout.tab.columns if c.key not in located]
            if not missing:
                continue
            said.append(f"+ '{table.title}': " + ", ".join(missing))
        writes.append(TabWrite(layout.tab, id_column, [], language, layout=layout))
    return writes, said
