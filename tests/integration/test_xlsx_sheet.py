from datetime import datetime

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from functions.adapters.sheets.xlsx import SheetError, XlsxSheet
from functions.core.sheet_schema import CUSTOMERS, MissingColumnError
from functions.core.tables import RowWrite, TabWrite
from tests.helpers.rules import channel_book
from tests.helpers.support import HEADER, read_workbook, row, write_workbook

ID = CUSTOMERS.column("id")


def test_reads_values_as_the_sheet_holds_them(tmp_path):
    path = write_workbook(
        tmp_path / "k.xlsx",
        HEADER + ["Màu yêu thích"],
        [row("C-1", phone=912345678, birthday=datetime(1990, 11, 23)) + ["xanh"]],
    )
    table = XlsxSheet(path).read([CUSTOMERS])["customers"]
    assert table.title == "Khách hàng" and table.header[-1] == "Màu yêu thích"
    assert table.rows[0][4] == 912345678 and table.rows[0][5] == datetime(1990, 11, 23)


def test_a_missing_tab_is_absent_and_a_missing_file_is_clear(tmp_path):
    path = write_workbook(tmp_path / "k.xlsx", HEADER, [], title="Sheet1")
    assert XlsxSheet(path).read([CUSTOMERS]) == {}
    with pytest.raises(SheetError, match="no such workbook"):
        XlsxSheet(tmp_path / "missing.xlsx").read([CUSTOMERS])


def test_write_round_trip_keeps_staff_formatting_and_columns(tmp_path):
    path = write_workbook(
        tmp_path / "k.xlsx", HEADER + ["Ghi chú của NV"], [row("C-1") + ["khách quen"], row("C-2") + [""]]
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    sheet["B2"].font = Font(bold=True, color="FF0000")
    sheet["A1"].fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.column_dimensions["B"].width = 33
    sheet.freeze_panes = "A2"
    workbook.save(path)

    XlsxSheet(path).write(
        [
            TabWrite(
                CUSTOMERS,
                ID,
                [
                    RowWrite(
                        3, "C-2", {"last_contact": "23/11/2026 – lời chúc sinh nhật (email)", "system_note": "=1+1 @x"}
                    ),
                ],
            )
        ]
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header == HEADER + ["Ghi chú của NV", "Liên hệ gần nhất", "Ghi chú hệ thống"]  # created at the end
    assert sheet["B2"].font.bold and sheet["B2"].font.color.rgb == "00FF0000"
    assert sheet["A1"].fill.fgColor.rgb == "00DDEBF7" and sheet.column_dimensions["B"].width == 33
    assert sheet.freeze_panes == "A2" and sheet["K2"].value == "khách quen"
    note = sheet.cell(row=3, column=13)
    assert note.value == "=1+1 @x" and note.data_type == "s"  # text, never a formula
    assert read_workbook(path)[0]["Liên hệ gần nhất"] is None


def test_rows_are_found_by_id_not_position(tmp_path):
    path = write_workbook(tmp_path / "k.xlsx", HEADER, [row("C-2", "Hùng"), row("C-1", "Lan"), row("", "Khoa")])
    missed = XlsxSheet(path).write(
        [
            TabWrite(
                CUSTOMERS,
                ID,
                [
                    RowWrite(2, "C-1", {"system_note": "for Lan"}),  # read at row 2, now at row 3
                    RowWrite(4, None, {"id": "KH-NEW", "system_note": "for Khoa"}),
                    RowWrite(9, "C-9", {"system_note": "gone"}),  # deleted by staff meanwhile
                    RowWrite(3, None, {"id": "KH-X"}),  # row 3 has an ID now: not overwritten
                ],
            )
        ]
    )
    rows = {r["Họ tên"]: r for r in read_workbook(path)}
    assert rows["Lan"]["Ghi chú hệ thống"] == "for Lan" and rows["Hùng"]["Ghi chú hệ thống"] is None
    assert rows["Khoa"]["Mã KH"] == "KH-NEW" and rows["Khoa"]["Ghi chú hệ thống"] == "for Khoa"
    assert [m.row_id or m.row_number for m in missed] == ["C-9", 3]


def test_headers_in_english_when_staff_read_english(tmp_path):
    path = write_workbook(
        tmp_path / "k.xlsx", ["ID", "Name", "Email"], [["C-1", "Lan", "lan@example.com"]], title="Customers"
    )
    XlsxSheet(path).write([TabWrite(CUSTOMERS, ID, [RowWrite(2, "C-1", {"system_note": "ok"})], header_language="en")])
    assert read_workbook(path, "Customers")[0]["System note"] == "ok"


def test_an_empty_write_does_not_touch_the_file(tmp_path):
    path = write_workbook(tmp_path / "k.xlsx", HEADER, [row("C-1")])
    before = path.stat().st_mtime_ns
    XlsxSheet(path).write([TabWrite(CUSTOMERS, ID, [])])
    assert path.stat().st_mtime_ns == before


def test_a_required_column_missing_at_write_time_is_an_error(tmp_path):
    path = write_workbook(tmp_path / "k.xlsx", ["Mã KH", "Email"], [["C-1", "a@example.com"]])
    with pytest.raises(MissingColumnError, match="'Họ tên'"):
        XlsxSheet(path).write([TabWrite(CUSTOMERS, ID, [RowWrite(2, "C-1", {"system_note": "x"})])])


def test_a_row_holding_long_wrapped_text_is_tall_enough_and_the_demos_widths_follow_its_headers(tmp_path):
    """Issue 33 (3): LibreOffice does not grow a row for wrapped text, so careloop gives the row a
    height from the text and the column's width; the demo's Customers widths follow their headers."""
    import openpyxl

    from functions.adapters.sheets.xlsx import XlsxSheet
    from functions.core.sheet_schema import REPLIES
    from functions.core.tables import RowWrite, TabWrite
    from functions.entrypoints.cli.demo import WIDTHS, write_sample_workbook
    from tests.helpers import TODAY

    path = tmp_path / "k.xlsx"
    write_sample_workbook(path, TODAY)
    book = openpyxl.load_workbook(path)
    sheet = book["Khách hàng"]
    widths = {sheet.cell(1, n).value: sheet.column_dimensions[sheet.cell(1, n).column_letter].width
              for n in range(1, sheet.max_column + 1)}  # fmt: skip
    assert (widths["Email"], widths["Nội dung"], widths["VIP"]) == (WIDTHS["email"], WIDTHS["issue"], WIDTHS["vip"])
    long = "Sản phẩm bị lỗi, tôi rất không hài lòng. " * 8
    from functions.core.sheet_layout import layouts

    XlsxSheet(path).prepare(layouts(channel_book(), "vi"), "vi")
    XlsxSheet(path).write([TabWrite(REPLIES, REPLIES.column("reply_id"), [
        RowWrite(0, "PH-1", {"reply_id": "PH-1", "text": long}, append=True),
        RowWrite(0, "PH-2", {"reply_id": "PH-2", "text": "Cảm ơn"}, append=True)], "vi")])  # fmt: skip
    replies = openpyxl.load_workbook(path)["Phản hồi"]
    tall = replies.row_dimensions[2].height
    assert tall is not None and tall >= 15 * 6  # ~330 characters in a 50-character column
    assert replies.row_dimensions[3].height in (None, 15)  # a short reply keeps its one line
