from datetime import date, datetime

import pytest

from functions.core import values
from functions.core.values import Birthday, CellError
from tests.helpers.rules import channel_book

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "typed, order, expected",
    [
        ("05/03/1990", "DMY", date(1990, 3, 5)),
        ("5/3/1990", "DMY", date(1990, 3, 5)),
        ("05-03-1990", "DMY", date(1990, 3, 5)),
        ("05.03.1990", "DMY", date(1990, 3, 5)),
        ("5/3/90", "DMY", date(1990, 3, 5)),
        ("5/3/05", "DMY", date(2005, 3, 5)),
        ("1990-03-05", "DMY", date(1990, 3, 5)),
        ("1990-03-05", "MDY", date(1990, 3, 5)),
        ("1990/3/5", "DMY", date(1990, 3, 5)),
        ("2026-11-16 00:00:00", "DMY", date(2026, 11, 16)),
        ("03/05/1990", "MDY", date(1990, 3, 5)),
        (" 05/03/1990 ", "DMY", date(1990, 3, 5)),
        (datetime(1990, 3, 5, 0, 0), "DMY", date(1990, 3, 5)),
        (date(1990, 3, 5), "MDY", date(1990, 3, 5)),
        (32937, "DMY", date(1990, 3, 5)),  # a Sheets serial number
        (32937.0, "DMY", date(1990, 3, 5)),
        (46342.75, "DMY", date(2026, 11, 16)),  # a date-time serial
    ],
)
def test_every_date_form_is_read(typed, order, expected):
    assert values.read_date(typed, order, TODAY) == expected


@pytest.mark.parametrize(
    "typed, code",
    [
        ("31/02/1990", "date_invalid"),
        ("29/02/2023", "date_invalid"),
        ("13/13/2020", "date_invalid"),
        ("00/01/2020", "date_invalid"),
        ("hôm qua", "date_unreadable"),
        ("1990", "date_unreadable"),
        ("05/03", "date_needs_year"),  # a purchase needs a year
        ("=TODAY()", "date_unreadable"),
        (0, "date_unreadable"),
        (-5, "date_unreadable"),
        (1e9, "date_unreadable"),
        ("05/03/1990/1", "date_unreadable"),
    ],
)
def test_unreadable_dates_say_why(typed, code):
    with pytest.raises(CellError) as error:
        values.read_date(typed, "DMY", TODAY)
    assert error.value.code == code


def test_the_date_order_is_a_setting_not_a_guess():
    assert values.read_date("03/05/2020", "DMY", TODAY) == date(2020, 5, 3)
    assert values.read_date("03/05/2020", "MDY", TODAY) == date(2020, 3, 5)
    with pytest.raises(
        CellError, match="date_invalid"
    ):  # 13 is no month; MDY is not swapped to DMY behind staff's back
        values.read_date("13/05/2020", "MDY", TODAY)
    with pytest.raises(CellError, match="date_unreadable"):
        values.read_date("03/05/2020", "YMD", TODAY)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("29/02", Birthday(2, 29)),
        ("5/3", Birthday(3, 5)),
        ("29/02/1992", Birthday(2, 29, 1992)),
        (date(1990, 11, 23), Birthday(11, 23, 1990)),
        ("23/11/1990", Birthday(11, 23, 1990)),
    ],
)
def test_birthdays_may_lack_a_year(typed, expected):
    assert values.read_birthday(typed, "DMY", TODAY) == expected


def test_a_birthday_in_the_future_is_a_problem():
    with pytest.raises(CellError) as error:
        values.read_birthday("01/01/2030", "DMY", TODAY)
    assert error.value.code == "date_future"


def test_two_digit_years_never_land_in_the_future():
    assert values.read_birthday("1/1/30", "DMY", TODAY).year == 1930
    assert values.read_birthday("1/1/26", "DMY", TODAY).year == 2026


