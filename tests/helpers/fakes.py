"""In-memory fakes of the ports, for the unit tier. Each behaves as the real adapters do where a job
can tell: the sheet finds rows by ID at write time, the store reserves each key once and keeps
reports as JSON would. `MemoryStore` passes the same contract suite as SQLite and Firestore."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from functions.adapters.sheets.placement import place
from functions.core.cases import RESOLVED, CaseEvent, CaseRecord
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
from functions.core.messages import OutgoingMessage
from functions.core.sheet_schema import TabSpec, find_tab
from functions.core.short_links import ShortLink
from functions.core.surveys import Answer, Survey, TooManyAnswers
from functions.core.tables import RowWrite, Table, TabWrite
from functions.core.vouchers import Voucher


class MemorySheet:
    """The Sheet port in memory, with the same find-by-ID semantics as the real adapters."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables  # keyed by tab title
        self.reads = 0
        self.writes: list[list[TabWrite]] = []

    def read(self, tabs: Sequence[TabSpec]) -> dict[str, Table]:
        self.reads += 1
        found = {}
        for spec in tabs:
            title = find_tab(spec, list(self.tables))
            if title:
                t = self.tables[title]
                found[spec.key] = Table(t.title, list(t.header), [list(r) for r in t.rows])
        return found

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        self.writes.append(list(changes))
        missed = []
        for change in changes:
            table = self.tables[find_tab(change.tab, list(self.tables))]
            rows = table.rows
            placement = place(
                change, table.header, lambda at, rows=rows: [r[at] if at < len(r) else None for r in rows]
            )
            for _, title in placement.new_columns:
                table.header.append(title)
            for number, position, value in placement.cells:
                while len(table.rows) < number - 1:  # a new row below the last one
                    table.rows.append([])
                row = table.rows[number - 2]
                row.extend([None] * (position + 1 - len(row)))
                row[position] = value
            missed += placement.missed
        return missed

    def column(self, title: str) -> list[Any]:
        table = next(iter(self.tables.values()))
        at = table.header.index(title)
        return [r[at] if at < len(r) else None for r in table.rows]


@dataclass
class MemoryChannel:
    delivered: list[OutgoingMessage] = field(default_factory=list)
    closed: bool = False

    def deliver(self, message: OutgoingMessage) -> None:
        self.delivered.append(message)

    def close(self) -> None:
        self.closed = True


