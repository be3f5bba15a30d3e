"""Listening: the escalation run takes what came back since its last run (issue 25) — the monitored
mailbox's messages, and the Zalo OA's events the zalo_webhook function stored. Each is matched to
its customer — the ledger key it names (a bounce's returned copy, a reply's In-Reply-To, a ZNS
rating's tracking_id), else the sender's address, else the Zalo user a delivered ZNS or a shared
phone tied to a customer — and acted on once: a refusal records the opt-out as the unsubscribe link
does, a complaint opens a case (one per reply, whatever runs see it), a score answers the check-in's
survey, a bounce marks the message undelivered (the row's System note says so), an auto-reply is
only counted. Every reply gets a row in the Replies tab (`Phản hồi`) for staff.

The mailbox mark (UIDVALIDITY and last UID) is kept with the job's state, and the Zalo events marked
taken, only once the sheet shows the rows: a run that could not write them takes the same again, and
every action is idempotent, so two runs at once or a crash between any two steps lose and double nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.core.cases import case_id_for, flag_key
from functions.core.customers import Customer, CustomerSheet
from functions.core.errors import InboxUnavailable
from functions.core.i18n import say
from functions.core.ids import digest_hex
from functions.core.ledger import UNDELIVERED, DeliveryReport
from functions.core.replies import (
    AUTO_REPLY,
    BOUNCE,
    BOUNCED,
    COMPLAINT,
    REFUSAL,
    REPLY,
    SURVEY_ANSWER,
    HeardReply,
    InboxMark,
    Mail,
    address_mark,
    read_mail,
    reply_kind,
    reply_score,
)
from functions.core.sheet_schema import REPLIES
from functions.core.surveys import COMMENT_LIMIT, MAX_ANSWERS, Answer, Survey, TooManyAnswers, survey_id_for
from functions.core.tables import RowWrite, TabWrite, moment_figure
from functions.core.zalo_events import USER_RECEIVED_MESSAGE, USER_SUBMIT_INFO, read_zalo_event, zalo_mail
from functions.escalate.deps import EscalationDeps
from functions.escalate.plan import Flag
from functions.ports import Inbox

BATCH = 200  # messages a run takes; the rest wait for the next run, 15 minutes on
FIRST_LOOK = timedelta(days=7)  # a first run (or a rebuilt folder) looks this far back, not at the whole past
MARK = "inbox"  # in the job's state: [UIDVALIDITY, last UID]
ZALO_USERS = "zalo_users"  # a job state: Zalo user id → the customer a delivered ZNS or a shared phone named
RATED_SURVEY_DAYS = timedelta(days=30)  # a survey made from a ZNS rating: as long as a link's would last


@dataclass
class Heard:
    flags: list[Flag] = field(default_factory=list)  # complaints: a case each
    rows: list[RowWrite] = field(default_factory=list)  # the Replies tab
    report: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # the new mark, kept once the sheet is written
    uids: list[int] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)  # the Zalo events taken, marked so once the sheet is written
    heard: list[HeardReply] = field(default_factory=list)  # what the figures count

    def tab(self, language: str) -> TabWrite | None:
        """The Replies tab's new rows, newest first (on top, under the header), as staff read a mailbox."""
        if not self.rows:
            return None
        rows = sorted(self.rows, key=lambda row: row.values["received"].value)  # placed last-first: newest on top
        return TabWrite(REPLIES, REPLIES.column("reply_id"), rows, language, newest_first=True)


@dataclass
class _Customers:
    by_id: dict[str, Customer]
    by_email: dict[str, Customer]
    by_phone: dict[str, Customer]


def listen(deps: EscalationDeps, sheet: CustomerSheet, state: dict[str, Any], now: datetime) -> Heard:
    heard = Heard()
    customers = _Customers({c.id: c for c in sheet.customers}, {c.email.lower(): c for c in sheet.customers if c.email},
                           {c.phone: c for c in sheet.customers if c.phone})  # fmt: skip
    counts: Counter[str] = Counter()
    if deps.inbox is not None:
        _read_mailbox(deps, deps.inbox, heard, customers, state, now, counts)
    _read_zalo_events(deps, heard, customers, now, counts)
    heard.report = {**dict(sorted(counts.items())), **heard.report}
    if heard.heard:  # kept at once, by id: a message heard again by a later or overlapping run counts once
        deps.records.replies.record_replies(heard.heard)
    return heard


