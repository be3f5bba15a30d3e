"""Scheduled jobs over HTTP (Cloud Scheduler, or on demand): the report as JSON, or an error with
a status Cloud Scheduler understands — 500 when the job could not run, 503 when the store is
unreachable (nothing was sent) — and one structured log line either way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from functions import bootstrap
from functions.core.errors import JobCannotRun, SheetUnavailable, StoreUnavailable
from functions.core.sheet_schema import MissingColumnError
from functions.entrypoints.http.logs import log
from functions.settings import Settings, SettingsError, load_settings, warned

Deps = TypeVar("Deps", bound=bootstrap.JobDeps)
Response = tuple[dict[str, Any], int]


def followup_daily(request: Any) -> Response:
    """Daily: birthday wishes and one-week check-ins; `?dry_run=1` plans and sends nothing."""
    from functions.followup.job import run_followup  # here: each function's cold start imports its own job

    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "yes")
    return run_job(
        "followup",
        bootstrap.followup_deps,
        lambda deps, now: run_followup(deps, now, dry_run=dry_run).report,
        lambda report: {"skipped": [{k: s[k] for k in ("customer_id", "kind", "reason")} for s in report["skipped"]]},
        watched=not dry_run,  # a dry run only looks: it tells nobody, whatever happens
    )


def escalate_sync(request: Any) -> Response:
    """Every 15 minutes in working hours: cases, SLAs, escalation, the Dashboard."""
    from functions.escalate.job import run_escalate

    return run_job("escalate", bootstrap.escalate_deps, run_escalate)


def weekly_digest(request: Any) -> Response:
    """Every working hour of the week; the first call inside working hours sends last week's digest."""
    from functions.digest.job import run_digest

    return run_job("digest", bootstrap.digest_deps, run_digest)


def run_job(
    name: str,
    build: Callable[[Settings], Deps],
    run: Callable[[Deps, datetime], dict[str, Any]],
    summary: Callable[[dict[str, Any]], dict[str, Any]] = lambda report: {},
    watched: bool = True,
) -> Response:
    """The job, watched (functions.health.watch): a run that could not run is still recorded on the
    Health tab and alerted about, once a day, before the error is answered."""
    from functions.health.watch import run_watched

    try:
        settings = load_settings()
        now = bootstrap.local_now(settings)

        def job() -> dict[str, Any]:
            with bootstrap.channels_closed(build(settings)) as deps:
                return run(deps, now)

        report = run_watched(bootstrap.watch(settings, name, now), job, now, bootstrap.CANNOT_RUN) if watched else job()
    except StoreUnavailable as error:
        log("ERROR", f"{name}: store unavailable, nothing sent", error=str(error))
        return {"error": str(error)}, 503
    except (SettingsError, MissingColumnError, JobCannotRun, SheetUnavailable) as error:
        log("ERROR", f"{name}: could not run", error=str(error))
        return {"error": str(error)}, 500
    warned(report, settings)
    problems = report["summary"].get("failed") or report["summary"].get("unknown")
    log("WARNING" if problems else "INFO", f"{name} run", summary=report["summary"], **summary(report))
    alerts = report.get("alerts", {})
    if alerts.get("failed") or alerts.get("error"):  # SMTP down too: Cloud Monitoring tells someone instead
        log("ERROR", f"{name}: the manager could not be told", problems=alerts.get("problems", []),
            failed=alerts.get("failed", []), error=alerts.get("error", ""))  # fmt: skip
    return report, 200
