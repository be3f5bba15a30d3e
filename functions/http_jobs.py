"""Running a scheduled job for an HTTP request (Cloud Scheduler): the report as JSON, or an error
with a status Cloud Scheduler understands — 500 when the job could not run, 503 when the store
is unreachable (nothing was sent) — and one structured log line either way."""
from __future__ import annotations

from typing import Any, Callable

from .bootstrap import channels_closed
from .columns import MissingColumnError
from .logs import log
from .ports import JobCannotRun, SheetUnavailable, StoreUnavailable
from .settings import Settings, SettingsError, load_settings


def run_job(name: str, build: Callable[[Settings], Any], run: Callable[[Any, Settings], dict[str, Any]],
            summary: Callable[[dict[str, Any]], dict[str, Any]] = lambda report: {}) -> tuple[dict[str, Any], int]:
    try:
        settings = load_settings()
        with channels_closed(build(settings)) as deps:
            report = run(deps, settings)
    except StoreUnavailable as error:
        log("ERROR", f"{name}: store unavailable, nothing sent", error=str(error))
        return {"error": str(error)}, 503
    except (SettingsError, MissingColumnError, JobCannotRun, SheetUnavailable) as error:
        log("ERROR", f"{name}: could not run", error=str(error))
        return {"error": str(error)}, 500
    problems = report["summary"].get("failed") or report["summary"].get("unknown")
    log("WARNING" if problems else "INFO", f"{name} run", summary=report["summary"], **summary(report))
    return report, 200
