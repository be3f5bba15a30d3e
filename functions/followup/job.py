"""The follow-up job: read the sheet → plan (`followup.plan`) → render → deliver
(`functions.delivery`: reserve, send, confirm) → write back → report.

It sees only the ports; `functions.bootstrap` builds the adapters. The ledger is the source of
truth for "already sent", so a run repeated, overlapping or restarted after a crash never sends a
message twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.core.care_plan import (
    CARE_PLAN_STATE,
    CarePlan,
    care_plan_write,
    occasion_days,
    occasion_state,
    read_care_plan,
)
from functions.core.customers import Customer, read_customers
from functions.core.errors import JobCannotRun
from functions.core.gc_pause import cycle_collector_paused
from functions.core.health import health_write, next_followup
from functions.core.i18n import both, knows, say
from functions.core.inbound import expired_ties, ties_state
from functions.core.ledger import DeliveryReport, LedgerFacts
from functions.core.message_tab import MessageTab, message_tab_write, starter_text_rows
from functions.core.privacy import suppression_check
from functions.core.replies import BOUNCED, address_mark, expired_marks, without_bounced_email
from functions.core.settings_tab import with_settings_tab
from functions.core.sheet_layout import set_up
from functions.core.sheet_schema import CALLS, CARE_PLAN, CUSTOMERS, HEALTH, MESSAGES, SETTINGS, VOUCHERS
from functions.core.tables import RowWrite, Table, TabWrite, aged_out, customer_row_write, customers_tab_write
from functions.followup.calls import call_list
from functions.followup.deps import FollowupDeps
from functions.followup.plan import (
    DueMessage,
    FollowupPlan,
    OccasionDates,
    Skip,
    care_plan_day,
    customer_cell,
    decide,
    due_messages,
)
from functions.followup.sending import Preview, SendingRun
from functions.followup.vouchers import sync_voucher_tab
from functions.message_texts import message_texts

JOB = "followup"
UNDELIVERED_NOTE_DAYS = 7  # a provider's "not delivered" stays in the row's System note this long
# Skip reasons that ask something of staff, so they go into the row's System note.
NOTE_REASONS = {"failed_before", "channel_unavailable"}


class JobError(JobCannotRun):
    """The job could not run at all (a missing tab, for instance); nothing was sent."""


@dataclass
class FollowupOutcome:
    report: dict[str, Any]
    previews: list[Preview] = field(default_factory=list)


def run_followup(deps: FollowupDeps, now: datetime, dry_run: bool = False) -> FollowupOutcome:
    """`now` is aware, in the business time zone."""
    used = [CUSTOMERS, MESSAGES, VOUCHERS, CALLS, HEALTH, SETTINGS, CARE_PLAN]
    whole = {tab.key for tab in used}  # one read, whatever the tabs
    tables = deps.sheet.read(used, [x.tab for x in deps.layouts if x.tab.key not in whole])
    if CUSTOMERS.key not in tables:
        raise JobError(both("tab_missing", vi=CUSTOMERS.title_vi, en=CUSTOMERS.title_en))
    # tables: with the tabs as made (a dry run makes none: it writes nothing)
    made, set_up_said = set_up(deps.layouts if not dry_run else (), tables, deps.staff_language)
    deps, from_tab = with_settings_tab(deps, deps.settings_tab, tables)
    today = now.date()
    opted_out_in_store = deps.records.opt_outs.opt_outs()  # also proves the store answers before any send
    bounced = deps.records.job_state.job_state(BOUNCED)  # addresses that bounced hard (issue 25)
    with cycle_collector_paused():  # the pure part: reading and planning the whole sheet
        customers_table = tables[CUSTOMERS.key]
        sheet = read_customers(customers_table, deps.read_rules, today)
        care_plan = read_care_plan(tables.get(CARE_PLAN.key), customers_table.header, sheet.columns,
                                   deps.staff_language)  # fmt: skip
        erased = suppression_check(opted_out_in_store, deps.links.secret)
        customers = [_as_stored(c, opted_out_in_store, bounced, erased) for c in sheet.customers]
        rules = dataclasses.replace(deps.rules, channels=deps.rules.channels & frozenset(deps.channels))
        dates = OccasionDates(customer_cell(customers_table), deps.read_rules.date_order, today, deps.staff_language)
        due = due_messages(customers, today, rules, care_plan.occasions, dates)
        facts = deps.records.ledger.facts([m.key for m in due], today, customers={m.customer.id for m in due})
        plan = decide(due, facts, now, rules)

    texts = message_texts(tables.get(MESSAGES.key), deps.templates, deps.links, deps.channel_book,
                          deps.business_name, deps.staff_language, deps.surveys is not None,
                          deps.vouchers, care_plan.occasions)  # fmt: skip
    run = SendingRun(deps, now, dry_run, texts.book)
    run.send(plan.send)
    # Sent by an earlier run (perhaps one that stopped before writing back): the sheet shows it too.
    for skip in sorted(
        (s for s in plan.skipped if s.message.key in facts.sent_at), key=lambda s: facts.sent_at[s.message.key]
    ):
        message = skip.message
        if message.key in facts.fallbacks:
            run.fallback_note(message, facts.channels[message.key], facts.fallbacks[message.key])
        run.last_contact.setdefault(
            message.customer.id,
            run.contact_text(
                message, facts.channels.get(message.key, ""), facts.sent_at[message.key].astimezone(now.tzinfo)
            ),
        )

    notes = _customer_notes(deps, now, plan, run, [c for c in sheet.customers if _bounced(c, bounced)],
                            dates.problems)  # fmt: skip
    writes = [
        w
        for c in customers
        if (
            w := _row_write(
                c, notes.get(c.id, []), run.last_contact.get(c.id), c.id in opted_out_in_store, deps.staff_language
            )
        )
    ]
    report = _report(
        deps, now, dry_run, sheet.problems, run, plan.skipped + run.skipped, plan.unknown + [m for m, _ in run.unknown]
    )
    report["write_back"] = {"rows": len(writes), "missed": []}
    changes = made + [customers_tab_write(writes, deps.staff_language)]
    changes += _other_tabs(deps, tables, texts, run, report, now)
    changes += _care_plan_tabs(deps, tables, care_plan, texts, plan, run, facts, now, report)
    if set_up_said:
        report["set_up"] = set_up_said
    if from_tab.report:
        report["settings"] = from_tab.report
    if from_tab.write is not None:
        changes.append(from_tab.write)
    if CALLS.key in tables:
        calls, dial_links = call_list(deps.records, deps.links, tables[CALLS.key], plan.skipped, due, customers, today,
                                      deps.staff_language)  # fmt: skip
        if dial_links and not dry_run:
            deps.records.surveys.save_short_links(dial_links)  # before the sheet links to them
        changes.append(calls)
        report["calls"] = {"listed": [w.row_id for w in calls.rows if w.append]}
    if HEALTH.key in tables:
        changes.append(health_write(report, deps.staff_language, next_followup(now, deps.rules.send_from),
                                    table=tables[HEALTH.key]))  # fmt: skip
    if not dry_run:
        try:
            missed = deps.sheet.write(changes)
            report["write_back"]["missed"] = [w.row_id or f"row {w.row_number}" for w in missed]
        except Exception as error:  # the sends are recorded in the ledger; say what did not reach the sheet
            report["write_back"]["error"] = str(error)
        report["expired"] = _expire(deps, bounced, now)
        deps.records.job_state.save_report(report)
    return FollowupOutcome(report, run.previews)


def _as_stored(
    customer: Customer, opted_out: Mapping[str, Any], bounced: Mapping[str, Any], erased: Callable[..., bool]
) -> Customer:
    """The row with what the store knows: an opt-out by link or reply; an address that bounced hard;
    an address erased on request, typed in again (never written to again)."""
    changes: dict[str, Any] = {}
    if (customer.id in opted_out or erased((customer.email, customer.phone))) and not customer.opted_out:
        changes["opted_out"] = True
    if bounced and (channels := without_bounced_email(customer.channels, customer.email, bounced)) != customer.channels:
        changes["channels"] = channels
    return dataclasses.replace(customer, **changes) if changes else customer


def _expire(deps: FollowupDeps, bounced: Mapping[str, Any], now: datetime) -> dict[str, int]:
    """What is older than retention_days, deleted: the store's records, and the bounce marks."""
    before = now - timedelta(days=deps.retention_days)
    expired = deps.records.retention.delete_expired(before)
    if gone := expired_marks(bounced, before):  # a bounce mark (an address's digest) is not kept forever either
        deps.records.job_state.save_job_state(BOUNCED, dict.fromkeys(gone))
        expired["bounce_marks"] = len(gone)
    for spec in deps.channel_book.listening():  # nor a channel user's tie to a customer
        if untied := expired_ties(deps.records.job_state.job_state(ties_state(spec.name)), before):
            deps.records.job_state.save_job_state(ties_state(spec.name), dict.fromkeys(untied))
            expired[f"{spec.name}_ties"] = len(untied)
    return expired


