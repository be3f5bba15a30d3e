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


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26: `column_letters` undone."""
    return sum((ord(letter) - 64) * 26**power for power, letter in enumerate(reversed(letters.upper()))) - 1


def cell_position(a1: str) -> tuple[str, int, int]:
    """'Khách hàng'!C5 → ("Khách hàng", 5, 2): the tab, the row (from 1) and the column (from 0)."""
    where, _, cell = a1.rpartition("!")
    letters = cell.rstrip("0123456789")
    return where[1:-1].replace("''", "'"), int(cell[len(letters) :]), column_index(letters)
