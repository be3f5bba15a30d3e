"""`careloop setup-sheet` on Google Sheets (through the test server) and on an .xlsx workbook."""

from __future__ import annotations

import copy

import openpyxl

from functions.adapters.sheets.google import GoogleSheet
from functions.adapters.sheets.google_http import Connection
from functions.adapters.sheets.xlsx import XlsxSheet
from functions.core.sheet_layout import layouts
from tests.helpers.rules import channel_book
from tests.helpers.sheets_server import SheetsServer
from tests.helpers.support import write_workbook
from tests.helpers.words import piece

KEY = "setup-key"


def google(server) -> GoogleSheet:
    return GoogleSheet(Connection(KEY, server.url, "none", sleep=lambda s: None))


def snapshot(server):
    book = server.state.book(KEY)
    return copy.deepcopy((book.grids, book.protected))


def test_a_new_spreadsheet_gets_every_tab_then_a_second_run_changes_nothing():
    with SheetsServer() as server:
        server.state.create(KEY, {"Sheet1": []})
        actions = google(server).prepare(layouts(channel_book(), "vi"), "vi")
        assert "+ tab 'Khách hàng'" in actions and "+ tab 'Ma trận leo thang'" in actions
        book = server.state.book(KEY)
        customers = server.state.rows(KEY, "Khách hàng")
        assert customers[0][:3] == ["Mã KH", "Họ tên", "Xưng hô"] and customers[0][-1] == "Ghi chú hệ thống"
        grid = book.grid("Khách hàng")
        assert grid.frozen_rows == 1
        header = customers[0]
        assert grid.validations[(1, header.index("Từ chối nhận tin"))] == {"condition": {"type": "BOOLEAN"}}
        assert grid.validations[(5, header.index("Leo thang"))]["condition"]["type"] == "BOOLEAN"
        channel_rule = grid.validations[(1, header.index("Kênh"))]["condition"]
        assert channel_rule["type"] == "ONE_OF_LIST" and [v["userEnteredValue"] for v in channel_rule["values"]][
            :4
        ] == [
            "email",
            "sms",
            "zalo",
            "zalo, sms",
        ]
        statuses = book.grid("Hồ sơ").validations[(1, 7)]["condition"]["values"]
        assert [v["userEnteredValue"] for v in statuses] == [
            "Mở",
            piece("metric_in_progress", 0),
            piece("metric_resolved", 0),
        ]
        warned = {p["description"] for p in book.protected if p["warningOnly"]}
        assert "careloop:system:customers:system_note" in warned and "careloop:system:customers:name" not in warned
        assert server.state.rows(KEY, "Ma trận leo thang")[1] == ["*", "", "", "", 4, 24]

        before, log_size = snapshot(server), len(server.state.log)
        assert google(server).prepare(layouts(channel_book(), "vi"), "vi") == []
        assert snapshot(server) == before
        assert [e["method"] for e in server.state.log[log_size:]] == ["GET", "GET", "GET"]  # reads only


def test_an_existing_sheet_gets_what_is_missing_and_nothing_moves():
    with SheetsServer() as server:
        rows = [["Họ tên", "Ghi chú riêng", "Email"], ["Nguyễn Thị Lan", "VIP", "lan@example.com"]]
        server.state.create(
            KEY, {"Khách hàng": rows, "Ma trận leo thang": [["Loại vấn đề", "Phụ trách cấp 1"], ["Hợp đồng", "Hà"]]}
        )
        google(server).prepare(layouts(channel_book(), "vi"), "vi")
        customers = server.state.rows(KEY, "Khách hàng")
        assert customers[0][:3] == ["Họ tên", "Ghi chú riêng", "Email"] and customers[1][:3] == rows[1]
        assert "Mã KH" in customers[0][3:] and "Ghi chú hệ thống" in customers[0]
        matrix = server.state.rows(KEY, "Ma trận leo thang")
        assert matrix[1][:2] == ["Hợp đồng", "Hà"] and len(matrix) == 2  # no '*' row added to a filled matrix
        assert google(server).prepare(layouts(channel_book(), "vi"), "vi") == []


def test_english_headers_when_staff_read_english():
    with SheetsServer() as server:
        server.state.create(KEY, {"Sheet1": []})
        google(server).prepare(layouts(channel_book(), "en"), "en")
        assert server.state.rows(KEY, "Customers")[0][:2] == ["ID", "Name"]
        statuses = server.state.book(KEY).grid("Cases").validations[(1, 7)]["condition"]["values"]
        assert [v["userEnteredValue"] for v in statuses] == ["Open", "In progress", "Resolved"]


