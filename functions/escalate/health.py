"""The escalation run is careloop's heartbeat (every 15 minutes of working time), so it keeps the
Health tab for the jobs that do not write the sheet themselves (the weekly digest, the send queue,
from their last reports), and the row of a follow-up run that did not run (functions.health.late)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from functions.core.health import (
    Problem,
    health_row,
    health_write,
    late_row,
    next_digest,
    next_escalation,
    outcome_of,
)
from functions.core.tables import Table, TabWrite
from functions.escalate.deps import EscalationDeps


def health_tab(deps: EscalationDeps, report: Mapping[str, Any], now: datetime, late: list[Problem],
               table: Table | None = None) -> TabWrite:  # fmt: skip
    """This run's row, the digest's and the send queue's from their last reports, and the late jobs'."""
    language = deps.staff_language
    others = [health_row(outcome_of(last), language, expected)
              for job, expected in (("digest", next_digest(now, deps.calendar)), ("send_batch", None))
              for last in deps.records.job_state.reports(job, 1)]  # fmt: skip
    others += [late_row(problem, language) for problem in late]
    return health_write(report, language, next_escalation(now, deps.calendar), others, table)
