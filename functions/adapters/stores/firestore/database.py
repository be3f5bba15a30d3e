"""The one Firestore database every Firestore port reads and writes: the client (made on first use,
never at import; FIRESTORE_EMULATOR_HOST is honoured by it), one retry and timeout for every call,
and the calls more than one port makes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cached_property, wraps
from typing import Any, TypeVar

from functions.adapters.stores.firestore.documents import LEDGER, SURVEYS, document_id, survey_document
from functions.core.errors import StoreUnavailable
from functions.core.surveys import Survey

EXPIRE_AT = "expire_at"  # every record's: when the collection's TTL policy deletes it
IN_LIMIT = 30  # Firestore's most values in one `in` filter
BATCH_LIMIT = 500  # Firestore's most writes in one batch
GET_CHUNK = 300


def FieldFilter(field: str, op: str, value: Any) -> Any:  # noqa: N802 - stands in for the class it makes
    from google.cloud.firestore_v1.base_query import FieldFilter as made  # loaded with the client, not before

    return made(field, op, value)


RETENTION = timedelta(days=730)  # the retention_days setting's default


def without_expiry(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A record's own fields, as read: without the `expire_at` its TTL policy acts on."""
    return {k: v for k, v in fields.items() if k != EXPIRE_AT}


class FirestoreDatabase:
    def __init__(
        self, project: str, database: str = "(default)", timeout: float = 30.0, client: Any = None,
        retention: timedelta = RETENTION,
    ):  # fmt: skip
        self.project, self.database, self.timeout, self.retention = project, database, timeout, retention
        if client is not None:
            self.__dict__["client"] = client

    @cached_property
    def client(self):
        from google.cloud import firestore  # imported here: only runs on Firestore pay for it

        return firestore.Client(project=self.project, database=self.database)

    @cached_property
    def _retry(self):
        from google.api_core.retry import Retry

        return Retry(timeout=self.timeout)

    def expiring(self, fields: Mapping[str, Any], moment: datetime) -> dict[str, Any]:
        """The record's fields with `expire_at`: when Firestore's TTL policy deletes it (Terraform
        declares one on each collection that holds personal data)."""
        return {**fields, EXPIRE_AT: moment + self.retention}

    def call(self) -> dict[str, Any]:
        """The retry and timeout every call is made with."""
        return {"retry": self._retry, "timeout": self.timeout}

    def create(self, reference: Any, fields: Mapping[str, Any]) -> bool:
        """Create the document; False when it exists already (it is never overwritten)."""
        from google.api_core.exceptions import AlreadyExists

        try:
            reference.create(dict(fields), **self.call())
        except AlreadyExists:
            return False
        return True

    def fields(self, reference: Any) -> dict[str, Any] | None:
        snapshot = reference.get(**self.call())
        return snapshot.to_dict() if snapshot.exists else None

    def count(self, query: Any) -> int:
        """A count aggregation: Firestore bills one read per 1,000 entries counted, not one per document."""
        return int(query.count().get(**self.call())[0][0].value)

    def ledger_entry(self, key: str):
        return self.client.collection(LEDGER).document(document_id(key))

    def survey(self, survey_id: str):
        return self.client.collection(SURVEYS).document(document_id(survey_id))

    def create_survey(self, survey: Survey) -> bool:
        """The ledger creates a message's survey too, when its reservation could not carry it."""
        return self.create(self.survey(survey.survey_id), self.expiring(survey_document(survey), survey.created_at))


class FirestorePort:
    """A port kept in the database: each of its methods turns a Google error into StoreUnavailable."""

    def __init__(self, database: FirestoreDatabase):
        self.db = database


def unavailable_on_error(method):
    @wraps(method)
    def wrapper(self: FirestorePort, *args, **kwargs):
        from google.api_core import exceptions as api
        from google.auth import exceptions as auth

        try:
            return method(self, *args, **kwargs)
        except (api.GoogleAPICallError, api.RetryError, auth.GoogleAuthError) as error:
            raise StoreUnavailable(f"Firestore {self.db.project}/{self.db.database}: {error}") from error

    return wrapper


T = TypeVar("T")
# Firestore takes 500 writes and 10 MiB a commit, gRPC 4 MiB a message: a commit keeps well inside them.
COMMIT_WRITES, COMMIT_BYTES = 400, 2 * 1024 * 1024


def commit_batches(writes: Sequence[T], size: Callable[[T], int]) -> list[list[T]]:
    """The writes in batches of at most COMMIT_WRITES and about COMMIT_BYTES (one bigger write alone):
    a commit stays inside Firestore's limits however many and however big the writes."""
    batches: list[list[T]] = [[]]
    held = 0
    for write in writes:
        bytes_ = size(write) + 200  # the document's name and the request's framing
        if batches[-1] and (len(batches[-1]) >= COMMIT_WRITES or held + bytes_ > COMMIT_BYTES):
            batches.append([])
            held = 0
        batches[-1].append(write)
        held += bytes_
    return [b for b in batches if b]
