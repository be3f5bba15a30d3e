"""The store in one process's memory, for the unit tier: one class per port, as the SQLite and
Firestore backends have, and `MemoryStore` handing them out. It passes the same contract suite."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from functions.core.cases import RESOLVED, CaseEvent, CaseRecord
from functions.core.inbound import InboundEvent
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
from functions.core.privacy import (
    erased_case,
    erased_entry,
    erased_event,
    erased_survey,
    erased_voucher,
    own_texts,
    scrubbed,
)
from functions.core.replies import HeardReply
from functions.core.short_links import ShortLink
from functions.core.surveys import Answer, Survey, with_answer
from functions.core.vouchers import Voucher


class MemorySurveys:
    def __init__(self) -> None:
        self.records: dict[str, Survey] = {}
        self.links: dict[str, ShortLink] = {}

    def create_survey(self, survey: Survey) -> bool:
        if survey.survey_id in self.records:
            return False
        self.records[survey.survey_id] = survey
        return True

    def survey(self, survey_id: str) -> Survey | None:
        return self.records.get(survey_id)

    def surveys(self, since: datetime) -> list[Survey]:
        return self._made(since)

    def _made(self, since: datetime | None) -> list[Survey]:
        recent = [s for s in self.records.values() if since is None or s.created_at >= since]
        return sorted(recent, key=lambda s: (s.created_at, s.survey_id))

    def surveys_answered(self, since: datetime) -> list[Survey]:
        return [s for s in self._made(None) if s.latest and s.latest.at >= since]

    def surveys_of(self, customer_ids: Iterable[str], since: datetime) -> list[Survey]:
        wanted = set(customer_ids)
        return [s for s in self._made(since) if s.customer_id in wanted]

    def count_surveys(self, since: datetime) -> int:
        return len(self._made(since))

    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        self.records[survey_id] = survey = with_answer(self.records[survey_id], answer, limit)  # KeyError: no survey
        return survey

    def save_short_links(self, links: Sequence[ShortLink]) -> None:
        for link in links:
            self.links.setdefault(link.code, link)

    def short_link(self, code: str) -> ShortLink | None:
        return self.links.get(code)


class MemoryLedger:
    def __init__(self, surveys: MemorySurveys) -> None:
        self.entries: dict[str, LedgerEntry] = {}
        self.surveys = surveys  # a message's survey is made with its reservation

    def reserve(self, entry: LedgerEntry) -> bool:
        return entry.key in self.reserve_many([entry])

    def reserve_many(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey] | None = None) -> set[str]:
        won = set()
        for entry in entries:
            if entry.key not in self.entries:
                self.entries[entry.key] = dataclasses.replace(entry, updated_at=entry.reserved_at)
                won.add(entry.key)
                if surveys and entry.key in surveys:
                    self.surveys.create_survey(surveys[entry.key])
        return won

    def claim(self, done: str | None, at: datetime, key: str) -> bool:
        if done is not None:
            self.confirm(done, at)
        if key not in self.entries or self.entries[key].state != QUEUED:
            return False
        self.entries[key] = dataclasses.replace(self.entries[key], state=RESERVED, updated_at=at)
        return True

    def confirm(self, key: str, at: datetime) -> None:
        self.confirm_many([key], at)

    def advance(
        self, done: str | None, at: datetime, following: LedgerEntry | None, survey: Survey | None = None
    ) -> bool:
        if done is not None:
            self.confirm(done, at)
        won = following is not None and self.reserve(following)
        if won and survey is not None:
            self.surveys.create_survey(survey)
        return won

    def confirm_many(self, keys: Sequence[str], at: datetime) -> None:
        for key in keys:
            self._set(key, SENT, at, "")

    def fail(self, key: str, error: str, at: datetime) -> None:
        self._set(key, FAILED, at, error)

    def doubt(self, key: str, reason: str, at: datetime) -> None:
        self._set(key, UNCERTAIN, at, reason)

    def _set(self, key: str, state: str, at: datetime, error: str) -> None:
        if key in self.entries:  # released meanwhile: left alone
            self.entries[key] = dataclasses.replace(self.entries[key], state=state, updated_at=at, error=error)

    def release(self, key: str, force: bool = False) -> bool:
        if key in self.entries and self.entries[key].state in releasable(force):
            del self.entries[key]
            return True
        return False

    def record_attempt(self, key: str, failed: str, channel: str, at: datetime) -> None:
        if key in self.entries:
            old = self.entries[key]
            self.entries[key] = dataclasses.replace(
                old, channel=channel, updated_at=at, attempts=old.attempts + (failed,)
            )

    def entry(self, key: str) -> LedgerEntry | None:
        return self.entries.get(key)

    def facts(self, keys: Iterable[str], day: date, customers: Iterable[str] | None = None) -> LedgerFacts:
        asked = [self.entries[k] for k in keys if k in self.entries]
        today = [e.customer_id for e in self.entries.values() if e.business_day == day]
        wanted = set(customers) if customers is not None else set()
        return LedgerFacts(
            {e.key: e.state for e in asked},
            {e.key: e.updated_at for e in asked if e.state == SENT and e.updated_at},
            {e.key: e.channel for e in asked if e.state == SENT and e.updated_at},
            {e.key: e.attempts for e in asked if e.state == SENT and e.attempts},
            frozenset(c for c in today if c in wanted),
            len(today) if customers is not None else 0,
            {
                e.key: e.updated_at or e.reserved_at
                for e in asked
                if e.state == RESERVED and (e.updated_at or e.reserved_at)
            },
            {c: n for c, n in Counter(today).items() if c in wanted and n > 1},
        )

    def count_sent(self, first: date, last: date, kinds: Sequence[str] = (), channel: str = "") -> int:
        return sum(1 for e in self.sent_between(first, last)
                   if (not kinds or e.kind in kinds) and (not channel or e.channel == channel))  # fmt: skip

    def sent_between(self, first: date, last: date) -> list[LedgerEntry]:
        found = [e for e in self.entries.values() if e.state == SENT and first <= e.business_day <= last]
        return sorted(found, key=lambda e: (e.business_day, e.key))

    def unconfirmed(self) -> list[LedgerEntry]:
        pending = [e for e in self.entries.values() if e.state in (RESERVED, QUEUED, FAILED, UNCERTAIN)]
        return sorted(pending, key=lambda e: (e.reserved_at.isoformat() if e.reserved_at else "", e.key))


class MemoryDeliveryReports:
    def __init__(self) -> None:
        self.undelivered_reports: dict[str, DeliveryReport] = {}

    def record_delivery(self, report: DeliveryReport) -> None:
        if report.status == UNDELIVERED:
            self.undelivered_reports[report.key] = report
        else:
            self.undelivered_reports.pop(report.key, None)

    def undelivered(self, since: datetime) -> list[DeliveryReport]:
        return sorted((r for r in self.undelivered_reports.values() if r.at >= since), key=lambda r: (r.at, r.key))


class MemoryInboundEvents:
    def __init__(self) -> None:
        self.records: dict[str, tuple[InboundEvent, datetime | None]] = {}

    def record_event(self, event: InboundEvent) -> bool:
        if event.event_id in self.records:
            return False
        self.records[event.event_id] = (event, None)
        return True

    def pending_events(self, limit: int) -> list[InboundEvent]:
        pending = [e for e, taken in self.records.values() if taken is None]
        return sorted(pending, key=lambda e: (e.received_at, e.event_id))[:limit]

    def events_taken(self, event_ids: Sequence[str], at: datetime) -> None:
        for event_id in event_ids:
            if event_id in self.records and self.records[event_id][1] is None:
                self.records[event_id] = (self.records[event_id][0]._replace(body=""), at)


class MemoryReplies:
    def __init__(self) -> None:
        self.records: dict[str, HeardReply] = {}

    def record_replies(self, replies: Sequence[HeardReply]) -> None:
        for reply in replies:
            self.records.setdefault(reply.reply_id, reply)

    def replies_between(self, first: date, last: date) -> list[HeardReply]:
        return sorted((r for r in self.records.values() if first <= r.day <= last), key=lambda r: (r.day, r.reply_id))

    def count_replies(self, first: date, last: date, kinds: Sequence[str]) -> int:
        return sum(1 for r in self.replies_between(first, last) if r.kind in kinds)


class MemoryOptOuts:
    def __init__(self) -> None:
        self.opted_out: dict[str, datetime] = {}

    def record_opt_out(self, customer_id: str, at: datetime) -> None:
        self.opted_out.setdefault(customer_id, at)

    def opt_outs(self) -> dict[str, datetime]:
        return dict(self.opted_out)


class MemoryCases:
    def __init__(self) -> None:
        self.records: dict[str, CaseRecord] = {}
        self.events: list[CaseEvent] = []

    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        if case.case_id in self.records:
            return False
        self.records[case.case_id] = case
        self.events.append(event)
        return True

    def case(self, case_id: str) -> CaseRecord | None:
        return self.records.get(case_id)

    def cases(self, open_only: bool = False) -> list[CaseRecord]:
        return _in_order(c for c in self.records.values() if not open_only or c.status != RESOLVED)

    def cases_by_id(self, case_ids: Iterable[str]) -> list[CaseRecord]:
        return _in_order(self.records[c] for c in set(case_ids) if c in self.records)

    def cases_updated(self, since: datetime) -> list[CaseRecord]:
        return _in_order(c for c in self.records.values() if (c.updated_at or c.created_at) >= since)

    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        self.records[case_id] = self.records[case_id].changed(**changes)  # KeyError for no case
        self.events.append(event)

    def case_events(self, case_id: str) -> list[CaseEvent]:
        return [e for e in self.events if e.case_id == case_id]


def _in_order(cases: Iterable[CaseRecord]) -> list[CaseRecord]:
    return sorted(cases, key=lambda c: (c.created_at, c.case_id))


class MemoryVouchers:
    def __init__(self) -> None:
        self.records: dict[str, Voucher] = {}

    def voucher(self, code: str) -> Voucher | None:
        return self.records.get(code)

    def issue_voucher(self, voucher: Voucher) -> Voucher:
        return self.records.setdefault(voucher.code, voucher)

    def vouchers(self, issued_since: date) -> list[Voucher]:
        found = [v for v in self.records.values() if v.issued >= issued_since]
        return sorted(found, key=lambda v: (v.issued, v.code))

    def count_vouchers(self, first: date, last: date, by: str = "issued") -> int:
        def counted(v: Voucher) -> bool:
            if by == "used_on":
                return v.used_on is not None and first <= v.used_on <= last
            return first <= v.issued <= last and (by != "issued_used" or v.used_on is not None)

        return sum(1 for v in self.records.values() if counted(v))

    def set_voucher_used(self, code: str, day: date | None) -> None:
        if code in self.records:
            self.records[code] = self.records[code]._replace(used_on=day)


class MemoryCredentials:
    def __init__(self) -> None:
        self.records: dict[str, StoredCredential] = {}

    def credential(self, name: str) -> StoredCredential | None:
        return self.records.get(name)

    def swap_credential(self, name: str, version: int, fields: Mapping[str, str]) -> bool:
        stored = self.records.get(name)
        if (stored.version if stored else 0) != version:
            return False
        self.records[name] = StoredCredential(version + 1, dict(fields))
        return True


class MemoryJobState:
    """Kept as JSON would keep it: what a run saves comes back as a later run would read it."""

    def __init__(self) -> None:
        self.saved_reports: list[dict[str, Any]] = []
        self.states: dict[str, dict[str, Any]] = {}

    def save_report(self, report: Mapping[str, Any]) -> None:
        self.saved_reports.append(json.loads(json.dumps(report, ensure_ascii=False, default=str)))

    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]:
        return [r for r in reversed(self.saved_reports) if r["job"] == job][:limit]

    def job_state(self, name: str) -> dict[str, Any]:
        return json.loads(json.dumps(self.states.get(name, {})))

    def save_job_state(self, name: str, fields: Mapping[str, Any]) -> None:
        merged = {**self.states.get(name, {}), **json.loads(json.dumps(fields))}
        self.states[name] = {k: v for k, v in merged.items() if v is not None}


class MemoryCustomerData:
    """Over the other memory ports, as the SQLite and Firestore adapters are over their tables."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def customer_records(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        s = self.store
        cases = [c for c in s.cases.records.values() if c.customer_id == customer_id]
        surveys = [v for v in s.surveys.records.values() if v.customer_id == customer_id]
        plain = json.loads(json.dumps({
            "ledger": [dataclasses.asdict(e) for e in s.ledger.entries.values() if e.customer_id == customer_id],
            "surveys": [dataclasses.asdict(v) for v in surveys],
            "cases": [dataclasses.asdict(c) for c in cases],
            "case_events": [dataclasses.asdict(e) for e in s.cases.events if e.case_id in {c.case_id for c in cases}],
            "vouchers": [v._asdict() for v in s.vouchers.records.values() if v.customer_id == customer_id],
            "opt_out": [{"customer_id": customer_id, "at": at} for c, at in s.opt_outs.opted_out.items()
                        if c == customer_id],
            "undelivered": [r._asdict() for r in s.delivery_reports.undelivered_reports.values()
                            if r.customer_id == customer_id],
            "short_links": [dataclasses.asdict(link) for link in s.surveys.links.values()
                            if link.target in {customer_id, *(v.survey_id for v in surveys)}],
        }, default=str))  # fmt: skip
        return plain

    def erase_customer(self, customer_id: str, personal: Sequence[str], at: datetime) -> dict[str, int]:
        s, changed = self.store, {}
        personal = (
            *personal,
            *own_texts(
                [c for c in s.cases.records.values() if c.customer_id == customer_id],
                [v for v in s.surveys.records.values() if v.customer_id == customer_id],
            ),
        )
        entries = [k for k, e in s.ledger.entries.items() if e.customer_id == customer_id]
        for key in entries:
            s.ledger.entries[key] = erased_entry(s.ledger.entries[key])
        surveys = [i for i, v in s.surveys.records.items() if v.customer_id == customer_id]
        for survey_id in surveys:
            s.surveys.records[survey_id] = erased_survey(s.surveys.records[survey_id])
        cases = [i for i, c in s.cases.records.items() if c.customer_id == customer_id]
        for case_id in cases:
            s.cases.records[case_id] = erased_case(s.cases.records[case_id], at)
        s.cases.events = [erased_event(e, personal) if e.case_id in cases else e for e in s.cases.events]
        vouchers = [c for c, v in s.vouchers.records.items() if v.customer_id == customer_id]
        for code in vouchers:
            s.vouchers.records[code] = erased_voucher(s.vouchers.records[code])
        undelivered = [k for k, r in s.delivery_reports.undelivered_reports.items() if r.customer_id == customer_id]
        for key in undelivered:
            del s.delivery_reports.undelivered_reports[key]
        targets = {customer_id, *surveys}
        links = [c for c, link in s.surveys.links.items()
                 if link.target in targets or any(p in link.target for p in personal)]  # fmt: skip
        for code in links:
            del s.surveys.links[code]
        s.job_state.saved_reports = [scrubbed(r, personal) for r in s.job_state.saved_reports]
        s.job_state.states = {name: scrubbed({k: v for k, v in state.items() if v != customer_id}, personal)
                              for name, state in s.job_state.states.items()}  # fmt: skip
        changed.update(ledger=len(entries), surveys=len(surveys), cases=len(cases), vouchers=len(vouchers),
                       undelivered=len(undelivered), short_links=len(links))  # fmt: skip
        return changed