def _bounced(customer: Customer, bounced: Mapping[str, Any]) -> bool:
    return bool(customer.email) and address_mark(customer.email or "") in bounced


def _customer_notes(
    deps: FollowupDeps,
    now: datetime,
    plan: FollowupPlan,
    run: SendingRun,
    bounced: Sequence[Customer] = (),
    dates: Mapping[str, list[str]] | None = None,
) -> dict[str, list[str]]:
    """What each customer's System note says after this run: an occasion's date that cannot be read,
    skips staff can act on, messages in doubt, fallbacks and failures, and the provider's "not
    delivered" reports of the last week."""
    language = deps.staff_language
    notes: dict[str, list[str]] = {customer_id: list(said) for customer_id, said in (dates or {}).items()}
    for skip in plan.skipped:
        if skip.reason in NOTE_REASONS:
            notes.setdefault(skip.message.customer.id, []).append(say(skip.reason, language, **skip.params))
    for message in plan.unknown + [m for m, _ in run.unknown]:
        notes.setdefault(message.customer.id, []).append(say("unconfirmed", language))
    for customer_id, note in run.notes.items():
        notes.setdefault(customer_id, []).extend(note)
    for undelivered in deps.records.delivery_reports.undelivered(now - timedelta(days=UNDELIVERED_NOTE_DAYS)):
        notes.setdefault(undelivered.customer_id, []).append(_undelivered_note(undelivered, now, language))
    for customer in bounced:  # why email is not tried, for as long as the address is the one that bounced
        notes.setdefault(customer.id, []).append(say("email_bounced", language, address=customer.email))
    return notes


