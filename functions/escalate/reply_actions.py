"""What careloop does with one reply it heard (issue 32): act only when sure who wrote it, else ask staff.

A reply's actions — an opt-out, a complaint case, a survey answer, a bounce that stops email — run
at once only when careloop is sure: the reply answers a Message-ID only careloop could make (or an
unkeyed one of a message sent before keyed ones, within LEGACY_GRACE), or the receiving server
authenticated its sender, or the channel's provider signed it; and its sender has not already acted for another
customer in this run. Otherwise its Replies row says what careloop would do, and keeps it in the
store (PENDING) until staff tick `Xác nhận` (Confirm): the next run does it then.

A bounce careloop is sure of stops email to the address; its row's `Xác nhận` then says the address
works again (the mark is cleared). A reply from a customer erased on request is never read: a row
says one came, with no words, name or address."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.core.cases import case_id_for, flag_key
from functions.core.customers import Customer
from functions.core.i18n import say
from functions.core.ids import AnsweredKey, digest_hex
from functions.core.ledger import SENT, UNDELIVERED, DeliveryReport
from functions.core.messages import kind_of_key
from functions.core.refusals import CANCELLATION, REFUSAL
from functions.core.replies import (
    AUTO_REPLY,
    BOUNCE,
    BOUNCED,
    COMPLAINT,
    REPLY,
    SURVEY_ANSWER,
    Bounce,
    Mail,
    address_mark,
    reply_kind,
    reply_score,
)
from functions.core.surveys import COMMENT_LIMIT, MAX_ANSWERS, Answer, Survey, TooManyAnswers, survey_id_for
from functions.escalate.deps import EscalationDeps
from functions.escalate.plan import Flag

PENDING = "reply_pending"  # a job state: a reply's digest → what it would do, until staff confirm it
LEGACY_GRACE = timedelta(days=30)  # an unkeyed Message-ID is believed this long after its message went
RATED_SURVEY_DAYS = timedelta(days=30)  # a survey made from a ZNS rating: as long as a link's would last
UNCONFIRMED = "unconfirmed"  # a reply whose action waits for staff


@dataclass
class Acting:
    """What this run's replies have done so far: one sender acts for one customer a run."""

    flags: list[Flag] = field(default_factory=list)  # complaints: a case each
    acted_for: dict[str, str] = field(default_factory=dict)  # sender → the customer it acted for
    pending: dict[str, Any] = field(default_factory=dict)  # kept in PENDING (reply digest → the reply)
    bounced: dict[str, str] = field(default_factory=dict)  # address marks to stop emailing


def act(deps: EscalationDeps, acting: Acting, mail: Mail, customer: Customer | None, reply_id: str,
        now: datetime) -> tuple[str, str]:  # fmt: skip
    """One reply: its kind (as the report counts it) and the words its Replies row shows."""
    language = deps.staff_language
    kind = _kind(deps, mail)
    if kind == AUTO_REPLY:
        return AUTO_REPLY, say("reply_auto", language)
    if customer is None:
        return kind, say("reply_unmatched", language)
    if kind == CANCELLATION:
        return kind, say("reply_cancellation", language)
    if not _would_act(mail, customer, kind):
        return kind, say("reply_noted", language)
    why = _doubt(deps, acting, mail, customer, now)
    if why:
        acting.pending[reply_id[3:]] = {"customer_id": customer.id, **_kept(mail)}
        return UNCONFIRMED, say("reply_unconfirmed", language, why=say(why, language),
                                would=_proposal(deps, mail, kind))  # fmt: skip
    acting.acted_for.setdefault(_sender(mail), customer.id)
    done_kind, done = do(deps, acting, mail, customer, kind, now)
    if done_kind == BOUNCE and mail.bounce is not None:  # the tick then says the address works again
        acting.pending[reply_id[3:]] = {"customer_id": customer.id, "clear_bounce": address_mark(mail.bounce.recipient)}
    return done_kind, done


def do(deps: EscalationDeps, acting: Acting, mail: Mail, customer: Customer, kind: str,
       now: datetime) -> tuple[str, str]:  # fmt: skip
    """Carry out what the reply asks (careloop is sure, or staff confirmed): each step idempotent."""
    language = deps.staff_language
    if kind == BOUNCE and mail.bounce is not None:
        bounce = mail.bounce
        detail = bounce.detail if bounce.status in bounce.detail else f"{bounce.status} {bounce.detail}".strip()
        key = mail.answered_key
        deps.records.delivery_reports.record_delivery(DeliveryReport(
            key or f"bounce/{customer.id}/{digest_hex(mail.message_id, 10)}", customer.id, "email", UNDELIVERED,
            detail, now, kind_of_key(key)))  # fmt: skip
        acting.bounced[address_mark(bounce.recipient)] = now.isoformat()
        return BOUNCE, say("reply_bounce", language, address=bounce.recipient, status=bounce.status)
    if kind != REFUSAL and (answered := _survey_answer(deps, acting, mail, customer, now)):
        return SURVEY_ANSWER, answered
    if kind == REFUSAL:
        deps.records.opt_outs.record_opt_out(customer.id, now)
        return kind, say("reply_refusal", language)
    if kind == COMPLAINT:
        key = flag_key("reply", customer.id, mail.message_id or mail.text)
        acting.flags.append(Flag(0, customer.id, False, customer.name, customer.email or "", customer.language, "",
                                 mail.text, "", "", key=key))  # fmt: skip
        return kind, say("reply_case", language, case_id=case_id_for(key))
    return kind, say("reply_noted", language)


