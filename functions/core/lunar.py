"""The Vietnamese lunar calendar (pure): lunar dates of solar days and back, computed for Vietnam's
time zone (UTC+7), where it differs from the Chinese calendar (UTC+8) in some years — Tết 2007 was
17 February in Vietnam and 18 February in China; Tết 2030 is 2 February, not 3.

The astronomy is `lunar_vn`'s (Hồ Ngọc Đức's published algorithm, MIT, no dependencies); what a
business means by a yearly lunar date is decided here: a day 30 in a year whose month has 29 days
falls on that month's last day, and a date of a leap month is kept in the month of the same number.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

VIETNAM = 7.0  # hours east of UTC: the time zone Vietnam's calendar is computed for


class LunarDay(NamedTuple):
    day: int  # 1–30
    month: int  # 1–12
    year: int  # the lunar year (Tết of `year` is its 1/1)
    leap: bool = False  # a day of the leap month (tháng nhuận) that follows `month`


def lunar_of(day: date) -> LunarDay:
    """The lunar date of a solar day, as Vietnam's calendars print it."""
    from lunar_vn import solar_to_lunar

    found = solar_to_lunar(day, VIETNAM)
    return LunarDay(found.day, found.month, found.year, bool(found.leap))


def solar_of(lunar: LunarDay) -> date | None:
    """The solar day of a lunar date; None when that lunar year has no such day (a 30th of a
    29-day month, a leap month the year does not have)."""
    from lunar_vn import convert_lunar_to_solar

    try:
        found = convert_lunar_to_solar(lunar.day, lunar.month, lunar.year, int(lunar.leap), VIETNAM)
    except ValueError:
        return None
    return found if lunar_of(found) == lunar else None


def yearly(day: int, month: int, year: int) -> date:
    """The solar day a yearly lunar date (a lunar birthday, a death anniversary, Tết) falls on in lunar
    year `year`: day 30 of a month that has 29 days that year is its 29th."""
    if not (1 <= day <= 30 and 1 <= month <= 12):
        raise ValueError(f"{day}/{month} is not a lunar date")
    found = solar_of(LunarDay(day, month, year)) or (solar_of(LunarDay(29, month, year)) if day == 30 else None)
    if found is None:  # outside the years the calendar is computed for (1900–2100)
        raise ValueError(f"{day}/{month} has no day in lunar year {year}")
    return found


def tet(year: int) -> date:
    """Tết Nguyên Đán: the first day of lunar year `year`."""
    return yearly(1, 1, year)
