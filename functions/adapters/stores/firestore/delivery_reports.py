"""Delivery reports in Firestore: only the undelivered are kept, in a collection of their own, so the
next run's query reads just those of its window, never every message's report."""

from __future__ import annotations

from datetime import datetime

from functions.adapters.stores.firestore.database import (
    FieldFilter,
    FirestorePort,
    unavailable_on_error,
    without_expiry,
)
from functions.adapters.stores.firestore.documents import UNDELIVERED_REPORTS, document_id
from functions.core.ledger import UNDELIVERED, DeliveryReport


class FirestoreDeliveryReports(FirestorePort):
    @unavailable_on_error
    def record_delivery(self, report: DeliveryReport) -> None:
        reference = self.db.client.collection(UNDELIVERED_REPORTS).document(document_id(report.key))
        if report.status == UNDELIVERED:
            reference.set(self.db.expiring(report._asdict(), report.at), **self.db.call())
        else:
            reference.delete(**self.db.call())

    @unavailable_on_error
    def undelivered(self, since: datetime) -> list[DeliveryReport]:
        query = self.db.client.collection(UNDELIVERED_REPORTS).where(filter=FieldFilter("at", ">=", since))
        return sorted(
            (DeliveryReport(**without_expiry(s.to_dict())) for s in query.stream(**self.db.call())),
            key=lambda r: (r.at, r.key),
        )