def confirmed(deps: EscalationDeps, acting: Acting, entry: dict[str, Any], customer: Customer | None,
              now: datetime) -> str:  # fmt: skip
    """A reply staff confirmed with the `Xác nhận` tick: done now; what its row says."""
    language = deps.staff_language
    at = now.astimezone(deps.calendar.zone).strftime("%d/%m/%Y %H:%M")
    if customer is None or customer.erased:
        return say("reply_confirm_gone", language, at=at)
    if "clear_bounce" in entry:
        deps.records.job_state.save_job_state(BOUNCED, {str(entry["clear_bounce"]): None})
        return say("reply_bounce_cleared", language, at=at)
    mail = _mail(entry)
    _, done = do(deps, acting, mail, customer, _kind(deps, mail), now)
    return say("reply_confirmed", language, at=at, done=done)


def _kind(deps: EscalationDeps, mail: Mail) -> str:
    if mail.kind in (BOUNCE, AUTO_REPLY):
        return mail.kind
    if mail.score is not None:  # a rating given as such (ZNS): a low one is a complaint
        return COMPLAINT if mail.score <= deps.csat_threshold else REPLY
    return reply_kind(mail.text, tuple(deps.phrases))


def _would_act(mail: Mail, customer: Customer, kind: str) -> bool:
    """Whether the reply asks for anything beyond a row: a bounce, a refusal, a complaint, a score."""
    return kind in (BOUNCE, REFUSAL, COMPLAINT) or _score(mail, customer) is not None


def _doubt(deps: EscalationDeps, acting: Acting, mail: Mail, customer: Customer, now: datetime) -> str:
    """Why careloop is not sure enough to act ('' when it is): who sent it, or one sender for many."""
    if not (mail.authenticated or _verified(deps, mail.answered, now)):
        return "doubt_sender"
    if mail.kind == BOUNCE and mail.answered is not None and mail.answered.keyed:
        return ""  # a mail server reports for many customers; each report names careloop's own message
    if acting.acted_for.get(_sender(mail), customer.id) != customer.id:
        return "doubt_many"
    return ""


def _verified(deps: EscalationDeps, answered: AnsweredKey | None, now: datetime) -> bool:
    """A keyed Message-ID verifies by itself; an unkeyed one only for a message the ledger recorded as
    sent unkeyed (before keyed ones), within LEGACY_GRACE of when it went."""
    if answered is None:
        return False
    if answered.keyed:
        return True
    entry = deps.records.ledger.entry(answered.key)
    sent = entry.updated_at if entry is not None else None
    return entry is not None and entry.state == SENT and not entry.keyed_id and sent is not None and \
        now - sent <= LEGACY_GRACE  # fmt: skip


def _sender(mail: Mail) -> str:
    return mail.sender or mail.sender_name


def _score(mail: Mail, customer: Customer) -> int | None:
    """A score answering this customer's check-in survey, or None."""
    score = reply_score(mail.text) if mail.score is None else mail.score
    kind, _, rest = mail.answered_key.partition("/")
    customer_id, _, day = rest.partition("/")
    return score if score is not None and kind == "checkin" and customer_id == customer.id and day else None


def _proposal(deps: EscalationDeps, mail: Mail, kind: str) -> str:
    language = deps.staff_language
    if kind == BOUNCE and mail.bounce is not None:
        return say("would_bounce", language, address=mail.bounce.recipient)
    if kind == REFUSAL:
        return say("would_opt_out", language)
    score = reply_score(mail.text) if mail.score is None else mail.score
    if kind != COMPLAINT and score is not None:
        return say("would_score", language, score=score)
    return say("would_case", language)


def _survey_answer(deps: EscalationDeps, acting: Acting, mail: Mail, customer: Customer, now: datetime) -> str:
    """A score replied to the check-in that carried a survey: that survey's answer, as if tapped on the
    page (a low one opens the case the page's answer would); '' when the reply is no such answer."""
    score = _score(mail, customer)
    if score is None:
        return ""
    day = mail.answered_key.split("/")[2]
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
        deps.records.surveys.add_answer(
            survey.survey_id, Answer(score, at, mail.text[:COMMENT_LIMIT], via="reply"), MAX_ANSWERS
        )
    except TooManyAnswers:
        return say("reply_survey_full", deps.staff_language)
    if score <= deps.csat_threshold:  # the key the run's own low-score check uses: one case, whichever sees it
        key = flag_key("csat", customer.id, survey.survey_id)
        acting.flags.append(Flag(0, customer.id, False, customer.name, customer.email or "", customer.language,
                                 "CSAT", mail.text or f"CSAT {score}/5", "", "", key=key))  # fmt: skip
        return say("reply_survey_low", deps.staff_language, score=score, case_id=case_id_for(key))
    return say("reply_survey", deps.staff_language, score=score)


def _kept(mail: Mail) -> dict[str, Any]:
    """What of a reply waits for staff's tick: enough to do it then (the store keeps it, not the sheet)."""
    b = mail.bounce
    return {"message_id": mail.message_id, "sender": mail.sender, "text": mail.text, "kind": mail.kind,
            "received": mail.received.isoformat() if mail.received else None, "channel": mail.channel,
            "key": mail.answered_key, "score": mail.score,
            "bounce": [b.recipient, b.status, b.detail, b.message_id] if b else None}  # fmt: skip


def _mail(entry: dict[str, Any]) -> Mail:
    bounce = Bounce(*entry["bounce"]) if entry.get("bounce") else None
    received = datetime.fromisoformat(entry["received"]) if entry.get("received") else None
    return Mail(entry.get("message_id", ""), entry.get("sender", ""), "", "", received, (), entry.get("text", ""),
                entry.get("kind", REPLY), bounce, entry.get("channel", "email"), entry.get("key", ""),
                entry.get("score"))  # fmt: skip
