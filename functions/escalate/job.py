"""The escalation job: read the Customers, matrix and Cases tabs → plan (`escalate.plan`) → open
cases, take in status changes, escalate → notify owners and survey resolved cases
(`escalate.notices`, through `functions.delivery`) → write Case IDs, the Cases tab and the
Dashboard back in one write (`escalate.writeback`) → report.

Opening is idempotent (the Case ID comes from the flag), so a crash or an overlapping run never
makes two cases of one complaint.

What a run reads grows with its work, not with the history: the open cases, the closed ones whose
Cases row changed (`escalate.synced`), the surveys answered since the last run (a watermark in the
job's state), and the Dashboard's window at most once an hour (`escalate.dashboard`)."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.core.cases import RESOLVED, CaseRecord, could_be_case_id, flag_key
from functions.core.customers import CustomerSheet, read_customers
from functions.core.errors import JobCannotRun
from functions.core.i18n import both, say
from functions.core.message_tab import MessageTab, message_tab_write
from functions.core.settings_tab import PAGE_SETTINGS_KEY, page_settings, with_settings_tab
from functions.core.sheet_layout import set_up
from functions.core.sheet_schema import CALLS, CASES, CUSTOMERS, DASHBOARD, HEALTH, MATRIX, MESSAGES, REPLIES, SETTINGS
from functions.core.surveys import Survey
from functions.core.tables import Table, TabWrite, aged_out, customers_tab_write
from functions.delivery import RunClock
from functions.escalate import dashboard, synced, writeback
from functions.escalate.calls import RecordedCalls, record_calls
from functions.escalate.deps import EscalationDeps
from functions.escalate.erasure import erase_requested
from functions.escalate.health import health_tab
from functions.escalate.matrix import Matrix, MatrixError, managers, read_matrix
from functions.escalate.notices import Sent, send_notices, send_resolved_surveys
from functions.escalate.plan import CaseRow, EscalationPlan, Flag, plan_escalation, read_case_rows, read_flags
from functions.escalate.replies import listen, taken
from functions.escalate.trial_messages import send_trial_messages
from functions.health.late import followup_late
from functions.message_texts import message_texts

JOB = "escalate"  # PAGE_SETTINGS_JOB: the survey page reads the tab's settings from this job's state
SURVEY_DAYS = 90  # the first run takes in the answers of this many days; later runs, those since the last
ANSWER_OVERLAP = timedelta(minutes=10)  # an answer stored just as the last run read: taken in again (idempotent)


class EscalationError(JobCannotRun):
    """The job could not run (a tab missing, no usable escalation matrix); nothing was changed."""


@dataclass
class _Read:
    """The sheet and the store as this run found them."""

    tables: dict[str, Table]
    matrix: Matrix
    sheet: CustomerSheet
    flags: list[Flag]
    case_rows: list[CaseRow]
    cases: list[CaseRecord]  # every open case, and the closed ones the Cases tab or a flag calls for
    known: frozenset[str]  # closed cases in step with their Cases row: not read
    answered: list[Survey]  # answered since the last run
    problems: list[dict[str, Any]]
    state: dict[str, Any]  # the job's bookmarks (escalate.dashboard, the answers' watermark)
    digests: synced.Digests  # the Cases rows last found in step (escalate.synced)
    texts: MessageTab | None = None  # the Messages tab: staff's text for the survey after a case
    matrix_error: str = ""  # no usable matrix (a new one has no owners yet): fine while there is nothing to route


@dataclass
class _Applied:
    """What the store now holds after the plan was carried out."""

    final: dict[str, CaseRecord]
    opened: list[CaseRecord] = field(default_factory=list)
    escalated: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)
    synced: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)


def run_escalate(deps: EscalationDeps, now: datetime) -> dict[str, Any]:
    used = [CUSTOMERS, MATRIX, CASES, DASHBOARD, MESSAGES, CALLS, HEALTH, SETTINGS, REPLIES]
    tables = deps.sheet.read(used, [x.tab for x in deps.layouts if x.tab not in used])
    if CUSTOMERS.key not in tables:
        raise EscalationError(both("tab_missing", vi=CUSTOMERS.title_vi, en=CUSTOMERS.title_en))
    made, set_up_said = set_up(deps.layouts, tables, deps.staff_language)  # tables: with the tabs as made
    deps, from_tab = with_settings_tab(deps, deps.settings_tab, tables)
    erased = erase_requested(deps, tables, now)  # first: everything after sees the store as erased (issue 26)
    read = _read(deps, tables, now)
    read.flags = [f for f in read.flags if f.customer_id not in erased.customer_ids]
    heard = listen(deps, read.sheet, read.state, now, tables.get(REPLIES.key))  # what customers sent back (25, 32)
    _stop_if_nobody_owns(deps, read, made)
    calls = record_calls(deps, read.tables.get(CALLS.key), read.sheet, now)
    planned_rows = [r for r in read.case_rows if r.case_id not in read.known]
    flags, held = _held(read, read.flags + calls.flags + heard.flags)  # no owners yet: complaints wait, kept
    plan = plan_escalation(
        flags,
        read.cases,
        planned_rows,
        read.matrix,
        deps.calendar,
        now,
        deps.phrases,
        deps.staff_language,
        read.known,
    )
    applied = _apply(deps, plan, read.cases)
    sent = Sent(clock=RunClock.start(deps.retry, deps.run_budget_seconds))
    customers = {c.id: c for c in read.sheet.customers}
    contacts = {c.id: " · ".join(a for a in (c.phone, c.email) if a) for c in read.sheet.customers}
    send_notices(deps, now, plan.notices, applied.final, sent, contacts)
    send_resolved_surveys(deps, now, applied.final, customers, sent, read.texts.book if read.texts else None)
    # A survey put off (closed hours, a provider's pause) is tried again by later runs: its case is read by ID.
    pending = sorted({notice.case.case_id for notice, _ in sent.deferred if notice.kind == "survey"})
    if pending or read.state.get("survey_pending"):
        deps.records.job_state.save_job_state(JOB, {"survey_pending": pending or None})
    report = _report(now, applied, sent, read.problems + calls.problems + plan.problems, plan.restore,
                     deps.staff_language)  # fmt: skip
    waiting = len(held.get(HELD) or {}) + sum(1 for f in read.flags if f.row) if read.matrix_error else 0
    if waiting:  # complaints wait for the matrix's owners: said on the Health tab, the manager told once a day
        report["matrix_waiting"] = {"complaints": waiting, "error": read.matrix_error}
    report["calls"] = {"recorded": calls.recorded, "escalated": [f.key for f in calls.flags]}
    managers_now = functools.partial(_managers, deps, tables)
    trials = send_trial_messages(deps, tables.get(MESSAGES.key), read.texts, managers_now, read.state, now)
    if trials.report:
        report["trial_messages"] = trials.report
    if any(t["sent"] for t in trials.report):  # kept before the sheet is written: a lost write sends none twice
        deps.records.job_state.save_job_state(JOB, trials.state)
    late, seen = followup_late(deps.records.job_state, read.state, now, deps.calendar, deps.send_start,
                               deps.staff_language)  # fmt: skip
    report["late"] = [p._asdict() for p in late]
    report["erased"] = erased.report
    if from_tab.report:
        report["settings"] = from_tab.report
    if set_up_said:
        report["set_up"] = set_up_said
    if deps.inbox is not None or heard.report:
        report["replies"] = heard.report
        if "error" in heard.report:  # not listening is a fault a person must see: the Health tab and an alert
            report["provider_refused"] = {**report["provider_refused"], "IMAP": heard.report["error"]}
    health = health_tab(deps, report, now, late, read.tables[HEALTH.key]) if HEALTH.key in read.tables else None
    if (page := page_settings(from_tab)) != (read.state.get(PAGE_SETTINGS_KEY) or {}):
        seen = {**seen, PAGE_SETTINGS_KEY: page or None}  # the survey page follows the tab (with the job's state)
    messages = message_tab_write(trials.writes, deps.staff_language) if trials.writes else None
    before = (now - timedelta(days=deps.retention_days)).date()  # replies past retention, cleared from the tab
    aged = aged_out(REPLIES, read.tables.get(REPLIES.key), "reply_id", "received", before, deps.staff_language)
    more = [health, from_tab.write, messages, heard.tab(deps.staff_language), aged, *erased.writes]  # erasure last
    report["write_back"] = _write_back(deps, now, read, plan, applied, calls, made, more,
                                       {**seen, **heard.state, **held})  # fmt: skip
    if "error" not in report["write_back"] and (said := taken(deps, heard, now)):  # only now the sheet shows them
        report["replies"] |= said
    deps.records.job_state.save_report(report)
    return report


def _read(deps: EscalationDeps, tables: dict[str, Table], now: datetime) -> _Read:
    """The sheet as read once; of the store, what this run's work needs (see the module's note)."""
    for spec in (CUSTOMERS, CASES):
        if spec.key not in tables:
            raise EscalationError(both("tab_missing_setup", vi=spec.title_vi, en=spec.title_en))
    try:
        matrix, matrix_error = read_matrix(tables.get(MATRIX.key)), ""
    except MatrixError as error:
        matrix, matrix_error = Matrix({}, []), str(error)
    table = tables[CUSTOMERS.key]
    sheet = read_customers(table, deps.read_rules, now.astimezone(deps.calendar.zone).date())
    problems: list[dict[str, Any]] = [
        {"tab": MATRIX.title(deps.staff_language), "row": row, "message": message} for row, message in matrix.problems
    ]
    if matrix_error:  # nothing to route yet; a complaint would stop the run: said now, where staff look
        problems.append({"tab": MATRIX.title(deps.staff_language), "row": 2, "message": matrix_error})
    flags = read_flags(table, sheet, problems, deps.staff_language)
    state = deps.records.job_state.job_state(JOB)
    answered = deps.records.surveys.surveys_answered(_answers_since(state, now))
    flags += _low_scores(answered, sheet, deps.csat_threshold)
    texts = None
    if deps.links is not None:  # no links: no surveys to send, so no texts to read
        texts = message_texts(tables.get(MESSAGES.key), deps.templates, deps.links, deps.channel_book,
                              deps.business_name, deps.staff_language, deps.surveys is not None,
                              deps.vouchers)  # fmt: skip
    case_rows = read_case_rows(tables[CASES.key])
    digests = synced.load(deps.records.job_state, int(state.get("row_shards") or synced.SHARDS))
    cases, known = _cases_to_read(deps, case_rows, flags, state, digests)
    return _Read(tables, matrix, sheet, flags, case_rows, cases, known, answered, problems, state, digests, texts,
                 matrix_error)  # fmt: skip


def _stop_if_nobody_owns(deps: EscalationDeps, read: _Read, made: list[TabWrite]) -> None:
    """A matrix without owners stops the run only when open cases need routing (their owners came
    from a matrix staff have since emptied); a new one holds the complaints instead (`_held`)."""
    if read.matrix_error and read.cases:
        if made:
            deps.sheet.write(made)
        raise EscalationError(read.matrix_error)


HELD = "held_flags"  # in the job's state: complaints waiting for the matrix's owners (key → the flag)


def _held(read: _Read, flags: list[Flag]) -> tuple[list[Flag], dict[str, Any]]:
    """The complaints this run opens cases for, and the state of those it holds. With no owners yet
    (a new matrix) none is opened: a ticked row stays ticked for a later run, the others (replies,
    calls, low scores: heard once) are kept in the job's state; once the matrix has owners, they are
    opened like any other (each once: its case ID comes from its key)."""
    waiting = {key: Flag(**fields) for key, fields in (read.state.get(HELD) or {}).items()}
    if read.matrix_error:
        kept = {f.key or flag_key("held", f.customer_id, f.issue): f for f in flags if f.row == 0}
        return [], {HELD: {k: dataclasses.asdict(f) for k, f in {**waiting, **kept}.items()} or None}
    return flags + [f for f in waiting.values() if f.key not in {g.key for g in flags}], {HELD: None} if waiting else {}


def _managers(deps: EscalationDeps, tables: dict[str, Table]) -> list[str]:
    """Who gets staff's test messages: manager_emails, else the tier-3 owner of the matrix's '*' row."""
    try:
        return list(managers(tables.get(MATRIX.key), deps.managers))
    except MatrixError:
        return []


def _answers_since(state: dict[str, Any], now: datetime) -> datetime:
    seen = state.get("answers_seen")
    return datetime.fromisoformat(seen) - ANSWER_OVERLAP if seen else now - timedelta(days=SURVEY_DAYS)


def _cases_to_read(
    deps: EscalationDeps, rows: list[CaseRow], flags: list[Flag], state: dict[str, Any], stored: synced.Digests
) -> tuple[list[CaseRecord], frozenset[str]]:
    """Every open case, and by ID: closed cases whose row changed or is gone, cases a flag names that
    no digest knows, and cases whose survey was put off. The rest are known without a read."""
    digests = stored.values
    opened = deps.records.cases.cases(open_only=True)
    open_ids = {c.case_id for c in opened}
    in_step = {r.case_id for r in rows if r.case_id in digests and digests[r.case_id] == synced.row_digest(r)}
    listed = {r.case_id for r in rows}
    wanted = {r.case_id for r in rows if r.case_id and r.case_id not in in_step}
    wanted |= {case_id for case_id in digests if case_id not in listed}  # a row staff deleted: put back
    wanted |= {f.case_id for f in flags if f.case_id and f.case_id not in digests}
    wanted |= set(state.get("survey_pending", ()))
    read = deps.records.cases.cases_by_id({case_id for case_id in wanted - open_ids if could_be_case_id(case_id)})
    missing = (wanted - open_ids) - {c.case_id for c in read}
    if missing & digests.keys():  # a digest of a case the store no longer has
        synced.save(deps.records.job_state, stored, dict.fromkeys(missing & digests.keys()))
    read_ids = open_ids | {c.case_id for c in read}
    return opened + read, frozenset((in_step | digests.keys()) - read_ids - missing)


def _apply(deps: EscalationDeps, plan: EscalationPlan, existing: list[CaseRecord]) -> _Applied:
    applied = _Applied({c.case_id: c for c in existing})
    for _, case, event in plan.opened:
        if deps.records.cases.create_case(case, event):
            applied.opened.append(case)
        applied.final[case.case_id] = deps.records.cases.case(case.case_id) or case
    for case, changes, event in plan.changes:
        deps.records.cases.update_case(case.case_id, changes, event)
        updated = case.changed(**changes)
        applied.final[case.case_id] = updated
        (applied.escalated if event.kind == "escalated" else applied.synced).append((case, updated))
    return applied


def _write_back(
    deps: EscalationDeps,
    now: datetime,
    read: _Read,
    plan: EscalationPlan,
    applied: _Applied,
    calls: RecordedCalls,
    made: list[TabWrite],
    more: list[TabWrite | None],
    seen: dict[str, Any],
) -> dict[str, Any]:
    language = deps.staff_language
    cases = list(applied.final.values())
    customer_writes = writeback.customer_writes(plan, read.answered, read.sheet) + calls.customer_writes
    case_writes = writeback.case_writes(cases, read.case_rows, plan.row_notes, deps.calendar, language)
    writes = [
        *made,  # careloop's tabs made first: this run's rows go into them
        customers_tab_write(customer_writes, language),
        TabWrite(CASES, CASES.column("case_id"), case_writes, language),
    ]
    state: dict[str, Any] = {"answers_seen": now.isoformat(), **seen}
    if DASHBOARD.key in read.tables and dashboard.refresh_due(read.state, now):
        consented = sum(1 for c in read.sheet.customers if c.marketing_consent)
        figures = dashboard.refresh(
            deps.records, read.tables[DASHBOARD.key], cases, deps.calendar, now, language, read.state,
            deps.channel_book, consented,
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
    shards = synced.save(
        deps.records.job_state, read.digests, synced.changes(read.case_rows, closed, written, read.digests.values)
    )
    deps.records.job_state.save_job_state(JOB, {**state, "row_shards": shards if shards != synced.SHARDS else None})
    return {"rows": sum(len(w.rows) for w in writes), "missed": [w.row_id or f"row {w.row_number}" for w in missed]}


def _low_scores(surveys: list[Survey], sheet: CustomerSheet, threshold: int) -> list[Flag]:
    """A latest answer at or below the threshold is a complaint: one case per survey."""
    customers = {c.id: c for c in sheet.customers}
    flags = []
    for survey in surveys:
        answer = survey.latest
        if answer is None or answer.score > threshold or survey.occasion.startswith("call/"):
            continue  # a score heard on a call: staff decide with the call's own Escalate tick
        customer = customers.get(survey.customer_id)
        flags.append(
            Flag(
                0,
                survey.customer_id,
                False,
                customer.name if customer else survey.customer_id,
                (customer.email or "") if customer else "",
                survey.language,
                "CSAT",
                answer.comment or f"CSAT {answer.score}/5",
                "",
                "",
                key=flag_key("csat", survey.customer_id, survey.survey_id),
            )
        )
    return flags


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


def _report(
    now: datetime,
    applied: _Applied,
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
