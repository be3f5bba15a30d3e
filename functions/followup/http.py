"""HTTP entry for the follow-up job (Cloud Scheduler daily, or on demand): the run report as JSON."""
from __future__ import annotations

from typing import Any

from .. import bootstrap
from ..http_jobs import run_job
from .job import run_followup


def followup_daily(request) -> tuple[dict[str, Any], int]:
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "yes")
    return run_job("followup", bootstrap.followup_deps,
                   lambda deps, settings: run_followup(deps, bootstrap.local_now(settings), dry_run=dry_run).report,
                   lambda report: {"skipped": [{k: s[k] for k in ("customer_id", "kind", "reason")} for s in report["skipped"]]})
