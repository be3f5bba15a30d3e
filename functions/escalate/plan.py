"""What one escalation run does (pure): open cases for ticked rows, take in staff's status
changes from the Cases tab, move overdue cases up a tier, and decide which notices are due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.core.business_calendar import BusinessCalendar
from functions.core.cases import (
    OPEN,
    RESOLVED,
    STATUS_TITLES,
    CaseEvent,
    CaseRecord,
    case_id_for,
    flag_key,
    read_status,
)
from functions.core.customers import CustomerSheet
from functions.core.i18n import say
from functions.core.sheet_schema import CASES, CUSTOMERS, TabSpec, locate_columns
from functions.core.tables import Table, row_cells
from functions.core.text import cell_text, shorten, typed
from functions.core.values import CellError, read_tick
from functions.escalate.matrix import Matrix
from functions.escalate.triage import SeverityUnreadable, triage


@dataclass(frozen=True)
class Flag:
    row: int
    customer_id: str
    id_assigned: bool
    customer_name: str
    customer_email: str
    language: str
    category: str
    issue: str
    severity: Any
    case_id: str  # as the row shows it now
    key: str = ""  # set for a low survey score: one case per survey, whatever the comment says


@dataclass(frozen=True)
class CaseRow:
    row: int
    case_id: str
    status_text: str
    resolution_note: str
    cells: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    key: str  # ledger key, e.g. "case/HS-ABCD1234/tier2"
    kind: str  # opened, escalated, reminder
    case: CaseRecord


@dataclass
class EscalationPlan:
    opened: list[tuple[Flag, CaseRecord, CaseEvent]] = field(default_factory=list)
    changes: list[tuple[CaseRecord, dict[str, Any], CaseEvent]] = field(default_factory=list)  # sync + escalation
    notices: list[Notice] = field(default_factory=list)  # candidates; the ledger says which are still due
    restore: list[CaseRecord] = field(default_factory=list)  # cases whose Cases row staff deleted
    problems: list[dict[str, Any]] = field(default_factory=list)  # {tab, row, case_id/customer_id, message}
    row_notes: dict[str, str] = field(default_factory=dict)  # case ID → the Cases row's System note

    def problem(self, tab: TabSpec, language: str, row: int, message: str, **ids: str) -> None:
        """A row staff must mend, said in the report: which tab and row, whose, and what is wrong."""
        self.problems.append({"tab": tab.title(language), "row": row, **ids, "message": message})


def read_flags(table: Table, sheet: CustomerSheet, problems: list[dict[str, Any]], language: str = "vi") -> list[Flag]:
    """Ticked Escalate rows; a tick that cannot be read is a problem, not a flag."""
    columns = locate_columns(CUSTOMERS, table.header)
    if "escalate" not in columns:
        return []
    flags = []
    for customer in sheet.customers:
        cells = _cells(table.rows[customer.row - 2], columns)
        try:
            ticked = read_tick(cells["escalate"] if cells["escalate"] is not None else "")
        except CellError:
            column = sheet.headers.get("escalate", CUSTOMERS.column("escalate").title(language))
            problems.append(
                {
                    "tab": table.title,
                    "row": customer.row,
                    "customer_id": customer.id,
                    "message": say(
                        "checkbox_unreadable", language, column=column, value=shorten(cell_text(cells["escalate"]))
                    ),
                }
            )
            continue
        if ticked:
            flags.append(
                Flag(
                    customer.row,
                    customer.id,
                    customer.id_assigned,
                    customer.name,
                    customer.email or "",
                    customer.language,
                    cell_text(cells["category"]),
                    cell_text(cells["issue"]),
                    cells["severity"],
                    cell_text(cells["case_id"]),
                )
            )
    return flags


def _cells(raw: Sequence[Any], columns: dict[str, int]) -> dict[str, Any]:
    """Every column of the tab by key; None where the column or the cell is absent."""
    return {
        key: raw[position] if (position := columns.get(key)) is not None and position < len(raw) else None
        for key in ("escalate", "category", "issue", "severity", "case_id")
    }


def read_case_rows(table: Table) -> list[CaseRow]:
    columns = locate_columns(CASES, table.header)
    rows = []
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        case_id = cell_text(cells.get("case_id"))
        if case_id or any(typed(v) for v in cells.values()):
            rows.append(
                CaseRow(
                    Table.row_number(index),
                    case_id,
                    cell_text(cells.get("status")),
                    cell_text(cells.get("resolution_note")),
                    cells,
                )
            )
    return rows


def plan_escalation(
    flags: Sequence[Flag],
    cases: Sequence[CaseRecord],
    case_rows: Sequence[CaseRow],
    matrix: Matrix,
    calendar: BusinessCalendar,
    now: datetime,
    phrases: Sequence[str] | None = None,
    language: str = "vi",
    known: frozenset[str] = frozenset(),
) -> EscalationPlan:
    """`cases`: those the run read (every open one); `known`: the IDs of cases it did not need to read."""
    run = _Planning(EscalationPlan(), {c.case_id: c for c in cases}, matrix, calendar, now, phrases, language, known)
    for flag in flags:
        _open(run, flag)
    seen = {row.case_id for row in case_rows if row.case_id in run.by_id}
    for row in case_rows:
        _take_status(run, row)
    run.plan.restore = [c for c in cases if c.case_id not in seen]
    for case in list(run.by_id.values()):
        _escalate_and_notify(run, case)
    return run.plan


@dataclass
class _Planning:
    """One planning pass: the plan so far, every case as it now stands, and the run's rules."""

    plan: EscalationPlan
    by_id: dict[str, CaseRecord]
    matrix: Matrix
    calendar: BusinessCalendar
    now: datetime
    phrases: Sequence[str] | None  # None: the built-in ones
    language: str
    known: frozenset[str]  # cases that exist, in step with their row, and were not read