def _read_mailbox(deps: EscalationDeps, inbox: Inbox, heard: Heard, customers: _Customers, state: dict[str, Any],
                  now: datetime, counts: Counter[str]) -> None:  # fmt: skip
    mark = InboxMark(*state[MARK]) if state.get(MARK) else None
    try:
        batch = inbox.messages_after(mark, (now - FIRST_LOOK).date(), BATCH)
    except InboxUnavailable as error:  # said in the report and on the Health tab; the run goes on
        heard.report = {"error": str(error)}
        return
    bounced: dict[str, str] = {}
    for uid, raw in batch.messages:
        mail = read_mail(raw)
        if mail.bounce is not None and mail.bounce.recipient:
            bounced[address_mark(mail.bounce.recipient)] = now.isoformat()
        _heard(deps, heard, mail, _customer(mail, customers), mail.message_id or f"{batch.validity}/{uid}", now, counts)
        heard.uids.append(uid)
    if bounced:  # kept at once (idempotent): the next follow-up run does not write to them again
        deps.records.job_state.save_job_state(BOUNCED, bounced)
    if batch.messages:
        heard.state = {MARK: [batch.validity, max(uid for uid, _ in batch.messages)]}


def _read_zalo_events(deps: EscalationDeps, heard: Heard, customers: _Customers, now: datetime,
                      counts: Counter[str]) -> None:  # fmt: skip
    """The OA's stored events, oldest first: a delivered ZNS or a shared phone ties a Zalo user to a
    customer (kept, for the texts that user sends later); a text or a rating is heard as a reply."""
    events = deps.records.inbound_events.pending_events(BATCH)
    if not events:
        return
    users = deps.records.job_state.job_state(ZALO_USERS)
    learned: dict[str, str] = {}
    for stored in events:
        heard.event_ids.append(stored.event_id)
        event = read_zalo_event(stored.body)
        if event.name in (USER_RECEIVED_MESSAGE, USER_SUBMIT_INFO):
            parts = event.tracking_id.split("/")
            tied = customers.by_phone.get(event.phone) or (customers.by_id.get(parts[1]) if len(parts) > 2 else None)
            if tied is not None and event.user_id and users.get(event.user_id) != tied.id:
                users[event.user_id] = learned[event.user_id] = tied.id
            counts["zalo_linked" if tied else "zalo_other"] += 1
            continue
        mail = zalo_mail(event, stored.event_id)
        if not mail.text and mail.score is None:  # an image, a sticker, a follow: nothing to act on
            counts["zalo_other"] += 1
            continue
        customer = _customer(mail, customers) or customers.by_id.get(users.get(event.user_id, ""))
        _heard(deps, heard, mail, customer, mail.message_id, now, counts)
    if learned:
        deps.records.job_state.save_job_state(ZALO_USERS, learned)


def _heard(deps: EscalationDeps, heard: Heard, mail: Mail, customer: Customer | None, identity: str, now: datetime,
           counts: Counter[str]) -> None:  # fmt: skip
    """Act on one reply and give it its row in the Replies tab."""
    kind, action = _act(deps, heard, mail, customer, now)
    counts[kind] += 1
    reply_id = "PH-" + digest_hex(identity, 10).upper()
    heard.heard.append(HeardReply(reply_id, kind, (mail.received or now).astimezone(deps.calendar.zone).date()))
    heard.rows.append(RowWrite(0, reply_id, {"reply_id": reply_id, **_row(deps, mail, customer, action, now)},
                               append=True))  # fmt: skip


def _customer(mail: Mail, customers: _Customers) -> Customer | None:
    """The customer careloop's message was for ("checkin/C-1/2026-11-16": the key a bounce returns, a
    reply's In-Reply-To or a ZNS rating carries), else the one whose address sent it (or bounced)."""
    parts = mail.answered_key.split("/")
    if len(parts) > 2 and parts[1] in customers.by_id:
        return customers.by_id[parts[1]]
    address = mail.bounce.recipient if mail.bounce is not None else mail.sender
    return customers.by_email.get(address) if address else None


