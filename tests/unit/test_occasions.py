"""The care plan's rules (pure): `Khi nào` as staff write it, the days a rule falls on, conditions."""

from datetime import date

import pytest

from functions.core.occasions import (
    AFTER,
    BEFORE,
    NO_RETURN,
    ON_DAY,
    ON_LUNAR_DAY,
    YEARLY,
    YEARLY_LUNAR,
    Condition,
    When,
    cell_word,
    condition_values,
    occurrences,
    read_when,
    split_conditions,
)
from functions.core.values import Birthday

# What staff type (with diacritics, without, in capitals, in English) → the rule careloop reads.
WHEN_TABLE = [
    ("trước 1 ngày", When(BEFORE, days=1)),
    ("Truoc 3 ngay", When(BEFORE, days=3)),
    ("TRƯỚC 0 NGÀY", When(BEFORE, days=0)),
    ("1 day before", When(BEFORE, days=1)),
    ("2 days before", When(BEFORE, days=2)),
    ("sau 7 ngày", When(AFTER, days=7)),
    ("sau 7 ngay.", When(AFTER, days=7)),
    ("7 days after", When(AFTER, days=7)),
    ("hằng năm", When(YEARLY)),
    ("hàng năm", When(YEARLY)),
    ("Hang Nam", When(YEARLY)),
    ("yearly", When(YEARLY)),
    ("hằng năm âm lịch", When(YEARLY_LUNAR)),
    ("hang nam am lich", When(YEARLY_LUNAR)),
    ("hằng năm (âm lịch)", When(YEARLY_LUNAR)),
    ("yearly lunar", When(YEARLY_LUNAR)),
    ("ngày 20/10", When(ON_DAY, day=20, month=10)),
    ("ngay 8/3", When(ON_DAY, day=8, month=3)),
    ("on 29/02", When(ON_DAY, day=29, month=2)),
    ("20/10", When(ON_DAY, day=20, month=10)),
    ("ngày 01/01 âm lịch", When(ON_LUNAR_DAY, day=1, month=1)),
    ("ngay 15/8 am lich", When(ON_LUNAR_DAY, day=15, month=8)),
    ("on 01/01 lunar", When(ON_LUNAR_DAY, day=1, month=1)),
    ("ngày 30/12 âm lịch", When(ON_LUNAR_DAY, day=30, month=12)),
    ("không quay lại sau 90 ngày", When(NO_RETURN, days=90)),
    ("ko quay lai sau 60 ngay", When(NO_RETURN, days=60)),
    ("no return after 90 days", When(NO_RETURN, days=90)),
    # what careloop cannot read: said in the row's note, with examples
    ("", None),
    ("thỉnh thoảng", None),
    ("ngày 31/02", None),
    ("ngày 32/1", None),
    ("ngày 31/12 âm lịch", None),
    ("sau 99999 ngày", None),
    ('=HYPERLINK("http://x")', None),
    ("trước một ngày", None),
]


@pytest.mark.parametrize("text, expected", WHEN_TABLE)
def test_when_as_staff_write_it(text, expected):
    assert read_when(text) == expected


def days(when, anchor, first, last):
    return [(o.day, o.period) for o in occurrences(when, anchor, first, last)]


def test_a_reminder_falls_before_the_date_and_is_once_per_date():
    appointment = date(2026, 12, 10)
    assert days(When(BEFORE, days=1), appointment, date(2026, 12, 1), date(2026, 12, 31)) == [
        (date(2026, 12, 9), "2026-12-10")
    ]


def test_a_check_in_falls_after_the_purchase():
    assert days(When(AFTER, days=7), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 23)) == [
        (date(2026, 11, 23), "2026-11-16")
    ]


def test_yearly_on_the_day_and_month_29_february_on_28_in_other_years():
    assert days(When(YEARLY), Birthday(2, 29, 2000), date(2027, 2, 1), date(2027, 3, 1)) == [
        (date(2027, 2, 28), "2027")
    ]
    assert days(When(YEARLY), Birthday(2, 29), date(2028, 2, 1), date(2028, 3, 1)) == [(date(2028, 2, 29), "2028")]


def test_tet_2027_is_6_february():
    assert days(When(ON_LUNAR_DAY, day=1, month=1), None, date(2027, 1, 1), date(2027, 12, 31)) == [
        (date(2027, 2, 6), "2027")
    ]


def test_a_lunar_birthday_moves_with_the_moon():
    # born 15/8 âm lịch 1990 (3 October 1990): Tết Trung thu's day, 25 September 2026 and 15 September 2027
    born = date(1990, 10, 3)
    assert days(When(YEARLY_LUNAR), born, date(2026, 1, 1), date(2027, 12, 31)) == [
        (date(2026, 9, 25), "2026"),
        (date(2027, 9, 15), "2027"),
    ]


def test_a_fixed_day_across_a_new_year_window():
    assert days(When(ON_DAY, day=31, month=12), None, date(2026, 12, 30), date(2027, 1, 2)) == [
        (date(2026, 12, 31), "2026")
    ]


# Conditions: the customer's cell as staff typed it → whether "Xưng hô = chị, cô, bà" holds.
CONDITION_TABLE = [
    ("chị", True),
    ("Chị", True),
    ("chi", True),
    ("CÔ", True),
    ("bà", True),
    ("anh", False),
    ("ông", False),
    ("", False),
    (None, False),
    ("chị Lan", False),  # a name is not a salutation
]


@pytest.mark.parametrize("cell, holds", CONDITION_TABLE)
def test_a_condition_on_the_salutation(cell, holds):
    condition = Condition("Xưng hô", 2, condition_values("chị, cô, bà"))
    assert condition.holds(cell) is holds


@pytest.mark.parametrize("cell, holds", [(True, True), (False, False), ("x", True), ("có", True), ("", False)])
def test_a_ticked_checkbox_reads_as_co(cell, holds):
    assert Condition("VIP", 13, condition_values("có")).holds(cell) is holds


def test_conditions_split_at_semicolons_and_a_part_without_equals_is_kept_to_be_named():
    assert split_conditions("Xưng hô = chị, cô; VIP = có") == [("Xưng hô", "chị, cô"), ("VIP", "có")]
    assert split_conditions("Chi nhánh Quận 1") == ["Chi nhánh Quận 1"]
    assert cell_word("Quận 1") == "quan 1"
