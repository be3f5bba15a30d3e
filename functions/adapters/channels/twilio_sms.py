"""Channel adapter for SMS through Twilio, with Twilio's own library (`twilio`), imported on the
first message so runs without SMS never load it.

Messages.create with a brand name or number as the sender and a status callback URL that carries
the ledger key, so the `sms_status` function can record delivered / undelivered against it. The
library's HTTP client is pointed at `twilio_api_url` (a local test server in tests) and opens a new
connection for each message, so a connection lost mid-way is known to be this message's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

from functions.adapters.channels.context import ChannelContext, Webhook
from functions.adapters.channels.http_faults import request_failure, status_failure
from functions.adapters.channels.sms_segments import fit_sms
from functions.core import setting_checks as check
from functions.core.channel_specs import PHONE_ADDRESS, TEXT_FORM, ChannelSpec, FittedText
from functions.core.errors import PermanentDeliveryError, ProviderRefused, RecipientUnreachable, TransientDeliveryError
from functions.core.i18n import both
from functions.core.ledger import DELIVERED, UNDELIVERED
from functions.core.messages import OutgoingMessage

TWILIO_API_URL = "https://api.twilio.com"
# Twilio error codes (twilio.com/docs/api/errors) meaning this number cannot get an SMS from us.
UNREACHABLE_CODES = {
    21211: "invalid 'To' number",
    21217: "phone number does not appear to be valid",
    21408: "no permission to send to this region",
    21610: "the recipient replied STOP",
    21612: "no route to this number",
    21614: "not a mobile number",
    21635: "not a valid mobile number",
}
RATE_CODES = {20429: "too many requests", 14107: "rate limit exceeded"}
REFUSED_CODES = {20003: "authentication failed: the account SID or auth token is wrong"}  # careloop itself
# Why a carrier did not deliver (twilio.com/docs/api/errors/30003 …), for the row's System note.
UNDELIVERED_CODES = {
    "30003": "máy không liên lạc được / unreachable handset",
    "30004": "bị chặn / message blocked",
    "30005": "số không tồn tại / unknown handset",
    "30006": "số bàn hoặc nhà mạng không nhận / landline or unreachable carrier",
    "30007": "nhà mạng lọc tin / filtered by the carrier",
    "30008": "lỗi không rõ / unknown error",
}


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    sender: str  # a registered brand name ("CareLoop") or a number
    status_url: str = ""  # the sms_status function; empty: no delivery reports
    api_url: str = TWILIO_API_URL
    timeout: float = 30.0


def status_callback(status_url: str, key: str) -> str:
    return f"{status_url}?k={quote(key, safe='')}" if status_url else ""


class TwilioSmsChannel:
    channels = frozenset({"sms"})

    def __init__(self, config: TwilioConfig):
        self.config = config

    @cached_property
    def client(self) -> Any:
        from twilio.rest import Client

        return Client(self.config.account_sid, self.config.auth_token, http_client=_http_client(self.config))

    def deliver(self, message: OutgoingMessage) -> None:
        import requests
        from twilio.base.exceptions import TwilioRestException

        options: dict[str, Any] = {"to": message.to, "from_": self.config.sender, "body": message.text}
        callback = status_callback(self.config.status_url, message.key)
        if callback:
            options["status_callback"] = callback
        try:
            self.client.messages.create(**options)
        except requests.RequestException as error:
            raise request_failure("Twilio", error) from error
        except TwilioRestException as error:
            raise _failure(error) from error

    def close(self) -> None:
        pass


def _failure(error: Any) -> Exception:  # a TwilioRestException
    text = f"Twilio {error.code or error.status}: {error.msg}"
    if error.code in REFUSED_CODES or error.status == 401:
        return ProviderRefused(text)
    if error.code in UNREACHABLE_CODES:
        return RecipientUnreachable(text)
    if error.code in RATE_CODES:
        return TransientDeliveryError(text)
    return status_failure("Twilio", error.status, str(error.msg)) or PermanentDeliveryError(text)


def _http_client(config: TwilioConfig) -> Any:
    from twilio.http.http_client import TwilioHttpClient

    class Pointed(TwilioHttpClient):
        """Twilio's client, sending to `api_url` instead of api.twilio.com."""

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            return super().request(method, url.replace(TWILIO_API_URL, config.api_url, 1), *args, **kwargs)

    return Pointed(pool_connections=False, timeout=config.timeout)


