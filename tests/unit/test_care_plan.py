"""The Care plan tab (pure): staff's rows read into occasions, what each row's note says, and who is
due on simulated days — a reminder the day before a staff column's date, a win-back advert only with
consent, 20/10 only to chị/cô/bà, Tết on 6 February 2027, two occasions on one day."""

from datetime import date, datetime, time, timedelta

from functions.core.care_plan import (
    OccasionDay,
    care_plan_write,
    default_occasions,
    kind_of,
    read_care_plan,
    starter_rows,
)
from functions.core.customers import read_customers
from functions.core.ledger import SENT, LedgerFacts
from functions.core.sheet_schema import CARE_PLAN
from functions.core.tables import Table
from functions.followup.plan import OccasionDates, customer_cell, decide, due_messages
from tests.helpers import VN
from tests.helpers.rules import followup_rules, read_rules

HEADER = ["Mã KH", "Họ tên", "Xưng hô", "Email", "Ngày sinh", "Ngày mua", "Đồng ý nhận quảng cáo", "VIP", "Ngày hẹn"]
PLAN_HEADER = [c.title_vi for c in CARE_PLAN.columns]


def customers(*rows):
    return Table("Khách hàng", HEADER, [list(r) for r in rows])


def customer(id, salutation="chị", birthday="", purchase="", consent=False, vip=False, appointment=""):
    names = {"chị": "Nguyễn Thị Lan", "anh": "Trần Văn Huy", "cô": "Lê Thị Thủy", "bà": "Phạm Thị Hoa"}
    return [id, names.get(salutation, "Hoàng Văn Nam"), salutation, f"{id.lower()}@example.com", birthday, purchase,
            consent, vip, appointment]  # fmt: skip


def plan_row(name, column="", when="", condition="", kind="chăm sóc", survey=False, voucher=False, use=True):
    return [name, column, when, condition, kind, survey, voucher, use, ""]


def plan_tab(*rows):
    return Table("Lịch chăm sóc", PLAN_HEADER, [list(r) for r in rows])


NO_FACTS = LedgerFacts()


def due_on(day, table, care_rows, facts=NO_FACTS, **settings):
    """What a follow-up run at 09:00 on `day` sends and skips, for the Customers `table` and Care plan rows."""
    rules = followup_rules(**settings)
    sheet = read_customers(table, read_rules(), day)
    plan = read_care_plan(plan_tab(*care_rows), table.header, sheet.columns, "vi")
    dates = OccasionDates(customer_cell(table), "DMY", day, "vi")
    due = due_messages(sheet.customers, day, rules, plan.occasions, dates)
    return decide(due, facts, datetime.combine(day, time(9), VN), rules), plan, dates


def sent(decided):
    return sorted((m.kind, m.customer.id) for m in decided.send)


BIRTHDAY = plan_row("Sinh nhật", "Ngày sinh", "hằng năm", voucher=True)
CHECKIN = plan_row("Hỏi thăm sau mua", "Ngày mua", "sau 7 ngày", survey=True)


def test_without_the_tab_the_plan_is_the_birthday_and_the_check_in():
    occasions = default_occasions()
    assert [(o.name, o.kind, o.source, o.when.rule, o.voucher, o.survey) for o in occasions] == [
        ("Sinh nhật", "birthday", "birthday", "yearly", True, False),
        ("Hỏi thăm sau mua", "checkin", "purchase_date", "after", False, True),
    ]


def test_the_starter_rows_are_the_defaults_ticked_then_examples_unticked():
    rows = starter_rows("vi")
    assert [(r[0], r[7]) for r in rows] == [
        ("Sinh nhật", True), ("Hỏi thăm sau mua", True), ("Tết Nguyên đán", False), ("Ngày Phụ nữ Việt Nam", False),
        ("Nhắc lịch hẹn", False), ("Mời quay lại", False),
    ]  # fmt: skip
    assert rows[3][3] == "Xưng hô = chị, cô, bà" and rows[5][4] == "quảng cáo"
    assert [r[0] for r in starter_rows("en")][:2] == ["Birthday", "Check-in after purchase"]


