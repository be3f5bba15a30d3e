"""The escalation run is careloop's heartbeat (every 15 minutes of working time), so it keeps the
Health tab for the jobs that do not write the sheet themselves (the weekly digest, the send queue,
from their last reports) and notices the follow-up run that did not run: not completed by the start
of sending + 2 hours on a working day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from functions.core.health import (
    Problem,
    followup_due,
    followup_missing,
    health_row,
    late_row,
    next_digest,
    next_escalation,
    outcome_of,
)
from functions.core.sheet_schema import HEALTH
from functions.core.tables import TabWrite
from functions.escalate.deps import EscalationDeps

FOLLOWUP_SEEN = "followup_seen"  # the escalation state's note of the day a follow-up run was seen done
RECENT_REPORTS = 5  # a job's newest reports read to find its last completed run


def followup_late(
    deps: EscalationDeps, state: Mapping[str, Any], now: datetime
) -> tuple[list[Problem], dict[str, Any]]:
    """The follow-up run's "did not run" problem (or none), and what to keep in the escalation state.
    Its reports are read only once the day's run is due, and no more that day once one is seen."""
    local = now.astimezone(deps.calendar.zone)
    due = followup_due(local.date(), deps.calendar, deps.send_start)
    if due is None or local < due or state.get(FOLLOWUP_SEEN) == local.date().isoformat():
        return [], {}
    completed = [r for r in deps.records.job_state.reports("followup", RECENT_REPORTS) if not r.get("error")]
    last = max((datetime.fromisoformat(r["now"]) for r in completed), default=None)
    problem = followup_missing(last, now, deps.calendar, deps.send_start, deps.staff_language)
    return ([problem], {}) if problem else ([], {FOLLOWUP_SEEN: local.date().isoformat()})


def health_tab(deps: EscalationDeps, report: Mapping[str, Any], now: datetime, late: list[Problem]) -> TabWrite:
    """This run's row, the digest's and the send queue's from their last reports, and the late jobs'."""
    language = deps.staff_language
    rows = [health_row(outcome_of(report), language, next_escalation(now, deps.calendar))]
    for job, expected in (("digest", next_digest(now, deps.calendar)), ("send_batch", None)):
        for last in deps.records.job_state.reports(job, 1):
            rows.append(health_row(outcome_of(last), language, expected))
    rows += [late_row(p, language) for p in late]
    return TabWrite(HEALTH, HEALTH.column("job"), rows, language)
