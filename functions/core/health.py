"""Whether careloop is working, as staff and the manager read it (pure): each run's outcome, the
Health tab's row for its job, the problems a person must act on, and when a run is late.

A problem is a job and a kind of fault (could not run, could not write back, messages failed or in
doubt, a provider refusing careloop itself, did not run). Its alert goes out at most once a day (the
day is in its ledger key); the first good run after it sends one "back to normal" email.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from functions.core.business_calendar import BusinessCalendar
from functions.core.i18n import say
from functions.core.sheet_schema import HEALTH, locate_columns
from functions.core.tables import (
    Figure,
    RowWrite,
    Table,
    TabWrite,
    cell_day,
    cell_moment,
    moment_figure,
    row_cells,
    same_cell,
)
from functions.core.text import cell_text

JOBS = ("followup", "escalate", "digest", "send_batch")
OK, ERRORS, COULD_NOT_RUN, LATE = "ok", "errors", "could_not_run", "late"
# Kinds of problem, each alerted once a day while it lasts.
CANNOT_RUN, WRITE_BACK, MESSAGES, PROVIDER, DID_NOT_RUN, UNREADABLE = (
    "cannot_run",
    "write_back",
    "messages",
    "provider",
    "did_not_run",
    "unreadable",
)
SETTINGS_TAB = "settings_tab"  # a value in the Settings tab careloop could not use
MATRIX_OWNERS = "matrix_owners"  # the escalation matrix has no owners yet: complaints wait
ESCALATE_EVERY = timedelta(minutes=15)  # the escalation run's schedule (infra: escalate_schedule)
FOLLOWUP_GRACE = timedelta(hours=2)  # the follow-up run is late when not done by send_hours start + this
MOMENT = "%d/%m/%Y %H:%M"  # as the sheet writes a moment
NAMED = 20  # customers an alert names of the messages that need staff; the rest are in the sheet's notes


class RunOutcome(NamedTuple):
    """What one run of a job came to, read from its report."""

    job: str
    at: datetime
    sent: int = 0
    failed: int = 0  # failed, and in doubt
    error: str = ""  # why the run could not run at all
    write_error: str = ""  # why the sheet could not be written afterwards
    refused: Mapping[str, str] = {}  # channel → why its provider refuses careloop itself
    needing: tuple[str, ...] = ()  # who the failed, doubtful or waiting messages were for (customer IDs, keys)
    unreadable: int = 0  # messages from the mailbox the run could not read and skipped (issue 32)
    settings: tuple[str, ...] = ()  # the Settings tab's rows it could not use, by name
    matrix_waiting: int = -1  # complaints waiting for the escalation matrix's owners (-1: the matrix is fine)

    @property
    def result(self) -> str:
        if self.error:
            return COULD_NOT_RUN
        broken = self.failed or self.write_error or self.refused or self.unreadable or self.settings
        return ERRORS if broken or self.matrix_waiting >= 0 else OK

    @property
    def good(self) -> bool:
        return self.result == OK


class Problem(NamedTuple):
    job: str
    kind: str
    detail: str  # one plain sentence, in staff's language: what went wrong and what to do

    @property
    def name(self) -> str:
        """The problem whatever the day: a job and a kind of fault (a provider's name for PROVIDER)."""
        return f"{self.job}/{self.kind}"

    @property
    def result(self) -> str:
        """What the Health tab says of a job with this problem."""
        return {CANNOT_RUN: COULD_NOT_RUN, DID_NOT_RUN: LATE}.get(self.kind, ERRORS)

    def alert_key(self, day: date, round_of_day: int = 1) -> str:
        """The ledger key of this problem's alert: one a round (broken, then back to normal) a day."""
        return f"alert/{self.name}/{day.isoformat()}" + (f"/{round_of_day}" if round_of_day > 1 else "")


def recovered_key(name: str, day: date, round_of_day: int = 1) -> str:
    """The ledger key of the one "back to normal" email for problem `name`'s round on `day`."""
    return f"recovered/{name}/{day.isoformat()}" + (f"/{round_of_day}" if round_of_day > 1 else "")


ROUNDS = "~rounds"  # in the alerts' state: problem name → [day, rounds of it that day]
ALERTS_A_DAY = 3  # a problem that comes and goes (flapping) is alerted at most this often a day


def round_of_day(rounds: Mapping[str, Any], name: str, day: date, already_open: bool) -> int:
    """Which round of problem `name` today this is: a problem still open counts as the day's current
    round (round 1 on a new day: one alert a day while it lasts); one broken anew starts the next."""
    last_day, count = (rounds.get(name) or ["", 0])[:2]
    if last_day != day.isoformat():
        return 1
    return int(count) if already_open else int(count) + 1


def outcome_of(report: Mapping[str, Any]) -> RunOutcome:
    """A run report (as a job saves it, or as `failed_report` makes it) read back."""
    summary = report.get("summary", {})
    sent = summary["sent"] if "sent" in summary else summary.get("notified", 0) + summary.get("surveyed", 0)
    # A message that failed before is not tried again until staff retry it: it still needs them.
    waiting = [s for s in report.get("skipped", ()) if isinstance(s, dict) and s.get("reason") == "failed_before"]
    needing = [e for name in ("failed", "unknown") for e in report.get(name, ()) if isinstance(e, dict)] + waiting
    return RunOutcome(
        report["job"],
        datetime.fromisoformat(report["now"]),
        int(sent),
        int(summary.get("failed", 0)) + int(summary.get("unknown", 0)) + len(waiting),
        report.get("error", ""),
        (report.get("write_back") or {}).get("error", ""),
        dict(report.get("provider_refused") or {}),
        tuple(dict.fromkeys(str(e.get("customer_id") or e.get("to") or e.get("key", "")) for e in needing)),
        int((report.get("replies") or {}).get("unreadable", 0)),
        tuple(str(i.get("name", "")) for i in (report.get("settings") or {}).get("invalid", ()) if isinstance(i, dict)),
        int((report.get("matrix_waiting") or {}).get("complaints", -1)),
    )


def failed_report(job: str, now: datetime, error: str) -> dict[str, Any]:
    """The report of a run that could not run: kept like any other, so `careloop status` sees it."""
    return {"job": job, "now": now.isoformat(), "error": error, "summary": {"sent": 0, "failed": 0, "unknown": 0}}


def problems(outcome: RunOutcome, language: str) -> list[Problem]:
    """What in this run a person must act on, one problem per kind of fault."""
    job = outcome.job
    if outcome.error:
        return [Problem(job, CANNOT_RUN, outcome.error)]
    found = []
    if outcome.failed:
        listed = ", ".join(outcome.needing[:NAMED]) + (" …" if len(outcome.needing) > NAMED else "")
        found.append(Problem(job, MESSAGES, say("health_messages", language, count=outcome.failed)
                             + (f" ({listed})" if listed else "")))  # fmt: skip
    if outcome.write_error:
        found.append(Problem(job, WRITE_BACK, say("health_write_back", language, error=outcome.write_error)))
    if outcome.unreadable:
        found.append(Problem(job, UNREADABLE, say("health_unreadable", language, count=outcome.unreadable)))
    if outcome.matrix_waiting >= 0:
        found.append(Problem(job, MATRIX_OWNERS, say("health_matrix", language, count=outcome.matrix_waiting)))
    if outcome.settings:
        found.append(Problem(job, SETTINGS_TAB, say("health_settings", language, names=", ".join(outcome.settings))))
    for channel, error in sorted(outcome.refused.items()):
        found.append(Problem(job, f"{PROVIDER}-{channel}", say("health_provider", language, channel=channel,
                                                                error=error)))  # fmt: skip
    return found


def detail(outcome: RunOutcome, language: str) -> str:
    found = problems(outcome, language)
    return " · ".join(p.detail for p in found) if found else say("health_all_well", language)


def next_followup(after: datetime, send_start: time, calendar: BusinessCalendar | None = None) -> datetime:
    """When the next follow-up run is due: the start of sending hours on the next working day (with
    no calendar, the next day), as the Health tab shows it; it is late FOLLOWUP_GRACE after."""
    day = after.date() + timedelta(days=1)
    while calendar is not None and not calendar.periods(day) and day < after.date() + timedelta(days=31):
        day += timedelta(days=1)
    return datetime.combine(day, send_start, after.tzinfo)


def next_escalation(after: datetime, calendar: BusinessCalendar) -> datetime:
    """Every 15 minutes of working time; outside working hours, when they begin again."""
    return calendar.add(after, ESCALATE_EVERY.total_seconds() / 3600 if calendar.is_open(after) else 0)


def next_digest(after: datetime, calendar: BusinessCalendar) -> datetime:
    """The first working hour of next week, when last week's digest goes out."""
    local = after.astimezone(calendar.zone)
    monday = local.date() + timedelta(days=7 - local.weekday())
    return calendar.add(datetime.combine(monday, time(), calendar.zone), 1)


def followup_due(day: date, calendar: BusinessCalendar, send_start: time) -> datetime | None:
    """By when the follow-up run must have completed on `day`; None on a day off (a weekend without
    working hours, a public holiday): nobody is told it did not run."""
    if not calendar.periods(day):
        return None
    return datetime.combine(day, send_start, calendar.zone) + FOLLOWUP_GRACE


def followup_missing(
    last_good: datetime | None, now: datetime, calendar: BusinessCalendar, send_start: time, language: str
) -> Problem | None:
    """The follow-up run's "did not run" problem, when today's is past due and none completed today."""
    local = now.astimezone(calendar.zone)
    due = followup_due(local.date(), calendar, send_start)
    done_today = last_good is not None and last_good.astimezone(calendar.zone).date() == local.date()
    if due is None or local < due or done_today:
        return None
    last = last_good.astimezone(calendar.zone).strftime(MOMENT) if last_good else say("health_never", language)
    return Problem("followup", DID_NOT_RUN, say("health_did_not_run", language, last=last, due=due.strftime(MOMENT)))


def health_row(outcome: RunOutcome, language: str, next_expected: datetime | None) -> RowWrite:
    """The job's row on the Health tab after this run; added when the tab has none for it yet."""
    return _row(
        outcome.job,
        language,
        {
            "last_run": moment_figure(outcome.at),  # a date-time staff sort and filter, shown dd/mm/yyyy hh:mm
            "result": say(f"health_{outcome.result}", language),
            "sent": outcome.sent,
            "failed": outcome.failed,
            "detail": detail(outcome, language),
            "next_run": _moment(next_expected, language),
        },
    )


def late_row(problem: Problem, language: str) -> RowWrite:
    """A job that did not run, as another job's run writes it: late, and why; its other cells stay."""
    return _row(problem.job, language, {"result": say(f"health_{problem.result}", language), "detail": problem.detail})


def health_write(
    report: Mapping[str, Any],
    language: str,
    next_expected: datetime | None,
    more: Sequence[RowWrite] = (),
    table: Table | None = None,
) -> TabWrite:
    """The Health tab's write a run makes with its others: its own row, and `more` (other jobs' rows).
    `Đã gửi` counts the day's sends of the job: this run's, and the row's own count when it is of
    today (`table`: the tab as read) — a re-run that sends nothing does not show 0 on a busy day."""
    outcome = outcome_of(report)
    earlier = _sent_today(table, outcome.job, outcome.at, language)
    rows = [health_row(outcome._replace(sent=outcome.sent + earlier), language, next_expected), *more]
    return TabWrite(HEALTH, HEALTH.column("job"), _what_changes(rows, table, outcome.at), language)


TIME_SHOWN = timedelta(hours=1)  # a row whose only news is a later time is written at most this often
TIMES = frozenset({"last_run", "next_run"})


def _what_changes(rows: Sequence[RowWrite], table: Table | None, now: datetime) -> list[RowWrite]:
    """Each row's cells that change (`table`: the tab as read). A row that would say only a later time,
    its time shown less than TIME_SHOWN ago, is not written: a run with nothing new writes nothing."""
    columns = locate_columns(HEALTH, table.header, require=False) if table is not None else {}
    if table is None or "job" not in columns:
        return list(rows)
    read = {cell_text(cells.get("job")): cells for cells in (row_cells(raw, columns) for raw in table.rows)}
    kept = []
    for row in rows:
        cells = read.get(row.row_id or "")
        if cells is None:
            kept.append(row)
            continue
        changed = {k: v for k, v in row.values.items() if k not in columns or not same_cell(cells.get(k), v)}
        shown = cell_moment(cells.get("last_run"))
        fresh = shown is not None and timedelta(0) <= now.replace(tzinfo=None) - shown < TIME_SHOWN
        if changed.keys() <= TIMES and (not changed or fresh):
            continue
        kept.append(RowWrite(row.row_number, row.row_id, changed, row.append, row.name))
    return kept


def _sent_today(table: Table | None, job: str, at: datetime, language: str) -> int:
    if table is None:
        return 0
    columns = locate_columns(HEALTH, table.header, require=False)
    if not {"job", "last_run", "sent"} <= columns.keys():
        return 0
    for raw in table.rows:
        cells = row_cells(raw, columns)
        if cell_text(cells["job"]) == job_title(job, language) and cell_day(cells["last_run"]) == at.date():
            sent = cells["sent"]
            return int(sent) if isinstance(sent, int | float) and not isinstance(sent, bool) else 0
    return 0


def job_title(job: str, language: str) -> str:
    return say(f"health_job_{job}", language)


def _row(job: str, language: str, values: Mapping[str, Any]) -> RowWrite:
    return RowWrite(0, job_title(job, language), {"job": job_title(job, language), **values}, append=True)


def _moment(moment: datetime | None, language: str) -> Figure | str:
    return moment_figure(moment) if moment else say("health_on_demand", language)


ESCALATION_LATE = timedelta(minutes=45)  # three runs missed in working time


class JobHealth(NamedTuple):
    """One line of `careloop status`: a job as its reports show it now."""

    job: str
    last_run: datetime | None
    result: str
    sent: int
    failed: int
    detail: str


def status(
    reports: Mapping[str, Sequence[Mapping[str, Any]]],
    now: datetime,
    calendar: BusinessCalendar,
    send_start: time,
    language: str,
) -> list[JobHealth]:
    """Each job's health from its newest reports (newest first) alone: the sheet may be what is
    broken. A job that never ran shows only when it is late."""
    found = []
    for job in JOBS:
        newest = [outcome_of(r) for r in reports.get(job, ())]
        last = newest[0] if newest else None
        completed = max((o.at for o in newest if not o.error), default=None)
        late = _late(job, completed, now, calendar, send_start, language)
        if late is not None:
            found.append(JobHealth(job, last.at if last else None, LATE, last.sent if last else 0,
                                   last.failed if last else 0, late))  # fmt: skip
        elif last is not None:
            found.append(JobHealth(job, last.at, last.result, last.sent, last.failed, detail(last, language)))
    return found


def _late(
    job: str, completed: datetime | None, now: datetime, calendar: BusinessCalendar, send_start: time, language: str
) -> str | None:
    if job == "followup":
        problem = followup_missing(completed, now, calendar, send_start, language)
        return problem.detail if problem else None
    if job == "escalate" and calendar.is_open(now):
        if completed is None or calendar.between(completed, now) > ESCALATION_LATE:
            last = completed.astimezone(calendar.zone).strftime(MOMENT) if completed else say("health_never", language)
            return say("health_escalation_late", language, last=last)
    return None
