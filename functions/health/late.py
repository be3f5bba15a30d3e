"""The follow-up run that did not happen, as the runs that come after it notice (the escalation run
every 15 minutes, the digest every working hour): not completed by the start of sending + 2 hours on
a working day. Its reports are read only once the day's run is due."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from functions.core.business_calendar import BusinessCalendar
from functions.core.health import Problem, followup_due, followup_missing
from functions.ports import JobState

FOLLOWUP_SEEN = "followup_seen"  # a job state's note of the day a completed follow-up run was seen
RECENT_REPORTS = 5  # the follow-up run's newest reports read to find its last completed run


def followup_late(
    job_state: JobState,
    seen: Mapping[str, Any],
    now: datetime,
    calendar: BusinessCalendar,
    send_start: time,
    language: str,
) -> tuple[list[Problem], dict[str, Any]]:
    """The follow-up run's "did not run" problem (or none), and what the caller may keep in its state
    (`seen`) so it reads no more reports that day once a completed run was found."""
    local = now.astimezone(calendar.zone)
    due = followup_due(local.date(), calendar, send_start)
    if due is None or local < due or seen.get(FOLLOWUP_SEEN) == local.date().isoformat():
        return [], {}
    completed = [r for r in job_state.reports("followup", RECENT_REPORTS) if not r.get("error")]
    last = max((datetime.fromisoformat(r["now"]) for r in completed), default=None)
    problem = followup_missing(last, now, calendar, send_start, language)
    return ([problem], {}) if problem else ([], {FOLLOWUP_SEEN: local.date().isoformat()})
