"""The Google Sheets adapter through real gspread over real HTTP, against the local Sheets API server."""

from __future__ import annotations

from datetime import date

import pytest

from functions.adapters.sheets.google import GoogleSheet
from functions.adapters.sheets.google_http import Connection, SheetError, spreadsheet_key
from functions.core.sheet_schema import CUSTOMERS
from functions.core.tables import RowWrite, TabWrite
from tests.helpers.rules import channel_book
from tests.helpers.sheets_server import Fault, SheetsServer
from tests.helpers.support import CONSENTED, HEADER, local_settings, row
from tests.helpers.words import piece

KEY = "1AbC-sheet_KEY"
ID = CUSTOMERS.column("id")


@pytest.fixture
def server():
    with SheetsServer() as running:
        yield running


def adapter(server, **kw) -> GoogleSheet:
    sleeps = []
    values = dict(api_url=server.url, credentials="none", first_delay=0.01, sleep=sleeps.append)
    values.update(kw)
    sheet = GoogleSheet(Connection(KEY, **values))
    sheet.sleeps = sleeps
    return sheet


def make(server, rows, header=HEADER, title="Khách hàng", **tabs):
    return server.state.create(KEY, {title: [list(header), *map(list, rows)], **tabs})


@pytest.mark.parametrize(
    "location, key",
    [
        ("google:1AbC", "1AbC"),
        ("https://docs.google.com/spreadsheets/d/1AbC-x_Y/edit#gid=0", "1AbC-x_Y"),
        ("https://docs.google.com/spreadsheets/d/1AbC/edit?usp=sharing", "1AbC"),
        ("khach-hang.xlsx", None),
        ("https://example.com/spreadsheets/d/1AbC", None),
        ("google:", None),
    ],
)
def test_spreadsheet_keys(location, key):
    assert spreadsheet_key(location) == key


def test_read_is_two_requests_with_unformatted_values_and_serial_dates(server):
    make(
        server,
        [
            row("C-1", "Nguyễn Thị Lan", email="lan@example.com", phone="0912345678", birthday=date(1990, 11, 23)),
            row("C-2", "Trần Văn Hùng", phone=912345678),
        ],
        **{"Ghi chú": [["x"]]},
    )
    sheet = adapter(server)
    tables = sheet.read([CUSTOMERS])
    table = tables["customers"]
    assert table.title == "Khách hàng" and table.header == HEADER
    assert table.rows[0][4] == "0912345678"  # text keeps its zero
    assert table.rows[0][5] == 33200  # a real date arrives as its serial number
    assert table.rows[1][4] == 912345678
    assert [e["kind"] for e in server.state.log] == ["spreadsheets.get", "values.batchGet"]
    query = server.state.log[1]["query"]
    assert query["valueRenderOption"] == ["UNFORMATTED_VALUE"] and query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


def test_a_missing_tab_is_absent(server):
    server.state.create(KEY, {"Sheet1": [["Họ tên"]]})
    assert adapter(server).read([CUSTOMERS]) == {}


def test_writes_are_raw_text_one_request_and_only_given_cells(server):
    make(server, [row("C-1", "Lan"), row("C-2", "Hùng")])
    sheet = adapter(server)
    sheet.read([CUSTOMERS])
    server.state.log.clear()
    missed = sheet.write(
        [
            TabWrite(
                CUSTOMERS,
                ID,
                [
                    RowWrite(
                        3,
                        "C-2",
                        {"system_note": '=HYPERLINK("http://x","bấm")', "last_contact": "+84 912", "opt_out": True},
                    ),
                ],
            )
        ]
    )
    assert missed == []
    # The Opt out and System note columns are new: one structure request sizes them, once (issue 24), and
    # carries the values too: one write (issue 37), RAW as updateCells' userEnteredValue writes.
    assert [e["kind"] for e in server.state.log] == ["spreadsheets.get", "spreadsheets.batchUpdate"]
    cells = [c for r in server.state.log[1]["body"]["requests"] if "updateCells" in r
             for row in r["updateCells"]["rows"] for c in row["values"]]  # fmt: skip
    assert {"userEnteredValue": {"stringValue": '=HYPERLINK("http://x","bấm")'}} in cells
    rows = server.state.rows(KEY, "Khách hàng")
    header = rows[0]
    assert header == HEADER + ["Liên hệ gần nhất", "Ghi chú hệ thống"]  # careloop's columns, added at the end
    note = rows[2][header.index("Ghi chú hệ thống")]
    assert note == '=HYPERLINK("http://x","bấm")'  # stored as text, not a formula
    grid = server.state.book(KEY).grid("Khách hàng")
    assert all(c.formula is None for c in grid.cells.values())
    assert rows[2][header.index("Từ chối nhận tin")] is True and rows[1][header.index("Liên hệ gần nhất")] == ""


