"""The ports: one Protocol per outside service, and the plain data they exchange.

Jobs depend on these only; adapters implement them; tests swap in real local counterparts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping, Protocol, Sequence

from .cases import CaseEvent, CaseRecord
from .columns import ColumnSpec, TabSpec
from .survey.model import Answer, Survey


# ---- Sheet -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One tab as read: its header row and data rows (row i is sheet row i + 2)."""

    title: str
    header: list[Any]
    rows: list[list[Any]]

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2


@dataclass(frozen=True)
class RowWrite:
    """New values for one row, found by its ID when written (staff sort and insert rows).

    `row_id` is the ID the row had when read; None means the ID cell was blank, and the row is
    then found at `row_number` provided its ID cell is still blank. With `append`, a row whose
    ID is not in the tab (a new case, a new metric) goes below the last row instead; the check
    happens at write time, so two overlapping runs never add the same row twice.
    """

    row_number: int
    row_id: str | None
    values: Mapping[str, Any]  # column key → value; text is always written as text
    append: bool = False


@dataclass(frozen=True)
class TabWrite:
    tab: TabSpec
    id_column: ColumnSpec
    rows: Sequence[RowWrite]
    header_language: str = "vi"  # language of the headers of columns the write must create


class SheetUnavailable(RuntimeError):
    """The sheet cannot be read or written; the message says which one and what to do."""


class Sheet(Protocol):
    def read(self, tabs: Sequence[TabSpec]) -> dict[str, Table]:
        """Every requested tab in one call, keyed by TabSpec.key; a missing tab is absent."""

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        """Every change of a run in one call; returns the writes whose row is gone."""


class PreparableSheet(Sheet, Protocol):
    def prepare(self, layouts: Sequence[Any], language: str) -> list[str]:
        """`careloop setup-sheet`: add what is missing, move nothing; returns what it did."""


# ---- Store -------------------------------------------------------------------------------

RESERVED, SENT, FAILED = "reserved", "sent", "failed"


@dataclass(frozen=True)
class LedgerEntry:
    key: str  # idempotency key, e.g. "birthday/C-00042/2026"
    customer_id: str
    kind: str
    channel: str
    business_day: date  # the day the message counts against (one per customer per day)
    state: str = RESERVED
    reserved_at: datetime | None = None
    updated_at: datetime | None = None
    error: str = ""


@dataclass(frozen=True)
class LedgerFacts:
    """What the ledger knows that planning needs."""

    states: Mapping[str, str] = field(default_factory=dict)  # key → state, for the asked keys
    sent_at: Mapping[str, datetime] = field(default_factory=dict)  # key → when confirmed, for sent ones
    contacted_today: frozenset[str] = frozenset()  # customer IDs holding a reservation today
    reserved_today: int = 0  # messages reserved today, for the daily cap


class JobCannotRun(RuntimeError):
    """A job could not run at all (a tab missing, no usable escalation matrix); nothing was done."""


class StoreUnavailable(RuntimeError):
    """The store cannot be reached: nothing may be sent."""


class Store(Protocol):
    def reserve(self, entry: LedgerEntry) -> bool:
        """Atomically create the entry; False when its key exists already (never overwrites)."""

    def reserve_many(self, entries: Sequence[LedgerEntry]) -> set[str]:
        """Reserve each entry on its own (one taken key never fails another); the keys won."""

    def confirm(self, key: str, at: datetime) -> None:
        """Mark sent; a key that is not in the ledger (released meanwhile) is left alone."""

    def confirm_many(self, keys: Sequence[str], at: datetime) -> None: ...

    def fail(self, key: str, error: str, at: datetime) -> None: ...

    def release(self, key: str) -> bool:
        """Forget an unconfirmed or failed reservation so a later run sends it again."""

    def entry(self, key: str) -> LedgerEntry | None: ...

    def facts(self, keys: Iterable[str], day: date) -> LedgerFacts: ...

    def unconfirmed(self) -> list[LedgerEntry]: ...

    def record_opt_out(self, customer_id: str, at: datetime) -> None: ...

    def opt_outs(self) -> dict[str, datetime]: ...

    # Cases: a record per complaint and its append-only history.
    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        """Atomically create the case with its first event; False when the Case ID exists."""

    def case(self, case_id: str) -> CaseRecord | None: ...

    def cases(self, open_only: bool = False) -> list[CaseRecord]: ...

    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        """Apply the field changes and append the event, together or not at all."""

    def case_events(self, case_id: str) -> list[CaseEvent]: ...

    # Surveys: one per customer and occasion, with its answers.
    def create_survey(self, survey: Survey) -> bool:
        """Atomically create the survey; False when it exists (the existing one stands)."""

    def survey(self, survey_id: str) -> Survey | None: ...

    def surveys(self, since: datetime) -> list[Survey]:
        """Surveys created at or after `since`, oldest first."""

    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        """Append an answer atomically; raises TooManyAnswers past `limit`, KeyError for no survey."""

    def save_report(self, report: Mapping[str, Any]) -> None: ...

    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]: ...


# ---- Channel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingMessage:
    key: str
    channel: str
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    language: str


class TransientDeliveryError(RuntimeError):
    """Worth trying again soon (SMTP 4xx, a dropped connection, HTTP 5xx)."""


class PermanentDeliveryError(RuntimeError):
    """Will not work as is (SMTP 5xx: unknown mailbox, rejected sender)."""


class Channel(Protocol):
    def deliver(self, message: OutgoingMessage) -> None: ...

    def close(self) -> None: ...
