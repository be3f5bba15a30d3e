"""The public sms_status function: Twilio posts each SMS's status to the callback URL careloop gave
it (which carries the ledger key). Only a request Twilio signed is read; a delivered or undelivered
report is recorded, and the next follow-up run writes an undelivered one into the row's System note."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from functions.core.ledger import DeliveryReport

if TYPE_CHECKING:
    from functions.ports import DeliveryReports, Ledger, StatusCallbacks


Response = tuple[str, int, dict[str, str]]
PLAIN = {"Content-Type": "text/plain; charset=utf-8"}


@dataclass
class SmsStatusDeps:
    ledger: Ledger  # the message a report names
    delivery_reports: DeliveryReports
    callbacks: StatusCallbacks
    status_url: str  # the URL careloop gave Twilio (without the query); empty: the one this request came to
    now: Callable[[], datetime]


def handle_sms_status(
    method: str, called: str, query_string: str, form: Mapping[str, str], signature: str, deps: SmsStatusDeps
) -> Response:
    """`called`: the URL the request came to, as Twilio saw it (scheme, host and path)."""
    if method != "POST":
        return "method not allowed", 405, PLAIN
    url = (deps.status_url or called) + (f"?{query_string}" if query_string else "")
    if not signature or not deps.callbacks.verified(url, form, signature):
        return "signature invalid", 403, PLAIN
    key = parse_qs(query_string).get("k", [""])[0]
    outcome = deps.callbacks.outcome(form)
    entry = deps.ledger.entry(key) if key and outcome else None
    if outcome is None or entry is None:  # a status on the way, or a message the ledger no longer holds
        return "", 204, PLAIN
    status, detail = outcome
    report = DeliveryReport(key, entry.customer_id, entry.channel, status, detail, deps.now(), entry.kind)
    deps.delivery_reports.record_delivery(report)
    return "", 204, PLAIN


def sms_status(request: Any, section: Any, store: Any, now: Callable[[], datetime]) -> Response:
    """Twilio's delivery reports (POST, signed with X-Twilio-Signature): delivered or undelivered."""
    from functions.adapters.channels.twilio_sms import TwilioStatusCallbacks

    query = request.query_string.decode("latin-1") if isinstance(request.query_string, bytes) else ""
    signature = request.headers.get("X-Twilio-Signature", "")
    # Behind Google's front end the function sees http; Twilio called (and signed) the https URL.
    called = f"{request.headers.get('X-Forwarded-Proto', request.scheme)}://{request.host}{request.path}"
    deps = SmsStatusDeps(store.ledger, store.delivery_reports, TwilioStatusCallbacks(section.twilio_auth_token),
                         section.sms_status_url, now)  # fmt: skip
    return handle_sms_status(request.method, called, query, request.form.to_dict(), signature, deps)
