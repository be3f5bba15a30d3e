"""The SMS and Zalo stand-ins started for a test, with the CARELOOP_* settings that point at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from functions.standins.twilio_api import TwilioStandIn
from functions.standins.zalo_api import ZaloStandIn

TWILIO_SID, TWILIO_TOKEN = "AC" + "1" * 32, "twilio-test-auth-token"
ZALO_APP, ZALO_SECRET, ZALO_FIRST_REFRESH = "2718281828", "zalo-test-secret", "RT-first"
ZALO_OA_SECRET_KEY = "zalo-oa-test-secret-key"  # what the OA signs its webhook events with
# Approved templates as the stand-in knows them, with the parameter names messages.toml fills.
ZALO_TEMPLATES = {
    "401001": ["customer_name", "business_name"],
    "401002": ["customer_name", "business_name", "purchase_date", "survey_link"],
    "401003": ["customer_name", "business_name", "case_id", "survey_link"],
}
ZALO_TEMPLATE_SETTING = "birthday:401001,checkin:401002,case_survey:401003"


@dataclass
class Providers:
    twilio: TwilioStandIn
    zalo: ZaloStandIn

    def settings(self) -> dict[str, str]:
        return {
            "twilio_account_sid": TWILIO_SID, "twilio_auth_token": TWILIO_TOKEN, "sms_sender": "LuatMinhAn",
            "twilio_api_url": self.twilio.url, "zalo_app_id": ZALO_APP, "zalo_app_secret": ZALO_SECRET,
            "zalo_refresh_token": ZALO_FIRST_REFRESH, "zalo_templates": ZALO_TEMPLATE_SETTING,
            "zalo_api_url": self.zalo.url, "zalo_oauth_url": self.zalo.url, "zalo_oa_secret_key": ZALO_OA_SECRET_KEY,
        }  # fmt: skip

    def phones_reached(self) -> list[str]:
        """Every phone a message reached, by either provider (one entry a message)."""
        return [m["to"] for m in self.twilio.accepted] + ["+" + m["phone"] for m in self.zalo.accepted]


@contextmanager
def phone_providers(outbox: Path | None = None) -> Iterator[Providers]:
    with (
        TwilioStandIn(TWILIO_SID, TWILIO_TOKEN, outbox) as twilio,
        ZaloStandIn(
            ZALO_APP, ZALO_SECRET, ZALO_FIRST_REFRESH, ZALO_TEMPLATES, outbox, oa_secret_key=ZALO_OA_SECRET_KEY
        ) as zalo,
    ):
        yield Providers(twilio, zalo)
