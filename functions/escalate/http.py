"""HTTP entry for the escalation job (Cloud Scheduler every 15 minutes in working hours)."""
from __future__ import annotations

from typing import Any

from .. import bootstrap
from ..http_jobs import run_job
from .job import run_escalate


def escalate_sync(request) -> tuple[dict[str, Any], int]:
    return run_job("escalate", bootstrap.escalate_deps,
                   lambda deps, settings: run_escalate(deps, bootstrap.local_now(settings)))
