"""Care metrics over cases (pure): first response time (FRT) and average handling time (ATHT)
per tier, in business and wall hours, mean and median; the escalation rate; counts by status."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.core.business_calendar import BusinessCalendar
from functions.core.cases import IN_PROGRESS, OPEN, RESOLVED, CaseRecord
from functions.core.i18n import say
from functions.core.surveys import Survey
from functions.core.tables import HOURS, PERCENT, SIGNED, Figure
from functions.core.vouchers import VoucherFigures


@dataclass(frozen=True)
class Durations:
    count: int
    mean_hours: float | None
    median_hours: float | None


@dataclass(frozen=True)
class CareMetrics:
    cases: int
    by_status: dict[str, int]
    escalation_rate: float | None  # cases that left tier 1 / all cases
    frt_business: dict[int, Durations]  # tier → first response time in working hours
    frt_wall: dict[int, Durations]
    atht_business: dict[int, Durations]  # tier → handling time (opened → resolved) in working hours
    atht_wall: dict[int, Durations]


def _durations(spans: list[timedelta]) -> Durations:
    hours = [s.total_seconds() / 3600 for s in spans]
    if not hours:
        return Durations(0, None, None)
    return Durations(len(hours), round(statistics.fmean(hours), 2), round(statistics.median(hours), 2))


def care_metrics(
    cases: Sequence[CaseRecord], calendar: BusinessCalendar, start: datetime, end: datetime
) -> CareMetrics:
    """Over the cases opened in [start, end)."""
    period = [c for c in cases if start <= c.created_at < end]
    tiers = sorted({c.tier for c in period} | {1, 2, 3})

    def spans(tier: int, until: str, business: bool) -> Durations:
        chosen = [c for c in period if c.tier == tier and getattr(c, until) is not None]
        measure = calendar.between if business else (lambda a, b: b - a)
        return _durations([measure(c.created_at, getattr(c, until)) for c in chosen])

    started_at_1 = [c for c in period if c.initial_tier == 1]
    return CareMetrics(
        cases=len(period),
        by_status={s: sum(1 for c in period if c.status == s) for s in (OPEN, IN_PROGRESS, RESOLVED)},
        escalation_rate=(sum(1 for c in started_at_1 if c.tier > 1) / len(period)) if period else None,
        frt_business={t: spans(t, "first_responded_at", True) for t in tiers},
        frt_wall={t: spans(t, "first_responded_at", False) for t in tiers},
        atht_business={t: spans(t, "resolved_at", True) for t in tiers},
        atht_wall={t: spans(t, "resolved_at", False) for t in tiers},
    )


NO_DATA = "–"
Value = int | Figure | str  # a count, a number in its format, or NO_DATA


def share(value: float | None) -> Value:
    """A share as the sheet shows it: 0.25 as 25%, a number SUM and charts can use."""
    return NO_DATA if value is None else Figure(round(value, 4), PERCENT)


def dashboard_rows(metrics: CareMetrics, period: str, language: str) -> list[tuple[str, Value]]:
    """(metric, value) pairs for the Dashboard tab, in the staff's language: numbers, never text."""

    def hours(d: Durations) -> Value:
        return Figure(round(d.median_hours, 2), HOURS) if d.count and d.median_hours is not None else NO_DATA

    rows: list[tuple[str, Value]] = [
        (say("metric_cases", language), metrics.cases),
        (say("metric_open", language), metrics.by_status[OPEN]),
        (say("metric_in_progress", language), metrics.by_status[IN_PROGRESS]),
        (say("metric_resolved", language), metrics.by_status[RESOLVED]),
        (say("metric_escalation_rate", language), share(metrics.escalation_rate)),
    ]
    for tier in (1, 2, 3):
        for name, durations in (
            ("metric_frt_business", metrics.frt_business),
            ("metric_atht_business", metrics.atht_business),
            ("metric_frt_wall", metrics.frt_wall),
            ("metric_atht_wall", metrics.atht_wall),
        ):
            rows.append((say(name, language, tier=tier), hours(durations[tier])))
    return rows


@dataclass(frozen=True)
class SurveyMetrics:
    sent: int
    answered: int
    response_rate: float | None
    csat: float | None  # share of latest answers scoring 4–5
    nps: float | None  # promoters (9–10) minus detractors (0–6), in points, when asked


def survey_metrics(sent: int, answered: Sequence[Survey], start: datetime, end: datetime) -> SurveyMetrics:
    """`sent` surveys made in [start, end); the answers given in it (each survey's latest, counted once)."""
    latest = [a for s in answered if (a := s.latest) is not None and start <= a.at < end]
    scored = [a.nps for a in latest if a.nps is not None]
    return SurveyMetrics(
        sent=sent,
        answered=len(latest),
        response_rate=min(len(latest) / sent, 1.0) if sent else None,
        csat=sum(1 for a in latest if a.score >= 4) / len(latest) if latest else None,
        nps=(100 * (sum(1 for n in scored if n >= 9) - sum(1 for n in scored if n <= 6)) / len(scored))
        if scored
        else None,
    )


def survey_rows(metrics: SurveyMetrics, language: str) -> list[tuple[str, Value]]:
    return [
        (say("metric_surveys_sent", language), metrics.sent),
        (say("metric_response_rate", language), share(metrics.response_rate)),
        (say("metric_csat", language), share(metrics.csat)),
        ("NPS", NO_DATA if metrics.nps is None else Figure(round(metrics.nps), SIGNED)),
    ]


def voucher_rows(figures: VoucherFigures, language: str) -> list[tuple[str, Value]]:
    """Birthday vouchers issued in the period, used, and the redemption rate."""
    return [
        (say("metric_vouchers_issued", language), figures.issued),
        (say("metric_vouchers_used", language), figures.used),
        (say("metric_voucher_rate", language), share(figures.rate)),
    ]
