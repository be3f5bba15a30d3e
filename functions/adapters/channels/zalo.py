"""Channel adapter for Zalo Notification Service (ZNS): an approved template per message kind, sent
to a phone number by a Zalo Official Account.

POST {zalo_api_url}/message/template with the OA's access token in the `access_token` header and
{phone, template_id, template_data, tracking_id}; Zalo answers HTTP 200 with {"error": 0, ...} or
an error code (zalo.cloud/zns/guidelines/handle-error-code). Access tokens come from
`ZaloTokens` (refreshed by one run at a time). A new connection carries each request, so a
connection lost mid-way is known to be this message's (ambiguous: never re-sent on its own).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from functions.adapters.channels.context import ChannelContext, Webhook
from functions.adapters.channels.http_faults import request_failure, status_failure
from functions.adapters.channels.zalo_events import read_zalo_event
from functions.adapters.channels.zalo_tokens import Refreshed, RefreshRefused, ZaloTokens
from functions.core import setting_checks as check
from functions.core.channel_specs import PHONE_ADDRESS, TEMPLATE_FORM, ChannelSpec
from functions.core.errors import (
    AmbiguousDeliveryError,
    PermanentDeliveryError,
    ProviderLimitReached,
    RecipientUnreachable,
    TransientDeliveryError,
)
from functions.core.i18n import both
from functions.core.ids import digest_hex
from functions.core.messages import OutgoingMessage
from functions.ports import Credentials

ZALO_API_URL = "https://business.openapi.zalo.me"
ZALO_OAUTH_URL = "https://oauth.zaloapp.com"
TRACKING_LIMIT = 48  # characters of tracking_id careloop sends; a longer key goes as its digest

# Zalo's error codes, by what careloop does about them.
TOKEN_ERRORS = {-124: "Access token invalid", -216: "Access token is invalid"}  # refresh, then one more try
UNREACHABLE = {  # this phone cannot get ZNS: the next channel of the row is tried
    -108: "Phone number invalid",
    -114: "User is inactive, or rejected the message",
    -118: "Zalo account not existed",
    -119: "Account can not receive ZNS",
    -139: "User refused to receive ZNS",
    -141: "User refused promotional ZNS",
}
LEASE_MARGIN = 15.0  # seconds a refresh claim outlasts the refresh call's own time limits
# The OA's or the template's daily quota (a new OA starts at 500 ZNS a day; a promotional template
# may take at most a share of it): not the customer's doing, and waiting does not help today.
LIMITS = {-144: "OA exceeded its daily quota", -147: "Template exceeded its daily quota"}
TRANSIENT = {-133: "Outside ZNS hours"}


@dataclass(frozen=True)
class ZaloConfig:
    app_id: str
    app_secret: str
    refresh_token: str  # the first one only; afterwards the store keeps the current one
    templates: Mapping[str, str] = field(default_factory=dict)  # message kind → approved template ID
    api_url: str = ZALO_API_URL
    oauth_url: str = ZALO_OAUTH_URL
    timeout: float = 30.0


def tracking_id(key: str) -> str:
    """The ledger key, so Zalo's reports name the message; a long one as its digest."""
    return key if len(key) <= TRACKING_LIMIT and key.isascii() else "k-" + digest_hex(key, 40)


