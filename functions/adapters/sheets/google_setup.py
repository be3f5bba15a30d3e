"""Planning `careloop setup-sheet` for Google Sheets (pure): from what the spreadsheet holds now
to the few requests that add what is missing. Nothing present is moved or rewritten, so a
second run plans nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.adapters.sheets.a1 import column_letters, quoted
from functions.adapters.sheets.google_charts import missing_charts
from functions.core.sheet_schema import ColumnSpec, TabLayout, locate_columns, with_missing_columns
from functions.core.tables import Figure

PROTECTION_MARK = "careloop:system"
ROWS = 1000  # a new tab's rows, and the fewest setup leaves a tab with: checkboxes and dropdowns reach them


@dataclass
class TabState:
    """One tab as it is now, as far as setup cares."""

    sheet_id: int
    title: str
    header: list[Any]
    data_rows: int  # rows below the header holding anything
    row_count: int
    column_count: int
    frozen_rows: int
    validations: dict[int, dict]  # column → the data validation rule on row 2
    protections: set[str]  # descriptions of protected ranges on this tab
    charts: set[str] = field(default_factory=set)  # titles of the charts on this tab
    colours: set[tuple[int, str]] = field(default_factory=set)  # (column, text) a conditional format colours


@dataclass
class SetupPlan:
    requests: list[dict[str, Any]] = field(default_factory=list)  # spreadsheets.batchUpdate
    values: list[dict[str, Any]] = field(default_factory=list)  # values.batchUpdate (RAW)
    actions: list[str] = field(default_factory=list)  # what a person reads


def rule_for(layout: TabLayout, key: str) -> dict | None:
    if key in layout.checkboxes:
        return {"condition": {"type": "BOOLEAN"}}
    if key in layout.dropdowns:
        return {
            "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in layout.dropdowns[key]]},
            "strict": True,
            "showCustomUi": True,
        }
    return None


def plan_setup(
    layouts: list[TabLayout], tabs: dict[str, TabState | None], language: str, new_sheet_id: Callable[[], int]
) -> SetupPlan:
    """`tabs`: the layout's tab key → its state now, or None when the tab is missing."""
    plan = SetupPlan()
    for layout in layouts:
        state = _tab(plan, layout, tabs.get(layout.tab.key), language, new_sheet_id)
        positions, width = _columns(plan, layout, state, language)
        _rules(plan, layout, state, positions, language)
        _colours(plan, layout, state, positions, language)
        _starter_rows(plan, layout, state, positions, width)
        for request in missing_charts(state.sheet_id, layout.charts, state.charts, positions, language):
            plan.requests.append(request)
            plan.actions.append(f"+ '{state.title}': chart '{request['addChart']['chart']['spec']['title']}'")
    return plan


def _tab(
    plan: SetupPlan, layout: TabLayout, state: TabState | None, language: str, new_sheet_id: Callable[[], int]
) -> TabState:
    """The tab, added with a bold frozen header when missing; its header frozen when it is not."""
    if state is None:
        sheet_id, title, width = new_sheet_id(), layout.tab.title(language), max(26, len(layout.tab.columns))
        plan.requests.append(
            {
                "addSheet": {
                    "properties": {
                        "sheetId": sheet_id,
                        "title": title,
                        "gridProperties": {"rowCount": ROWS, "columnCount": width, "frozenRowCount": 1},
                    }
                }
            }
        )
        plan.requests.append(
            {
                "repeatCell": {
                    "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                    "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                    "fields": "userEnteredFormat.textFormat.bold",
                }
            }
        )
        plan.actions.append(f"+ tab '{title}'")
        return TabState(sheet_id, title, [], 0, ROWS, width, 1, {}, set())
    if state.row_count < ROWS:  # a tab trimmed to its header: room for checkboxes, dropdowns and rows to come
        more = {"sheetId": state.sheet_id, "dimension": "ROWS", "length": ROWS - state.row_count}
        plan.requests.append({"appendDimension": more})
        plan.actions.append(f"~ '{state.title}': {ROWS} rows")
        state = dataclasses.replace(state, row_count=ROWS)
    # Grown first: Google refuses to freeze every row of a tab (a header-only tab has one row).
    if state.frozen_rows < 1:
        plan.requests.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": state.sheet_id, "gridProperties": {"frozenRowCount": 1}},
                    "fields": "gridProperties.frozenRowCount",
                }
            }
        )
        plan.actions.append(f"~ '{state.title}': header row frozen")
    return state


def _columns(plan: SetupPlan, layout: TabLayout, state: TabState, language: str) -> tuple[dict[str, int], int]:
    """Missing columns added after the last one, the grid widened first when they pass its edge."""
    positions, added = with_missing_columns(
        layout.tab,
        locate_columns(layout.tab, state.header, require=False),
        len(state.header),
        {c.key for c in layout.tab.columns},
        language,
    )
    width = len(state.header) + len(added)
    if width > state.column_count:
        plan.requests.append(
            {
                "appendDimension": {
                    "sheetId": state.sheet_id,
                    "dimension": "COLUMNS",
                    "length": width - state.column_count,
                }
            }
        )
    if added:
        plan.values.append(
            {"range": f"{quoted(state.title)}!{column_letters(added[0][0])}1", "values": [[text for _, text in added]]}
        )
        plan.actions.append(f"+ '{state.title}': " + ", ".join(text for _, text in added))
        specs = {positions[c.key]: c for c in layout.tab.columns}
        plan.requests += column_looks(state.sheet_id, [(p, specs[p]) for p, _ in added], language, state.row_count)
    new = {position for position, _ in added}
    for key, note in layout.header_notes.items():
        if positions[key] in new:  # a note goes on a header careloop writes, never over one staff wrote
            plan.requests.append({"updateCells": {
                "start": {"sheetId": state.sheet_id, "rowIndex": 0, "columnIndex": positions[key]},
                "rows": [{"values": [{"note": note}]}], "fields": "note"}})  # fmt: skip
    return positions, width