def _other_tabs(
    deps: FollowupDeps,
    tables: Mapping[str, Table],
    texts: MessageTab,
    run: SendingRun,
    report: dict[str, Any],
    now: datetime,
) -> list[TabWrite]:
    """The Messages tab's notes and the Vouchers tab, where they exist; what the report says of them."""
    changes = []
    if MESSAGES.key in tables:
        changes.append(message_tab_write(texts.writes, deps.staff_language))
    report["texts"] = {"invalid": [{"row": row, "note": note} for row, note in texts.invalid]}
    voucher_write, report["vouchers"] = sync_voucher_tab(
        deps.records.vouchers, tables.get(VOUCHERS.key), now.date(), deps.staff_language, run.dry_run
    )
    report["vouchers"]["issued"] = [run.vouchers[m.key].code for m, _ in run.sent if m.key in run.vouchers]
    if voucher_write is not None:
        changes.append(voucher_write)
    before = (now - timedelta(days=deps.retention_days)).date()  # the sheet's own rows past retention, cleared
    for spec, id_key, date_key in ((VOUCHERS, "code", "issued"), (CALLS, "customer_id", "due")):
        if not run.dry_run and (aged := aged_out(spec, tables.get(spec.key), id_key, date_key, before,
                                                 deps.staff_language)):  # fmt: skip
            changes.append(aged)
            report.setdefault("aged_out", {})[spec.key] = len(aged.rows)
    return changes


