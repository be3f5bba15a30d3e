"""A small local server speaking the subset of the Google Sheets API v4 that careloop uses.

Google offers no Sheets emulator; this one follows the documented request and response shapes
(spreadsheets.get, values.get/batchGet/batchUpdate, spreadsheets.batchUpdate) and Google's error
JSON, keeps a request log for counting, and injects faults (429, 5xx, slow or non-JSON replies).
Formulas are stored, not evaluated.

    python -m tests.helpers.sheets_server --port 8089 --key demo --load demo/khach-hang.xlsx

serves a spreadsheet with id `demo` on 127.0.0.1:8089 until stopped (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.helpers import discovery

EPOCH = date(1899, 12, 30)
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Cell:
    value: Any = None  # str, float/int, bool; dates are serial numbers with is_date
    formula: str | None = None
    is_date: bool = False


@dataclass
class Grid:
    sheet_id: int
    title: str
    index: int
    row_count: int = 1000
    column_count: int = 26
    frozen_rows: int = 0
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    validations: dict[tuple[int, int], dict] = field(default_factory=dict)
    formats: dict[tuple[int, int], dict] = field(default_factory=dict)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    charts: list[dict] = field(default_factory=list)  # EmbeddedChart, as addChart made them
    column_pixels: dict[int, int] = field(default_factory=dict)
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # where a HYPERLINK made a link, and to what
    conditional: list[dict] = field(default_factory=list)  # ConditionalFormatRule, in the API's order

    def cell(self, r: int, c: int) -> Cell | None:
        """The cell as the API reads it: an unticked checkbox (a BOOLEAN rule, no value) is FALSE."""
        cell = self.cells.get((r, c))
        if (cell is None or cell.value in (None, "")) and self.is_checkbox(r, c):
            return Cell(False)
        return cell

    def is_checkbox(self, r: int, c: int) -> bool:
        return self.validations.get((r, c), {}).get("condition", {}).get("type") == "BOOLEAN"

    def extent(self) -> tuple[int, int]:
        """(rows, columns) holding a value: Google omits trailing empty rows and columns, but an
        unticked checkbox holds FALSE."""
        filled = [k for k, c in self.cells.items() if c.value not in (None, "") or c.formula]
        filled += [k for k in self.validations if self.is_checkbox(*k)]
        return (max(r for r, _ in filled) + 1, max(c for _, c in filled) + 1) if filled else (0, 0)

    def check_inside(self, text: str, r: int, c: int) -> None:
        """Google answers 400 for a range that starts outside the grid."""
        if r >= self.row_count or c >= self.column_count:
            raise ApiError(
                400, f"Range ({text}) exceeds grid limits. Max rows: {self.row_count}, max columns: {self.column_count}"
            )


@dataclass
class Book:
    id: str
    title: str = "careloop"
    grids: list[Grid] = field(default_factory=list)
    protected: list[dict] = field(default_factory=list)
    next_id: int = 1000

    def grid(self, title: str) -> Grid:
        for grid in self.grids:
            if grid.title == title:
                return grid
        raise ApiError(400, f"Unable to parse range: {title}")

    def add_grid(self, title: str, rows: int = 1000, columns: int = 26, sheet_id: int | None = None) -> Grid:
        if any(g.title == title for g in self.grids):
            raise ApiError(
                400,
                f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists. '
                "Please enter another name.",
            )
        self.next_id += 1
        grid = Grid(sheet_id if sheet_id is not None else self.next_id, title, len(self.grids), rows, columns)
        self.grids.append(grid)
        return grid


# ---- A1 notation -------------------------------------------------------------------------

_A1 = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?(?P<cells>.*)$")
_BOUND = re.compile(r"^([A-Z]*)(\d*)$")


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_range(text: str, book: Book) -> tuple[Grid, int, int, int | None, int | None]:
    """(grid, first row, first column, last row or None, last column or None), 0-based inclusive."""
    match = _A1.match(text)
    sheet, cells = match["sheet"], match["cells"]
    if sheet is None:  # a bare name is a whole sheet; otherwise the first sheet
        try:
            return book.grid(cells.strip("'").replace("''", "'")), 0, 0, None, None
        except ApiError:
            sheet, cells = book.grids[0].title, cells
    title = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
    grid = book.grid(title)
    if not cells:
        return grid, 0, 0, None, None
    start, _, end = cells.upper().partition(":")
    first, last = _BOUND.match(start), _BOUND.match(end or start)
    if not first or not last:
        raise ApiError(400, f"Unable to parse range: {text}")
    (c1, r1), (c2, r2) = first.groups(), last.groups()
    return (
        grid,
        int(r1) - 1 if r1 else 0,
        column_index(c1) if c1 else 0,
        int(r2) - 1 if r2 else None,
        column_index(c2) if c2 else None,
    )


def a1(grid: Grid, r1: int, c1: int, r2: int, c2: int) -> str:
    quoted = "'" + grid.title.replace("'", "''") + "'"
    return f"{quoted}!{column_letters(c1)}{r1 + 1}:{column_letters(c2)}{r2 + 1}"


# ---- values ------------------------------------------------------------------------------


def rendered(cell: Cell | None, value_option: str, date_option: str) -> Any:
    if cell is None:
        return ""
    if value_option == "FORMULA" and cell.formula:
        return cell.formula
    value = cell.value
    if value is None:
        return ""
    if value_option == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if cell.is_date:
            return f"{EPOCH + timedelta(days=int(value)):%d/%m/%Y}"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if cell.is_date and date_option == "FORMATTED_STRING":
        return f"{EPOCH + timedelta(days=int(value)):%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def entered(value: Any, option: str) -> Cell:
    """A written value as Sheets stores it: RAW keeps text as text; USER_ENTERED parses it."""
    if option == "RAW" or not isinstance(value, str):
        return Cell(value)
    if value.startswith("="):
        return Cell(None, formula=value)
    if value.upper() in ("TRUE", "FALSE"):
        return Cell(value.upper() == "TRUE")
    try:
        return Cell(float(value) if "." in value else int(value))
    except ValueError:
        pass
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return Cell(float((datetime.strptime(value, pattern).date() - EPOCH).days), is_date=True)
        except ValueError:
            pass
    return Cell(value)


# ---- the server --------------------------------------------------------------------------


PROJECT_NUMBER = "123456789012"
ACTIVATION = f"https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project={PROJECT_NUMBER}"
# Error answers as Google sends them: (HTTP code, message, status, ErrorInfo reason and metadata or None).
VARIANTS: dict[str, tuple[int, str, str, tuple[str, dict[str, str]] | None]] = {
    "SERVICE_DISABLED": (
        403,
        f"Google Sheets API has not been used in project {PROJECT_NUMBER} before or it is disabled. Enable it by "
        f"visiting {ACTIVATION} then retry. If you enabled this API recently, wait a few minutes for the action to "
        "propagate to our systems and retry.",
        "PERMISSION_DENIED",
        ("SERVICE_DISABLED", {"service": "sheets.googleapis.com", "consumer": f"projects/{PROJECT_NUMBER}",
                              "activationUrl": ACTIVATION, "serviceTitle": "Google Sheets API"}),
    ),
    "PERMISSION_DENIED": (403, "The caller does not have permission", "PERMISSION_DENIED", None),
    "ACCESS_TOKEN_SCOPE_INSUFFICIENT": (
        403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED",
        ("ACCESS_TOKEN_SCOPE_INSUFFICIENT", {"service": "sheets.googleapis.com",
                                             "method": "google.apps.sheets.v4.SpreadsheetsService.GetSpreadsheet"}),
    ),
    "CONSUMER_SUSPENDED": (
        403, f"Permission denied: Consumer 'projects/{PROJECT_NUMBER}' has been suspended.", "PERMISSION_DENIED",
        ("CONSUMER_SUSPENDED", {"service": "sheets.googleapis.com", "consumer": f"projects/{PROJECT_NUMBER}"}),
    ),
    "NOT_FOUND": (404, "Requested entity was not found.", "NOT_FOUND", None),
    "FAILED_PRECONDITION": (400, "This operation is not supported for this document", "FAILED_PRECONDITION", None),
    "RESOURCE_EXHAUSTED": (
        429,
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service "
        f"'sheets.googleapis.com' for consumer 'project_number:{PROJECT_NUMBER}'.",
        "RESOURCE_EXHAUSTED",
        ("RATE_LIMIT_EXCEEDED", {"service": "sheets.googleapis.com", "consumer": f"projects/{PROJECT_NUMBER}",
                                 "quota_metric": "sheets.googleapis.com/read_requests",
                                 "quota_limit": "ReadRequestsPerMinutePerUser", "quota_limit_value": "60",
                                 "quota_location": "global"}),
    ),
    "UNAUTHENTICATED": (
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
        "authentication credential.",
        "UNAUTHENTICATED",
        ("ACCESS_TOKEN_TYPE_UNSUPPORTED", {"service": "sheets.googleapis.com", "method": "google.apps.sheets.v4"}),
    ),
}  # fmt: skip


@dataclass
class Fault:
    status: int = 429
    retry_after: str | None = None
    delay: float = 0.0  # seconds before answering (a slow reply)
    html: bool = False  # a non-JSON body, as a proxy in front of Google sends
    path: str = ""  # only requests whose path contains this
    variant: str = ""  # one of VARIANTS: Google's own answer for that error
    mutate: Callable[[SheetsState], None] | None = None  # staff change the sheet while the client backs off
    after: bool = False  # the request is carried out, then the answer is lost (a 503 or timeout on the way back)


class SheetsState:
    def __init__(self):
        self.books: dict[str, Book] = {}
        self.log: list[dict[str, Any]] = []
        self.faults: deque[Fault] = deque()
        self.lock = threading.RLock()

    def book(self, key: str) -> Book:
        if key not in self.books:
            raise ApiError(404, "Requested entity was not found.")
        return self.books[key]

    def create(self, key: str, tabs: dict[str, list[list[Any]]] | None = None, title: str = "careloop") -> Book:
        book = Book(key, title)
        for i, (name, rows) in enumerate((tabs or {"Sheet1": []}).items()):
            grid = book.add_grid(
                name,
                max(1000, len(rows) + 10),
                max(26, max((len(r) for r in rows), default=0)),
                sheet_id=0 if i == 0 else None,
            )
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None and value != "":
                        grid.cells[(r, c)] = _stored(value)
        self.books[key] = book
        return book

    def rows(self, key: str, title: str) -> list[list[Any]]:
        """A tab as lists of unformatted values (for test assertions)."""
        grid = self.book(key).grid(title)
        height, width = grid.extent()
        return [
            [rendered(grid.cell(r, c), "UNFORMATTED_VALUE", "SERIAL_NUMBER") for c in range(width)]
            for r in range(height)
        ]

    def count(self, kind: str) -> int:
        return sum(1 for entry in self.log if entry["kind"] == kind)


# ---- staff at work: changes a fault makes while the client backs off ------------------------


def sort_rows(title: str, column: int, key: str = "", reverse: bool = True) -> Callable[[SheetsState], None]:
    """Sort the tab's data rows by one column, as staff do with Data → Sort range."""

    def sort(state: SheetsState) -> None:
        grid = (state.books[key] if key else next(iter(state.books.values()))).grid(title)
        height, width = grid.extent()
        rows = [[grid.cells.get((r, c)) for c in range(width)] for r in range(1, height)]
        rows.sort(key=lambda cells: str(cells[column].value if cells[column] else ""), reverse=reverse)
        for r, cells in enumerate(rows, start=1):
            for c, cell in enumerate(cells):
                grid.cells.pop((r, c), None)
                if cell is not None:
                    grid.cells[(r, c)] = cell

    return sort


