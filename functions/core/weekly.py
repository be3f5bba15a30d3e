"""A week's care figures and how they moved (pure): the weekly digest's numbers, and the
Dashboard's twelve-week series its charts draw.

Weeks are ISO weeks in the business time zone, Monday 00:00 to the next Monday. Every figure is
computed from what the week held: messages the ledger confirmed, survey answers, cases opened
and resolved, vouchers issued and used, replies heard (refusals and bounces among them).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from functions.core.business_calendar import BusinessCalendar
from functions.core.care_plan import care_plan_kind
from functions.core.cases import RESOLVED, CaseRecord
from functions.core.ledger import LedgerEntry
from functions.core.refusals import REFUSAL
from functions.core.replies import BOUNCE, CUSTOMER_REPLIES, HeardReply
from functions.core.surveys import Survey
from functions.core.vouchers import Voucher


class Week(NamedTuple):
    start: datetime  # Monday 00:00, business time zone
    end: datetime  # the next Monday 00:00

    @property
    def label(self) -> str:
        year, number, _ = self.start.isocalendar()
        return f"{year}-W{number:02d}"

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def holds_day(self, day: date | None) -> bool:
        return day is not None and self.start.date() <= day < self.end.date()


def week_of(moment: datetime, calendar: BusinessCalendar) -> Week:
    local = moment.astimezone(calendar.zone)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), calendar.zone)
    return Week(monday, monday + timedelta(days=7))


def previous(week: Week) -> Week:
    return Week(week.start - timedelta(days=7), week.start)


class History(NamedTuple):
    """What the weeks are counted from: messages confirmed, surveys, cases, vouchers, replies heard."""

    sent: Sequence[LedgerEntry]
    surveys: Sequence[Survey]
    cases: Sequence[CaseRecord]
    vouchers: Sequence[Voucher]
    replies: Sequence[HeardReply] = ()


CASE_KINDS = ("case_opened", "case_escalated", "case_reminder", "case_digest", "case_survey")
KIND_GROUPS = {"birthday": ("birthday",), "checkin": ("checkin",), "case": CASE_KINDS}
# What customers sent back, counted: every reply a customer wrote, the refusals among them, bounces.
REPLY_GROUPS = {"replies": CUSTOMER_REPLIES, "refusals": (REFUSAL,), "bounces": (BOUNCE,)}


class Tally(NamedTuple):
    """A week's counts: messages confirmed (all, by channel, by kind group), vouchers issued and used.
    The store counts them (Firestore's count(): a read per 1,000 entries) or `tally_of` from entries."""

    messages: int
    by_channel: Mapping[str, int]
    by_kind: Mapping[str, int]  # KIND_GROUPS' names
    vouchers_issued: int
    vouchers_used: int
    by_reply: Mapping[str, int]  # REPLY_GROUPS' names


def tally_of(week: Week, history: History) -> Tally:
    """The week's counts from the entries themselves; by channel, every channel that carried one."""
    sent = [e for e in history.sent if week.holds_day(e.business_day)]
    heard = [r for r in history.replies if week.holds_day(r.day)]
    return Tally(
        len(sent),
        dict(Counter(e.channel for e in sent)),
        {g: sum(1 for e in sent if e.kind in kinds) for g, kinds in KIND_GROUPS.items()},
        sum(1 for v in history.vouchers if week.holds_day(v.issued)),
        sum(1 for v in history.vouchers if week.holds_day(v.used_on)),
        {g: sum(1 for r in heard if r.kind in kinds) for g, kinds in REPLY_GROUPS.items()},
    )


class WeekFigures(NamedTuple):
    week: Week
    messages_sent: int
    answers: int  # survey answers given in the week (each survey's latest answer, counted once)
    mean_score: float | None  # 1–5
    satisfied: float | None  # share of answers scoring 4–5 (CSAT)
    nps: float | None  # promoters minus detractors, in points, when asked
    cases_opened: int
    cases_resolved: int
    escalated: int  # cases opened in the week that left tier 1
    first_response_hours: float | None  # median, working hours, cases first answered in the week
    vouchers_issued: int
    vouchers_used: int
    replies: int  # replies customers wrote (email or Zalo), refusals among them
    refusals: int  # "HỦY" and the like, by reply
    bounces: int  # emails returned undelivered


def week_figures(week: Week, history: History, calendar: BusinessCalendar, tally: Tally | None = None) -> WeekFigures:
    """`tally` when the store counted the week's messages and vouchers (else they come from `history`)."""
    counts = tally or tally_of(week, history)
    surveys, cases = history.surveys, history.cases
    answers = [s.latest for s in surveys if s.latest is not None and week.holds(s.latest.at)]
    scores = [a.score for a in answers]
    nps = [a.nps for a in answers if a.nps is not None]
    opened = [c for c in cases if week.holds(c.created_at)]
    answered = [c for c in cases if week.holds(c.first_responded_at)]
    return WeekFigures(
        week,
        counts.messages,
        len(answers),
        round(statistics.fmean(scores), 2) if scores else None,
        sum(1 for s in scores if s >= 4) / len(scores) if scores else None,
        round(100 * (sum(1 for n in nps if n >= 9) - sum(1 for n in nps if n <= 6)) / len(nps)) if nps else None,
        len(opened),
        sum(1 for c in cases if c.status == RESOLVED and week.holds(c.resolved_at)),
        sum(1 for c in opened if c.tier > c.initial_tier),
        _median_hours([calendar.between(c.created_at, c.first_responded_at) for c in answered if c.first_responded_at]),
        counts.vouchers_issued,
        counts.vouchers_used,
        *(counts.by_reply.get(group, 0) for group in REPLY_GROUPS),
    )


def occasion_counts(week: Week, sent: Sequence[LedgerEntry]) -> dict[str, int]:
    """The care plan's occasions (by kind) → messages confirmed in the week."""
    return dict(Counter(e.kind for e in sent if week.holds_day(e.business_day)
                        and care_plan_kind(e.kind)))  # fmt: skip


def overdue(cases: Sequence[CaseRecord], now: datetime) -> list[CaseRecord]:
    """Open cases past a deadline: no first answer by its due time, or unresolved past its own."""
    late = [
        c
        for c in cases
        if c.status != RESOLVED
        and ((c.first_responded_at is None and c.first_response_due < now) or c.resolve_due < now)
    ]
    return sorted(late, key=lambda c: (c.resolve_due, c.case_id))


def lowest_comments(surveys: Sequence[Survey], week: Week, limit: int = 5) -> list[tuple[int, str, str]]:
    """(score, comment, customer ID) of the week's lowest answers that carry a comment."""
    found = [(s.latest.score, s.latest.comment, s.customer_id) for s in surveys
             if s.latest and s.latest.comment and week.holds(s.latest.at)]  # fmt: skip
    return sorted(found)[:limit]


def trend(now: float | int | None, before: float | int | None) -> str:
    """▲ up, ▼ down, = the same, – when either week has no figure."""
    if now is None or before is None:
        return "–"
    return "▲" if now > before else "▼" if now < before else "="


SERIES_WEEKS = 12
HISTORY_DAYS = 60  # surveys and vouchers made this long before a week can be answered or used in it
TIERS = (1, 2, 3)


def last_weeks(now: datetime, calendar: BusinessCalendar, count: int = SERIES_WEEKS) -> list[Week]:
    """The `count` weeks up to and including this one, oldest first."""
    week = week_of(now, calendar)
    weeks = [week]
    for _ in range(count - 1):
        weeks.append(previous(weeks[-1]))
    return weeks[::-1]


def week_title(week: Week, language: str, current: bool) -> str:
    """A week as staff name it on the Dashboard: "tuần 23/11" (its Monday), marked while unfinished —
    its figures so far, not a fall to zero."""
    from functions.core.i18n import say

    title = say("week_title", language, day=f"{week.start:%d/%m}")
    return f"{title} {say('week_so_far', language)}" if current else title


def _median_hours(spans: list[timedelta]) -> float | None:
    return round(statistics.median(s.total_seconds() / 3600 for s in spans), 1) if spans else None


def dashboard_row(
    week: Week, history: History, calendar: BusinessCalendar, now: datetime, tally: Tally | None = None
) -> dict[str, object]:
    """One week of the Dashboard's series, by the Dashboard's column keys (numbers, or None: no data).

    Cases count by the tier they opened at. A case meets its first-response SLA when its first
    answer came by its due time; one still unanswered counts once its due time has passed."""
    counts = tally or tally_of(week, history)
    figures = week_figures(week, history, calendar, counts)
    cases = history.cases
    opened = [c for c in cases if week.holds(c.created_at)]
    row: dict[str, object] = {
        "week": week.label,
        "messages": figures.messages_sent,
        **{f"messages_{c}": n for c, n in counts.by_channel.items()},
        **{f"messages_{k}": counts.by_kind.get(k, 0) for k in KIND_GROUPS},
        "answers": figures.answers,
        "score_mean": figures.mean_score,
        "satisfied": round(figures.satisfied * 100) if figures.satisfied is not None else None,
        "nps": figures.nps,
        "resolved": figures.cases_resolved,
        "escalation_rate": round(100 * figures.escalated / len(opened)) if opened else None,
        "vouchers_issued": figures.vouchers_issued,
        "vouchers_used": figures.vouchers_used,
        **{group: counts.by_reply.get(group, 0) for group in REPLY_GROUPS},
    }
    for tier in TIERS:
        at_tier = [c for c in opened if c.initial_tier == tier]
        judged = [c for c in at_tier if c.first_responded_at is not None or c.first_response_due <= now]
        met = [c for c in judged if c.first_responded_at is not None and c.first_responded_at <= c.first_response_due]
        answered = [c for c in cases if c.initial_tier == tier and week.holds(c.first_responded_at)]
        resolved = [c for c in cases if c.initial_tier == tier and week.holds(c.resolved_at)]
        row[f"opened_t{tier}"] = len(at_tier)
        row[f"resolved_t{tier}"] = len(resolved)
        row[f"sla_t{tier}"] = round(100 * len(met) / len(judged)) if judged else None
        row[f"frt_t{tier}"] = _median_hours([calendar.between(c.created_at, c.first_responded_at)
                                             for c in answered if c.first_responded_at])  # fmt: skip
        row[f"atht_t{tier}"] = _median_hours([calendar.between(c.created_at, c.resolved_at)
                                              for c in resolved if c.resolved_at])  # fmt: skip
    return row
