"""The Care plan tab (`Lịch chăm sóc`) read into the occasions a follow-up run sends (pure).

Staff write one row per occasion: its name, the Customers column its date is in, when it falls, to
whom (conditions on the customer's cells), care or advert, and whether it carries a survey or a
voucher. A row careloop cannot use is said in its System note (the column it cannot find, named; a
`Khi nào` it cannot read, with examples) and the other rows run. A sheet without the tab runs the
tab's default rows (templates/care_plan.toml): the birthday wish and the check-in, as always.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any, NamedTuple

from functions.core.data_files import data_file
from functions.core.i18n import say
from functions.core.occasions import (
    COLUMN,
    FIXED,
    WHEN_EXAMPLES,
    Condition,
    Occasion,
    condition_values,
    read_when,
    split_conditions,
)
from functions.core.sheet_schema import CARE_PLAN, CUSTOMERS, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite, row_cells
from functions.core.text import cell_text, fold, header_key, shorten, typed
from functions.core.values import tick_or

CARE, ADVERT = "care", "advert"
KIND_PREFIX = "dip-"  # an occasion's message kind, from its name: "dip-tet-nguyen-dan"
NAME_LIMIT = 60


def builtin_kind(name: str) -> str | None:
    """The kind careloop has always sent that a name means ("Sinh nhật" → "birthday"), or None."""
    words = fold(name)
    return next((kind for kind, names in data_file("care_plan")["kinds"].items() if words in names), None)


def kind_of(name: str) -> str:
    """An occasion's message kind: one careloop has always sent, or "dip-" and its name's words."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40].strip("-")
    return builtin_kind(name) or (KIND_PREFIX + slug if slug else "")


def is_occasion_kind(kind: str) -> bool:
    """An occasion staff added to the care plan (its texts and its provider template are the occasions' own)."""
    return kind.startswith(KIND_PREFIX)


def care_plan_kind(kind: str) -> bool:
    """A message kind of the care plan: one of its built-in rows' (the birthday, the check-in) or staff's."""
    return is_occasion_kind(kind) or kind in data_file("care_plan")["kinds"]


def starter_rows(language: str) -> list[list[Any]]:
    """The tab's first rows, in its column order: the two occasions careloop has always sent, ticked,
    then examples staff may turn on."""
    order = [c.key for c in CARE_PLAN.columns]
    rows = []
    for row in data_file("care_plan")["rows"]:
        words = row.get(language) or row["vi"]
        type_word = say("care_type_advert" if row.get("advert") else "care_type_care", language)
        values = {"occasion": words["name"], "date_column": words.get("column", ""), "when": words["when"],
                  "condition": words.get("condition", ""), "type": type_word, "survey": bool(row.get("survey")),
                  "voucher": bool(row.get("voucher")), "active": bool(row.get("use")), "system_note": ""}  # fmt: skip
        rows.append([values[k] for k in order])
    return rows


class PlanRow(NamedTuple):
    """A Care plan row as read: what its System note says of it, and the occasion it is."""

    number: int
    name: str  # as typed: the row is found by it when written
    problems: tuple[str, ...]  # in the staff language
    occasion: Occasion | None  # None: not in use, or it cannot be
    note: str  # its System note as read


class CarePlan(NamedTuple):
    occasions: list[Occasion]  # in use, in the tab's order
    rows: list[PlanRow]  # every row of the tab; empty for a sheet without it


def read_care_plan(
    table: Table | None, customers_header: Sequence[Any], customer_columns: Mapping[str, int], language: str
) -> CarePlan:
    """The tab's occasions (its default rows when the sheet has no such tab), each row checked against
    the Customers tab's columns (`customer_columns`: key → position, as the Customers reading found them)."""
    if table is None:
        defaults = Table(CARE_PLAN.title_vi, [c.title_vi for c in CARE_PLAN.columns], starter_rows("vi"))
        return CarePlan(read_care_plan(defaults, customers_header, customer_columns, "vi").occasions, [])
    columns = locate_columns(CARE_PLAN, table.header)
    occasions: list[Occasion] = []
    rows: list[PlanRow] = []
    seen: dict[str, int] = {}  # kind → the row that has it
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        if not any(typed(cells.get(k)) for k in ("occasion", "date_column", "when", "condition")):
            continue
        number = Table.row_number(index)
        name = " ".join(cell_text(cells.get("occasion")).split())
        in_use = tick_or(cells.get("active"), True)  # blank: a row staff just added is meant
        occasion, problems = _occasion(cells, name, len(occasions), number, customers_header, customer_columns,
                                       language)  # fmt: skip
        if occasion is not None and in_use:
            if occasion.kind in seen:
                problems.append(say("care_duplicate", language, row=seen[occasion.kind]))
                occasion = None
            else:
                seen[occasion.kind] = number
                occasions.append(occasion)
        rows.append(PlanRow(number, name, tuple(problems), occasion if in_use else None,
                            cell_text(cells.get("system_note"))))  # fmt: skip
    return CarePlan(occasions, rows)


