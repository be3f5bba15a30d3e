"""Store adapter on Cloud Firestore (google-cloud-firestore), the production store.

Reserving is `create()`, which fails when the document exists: two runs cannot both reserve a
message. Document ids are the idempotency keys made safe for Firestore, and each record's fields
are laid out, in `firestore_documents`. Counts use `count()` (a read per 1,000 entries). The
client is made on first use, never at import; FIRESTORE_EMULATOR_HOST is honoured by it.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import cached_property, wraps
from typing import TYPE_CHECKING, Any

from functions.adapters.stores.firestore_documents import (
    document_id,
    entry_fields,
    entry_from,
    fitted,
    survey_document,
    voucher_document,
)
from functions.core.cases import IN_PROGRESS, OPEN, CaseEvent, CaseRecord, case_fields, case_from_fields
from functions.core.errors import StoreUnavailable
from functions.core.ledger import (
    FAILED,
    QUEUED,
    RESERVED,
    SENT,
    UNCERTAIN,
    UNDELIVERED,
    DeliveryReport,
    LedgerEntry,
    LedgerFacts,
    StoredCredential,
    releasable,
)
from functions.core.surveys import Answer, Survey, TooManyAnswers, answer_fields, survey_from_fields
from functions.core.vouchers import Voucher, voucher_from_fields

if TYPE_CHECKING:  # short links are for SMS and Zalo: a run without them never loads the module
    from functions.core.short_links import ShortLink

LEDGER, OPT_OUTS, REPORTS, CASES, EVENTS, SURVEYS = "ledger", "opt_outs", "reports", "cases", "events", "surveys"
UNDELIVERED_REPORTS, SHORT_LINKS, CREDENTIALS, VOUCHERS = "undelivered", "short_links", "credentials", "vouchers"
JOB_STATE = "job_state"
IN_LIMIT = 30  # Firestore's most values in one `in` filter
BATCH_LIMIT = 500  # Firestore's most writes in one batch
GET_CHUNK = 300
PARALLEL_CREATES = 16


def FieldFilter(field: str, op: str, value: Any) -> Any:  # noqa: N802 - stands in for the class it makes
    from google.cloud.firestore_v1.base_query import FieldFilter as made  # loaded with the client, not before

    return made(field, op, value)


def _unavailable_on_error(method):
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        from google.api_core import exceptions as api
        from google.auth import exceptions as auth

        try:
            return method(self, *args, **kwargs)
        except (api.GoogleAPICallError, api.RetryError, auth.GoogleAuthError) as error:
            raise StoreUnavailable(f"Firestore {self.project}/{self.database}: {error}") from error

    return wrapper


def _sent(at: datetime) -> dict[str, Any]:
    """A ledger entry's fields once its message is confirmed sent."""
    return {"state": SENT, "updated_at": at, "error": ""}


