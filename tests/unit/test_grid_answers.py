"""Grid data as Sheets answers it (spreadsheets.get with `effectiveValue` cells), parsed straight
into values: the write's look at where rows are now holds a value a cell, not three dicts."""

from __future__ import annotations

import json
import tracemalloc

from functions.adapters.sheets.google_requests import compact_cells, grid_rows


def answer(cells: list[list[dict]]) -> bytes:
    rows = [{"values": row} if row else {} for row in cells]
    sheet = {"properties": {"sheetId": 7, "title": "Khách hàng", "gridProperties": {"rowCount": 9, "columnCount": 3}},
             "charts": [{"spec": {"title": "Tin đã gửi"}}], "data": [{"rowData": rows}]}  # fmt: skip
    return json.dumps({"sheets": [sheet]}).encode()


def test_cells_become_their_values_and_the_rest_stays_as_answered():
    cells = [
        [{"effectiveValue": {"stringValue": "Mã KH"}}, {}, {"effectiveValue": {"numberValue": 46000}}],
        [],
        [{"effectiveValue": {"boolValue": False}}],
        [{"effectiveValue": {"errorValue": {"type": "REF", "message": "#REF!"}}}],
        [{"effectiveValue": {"stringValue": ""}}],
    ]
    parsed = json.loads(answer(cells), object_hook=compact_cells)
    (sheet,) = parsed["sheets"]
    assert sheet["properties"]["gridProperties"] == {"rowCount": 9, "columnCount": 3}
    assert sheet["charts"] == [{"spec": {"title": "Tin đã gửi"}}]
    assert grid_rows(sheet["data"][0]) == [["Mã KH", None, 46000], [], [False], [None], [""]]


def test_a_column_of_20000_rows_holds_about_a_value_a_row():
    cells = [[{"effectiveValue": {"stringValue": f"C-{n:05d}"}}] for n in range(20_000)]
    raw = answer(cells)
    tracemalloc.start()
    try:
        parsed = json.loads(raw, object_hook=compact_cells)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(grid_rows(parsed["sheets"][0]["data"][0])) == 20_000
    assert held / 20_000 < 200  # bytes a row: a one-value list and its text (as dicts: about 700)