@pytest.mark.parametrize(
    "today, celebrated",
    [
        (date(2024, 2, 29), True),  # leap year: on the day
        (date(2024, 2, 28), False),  # leap year: not the day before
        (date(2025, 2, 28), True),  # other years: on 28 February
        (date(2025, 3, 1), False),
        (date(2100, 2, 28), True),  # 2100 is not a leap year
        (date(2000, 2, 28), False),  # 2000 is
    ],
)
def test_29_february(today, celebrated):
    assert Birthday(2, 29, 1992).falls_on(today) is celebrated


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("(+84) 912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        (912345678, "+84912345678"),  # typed as a number: the leading 0 is gone
        (912345678.0, "+84912345678"),
        ("028 3822 1234", "+842838221234"),  # a Sài Gòn landline
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_phones_become_e164(typed, expected):
    assert values.read_phone(typed, "VN") == expected


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "abc",
        "0912",
        "+84 000 000 000",
        "091234567890123",
        "☎️",
        "0912 ABC 678",
        "=0912345678",
        "0912345678 ext 2",
    ],
)
def test_bad_phones(typed):
    with pytest.raises(CellError, match="phone_invalid"):
        values.read_phone(typed, "VN")


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("lan@example.com", "lan@example.com"),
        (" Lan.Nguyen@Example.COM ", "Lan.Nguyen@example.com"),
        ("lan@ví-dụ.vn", "lan@xn--v-d-rma6749a.vn"),  # the domain as mail servers take it
    ],
)
def test_emails(typed, expected):
    assert values.read_email(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "lan",
        "lan@",
        "@example.com",
        "lan@example",
        "lan@@example.com",
        "lan example@x.com",
        "a..b@example.com",
        "lan@example.com; hoa@example.com",
    ],
)
def test_bad_emails(typed):
    with pytest.raises(CellError, match="email_invalid"):
        values.read_email(typed)


@pytest.mark.parametrize(
    "typed, ticked",
    [
        (True, True),
        (False, False),
        ("TRUE", True),
        ("false", False),
        ("x", True),
        ("X", True),
        ("✓", True),
        ("✔", True),
        ("có", True),
        ("Có", True),
        ("co", True),
        ("không", False),
        ("yes", True),
        ("no", False),
        ("", False),
        (None, False),
        (1, True),
        (0, False),
    ],
)
def test_ticks(typed, ticked):
    assert values.read_tick(typed if typed is not None else "") is ticked


def test_an_unclear_tick_is_a_problem():
    with pytest.raises(CellError, match="checkbox_unreadable"):
        values.read_tick("maybe")


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("", "vi"),
        ("vi", "vi"),
        ("VN", "vi"),
        ("Tiếng Việt", "vi"),
        ("en", "en"),
        ("English", "en"),
        ("tiếng Anh", "en"),
    ],
)
def test_languages(typed, expected):
    assert values.read_language(typed, "vi") == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("", None),
        ("Email", ("email",)),
        ("SMS", ("sms",)),
        ("tin nhắn", ("sms",)),
        ("Zalo", ("zalo",)),
        ("zalo, sms", ("zalo", "sms")),
        ("Zalo; SMS; thư điện tử", ("zalo", "sms", "email")),
        ("zalo rồi sms", ("zalo", "sms")),
        ("zalo / zalo", ("zalo",)),
    ],
)
def test_channels(typed, expected):
    assert values.read_channels(typed, channel_book().words()) == expected


@pytest.mark.parametrize("typed", ["fax", "zalo, fax", "zalo sms"])
def test_an_unknown_channel_in_a_list_is_a_problem(typed):
    with pytest.raises(CellError, match="channel_unknown"):
        values.read_channels(typed, channel_book().words())


@pytest.mark.parametrize("typed", ["nguyễn@ví-dụ.vn", "Nguyễn@example.com", "用户@例子.广告"])
def test_an_address_with_non_ascii_before_the_at_is_a_problem_staff_can_act_on(typed):
    with pytest.raises(CellError, match="email_not_ascii"):
        values.read_email(typed)
