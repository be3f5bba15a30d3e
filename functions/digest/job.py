"""The weekly digest job: every Monday, last week's care figures against the week before, the
cases past their deadline with their owners, the lowest survey comments and a link to the sheet,
emailed to the manager — once a week (its ledger key), and only inside working hours.

Cloud Scheduler calls it every working hour of the week; the first call inside working hours sends
last week's digest and the later ones find it sent. A Monday that is a holiday sends on Tuesday.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from functions.core.business_calendar import BusinessCalendar
from functions.core.care_plan import CARE_PLAN_STATE, names_in_state
from functions.core.cases import CaseRecord, category_title
from functions.core.errors import JobCannotRun, RenderError
from functions.core.i18n import both, knows, say
from functions.core.ids import digest_hex
from functions.core.ledger import SENT, LedgerEntry
from functions.core.messages import OutgoingMessage
from functions.core.settings_tab import SettingsFromTab, with_settings_tab
from functions.core.sheet_schema import MATRIX, SETTINGS
from functions.core.tables import Table
from functions.core.theme_tab import THEMES_STATE, week_lines
from functions.core.weekly import (
    Week,
    WeekFigures,
    lowest_comments,
    occasion_counts,
    overdue,
    previous,
    trend,
    week_figures,
    week_of,
)
from functions.delivery import Delivery, RunClock, deliver
from functions.health.late import followup_late
from functions.history import read_history
from functions.ports import Cases, Channel, JobState, Ledger, Renderer, Replies, Sheet, Surveys, Vouchers
from functions.retry import RetryPolicy

JOB, KIND = "digest", "weekly_digest"
ESCALATION_JOB = "escalate"  # whose job state keeps the themes' counts


@dataclass
class DigestRecords:
    """What the week's figures are counted from, the digest's own ledger entries, its report."""

    ledger: Ledger
    cases: Cases
    surveys: Surveys
    vouchers: Vouchers
    replies: Replies
    job_state: JobState


@dataclass
class DigestDeps:
    sheet: Sheet
    records: DigestRecords
    channels: Mapping[str, Channel]
    templates: Renderer
    calendar: BusinessCalendar
    business_name: str
    sheet_link: str
    managers: Sequence[str]  # empty: the tier-3 owners of the matrix's '*' row
    staff_language: str
    retry: RetryPolicy
    send_start: time  # the follow-up run is due done by this + 2 hours on a working day
    # The Settings tab's values over the deployed settings (manager_emails, working_hours…).
    settings_tab: Callable[[DigestDeps, Table | None], tuple[DigestDeps, SettingsFromTab]] | None = None


def run_digest(deps: DigestDeps, now: datetime, dry_run: bool = False) -> dict[str, Any]:
    tables = deps.sheet.read([MATRIX, SETTINGS])
    deps, _ = with_settings_tab(deps, deps.settings_tab, tables)  # its notes are written by the other runs
    week = previous(week_of(now, deps.calendar))
    named = _managers(deps, tables.get(MATRIX.key))
    managers = list(named)
    keys = {email: f"digest/{week.label}/{digest_hex(email.lower(), 12)}" for email in managers}
    report: dict[str, Any] = {"job": JOB, "now": now.isoformat(), "week": week.label, "dry_run": dry_run,
                              "sent": [], "skipped": [], "failed": [], "unknown": []}  # fmt: skip
    facts = deps.records.ledger.facts(keys.values(), now.astimezone(deps.calendar.zone).date())
    due = {email: key for email, key in keys.items() if facts.states.get(key) != SENT}
    report["skipped"] += [{"to": e, "reason": "already_sent"} for e in managers if e not in due]
    if due and not deps.calendar.is_open(now) and not dry_run:
        report["skipped"] += [{"to": e, "reason": "outside_working_hours"} for e in due]
        due = {}
    if due or dry_run:
        context = digest_context(deps, week, now)
        messages = [_message(deps, key, email, named[email], context) for email, key in (due or keys).items()]
        if dry_run:
            report["preview"] = [{"to": m.to, "subject": m.subject, "text": m.text} for m in messages]
        else:
            _send(deps, messages, now, report)
    report["summary"] = {name: len(report[name]) for name in ("sent", "skipped", "failed", "unknown")}
    # Every working hour, as the escalation run every 15 minutes: a follow-up run that did not run is told.
    late, _ = followup_late(deps.records.job_state, {}, now, deps.calendar, deps.send_start, deps.staff_language)
    report["late"] = [problem._asdict() for problem in late]
    if not dry_run:
        deps.records.job_state.save_report(report)
    return report


def _managers(deps: DigestDeps, matrix: Table | None) -> dict[str, str]:
    from functions.escalate.matrix import MatrixError, managers

    try:
        return managers(matrix, deps.managers)
    except MatrixError as error:
        message = str(error) if str(error) == both("digest_no_manager") else both("digest_no_manager") + f" ({error})"
        raise JobCannotRun(message) from error


def digest_context(deps: DigestDeps, week: Week, now: datetime) -> dict[str, Any]:
    """What the digest says: the figures of `week` against the week before, the cases past their
    deadline now, the week's lowest comments."""
    before = previous(week)
    calendar, language = deps.calendar, deps.staff_language
    history = read_history(deps.records, before.start, week.end.date() - timedelta(days=1))
    surveys, cases = history.surveys, history.cases
    now_figures, before_figures = (week_figures(w, history, calendar) for w in (week, before))
    names = names_in_state(deps.records.job_state.job_state(CARE_PLAN_STATE))
    by_occasion = occasion_counts(week, history.sent), occasion_counts(before, history.sent)
    return {
        "week": week.label,
        "week_before": before.label,
        "week_dates": f"{week.start:%d/%m} – {week.end - timedelta(days=1):%d/%m/%Y}",
        "rows": digest_rows(now_figures, before_figures, language)
        + occasion_rows(by_occasion[0], by_occasion[1], names, language),
        "overdue": [_case_line(c, calendar, language) for c in overdue(cases, now)],
        "comments": [{"score": s, "comment": c, "customer_id": cid} for s, c, cid in lowest_comments(surveys, week)],
        "themes": _themes(deps, week, language),
        "headline": say(
            "digest_headline",
            language,
            sent=now_figures.messages_sent,
            answers=now_figures.answers,
            cases=now_figures.cases_opened,
        ),  # fmt: skip
        "business_name": deps.business_name,
        "sheet_link": deps.sheet_link,
        "unsubscribe_url": "",
    }