class FirestoreStore:
    def __init__(self, project: str, database: str = "(default)", timeout: float = 30.0, client: Any = None):
        self.project, self.database, self.timeout = project, database, timeout
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

    def _ledger(self, key: str):
        return self.client.collection(LEDGER).document(document_id(key))

    def _call(self) -> dict[str, Any]:
        return {"retry": self._retry, "timeout": self.timeout}

    def _create(self, reference: Any, fields: Mapping[str, Any]) -> bool:
        """Create the document; False when it exists already (it is never overwritten)."""
        from google.api_core.exceptions import AlreadyExists

        try:
            reference.create(dict(fields), **self._call())
        except AlreadyExists:
            return False
        return True

    def _fields(self, reference: Any) -> dict[str, Any] | None:
        snapshot = reference.get(**self._call())
        return snapshot.to_dict() if snapshot.exists else None

    # ---- the message ledger ----------------------------------------------------------------

    @_unavailable_on_error
    def reserve(self, entry: LedgerEntry) -> bool:
        return self._create(self._ledger(entry.key), entry_fields(entry))

    def reserve_many(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey] | None = None) -> set[str]:
        # Each entry (with its survey) is a commit of its own: a batch would fail whole on one
        # existing key. They run side by side instead.
        def reserve(entry: LedgerEntry) -> bool:
            return self._reserve_in_one_commit(entry, surveys.get(entry.key) if surveys else None)

        if len(entries) <= 1:
            return {e.key for e in entries if reserve(e)}
        with ThreadPoolExecutor(max_workers=min(PARALLEL_CREATES, len(entries))) as pool:
            results = list(pool.map(reserve, entries))
        return {entry.key for entry, won in zip(entries, results, strict=False) if won}

    @_unavailable_on_error
    def claim(self, done: str | None, at: datetime, key: str) -> bool:
        from google.api_core.exceptions import NotFound
        from google.cloud import firestore

        reference = self._ledger(key)

        @firestore.transactional
        def claim_in(transaction) -> bool:
            snapshot = reference.get(transaction=transaction)
            if done is not None:
                transaction.update(self._ledger(done), _sent(at))
            if not snapshot.exists or snapshot.get("state") != QUEUED:
                return False
            transaction.update(reference, {"state": RESERVED, "updated_at": at})
            return True

        try:
            return claim_in(self.client.transaction())
        except NotFound:  # the one sent was released meanwhile: claim alone
            return self.claim(None, at, key)

    def confirm(self, key: str, at: datetime) -> None:
        self.confirm_many([key], at)

    @_unavailable_on_error
    def advance(
        self, done: str | None, at: datetime, following: LedgerEntry | None, survey: Survey | None = None
    ) -> bool:
        if following is None:
            if done is not None:
                self._update_if_present(done, _sent(at))
            return False
        return self._reserve_in_one_commit(following, survey, done, at)

    @_unavailable_on_error
    def _reserve_in_one_commit(
        self, entry: LedgerEntry, survey: Survey | None, done: str | None = None, at: datetime | None = None
    ) -> bool:
        """Create the entry (and its survey), confirming `done` sent at `at`, all in one commit; one at
        a time when that fails (the key taken, `done` released, the survey made already)."""
        from google.api_core.exceptions import AlreadyExists, NotFound

        batch = self.client.batch()
        if done is not None and at is not None:
            batch.update(self._ledger(done), _sent(at))
        batch.create(self._ledger(entry.key), entry_fields(entry))
        if survey is not None:
            batch.create(self._survey_ref(survey.survey_id), survey_document(survey))
        try:
            batch.commit(**self._call())
            return True
        except (AlreadyExists, NotFound):
            if done is not None and at is not None:
                self._update_if_present(done, _sent(at))
            won = self.reserve(entry)
            if won and survey is not None:
                self.create_survey(survey)
            return won

    @_unavailable_on_error
    def confirm_many(self, keys: Sequence[str], at: datetime) -> None:
        from google.api_core.exceptions import NotFound

        for start in range(0, len(keys), BATCH_LIMIT):
            chunk = keys[start : start + BATCH_LIMIT]
            batch = self.client.batch()
            for key in chunk:
                batch.update(self._ledger(key), _sent(at))
            try:
                batch.commit(**self._call())
            except NotFound:  # one key was released meanwhile: confirm the others one by one
                for key in chunk:
                    self._update_if_present(key, _sent(at))

    @_unavailable_on_error
    def fail(self, key: str, error: str, at: datetime) -> None:
        self._update_if_present(key, {"state": FAILED, "updated_at": at, "error": error})

    @_unavailable_on_error
    def doubt(self, key: str, reason: str, at: datetime) -> None:
        self._update_if_present(key, {"state": UNCERTAIN, "updated_at": at, "error": reason})

    def _update_if_present(self, key: str, fields: Mapping[str, Any]) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self._ledger(key).update(dict(fields), **self._call())
        except NotFound:
            pass

    @_unavailable_on_error
    def release(self, key: str, force: bool = False) -> bool:
        from google.cloud import firestore

        reference = self._ledger(key)

        @firestore.transactional
        def release_in(transaction) -> bool:
            snapshot = reference.get(transaction=transaction)
            if not snapshot.exists or snapshot.get("state") not in releasable(force):
                return False
            transaction.delete(reference)
            return True

        return release_in(self.client.transaction())

    @_unavailable_on_error
    def record_attempt(self, key: str, failed: str, channel: str, at: datetime) -> None:
        from google.cloud import firestore

        self._update_if_present(key, {"channel": channel, "updated_at": at, "attempts": firestore.ArrayUnion([failed])})

    @_unavailable_on_error
    def record_delivery(self, report: DeliveryReport) -> None:
        # Only undelivered reports are kept, in a collection of their own: the next run's query reads
        # just those of its window, never every message's report.
        reference = self.client.collection(UNDELIVERED_REPORTS).document(document_id(report.key))
        if report.status == UNDELIVERED:
            reference.set(report._asdict(), **self._call())
        else:
            reference.delete(**self._call())

    @_unavailable_on_error
    def undelivered(self, since: datetime) -> list[DeliveryReport]:
        query = self.client.collection(UNDELIVERED_REPORTS).where(filter=FieldFilter("at", ">=", since))
        return sorted(
            (DeliveryReport(**s.to_dict()) for s in query.stream(**self._call())), key=lambda r: (r.at, r.key)
        )

    @_unavailable_on_error
    def save_short_links(self, links: Sequence[ShortLink]) -> None:
        for link in links:
            self._create(self.client.collection(SHORT_LINKS).document(document_id(link.code)), dataclasses.asdict(link))

    @_unavailable_on_error
    def short_link(self, code: str) -> ShortLink | None:
        from functions.core.short_links import ShortLink

        fields = self._fields(self.client.collection(SHORT_LINKS).document(document_id(code)))
        return ShortLink(**fields) if fields else None

    def _voucher_ref(self, code: str):
        return self.client.collection(VOUCHERS).document(document_id(code))

    @_unavailable_on_error
    def voucher(self, code: str) -> Voucher | None:
        fields = self._fields(self._voucher_ref(code))
        return voucher_from_fields(fields) if fields else None

    @_unavailable_on_error
    def issue_voucher(self, voucher: Voucher) -> Voucher:
        if self._create(self._voucher_ref(voucher.code), voucher_document(voucher)):
            return voucher
        stored = self.voucher(voucher.code)
        assert stored is not None  # created by someone else a moment ago; vouchers are never deleted
        return stored

    @_unavailable_on_error
    def vouchers(self, issued_since: date) -> list[Voucher]:
        query = self.client.collection(VOUCHERS).where(filter=FieldFilter("issued", ">=", issued_since.isoformat()))
        return sorted((voucher_from_fields(s.to_dict()) for s in query.stream(**self._call())),
                      key=lambda v: (v.issued, v.code))  # fmt: skip

    @_unavailable_on_error
    def count_vouchers(self, first: date, last: date, by: str = "issued") -> int:
        field = "used_on" if by == "used_on" else "issued"
        query = (
            self.client.collection(VOUCHERS)
            .where(filter=FieldFilter(field, ">=", first.isoformat()))
            .where(filter=FieldFilter(field, "<=", last.isoformat()))
        )
        if by == "issued_used":
            query = query.where(filter=FieldFilter("used", "==", True))
        return self._count(query)

    @_unavailable_on_error
    def set_voucher_used(self, code: str, day: date | None) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self._voucher_ref(code).update({"used_on": day.isoformat() if day else None, "used": day is not None},
                                           **self._call())  # fmt: skip
        except NotFound:
            pass

    def _credential_ref(self, name: str):
        return self.client.collection(CREDENTIALS).document(document_id(name))

    @_unavailable_on_error
    def credential(self, name: str) -> StoredCredential | None:
        fields = self._fields(self._credential_ref(name))
        return StoredCredential(fields["version"], fields["fields"]) if fields else None

    @_unavailable_on_error
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

        return swap_in(self.client.transaction())

    @_unavailable_on_error
    def entry(self, key: str) -> LedgerEntry | None:
        fields = self._fields(self._ledger(key))
        return entry_from(fields) if fields else None

    @_unavailable_on_error
    def facts(self, keys: Iterable[str], day: date, customers: Iterable[str] | None = None) -> LedgerFacts:
        keys = list(keys)
        states: dict[str, str] = {}
        sent_at: dict[str, datetime] = {}
        channels: dict[str, str] = {}
        fallbacks: dict[str, tuple[str, ...]] = {}
        contacted: set[str] = set()
        wanted = ["key", "customer_id", "business_day", "state", "updated_at", "channel", "attempts"]
        for start in range(0, len(keys), GET_CHUNK):
            references = [self._ledger(k) for k in keys[start : start + GET_CHUNK]]
            for snapshot in self.client.get_all(references, field_paths=wanted, **self._call()):
                if snapshot.exists:
                    fields = snapshot.to_dict()
                    states[fields["key"]] = fields["state"]
                    if fields.get("business_day") == day.isoformat():
                        contacted.add(fields["customer_id"])
                    if fields["state"] == SENT and fields.get("updated_at"):
                        sent_at[fields["key"]], channels[fields["key"]] = fields["updated_at"], fields["channel"]
                        if fields.get("attempts"):
                            fallbacks[fields["key"]] = tuple(fields["attempts"])
        if customers is None:
            return LedgerFacts(states, sent_at, channels, fallbacks)
        # Only the customers the asked keys did not already show as contacted today are looked up, and
        # only their entries of the day are read; the day's total is counted, not read.
        contacted &= set(customers)
        unknown = sorted(set(customers) - contacted)
        day_filter = FieldFilter("business_day", "==", day.isoformat())
        for start in range(0, len(unknown), IN_LIMIT):
            query = (
                self.client.collection(LEDGER)
                .where(filter=day_filter)
                .where(filter=FieldFilter("customer_id", "in", unknown[start : start + IN_LIMIT]))
                .select(["customer_id"])
            )
            contacted.update(s.get("customer_id") for s in query.stream(**self._call()))
        reserved = self._count(self.client.collection(LEDGER).where(filter=day_filter))
        return LedgerFacts(states, sent_at, channels, fallbacks, frozenset(contacted), reserved)

    def _count(self, query: Any) -> int:
        """A count aggregation: Firestore bills one read per 1,000 entries counted, not one per document."""
        return int(query.count().get(**self._call())[0][0].value)

    @_unavailable_on_error
    def count_sent(self, first: date, last: date, kinds: Sequence[str] = (), channel: str = "") -> int:
        query = (
            self.client.collection(LEDGER)
            .where(filter=FieldFilter("state", "==", SENT))
            .where(filter=FieldFilter("business_day", ">=", first.isoformat()))
            .where(filter=FieldFilter("business_day", "<=", last.isoformat()))
        )
        if channel:
            query = query.where(filter=FieldFilter("channel", "==", channel))
        if not kinds:
            return self._count(query)
        return sum(self._count(query.where(filter=FieldFilter("kind", "in", list(kinds[i : i + IN_LIMIT]))))
                   for i in range(0, len(kinds), IN_LIMIT))  # fmt: skip

    @_unavailable_on_error
    def sent_between(self, first: date, last: date) -> list[LedgerEntry]:
        # One range on one field (no composite index needed); the state is checked here.
        query = (
            self.client.collection(LEDGER)
            .where(filter=FieldFilter("business_day", ">=", first.isoformat()))
            .where(filter=FieldFilter("business_day", "<=", last.isoformat()))
        )
        found = [entry_from(s.to_dict()) for s in query.stream(**self._call())]
        return sorted((e for e in found if e.state == SENT), key=lambda e: (e.business_day, e.key))

    @_unavailable_on_error
    def unconfirmed(self) -> list[LedgerEntry]:
        pending = [RESERVED, QUEUED, FAILED, UNCERTAIN]
        query = self.client.collection(LEDGER).where(filter=FieldFilter("state", "in", pending))
        entries = [entry_from(s.to_dict()) for s in query.stream(**self._call())]
        return sorted(entries, key=lambda e: (e.reserved_at is None, e.reserved_at or datetime.min, e.key))

    # ---- opt-outs and reports --------------------------------------------------------------

    @_unavailable_on_error
    def record_opt_out(self, customer_id: str, at: datetime) -> None:
        # The first opt-out stays, like SQLite's INSERT OR IGNORE.
        self._create(
            self.client.collection(OPT_OUTS).document(document_id(customer_id)), {"customer_id": customer_id, "at": at}
        )

    @_unavailable_on_error
    def opt_outs(self) -> dict[str, datetime]:
        return {s.get("customer_id"): s.get("at") for s in self.client.collection(OPT_OUTS).stream(**self._call())}

    # ---- cases ------------------------------------------------------------------------------

    def _case_ref(self, case_id: str):
        return self.client.collection(CASES).document(document_id(case_id))

    def _event_fields(self, event: CaseEvent) -> dict[str, Any]:
        return {
            "case_id": event.case_id,
            "at": event.at,
            "kind": event.kind,
            "detail": json.dumps(event.detail, ensure_ascii=False, default=str),
            "seq": time.time_ns(),
        }

    @_unavailable_on_error
    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        from google.api_core.exceptions import AlreadyExists

        batch = self.client.batch()  # the case and its first event, together or not at all
        batch.create(self._case_ref(case.case_id), case_fields(case))
        batch.create(self._case_ref(case.case_id).collection(EVENTS).document(), self._event_fields(event))
        try:
            batch.commit(**self._call())
        except AlreadyExists:
            return False
        return True

    @_unavailable_on_error
    def case(self, case_id: str) -> CaseRecord | None:
        fields = self._fields(self._case_ref(case_id))
        return case_from_fields(fields) if fields else None

    @_unavailable_on_error
    def cases(self, open_only: bool = False) -> list[CaseRecord]:
        query = self.client.collection(CASES)
        if open_only:
            query = query.where(filter=FieldFilter("status", "in", [OPEN, IN_PROGRESS]))
        found = [case_from_fields(s.to_dict()) for s in query.stream(**self._call())]
        return sorted(found, key=lambda c: (c.created_at, c.case_id))

    @_unavailable_on_error
    def cases_by_id(self, case_ids: Iterable[str]) -> list[CaseRecord]:
        wanted = sorted(set(case_ids))
        found = []
        for start in range(0, len(wanted), GET_CHUNK):
            references = [self._case_ref(c) for c in wanted[start : start + GET_CHUNK]]
            found += [
                case_from_fields(s.to_dict()) for s in self.client.get_all(references, **self._call()) if s.exists
            ]
        return sorted(found, key=lambda c: (c.created_at, c.case_id))

    @_unavailable_on_error
    def cases_updated(self, since: datetime) -> list[CaseRecord]:
        query = self.client.collection(CASES).where(filter=FieldFilter("updated_at", ">=", since))
        return sorted((case_from_fields(s.to_dict()) for s in query.stream(**self._call())),
                      key=lambda c: (c.created_at, c.case_id))  # fmt: skip

    @_unavailable_on_error
    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        from google.cloud import firestore

        reference = self._case_ref(case_id)

        @firestore.transactional
        def update_in(transaction) -> None:
            if not reference.get(transaction=transaction).exists:
                raise KeyError(case_id)
            if changes:
                transaction.update(reference, dict(changes))
            transaction.create(reference.collection(EVENTS).document(), self._event_fields(event))

        update_in(self.client.transaction())

    @_unavailable_on_error
    def case_events(self, case_id: str) -> list[CaseEvent]:
        snapshots = self._case_ref(case_id).collection(EVENTS).stream(**self._call())
        rows = sorted((s.to_dict() for s in snapshots), key=lambda e: (e["at"], e["seq"]))
        return [CaseEvent(e["case_id"], e["at"], e["kind"], json.loads(e["detail"])) for e in rows]

    # ---- surveys ----------------------------------------------------------------------------

    def _survey_ref(self, survey_id: str):
        return self.client.collection(SURVEYS).document(document_id(survey_id))

    @_unavailable_on_error
    def create_survey(self, survey: Survey) -> bool:
        return self._create(self._survey_ref(survey.survey_id), survey_document(survey))

    @_unavailable_on_error
    def survey(self, survey_id: str) -> Survey | None:
        fields = self._fields(self._survey_ref(survey_id))
        return survey_from_fields(fields) if fields else None

    @_unavailable_on_error
    def surveys(self, since: datetime) -> list[Survey]:
        return self._sorted_surveys(
            self.client.collection(SURVEYS).where(filter=FieldFilter("created_at", ">=", since))
        )

    @_unavailable_on_error
    def surveys_answered(self, since: datetime) -> list[Survey]:
        query = self.client.collection(SURVEYS).where(filter=FieldFilter("answered_at", ">=", since))
        return self._sorted_surveys(query)

    @_unavailable_on_error
    def surveys_of(self, customer_ids: Iterable[str], since: datetime) -> list[Survey]:
        # Only the window is read, whatever a customer's history (index: customer_id, created_at).
        wanted = sorted(set(customer_ids))
        found = []
        for start in range(0, len(wanted), IN_LIMIT):
            chunk = wanted[start : start + IN_LIMIT]
            query = (
                self.client.collection(SURVEYS)
                .where(filter=FieldFilter("customer_id", "in", chunk))
                .where(filter=FieldFilter("created_at", ">=", since))
            )
            found += self._sorted_surveys(query)
        return sorted(found, key=lambda s: (s.created_at, s.survey_id))

    @_unavailable_on_error
    def count_surveys(self, since: datetime) -> int:
        return self._count(self.client.collection(SURVEYS).where(filter=FieldFilter("created_at", ">=", since)))

    def _sorted_surveys(self, query: Any) -> list[Survey]:
        return sorted((survey_from_fields(s.to_dict()) for s in query.stream(**self._call())),
                      key=lambda s: (s.created_at, s.survey_id))  # fmt: skip

    @_unavailable_on_error
    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        from google.cloud import firestore

        reference = self._survey_ref(survey_id)

        @firestore.transactional
        def append_in(transaction) -> Survey:
            snapshot = reference.get(transaction=transaction)
            if not snapshot.exists:
                raise KeyError(survey_id)
            survey = survey_from_fields(snapshot.to_dict())
            if len(survey.answers) >= limit:
                raise TooManyAnswers(survey_id)
            updated = dataclasses.replace(survey, answers=survey.answers + (answer,))
            transaction.update(
                reference, {"answers": [answer_fields(a) for a in updated.answers], "answered_at": answer.at}
            )
            return updated

        return append_in(self.client.transaction())

    @_unavailable_on_error
    def job_state(self, name: str) -> dict[str, Any]:
        fields = self._fields(self.client.collection(JOB_STATE).document(document_id(name)))
        return dict(fields.get("fields", {})) if fields else {}

    @_unavailable_on_error
    def save_job_state(self, name: str, fields: Mapping[str, Any]) -> None:
        from google.cloud import firestore

        if not fields:
            return
        # A merge: each named field is set (or removed, for None) and the others stay as they are.
        values = {k: firestore.DELETE_FIELD if v is None else v for k, v in fields.items()}
        reference = self.client.collection(JOB_STATE).document(document_id(name))
        reference.set({"fields": values}, merge=True, **self._call())

    @_unavailable_on_error
    def save_report(self, report: Mapping[str, Any]) -> None:
        from google.cloud import firestore

        # Random document ids (add()) spread writes; the body is JSON, trimmed to fit a document;
        # saved_at (the server's clock) orders reports even when runs share a --now.
        self.client.collection(REPORTS).add(
            {
                "job": report["job"],
                "at": report["now"],
                "body": fitted(report),
                "saved_at": firestore.SERVER_TIMESTAMP,
            },
            **self._call(),
        )

    @_unavailable_on_error
    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]:
        from google.cloud import firestore

        query = (
            self.client.collection(REPORTS)
            .where(filter=FieldFilter("job", "==", job))
            .order_by("saved_at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        return [json.loads(s.get("body")) for s in query.stream(**self._call())]
