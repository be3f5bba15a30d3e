from datetime import date

from functions.core.customers import customer_id_for, read_customers
from functions.core.tables import Table
from functions.core.values import Birthday
from tests.helpers.rules import read_rules
from tests.helpers.support import HEADER, row

TODAY = date(2026, 11, 23)


DEFAULT_RULES = read_rules()


def read(rows, header=HEADER, rules=DEFAULT_RULES):
    return read_customers(Table("Khách hàng", list(header), [list(r) for r in rows]), rules, TODAY)


def test_a_good_row_becomes_a_customer():
    sheet = read(
        [row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com", "0912345678", "23/11/1990", "16/11/2026", "", "", "")]
    )
    (c,) = sheet.customers
    assert (c.id, c.row, c.greeting, c.email, c.phone) == ("C-1", 2, "chị Lan", "lan@example.com", "+84912345678")
    assert c.birthday == Birthday(11, 23, 1990) and c.purchase_date == date(2026, 11, 16)
    assert (c.language, c.channels, c.opted_out, c.problems) == ("vi", ("zalo", "sms", "email"), False, ())


def test_blank_rows_are_ignored_and_row_numbers_stay_true():
    sheet = read(
        [row("C-1"), [None] * 10, ["", "  ", None, "", "", "", "", "", "", ""], row("C-2", email="b@example.com")]
    )
    assert [(c.id, c.row) for c in sheet.customers] == [("C-1", 2), ("C-2", 5)]


def test_short_rows_are_padded():
    sheet = read([["C-1", "Lan"]])
    assert sheet.customers[0].problems[0].code == "no_contact"


def test_ids_are_derived_from_content_and_stable():
    first = read([row("", "Trịnh Văn Khoa", email="khoa@example.com")]).customers[0]
    again = read([row("", "Trịnh Văn Khoa", email="khoa@example.com")]).customers[0]
    other = read([row("", "Trịnh Văn Khoa", email="khoa2@example.com")]).customers[0]
    assert first.id_assigned and first.id == again.id != other.id
    assert first.id.startswith("KH-") and len(first.id) == 13


def test_a_duplicated_id_is_a_problem_on_every_row_that_carries_it():
    sheet = read([row("C-7", "A"), row("c-7", "B", email="b@example.com"), row("C-8", "C", email="c@example.com")])
    flagged = [(p.row, p.code) for p in sheet.problems]
    assert flagged == [(2, "duplicate_id"), (3, "duplicate_id")]
    assert "2, 3" in sheet.problems[0].message()


def test_problems_name_the_column_as_staff_typed_it():
    header = ["ID", "NAME", "E-mail", "DOB"]
    sheet = read([["C-1", "Lan", "lan@example.com", "31/02/1990"]], header=header)
    (problem,) = sheet.problems
    assert problem.message("vi") == "DOB '31/02/1990' không tồn tại"
    assert problem.message("en") == "DOB '31/02/1990' is not a real date"


def test_channel_defaults_and_needs():
    sheet = read(
        [
            row("C-1", email="", phone="0912345678"),
            row("C-2", email="a@example.com", phone="0912345678"),
            row("C-3", email="a3@example.com", channel="sms"),
            row("C-4", email="", phone="0912345678", channel="email"),
            row("C-5", email="a5@example.com", phone="0912345678", channel="Zalo, SMS"),
            row("C-6", email="a6@example.com", channel="zalo rồi email"),
            row("C-7", email="", phone=""),
        ]
    )
    c1, c2, c3, c4, c5, c6, c7 = sheet.customers
    assert (c1.channels, c1.address("phone")) == (("zalo", "sms"), "+84912345678")  # blank: channel_order, if reachable
    assert (c2.channels, c2.address("email")) == (("zalo", "sms", "email"), "a@example.com")
    assert [p.code for p in c3.problems] == ["channel_needs_phone"]
    assert [p.code for p in c4.problems] == ["channel_needs_email"]
    assert (c5.channels, c5.problems) == (("zalo", "sms"), ())  # staff's own order
    assert c6.channels == ("zalo", "email") and [p.message("en") for p in c6.problems] == [
        "Channel zalo needs a phone number"
    ]
    assert c7.channels == ()


def test_channel_order_setting_decides_for_blank_rows():
    sheet = read(
        [row("C-1", email="a@example.com", phone="0912345678")], rules=read_rules(channel_order=("email", "sms"))
    )
    assert sheet.customers[0].channels == ("email", "sms")


def test_problems_in_english_when_staff_read_english():
    sheet = read([row("C-1", email="nope")])
    assert sheet.problems[0].as_dict("en")["message"] == "Email 'nope' is not a valid email address"


def test_customer_id_for_ignores_case_and_diacritics_of_the_same_content():
    assert customer_id_for({"name": "Nguyễn Lan"}) == customer_id_for({"name": "nguyen  LAN"})