def _care_plan_tabs(
    deps: FollowupDeps,
    tables: Mapping[str, Table],
    care_plan: CarePlan,
    texts: MessageTab,
    plan: FollowupPlan,
    run: SendingRun,
    facts: LedgerFacts,
    now: datetime,
    report: dict[str, Any],
) -> list[TabWrite]:
    """The Care plan rows' notes (what each occasion did today, kept in the store so the note tells
    its last day), and a starter row in the Messages tab for an occasion staff added that has none."""
    today, language = now.date(), deps.staff_language
    days = occasion_days(deps.records.job_state.job_state(CARE_PLAN_STATE))
    counted = care_plan_day(today, plan, run.sent, facts.sent_at, deps.rules.catchup_days)
    changed = {kind: day for kind, day in counted.items() if days.get(kind) != day}  # a rerun writes nothing
    if changed and not run.dry_run:
        deps.records.job_state.save_job_state(CARE_PLAN_STATE, occasion_state(changed, care_plan.occasions))
    days.update(counted)
    report["occasions"] = {kind: day.sent for kind, day in counted.items() if day.sent}
    changes: list[TabWrite] = []
    if CARE_PLAN.key in tables and (write := care_plan_write(care_plan, days, language)) is not None:
        changes.append(write)
    if MESSAGES.key in tables and not run.dry_run:
        starters = starter_text_rows(care_plan.occasions, texts, deps.templates.builtin_texts, language,
                                     deps.channel_book.editable())  # fmt: skip
        if starters:
            changes.append(message_tab_write(starters, language))
            report["texts"]["started"] = [w.row_id for w in starters]
    return changes


def _undelivered_note(report: DeliveryReport, now: datetime, language: str) -> str:
    code = f"kind_{report.kind}"
    kind = say(code if knows(code) else "kind_message", language)  # a message's words, never its key
    at = report.at.astimezone(now.tzinfo)
    return say("undelivered", language, kind=kind, date=f"{at:%d/%m}", channel=report.channel, detail=report.detail)


def _row_write(
    customer: Customer, notes: list[str], last_contact: str | None, opted_out_in_store: bool, language: str
) -> RowWrite | None:
    """Only the system cells that change; None when the row is already right."""
    wanted: dict[str, Any] = {}
    if opted_out_in_store and customer.cell("opt_out") is not True:
        wanted["opt_out"] = True
    if last_contact and last_contact != customer.cell("last_contact"):
        wanted["last_contact"] = last_contact
    note = "; ".join([p.message(language) for p in customer.problems] + notes)
    if note != (customer.cell("system_note") or ""):
        wanted["system_note"] = note
    if not wanted and not customer.id_assigned:
        return None
    return customer_row_write(customer.row, customer.id, customer.id_assigned, customer.name, wanted)


def _report(
    deps: FollowupDeps,
    now: datetime,
    dry_run: bool,
    problems,
    run: SendingRun,
    skipped: list[Skip],
    unknown: list[DueMessage],
) -> dict[str, Any]:
    language = deps.staff_language

    def entry(message: DueMessage, **extra: Any) -> dict[str, Any]:
        return {
            "customer_id": message.customer.id,
            "kind": message.kind,
            "occasion": message.occasion.name if message.occasion else message.kind,
            "key": message.key,
            "row": message.customer.row,
            **extra,
        }

    report: dict[str, Any] = {
        "job": JOB,
        "now": now.isoformat(),
        "dry_run": dry_run,
        "sent": [entry(m, channel=o.channel, to=o.to) for m, o in run.sent],
        "queued": [entry(m) for m in run.queued],
        "batches": run.batches,
        "planned": [
            entry(p.message, channel=p.outgoing.channel, to=p.outgoing.to, subject=p.outgoing.subject)
            for p in run.previews
        ],
        "skipped": [entry(s.message, reason=s.reason, detail=say(s.reason, language, **s.params)) for s in skipped],
        "failed": [entry(m, error=error) for m, error in run.failed],
        "unknown": [entry(m, detail=say("unconfirmed", language)) for m in unknown],
        "problems": [p.as_dict(language) for p in problems],
    }
    report["summary"] = {
        name: len(report[name]) for name in ("sent", "queued", "planned", "skipped", "failed", "unknown", "problems")
    }
    outside = [s for s in skipped if s.reason == "outside_hours"]
    if outside:
        report["notice"] = both("outside_hours", hours=deps.rules.hours)
    if run.limits:
        report["provider_limits"] = [say("provider_limit", language, channel=channel, error=error)
                                     for channel, error in sorted(run.limits.items())]  # fmt: skip
    if run.refused:
        report["provider_refused"] = dict(sorted(run.refused.items()))
    return report
