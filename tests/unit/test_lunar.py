"""The Vietnamese lunar calendar (issue 35, its first part): computed for UTC+7, checked against the
Tết dates Vietnam's calendars publish — including the years Vietnam and China differ — a leap month,
and the yearly rule for a 30th in a 29-day month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from functions.core.lunar import LunarDay, lunar_of, solar_of, tet, yearly

# Tết Nguyên Đán as Vietnam's calendars print it (2007: 17/2 in Vietnam, 18/2 in China; 2030: 2/2, not 3/2).
TET = {
    2007: date(2007, 2, 17), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 2),
    2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19),
    2035: date(2035, 2, 8), 2036: date(2036, 1, 28), 2037: date(2037, 2, 15), 2038: date(2038, 2, 4),
    2039: date(2039, 1, 24), 2040: date(2040, 2, 12),
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(TET))
def test_tet_falls_where_vietnams_calendar_puts_it(year):
    assert tet(year) == TET[year]
    assert lunar_of(TET[year]) == LunarDay(1, 1, year) and lunar_of(TET[year] - timedelta(days=1)).year == year - 1


def test_a_leap_month_is_its_own_month():
    """2025 (Ất Tỵ) has a leap sixth month, from 25/7/2025."""
    assert lunar_of(date(2025, 7, 24)) == LunarDay(30, 6, 2025)
    assert lunar_of(date(2025, 7, 25)) == LunarDay(1, 6, 2025, leap=True)
    assert solar_of(LunarDay(1, 6, 2025, leap=True)) == date(2025, 7, 25)
    assert solar_of(LunarDay(1, 6, 2026, leap=True)) is None  # 2026 has no leap sixth month
    assert yearly(1, 6, 2025) == date(2025, 6, 25)  # a yearly date keeps to the month of its number


def test_every_day_round_trips():
    day = date(2024, 1, 1)
    while day < date(2027, 1, 1):
        assert solar_of(lunar_of(day)) == day
        day += timedelta(days=1)


def test_a_30th_falls_on_the_last_day_of_a_29_day_month():
    month_lengths = {}
    for month in range(1, 13):
        month_lengths[month] = 30 if solar_of(LunarDay(30, month, 2026)) else 29
    short = next(m for m, length in month_lengths.items() if length == 29)
    assert solar_of(LunarDay(30, short, 2026)) is None
    assert yearly(30, short, 2026) == solar_of(LunarDay(29, short, 2026))
    with pytest.raises(ValueError):
        yearly(31, 1, 2026)
