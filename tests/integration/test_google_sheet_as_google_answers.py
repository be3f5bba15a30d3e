"""The Google Sheets path against answers shaped like the real API's: unticked checkboxes read FALSE,
ranges outside the grid are a 400, batches are atomic, errors carry `status` and `details[].reason`,
and staff sort, insert and delete rows while careloop backs off."""

from __future__ import annotations

import re

import pytest

from functions.adapters.sheets.google import GoogleSheet
from functions.adapters.sheets.google_http import Connection, SheetError
from functions.core.sheet_layout import chart_tabs, layouts
from functions.core.sheet_schema import CASES, CUSTOMERS
from functions.core.tables import RowWrite, customers_tab_write
from functions.escalate.job import run_escalate
from functions.followup.job import run_followup
from tests.helpers import NINE_AM
from tests.helpers.fakes import MemoryChannel
from tests.helpers.memory_store import MemoryStore
from tests.helpers.rules import channel_book
from tests.helpers.sheets_server import (
    ACTIVATION,
    PROJECT_NUMBER,
    Fault,
    SheetsServer,
    delete_trailing_rows,
    insert_row,
    sort_rows,
)
from tests.helpers.support import CASES_HEADER, FRIDAY_4PM, MATRIX_HEADER, deps, escalation_deps

KEY = "sheet-as-google-answers"
HEADER = ["Mã KH", "Họ tên", "Email", "Ngày sinh", "Ngày mua", "Từ chối nhận tin", "Leo thang", "Loại vấn đề",
          "Nội dung", "Ghi chú hệ thống"]  # fmt: skip
OWNERS = ["*", "Hà <ha@luat.vn>", "Tuấn <tuan@luat.vn>", "Giám đốc <gd@luat.vn>", 4, 24]


class FakeClock:
    """Time that passes only when the client sleeps, so a minute of back-off takes no time."""

    def __init__(self) -> None:
        self.now, self.sleeps = 1000.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def server():
    with SheetsServer() as running:
        yield running


def customer(id, name, email, birthday="", purchase="", escalate="", category="", issue=""):
    return [id, name, email, birthday, purchase, "", escalate, category, issue, ""]


def sheet(server, clock: FakeClock | None = None, **kw) -> GoogleSheet:
    clock = clock or FakeClock()
    options = {"first_delay": 0.01, "sleep": clock.sleep, "clock": clock, **kw}
    return GoogleSheet(Connection(KEY, server.url, "none", **options), chart_tabs(channel_book()))


def book(server, customers, cases_rows=None):
    return server.state.create(KEY, {
        "Khách hàng": [HEADER, *customers],
        "Ma trận leo thang": [MATRIX_HEADER, OWNERS],
        "Hồ sơ": [CASES_HEADER, *(cases_rows or [])],
        "Tổng quan": [["Chỉ số", "Giá trị", "Kỳ"]],
    })  # fmt: skip


def written_rows(server, title="Khách hàng") -> set[int]:
    """The sheet rows every values:batchUpdate of the run wrote into, in one tab."""
    rows = set()
    for entry in server.state.log:
        if entry["kind"] == "values.batchUpdate":
            for item in entry["body"]["data"]:
                tab, _, cell = item["range"].rpartition("!")
                if tab.strip("'") == title:
                    rows.add(int("".join(ch for ch in cell if ch.isdigit())))
    return rows


def tab(server, title="Khách hàng") -> list[dict]:
    rows = server.state.rows(KEY, title)
    return [dict(zip(rows[0], r + [""] * (len(rows[0]) - len(r)), strict=False)) for r in rows[1:]]


# ---- 1. unticked checkboxes are no customers ---------------------------------------------------


