"""The Customers tab read into customers and row problems (pure, no I/O).

A value that cannot be read becomes a Problem on its row, in plain words; the other rows are
read as usual. Rows are identified by ID, never by position.
"""
from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import values
from .columns import CUSTOMERS, locate_columns
from .i18n import say
from .names import greeting_name, normalise_salutation
from .ports import Table
from .text import cell_text, fold, shorten

NAME_LIMIT = 200
SYSTEM_CELLS = ("case_id", "last_contact", "csat", "system_note", "opt_out")


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    customer_id: str
    column: str  # the header as staff typed it
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = "vi") -> str:
        return say(self.code, language, column=self.column, **self.params)

    def as_dict(self, language: str) -> dict[str, Any]:
        return {"row": self.row, "customer_id": self.customer_id, "column": self.column,
                "code": self.code, "message": self.message(language)}


@dataclass(frozen=True, slots=True)
class Customer:
    row: int
    id: str
    name: str
    greeting: str  # "chị Lan"
    email: str | None
    phone: str | None
    birthday: values.Birthday | None
    purchase_date: date | None
    language: str
    channel: str | None  # None: no usable channel
    opted_out: bool
    id_assigned: bool = False  # the ID was blank and careloop derived one
    problems: tuple[Problem, ...] = ()
    cells: dict[str, Any] = field(default_factory=dict)  # current system cells, to write only changes

    @property
    def address(self) -> str | None:
        return self.email if self.channel == "email" else self.phone


@dataclass(frozen=True)
class ReadRules:
    date_order: str = "DMY"
    phone_region: str = "VN"
    default_language: str = "vi"


@dataclass(frozen=True)
class CustomerSheet:
    customers: list[Customer]
    problems: list[Problem]
    columns: dict[str, int]  # column key → position
    headers: dict[str, str]  # column key → header text as typed


def derived_id(cells: dict[str, Any]) -> str:
    """A stable ID from the row's content, so two overlapping runs assign the same one."""
    material = "|".join(fold(cell_text(cells.get(k))) for k in ("name", "email", "phone", "birthday"))
    digest = hashlib.sha256(material.encode()).digest()
    return "KH-" + base64.b32encode(digest).decode()[:10]


def read_customers(table: Table, rules: ReadRules, today: date) -> CustomerSheet:
    columns = locate_columns(CUSTOMERS, table.header)
    headers = {key: cell_text(table.header[pos]) for key, pos in columns.items()}
    staff_keys = [c.key for c in CUSTOMERS.columns if not c.system and c.key in columns]
    width = max(columns.values()) + 1

    drafts: list[tuple[int, dict[str, Any]]] = []
    for index, raw in enumerate(table.rows):
        row = list(raw) + [None] * (width - len(raw)) if len(raw) < width else raw
        cells = {key: row[pos] for key, pos in columns.items()}
        if all(cell_text(cells[k]) == "" for k in staff_keys):
            continue  # a blank row: staff leave gaps, nothing to say
        drafts.append((Table.row_number(index), cells))

    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for number, cells in drafts:
        given = cell_text(cells.get("id"))
        if given:
            rows_by_id[given.casefold()].append(number)

    customers: list[Customer] = []
    for number, cells in drafts:
        customer = _read_row(number, cells, headers, rules, today, rows_by_id)
        customers.append(customer)
    problems = [p for c in customers for p in c.problems]
    return CustomerSheet(customers, problems, columns, headers)


def _read_row(number: int, cells: dict[str, Any], headers: dict[str, str], rules: ReadRules,
              today: date, rows_by_id: dict[str, list[int]]) -> Customer:
    given_id = cell_text(cells.get("id"))
    customer_id = given_id or derived_id(cells)
    problems: list[Problem] = []

    def problem(key: str, code: str, **params: Any) -> None:
        problems.append(Problem(number, customer_id, headers.get(key, key), code, params))

    def read(key: str, reader, *args):
        raw = cells.get(key)
        if raw is None or cell_text(raw) == "":
            return None
        try:
            return reader(raw, *args)
        except values.CellError as error:
            problem(key, error.code, value=shorten(cell_text(raw)), **error.params)
            return None

    name = " ".join(cell_text(cells.get("name")).split())
    if not name:
        problem("name", "name_missing")
    elif len(name) > NAME_LIMIT:
        problem("name", "too_long", limit=NAME_LIMIT)
    if given_id and len(rows_by_id[given_id.casefold()]) > 1:
        rows = ", ".join(str(r) for r in rows_by_id[given_id.casefold()])
        problem("id", "duplicate_id", value=shorten(given_id), rows=rows)

    email = read("email", values.read_email)
    phone = read("phone", values.read_phone, rules.phone_region)
    birthday = read("birthday", values.read_birthday, rules.date_order, today)
    purchase_date = read("purchase_date", values.read_date, rules.date_order, today)
    if purchase_date is not None and purchase_date > today:
        problem("purchase_date", "date_future", value=shorten(cell_text(cells.get("purchase_date"))))
        purchase_date = None
    language = read("language", values.read_language, rules.default_language) or rules.default_language
    chosen = read("channel", values.read_channel)
    opted_out = bool(read("opt_out", values.read_tick))

    has_email_cell = bool(cell_text(cells.get("email")))
    has_phone_cell = bool(cell_text(cells.get("phone")))
    if not has_email_cell and not has_phone_cell:
        problem("email", "no_contact")
    channel = chosen or ("email" if email else "sms" if phone else None)
    if chosen == "email" and not has_email_cell:
        problem("channel", "channel_needs_email", channel=chosen)
    elif chosen in ("sms", "zalo") and not has_phone_cell:
        problem("channel", "channel_needs_phone", channel=chosen)

    return Customer(
        row=number, id=customer_id, name=name,
        greeting=greeting_name(name, normalise_salutation(cell_text(cells.get("salutation"))), language),
        email=email, phone=phone, birthday=birthday, purchase_date=purchase_date,
        language=language, channel=channel, opted_out=opted_out, id_assigned=not given_id,
        problems=tuple(problems),
        cells={key: cells.get(key) for key in SYSTEM_CELLS},
    )
