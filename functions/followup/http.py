"""HTTP entry for the follow-up job (Cloud Scheduler, or on demand): the run report as JSON.

Status: 200 when the run completed (row problems included), 500 when it could not run (bad
settings, a missing column or tab), 503 when the store is unreachable (nothing was sent).
"""
from __future__ import annotations

from typing import Any

from .. import bootstrap
from ..columns import MissingColumnError
from ..logs import log
from ..ports import SheetUnavailable, StoreUnavailable
from ..settings import SettingsError, load_settings
from .job import JobError, run_followup


def followup_daily(request) -> tuple[dict[str, Any], int]:
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "yes")
    try:
        settings = load_settings()
        deps = bootstrap.followup_deps(settings)
        try:
            report = run_followup(deps, bootstrap.local_now(settings), dry_run=dry_run).report
        finally:
            for channel in set(deps.channels.values()):
                channel.close()
    except StoreUnavailable as error:
        log("ERROR", "followup: store unavailable, nothing sent", error=str(error))
        return {"error": str(error)}, 503
    except (SettingsError, MissingColumnError, JobError, SheetUnavailable) as error:
        log("ERROR", "followup: could not run", error=str(error))
        return {"error": str(error)}, 500
    log("WARNING" if report["summary"]["failed"] or report["summary"]["unknown"] else "INFO",
        "followup run", summary=report["summary"], skipped=[{k: s[k] for k in ("customer_id", "kind", "reason")} for s in report["skipped"]])
    return report, 200
