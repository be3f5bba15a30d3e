"""Everything Firestore holds about one customer: shown on request, and erased on request (what goes
and what stays is `core.privacy`'s). Firestore keeps no old version of a field once it is written
over or deleted, so an erased field is gone. A customer's records are found by their `customer_id`
field (one equality filter each: no index needed); a report by the customers it names (an
array-contains filter), a short link by its target; the job states that may hold personal data, and
the webhook events not yet taken, are read and rewritten without the personal strings. What an
erasure reads follows what is kept about the customer, never the history behind them; its commits
are cut by writes and bytes (`commit_batches`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from functions.adapters.stores.firestore.database import (
    FieldFilter,
    FirestorePort,
    commit_batches,
    unavailable_on_error,
)
from functions.adapters.stores.firestore.documents import (
    CASES,
    EVENTS,
    INBOUND_EVENTS,
    JOB_STATE,
    LEDGER,
    OPT_OUTS,
    REPORTS,
    SHORT_LINKS,
    SURVEYS,
    UNDELIVERED_REPORTS,
    VOUCHERS,
    document_id,
    entry_from,
    survey_document,
    voucher_document,
)
from functions.core.cases import case_fields, case_from_fields
from functions.core.privacy import (
    NOT_PERSONAL_STATES,
    PHONE,
    erased_case,
    erased_entry,
    erased_survey,
    erased_voucher,
    own_texts,
    scrubbed,
)
from functions.core.surveys import survey_from_fields
from functions.core.vouchers import voucher_from_fields

Write = tuple[Any, dict[str, Any] | None]  # a document and its new fields; None: deleted


class FirestoreCustomerData(FirestorePort):
    @unavailable_on_error
    def customer_records(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        cases = self._of(CASES, customer_id)
        surveys = self._of(SURVEYS, customer_id)
        events = [
            {**e.to_dict(), "detail": json.loads(e.get("detail") or "{}")}
            for case in cases
            for e in self._collection(CASES)
            .document(document_id(case["case_id"]))
            .collection(EVENTS)
            .stream(**self.db.call())
        ]
        targets = [customer_id, *(s["survey_id"] for s in surveys)]
        links = [s.to_dict() for s in self._collection(SHORT_LINKS).where(
            filter=FieldFilter("target", "in", targets[:30])).stream(**self.db.call())]  # fmt: skip
        opt_out = self._collection(OPT_OUTS).document(document_id(customer_id)).get(**self.db.call())
        return _plain({
            "ledger": self._of(LEDGER, customer_id), "surveys": surveys, "cases": cases, "case_events": events,
            "vouchers": self._of(VOUCHERS, customer_id), "opt_out": [opt_out.to_dict()] if opt_out.exists else [],
            "undelivered": self._of(UNDELIVERED_REPORTS, customer_id), "short_links": links,
        })  # fmt: skip

    @unavailable_on_error
    def erase_customer(self, customer_id: str, personal: Sequence[str], at: datetime) -> dict[str, int]:
        cases, surveys = self._snapshots(CASES, customer_id), self._snapshots(SURVEYS, customer_id)  # read once
        personal = (*personal, *own_texts([case_from_fields(c.to_dict()) for c in cases],
                                          [survey_from_fields(s.to_dict()) for s in surveys]))  # fmt: skip
        writes = self._record_writes(customer_id, personal, at, cases, surveys)
        changed = {name: sum(1 for ref, _ in writes if ref.parent.id == collection)
                   for name, collection in (("ledger", LEDGER), ("surveys", SURVEYS), ("cases", CASES),
                                            ("vouchers", VOUCHERS), ("short_links", SHORT_LINKS))}  # fmt: skip
        changed["reports"] = self._scrub_reports(customer_id, personal, writes)
        changed["job_state"] = self._scrub_states(customer_id, personal, writes)
        self._commit(writes)
        return changed

    def _record_writes(
        self, customer_id: str, personal: Sequence[str], at: datetime, cases: list[Any], surveys: list[Any]
    ) -> list[Write]:
        """(document, its new fields; None: deleted) for each of the customer's records."""
        writes: list[Write] = []
        for snapshot in self._snapshots(LEDGER, customer_id):
            entry = erased_entry(entry_from(snapshot.to_dict()))
            writes.append((snapshot.reference, {"error": entry.error, "attempts": list(entry.attempts)}))
        for snapshot in surveys:  # written over whole: with the expiry it had
            survey = erased_survey(survey_from_fields(snapshot.to_dict()))
            writes.append((snapshot.reference, self.db.expiring(survey_document(survey), survey.created_at)))
        for snapshot in cases:
            case = erased_case(case_from_fields(snapshot.to_dict()), at)
            expiry = {"expire_at": snapshot.get("expire_at")} if snapshot.to_dict().get("expire_at") else {}
            writes.append((snapshot.reference, {**case_fields(case), **expiry}))
            for event in snapshot.reference.collection(EVENTS).stream(**self.db.call()):
                detail = scrubbed(json.loads(event.get("detail") or "{}"), personal)
                writes.append((event.reference, {"detail": json.dumps(detail, ensure_ascii=False)}))
        vouchers = self._snapshots(VOUCHERS, customer_id)
        writes += [(v.reference, voucher_document(erased_voucher(voucher_from_fields(v.to_dict())))) for v in vouchers]
        writes += [(s.reference, None) for s in self._snapshots(UNDELIVERED_REPORTS, customer_id)]
        writes += [(s.reference, None) for s in self._short_links(customer_id, surveys, personal)]
        return writes

    def _short_links(self, customer_id: str, surveys: list[Any], personal: Sequence[str]) -> list[Any]:
        """Their short links, each found by its target: their surveys', their unsubscribe page's (their
        ID), a phone of theirs to dial ("+84… 2026-11-25"); never the whole collection."""
        links = self._collection(SHORT_LINKS)
        targets = [customer_id, *(str(s.get("survey_id")) for s in surveys)]
        found = {s.id: s for start in range(0, len(targets), 30)  # an "in" filter takes 30 values
                 for s in links.where(filter=FieldFilter("target", "in", targets[start:start + 30]))
                 .stream(**self.db.call())}  # fmt: skip
        for phone in {p for p in personal if PHONE.fullmatch(p)}:
            query = links.where(filter=FieldFilter("target", ">=", phone)).where(
                filter=FieldFilter("target", "<", phone + "\uf8ff")
            )
            found |= {s.id: s for s in query.stream(**self.db.call())}
        return list(found.values())

    def _commit(self, writes: list[Write]) -> None:
        """In batches of at most COMMIT_WRITES writes and about COMMIT_BYTES (Firestore takes 500 writes
        and 10 MiB a commit; gRPC 4 MiB a message)."""
        for part in commit_batches(writes, lambda write: len(json.dumps(write[1], default=str)) if write[1] else 0):
            batch = self.db.client.batch()
            for reference, fields in part:
                if fields is None:
                    batch.delete(reference)
                elif reference.parent.id in (LEDGER, EVENTS):
                    batch.update(reference, fields)
                else:
                    batch.set(reference, fields)
            batch.commit(**self.db.call())

    def _scrub_reports(self, customer_id: str, personal: Sequence[str], writes: list[Write]) -> int:
        """The reports that name the customer (and those kept before reports said whom they name), and
        the webhook events not yet taken (a taken one keeps no body), rewritten without their data."""
        reports, count = self._collection(REPORTS), 0
        first = list(reports.order_by("indexed").limit(1).stream(**self.db.call()))
        older = reports.where(filter=FieldFilter("saved_at", "<", first[0].get("saved_at"))) if first else reports
        queries = [reports.where(filter=FieldFilter("customers", "array_contains", customer_id)), older,
                   self._collection(INBOUND_EVENTS).where(filter=FieldFilter("taken", "==", False))]  # fmt: skip
        for query in queries:
            for snapshot in query.stream(**self.db.call()):
                text = snapshot.get("body") or ""
                try:
                    body = json.loads(text) if text else text
                except ValueError:
                    continue
                cleaned = scrubbed(body, personal)
                if cleaned != body:
                    writes.append(
                        (snapshot.reference, {**snapshot.to_dict(), "body": json.dumps(cleaned, ensure_ascii=False)})
                    )
                    count += 1
        return count

    def _scrub_states(
        self, customer_id: str, personal: Sequence[str], writes: list[tuple[Any, dict[str, Any] | None]]
    ) -> int:
        from google.cloud.firestore_v1.field_path import FieldPath

        count, states = 0, self._collection(JOB_STATE)
        skipped = states.document(document_id(NOT_PERSONAL_STATES))  # the digests of the Cases rows: not read
        before = states.where(filter=FieldFilter(FieldPath.document_id(), "<", skipped))
        after = states.where(filter=FieldFilter(FieldPath.document_id(), ">", states.document(skipped.id + "\uf8ff")))
        for snapshot in (*before.stream(**self.db.call()), *after.stream(**self.db.call())):
            state = snapshot.to_dict()  # {"fields": {...}}: what maps to the customer goes (a Zalo user → them)
            fields = state.get("fields", {})
            cleaned = {**state, "fields": scrubbed({k: v for k, v in fields.items() if v != customer_id}, personal)}
            if cleaned != state:
                writes.append((snapshot.reference, cleaned))
                count += 1
        return count

    def _collection(self, name: str) -> Any:
        return self.db.client.collection(name)

    def _snapshots(self, collection: str, customer_id: str) -> list[Any]:
        query = self._collection(collection).where(filter=FieldFilter("customer_id", "==", customer_id))
        return list(query.stream(**self.db.call()))

    def _of(self, collection: str, customer_id: str) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self._snapshots(collection, customer_id)]


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))