class ZaloChannel:
    channels = frozenset({"zalo"})

    def __init__(self, config: ZaloConfig, credentials: Credentials):
        self.config = config
        # A refresh call takes at most its connect and read timeouts; the claim on the refresh token
        # must outlast it, or a second run would spend the same single-use token.
        lease = 2 * config.timeout + LEASE_MARGIN
        self.tokens = ZaloTokens(credentials, self._refresh, config.refresh_token, lease, lease + LEASE_MARGIN)

    def deliver(self, message: OutgoingMessage) -> None:
        template_id = self.config.templates.get(message.kind)
        if not template_id:  # no approved template for this kind: another channel carries it
            raise RecipientUnreachable(both("zalo_no_template", kind=message.kind))
        body = {
            "phone": message.to.removeprefix("+"),  # Zalo takes 84xxxxxxxxx
            "template_id": template_id,
            "template_data": dict(message.params),
            "tracking_id": tracking_id(message.key),
        }
        for attempt in (1, 2):
            token = self.tokens.access_token()
            answer = self._post("/message/template", body, {"access_token": token})
            code = answer.get("error")
            if code == 0:
                return
            if code in TOKEN_ERRORS and attempt == 1:
                self.tokens.rejected(token)
                continue
            raise _failure(code, str(answer.get("message", "")))

    def _post(self, path: str, body: Mapping[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        import requests

        try:
            response = requests.post(self.config.api_url + path, json=body, headers=dict(headers),
                                     timeout=self.config.timeout)  # fmt: skip
        except requests.RequestException as error:
            raise request_failure("Zalo", error) from error
        failure = status_failure("Zalo", response.status_code, response.text)
        if failure:
            raise failure
        try:
            answer = response.json()
        except ValueError:
            raise AmbiguousDeliveryError(f"Zalo HTTP {response.status_code}: {response.text[:200]}") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("error"), int):
            raise PermanentDeliveryError(f"Zalo HTTP {response.status_code}: {response.text[:200]}")
        return answer

    def _refresh(self, refresh_token: str) -> Refreshed:
        """Spend a refresh token at Zalo's OAuth v4 endpoint for a new access and refresh token."""
        import requests

        try:
            response = requests.post(
                self.config.oauth_url + "/v4/oa/access_token",
                data={"app_id": self.config.app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"},
                headers={"secret_key": self.config.app_secret},
                timeout=self.config.timeout,
            )
            answer = response.json()
        except requests.RequestException as error:
            raise TransientDeliveryError(f"Zalo OAuth: {error}") from error
        except ValueError:
            raise TransientDeliveryError(f"Zalo OAuth HTTP {response.status_code}: {response.text[:200]}") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientDeliveryError(f"Zalo OAuth HTTP {response.status_code}")
        if not answer.get("access_token") or not answer.get("refresh_token"):
            reason = answer.get("error_description") or answer.get("error_reason") or answer.get("error_name") or answer
            raise RefreshRefused(f"Zalo OAuth {answer.get('error', response.status_code)}: {reason}")
        return Refreshed(answer["access_token"], answer["refresh_token"], float(answer.get("expires_in", 3600)))

    def close(self) -> None:
        pass


def _failure(code: Any, message: str) -> Exception:
    known = UNREACHABLE.get(code) or LIMITS.get(code) or TRANSIENT.get(code) or TOKEN_ERRORS.get(code, "")
    text = f"Zalo {code}: {message or known}"
    if code in LIMITS:
        return ProviderLimitReached(text)
    if code in UNREACHABLE:
        return RecipientUnreachable(text)
    if code in TRANSIENT:
        return TransientDeliveryError(text)
    return PermanentDeliveryError(text)  # staff must fix something (a template, the OA's rights): failed


# The kinds customers receive by ZNS (messages.toml has [KIND.zns]); birthday_voucher: the wish with a voucher.
# care, advert, advert_voucher: the occasions staff add to the Care plan, by their kind.
ZALO_KINDS = ("birthday", "birthday_voucher", "checkin", "case_survey", "care", "advert", "advert_voucher")


def _zalo_templates(text: str) -> tuple[tuple[str, str], ...]:
    """ "checkin:123456,birthday:123457" → (("checkin", "123456"), ("birthday", "123457"))."""
    pairs = []
    for part in (p.strip() for p in re.split(r"[,;\n]", text) if p.strip()):
        kind, _, template_id = (s.strip() for s in part.partition(":"))
        if kind not in ZALO_KINDS or not re.fullmatch(r"\d{1,20}", template_id):
            raise ValueError(both("need_zalo_templates", kinds=", ".join(ZALO_KINDS)))
        pairs.append((kind, template_id))
    return tuple(pairs)


def _templates_shown(value: tuple[tuple[str, str], ...]) -> str:
    return ",".join(f"{kind}:{template}" for kind, template in value)


@dataclass(frozen=True)
class ZaloSettings:
    """The Zalo channel's settings (CARELOOP_ZALO_APP_ID, …; the same names in careloop.toml)."""

    zalo_app_id: str = check.setting(
        "", deploy="env",
        doc="Zalo ZNS: the app ID linked to the Official Account; with `zalo_app_secret` and `zalo_templates`, all "
        "three or none",
    )  # fmt: skip
    zalo_app_secret: str = check.setting("", secret=True, doc="Zalo ZNS: the app's secret key")
    zalo_refresh_token: str = check.setting(
        "", secret=True, doc="Zalo ZNS: the first refresh token only; afterwards the store keeps the current one"
    )
    zalo_templates: tuple[tuple[str, str], ...] = check.setting(
        (), _zalo_templates, shown=_templates_shown, deploy="env",
        doc="Zalo ZNS: the approved template per kind (`checkin:123456,birthday:123457,case_survey:123458`, and "
        "`birthday_voucher:123459` for the wish that carries a voucher; `care:…`, `advert:…`, `advert_voucher:…` for "
        "the occasions staff add to the Care plan)",
    )  # fmt: skip
    zalo_oa_secret_key: str = check.setting(
        "", secret=True, read_by=("zalo_webhook",),
        doc="the OA secret key Zalo signs webhook events with (`zalo_webhook`); unset: every event is refused",
    )  # fmt: skip
    zalo_api_url: str = check.setting(ZALO_API_URL, check.url, doc="Zalo's ZNS API (a local stand-in in tests)")
    zalo_oauth_url: str = check.setting(ZALO_OAUTH_URL, check.url, doc="Zalo's OAuth API (a local stand-in in tests)")


SETTINGS = ZaloSettings
WEBHOOKS = {  # the public functions the provider calls
    "zalo_webhook": Webhook(
        "functions.adapters.channels.zalo_webhook",
        "Zalo OA events: customers' texts and ZNS ratings (public, signed by Zalo)",
    )
}
SPEC = ChannelSpec(
    "zalo",
    PHONE_ADDRESS,
    TEMPLATE_FORM,
    label="Zalo",
    provider=("zalo_app_id", "zalo_app_secret", "zalo_templates"),
    template_table="zns",
    read_event=read_zalo_event,
)


def build(section: ZaloSettings, context: ChannelContext) -> ZaloChannel:
    return ZaloChannel(
        ZaloConfig(
            section.zalo_app_id,
            section.zalo_app_secret,
            section.zalo_refresh_token,
            dict(section.zalo_templates),
            section.zalo_api_url,
            section.zalo_oauth_url,
        ),  # fmt: skip
        context.credentials,
    )


def describe(section: ZaloSettings, context: ChannelContext) -> str:
    return f"ZNS: {', '.join(kind for kind, _ in section.zalo_templates)}"