def _themes(deps: DigestDeps, week: Week, language: str) -> list[str]:
    """The week's themes as the escalation runs counted them (kept in its job state)."""
    counted = deps.records.job_state.job_state(ESCALATION_JOB).get(THEMES_STATE) or {}
    return week_lines(counted.get("days") or {}, counted.get("examples") or {}, week.start.date(), language)


# Which way is good for each figure: up (more answers) or down (fewer complaints).
ROWS = (
    ("digest_messages", "messages_sent", "count", True),
    ("digest_answers", "answers", "count", True),
    ("digest_mean_score", "mean_score", "score", True),
    ("digest_satisfied", "satisfied", "share", True),
    ("NPS", "nps", "points", True),
    ("digest_cases_opened", "cases_opened", "count", False),
    ("digest_cases_resolved", "cases_resolved", "count", True),
    ("digest_escalated", "escalated", "count", False),
    ("digest_first_response", "first_response_hours", "hours", False),
    ("digest_vouchers_issued", "vouchers_issued", "count", True),
    ("digest_vouchers_used", "vouchers_used", "count", True),
    ("digest_replies", "replies", "count", True),
    ("digest_refusals", "refusals", "count", False),
    ("digest_bounces", "bounces", "count", False),
)


def digest_rows(now: WeekFigures, before: WeekFigures, language: str) -> list[dict[str, str]]:
    rows = []
    for label, name, kind, up_is_good in ROWS:
        a, b = getattr(now, name), getattr(before, name)
        if a is None and b is None:  # not asked (NPS), or nothing to measure either week
            continue
        arrow = trend(a, b)
        good = arrow == ("▲" if up_is_good else "▼")
        rows.append({
            "label": label if label == "NPS" else say(label, language),
            "now": _shown(a, kind), "before": _shown(b, kind), "arrow": arrow,
            "colour": "#067647" if good else "#b42318" if arrow in ("▲", "▼") else "#6b7280",
        })  # fmt: skip
    return rows


def occasion_rows(now: Mapping[str, int], before: Mapping[str, int], names: Mapping[str, str],
                  language: str) -> list[dict[str, str]]:  # fmt: skip
    """A row per occasion of the care plan that sent in either week: its messages, against the week before."""
    rows = []
    for kind in sorted(set(now) | set(before), key=lambda k: (-now.get(k, 0), k)):
        name = names.get(kind) or (say(f"kind_{kind}", language) if knows(f"kind_{kind}") else kind)
        a, b = now.get(kind, 0), before.get(kind, 0)
        rows.append({"label": say("metric_occasion", language, name=name), "now": str(a), "before": str(b),
                     "arrow": trend(a, b), "colour": "#6b7280"})  # fmt: skip
    return rows


def _shown(value: float | int | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "points":
        return f"{value:+.0f}"
    if kind in ("score", "hours"):
        return f"{value:.1f}"
    return str(value)


def _case_line(case: CaseRecord, calendar: BusinessCalendar, language: str) -> dict[str, Any]:
    due = case.first_response_due if case.first_responded_at is None else case.resolve_due
    return {"case_id": case.case_id, "tier": case.tier, "customer": case.customer_name,
            "category": category_title(case.category, language), "owner": case.owner,
            "due": f"{due.astimezone(calendar.zone):%d/%m %H:%M}"}  # fmt: skip


def _message(deps: DigestDeps, key: str, email: str, name: str, context: Mapping[str, Any]) -> OutgoingMessage:
    language = deps.staff_language
    manager = name or say("digest_no_name", language)  # never the address's local part ("Chào an,")
    try:
        rendered = deps.templates.message(KIND, language, {**context, "manager": manager})
    except RenderError as error:
        raise JobCannotRun(str(error)) from error
    return OutgoingMessage(key, "email", email, manager, rendered.subject, rendered.text, rendered.html, "", language,
                           KIND)  # fmt: skip


def _send(deps: DigestDeps, messages: list[OutgoingMessage], now: datetime, report: dict[str, Any]) -> None:
    day = now.astimezone(deps.calendar.zone).date()
    deliveries = [Delivery(LedgerEntry(m.key, "manager", KIND, "email", day, reserved_at=now), m) for m in messages]
    outcome = deliver(deps.records, deps.channels, RunClock.start(deps.retry, None), deliveries, now)
    report["sent"] += [{"to": d.message.to, "key": d.key} for d in outcome.sent]
    report["skipped"] += [{"to": d.message.to, "reason": "reserved_elsewhere"} for d in outcome.skipped]
    report["failed"] += [{"to": d.message.to, "error": e} for d, e in outcome.failed]
    report["unknown"] += [{"to": d.message.to, "error": e} for d, e in outcome.unknown]
    report["provider_refused"] = dict(outcome.refused)
