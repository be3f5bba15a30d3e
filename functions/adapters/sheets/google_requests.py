"""Building the Sheets API requests careloop sends, and reading the grid data it gets back (pure):
cells as Google takes them (numbers as numbers, formulas refused, links as HYPERLINK), the rows a
write inserts, the grid growth a write needs first, the tabs a write makes."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from functions.adapters.sheets.a1 import cell_position
from functions.adapters.sheets.google_setup import SetupPlan, plan_setup
from functions.adapters.sheets.placement import Placement
from functions.core.sheet_schema import ColumnSpec, TabSpec
from functions.core.tables import Figure, TabWrite
from functions.core.text import header_key
from functions.core.values import SHEETS_EPOCH


@dataclass
class TabNow:
    """One tab as it is at write time: its grid, header, and the ID and name columns below the header."""

    title: str
    properties: dict[str, Any]
    header: list[Any]
    columns: dict[int, list[Any]]  # position → the column below the header, where it was expected
    charts: set[str]  # the titles of the charts on the tab


def located_specs(tab: TabSpec, columns: list[tuple[int, str]]) -> list[tuple[int, ColumnSpec]]:
    """The columns a write adds (position, header), with their specs."""
    return [(at, spec) for at, text in columns for spec in tab.columns if header_key(text) in spec.keys]


def made_tabs(targets: list[tuple[TabWrite, str]], tabs_now: dict[str, TabNow]) -> SetupPlan:
    """The requests that make each missing tab a change's layout names (`tabs_now` holds it with no
    properties yet but its sheet ID): as `setup-sheet` makes it, its header, rules and starter rows.
    Its state afterwards goes into `tabs_now`, so the changes are placed in the tab as made."""
    made = SetupPlan()
    for change, title in targets:
        now = tabs_now[title]
        if change.layout is None or "gridProperties" in now.properties:
            continue
        sheet_id = now.properties["sheetId"]
        plan = plan_setup([change.layout], {}, change.header_language, itertools.repeat(sheet_id).__next__)
        made.requests += plan.requests
        made.values += plan.values
        add = plan.requests[0]["addSheet"]["properties"]
        header = change.layout.headers(change.header_language)
        starters = change.layout.starter_rows
        now.properties = {"sheetId": sheet_id, "title": title, "gridProperties": add["gridProperties"]}
        now.header = list(header)
        now.columns = {p: [r[p] if p < len(r) else None for r in starters] for p in range(len(header))}
        now.charts = {r["addChart"]["chart"]["spec"]["title"] for r in plan.requests if "addChart" in r}
    return made


def grid_growth(
    properties: dict[str, Any], placement: Placement, extent: tuple[int, int] = (0, 0)
) -> list[dict[str, Any]]:
    """Writing past the grid is an error in Sheets: the requests that grow it first, from its size now,
    to hold the cells written and `extent` (rows, columns) more, such as the charts' anchors."""
    grid = properties["gridProperties"]
    columns = max(max((p for p, _ in placement.new_columns), default=-1) + 1, extent[1])
    rows = max(max((n for n, _, _ in placement.cells), default=0), extent[0])
    return [{"appendDimension": {"sheetId": properties["sheetId"], "dimension": dimension, "length": needed - have}}
            for dimension, needed, have in (("COLUMNS", columns, grid["columnCount"]), ("ROWS", rows, grid["rowCount"]))
            if needed > have]  # fmt: skip


VALUE_KINDS = ("stringValue", "numberValue", "boolValue")  # an ExtendedValue's readable kinds (errorValue: none)


def compact_cells(node: dict[str, Any]) -> Any:
    """`json.loads` object hook for grid data read with `effectiveValue` as its only cell field: a
    cell becomes its value and a row the list of its values as the answer is parsed, never a dict
    each (two columns of 100,000 rows held as dicts took 157 MiB). An empty cell or row stays {}."""
    if "effectiveValue" in node:  # CellData
        value = node["effectiveValue"]
        return next((value[kind] for kind in VALUE_KINDS if kind in value), None)
    if "values" in node and len(node) == 1:  # RowData
        return [None if cell == {} else cell for cell in node["values"]]
    return node