def test_kinds_keep_the_old_two_and_name_the_others():
    assert kind_of("Sinh nhật") == kind_of("SINH NHAT") == kind_of("Birthday") == "birthday"
    assert kind_of("Hỏi thăm sau mua") == "checkin"
    assert kind_of("Tết Nguyên đán") == "dip-tet-nguyen-dan"
    assert kind_of("Nhắc lịch hẹn / bảo hành") == "dip-nhac-lich-hen-bao-hanh"
    assert kind_of("🎉") == ""


def test_a_bad_row_is_said_in_its_note_and_the_others_run():
    table = customers(customer("C-1", birthday="07/12/1990"))
    decided, plan, _ = due_on(
        date(2026, 12, 7), table,
        [BIRTHDAY, plan_row("Nhắc bảo hành", "Ngày hết bảo hành", "trước 3 ngày"),
         plan_row("Lễ", "", "thỉnh thoảng"), plan_row("Tết", "", "ngày 01/01 âm lịch", "Chi nhánh = Quận 1"),
         plan_row("Ngày 8/3", "Ngày sinh", "ngày 08/03"), plan_row("QC", "Ngày mua", "sau 30 ngày", kind="spam"),
         plan_row("Sinh nhật", "Ngày sinh", "hằng năm")],
    )  # fmt: skip
    assert sent(decided) == [("birthday", "C-1")]
    notes = {row.name: row.problems for row in plan.rows}
    assert notes["Nhắc bảo hành"] == ("Tab Khách hàng không có cột 'Ngày hết bảo hành'",)
    assert notes["Lễ"][0].startswith("Không hiểu Khi nào 'thỉnh thoảng': viết như trước 1 ngày, sau 7 ngày")
    assert notes["Tết"] == ("Tab Khách hàng không có cột 'Chi nhánh'",)
    assert notes["Ngày 8/3"] == ("Ngày cố định: cột 'Ngày sinh' không được dùng",)  # said, and it runs
    assert notes["QC"] == ("Loại 'spam': ghi chăm sóc hoặc quảng cáo",)
    assert [o.name for o in plan.occasions] == ["Sinh nhật", "Ngày 8/3"]
    assert plan.rows[-1].problems == ("Trùng với dịp ở dòng 2: dòng này không dùng",)
    write = care_plan_write(plan, {"birthday": OccasionDay(date(2026, 12, 7), sent=1)}, "vi")
    assert write is not None
    by_row = {w.row_number: (w.row_id, w.values["system_note"]) for w in write.rows}
    assert by_row[2] == ("Sinh nhật", "07/12/2026: đã gửi 1")  # found by its name, or at its row among two


def test_a_reminder_goes_the_day_before_a_staff_column_date_and_never_after_it():
    table = customers(customer("C-1", appointment="10/12/2026"), customer("C-2", appointment="10/12/2026"))
    reminder = plan_row("Nhắc lịch hẹn", "Ngày hẹn", "trước 1 ngày")
    decided, _, _ = due_on(date(2026, 12, 9), table, [reminder])
    assert sent(decided) == [("dip-nhac-lich-hen", "C-1"), ("dip-nhac-lich-hen", "C-2")]
    (message, _) = decided.send
    assert message.key == "dip-nhac-lich-hen/C-1/2026-12-10" and message.date == date(2026, 12, 10)
    # A run missed the day before: the appointment's morning still reminds; the day after, nothing.
    assert sent(due_on(date(2026, 12, 10), table, [reminder])[0]) == [("dip-nhac-lich-hen", "C-1"),
                                                                      ("dip-nhac-lich-hen", "C-2")]  # fmt: skip
    after = due_on(date(2026, 12, 11), table, [reminder])[0]
    assert not after.send and not after.skipped


def test_a_win_back_advert_goes_only_to_customers_who_consented():
    table = customers(customer("C-1", purchase="08/10/2026", consent=True), customer("C-2", purchase="08/10/2026"))
    win_back = plan_row("Mời quay lại", "Ngày mua", "không quay lại sau 60 ngày", kind="quảng cáo", voucher=True)
    decided, plan, _ = due_on(date(2026, 12, 7), table, [win_back])
    assert sent(decided) == [("dip-moi-quay-lai", "C-1")] and not decided.skipped
    assert plan.occasions[0].advert
    # A customer who came back (a newer purchase) is not asked to come back.
    table = customers(customer("C-1", purchase="01/12/2026", consent=True))
    assert not due_on(date(2026, 12, 7), table, [win_back])[0].send


