"""The message ledger in Firestore. Reserving is `create()`, which fails when the document exists:
two runs cannot both reserve a message. A message's survey is created in the commit that reserves it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

from functions.adapters.stores.firestore.database import (
    BATCH_LIMIT,
    GET_CHUNK,
    IN_LIMIT,
    FieldFilter,
    FirestorePort,
    unavailable_on_error,
)
from functions.adapters.stores.firestore.documents import LEDGER, entry_fields, entry_from, survey_document
from functions.core.ledger import FAILED, QUEUED, RESERVED, SENT, UNCERTAIN, LedgerEntry, LedgerFacts, releasable
from functions.core.surveys import Survey

PARALLEL_CREATES = 16
RESERVE_BATCH = 200  # entries a commit creates (each with its survey: 400 writes, inside Firestore's 500)


def _sent(at: datetime) -> dict[str, Any]:
    """A ledger entry's fields once its message is confirmed sent."""
    return {"state": SENT, "updated_at": at, "error": ""}


class FirestoreLedger(FirestorePort):
    def _fields(self, entry: LedgerEntry) -> dict[str, Any]:
        """A new entry, kept until retention_days after the day it counts against."""
        day = datetime.combine(entry.business_day, datetime.min.time(), UTC)
        return self.db.expiring(entry_fields(entry), entry.reserved_at or day)

    @unavailable_on_error
    def reserve(self, entry: LedgerEntry) -> bool:
        return self.db.create(self.db.ledger_entry(entry.key), self._fields(entry))

    def reserve_many(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey] | None = None) -> set[str]:
        # The entries (with their surveys) created in batches of one commit each; a batch fails whole on
        # one existing key (a run beside this one, a rerun), and its entries are then created one commit
        # each, side by side: exactly once either way.
        won: set[str] = set()
        for start in range(0, len(entries), RESERVE_BATCH):
            part = entries[start : start + RESERVE_BATCH]
            batch_won = self._reserve_batch(part, surveys or {})
            won |= batch_won if batch_won is not None else self._reserve_each(part, surveys or {})
        return won

    def _reserve_batch(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey]) -> set[str] | None:
        """The entries and their surveys created in one commit; None when one of them exists already."""
        from google.api_core.exceptions import AlreadyExists

        if len(entries) <= 1:
            return None
        batch = self.db.client.batch()
        for entry in entries:
            batch.create(self.db.ledger_entry(entry.key), self._fields(entry))
            if (survey := surveys.get(entry.key)) is not None:
                batch.create(
                    self.db.survey(survey.survey_id), self.db.expiring(survey_document(survey), survey.created_at)
                )
        try:
            batch.commit(**self.db.call())
        except AlreadyExists:
            return None
        return {e.key for e in entries}

    def _reserve_each(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey]) -> set[str]:
        def reserve(entry: LedgerEntry) -> bool:
            return self._reserve_in_one_commit(entry, surveys.get(entry.key))

        if len(entries) <= 1:
            return {e.key for e in entries if reserve(e)}
        with ThreadPoolExecutor(max_workers=min(PARALLEL_CREATES, len(entries))) as pool:
            results = list(pool.map(reserve, entries))
        return {entry.key for entry, won in zip(entries, results, strict=False) if won}

    @unavailable_on_error
    def claim(self, done: str | None, at: datetime, key: str) -> bool:
        from google.api_core.exceptions import NotFound
        from google.cloud import firestore

        reference = self.db.ledger_entry(key)

        @firestore.transactional
        def claim_in(transaction) -> bool:
            snapshot = reference.get(transaction=transaction)
            if done is not None:
                transaction.update(self.db.ledger_entry(done), _sent(at))
            if not snapshot.exists or snapshot.get("state") != QUEUED:
                return False
            transaction.update(reference, {"state": RESERVED, "updated_at": at})
            return True

        try:
            return claim_in(self.db.client.transaction())
        except NotFound:  # the one sent was released meanwhile: claim alone
            return self.claim(None, at, key)

    def confirm(self, key: str, at: datetime) -> None:
        self.confirm_many([key], at)

    @unavailable_on_error
    def advance(
        self, done: str | None, at: datetime, following: LedgerEntry | None, survey: Survey | None = None
    ) -> bool:
        if following is None:
            if done is not None:
                self._update_if_present(done, _sent(at))
            return False
        return self._reserve_in_one_commit(following, survey, done, at)

    @unavailable_on_error
    def _reserve_in_one_commit(
        self, entry: LedgerEntry, survey: Survey | None, done: str | None = None, at: datetime | None = None
    ) -> bool:
        """Create the entry (and its survey), confirming `done` sent at `at`, all in one commit; one at
        a time when that fails (the key taken, `done` released, the survey made already)."""
        from google.api_core.exceptions import AlreadyExists, NotFound

        batch = self.db.client.batch()
        if done is not None and at is not None:
            batch.update(self.db.ledger_entry(done), _sent(at))
        batch.create(self.db.ledger_entry(entry.key), self._fields(entry))
        if survey is not None:
            batch.create(self.db.survey(survey.survey_id), self.db.expiring(survey_document(survey), survey.created_at))
        try:
            batch.commit(**self.db.call())
            return True
        except (AlreadyExists, NotFound):
            if done is not None and at is not None:
                self._update_if_present(done, _sent(at))
            won = self.reserve(entry)
            if won and survey is not None:
                self.db.create_survey(survey)
            return won

    @unavailable_on_error
    def confirm_many(self, keys: Sequence[str], at: datetime) -> None:
        from google.api_core.exceptions import NotFound

        for start in range(0, len(keys), BATCH_LIMIT):
            chunk = keys[start : start + BATCH_LIMIT]
            batch = self.db.client.batch()
            for key in chunk:
                batch.update(self.db.ledger_entry(key), _sent(at))
            try:
                batch.commit(**self.db.call())
            except NotFound:  # one key was released meanwhile: confirm the others one by one
                for key in chunk:
                    self._update_if_present(key, _sent(at))

    @unavailable_on_error
    def fail(self, key: str, error: str, at: datetime) -> None:
        self._update_if_present(key, {"state": FAILED, "updated_at": at, "error": error})

    @unavailable_on_error
    def doubt(self, key: str, reason: str, at: datetime) -> None:
        self._update_if_present(key, {"state": UNCERTAIN, "updated_at": at, "error": reason})

    def _update_if_present(self, key: str, fields: Mapping[str, Any]) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self.db.ledger_entry(key).update(dict(fields), **self.db.call())
        except NotFound:
            pass

    @unavailable_on_error
    def release(self, key: str, force: bool = False) -> bool:
        from google.cloud import firestore

        reference = self.db.ledger_entry(key)

        @firestore.transactional
        def release_in(transaction) -> bool:
            snapshot = reference.get(transaction=transaction)
            if not snapshot.exists or snapshot.get("state") not in releasable(force):
                return False
            transaction.delete(reference)
            return True

        return release_in(self.db.client.transaction())

    @unavailable_on_error
    def record_attempt(self, key: str, failed: str, channel: str, at: datetime) -> None:
        from google.cloud import firestore

        self._update_if_present(key, {"channel": channel, "updated_at": at, "attempts": firestore.ArrayUnion([failed])})

    @unavailable_on_error
    def entry(self, key: str) -> LedgerEntry | None:
        fields = self.db.fields(self.db.ledger_entry(key))
        return entry_from(fields) if fields else None

    @unavailable_on_error
    def facts(self, keys: Iterable[str], day: date, customers: Iterable[str] | None = None) -> LedgerFacts:
        keys = list(keys)
        states: dict[str, str] = {}
        sent_at: dict[str, datetime] = {}
        channels: dict[str, str] = {}
        fallbacks: dict[str, tuple[str, ...]] = {}
        counts: Counter[str] = Counter()  # customer → entries of the day among the asked keys
        reserved_at: dict[str, datetime] = {}
        wanted = ["key", "customer_id", "business_day", "state", "updated_at", "channel", "attempts"]
        for start in range(0, len(keys), GET_CHUNK):
            references = [self.db.ledger_entry(k) for k in keys[start : start + GET_CHUNK]]
            for snapshot in self.db.client.get_all(references, field_paths=wanted, **self.db.call()):
                if snapshot.exists:
                    fields = snapshot.to_dict()
                    states[fields["key"]] = fields["state"]
                    if fields.get("business_day") == day.isoformat():
                        counts[fields["customer_id"]] += 1
                    if fields["state"] == SENT and fields.get("updated_at"):
                        sent_at[fields["key"]], channels[fields["key"]] = fields["updated_at"], fields["channel"]
                        if fields.get("attempts"):
                            fallbacks[fields["key"]] = tuple(fields["attempts"])
                    elif fields["state"] == RESERVED and fields.get("updated_at"):
                        reserved_at[fields["key"]] = fields["updated_at"]
        if customers is None:
            return LedgerFacts(states, sent_at, channels, fallbacks, reserved_at=reserved_at)
        # Only the customers the asked keys did not already show as contacted today are looked up, and
        # only their entries of the day are read; the day's total is counted, not read. (A customer the
        # asked keys show is counted by them: a message of another kind the same day is not added.)
        contacted = set(counts) & set(customers)
        unknown = sorted(set(customers) - contacted)
        day_filter = FieldFilter("business_day", "==", day.isoformat())
        for start in range(0, len(unknown), IN_LIMIT):
            query = (
                self.db.client.collection(LEDGER)
                .where(filter=day_filter)
                .where(filter=FieldFilter("customer_id", "in", unknown[start : start + IN_LIMIT]))
                .select(["customer_id"])
            )
            for snapshot in query.stream(**self.db.call()):
                contacted.add(snapshot.get("customer_id"))
                counts[snapshot.get("customer_id")] += 1
        reserved = self.db.count(self.db.client.collection(LEDGER).where(filter=day_filter))
        return LedgerFacts(states, sent_at, channels, fallbacks, frozenset(contacted), reserved, reserved_at,
                           {c: n for c, n in counts.items() if n > 1 and c in contacted})  # fmt: skip

    @unavailable_on_error
    def count_sent(self, first: date, last: date, kinds: Sequence[str] = (), channel: str = "") -> int:
        query = (
            self.db.client.collection(LEDGER)
            .where(filter=FieldFilter("state", "==", SENT))
            .where(filter=FieldFilter("business_day", ">=", first.isoformat()))
            .where(filter=FieldFilter("business_day", "<=", last.isoformat()))
        )
        if channel:
            query = query.where(filter=FieldFilter("channel", "==", channel))
        if not kinds:
            return self.db.count(query)
        return sum(self.db.count(query.where(filter=FieldFilter("kind", "in", list(kinds[i : i + IN_LIMIT]))))
                   for i in range(0, len(kinds), IN_LIMIT))  # fmt: skip

    @unavailable_on_error
    def sent_between(self, first: date, last: date) -> list[LedgerEntry]:
        # One range on one field (no composite index needed); the state is checked here.
        query = (
            self.db.client.collection(LEDGER)
            .where(filter=FieldFilter("business_day", ">=", first.isoformat()))
            .where(filter=FieldFilter("business_day", "<=", last.isoformat()))
        )
        found = [entry_from(s.to_dict()) for s in query.stream(**self.db.call())]
        return sorted((e for e in found if e.state == SENT), key=lambda e: (e.business_day, e.key))

    @unavailable_on_error
    def unconfirmed(self) -> list[LedgerEntry]:
        pending = [RESERVED, QUEUED, FAILED, UNCERTAIN]
        query = self.db.client.collection(LEDGER).where(filter=FieldFilter("state", "in", pending))
        entries = [entry_from(s.to_dict()) for s in query.stream(**self.db.call())]
        return sorted(entries, key=lambda e: (e.reserved_at is None, e.reserved_at or datetime.min, e.key))
