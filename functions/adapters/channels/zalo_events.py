"""What Zalo tells careloop through the OA's webhook (pure): whether a request is Zalo's, and what an
event means — a customer's text to the OA, a ZNS rating, and the two events that say which Zalo
user a customer is (a ZNS delivered to them, a phone they shared).

Zalo signs each event: `X-ZEvent-Signature: mac=<hex>`, the hex being sha256 of the app id, the
raw body, the event's timestamp and the OA secret key, concatenated (the app id and the timestamp
are the body's own `app_id` and `timestamp`, in milliseconds). Nothing else in a request is trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.core.inbound import DELIVERED, SHARED_PHONE, HeardEvent
from functions.core.values import CellError, read_phone

STALE_AFTER = timedelta(minutes=15)  # an event older than this is refused: a replay, or a clock gone wrong
AHEAD_LIMIT = timedelta(minutes=5)  # an event from further in the future is refused too
BODY_LIMIT = 64 * 1024  # bytes: an event is a few hundred; anything bigger is not Zalo's
ZALO = "zalo"

USER_SEND_TEXT = "user_send_text"  # a Zalo user wrote to the OA
USER_FEEDBACK = "user_feedback"  # a ZNS rating template answered: stars 1–5, chips, a note
USER_RECEIVED_MESSAGE = "user_received_message"  # a ZNS delivered: its tracking_id names careloop's message
USER_SUBMIT_INFO = "user_submit_info"  # a Zalo user shared their phone (and name) with the OA


def zalo_mac(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret_key.encode()).hexdigest()


def event_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:40]


def verified_event(
    body: bytes, signature: str, app_id: str, secret_key: str, now: datetime
) -> tuple[dict[str, Any] | None, str]:
    """The event's JSON when Zalo signed it for this app within the time allowed; else None and why."""
    if not secret_key or not app_id:
        return None, "not configured"
    if not signature or len(body) > BODY_LIMIT:
        return None, "unsigned"
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, "not JSON"
    if not isinstance(event, dict):
        return None, "not an event"
    timestamp = str(event.get("timestamp", ""))
    expected = zalo_mac(str(event.get("app_id", "")), body, timestamp, secret_key)
    given = signature.strip().removeprefix("mac=").strip().lower()
    if not hmac.compare_digest(given.encode(), expected.encode()) or str(event.get("app_id")) != app_id:
        return None, "signature invalid"
    at = _moment(timestamp)
    if at is None or at < now - STALE_AFTER or at > now + AHEAD_LIMIT:
        return None, "stale"
    return event, ""


def read_zalo_event(body: str) -> HeardEvent:
    """An event's meaning; fields Zalo did not send are empty (nothing in it is trusted further)."""
    try:
        event = json.loads(body)
    except ValueError:
        event = {}
    event = event if isinstance(event, dict) else {}
    message = _mapping(event.get("message"))
    name = _text(event.get("event_name"))
    sender, recipient = (
        _text(_mapping(event.get("sender")).get("id")),
        _text(_mapping(event.get("recipient")).get("id")),
    )
    # The event is about the user: the sender of what users do, the recipient of what the OA sent.
    user_id = recipient if name == USER_RECEIVED_MESSAGE else sender or _text(event.get("user_id_by_app"))
    info = _mapping(event.get("info"))
    phone = _e164(_text(info.get("phone")))
    rating = _rating(message.get("rate")) if name == USER_FEEDBACK else None
    if name == USER_FEEDBACK:
        chips = message.get("feedbacks")
        words = [_text(message.get("note")), *(_text(c) for c in (chips if isinstance(chips, list) else []))]
        text = " · ".join(w for w in words if w)
    else:
        text = _text(message.get("text"))
    tie = {USER_RECEIVED_MESSAGE: DELIVERED, USER_SUBMIT_INFO: SHARED_PHONE}.get(name, "")
    return HeardEvent(ZALO, tie, _moment(_text(event.get("timestamp"))), user_id[:64],
                      _text(message.get("msg_id"))[:64], text, _text(message.get("tracking_id"))[:64], phone[:16],
                      rating)  # fmt: skip


def _e164(shared: str) -> str:
    """A phone a Zalo user shared ("84912345678", "0912 345 678") as careloop keeps phones; '' when none."""
    digits = "".join(ch for ch in shared if ch.isdigit())
    try:  # Zalo writes it international without "+": read as such, or as typed in Vietnam
        return read_phone("+" + digits if digits.startswith("84") else digits, "VN") if digits else ""
    except CellError:
        return ""


def _rating(value: Any) -> int | None:
    try:
        stars = int(str(value).strip())
    except ValueError:
        return None
    return stars if 1 <= stars <= 5 else None


def _moment(milliseconds: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(milliseconds) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""
