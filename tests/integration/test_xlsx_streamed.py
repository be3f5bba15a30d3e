"""Issue 37: the embedded default writes a run's cells without loading the workbook (a 100,000-row
workbook loaded whole took 441 MiB), when the file is as the run read it and only cells change.
What staff open afterwards is what the whole-workbook write makes, and nothing else is touched."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from functions.adapters.sheets.xlsx import XlsxSheet
from functions.core.sheet_schema import CALLS, CUSTOMERS
from functions.core.tables import Figure, RowWrite, TabWrite
from tests.helpers.support import HEADER, row

SYSTEM = ["Liên hệ gần nhất", "Ghi chú hệ thống"]
CALLS_HEADER = [c.title("vi") for c in CALLS.columns]
HOSTILE = [
    "=1+1",
    "<b>Lan & Hùng</b> ]]>",
    "=?utf-8?q?X=0D=0ABcc:_a@b.c?=",
    "Ghi chú dài " * 400,
    "   ",
    "0912 345 678",
]


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    customers = book.active
    customers.title = "Khách hàng"
    customers.append(HEADER + SYSTEM)
    for n in range(1, 8):
        customers.append(row(f"C-{n}", f"Khách {n}") + ["", f"cũ {n}"])
    customers["B2"].font = Font(bold=True, color="FF0000")
    customers["L3"].fill = PatternFill("solid", fgColor="FFF2CC")  # staff coloured a note
    customers.column_dimensions["L"].width = 20
    customers.freeze_panes = "A2"
    ticks = DataValidation(type="list", formula1='"TRUE,FALSE"')
    ticks.add("J2:J1048576")
    customers.add_data_validation(ticks)
    calls = book.create_sheet("Gọi điện")
    calls.append(CALLS_HEADER)
    calls.append(["C-1", "Khách 1", "0912345678"])
    book.save(path)
    return path


def changes() -> list[TabWrite]:
    notes = [RowWrite(n + 2, f"C-{n + 1}", {"system_note": text}) for n, text in enumerate(HOSTILE)]
    notes.append(RowWrite(8, "C-7", {"last_contact": "23/11/2026 – lời chúc sinh nhật (email)", "system_note": None}))
    added = [{"customer_id": "C-5", "name": "Khách 5", "phone": "0987654321"},
             {"customer_id": "C-6", "name": "Khách 6", "score": 2, "called": True}]  # fmt: skip
    calls = [RowWrite(0, values["customer_id"], values, append=True) for values in added]
    return [
        TabWrite(CUSTOMERS, CUSTOMERS.column("id"), notes, "vi"),
        TabWrite(CALLS, CALLS.column("customer_id"), calls),
    ]


def cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {
        sheet.title: [
            (
                c.coordinate,
                c.value,
                c.data_type if c.value is not None else "",
                bool(c.alignment.wrap_text),
                c.number_format,
                sheet.row_dimensions[c.row].height,
                c.font.bold,
                c.fill.fgColor.rgb,
            )  # fmt: skip
            for line in sheet.iter_rows()
            for c in line
        ]
        for sheet in book.worksheets
    }


@pytest.fixture
def whole_workbook_forbidden(monkeypatch):
    """The run's write may not load the workbook whole."""
    opened = XlsxSheet._open

    def read_only(sheet, read_only: bool):
        assert read_only, "the workbook was loaded whole to write it"
        return opened(sheet, read_only)

    monkeypatch.setattr(XlsxSheet, "_open", read_only)


