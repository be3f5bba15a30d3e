from datetime import datetime, timedelta

import pytest

from functions.core.business_calendar import BusinessCalendar
from functions.core.cases import IN_PROGRESS, OPEN, RESOLVED, CaseRecord
from functions.escalate.metrics import care_metrics, dashboard_rows
from tests.helpers import VN
from tests.helpers.words import piece

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=VN)
CALENDAR = BusinessCalendar()


def case(n, tier=1, initial=1, status=OPEN, created=MONDAY_9, responded=None, resolved=None):
    return CaseRecord(
        f"HS-{n}",
        f"k{n}",
        f"C-{n}",
        "Khách",
        "Phí",
        "x",
        tier,
        initial,
        "",
        "",
        status,
        created,
        created + timedelta(hours=4),
        created + timedelta(days=1),
        responded,
        resolved,
    )


def test_frt_atht_per_tier_in_business_and_wall_hours():
    cases = [
        case(1, responded=MONDAY_9 + timedelta(hours=1), resolved=MONDAY_9 + timedelta(hours=5), status=RESOLVED),
        case(2, responded=MONDAY_9 + timedelta(hours=3), status=IN_PROGRESS),
        # opened Monday 16:00, answered Wednesday 09:00: Tuesday 24/11 is a public holiday
        case(3, created=MONDAY_9 + timedelta(hours=7), responded=MONDAY_9 + timedelta(days=2)),
        case(4, tier=3, initial=1),
        case(5, tier=3, initial=3, responded=MONDAY_9 + timedelta(minutes=30)),
    ]
    m = care_metrics(cases, CALENDAR, MONDAY_9 - timedelta(days=30), MONDAY_9 + timedelta(days=3))
    assert m.cases == 5 and m.by_status == {OPEN: 3, IN_PROGRESS: 1, RESOLVED: 1}
    assert m.escalation_rate == pytest.approx(1 / 5)  # one case left tier 1
    frt1 = m.frt_business[1]
    assert (frt1.count, frt1.median_hours) == (3, 2.5)  # 1 h, 3 h, and 2.5 h (Mon 16:00→17:30, Wed 08:00→09:00)
    assert frt1.mean_hours == pytest.approx((1 + 3 + 2.5) / 3, abs=0.01)
    assert m.frt_wall[1].mean_hours == pytest.approx((1 + 3 + 41) / 3, abs=0.01)
    assert m.atht_business[1].count == 1 and m.atht_business[1].mean_hours == 3.5  # 09:00→14:00 less lunch
    assert m.frt_business[3].count == 1 and m.frt_business[2].count == 0


def test_the_period_selects_cases_by_opening_time():
    cases = [case(1, created=MONDAY_9 - timedelta(days=40)), case(2)]
    m = care_metrics(cases, CALENDAR, MONDAY_9 - timedelta(days=30), MONDAY_9 + timedelta(days=1))
    assert m.cases == 1


def test_no_cases_no_rates():
    m = care_metrics([], CALENDAR, MONDAY_9, MONDAY_9 + timedelta(days=1))
    assert m.escalation_rate is None and m.frt_business[1].mean_hours is None
    rows = dict(dashboard_rows(m, "30 ngày qua", "vi"))
    assert (
        rows[piece("metric_escalation_rate", 0)] == "–" and rows[piece("metric_cases", 0)] == 0
    )  # a number: the sheet sums it
    assert dict(dashboard_rows(m, "last 30 days", "en"))["Escalation rate"] == "–"
