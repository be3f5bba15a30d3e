"""Sheet adapter for Google Sheets through gspread, with a fixed request budget per run:

  read:  spreadsheet metadata (1) + every tab in one values:batchGet (1)
  write: the header row and ID column again (1, to find rows staff moved) + one RAW
         values:batchUpdate (1); plus one spreadsheets:batchUpdate only on the run that first
         adds careloop's columns beyond the grid.

Values are read unformatted with dates as serial numbers (so text stays text: "0912…" keeps its
zero) and written RAW (so "=HYPERLINK(…)" typed by a customer stays text). Requests go through
BoundedHTTPClient: retries with backoff on 429/408/5xx and timeouts, within a deadline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from functions.adapters.sheets.a1 import column_letters, quoted
from functions.adapters.sheets.google_setup import TabState, plan_setup
from functions.adapters.sheets.placement import Placement, place
from functions.core.errors import SheetUnavailable
from functions.core.i18n import both
from functions.core.sheet_layout import TabLayout
from functions.core.sheet_schema import TabSpec, find_tab, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite
from functions.core.values import SHEETS_EPOCH
from functions.retry import RetryPolicy

GOOGLE_SHEETS_URL = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
RETRIED = {408, 429, 500, 502, 503, 504}
IdColumn = Callable[[int], Sequence[Any]]  # a tab's ID column, read below the header at a position
_KEY_IN_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


class SheetError(SheetUnavailable):
    """The spreadsheet cannot be used; the message says which sheet and what to do."""


def spreadsheet_key(location: str) -> str | None:
    """The key from "google:KEY" or a URL copied from the browser; None for anything else."""
    if location.startswith("google:"):
        return location.removeprefix("google:").strip() or None
    match = _KEY_IN_URL.search(location)
    return match[1] if match and location.startswith("https://docs.google.com/") else None


@dataclass(frozen=True)
class Connection:
    key: str
    api_url: str = GOOGLE_SHEETS_URL
    credentials: str = ""  # "": Application Default Credentials; "none"; a file path or JSON text
    request_timeout: float = 20.0
    deadline: float = 60.0  # the most time one request may take, retries included
    first_delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep


class _RetryableResponse(Exception):
    """A 429/408/5xx answer, raised so the retry policy can try again; carries the response."""

    def __init__(self, response: Any):
        super().__init__(response.status_code)
        self.response = response


def bounded_http_client(connection: Connection) -> type:
    """A gspread HTTPClient class that talks to `api_url` and retries within a deadline.

    gspread's own BackOffHTTPClient retries forever; this one uses careloop's one retry policy
    (`functions.retry`): it gives up when the deadline would pass, honours Retry-After, and never
    retries other 4xx.
    """
    import requests
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    policy = RetryPolicy(
        budget_seconds=connection.deadline, first_delay=connection.first_delay, max_delay=32.0, sleep=connection.sleep
    )

    class BoundedHTTPClient(HTTPClient):
        def __init__(self, auth: Any, session: Any = None):
            super().__init__(auth, session)
            self.timeout = connection.request_timeout

        def request(  # gspread's signature
            self,
            method: str,
            endpoint: str,
            params: Any = None,
            data: Any = None,
            json: Any = None,
            files: Any = None,
            headers: Any = None,
        ) -> Any:
            url = endpoint.replace(GOOGLE_SHEETS_URL, connection.api_url.rstrip("/"), 1)

            def attempt() -> Any:
                response = self.session.request(
                    method=method,
                    url=url,
                    params=params,
                    data=data,
                    json=json,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                )
                if response.ok:
                    return response
                if response.status_code in RETRIED:
                    raise _RetryableResponse(response)
                raise APIError(response)

            try:
                return policy.call(
                    attempt,
                    (_RetryableResponse, requests.Timeout, requests.ConnectionError),
                    lambda error: _retry_after(error.response) if isinstance(error, _RetryableResponse) else None,
                )
            except _RetryableResponse as error:
                raise APIError(error.response) from None

    return BoundedHTTPClient


def _retry_after(response: Any) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _cell(value: Any) -> Any:
    """A value for values:batchUpdate: None clears the cell (null would leave it as it is);
    a date goes as its serial number, which careloop reads back as that date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return (value - SHEETS_EPOCH).days
    return value


