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
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from functions.core.i18n import both
from functions.core.message_tab import message_tab_write
from functions.core.settings_tab import PAGE_SETTINGS_KEY, SettingsFromTab, page_settings, with_settings_tab
from functions.core.sheet_layout import set_up
from functions.core.sheet_schema import (
    CALLS,
    CARE_PLAN,
    CASES,
    CUSTOMERS,
    DASHBOARD,
    HEALTH,
    MATRIX,
    MESSAGES,
    REPLIES,
    SETTINGS,
    SUGGESTIONS,
    THEMES,
)
from functions.core.tables import Table, TabWrite, aged_out
from functions.core.theme_tab import THEMES_STATE
from functions.core.themes import Matcher
from functions.delivery import RunClock
from functions.escalate.calls import RecordedCalls, record_calls
from functions.escalate.deps import EscalationDeps
from functions.escalate.erasure import Erased, erase_requested
from functions.escalate.health import health_tab
from functions.escalate.notices import Sent, send_notices, send_resolved_surveys
from functions.escalate.outcome import (
    HELD,
    Applied,
    apply_plan,
    held,
    run_report,
    stop_if_nobody_owns,
    test_recipients,
    write_back,
)
from functions.escalate.plan import EscalationPlan, plan_escalation
from functions.escalate.reading import JOB, EscalationError, SheetRead, read_sheet_and_store
from functions.escalate.replies import Heard, listen, taken
from functions.escalate.themes import (
    HeardText,
    call_heard,
    flag_heard,
    suggestion_update,
    survey_heard,
    theme_matcher,
    theme_update,
)
from functions.escalate.trial_messages import TrialMessages, send_trial_messages
from functions.health.late import followup_late

__all__ = ["JOB", "STEPS", "EscalationError", "EscalationRun", "run_escalate"]

# the one read of the sheet (the Care plan: its occasions' names are kinds of the Messages tab)
TABS = (CUSTOMERS, MATRIX, CASES, DASHBOARD, MESSAGES, CALLS, HEALTH, SETTINGS, REPLIES, CARE_PLAN, THEMES,
        SUGGESTIONS)  # fmt: skip


@dataclass
class EscalationRun:
    """What the steps of one run share: its dependencies (as the Settings tab tunes them), its moment,
    and what each step found, for the steps after it."""

    deps: EscalationDeps
    now: datetime
    tables: dict[str, Table] = field(default_factory=dict)
    made: list[TabWrite] = field(default_factory=list)  # careloop's tabs made by this run
    set_up_said: list[str] = field(default_factory=list)
    from_tab: SettingsFromTab | None = None
    erased: Erased | None = None
    read: SheetRead | None = None
    heard: Heard | None = None
    matcher: Matcher | None = None  # the Themes tab's themes, to tag what customers say
    calls: RecordedCalls | None = None
    held_state: dict[str, Any] = field(default_factory=dict)
    plan: EscalationPlan | None = None
    applied: Applied | None = None
    sent: Sent | None = None
    trials: TrialMessages | None = None
    seen: dict[str, Any] = field(default_factory=dict)  # the job's state the write-back keeps
    more: list[TabWrite | None] = field(default_factory=list)  # the other tabs' writes, in the one write
    report: dict[str, Any] = field(default_factory=dict)


def _read_the_sheet(run: EscalationRun) -> None:
    """The sheet, read once; careloop's missing tabs made (in memory: written with everything else)."""
    deps = run.deps
    read_whole = {tab.key for tab in TABS}
    run.tables = deps.sheet.read(list(TABS), [x.tab for x in deps.layouts if x.tab.key not in read_whole])
    if CUSTOMERS.key not in run.tables:
        raise EscalationError(both("tab_missing", vi=CUSTOMERS.title_vi, en=CUSTOMERS.title_en))
    run.made, run.set_up_said = set_up(deps.layouts, run.tables, deps.staff_language)


def _tune_by_the_settings_tab(run: EscalationRun) -> None:
    run.deps, run.from_tab = with_settings_tab(run.deps, run.deps.settings_tab, run.tables)