def test_a_thousand_rows_of_unticked_checkboxes_are_blank_to_both_jobs(server):
    book(server, [customer("C-1", "Nguyễn Thị Lan", "lan@example.com", birthday="23/11/1990"),
                  customer("", "Trần Văn Hùng", "hung@example.com", escalate=True, category="Phí", issue="Sai hóa đơn"),
                  customer("C-3", "Lê Văn Tám", "tam@example.com")])  # fmt: skip
    google = sheet(server)
    google.prepare(layouts(channel_book(), "vi"), "vi")  # checkboxes on rows 2–1000 of Opt out and Escalate
    grid = server.state.books[KEY].grid("Khách hàng")
    assert grid.is_checkbox(999, HEADER.index("Leo thang"))
    grid.cells.pop((300, HEADER.index("Leo thang")), None)  # a box staff ticked and unticked reads FALSE too
    assert len(google.read([CUSTOMERS])["customers"].rows) == 999  # FALSE down to row 1000, as Google sends

    server.state.log.clear()
    report = run_followup(deps(google, MemoryStore(), MemoryChannel()), NINE_AM).report
    assert report["problems"] == [] and report["summary"]["sent"] == 1
    assert written_rows(server) <= {2, 3, 4}

    server.state.log.clear()
    escalation = run_escalate(escalation_deps(google, MemoryStore()), FRIDAY_4PM)
    assert escalation["problems"] == [] and len(escalation["opened"]) == 1
    assert written_rows(server) <= {2, 3, 4}
    assert [r["Mã hồ sơ"] for r in tab(server, "Hồ sơ")] == [escalation["opened"][0]["case_id"]]


# ---- 4 and 7. the grid's own size, never a range outside it ------------------------------------


def test_tabs_trimmed_to_their_header_row_work_for_every_job_and_for_setup(server):
    book(server, [customer("C-1", "Nguyễn Thị Lan", "lan@example.com", escalate=True, issue="Tôi sẽ khởi kiện")])
    for title in ("Hồ sơ", "Tổng quan"):
        server.state.books[KEY].grid(title).row_count = 1
    google = sheet(server)
    escalation = run_escalate(escalation_deps(google, MemoryStore()), FRIDAY_4PM)
    assert escalation["write_back"].get("error") is None and len(tab(server, "Hồ sơ")) == 1
    followup = run_followup(deps(google, MemoryStore(), MemoryChannel()), NINE_AM).report
    assert followup["write_back"].get("error") is None
    server.state.books[KEY].grid("Hồ sơ").row_count = 1
    server.state.books[KEY].grid("Hồ sơ").cells = {k: v for k, v in server.state.books[KEY].grid("Hồ sơ").cells.items()
                                                    if k[0] == 0}  # fmt: skip
    assert google.prepare(layouts(channel_book(), "vi"), "vi")  # grows the tab, then adds its dropdowns
    assert server.state.books[KEY].grid("Hồ sơ").row_count == 1000


def test_rows_deleted_at_the_bottom_during_a_back_off_are_grown_back_before_the_append(server):
    book(server, [customer("C-1", "Nguyễn Thị Lan", "lan@example.com", escalate=True, issue="Chờ lâu")])
    google = sheet(server)
    server.state.faults.append(Fault(503, path="values:batchUpdate", mutate=delete_trailing_rows("Hồ sơ", keep=1)))
    report = run_escalate(escalation_deps(google, MemoryStore()), FRIDAY_4PM)
    assert report["write_back"].get("error") is None
    assert [r["Mã KH"] for r in tab(server, "Hồ sơ")] == ["C-1"]


# ---- 2 and 3. writes decided again after a back-off, rows found by ID or by name ---------------


def test_a_sort_during_a_503_back_off_still_puts_every_note_on_its_own_row(server):
    names = ["An", "Bình", "Cúc", "Dũng"]
    book(server, [customer(f"C-{i}", name, f"c{i}@example.com") for i, name in enumerate(names, start=1)])
    google = sheet(server)
    google.read([CUSTOMERS])
    server.state.faults.append(Fault(503, path="values:batchUpdate", mutate=sort_rows("Khách hàng", column=1)))
    writes = [RowWrite(i + 1, f"C-{i}", {"system_note": f"note for {name}"}) for i, name in enumerate(names, start=1)]
    assert google.write([customers_tab_write(writes, "vi")]) == []
    assert [(r["Họ tên"], r["Ghi chú hệ thống"]) for r in tab(server)] == [
        (name, f"note for {name}") for name in reversed(names)
    ]


