"""Listening: the escalation run takes what came back since its last run (issue 25) — the monitored
mailbox's messages, and the events channels' webhooks stored. Each is matched to its customer — the
ledger key it names (a bounce's returned Message-ID, a reply's In-Reply-To, a rating's tracking_id),
else the sender's address, else the channel's user a delivered message or a shared phone tied to a
customer — and acted on once, only when careloop is sure who wrote it
(`escalate.reply_actions`, issue 32): else staff confirm it with a tick. Every reply gets a row in the
Replies tab (`Phản hồi`) for staff.

Each message is read in its own guard with bounded work: one careloop cannot read (too big, too deep,
too slow, malformed) is a row "không đọc được", and the mailbox's mark moves past it. A message from
a customer erased on request is a row with no words, name or address.

The mailbox mark (UIDVALIDITY and last UID) is kept with the job's state, and the channels' events marked
taken, only once the sheet shows the rows: a run that could not write them takes the same again, and
every action is idempotent, so two runs at once or a crash between any two steps lose and double nothing."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.core.customers import Customer, CustomerSheet
from functions.core.errors import InboxUnavailable, StoreUnavailable
from functions.core.i18n import say
from functions.core.ids import digest_hex
from functions.core.inbound import DELIVERED, HeardEvent, InboundEvent, heard_mail, tied_to, ties_state
from functions.core.messages import message_words
from functions.core.privacy import suppression_check
from functions.core.replies import (
    BOUNCED,
    COMPLAINT,
    CUSTOMER_REPLIES,
    ERASED,
    UNREADABLE,
    HeardReply,
    InboxMark,
    InboxMessage,
    Mail,
    read_mail,
)
from functions.core.sheet_schema import REPLIES, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite, moment_figure, row_cells
from functions.core.text import cell_text
from functions.core.theme_tab import Mention, scrub_quote
from functions.core.themes import Matcher
from functions.core.values import read_tick
from functions.escalate.deps import EscalationDeps
from functions.escalate.plan import Flag
from functions.escalate.reply_actions import PENDING, Acting, act, confirmed
from functions.ports import Inbox

BATCH = 200  # messages a run takes; the rest wait for the next run, 15 minutes on
FIRST_LOOK = timedelta(days=7)  # a first run (or a rebuilt folder) looks this far back, not at the whole past
MARK = "inbox"  # in the job's state: [UIDVALIDITY, last UID]
SHARED = "phone:"  # a tie by a phone the user shared (typed in a form), weaker than a delivered message
MESSAGE_SECONDS = 2.0  # one message's reading: a message slower than this is not read


@dataclass
class Heard:
    flags: list[Flag] = field(default_factory=list)  # complaints: a case each
    rows: list[RowWrite] = field(default_factory=list)  # the Replies tab
    report: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # the new mark, kept once the sheet is written
    uids: list[int] = field(default_factory=list)
    event_ids: list[str] = field(
        default_factory=list
    )  # the channels' events taken, marked so once the sheet is written
    heard: list[HeardReply] = field(default_factory=list)  # what the figures count
    confirmed: list[str] = field(default_factory=list)  # replies staff confirmed, done: let go of once written
    mentions: list[Mention] = field(default_factory=list)  # what customers wrote, with its themes: counted once written

    def tab(self, language: str, more: Sequence[RowWrite] = ()) -> TabWrite | None:
        """The Replies tab's new rows, newest first (on top, under the header), as staff read a mailbox;
        and the rows whose `Xác nhận` tick this run carried out; `more`: what was heard elsewhere, rows
        tagged anew."""
        if not self.rows and not more:
            return None
        rows = sorted([*self.rows, *more],
                      key=lambda row: row.values["received"].value if "received" in row.values else 0)  # fmt: skip
        return TabWrite(REPLIES, REPLIES.column("reply_id"), rows, language, newest_first=True)


@dataclass
class _Customers:
    by_id: dict[str, Customer]
    by_email: dict[str, Customer]
    by_phone: dict[str, Customer]


@dataclass
class _Run:
    """One listening run: its customers, what its replies did, and how it knows an erased customer."""

    deps: EscalationDeps
    customers: _Customers
    now: datetime
    heard: Heard
    counts: Counter[str]
    acting: Acting
    matcher: Matcher | None = None  # the Themes tab's themes; None: no themes to find
    erased_marks: Callable[[Iterable[str | None]], bool] | None = None  # read once, when a message came

    def erased(self, mail: Mail, customer: Customer | None) -> bool:
        """From (or about) a customer erased on request: the row's tick, or an address kept as a keyed mark."""
        if customer is not None and customer.erased:
            return True
        if self.erased_marks is None:
            opted_out = self.deps.records.opt_outs.opt_outs()
            self.erased_marks = suppression_check(opted_out, self.deps.links.secret if self.deps.links else "")
        return self.erased_marks([mail.sender, mail.bounce.recipient if mail.bounce else None])


