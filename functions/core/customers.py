"""The Customers tab read into customers and row problems (pure, no I/O).

A value that cannot be read becomes a Problem on its row, in plain words; the other rows are
read as usual. Rows are identified by ID, never by position.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from functions.core import values
from functions.core.channel_specs import EMAIL_ADDRESS, PHONE_ADDRESS, ChannelBook
from functions.core.gc_pause import cycle_collector_paused
from functions.core.i18n import say
from functions.core.ids import derived_id
from functions.core.names import greeting_name, salutation_said
from functions.core.sheet_schema import CUSTOMERS, customers_tab, locate_columns
from functions.core.tables import Table
from functions.core.text import cell_text, fold, shorten, typed

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
        return {
            "row": self.row,
            "customer_id": self.customer_id,
            "column": self.column,
            "code": self.code,
            "message": self.message(language),
        }


@dataclass(slots=True)  # not frozen: a sheet may hold 100,000 of these, and frozen __init__ is slow
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
    channels: tuple[str, ...]  # the channels to try, in order (before what this deployment has set up)
    opted_out: bool
    id_assigned: bool = False  # the ID was blank and careloop derived one
    problems: tuple[Problem, ...] = ()
    system: tuple[Any, ...] = ()  # the system cells as read, to write only what changes
    system_keys: tuple[str, ...] = ()
    salutation: str = ""  # as a message says it ("chị", "Ms"): the {xung_ho} of staff's texts
    vip: bool = False  # ticked VIP: an occasion of theirs is also a courtesy call
    marketing_consent: bool = False  # ticked: advertising (a voucher, "[QC]") may go to them
    erased: bool = False  # Erase data ticked: erased on request, or about to be (never written to, never heard)
    own_addresses: tuple[tuple[str, str], ...] = ()  # (column key, address) for channels with a column of their own

    def cell(self, key: str) -> Any:
        """A system cell as read ("system_note", "opt_out", …); None when the column is absent."""
        return self.system[self.system_keys.index(key)] if key in self.system_keys else None

    def address(self, kind: str) -> str | None:
        """The row's address of a kind (what a channel's spec needs): EMAIL_ADDRESS, PHONE_ADDRESS or a
        channel's own column."""
        if kind == EMAIL_ADDRESS:
            return self.email
        if kind == PHONE_ADDRESS:
            return self.phone
        return dict(self.own_addresses).get(kind)


def may_advertise(customer: Customer, consent_required: bool) -> bool:
    """Whether an advertising message (a birthday voucher, a kind marked promotional) may go to this
    customer: only with their consent ticked, unless the business turned the requirement off."""
    return customer.marketing_consent or not consent_required


@dataclass(frozen=True)
class ReadRules:
    date_order: str
    phone_region: str
    default_language: str
    channel_order: tuple[str, ...]  # for a row whose Channel is blank
    channels: ChannelBook  # what staff may type for each channel, and the address each needs


@dataclass(frozen=True)
class CustomerSheet:
    customers: list[Customer]
    problems: list[Problem]
    columns: dict[str, int]  # column key → position
    headers: dict[str, str]  # column key → header text as typed


def channels_for(customer: Customer, configured: frozenset[str]) -> tuple[str, ...]:
    """The row's channels this deployment can send on, in the row's order: the first that reaches
    the customer carries the message, the others are its fallbacks."""
    return tuple(c for c in customer.channels if c in configured)


def addresses_for(customer: Customer, configured: frozenset[str], channels: ChannelBook) -> list[tuple[str, str]]:
    """(channel, address) for each of channels_for, in the order to try."""
    return [(c, customer.address(channels.spec(c).address) or "") for c in channels_for(customer, configured)]


def customer_id_for(cells: dict[str, Any]) -> str:
    """A stable ID from the row's content, so two overlapping runs assign the same one."""
    return derived_id(
        "KH-", "|".join(fold(cell_text(cells.get(k))) for k in ("name", "email", "phone", "birthday")), 10
    )


def read_customers(table: Table, rules: ReadRules, today: date) -> CustomerSheet:
    with cycle_collector_paused():
        return _read_customers(table, rules, today)


