"""Talking to the Sheets API: where it is, who we are, how long we wait, and what its errors mean.

Reads (GET) are retried here, within the connection's deadline, with `functions.retry`: on 429,
408, 5xx and timeouts, honouring Retry-After, and when a per-minute quota is spent, once more
after the minute has turned. Writes (POST) are never re-sent blindly: a retryable failure is
raised as `Retryable`, and the adapter re-reads the sheet and decides the write again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from functions.core.errors import SheetUnavailable
from functions.core.i18n import both
from functions.retry import RetryPolicy, full_jitter

GOOGLE_SHEETS_URL = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
RETRIED = {408, 429, 500, 502, 503, 504}
QUOTA_WINDOW = 61.0  # seconds: Sheets quotas are per minute; a spent one has refilled after this
_KEY_IN_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


class SheetError(SheetUnavailable):
    """The spreadsheet cannot be used; the message says which sheet and what to do."""


class Retryable(Exception):
    """A 429, 408 or 5xx answer: worth trying again, after re-reading the sheet for a write."""

    def __init__(self, response: Any):
        super().__init__(response.status_code)
        self.response = response


def spreadsheet_key(location: str) -> str | None:
    """The key from "google:KEY" or a URL copied from the browser; None for anything else."""
    if location.startswith("google:"):
        return location.removeprefix("google:").strip() or None
    match = _KEY_IN_URL.search(location)
    return match[1] if match and location.startswith("https://docs.google.com/") else None


@dataclass(frozen=True)
class Connection:
    key: str
    api_url: str = GOOGLE_SHEETS_URL
    credentials: str = ""  # "": Application Default Credentials; "none"; a file path or JSON text
    request_timeout: float = 20.0
    deadline: float = 90.0  # the most time one read or write may take, retries included
    first_delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[float], float] = full_jitter

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.deadline, self.first_delay, 32.0, self.sleep, self.clock, self.jitter)


def transient_errors() -> tuple[type[BaseException], ...]:
    import requests

    return (Retryable, requests.Timeout, requests.ConnectionError)


class QuotaClock:
    """When a per-minute quota was first found spent, so that one more try lands in the next minute."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.first_spent: float | None = None

    def wait_hint(self, error: BaseException) -> float | None:
        if isinstance(error, Retryable):
            if error.response.status_code == 429 and self.first_spent is None:
                self.first_spent = self.clock()
            return retry_after(error.response)
        return None

    def last_chance(self, error: BaseException) -> float | None:
        if self.first_spent is None:
            return None
        return max(0.0, self.first_spent + QUOTA_WINDOW - self.clock())


def retry_after(response: Any) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def bounded_http_client(connection: Connection) -> type:
    """A gspread HTTPClient class that talks to `api_url`, retries reads within the deadline and
    sends each write once. gspread's own BackOffHTTPClient retries forever."""
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    policy = connection.retry_policy()

    class BoundedHTTPClient(HTTPClient):
        def __init__(self, auth: Any, session: Any = None):
            super().__init__(auth, session)
            self.timeout = connection.request_timeout

        def request(  # gspread's signature
            self,
            method: str,
            endpoint: str,
            params: Any = None,
            data: Any = None,
            json: Any = None,
            files: Any = None,
            headers: Any = None,
        ) -> Any:
            url = endpoint.replace(GOOGLE_SHEETS_URL, connection.api_url.rstrip("/"), 1)
            ends = connection.clock() + connection.deadline

            def attempt() -> Any:
                # No request outlives the deadline: the last one gets only the time that is left.
                timeout = max(1.0, min(connection.request_timeout, ends - connection.clock()))
                response = self.session.request(
                    method=method,
                    url=url,
                    params=params,
                    data=data,
                    json=json,
                    files=files,
                    headers=headers,
                    timeout=timeout,
                )
                if response.ok:
                    return response
                if response.status_code in RETRIED:
                    raise Retryable(response)
                raise APIError(response)

            if method.upper() != "GET":  # gspread spells methods in lower case
                return attempt()
            quota = QuotaClock(connection.clock)
            return policy.call(attempt, transient_errors(), quota.wait_hint, quota.last_chance)

    return BoundedHTTPClient


def credentials(setting: str) -> Any:
    """None for "none" (a local test server), Application Default Credentials for "", else a
    service account from a JSON file or JSON text."""
    setting = setting.strip()
    if setting.lower() == "none":
        return None
    if not setting:
        import google.auth

        found, _ = google.auth.default(scopes=SCOPES)
        return found
    from google.oauth2 import service_account

    if setting.startswith("{"):
        import json

        return service_account.Credentials.from_service_account_info(json.loads(setting), scopes=SCOPES)
    return service_account.Credentials.from_service_account_file(setting, scopes=SCOPES)


def explain(response: Any, key: str, seconds: float, account: str = "") -> SheetError:
    """What an error answer means for staff, by Google's `status` and `details[].reason`."""
    error = _error_body(response)
    status, code = error.get("status", ""), response.status_code
    reasons = {d.get("reason", ""): d.get("metadata", {}) for d in error.get("details", []) if isinstance(d, dict)}
    message = error.get("message") or response.text[:200]
    if "SERVICE_DISABLED" in reasons or "has not been used in project" in message:
        metadata = reasons.get("SERVICE_DISABLED", {})
        project = metadata.get("consumer", "").removeprefix("projects/") or _project_in(message)
        url = metadata.get("activationUrl") or "https://console.cloud.google.com/apis/library/sheets.googleapis.com"
        return SheetError(both("sheet_api_disabled", key=key, project=project, url=url))
    if code == 429 or status == "RESOURCE_EXHAUSTED":
        return SheetError(both("sheet_quota", key=key, seconds=f"{seconds:.0f}"))
    if status == "FAILED_PRECONDITION" or "not supported for this document" in message:
        return SheetError(both("sheet_is_xlsx", key=key))
    if code == 401 or status == "UNAUTHENTICATED":
        return SheetError(both("sheet_unauthenticated", key=key) + f" ({message})")
    if code == 404 or status == "NOT_FOUND":
        return SheetError(both("sheet_not_found", key=key))
    if "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in reasons or "insufficient authentication scopes" in message:
        return SheetError(both("sheet_scope_missing", key=key))
    if "CONSUMER_SUSPENDED" in reasons or "has been suspended" in message:
        project = reasons.get("CONSUMER_SUSPENDED", {}).get("consumer", "").removeprefix("projects/")
        return SheetError(both("sheet_project_suspended", key=key, project=project or _project_in(message)))
    if code == 403 or status == "PERMISSION_DENIED":
        return SheetError(both("sheet_not_shared", key=key, account=account or "the service account") + f" ({code})")
    return SheetError(f"Google Sheets {key}: {code} {status} {message}".replace("  ", " "))


def _error_body(response: Any) -> dict[str, Any]:
    try:
        body = response.json().get("error", {})
    except Exception:  # a proxy's HTML page, say
        return {}
    return body if isinstance(body, dict) else {}


def _project_in(message: str) -> str:
    match = re.search(r"project (\d+)", message)
    return match[1] if match else "?"
