"""What the Sheet port exchanges (plain data): a tab as read, and the changes a run writes back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from functions.core.sheet_schema import ColumnSpec, TabSpec


@dataclass(frozen=True)
class Table:
    """One tab as read: its header row and data rows (row i is sheet row i + 2)."""

    title: str
    header: list[Any]
    rows: list[list[Any]]

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2


@dataclass(frozen=True)
class RowWrite:
    """New values for one row, found by its ID when written (staff sort and insert rows).

    `row_id` is the ID the row had when read; None means the ID cell was blank, and the row is
    then found at `row_number` provided its ID cell is still blank. With `append`, a row whose
    ID is not in the tab (a new case, a new metric) goes below the last row instead; the check
    happens at write time, so two overlapping runs never add the same row twice.
    """

    row_number: int
    row_id: str | None
    values: Mapping[str, Any]  # column key → value; text is always written as text
    append: bool = False


@dataclass(frozen=True)
class TabWrite:
    tab: TabSpec
    id_column: ColumnSpec
    rows: Sequence[RowWrite]
    header_language: str = "vi"  # language of the headers of columns the write must create