class TwilioStatusCallbacks:
    """Twilio's SMS status callbacks, checked with the library's own RequestValidator."""

    def __init__(self, auth_token: str):
        self.auth_token = auth_token

    def verified(self, url: str, params: Mapping[str, str], signature: str) -> bool:
        from twilio.request_validator import RequestValidator

        return bool(self.auth_token) and bool(RequestValidator(self.auth_token).validate(url, dict(params), signature))

    def outcome(self, params: Mapping[str, str]) -> tuple[str, str] | None:
        status = params.get("MessageStatus", "")
        if status == "delivered":
            return DELIVERED, ""
        if status in ("undelivered", "failed"):
            code = params.get("ErrorCode", "")
            return UNDELIVERED, f"Twilio {code}: {UNDELIVERED_CODES.get(code, status)}" if code else f"Twilio {status}"
        return None


_twilio_sid = check.matching(r"AC[0-9a-fA-F]{32}", "need_twilio_sid")  # an account SID


def _sms_sender(text: str) -> str:
    """A brand name (letters, digits and spaces, at most 11, one letter at least) or a number in E.164."""
    value = text.strip()
    brand = re.fullmatch(r"[A-Za-z0-9 ]{1,11}", value) and re.search(r"[A-Za-z]", value)
    if value and not (brand or re.fullmatch(r"\+[1-9]\d{6,14}", value)):
        raise ValueError(both("need_sms_sender"))
    return value


@dataclass(frozen=True)
class TwilioSettings:
    """The SMS channel's settings (CARELOOP_TWILIO_ACCOUNT_SID, …; the same names in careloop.toml)."""

    twilio_account_sid: str = check.setting(
        "", _twilio_sid, deploy="env",
        doc="SMS through Twilio: the account SID (`AC…`); with `twilio_auth_token` and `sms_sender`, all three or "
        "none (half a provider is a settings error naming what is missing)",
    )  # fmt: skip
    twilio_auth_token: str = check.setting(
        "", secret=True, read_by=("send", "sms_status"), doc="SMS through Twilio: the auth token"
    )
    sms_sender: str = check.setting(
        "", _sms_sender, deploy="env",
        doc="the SMS sender: a brand name registered for Vietnam (at most 11 characters) or a Twilio number",
    )  # fmt: skip
    twilio_api_url: str = check.setting(TWILIO_API_URL, check.url, doc="Twilio's API (the local stand-in in tests)")
    sms_status_url: str = check.setting(
        "", check.url_or_empty, url_of="sms_status", default_doc="the URL the `sms_status` function is called at",
        doc="given to Twilio for delivery reports (Terraform sets it)",
    )  # fmt: skip
    sms_ascii: bool = check.setting(True, check.flag, doc="SMS without diacritics: 160 characters a part, not 70")
    sms_max_segments: int = check.setting(
        2, check.int_range(1, 10),
        doc="an SMS longer than this many parts is a render error naming the template, never cut",
    )  # fmt: skip


SETTINGS = TwilioSettings
WEBHOOKS = {  # the public functions the provider calls
    "sms_status": Webhook(
        "functions.adapters.channels.twilio_status", "SMS delivery reports from Twilio (public, signed by Twilio)"
    )
}


def _fit(section: TwilioSettings, text: str, name: str) -> FittedText:
    fitted = fit_sms(text, section.sms_ascii, section.sms_max_segments, name)
    return FittedText(fitted.text, fitted.length, fitted.encoding, fitted.segments)


SPEC = ChannelSpec(
    "sms",
    PHONE_ADDRESS,
    TEXT_FORM,
    words=("tin nhan", "nhan tin"),
    label="SMS",
    provider=("twilio_account_sid", "twilio_auth_token", "sms_sender"),
    fit=_fit,
)


def status_url(section: TwilioSettings, public_url: str) -> str:
    """Where Twilio posts delivery reports: the sms_status function."""
    return section.sms_status_url or f"{public_url}/sms_status"


def build(section: TwilioSettings, context: ChannelContext) -> TwilioSmsChannel:
    return TwilioSmsChannel(
        TwilioConfig(
            section.twilio_account_sid,
            section.twilio_auth_token,
            section.sms_sender,
            status_url(section, context.public_url),
            section.twilio_api_url,
        )  # fmt: skip
    )


def describe(section: TwilioSettings, context: ChannelContext) -> str:
    return f"Twilio, {section.sms_sender}"
