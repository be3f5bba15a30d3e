"""The ports: one Protocol per outside service, and one per kind of stored record (the message
ledger, delivery reports, events providers post, opt-outs, cases, surveys and their short links,
vouchers, credentials, a job's own state and reports); `Store` is what one backend opened from the `store` setting hands
out: each of those ports, sharing one file or database. The plain data they exchange lives in `core`.

Jobs depend on these only; adapters implement them; tests swap in real local counterparts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from functions.core.cases import CaseEvent, CaseRecord
from functions.core.inbound import InboundEvent
from functions.core.ledger import DeliveryReport, LedgerEntry, LedgerFacts, StoredCredential
from functions.core.messages import OutgoingMessage, RenderedMessage
from functions.core.replies import HeardReply, InboxBatch, InboxMark
from functions.core.sheet_schema import TabLayout, TabSpec
from functions.core.surveys import Answer, Survey
from functions.core.tables import RowWrite, Table, TabWrite

if TYPE_CHECKING:
    from functions.core.short_links import ShortLink
    from functions.core.staff_texts import Block
    from functions.core.vouchers import Voucher


class Sheet(Protocol):
    def read(self, tabs: Sequence[TabSpec], headers: Sequence[TabSpec] = ()) -> dict[str, Table]:
        """Every requested tab in one call, keyed by TabSpec.key; a missing tab is absent. Of the
        `headers` tabs, the header row alone (a run sets up what they lack)."""

    def write(self, changes: Sequence[TabWrite]) -> list[RowWrite]:
        """Every change of a run in one call; returns the writes whose row is gone. A change with a
        layout makes its tab when missing and adds the columns it lacks."""


class PreparableSheet(Sheet, Protocol):
    def prepare(self, layouts: Sequence[TabLayout], language: str) -> list[str]:
        """`careloop setup-sheet`: add what is missing, move nothing; returns what it did."""


class Ledger(Protocol):
    """The message ledger, the source of truth for "already sent": one entry per idempotency key."""

    def reserve(self, entry: LedgerEntry) -> bool:
        """Atomically create the entry; False when its key exists already (never overwrites)."""

    def reserve_many(self, entries: Sequence[LedgerEntry], surveys: Mapping[str, Survey] | None = None) -> set[str]:
        """Reserve each entry on its own (one taken key never fails another), in its state (RESERVED,
        or QUEUED for the send queue), with the survey it links to (`surveys` by key); the keys won."""

    def claim(self, done: str | None, at: datetime, key: str) -> bool:
        """In one round trip: confirm `done` and move the queued `key` to RESERVED; False when it is
        not queued (claimed by an earlier delivery of its batch, released, or sent)."""

    def confirm(self, key: str, at: datetime) -> None:
        """Mark sent; a key that is not in the ledger (released meanwhile) is left alone."""

    def confirm_many(self, keys: Sequence[str], at: datetime) -> None: ...

    def advance(
        self, done: str | None, at: datetime, following: LedgerEntry | None, survey: Survey | None = None
    ) -> bool:
        """In one round trip: confirm `done` (the message just sent) and reserve `following` (the
        next to send), creating the `survey` it links to when it is won (an existing one stands);
        whether `following` was won. So a crash leaves at most one message in doubt."""

    def fail(self, key: str, error: str, at: datetime) -> None: ...

    def doubt(self, key: str, reason: str, at: datetime) -> None:
        """Mark uncertain: the server may have accepted it; only a forced release sends it again."""

    def release(self, key: str, force: bool = False) -> bool:
        """Forget an unconfirmed or failed reservation so a later run sends it again (an uncertain
        one only with `force`)."""

    def record_attempt(self, key: str, failed: str, channel: str, at: datetime) -> None:
        """A channel failed the message for good: note it ("channel: why") among the entry's attempts and
        move the entry to `channel`, the next one tried under the same key."""

    def entry(self, key: str) -> LedgerEntry | None: ...

    def facts(self, keys: Iterable[str], day: date, customers: Iterable[str] | None = None) -> LedgerFacts:
        """What the ledger holds under the asked keys. With `customers`, also which of them hold a
        reservation on `day`, and how many reservations the day holds (counted, never read one by one)."""

    def count_sent(self, first: date, last: date, kinds: Sequence[str] = (), channel: str = "") -> int:
        """Messages confirmed sent whose business day is in [first, last] (of those kinds, by that channel)."""

    def unconfirmed(self) -> list[LedgerEntry]:
        """Entries reserved, queued, failed or uncertain, oldest reservation first."""

    def sent_between(self, first: date, last: date) -> list[LedgerEntry]:
        """Messages confirmed sent whose business day is in [first, last] (the weekly figures)."""


class DeliveryReports(Protocol):
    """What providers said later about messages they accepted (a text channel's status callbacks)."""

    def record_delivery(self, report: DeliveryReport) -> None:
        """The provider's later word on a message: an undelivered one is kept (for the row's note) until
        a delivered report replaces it."""

    def undelivered(self, since: datetime) -> list[DeliveryReport]:
        """Undelivered reports received at or after `since`, oldest first."""


class InboundEvents(Protocol):
    """Events a provider posted to a webhook, kept by the public function that answered at
    once, until the escalation run takes them."""

    def record_event(self, event: InboundEvent) -> bool:
        """Keep the event; False when one with its id was kept before (a replay), and nothing changes."""

    def pending_events(self, limit: int) -> list[InboundEvent]:
        """Events not yet taken, oldest first, at most `limit`."""

    def events_taken(self, event_ids: Sequence[str], at: datetime) -> None:
        """Taken: no longer pending. Their ids stay known (a replay is still refused), their bodies go."""


class Replies(Protocol):
    """Each reply heard (by email or through a channel's webhook), by kind and day only, for the
    Dashboard's and digest's counts."""

    def record_replies(self, replies: Sequence[HeardReply]) -> None:
        """Keep each; one already kept (by its id) stays as it was."""

    def replies_between(self, first: date, last: date) -> list[HeardReply]:
        """Replies heard on days in [first, last], in order of day and id."""

    def count_replies(self, first: date, last: date, kinds: Sequence[str]) -> int:
        """How many replies of these kinds were heard on days in [first, last]."""


class CustomerData(Protocol):
    """Everything one backend holds about a customer, across its records: the law's rights to see it
    and to have it erased (Law 91/2025/QH15). What goes and what stays is `core.privacy`'s."""

    def customer_records(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every record naming the customer, by kind (ledger, surveys, cases, case_events, vouchers,
        opt_out, undelivered, short_links), as plain JSON-able fields."""

    def erase_customer(self, customer_id: str, personal: Sequence[str], at: datetime) -> dict[str, int]:
        """Their personal data gone from their records (IDs, kinds, days, tiers and scores kept, so the
        figures add up), and `personal` (their name, addresses) scrubbed from every other record
        (reports, states); how many records of each kind changed."""


class Retention(Protocol):
    """Nothing kept forever: what is older than the business keeps records (retention_days) goes."""

    def delete_expired(self, before: datetime) -> dict[str, int]:
        """Ledger entries, surveys, replies heard, run reports, short links, delivery reports and resolved
        cases from before `before`, deleted now (a SQLite file); or left to the backend's own expiry
        (Firestore's TTL policies on each record's `expire_at`). How many of each kind went."""


class OptOuts(Protocol):
    """Customers who said no more messages (the unsubscribe link, a reply)."""

    def record_opt_out(self, customer_id: str, at: datetime) -> None: ...

    def opt_outs(self) -> dict[str, datetime]: ...


class Cases(Protocol):
    """A record per complaint and its append-only history."""

    def create_case(self, case: CaseRecord, event: CaseEvent) -> bool:
        """Atomically create the case with its first event; False when the Case ID exists."""

    def case(self, case_id: str) -> CaseRecord | None: ...

    def cases(self, open_only: bool = False) -> list[CaseRecord]: ...

    def cases_by_id(self, case_ids: Iterable[str]) -> list[CaseRecord]:
        """The cases of those IDs that exist, oldest first."""

    def cases_updated(self, since: datetime) -> list[CaseRecord]:
        """Cases changed at or after `since`: opened, answered, escalated or resolved since then."""

    def update_case(self, case_id: str, changes: Mapping[str, Any], event: CaseEvent) -> None:
        """Apply the field changes and append the event, together or not at all."""

    def case_events(self, case_id: str) -> list[CaseEvent]: ...


class Surveys(Protocol):
    """One survey per customer and occasion, with its answers, and the short links that open them."""

    def create_survey(self, survey: Survey) -> bool:
        """Atomically create the survey; False when it exists (the existing one stands)."""

    def survey(self, survey_id: str) -> Survey | None: ...

    def surveys(self, since: datetime) -> list[Survey]:
        """Surveys created at or after `since`, oldest first."""

    def surveys_answered(self, since: datetime) -> list[Survey]:
        """Surveys whose latest answer came at or after `since`, oldest first."""

    def surveys_of(self, customer_ids: Iterable[str], since: datetime) -> list[Survey]:
        """Those customers' surveys created at or after `since`, oldest first."""

    def count_surveys(self, since: datetime) -> int:
        """How many surveys were created at or after `since`."""

    def add_answer(self, survey_id: str, answer: Answer, limit: int) -> Survey:
        """Append an answer atomically; raises TooManyAnswers past `limit`, KeyError for no survey."""

    def save_short_links(self, links: Sequence[ShortLink]) -> None:
        """Store each link unless its code is stored already (the stored one stands)."""

    def short_link(self, code: str) -> ShortLink | None: ...


class Vouchers(Protocol):
    """Birthday vouchers: one per code, never issued twice."""

    def voucher(self, code: str) -> Voucher | None: ...

    def issue_voucher(self, voucher: Voucher) -> Voucher:
        """Store the voucher unless its code is stored already; the voucher stored under the code."""

    def vouchers(self, issued_since: date) -> list[Voucher]:
        """Vouchers issued on or after the day, oldest first."""

    def count_vouchers(self, first: date, last: date, by: str = "issued") -> int:
        """Vouchers issued in [first, last] ("issued"), of those the used ones ("issued_used"), or
        vouchers used in [first, last] ("used_on")."""

    def set_voucher_used(self, code: str, day: date | None) -> None:
        """Record the day staff marked the voucher used (None: they unmarked it)."""


class Credentials(Protocol):
    """Provider credentials that change as they are used (a single-use refresh token)."""

    def credential(self, name: str) -> StoredCredential | None: ...

    def swap_credential(self, name: str, version: int, fields: Mapping[str, str]) -> bool:
        """Store `fields` as version + 1 if the stored version is still `version` (0: nothing stored);
        False when another process changed it first."""


class JobState(Protocol):
    """A job's own bookmarks between runs (a watermark, figures already worked out: small JSON
    values), and the reports its runs leave."""

    def job_state(self, name: str) -> dict[str, Any]: ...

    def save_job_state(self, name: str, fields: Mapping[str, Any]) -> None:
        """Merge `fields` into the named state; a field given as None is removed."""

    def save_report(self, report: Mapping[str, Any]) -> None: ...

    def reports(self, job: str, limit: int = 10) -> list[dict[str, Any]]: ...


class Store(Protocol):
    """One backend (a SQLite file, a Firestore database) opened from the `store` setting: it hands
    out a port per kind of record. Bootstrap gives each job only the ports it names."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def delivery_reports(self) -> DeliveryReports: ...

    @property
    def inbound_events(self) -> InboundEvents: ...

    @property
    def replies(self) -> Replies: ...

    @property
    def customer_data(self) -> CustomerData: ...

    @property
    def retention(self) -> Retention: ...

    @property
    def opt_outs(self) -> OptOuts: ...

    @property
    def cases(self) -> Cases: ...

    @property
    def surveys(self) -> Surveys: ...

    @property
    def vouchers(self) -> Vouchers: ...

    @property
    def credentials(self) -> Credentials: ...

    @property
    def job_state(self) -> JobState: ...


class Channel(Protocol):
    """Delivers messages of the channels it names (`email`, …); raises Transient- or
    PermanentDeliveryError."""

    channels: frozenset[str]

    def deliver(self, message: OutgoingMessage) -> None: ...

    def close(self) -> None: ...


class Inbox(Protocol):
    """The monitored mailbox (IMAP) customers' replies and bounces arrive in."""

    def messages_after(self, mark: InboxMark | None, since: date, limit: int) -> InboxBatch:
        """Messages after `mark` (all since `since` when there is none or the folder was rebuilt),
        oldest first, at most `limit`; read without marking them read. InboxUnavailable when it cannot."""

    def taken(self, uids: Sequence[int]) -> None:
        """Messages careloop has acted on: moved to the done folder when one is set, else left as they are."""


class SendQueue(Protocol):
    """Batches of messages to send, one queue per channel (Pub/Sub topics): `send_batch` runs take
    them, as many at once as the channel allows."""

    def publish(self, channel: str, batches: Sequence[bytes]) -> None:
        """Return once the queue holds every batch; raise QueueUnavailable when it cannot take them."""

    def missing(self, channels: Sequence[str]) -> list[str]:
        """The queues of those channels that cannot be found or reached (`careloop check`), by name."""


class StatusCallbacks(Protocol):
    """A provider's delivery reports, posted to careloop (a provider's status callbacks)."""

    def verified(self, url: str, params: Mapping[str, str], signature: str) -> bool:
        """Whether the provider signed this request (the URL it called and the form it sent)."""

    def outcome(self, params: Mapping[str, str]) -> tuple[str, str] | None:
        """(DELIVERED or UNDELIVERED, detail for staff), or None for a status on the way (queued, sent)."""


class Renderer(Protocol):
    """Turns a message kind and its context into text; raises RenderError, never sends a broken one."""

    @property
    def message_kinds(self) -> Mapping[str, Mapping[str, Any]]: ...

    @property
    def builtin_texts(self) -> Mapping[tuple[str, str, str], tuple[str | None, str]]:
        """(kind, language, channel) → (subject, text) of the texts customers receive unless staff
        wrote their own: plain text with placeholders (`core.staff_texts`)."""

    def message(
        self, kind: str, language: str, context: Mapping[str, Any], template_table: str = ""
    ) -> RenderedMessage:
        """A message from templates: an owner's email (subject, text, HTML), or (`template_table`) a
        provider-approved template's parameters filled from `context["values"]`."""

    def text_email(self, language: str, body: Sequence[Block], context: Mapping[str, Any]) -> str:
        """The HTML of an email built from a text's blocks, inside the messages' layout."""

    def promotional(self, kind: str) -> bool: ...

    def page(self, name: str, context: Mapping[str, Any]) -> str: ...
