"""Text helpers shared by header matching, triage and name handling (pure)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z*]+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse white space.

    "Ngày  Sinh" → "ngay sinh". Used wherever staff-typed words are compared.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def header_key(text: str) -> str:
    """A header reduced to letters and digits: "Mã KH" → "makh", "E-mail" → "email"."""
    return _NON_ALNUM.sub("", fold(text))


def cell_text(value: object) -> str:
    """The text staff see in a cell, trimmed; numbers typed as numbers lose a trailing ".0"."""
    if type(value) is str:  # the common case first: this runs for every cell of every row
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def typed(value: object) -> bool:
    """Whether staff typed something in the cell. Google Sheets reads an unticked checkbox as FALSE,
    and a column of checkboxes runs far below the last customer: FALSE, like white space, is blank."""
    return value is not False and bool(cell_text(value))


def shorten(text: str, limit: int = 60) -> str:
    """Quote-safe short form of a cell for notes, so a 5,000-character cell stays readable."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What no cell may hold: control characters (a workbook refuses them, Google drops or refuses some),
# lone surrogates (no XML or JSON carries them) and the two XML non-characters. Tab and newline stay.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def writable(text: str) -> str:
    """Text as a cell can hold it: line ends as newlines, everything unwritable dropped. Customers'
    words pass through here, so one odd character never stops a run's whole write."""
    if text.isprintable():  # the common case: nothing to look for
        return text
    return _UNWRITABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
