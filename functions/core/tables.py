"""What the Sheet port exchanges (plain data): a tab as read, and the changes a run writes back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from functions.core.sheet_schema import CUSTOMERS, ColumnSpec, TabLayout, TabSpec, locate_columns
from functions.core.text import cell_text, typed
from functions.core.values import SHEETS_EPOCH


@dataclass(frozen=True)
class Table:
    """One tab as read: its header row and data rows (row i is sheet row i + 2)."""

    title: str
    header: list[Any]
    rows: list[list[Any]]

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2


def row_cells(raw: Sequence[Any], columns: Mapping[str, int]) -> dict[str, Any]:
    """One row's cells by column key (`columns`: key → position); a short row's missing cells are None."""
    return {key: raw[position] if position < len(raw) else None for key, position in columns.items()}


class Link(NamedTuple):
    """A cell written as a link staff can tap: a phone number that dials (tel:). Google Sheets links
    only web addresses (HYPERLINK takes http(s), mailto, ftp, aim, gopher, telnet, news), so `web`
    is an https address that answers with a redirect to `url`; a workbook links `url` itself."""

    text: str
    url: str
    web: str = ""


class Figure(NamedTuple):
    """A number written with the format staff read it in, so the sheet's own SUM and charts work on
    it: 0.25 shown as 25%, a moment's serial number as 02/12/2026 09:00, 47.25 as 47,25 in Vietnamese."""

    value: float
    pattern: str  # a Sheets/Excel number format: "0%", "0.00", "dd/mm/yyyy hh:mm"

    @property
    def kind(self) -> str:
        """The Sheets API's NumberFormat type for the pattern."""
        if "%" in self.pattern:
            return "PERCENT"
        return "DATE_TIME" if "yy" in self.pattern else "NUMBER"


MOMENT = "dd/mm/yyyy hh:mm"
DAY = "dd/mm/yyyy"
PERCENT = "0%"
HOURS = "0.00"
SIGNED = "+0;-0;0"  # NPS: a score from -100 to +100


def moment_figure(moment: datetime, zone: tzinfo | None = None) -> Figure:
    """A moment as the sheet keeps one: its serial number in local time, shown dd/mm/yyyy hh:mm."""
    local = moment.astimezone(zone).replace(tzinfo=None) if zone is not None else moment.replace(tzinfo=None)
    local = local.replace(second=0, microsecond=0)  # to the minute, once: 09:00:59.99 shows 09:00 everywhere
    return Figure(round(serial(local), 8), MOMENT)


def day_figure(day: date) -> Figure:
    """A date as the sheet keeps one: its serial number, shown dd/mm/yyyy (staff sort and filter it)."""
    return Figure(serial(day), DAY)


def serial(value: date | datetime) -> float:
    """Days since the sheets' epoch (1899-12-30), the time of day as the fraction."""
    if isinstance(value, datetime):
        start = datetime.combine(SHEETS_EPOCH, datetime.min.time())
        return (value.replace(tzinfo=None) - start).total_seconds() / 86400
    return float((value - SHEETS_EPOCH).days)


def plain_value(value: Any) -> Any:
    """A cell as a comparable value: a Figure's number, a date read back from a workbook as its serial."""
    if isinstance(value, Figure):
        return value.value
    if isinstance(value, date):
        return serial(value)
    return value


def same_cell(read: Any, wanted: Any) -> bool:
    """Whether a cell as read already holds what a run would write (numbers to a millionth of a day)."""
    a, b = plain_value(read), plain_value(wanted)
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) < 1e-6
    return cell_text(a) == cell_text(b)


GOOGLE_LINK_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "aim:", "gopher://", "telnet://", "news:")


def sheet_link_url(link: Link) -> str | None:
    """The address Google Sheets can link this to, or None (the text alone is written)."""
    for url in (link.url, link.web):
        if url.lower().startswith(GOOGLE_LINK_SCHEMES):
            return url
    return None


@dataclass(frozen=True)
class RowWrite:
    """New values for one row, found by its ID when written (staff sort and insert rows).

    `row_id` is the ID the row had when read; None means the ID cell was blank, and the row is
    then found at `row_number` provided its ID cell is still blank and its name (when given) is
    still `name`, or else as the one row with that name and no ID. With `append`, a row whose
    ID is not in the tab (a new case, a new metric) goes below the last row instead; the check
    happens at write time, so two overlapping runs never add the same row twice.
    """

    row_number: int
    row_id: str | None
    values: Mapping[str, Any]  # column key → value; text is always written as text
    append: bool = False
    name: str | None = None  # a row read without an ID: its name then, so a row inserted above is not taken for it


def customer_row_write(row: int, customer_id: str, id_assigned: bool, name: str, values: Mapping[str, Any]) -> RowWrite:
    """A write to a customer's row: found by its ID; a row read without one is found by its place and
    name, and gets the ID careloop derived for it."""
    if not id_assigned:
        return RowWrite(row, customer_id, values)
    return RowWrite(row, None, {"id": customer_id, **values}, name=name)


@dataclass(frozen=True)
class TabWrite:
    tab: TabSpec
    id_column: ColumnSpec
    rows: Sequence[RowWrite]
    header_language: str = "vi"  # language of the headers of columns the write must create
    name_column: ColumnSpec | None = None  # checked, with the ID, to find rows read without an ID
    # careloop's own tab, set up by this write: made as `setup-sheet` makes it when missing, and
    # given every column of its layout it lacks (never moving or removing one).
    layout: TabLayout | None = None
    # New rows go on top, under the header, the last of `rows` first (the Replies tab: newest first);
    # the rows below move down with everything on them (a Done tick stays on its row).
    newest_first: bool = False
    titles: Mapping[str, str] = field(default_factory=dict)  # column key → its header now (a named column)


def customers_tab_write(rows: Sequence[RowWrite], language: str) -> TabWrite:
    """Writes to the Customers tab, whose rows are found by ID, or by place and name."""
    return TabWrite(CUSTOMERS, CUSTOMERS.column("id"), rows, language, CUSTOMERS.column("name"))


def cell_moment(cell: Any) -> datetime | None:
    """The moment a date-time cell holds, in the sheet's local time (naive): a date-time (a workbook)
    or its serial number (Google)."""
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=None)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return datetime.combine(SHEETS_EPOCH, datetime.min.time()) + timedelta(days=float(cell))
    return None


def cell_day(cell: Any) -> date | None:
    """The day a date cell holds: a date-time (a workbook), its serial number (Google), or dd/mm/yyyy text."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return SHEETS_EPOCH + timedelta(days=int(cell))
    try:
        return datetime.strptime(cell_text(cell)[:10], "%d/%m/%Y").date()
    except ValueError:
        return None


def aged_out(
    spec: TabSpec, table: Table | None, id_key: str, date_key: str, before: date, language: str
) -> TabWrite | None:
    """The rows of one of careloop's tabs dated before `before` (retention_days ago), found by their
    ID and every cell cleared: nothing kept forever in the sheet either. None when no row is that old."""
    columns = locate_columns(spec, table.header, require=False) if table is not None else {}
    if table is None or date_key not in columns or id_key not in columns:
        return None
    rows = []
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        day = cell_day(cells[date_key]) if typed(cells[date_key]) else None
        if day is not None and day < before and cell_text(cells[id_key]):
            rows.append(RowWrite(Table.row_number(index), cell_text(cells[id_key]), dict.fromkeys(columns)))
    return TabWrite(spec, spec.column(id_key), rows, language) if rows else None
