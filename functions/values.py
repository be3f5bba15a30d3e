"""Reading single cell values: dates, phones, emails, ticks, languages, channels (pure).

Each reader returns the value or raises CellError with a message code from `i18n`. Readers
accept what a sheet really holds: real dates, serial numbers, numbers typed for phones, text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from .text import cell_text, fold

SHEETS_EPOCH = date(1899, 12, 30)  # serial 0 in Google Sheets and Excel (1900 system)
DATE_ORDERS = ("DMY", "MDY", "YMD")
PATTERNS = {"DMY": "dd/mm/yyyy", "MDY": "mm/dd/yyyy", "YMD": "yyyy-mm-dd"}

_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T][\d:.]*)?")
_YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_NO_YEAR = re.compile(r"(\d{1,2})[-/.](\d{1,2})")


class CellError(ValueError):
    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True, slots=True)
class Birthday:
    """Day and month of birth; the year is optional (staff often know only the day)."""

    month: int
    day: int
    year: int | None = None

    def falls_on(self, today: date) -> bool:
        """29 February is celebrated on 28 February in years without one."""
        if (self.month, self.day) == (today.month, today.day):
            return True
        return (self.month, self.day) == (2, 29) and (today.month, today.day) == (2, 28) and not _is_leap(today.year)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _full_year(two_digits: int, this_year: int) -> int:
    year = 2000 + two_digits
    return year if year <= this_year else year - 100


def _checked(year: int | None, month: int, day: int) -> tuple[int | None, int, int]:
    # A year-less date is checked against a leap year so 29/02 stays valid.
    try:
        date(year if year is not None else 2000, month, day)
    except ValueError:
        raise CellError("date_invalid") from None
    return year, month, day


@lru_cache(maxsize=65536)
def _parse_date_text(text: str, order: str, this_year: int) -> tuple[int | None, int, int]:
    """(year or None, month, day) from typed text. Cached: a sheet repeats dates a lot."""
    if m := _YEAR_FIRST.fullmatch(text):
        return _checked(int(m[1]), int(m[2]), int(m[3]))
    if order != "YMD" and (m := _YEAR_LAST.fullmatch(text)):
        first, second, year = int(m[1]), int(m[2]), m[3]
        day, month = (first, second) if order == "DMY" else (second, first)
        return _checked(int(year) if len(year) == 4 else _full_year(int(year), this_year), month, day)
    if m := _NO_YEAR.fullmatch(text):
        first, second = int(m[1]), int(m[2])
        month, day = (second, first) if order == "DMY" else (first, second)
        return _checked(None, month, day)
    raise CellError("date_unreadable", pattern=PATTERNS[order])


def _date_parts(value: object, order: str, this_year: int) -> tuple[int | None, int, int]:
    if isinstance(value, datetime):
        return value.year, value.month, value.day
    if isinstance(value, date):
        return value.year, value.month, value.day
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # serials Sheets can show as a date (up to 9999-12-31)
            raise CellError("date_unreadable", pattern=PATTERNS[order])
        d = SHEETS_EPOCH + timedelta(days=int(value))
        return d.year, d.month, d.day
    return _parse_date_text(cell_text(value), order, this_year)


def read_birthday(value: object, order: str, today: date) -> Birthday:
    year, month, day = _date_parts(value, order, today.year)
    if year is not None and date(year, month, day) > today:
        raise CellError("date_future")
    return Birthday(month, day, year)


def read_date(value: object, order: str, today: date) -> date:
    year, month, day = _date_parts(value, order, today.year)
    if year is None:
        raise CellError("date_needs_year")
    return date(year, month, day)


def read_phone(value: object, region: str) -> str:
    """E.164 ("+84912345678"). A number typed as a number lost its leading 0: still fine."""
    import phonenumbers  # imported here: only runs that read phones pay for it

    text = cell_text(value)
    if any(mark in text for mark in ";,/\n"):  # two numbers in one cell: which one is meant?
        raise CellError("phone_invalid")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise CellError("phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise CellError("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def read_email(value: object) -> str:
    """Syntax only (no DNS): a run must not depend on the network to read its sheet."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(cell_text(value), check_deliverability=False).normalized
    except EmailNotValidError:
        raise CellError("email_invalid") from None


_TICKED = {"true", "x", "v", "✓", "✔", "☑", "co", "yes", "y", "1", "da", "dung"}
_UNTICKED = {"false", "", "khong", "no", "n", "0", "☐", "sai"}


def read_tick(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(cell_text(value))
    if word in _TICKED:
        return True
    if word in _UNTICKED:
        return False
    raise CellError("checkbox_unreadable")


_LANGUAGES = {
    "vi": "vi", "vn": "vi", "viet": "vi", "tieng viet": "vi", "vietnamese": "vi",
    "en": "en", "eng": "en", "english": "en", "tieng anh": "en", "anh": "en",
}


def read_language(value: object, default: str) -> str:
    word = fold(cell_text(value))
    if not word:
        return default
    if word in _LANGUAGES:
        return _LANGUAGES[word]
    raise CellError("language_unknown")


_CHANNELS = {
    "email": "email", "e-mail": "email", "mail": "email", "thu": "email", "thu dien tu": "email",
    "sms": "sms", "tin nhan": "sms", "nhan tin": "sms",
    "zalo": "zalo",
}
CHANNELS = ("email", "sms", "zalo")


def read_channel(value: object) -> str | None:
    """The channel staff chose, or None when blank (the caller picks from the addresses)."""
    word = fold(cell_text(value))
    if not word:
        return None
    if word in _CHANNELS:
        return _CHANNELS[word]
    raise CellError("channel_unknown")
