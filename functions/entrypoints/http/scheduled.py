"""Scheduled jobs over HTTP (Cloud Scheduler, or on demand): the report as JSON, or an error with
a status Cloud Scheduler understands — 500 when the job could not run, 503 when the store is
unreachable (nothing was sent) — and one structured log line either way."""

from __future__ import annotations

from collections.abc import Callable
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
        lambda deps, settings: run_followup(deps, bootstrap.local_now(settings), dry_run=dry_run).report,
        lambda report: {"skipped": [{k: s[k] for k in ("customer_id", "kind", "reason")} for s in report["skipped"]]},
    )


def escalate_sync(request: Any) -> Response:
    """Every 15 minutes in working hours: cases, SLAs, escalation, the Dashboard."""
    from functions.escalate.job import run_escalate

    return run_job(
        "escalate", bootstrap.escalate_deps, lambda deps, settings: run_escalate(deps, bootstrap.local_now(settings))
    )


def weekly_digest(request: Any) -> Response:
    """Every working hour of the week; the first call inside working hours sends last week's digest."""
    from functions.digest.job import run_digest

    return run_job(
        "digest", bootstrap.digest_deps, lambda deps, settings: run_digest(deps, bootstrap.local_now(settings))
    )


def run_job(
    name: str,
    build: Callable[[Settings], Deps],
    run: Callable[[Deps, Settings], dict[str, Any]],
    summary: Callable[[dict[str, Any]], dict[str, Any]] = lambda report: {},
) -> Response:
    try:
        settings = load_settings()
        with bootstrap.channels_closed(build(settings)) as deps:
            report = run(deps, settings)
    except StoreUnavailable as error:
        log("ERROR", f"{name}: store unavailable, nothing sent", error=str(error))
        return {"error": str(error)}, 503
    except (SettingsError, MissingColumnError, JobCannotRun, SheetUnavailable) as error:
        log("ERROR", f"{name}: could not run", error=str(error))
        return {"error": str(error)}, 500
    warned(report, settings)
    problems = report["summary"].get("failed") or report["summary"].get("unknown")
    log("WARNING" if problems else "INFO", f"{name} run", summary=report["summary"], **summary(report))
    return report, 200
