"""The escalation job: read the Customers, matrix and Cases tabs → plan → open cases, sync
statuses, escalate, notify owners → write Case IDs, the Cases tab and the Dashboard back in one
write → report. Opening is idempotent (the Case ID comes from the flag), so a crash or an
overlapping run never makes two cases of one complaint."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from functions.core.business_calendar import BusinessCalendar
from functions.core.cases import RESOLVED, CaseEvent, CaseRecord, flag_key
from functions.core.sheet_schema import CASES, CUSTOMERS, DASHBOARD, MATRIX
from functions.core.customers import CustomerSheet, ReadRules, read_customers
from functions.core.i18n import say
from functions.core.links import Links
from functions.core.ledger import RESERVED, SENT, LedgerEntry
from functions.ports import Channel, Sheet, Store
from functions.core.errors import JobCannotRun, PermanentDeliveryError, TransientDeliveryError
from functions.core.messages import OutgoingMessage
from functions.core.tables import RowWrite, TabWrite
from functions.core.errors import RenderError
from functions.adapters.templates import Templates
from functions.retry import RetryPolicy
from functions.core.surveys import Survey
from functions.survey.offers import SurveyRules, offer, recent_by_customer, survey_links
from functions.core.text import cell_text
from functions.escalate.matrix import MatrixError, read_matrix
from functions.escalate.metrics import care_metrics, dashboard_rows, survey_metrics, survey_rows
from functions.escalate.plan import Flag, Notice, plan_escalation, read_case_rows, read_flags, status_title
from functions.escalate.triage import TIER3_PHRASES

JOB = "escalate"
METRICS_DAYS = 30
SURVEY_DAYS = 90  # answers to surveys younger than this reach the sheet and may open cases


class EscalationError(JobCannotRun):
    """The job could not run (a tab missing, no usable escalation matrix); nothing was changed."""


@dataclass
class EscalationDeps:
    sheet: Sheet
    store: Store
    channels: Mapping[str, Channel]
    templates: Templates
    calendar: BusinessCalendar
    read_rules: ReadRules
    business_name: str
    sheet_link: str
    staff_language: str = "vi"
    phrases: Sequence[str] = TIER3_PHRASES
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    links: Links | None = None  # for the survey sent when a case is resolved
    surveys: SurveyRules | None = None
    csat_threshold: int = 2


def local_text(moment: datetime | None, calendar: BusinessCalendar) -> str:
    return "" if moment is None else f"{moment.astimezone(calendar.zone):%d/%m/%Y %H:%M}"


def run_escalate(deps: EscalationDeps, now: datetime) -> dict[str, Any]:
    language = deps.staff_language
    tables = deps.sheet.read([CUSTOMERS, MATRIX, CASES, DASHBOARD])
    for spec in (CUSTOMERS, CASES):
        if spec.key not in tables:
            raise EscalationError(f"Không có tab '{spec.title_vi}' / no '{spec.title_en}' tab: run 'careloop setup-sheet'")
    try:
        matrix = read_matrix(tables.get(MATRIX.key))
    except MatrixError as error:
        raise EscalationError(str(error)) from error
    customers_table = tables[CUSTOMERS.key]
    sheet = read_customers(customers_table, deps.read_rules, now.astimezone(deps.calendar.zone).date())
    problems: list[dict[str, Any]] = [{"tab": MATRIX.title(language), "row": row, "message": message}
                                      for row, message in matrix.problems]
    flags = read_flags(customers_table, sheet, problems)
    # One read of each: recent surveys (for CSAT, low scores and the survey throttle) and all cases.
    throttle_days = deps.surveys.throttle_days if deps.surveys else 0
    surveys = deps.store.surveys(now - timedelta(days=max(SURVEY_DAYS, throttle_days)))
    flags += _low_scores(surveys, sheet, deps.csat_threshold)
    case_rows = read_case_rows(tables[CASES.key])
    existing = deps.store.cases()
    plan = plan_escalation(flags, existing, case_rows, matrix, deps.calendar, now, deps.phrases, language)
    problems += plan.problems

    opened, escalated, synced = [], [], []
    final: dict[str, CaseRecord] = {c.case_id: c for c in existing}
    for flag, case, event in plan.opened:
        if deps.store.create_case(case, event):
            opened.append(case)
        final[case.case_id] = deps.store.case(case.case_id) or case
    for case, changes, event in plan.changes:
        deps.store.update_case(case.case_id, changes, event)
        updated = case.changed(**changes)
        final[case.case_id] = updated
        (escalated if event.kind == "escalated" else synced).append((case, updated, event))
    notified, deferred, failed = _notify(deps, now, plan.notices, final)
    surveyed = _survey_resolved(deps, now, final, surveys, sheet, deferred, failed)

    rows_by_case = {row.case_id: row for row in case_rows}
    case_writes = []
    for case in sorted(final.values(), key=lambda c: (c.created_at, c.case_id)):
        wanted = _case_cells(case, deps.calendar, language) | {"system_note": plan.row_notes.get(case.case_id, "")}
        row = rows_by_case.get(case.case_id)
        if row is None:  # a new case, or a row staff deleted: below the last row, unless a run just put it there
            case_writes.append(RowWrite(0, case.case_id, wanted, append=True))
            continue
        changed = {k: v for k, v in wanted.items()
                   if k != "status" and cell_text(row.cells.get(k)) != cell_text(v)}
        if changed:
            case_writes.append(RowWrite(row.row, case.case_id, changed))
    customer_writes = [RowWrite(flag.row, None if flag.id_assigned else flag.customer_id,
                                {"case_id": case.case_id, **({"id": flag.customer_id} if flag.id_assigned else {})})
                       for flag, case, _ in plan.opened if flag.case_id != case.case_id and not flag.key]
    customer_writes += _csat_cells(surveys, sheet)
    writes = [TabWrite(CUSTOMERS, CUSTOMERS.column("id"), customer_writes, language),
              TabWrite(CASES, CASES.column("case_id"), case_writes, language)]
    if DASHBOARD.key in tables:
        writes.append(_dashboard_write(tables[DASHBOARD.key], list(final.values()), surveys, deps, now))
    report = _report(now, opened, escalated, synced, notified, deferred, failed, problems, plan.restore, deps)
    report["surveyed"] = surveyed
    report["summary"]["surveyed"] = len(surveyed)
    try:
        missed = deps.sheet.write(writes)
        report["write_back"] = {"rows": sum(len(w.rows) for w in writes), "missed": [w.row_id or f"row {w.row_number}" for w in missed]}
    except Exception as error:  # the store holds every case; the next run writes the sheet again
        report["write_back"] = {"rows": 0, "missed": [], "error": str(error)}
    deps.store.save_report(report)
    return report


def _case_cells(case: CaseRecord, calendar: BusinessCalendar, language: str) -> dict[str, Any]:
    return {"case_id": case.case_id, "customer_id": case.customer_id, "customer": case.customer_name,
            "category": case.category, "issue": case.issue, "tier": case.tier, "owner": case.owner,
            "status": status_title(case.status, language), "opened": local_text(case.created_at, calendar),
            "first_response_due": local_text(case.first_response_due, calendar),
            "resolve_due": local_text(case.resolve_due, calendar), "resolution_note": case.resolution_note}


def _dashboard_write(table, cases: list[CaseRecord], surveys, deps: EscalationDeps, now: datetime) -> TabWrite:
    language = deps.staff_language
    start, end = now - timedelta(days=METRICS_DAYS), now + timedelta(seconds=1)
    metrics = care_metrics(cases, deps.calendar, start, end)
    period = f"{METRICS_DAYS} ngày qua" if language != "en" else f"last {METRICS_DAYS} days"
    existing = {cell_text(r[0]): (i + 2, r) for i, r in enumerate(table.rows) if r and cell_text(r[0])}
    writes = []
    for name, value in dashboard_rows(metrics, period, language) + survey_rows(survey_metrics(surveys, start, end), language) + [
            ("Cập nhật lúc" if language != "en" else "Updated at", local_text(now, deps.calendar))]:
        if name in existing:
            number, row = existing[name]
            if [cell_text(v) for v in row[1:3]] != [value, period]:
                writes.append(RowWrite(number, name, {"value": value, "period": period}))
        else:
            writes.append(RowWrite(0, name, {"metric": name, "value": value, "period": period}, append=True))
    return TabWrite(DASHBOARD, DASHBOARD.column("metric"), writes, language)


def _notify(deps: EscalationDeps, now: datetime, notices: list[Notice], final: dict[str, CaseRecord]):
    """Send the notices the ledger has not seen, inside working hours only."""
    notified, deferred, failed = [], [], []
    facts = deps.store.facts([n.key for n in notices], now.astimezone(deps.calendar.zone).date())
    due = [n for n in notices if facts.states.get(n.key) not in (SENT, RESERVED)]
    if not due:
        return notified, deferred, failed
    if not deps.calendar.is_open(now):
        return notified, [(n, "outside_working_hours") for n in due], failed
    channel = deps.channels.get("email")
    composed = []
    for notice in due:
        case = final.get(notice.case.case_id, notice.case)
        if not case.owner_email or channel is None:
            deferred.append((notice, "no_owner" if channel else "channel_unavailable"))
            continue
        try:
            composed.append((notice, case, _compose(deps, notice, case)))
        except RenderError as error:
            failed.append((notice, str(error)))
    won = deps.store.reserve_many([LedgerEntry(n.key, c.customer_id, f"case_{n.kind}", "email",
                                               now.astimezone(deps.calendar.zone).date(), reserved_at=now)
                                   for n, c, _ in composed])
    sent_keys = []
    for notice, case, message in composed:
        if notice.key not in won:
            continue
        try:
            deps.retry.call(lambda: channel.deliver(message), (TransientDeliveryError,))
        except (TransientDeliveryError, PermanentDeliveryError, OSError) as error:
            deps.store.fail(notice.key, str(error), now)
            failed.append((notice, str(error)))
            continue
        sent_keys.append(notice.key)
        notified.append((notice, case))
    deps.store.confirm_many(sent_keys, now)
    for notice, case in notified:
        deps.store.update_case(case.case_id, {}, CaseEvent(case.case_id, now, "notified",
                                                           {"kind": notice.kind, "to": case.owner_email}))
    return notified, deferred, failed


def _compose(deps: EscalationDeps, notice: Notice, case: CaseRecord) -> OutgoingMessage:
    language = deps.staff_language
    context = {"kind": notice.kind, "owner": case.owner.split("<")[0].strip() or case.owner_email, "tier": case.tier,
               "case_id": case.case_id, "customer": case.customer_name, "customer_id": case.customer_id,
               "category": case.category, "issue": case.issue, "sheet_link": deps.sheet_link,
               "first_response_due": local_text(case.first_response_due, deps.calendar),
               "resolve_due": local_text(case.resolve_due, deps.calendar), "business_name": deps.business_name,
               "unsubscribe_url": ""}
    rendered = deps.templates.message("case_notice", language, context)
    return OutgoingMessage(notice.key, "email", case.owner_email, context["owner"], rendered.subject, rendered.text,
                           rendered.html, "", language)


def _case_entry(case: CaseRecord, **extra: Any) -> dict[str, Any]:
    return {"case_id": case.case_id, "customer_id": case.customer_id, "category": case.category, "tier": case.tier,
            "owner": case.owner, "status": case.status, "first_response_due": case.first_response_due.isoformat(),
            "resolve_due": case.resolve_due.isoformat(), **extra}


def _report(now, opened, escalated, synced, notified, deferred, failed, problems, restored, deps) -> dict[str, Any]:
    language = deps.staff_language
    report: dict[str, Any] = {
        "job": JOB, "now": now.isoformat(),
        "opened": [_case_entry(c, triage=c.extra.get("triage", "")) for c in opened],
        "escalated": [_case_entry(after, from_tier=before.tier) for before, after, _ in escalated],
        "synced": [{"case_id": after.case_id, "from": before.status, "to": after.status,
                    "resolution_note": after.resolution_note} for before, after, _ in synced],
        "notified": [{"case_id": c.case_id, "kind": n.kind, "to": c.owner_email, "key": n.key} for n, c in notified],
        "skipped": [{"case_id": n.case.case_id, "kind": n.kind, "key": n.key, "reason": reason,
                     "detail": say(reason, language, channel="email")} for n, reason in deferred],
        "failed": [{"case_id": n.case.case_id, "kind": n.kind, "key": n.key, "error": error} for n, error in failed],
        "restored": [c.case_id for c in restored],
        "problems": problems,
    }
    report["summary"] = {k: len(report[k]) for k in ("opened", "escalated", "synced", "notified", "skipped", "failed",
                                                      "restored", "problems")}
    return report


def _low_scores(surveys: list[Survey], sheet: CustomerSheet, threshold: int) -> list[Flag]:
    """A latest answer at or below the threshold is a complaint: one case per survey."""
    customers = {c.id: c for c in sheet.customers}
    flags = []
    for survey in surveys:
        answer = survey.latest
        if answer is None or answer.score > threshold:
            continue
        customer = customers.get(survey.customer_id)
        flags.append(Flag(0, survey.customer_id, False, customer.name if customer else survey.customer_id,
                          (customer.email or "") if customer else "", survey.language, "CSAT",
                          answer.comment or f"CSAT {answer.score}/5", "", "",
                          key=flag_key("csat", survey.customer_id, survey.survey_id)))
    return flags


def _csat_cells(surveys: list[Survey], sheet: CustomerSheet) -> list[RowWrite]:
    """The latest score of each customer into the CSAT cell (a number, written raw)."""
    latest: dict[str, tuple[datetime, int]] = {}
    for survey in surveys:
        if survey.latest and (survey.customer_id not in latest or survey.latest.at > latest[survey.customer_id][0]):
            latest[survey.customer_id] = (survey.latest.at, survey.latest.score)
    writes = []
    for customer in sheet.customers:
        if customer.id in latest and cell_text(customer.cell("csat")) != str(latest[customer.id][1]):
            writes.append(RowWrite(customer.row, None if customer.id_assigned else customer.id,
                                   {"csat": latest[customer.id][1], **({"id": customer.id} if customer.id_assigned else {})}))
    return writes


def _survey_resolved(deps: EscalationDeps, now: datetime, final: dict[str, CaseRecord], surveys: list[Survey],
                     sheet: CustomerSheet, deferred: list, failed: list) -> list[dict[str, Any]]:
    """A case resolved lately gets its customer a CSAT survey, once (ledger key survey/case/<id>)."""
    if deps.surveys is None or deps.links is None:
        return []
    resolved = [c for c in final.values() if c.status == RESOLVED and c.resolved_at
                and now - c.resolved_at < timedelta(days=7) and c.customer_email]
    keys = {f"survey/case/{c.case_id}": c for c in resolved}
    facts = deps.store.facts(list(keys), now.astimezone(deps.calendar.zone).date())
    due = {k: c for k, c in keys.items() if k not in facts.states}
    if not due:
        return []
    notice = lambda key, case: Notice(key, "survey", case)  # noqa: E731
    if not deps.calendar.is_open(now):
        deferred += [(notice(k, c), "outside_working_hours") for k, c in due.items()]
        return []
    opted_out = deps.store.opt_outs()
    recent = recent_by_customer(s for s in surveys if s.created_at >= now - timedelta(days=deps.surveys.throttle_days))
    customers = {c.id: c for c in sheet.customers}
    sent = []
    for key, case in due.items():
        customer = customers.get(case.customer_id)
        if case.customer_id in opted_out or (customer and customer.opted_out):
            continue
        survey = offer(case.customer_id, f"case/{case.case_id}", case.language, now, recent, deps.surveys)
        if survey is None:
            continue  # asked about something else lately: no second survey so soon
        unsubscribe_url = deps.links.unsubscribe(case.customer_id, case.language)
        context = {"greeting": customer.greeting if customer else case.customer_name, "case_id": case.case_id,
                   "business_name": deps.business_name, "unsubscribe_url": unsubscribe_url,
                   "survey_links": survey_links(deps.links, survey)}
        try:
            rendered = deps.templates.message("case_survey", case.language, context)
        except RenderError as error:
            failed.append((notice(key, case), str(error)))
            continue
        if key not in deps.store.reserve_many([LedgerEntry(key, case.customer_id, "case_survey", "email",
                                                            now.astimezone(deps.calendar.zone).date(), reserved_at=now)]):
            continue
        deps.store.create_survey(survey)
        message = OutgoingMessage(key, "email", case.customer_email, case.customer_name, rendered.subject, rendered.text,
                                  rendered.html, unsubscribe_url, case.language)
        try:
            deps.retry.call(lambda: deps.channels["email"].deliver(message), (TransientDeliveryError,))
        except (TransientDeliveryError, PermanentDeliveryError, OSError, KeyError) as error:
            deps.store.fail(key, str(error), now)
            failed.append((notice(key, case), str(error)))
            continue
        deps.store.confirm(key, now)
        recent.setdefault(case.customer_id, set()).add(survey.survey_id)
        sent.append({"case_id": case.case_id, "customer_id": case.customer_id, "survey_id": survey.survey_id, "key": key})
    return sent
