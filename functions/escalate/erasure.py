"""Erase on request (issue 26, Law 91/2025/QH15): a customer whose `Xóa dữ liệu` is ticked has their
personal data erased by the next escalation run — from the store (their records, and wherever a
report or a state copied it), from careloop's own tabs (the Cases, Calls, Vouchers and Replies rows
of that customer: personal cells cleared, IDs kept, so the figures still add up) and from their row,
which then says when. Their addresses are kept only as keyed marks, so a later run never writes to
them again, even if staff type them in anew.

It runs before the run reads its cases, so everything after sees the store as erased. Their open
cases close themselves ("đã xóa dữ liệu theo yêu cầu"): nobody is left to answer, so none escalates,
reminds or surveys again; their Cases rows say so in this very run (the tab as read is changed too, so
the run does not take the old status for staff's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from functions.core.cases import RESOLVED, STATUS_TITLES, CaseEvent
from functions.core.i18n import say
from functions.core.privacy import (
    PERSONAL_CELLS,
    TAB_PERSONAL_CELLS,
    personal_strings,
    suppression_opt_outs,
)
from functions.core.sheet_schema import CALLS, CASES, CUSTOMERS, REPLIES, VOUCHERS, TabSpec, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite, row_cells
from functions.core.text import cell_text
from functions.core.theme_suggestions import without_examples_of
from functions.core.theme_tab import THEMES_STATE, kept_examples
from functions.core.values import CellError, read_phone, read_tick
from functions.escalate.deps import EscalationDeps
from functions.escalate.reading import JOB
from functions.escalate.themes import WORDS_STATE

ID_COLUMNS = {CASES.key: "case_id", CALLS.key: "customer_id", VOUCHERS.key: "code", REPLIES.key: "reply_id"}
MOMENT = "%d/%m/%Y %H:%M"


@dataclass
class Erased:
    customer_ids: set[str] = field(default_factory=set)
    writes: list[TabWrite] = field(default_factory=list)
    report: list[dict[str, Any]] = field(default_factory=list)


def erase_requested(deps: EscalationDeps, tables: dict[str, Table], now: datetime, asked: Sequence[str] = ()) -> Erased:
    """The ticked rows (and those of `asked`: `careloop erase`) that still hold personal data, erased;
    the sheet's writes that clear them, the row ticked so every later run knows."""
    erased = Erased()
    table = tables.get(CUSTOMERS.key)
    columns = locate_columns(CUSTOMERS, table.header, require=False) if table else {}
    if table is None or ("erase" not in columns and not asked) or "id" not in columns:
        return erased
    key = deps.links.secret if deps.links is not None else ""
    note = say("erased_at", deps.staff_language, at=now.astimezone(deps.calendar.zone).strftime(MOMENT))
    rows: list[RowWrite] = []
    suppressions: list[str] = []
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        customer_id = cell_text(cells.get("id"))
        kept = {k: cell_text(cells.get(k)) for k in PERSONAL_CELLS if k in columns and cell_text(cells.get(k))}
        if (read_tick(cells.get("erase")) is not True and customer_id not in asked) or not customer_id or not kept:
            continue  # not asked, or erased already (its personal cells are empty)
        personal = personal_strings(*kept.values())
        changed = deps.records.customer_data.erase_customer(customer_id, personal, now)
        suppressions += suppression_opt_outs(_addresses(kept, deps.read_rules.phone_region), key)
        erased.customer_ids.add(customer_id)
        erased.report.append({"customer_id": customer_id, "records": changed})
        cleared = {**dict.fromkeys(kept), "erase": True, "system_note": note}
        rows.append(RowWrite(Table.row_number(index), customer_id, cleared))
    if not rows:
        return erased
    for suppression in suppressions:  # before the sheet forgets the addresses: never written to again
        deps.records.opt_outs.record_opt_out(suppression, now)
    erased.writes.append(TabWrite(CUSTOMERS, CUSTOMERS.column("id"), rows, deps.staff_language))
    _forget_quotes(deps, erased.customer_ids)
    closed = _close_cases(deps, erased.customer_ids, now)
    unread = [spec for spec in (VOUCHERS, REPLIES) if not (tables.get(spec.key) and tables[spec.key].rows)]
    tabs = {**tables, **deps.sheet.read(unread)}  # the tabs a run does not read otherwise: only when erasing
    for spec in (CASES, CALLS, VOUCHERS, REPLIES):
        if spec.key in tabs:
            more = closed if spec is CASES else {}
            erased.writes += _cleared(spec, tabs[spec.key], erased.customer_ids, deps.staff_language, more)
    return erased


