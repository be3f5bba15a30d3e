"""Cases in Firestore, each with its events in a subcollection; a case and the event that changed it
are written together or not at all."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from functions.adapters.stores.firestore.database import GET_CHUNK, FieldFilter, FirestorePort, unavailable_on_error
from functions.adapters.stores.firestore.documents import CASES, EVENTS, document_id
from functions.core.cases import IN_PROGRESS, OPEN, RESOLVED, CaseEvent, CaseRecord, case_fields, case_from_fields


class FirestoreCases(FirestorePort):
    def _case_ref(self, case_id: str):
        return self.db.client.collection(CASES).document(document_id(case_id))

    @unavailable_on_error
    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        from google.api_core.exceptions import AlreadyExists

        batch = self.db.client.batch()  # the case and its first event, together or not at all
        fields = case_fields(case)
        if case.status == RESOLVED and case.resolved_at:  # kept retention_days after it was resolved
            fields = self.db.expiring(fields, case.resolved_at)
        batch.create(self._case_ref(case.case_id), fields)
        batch.create(
            self._case_ref(case.case_id).collection(EVENTS).document(), self.db.expiring(_event_fields(event), event.at)
        )
        try:
            batch.commit(**self.db.call())
        except AlreadyExists:
            return False
        return True

    @unavailable_on_error
    def case(self, case_id: str) -> CaseRecord | None:
        fields = self.db.fields(self._case_ref(case_id))
        return case_from_fields(fields) if fields else None

    @unavailable_on_error
    def cases(self, open_only: bool = False) -> list[CaseRecord]:
        query = self.db.client.collection(CASES)
        if open_only:
            query = query.where(filter=FieldFilter("status", "in", [OPEN, IN_PROGRESS]))
        return _in_order(case_from_fields(s.to_dict()) for s in query.stream(**self.db.call()))

    @unavailable_on_error
    def cases_by_id(self, case_ids: Iterable[str]) -> list[CaseRecord]:
        wanted = sorted(set(case_ids))
        found = []
        for start in range(0, len(wanted), GET_CHUNK):
            references = [self._case_ref(c) for c in wanted[start : start + GET_CHUNK]]
            snapshots = self.db.client.get_all(references, **self.db.call())
            found += [case_from_fields(s.to_dict()) for s in snapshots if s.exists]
        return _in_order(found)

    @unavailable_on_error
    def cases_updated(self, since: datetime) -> list[CaseRecord]:
        query = self.db.client.collection(CASES).where(filter=FieldFilter("updated_at", ">=", since))
        return _in_order(case_from_fields(s.to_dict()) for s in query.stream(**self.db.call()))

    @unavailable_on_error
    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        from google.cloud import firestore

        reference = self._case_ref(case_id)
        if not changes:  # an event alone (a notice sent): added in one write, no transaction, nothing read
            event_fields = self.db.expiring(_event_fields(event), event.at)
            reference.collection(EVENTS).document().create(event_fields, **self.db.call())
            return

        @firestore.transactional
        def update_in(transaction) -> None:
            if not reference.get(transaction=transaction).exists:
                raise KeyError(case_id)
            if changes:  # a resolved case is kept retention_days, then its TTL policy deletes it
                resolved = changes.get("status") == RESOLVED and changes.get("resolved_at")
                update = self.db.expiring(changes, changes["resolved_at"]) if resolved else dict(changes)
                transaction.update(reference, update)
            transaction.create(
                reference.collection(EVENTS).document(), self.db.expiring(_event_fields(event), event.at)
            )

        update_in(self.db.client.transaction())

    @unavailable_on_error
    def case_events(self, case_id: str) -> list[CaseEvent]:
        snapshots = self._case_ref(case_id).collection(EVENTS).stream(**self.db.call())
        rows = sorted((s.to_dict() for s in snapshots), key=lambda e: (e["at"], e["seq"]))
        return [CaseEvent(e["case_id"], e["at"], e["kind"], json.loads(e["detail"])) for e in rows]


def _in_order(cases: Iterable[CaseRecord]) -> list[CaseRecord]:
    return sorted(cases, key=lambda c: (c.created_at, c.case_id))


def _event_fields(event: CaseEvent) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "at": event.at,
        "kind": event.kind,
        "detail": json.dumps(event.detail, ensure_ascii=False, default=str),
        "seq": time.time_ns(),
    }