def _open(run: _Planning, flag: Flag) -> None:
    """A ticked row without a Case ID becomes one case; its ID comes from the flag itself."""
    plan, by_id, now, language = run.plan, run.by_id, run.now, run.language
    if flag.case_id:
        if flag.case_id not in by_id and flag.case_id not in run.known:
            plan.problem(
                CUSTOMERS,
                language,
                flag.row,
                say("case_id_unknown", language, case_id=flag.case_id),
                customer_id=flag.customer_id,
            )
        return
    key = flag.key or flag_key("escalate", flag.customer_id, flag.category, flag.issue)
    case_id = case_id_for(key)
    if case_id in by_id:  # opened by a run that stopped before writing the Case ID back
        plan.opened.append((flag, by_id[case_id], CaseEvent(case_id, now, "opened")))
        return
    try:
        decided = triage(flag.severity, flag.issue, run.phrases)
    except SeverityUnreadable as unreadable:
        decided = triage("", flag.issue, run.phrases)
        plan.row_notes[case_id] = say("severity_unreadable", language, value=shorten(str(unreadable)))
    route = run.matrix.route(flag.category or "*")
    owner = route.owner(decided.tier)
    case = CaseRecord(
        case_id=case_id,
        key=key,
        customer_id=flag.customer_id,
        customer_name=flag.customer_name,
        category=flag.category or "*",
        issue=flag.issue,
        tier=decided.tier,
        initial_tier=decided.tier,
        owner=owner.label if owner else "",
        owner_email=owner.email if owner else "",
        status=OPEN,
        created_at=now,
        first_response_due=run.calendar.deadline(now, route.first_response_hours),
        resolve_due=run.calendar.deadline(now, route.resolve_hours),
        updated_at=now,
        language=flag.language,
        customer_email=flag.customer_email,
        extra={"triage": decided.reason, "route": route.category},
    )
    event = CaseEvent(case_id, now, "opened", {"tier": case.tier, "owner": case.owner, "triage": decided.reason})
    plan.opened.append((flag, case, event))
    by_id[case_id] = case


def _take_status(run: _Planning, row: CaseRow) -> None:
    """Staff's status change or resolution note in the Cases tab; a row they broke is reported, never fatal."""
    plan, by_id, now, language = run.plan, run.by_id, run.now, run.language
    case = by_id.get(row.case_id)
    if case is None:
        plan.problem(
            CASES, language, row.row, say("case_id_unknown", language, case_id=row.case_id), case_id=row.case_id
        )
        return
    status = read_status(row.status_text) if row.status_text else case.status
    if status is None:
        titles = ", ".join(STATUS_TITLES[language].values())
        plan.row_notes[case.case_id] = say("status_unreadable", language, value=shorten(row.status_text), titles=titles)
        plan.problem(CASES, language, row.row, plan.row_notes[case.case_id], case_id=case.case_id)
        status = case.status
    changes = status_changes(case, status, row.resolution_note, now)
    if changes:
        detail = {
            "from": case.status,
            "to": status,
            **({"note": row.resolution_note} if "resolution_note" in changes else {}),
        }
        plan.changes.append((case, changes, CaseEvent(case.case_id, now, "status", detail)))
        by_id[case.case_id] = case.changed(**changes)


def status_changes(case: CaseRecord, status: str, resolution_note: str, now: datetime) -> dict[str, Any]:
    """The fields that change when staff set `status` and `resolution_note`; empty when nothing does."""
    changes: dict[str, Any] = {}
    if status != case.status:
        changes["status"] = status
        if case.first_responded_at is None and status != OPEN:
            changes["first_responded_at"] = now
        if status == RESOLVED:
            changes["resolved_at"] = now
        elif case.status == RESOLVED:
            changes["resolved_at"] = None  # reopened
    if resolution_note != case.resolution_note:
        changes["resolution_note"] = resolution_note
    if changes:
        changes["updated_at"] = now
    return changes


def _escalate_and_notify(run: _Planning, case: CaseRecord) -> None:
    """A first response overdue moves the case up a tier; at tier 3 the owner is reminded. Every
    open case's notices are candidates: the ledger says which were sent."""
    plan, by_id, calendar, now = run.plan, run.by_id, run.calendar, run.now
    overdue = case.status == OPEN and case.first_responded_at is None and now >= case.first_response_due
    if overdue and case.tier < 3:
        route = run.matrix.route(case.category)
        owner = route.owner(case.tier + 1)
        changes = {
            "tier": case.tier + 1,
            "owner": owner.label if owner else case.owner,
            "owner_email": owner.email if owner else case.owner_email,
            "first_response_due": calendar.deadline(now, route.first_response_hours),
            "updated_at": now,
        }
        detail = {"from": case.tier, "to": case.tier + 1, "owner": changes["owner"]}
        plan.changes.append((case, changes, CaseEvent(case.case_id, now, "escalated", detail)))
        case = case.changed(**changes)
        by_id[case.case_id] = case
    if case.status == RESOLVED:
        return
    plan.notices.append(Notice(f"case/{case.case_id}/opened", "opened", case))
    if case.tier > case.initial_tier:
        plan.notices.append(Notice(f"case/{case.case_id}/tier{case.tier}", "escalated", case))
    if case.tier == 3 and overdue and now >= case.first_response_due:
        day = now.astimezone(calendar.zone).date()
        plan.notices.append(Notice(f"case/{case.case_id}/reminder/{day}", "reminder", case))


def status_title(status: str, language: str) -> str:
    return STATUS_TITLES[language if language in STATUS_TITLES else "vi"][status]