def listen(deps: EscalationDeps, sheet: CustomerSheet, state: dict[str, Any], now: datetime,
           replies: Table | None = None, matcher: Matcher | None = None) -> Heard:  # fmt: skip
    heard = Heard()
    customers = _Customers({c.id: c for c in sheet.customers}, {c.email.lower(): c for c in sheet.customers if c.email},
                           {c.phone: c for c in sheet.customers if c.phone})  # fmt: skip
    run = _Run(deps, customers, now, heard, Counter(), Acting(), matcher)
    _staff_confirmed(run, replies)
    if deps.inbox is not None:
        _read_mailbox(run, deps.inbox, state)
    _read_channel_events(run)
    heard.flags = run.acting.flags
    if run.acting.bounced:  # kept at once (idempotent): the next follow-up run does not write to them again
        deps.records.job_state.save_job_state(BOUNCED, run.acting.bounced)
    if run.acting.pending:  # kept at once: a row that asks for a tick always has what the tick does
        deps.records.job_state.save_job_state(PENDING, run.acting.pending)
    heard.report = {**dict(sorted(run.counts.items())), **heard.report}
    if heard.heard:  # kept at once, by id: a message heard again by a later or overlapping run counts once
        deps.records.replies.record_replies(heard.heard)
    return heard


def _staff_confirmed(run: _Run, table: Table | None) -> None:
    """The Replies rows staff ticked `Xác nhận` whose reply waits for it: done now, the row says so."""
    columns = locate_columns(REPLIES, table.header, require=False) if table is not None else {}
    if table is None or "confirm" not in columns or "reply_id" not in columns:
        return
    rows = [row_cells(raw, columns) for raw in table.rows]
    ticked = [cell_text(cells["reply_id"]) for cells in rows if read_tick(cells["confirm"]) is True]
    ticked = [reply_id for reply_id in ticked if reply_id]
    if not ticked:
        return
    pending = run.deps.records.job_state.job_state(PENDING)  # read only when staff ticked something
    for reply_id in ticked:
        entry = pending.get(reply_id[3:])
        if not isinstance(entry, dict):
            continue
        customer = run.customers.by_id.get(str(entry.get("customer_id", "")))
        said = confirmed(run.deps, run.acting, entry, customer, run.now)
        run.heard.rows.append(RowWrite(0, reply_id, {"action": said}))
        run.heard.confirmed.append(reply_id[3:])
        run.counts["confirmed"] += 1


def _read_mailbox(run: _Run, inbox: Inbox, state: dict[str, Any]) -> None:
    deps, heard = run.deps, run.heard
    mark = InboxMark(*state[MARK]) if state.get(MARK) else None
    try:
        batch = inbox.messages_after(mark, (run.now - FIRST_LOOK).date(), BATCH)
    except InboxUnavailable as error:  # said in the report and on the Health tab; the run goes on
        heard.report = {"error": str(error)}
        return
    secret = deps.links.secret if deps.links is not None else ""
    for message in batch.messages:
        heard.uids.append(message.uid)
        try:  # each message in its own guard: one that cannot be read costs only itself
            mail = read_mail(message.raw, secret, deps.inbox_authserv_id, message.arrived, _budget(MESSAGE_SECONDS))
            _heard(run, mail, _customer(mail, run.customers), mail.message_id or f"{batch.validity}/{message.uid}")
        except (StoreUnavailable, InboxUnavailable):
            raise  # careloop's own fault, not the message's: the run stops, the mark stays, the next run retries
        except Exception as error:  # noqa: BLE001 — anything a stranger's bytes can raise
            _unreadable(run, message, error)
    if batch.messages:
        heard.state = {MARK: [batch.validity, max(m.uid for m in batch.messages)]}


