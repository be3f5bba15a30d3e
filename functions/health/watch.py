"""Every scheduled run, watched: after a run, its problems go to the manager (`alerts`); a run that
could not run still leaves its row on the Health tab (when the sheet can be written), its report in
the store (when the store answers) and one alert a day (through the ledger, or, with the store down,
unless the Health tab shows the same fault already reported today)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.core.health import CANNOT_RUN, Problem, failed_report, health_write, job_title
from functions.core.i18n import Bilingual, in_language
from functions.core.sheet_schema import HEALTH, locate_columns
from functions.core.tables import Table, cell_day
from functions.core.text import cell_text
from functions.health.alerts import AlertDeps, alert_context, manager_messages, raise_alerts
from functions.ports import Sheet


@dataclass
class Watch:
    job: str
    alerts: Callable[[], AlertDeps]  # made when needed: opening the store may be what fails
    sheet: Callable[[], Sheet]
    staff_language: str
    next_expected: datetime | None


def run_watched(
    watch: Watch, run: Callable[[], dict[str, Any]], now: datetime, cannot_run: tuple[type[Exception], ...]
) -> dict[str, Any]:
    """The run's report, with what it alerted about; a run that raises one of `cannot_run` is
    recorded and alerted about, then the error goes on to the caller."""
    try:
        report = run()
    except cannot_run as error:  # said in staff's language alone: the alert and the Health tab are theirs
        said = error.args[0] if error.args and isinstance(error.args[0], Bilingual) else str(error)
        record_failure(watch, in_language(said, watch.staff_language), now)
        raise
    if not report.get("dry_run"):
        try:
            report["alerts"] = raise_alerts(watch.alerts(), report, now)
        except Exception as error:  # the run itself went well: its report stands, with why no alert went
            report["alerts"] = {"error": f"{type(error).__name__}: {error}"}
    return report


def record_failure(watch: Watch, error: str, now: datetime) -> dict[str, Any]:
    report = failed_report(watch.job, now, error)
    sheet, health = _health_tab(watch)  # read before this run's row replaces what it says
    deps: AlertDeps | None = None
    try:
        deps = watch.alerts()
        deps.records.job_state.save_report(report)
        report["alerts"] = raise_alerts(deps, report, now)
    except Exception as store_error:  # the store (or its settings) is what failed: alert straight, once a day
        report["alerts"] = {"error": f"{type(store_error).__name__}: {store_error}"}
        if deps is not None and not _reported_today(watch, health, error, now):
            report["alerts"]["sent_without_store"] = _alert_without_store(deps, watch.job, error, now)
    if sheet is not None and health is not None:
        try:
            sheet.write([health_write(report, watch.staff_language, watch.next_expected, table=health)])
        except Exception as write_error:  # the sheet may be the very thing that is broken: the alert says so
            report["health_row"] = f"{type(write_error).__name__}: {write_error}"
    return report


def _health_tab(watch: Watch) -> tuple[Sheet | None, Table | None]:
    """The sheet, and its Health tab as it is now (None for either that cannot be had)."""
    try:
        sheet = watch.sheet()
        return sheet, sheet.read([HEALTH]).get(HEALTH.key)
    except Exception:
        return None, None


def _reported_today(watch: Watch, health: Table | None, error: str, now: datetime) -> bool:
    """Whether the Health tab shows this job failing with this very error already today."""
    if health is None:
        return False
    columns = locate_columns(HEALTH, health.header, require=False)
    if not {"job", "last_run", "detail"} <= columns.keys():
        return False
    for row in health.rows:
        cells = {key: row[i] if i < len(row) else None for key, i in columns.items()}
        if cell_text(cells["job"]) == job_title(watch.job, watch.staff_language):
            return cell_text(cells["detail"]) == error and cell_day(cells["last_run"]) == now.date()
    return False


def _alert_without_store(deps: AlertDeps, job: str, error: str, now: datetime) -> list[str]:
    """The alert, sent straight through the email channel: with the store down there is no ledger."""
    problem = Problem(job, CANNOT_RUN, error)
    try:
        messages = manager_messages(deps, problem.alert_key(now.date()), "alert",
                                    alert_context(problem, deps.staff_language), now)  # fmt: skip
    except Exception:
        return []
    sent = []
    for message in messages:
        try:
            deps.channels["email"].deliver(message)
        except Exception:
            continue
        sent.append(message.key)
    return sent