PIXELS_PER_CHARACTER, PADDING_PIXELS = 7, 12  # Arial 10, Google's default


def column_looks(
    sheet_id: int, columns: list[tuple[int, ColumnSpec]], language: str, rows: int
) -> list[dict[str, Any]]:
    """How columns careloop makes look (only ever the ones it makes: staff's own are never resized): a
    width that fits their content, a bold header that wraps, long text wrapped, numbers in their format."""
    requests: list[dict[str, Any]] = []
    for at, spec in columns:
        columns_range = {"sheetId": sheet_id, "startIndex": at, "endIndex": at + 1}
        pixels = spec.width_in(language) * PIXELS_PER_CHARACTER + PADDING_PIXELS
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {**columns_range, "dimension": "COLUMNS"},
                    "properties": {"pixelSize": pixels},
                    "fields": "pixelSize",
                }
            }
        )
        header = {
            "sheetId": sheet_id,
            "startRowIndex": 0,
            "endRowIndex": 1,
            "startColumnIndex": at,
            "endColumnIndex": at + 1,
        }
        requests.append(
            {
                "repeatCell": {
                    "range": header,
                    "cell": {"userEnteredFormat": {"textFormat": {"bold": True}, "wrapStrategy": "WRAP"}},
                    "fields": "userEnteredFormat.textFormat.bold,userEnteredFormat.wrapStrategy",
                }
            }
        )
        look: dict[str, Any] = {}
        if spec.wrap:
            look["wrapStrategy"] = "WRAP"
        if spec.number_format:
            look["numberFormat"] = {"type": Figure(0, spec.number_format).kind, "pattern": spec.number_format}
        if look and rows > 1:
            below = {**header, "startRowIndex": 1, "endRowIndex": rows}
            requests.append(
                {
                    "repeatCell": {
                        "range": below,
                        "cell": {"userEnteredFormat": look},
                        "fields": ",".join(f"userEnteredFormat.{k}" for k in look),
                    }
                }
            )
    return requests  # fmt: skip


def _rules(plan: SetupPlan, layout: TabLayout, state: TabState, positions: dict[str, int], language: str) -> None:
    """Checkboxes and dropdowns where they differ, and a warning on each system column."""
    for column in layout.tab.columns:
        at = positions[column.key]
        rule = rule_for(layout, column.key)
        if rule and state.validations.get(at) != rule:
            plan.requests.append(
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": state.sheet_id,
                            "startRowIndex": 1,
                            "endRowIndex": state.row_count,
                            "startColumnIndex": at,
                            "endColumnIndex": at + 1,
                        },
                        "rule": rule,
                    }
                }
            )
            plan.actions.append(
                f"~ '{state.title}': {column.title(language)} "
                + ("checkbox" if column.key in layout.checkboxes else "dropdown")
            )
        mark = f"{PROTECTION_MARK}:{layout.tab.key}:{column.key}"
        if column.key in layout.protected() and mark not in state.protections:
            plan.requests.append(
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": state.sheet_id, "startColumnIndex": at, "endColumnIndex": at + 1},
                            "description": mark,
                            "warningOnly": True,
                        }
                    }
                }
            )
            plan.actions.append(f"~ '{state.title}': {column.title(language)} protected (warning)")


def _colours(plan: SetupPlan, layout: TabLayout, state: TabState, positions: dict[str, int], language: str) -> None:
    """A conditional format per coloured text (the Health tab's results) the column lacks."""
    for key, shades in layout.colours.items():
        at = positions[key]
        missing = [(text, colour) for text, colour in shades.items() if (at, text) not in state.colours]
        for text, colour in missing:
            plan.requests.append({"addConditionalFormatRule": {"index": 0, "rule": {
                "ranges": [{"sheetId": state.sheet_id, "startRowIndex": 1, "endRowIndex": state.row_count,
                            "startColumnIndex": at, "endColumnIndex": at + 1}],
                "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": text}]},
                                "format": {"backgroundColor": rgb(colour)}},
            }}})  # fmt: skip
        if missing:
            plan.actions.append(f"~ '{state.title}': {layout.tab.column(key).title(language)} coloured")


def colour_rules(sheet: dict[str, Any]) -> set[tuple[int, str]]:
    """(column, text) of each one-column TEXT_EQ conditional format on a tab, as the API reads it."""
    found = set()
    for rule in sheet.get("conditionalFormats", []):
        condition = rule.get("booleanRule", {}).get("condition", {})
        if condition.get("type") != "TEXT_EQ":
            continue
        for grid_range in rule.get("ranges", []):
            for value in condition.get("values", []):
                found.add((grid_range.get("startColumnIndex", 0), value.get("userEnteredValue", "")))
    return found


def rgb(colour: str) -> dict[str, float]:
    """ "#D1FADF" as the API's Color: each channel from 0 to 1."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(red, 4), "green": round(green, 4), "blue": round(blue, 4)}


def _starter_rows(plan: SetupPlan, layout: TabLayout, state: TabState, positions: dict[str, int], width: int) -> None:
    """The default escalation row, written only into an empty tab."""
    if not layout.starter_rows or state.data_rows:
        return
    order = [c.key for c in layout.tab.columns]
    rows = []
    for starter in layout.starter_rows:
        row: list[Any] = [""] * width
        for key, value in zip(order, starter, strict=False):
            row[positions[key]] = value
        rows.append(row)
    plan.values.append({"range": f"{quoted(state.title)}!A2", "values": rows})
    plan.actions.append(f"+ '{state.title}': {len(rows)} starter row(s)")
