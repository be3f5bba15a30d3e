"""What a job keeps between runs, and its run reports, in Firestore."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from functions.adapters.stores.firestore.database import FieldFilter, FirestorePort, unavailable_on_error
from functions.adapters.stores.firestore.documents import JOB_STATE, REPORTS, document_id, fitted
from functions.core.privacy import customers_named


class FirestoreJobState(FirestorePort):
    @unavailable_on_error
    def job_state(self, name: str) -> dict[str, Any]:
        fields = self.db.fields(self.db.client.collection(JOB_STATE).document(document_id(name)))
        return dict(fields.get("fields", {})) if fields else {}

    @unavailable_on_error
    def save_job_state(self, name: str, fields: Mapping[str, Any]) -> None:
        from google.cloud import firestore

        if not fields:
            return
        # A merge: each named field is set (or removed, for None) and the others stay as they are.
        values = {k: firestore.DELETE_FIELD if v is None else v for k, v in fields.items()}
        reference = self.db.client.collection(JOB_STATE).document(document_id(name))
        reference.set({"fields": values}, merge=True, **self.db.call())

    @unavailable_on_error
    def save_report(self, report: Mapping[str, Any]) -> None:
        from google.cloud import firestore

        # Random document ids (add()) spread writes; the body is JSON, trimmed to fit a document;
        # saved_at (the server's clock) orders reports even when runs share a --now.
        # `customers`: whom it names (an erasure reads only those reports); `indexed`: kept since then.
        body = fitted(report)
        fields = {
            "job": report["job"],
            "at": report["now"],
            "body": body,
            "saved_at": firestore.SERVER_TIMESTAMP,
            "customers": customers_named(json.loads(body)),
            "indexed": firestore.SERVER_TIMESTAMP,
        }
        self.db.client.collection(REPORTS).add(self.db.expiring(fields, datetime.now(UTC)), **self.db.call())

    @unavailable_on_error
    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]:
        from google.cloud import firestore

        query = (
            self.db.client.collection(REPORTS)
            .where(filter=FieldFilter("job", "==", job))
            .order_by("saved_at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        return [json.loads(s.get("body")) for s in query.stream(**self.db.call())]