def test_rows_sorted_between_read_and_write_still_get_their_own_results(server):
    make(server, [row("C-1", "Lan"), row("C-2", "Hùng"), row("", "Khoa")])
    sheet = adapter(server)
    sheet.read([CUSTOMERS])
    grid = server.state.book(KEY).grid("Khách hàng")
    # Staff sort by name (Hùng, Khoa, Lan) while the run is sending.
    lan, hung, khoa = ({c: grid.cells.pop((r, c)) for c in range(10) if (r, c) in grid.cells} for r in (1, 2, 3))
    for r, cells in zip((1, 2, 3), (hung, khoa, lan), strict=False):
        for c, cell in cells.items():
            grid.cells[(r, c)] = cell
    missed = sheet.write(
        [TabWrite(CUSTOMERS, ID, [RowWrite(2, "C-1", {"system_note": "cho Lan"}), RowWrite(4, None, {"id": "KH-NEW"})])]
    )
    rows = {r[1]: r for r in server.state.rows(KEY, "Khách hàng")[1:]}
    header = server.state.rows(KEY, "Khách hàng")[0]
    assert rows["Lan"][header.index("Ghi chú hệ thống")] == "cho Lan"
    assert rows["Hùng"][header.index("Ghi chú hệ thống")] == ""
    assert [m.row_id or m.row_number for m in missed] == [4]  # row 4 is Lan's now: Khoa's new ID is not written over it
    assert rows["Khoa"][0] == ""


def test_rows_beyond_the_grid_are_added_first(server):
    book = make(server, [row("C-1")])
    book.grid("Khách hàng").row_count = 2
    sheet = adapter(server)
    sheet.read([CUSTOMERS])
    sheet.write([TabWrite(CUSTOMERS, ID, [RowWrite(3, None, {"id": "C-2", "name": "Hùng"})])])
    assert book.grid("Khách hàng").row_count == 3 and server.state.rows(KEY, "Khách hàng")[2][:2] == ["C-2", "Hùng"]


def test_columns_beyond_the_grid_are_added_first(server):
    book = make(server, [row("C-1")])
    book.grid("Khách hàng").column_count = 10
    sheet = adapter(server)
    sheet.read([CUSTOMERS])
    sheet.write([TabWrite(CUSTOMERS, ID, [RowWrite(2, "C-1", {"system_note": "ok"})])])
    kinds = [e["kind"] for e in server.state.log]
    assert kinds == [
        "spreadsheets.get",
        "values.batchGet",
        "spreadsheets.get",
        "spreadsheets.batchUpdate",  # the grid widened, the column's header and the value: one write
    ]
    assert server.state.rows(KEY, "Khách hàng")[1][10] == "ok"


@pytest.mark.parametrize(
    "fault", [Fault(429), Fault(503), Fault(500), Fault(502, html=True), Fault(408), Fault(429, retry_after="0")]
)
def test_transient_faults_are_retried(server, fault):
    make(server, [row("C-1")])
    server.state.faults.extend([fault, fault])
    sheet = adapter(server)
    assert sheet.read([CUSTOMERS])["customers"].rows[0][0] == "C-1"
    assert len(sheet.sleeps) == 2


def test_retry_after_is_honoured(server):
    make(server, [row("C-1")])
    server.state.faults.append(Fault(429, retry_after="7"))
    sheet = adapter(server, deadline=60)
    sheet.read([CUSTOMERS])
    assert sheet.sleeps == [7.0]


