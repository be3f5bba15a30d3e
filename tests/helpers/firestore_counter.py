"""Counts what a Firestore client costs, the way Firestore bills it: document reads, writes and
deletes, per collection, and the calls made.

It wraps the client's own API object (every call the library makes goes through it), so nothing
in careloop changes to be counted. Billing rules counted here (cloud.google.com/firestore/pricing,
read 2026-11): a read per document a get or a query returns, one read for a query that returns
none, one read per 1,000 index entries an aggregation (count()) matches, a read for a get of a
document that does not exist; a write or delete per document a commit changes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any


def collection_of(name: str) -> str:
    """ "projects/p/databases/d/documents/cases/HS-1/events/x" → "cases/events"."""
    path = name.split("/documents/", 1)[-1].split("/")
    return "/".join(path[0::2])


class Tally:
    def __init__(self) -> None:
        # (reads|writes|deletes, collection) and (rpcs, "commit ledger/surveys", "query cases", …)
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(self, what: str, collection: str, n: int = 1) -> None:
        self.counts[what, collection] += n

    def total(self, what: str) -> int:
        return sum(n for (kind, _), n in self.counts.items() if kind == what)

    def by_collection(self, what: str) -> dict[str, int]:
        return {c: n for (kind, c), n in sorted(self.counts.items()) if kind == what}

    def reset(self) -> None:
        self.counts.clear()


class CountingApi:
    """Stands in for `firestore.Client._firestore_api`, passing every call through."""

    def __init__(self, api: Any, tally: Tally):
        self._api, self._tally = api, tally

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._api, name)
        counted = getattr(self, f"_count_{name}", None)
        if counted is None or not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return counted(attribute, *args, **kwargs)

        return call

    def _request(self, kind: type, args: tuple, kwargs: dict) -> Any:
        request = kwargs.get("request", args[0] if args else None)
        return kind(request) if request is not None else kind(**kwargs)

    def _count_batch_get_documents(self, method: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        from google.cloud.firestore_v1.types import BatchGetDocumentsRequest

        request = self._request(BatchGetDocumentsRequest, args, kwargs)
        collections = {collection_of(name) for name in request.documents} or {"?"}
        self._tally.add("rpcs", "get " + "/".join(sorted(collections)))
        for response in method(*args, **kwargs):
            if response.found.name:
                self._tally.add("reads", collection_of(response.found.name))
            elif response.missing:
                self._tally.add("reads", collection_of(response.missing))
            yield response

    def _count_run_query(self, method: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        from google.cloud.firestore_v1.types import RunQueryRequest

        request = self._request(RunQueryRequest, args, kwargs)
        collection = _query_collection(request.parent, request.structured_query)
        self._tally.add("rpcs", f"query {collection}")
        returned = 0
        for response in method(*args, **kwargs):
            if response.document.name:
                returned += 1
            yield response
        self._tally.add("reads", collection, max(returned, 1))

    def _count_run_aggregation_query(self, method: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        from google.cloud.firestore_v1.types import RunAggregationQueryRequest

        request = self._request(RunAggregationQueryRequest, args, kwargs)
        collection = _query_collection(request.parent, request.structured_aggregation_query.structured_query)
        self._tally.add("rpcs", f"count {collection}")
        for response in method(*args, **kwargs):
            for value in response.result.aggregate_fields.values():
                self._tally.add("reads", collection, max(1, math.ceil(int(value.integer_value) / 1000)))
            yield response

    def _count_commit(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        from google.cloud.firestore_v1.types import CommitRequest

        request = self._request(CommitRequest, args, kwargs)
        collections = set()
        for write in request.writes:
            name = write.delete or write.update.name or write.transform.document
            collections.add(collection_of(name))
            self._tally.add("deletes" if write.delete else "writes", collection_of(name))
        self._tally.add("rpcs", "commit " + ("/".join(sorted(collections)) or "(transaction)"))
        return method(*args, **kwargs)

    def _count_begin_transaction(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        self._tally.add("rpcs", "begin (transaction)")
        return method(*args, **kwargs)

    def _count_rollback(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        self._tally.add("rpcs", "rollback (transaction)")
        return method(*args, **kwargs)


def _query_collection(parent: str, query: Any) -> str:
    prefix = collection_of(parent) if "/documents/" in parent else ""  # a subcollection's parent document
    name = query.from_[0].collection_id if query.from_ else "?"
    return f"{prefix}/{name}" if prefix else name


def counted(store: Any) -> Tally:
    """Count every call `store` (a FirestoreStore) makes from now on."""
    tally = Tally()
    client = store.database.client
    client._firestore_api_internal = CountingApi(client._firestore_api, tally)
    return tally