def test_a_row_inserted_above_a_customer_without_an_id_never_takes_their_id_or_note(server):
    book(server, [customer("C-1", "An", "an@example.com"), customer("", "Bình mới", "binh@example.com")])
    google = sheet(server)
    google.read([CUSTOMERS])
    server.state.faults.append(Fault(503, path="values:batchUpdate", mutate=insert_row("Khách hàng", before=2)))
    write = RowWrite(3, None, {"id": "KH-NEW", "system_note": "hello"}, name="Bình mới")
    assert google.write([customers_tab_write([write], "vi")]) == []
    rows = server.state.rows(KEY, "Khách hàng")
    assert rows[2][:2] == [] or not any(rows[2])  # the inserted blank row stays blank
    assert rows[3][:2] == ["KH-NEW", "Bình mới"] and rows[3][-1] == "hello"


def test_a_row_without_an_id_that_is_gone_is_reported_missed_not_written_elsewhere(server):
    book(server, [customer("", "Bình", "binh@example.com"), customer("", "Cúc", "cuc@example.com")])
    google = sheet(server)
    google.read([CUSTOMERS])
    grid = server.state.books[KEY].grid("Khách hàng")
    grid.cells = {(r - 1 if r > 1 else r, c): v for (r, c), v in grid.cells.items() if r != 1}  # Bình deleted
    write = RowWrite(2, None, {"id": "KH-B", "system_note": "x"}, name="Bình")
    assert google.write([customers_tab_write([write], "vi")]) == [write]
    assert server.state.rows(KEY, "Khách hàng")[1][0] == ""  # Cúc's row did not get Bình's ID


# ---- 8. structural changes are re-planned, not re-sent -------------------------------------------


def test_a_lost_answer_to_add_sheet_is_not_an_already_exists_error(server):
    server.state.create(KEY, {"Khách hàng": [HEADER]})
    server.state.faults.append(Fault(503, path=f"{KEY}:batchUpdate", after=True))  # carried out, answer lost
    google = sheet(server)
    actions = google.prepare(layouts(channel_book(), "vi"), "vi")
    titles = [g.title for g in server.state.books[KEY].grids]
    assert sorted(titles) == sorted(
        [
            "Khách hàng",
            "Ma trận leo thang",
            "Hồ sơ",
            "Tổng quan",
            "Mẫu tin nhắn",
            "Lịch chăm sóc",
            "Phiếu quà tặng",
            "Chủ đề",
            "Gợi ý chủ đề",
            "Gọi điện",
            "Tình trạng",
            "Cài đặt",
            "Phản hồi",
        ]
    )
    assert actions  # the second plan still added what the first one did not (values, rules)


def test_a_lost_answer_to_append_dimension_grows_the_grid_once(server):
    book(server, [customer("C-1", "An", "an@example.com")])
    server.state.books[KEY].grid("Khách hàng").column_count = len(HEADER)
    google = sheet(server)
    google.read([CUSTOMERS])
    server.state.faults.append(Fault(503, path=f"{KEY}:batchUpdate", after=True))
    google.write([customers_tab_write([RowWrite(2, "C-1", {"csat": 5})], "vi")])
    assert server.state.books[KEY].grid("Khách hàng").column_count == len(HEADER) + 1
    assert server.state.rows(KEY, "Khách hàng")[1][len(HEADER)] == 5


# ---- 5. errors as Google words them, and what staff should do -----------------------------------


@pytest.mark.parametrize(
    "variant, words",
    [
        ("SERVICE_DISABLED", f"not enabled in Google Cloud project {PROJECT_NUMBER}: open {re.escape(ACTIVATION)}"),
        ("PERMISSION_DENIED", "is not shared with the service account: press Share"),
        ("NOT_FOUND", "was not found: check the link"),
        ("FAILED_PRECONDITION", "is an Excel file .* File → Save as Google Sheets"),
        ("UNAUTHENTICATED", "did not accept the credentials"),
        ("ACCESS_TOKEN_SCOPE_INSUFFICIENT", "lack the Google Sheets scope.*--scopes="),  # issue 21 (10)
        ("CONSUMER_SUSPENDED", f"suspended Google Cloud project {PROJECT_NUMBER}.*will not help"),
    ],
)
def test_each_error_says_what_to_do_and_names_the_spreadsheet(server, variant, words):
    book(server, [customer("C-1", "An", "an@example.com")])
    server.state.faults.append(Fault(variant=variant))
    with pytest.raises(SheetError, match=f"{KEY}") as error:
        sheet(server).read([CUSTOMERS])
    assert any(re.search(words, part) for part in str(error.value).split(" / "))
    assert variant == "PERMISSION_DENIED" or "press Share" not in str(error.value)


