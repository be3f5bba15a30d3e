"""Reading single cell values: dates, phones, emails, ticks, languages, channels (pure).

Each reader returns the value or raises CellError with a message code from `i18n`. Readers
accept what a sheet really holds: real dates, serial numbers, numbers typed for phones, text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from functions.core.text import cell_text, fold

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


def read_day_month(value: object, order: str, today: date) -> Birthday:
    """A yearly date (an anniversary, a warranty's day): its day and month, the year when typed, in
    the past or the future."""
    year, month, day = _date_parts(value, order, today.year)
    return Birthday(month, day, year)


def read_date(value: object, order: str, today: date) -> date:
    year, month, day = _date_parts(value, order, today.year)
    if year is None:
        raise CellError("date_needs_year")
    return date(year, month, day)


def read_phone(value: object, region: str) -> str:
    """E.164 ("+84912345678"). A number typed as a number lost its leading 0: still fine."""
    return _phone_reader(region)(value)


def _read_phone_library(text: str, region: str) -> str:
    import phonenumbers  # imported here: only runs that read phones pay for it

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise CellError("phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise CellError("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_SEVERAL = re.compile(r"[;,/\n]")
_SEPARATORS = str.maketrans("", "", " .-()\t")
_PHONE_TEXT = re.compile(r"[0-9 .\-()+\t]+")  # what a phone number is typed with


@lru_cache(maxsize=16)
def _phone_reader(region: str) -> Callable[[object], str]:
    """A phone reader for one region.

    The usual forms ("0912 345 678", "+84 912…", 912345678) skip phonenumbers' parser and go
    straight to a validity check built from phonenumbers' own metadata; everything else goes
    through phonenumbers itself. Same verdicts at a fraction of the cost, which matters on a
    100,000-row sheet; tests/test_values_fast_paths.py compares both on random input.
    """
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    plain_forms = (
        metadata is not None
        and metadata.national_prefix == "0"
        and not metadata.national_prefix_transform_rule
        and metadata.national_prefix_for_parsing in (None, "0")
    )
    code = str(metadata.country_code) if metadata else ""
    plain = re.compile(rf"(?:\+{code}|0)([1-9]\d{{6,11}})")
    valid = _validity(metadata) if plain_forms else None

    def read(value: object) -> str:
        text = cell_text(value)
        if _SEVERAL.search(text):  # two numbers in one cell: which one is meant?
            raise CellError("phone_invalid")
        if not _PHONE_TEXT.fullmatch(text):  # "0912 ABC 678" (the library reads letters as keypad digits), "=09…"
            raise CellError("phone_invalid")
        if valid is not None:
            if isinstance(value, (int, float)):
                # The leading 0 was eaten; one that starts like the country code is ambiguous.
                plain_number = text.isdigit() and 7 <= len(text) <= 11 and not text.startswith(code)
                national = text if plain_number else None
            else:
                match = plain.fullmatch(text.translate(_SEPARATORS))
                national = match[1] if match else None
            if national is not None:
                if not valid(national):
                    raise CellError("phone_invalid")
                return f"+{code}{national}"
        return _read_phone_library(text, region)

    return read


def _validity(metadata: Any) -> Callable[[str], bool]:  # phonenumbers' PhoneMetadata (untyped)
    """phonenumbers' is_valid_number for a region's national numbers, with the region's patterns
    compiled once: the number fits the general description (length and pattern) and the
    description of at least one number type, as phonenumbers' `_number_type_helper` decides."""

    def compiled(desc: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
        if desc is None or not desc.national_number_pattern:
            return None
        return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)

    general = compiled(metadata.general_desc)
    # Any type makes a number valid, so the order is free: the usual ones first.
    types = [
        c
        for d in (
            metadata.mobile,
            metadata.fixed_line,
            metadata.premium_rate,
            metadata.toll_free,
            metadata.shared_cost,
            metadata.voip,
            metadata.personal_number,
            metadata.pager,
            metadata.uan,
            metadata.voicemail,
        )
        if (c := compiled(d))
    ]

    def fits(national: str, desc: tuple[frozenset[int], re.Pattern[str]]) -> bool:
        lengths, pattern = desc
        return (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None

    def valid(national: str) -> bool:
        if general is None or not fits(national, general):
            return False
        for desc in types:
            if fits(national, desc):
                return True
        return False

    return valid


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_EMAIL = re.compile(
    rf"{_ATOM}(?:\.{_ATOM})*@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}})"
)


def read_email(value: object) -> str:
    """Syntax only (no DNS): a run must not depend on the network to read its sheet.

    Plain ASCII addresses are checked by one regular expression plus email-validator's own
    length and special-use-domain rules; anything else goes through email-validator itself.
    """
    text = cell_text(value)
    match = _PLAIN_EMAIL.fullmatch(text)
    if match:
        at = match.start(1)  # where the domain starts, just after the "@"
        domain = match[1].lower()
        if len(text) <= 254 and at <= 65 and len(domain) <= 253 and "--" not in domain and not _special_use(domain):
            return text[:at] + domain
    return _read_email_library(text)


def _special_use(domain: str) -> bool:
    """email-validator refuses special-use domains (RFC 6761: .test, .local, …)."""
    names, any_dotted = _special_use_names()
    if domain.rpartition(".")[2] in names:
        return True
    return any_dotted and any(domain == name or domain.endswith("." + name) for name in names)


@lru_cache(maxsize=1)
def _special_use_names() -> tuple[frozenset[str], bool]:
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    return frozenset(SPECIAL_USE_DOMAIN_NAMES), any("." in name for name in SPECIAL_USE_DOMAIN_NAMES)


def _read_email_library(text: str) -> str:
    """An address as mail servers take it: the domain in punycode. A non-ASCII part before the @
    needs SMTPUTF8, which most servers lack: a problem for staff, not a send that fails."""
    from email_validator import EmailNotValidError, validate_email

    if not text.rpartition("@")[0].isascii():
        raise CellError("email_not_ascii")
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise CellError("email_invalid") from None
    return str(result.ascii_email or result.normalized)


_TICKED = {"true", "x", "v", "✓", "✔", "☑", "co", "yes", "y", "1", "da", "dung", "da dung"}
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


def tick_or(value: object, default: bool) -> bool:
    """A checkbox in a tab careloop keeps (Active, Used, Called): blank or unreadable reads as `default`,
    since such a cell is staff's to fix and never worth stopping a row over."""
    if value is None or (type(value) is str and not value.strip()):
        return default
    try:
        return read_tick(value)
    except CellError:
        return default


_LANGUAGES = {
    **dict.fromkeys(("vi", "vn", "viet", "tieng viet", "vietnamese"), "vi"),
    **dict.fromkeys(("en", "eng", "english", "tieng anh", "anh"), "en"),
}


def read_language(value: object, default: str) -> str:
    return _one_of(value, _LANGUAGES, "language_unknown") or default


CALL = "phone"  # a row cared for by a staff call, not by a message
_CALL_WORDS = dict.fromkeys(("phone", "goi dien", "dien thoai", "call"), CALL)
CHANNEL_LIST = re.compile(r"\s*[,;/>+]\s*|\s+(?:roi|sau do|then)\s+")  # "a, b", "a rồi b", "a then b"


def read_channels(value: object, channel_words: Mapping[str, str]) -> tuple[str, ...] | None:
    """The channels staff chose, in order ("email, phone call"), or None when blank (the caller picks).
    `channel_words`: what staff may type (folded) → the channel's name (each channel's spec says)."""
    words = [w for w in CHANNEL_LIST.split(fold(cell_text(value))) if w]
    if not words:
        return None
    known = {**channel_words, **_CALL_WORDS}
    chosen: list[str] = []
    for word in words:
        channel = _one_of(word, known, "channel_unknown")
        if channel and channel not in chosen:
            chosen.append(channel)
    return tuple(chosen)


def _one_of(value: object, words: Mapping[str, str], code: str) -> str | None:
    """The word staff typed, in any case and with or without diacritics, as careloop names it;
    None when blank; CellError(code) for a word it does not know."""
    word = fold(cell_text(value))
    if not word:
        return None
    if word in words:
        return words[word]
    raise CellError(code)
