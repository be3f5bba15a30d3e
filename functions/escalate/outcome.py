"""What an escalation run does with its plan: the cases stored, the complaints held while nobody owns
them, the sheet written back in one write, and the run's report."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.core.care_plan import CARE_PLAN_STATE, names_in_state
from functions.core.cases import RESOLVED, CaseRecord, flag_key
from functions.core.i18n import say
from functions.core.sheet_schema import CASES, DASHBOARD, MATRIX
from functions.core.tables import Table, TabWrite, customers_tab_write
from functions.core.theme_tab import THEMES_STATE
from functions.escalate import dashboard, synced, writeback
from functions.escalate.calls import RecordedCalls
from functions.escalate.deps import EscalationDeps
from functions.escalate.matrix import MatrixError, managers
from functions.escalate.notices import Sent
from functions.escalate.plan import EscalationPlan, Flag
from functions.escalate.reading import JOB, EscalationError, SheetRead


@dataclass
class Applied:
    """What the store now holds after the plan was carried out."""

    final: dict[str, CaseRecord]
    opened: list[CaseRecord] = field(default_factory=list)
    escalated: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)
    synced: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)


HELD = "held_flags"  # in the job's state: complaints waiting for the matrix's owners (key → the flag)


def held(read: SheetRead, flags: list[Flag]) -> tuple[list[Flag], dict[str, Any]]:
    """The complaints this run opens cases for, and the state of those it holds. With no owners yet
    (a new matrix) none is opened: a ticked row stays ticked for a later run, the others (replies,
    calls, low scores: heard once) are kept in the job's state; once the matrix has owners, they are
    opened like any other (each once: its case ID comes from its key)."""
    waiting = {key: Flag(**fields) for key, fields in (read.state.get(HELD) or {}).items()}
    if read.matrix_error:
        kept = {f.key or flag_key("held", f.customer_id, f.issue): f for f in flags if f.row == 0}
        return [], {HELD: {k: dataclasses.asdict(f) for k, f in {**waiting, **kept}.items()} or None}
    return flags + [f for f in waiting.values() if f.key not in {g.key for g in flags}], {HELD: None} if waiting else {}


def test_recipients(deps: EscalationDeps, tables: dict[str, Table]) -> list[str]:
    """Who gets staff's test messages: manager_emails, else the tier-3 owner of the matrix's '*' row."""
    try:
        return list(managers(tables.get(MATRIX.key), deps.managers))
    except MatrixError:
        return []


def stop_if_nobody_owns(deps: EscalationDeps, read: SheetRead, made: list[TabWrite]) -> None:
    """A matrix without owners stops the run only when open cases need routing (their owners came
    from a matrix staff have since emptied); a new one holds the complaints instead (`held`)."""
    if read.matrix_error and read.cases:
        if made:
            deps.sheet.write(made)
        raise EscalationError(read.matrix_error)


def apply_plan(deps: EscalationDeps, plan: EscalationPlan, existing: list[CaseRecord]) -> Applied:
    applied = Applied({c.case_id: c for c in existing})
    for _, case, event in plan.opened:
        if deps.records.cases.create_case(case, event):
            applied.opened.append(case)
            applied.final[case.case_id] = case
        else:  # opened by a run that stopped before its write, or by one beside it: as the store has it
            applied.final[case.case_id] = deps.records.cases.case(case.case_id) or case
    for case, changes, event in plan.changes:
        deps.records.cases.update_case(case.case_id, changes, event)
        updated = case.changed(**changes)
        applied.final[case.case_id] = updated
        (applied.escalated if event.kind == "escalated" else applied.synced).append((case, updated))
    return applied


def write_back(
    deps: EscalationDeps,
    now: datetime,
    read: SheetRead,
    plan: EscalationPlan,
    applied: Applied,
    calls: RecordedCalls,
    made: list[TabWrite],
    more: list[TabWrite | None],
    seen: dict[str, Any],
    themes_of: Callable[[str], str],
) -> dict[str, Any]:
    language = deps.staff_language
    cases = list(applied.final.values())
    customer_writes = writeback.customer_writes(plan, read.answered, read.sheet) + calls.customer_writes
    case_writes = writeback.case_writes(cases, read.case_rows, plan.row_notes, deps.calendar, language, themes_of)
    writes = [
        *made,  # careloop's tabs made first: this run's rows go into them
        customers_tab_write(customer_writes, language),
        TabWrite(CASES, CASES.column("case_id"), case_writes, language),
    ]
    state: dict[str, Any] = {"answers_seen": now.isoformat(), **seen}
    if DASHBOARD.key in read.tables and dashboard.refresh_due(read.state, now):
        consented = sum(1 for c in read.sheet.customers if c.marketing_consent)
        occasions = names_in_state(deps.records.job_state.job_state(CARE_PLAN_STATE))  # those that sent
        themes = (seen.get(THEMES_STATE) or read.state.get(THEMES_STATE) or {}).get("days")  # with this run's
        figures = dashboard.refresh(
            deps.records, read.tables[DASHBOARD.key], cases, deps.calendar, now, language, read.state,
            deps.channel_book, consented, occasions, themes,
        )  # fmt: skip
        writes += figures.writes
        state |= figures.state
    # The Messages tab's notes are the follow-up run's to write (it knows every kind's rules), but for a test sent.
    if calls.tab is not None:
        writes.append(calls.tab)
    writes += [w for w in more if w is not None]  # the Health tab, the Settings tab's notes
    try:
        missed = deps.sheet.write(writes)
    except Exception as error:  # the store holds every case; the next run writes the sheet again
        return {"rows": 0, "missed": [], "error": str(error)}
    # Only now that the sheet shows them: the rows in step, the answers taken in.
    written = {w.row_id for w in case_writes if w.row_id}
    closed = {case_id: case.status == RESOLVED for case_id, case in applied.final.items()}
    saved = synced.save(
        deps.records.job_state, read.digests, synced.changes(read.case_rows, closed, written, read.digests.values)
    )
    shards = saved.shards if saved.shards != synced.SHARDS else None
    deps.records.job_state.save_job_state(JOB, {**state, "row_shards": shards, synced.SUMS: saved.sums})
    return {"rows": sum(len(w.rows) for w in writes), "missed": [w.row_id or f"row {w.row_number}" for w in missed]}


def _case_entry(case: CaseRecord, **extra: Any) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "customer_id": case.customer_id,
        "category": case.category,
        "tier": case.tier,
        "owner": case.owner,
        "status": case.status,
        "first_response_due": case.first_response_due.isoformat(),
        "resolve_due": case.resolve_due.isoformat(),
        **extra,
    }


def run_report(
    now: datetime,
    applied: Applied,
    sent: Sent,
    problems: list[dict[str, Any]],
    restored: list[CaseRecord],
    language: str,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "job": JOB,
        "now": now.isoformat(),
        "opened": [_case_entry(c, triage=c.extra.get("triage", "")) for c in applied.opened],
        "escalated": [_case_entry(after, from_tier=before.tier) for before, after in applied.escalated],
        "synced": [
            {
                "case_id": after.case_id,
                "from": before.status,
                "to": after.status,
                "resolution_note": after.resolution_note,
            }
            for before, after in applied.synced
        ],
        "notified": [
            {"case_id": c.case_id, "kind": n.kind, "to": c.owner_email, "key": n.key} for n, c in sent.notified
        ],
        "skipped": [
            {
                "case_id": n.case.case_id,
                "kind": n.kind,
                "key": n.key,
                "reason": reason,
                "detail": say(reason, language, channel="email", holiday=sent.holiday),
            }
            for n, reason in sent.deferred
        ],
        "failed": [
            {"case_id": n.case.case_id, "kind": n.kind, "key": n.key, "error": error} for n, error in sent.failed
        ],
        "restored": [c.case_id for c in restored],
        "problems": problems,
        "surveyed": sent.surveyed,
        "provider_refused": dict(sorted(sent.refused.items())),
    }
    report["summary"] = {
        k: len(report[k])
        for k in ("opened", "escalated", "synced", "notified", "skipped", "failed", "restored", "problems", "surveyed")
    }
    return report
