"""Replies heard, in Firestore: a document each (its id the reply's), kind and day only; counted
with count() (a read per 1,000), by kind and day (the composite index in infra/firestore.indexes.json)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from functions.adapters.stores.firestore.database import (
    IN_LIMIT,
    FieldFilter,
    FirestorePort,
    commit_batches,
    unavailable_on_error,
)
from functions.adapters.stores.firestore.documents import REPLIES, document_id
from functions.core.replies import HeardReply


class FirestoreReplies(FirestorePort):
    @unavailable_on_error
    def record_replies(self, replies: Sequence[HeardReply]) -> None:
        """Each reply created (a reply kept before stays as it was): a batch in one commit; a batch that
        meets a reply kept already (a run that overlapped) is created one by one."""
        from google.api_core.exceptions import AlreadyExists

        collection = self.db.client.collection(REPLIES)
        documents = []
        for reply in replies:
            fields = {"reply_id": reply.reply_id, "kind": reply.kind, "day": reply.day.isoformat()}
            heard = datetime.combine(reply.day, datetime.min.time(), UTC)
            documents.append((collection.document(document_id(reply.reply_id)), self.db.expiring(fields, heard)))
        for part in commit_batches(documents, lambda _: 100):
            batch = self.db.client.batch()
            for reference, fields in part:
                batch.create(reference, fields)
            try:
                batch.commit(**self.db.call())
            except AlreadyExists:
                for reference, fields in part:
                    self.db.create(reference, fields)

    @unavailable_on_error
    def replies_between(self, first: date, last: date) -> list[HeardReply]:
        query = self._days(first, last)
        found = [HeardReply(s.get("reply_id"), s.get("kind"), date.fromisoformat(s.get("day")))
                 for s in query.stream(**self.db.call())]  # fmt: skip
        return sorted(found, key=lambda r: (r.day, r.reply_id))

    @unavailable_on_error
    def count_replies(self, first: date, last: date, kinds: Sequence[str]) -> int:
        query = self._days(first, last)
        return sum(self.db.count(query.where(filter=FieldFilter("kind", "in", list(kinds[i : i + IN_LIMIT]))))
                   for i in range(0, len(kinds), IN_LIMIT))  # fmt: skip

    def _days(self, first: date, last: date) -> Any:  # a Firestore query
        return (
            self.db.client.collection(REPLIES)
            .where(filter=FieldFilter("day", ">=", first.isoformat()))
            .where(filter=FieldFilter("day", "<=", last.isoformat()))
        )
