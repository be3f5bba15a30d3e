"""Staff's test message: a Messages row ticked 'Gửi thử' (Send test) goes, filled with a sample
customer, to the managers as the email a customer would get (a short text's row: its text and size,
in an email), its subject marked [Thử]; then the box is unticked and the row notes when it went.

Never to a customer, and never in the ledger, so never counted on the Dashboard. The job's state
keeps what went in the last hour: a run that sent and then could not write the sheet does not send
the same words again."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any, NamedTuple

from functions.compose import Composer, Recipient
from functions.core.channel_specs import EMAIL_FORM
from functions.core.errors import RenderError
from functions.core.i18n import say
from functions.core.links import SampleLinks
from functions.core.message_tab import (
    KIND_LABELS,
    MessageTab,
    Text,
    TextBook,
    TextKey,
    TrialRequest,
    trial_requests,
)
from functions.core.messages import OutgoingMessage
from functions.core.staff_texts import blocks, values_for
from functions.core.surveys import Survey
from functions.core.tables import RowWrite, Table
from functions.core.vouchers import Voucher
from functions.escalate.deps import EscalationDeps

JOB_STATE = "tests_sent"  # in the escalation job's state: the digest of each test sent → when
AGAIN_AFTER = timedelta(hours=1)
SAMPLE_NAME, SAMPLE_GREETING, SAMPLE_ID = "Nguyễn Thị Lan", "chị Lan", "KH-MAU"
SUBJECT_MARK = "[Thử] "
TESTS_A_RUN = 5  # ticked rows a run sends; each goes to every manager


class TrialMessages(NamedTuple):
    writes: list[RowWrite]  # the Messages rows: unticked, with a note
    report: list[dict[str, Any]]
    state: dict[str, Any]  # the job state's new `tests_sent`


def send_trial_messages(
    deps: EscalationDeps,
    table: Table | None,
    texts: MessageTab | None,
    managers: Callable[[], Sequence[str]],  # asked only when a row is ticked
    state: dict[str, Any],
    now: datetime,
) -> TrialMessages:
    sent_before = {k: v for k, v in (state.get(JOB_STATE) or {}).items()
                   if now - datetime.fromisoformat(v) < AGAIN_AFTER}  # fmt: skip
    invalid = dict(texts.invalid) if texts is not None else {}
    builtin = texts.book.builtin if texts is not None else {}
    writes: list[RowWrite] = []
    report: list[dict[str, Any]] = []
    requests = trial_requests(table, deps.channel_book, texts.names if texts is not None else {})
    to = managers() if requests else []
    for done, request in enumerate(requests):
        if done >= TESTS_A_RUN:  # the rest stay ticked for the next runs: a sheet editor cannot make a mailer
            outcome = _Outcome(say("test_waiting", deps.staff_language, limit=TESTS_A_RUN), untick=False)
        else:
            outcome = _send_one(deps, request, invalid, builtin, to, sent_before, now)
        if outcome.sent:
            sent_before.setdefault(request.digest, now.isoformat())
        values: dict[str, Any] = {"system_note": outcome.note} | ({"test": False} if outcome.untick else {})
        writes.append(RowWrite(request.row, request.row_id, values, name=request.name))
        report.append({"row": request.row, "sent": outcome.sent, "note": outcome.note})
    return TrialMessages(writes, report, {JOB_STATE: sent_before or None})


class _Outcome(NamedTuple):
    note: str
    sent: bool = False
    untick: bool = True  # a test that could not go for a passing reason (the mail server down) stays ticked


def _send_one(
    deps: EscalationDeps,
    request: TrialRequest,
    invalid: dict[int, str],
    builtin: Mapping[TextKey, Text],
    managers: Sequence[str],
    sent_before: dict[str, str],
    now: datetime,
) -> _Outcome:
    language = deps.staff_language
    at = f"{now.astimezone(deps.calendar.zone):%d/%m/%Y %H:%M}"
    if request.text is None or request.row in invalid or deps.links is None:
        why = invalid.get(request.row) or say("test_row_unknown", language)
        return _Outcome(say("test_not_sent", language, why=why))
    if not managers:
        return _Outcome(say("test_not_sent", language, why=say("test_no_manager", language)))
    if request.digest in sent_before:  # sent by a run that could not write the sheet: not again
        return _Outcome(say("test_sent", language, at=at, to=", ".join(managers)))
    try:
        messages = [_test_email(deps, request, builtin, manager, now) for manager in managers]
    except RenderError as error:  # the words cannot be made into a message: the row says why
        return _Outcome(say("test_not_sent", language, why=str(error)[:300]))
    try:
        for message in messages:
            deps.channels["email"].deliver(message)
    except Exception as error:  # the managers' mail, not a customer's: said on the row, tried again next run
        return _Outcome(say("test_failed", language, error=str(error)[:200]), untick=False)
    return _Outcome(say("test_sent", language, at=at, to=", ".join(managers)), sent=True)


def _test_email(
    deps: EscalationDeps, request: TrialRequest, builtin: Mapping[TextKey, Text], manager: str, now: datetime
) -> OutgoingMessage:
    """The row's message to a sample customer as it would go, addressed to a manager."""
    assert request.text is not None and deps.links is not None
    text = request.text
    book = TextBook(builtin, {(text.kind, text.language, text.channel): text})
    sample = SampleLinks(deps.links.public_url, deps.links.secret, deps.links.survey_url, deps.links.unsubscribe_url)
    composer = Composer(deps.templates, sample, deps.channel_book, book)  # its links open pages saying they are samples
    by_email = deps.channel_book.form(text.channel) == EMAIL_FORM
    address = manager if by_email else deps.channel_book.sample_address(text.channel)
    recipient = Recipient(SAMPLE_ID, SAMPLE_NAME, text.language, [(text.channel, address)])
    values = values_for(SAMPLE_NAME, SAMPLE_GREETING, "chị", deps.business_name,
                        (now - timedelta(days=7)).date(), "HS-ABCD2345")  # fmt: skip
    survey = Survey("SV-MAU", SAMPLE_ID, f"{text.kind}/sample", text.language, now, now + timedelta(days=30))
    voucher = None
    if text.kind == "birthday" and deps.vouchers.on:
        voucher = Voucher("MAU12345", SAMPLE_ID, SAMPLE_NAME, now.year, deps.vouchers.value, now.date(),
                          now.date() + timedelta(days=deps.vouchers.days))  # fmt: skip
    key = f"test/{request.row}/{request.digest}/{manager}"
    message = composer.compose(key, text.kind, recipient, values, survey, now, voucher).messages[0]
    if by_email:  # staff's mail, not a customer's: no List-Unsubscribe (so Auto-Submitted), says so
        first = say("test_first_line", deps.staff_language, row=request.row_id or request.row)
        html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + f"<p style=\"background:#fff3c4;padding:8px\">"
                      f"{escape(first)}</p>", message.html, count=1)  # fmt: skip
        return dataclasses.replace(message, to=manager, to_name="", subject=SUBJECT_MARK + message.subject,
                                   text=f"{first}\n\n{message.text}", html=html, unsubscribe_url="")  # fmt: skip
    return _text_as_email(deps, text.kind, text.language, message, manager)


def _text_as_email(
    deps: EscalationDeps, kind: str, text_language: str, short: OutgoingMessage, manager: str
) -> OutgoingMessage:
    """A text-form channel's message, shown to the manager in an email with what it costs there."""
    language = deps.staff_language
    channel = deps.channel_book.spec(short.channel).shown
    measured = deps.channel_book.fitted(short.channel, short.text, kind)
    label = KIND_LABELS.get(language, KIND_LABELS["vi"])[kind]
    body = say("test_text_body", language, channel=channel, text=short.text, length=measured.length,
               encoding=measured.encoding, parts=measured.parts)  # fmt: skip
    html = deps.templates.text_email(language, blocks(body), {"business_name": deps.business_name,
                                                              "unsubscribe_url": "", "survey_links": []})  # fmt: skip
    subject = SUBJECT_MARK + say("test_text_subject", language, channel=channel, kind=label, lang=text_language)
    return OutgoingMessage(short.key, "email", manager, "", subject, body, html, "", language, kind)
