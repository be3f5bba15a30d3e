"""A stand-in for Zalo's ZNS and OAuth v4 APIs.

POST /message/template (header access_token; JSON phone, template_id, template_data, tracking_id)
answers {"error": 0, "message": "Success", "data": {msg_id, sent_time, quota}} or an error code;
POST /v4/oa/access_token (header secret_key; form app_id, refresh_token, grant_type) spends the
refresh token, once, for a new pair (`refresh_delays` holds its answers back). `script` makes a
phone fail: ("error", code, message), ("http", status) or HANG_UP; `not_on_zalo` answers -118 for a phone.

The OA's webhook, as Zalo calls it: `event(...)` builds an event in the documented shape
(user_send_text, user_feedback — a ZNS rating template answered —, user_received_message, user_submit_info),
`post_event(url, event)` signs it (X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA
secret key)) and POSTs it, answering the HTTP status. Each phone is one Zalo user, its id stable.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from functions.standins.server import HANG_UP, StandIn


class ZaloStandIn(StandIn):
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        refresh_token: str,
        templates: dict[str, list[str]],  # approved template ID → its parameter names
        outbox: str | Path | None = None,
        port: int | None = None,
        expires_in: int = 90000,
        oa_secret_key: str = "",
        oa_id: str = "579745863508352884",
    ):
        super().__init__(outbox, port)
        self.app_id, self.app_secret, self.templates, self.expires_in = app_id, app_secret, templates, expires_in
        self.refresh_tokens = {refresh_token}  # valid, unspent
        self.spent: list[str] = []  # refresh tokens spent, in order (each at most once)
        self.refused: list[str] = []  # refresh tokens offered again after being spent
        self.access_tokens: dict[str, float] = {}  # token → expiry (time.time())
        self.script: dict[str, list[Any]] = {}
        self.not_on_zalo: set[str] = set()
        self.accepted: list[dict[str, Any]] = []
        self.refresh_delays: list[float] = []  # seconds each next refresh answer waits, after the token is spent
        self.daily_quota = 500  # a new OA's: past it, -144 (the OA exceeded its daily quota)
        self.oa_secret_key, self.oa_id = oa_secret_key, oa_id

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any] | str:
        if method == "POST" and path == "/v4/oa/access_token":
            return self._refresh(headers, body)
        if method == "POST" and path == "/message/template":
            return self._send(headers, body)
        return 404, {"error": -106, "message": "Method unsupported"}

    def user_id(self, phone: str) -> str:
        """The Zalo user (by app) a phone belongs to: a long number, the same for every event."""
        return str(int(hashlib.sha256(f"{self.app_id}/{phone.lstrip('+')}".encode()).hexdigest()[:15], 16))

    def event(self, name: str, phone: str, at: float | None = None, **fields: Any) -> dict[str, Any]:
        """An OA event about the user of `phone`, as Zalo posts it (`at`: seconds since the epoch).
        user_send_text: text; user_feedback: rate, feedbacks, note, tracking_id; user_received_message:
        tracking_id; user_submit_info: shared_name (the phone is the one shared)."""
        stamp = str(int((time.time() if at is None else at) * 1000))
        user, oa = {"id": self.user_id(phone)}, {"id": self.oa_id}
        msg_id = secrets.token_hex(10)
        event: dict[str, Any] = {"app_id": self.app_id, "event_name": name, "timestamp": stamp}
        if name == "user_send_text":
            event |= {"user_id_by_app": user["id"], "sender": user, "recipient": oa,
                      "message": {"text": fields.get("text", ""), "msg_id": msg_id}}  # fmt: skip
        elif name == "user_feedback":
            event |= {"oa_id": self.oa_id, "message": {
                "note": fields.get("note", ""), "rate": fields.get("rate", 5), "submit_time": stamp,
                "msg_id": msg_id, "feedbacks": list(fields.get("feedbacks", [])),
                "tracking_id": fields.get("tracking_id", "")}}  # fmt: skip
        elif name == "user_received_message":
            event |= {"sender": oa, "recipient": user, "message": {
                "delivery_time": stamp, "msg_id": msg_id, "tracking_id": fields.get("tracking_id", "")}}  # fmt: skip
        elif name == "user_submit_info":
            event |= {"user_id_by_app": user["id"], "sender": user, "recipient": oa, "info": {
                "name": fields.get("shared_name", ""), "phone": phone.lstrip("+"),
                "address": "", "city": "", "district": ""}}  # fmt: skip
        return event

    def signed(self, event: dict[str, Any]) -> tuple[bytes, str]:
        """The body Zalo posts and its X-ZEvent-Signature."""
        body = json.dumps(event, ensure_ascii=False).encode()
        mac = hashlib.sha256(self.app_id.encode() + body + str(event.get("timestamp", "")).encode()
                             + self.oa_secret_key.encode()).hexdigest()  # fmt: skip
        return body, f"mac={mac}"

    def post_event(self, url: str, event: dict[str, Any], signature: str | None = None) -> int:
        """POST the event to careloop's webhook, signed as Zalo signs it (or with `signature`)."""
        body, signed = self.signed(event)
        signature = signed if signature is None else signature
        headers = {"Content-Type": "application/json", **({"X-ZEvent-Signature": signature} if signature else {})}
        request = urllib.request.Request(url, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return error.code

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = {t: 0.0 for t in self.access_tokens}

    def _refresh(self, headers: Any, body: bytes) -> tuple[int, Any]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return 200, {
                "error": -14002,
                "error_name": "Invalid app",
                "error_description": "app_id or secret_key is invalid",
            }
        token = form.get("refresh_token", "")
        with self.lock:
            if token not in self.refresh_tokens:
                self.refused.append(token)
                return 200, {"error": -14014, "error_name": "Invalid parameter",
                             "error_reason": "Invalid refresh token",
                             "error_description": "Refresh token is invalid or has been used"}  # fmt: skip
            self.refresh_tokens.discard(token)
            self.spent.append(token)
            access, refresh = "AT-" + secrets.token_urlsafe(12), "RT-" + secrets.token_urlsafe(12)
            self.refresh_tokens.add(refresh)
            self.access_tokens[access] = time.time() + self.expires_in
            delay = self.refresh_delays.pop(0) if self.refresh_delays else 0.0
        time.sleep(delay)  # a slow answer: Zalo has spent the token, the caller does not know it yet
        return 200, {"access_token": access, "refresh_token": refresh, "expires_in": str(self.expires_in)}

    def _send(self, headers: Any, body: bytes) -> tuple[int, Any] | str:
        with self.lock:
            valid = self.access_tokens.get(headers.get("access_token", ""), 0.0) > time.time()
        if not valid:
            return 200, {"error": -124, "message": "Access token invalid"}
        request = json.loads(body)
        phone = str(request.get("phone", ""))
        with self.lock:
            faults = self.script.get(phone)
            fault = faults.pop(0) if faults else None
        if fault is not None and fault != HANG_UP:
            return (fault[1], {"error": -100, "message": "Unknown error"}) if fault[0] == "http" else (
                200, {"error": fault[1], "message": fault[2]})  # fmt: skip
        refusal = self._refusal(phone, request)
        with self.lock:
            if refusal is None and len(self.accepted) >= self.daily_quota:
                refusal = (-144, "OA exceeded the daily quota")
        if refusal:
            return 200, {"error": refusal[0], "message": refusal[1]}
        message = {"msg_id": secrets.token_hex(10), **request}
        with self.lock:
            self.accepted.append(message)
        self.keep("zns.json", phone, json.dumps(message, ensure_ascii=False, indent=1) + "\n")
        if fault == HANG_UP:
            return HANG_UP
        return 200, {"error": 0, "message": "Success", "data": {
            "msg_id": message["msg_id"], "sent_time": str(int(time.time() * 1000)),
            "quota": {"dailyQuota": str(self.daily_quota),
                      "remainingQuota": str(self.daily_quota - len(self.accepted))}}}  # fmt: skip

    def _refusal(self, phone: str, request: dict[str, Any]) -> tuple[int, str] | None:
        if not (phone.startswith("84") and phone.isdigit() and 10 <= len(phone) <= 12):
            return -108, "Phone number invalid"
        if phone in self.not_on_zalo:
            return -118, "Zalo account not existed"
        params = self.templates.get(str(request.get("template_id")))
        if params is None:
            return -109, "Template ID invalid"
        data = request.get("template_data")
        if (
            not isinstance(data, dict)
            or sorted(data) != sorted(params)
            or not all(isinstance(v, str) for v in data.values())
        ):
            return -112, "Template data invalid"
        return None
