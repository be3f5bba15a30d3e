"""Calls staff made, recorded by the escalation run (every 15 minutes), each once however many runs
see it: the score heard becomes a CSAT answer on channel phone (a survey created with its answer in
one step), a ticked Escalate opens a case under the call's own key (the case ID is derived from it),
the customer's Last contact says so, and the ledger marks the call recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.core.calls import CALLS_SURVEY_DAYS, CallRow, call_issue, read_calls, recorded_note, to_record
from functions.core.customers import CustomerSheet
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


def record_calls(deps: EscalationDeps, table: Table | None, sheet: CustomerSheet, now: datetime) -> RecordedCalls:
    language, today = deps.staff_language, now.astimezone(deps.calendar.zone).date()
    rows = read_calls(table, today)
    done = RecordedCalls()
    if not rows:
        return done
    facts = deps.store.facts([r.key for r in rows if r.called], today)
    customers = {c.id: c for c in sheet.customers}
    notes = []
    for row in to_record(rows, facts.states):
        customer = customers.get(row.customer_id)
        customer_language = customer.language if customer else language
        if row.score is not None:  # created with its answer, or not at all: one answer per call
            deps.store.create_survey(Survey(row.survey_id, row.customer_id, row.key, customer_language, now,
                                            now + timedelta(days=CALLS_SURVEY_DAYS),
                                            (Answer(row.score, now, row.note),)))  # fmt: skip
        if row.escalate:
            done.flags.append(_flag(row, customer, customer_language, language))
        if deps.store.reserve(LedgerEntry(row.key, row.customer_id, f"call_{row.outcome or 'made'}", "phone", today,
                                          reserved_at=now)):  # fmt: skip
            deps.store.confirm(row.key, now)
        done.recorded.append(row.key)
        notes.append(RowWrite(row.row, row.customer_id, {"system_note": recorded_note(now, language)}))
        if customer is not None:
            outcome = say(f"call_outcome_{row.outcome}", language) if row.outcome else "–"
            contact = say("call_last_contact", language, date=f"{now:%d/%m/%Y}", outcome=outcome)
            done.customer_writes.append(
                customer_row_write(
                    customer.row, customer.id, customer.id_assigned, customer.name, {"last_contact": contact}
                )  # fmt: skip
            )
    done.tab = TabWrite(CALLS, CALLS.column("customer_id"), notes, language) if table is not None else None
    return done


def _flag(row: CallRow, customer: Any, customer_language: str, language: str) -> Flag:
    email = (customer.email or "") if customer else ""
    name = customer.name if customer else row.name
    return Flag(0, row.customer_id, False, name, email, customer_language, say("call_category", language),
                call_issue(row, language), None, "", key=row.key)  # fmt: skip
