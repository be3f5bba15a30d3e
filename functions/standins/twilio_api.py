"""A stand-in for Twilio's Messages API (2010-04-01), as the `twilio` library calls it.

POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP Basic auth (the account SID and
auth token) and form fields To, From, Body, StatusCallback; answers 201 with the Message resource,
or Twilio's error JSON {code, message, more_info, status}. `script` makes a number fail: an error
(status, code, message) or HANG_UP (the message is accepted, the answer never sent).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from functions.standins.server import HANG_UP, StandIn

MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/(AC\w+)/Messages\.json")


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    "status": status}  # fmt: skip


class TwilioStandIn(StandIn):
    def __init__(self, account_sid: str, auth_token: str, outbox: str | Path | None = None, port: int | None = None):
        super().__init__(outbox, port)
        self.account_sid, self.auth_token = account_sid, auth_token
        self.script: dict[str, list[Any]] = {}  # number → faults, one per request
        self.accepted: list[dict[str, str]] = []

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any] | str:
        match = MESSAGES_PATH.fullmatch(path)
        if method != "POST" or not match:
            return _error(404, 20404, "The requested resource was not found")
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if match[1] != self.account_sid or headers.get("Authorization") != f"Basic {expected}":
            return _error(401, 20003, "Authenticate")
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        to = form.get("To", "")
        with self.lock:
            faults = self.script.get(to)
            fault = faults.pop(0) if faults else None
        if fault is not None and fault != HANG_UP:
            return _error(*fault)
        if not re.fullmatch(r"\+[1-9]\d{6,14}", to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not form.get("Body"):
            return _error(400, 21602, "Message body is required.")
        message = {"sid": "SM" + secrets.token_hex(16), "to": to, "from": form.get("From", ""), "body": form["Body"],
                   "status_callback": form.get("StatusCallback", "")}  # fmt: skip
        with self.lock:
            self.accepted.append(message)
        self.keep("sms.txt", to, f"To: {to}\nFrom: {message['from']}\n\n{message['body']}\n")
        if fault == HANG_UP:
            return HANG_UP
        now = format_datetime(datetime.now(UTC), usegmt=True)
        return 201, {
            **{k: message[k] for k in ("sid", "to", "from", "body")},
            "account_sid": self.account_sid, "status": "queued", "direction": "outbound-api", "num_segments": "1",
            "date_created": now, "date_updated": now, "date_sent": None, "error_code": None, "error_message": None,
            "price": None, "price_unit": "USD", "api_version": "2010-04-01", "messaging_service_sid": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message['sid']}.json",
        }  # fmt: skip

    def dump(self) -> str:
        return json.dumps(self.accepted, ensure_ascii=False, indent=1)
