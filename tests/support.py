"""Test helpers: workbooks, in-memory fakes of the ports, a follow-up wiring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions.adapters.sheets.placement import place
from functions.adapters.templates import Templates
from functions.core.customers import ReadRules
from functions.core.links import Links
from functions.core.messages import OutgoingMessage
from functions.core.sheet_schema import TabSpec, find_tab
from functions.core.tables import RowWrite, Table, TabWrite
from functions.followup.job import FollowupDeps
from functions.followup.plan import FollowupRules
from functions.retry import RetryPolicy

HEADER = [
    "Mã KH",
    "Họ tên",
    "Xưng hô",
    "Email",
    "Số điện thoại",
    "Ngày sinh",
    "Ngày mua",
    "Ngôn ngữ",
    "Kênh",
    "Từ chối nhận tin",
]


def write_workbook(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]], title: str = "Khách hàng") -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def read_workbook(path: Path, title: str = "Khách hàng") -> list[dict[str, Any]]:
    import openpyxl

    sheet = openpyxl.load_workbook(path)[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def row(
    id="",
    name="Nguyễn Thị Lan",
    salutation="chị",
    email="lan@example.com",
    phone="",
    birthday="",
    purchase="",
    language="",
    channel="",
    opt_out="",
) -> list[Any]:
    return [id, name, salutation, email, phone, birthday, purchase, language, channel, opt_out]


class MemorySheet:
    """The Sheet port in memory, with the same find-by-ID semantics as the real adapters."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables  # keyed by tab title
        self.reads = 0
        self.writes: list[list[TabWrite]] = []

    def read(self, tabs: Sequence[TabSpec]) -> dict[str, Table]:
        self.reads += 1
        found = {}
        for spec in tabs:
            title = find_tab(spec, list(self.tables))
            if title:
                t = self.tables[title]
                found[spec.key] = Table(t.title, list(t.header), [list(r) for r in t.rows])
        return found

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        self.writes.append(list(changes))
        missed = []
        for change in changes:
            table = self.tables[find_tab(change.tab, list(self.tables))]
            rows = table.rows
            placement = place(change, table.header, lambda at, rows=rows: [r[at] if at < len(r) else None for r in rows])
            for _, title in placement.new_columns:
                table.header.append(title)
            for number, position, value in placement.cells:
                while len(table.rows) < number - 1:  # a new row below the last one
                    table.rows.append([])
                row = table.rows[number - 2]
                row.extend([None] * (position + 1 - len(row)))
                row[position] = value
            missed += placement.missed
        return missed

    def column(self, title: str) -> list[Any]:
        table = next(iter(self.tables.values()))
        at = table.header.index(title)
        return [r[at] if at < len(r) else None for r in table.rows]


@dataclass
class MemoryChannel:
    delivered: list[OutgoingMessage] = field(default_factory=list)
    closed: bool = False

    def deliver(self, message: OutgoingMessage) -> None:
        self.delivered.append(message)

    def close(self) -> None:
        self.closed = True


def memory_sheet(rows: Sequence[Sequence[Any]], header: Sequence[Any] = HEADER) -> MemorySheet:
    return MemorySheet({"Khách hàng": Table("Khách hàng", list(header), [list(r) for r in rows])})


def deps(sheet, store, channel=None, rules: FollowupRules | None = None, **overrides) -> FollowupDeps:
    channel = channel if channel is not None else MemoryChannel()
    values = dict(
        sheet=sheet,
        store=store,
        channels={"email": channel},
        templates=Templates(),
        links=Links("https://care.example.vn", "test-secret"),
        rules=rules or FollowupRules(),
        read_rules=ReadRules(),
        business_name="Văn phòng Luật Minh An",
        retry=RetryPolicy(budget_seconds=1, first_delay=0.01, sleep=lambda s: None),
    )
    values.update(overrides)
    return FollowupDeps(**values)
