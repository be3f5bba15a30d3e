"""The DeliveryReports port's contract, on every adapter."""

from __future__ import annotations

from datetime import timedelta

from functions.core.ledger import DELIVERED, UNDELIVERED, DeliveryReport
from tests.helpers import NINE_AM


def test_undelivered_reports_are_kept_until_delivered_replaces_them(store):
    def report(key, status, minutes):
        return DeliveryReport(
            key, "C-1", "sms", status, "30003 Unreachable handset", NINE_AM + timedelta(minutes=minutes)
        )

    store.delivery_reports.record_delivery(report("checkin/C-1/2026-11-16", UNDELIVERED, 5))
    store.delivery_reports.record_delivery(report("birthday/C-2/2026", UNDELIVERED, 1))
    store.delivery_reports.record_delivery(report("birthday/C-3/2026", DELIVERED, 2))
    store.delivery_reports.record_delivery(report("birthday/C-4/2026", UNDELIVERED, -60 * 24 * 10))  # long ago
    found = store.delivery_reports.undelivered(NINE_AM - timedelta(days=1))
    assert [r.key for r in found] == ["birthday/C-2/2026", "checkin/C-1/2026-11-16"]
    assert found[0] == report("birthday/C-2/2026", UNDELIVERED, 1)
    store.delivery_reports.record_delivery(report("birthday/C-2/2026", DELIVERED, 7))  # a late "delivered" wins
    assert [r.key for r in store.delivery_reports.undelivered(NINE_AM - timedelta(days=1))] == [
        "checkin/C-1/2026-11-16"
    ]
