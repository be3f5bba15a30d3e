"""Issue 24: a deployed careloop never needs a terminal to start. Every run adds careloop's own tabs
and columns when they are missing, in its one write (never the Customers tab), and says so."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.helpers.cli import careloop
from tests.helpers.sheets_server import SheetsServer
from tests.helpers.support import HEADER, local_settings, row, write_workbook

TABS = ["Khách hàng", "Ma trận leo thang", "Hồ sơ", "Tổng quan", "Mẫu tin nhắn", "Lịch chăm sóc", "Phiếu quà tặng",
        "Chủ đề", "Gợi ý chủ đề", "Gọi điện", "Tình trạng", "Cài đặt", "Phản hồi"]  # fmt: skip
ESCALATE = ("run", "escalate", "--json", "--now", "2026-11-23T10:00")
FOLLOWUP = ("run", "followup", "--json", "--now", "2026-11-23T09:00")
CUSTOMERS = [row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", "", "23/11/1990"), row("C-2", "Trần Văn Hùng")]


def only_customers(tmp_path):
    return write_workbook(tmp_path / "k.xlsx", HEADER, CUSTOMERS)


@pytest.mark.parametrize("job", [ESCALATE, FOLLOWUP])
def test_a_workbook_with_only_its_customers_gets_every_careloop_tab_on_the_first_run(tmp_path, job):
    path = only_customers(tmp_path)
    result = careloop(*job, cwd=tmp_path, env=local_settings(tmp_path, path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["set_up"] == [f"+ tab '{t}'" for t in TABS[1:]]
    book = openpyxl.load_workbook(path)
    assert [t for t in book.sheetnames if t != "careloop_lists"] == TABS
    assert [c.value for c in book["Ma trận leo thang"][2]][:1] == ["*"]  # the default row, for owners to be filled
    assert book["Mẫu tin nhắn"].max_row > 5 and book["Cài đặt"].max_row == 17
    assert book["Tình trạng"].max_row >= 2  # the run wrote its own row into the tab it made
    again = json.loads(careloop(*job, cwd=tmp_path, env=local_settings(tmp_path, path)).stdout)
    assert "set_up" not in again


def test_a_careloop_column_staff_deleted_comes_back_at_the_end_and_staff_columns_stay(tmp_path):
    path = only_customers(tmp_path)
    settings = local_settings(tmp_path, path)
    careloop(*ESCALATE, cwd=tmp_path, env=settings)
    book = openpyxl.load_workbook(path)
    cases = book["Hồ sơ"]
    cases.delete_cols(14)  # Ghi chú hệ thống
    cases.cell(1, 14, "Ghi chú của tôi")
    book.save(path)
    report = json.loads(careloop(*ESCALATE, cwd=tmp_path, env=settings).stdout)
    assert report["set_up"] == ["+ 'Hồ sơ': Ghi chú hệ thống"]
    header = [c.value for c in openpyxl.load_workbook(path)["Hồ sơ"][1]]
    assert header[13:15] == ["Ghi chú của tôi", "Ghi chú hệ thống"]


def test_a_sheet_without_its_customers_tab_still_cannot_run_and_gets_no_tab(tmp_path):
    path = write_workbook(tmp_path / "k.xlsx", HEADER, CUSTOMERS, title="Khach cu")  # renamed by staff
    for job in (ESCALATE, FOLLOWUP):
        result = careloop(*job, cwd=tmp_path, env=local_settings(tmp_path, path))
        assert result.returncode != 0 and "Khách hàng" in result.stderr + result.stdout
    assert openpyxl.load_workbook(path).sheetnames == ["Khach cu"]


def test_a_complaint_with_no_owner_yet_waits_the_run_goes_on_and_the_mailbox_is_told(tmp_path):
    """Issue 33 (6): a new matrix's blank owners stop only what needs an owner. The run goes on (the
    tabs made, the Health tab written); the complaint waits, nothing lost; with no manager named, the
    business's own mailbox is told, once, what to fill in; once the owners are there, its case opens."""
    from email import message_from_bytes, policy

    flagged = row("C-3", "Lê Văn Tám", "anh", "tam@example.com") + [True, "Chờ quá lâu"]
    path = write_workbook(tmp_path / "k.xlsx", HEADER + ["Leo thang", "Nội dung"], [*CUSTOMERS, flagged])
    env = local_settings(tmp_path, path, sender_email="cskh@luatminhan.vn")
    for _ in range(2):
        result = careloop(*ESCALATE, cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["matrix_waiting"]["complaints"] == 1
    book = openpyxl.load_workbook(path)
    assert "Hồ sơ" in book.sheetnames and "Ma trận leo thang" in str(list(book["Tình trạng"].values))
    told = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in (tmp_path / "outbox").glob("*.eml")]
    told = [m for m in told if "matrix_owners" in str(m["X-Careloop-Key"])]
    assert len(told) == 1 and "cskh@luatminhan.vn" in str(told[0]["To"])
    book["Ma trận leo thang"]["B2"] = "Hà <ha@luat.vn>"
    book.save(path)
    opened = json.loads(careloop(*ESCALATE, cwd=tmp_path, env=env).stdout)
    assert [o["customer_id"] for o in opened["opened"]] == ["C-3"] and "matrix_waiting" not in opened


