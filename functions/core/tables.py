"""What the Sheet port exchanges (plain data): a tab as read, and the changes a run writes back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from functions.core.sheet_schema import CUSTOMERS, ColumnSpec, TabLayout, TabSpec


@dataclass(frozen=True)
class Table:
    """One tab as read: its header row and data rows (row i is sheet row i + 2)."""

    title: str
    header: list[Any]
    rows: list[list[Any]]

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2


class Link(NamedTuple):
    """A cell written as a link staff can tap: a phone number that dials (tel:). Google Sheets links
    only web addresses (HYPERLINK takes http(s), mailto, ftp, aim, gopher, telnet, news), so `web`
    is an https address that answers with a redirect to `url`; a workbook links `url` itself."""

    text: str
    url: str
    web: str = ""


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


def customers_tab_write(rows: Sequence[RowWrite], language: str) -> TabWrite:
    """Writes to the Customers tab, whose rows are found by ID, or by place and name."""
    return TabWrite(CUSTOMERS, CUSTOMERS.column("id"), rows, language, CUSTOMERS.column("name"))
