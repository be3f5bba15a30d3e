"""Sheet adapter for Google Sheets through gspread, with a fixed request budget per run:

  read:  spreadsheet metadata (1) + every tab in one values:batchGet (1)
  write: each tab's grid size, header row and ID column as they are now, in one spreadsheets.get
         (1, to find rows staff moved) + one write (1): a RAW values:batchUpdate when every value is
         plain, else one atomic spreadsheets.batchUpdate with the structure (tabs, rows, columns,
         links) and the figures' formats (dates as dates) and every value with them.

Values are read unformatted with dates as serial numbers (so text stays text: "0912…" keeps its
zero) and written RAW (so "=HYPERLINK(…)" typed by a customer stays text). A write that meets a
429, 5xx or timeout is decided again from a fresh read, never re-sent with stale addresses: staff
may have sorted, inserted or deleted rows meanwhile. Ranges never start outside the grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from functions.adapters.sheets.a1 import column_letters, quoted
from functions.adapters.sheets.google_charts import chart_titles, charts_extent, missing_charts
from functions.adapters.sheets.google_http import (
    Connection,
    QuotaClock,
    Retryable,
    SheetError,
    bounded_http_client,
    credentials,
    explain,
    transient_errors,
)
from functions.adapters.sheets.google_requests import (
    TabNow,
    cell_value,
    compact_cells,
    figure_request,
    grid_growth,
    grid_rows,
    grid_validations,
    inserted_rows_request,
    link_request,
    located_specs,
    made_tabs,
    plain_request,
    trimmed,
    values_request,
)
from functions.adapters.sheets.google_setup import TabState, colour_rules, column_looks, plan_setup
from functions.adapters.sheets.placement import Placement, place
from functions.core.i18n import both
from functions.core.sheet_schema import ChartSpec, TabLayout, TabSpec, find_tab, locate_columns
from functions.core.tables import Figure, Link, RowWrite, Table, TabWrite, sheet_link_url
from functions.core.text import typed

T = TypeVar("T")
UNFORMATTED = {"valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "ROWS"}
NOW_FIELDS = (
    "sheets(properties(sheetId,title,gridProperties),charts(spec(title)),data(rowData(values(effectiveValue))))"
)


class GoogleSheet:
    def __init__(self, connection: Connection, charts: Sequence[tuple[TabSpec, Sequence[ChartSpec]]] = ()):
        self.connection = connection
        self.charts = {tab.key: specs for tab, specs in charts}  # made by the first write that finds one missing
        self._metadata: dict[str, Any] | None = None
        self._headers: dict[str, list[Any]] = {}  # tab title → header as read

    @cached_property
    def _credentials(self) -> Any:
        return credentials(self.connection.credentials)

    @cached_property
    def _http(self) -> Any:
        import gspread

        session = None
        if self._credentials is None:
            import requests

            session = requests.Session()
        client_class = bounded_http_client(self.connection)
        return gspread.Client(self._credentials, session=session, http_client=client_class).http_client

    def _call(self, action: Callable[[], T]) -> T:
        """Run requests; any failure becomes a SheetError that says what to do."""
        import requests
        from google.auth.exceptions import GoogleAuthError
        from gspread.exceptions import APIError

        clock = self.connection.clock
        started, key = clock(), self.connection.key
        try:
            return action()
        except (APIError, Retryable) as error:
            account = getattr(self._credentials, "service_account_email", "") or ""
            raise explain(error.response, key, clock() - started, account) from error
        except (requests.RequestException, GoogleAuthError) as error:
            raise SheetError(f"Google Sheets {key}: {error}") from error

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """A write, decided afresh on every try (the HTTP client never re-sends one)."""
        quota = QuotaClock(self.connection.clock)
        policy = self.connection.retry_policy()
        return self._call(lambda: policy.call(attempt, transient_errors(), quota.wait_hint, quota.last_chance))

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = self._call(lambda: self._http.fetch_sheet_metadata(self.connection.key))
        return self._metadata

    def tab_titles(self) -> list[str]:
        return [s["properties"]["title"] for s in self.metadata()["sheets"]]

    def read(self, tabs: Sequence[TabSpec], headers: Sequence[TabSpec] = ()) -> dict[str, Table]:
        titles = self.tab_titles()
        found = {spec.key: title for spec in [*tabs, *headers] if (title := find_tab(spec, titles))}
        if not found:
            return {}
        whole = {spec.key for spec in tabs}
        ranges = [quoted(title) if key in whole else f"{quoted(title)}!1:1" for key, title in found.items()]
        answer = self._values(ranges, dateTimeRenderOption="SERIAL_NUMBER")
        tables = {}
        for (key, title), value_range in zip(found.items(), answer.get("valueRanges", []), strict=False):
            rows = value_range.get("values", [])
            header = rows[0] if rows else []
            self._headers[title] = header
            tables[key] = Table(title, header, rows[1:])
        return tables

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        changes = [c for c in changes if c.rows or c.layout]
        if not changes:
            return []
        making = {c.tab.key: c.tab.title(c.header_language) for c in changes if c.layout is not None}
        targets = [(change, self._title(change.tab, making)) for change in changes]
        return self._retrying(lambda: self._write_once(targets))

    def _write_once(self, targets: list[tuple[TabWrite, str]]) -> list[RowWrite]:
        data: list[dict[str, Any]] = []
        grow: list[dict[str, Any]] = []
        plain: list[tuple[int, str, int, int, Any]] = []  # (sheet ID, title, row, column, value): cells as they are
        missed: list[RowWrite] = []
        charted: set[str] = set()
        tabs_now = self._tabs_now(targets)
        made = made_tabs(targets, tabs_now)  # careloop's tabs that are missing: made first, as setup-sheet does
        sheet_ids = {title: now.properties["sheetId"] for title, now in tabs_now.items()}
        grow += made.requests
        grow += [values_request(values, sheet_ids) for values in made.values]  # their rows, before any cell
        for change, title in targets:
            now = tabs_now[title]

            def column(position: int, now: TabNow = now) -> Sequence[Any]:
                if position in now.columns:
                    return now.columns[position]
                return self._column(now.title, position)  # staff moved the column during the run

            placement = place(change, now.header, column)
            missed += placement.missed
            for position, text in placement.new_columns:  # a later change to this tab sees them
                now.header += [None] * (position + 1 - len(now.header))
                now.header[position] = text
            charts: list[dict[str, Any]] = []
            if change.tab.key in self.charts and title not in charted:
                charted.add(title)  # the Dashboard's two blocks are one tab: its charts are asked for once
                charts = self._missing_charts(change, now, placement)
            grow += grid_growth(now.properties, placement, charts_extent(charts))  # the grid first: charts lie in it
            if placement.inserted:  # a newest-first tab: rows under the header, shaped as the row below them
                grow.append(inserted_rows_request(now.properties["sheetId"], placement.inserted))
            grow += charts
            grow += column_looks(now.properties["sheetId"], located_specs(change.tab, placement.new_columns),
                                 change.header_language, now.properties["gridProperties"]["rowCount"])  # fmt: skip
            data += [
                {"range": f"{quoted(title)}!{column_letters(p)}1", "values": [[text]]}
                for p, text in placement.new_columns
            ]
            sheet_id = now.properties["sheetId"]
            plain += [(sheet_id, title, n, p, v) for n, p, v in placement.cells if not isinstance(v, (Link, Figure))]
            grow += [figure_request(sheet_id, n, p, v) for n, p, v in placement.cells if isinstance(v, Figure)]
            links = [(n, p, v, sheet_link_url(v)) for n, p, v in placement.cells if isinstance(v, Link)]
            plain += [(sheet_id, title, n, p, v.text) for n, p, v, url in links if url is None]
            grow += [link_request(now.properties["sheetId"], n, p, v.text, url) for n, p, v, url in links if url]
        if grow:  # a write with any structure (rows, formats, links) carries its values too: one atomic request
            grow += [plain_request(sheet_id, n, p, v) for sheet_id, _, n, p, v in plain]
            grow += [values_request(values, sheet_ids) for values in data]  # new columns' headers
            data = []
        else:  # values alone: one values:batchUpdate, written RAW
            data += [{"range": f"{quoted(title)}!{column_letters(p)}{n}", "values": [[cell_value(v)]]}
                     for _, title, n, p, v in plain]  # fmt: skip
        self._update(grow, data)
        return missed

    def _missing_charts(self, change: TabWrite, now: TabNow, placement: Placement) -> list[dict[str, Any]]:
        """The tab's charts it lacks, over its columns as they will be after this write."""
        header = list(now.header)
        for position, text in placement.new_columns:
            header += [None] * (position + 1 - len(header))
            header[position] = text
        positions = locate_columns(change.tab, header, require=False)
        specs = self.charts[change.tab.key]
        return missing_charts(now.properties["sheetId"], specs, now.charts, positions, change.header_language)

    def _title(self, tab: TabSpec, making: dict[str, str]) -> str:
        title = find_tab(tab, self.tab_titles()) or making.get(tab.key)  # or made by this write
        if title is None:
            raise SheetError(
                both("tab_not_in", vi=tab.title_vi, en=tab.title_en, where=f"spreadsheet {self.connection.key}")
            )
        return title

    def _tabs_now(self, targets: list[tuple[TabWrite, str]]) -> dict[str, TabNow]:
        """One read: each tab's grid size, header row, and ID and name columns (from row 1, which
        every grid has, so no range starts outside it), as they are now."""
        guesses: dict[str, list[int]] = {}  # two writes to one tab (the Dashboard's blocks) share one read
        for change, title in targets:
            known = guesses.setdefault(title, [])
            known += [p for p in self._positions(change, title) if p not in known]
        to_make = {title for change, title in targets if change.layout is not None} - set(self.tab_titles())
        ranges = []
        for title, positions in guesses.items():
            if title in to_make:  # no range may name a tab that is not there
                continue
            ranges.append(f"{quoted(title)}!1:1")
            ranges += [f"{quoted(title)}!{column_letters(p)}:{column_letters(p)}" for p in positions]
        params = {"includeGridData": "true", "ranges": ranges, "fields": NOW_FIELDS}
        answer = self._call(lambda: self._grid(params))
        found = {}
        for sheet in answer.get("sheets", []):
            title = sheet["properties"]["title"]
            if title in to_make:  # staff added it since this run read: decided again from the top
                self._metadata = None
                raise SheetError(both("tab_appeared", title=title))
            if title not in guesses:
                continue
            grids = sheet.get("data") or [{}]  # in the order asked: the header row, then each column
            header = trimmed(list(grid_rows(grids[0])[0])) if grid_rows(grids[0]) else []
            columns = {
                p: [row[0] if row else None for row in grid_rows(data)][1:]
                for p, data in zip(guesses[title], grids[1:], strict=False)
            }
            found[title] = TabNow(title, sheet["properties"], header, columns, chart_titles(sheet))
        used = {s["properties"]["sheetId"] for s in answer.get("sheets", [])}
        for title in sorted(to_make):
            found[title] = TabNow(title, {"sheetId": max(used, default=0) + 1, "title": title}, [], {}, set())
            used.add(found[title].properties["sheetId"])
        missing = [t for t in guesses if t not in found]
        if missing:
            raise SheetError(
                both("tab_not_in", vi=missing[0], en=missing[0], where=f"spreadsheet {self.connection.key}")
            )
        return found

    def _grid(self, params: dict[str, Any]) -> dict[str, Any]:
        """spreadsheets.get with grid data, its cells parsed straight into values (`compact_cells`)."""
        import json

        from gspread.urls import SPREADSHEET_URL

        response = self._http.request("get", SPREADSHEET_URL % self.connection.key, params=params)
        return json.loads(response.content, object_hook=compact_cells)

    def _values(self, ranges: list[str], **params: str) -> dict[str, Any]:
        return self._call(
            lambda: self._http.values_batch_get(self.connection.key, ranges, params={**UNFORMATTED, **params})
        )

    def _update(self, requests: list[dict[str, Any]], data: list[dict[str, Any]]) -> None:
        """Structure first (new tabs, rows, columns, rules), then values, written RAW; each sent once."""
        if requests:
            try:
                self._http.batch_update(self.connection.key, {"requests": requests})
            except Exception:
                self._metadata = None  # it may have been carried out: the tabs it made are looked up again
                raise
        if data:
            self._http.values_batch_update(self.connection.key, {"valueInputOption": "RAW", "data": data})

    def _positions(self, change: TabWrite, title: str) -> list[int]:
        """Where the ID column (and the name column, when the write checks names) was when read."""
        located = locate_columns(change.tab, self._headers.get(title, []), require=False)
        keys = [change.id_column.key] + ([change.name_column.key] if change.name_column else [])
        return list(dict.fromkeys(located[k] for k in keys if k in located))

    def _column(self, title: str, position: int) -> list[Any]:
        letters = column_letters(position)
        column = self._values([f"{quoted(title)}!{letters}:{letters}"])
        return [row[0] if row else None for row in column["valueRanges"][0].get("values", [])][1:]

    def prepare(self, layouts: Sequence[TabLayout], language: str) -> list[str]:
        """`careloop setup-sheet`: 3 reads, then at most 2 writes; nothing when all is in place.
        Re-decided from fresh metadata if a write fails on the way."""
        return self._retrying(lambda: self._prepare_once(layouts, language))

    def _prepare_once(self, layouts: Sequence[TabLayout], language: str) -> list[str]:
        self._metadata = None
        sheets = self.metadata()["sheets"]
        used = {s["properties"]["sheetId"] for s in sheets}

        def new_sheet_id() -> int:
            candidate = max(used, default=0) + 1
            used.add(candidate)
            return candidate

        plan = plan_setup(list(layouts), self._setup_states(layouts, sheets), language, new_sheet_id)
        self._update(plan.requests, plan.values)
        self._metadata = None
        return plan.actions

    def _setup_states(self, layouts: Sequence[TabLayout], sheets: list[dict[str, Any]]) -> dict[str, TabState | None]:
        """Each layout's tab as it is now: its contents, and its row-2 rules (tabs that have a row 2)."""
        titles = [s["properties"]["title"] for s in sheets]
        found = {layout.tab.key: title for layout in layouts if (title := find_tab(layout.tab, titles))}
        if not found:
            return {}
        by_title = {s["properties"]["title"]: s["properties"] for s in sheets}
        contents = self._values([quoted(t) for t in found.values()])
        with_row_2 = [t for t in found.values() if by_title[t]["gridProperties"]["rowCount"] >= 2]
        params = {
            "includeGridData": "true",
            "ranges": [f"{quoted(t)}!2:2" for t in with_row_2],
            "fields": "sheets(properties(sheetId,title),data(rowData(values(dataValidation))))",
        }
        grid = (
            self._call(lambda: self._http.fetch_sheet_metadata(self.connection.key, params=params))
            if with_row_2
            else {}
        )
        validations = grid_validations(grid)
        protections = {s["properties"]["title"]: s.get("protectedRanges", []) for s in sheets}
        charts = {s["properties"]["title"]: chart_titles(s) for s in sheets}
        colours = {s["properties"]["title"]: colour_rules(s) for s in sheets}
        tabs: dict[str, TabState | None] = {}
        for (key, title), value_range in zip(found.items(), contents.get("valueRanges", []), strict=False):
            rows = value_range.get("values", [])
            grid_properties = by_title[title]["gridProperties"]
            tabs[key] = TabState(
                by_title[title]["sheetId"], title, rows[0] if rows else [],
                sum(1 for r in rows[1:] if any(typed(v) for v in r)), grid_properties["rowCount"],
                grid_properties["columnCount"], grid_properties.get("frozenRowCount", 0), validations.get(title, {}),
                {p.get("description", "") for p in protections[title]}, charts[title], colours[title],
            )  # fmt: skip
        return tabs
