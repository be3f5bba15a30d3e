"""Sheet adapter for a local .xlsx workbook (openpyxl), the embedded default.

Reads with the fast read-only loader. Writes replace the file atomically, under a lock so two
overlapping runs write one after the other: a run's cells streamed into the file as it was read
(`xlsx_stream`, nothing loaded whole); anything more (a new tab, column, link, rows on top) or a file
saved since the read by loading the full workbook and applying the changes. Staff formatting, extra
columns and validations survive either way.
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from functions.adapters.sheets.a1 import column_letters
from functions.adapters.sheets.placement import place
from functions.adapters.sheets.xlsx_stream import (
    CellWrite,
    Look,
    SheetWrite,
    Unstreamable,
    row_height,
    wrapped_lines,
    write_cells,
)
from functions.core.errors import SheetUnavailable
from functions.core.i18n import both
from functions.core.sheet_schema import (
    ChartSpec,
    ColumnSpec,
    TabLayout,
    TabSpec,
    find_tab,
    locate_columns,
    with_missing_columns,
)
from functions.core.tables import Figure, Link, RowWrite, Table, TabWrite
from functions.core.text import header_key


class SheetError(SheetUnavailable):
    """The workbook cannot be used; the message says which file and what to do."""


class XlsxSheet:
    def __init__(self, path: str | Path, charts: Sequence[tuple[TabSpec, Sequence[ChartSpec]]] = ()):
        self.path = Path(path)
        self.charts = charts  # drawn again at every save: openpyxl drops a workbook's charts when it loads one
        self._read: tuple[tuple[int, int, int], dict[str, Table]] | None = None  # the file as last read, whole tabs

    def _open(self, read_only: bool):
        import openpyxl  # imported here: only runs on a local workbook pay for it

        if not self.path.exists():
            raise SheetError(f"{both('workbook_missing')}: {self.path}")
        try:
            return openpyxl.load_workbook(self.path, read_only=read_only, data_only=read_only)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise SheetError(f"{both('workbook_unreadable')} {self.path}: {error}") from error

    def read(self, tabs: Sequence[TabSpec], headers: Sequence[TabSpec] = ()) -> dict[str, Table]:
        stamp = _stamp(self.path)
        workbook = self._open(read_only=True)
        try:
            found: dict[str, Table] = {}
            for spec in [*tabs, *headers]:
                title = find_tab(spec, workbook.sheetnames)
                if title is None:
                    continue
                last = None if spec in tabs else 1
                rows = [list(r) for r in workbook[title].iter_rows(max_row=last, values_only=True)]
                found[spec.key] = Table(title, rows[0] if rows else [], rows[1:])
            self._read = (stamp, {found[spec.key].title: found[spec.key] for spec in tabs if spec.key in found})
            return found
        finally:
            workbook.close()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Overlapping runs write one after the other: a lock on the workbook's folder (the workbook
        itself is replaced at each save, and a lock file would be left beside it for staff to see)."""
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(folder, fcntl.LOCK_UN)
        finally:
            os.close(folder)

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        """Apply every change; returns the row writes whose row could no longer be found."""
        if not any(change.rows or change.layout for change in changes):
            return []
        with self._locked():
            try:
                return self._streamed(changes)
            except Unstreamable:  # a new tab, column, link or row on top: through openpyxl, the whole workbook
                pass
            workbook = self._open(read_only=False)
            missed: list[RowWrite] = []
            for change in changes:
                title = find_tab(change.tab, workbook.sheetnames)
                if title is None and change.layout is not None:  # made as setup-sheet makes it
                    _prepare_tab(workbook, change.layout, change.header_language)
                    title = find_tab(change.tab, workbook.sheetnames)
                if title is None:
                    raise SheetError(
                        both("tab_not_in", vi=change.tab.title_vi, en=change.tab.title_en, where=self.path)
                    )
                missed += _apply(workbook[title], change)
            self._save(workbook)
        return missed

    def _streamed(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        """Cells only, into the file as this run read it: written without loading the workbook
        (`xlsx_stream`), the rows found in the tables read. Unstreamable when anything else is asked,
        or the file changed since (another run, or staff saving it, may have moved rows)."""
        read, self._read = self._read, None  # a second write in a run reads afresh
        if read is None or read[0] != _stamp(self.path):
            raise Unstreamable("the workbook changed since it was read")
        missed: list[RowWrite] = []
        writes: dict[str, SheetWrite] = {}
        for change in changes:
            title = find_tab(change.tab, list(read[1]))
            if title is None:
                raise Unstreamable(f"{change.tab.key}: not read whole")
            table = read[1][title]
            placement = place(change, table.header, partial(_column, table))
            if placement.inserted or placement.new_columns or any(isinstance(v, Link) for _, _, v in placement.cells):
                raise Unstreamable(f"{title}: rows on top, new columns or links")
            specs = _column_specs(change.tab, table.header)
            cells = writes.setdefault(title, SheetWrite({})).cells
            for number, position, value in placement.cells:
                stored = value.value if isinstance(value, Figure) else value
                cells.setdefault(number, {})[position] = CellWrite(stored, look_of(specs.get(position), value))
            missed += placement.missed
        if writes:
            self._replaced(lambda temporary: write_cells(self.path, temporary, writes))
        return missed

    def prepare(self, layouts: Sequence[TabLayout], language: str) -> list[str]:
        """`careloop setup-sheet` on a workbook: missing tabs and columns, a frozen bold header,
        drop-down lists (TRUE/FALSE where Google would show a checkbox), the default escalation
        row. Excel cannot warn on single columns, so system columns are not protected here."""
        actions: list[str] = []
        with self._locked():
            workbook = self._open(read_only=False) if self.path.exists() else self._new(actions)
            for layout in layouts:
                actions += _prepare_tab(workbook, layout, language)
            if actions:
                self._save(workbook)
        return actions

    def _new(self, actions: list[str]) -> Any:
        """`setup-sheet --sheet NEW.xlsx`: a new workbook, its tabs added by setup."""
        import openpyxl

        if not self.path.parent.is_dir():
            raise SheetError(f"{both('workbook_missing')}: {self.path.parent}")
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        actions.append(f"+ {both('workbook')} {self.path}")
        return workbook

    def _save(self, workbook) -> None:
        from functions.adapters.sheets.xlsx_charts import draw_charts

        for tab, charts in self.charts:
            draw_charts(workbook, tab, charts)
        self._replaced(lambda temporary: workbook.save(temporary))

    def _replaced(self, save: Callable[[Path], None]) -> None:
        """The workbook replaced atomically by what `save` writes to a file beside it."""
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".careloop-", suffix=".xlsx")
        os.close(handle)
        temporary = Path(name)
        try:
            save(temporary)
            # mkstemp makes the file private (0600): the workbook keeps the permissions it had.
            os.chmod(temporary, stat.S_IMODE(os.stat(self.path).st_mode) if self.path.exists() else 0o644)
            os.replace(temporary, self.path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise SheetError(f"{both('workbook_unwritable', path=self.path)}: {error}") from error
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


def _column(table: Table, position: int) -> list[Any]:
    return [row[position] if position < len(row) else None for row in table.rows]


def _stamp(path: Path) -> tuple[int, int, int]:
    """The file's identity now: a save (by careloop, Excel or LibreOffice) changes it."""
    found = os.stat(path) if path.exists() else None
    return (found.st_ino, found.st_size, found.st_mtime_ns) if found else (0, 0, 0)


def _apply(sheet, change: TabWrite) -> list[RowWrite]:
    header = [cell.value for cell in sheet[1]] if sheet.max_row >= 1 else []

    def id_column(position: int) -> list[object]:
        return [cell.value for (cell,) in sheet.iter_rows(min_row=2, min_col=position + 1, max_col=position + 1)]

    placement = place(change, header, id_column)
    if placement.inserted:  # a newest-first tab: its new rows on top, the others (and their ticks) moved down
        sheet.insert_rows(2, placement.inserted)
    for position, title in placement.new_columns:
        sheet.cell(row=1, column=position + 1, value=title)
        _look(sheet, position, _spec(change.tab, title), change.header_language)
    after = header + [None] * max(0, max((p + 1 for p, _ in placement.new_columns), default=0) - len(header))
    for position, title in placement.new_columns:
        after[position] = title
    specs = _column_specs(change.tab, after)
    lines: dict[int, int] = {}  # row → the most lines one of its wrapped cells takes
    for number, position, value in placement.cells:
        cell = sheet.cell(row=number, column=position + 1)
        spec, look = specs.get(position), look_of(specs.get(position), value)
        _cell_look(cell, look)
        if spec is not None and look is not None and look.wrap and value:
            width = sheet.column_dimensions[column_letters(position)].width or spec.width_in(change.header_language)
            lines[number] = max(lines.get(number, 1), wrapped_lines(value, width))
        if isinstance(value, Link):  # a phone that dials when tapped
            cell.value, cell.hyperlink = value.text, value.url
            continue
        if isinstance(value, Figure):  # a number staff read in its format (25%, 02/12/2026 09:00), set by look_of
            cell.value = value.value
            continue
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text: "=1+1" typed by a customer is no formula
    for number, count in lines.items():
        if (height := row_height(count)) is not None:
            sheet.row_dimensions[number].height = height
    return placement.missed


def _column_specs(tab: TabSpec, header: Sequence[Any]) -> dict[int, ColumnSpec]:
    """0-based column → the spec of careloop's column there."""
    return {at: tab.column(key) for key, at in locate_columns(tab, header, require=False).items()}


def _spec(tab: TabSpec, title: str) -> ColumnSpec:
    return next(c for c in tab.columns if header_key(title) in c.keys)


def _look(sheet: Any, position: int, spec: ColumnSpec, language: str) -> None:
    """A column careloop makes (never one staff made): its width, and a bold header that wraps."""
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions[column_letters(position)].width = spec.width_in(language)
    header = sheet.cell(row=1, column=position + 1)
    header.font = Font(bold=True)
    header.alignment = Alignment(wrap_text=True, vertical="top")


def look_of(spec: ColumnSpec | None, value: Any) -> Look | None:
    """How a cell careloop writes looks: long text wrapped in its column, a number in its format, a
    Figure in its own; None: as the cell was."""
    wrap = bool(spec is not None and spec.wrap and isinstance(value, str))
    number_format = value.pattern if isinstance(value, Figure) else None
    if spec is not None and spec.number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        number_format = spec.number_format
    return Look(wrap, number_format) if wrap or number_format else None


def _cell_look(cell: Any, look: Look | None) -> None:
    """A cell's look (`look_of`) given to it through openpyxl."""
    if look is None:
        return
    if look.wrap:
        from openpyxl.styles import Alignment

        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if look.number_format:
        cell.number_format = look.number_format


def _prepare_tab(workbook: Any, layout: TabLayout, language: str) -> list[str]:
    from openpyxl.comments import Comment

    actions = []
    title = find_tab(layout.tab, workbook.sheetnames)
    if title is None:
        title = layout.tab.title(language)
        workbook.create_sheet(title)
        actions.append(f"+ tab '{title}'")
    sheet = workbook[title]
    header = [c.value for c in sheet[1]]
    while header and header[-1] in (None, ""):
        header.pop()
    positions, new_columns = with_missing_columns(
        layout.tab,
        locate_columns(layout.tab, header, require=False),
        len(header),
        {c.key for c in layout.tab.columns},
        language,
    )
    notes = {positions[key]: note for key, note in layout.header_notes.items()}
    for position, text in new_columns:
        cell = sheet.cell(row=1, column=position + 1, value=text)
        _look(sheet, position, _spec(layout.tab, text), language)
        if position in notes:  # a note goes on a header careloop writes, never over one staff wrote
            cell.comment = Comment(notes[position], "careloop", width=420, height=360)
    if new_columns:
        actions.append(f"+ '{title}': " + ", ".join(text for _, text in new_columns))
    if sheet.freeze_panes != "A2":
        sheet.freeze_panes = "A2"
        actions.append(f"~ '{title}': header row frozen")
    actions += _add_dropdowns(sheet, layout, positions, language)
    actions += _add_colours(sheet, layout, positions, language)
    if layout.starter_rows and sheet.max_row < 2:
        order = [c.key for c in layout.tab.columns]
        for number, starter in enumerate(layout.starter_rows, start=2):
            for key, value in zip(order, starter, strict=False):
                cell = sheet.cell(row=number, column=positions[key] + 1, value=value)
                _cell_look(cell, look_of(layout.tab.column(key), value))
        actions.append(f"+ '{title}': {len(layout.starter_rows)} starter row(s)")
    return actions


def _add_dropdowns(sheet: Any, layout: TabLayout, positions: dict[str, int], language: str) -> list[str]:
    """A list validation per checkbox or dropdown column that has none yet."""
    from openpyxl.worksheet.datavalidation import DataValidation

    existing = {str(v.sqref) for v in sheet.data_validations.dataValidation}
    actions = []
    for column in layout.tab.columns:
        choices = layout.choices(column.key)
        letters = column_letters(positions[column.key])
        area = f"{letters}2:{letters}1048576"
        if choices is None or area in existing:
            continue
        validation = DataValidation(type="list", formula1=_list_formula(sheet.parent, column.key, choices),
                                    allow_blank=True)  # fmt: skip
        validation.add(area)
        sheet.add_data_validation(validation)
        actions.append(f"~ '{sheet.title}': {column.title(language)} dropdown")
    return actions


def _add_colours(sheet: Any, layout: TabLayout, positions: dict[str, int], language: str) -> list[str]:
    """A background per cell text (the Health tab's results) on each column that has none yet."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    existing = {str(range_.sqref) for range_ in sheet.conditional_formatting}
    actions = []
    for key, shades in layout.colours.items():
        letters = column_letters(positions[key])
        area = f"{letters}2:{letters}1048576"
        if area in existing:
            continue
        for text, colour in shades.items():
            fill = PatternFill(start_color=colour.lstrip("#"), end_color=colour.lstrip("#"), fill_type="solid")
            sheet.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=fill))
        actions.append(f"~ '{sheet.title}': {layout.tab.column(key).title(language)} coloured")
    return actions


LISTS_TAB = "careloop_lists"  # hidden: dropdown choices that hold a comma ("zalo, sms")


def _list_formula(workbook: Any, key: str, choices: list[str]) -> str:
    """A list validation's source. Written inline ("a,b,c") a choice holding a comma would split into
    pieces, so such a list is kept in a column of a hidden tab and referred to as a range."""
    inline = '"' + ",".join(choices) + '"'
    if not any("," in choice for choice in choices) and len(inline) <= 255:  # Excel's limit for an inline list
        return inline
    if LISTS_TAB not in workbook.sheetnames:
        workbook.create_sheet(LISTS_TAB).sheet_state = "hidden"
    lists = workbook[LISTS_TAB]
    column = next((c for c in range(1, lists.max_column + 2) if lists.cell(1, c).value in (None, key)), 1)
    for row, choice in enumerate([key, *choices], start=1):
        lists.cell(row, column).value = choice
    letters = column_letters(column - 1)
    return f"'{LISTS_TAB}'!${letters}$2:${letters}${len(choices) + 1}"