def insert_row(title: str, before: int, key: str = "") -> Callable[[SheetsState], None]:
    """Insert a blank row above 0-based row `before`, as staff do with Insert → Row above."""

    def insert(state: SheetsState) -> None:
        grid = (state.books[key] if key else next(iter(state.books.values()))).grid(title)
        grid.cells = {(r + 1 if r >= before else r, c): cell for (r, c), cell in grid.cells.items()}
        grid.validations = {(r + 1 if r >= before else r, c): v for (r, c), v in grid.validations.items()}
        grid.row_count += 1

    return insert


def delete_trailing_rows(title: str, keep: int, key: str = "") -> Callable[[SheetsState], None]:
    """Delete every row from 0-based row `keep` down, as staff do to tidy the bottom of a tab."""

    def delete(state: SheetsState) -> None:
        grid = (state.books[key] if key else next(iter(state.books.values()))).grid(title)
        grid.cells = {k: v for k, v in grid.cells.items() if k[0] < keep}
        grid.validations = {k: v for k, v in grid.validations.items() if k[0] < keep}
        grid.row_count = keep

    return delete


def _stored(value: Any) -> Cell:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Cell(float((value - EPOCH).days), is_date=True)
    if isinstance(value, str) and value.startswith("="):
        return Cell(None, formula=value)
    return Cell(value)