def test_on_the_sheets_test_server_the_run_stays_one_read_and_one_write_plus_the_structure_request(tmp_path):
    key = "1SetUp_key"
    with SheetsServer() as server:
        server.state.create(key, {"Khách hàng": [list(HEADER), *map(list, CUSTOMERS)]})
        settings = local_settings(tmp_path, f"google:{key}", sheets_api_url=server.url, sheets_credentials="none")
        first = json.loads(careloop(*ESCALATE, "--now", "2026-12-01T15:00", cwd=tmp_path, env=settings).stdout)
        made = [e["kind"] for e in server.state.log]
        themes_made = server.state.rows(key, "Chủ đề")
        server.state.log.clear()
        second = json.loads(careloop(*ESCALATE, "--now", "2026-12-01T15:15", cwd=tmp_path, env=settings).stdout)
        steady = [e["kind"] for e in server.state.log]
        server.state.log.clear()
        hourly = json.loads(careloop(*ESCALATE, "--now", "2026-12-01T16:16", cwd=tmp_path, env=settings).stdout)
        an_hour_on = [e["kind"] for e in server.state.log]
        titles = [grid.title for grid in server.state.book(key).grids]
        pixels = {grid.title: dict(grid.column_pixels) for grid in server.state.book(key).grids}
    assert first["set_up"] and "set_up" not in second and titles == TABS
    # Readable: careloop's tabs get widths that fit (the owner column of Cases wide enough for
    # "Luật sư Tuấn <tuan@luatminhan.vn>"); staff's own columns are never resized.
    assert len(pixels["Hồ sơ"]) == 14 and pixels["Hồ sơ"][6] >= 34 * 7
    assert not set(pixels["Khách hàng"]) & set(range(len(HEADER)))
    assert first["write_back"].get("error") is None and second["write_back"].get("error") is None
    assert made.count("spreadsheets.batchUpdate") == 1  # the tabs made, with this run's cells, in one batch
    assert made[:4] == ["spreadsheets.get", "values.batchGet", "spreadsheets.get", "spreadsheets.batchUpdate"]
    assert "values.batchUpdate" not in made  # their headers and starter rows too: one write (issue 37)
    # read: metadata + values; write: the tabs as they are now, then the values with their formats (the
    # Health tab's dates) in one atomic batch (then the alert looks up whom to tell: no follow-up run has
    # run here, which the escalation run reports)
    # the tabs made carry this run's figures: their starter rows go in before the cells (issue 36's first run)
    assert [r[3] for r in themes_made[1:8]] == [0] * 7
    # nothing new a quarter of an hour later: the Health tab's time alone is not worth a write (issue 37)
    assert steady[:2] == ["spreadsheets.get", "values.batchGet"] and "spreadsheets.batchUpdate" not in steady
    assert "values.batchUpdate" not in steady and second["write_back"]["rows"] == 0
    # an hour on: the Health row's time (and the Dashboard's figures) in one write
    assert an_hour_on[:4] == ["spreadsheets.get", "values.batchGet", "spreadsheets.get", "spreadsheets.batchUpdate"]
    assert "values.batchUpdate" not in an_hour_on and hourly["write_back"].get("error") is None
    assert second["alerts"]["problems"] == ["followup/did_not_run"], (second.get("matrix_waiting"), second["summary"])


def test_a_lost_answer_to_the_request_that_made_the_tabs_makes_them_once(tmp_path):
    from tests.helpers.sheets_server import Fault

    key = "1SetUp_key"
    with SheetsServer() as server:
        server.state.create(key, {"Khách hàng": [list(HEADER), *map(list, CUSTOMERS)]})
        server.state.faults.append(Fault(503, path=f"{key}:batchUpdate", after=True))  # carried out, answer lost
        settings = local_settings(tmp_path, f"google:{key}", sheets_api_url=server.url, sheets_credentials="none")
        report = json.loads(careloop(*ESCALATE, cwd=tmp_path, env=settings).stdout)
        titles = [grid.title for grid in server.state.book(key).grids]
        cases_header = server.state.rows(key, "Hồ sơ")[0]
    assert report["write_back"].get("error") is None and titles == TABS
    assert cases_header[:2] == ["Mã hồ sơ", "Mã KH"]