def _erase_on_request(run: EscalationRun) -> None:
    """First: everything after sees the store as erased (issue 26)."""
    run.erased = erase_requested(run.deps, run.tables, run.now)


def _read_the_store(run: EscalationRun) -> None:
    assert run.erased is not None
    run.read = read_sheet_and_store(run.deps, run.tables, run.now)
    run.read.flags = [f for f in run.read.flags if f.customer_id not in run.erased.customer_ids]


def _listen(run: EscalationRun) -> None:
    """What customers sent back (issues 25, 32)."""
    assert run.read is not None
    run.matcher = theme_matcher(run.tables.get(THEMES.key), run.deps.lexicon)
    run.heard = listen(run.deps, run.read.sheet, run.read.state, run.now, run.tables.get(REPLIES.key), run.matcher)
    stop_if_nobody_owns(run.deps, run.read, run.made)


def _record_calls(run: EscalationRun) -> None:
    assert run.read is not None
    run.calls = record_calls(run.deps, run.read.tables.get(CALLS.key), run.read.sheet, run.now)


def _plan(run: EscalationRun) -> None:
    """Cases to open, sync and escalate; with no owners yet, complaints wait in the job's state."""
    read, deps = run.read, run.deps
    assert read is not None and run.calls is not None and run.heard is not None
    planned_rows = [r for r in read.case_rows if r.case_id not in read.known]
    flags, run.held_state = held(read, read.flags + run.calls.flags + run.heard.flags)
    run.plan = plan_escalation(flags, read.cases, planned_rows, read.matrix, deps.calendar, run.now, deps.phrases,
                               deps.staff_language, read.known)  # fmt: skip


def _store_the_cases(run: EscalationRun) -> None:
    assert run.plan is not None and run.read is not None
    run.applied = apply_plan(run.deps, run.plan, run.read.cases)


def _notify(run: EscalationRun) -> None:
    """The owners' notices, and the survey after a resolved case; a survey put off is tried again later."""
    deps, read, plan, applied = run.deps, run.read, run.plan, run.applied
    assert read is not None and plan is not None and applied is not None
    sent = run.sent = Sent(clock=RunClock.start(deps.retry, deps.run_budget_seconds))
    customers = {c.id: c for c in read.sheet.customers}
    contacts = {c.id: " · ".join(a for a in (c.phone, c.email) if a) for c in read.sheet.customers}
    send_notices(deps, run.now, plan.notices, applied.final, sent, contacts)
    send_resolved_surveys(deps, run.now, applied.final, customers, sent, read.texts.book if read.texts else None)
    # A survey put off (closed hours, a provider's pause) is tried again by later runs: its case is read by ID.
    pending = sorted({notice.case.case_id for notice, _ in sent.deferred if notice.kind == "survey"})
    if pending or read.state.get("survey_pending"):
        deps.records.job_state.save_job_state(JOB, {"survey_pending": pending or None})


def _report_the_cases(run: EscalationRun) -> None:
    deps, read, plan, calls = run.deps, run.read, run.plan, run.calls
    assert read is not None and plan is not None and calls is not None and run.applied and run.sent
    run.report = run_report(run.now, run.applied, run.sent, read.problems + calls.problems + plan.problems,
                            plan.restore, deps.staff_language)  # fmt: skip
    waiting = len(run.held_state.get(HELD) or {}) + sum(1 for f in read.flags if f.row) if read.matrix_error else 0
    if waiting:  # complaints wait for the matrix's owners: said on the Health tab, the manager told once a day
        run.report["matrix_waiting"] = {"complaints": waiting, "error": read.matrix_error}
    run.report["calls"] = {"recorded": calls.recorded, "escalated": [f.key for f in calls.flags]}