def test_a_slow_reply_times_out_and_is_retried(server):
    make(server, [row("C-1")])
    server.state.faults.append(Fault(200, delay=1.5))
    sheet = adapter(server, request_timeout=0.5)
    assert sheet.read([CUSTOMERS])["customers"].rows[0][0] == "C-1"
    assert len(sheet.sleeps) == 1


def test_quota_exhausted_after_the_deadline_is_a_clear_error(server):
    make(server, [row("C-1")])
    server.state.faults.extend([Fault(429)] * 50)
    sheet = adapter(server, deadline=0.05, first_delay=0.02)
    with pytest.raises(SheetError, match="quota exhausted"):
        sheet.read([CUSTOMERS])


@pytest.mark.parametrize(
    "status, words", [(400, "400"), (401, "check CARELOOP_SHEETS_CREDENTIALS"), (403, "add .* as Editor"),
                      (404, "check the link")]
)  # fmt: skip
def test_other_4xx_are_never_retried(server, status, words):
    make(server, [row("C-1")])
    server.state.faults.append(Fault(status))
    sheet = adapter(server)
    with pytest.raises(SheetError, match=f"{KEY}.*{words}"):
        sheet.read([CUSTOMERS])
    assert sheet.sleeps == [] and len(server.state.log) == 1


def test_a_spreadsheet_that_is_not_there_says_to_check_the_link(server):
    with pytest.raises(SheetError, match="was not found: check the link in the CARELOOP_SHEET setting"):
        adapter(server).read([CUSTOMERS])  # no such spreadsheet on the server


def test_a_server_that_is_down_is_a_clear_error():
    from tests.helpers import free_port

    sheet = GoogleSheet(
        Connection(
            KEY, f"http://127.0.0.1:{free_port()}", "none", deadline=0.05, first_delay=0.01, sleep=lambda s: None
        )
    )
    with pytest.raises(SheetError, match=KEY):
        sheet.read([CUSTOMERS])


def test_request_budget_of_a_follow_up_run_over_10000_customers(server, tmp_path):
    from functions.adapters.stores.sqlite import SqliteStore
    from functions.followup.job import run_followup
    from tests.helpers import NINE_AM
    from tests.helpers.fakes import MemoryChannel
    from tests.helpers.support import deps, many_customers

    rows = many_customers(10_000, birthday_every=50, checkin_every=70)
    rows += [row("", "Khách mới", email="new@example.com"), row("C-BAD", "Sai", email="sai@")]
    make(server, rows, header=HEADER + ["Liên hệ gần nhất", "Ghi chú hệ thống"])
    sheet, channel = adapter(server), MemoryChannel()
    report = run_followup(deps(sheet, SqliteStore(tmp_path / "s.sqlite"), channel), NINE_AM).report
    assert len(report["sent"]) == 200 + 143 and len(channel.delivered) == 343

    reads = [e["kind"] for e in server.state.log if e["method"] == "GET"]
    writes = [e["kind"] for e in server.state.log if e["method"] == "POST"]
    assert reads == ["spreadsheets.get", "values.batchGet", "spreadsheets.get"]  # metadata, all rows, grid + IDs now
    assert writes == ["values.batchUpdate"]
    contact = dict(
        zip(
            (r[0] for r in server.state.rows(KEY, "Khách hàng")[1:]),
            (r[10] for r in server.state.rows(KEY, "Khách hàng")[1:]),
            strict=False,
        )
    )
    assert contact["C-00050"].startswith("23/11/2026") and contact["C-00001"].startswith("23/11/2026")


