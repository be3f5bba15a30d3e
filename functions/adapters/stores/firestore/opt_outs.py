"""Opt-outs in Firestore: the first one for a customer stays, like SQLite's INSERT OR IGNORE."""

from __future__ import annotations

from datetime import datetime

from functions.adapters.stores.firestore.database import FirestorePort, unavailable_on_error
from functions.adapters.stores.firestore.documents import OPT_OUTS, document_id


class FirestoreOptOuts(FirestorePort):
    @unavailable_on_error
    def record_opt_out(self, customer_id: str, at: datetime) -> None:
        reference = self.db.client.collection(OPT_OUTS).document(document_id(customer_id))
        self.db.create(reference, {"customer_id": customer_id, "at": at})

    @unavailable_on_error
    def opt_outs(self) -> dict[str, datetime]:
        snapshots = self.db.client.collection(OPT_OUTS).stream(**self.db.call())
        return {s.get("customer_id"): s.get("at") for s in snapshots}
