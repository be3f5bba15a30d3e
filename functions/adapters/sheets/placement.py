"""Where a TabWrite's values go in a tab as it is now (pure), shared by every Sheet adapter.

Rows are found by ID (staff sort and insert rows while a run is going); among rows sharing an
ID (a problem staff must fix) the one at the row number read; a row read without an ID only if
it is still there without one and with the same name, or else the one row that has that name and
no ID (rows below the last one count as blank: new rows go there, or, for a newest-first tab,
rows inserted under the header). Columns the write needs and the tab lacks are added at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from functions.core.sheet_schema import locate_columns, with_missing_columns
from functions.core.tables import RowWrite, TabWrite
from functions.core.text import cell_text, writable


@dataclass
class Placement:
    new_columns: list[tuple[int, str]] = field(default_factory=list)  # (0-based column, header title)
    cells: list[tuple[int, int, Any]] = field(default_factory=list)  # (sheet row, 0-based column, value)
    missed: list[RowWrite] = field(default_factory=list)  # rows no longer there
    inserted: int = 0  # rows to insert under the header before the cells are written (a newest-first tab)


def row_locator(ids: Sequence[str], names: Sequence[str] = ()) -> Callable[[RowWrite], int | None]:
    """The sheet row each RowWrite belongs in now, given the ID column (and the name column) now;
    ids[0] is row 2."""
    rows_by_id: dict[str, list[int]] = {}
    for number, text in enumerate(ids, start=2):
        if text:
            rows_by_id.setdefault(text, []).append(number)
    without_id: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        if name and (index >= len(ids) or not ids[index]):
            without_id.setdefault(name, []).append(index + 2)

    def still_there(write: RowWrite, index: int) -> bool:
        blank_id = index >= len(ids) or not ids[index]  # below the last row every row is blank
        return blank_id and (write.name is None or (names[index] if index < len(names) else "") == write.name)

    def locate(write: RowWrite) -> int | None:
        if write.row_id:
            numbers = rows_by_id.get(write.row_id, [])
            return write.row_number if write.row_number in numbers else (numbers[0] if numbers else None)
        if write.row_number >= 2 and still_there(write, write.row_number - 2):
            return write.row_number
        moved = without_id.get(write.name or "", [])
        return moved[0] if len(moved) == 1 else None  # sorted or shifted: found by name, if only one has it

    return locate


def place(change: TabWrite, header: Sequence[Any], column: Callable[[int], Sequence[Any]]) -> Placement:
    """`header` is the tab's first row now; `column(position)` reads that column below it."""
    placement = Placement()
    needed = {change.id_column.key} | {key for row in change.rows for key in row.values} | set(change.titles)
    if change.layout is not None:
        needed |= {column.key for column in change.layout.tab.columns}
    located = locate_columns(change.tab, header, require=change.layout is None)  # a layout adds what is missing
    positions, placement.new_columns = with_missing_columns(
        change.tab, located, len(header), needed, change.header_language
    )
    placement.cells.extend((1, positions[key], title) for key, title in change.titles.items())
    id_at = positions[change.id_column.key]
    existing_ids = [] if id_at >= len(header) else [cell_text(v) for v in column(id_at)]
    names: list[str] = []
    if change.name_column is not None and any(w.name for w in change.rows) and change.name_column.key in located:
        names = [" ".join(cell_text(v).split()) for v in column(located[change.name_column.key])]
    locate = row_locator(existing_ids, names)
    numbers = [locate(write) for write in change.rows]
    new_ids = list(dict.fromkeys(w.row_id for w, n in zip(change.rows, numbers, strict=True)
                                 if n is None and w.append and w.row_id))  # fmt: skip
    if change.newest_first:  # the last new row on top: rows 2, 3, …; every row read moves down by as many
        placement.inserted = len(new_ids)
        new_rows = {row_id: 1 + len(new_ids) - i for i, row_id in enumerate(new_ids)}
        numbers = [None if n is None else n + len(new_ids) for n in numbers]
    else:
        next_free = max((n for n, text in enumerate(existing_ids, start=2) if text), default=1) + 1
        new_rows = {row_id: next_free + i for i, row_id in enumerate(new_ids)}
    for write, number in zip(change.rows, numbers, strict=True):
        if number is None and write.append and write.row_id:
            number = new_rows[write.row_id]
        if number is None:
            placement.missed.append(write)
        else:
            placement.cells.extend((number, positions[key], writable(value) if isinstance(value, str) else value)
                                   for key, value in write.values.items())  # fmt: skip
    return placement