class GoogleSheet:
    def __init__(self, connection: Connection):
        self.connection = connection
        self._metadata: dict[str, Any] | None = None
        self._headers: dict[str, list[Any]] = {}  # tab title → header as read

    @cached_property
    def _http(self):
        import gspread

        session = None
        credentials = self._credentials()
        if credentials is None:
            import requests

            session, credentials = requests.Session(), None
        return gspread.Client(
            credentials, session=session, http_client=bounded_http_client(self.connection)
        ).http_client

    def _credentials(self):
        setting = self.connection.credentials.strip()
        if setting.lower() == "none":
            return None
        if not setting:
            import google.auth

            credentials, _ = google.auth.default(scopes=SCOPES)
            return credentials
        from google.oauth2 import service_account

        if setting.startswith("{"):
            import json

            return service_account.Credentials.from_service_account_info(json.loads(setting), scopes=SCOPES)
        return service_account.Credentials.from_service_account_file(setting, scopes=SCOPES)

    def _call(self, action: Callable[[], Any]) -> Any:
        import requests
        from google.auth.exceptions import GoogleAuthError
        from gspread.exceptions import APIError

        key = self.connection.key
        try:
            return action()
        except APIError as error:
            status = error.response.status_code
            if status in (403, 404):
                raise SheetError(f"{both('sheet_not_shared', key=key)} ({status}: {_message(error)})") from error
            if status == 429:
                raise SheetError(both("sheet_quota", key=key, seconds=f"{self.connection.deadline:.0f}")) from error
            raise SheetError(f"Google Sheets {key}: {status} {_message(error)}") from error
        except (requests.RequestException, GoogleAuthError) as error:
            raise SheetError(f"Google Sheets {key}: {error}") from error

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = self._call(lambda: self._http.fetch_sheet_metadata(self.connection.key))
        return self._metadata

    def tab_titles(self) -> list[str]:
        return [s["properties"]["title"] for s in self.metadata()["sheets"]]

    def read(self, tabs: Sequence[TabSpec]) -> dict[str, Table]:
        titles = self.tab_titles()
        found = {spec.key: title for spec in tabs if (title := find_tab(spec, titles))}
        if not found:
            return {}
        answer = self._values([quoted(t) for t in found.values()], dateTimeRenderOption="SERIAL_NUMBER")
        tables = {}
        for (key, title), value_range in zip(found.items(), answer.get("valueRanges", []), strict=False):
            rows = value_range.get("values", [])
            header = rows[0] if rows else []
            self._headers[title] = header
            tables[key] = Table(title, header, rows[1:])
        return tables

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        changes = [c for c in changes if c.rows]
        if not changes:
            return []
        targets = [(change, self._title(change.tab)) for change in changes]
        data: list[dict[str, Any]] = []
        grow: list[dict[str, Any]] = []
        missed: list[RowWrite] = []
        for change, title, header, id_column in self._tabs_now(targets):
            placement = place(change, header, id_column)
            missed += placement.missed
            grow += self._growth(title, placement)
            data += [
                {"range": f"{quoted(title)}!{column_letters(p)}1", "values": [[text]]}
                for p, text in placement.new_columns
            ]
            data += [
                {"range": f"{quoted(title)}!{column_letters(p)}{n}", "values": [[_cell(v)]]}
                for n, p, v in placement.cells
            ]
        self._update(grow, data)
        return missed

    def _title(self, tab: TabSpec) -> str:
        title = find_tab(tab, self.tab_titles())
        if title is None:
            raise SheetError(
                both("tab_not_in", vi=tab.title_vi, en=tab.title_en, where=f"spreadsheet {self.connection.key}")
            )
        return title

    def _tabs_now(self, targets: list[tuple[TabWrite, str]]) -> list[tuple[TabWrite, str, list[Any], IdColumn]]:
        """One small read: each tab's header and its ID column where it was, as they are now."""
        guesses = {title: self._id_position(change, title) for change, title in targets}
        ranges = []
        for _, title in targets:
            ranges.append(f"{quoted(title)}!1:1")
            guess = guesses[title]
            if guess is not None:
                letters = column_letters(guess)
                ranges.append(f"{quoted(title)}!{letters}2:{letters}")
        value_ranges = iter(self._values(ranges).get("valueRanges", []))
        found: list[tuple[TabWrite, str, list[Any], IdColumn]] = []
        for change, title in targets:
            header = (next(value_ranges).get("values") or [[]])[0]
            fetched = _first_cells(next(value_ranges)) if guesses[title] is not None else []

            def id_column(position: int, title: str = title, fetched: list[Any] = fetched) -> list[Any]:
                if position == guesses[title]:
                    return fetched
                return self._column(title, position)  # staff moved the ID column during the run

            found.append((change, title, header, id_column))
        return found

    def _growth(self, title: str, placement: Placement) -> list[dict[str, Any]]:
        """Writing past the grid is an error in Sheets: the requests that grow it first."""
        sheet = self._sheet(title)
        grid = sheet["gridProperties"]
        columns = max((p for p, _ in placement.new_columns), default=-1) + 1
        rows = max((n for n, _, _ in placement.cells), default=0)
        return [
            {"appendDimension": {"sheetId": sheet["sheetId"], "dimension": dimension, "length": needed - have}}
            for dimension, needed, have in (("COLUMNS", columns, grid["columnCount"]), ("ROWS", rows, grid["rowCount"]))
            if needed > have
        ]

    def _values(self, ranges: list[str], **params: str) -> dict[str, Any]:
        return self._call(
            lambda: self._http.values_batch_get(
                self.connection.key,
                ranges,
                params={"valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "ROWS", **params},
            )
        )

    def _update(self, requests: list[dict[str, Any]], data: list[dict[str, Any]]) -> None:
        """Structure first (new tabs, rows, columns, rules), then values, written RAW."""
        if requests:
            self._call(lambda: self._http.batch_update(self.connection.key, {"requests": requests}))
        if data:
            self._call(
                lambda: self._http.values_batch_update(self.connection.key, {"valueInputOption": "RAW", "data": data})
            )

    def _sheet(self, title: str) -> dict[str, Any]:
        return next(s["properties"] for s in self.metadata()["sheets"] if s["properties"]["title"] == title)

    def _id_position(self, change: TabWrite, title: str) -> int | None:
        header = self._headers.get(title)
        if header is None:
            return None
        return locate_columns(change.tab, header).get(change.id_column.key)

    def _column(self, title: str, position: int) -> list[Any]:
        letters = column_letters(position)
        return _first_cells(self._values([f"{quoted(title)}!{letters}2:{letters}"])["valueRanges"][0])

    def prepare(self, layouts: Sequence[TabLayout], language: str) -> list[str]:
        """`careloop setup-sheet`: 3 reads, then at most 2 writes; nothing when all is in place."""
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
        """Each layout's tab as it is now: its contents, and its row-2 rules (one read each)."""
        titles = [s["properties"]["title"] for s in sheets]
        found = {layout.tab.key: title for layout in layouts if (title := find_tab(layout.tab, titles))}
        if not found:
            return {}
        by_title = {s["properties"]["title"]: s for s in sheets}
        contents = self._values([quoted(t) for t in found.values()])
        grid = self._call(
            lambda: self._http.fetch_sheet_metadata(
                self.connection.key,
                params={
                    "includeGridData": "true",
                    "ranges": [f"{quoted(t)}!2:2" for t in found.values()],
                    "fields": "sheets(properties(sheetId,title),data(rowData(values(dataValidation))))",
                },
            )
        )
        validations = _validations(grid)
        tabs: dict[str, TabState | None] = {}
        for (key, title), value_range in zip(found.items(), contents.get("valueRanges", []), strict=False):
            rows = value_range.get("values", [])
            props = by_title[title]["properties"]
            tabs[key] = TabState(
                props["sheetId"],
                title,
                rows[0] if rows else [],
                sum(1 for r in rows[1:] if any(v != "" for v in r)),
                props["gridProperties"]["rowCount"],
                props["gridProperties"]["columnCount"],
                props["gridProperties"].get("frozenRowCount", 0),
                validations.get(title, {}),
                {p.get("description", "") for p in by_title[title].get("protectedRanges", [])},
            )
        return tabs


def _first_cells(value_range: dict[str, Any]) -> list[Any]:
    return [row[0] if row else None for row in value_range.get("values", [])]


def _validations(grid: dict[str, Any]) -> dict[str, dict[int, dict[str, Any]]]:
    """Tab title → column → the data validation rule on its row 2."""
    found = {}
    for sheet in grid.get("sheets", []):
        values = ((sheet.get("data") or [{}])[0].get("rowData") or [{}])[0].get("values", [])
        found[sheet["properties"]["title"]] = {
            i: v["dataValidation"] for i, v in enumerate(values) if "dataValidation" in v
        }
    return found


def _message(error) -> str:
    try:
        return error.response.json()["error"]["message"]
    except Exception:  # a proxy's HTML page, say
        return error.response.text[:200]
