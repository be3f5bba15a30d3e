"""The checks each setting's text goes through, and the field that declares a setting (pure).

Each check takes the text as staff or an operator typed it and returns the value, or raises
ValueError in words staff read (vi / en). Used by `functions.settings` and by each channel adapter's
own settings section, so one rule about a URL or a secret holds everywhere.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from functions.core.i18n import both
from functions.core.values import CellError, read_email

LEGAL_HOURS = (time(7, 0), time(22, 0))  # Decree 91/2020: advertising messages 07:00–22:00 only


def hours(text: str) -> tuple[time, time]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*", text)
    if not m or int(m[1]) > 23 or int(m[3]) > 23 or int(m[2]) > 59 or int(m[4]) > 59:
        raise ValueError(both("hours_format"))  # "25:00" too: a clock has no such hour
    start, end = time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))
    if not start < end:
        raise ValueError(both("hours_order"))
    if start < LEGAL_HOURS[0] or end > LEGAL_HOURS[1]:
        raise ValueError(both("hours_legal"))
    return start, end


def one_of(*choices: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        value = text.strip()
        for choice in choices:
            if value.lower() == choice.lower():
                return choice
        raise ValueError(both("need_choice", choices=", ".join(choices)))

    return check


class Bounded:
    """A check of a whole number within bounds, which says its bounds (Terraform validates them too)."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise ValueError(both("need_whole_number")) from None
        if not self.low <= value <= self.high:
            raise ValueError(both("need_range", low=self.low, high=self.high))
        return value


def int_range(low: int, high: int) -> Bounded:
    return Bounded(low, high)


def seconds(most: float) -> Callable[[str], float]:
    """A finite number of seconds above 0 and at most `most` (nan and inf are no time)."""

    def check(text: str) -> float:
        try:
            value = float(str(text).strip())
        except ValueError:
            raise ValueError(both("need_number")) from None
        if not math.isfinite(value) or not 0 < value <= most:
            raise ValueError(both("need_range", low="0", high=f"{most:g}"))
        return value

    return check


def host(text: str) -> str:
    """A host name or IP address alone: no scheme, no port (the port is smtp_port)."""
    value = plain_text(text)
    if value and not re.fullmatch(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]", value):
        raise ValueError(both("need_host"))
    return value


def long_secret(text: str) -> str:
    value = str(text).strip()
    if value and len(value) < 32:
        raise ValueError(both("need_long_secret"))
    return value


def timezone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(both("need_timezone")) from None
    return text.strip()


def region(text: str) -> str:
    import phonenumbers

    if text.strip().upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(both("need_region"))
    return text.strip().upper()


def url(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text.strip()):
        raise ValueError(both("need_url"))
    return text.strip().rstrip("/")


def url_or_empty(text: str) -> str:
    return url(text) if text.strip() else ""


def email_address(text: str) -> str:
    """An address mail servers take, by the same rule as a customer's: ASCII before the @, the
    domain as punycode."""
    value = plain_text(text)
    try:
        return read_email(value)
    except CellError as error:
        raise ValueError(both(error.code, column="email", value=value[:80])) from None


def emails(text: str) -> tuple[str, ...]:
    return tuple(email_address(part) for part in re.split(r"[,;\s]+", text) if part.strip())


def email_or_empty(text: str) -> str:
    return email_address(text) if text.strip() else ""


def working_hours(text: str) -> str:
    from functions.core.business_calendar import parse_working_hours

    parse_working_hours(text)
    return text.strip()


def phrases(text: str) -> tuple[str, ...]:
    phrases = tuple(p.strip() for p in str(text).replace("\n", "|").split("|") if p.strip())
    if not phrases:
        raise ValueError(both("need_phrases"))
    return phrases


def plain_text(text: str) -> str:
    """Any text setting: no line breaks or other control characters (they would reach a header)."""
    value = str(text).strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError(both("no_control"))
    return value


BUSINESS_NAME_LONGEST = 60  # characters: an SMS's first part and Zalo's template parameters must hold it


def business_name(text: str) -> str:
    value = plain_text(text)
    if len(value) > BUSINESS_NAME_LONGEST:
        raise ValueError(both("name_too_long", count=len(value), limit=BUSINESS_NAME_LONGEST))
    return value


def flag(text: str) -> bool:
    return one_of("true", "false")(text.lower()) == "true"


def matching(pattern: str, code: str) -> Callable[[str], str]:
    """A text that is empty or matches `pattern` whole; else the words of `code`."""
    whole = re.compile(pattern)

    def check(text: str) -> str:
        value = text.strip()
        if value and not whole.fullmatch(value):
            raise ValueError(both(code))
        return value

    return check


PROJECT_ID = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"  # a Google Cloud project ID
topic = matching(r"[A-Za-z][\w.~+%-]{2,199}", "need_pubsub_topic")  # a Pub/Sub topic's name
project_or_empty = matching(PROJECT_ID, "need_firestore_project")


def setting(
    default: Any,
    parse: Callable[[str], Any] = plain_text,
    doc: str = "",
    secret: bool = False,
    shown: Callable[[Any], str] | None = None,
    factory: Callable[[], Any] | None = None,
    tab: int = 0,
    example: str = "",
    deploy: str = "",
    default_doc: str = "",
    read_by: tuple[str, ...] = ("send",),
    url_of: str = "",
) -> Any:
    """A setting, declared once. `parse`: the check its text goes through; `doc`: what it means (the
    README's table, Terraform's description); `secret`: shown only as set / not set, deployed as a
    Secret Manager secret; `shown`: how its value is written back as text; `factory`: a default known
    only when a Settings is made (the channels' order: a test may register one); `tab`: its row in
    the sheet's Settings tab (0: staff may not set it there), with `example`, a right value; `deploy`:
    how Terraform sets it — "required" or "env" (a variable passed to every function), "variable" (a
    variable the module wires itself), "" (not deployed); `default_doc`: the default in words when its
    value says nothing ("Application Default Credentials"); `read_by`: which functions read a secret
    ("send": the runs that send; a channel's public function by its name); `url_of`: the setting is
    that public function's URL (Terraform sets it)."""
    metadata = {"parse": parse, "doc": doc, "secret": secret, "shown": shown, "tab": tab, "example": example,
                "deploy": deploy, "default_doc": default_doc, "read_by": read_by, "url_of": url_of}  # fmt: skip
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)