def _unreadable(run: _Run, message: InboxMessage, error: Exception) -> None:
    """A message careloop could not read: a row with its size and sender, for staff to see in the mailbox."""
    from functions.core.mail_parts import sender_of

    reason = getattr(error, "reason", "") or type(error).__name__
    reply_id = "PH-" + digest_hex(f"unreadable/{len(message.raw)}/{digest_hex(message.raw.hex(), 32)}", 10).upper()
    received = message.arrived or run.now
    run.counts[UNREADABLE] += 1
    run.heard.heard.append(HeardReply(reply_id, UNREADABLE, received.astimezone(run.deps.calendar.zone).date()))
    action = say("reply_unreadable", run.deps.staff_language, reason=reason[:200], size=len(message.raw))
    run.heard.rows.append(RowWrite(0, reply_id, {"reply_id": reply_id, "channel": "email", "action": action,
                                                 "received": moment_figure(received, run.deps.calendar.zone),
                                                 "name": sender_of(message.raw)}, append=True))  # fmt: skip


def _budget(seconds: float) -> Callable[[], bool]:
    """Whether `seconds` have gone since now: one message's time to be read."""
    started = time.monotonic()
    return lambda: time.monotonic() - started > seconds


def _read_channel_events(run: _Run) -> None:
    """The events channels' webhooks stored, oldest first: a delivered message or a shared phone ties
    a channel's user to a customer (kept, for the texts that user sends later); a text or a rating is
    heard as a reply."""
    deps, book = run.deps, run.deps.channel_book
    events = deps.records.inbound_events.pending_events(BATCH)
    by_source: dict[str, list[InboundEvent]] = {}
    for stored in events:
        run.heard.event_ids.append(stored.event_id)
        by_source.setdefault(stored.source, []).append(stored)
    for source, stored_events in by_source.items():
        spec = next((s for s in book.listening() if s.name == source), None)
        if spec is None or spec.read_event is None:
            run.counts[f"{source}_other"] += len(stored_events)  # a channel no longer listened to
            continue
        _read_events(run, source, spec.shown, [(e.event_id, spec.read_event(e.body)) for e in stored_events])


def _read_events(run: _Run, source: str, label: str, events: list[tuple[str, HeardEvent]]) -> None:
    deps, customers = run.deps, run.customers
    state = ties_state(source)
    users = {user: tied_to(value) for user, value in deps.records.job_state.job_state(state).items()}
    learned: dict[str, Any] = {}
    for event_key, event in events:
        if event.tie:
            tie = _tie(event, customers, users.get(event.user_id, ""))
            if tie and event.user_id and users.get(event.user_id) != tie:
                users[event.user_id] = tie
                learned[event.user_id] = {"to": tie, "at": run.now.isoformat()}  # dated: retention reaches it
            run.counts[f"{source}_linked" if tie else f"{source}_other"] += 1
            continue
        mail = heard_mail(event, event_key, label)
        if not mail.text and mail.score is None:  # an image, a sticker, a follow: nothing to act on
            run.counts[f"{source}_other"] += 1
            continue
        tie = users.get(event.user_id, "")
        if tie.startswith(SHARED) and not mail.key:  # tied only by a phone the user typed: staff confirm
            mail = dataclasses.replace(mail, authenticated=False)
        _heard(run, mail, _customer(mail, customers) or customers.by_id.get(tie.removeprefix(SHARED)), mail.message_id)
    if learned:
        deps.records.job_state.save_job_state(state, learned)


def _tie(event: HeardEvent, customers: _Customers, known: str) -> str:
    """The customer an event ties its user to: by the message careloop delivered to them (its
    tracking_id: the provider says this user received that customer's message), else, weaker, by the
    phone the user shared in a signed, fresh event (SHARED + ID: what they typed in the business's
    form, so their words wait for staff's confirmation). A delivered message is never replaced by a
    shared phone."""
    parts = event.tracking_id.split("/")
    if event.tie == DELIVERED and len(parts) > 2 and parts[1] in customers.by_id:
        return parts[1]
    shared = customers.by_phone.get(event.phone)
    if shared is None or (known and not known.startswith(SHARED)):
        return ""
    return SHARED + shared.id