class Handler(BaseHTTPRequestHandler):
    state: SheetsState
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes; no 40 ms delayed-ACK stall

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        kind = _kind(method, path)
        refused = discovery.problem(method, path, query, body)  # as Google would, by its discovery document
        with self.state.lock:
            self.state.log.append({"method": method, "path": path, "query": query, "body": body, "kind": kind,
                                   "refused": refused})  # fmt: skip
            fault = next((f for f in self.state.faults if f.path in path), None)
            if fault:
                self.state.faults.remove(fault)
        if refused:
            return self._error(400, refused)
        if fault and fault.after:  # carried out; only the answer is lost
            try:
                with self.state.lock:
                    _route(self.state, method, path, query, body)
            except ApiError:
                pass
        if fault:
            time.sleep(fault.delay)
            if fault.mutate:
                with self.state.lock:
                    fault.mutate(self.state)
            if fault.status == 200:
                fault = None
        if fault:
            return self._fault(fault)
        try:
            with self.state.lock:
                answer = _route(self.state, method, path, query, body)
        except ApiError as error:
            return self._error(error.code, error.message)
        self._send(200, json.dumps(answer).encode(), "application/json; charset=UTF-8")

    def _fault(self, fault: Fault) -> None:
        if fault.html:
            return self._send(fault.status, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        if fault.variant:
            code, message, status, info = VARIANTS[fault.variant]
            return self._error(code, message, fault.retry_after, status, info)
        return self._error(
            fault.status,
            VARIANTS["RESOURCE_EXHAUSTED"][1] if fault.status == 429 else "The service is currently unavailable.",
            fault.retry_after,
        )

    def _error(
        self,
        code: int,
        message: str,
        retry_after: str | None = None,
        status: str = "",
        info: tuple[str, dict[str, str]] | None = None,
    ) -> None:
        error: dict[str, Any] = {
            "code": code,
            "message": message,
            "status": status or STATUS_NAMES.get(code, "UNKNOWN"),
        }
        if info:
            reason, metadata = info
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": reason,
                    "domain": "googleapis.com",
                    "metadata": metadata,
                }
            ]
        payload = {"error": error}
        self._send(
            code,
            json.dumps(payload).encode(),
            "application/json; charset=UTF-8",
            {"Retry-After": retry_after} if retry_after else {},
        )

    def _send(self, code: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _kind(method: str, path: str) -> str:
    if path.endswith("/values:batchGet"):
        return "values.batchGet"
    if path.endswith("/values:batchUpdate"):
        return "values.batchUpdate"
    if path.endswith(":batchUpdate"):
        return "spreadsheets.batchUpdate"
    if "/values/" in path:
        return "values.get" if method == "GET" else "values.update"
    return "spreadsheets.get" if method == "GET" else "other"


_ROUTE = re.compile(r"^/v4/spreadsheets/(?P<key>[^/:]+)(?P<rest>.*)$")


def _route(state: SheetsState, method: str, path: str, query: dict, body: dict) -> dict:
    match = _ROUTE.match(path)
    if not match:
        raise ApiError(404, "Requested entity was not found.")
    book, rest = state.book(match["key"]), match["rest"]
    if method == "GET" and rest == "":
        metadata = _metadata(book)
        if query.get("includeGridData", ["false"])[0] == "true":
            for text in query.get("ranges", []):
                grid, r1, c1, r2, c2 = parse_range(text, book)
                grid.check_inside(text, r1, c1)
                rows = range(r1, min(r2 if r2 is not None else grid.row_count - 1, grid.row_count - 1) + 1)
                cols = range(c1, min(c2 if c2 is not None else grid.column_count - 1, grid.column_count - 1) + 1)
                entry = next(s for s in metadata["sheets"] if s["properties"]["sheetId"] == grid.sheet_id)
                entry.setdefault("data", []).append(
                    {
                        "startRow": r1,
                        "startColumn": c1,
                        "rowData": [{"values": [_grid_cell(grid, r, c) for c in cols]} for r in rows],
                    }
                )
        return metadata
    if method == "GET" and rest == "/values:batchGet":
        value_option = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        date_option = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        ranges = query.get("ranges", [])
        return {"spreadsheetId": book.id, "valueRanges": [_values(book, r, value_option, date_option) for r in ranges]}
    if method == "GET" and rest.startswith("/values/"):
        return _values(
            book,
            rest.removeprefix("/values/"),
            query.get("valueRenderOption", ["FORMATTED_VALUE"])[0],
            query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0],
        )
    if method == "POST" and rest == "/values:batchUpdate":
        return _values_update(book, body)
    if method == "PUT" and rest.startswith("/values/"):  # values.update
        option = query.get("valueInputOption", [None])[0]
        answer = _values_update(
            book,
            {
                "valueInputOption": option,
                "data": [{"range": rest.removeprefix("/values/"), "values": body.get("values", [])}],
            },
        )
        return answer["responses"][0]
    if method == "POST" and rest == ":batchUpdate":
        before = copy.deepcopy(book.__dict__)  # all requests or none, as Google applies them
        try:
            return {"spreadsheetId": book.id,
                    "replies": [_request(book, r, i) for i, r in enumerate(body.get("requests", []))]}  # fmt: skip
        except ApiError:
            book.__dict__.update(before)
            raise
    raise ApiError(404, "Requested entity was not found.")