def test_a_spent_per_minute_quota_is_tried_again_in_the_next_minute_and_the_message_tells_the_time(server):
    book(server, [customer("C-1", "An", "an@example.com")])
    server.state.faults.extend([Fault(variant="RESOURCE_EXHAUSTED")] * 200)
    clock = FakeClock()
    # Backing off 1, 2, 4, 8, 16 s tries last at 31 s, and 32 s more would pass the deadline: one more
    # try is made at 61 s instead, when the minute's quota has refilled.
    with pytest.raises(SheetError, match=r"quota exhausted for .* after 61 s of retries"):
        sheet(server, clock, deadline=62, first_delay=1, jitter=lambda ceiling: ceiling).read([CUSTOMERS])
    assert clock.sleeps == [1, 2, 4, 8, 16, 30]


def test_a_quota_that_refills_within_the_minute_is_waited_for(server):
    book(server, [customer("C-1", "An", "an@example.com")])
    server.state.faults.extend([Fault(variant="RESOURCE_EXHAUSTED")] * 7)  # about a minute of refusals
    clock = FakeClock()
    assert sheet(server, clock).read([CUSTOMERS])["customers"].rows[0][0] == "C-1"


def test_a_retry_after_past_the_deadline_gives_up_at_once_and_says_so_truly(server):
    book(server, [customer("C-1", "An", "an@example.com")])
    server.state.faults.append(Fault(variant="RESOURCE_EXHAUSTED", retry_after="600"))
    clock = FakeClock()
    with pytest.raises(SheetError, match="after 0 s of retries"):
        sheet(server, clock, deadline=30).read([CUSTOMERS])
    assert clock.sleeps == []


# ---- the test server holds to Google's rules ----------------------------------------------------


def test_the_server_applies_a_values_batch_update_all_or_nothing(server):
    book(server, [customer("C-1", "An", "an@example.com")])
    http = sheet(server)._http
    from gspread.exceptions import APIError

    with pytest.raises(APIError, match="exceeds grid limits"):
        http.values_batch_update(KEY, {"valueInputOption": "RAW", "data": [
            {"range": "'Khách hàng'!J2", "values": [["written?"]]},
            {"range": "'Khách hàng'!A5000", "values": [["outside"]]},
        ]})  # fmt: skip
    assert server.state.rows(KEY, "Khách hàng")[1][-1] == ""


def test_the_server_refuses_a_range_that_starts_below_the_grid(server):
    book(server, [])
    server.state.books[KEY].grid("Hồ sơ").row_count = 1
    from gspread.exceptions import APIError

    with pytest.raises(APIError, match="exceeds grid limits"):
        sheet(server)._http.values_batch_get(KEY, ["'Hồ sơ'!A2:A"])
    assert CASES.title("vi") == "Hồ sơ"


