"""Working hours and Vietnamese public holidays: adding business hours to a moment, and measuring
business time between two moments (pure; the holidays package is data, not I/O)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from functions.core.i18n import both

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = "mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00"


def parse_working_hours(text: str) -> dict[int, tuple[tuple[time, time], ...]]:
    """ "mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00" → weekday → periods. Raises ValueError."""
    week: dict[int, tuple[tuple[time, time], ...]] = {}
    for part in filter(None, (p.strip() for p in text.lower().split(";"))):
        match = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(.+)", part)
        if not match or match[1] not in DAYS or (match[2] and match[2] not in DAYS):
            raise ValueError(f"'{part}': {both('hours_week_format')}")
        first, last = DAYS.index(match[1]), DAYS.index(match[2] or match[1])
        periods: list[tuple[time, time]] = []
        for span in match[3].split():
            hours = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", span)
            if not hours:
                raise ValueError(f"'{span}': {both('hours_format')}")
            start, end = time(int(hours[1]), int(hours[2])), time(int(hours[3]), int(hours[4]))
            if not start < end or (periods and start < periods[-1][1]):
                raise ValueError(f"'{span}': {both('hours_out_of_order')}")
            periods.append((start, end))
        for day in range(first, last + 1):
            week[day] = tuple(periods)
    if not week:
        raise ValueError(both("hours_none"))
    return week


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(_holiday_names(country, year, "vi"))


@lru_cache(maxsize=64)
def _holiday_names(country: str, year: int, language: str) -> dict[date, str]:
    import holidays

    names = holidays.country_holidays(country, years=year, language="en_US" if language == "en" else language)
    return dict(names.items())


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "Asia/Ho_Chi_Minh"
    hours: str = DEFAULT_HOURS
    country: str = "VN"
    week: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "week", parse_working_hours(self.hours))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if day in _holidays(self.country, day.year):
            return ()
        zone = self.zone
        return tuple(
            (datetime.combine(day, a, zone), datetime.combine(day, b, zone))
            for a, b in self.week.get(day.weekday(), ())
        )

    def holiday(self, day: date, language: str = "vi") -> str | None:
        """The public holiday's name on `day`, if it is one."""
        return _holiday_names(self.country, day.year, language).get(day)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(a <= local < b for a, b in self.periods(local.date()))

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `start` (an aware datetime)."""
        left = timedelta(hours=hours)
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(3660):  # ten years of days: a calendar with no working hours ends here
            for a, b in self.periods(day):
                begin = max(a, local)
                if begin >= b:
                    continue
                if begin + left <= b:
                    return begin + left
                left -= b - begin
            day += timedelta(days=1)
        raise ValueError("no working hours in the calendar")

    def deadline(self, start: datetime, hours: float) -> datetime:
        """`add`, to the nearest whole minute: a deadline reads the same in the sheet, an email and a
        report (09:00:59.99 is 09:01 everywhere, not 09:00 in one place and 09:01 in another)."""
        moment = self.add(start, hours) + timedelta(seconds=30)
        return moment.replace(second=0, microsecond=0)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` (zero when end is not after start)."""
        total = timedelta()
        local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
        day = local_start.date()
        while day <= local_end.date():
            for a, b in self.periods(day):
                lo, hi = max(a, local_start), min(b, local_end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total
