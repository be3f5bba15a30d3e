"""Issue 25: the Replies tab reads newest first, as a mailbox does. New rows go on top, under the
header; the rows already there move down with what staff put on them (a Done tick); a reply
already in the tab is written where it is. On a Google sheet the rows' insertion and their values
go in one batch (a failed call leaves no blank rows on top), and the new rows take the checkboxes
of the row below them, as Google's insertDimension does."""

from __future__ import annotations

import openpyxl
import pytest

from functions.adapters.sheets.google import GoogleSheet
from functions.adapters.sheets.google_http import Connection
from functions.adapters.sheets.xlsx import XlsxSheet
from functions.core.sheet_schema import REPLIES
from functions.core.tables import RowWrite, TabWrite
from tests.helpers.sheets_server import ApiError, SheetsServer

KEY = "1Replies-KEY"
HEADER = [c.title_vi for c in REPLIES.columns]
DONE = HEADER.index("Đã xử lý")
OLD = [["PH-2", "hôm qua", "C-2", "Hùng", "email", "", "cảm ơn", "ghi nhận", False, False, ""],
       ["PH-1", "hôm kia", "C-1", "Lan", "email", "", "HỦY", "từ chối", False, True, ""]]  # fmt: skip


def _write(sheet) -> list[RowWrite]:
    rows = [RowWrite(0, "PH-3", {"reply_id": "PH-3", "text": "thứ ba"}, append=True),
            RowWrite(0, "PH-4", {"reply_id": "PH-4", "text": "thứ tư"}, append=True),
            RowWrite(0, "PH-2", {"reply_id": "PH-2", "action": "ghi nhận lại"}, append=True)]  # fmt: skip
    return sheet.write([TabWrite(REPLIES, REPLIES.column("reply_id"), rows, "vi", newest_first=True)])


def test_on_a_workbook_new_replies_go_on_top_and_ticks_stay_with_their_rows(tmp_path):
    path = tmp_path / "k.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Phản hồi"
    for values in (HEADER, *OLD):
        book.active.append(values)
    book.save(path)
    assert _write(XlsxSheet(path)) == []
    rows = list(openpyxl.load_workbook(path)["Phản hồi"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["PH-4", "PH-3", "PH-2", "PH-1"]
    assert rows[3][DONE] is True and rows[2][HEADER.index("careloop đã làm")] == "ghi nhận lại"


@pytest.fixture
def server():
    with SheetsServer() as running:
        yield running


def test_on_google_the_rows_and_their_values_are_one_batch_and_take_the_checkboxes_below(server):
    book = server.state.create(KEY, {"Phản hồi": [HEADER, *OLD]})
    grid = book.grid("Phản hồi")
    for row in (1, 2):
        grid.validations[(row, DONE)] = {"condition": {"type": "BOOLEAN"}}
    sheet = GoogleSheet(Connection(KEY, api_url=server.url, credentials="none", first_delay=0.01, sleep=lambda s: None))
    sheet.read([REPLIES])
    server.state.log.clear()
    assert _write(sheet) == []
    assert [e["kind"] for e in server.state.log] == ["spreadsheets.get", "spreadsheets.batchUpdate"]
    rows = server.state.rows(KEY, "Phản hồi")[1:]
    assert [r[0] for r in rows] == ["PH-4", "PH-3", "PH-2", "PH-1"]
    assert [r[DONE] for r in rows] == [False, False, False, True]  # new rows are checkboxes too, unticked
    assert rows[0][HEADER.index("Nội dung")] == "thứ tư"


def test_the_test_server_answers_insert_dimension_as_google_does(server):
    from tests.helpers.sheets_server import _request

    book = server.state.create(KEY, {"Phản hồi": [HEADER]})
    sheet_id = book.grid("Phản hồi").sheet_id
    rows = book.grid("Phản hồi").row_count

    def insert(start: int, end: int, before: bool) -> None:
        span = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": start, "endIndex": end}
        _request(book, {"insertDimension": {"range": span, "inheritFromBefore": before}})

    with pytest.raises(ApiError, match="Cannot inherit from before"):
        insert(0, 1, True)
    with pytest.raises(ApiError, match="Cannot inherit from after"):
        insert(rows, rows + 1, False)
    with pytest.raises(ApiError, match="Invalid dimensionRange"):
        insert(2, 2, False)
    insert(1, 3, False)
    assert book.grid("Phản hồi").row_count == rows + 2
