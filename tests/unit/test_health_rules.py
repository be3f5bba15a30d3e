"""The health rules (core/health.py): a run's outcome and problems, when a job is late, what
`careloop status` shows."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from functions.core.business_calendar import BusinessCalendar
from functions.core.health import (
    CANNOT_RUN,
    COULD_NOT_RUN,
    ERRORS,
    LATE,
    MESSAGES,
    OK,
    failed_report,
    followup_missing,
    next_digest,
    next_escalation,
    next_followup,
    outcome_of,
    problems,
    status,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
CALENDAR = BusinessCalendar()


def report(job="followup", at=WEDNESDAY, **summary):
    return {"job": job, "now": at.isoformat(), "summary": {"sent": 0, "failed": 0, "unknown": 0, **summary}}


def test_a_runs_result_and_its_problems():
    assert outcome_of(report(sent=3)).result == OK and problems(outcome_of(report(sent=3)), "vi") == []
    failing = outcome_of(report(sent=3, failed=1, unknown=1))
    assert failing.result == ERRORS and [p.kind for p in problems(failing, "vi")] == [MESSAGES]
    assert "whoever set careloop up" in problems(failing, "en")[0].detail
    broken = outcome_of(failed_report("followup", WEDNESDAY, "no Customers tab"))
    assert broken.result == COULD_NOT_RUN and problems(broken, "vi")[0][1:] == (CANNOT_RUN, "no Customers tab")
    refused = outcome_of({**report(), "provider_refused": {"zalo": "refresh token refused"}})
    assert [p.name for p in problems(refused, "vi")] == ["followup/provider-zalo"]
    escalation = outcome_of(
        {"job": "escalate", "now": WEDNESDAY.isoformat(), "summary": {"notified": 2, "surveyed": 1}}
    )
    assert escalation.sent == 3


def test_a_message_waiting_for_staff_to_retry_it_keeps_the_run_failing():
    waiting = {**report(), "skipped": [{"customer_id": "C-1", "kind": "birthday", "reason": "failed_before"}]}
    assert outcome_of(waiting).failed == 1 and outcome_of(waiting).result == ERRORS
    failing = {**report(failed=1, unknown=1), "failed": [{"customer_id": "C-2", "error": "SMTP 550"}],
               "unknown": [{"customer_id": "C-3"}]}  # fmt: skip
    (problem,) = problems(outcome_of(failing), "vi")
    assert problem.detail.endswith("(C-2, C-3)")  # the alert lists whose messages need staff


def test_a_run_that_could_not_write_the_sheet_is_a_problem_of_its_own():
    wrote_nothing = {**report(sent=2), "write_back": {"error": "HTTP 503"}}
    (problem,) = problems(outcome_of(wrote_nothing), "en")
    assert problem.name == "followup/write_back" and "HTTP 503" in problem.detail


def test_the_followup_run_is_late_after_sending_starts_plus_two_hours_on_a_working_day_only():
    yesterday = WEDNESDAY - timedelta(days=1)
    assert followup_missing(yesterday, WEDNESDAY.replace(hour=9, minute=59), CALENDAR, time(8), "vi") is None
    late = followup_missing(yesterday, WEDNESDAY.replace(hour=10), CALENDAR, time(8), "en")
    assert late is not None and late.name == "followup/did_not_run" and "24/11/2026 09:00" in late.detail
    assert followup_missing(WEDNESDAY, WEDNESDAY.replace(hour=15), CALENDAR, time(8), "vi") is None  # done today
    national_day = datetime(2026, 9, 2, 15, 0, tzinfo=VN)
    assert followup_missing(None, national_day, CALENDAR, time(8), "vi") is None
    sunday = datetime(2026, 11, 29, 15, 0, tzinfo=VN)
    assert followup_missing(None, sunday, CALENDAR, time(8), "vi") is None


def test_when_each_job_is_next_expected():
    assert next_followup(WEDNESDAY, time(8)) == datetime(2026, 11, 26, 8, 0, tzinfo=VN)  # the run, not its deadline
    new_year_eve = datetime(2026, 12, 31, 9, 0, tzinfo=VN)  # 1 January is a public holiday: the run after is on the 2nd
    assert next_followup(new_year_eve, time(8), CALENDAR) == datetime(2027, 1, 2, 8, 0, tzinfo=VN)
    assert next_escalation(WEDNESDAY, CALENDAR) == WEDNESDAY + timedelta(minutes=15)
    assert next_escalation(WEDNESDAY.replace(hour=19), CALENDAR) == datetime(2026, 11, 26, 8, 0, tzinfo=VN)
    assert next_digest(WEDNESDAY, CALENDAR) == datetime(2026, 11, 30, 9, 0, tzinfo=VN)


def test_status_from_the_reports_alone():
    now = WEDNESDAY.replace(hour=11)
    rows = status({"followup": [report(sent=2)], "escalate": [report("escalate", now - timedelta(hours=2))]},
                  now, CALENDAR, time(8), "vi")  # fmt: skip
    assert [(r.job, r.result) for r in rows] == [("followup", OK), ("escalate", LATE)]
    assert status({}, WEDNESDAY.replace(hour=7), CALENDAR, time(8), "vi") == []  # before anything is due


def test_a_run_with_nothing_new_writes_its_health_row_at_most_once_an_hour():
    """Issue 37 (4): what staff read on the Health tab is written when it changes; a later time alone
    at most once an hour (the run then makes no write at all)."""
    from functions.core.health import health_write
    from functions.core.sheet_schema import HEALTH
    from functions.core.tables import Table, plain_value

    def tab_after(write):
        header = [c.title_vi for c in HEALTH.columns]
        rows = [[plain_value(write.rows[0].values.get(c.key)) for c in HEALTH.columns]]
        return Table("Tình trạng", header, rows)

    first = health_write(report("escalate", sent=0), "vi", WEDNESDAY + timedelta(minutes=15))
    table = tab_after(first)
    quarter = report("escalate", WEDNESDAY + timedelta(minutes=15), sent=0)
    assert health_write(quarter, "vi", WEDNESDAY + timedelta(minutes=30), table=table).rows == []
    hour = report("escalate", WEDNESDAY + timedelta(minutes=61), sent=0)
    (row,) = health_write(hour, "vi", WEDNESDAY + timedelta(minutes=76), table=table).rows
    assert set(row.values) == {"last_run", "next_run"}  # only what changed
    failed = report("escalate", WEDNESDAY + timedelta(minutes=15), sent=0, failed=2)
    (row,) = health_write(failed, "vi", WEDNESDAY + timedelta(minutes=30), table=table).rows
    assert {"result", "failed", "detail"} <= set(row.values)  # news: written at once
