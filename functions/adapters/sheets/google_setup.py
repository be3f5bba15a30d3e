"""Planning `careloop setup-sheet` for Google Sheets (pure): from what the spreadsheet holds now
to the few requests that add what is missing. Nothing present is moved or rewritten, so a
second run plans nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from functions.adapters.sheets.a1 import column_letters, quoted
from functions.core.sheet_schema import locate_columns
from functions.core.sheet_layout import TabLayout

PROTECTION_MARK = "careloop:system"


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


@dataclass
class SetupPlan:
    requests: list[dict[str, Any]] = field(default_factory=list)  # spreadsheets.batchUpdate
    values: list[dict[str, Any]] = field(default_factory=list)  # values.batchUpdate (RAW)
    actions: list[str] = field(default_factory=list)  # what a person reads


def rule_for(layout: TabLayout, key: str) -> dict | None:
    if key in layout.checkboxes:
        return {"condition": {"type": "BOOLEAN"}}
    if key in layout.dropdowns:
        return {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in layout.dropdowns[key]]},
                "strict": True, "showCustomUi": True}
    return None


def plan_setup(layouts: list[TabLayout], tabs: dict[str, TabState | None], language: str,
               new_sheet_id) -> SetupPlan:
    """`tabs`: the layout's tab key → its state now, or None when the tab is missing."""
    plan = SetupPlan()
    for layout in layouts:
        state = tabs.get(layout.tab.key)
        title = layout.tab.title(language)
        if state is None:
            sheet_id = new_sheet_id()
            width = max(26, len(layout.tab.columns))
            plan.requests.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": title,
                "gridProperties": {"rowCount": 1000, "columnCount": width, "frozenRowCount": 1}}}})
            plan.requests.append({"repeatCell": {"range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                                                 "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                                                 "fields": "userEnteredFormat.textFormat.bold"}})
            plan.actions.append(f"+ tab '{title}'")
            state = TabState(sheet_id, title, [], 0, 1000, width, 1, {}, set())
        elif state.frozen_rows < 1:
            plan.requests.append({"updateSheetProperties": {
                "properties": {"sheetId": state.sheet_id, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount"}})
            plan.actions.append(f"~ '{state.title}': header row frozen")

        positions = locate_columns(layout.tab, state.header, require=False)
        width = len(state.header)
        added = []
        for column in layout.tab.columns:
            if column.key not in positions:
                positions[column.key] = width
                added.append((width, column.title(language)))
                width += 1
        if width > state.column_count:
            plan.requests.append({"appendDimension": {"sheetId": state.sheet_id, "dimension": "COLUMNS",
                                                      "length": width - state.column_count}})
        if added:
            first = added[0][0]
            plan.values.append({"range": f"{quoted(state.title)}!{column_letters(first)}1",
                                "values": [[t for _, t in added]]})
            plan.actions.append(f"+ '{state.title}': " + ", ".join(t for _, t in added))

        for column in layout.tab.columns:
            at = positions[column.key]
            rule = rule_for(layout, column.key)
            if rule and state.validations.get(at) != rule:
                plan.requests.append({"setDataValidation": {"range": {
                    "sheetId": state.sheet_id, "startRowIndex": 1, "endRowIndex": state.row_count,
                    "startColumnIndex": at, "endColumnIndex": at + 1}, "rule": rule}})
                plan.actions.append(f"~ '{state.title}': {column.title(language)} "
                                    + ("checkbox" if column.key in layout.checkboxes else "dropdown"))
            mark = f"{PROTECTION_MARK}:{layout.tab.key}:{column.key}"
            if column.key in layout.protected() and mark not in state.protections:
                plan.requests.append({"addProtectedRange": {"protectedRange": {
                    "range": {"sheetId": state.sheet_id, "startColumnIndex": at, "endColumnIndex": at + 1},
                    "description": mark, "warningOnly": True}}})
                plan.actions.append(f"~ '{state.title}': {column.title(language)} protected (warning)")

        if layout.starter_rows and state.data_rows == 0:
            order = [c.key for c in layout.tab.columns]
            rows = []
            for starter in layout.starter_rows:
                row: list[Any] = [""] * width
                for key, value in zip(order, starter):
                    row[positions[key]] = value
                rows.append(row)
            plan.values.append({"range": f"{quoted(state.title)}!A2", "values": rows})
            plan.actions.append(f"+ '{state.title}': default row '*'")
    return plan
