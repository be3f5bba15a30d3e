"""Listening: the escalation run takes what came back to the monitored mailbox since its last run
(issue 25). Each message is matched to its customer — the ledger key a bounce returns, else the
sender's address on the Customers tab — and acted on once: a refusal records the opt-out as the
unsubscribe link does, a complaint opens a case (one per reply, whatever runs see it), a bounce
marks the message undelivered (the row's System note says so), an auto-reply is only counted.
Every message gets a row in the Replies tab (`Phản hồi`) for staff.

The mailbox mark (UIDVALIDITY and last UID) is kept with the job's state only once the sheet shows
the rows: a run that could not write them takes the same messages again, and every action is
idempotent, so two runs at once or a crash between any two steps lose and double nothing."""

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
    InboxMark,
    Mail,
    address_mark,
    read_mail,
    reply_kind,
    reply_score,
)
from functions.core.sheet_schema import REPLIES
from functions.core.surveys import COMMENT_LIMIT, MAX_ANSWERS, Answer, TooManyAnswers, survey_id_for
from functions.core.tables import RowWrite, TabWrite, moment_figure
from functions.escalate.deps import EscalationDeps
from functions.escalate.plan import Flag
from functions.ports import Inbox

BATCH = 200  # messages a run takes; the rest wait for the next run, 15 minutes on
FIRST_LOOK = timedelta(days=7)  # a first run (or a rebuilt folder) looks this far back, not at the whole past
MARK = "inbox"  # in the job's state: [UIDVALIDITY, last UID]
SURVEY_ANSWER = "survey_answer"


@dataclass
class Heard:
    flags: list[Flag] = field(default_factory=list)  # complaints: a case each
    rows: list[RowWrite] = field(default_factory=list)  # the Replies tab
    report: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # the new mark, kept once the sheet is written
    uids: list[int] = field(default_factory=list)

    def tab(self, language: str) -> TabWrite | None:
        return TabWrite(REPLIES, REPLIES.column("reply_id"), self.rows, language) if self.rows else None


def listen(deps: EscalationDeps, sheet: CustomerSheet, state: dict[str, Any], now: datetime) -> Heard:
    heard = Heard()
    if deps.inbox is None:
        return heard
    mark = InboxMark(*state[MARK]) if state.get(MARK) else None
    try:
        batch = deps.inbox.messages_after(mark, (now - FIRST_LOOK).date(), BATCH)
    except InboxUnavailable as error:  # said in the report and on the Health tab; the run goes on
        heard.report = {"error": str(error)}
        return heard
    by_email = {c.email.lower(): c for c in sheet.customers if c.email}
    by_id = {c.id: c for c in sheet.customers}
    counts: Counter[str] = Counter()
    bounced: dict[str, str] = {}
    for uid, raw in batch.messages:
        mail = read_mail(raw)
        reply_id = "PH-" + digest_hex(mail.message_id or f"{batch.validity}/{uid}", 10).upper()
        customer = _customer(mail, by_email, by_id)
        kind, action = _act(deps, heard, mail, customer, now)
        if mail.bounce is not None and mail.bounce.recipient:
            bounced[address_mark(mail.bounce.recipient)] = now.isoformat()
        counts[kind] += 1
        heard.rows.append(RowWrite(0, reply_id, {"reply_id": reply_id, **_row(deps, mail, customer, action, now)},
                                   append=True))  # fmt: skip
        heard.uids.append(uid)
    heard.report = dict(sorted(counts.items()))
    if bounced:  # kept at once (idempotent): the next follow-up run does not write to them again
        deps.records.job_state.save_job_state(BOUNCED, bounced)
    if batch.messages:
        heard.state = {MARK: [batch.validity, max(uid for uid, _ in batch.messages)]}
    return heard


def _customer(mail: Mail, by_email: dict[str, Customer], by_id: dict[str, Customer]) -> Customer | None:
    """The customer careloop's message was for ("checkin/C-1/2026-11-16": the key a bounce returns or a
    reply's In-Reply-To carries), else the one whose address sent it (or bounced)."""
    parts = mail.answered_key.split("/")
    if len(parts) > 2 and parts[1] in by_id:
        return by_id[parts[1]]
    return by_email.get(mail.bounce.recipient if mail.bounce is not None else mail.sender)


def _act(deps: EscalationDeps, heard: Heard, mail: Mail, customer: Customer | None, now: datetime) -> tuple[str, str]:
    """What careloop does with one message: its kind, and the words the Replies tab shows."""
    language = deps.staff_language
    if mail.kind == BOUNCE and mail.bounce is not None:
        bounce = mail.bounce
        if customer is not None:
            kind = bounce.key.split("/")[0] if bounce.key.count("/") >= 2 else ""
            detail = f"{bounce.status} {bounce.detail}".strip()
            deps.records.delivery_reports.record_delivery(DeliveryReport(
                bounce.key or f"bounce/{customer.id}/{digest_hex(mail.message_id, 10)}", customer.id, "email",
                UNDELIVERED, detail, now, kind))  # fmt: skip
        return BOUNCE, say("reply_bounce", language, address=bounce.recipient, status=bounce.status)
    if mail.kind == AUTO_REPLY:
        return AUTO_REPLY, say("reply_auto", language)
    kind = reply_kind(mail.text, tuple(deps.phrases))
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
    score = reply_score(mail.text)
    kind, _, rest = mail.answered_key.partition("/")
    customer_id, _, day = rest.partition("/")
    if score is None or kind != "checkin" or customer_id != customer.id or not day:
        return ""
    survey = deps.records.surveys.survey(survey_id_for(customer.id, f"checkin/{day}"))
    if survey is None:
        return ""
    at = mail.received or now
    if not any(a.at == at and a.score == score for a in survey.answers):  # a message seen twice: one answer
        try:
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
        "channel": "email",
        "answers": mail.answered_key or mail.subject,
        "text": mail.text if mail.bounce is None else mail.bounce.detail,
        "action": action,
    }


def taken(inbox: Inbox, uids: list[int]) -> dict[str, str]:
    """The messages acted on, moved to the done folder when one is set; a failure said in the report."""
    try:
        inbox.taken(uids)
    except InboxUnavailable as error:
        return {"done_folder": str(error)}
    return {}
