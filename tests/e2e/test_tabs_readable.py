"""Issue 24: the tabs careloop writes, as staff see them. The demo workbook rendered by LibreOffice
headless, every tab (PDF and PNG pages in test-artifacts/tabs/), and LibreOffice's own text of each
cell as shown: no header or value in careloop's tabs and columns is wider than its column (a wrapped
cell: no word wider), and the Dashboard's figures are numbers the sheet can sum."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl

from functions.core.sheet_schema import CUSTOMERS, find_tab
from tests.e2e.test_dashboard_render import INSTALL
from tests.e2e.test_survey_browser import ARTIFACTS
from tests.helpers.cli import careloop
from tests.helpers.firestore_emulator import missing
from tests.helpers.words import piece

SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"  # as shown, every sheet
DEFAULT_WIDTH = 8.43  # a column no one sized, in characters


def tools() -> tuple[str, str]:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        missing(INSTALL)
    return soffice, pdftoppm


def shown_cells(workbook: Path, folder: Path) -> dict[str, list[list[str]]]:
    """Each tab's cells as LibreOffice shows them (its own number and date formats applied)."""
    soffice, _ = tools()
    subprocess.run([soffice, "--headless", "--convert-to", SHOWN, "--outdir", str(folder), str(workbook)],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    tabs = {}
    for title in openpyxl.load_workbook(workbook, read_only=True).sheetnames:
        path = folder / f"{workbook.stem}-{title}.csv"
        tabs[title] = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    return tabs


def too_wide(workbook: Path, shown: dict[str, list[list[str]]]) -> list[str]:
    """Every header or value of careloop's tabs (and of careloop's columns in the Customers tab)
    wider than its column: a cell that wraps needs only its longest word to fit."""
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(workbook)
    customers = find_tab(CUSTOMERS, book.sheetnames)
    careloop_columns = {c.title_vi for c in CUSTOMERS.columns if c.system}
    found = []
    for title, rows in shown.items():
        if title == "careloop_lists":
            continue
        sheet = book[title]
        header = rows[0] if rows else []
        for column, name in enumerate(header):
            if title == customers and name not in careloop_columns:
                continue  # staff's own columns: theirs to size
            letter = get_column_letter(column + 1)  # (asking openpyxl for a column it lacks would make one)
            width = sheet.column_dimensions[letter].width if letter in sheet.column_dimensions else DEFAULT_WIDTH
            for number, row in enumerate(rows, start=1):
                text = row[column] if column < len(row) else ""
                wraps = sheet.cell(number, column + 1).alignment.wrap_text
                longest = max((len(word) for word in text.split()), default=0) if wraps else len(text)
                if longest > width:
                    found.append(f"{title}!{get_column_letter(column + 1)}{number} {text[:40]!r}: {longest} > {width}")
    return found


def test_every_careloop_tab_of_the_demo_shows_whole_values_and_counts_are_numbers(tmp_path):
    soffice, pdftoppm = tools()
    assert careloop("demo", "--dir", "d", cwd=tmp_path).returncode == 0
    workbook = tmp_path / "d" / "khach-hang.xlsx"
    assert too_wide(workbook, shown_cells(workbook, tmp_path)) == []
    book = openpyxl.load_workbook(workbook)
    figures = {r[0].value: r[1] for r in book["Tổng quan"].iter_rows(min_row=2) if r[0].value}
    assert figures[piece("metric_cases", 0)].data_type == "n" and isinstance(
        figures[piece("metric_cases", 0)].value, int
    )
    assert (
        figures[piece("metric_escalation_rate", 0)].number_format == "0%"
        and 0 <= figures[piece("metric_escalation_rate", 0)].value <= 1
    )
    assert figures[piece("updated_at", 0)].number_format == "dd/mm/yyyy hh:mm"
    opened = book["Hồ sơ"]["I2"]
    assert opened.is_date and opened.number_format == "dd/mm/yyyy hh:mm"  # the sheet sorts and filters by it
    # The render staff see, every tab: a test artifact.
    out = ARTIFACTS / "tabs"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(workbook)],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    subprocess.run([pdftoppm, "-png", "-r", "60", str(out / "khach-hang.pdf"), str(out / "page")],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    assert len(list(out.glob("page*.png"))) >= len(book.sheetnames) - 1


def test_the_check_finds_a_value_cut_by_its_column(tmp_path):
    """The check itself: a Cases tab as careloop left it before issue 24 (no widths) is caught."""
    assert careloop("demo", "--dir", "d", cwd=tmp_path).returncode == 0
    workbook = tmp_path / "d" / "khach-hang.xlsx"
    book = openpyxl.load_workbook(workbook)
    book["Hồ sơ"].column_dimensions.clear()
    book.save(workbook)
    found = too_wide(workbook, shown_cells(workbook, tmp_path))
    assert any(problem.startswith("Hồ sơ!G") for problem in found)  # the owner: "Luật sư T…"