def _forget_quotes(deps: EscalationDeps, customer_ids: set[str]) -> None:
    """Their words quoted as a theme's latest example, or a suggestion's, gone from the store (the
    counts stay: they say nothing of anyone)."""
    themes = deps.records.job_state.job_state(JOB).get(THEMES_STATE) or {}
    examples = themes.get("examples") or {}
    kept = kept_examples(examples, date.min, customer_ids)
    if kept != examples:
        deps.records.job_state.save_job_state(JOB, {THEMES_STATE: {**themes, "examples": kept}})
    if words := without_examples_of(deps.records.job_state.job_state(WORDS_STATE), customer_ids):
        deps.records.job_state.save_job_state(WORDS_STATE, words)


def _close_cases(deps: EscalationDeps, customer_ids: set[str], now: datetime) -> dict[str, dict[str, Any]]:
    """The erased customers' open cases, resolved in the store; their Cases rows' new cells, by case ID."""
    note = say("case_erased", deps.staff_language)
    closed: dict[str, dict[str, Any]] = {}
    for case in deps.records.cases.cases(open_only=True):
        if case.customer_id not in customer_ids:
            continue
        # No resolved_at: nobody handled it, so it counts in no resolution figure and is surveyed by nobody.
        changes = {"status": RESOLVED, "resolution_note": note, "updated_at": now}
        event = CaseEvent(case.case_id, now, "status", {"from": case.status, "to": RESOLVED})
        deps.records.cases.update_case(case.case_id, changes, event)
        closed[case.case_id] = {"status": STATUS_TITLES[deps.staff_language][RESOLVED], "resolution_note": note}
    return closed


def _addresses(kept: dict[str, str], region: str) -> list[str]:
    """The addresses a later run must not write to, as a run reads them from a row: the email, the phone
    in E.164 (one it cannot read is marked as typed)."""
    phone = kept.get("phone", "")
    try:
        phone = read_phone(phone, region) if phone else ""
    except CellError:
        pass
    return [a for a in (kept.get("email", ""), phone) if a]


def _cleared(spec: TabSpec, table: Table, customer_ids: set[str], language: str,
             more: dict[str, dict[str, Any]]) -> Sequence[TabWrite]:  # fmt: skip
    """That customer's rows of one of careloop's tabs, their personal cells cleared (IDs and figures kept),
    and `more` cells by row ID written with them (and into the tab as read: this run sees them too)."""
    columns = locate_columns(spec, table.header, require=False)
    id_key, personal = ID_COLUMNS[spec.key], [k for k in TAB_PERSONAL_CELLS[spec.key] if k in columns]
    if "customer_id" not in columns or id_key not in columns or not personal:
        return []
    rows = []
    for i, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        row_id = cell_text(cells[id_key])
        if cell_text(cells.get("customer_id")) not in customer_ids or not row_id:
            continue
        values = dict.fromkeys(personal) | {k: v for k, v in more.get(row_id, {}).items() if k in columns}
        for key, value in values.items():
            if columns[key] < len(raw):
                raw[columns[key]] = value
        rows.append(RowWrite(Table.row_number(i), row_id, values))
    return [TabWrite(spec, spec.column(id_key), rows, language)] if rows else []