def _read_customers(table: Table, rules: ReadRules, today: date) -> CustomerSheet:
    columns = locate_columns(customers_tab(rules.channels), table.header)
    headers = {key: cell_text(table.header[pos]) for key, pos in columns.items()}
    numbers, rows = _data_rows(table, columns)

    def column(key: str) -> list[Any]:
        pos = columns.get(key)
        return [None] * len(rows) if pos is None else [raw[pos] for raw in rows]

    # Column by column, each distinct value read once: dates, ticks and languages repeat a lot.
    readers: dict[str, tuple[Any, ...]] = {
        "email": (values.read_email,),
        "phone": (values.read_phone, rules.phone_region),
        "birthday": (values.read_birthday, rules.date_order, today),
        "purchase_date": (values.read_date, rules.date_order, today),
        "language": (values.read_language, rules.default_language),
        "channel": (values.read_channels, rules.channels.words()),
        "opt_out": (values.read_tick,),
        "vip": (values.read_tick,),
        "marketing_consent": (values.read_tick,),
        "erase": (values.read_tick,),
    }
    raw_columns = {key: column(key) for key in ("id", "name", "salutation", *readers)}
    read = {
        key: _read_column(raw_columns[key], reader, *args, repeats=key not in ("email", "phone"))
        for key, (reader, *args) in readers.items()
    }
    ids = [cell_text(v) for v in raw_columns["id"]]
    duplicated = _duplicated(numbers, ids)
    system_keys = tuple(key for key in SYSTEM_CELLS if key in columns)
    system_cells = _tuple_getter([columns[key] for key in system_keys])
    present = [(c.key, columns[c.key]) for c in CUSTOMERS.columns if c.key in columns]

    failed_rows = {i for results in read.values() for i, r in enumerate(results) if type(r) is values.CellError}
    emails, phones, birthdays, purchases = read["email"], read["phone"], read["birthday"], read["purchase_date"]
    languages, channels, ticks = read["language"], read["channel"], read["opt_out"]
    names, salutations = raw_columns["name"], raw_columns["salutation"]
    default_language = rules.default_language
    # Each row's channels when staff left Channel blank, by which addresses it has (a handful of kinds).
    reachable: dict[tuple[bool, bool, tuple[str, ...]], tuple[str, ...]] = {}
    own_raw = {key: column(key) for key, *_ in rules.channels.own_columns()}  # channels' own address columns

    customers: list[Customer] = []
    for i, (number, raw) in enumerate(zip(numbers, rows, strict=False)):
        given_id = ids[i]
        customer_id = given_id or customer_id_for({key: raw[pos] for key, pos in present})
        found: list[tuple[str, str, dict[str, Any]]] = []  # (column key, message code, params)
        email, phone, birthday, purchase_date = emails[i], phones[i], birthdays[i], purchases[i]
        language, chosen, opted_out = languages[i], channels[i], ticks[i]
        has_email, has_phone = email is not None, phone is not None  # an unreadable cell is not blank
        if i in failed_rows:  # the rare row with an unreadable value: say which, in its column's words
            found += _unreadable(i, read, raw_columns)
            email, phone, birthday, purchase_date, language, chosen, opted_out = (
                None if type(v) is values.CellError else v
                for v in (email, phone, birthday, purchase_date, language, chosen, opted_out)
            )

        name = " ".join(cell_text(names[i]).split())
        if not name:
            found.append(("name", "name_missing", {}))
        elif len(name) > NAME_LIMIT:
            found.append(("name", "too_long", {"limit": NAME_LIMIT}))
        if given_id and (given_id.casefold() in duplicated or not given_id.isprintable()):
            found.append(_id_problem(given_id, duplicated))
        if purchase_date is not None and purchase_date > today:
            found.append(
                ("purchase_date", "date_future", {"value": shorten(cell_text(raw_columns["purchase_date"][i]))})
            )
            purchase_date = None
        own = _own_addresses(own_raw, i) if own_raw else ()
        if not has_email and not has_phone and not own:
            found.append(("email", "no_contact", {}))
        if chosen:
            found += _channel_needs(chosen, rules.channels, _kinds(has_email, has_phone, own))
        language = language or default_language
        if read["erase"][i] is True:  # erased on request, or about to be: never written to, nothing to note
            found, opted_out = [], True

        customers.append(
            Customer(
                number,
                customer_id,
                name,
                greeting_name(name, cell_text(salutations[i]), language),
                email,
                phone,
                birthday,
                purchase_date,
                language,
                chosen or _reachable(reachable, rules, email is not None, phone is not None, own),
                bool(opted_out),
                not given_id,
                tuple(Problem(number, customer_id, headers.get(k, k), code, params) for k, code, params in found)
                if found
                else (),
                system_cells(raw),
                system_keys,
                salutation_said(cell_text(salutations[i]), language),
                read["vip"][i] is True,
                read["marketing_consent"][i] is True,
                read["erase"][i] is True,
                own,
            )
        )
    problems = [p for c in customers if c.problems for p in c.problems]
    return CustomerSheet(customers, problems, columns, headers)


def _own_addresses(own_raw: dict[str, list[Any]], row: int) -> tuple[tuple[str, str], ...]:
    """(column key, address) of the row's filled own-address columns."""
    return tuple((key, text) for key, cells in own_raw.items() if (text := " ".join(cell_text(cells[row]).split())))


