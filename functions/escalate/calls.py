"""Calls staff made, recorded by the escalation run (every 15 minutes), each once however many runs
see it: the score heard becomes a CSAT answer on channel phone (a survey created with its answer in
one step), a ticked Escalate opens a case under the call's own key (the case ID is derived from it),
the customer's Last contact says so, and the ledger marks the call recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.core.calls import (
    CALLS_SURVEY_DAYS,
    CallRow,
    call_issue,
    calls_write,
    no_customer,
    problem_note,
    read_calls,
    recorded_note,
    row_write,
    to_record,
)
from functions.core.customers import Customer, CustomerSheet
from functions.core.i18n import say
from functions.core.ledger import LedgerEntry
from functions.core.sheet_schema import CALLS
from functions.core.surveys import Answer, Survey
from functions.core.tables import RowWrite, Table, TabWrite, customer_row_write
from functions.escalate.deps import EscalationDeps
from functions.escalate.plan import Flag


@dataclass
class RecordedCalls:
    flags: list[Flag] = field(default_factory=list)  # Escalate ticked: a case, as a ticked customer row opens one
    customer_writes: list[RowWrite] = field(default_factory=list)  # Last contact
    tab: TabWrite | None = None  # the Calls tab's notes
    recorded: list[str] = field(default_factory=list)  # the calls' ledger keys
    rows: list[CallRow] = field(default_factory=list)  # the calls recorded: their notes are heard
    problems: list[dict[str, Any]] = field(default_factory=list)  # called rows that cannot be recorded as they are


def record_calls(deps: EscalationDeps, table: Table | None, sheet: CustomerSheet, now: datetime) -> RecordedCalls:
    language, today = deps.staff_language, now.astimezone(deps.calendar.zone).date()
    customers = {c.id: c for c in sheet.customers}
    rows = [_with_customer_checked(r, customers) for r in read_calls(table, today)]
    done = RecordedCalls()
    if not rows:
        return done
    facts = deps.records.ledger.facts([r.key for r in rows if r.called and r.customer_id], today)
    notes = [_problem(row, facts.states, language, done) for row in rows if row.called and row.problems]
    ledger, surveys = deps.records.ledger, deps.records.surveys
    for row in to_record(rows, facts.states):
        customer = customers[row.customer_id]
        if row.score is not None:  # created with its answer, or not at all: one answer per call
            surveys.create_survey(Survey(row.survey_id, row.customer_id, row.key, customer.language, now,
                                         now + timedelta(days=CALLS_SURVEY_DAYS),
                                         (Answer(row.score, now, row.note, via="call"),)))  # fmt: skip
        if row.escalate:
            done.flags.append(_flag(row, customer, language))
        if ledger.reserve(LedgerEntry(row.key, row.customer_id, f"call_{row.outcome or 'made'}", "phone", today,
                                      reserved_at=now)):  # fmt: skip
            ledger.confirm(row.key, now)
        done.recorded.append(row.key)
        done.rows.append(row)
        notes.append(row_write(row, {"system_note": recorded_note(now, language)}))
        outcome = say(f"call_outcome_{row.outcome}", language) if row.outcome else "–"
        contact = say("call_last_contact", language, date=f"{now:%d/%m/%Y}", outcome=outcome)
        written = customer_row_write(customer.row, customer.id, customer.id_assigned, customer.name,
                                     {"last_contact": contact})  # fmt: skip
        done.customer_writes.append(written)
    done.tab = calls_write(notes, language) if table is not None else None
    return done


def _with_customer_checked(row: CallRow, customers: Mapping[str, Customer]) -> CallRow:
    """A called row naming no customer of the Customers tab is a problem on that row: no case, no
    answer is made up for someone who does not exist."""
    if not row.called or not row.customer_id or row.customer_id in customers:
        return row
    return row._replace(problems=(no_customer(row.customer_id), *row.problems))


def _problem(row: CallRow, recorded: Mapping[str, str], language: str, done: RecordedCalls) -> RowWrite | None:
    """The row's note saying what to fix (the row stays for staff), and the run report's problem."""
    if row.customer_id and row.key in recorded:
        return None  # recorded before staff changed a cell: nothing more to do with it
    note = problem_note(row, language)
    done.problems.append({"tab": CALLS.title(language), "row": row.row, "customer_id": row.customer_id,
                          "message": note})  # fmt: skip
    return row_write(row, {"system_note": note}) if note != row.system_note else None


def _flag(row: CallRow, customer: Customer, language: str) -> Flag:
    email, name, customer_language = customer.email or "", customer.name, customer.language
    return Flag(0, row.customer_id, False, name, email, customer_language, say("call_category", language),
                call_issue(row, language), None, "", key=row.key)  # fmt: skip