def _send_trial_messages(run: EscalationRun) -> None:
    """Staff's test messages; kept before the sheet is written: a lost write sends none twice."""
    deps, read = run.deps, run.read
    assert read is not None
    recipients = functools.partial(test_recipients, deps, run.tables)
    run.trials = send_trial_messages(deps, run.tables.get(MESSAGES.key), read.texts, recipients, read.state, run.now)
    if run.trials.report:
        run.report["trial_messages"] = run.trials.report
    if any(t["sent"] for t in run.trials.report):
        deps.records.job_state.save_job_state(JOB, run.trials.state)


def _say_what_else_happened(run: EscalationRun) -> None:
    """A late follow-up run, erasures, the Settings tab, tabs made, and what customers sent back."""
    deps, read, heard, erased = run.deps, run.read, run.heard, run.erased
    assert read is not None and heard is not None and erased is not None and run.from_tab is not None
    late, run.seen = followup_late(deps.records.job_state, read.state, run.now, deps.calendar, deps.send_start,
                                   deps.staff_language)  # fmt: skip
    run.report["late"] = [p._asdict() for p in late]
    run.report["erased"] = erased.report
    if run.from_tab.report:
        run.report["settings"] = run.from_tab.report
    if run.set_up_said:
        run.report["set_up"] = run.set_up_said
    if deps.inbox is not None or heard.report:
        run.report["replies"] = heard.report
        if "error" in heard.report:  # not listening is a fault a person must see: the Health tab and an alert
            run.report["provider_refused"] = {**run.report["provider_refused"], "IMAP": heard.report["error"]}
    health = health_tab(deps, run.report, run.now, late, read.tables[HEALTH.key]) if HEALTH.key in read.tables else None
    if (page := page_settings(run.from_tab)) != (read.state.get(PAGE_SETTINGS_KEY) or {}):
        run.seen = {**run.seen, PAGE_SETTINGS_KEY: page or None}  # the survey page follows the tab
    assert run.trials is not None
    messages = message_tab_write(run.trials.writes, deps.staff_language) if run.trials.writes else None
    before = (run.now - timedelta(days=deps.retention_days)).date()  # replies past retention, cleared from the tab
    aged = aged_out(REPLIES, read.tables.get(REPLIES.key), "reply_id", "received", before, deps.staff_language)
    elsewhere = _heard_elsewhere(run)
    mentions = heard.mentions + [h.mention for h in elsewhere]
    assert run.matcher is not None
    suggested, day_mark = suggestion_update(deps, read.tables.get(SUGGESTIONS.key), mentions, run.matcher,
                                            read.state, run.now)  # fmt: skip
    run.seen = {**run.seen, **day_mark}
    themes = theme_update(deps, read.tables, read.state.get(THEMES_STATE) or {}, mentions, run.matcher, run.now)
    if themes.saved is not None:  # saved with the mailbox's mark, once the sheet is written: counted once
        run.seen = {**run.seen, THEMES_STATE: themes.saved}
    if themes.rising:  # the manager is told, once a theme a week (the alerts after the run)
        run.report["themes_rising"] = themes.rising
    # their rows go into the Replies tab (made by this run when missing; a test's bare sheet has none)
    shown = [h.row for h in elsewhere] if REPLIES.key in read.tables else []
    replies = heard.tab(deps.staff_language, shown + themes.retagged)
    run.more = [health, run.from_tab.write, messages, replies, aged, *erased.writes, themes.tab, suggested]


def _heard_elsewhere(run: EscalationRun) -> list[HeardText]:
    """What customers said outside the mailbox, heard in this run: survey comments, the notes of the
    calls it recorded, the complaints staff noted that opened a case."""
    deps, read, matcher = run.deps, run.read, run.matcher
    assert read is not None and matcher is not None and run.calls is not None and run.plan is not None
    customers, zone, language = {c.id: c for c in read.sheet.customers}, deps.calendar.zone, deps.staff_language
    threshold = deps.csat_threshold
    return [
        *survey_heard(matcher, read.answered, customers, read.state, zone, threshold, language),
        *call_heard(matcher, run.calls.rows, customers, run.now, zone, threshold, language),
        *flag_heard(matcher, [(flag, case) for flag, case, _ in run.plan.opened], customers, zone, language),
    ]


