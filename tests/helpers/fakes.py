"""In-memory fakes of the ports, for the unit tier. Each behaves as the real adapters do where a job
can tell: the sheet finds rows by ID at write time, the store reserves each key once and keeps
reports as JSON would. The store in memory is `memory_store.MemoryStore`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from functions.adapters.sheets.placement import place
from functions.core.messages import OutgoingMessage
from functions.core.sheet_schema import TabSpec, find_tab
from functions.core.tables import Figure, RowWrite, Table, TabWrite


class MemorySheet:
    """The Sheet port in memory, with the same find-by-ID semantics as the real adapters."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables  # keyed by tab title
        self.reads = 0
        self.writes: list[list[TabWrite]] = []

    def read(self, tabs: Sequence[TabSpec], headers: Sequence[TabSpec] = ()) -> dict[str, Table]:
        self.reads += 1
        found = {}
        for spec in [*tabs, *headers]:
            title = find_tab(spec, list(self.tables))
            if title:
                t = self.tables[title]
                found[spec.key] = Table(t.title, list(t.header), [list(r) for r in t.rows] if spec in tabs else [])
        return found

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        self.writes.append(list(changes))
        missed = []
        for change in changes:
            title = find_tab(change.tab, list(self.tables))
            if title is None and change.layout is not None:  # made as setup-sheet makes it
                title = change.tab.title(change.header_language)
                self.tables[title] = Table(title, [], [list(r) for r in change.layout.starter_rows])
                self.tables[title].header.extend(change.layout.headers(change.header_language))
            table = self.tables[title]
            rows = table.rows
            placement = place(
                change, table.header, lambda at, rows=rows: [r[at] if at < len(r) else None for r in rows]
            )
            for _, title in placement.new_columns:
                table.header.append(title)
            table.rows[0:0] = [[] for _ in range(placement.inserted)]  # a newest-first tab's new rows, on top
            for number, position, value in placement.cells:
                if number == 1:  # a header careloop names (a chart's legend)
                    table.header.extend([None] * (position + 1 - len(table.header)))
                    table.header[position] = value
                    continue
                while len(table.rows) < number - 1:  # a new row below the last one
                    table.rows.append([])
                row = table.rows[number - 2]
                row.extend([None] * (position + 1 - len(row)))
                row[position] = value.value if isinstance(value, Figure) else value  # as a sheet keeps it
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


class MemoryQueue:
    """The SendQueue port in memory: the batches published, per channel; refuses when told to."""

    def __init__(self, refuse: bool = False) -> None:
        self.batches: list[tuple[str, bytes]] = []
        self.refuse = refuse

    def publish(self, channel: str, batches: Sequence[bytes]) -> None:
        from functions.core.errors import QueueUnavailable

        if self.refuse:
            raise QueueUnavailable("Pub/Sub: 503 the service is unavailable")
        self.batches += [(channel, b) for b in batches]

    def missing(self, channels: Sequence[str]) -> list[str]:
        return list(channels) if self.refuse else []
