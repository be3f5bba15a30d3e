"""A1 notation for the Sheets API (pure)."""

from __future__ import annotations


def quoted(title: str) -> str:
    """A tab title as a range prefix: 'Khách hàng', with quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