def _service_account_info():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return {
        "type": "service_account",
        "project_id": "demo-careloop",
        "private_key_id": "1",
        "private_key": pem.decode(),
        "client_email": "careloop@demo-careloop.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def test_service_account_credentials_from_json_text_or_file(tmp_path):
    import json

    info = _service_account_info()
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    for setting in (json.dumps(info), str(path)):
        credentials = GoogleSheet(Connection(KEY, credentials=setting))._credentials
        assert credentials.service_account_email == info["client_email"]
        assert credentials.scopes == ["https://www.googleapis.com/auth/spreadsheets"]


def test_followup_daily_function_on_a_google_sheet(server, tmp_path, monkeypatch):
    from functions_framework import create_app

    from tests.helpers import ROOT

    make(server, [row("C-1", "Nguyễn Thị Lan", email="lan@example.com", birthday="01/01/1990")])
    sheet = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
    for name, value in local_settings(tmp_path, sheet, sheets_api_url=server.url, sheets_credentials="none").items():
        monkeypatch.setenv(name, value)
    response = create_app("followup_daily", str(ROOT / "main.py")).test_client().post("/")
    assert response.status_code == 200 and response.get_json()["summary"]["problems"] == 0
    server.state.faults.extend([Fault(403)])
    refused = create_app("followup_daily", str(ROOT / "main.py")).test_client().post("/")
    assert refused.status_code == 500 and "as Editor" in refused.get_json()["error"]


def test_escalation_on_a_google_sheet_within_the_request_budget(server, tmp_path):
    from datetime import datetime

    from functions.adapters.stores.sqlite import SqliteStore
    from functions.core.sheet_layout import layouts
    from functions.escalate.job import run_escalate
    from tests.helpers import VN
    from tests.helpers.support import escalation_deps

    server.state.create(KEY, {"Sheet1": []})
    sheet = adapter(server)
    sheet.prepare(layouts(channel_book(), "vi"), "vi")  # Customers, matrix (with its '*' row), Cases, Dashboard
    book = server.state.book(KEY)
    customers = book.grid("Khách hàng")
    customers.row_count = 2001
    header = server.state.rows(KEY, "Khách hàng")[0]
    from tests.helpers.sheets_server import Cell

    for r in range(1, 2001):
        values = {"Mã KH": f"C-{r}", "Họ tên": f"Khách {r}", "Email": f"c{r}@example.com"}
        if r % 100 == 0:
            values |= {"Leo thang": True, "Loại vấn đề": "Phí", "Nội dung": "Tôi muốn gặp quản lý"}
        for title, value in values.items():
            customers.cells[(r, header.index(title))] = Cell(value)
    matrix = book.grid("Ma trận leo thang")
    matrix.cells[(1, 1)] = Cell("ha@luat.vn")
    matrix.cells[(1, 3)] = Cell("gd@luat.vn")
    server.state.log.clear()

    fresh = adapter(server)
    report = run_escalate(
        escalation_deps(fresh, SqliteStore(tmp_path / "s.sqlite")), datetime(2026, 11, 23, 9, 0, tzinfo=VN)
    )
    assert len(report["opened"]) == 20 and all(o["tier"] == 3 for o in report["opened"])
    reads = [e["kind"] for e in server.state.log if e["method"] == "GET"]
    writes = [e["kind"] for e in server.state.log if e["method"] != "GET"]
    # Dates and percentages go with their format, and the values with them: one atomic batch (issue 33).
    assert len(reads) <= 3 and writes == ["spreadsheets.batchUpdate"], (reads, writes)
    cases = server.state.rows(KEY, "Hồ sơ")
    assert len(cases) == 21 and cases[1][7] == "Mở"
    dashboard = {r[0]: r[1] for r in server.state.rows(KEY, "Tổng quan")[1:]}
    assert dashboard[piece("metric_cases", 0)] == 20


def test_a_follow_up_run_with_the_messages_and_vouchers_tabs_is_still_one_read_and_one_write(server, tmp_path):
    from functions.adapters.stores.sqlite import SqliteStore
    from functions.adapters.templates import Templates
    from functions.core.message_tab import seed_rows
    from functions.core.sheet_layout import layouts
    from functions.followup.job import run_followup
    from tests.helpers import NINE_AM
    from tests.helpers.fakes import MemoryChannel
    from tests.helpers.sheets_server import Cell
    from tests.helpers.support import deps

    make(server, [row(f"C-{n}", f"Khách Hàng {n}", email=f"c{n}@example.com", birthday="23/11/1990", consent=True)
                  for n in range(5)], header=CONSENTED)  # fmt: skip
    adapter(server).prepare(layouts(channel_book(), "vi", seed_rows(Templates().builtin_texts, "vi")), "vi")
    messages = server.state.book(KEY).grid("Mẫu tin nhắn")
    messages.cells[(1, 5)] = Cell("Chào {ten}, {{7*7}}")  # staff broke the Vietnamese birthday email
    server.state.log.clear()

    store, channel = SqliteStore(tmp_path / "s.sqlite"), MemoryChannel()
    report = run_followup(deps(adapter(server), store, channel, settings={"voucher_value": "giảm 15%"}), NINE_AM).report
    assert len(report["sent"]) == 5 and len(report["vouchers"]["issued"]) == 5
    assert [e["kind"] for e in server.state.log] == [  # the vouchers' dates go as dates: values and formats, one batch
        "spreadsheets.get", "values.batchGet", "spreadsheets.get", "spreadsheets.batchUpdate"]  # fmt: skip
    vouchers = [r for r in server.state.rows(KEY, "Phiếu quà tặng")[1:] if r and r[0]]
    assert sorted(r[0] for r in vouchers) == sorted(report["vouchers"]["issued"])
    note = server.state.rows(KEY, "Mẫu tin nhắn")[1][8]  # after Gửi thử (issue 24)
    assert note.startswith("Không dùng được") and "{{7*7}}" in note
    # The broken text is not used (not "49" alone: a signed link in the text may hold those digits).
    assert all("Chào Khách" not in m.text and "Nhân ngày sinh nhật" in m.text for m in channel.delivered)


def test_the_call_list_on_google_dials_when_tapped(server, tmp_path):
    from datetime import timedelta

    from functions.adapters.stores.sqlite import SqliteStore
    from functions.core.sheet_layout import layouts
    from functions.followup.job import run_followup
    from tests.helpers import NINE_AM
    from tests.helpers.support import deps

    purchase = f"{NINE_AM.date() - timedelta(days=7):%d/%m/%Y}"
    make(server, [row("KH-1", "Nguyễn Thị Lan", email="", phone="0912345601", purchase=purchase, channel="gọi điện")])
    adapter(server).prepare(layouts(channel_book(), "vi"), "vi")
    server.state.log.clear()
    report = run_followup(deps(adapter(server), SqliteStore(tmp_path / "s.sqlite")), NINE_AM).report
    assert report["calls"]["listed"] == ["KH-1"]
    grid = server.state.book(KEY).grid("Gọi điện")
    header = server.state.rows(KEY, "Gọi điện")[0]
    at = (1, header.index("Số điện thoại"))
    phone = grid.cells[at]
    # Issue 21 (9): Google's HYPERLINK links no tel:, so the phone links to careloop's own https
    # address, which answers with a redirect to tel: (the phone opens its dialer).
    assert phone.value == "+84912345601" and phone.formula.startswith('=HYPERLINK("https://care.example.vn/c/')
    dial = grid.links[at]
    store = SqliteStore(tmp_path / "s.sqlite")
    from functions.adapters.templates import Templates
    from functions.core.links import Links
    from functions.survey.page import SurveyDeps, handle_survey

    pages = SurveyDeps(
        store.surveys, Links("https://care.example.vn", "test-secret"), Templates(), "Gara", lambda: NINE_AM
    )
    body, status, headers = handle_survey("GET", dial.removeprefix("https://care.example.vn"), {}, {}, pages)
    assert (status, headers["Location"]) == (302, "tel:+84912345601") and "tel:+84912345601" in body
    assert handle_survey("GET", "/c/" + "a" * 16, {}, {}, pages)[1] == 404  # an unknown code, as for surveys
    assert handle_survey("POST", dial.removeprefix("https://care.example.vn"), {}, {}, pages)[1] == 405
    kinds = [e["kind"] for e in server.state.log]  # the link (and the values with it): one batch
    assert kinds == ["spreadsheets.get", "values.batchGet", "spreadsheets.get", "spreadsheets.batchUpdate"]
