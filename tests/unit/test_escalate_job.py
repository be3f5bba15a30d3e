"""The escalation job on in-memory fakes of the sheet, the store and the channel."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from functions.core.cases import IN_PROGRESS, OPEN, RESOLVED
from functions.core.tables import same_cell
from functions.escalate.job import run_escalate
from tests.helpers import VN
from tests.helpers.fakes import MemoryChannel, MemorySheet
from tests.helpers.memory_store import MemoryStore
from tests.helpers.support import FRIDAY_4PM
from tests.helpers.support import escalation_book as book
from tests.helpers.support import escalation_deps as deps
from tests.helpers.words import piece


def tab(sheet, title):
    table = sheet.tables[title]
    return [dict(zip(table.header, r + [None] * (len(table.header) - len(r)), strict=False)) for r in table.rows]


@pytest.fixture
def store():
    return MemoryStore()


COMPLAINTS = [
    ["C-1", "Nguyễn Thị Lan", "lan.kh@example.com", True, "Hợp đồng", "Tôi sẽ khởi kiện nếu không trả lời", "", ""],
    ["C-2", "Trần Văn Hùng", "hung@example.com", "x", "Phí", "Hóa đơn bị tính sai", "", ""],
    ["C-3", "Lê Văn Tám", "tam@example.com", "", "Phí", "Không đánh dấu: không có hồ sơ", "", ""],
    ["C-4", "Phạm Thu Hà", "ha.kh@example.com", True, "", "Chờ quá lâu", "Cao", ""],
]


def test_ticked_rows_become_cases_with_tier_owner_and_business_deadlines(store):
    sheet, channel = book(COMPLAINTS), MemoryChannel()
    report = run_escalate(deps(sheet, store, channel), FRIDAY_4PM)
    opened = {c["customer_id"]: c for c in report["opened"]}
    assert set(opened) == {"C-1", "C-2", "C-4"}
    assert (opened["C-1"]["tier"], opened["C-1"]["owner"]) == (3, "Giám đốc <gd@luat.vn>")  # triage: "khởi kiện"
    assert opened["C-1"]["first_response_due"] == "2026-11-21T08:30:00+07:00"  # 2 business hours from Fri 16:00
    assert (opened["C-2"]["tier"], opened["C-2"]["owner"]) == (1, "Hà <ha@luat.vn>")  # unknown category: the '*' row
    assert opened["C-2"]["first_response_due"] == "2026-11-21T10:30:00+07:00"  # 4 h: Fri 16:00 → Sat 10:30
    assert opened["C-4"]["tier"] == 3  # the Severity column
    ids = {r["Mã KH"]: r["Mã hồ sơ"] for r in tab(sheet, "Khách hàng")}
    assert ids["C-1"].startswith("HS-") and not ids["C-3"]
    cases = {r["Mã hồ sơ"]: r for r in tab(sheet, "Hồ sơ")}
    assert cases[ids["C-1"]]["Trạng thái"] == "Mở"
    assert same_cell(cases[ids["C-1"]]["Hạn phản hồi"], datetime(2026, 11, 21, 8, 30))  # a date the sheet can sort
    # One email an owner a run: the director's two new cases come together, Hà's one alone.
    assert sorted(m.to for m in channel.delivered) == ["gd@luat.vn", "ha@luat.vn"]
    digest = next(m for m in channel.delivered if m.to == "gd@luat.vn")
    assert digest.subject.startswith("[2 hồ sơ cần anh/chị xử lý]")
    assert ids["C-1"] in digest.text and opened["C-4"]["case_id"] in digest.text
    assert len(report["notified"]) == 3  # each case's notice is recorded, under its own key
    assert {store.ledger.entry(n["key"]).state for n in report["notified"]} == {"sent"}
    assert all("List-Unsubscribe" not in m.unsubscribe_url for m in channel.delivered)
    dashboard = {r["Chỉ số"]: r["Giá trị"] for r in tab(sheet, "Tổng quan")}
    assert (
        dashboard[piece("metric_cases", 0)] == 3
        and dashboard["Đang mở"] == 3
        and dashboard[piece("metric_escalation_rate", 0)] == 0
    )


def test_a_second_run_opens_nothing_and_notifies_no_one_again(store):
    sheet, channel = book(COMPLAINTS), MemoryChannel()
    run_escalate(deps(sheet, store, channel), FRIDAY_4PM)
    again = run_escalate(deps(sheet, store, channel), FRIDAY_4PM + timedelta(minutes=15))
    assert again["opened"] == [] and again["notified"] == [] and len(channel.delivered) == 2
    assert len(tab(sheet, "Hồ sơ")) == 3


def test_a_crash_before_the_case_id_is_written_back_never_makes_a_second_case(store):
    class CrashOnWrite(MemorySheet):
        def write(self, changes):
            raise KeyboardInterrupt("crash")

    sheet = book(COMPLAINTS[:1])
    with pytest.raises(KeyboardInterrupt):
        run_escalate(deps(CrashOnWrite(sheet.tables), store), FRIDAY_4PM)
    assert len(store.cases.cases()) == 1 and tab(sheet, "Khách hàng")[0]["Mã hồ sơ"] == ""
    report = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=15))
    assert report["opened"] == [] and len(store.cases.cases()) == 1
    assert tab(sheet, "Khách hàng")[0]["Mã hồ sơ"] == store.cases.cases()[0].case_id
    assert len(tab(sheet, "Hồ sơ")) == 1


def test_overlapping_runs_open_one_case(store):
    first, second = book(COMPLAINTS[:1]), book(COMPLAINTS[:1])  # both read before either writes
    run_escalate(deps(first, store), FRIDAY_4PM)
    report = run_escalate(deps(second, store), FRIDAY_4PM)
    assert report["opened"] == [] and len(store.cases.cases()) == 1
    assert tab(second, "Khách hàng")[0]["Mã hồ sơ"] == tab(first, "Khách hàng")[0]["Mã hồ sơ"]


def set_status(sheet, case_id, status, note=None):
    table = sheet.tables["Hồ sơ"]
    for row in table.rows:
        if row[0] == case_id:
            row[table.header.index("Trạng thái")] = status
            if note is not None:
                row[table.header.index("Ghi chú xử lý")] = note


def test_staff_status_changes_are_synced_with_times(store):
    sheet = book(COMPLAINTS[1:2])
    run_escalate(deps(sheet, store), FRIDAY_4PM)
    case_id = store.cases.cases()[0].case_id
    set_status(sheet, case_id, "Đang xử lý")
    later = FRIDAY_4PM + timedelta(minutes=30)
    report = run_escalate(deps(sheet, store), later)
    assert report["synced"] == [{"case_id": case_id, "from": OPEN, "to": IN_PROGRESS, "resolution_note": ""}]
    assert store.cases.case(case_id).first_responded_at == later
    set_status(sheet, case_id, "resolved", note="Đã gửi lại hóa đơn đúng")
    done = FRIDAY_4PM + timedelta(hours=1)
    run_escalate(deps(sheet, store), done)
    case = store.cases.case(case_id)
    assert case.status == RESOLVED and case.resolved_at == done and case.first_responded_at == later
    assert case.resolution_note == "Đã gửi lại hóa đơn đúng"
    assert [e.kind for e in store.cases.case_events(case_id)] == ["opened", "notified", "status", "status"]


def test_staff_mistakes_in_the_cases_tab_are_reported_never_fatal(store):
    sheet = book(COMPLAINTS[:2])
    run_escalate(deps(sheet, store), FRIDAY_4PM)
    first, second = (r["Mã hồ sơ"] for r in tab(sheet, "Hồ sơ"))
    set_status(sheet, first, "chắc là xong rồi")
    table = sheet.tables["Hồ sơ"]
    table.rows[:] = [r for r in table.rows if r[0] != second]  # staff deleted a row
    table.rows.append(["HS-BOGUS", "", "", "", "", "", "", "Mở"])
    report = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=15))
    messages = " ".join(p["message"] for p in report["problems"])
    assert "chắc là xong rồi" in messages and "HS-BOGUS" in messages
    assert report["restored"] == [second]
    rows = {r["Mã hồ sơ"]: r for r in tab(sheet, "Hồ sơ")}
    assert second in rows and "không rõ" in rows[first]["Ghi chú hệ thống"]
    assert store.cases.case(first).status == OPEN


def test_an_overdue_case_moves_up_a_tier_and_its_new_owner_is_told(store):
    sheet, channel = book(COMPLAINTS[1:2]), MemoryChannel()
    run_escalate(deps(sheet, store, channel), FRIDAY_4PM)
    case_id = store.cases.cases()[0].case_id
    report = run_escalate(deps(sheet, store, channel), datetime(2026, 11, 21, 10, 31, tzinfo=VN))  # due Sat 10:30
    (up,) = report["escalated"]
    assert (up["case_id"], up["from_tier"], up["tier"], up["owner"]) == (case_id, 1, 2, "Tuấn <tuan@luat.vn>")
    assert up["first_response_due"] == "2026-11-23T10:31:00+07:00"  # Sat 10:31 + 4 h: Sat 1.5 h, Mon 2.5 h
    assert channel.delivered[-1].to == "tuan@luat.vn" and "cấp 2" in channel.delivered[-1].subject
    assert tab(sheet, "Hồ sơ")[0]["Cấp"] == 2 and tab(sheet, "Hồ sơ")[0]["Phụ trách"] == "Tuấn <tuan@luat.vn>"
    dashboard = {r["Chỉ số"]: r["Giá trị"] for r in tab(sheet, "Tổng quan")}
    assert dashboard[piece("metric_escalation_rate", 0)] == 1.0  # shown as 100%


def test_tier_3_is_the_ceiling_and_the_owner_is_reminded_once_a_business_day(store):
    sheet, channel = book(COMPLAINTS[:1]), MemoryChannel()
    run_escalate(deps(sheet, store, channel), FRIDAY_4PM)  # tier 3, due Sat 08:30
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=VN)
    first = run_escalate(deps(sheet, store, channel), saturday)
    second = run_escalate(deps(sheet, store, channel), saturday + timedelta(hours=2))
    assert first["escalated"] == [] and [n["kind"] for n in first["notified"]] == ["reminder"]
    assert second["notified"] == [] and store.cases.case(store.cases.cases()[0].case_id).tier == 3
    monday = run_escalate(deps(sheet, store, channel), datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    assert [n["kind"] for n in monday["notified"]] == ["reminder"]


def test_notices_wait_for_working_hours(store):
    sheet, channel = book(COMPLAINTS[1:2]), MemoryChannel()
    sunday = datetime(2026, 11, 22, 10, 0, tzinfo=VN)
    report = run_escalate(deps(sheet, store, channel), sunday)
    assert len(report["opened"]) == 1 and channel.delivered == []
    assert report["skipped"][0]["reason"] == "outside_working_hours"
    monday = run_escalate(deps(sheet, store, channel), sunday + timedelta(days=1, hours=-1))
    assert [n["kind"] for n in monday["notified"]] == ["opened"] and len(channel.delivered) == 1


def test_bad_severity_is_noted_and_the_text_decides(store):
    sheet = book([["C-9", "Võ Minh Khang", "k@example.com", True, "Phí", "Cho tôi gặp quản lý", "rất rất gấp", ""]])
    report = run_escalate(deps(sheet, store), FRIDAY_4PM)
    assert report["opened"][0]["tier"] == 3
    assert "rất rất gấp" in tab(sheet, "Hồ sơ")[0]["Ghi chú hệ thống"]


def test_a_matrix_with_no_usable_row_holds_the_complaints_names_the_tab_and_loses_nothing(store):
    """Issue 33 (6): what needs an owner waits; the run goes on (replies, erasures, calls, health)."""
    sheet = book(COMPLAINTS, matrix=[["Hợp đồng", "a@b.vn", "", "", 2, 8]])
    report = run_escalate(deps(sheet, store), FRIDAY_4PM)
    assert store.cases.cases() == [] and report["opened"] == []
    ticked = 3  # C-1, C-2 ("x" is a tick too) and C-4
    assert report["matrix_waiting"]["complaints"] == ticked
    assert "Ma trận leo thang" in report["matrix_waiting"]["error"]
    sheet.tables["Ma trận leo thang"].rows.append(["*", "Hà <ha@luat.vn>", "", "Giám đốc <gd@luat.vn>", 4, 24])
    later = run_escalate(deps(sheet, store), FRIDAY_4PM + timedelta(minutes=15))  # staff filled the owners in
    assert len(later["opened"]) == ticked and "matrix_waiting" not in later


def test_customer_text_is_written_as_text(store):
    sheet = book([["C-5", "Ngô Thị Hương", "h@example.com", True, "Phí", '=HYPERLINK("http://x","bấm vào")', "", ""]])
    run_escalate(deps(sheet, store), FRIDAY_4PM)
    assert tab(sheet, "Hồ sơ")[0]["Nội dung"] == '=HYPERLINK("http://x","bấm vào")'


def test_a_resolved_case_sends_its_customer_one_survey(store):
    from functions.core.links import Links
    from functions.survey.offers import SurveyRules

    sheet, channel = book(COMPLAINTS[1:2]), MemoryChannel()
    wiring = deps(sheet, store, channel, links=Links("https://care.example.vn", "s"), surveys=SurveyRules(30, 30))
    run_escalate(wiring, FRIDAY_4PM)
    case_id = store.cases.cases()[0].case_id
    set_status(sheet, case_id, "Đã giải quyết")
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=VN)
    report = run_escalate(wiring, monday)
    assert [s["case_id"] for s in report["surveyed"]] == [case_id]
    message = channel.delivered[-1]
    assert message.to == "hung@example.com" and "/s/" in message.text and message.unsubscribe_url
    assert report["surveyed"][0]["survey_id"] == store.surveys.surveys(monday - timedelta(days=1))[0].survey_id
    again = run_escalate(wiring, monday + timedelta(minutes=15))
    assert again["surveyed"] == [] and sum(1 for m in channel.delivered if m.to == "hung@example.com") == 1


def test_on_a_public_holiday_owners_wait_and_the_report_names_the_day(store):
    holiday = datetime(2026, 9, 2, 10, 0, tzinfo=VN)  # Quốc khánh, a Wednesday
    report = run_escalate(deps(book(COMPLAINTS[:1]), store), holiday)
    assert report["notified"] == [] and {s["reason"] for s in report["skipped"]} == {"holiday"}
    assert "Quốc khánh" in report["skipped"][0]["detail"]


def test_a_complaint_with_no_category_is_uncategorised_in_words(store):
    sheet, channel = book([["C-9", "Lê Văn Tám", "tam@example.com", True, "", "Chờ lâu", "", ""]]), MemoryChannel()
    run_escalate(deps(sheet, store, channel), FRIDAY_4PM)
    assert tab(sheet, "Hồ sơ")[0]["Loại vấn đề"] == piece("uncategorised", 0)
    (notice,) = channel.delivered
    assert (
        piece("uncategorised", 0) in notice.subject
        and "*" not in notice.subject
        and "Loại vấn đề: Chưa phân loại" in notice.text
    )