def test_xlsx_setup_is_idempotent_and_keeps_data(tmp_path):
    path = write_workbook(tmp_path / "k.xlsx", ["Họ tên", "Ghi chú riêng"], [["Nguyễn Thị Lan", "VIP"]])
    actions = XlsxSheet(path).prepare(layouts(channel_book(), "vi"), "vi")
    assert "+ tab 'Hồ sơ'" in actions
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Khách hàng"]
    assert [c.value for c in sheet[1]][:3] == ["Họ tên", "Ghi chú riêng", "Mã KH"] and sheet["B2"].value == "VIP"
    assert sheet.freeze_panes == "A2"
    assert any('"vi,en"' == v.formula1 for v in sheet.data_validations.dataValidation)
    assert [c.value for c in workbook["Ma trận leo thang"][2]] == ["*", None, None, None, 4, 24]
    before = path.read_bytes()
    assert XlsxSheet(path).prepare(layouts(channel_book(), "vi"), "vi") == []
    assert path.read_bytes() == before


def test_the_messages_tab_starts_with_every_built_in_text_and_a_note_naming_the_placeholders(tmp_path):
    from functions.adapters.templates import Templates
    from functions.core.message_tab import seed_rows

    tabs = layouts(channel_book(), "vi", seed_rows(Templates().builtin_texts, "vi"))
    with SheetsServer() as server:
        server.state.create(KEY, {"Sheet1": []})
        actions = google(server).prepare(tabs, "vi")
        rows = [r for r in server.state.rows(KEY, "Mẫu tin nhắn") if r and r[0]]  # unticked boxes read FALSE below
        assert rows[0] == [
            "Mã mẫu",
            "Loại tin",
            "Ngôn ngữ",
            "Kênh",
            "Tiêu đề",
            "Nội dung",
            "Dùng",
            "Gửi thử",
            "Ghi chú hệ thống",
        ]
        assert len(rows) == 13 and rows[1][:4] == ["birthday/vi/email", "sinh nhật", "vi", "email"]
        assert "+ 'Mẫu tin nhắn': 12 starter row(s)" in actions
        note = server.state.book(KEY).grid("Mẫu tin nhắn").notes[(0, 5)]
        assert "{xung_ho} / {salutation}" in note and "{link_khao_sat} / {survey_link}" in note
        assert server.state.rows(KEY, "Phiếu quà tặng")[0][:3] == ["Mã phiếu", "Mã KH", "Họ tên"]
        assert google(server).prepare(tabs, "vi") == []  # the second run: nothing
    path = write_workbook(tmp_path / "k.xlsx", ["Họ tên"], [])
    XlsxSheet(path).prepare(tabs, "vi")
    sheet = openpyxl.load_workbook(path)["Mẫu tin nhắn"]
    assert sheet.max_row == 13 and "{ma_qua_tang}" in sheet["F1"].comment.text
    assert XlsxSheet(path).prepare(tabs, "vi") == []


def test_setup_sheet_starts_a_new_workbook_and_no_run_leaves_a_lock_or_changes_its_permissions(tmp_path):
    """Issue 21: `setup-sheet --sheet new.xlsx` made nothing and left `new.xlsx.lock`; a run's save
    made the workbook private (0600)."""
    import os
    import stat

    from tests.helpers.cli import careloop
    from tests.helpers.support import local_settings

    env = local_settings(tmp_path, tmp_path / "new.xlsx")
    made = careloop("setup-sheet", "--sheet", "new.xlsx", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    assert "Khách hàng" in openpyxl.load_workbook(tmp_path / "new.xlsx").sheetnames
    os.chmod(tmp_path / "new.xlsx", 0o664)
    workbook = openpyxl.load_workbook(tmp_path / "new.xlsx")
    workbook["Khách hàng"].append(["", "Nguyễn Thị Lan", "chị", "lan@example.com"])
    for column in "BCD":
        workbook["Ma trận leo thang"][f"{column}2"] = "Mai <mai@luat.vn>"
    workbook.save(tmp_path / "new.xlsx")
    for command in (("run", "followup"), ("run", "escalate"), ("setup-sheet",)):
        assert careloop(*command, cwd=tmp_path, env=env).returncode == 0
    assert [p.name for p in tmp_path.iterdir() if "lock" in p.name or p.name.startswith(".careloop-")] == []
    assert stat.S_IMODE(os.stat(tmp_path / "new.xlsx").st_mode) == 0o664


def test_a_workbook_dropdown_whose_choices_hold_commas_lists_each_choice_whole(tmp_path):
    """Issue 21: `zalo, sms` written into one comma-joined list became 13 pieces in LibreOffice."""
    from functions.core.sheet_layout import channel_choices

    path = write_workbook(tmp_path / "k.xlsx", ["Họ tên"], [["Nguyễn Thị Lan"]])
    XlsxSheet(path).prepare(layouts(channel_book(), "vi"), "vi")
    workbook = openpyxl.load_workbook(path)
    (channel,) = [v for v in workbook["Khách hàng"].data_validations.dataValidation if "I2" in str(v.sqref)]
    tab, cells = channel.formula1.split("!")
    first, last = (int(part.split("$")[-1]) for part in cells.split(":"))
    column = cells.split("$")[1]
    lists = workbook[tab.strip("'")]
    assert lists.sheet_state == "hidden"
    assert [lists[f"{column}{n}"].value for n in range(first, last + 1)] == channel_choices(channel_book())
