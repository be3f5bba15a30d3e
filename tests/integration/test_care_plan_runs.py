"""Issue 35: the business writes its own care plan. Follow-up runs on simulated days against a sheet
with a Care plan tab and the SQLite store: what goes, in whose words, once, and what the tab says."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from functions import bootstrap
from functions.adapters.stores.sqlite import SqliteStore
from functions.core.sheet_schema import CARE_PLAN, MESSAGES
from functions.core.tables import Table
from functions.followup.job import run_followup
from tests.helpers import VN
from tests.helpers.fakes import MemoryChannel, MemorySheet
from tests.helpers.rules import business_settings
from tests.helpers.support import deps

HEADER = ["Mã KH", "Họ tên", "Xưng hô", "Email", "Ngày sinh", "Ngày mua", "Đồng ý nhận quảng cáo", "Ngày hẹn",
          "Ghi chú hệ thống"]  # fmt: skip
MESSAGES_HEADER = [c.title_vi for c in MESSAGES.columns]
PLAN_HEADER = [c.title_vi for c in CARE_PLAN.columns]


@pytest.fixture
def store(tmp_path):
    return SqliteStore(tmp_path / "careloop.sqlite")


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), VN)


def sheet(customers, plan=None, messages=None) -> MemorySheet:
    tables = {"Khách hàng": Table("Khách hàng", list(HEADER), [list(r) for r in customers])}
    if plan is not None:
        tables["Lịch chăm sóc"] = Table("Lịch chăm sóc", list(PLAN_HEADER), [list(r) for r in plan])
    if messages is not None:
        tables["Mẫu tin nhắn"] = Table("Mẫu tin nhắn", list(MESSAGES_HEADER), [list(r) for r in messages])
    return MemorySheet(tables)


def plan_row(name, column="", when="", condition="", kind="chăm sóc", survey=False, voucher=False, use=True):
    return [name, column, when, condition, kind, survey, voucher, use, ""]


def column(book: MemorySheet, title: str, header: str) -> list:
    table = book.tables[title]
    at_ = table.header.index(header)
    return [r[at_] if at_ < len(r) else None for r in table.rows]


REMINDER = plan_row("Nhắc lịch hẹn", "Ngày hẹn", "trước 1 ngày")


def test_a_reminder_the_day_before_in_staffs_words_with_the_date_filled_in_once(store):
    words = ["", "Nhắc lịch hẹn", "vi", "email", "Nhắc lịch hẹn ngày {ngay}",
             "Chào {ten_goi},\nGara Tiến Phát nhắc {xung_ho} lịch bảo dưỡng ngày {ngay}.", True, False, ""]  # fmt: skip
    book = sheet(
        [["C-1", "Trần Văn Huy", "anh", "huy@example.com", "", "", False, "10/12/2026", ""],
         ["C-2", "Lê Thị Thủy", "chị", "thuy@example.com", "", "", False, "11/12/2026", ""]],
        [REMINDER], [words],
    )  # fmt: skip
    channel = MemoryChannel()
    report = run_followup(deps(book, store, channel), at(date(2026, 12, 9))).report
    assert [(s["customer_id"], s["kind"], s["key"]) for s in report["sent"]] == [
        ("C-1", "dip-nhac-lich-hen", "dip-nhac-lich-hen/C-1/2026-12-10")
    ]
    (message,) = channel.delivered
    assert message.subject == "Nhắc lịch hẹn ngày 10/12/2026"
    assert message.text.startswith("Chào anh Huy,\nGara Tiến Phát nhắc anh lịch bảo dưỡng ngày 10/12/2026.")
    assert column(book, "Lịch chăm sóc", "Ghi chú hệ thống") == ["09/12/2026: đã gửi 1"]
    assert column(book, "Khách hàng", "Liên hệ gần nhất")[0] == "09/12/2026 – Nhắc lịch hẹn (email)"
    assert column(book, "Mẫu tin nhắn", "Mã mẫu") == ["dip-nhac-lich-hen/vi/email"]  # careloop fills it in
    # The same day again: nothing twice, and the row still says what went.
    again = run_followup(deps(book, store, channel), at(date(2026, 12, 9), 15)).report
    assert again["sent"] == [] and len(channel.delivered) == 1
    assert column(book, "Lịch chăm sóc", "Ghi chú hệ thống") == ["09/12/2026: đã gửi 1"]
    # The next day, the other customer; the note tells the new day.
    run_followup(deps(book, store, channel), at(date(2026, 12, 10)))
    assert [m.to for m in channel.delivered] == ["huy@example.com", "thuy@example.com"]
    assert column(book, "Lịch chăm sóc", "Ghi chú hệ thống") == ["10/12/2026: đã gửi 1"]
    # A day with nothing to send keeps the last day's figure.
    run_followup(deps(book, store, channel), at(date(2026, 12, 20)))
    assert column(book, "Lịch chăm sóc", "Ghi chú hệ thống") == ["10/12/2026: đã gửi 1"]


def test_an_occasion_without_a_text_gets_a_starter_row_staff_edit_never_a_second(store):
    book = sheet([["C-1", "Trần Văn Huy", "anh", "huy@example.com", "", "", False, "10/12/2026", ""]], [REMINDER],
                 [])  # fmt: skip
    channel = MemoryChannel()
    run_followup(deps(book, store, channel), at(date(2026, 12, 9)))
    (message,) = channel.delivered
    assert "Nhắc lịch hẹn, ngày 10/12/2026" in message.text  # the plain starter text, in the customer's language
    kinds = column(book, "Mẫu tin nhắn", "Loại tin")
    assert "Nhắc lịch hẹn" in kinds
    started = len(kinds)
    texts = column(book, "Mẫu tin nhắn", "Nội dung")
    assert all("{link_khao_sat}" not in t and "{ma_qua_tang}" not in t for t in texts)  # it carries neither
    # The row careloop added is one careloop can use: the next run leaves no note on it.
    run_followup(deps(book, store, channel), at(date(2026, 12, 9), 15))
    assert not any(column(book, "Mẫu tin nhắn", "Ghi chú hệ thống"))
    # Staff edit the row careloop added; the next run uses it and adds no other.
    table = book.tables["Mẫu tin nhắn"]
    text_at = table.header.index("Nội dung")
    for row in table.rows:
        if row[table.header.index("Kênh")] == "email":
            row[text_at] = "Chào {ten_goi}, hẹn gặp {xung_ho} ngày {ngay}."
    book.tables["Khách hàng"].rows[0][7] = "20/12/2026"
    run_followup(deps(book, store, channel), at(date(2026, 12, 19)))
    assert channel.delivered[-1].text.startswith("Chào anh Huy, hẹn gặp anh ngày 20/12/2026.")
    assert len(column(book, "Mẫu tin nhắn", "Loại tin")) == started


def test_a_win_back_advert_with_a_voucher_only_to_who_consented_labelled_qc(store):
    win_back = plan_row("Mời quay lại", "Ngày mua", "không quay lại sau 60 ngày", kind="quảng cáo", voucher=True)
    book = sheet(
        [["C-1", "Trần Văn Huy", "anh", "huy@example.com", "", "08/10/2026", True, "", ""],
         ["C-2", "Lê Thị Thủy", "chị", "thuy@example.com", "", "08/10/2026", False, "", ""]],
        [win_back],
    )  # fmt: skip
    channel = MemoryChannel()
    report = run_followup(deps(book, store, channel, {"voucher_value": "giảm 10%"}), at(date(2026, 12, 7))).report
    (message,) = channel.delivered
    assert message.to == "huy@example.com" and message.subject.startswith("[QC] ")
    (code,) = report["vouchers"]["issued"]
    assert code in message.text and "giảm 10%" in message.text
    assert store.vouchers.voucher(code).occasion == "dip-moi-quay-lai/2026-10-08"


def test_defaults_on_a_sheet_without_the_tab_add_it_and_send_as_before(store):
    book = MemorySheet({"Khách hàng": Table("Khách hàng", list(HEADER), [
        ["C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", "23/11/1990", "", False, "", ""],
        ["C-2", "Trần Văn Hùng", "anh", "hung@example.com", "", "16/11/2026", False, "", ""]])})  # fmt: skip
    settings = business_settings()
    channel = MemoryChannel()
    report = run_followup(deps(book, store, channel, layouts=bootstrap.sheet_layouts(settings)),
                          at(date(2026, 11, 23))).report  # fmt: skip
    assert sorted(s["key"] for s in report["sent"]) == ["birthday/C-1/2026", "checkin/C-2/2026-11-16"]
    plan = book.tables["Lịch chăm sóc"]
    assert [r[0] for r in plan.rows] == ["Sinh nhật", "Hỏi thăm sau mua", "Tết Nguyên đán", "Ngày Phụ nữ Việt Nam",
                                         "Nhắc lịch hẹn", "Mời quay lại"]  # fmt: skip
    notes = column(book, "Lịch chăm sóc", "Ghi chú hệ thống")
    assert notes[:2] == ["23/11/2026: đã gửi 1", "23/11/2026: đã gửi 1"]
    # "Nhắc lịch hẹn" names a column this sheet has not: said only when staff turn it on.
    assert notes[4] in ("", None)


def test_a_row_naming_a_missing_column_is_said_and_the_others_run(store):
    book = sheet(
        [["C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", "07/12/1990", "", False, "", ""]],
        [plan_row("Sinh nhật", "Ngày sinh", "hằng năm"),
         plan_row("Nhắc bảo hành", "Ngày hết bảo hành", "trước 3 ngày")],
    )  # fmt: skip
    channel = MemoryChannel()
    report = run_followup(deps(book, store, channel), at(date(2026, 12, 7))).report
    assert [s["kind"] for s in report["sent"]] == ["birthday"]
    assert column(book, "Lịch chăm sóc", "Ghi chú hệ thống") == [
        "07/12/2026: đã gửi 1", "Tab Khách hàng không có cột 'Ngày hết bảo hành'"]  # fmt: skip


def test_two_occasions_on_one_day_the_second_goes_the_next_day_and_the_row_says_so(store):
    tet = plan_row("Tết Nguyên đán", "", "ngày 01/01 âm lịch")
    book = sheet([["C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", "06/02/1990", "", False, "", ""]],
                 [tet, plan_row("Sinh nhật", "Ngày sinh", "hằng năm")])  # fmt: skip
    channel = MemoryChannel()
    run_followup(deps(book, store, channel), at(date(2027, 2, 6)))
    assert [m.key for m in channel.delivered] == ["dip-tet-nguyen-dan/C-1/2027"]
    notes = column(book, "Lịch chăm sóc", "Ghi chú hệ thống")
    assert notes[0] == "06/02/2027: đã gửi 1"
    assert notes[1].startswith("06/02/2027: đã gửi 0; 1 chờ ngày sau")
    run_followup(deps(book, store, channel), at(date(2027, 2, 7)))
    assert [m.key for m in channel.delivered] == ["dip-tet-nguyen-dan/C-1/2027", "birthday/C-1/2027"]
    assert column(book, "Lịch chăm sóc", "Ghi chú hệ thống")[1] == "07/02/2027: đã gửi 1"


def test_the_digest_and_the_dashboard_count_messages_per_occasion(store):
    from functions.core.care_plan import CARE_PLAN_STATE
    from functions.core.ledger import LedgerEntry
    from functions.digest.job import run_digest
    from tests.integration.test_digest import MONDAY, fortnight
    from tests.integration.test_digest import deps as digest_deps

    records = fortnight()  # 5 birthday wishes in week 47, 3 the week before
    for n, day in enumerate([date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 10)]):
        key = f"dip-nhac-lich-hen/C-{n}/{day}"
        moment = at(day)
        records.ledger.reserve(LedgerEntry(key, f"C-{n}", "dip-nhac-lich-hen", "email", day, reserved_at=moment))
        records.ledger.confirm(key, moment)
    records.job_state.save_job_state(CARE_PLAN_STATE, {"dip-nhac-lich-hen": ["2026-11-18", 1, 0, 0, "Nhắc lịch hẹn"]})
    text = run_digest(digest_deps(records), MONDAY, dry_run=True)["preview"][0]["text"]
    assert "- Tin dịp: lời chúc sinh nhật: 5 ▲ (tuần trước 3)" in text
    assert "- Tin dịp: Nhắc lịch hẹn: 2 ▲ (tuần trước 1)" in text
