"""The alert emails: after every run, what a person must act on goes to the manager, once a problem
a day (the day is in the ledger key, so overlapping runs send it once), and the first good run after
a problem sends one "back to normal". A problem that comes back the same day is a new round, alerted
again (at most ALERTS_A_DAY rounds a day). An alert that could not go (the mail server is what broke)
is tried again by every run until it goes. Alerts go to staff only, through the one send path, with
careloop's own staff-email headers (Auto-Submitted); they never reach a customer or count for one.

Which problems are open is the job state `health` (problem name → its detail and since when; ROUNDS:
each problem's rounds of the day)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from functions.core.health import (
    ALERTS_A_DAY,
    MOMENT,
    PROVIDER,
    ROUNDS,
    Problem,
    job_title,
    outcome_of,
    problems,
    recovered_key,
    round_of_day,
)
from functions.core.i18n import say
from functions.core.ids import digest_hex
from functions.core.ledger import FAILED, LedgerEntry
from functions.core.messages import OutgoingMessage
from functions.core.text import fold
from functions.delivery import Delivery, deliver
from functions.ports import Channel, JobState, Ledger, Renderer, Surveys, Vouchers
from functions.retry import RetryPolicy

STATE = "health"


@dataclass
class AlertRecords:
    ledger: Ledger  # each alert's key: once a problem a day
    job_state: JobState  # the problems still open
    surveys: Surveys  # the send path's; an alert has no survey
    vouchers: Vouchers  # the send path's; an alert has no voucher


@dataclass
class AlertDeps:
    records: AlertRecords
    channels: Mapping[str, Channel]  # email
    templates: Renderer
    managers: Callable[[], Sequence[tuple[str, str]]]  # (email, name) each; asked only when there is news
    business_name: str
    sheet_link: str
    staff_language: str
    retry: RetryPolicy


def raise_alerts(deps: AlertDeps, report: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Alert the manager about this run's problems (and the late jobs it found); tell them when a
    problem of this job is over. Returns what was sent, for the run's report."""
    language = deps.staff_language
    outcome = outcome_of(report)
    found = problems(outcome, language) + [Problem(**p) for p in report.get("late", [])]
    state = deps.records.job_state.job_state(STATE)
    now_open = {p.name for p in found}

    def over(name: str) -> bool:
        """A problem of this job the run no longer has. A run that could not run says nothing of the
        others; a provider that refused careloop is back only once something has gone out again."""
        mine = name.startswith(f"{outcome.job}/") and name not in now_open and not outcome.error
        return mine and (outcome.sent > 0 or f"/{PROVIDER}-" not in name)

    ended = [name for name in state if name != ROUNDS and over(name)]
    day = now.date()
    rounds = dict(state.get(ROUNDS) or {})
    deliveries = []
    for problem in found:
        round_now = round_of_day(rounds, problem.name, day, problem.name in state)
        rounds[problem.name] = [day.isoformat(), round_now]
        if round_now <= ALERTS_A_DAY:  # flapping all day: the Health tab keeps saying it, the inbox is spared
            deliveries += _to_managers(deps, problem.alert_key(day, round_now), "alert",
                                       alert_context(problem, language), now)  # fmt: skip
    lingering = [
        name for name in state if name.startswith(f"{outcome.job}/") and name not in now_open and name not in ended
    ]  # this job's problems this run could not judge (nothing was sent)
    for name in lingering:  # their alert is tried again if it could not go (_again); sent once, it stays sent
        job, _, kind = name.partition("/")
        problem = Problem(job, kind, state[name]["detail"])
        deliveries += _to_managers(deps, problem.alert_key(day, round_of_day(rounds, name, day, True)), "alert",
                                   alert_context(problem, language), now)  # fmt: skip
    for name in ended:
        round_now = round_of_day(rounds, name, day, True)
        if round_now <= ALERTS_A_DAY:
            deliveries += _to_managers(deps, recovered_key(name, day, round_now), "alert_recovered",
                                       {"job": job_title(name.split("/")[0], language),
                                        "detail": state[name]["detail"]}, now)  # fmt: skip
    deliveries += _themes_rising(deps, report.get("themes_rising") or [], now)
    _again(deps, deliveries, day)
    sent = deliver(deps.records, deps.channels, deps.retry, deliveries, now) if deliveries else None
    opened = {p.name: state.get(p.name) or {"detail": p.detail, "since": now.isoformat()} for p in found}
    changes: dict[str, Any] = {**opened, **dict.fromkeys(ended)}
    if found:
        changes[ROUNDS] = {name: r for name, r in rounds.items() if r[0] == day.isoformat()}
    if changes:
        deps.records.job_state.save_job_state(STATE, changes)
    return {
        "problems": [p.name for p in found],
        "alerted": [d.key for d in sent.sent] if sent else [],
        "failed": [d.key for d, _ in sent.failed + sent.unknown] if sent else [],
    }


def _themes_rising(deps: AlertDeps, rising: Sequence[Mapping[str, Any]], now: datetime) -> list[Delivery]:
    """A theme customers talk about more and more: the manager told once a theme a week (the week is in
    the ledger key: the runs after the first, while it keeps rising, send nothing)."""
    year, week, _ = now.date().isocalendar()
    deliveries = []
    for theme in rising:
        key = f"theme/{digest_hex(fold(theme['theme']), 10)}/{year}-W{week:02d}"
        deliveries += _to_managers(deps, key, "theme_rising", theme, now)
    return deliveries


def _again(deps: AlertDeps, deliveries: Sequence[Delivery], day: date) -> None:
    """An alert that failed to go (the mail server refused it, or was down) is tried again: released
    here, so this run sends it. One in doubt (it may have gone) is left alone."""
    if not deliveries:
        return
    facts = deps.records.ledger.facts([d.key for d in deliveries], day)
    for key, state in facts.states.items():
        if state == FAILED:
            deps.records.ledger.release(key)


def alert_context(problem: Problem, language: str) -> dict[str, str]:
    """What an alert says of its problem: the job, its result on the Health tab, the detail."""
    return {"job": job_title(problem.job, language), "result": say(f"health_{problem.result}", language),
            "detail": problem.detail}  # fmt: skip


def manager_messages(
    deps: AlertDeps, key: str, kind: str, context: Mapping[str, Any], now: datetime
) -> list[OutgoingMessage]:
    """One email to each manager under `key` and their address (each gets theirs once)."""
    messages = []
    for email, name in deps.managers():
        values = {**context, "manager": name or email, "at": now.strftime(MOMENT), "sheet_link": deps.sheet_link,
                  "business_name": deps.business_name, "unsubscribe_url": ""}  # fmt: skip
        rendered = deps.templates.message(kind, deps.staff_language, values)
        messages.append(OutgoingMessage(f"{key}/{email.lower()}", "email", email, name or email, rendered.subject,
                                        rendered.text, rendered.html, "", deps.staff_language))  # fmt: skip
    return messages


def _to_managers(deps: AlertDeps, key: str, kind: str, context: Mapping[str, Any], now: datetime) -> list[Delivery]:
    return [
        Delivery(LedgerEntry(m.key, f"manager:{m.to.lower()}", kind, "email", now.date(), reserved_at=now), m)
        for m in manager_messages(deps, key, kind, context, now)
    ]