def test_womens_day_only_to_chi_co_ba():
    table = customers(*(customer(f"C-{i}", s) for i, s in enumerate(["chị", "anh", "cô", "bà", "ông", ""])))
    row = plan_row("Ngày Phụ nữ Việt Nam", "", "ngày 20/10", "Xưng hô = chị, cô, bà")
    assert [c for _, c in sent(due_on(date(2026, 10, 20), table, [row])[0])] == ["C-0", "C-2", "C-3"]
    assert not due_on(date(2026, 10, 19), table, [row])[0].send


def test_8_march_with_vip_condition_and_a_ticked_box():
    table = customers(customer("C-1", vip=True), customer("C-2", vip=False), customer("C-3", "anh", vip=True))
    row = plan_row("Quốc tế Phụ nữ", "", "ngày 08/03", "Xưng hô = chị, cô; VIP = có")
    assert sent(due_on(date(2027, 3, 8), table, [row])[0]) == [("dip-quoc-te-phu-nu", "C-1")]


def test_tet_on_6_february_2027():
    table = customers(customer("C-1"), customer("C-2", "anh"))
    tet = plan_row("Tết Nguyên đán", "", "ngày 01/01 âm lịch")
    assert not due_on(date(2027, 2, 5), table, [tet])[0].send
    decided = due_on(date(2027, 2, 6), table, [tet])[0]
    assert sent(decided) == [("dip-tet-nguyen-dan", "C-1"), ("dip-tet-nguyen-dan", "C-2")]
    assert decided.send[0].key == "dip-tet-nguyen-dan/C-1/2027"


def test_two_occasions_on_one_day_one_goes_the_other_the_next_day_in_the_tabs_order():
    table = customers(customer("C-1", birthday="06/02/1990"))
    tet = plan_row("Tết Nguyên đán", "", "ngày 01/01 âm lịch")
    day = date(2027, 2, 6)
    first, _, _ = due_on(day, table, [tet, BIRTHDAY])
    assert sent(first) == [("dip-tet-nguyen-dan", "C-1")]
    assert [(s.message.kind, s.reason) for s in first.skipped] == [("birthday", "one_per_day")]
    facts = LedgerFacts({"dip-tet-nguyen-dan/C-1/2027": SENT})
    second, _, _ = due_on(day + timedelta(days=1), table, [tet, BIRTHDAY], facts)
    assert sent(second) == [("birthday", "C-1")] and second.send[0].key == "birthday/C-1/2027"
    # With the birthday first in the tab, the birthday goes on its day and Tết the next.
    assert sent(due_on(day, table, [BIRTHDAY, tet])[0]) == [("birthday", "C-1")]
    # Two a day allowed: both go.
    assert len(due_on(day, table, [tet, BIRTHDAY], max_messages_per_day="2")[0].send) == 2
    # Past the catch-up days, a displaced one is no longer due.
    assert not due_on(day + timedelta(days=4), table, [tet, BIRTHDAY], facts)[0].send


def test_a_birthday_missed_by_a_run_that_did_not_happen_is_not_sent_late():
    table = customers(customer("C-1", birthday="05/12/1990"))
    assert not due_on(date(2026, 12, 7), table, [BIRTHDAY, CHECKIN])[0].send


def test_an_unreadable_date_in_a_staff_column_is_said_on_the_customer_row():
    table = customers(customer("C-1", appointment="32/13/2026"), customer("C-2", appointment="10/12/2026"))
    decided, _, dates = due_on(date(2026, 12, 9), table, [plan_row("Nhắc lịch hẹn", "Ngày hẹn", "trước 1 ngày")])
    assert sent(decided) == [("dip-nhac-lich-hen", "C-2")]
    assert dates.problems == {"C-1": ["Cột 'Ngày hẹn' (dịp Nhắc lịch hẹn): không đọc được '32/13/2026'"]}


def test_a_lunar_yearly_date_needs_a_year():
    table = customers(customer("C-1", birthday="15/08"), customer("C-2", birthday="03/10/1990"))
    row = plan_row("Sinh nhật âm lịch", "Ngày sinh", "hằng năm âm lịch")
    decided, _, dates = due_on(date(2026, 9, 25), table, [row])
    assert sent(decided) == [("dip-sinh-nhat-am-lich", "C-2")]
    assert dates.problems == {"C-1": ["Cột 'Ngày sinh' (dịp Sinh nhật âm lịch): cần đủ ngày/tháng/năm"]}


