"""The escalation matrix tab (pure): who owns each kind of problem at each tier, and the SLA
hours. The row whose Category is `*` is the default for categories it does not list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr

from functions.core.i18n import both
from functions.core.sheet_schema import MATRIX, locate_columns
from functions.core.tables import Table
from functions.core.text import cell_text, fold


class MatrixError(ValueError):
    """No usable row: the message names the tab."""


@dataclass(frozen=True)
class Owner:
    name: str
    email: str

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Route:
    category: str  # the matrix row used ("*" for the default)
    owners: tuple[Owner | None, Owner | None, Owner | None]
    first_response_hours: float
    resolve_hours: float

    def owner(self, tier: int) -> Owner | None:
        """The tier's owner, or the nearest lower tier's when that cell is empty."""
        for t in range(tier, 0, -1):
            if self.owners[t - 1] is not None:
                return self.owners[t - 1]
        return None


@dataclass(frozen=True)
class Matrix:
    routes: dict[str, Route]  # folded category → route
    problems: list[tuple[int, str]]  # (row, message)

    def route(self, category: str) -> Route:
        return self.routes.get(fold(category)) or self.routes["*"]


def _owner(text: str) -> Owner | None:
    if not text:
        return None
    name, address = parseaddr(text)
    if "@" not in address:
        raise ValueError(text)
    return Owner(name.strip(), address.strip())


def _hours(value: object) -> float:
    hours = float(cell_text(value).replace(",", "."))
    if not 0 < hours <= 24 * 365:
        raise ValueError(value)
    return hours


def read_matrix(table: Table | None) -> Matrix:
    if table is None:
        raise MatrixError(both("tab_missing_setup", vi=MATRIX.title_vi, en=MATRIX.title_en))
    columns = locate_columns(MATRIX, table.header)
    routes: dict[str, Route] = {}
    problems: list[tuple[int, str]] = []
    for index, raw in enumerate(table.rows):
        row = list(raw) + [None] * (len(table.header) - len(raw))
        cells = {key: row[pos] if pos < len(row) else None for key, pos in columns.items()}
        category = cell_text(cells.get("category"))
        if not category:
            continue
        try:
            owners = (
                _owner(cell_text(cells.get("tier1_owner"))),
                _owner(cell_text(cells.get("tier2_owner"))),
                _owner(cell_text(cells.get("tier3_owner"))),
            )
            if owners[0] is None:
                raise ValueError(both("matrix_no_tier1"))
            route = Route(
                category, owners, _hours(cells.get("first_response_hours")), _hours(cells.get("resolve_hours"))
            )
        except ValueError as error:
            problems.append(
                (
                    Table.row_number(index),
                    both("matrix_row_unusable", row=Table.row_number(index), vi=MATRIX.title_vi, en=MATRIX.title_en)
                    + f": '{error}'",
                )
            )
            continue
        routes.setdefault(fold(category), route)
    if "*" not in routes:
        raise MatrixError(both("matrix_no_default", vi=MATRIX.title_vi, en=MATRIX.title_en))
    return Matrix(routes, problems)


def managers(table: Table | None, emails: Sequence[str]) -> dict[str, str]:
    """Each manager's address → the name to greet them by: `emails` (the manager_emails setting),
    else the tier-3 owner of the matrix's '*' row; names as the matrix writes them ("Giám đốc An").
    MatrixError when there is nobody."""
    try:
        matrix = read_matrix(table)
    except MatrixError:
        if not emails:
            raise
        return dict.fromkeys(emails, "")
    names = {o.email.lower(): o.name for route in matrix.routes.values() for o in route.owners if o and o.name}
    if emails:
        return {email: names.get(email.lower(), "") for email in emails}
    owner = matrix.route("*").owner(3)
    if owner is None:
        raise MatrixError(both("digest_no_manager"))
    return {owner.email: owner.name}
