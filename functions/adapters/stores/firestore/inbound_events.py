"""Events providers posted (a channel's webhook) in Firestore: a document each, its id the event's, so a
second post of one event is refused by Firestore itself (create fails), whatever instance takes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from functions.adapters.stores.firestore.database import FieldFilter, FirestorePort, unavailable_on_error
from functions.adapters.stores.firestore.documents import INBOUND_EVENTS
from functions.core.inbound import InboundEvent

KEPT_IDS = timedelta(days=2)  # a taken event's id outlives the window a replay could be signed within
PRUNED = 200  # old ids deleted per call: with the taken (at most a run's 200), within a batch's 500 writes


class FirestoreInboundEvents(FirestorePort):
    @unavailable_on_error
    def record_event(self, event: InboundEvent) -> bool:
        reference = self.db.client.collection(INBOUND_EVENTS).document(event.event_id)
        return self.db.create(reference, self.db.expiring({**event._asdict(), "taken": False}, event.received_at))

    @unavailable_on_error
    def pending_events(self, limit: int) -> list[InboundEvent]:
        # One equality filter (no composite index); the few pending are put in order here.
        query = self.db.client.collection(INBOUND_EVENTS).where(filter=FieldFilter("taken", "==", False))
        found = [
            InboundEvent(s.get("event_id"), s.get("source"), s.get("received_at"), s.get("body"))
            for s in query.stream(**self.db.call())
        ]
        return sorted(found, key=lambda e: (e.received_at, e.event_id))[:limit]

    @unavailable_on_error
    def events_taken(self, event_ids: Sequence[str], at: datetime) -> None:
        collection = self.db.client.collection(INBOUND_EVENTS)
        batch, writes = self.db.client.batch(), 0
        for event_id in event_ids:
            batch.update(collection.document(event_id), {"taken": True, "taken_at": at, "body": ""})
            writes += 1
        old = collection.where(filter=FieldFilter("received_at", "<", at - KEPT_IDS)).limit(PRUNED)
        for snapshot in old.stream(**self.db.call()):
            if snapshot.get("taken"):
                batch.delete(snapshot.reference)
                writes += 1
        if writes:
            batch.commit(**self.db.call())
