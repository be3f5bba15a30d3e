"""Nothing kept forever, in Firestore: every record carries `expire_at` (written with it, from its own
time and retention_days), and the TTL policies Terraform declares on each collection delete it
then (Firestore does so within a day of that time). A run has nothing to delete itself."""

from __future__ import annotations

from datetime import datetime

from functions.adapters.stores.firestore.database import FirestorePort


class FirestoreRetention(FirestorePort):
    def delete_expired(self, before: datetime) -> dict[str, int]:
        return {}  # the TTL policies do it (infra/modules/careloop/main.tf: google_firestore_field)