class MemoryStore:
    """The Store port in one process's memory."""

    def __init__(self) -> None:
        self.ledger: dict[str, LedgerEntry] = {}
        self.opted_out: dict[str, datetime] = {}
        self.case_records: dict[str, CaseRecord] = {}
        self.events: list[CaseEvent] = []
        self.survey_records: dict[str, Survey] = {}
        self.saved_reports: list[dict[str, Any]] = []
        self.undelivered_reports: dict[str, DeliveryReport] = {}
        self.links: dict[str, ShortLink] = {}
        self.credentials: dict[str, StoredCredential] = {}
        self.voucher_records: dict[str, Voucher] = {}
        self.states: dict[str, dict[str, Any]] = {}

    def reserve(self, entry: LedgerEntry) -> bool:
        return entry.key in self.reserve_many([entry])

    def reserve_many(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey] | None = None) -> set[str]:
        won = set()
        for entry in entries:
            if entry.key not in self.ledger:
                self.ledger[entry.key] = dataclasses.replace(entry, updated_at=entry.reserved_at)
                won.add(entry.key)
                if surveys and entry.key in surveys:
                    self.create_survey(surveys[entry.key])
        return won

    def claim(self, done: str | None, at: datetime, key: str) -> bool:
        if done is not None:
            self.confirm(done, at)
        if key not in self.ledger or self.ledger[key].state != QUEUED:
            return False
        self.ledger[key] = dataclasses.replace(self.ledger[key], state=RESERVED, updated_at=at)
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
            self.create_survey(survey)
        return won

    def confirm_many(self, keys: Sequence[str], at: datetime) -> None:
        for key in keys:
            self._set(key, SENT, at, "")

    def fail(self, key: str, error: str, at: datetime) -> None:
        self._set(key, FAILED, at, error)

    def doubt(self, key: str, reason: str, at: datetime) -> None:
        self._set(key, UNCERTAIN, at, reason)

    def _set(self, key: str, state: str, at: datetime, error: str) -> None:
        if key in self.ledger:  # released meanwhile: left alone
            self.ledger[key] = dataclasses.replace(self.ledger[key], state=state, updated_at=at, error=error)

    def release(self, key: str, force: bool = False) -> bool:
        if key in self.ledger and self.ledger[key].state in releasable(force):
            del self.ledger[key]
            return True
        return False

    def record_attempt(self, key: str, failed: str, channel: str, at: datetime) -> None:
        if key in self.ledger:
            old = self.ledger[key]
            self.ledger[key] = dataclasses.replace(
                old, channel=channel, updated_at=at, attempts=old.attempts + (failed,)
            )

    def record_delivery(self, report: DeliveryReport) -> None:
        if report.status == UNDELIVERED:
            self.undelivered_reports[report.key] = report
        else:
            self.undelivered_reports.pop(report.key, None)

    def undelivered(self, since: datetime) -> list[DeliveryReport]:
        return sorted((r for r in self.undelivered_reports.values() if r.at >= since), key=lambda r: (r.at, r.key))

    def save_short_links(self, links: Sequence[ShortLink]) -> None:
        for link in links:
            self.links.setdefault(link.code, link)

    def short_link(self, code: str) -> ShortLink | None:
        return self.links.get(code)

    def voucher(self, code: str) -> Voucher | None:
        return self.voucher_records.get(code)

    def issue_voucher(self, voucher: Voucher) -> Voucher:
        return self.voucher_records.setdefault(voucher.code, voucher)

    def vouchers(self, issued_since: date) -> list[Voucher]:
        found = [v for v in self.voucher_records.values() if v.issued >= issued_since]
        return sorted(found, key=lambda v: (v.issued, v.code))

    def count_vouchers(self, first: date, last: date, by: str = "issued") -> int:
        def counted(v: Voucher) -> bool:
            if by == "used_on":
                return v.used_on is not None and first <= v.used_on <= last
            return first <= v.issued <= last and (by != "issued_used" or v.used_on is not None)

        return sum(1 for v in self.voucher_records.values() if counted(v))

    def set_voucher_used(self, code: str, day: date | None) -> None:
        if code in self.voucher_records:
            self.voucher_records[code] = self.voucher_records[code]._replace(used_on=day)

    def credential(self, name: str) -> StoredCredential | None:
        return self.credentials.get(name)

    def swap_credential(self, name: str, version: int, fields: Mapping[str, str]) -> bool:
        stored = self.credentials.get(name)
        if (stored.version if stored else 0) != version:
            return False
        self.credentials[name] = StoredCredential(version + 1, dict(fields))
        return True

    def entry(self, key: str) -> LedgerEntry | None:
        return self.ledger.get(key)

    def facts(self, keys: Iterable[str], day: date, customers: Iterable[str] | None = None) -> LedgerFacts:
        asked = [self.ledger[k] for k in keys if k in self.ledger]
        today = [e.customer_id for e in self.ledger.values() if e.business_day == day]
        wanted = set(customers) if customers is not None else set()
        return LedgerFacts(
            {e.key: e.state for e in asked},
            {e.key: e.updated_at for e in asked if e.state == SENT and e.updated_at},
            {e.key: e.channel for e in asked if e.state == SENT and e.updated_at},
            {e.key: e.attempts for e in asked if e.state == SENT and e.attempts},
            frozenset(c for c in today if c in wanted),
            len(today) if customers is not None else 0,
        )

    def count_sent(self, first: date, last: date, kinds: Sequence[str] = (), channel: str = "") -> int:
        return sum(1 for e in self.sent_between(first, last)
                   if (not kinds or e.kind in kinds) and (not channel or e.channel == channel))  # fmt: skip

    def sent_between(self, first: date, last: date) -> list[LedgerEntry]:
        found = [e for e in self.ledger.values() if e.state == SENT and first <= e.business_day <= last]
        return sorted(found, key=lambda e: (e.business_day, e.key))

    def unconfirmed(self) -> list[LedgerEntry]:
        pending = [e for e in self.ledger.values() if e.state in (RESERVED, QUEUED, FAILED, UNCERTAIN)]
        return sorted(pending, key=lambda e: (e.reserved_at.isoformat() if e.reserved_at else "", e.key))

    def record_opt_out(self, customer_id: str, at: datetime) -> None:
        self.opted_out.setdefault(customer_id, at)

    def opt_outs(self) -> dict[str, datetime]:
        return dict(self.opted_out)

    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        if case.case_id in self.case_records:
            return False
        self.case_records[case.case_id] = case
        self.events.append(event)
        return True

    def case(self, case_id: str) -> CaseRecord | None:
        return self.case_records.get(case_id)

    def cases(self, open_only: bool = False) -> list[CaseRecord]:
        chosen = [c for c in self.case_records.values() if not open_only or c.status != RESOLVED]
        return sorted(chosen, key=lambda c: (c.created_at, c.case_id))

    def cases_by_id(self, case_ids: Iterable[str]) -> list[CaseRecord]:
        found = [self.case_records[c] for c in set(case_ids) if c in self.case_records]
        return sorted(found, key=lambda c: (c.created_at, c.case_id))

    def cases_updated(self, since: datetime) -> list[CaseRecord]:
        changed = [c for c in self.case_records.values() if (c.updated_at or c.created_at) >= since]
        return sorted(changed, key=lambda c: (c.created_at, c.case_id))

    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        self.case_records[case_id] = self.case_records[case_id].changed(**changes)  # KeyError for no case
        self.events.append(event)

    def case_events(self, case_id: str) -> list[CaseEvent]:
        return [e for e in self.events if e.case_id == case_id]

    def create_survey(self, survey: Survey) -> bool:
        if survey.survey_id in self.survey_records:
            return False
        self.survey_records[survey.survey_id] = survey
        return True

    def survey(self, survey_id: str) -> Survey | None:
        return self.survey_records.get(survey_id)

    def surveys(self, since: datetime) -> list[Survey]:
        return self._surveys_made(since)

    def _surveys_made(self, since: datetime | None) -> list[Survey]:
        recent = [s for s in self.survey_records.values() if since is None or s.created_at >= since]
        return sorted(recent, key=lambda s: (s.created_at, s.survey_id))

    def surveys_answered(self, since: datetime) -> list[Survey]:
        return [s for s in self._surveys_made(None) if s.latest and s.latest.at >= since]

    def surveys_of(self, customer_ids: Iterable[str], since: datetime) -> list[Survey]:
        wanted = set(customer_ids)
        return [s for s in self._surveys_made(since) if s.customer_id in wanted]

    def count_surveys(self, since: datetime) -> int:
        return len(self._surveys_made(since))

    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        survey = self.survey_records[survey_id]  # KeyError for no survey
        if len(survey.answers) >= limit:
            raise TooManyAnswers(survey_id)
        self.survey_records[survey_id] = survey = dataclasses.replace(survey, answers=survey.answers + (answer,))
        return survey

    def save_report(self, report: Mapping[str, Any]) -> None:
        self.saved_reports.append(json.loads(json.dumps(report, ensure_ascii=False, default=str)))

    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]:
        return [r for r in reversed(self.saved_reports) if r["job"] == job][:limit]

    def job_state(self, name: str) -> dict[str, Any]:
        return json.loads(json.dumps(self.states.get(name, {})))

    def save_job_state(self, name: str, fields: Mapping[str, Any]) -> None:
        merged = {**self.states.get(name, {}), **json.loads(json.dumps(fields))}
        self.states[name] = {k: v for k, v in merged.items() if v is not None}


class MemoryQueue:
    """The SendQueue port in memory: the batches published, per channel; refuses when told to."""

    def __init__(self, refuse: bool = False) -> None:
        self.batches: list[tuple[str, bytes]] = []
        self.refuse = refuse

    def publish(self, channel: str, batches: Sequence[bytes]) -> None:
        from functions.core.errors import QueueUnavailable

        if self.refuse:
            raise QueueUnavailable("Pub/Sub: 503 the service is unavailable")
        self.batches += [(channel, b) for b in batches]

    def missing(self, channels: Sequence[str]) -> list[str]:
        return list(channels) if self.refuse else []