def _kinds(email: bool, phone: bool, own: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """The kinds of address a row has: EMAIL_ADDRESS, PHONE_ADDRESS, channels' own columns."""
    return frozenset((EMAIL_ADDRESS,) * email + (PHONE_ADDRESS,) * phone + tuple(key for key, _ in own))


def _reachable(
    cache: dict[tuple[bool, bool, tuple[str, ...]], tuple[str, ...]],
    rules: ReadRules,
    email: bool,
    phone: bool,
    own: tuple[tuple[str, str], ...],
) -> tuple[str, ...]:
    """The channels tried for a row whose Channel is blank: those of the order it has an address for
    (an unreadable one reaches nobody); one answer per kind of row, worked out once."""
    key = (email, phone, tuple(k for k, _ in own) if own else ())
    found = cache.get(key)
    if found is None:
        has = _kinds(email, phone, own)
        order = rules.channel_order or rules.channels.names
        found = cache[key] = tuple(
            c for c in order if rules.channels.knows(c) and rules.channels.spec(c).address in has
        )
    return found


def _channel_needs(
    chosen: tuple[str, ...], channels: ChannelBook, has: frozenset[str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """A channel staff chose for a row that lacks its address: a problem on the row (a staff call
    needs a phone; a channel with a column of its own, that column)."""
    problems = []
    for c in chosen:
        address = channels.spec(c).address if channels.knows(c) else PHONE_ADDRESS
        if address in has:
            continue
        if address in (EMAIL_ADDRESS, PHONE_ADDRESS):
            problems.append(("channel", f"channel_needs_{address}", {"channel": c}))
        else:
            problems.append(("channel", "channel_needs_column", {"channel": c, "needed": channels.spec(c).column[0]}))
    return problems


def _data_rows(table: Table, columns: dict[str, int]) -> tuple[list[int], list[list[Any]]]:
    """The rows holding anything staff typed, padded to the known columns, with their sheet row numbers."""
    staff_positions = [pos for c in CUSTOMERS.columns if not c.system and (pos := columns.get(c.key)) is not None]
    width = max(columns.values()) + 1
    name_at = columns["name"]
    numbers: list[int] = []
    rows: list[list[Any]] = []
    for index, raw in enumerate(table.rows):
        if len(raw) < width:
            raw = list(raw) + [None] * (width - len(raw))
        name = raw[name_at]
        # The name is checked first: nearly every row has one. Blank rows are skipped.
        if (type(name) is str and name.strip()) or any(typed(raw[pos]) for pos in staff_positions):
            numbers.append(Table.row_number(index))
            rows.append(raw)
    return numbers, rows


def _duplicated(numbers: list[int], ids: list[str]) -> dict[str, list[int]]:
    """IDs typed on more than one row (compared without case) → those rows."""
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for number, given in zip(numbers, ids, strict=True):
        if given:
            rows_by_id[given.casefold()].append(number)
    return {k: v for k, v in rows_by_id.items() if len(v) > 1}


def _unreadable(
    i: int, read: dict[str, list[Any]], raw_columns: dict[str, list[Any]]
) -> list[tuple[str, str, dict[str, Any]]]:
    """Row i's cells that could not be read: (column key, message code, params)."""
    return [
        (key, results[i].code, {"value": shorten(cell_text(raw_columns[key][i])), **results[i].params})
        for key, results in read.items()
        if type(results[i]) is values.CellError
    ]


def _id_problem(given_id: str, duplicated: dict[str, list[int]]) -> tuple[str, str, dict[str, Any]]:
    """A typed ID that cannot be used: one with a line break in it, or one on more than one row."""
    if not given_id.isprintable():
        return ("id", "id_unreadable", {"value": shorten(repr(given_id)[1:-1])})
    rows_text = ", ".join(str(r) for r in duplicated[given_id.casefold()])
    return ("id", "duplicate_id", {"value": shorten(given_id), "rows": rows_text})


def _tuple_getter(positions: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    if len(positions) > 1:
        return itemgetter(*positions)
    return (lambda raw: (raw[positions[0]],)) if positions else (lambda raw: ())


def _read_column(cells: list[Any], reader: Callable[..., Any], *args: Any, repeats: bool = True) -> list[Any]:
    """Each cell read into its value, None when blank, or the CellError saying why it cannot be.

    `repeats`: the column repeats values (dates, languages), so each distinct one is read once.
    """
    memo: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    append = out.append
    for cell in cells:
        if cell is None or cell == "":
            append(None)
        elif not repeats:
            try:
                append(reader(cell, *args) if cell_text(cell) else None)
            except values.CellError as error:
                append(error)
        else:
            key = (type(cell), cell)  # 1 and True are equal in a dict; keep them apart
            result = memo.get(key, memo)
            if result is memo:
                try:
                    result = reader(cell, *args) if cell_text(cell) else None
                except values.CellError as error:
                    result = error
                memo[key] = result
            append(result)
    return out
