"""The public zalo_webhook function: Zalo posts the OA's events here (a customer's text, a ZNS
rating, a ZNS delivered, a phone shared). Only an event Zalo signed for this app, fresh and never
seen before, is kept; it is stored and answered at once (Zalo gives up on a webhook slower than
2 seconds), and the escalation run acts on what was stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.adapters.channels.zalo_events import ZALO, event_id, verified_event
from functions.core.errors import StoreUnavailable
from functions.core.inbound import InboundEvent

if TYPE_CHECKING:
    from functions.ports import InboundEvents

Response = tuple[str, int, dict[str, str]]
PLAIN = {"Content-Type": "text/plain; charset=utf-8"}
log = logging.getLogger(__name__)


@dataclass
class ZaloWebhookDeps:
    inbound_events: InboundEvents
    app_id: str
    secret_key: str  # the OA secret key; empty: every event is refused
    now: Callable[[], datetime]


def handle_zalo_webhook(method: str, body: bytes, signature: str, deps: ZaloWebhookDeps) -> Response:
    if method != "POST":
        return "method not allowed", 405, PLAIN
    now = deps.now()
    event, why = verified_event(body, signature, deps.app_id, deps.secret_key, now)
    if event is None:
        # Unset keys are a person's to fix (an ERROR line: Cloud Monitoring emails it); a bad
        # signature may be anyone's forgery, and is only noted.
        (log.error if why == "not configured" else log.warning)("zalo_webhook refused an event: %s", why)
        return "forbidden", 403, PLAIN
    try:
        kept = deps.inbound_events.record_event(InboundEvent(event_id(body), ZALO, now, body.decode("utf-8")))
    except StoreUnavailable as error:  # Zalo posts again later
        log.error("zalo_webhook could not keep an event: %s", error)
        return "unavailable", 503, PLAIN
    if not kept:
        log.warning("zalo_webhook refused an event: replayed")
        return "forbidden", 403, PLAIN
    return "", 200, PLAIN


def zalo_webhook(request: Any, section: Any, store: Any, now: Callable[[], datetime]) -> Response:
    """Zalo's OA events (POST, signed with X-ZEvent-Signature): kept for the escalation run."""
    body = request.get_data(cache=False)
    deps = ZaloWebhookDeps(store.inbound_events, section.zalo_app_id, section.zalo_oa_secret_key,
                           lambda: now().astimezone(UTC))  # fmt: skip
    return handle_zalo_webhook(request.method, body, request.headers.get("X-ZEvent-Signature", ""), deps)