def _occasion(
    cells: Mapping[str, Any],
    name: str,
    order: int,
    number: int,
    header: Sequence[Any],
    located: Mapping[str, int],
    language: str,
) -> tuple[Occasion | None, list[str]]:
    """The row's occasion (None when a problem stops it), and what its note says is wrong."""
    problems: list[str] = []  # the row cannot run
    notes: list[str] = []  # said, and the row runs
    kind = kind_of(name)
    if not name or not kind or len(name) > NAME_LIMIT:
        problems.append(say("care_name_needed", language, limit=NAME_LIMIT))
    when_text = " ".join(cell_text(cells.get("when")).split())
    when = read_when(when_text)
    if when is None:
        problems.append(say("care_when_unreadable", language, value=shorten(when_text) or "—",
                            examples=WHEN_EXAMPLES))  # fmt: skip
    column_text = " ".join(cell_text(cells.get("date_column")).split())
    source, position = "", -1
    if column_text:
        found = find_column(column_text, header, located)
        if found is None:
            problems.append(say("care_column_unknown", language, column=shorten(column_text)))
        elif when is not None and when.rule in FIXED:
            notes.append(say("care_column_unused", language, column=column_text))  # said; the row still runs
        else:
            key, position = found
            source = key if key in ("birthday", "purchase_date") else COLUMN
    elif when is not None and when.needs_column:
        problems.append(say("care_column_needed", language, when=when_text))
    conditions: list[Condition] = []
    for part in split_conditions(cell_text(cells.get("condition"))):
        if isinstance(part, str):
            problems.append(say("care_condition_unreadable", language, text=shorten(part)))
        elif (at := find_column(part[0], header, located)) is None:
            problems.append(say("care_column_unknown", language, column=shorten(part[0])))
        else:
            conditions.append(Condition(part[0], at[1], condition_values(part[1])))
    type_word = fold(cell_text(cells.get("type")))
    types = data_file("care_plan")["types"]
    if type_word not in types[CARE] and type_word not in types[ADVERT]:
        problems.append(say("care_type_unreadable", language, value=shorten(cell_text(cells.get("type")))))
    if problems or when is None:
        return None, problems + notes
    return Occasion(
        name, kind, when, order, source, position, column_text, tuple(conditions), type_word in types[ADVERT],
        tick_or(cells.get("survey"), False), tick_or(cells.get("voucher"), False), number,
    ), notes  # fmt: skip


def find_column(name: str, header: Sequence[Any], located: Mapping[str, int]) -> tuple[str, int] | None:
    """A Customers column staff named: (its key, its position) for one careloop knows by any of its
    spellings ("Ngày sinh", "DOB"), ("", position) for one of staff's own ("Ngày hẹn"); None when absent."""
    wanted = header_key(name)
    for spec in CUSTOMERS.columns:
        if wanted in spec.keys and spec.key in located:
            return spec.key, located[spec.key]
    return next((("", at) for at, title in enumerate(header) if title is not None and header_key(str(title)) == wanted),
                None)  # fmt: skip


@cache
def default_occasions() -> tuple[Occasion, ...]:
    """The care plan of a sheet without a Care plan tab: the birthday wish and the check-in."""
    return tuple(read_care_plan(None, (), {"birthday": 0, "purchase_date": 1}, "vi").occasions)


def typed_kinds(occasions: Sequence[Occasion]) -> dict[str, str]:
    """What staff may type in the Messages tab's Kind for each occasion (its name, folded) → its kind."""
    return {fold(o.name): o.kind for o in occasions}


CARE_PLAN_STATE = "care_plan_days"  # job state: {kind: [last day, sent, deferred, dropped, name]}


class OccasionDay(NamedTuple):
    """What one occasion did on a day, for its row's System note."""

    day: date
    sent: int = 0
    deferred: int = 0  # waiting for a later day: the customer had another message that day
    dropped: int = 0  # could not go within the catch-up days (said with the reason)


def care_plan_write(plan: CarePlan, days: Mapping[str, OccasionDay], language: str) -> TabWrite | None:
    """Each row's System note: what is wrong with it, and what its occasion did on its last day."""
    writes: list[RowWrite] = []
    for row in plan.rows:
        parts = list(row.problems)
        if row.occasion is not None and (day := days.get(row.occasion.kind)) is not None:
            parts.append(say("care_day", language, date=f"{day.day:%d/%m/%Y}", sent=day.sent))
            if day.deferred:
                parts.append(say("care_deferred", language, count=day.deferred))
            if day.dropped:
                parts.append(say("care_dropped", language, count=day.dropped))
        note = "; ".join(parts)
        if note != row.note:
            writes.append(RowWrite(row.number, row.name or None, {"system_note": note}, name=None))
    if not writes:
        return None
    return TabWrite(CARE_PLAN, CARE_PLAN.column("occasion"), writes, language)


def occasion_days(state: Mapping[str, Any]) -> dict[str, OccasionDay]:
    """The occasions' last days as the store keeps them (CARE_PLAN_STATE)."""
    days = {}
    for kind, saved in state.items():
        try:
            days[kind] = OccasionDay(date.fromisoformat(saved[0]), *(int(n) for n in saved[1:4]))
        except (TypeError, ValueError, IndexError):
            continue  # a record this version cannot read: the next run writes it anew
    return days


def occasion_state(days: Mapping[str, OccasionDay], occasions: Sequence[Occasion]) -> dict[str, list[Any]]:
    """CARE_PLAN_STATE's record of these days, each with its occasion's name (the Dashboard and the digest
    name an occasion by it)."""
    names = {o.kind: o.name for o in occasions}
    return {kind: [day.day.isoformat(), *day[1:], names.get(kind, kind)] for kind, day in days.items()}


def names_in_state(state: Mapping[str, Any]) -> dict[str, str]:
    """kind → the name staff gave the occasion, from CARE_PLAN_STATE (for the occasions that sent)."""
    return {kind: str(saved[4]) for kind, saved in state.items() if isinstance(saved, list) and len(saved) > 4}