def _heard(run: _Run, mail: Mail, customer: Customer | None, identity: str) -> None:
    """Act on one reply (or ask staff to) and give it its row in the Replies tab."""
    deps, now = run.deps, run.now
    reply_id = "PH-" + digest_hex(identity, 10).upper()
    received = mail.received or now
    values: dict[str, Any]
    if run.erased(mail, customer):  # never read, never kept: staff read it in the mailbox
        kind, values = ERASED, {"customer_id": customer.id if customer else "", "channel": mail.channel,
                                "action": say("reply_erased", deps.staff_language)}  # fmt: skip
    else:
        kind, action = act(deps, run.acting, mail, customer, reply_id, now)
        values = _row(mail, customer, action, deps.staff_language)
        if run.matcher is not None and kind in CUSTOMER_REPLIES and mail.text:  # what the customer wrote about
            values["themes"] = _themes(run, mail, customer, kind, received, reply_id)
    run.counts[kind] += 1
    run.heard.heard.append(HeardReply(reply_id, kind, received.astimezone(deps.calendar.zone).date()))
    values = {"reply_id": reply_id, "received": moment_figure(received, deps.calendar.zone), **values}
    if kind == ERASED:  # a row written before the erasure (a rebuilt mailbox) loses its words too
        values |= {"name": None, "text": None, "answers": None}
    run.heard.rows.append(RowWrite(0, reply_id, values, append=True))


def _themes(run: _Run, mail: Mail, customer: Customer | None, kind: str, received: datetime, reply_id: str) -> str:
    """The reply's themes, for its row; counted as a mention (with a quote scrubbed of who wrote it)."""
    assert run.matcher is not None
    found = tuple(run.matcher.themes_of(mail.text))
    names = [n for n in (customer.name if customer else "", mail.sender_name) if n]
    day, quote = received.astimezone(run.deps.calendar.zone).date(), scrub_quote(mail.text, names)
    complaint = kind == COMPLAINT or (mail.score or 5) <= 2
    run.heard.mentions.append(Mention(reply_id, day, found, complaint, mail.score, quote, mail.text,
                                      customer.id if customer else ""))  # fmt: skip
    return ", ".join(found)


def _customer(mail: Mail, customers: _Customers) -> Customer | None:
    """The customer careloop's message was for ("checkin/C-1/2026-11-16": the key a bounce returns, a
    reply's In-Reply-To or a ZNS rating carries), else the one whose address sent it (or bounced)."""
    parts = mail.answered_key.split("/")
    if len(parts) > 2 and parts[1] in customers.by_id:
        return customers.by_id[parts[1]]
    address = mail.bounce.recipient if mail.bounce is not None else mail.sender
    return customers.by_email.get(address) if address else None


def _row(mail: Mail, customer: Customer | None, action: str, language: str) -> dict[str, Any]:
    answered = message_words(mail.answered_key, language, mail.channel) if mail.answered_key else mail.subject
    return {
        "customer_id": customer.id if customer else "",
        "name": customer.name if customer else (mail.sender_name or mail.sender)[:80],
        "channel": mail.channel,
        "answers": answered,  # in words: staff read "tin hỏi thăm sau mua ngày 30/11 (email)", not a key
        "text": mail.text if mail.bounce is None else mail.bounce.detail,
        "action": action,
    }


def taken(deps: EscalationDeps, heard: Heard, now: datetime) -> dict[str, str]:
    """Once the sheet shows the rows: the channels' events marked taken, the confirmed replies let go of, the
    messages moved to the done folder when one is set; a failure to move said in the report."""
    if heard.event_ids:
        deps.records.inbound_events.events_taken(heard.event_ids, now)
    if heard.confirmed:
        deps.records.job_state.save_job_state(PENDING, dict.fromkeys(heard.confirmed))
    try:
        if deps.inbox is not None and heard.uids:
            deps.inbox.taken(heard.uids)
    except InboxUnavailable as error:
        return {"done_folder": str(error)}
    return {}