def test_an_unticked_row_is_not_used_and_says_nothing():
    table = customers(customer("C-1", birthday="07/12/1990"))
    decided, plan, _ = due_on(date(2026, 12, 7), table, [plan_row("Sinh nhật", "Ngày sinh", "hằng năm", use=False)])
    assert not decided.send and plan.occasions == [] and plan.rows[0].problems == ()


def test_hostile_cells_in_the_care_plan_are_said_and_never_stop_the_others():
    table = customers(customer("C-1", birthday="07/12/1990"))
    huge = "Sinh nhật " * 2000
    decided, plan, _ = due_on(
        date(2026, 12, 7), table,
        [plan_row(huge, "Ngày sinh", "hằng năm"), plan_row("=HYPERLINK(\"http://evil.example\")", "", "ngày 07/12"),
         plan_row("Dịp\r\nxấu", "Ngày sinh\r\n", "hằng\nnăm"), plan_row("Lễ", "", "=1+1"),
         plan_row("Quà", "", "ngày 07/12", "=cmd|' /C calc'!A0"), BIRTHDAY],
    )  # fmt: skip
    notes = [row.problems for row in plan.rows]
    assert notes[0] == ("Dịp cần một tên có chữ (tối đa 60 ký tự)",)
    assert notes[3][0].startswith("Không hiểu Khi nào '=1+1'")
    assert notes[4][0].startswith("Không hiểu điều kiện")
    assert all(len(note) < 400 for row in notes for note in row)  # a huge cell is shortened, never echoed whole
    # A formula-looking name is only a name (the sheet writes text as text); a CR/LF is only a space.
    assert [o.name for o in plan.occasions] == ['=HYPERLINK("http://evil.example")', "Dịp xấu", "Sinh nhật"]
    assert sent(decided) == [("dip-hyperlink-http-evil-example", "C-1")]
    assert [s.message.kind for s in decided.skipped] == ["dip-dip-xau", "birthday"]


def test_zalo_sends_an_added_occasion_on_the_template_approved_for_its_kind():
    from functions.adapters.templates import Templates
    from functions.compose import Composer, Recipient
    from functions.core.staff_texts import values_for
    from functions.core.vouchers import Voucher
    from functions.entrypoints.cli.check import SAMPLE_LINKS
    from tests.helpers import NINE_AM
    from tests.helpers.rules import channel_book

    values = values_for("Nguyễn Thị Lan", "chị Lan", "chị", "Gara Tiến Phát", None, None, "Tết Nguyên đán",
                        "06/02/2027")  # fmt: skip
    recipient = Recipient("C-1", "Nguyễn Thị Lan", "vi", [("zalo", "+84912345678"), ("email", "lan@example.com")])
    composer = Composer(Templates(), SAMPLE_LINKS, channel_book())
    care = composer.compose("dip-tet-nguyen-dan/C-1/2027", "dip-tet-nguyen-dan", recipient, values, None, NINE_AM)
    zalo, email = care.messages
    assert zalo.kind == "care" and dict(zalo.params) == {  # a transaction template: outside the promotional quota
        "customer_name": "chị Lan", "business_name": "Gara Tiến Phát", "occasion": "Tết Nguyên đán",
        "date": "06/02/2027"}  # fmt: skip
    assert email.subject == "Tết Nguyên đán – Gara Tiến Phát"  # the plain starter text, no [QC]
    voucher = Voucher("7K3QW9XM", "C-1", "Nguyễn Thị Lan", 2027, "giảm 10%", NINE_AM.date(), NINE_AM.date())
    advert = composer.compose("dip-moi-quay-lai/C-1/2026-10-08", "dip-moi-quay-lai", recipient, values, None, NINE_AM,
                              voucher, occasion_advert=True)  # fmt: skip
    zalo, email = advert.messages
    assert zalo.kind == "advert_voucher" and dict(zalo.params)["voucher_code"] == "7K3QW9XM"
    assert email.subject.startswith("[QC] ") and "7K3QW9XM" in email.text