def _grid_cell(grid: Grid, r: int, c: int) -> dict:
    """A cell as grid data shows it: its effective value and its validation rule, when it has them."""
    found: dict[str, Any] = {}
    cell = grid.cell(r, c)
    value = rendered(cell, "UNFORMATTED_VALUE", "SERIAL_NUMBER") if cell else ""
    if value != "":
        kind = (
            "boolValue"
            if isinstance(value, bool)
            else "numberValue"
            if isinstance(value, int | float)
            else "stringValue"
        )
        found["effectiveValue"] = {kind: value}
    if (r, c) in grid.validations:
        found["dataValidation"] = grid.validations[(r, c)]
    return found


def _metadata(book: Book) -> dict:
    return {
        "spreadsheetId": book.id,
        "properties": {
            "title": book.title,
            "locale": "vi_VN",
            "timeZone": "Asia/Ho_Chi_Minh",
            "autoRecalc": "ON_CHANGE",
        },
        "sheets": [
            {
                "properties": {
                    "sheetId": g.sheet_id,
                    "title": g.title,
                    "index": g.index,
                    "sheetType": "GRID",
                    "gridProperties": {
                        "rowCount": g.row_count,
                        "columnCount": g.column_count,
                        **({"frozenRowCount": g.frozen_rows} if g.frozen_rows else {}),
                    },
                },
                **(
                    {"protectedRanges": [p for p in book.protected if p["range"]["sheetId"] == g.sheet_id]}
                    if any(p["range"]["sheetId"] == g.sheet_id for p in book.protected)
                    else {}
                ),
                **({"charts": copy.deepcopy(g.charts)} if g.charts else {}),
                **({"conditionalFormats": copy.deepcopy(g.conditional)} if g.conditional else {}),
            }
            for g in book.grids
        ],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.id}/edit",
    }


