"""Credentials (a provider's token pair) in Firestore, replaced only by compare-and-swap on their version."""

from __future__ import annotations

from collections.abc import Mapping

from functions.adapters.stores.firestore.database import FirestorePort, unavailable_on_error
from functions.adapters.stores.firestore.documents import CREDENTIALS, document_id
from functions.core.ledger import StoredCredential


class FirestoreCredentials(FirestorePort):
    def _credential_ref(self, name: str):
        return self.db.client.collection(CREDENTIALS).document(document_id(name))

    @unavailable_on_error
    def credential(self, name: str) -> StoredCredential | None:
        fields = self.db.fields(self._credential_ref(name))
        return StoredCredential(fields["version"], fields["fields"]) if fields else None

    @unavailable_on_error
    def swap_credential(self, name: str, version: int, fields: Mapping[str, str]) -> bool:
        from google.cloud import firestore

        reference = self._credential_ref(name)

        @firestore.transactional
        def swap_in(transaction) -> bool:
            snapshot = reference.get(transaction=transaction)
            if (snapshot.get("version") if snapshot.exists else 0) != version:
                return False
            transaction.set(reference, {"version": version + 1, "fields": dict(fields)})
            return True

        return swap_in(self.db.client.transaction())
