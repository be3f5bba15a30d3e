from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from functions.core.business_calendar import BusinessCalendar, parse_working_hours

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = BusinessCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.mark.parametrize(
    "start, hours, due",
    [
        ("2026-11-20T16:00", 4, "2026-11-21T10:30"),  # Friday 16:00 + 4 h → Saturday 10:30
        ("2026-11-20T10:00", 1, "2026-11-20T11:00"),
        ("2026-11-20T11:30", 1, "2026-11-20T14:00"),  # over the lunch break
        ("2026-11-20T12:30", 1, "2026-11-20T14:30"),  # opened during lunch
        ("2026-11-20T19:00", 1, "2026-11-21T09:00"),  # after hours
        ("2026-11-21T11:00", 2, "2026-11-23T09:00"),  # Saturday morning → Monday (Sunday closed)
        ("2026-11-23T16:00", 4, "2026-11-25T10:30"),  # 24/11/2026 is a public holiday (Vietnam Cultural Day)
        ("2026-02-14T11:00", 2, "2026-02-21T09:00"),  # Saturday before Tết → Saturday after the Tết days
        ("2026-11-20T08:00", 0, "2026-11-20T08:00"),
        ("2026-11-20T17:30", 0, "2026-11-21T08:00"),
        ("2026-11-20T09:00", 24, "2026-11-25T14:30"),  # Fri 7, Sat 4, Mon 8, Tue a holiday, Wed 5
    ],
)
def test_adding_business_hours(start, hours, due):
    assert CALENDAR.add(at(start), hours) == at(due)


def test_adding_from_another_time_zone():
    utc = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("UTC"))  # 16:00 in Hà Nội
    assert CALENDAR.add(utc, 4) == at("2026-11-21T10:30")


@pytest.mark.parametrize(
    "start, end, hours",
    [
        ("2026-11-20T16:00", "2026-11-21T10:30", 4),
        ("2026-11-20T12:00", "2026-11-20T13:30", 0),
        ("2026-11-21T12:00", "2026-11-23T08:00", 0),
        ("2026-11-20T10:00", "2026-11-20T09:00", 0),
        ("2026-11-23T17:00", "2026-11-25T09:00", 1.5),
    ],
)
def test_business_time_between(start, end, hours):
    assert CALENDAR.between(at(start), at(end)) == timedelta(hours=hours)


def test_open_and_closed():
    assert CALENDAR.is_open(at("2026-11-20T10:00")) and not CALENDAR.is_open(at("2026-11-20T12:15"))
    assert not CALENDAR.is_open(at("2026-11-22T10:00")) and not CALENDAR.is_open(at("2026-11-24T10:00"))


def test_working_hours_are_a_setting():
    calendar = BusinessCalendar(hours="mon-sun 00:00-23:59")
    assert calendar.add(at("2026-11-22T10:00"), 2) == at("2026-11-22T12:00")
    assert parse_working_hours("mon 08:00-12:00")[0][0][1].hour == 12


@pytest.mark.parametrize(
    "text",
    ["weekdays 8-5", "mon-fri 08:00", "mon-fri 12:00-08:00", "xyz 08:00-12:00", "", "mon 13:00-17:00 08:00-12:00"],
)
def test_bad_working_hours(text):
    with pytest.raises(ValueError, match="expected|out of order|no working hours"):
        parse_working_hours(text)