def _values(book: Book, text: str, value_option: str, date_option: str) -> dict:
    grid, r1, c1, r2, c2 = parse_range(text, book)
    grid.check_inside(text, r1, c1)
    height, width = grid.extent()
    last_row = min(grid.row_count - 1, r2 if r2 is not None else grid.row_count - 1)
    last_col = min(grid.column_count - 1, c2 if c2 is not None else grid.column_count - 1)
    rows = []
    for r in range(r1, min(last_row, height - 1) + 1):
        rows.append(
            [rendered(grid.cell(r, c), value_option, date_option) for c in range(c1, min(last_col, width - 1) + 1)]
        )
    while rows and rows[-1] and rows[-1][-1] == "":  # trailing empty cells are omitted
        rows[-1].pop()
    rows = [_trim(r) for r in rows]
    while rows and not rows[-1]:
        rows.pop()
    answer: dict[str, Any] = {"range": a1(grid, r1, c1, last_row, last_col), "majorDimension": "ROWS"}
    if rows:
        answer["values"] = rows
    return answer


def _trim(row: list[Any]) -> list[Any]:
    while row and row[-1] == "":
        row.pop()
    return row


def _values_update(book: Book, body: dict) -> dict:
    option = body.get("valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise ApiError(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    responses, writes, sheets = [], [], set()
    for item in body.get("data", []):  # every cell is checked before any is written: the batch is atomic
        grid, r1, c1, _, _ = parse_range(item["range"], book)
        values = item.get("values", [])
        for dr, row in enumerate(values):
            for dc, value in enumerate(row):
                grid.check_inside(item["range"], r1 + dr, c1 + dc)
                if value is not None:  # null values are skipped
                    writes.append((grid, r1 + dr, c1 + dc, entered(value, option)))
        sheets.add(grid.title)
        width = max((len(r) for r in values), default=0)
        responses.append(
            {
                "spreadsheetId": book.id,
                "updatedRange": a1(grid, r1, c1, r1 + max(len(values) - 1, 0), c1 + max(width - 1, 0)),
                "updatedRows": len(values),
                "updatedColumns": width,
                "updatedCells": sum(len(r) for r in values),
            }
        )
    for grid, r, c, cell in writes:
        grid.cells[(r, c)] = cell
    cells = len(writes)
    return {
        "spreadsheetId": book.id,
        "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
        "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
        "totalUpdatedCells": cells,
        "totalUpdatedSheets": len(sheets),
        "responses": responses,
    }


def _grid_by_id(book: Book, sheet_id: int) -> Grid:
    for grid in book.grids:
        if grid.sheet_id == sheet_id:
            return grid
    raise ApiError(400, f"No grid with id: {sheet_id}")


def _cells_of(book: Book, grid_range: dict):
    grid = _grid_by_id(book, grid_range.get("sheetId", 0))
    rows = range(grid_range.get("startRowIndex", 0), grid_range.get("endRowIndex", grid.row_count))
    cols = range(grid_range.get("startColumnIndex", 0), grid_range.get("endColumnIndex", grid.column_count))
    return grid, [(r, c) for r in rows for c in cols]


def _add_sheet(book: Book, spec: dict) -> dict:
    props = spec.get("properties", {})
    grid_props = props.get("gridProperties", {})
    grid = book.add_grid(
        props["title"], grid_props.get("rowCount", 1000), grid_props.get("columnCount", 26), props.get("sheetId")
    )
    grid.frozen_rows = grid_props.get("frozenRowCount", 0)
    return {"addSheet": {"properties": _metadata(book)["sheets"][grid.index]["properties"]}}


def _update_sheet_properties(book: Book, spec: dict) -> dict:
    grid = _grid_by_id(book, spec["properties"]["sheetId"])
    fields = spec["fields"].split(",")
    props = spec["properties"]
    if "title" in fields:
        grid.title = props["title"]
    if "gridProperties.frozenRowCount" in fields:
        grid.frozen_rows = props["gridProperties"].get("frozenRowCount", 0)
    return {}


def _insert_dimension(book: Book, spec: dict) -> dict:
    """Rows (or columns) inserted at startIndex: what lay there and beyond moves on by as many, and
    the new ones take their format and validation from the neighbour inheritFromBefore names."""
    span = spec["range"]
    grid = _grid_by_id(book, span["sheetId"])
    start, end, rows = span["startIndex"], span["endIndex"], span["dimension"] == "ROWS"
    count, before = end - start, spec.get("inheritFromBefore", False)
    size = grid.row_count if rows else grid.column_count
    if end <= start or start > size:
        raise ApiError(400, f"Invalid requests[0].insertDimension: Invalid dimensionRange, startIndex {start}, "
                            f"endIndex {end}, {size} {'rows' if rows else 'columns'}")  # fmt: skip
    if before and start == 0:
        raise ApiError(400, "Invalid requests[0].insertDimension: Cannot inherit from before the first row/column.")
    if not before and start == size:
        raise ApiError(400, "Invalid requests[0].insertDimension: Cannot inherit from after the last row/column.")

    def moved(at: tuple[int, int]) -> tuple[int, int]:
        index = at[0] if rows else at[1]
        if index < start:
            return at
        return (at[0] + count, at[1]) if rows else (at[0], at[1] + count)

    for kept in (grid.cells, grid.validations, grid.formats, grid.notes, grid.links):
        shifted = {moved(at): value for at, value in kept.items()}
        kept.clear()
        kept.update(shifted)
    _inherit(grid, rows, start, end, start - 1 if before else end)
    _conditional_ranges_moved(grid, rows, start, count)
    if rows:
        grid.row_count += count
    else:
        grid.column_count += count
    return {}


def _inherit(grid: Grid, rows: bool, start: int, end: int, neighbour: int) -> None:
    """Inserted rows (columns) [start, end) take the validation and format of the row `neighbour`."""
    for kept in (grid.validations, grid.formats):
        for at, value in list(kept.items()):
            if (at[0] if rows else at[1]) == neighbour:
                for index in range(start, end):
                    kept[(index, at[1]) if rows else (at[0], index)] = copy.deepcopy(value)


def _conditional_ranges_moved(grid: Grid, rows: bool, start: int, count: int) -> None:
    """Conditional-format ranges past the insertion move on; one across it grows."""
    first, last = ("startRowIndex", "endRowIndex") if rows else ("startColumnIndex", "endColumnIndex")
    for grid_range in (r for rule in grid.conditional for r in rule.get("ranges", [])):
        if grid_range.get(first, 0) >= start:
            grid_range[first] = grid_range.get(first, 0) + count
            if last in grid_range:
                grid_range[last] += count
        elif last in grid_range and grid_range[last] > start:
            grid_range[last] += count


def _append_dimension(book: Book, spec: dict) -> dict:
    grid = _grid_by_id(book, spec["sheetId"])
    if spec["dimension"] == "COLUMNS":
        grid.column_count += spec["length"]
    else:
        grid.row_count += spec["length"]
    return {}


def _set_data_validation(book: Book, spec: dict) -> dict:
    grid, cells = _cells_of(book, spec["range"])
    for cell in cells:
        if spec.get("rule"):
            grid.validations[cell] = spec["rule"]
        else:
            grid.validations.pop(cell, None)
    return {}


def _add_protected_range(book: Book, spec: dict) -> dict:
    protected = dict(spec["protectedRange"])
    book.next_id += 1
    protected["protectedRangeId"] = book.next_id
    book.protected.append(protected)
    return {"addProtectedRange": {"protectedRange": protected}}


def _repeat_cell(book: Book, spec: dict) -> dict:
    grid, cells = _cells_of(book, spec["range"])
    for cell in cells:
        grid.formats[cell] = spec["cell"].get("userEnteredFormat", {})
    return {}


def _update_dimension_properties(book: Book, spec: dict) -> dict:
    grid = _grid_by_id(book, spec["range"]["sheetId"])
    for c in range(spec["range"]["startIndex"], spec["range"]["endIndex"]):
        grid.column_pixels[c] = spec["properties"].get("pixelSize", 100)
    return {}


NUMBER_FORMAT_TYPES = ("NUMBER_FORMAT_TYPE_UNSPECIFIED", "TEXT", "NUMBER", "PERCENT", "CURRENCY", "DATE", "TIME",
                       "DATE_TIME", "SCIENTIFIC")  # fmt: skip
UPDATE_CELLS_FIELDS = ("note", "userEnteredValue", "userEnteredValue,userEnteredFormat.numberFormat")


def _update_cells(book: Book, spec: dict) -> dict:
    """Notes (what setup-sheet writes), formulas (a phone's HYPERLINK) and numbers with their format
    (a Dashboard figure), from `start` over `rows`. A HYPERLINK shows its label, as Google would;
    other formulas are stored, not evaluated. A number format's type must be one the API names."""
    if spec.get("fields") not in UPDATE_CELLS_FIELDS:
        raise ApiError(400, f"This test server's updateCells takes fields: {', '.join(UPDATE_CELLS_FIELDS)}")
    start = spec["start"]
    grid = _grid_by_id(book, start["sheetId"])
    for r, row in enumerate(spec["rows"]):
        for c, value in enumerate(row.get("values", [])):
            at = (start["rowIndex"] + r, start["columnIndex"] + c)
            grid.check_inside(f"updateCells {at}", *at)
            entered = value.get("userEnteredValue", {})
            if spec["fields"] == "note":
                grid.notes[at] = value.get("note", "")
            elif not entered:  # no value under a field the request names: the cell is cleared
                grid.cells.pop(at, None)
                grid.links.pop(at, None)
            elif "stringValue" in entered or "boolValue" in entered:  # as RAW input: text stays text
                grid.cells[at] = Cell(entered.get("stringValue", entered.get("boolValue")))
                grid.links.pop(at, None)
            elif "numberValue" in value["userEnteredValue"]:
                number_format = value.get("userEnteredFormat", {}).get("numberFormat", {})
                if number_format.get("type", "NUMBER_FORMAT_TYPE_UNSPECIFIED") not in NUMBER_FORMAT_TYPES:
                    raise ApiError(
                        400,
                        f"Invalid value at 'requests[0].update_cells.rows[0].values[0]."
                        f"user_entered_format.number_format.type' ({number_format.get('type')})",
                    )
                grid.cells[at] = Cell(
                    value["userEnteredValue"]["numberValue"], is_date="DATE" in number_format.get("type", "")
                )
                grid.formats[at] = {"numberFormat": number_format}
            else:
                formula = value["userEnteredValue"]["formulaValue"]
                link = re.fullmatch(r'=HYPERLINK\("([^"]*)";"([^"]*)"\)', formula)
                grid.cells[at] = Cell(link[2] if link else None, formula)
                grid.links.pop(at, None)
                if link and link[1].lower().startswith(HYPERLINK_SCHEMES):
                    grid.links[at] = link[1]  # Google links only these; a tel: shows its label and links nowhere
    return {}


HYPERLINK_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "aim:", "gopher://", "telnet://", "news:")


