"""A stand-in for Zalo's ZNS and OAuth v4 APIs.

POST /message/template (header access_token; JSON phone, template_id, template_data, tracking_id)
answers {"error": 0, "message": "Success", "data": {msg_id, sent_time, quota}} or an error code;
POST /v4/oa/access_token (header secret_key; form app_id, refresh_token, grant_type) spends the
refresh token, once, for a new pair (`refresh_delays` holds its answers back). `script` makes a
phone fail: ("error", code, message), ("http", status) or HANG_UP; `not_on_zalo` answers -118 for a phone.
"""

from __future__ import annotations

import json
import secrets
import time
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

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any] | str:
        if method == "POST" and path == "/v4/oa/access_token":
            return self._refresh(headers, body)
        if method == "POST" and path == "/message/template":
            return self._send(headers, body)
        return 404, {"error": -106, "message": "Method unsupported"}

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