def grid_rows(grid_data: dict[str, Any]) -> list[list[Any]]:
    """A grid's rows of values, from an answer parsed with `compact_cells`."""
    return [row if isinstance(row, list) else [] for row in grid_data.get("rowData", [])]


def trimmed(cells: list[Any]) -> list[Any]:
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def grid_validations(grid: dict[str, Any]) -> dict[str, dict[int, dict[str, Any]]]:
    """Tab title → column → the data validation rule on its row 2."""
    found = {}
    for sheet in grid.get("sheets", []):
        values = ((sheet.get("data") or [{}])[0].get("rowData") or [{}])[0].get("values", [])
        found[sheet["properties"]["title"]] = {
            i: v["dataValidation"] for i, v in enumerate(values) if "dataValidation" in v
        }
    return found


def link_request(sheet_id: int, row: int, column: int, text: str, url: str) -> dict[str, Any]:
    """A link cell (a phone to tap) as a HYPERLINK formula: values go RAW, so it is set apart; its
    text and address are careloop's own (an E.164 number, its https dial link), quotes doubled all the same."""
    url, text = url.replace('"', '""'), text.replace('"', '""')
    formula = {"userEnteredValue": {"formulaValue": f'=HYPERLINK("{url}";"{text}")'}}
    start = {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": column}
    return {"updateCells": {"start": start, "rows": [{"values": [formula]}], "fields": "userEnteredValue"}}


def inserted_rows_request(sheet_id: int, count: int) -> dict[str, Any]:
    """`count` rows under the header; they take their format and checkboxes from the row after them."""
    span = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 1, "endIndex": 1 + count}
    return {"insertDimension": {"range": span, "inheritFromBefore": False}}


def plain_request(sheet_id: int, row: int, column: int, value: Any) -> dict[str, Any]:
    """A value as written RAW, in the structure request: text stays text, a tick a tick."""
    start = {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": column}
    return {"updateCells": {"start": start, "rows": [{"values": [_entered(value)]}], "fields": "userEnteredValue"}}


def values_request(data: Mapping[str, Any], sheet_ids: Mapping[str, int]) -> dict[str, Any]:
    """A values.batchUpdate range ('Tab'!C1 and the rows from there) as an updateCells of the structure
    request: a write that changes structure carries every value with it, one request, atomic."""
    title, row, column = cell_position(str(data["range"]))
    start = {"sheetId": sheet_ids[title], "rowIndex": row - 1, "columnIndex": column}
    rows = [{"values": [_entered(value) for value in row]} for row in data["values"]]
    return {"updateCells": {"start": start, "rows": rows, "fields": "userEnteredValue"}}


def _entered(value: Any) -> dict[str, Any]:
    cell = cell_value(value)
    kind = "boolValue" if isinstance(cell, bool) else "numberValue" if isinstance(cell, int | float) else "stringValue"
    return {"userEnteredValue": {kind: cell}} if cell != "" else {}


def figure_request(sheet_id: int, row: int, column: int, figure: Figure) -> dict[str, Any]:
    """A number with its format (values go RAW and carry none): in the structure request."""
    cell = {"userEnteredValue": {"numberValue": figure.value},
            "userEnteredFormat": {"numberFormat": {"type": figure.kind, "pattern": figure.pattern}}}  # fmt: skip
    start = {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": column}
    return {"updateCells": {"start": start, "rows": [{"values": [cell]}],
                            "fields": "userEnteredValue,userEnteredFormat.numberFormat"}}  # fmt: skip


def cell_value(value: Any) -> Any:
    """A value for values:batchUpdate: None clears the cell (null would leave it as it is);
    a date goes as its serial number, which careloop reads back as that date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return (value - SHEETS_EPOCH).days
    return value