def _add_chart(book: Book, spec: dict) -> dict:
    chart = copy.deepcopy(spec["chart"])
    anchor = chart["position"]["overlayPosition"]["anchorCell"]
    grid = _grid_by_id(book, anchor["sheetId"])
    sources = [chart["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]]
    sources += [s["series"]["sourceRange"] for s in chart["spec"]["basicChart"]["series"]]
    for source in sources:
        for part in source["sources"]:
            source_grid = _grid_by_id(book, part["sheetId"])
            if part["endColumnIndex"] > source_grid.column_count or part["endRowIndex"] > source_grid.row_count:
                raise ApiError(400, "Invalid requests[0].addChart: sourceRange is outside the grid.")
    book.next_id += 1
    chart["chartId"] = book.next_id
    grid.charts.append(chart)
    return {"addChart": {"chart": chart}}


# Conditions that compare against one value, as Google checks them ("… requires exactly one ConditionValue").
ONE_VALUE_CONDITIONS = {"TEXT_EQ", "TEXT_NOT_EQ", "TEXT_CONTAINS", "TEXT_NOT_CONTAINS", "TEXT_STARTS_WITH",
                        "TEXT_ENDS_WITH", "NUMBER_EQ", "NUMBER_NOT_EQ", "NUMBER_GREATER", "NUMBER_LESS"}  # fmt: skip


def _add_conditional_format_rule(book: Book, spec: dict) -> dict:
    rule = copy.deepcopy(spec["rule"])
    if ("booleanRule" in rule) == ("gradientRule" in rule):
        raise ApiError(400, "Invalid requests[0].addConditionalFormatRule: Exactly one of booleanRule or "
                            "gradientRule must be set.")  # fmt: skip
    sheets = {r.get("sheetId", 0) for r in rule.get("ranges", [])}
    if len(sheets) != 1:
        raise ApiError(400, "Invalid requests[0].addConditionalFormatRule: All ranges must be on the same sheet.")
    condition = rule.get("booleanRule", {}).get("condition", {})
    if condition.get("type") in ONE_VALUE_CONDITIONS and len(condition.get("values", [])) != 1:
        raise ApiError(400, f"Invalid requests[0].addConditionalFormatRule: {condition['type']} requires exactly "
                            "one ConditionValue.")  # fmt: skip
    grid = _grid_by_id(book, sheets.pop())
    index = spec.get("index", 0)
    if index > len(grid.conditional):
        raise ApiError(400, f"Invalid requests[0].addConditionalFormatRule: index {index} is past the end.")
    grid.conditional.insert(index, rule)
    return {}


REQUESTS = {
    "addConditionalFormatRule": _add_conditional_format_rule,
    "addChart": _add_chart,
    "updateCells": _update_cells,
    "addSheet": _add_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "appendDimension": _append_dimension,
    "insertDimension": _insert_dimension,
    "setDataValidation": _set_data_validation,
    "addProtectedRange": _add_protected_range,
    "repeatCell": _repeat_cell,
    "updateDimensionProperties": _update_dimension_properties,
}


def _request(book: Book, request: dict, index: int = 0) -> dict:
    """One request of spreadsheets.batchUpdate; a name the subset does not know is Google's 400. Each
    is checked against the grid as it stands at that point of the batch, as Google does."""
    ((name, spec),) = request.items()
    if name not in REQUESTS:
        raise ApiError(400, f"Invalid JSON payload received. Unknown name \"{name}\" at 'requests[{index}]'")
    try:
        _inside_grid(book, name, spec)
        return REQUESTS[name](book, spec)
    except ApiError as error:
        raise ApiError(error.code, error.message.replace("requests[0]", f"requests[{index}]")) from None


def _inside_grid(book: Book, name: str, spec: dict) -> None:
    """Every range, anchor and dimension a request names must lie inside its tab's grid now."""
    ranges = [spec[key] for key in ("range",) if isinstance(spec.get(key), dict) and "sheetId" in spec[key]]
    if name == "addProtectedRange":
        ranges.append(spec["protectedRange"]["range"])
    if name == "addConditionalFormatRule":
        ranges += spec["rule"].get("ranges", [])
    for grid_range in ranges:
        grid = _grid_by_id(book, grid_range.get("sheetId", 0))
        rows = (grid_range.get("startRowIndex", 0), grid_range.get("endRowIndex", grid.row_count))
        columns = (grid_range.get("startColumnIndex", 0), grid_range.get("endColumnIndex", grid.column_count))
        if (
            rows[0] >= grid.row_count
            or rows[1] > grid.row_count
            or columns[0] >= grid.column_count
            or (columns[1] > grid.column_count)
        ):
            raise ApiError(400, f"Invalid requests[0].{name}: range ({grid.title}!R{rows[0] + 1}C{columns[0] + 1}:"
                                f"R{rows[1]}C{columns[1]}) exceeds grid limits. Max rows: {grid.row_count}, "
                                f"max columns: {grid.column_count}")  # fmt: skip
    if name == "updateDimensionProperties":
        dimension = spec["range"]
        grid = _grid_by_id(book, dimension["sheetId"])
        count = grid.column_count if dimension["dimension"] == "COLUMNS" else grid.row_count
        if dimension["endIndex"] > count:
            raise ApiError(400, f"Invalid requests[0].updateDimensionProperties: Invalid dimensionRange, endIndex "
                                f"{dimension['endIndex']} > {count}")  # fmt: skip
    if name == "addChart":
        anchor = spec["chart"]["position"]["overlayPosition"]["anchorCell"]
        grid = _grid_by_id(book, anchor["sheetId"])
        if anchor.get("rowIndex", 0) >= grid.row_count or anchor.get("columnIndex", 0) >= grid.column_count:
            raise ApiError(400, f"Invalid requests[0].addChart: The anchor cell (row {anchor.get('rowIndex', 0)}, "
                                f"column {anchor.get('columnIndex', 0)}) is outside the grid of {grid.title} "
                                f"({grid.row_count} rows, {grid.column_count} columns).")  # fmt: skip
    frozen = spec.get("properties", {}).get("gridProperties", {}).get("frozenRowCount")
    if name in ("updateSheetProperties", "addSheet") and frozen:
        rows = spec["properties"].get("gridProperties", {}).get("rowCount")
        if rows is None:
            rows = _grid_by_id(book, spec["properties"]["sheetId"]).row_count if name != "addSheet" else 1000
        if frozen >= rows:
            raise ApiError(400, f"Invalid requests[0].{name}: You can't freeze all visible rows on the sheet.")


class SheetsServer:
    """The server on 127.0.0.1, in a thread; stop() shuts it down and closes the port."""

    def __init__(self, port: int = 0, state: SheetsState | None = None):
        self.state = state or SheetsState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> SheetsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _load_xlsx(path: str) -> dict[str, list[list[Any]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=True)
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", default="demo", help="the spreadsheet id to serve")
    parser.add_argument("--load", help="an .xlsx workbook to start from")
    args = parser.parse_args()
    state = SheetsState()
    state.create(args.key, _load_xlsx(args.load) if args.load else {"Khách hàng": []})
    server = SheetsServer(args.port, state)
    print(f"Sheets API test server: {server.url}  spreadsheet id: {args.key}", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