class MemoryRetention:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def delete_expired(self, before: datetime) -> dict[str, int]:
        s, deleted = self.store, {}

        def drop(records: dict[Any, Any], old: Any) -> int:
            gone = [k for k, v in records.items() if old(v)]
            for k in gone:
                del records[k]
            return len(gone)

        deleted["ledger"] = drop(s.ledger.entries, lambda e: e.business_day < before.date())
        deleted["surveys"] = drop(s.surveys.records, lambda v: v.created_at < before)
        deleted["replies"] = drop(s.replies.records, lambda r: r.day < before.date())
        deleted["short_links"] = drop(s.surveys.links, lambda link: link.expires_at < before)
        deleted["undelivered"] = drop(s.delivery_reports.undelivered_reports, lambda r: r.at < before)
        deleted["vouchers"] = drop(s.vouchers.records, lambda v: v.issued < before.date())
        deleted["cases"] = drop(
            s.cases.records, lambda c: c.status == RESOLVED and (c.updated_at or c.created_at) < before
        )
        s.cases.events = [e for e in s.cases.events if e.case_id in s.cases.records]
        kept = [r for r in s.job_state.saved_reports if datetime.fromisoformat(r["now"]) >= before]
        deleted["reports"], s.job_state.saved_reports = len(s.job_state.saved_reports) - len(kept), kept
        return {kind: n for kind, n in deleted.items() if n}


class MemoryStore:
    """Hands out the ports in memory, as `SqliteStore` and `FirestoreStore` do theirs."""

    def __init__(self) -> None:
        self.surveys = MemorySurveys()
        self.ledger = MemoryLedger(self.surveys)
        self.delivery_reports = MemoryDeliveryReports()
        self.inbound_events = MemoryInboundEvents()
        self.replies = MemoryReplies()
        self.customer_data = MemoryCustomerData(self)
        self.retention = MemoryRetention(self)
        self.opt_outs = MemoryOptOuts()
        self.cases = MemoryCases()
        self.vouchers = MemoryVouchers()
        self.credentials = MemoryCredentials()
        self.job_state = MemoryJobState()