def _write_back(run: EscalationRun) -> None:
    """One write of everything; only once the sheet shows the replies' rows are they taken."""
    deps, read, heard = run.deps, run.read, run.heard
    assert read is not None and heard is not None and run.plan and run.applied and run.calls
    assert run.matcher is not None
    run.report["write_back"] = write_back(deps, run.now, read, run.plan, run.applied, run.calls, run.made, run.more,
                                          {**run.seen, **heard.state, **run.held_state},
                                          functools.cache(run.matcher.themes_text))  # fmt: skip
    if "error" not in run.report["write_back"] and (said := taken(deps, heard, run.now)):
        run.report["replies"] |= said


def _save_the_report(run: EscalationRun) -> None:
    run.deps.records.job_state.save_report(run.report)


class Step(NamedTuple):
    name: str
    act: Callable[[EscalationRun], None]
    uses: frozenset[str] = frozenset()  # the dependencies it reads: fields of EscalationDeps, "records.<port>"


CURRENT_STEP: ContextVar[Step | None] = ContextVar("escalation_step", default=None)  # a test holds each to `uses`


def uses(fields: str, records: str = "") -> frozenset[str]:
    """The dependencies a step reads: EscalationDeps' fields, and the record ports ("records.<port>")."""
    return frozenset(fields.split()) | {f"records.{port}" for port in records.split()}


# Tuning by the Settings tab makes a copy of the dependencies: it reads each of them.
EVERY_DEPENDENCY = frozenset(f.name for f in dataclasses.fields(EscalationDeps))
# The run, in order: each step reads what the steps before it found, and only the dependencies it
# names (a test holds each step to its `uses`).
STEPS = (
    Step("read the sheet", _read_the_sheet, uses("layouts sheet staff_language")),
    Step("tune by the Settings tab", _tune_by_the_settings_tab, EVERY_DEPENDENCY),
    Step("erase on request", _erase_on_request, uses(
        "calendar links read_rules sheet staff_language",
        records="cases customer_data job_state opt_outs",
    )),
    Step("read the store", _read_the_store, uses(
        "business_name calendar channel_book csat_threshold links read_rules staff_language surveys templates "
        "vouchers",
        records="cases job_state surveys",
    )),
    Step("listen", _listen, uses(
        "calendar channel_book csat_threshold inbox inbox_authserv_id lexicon links phrases staff_language",
        records="delivery_reports inbound_events job_state ledger opt_outs replies surveys",
    )),
    Step("record calls", _record_calls, uses("calendar staff_language", records="ledger surveys")),
    Step("plan", _plan, uses("calendar phrases staff_language")),
    Step("store the cases", _store_the_cases, uses("", records="cases")),
    Step("notify", _notify, uses(
        "business_name calendar channel_book channels links retry run_budget_seconds sheet_link "
        "staff_language surveys templates",
        records="cases job_state ledger opt_outs surveys",
    )),
    Step("report the cases", _report_the_cases, uses("staff_language")),
    Step("send trial messages", _send_trial_messages, uses(
        "business_name calendar channel_book channels links managers staff_language templates vouchers",
        records="job_state",
    )),
    Step("say what else happened", _say_what_else_happened, uses(
        "calendar csat_threshold inbox lexicon retention_days send_start staff_language",
        records="job_state",
    )),
    Step("write back", _write_back, uses(
        "calendar channel_book inbox sheet staff_language",
        records="cases inbound_events job_state ledger replies surveys vouchers",
    )),
    Step("save the report", _save_the_report, uses("", records="job_state")),
)  # fmt: skip


def run_escalate(deps: EscalationDeps, now: datetime) -> dict[str, Any]:
    run = EscalationRun(deps, now)
    for step in STEPS:
        token = CURRENT_STEP.set(step)
        try:
            step.act(run)
        finally:
            CURRENT_STEP.reset(token)
    return run.report