def _act(deps: EscalationDeps, heard: Heard, mail: Mail, customer: Customer | None, now: datetime) -> tuple[str, str]:
    """What careloop does with one message: its kind, and the words the Replies tab shows."""
    language = deps.staff_language
    if mail.kind == BOUNCE and mail.bounce is not None:
        bounce = mail.bounce
        if customer is not None:
            kind = bounce.key.split("/")[0] if bounce.key.count("/") >= 2 else ""
            detail = bounce.detail if bounce.status in bounce.detail else f"{bounce.status} {bounce.detail}".strip()
            deps.records.delivery_reports.record_delivery(DeliveryReport(
                bounce.key or f"bounce/{customer.id}/{digest_hex(mail.message_id, 10)}", customer.id, "email",
                UNDELIVERED, detail, now, kind))  # fmt: skip
        return BOUNCE, say("reply_bounce", language, address=bounce.recipient, status=bounce.status)
    if mail.kind == AUTO_REPLY:
        return AUTO_REPLY, say("reply_auto", language)
    kind = reply_kind(mail.text, tuple(deps.phrases)) if mail.score is None else REPLY
    if mail.score is not None and mail.score <= deps.csat_threshold:  # a low rating is a complaint
        kind = COMPLAINT
    if customer is None:
        return kind, say("reply_unmatched", language)
    if kind != REFUSAL and (answered := _survey_answer(deps, heard, mail, customer, now)):
        return SURVEY_ANSWER, answered
    if kind == REFUSAL:
        deps.records.opt_outs.record_opt_out(customer.id, now)
        return kind, say("reply_refusal", language)
    if kind == COMPLAINT:
        key = flag_key("reply", customer.id, mail.message_id or mail.text)
        heard.flags.append(Flag(0, customer.id, False, customer.name, customer.email or "", customer.language, "",
                                mail.text, "", "", key=key))  # fmt: skip
        return kind, say("reply_case", language, case_id=case_id_for(key))
    return kind, say("reply_noted", language)


def _survey_answer(deps: EscalationDeps, heard: Heard, mail: Mail, customer: Customer, now: datetime) -> str:
    """A score replied to the check-in that carried a survey: that survey's answer, as if tapped on the
    page (a low one opens the case the page's answer would); '' when the reply is no such answer."""
    score = reply_score(mail.text) if mail.score is None else mail.score
    kind, _, rest = mail.answered_key.partition("/")
    customer_id, _, day = rest.partition("/")
    if score is None or kind != "checkin" or customer_id != customer.id or not day:
        return ""
    at = mail.received or now
    survey = deps.records.surveys.survey(survey_id_for(customer.id, f"checkin/{day}"))
    if survey is None and mail.score is not None:  # a ZNS rating template is the check-in's survey itself
        survey = Survey(survey_id_for(customer.id, f"checkin/{day}"), customer.id, f"checkin/{day}", customer.language,
                        at, at + RATED_SURVEY_DAYS)  # fmt: skip
        deps.records.surveys.create_survey(survey)
        survey = deps.records.surveys.survey(survey.survey_id) or survey
    if survey is None:
        return ""
    try:  # a message read twice (two runs at once) is one answer: the store keeps it once
        deps.records.surveys.add_answer(survey.survey_id, Answer(score, at, mail.text[:COMMENT_LIMIT]), MAX_ANSWERS)
    except TooManyAnswers:
        return say("reply_survey_full", deps.staff_language)
    if score <= deps.csat_threshold:  # the key the run's own low-score check uses: one case, whichever sees it
        key = flag_key("csat", customer.id, survey.survey_id)
        heard.flags.append(Flag(0, customer.id, False, customer.name, customer.email or "", customer.language, "CSAT",
                                mail.text or f"CSAT {score}/5", "", "", key=key))  # fmt: skip
        return say("reply_survey_low", deps.staff_language, score=score, case_id=case_id_for(key))
    return say("reply_survey", deps.staff_language, score=score)


def _row(deps: EscalationDeps, mail: Mail, customer: Customer | None, action: str, now: datetime) -> dict[str, Any]:
    received = mail.received or now
    return {
        "received": moment_figure(received, deps.calendar.zone),
        "customer_id": customer.id if customer else "",
        "name": customer.name if customer else (mail.sender_name or mail.sender)[:80],
        "channel": mail.channel,
        "answers": mail.answered_key or mail.subject,
        "text": mail.text if mail.bounce is None else mail.bounce.detail,
        "action": action,
    }


def taken(deps: EscalationDeps, heard: Heard, now: datetime) -> dict[str, str]:
    """Once the sheet shows the rows: the Zalo events marked taken, the messages moved to the done
    folder when one is set; a failure to move said in the report."""
    if heard.event_ids:
        deps.records.inbound_events.events_taken(heard.event_ids, now)
    try:
        if deps.inbox is not None and heard.uids:
            deps.inbox.taken(heard.uids)
    except InboxUnavailable as error:
        return {"done_folder": str(error)}
    return {}