def test_cells_streamed_read_as_the_whole_workbook_write_makes_them(tmp_path, monkeypatch):
    streamed, whole = workbook(tmp_path / "a.xlsx"), workbook(tmp_path / "b.xlsx")
    sheet = XlsxSheet(streamed)
    sheet.read([CUSTOMERS, CALLS])
    opened = XlsxSheet._open
    monkeypatch.setattr(XlsxSheet, "_open", lambda s, read_only: opened(s, read_only) if read_only else 1 / 0)
    assert sheet.write(changes()) == []
    monkeypatch.undo()
    assert XlsxSheet(whole).write(changes()) == []  # not read first: the whole workbook, as before
    assert cells(streamed) == cells(whole)
    written = openpyxl.load_workbook(streamed)
    note = written["Khách hàng"]["L2"]
    assert note.value == "=1+1" and note.data_type == "s" and note.alignment.wrap_text  # text, never a formula
    assert str(written["Khách hàng"].data_validations.dataValidation[0].sqref) == "J2:J1048576"
    assert written["Khách hàng"].freeze_panes == "A2" and written["Khách hàng"].column_dimensions["L"].width == 20
    assert [r[0] for r in openpyxl.load_workbook(streamed, read_only=True)["Gọi điện"].values] == [
        CALLS_HEADER[0],
        "C-1",
        "C-5",
        "C-6",
    ]  # fmt: skip  — appended rows read back (the dimension grew)


def test_every_other_part_of_the_file_is_copied_as_it_was(tmp_path, whole_workbook_forbidden):
    path = workbook(tmp_path / "a.xlsx")
    before = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    sheet = XlsxSheet(path)
    sheet.read([CUSTOMERS, CALLS])
    sheet.write(changes())
    after = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    assert sorted(after) == sorted(before)  # styles.xml comes last: its looks are known once the sheets are written
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml"}


def test_a_workbook_saved_since_the_read_is_written_whole_with_rows_found_afresh(tmp_path):
    path = workbook(tmp_path / "a.xlsx")
    sheet = XlsxSheet(path)
    sheet.read([CUSTOMERS])
    book = openpyxl.load_workbook(path)  # staff sort the customers (C-7 first) and save while the run sends
    customers = book["Khách hàng"]
    values = [[c.value for c in line] for line in customers.iter_rows(min_row=2)]
    for number, line in enumerate(reversed(values), start=2):
        for column, value in enumerate(line, start=1):
            customers.cell(number, column, value)
    book.save(path)
    sheet.write([TabWrite(CUSTOMERS, CUSTOMERS.column("id"), [RowWrite(2, "C-1", {"system_note": "cho C-1"})])])
    (customers_after,) = [openpyxl.load_workbook(path)["Khách hàng"]]
    assert customers_after["A8"].value == "C-1" and customers_after["L8"].value == "cho C-1"
    assert customers_after["L2"].value == "cũ 7"


def test_a_figure_gets_its_format_and_a_second_write_in_a_run_reads_afresh(tmp_path, whole_workbook_forbidden):
    path = workbook(tmp_path / "a.xlsx")
    sheet = XlsxSheet(path)
    sheet.read([CALLS])
    sheet.write([TabWrite(CALLS, CALLS.column("customer_id"),
                          [RowWrite(2, "C-1", {"score": Figure(0.25, "0%")}), RowWrite(2, "C-1", {})])])  # fmt: skip
    cell = openpyxl.load_workbook(path)["Gọi điện"].cell(2, CALLS_HEADER.index(CALLS.column("score").title("vi")) + 1)
    assert (cell.value, cell.number_format) == (0.25, "0%")
    with pytest.raises(AssertionError, match="loaded whole"):  # the file is no longer as read
        sheet.write([TabWrite(CALLS, CALLS.column("customer_id"), [RowWrite(2, "C-1", {"score": 3})])])


def test_libreoffice_reads_the_streamed_workbook(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc")
    path = workbook(tmp_path / "a.xlsx")
    sheet = XlsxSheet(path)
    sheet.read([CUSTOMERS, CALLS])
    sheet.write(changes())
    subprocess.run([soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
                    "false,false,false,-1", "--outdir", str(tmp_path / "out"), str(path)],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    shown = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.csv")}
    customers = next(text for name, text in shown.items() if "Kh" in name)
    calls = next(text for name, text in shown.items() if "G" in name)
    assert '"<b>Lan & Hùng</b> ]]>"' in customers or "<b>Lan & Hùng</b> ]]>" in customers
    assert "=1+1" in customers and "C-6" in calls
