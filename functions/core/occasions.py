"""An occasion of the care plan (pure): when it falls for a customer, to whom it goes, and how.

A Care plan row's `Khi nào` is read into a `When` (case and diacritics ignored, Vietnamese or
English); its `Điều kiện` into conditions on the customer's cells; `occurrences` gives the days a
rule falls on for a customer's date, each with the period that makes it once ("2027" for a yearly
occasion, the date it counts from for a reminder), so the ledger's key sends it once per occurrence.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from functions.core import lunar
from functions.core.text import cell_text, fold
from functions.core.values import Birthday

BEFORE, AFTER, NO_RETURN = "before", "after", "no_return"
YEARLY, YEARLY_LUNAR, ON_DAY, ON_LUNAR_DAY = "yearly", "yearly_lunar", "on_day", "on_lunar_day"
RELATIVE = frozenset({BEFORE, AFTER, NO_RETURN})  # counted from a date of the row: caught up after a missed run
FIXED = frozenset({ON_DAY, ON_LUNAR_DAY})  # the same day for everyone: no date column
DAYS_LIMIT = 3650  # "sau 20000 ngày" is a typing slip, not a plan

# How a row's `Khi nào` may be written, folded (no case, no diacritics). "(am lich|al|lunar)": the lunar calendar.
_N, _DAYS = r"(\d{1,5})", r"(?:ngay|days?)"
_LUNAR = r"\s*\(?(?:am lich|al|lunar)\)?"
_WHEN_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), rule)
    for pattern, rule in (
        (rf"(?:khong|ko|k|chua) quay lai (?:sau|trong) {_N} {_DAYS}|no return (?:after|in|for) {_N} {_DAYS}",
         NO_RETURN),
        (rf"truoc {_N} {_DAYS}|{_N} {_DAYS} (?:truoc|before)|before {_N} {_DAYS}", BEFORE),
        (rf"sau {_N} {_DAYS}|{_N} {_DAYS} (?:sau|after)|after {_N} {_DAYS}", AFTER),
        (rf"(?:hang nam|moi nam|yearly|every year|annually){_LUNAR}|(?:lunar yearly|yearly by the lunar calendar)",
         YEARLY_LUNAR),
        (r"hang nam|moi nam|yearly|every year|annually", YEARLY),
        (rf"(?:ngay |on )?(\d{{1,2}})\s*/\s*(\d{{1,2}}){_LUNAR}", ON_LUNAR_DAY),
        (r"(?:ngay |on )?(\d{1,2})\s*/\s*(\d{1,2})", ON_DAY),
    )
)  # fmt: skip
WHEN_EXAMPLES = "trước 1 ngày, sau 7 ngày, hằng năm, hằng năm âm lịch, ngày 20/10, ngày 01/01 âm lịch, " \
    "không quay lại sau 90 ngày"  # fmt: skip


class When(NamedTuple):
    rule: str
    days: int = 0  # BEFORE, AFTER, NO_RETURN
    day: int = 0  # ON_DAY, ON_LUNAR_DAY
    month: int = 0

    @property
    def needs_column(self) -> bool:
        return self.rule not in FIXED

    @property
    def needs_year(self) -> bool:
        """A date whose year must be known: a lunar date is found from the solar day, a reminder from the day."""
        return self.rule in RELATIVE or self.rule == YEARLY_LUNAR


def read_when(text: str) -> When | None:
    """The rule a `Khi nào` cell says; None when careloop cannot read it (the row's note then gives examples)."""
    words = fold(text).strip(" .")
    for pattern, rule in _WHEN_PATTERNS:
        if match := pattern.fullmatch(words):
            numbers = [int(g) for g in match.groups() if g is not None]
            if rule in FIXED:
                day, month = numbers
                valid = 1 <= month <= 12 and 1 <= day <= (30 if rule == ON_LUNAR_DAY else _month_days(month))
                return When(rule, day=day, month=month) if valid else None
            if rule in RELATIVE:
                return When(rule, days=numbers[0]) if numbers[0] <= DAYS_LIMIT else None
            return When(rule)
    return None


def _month_days(month: int) -> int:
    return calendar.monthrange(2000, month)[1]  # a leap year: 29/02 is a day to celebrate


# ---- conditions ------------------------------------------------------------------------------

_TICKS = {"co": "co", "yes": "co", "x": "co", "true": "co", "da": "co", "dung": "co", "1": "co",
          "khong": "khong", "no": "khong", "false": "khong", "0": "khong", "": "khong"}  # fmt: skip


class Condition(NamedTuple):
    column: str  # the Customers column as staff named it
    position: int  # where it is in the Customers tab
    values: frozenset[str]  # what it may hold, folded ("chi", "co")

    def holds(self, cell: Any) -> bool:
        return cell_word(cell) in self.values


def cell_word(cell: Any) -> str:
    """A cell as a condition compares it: folded words, a ticked checkbox as "co" (có), unticked "khong"."""
    if isinstance(cell, bool):
        return "co" if cell else "khong"
    word = fold(cell_text(cell))
    return _TICKS.get(word, word)


def condition_values(text: str) -> frozenset[str]:
    """`chị, cô, bà` → {"chi", "co", "ba"}; "có" and a tick alike."""
    return frozenset(cell_word(part) for part in re.split(r"[,/|]", text) if part.strip())


def split_conditions(text: str) -> list[tuple[str, str] | str]:
    """`Xưng hô = chị, cô; VIP = có` → [("Xưng hô", "chị, cô"), ("VIP", "có")]; a part without '=' is
    returned as its text (the row's note quotes it)."""
    parts: list[tuple[str, str] | str] = []
    for part in (p.strip() for p in re.split(r"[;\n]", text) if p.strip()):
        column, equals, values = part.partition("=")
        parts.append((column.strip(), values.strip()) if equals and column.strip() and values.strip() else part)
    return parts


# ---- when an occasion falls ------------------------------------------------------------------------


@dataclass(frozen=True)
class Occasion:
    """One occasion of the care plan: a Care plan row, or one of the defaults a sheet without the tab runs."""

    name: str  # as staff wrote it: "Sinh nhật", "Nhắc lịch hẹn"
    kind: str  # the message kind: "birthday", "checkin", or "dip-<name>" (the ledger's keys start with it)
    when: When
    order: int  # its place in the tab: when two fall on one day for a customer, the first goes first
    source: str = ""  # where its date is: "birthday", "purchase_date", COLUMN, or "" for a fixed day
    position: int = -1  # the Customers column, for COLUMN
    column: str = ""  # the date column as staff named it
    conditions: tuple[Condition, ...] = ()
    advert: bool = False  # an advert: only to customers who consented, labelled [QC]
    survey: bool = False  # carries the CSAT survey (throttled)
    voucher: bool = False  # carries a voucher, to customers who consented
    row: int | None = None  # its Care plan row; None: a default

    def catchup(self, days: int) -> int:
        """How many days late it may still go: a reminder never after the day it reminds of."""
        return min(days, self.when.days) if self.when.rule == BEFORE else days


COLUMN = "column"


class Occurrence(NamedTuple):
    day: date  # the day the occasion falls on
    period: str  # what makes it once: the year, the lunar year, or the date it counts from
    date: date | Birthday | None  # the date its {ngay} says


def occurrences(when: When, anchor: date | Birthday | None, first: date, last: date) -> list[Occurrence]:
    """The days in [first, last] the rule falls on, for a customer whose date is `anchor` (a date, a
    day and month for a yearly rule, None for a fixed day)."""
    found: list[Occurrence] = []
    if when.rule in RELATIVE:
        if not isinstance(anchor, date):
            return []
        day = anchor - timedelta(days=when.days) if when.rule == BEFORE else anchor + timedelta(days=when.days)
        found.append(Occurrence(day, anchor.isoformat(), anchor))
    elif when.rule == YEARLY and anchor is not None:
        month, day_of = (anchor.month, anchor.day)
        for year in range(first.year, last.year + 1):
            found.append(Occurrence(_solar_day(year, month, day_of), str(year), anchor))
    elif when.rule == ON_DAY:
        for year in range(first.year, last.year + 1):
            day = _solar_day(year, when.month, when.day)
            found.append(Occurrence(day, str(year), day))
    elif when.rule in (YEARLY_LUNAR, ON_LUNAR_DAY):
        if when.rule == YEARLY_LUNAR:
            if not isinstance(anchor, date):
                return []
            born = _lunar_of(anchor)
            day_of, month = born.day, born.month
        else:
            day_of, month = when.day, when.month
        for year in range(_lunar_of(first).year, _lunar_of(last).year + 1):
            day = _lunar_yearly(day_of, month, year)
            found.append(Occurrence(day, str(year), anchor if when.rule == YEARLY_LUNAR else day))
    return [o for o in found if first <= o.day <= last]


Finder = Callable[[date | Birthday | None], list[Occurrence]]


def occurrence_finder(when: When, first: date, last: date) -> Finder:
    """`occurrences` for one rule and window, for many customers: what cannot fall in the window is
    told apart by a comparison (a day and month not in it, a date too far), a fixed day is worked out once."""
    if when.rule in FIXED:
        fixed = occurrences(when, None, first, last)
        return lambda anchor: fixed
    if when.rule in RELATIVE:
        shift = timedelta(days=-when.days if when.rule == BEFORE else when.days)
        low, high = first - shift, last - shift  # the anchors whose day falls in the window

        def relative(anchor: date | Birthday | None) -> list[Occurrence]:
            if not isinstance(anchor, date) or not low <= anchor <= high:
                return []
            return occurrences(when, anchor, first, last)

        return relative
    if when.rule == YEARLY:
        span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        days = {(d.month, d.day) for d in span} | (
            {(2, 29)} if any((d.month, d.day) == (2, 28) for d in span) else set()
        )

        def yearly(anchor: date | Birthday | None) -> list[Occurrence]:
            if anchor is None or (anchor.month, anchor.day) not in days:
                return []
            return occurrences(when, anchor, first, last)

        return yearly
    memo: dict[date | Birthday | None, list[Occurrence]] = {}

    def lunar_yearly(anchor: date | Birthday | None) -> list[Occurrence]:
        if anchor not in memo:
            memo[anchor] = occurrences(when, anchor, first, last)
        return memo[anchor]

    return lunar_yearly


def _solar_day(year: int, month: int, day: int) -> date:
    """29 February falls on 28 February in years without one."""
    if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return date(year, 2, 28)
    return date(year, month, day)


@lru_cache(maxsize=65536)
def _lunar_of(day: date) -> lunar.LunarDay:
    return lunar.lunar_of(day)


@lru_cache(maxsize=8192)
def _lunar_yearly(day: int, month: int, year: int) -> date:
    return lunar.yearly(day, month, year)


def date_text(value: date | Birthday | None) -> str | None:
    """{ngay}: dd/mm/yyyy, or dd/mm for a day and month without a year."""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Birthday):
        return f"{value.day:02d}/{value.month:02d}" + (f"/{value.year}" if value.year else "")
    return None