@pytest.mark.parametrize(
    "method, path, query, body, words",
    [
        ("POST", "/values:batchUpdate", {}, {"valueInputOption": "RAWISH", "data": []}, "RAWISH"),
        (
            "POST",
            "/values:batchUpdate",
            {},
            {"valueInputOption": "RAW", "data": [{"rang": "A1"}]},
            'Unknown name "rang"',
        ),
        ("POST", ":batchUpdate", {}, {"requests": [{"appendDimension": {"sheetId": "0"}}]}, "TYPE_INT32"),
        ("GET", "/values:batchGet", {"ranges": "A1", "valueRender": "x"}, None, 'Unknown name "valueRender"'),
        ("GET", "/values:batchGet", {"ranges": "A1", "majorDimension": "DIAGONAL"}, None, "DIAGONAL"),
        ("GET", "", {"includeGridData": "yes"}, None, "TYPE_BOOL"),
    ],
)
def test_the_server_refuses_what_the_discovery_document_does_not_allow(server, method, path, query, body, words):
    import requests

    book(server, [])
    url = f"{server.url}/v4/spreadsheets/{KEY}{path}"
    answer = requests.request(method, url, params=query, json=body, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert words in answer.json()["error"]["message"]


def test_every_request_of_a_whole_run_is_one_the_discovery_document_allows(server):
    book(server, [customer("C-1", "An", "an@example.com", birthday="23/11/1990", escalate=True, issue="Chờ lâu")])
    google = sheet(server)
    google.prepare(layouts(channel_book(), "vi"), "vi")
    run_followup(deps(google, MemoryStore(), MemoryChannel()), NINE_AM)
    run_escalate(escalation_deps(google, MemoryStore()), FRIDAY_4PM)
    assert {e["kind"] for e in server.state.log} >= {"spreadsheets.get", "values.batchGet", "values.batchUpdate",
                                                     "spreadsheets.batchUpdate"}  # fmt: skip
    assert [e["refused"] for e in server.state.log if e["refused"]] == []


def test_the_server_applies_a_spreadsheets_batch_update_all_or_nothing(server):
    book(server, [])
    from gspread.exceptions import APIError

    grid = server.state.books[KEY].grid("Khách hàng")
    rows_before = grid.row_count
    with pytest.raises(APIError, match="already exists"):
        sheet(server)._http.batch_update(KEY, {"requests": [
            {"appendDimension": {"sheetId": grid.sheet_id, "dimension": "ROWS", "length": 5}},
            {"addSheet": {"properties": {"title": "Hồ sơ"}}},  # there is one already
        ]})  # fmt: skip
    assert server.state.books[KEY].grid("Khách hàng").row_count == rows_before


def test_the_server_refuses_to_freeze_every_row_and_anything_outside_the_grid(server):
    """As Google answers: 'You can't freeze all visible rows on the sheet', and every range, anchor
    and dimension checked against the grid as it stands at that point of the batch."""
    from gspread.exceptions import APIError

    book(server, [])
    grid = server.state.books[KEY].grid("Tổng quan")
    grid.row_count = 1
    http = sheet(server)._http
    freeze = {"updateSheetProperties": {"properties": {"sheetId": grid.sheet_id, "gridProperties": {
        "frozenRowCount": 1}}, "fields": "gridProperties.frozenRowCount"}}  # fmt: skip
    grow = {"appendDimension": {"sheetId": grid.sheet_id, "dimension": "ROWS", "length": 29}}
    with pytest.raises(APIError, match=r"requests\[0\].updateSheetProperties: You can't freeze all visible rows"):
        http.batch_update(KEY, {"requests": [freeze, grow]})
    http.batch_update(KEY, {"requests": [grow, freeze]})  # grown first: fine
    anchor = {"sheetId": grid.sheet_id, "rowIndex": 30, "columnIndex": 0}
    chart = {"addChart": {"chart": {"spec": {"basicChart": {"chartType": "LINE", "domains": [{"domain": {
        "sourceRange": {"sources": [{"sheetId": grid.sheet_id, "startRowIndex": 0, "endRowIndex": 2,
                                     "startColumnIndex": 0, "endColumnIndex": 1}]}}}], "series": []}},
        "position": {"overlayPosition": {"anchorCell": anchor}}}}}  # fmt: skip
    with pytest.raises(APIError, match=r"requests\[0\].addChart: The anchor cell"):
        http.batch_update(KEY, {"requests": [chart]})
    outside = {"sheetId": grid.sheet_id, "startRowIndex": 1, "endRowIndex": 100, "startColumnIndex": 0,
               "endColumnIndex": 1}  # fmt: skip
    for request in (
        {"repeatCell": {"range": outside, "cell": {"userEnteredFormat": {}}, "fields": "userEnteredFormat"}},
        {"setDataValidation": {"range": outside, "rule": {"condition": {"type": "BOOLEAN"}}}},
        {"addProtectedRange": {"protectedRange": {"range": outside, "warningOnly": True}}},
        {"updateDimensionProperties": {"range": {"sheetId": grid.sheet_id, "dimension": "COLUMNS", "startIndex": 0,
                                                 "endIndex": 27}, "properties": {"pixelSize": 90},
                                       "fields": "pixelSize"}},
    ):  # fmt: skip
        with pytest.raises(APIError, match=r"requests\[1\]"):
            http.batch_update(KEY, {"requests": [grow, request]})
    assert server.state.books[KEY].grid("Tổng quan").row_count == 30  # each of those batches was refused whole


def test_setup_grows_a_one_row_tab_before_it_freezes_its_header(server):
    """Issue 21 (7): a tab trimmed to its header with nothing frozen."""
    book(server, [])
    for title in ("Hồ sơ", "Tổng quan", "Khách hàng"):
        grid = server.state.books[KEY].grid(title)
        grid.row_count, grid.frozen_rows = 1, 0
    google = sheet(server)
    assert google.prepare(layouts(channel_book(), "vi"), "vi")
    for title in ("Hồ sơ", "Tổng quan"):
        assert server.state.books[KEY].grid(title).frozen_rows == 1
    assert [e["refused"] for e in server.state.log if e["refused"]] == []


def test_charts_on_a_short_dashboard_are_anchored_inside_its_grid(server):
    """Issue 21 (8): the Dashboard cut to 28 rows, its charts missing: the write grows the grid first."""
    book(server, [customer("C-1", "Nguyễn Thị Lan", "lan@example.com", escalate=True, issue="Tôi sẽ khởi kiện")])
    google = sheet(server)
    google.prepare(layouts(channel_book(), "vi"), "vi")
    dashboard = server.state.books[KEY].grid("Tổng quan")
    dashboard.row_count, dashboard.charts = 28, []
    dashboard.cells = {k: v for k, v in dashboard.cells.items() if k[0] < 28}
    report = run_escalate(escalation_deps(google, MemoryStore()), FRIDAY_4PM)
    assert report["write_back"].get("error") is None, report["write_back"]
    assert len(dashboard.charts) == 5 and [e["refused"] for e in server.state.log if e["refused"]] == []
    anchors = [c["position"]["overlayPosition"]["anchorCell"]["rowIndex"] for c in dashboard.charts]
    assert max(anchors) < dashboard.row_count


def test_the_server_links_only_what_googles_hyperlink_links(server):
    """HYPERLINK makes a link only for http(s), mailto, ftp, aim, gopher, telnet and news."""
    book(server, [])
    grid = server.state.books[KEY].grid("Khách hàng")

    def cell(column: int, formula: str) -> dict:
        return {"updateCells": {"start": {"sheetId": grid.sheet_id, "rowIndex": 1, "columnIndex": column},
                                "rows": [{"values": [{"userEnteredValue": {"formulaValue": formula}}]}],
                                "fields": "userEnteredValue"}}  # fmt: skip

    sheet(server)._http.batch_update(KEY, {"requests": [
        cell(0, '=HYPERLINK("tel:+84912345601";"+84912345601")'),
        cell(1, '=HYPERLINK("https://care.example.vn/c/abc";"+84912345601")')]})  # fmt: skip
    grid = server.state.books[KEY].grid("Khách hàng")
    assert grid.cells[(1, 0)].value == grid.cells[(1, 1)].value == "+84912345601"
    assert grid.links == {(1, 1): "https://care.example.vn/c/abc"}


def test_setup_colours_the_health_results_once_and_google_checks_the_rules(server):
    """Issue 23: the Health tab's Result column coloured by conditional formats (one TEXT_EQ rule a
    result, in both languages); a second setup adds none. The server refuses what Google refuses."""
    from functions.core.sheet_layout import health_colours
    from tests.helpers.sheets_server import ApiError, _add_conditional_format_rule

    server.state.create(KEY, {"Khách hàng": [HEADER]})
    google = sheet(server)
    assert any("Kết quả coloured" in a for a in google.prepare(layouts(channel_book(), "vi"), "vi"))
    grid = server.state.books[KEY].grid("Tình trạng")
    texts = [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in grid.conditional]
    assert sorted(texts) == sorted(health_colours()) and {
        r["ranges"][0]["startColumnIndex"] for r in grid.conditional
    } == {2}
    assert not any("coloured" in a for a in google.prepare(layouts(channel_book(), "vi"), "vi"))
    book = server.state.books[KEY]
    two_values = {"ranges": [{"sheetId": grid.sheet_id}], "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [
        {"userEnteredValue": "a"}, {"userEnteredValue": "b"}]}, "format": {}}}  # fmt: skip
    with pytest.raises(ApiError, match="exactly one ConditionValue"):
        _add_conditional_format_rule(book, {"rule": two_values})
