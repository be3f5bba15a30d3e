"""The demo's phone channels: local stand-ins speaking Twilio's and Zalo's APIs (functions.standins),
started for `careloop demo` and stopped after it, and what the demo's customers do through them
(a ZNS rating posted to the zalo_webhook function's own handler, signed as Zalo signs).

Everything about a provider the demo needs lives here, beside the channels' adapters: the demo
itself names no channel.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# The demo's Zalo OA and Twilio account. Their approved ZNS templates take the parameters
# messages.toml fills; one demo phone is not on Zalo.
DEMO_TWILIO = ("AC" + "d" * 32, "demo-twilio-token")
DEMO_ZALO = ("1000000001", "demo-zalo-secret")
DEMO_OA_KEY = "demo-zalo-oa-secret-key"  # what the demo OA signs its webhook events with
DEMO_ZNS_IDS = {"birthday": "100001", "checkin": "100002", "case_survey": "100003", "birthday_voucher": "100004"}
NOT_ON_ZALO = {"84909000031"}
# The demo office writes by email where it has an address, then Zalo, then SMS.
DEMO_CHANNEL_ORDER = "email,zalo,sms"


@dataclass
class StandIns:
    settings: dict[str, str]  # the settings that point careloop at the stand-ins
    zalo: Any  # the Zalo stand-in (functions.standins.zalo_api.ZaloStandIn)

    def rate_by_phone(
        self, outbox: Path, key: str, stars: int, chips: list[str], note: str, now: datetime, store: Any
    ) -> bool:
        """The customer rates the ZNS careloop sent them (its ledger key starts with `key`): Zalo posts
        that it was delivered, then the rating, to the zalo_webhook function's handler at the demo's
        moment. False when no such ZNS went (the customer was reached another way)."""
        from functions.adapters.channels.zalo_webhook import ZaloWebhookDeps, handle_zalo_webhook

        sent = next((s for s in _sent_zns(outbox) if str(s.get("tracking_id", "")).startswith(key)), None)
        if sent is None:
            return False
        webhook = ZaloWebhookDeps(store.inbound_events, DEMO_ZALO[0], DEMO_OA_KEY, lambda: now)
        phone, at, tracking = "+" + sent["phone"], now.timestamp(), sent["tracking_id"]
        for event in (self.zalo.event("user_received_message", phone, at, tracking_id=tracking),
                      self.zalo.event("user_feedback", phone, at, rate=stars, feedbacks=chips, note=note,
                                      tracking_id=tracking)):  # fmt: skip
            body, signature = self.zalo.signed(event)
            handle_zalo_webhook("POST", body, signature, webhook)
        return True


def _sent_zns(outbox: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(outbox.glob("*.zns.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


def sent_files(outbox: Path) -> dict[str, int]:
    """The phone messages the stand-ins wrote into the outbox, by channel."""
    return {"sms": len(list(outbox.glob("*.sms.txt"))), "zalo": len(list(outbox.glob("*.zns.json")))}


@contextmanager
def stand_ins(folder: Path, open_credentials: Callable[[], Any]) -> Iterator[StandIns]:
    """The Twilio and Zalo stand-ins, started for the demo and stopped after it. The Zalo OA's tokens
    live in the demo's store (`open_credentials`), as in production: the stand-in is told the
    current ones, as Zalo would know them."""
    from functions.adapters.channels.zalo import SPEC
    from functions.adapters.channels.zalo_tokens import CREDENTIAL
    from functions.adapters.templates import Templates
    from functions.standins.twilio_api import TwilioStandIn
    from functions.standins.zalo_api import ZaloStandIn

    zns = Templates()  # each approved template's parameter names, as messages.toml gives them
    templates = {template: [name for name, _ in zns.template_params(kind, {"values": {}}, SPEC.template_table)]
                 for kind, template in DEMO_ZNS_IDS.items()}  # fmt: skip
    stored = open_credentials().credential(CREDENTIAL)
    refresh = stored.fields["refresh_token"] if stored else "demo-first-refresh-token"
    with (
        TwilioStandIn(*DEMO_TWILIO, folder / "outbox") as twilio,
        ZaloStandIn(*DEMO_ZALO, refresh, templates, folder / "outbox", oa_secret_key=DEMO_OA_KEY) as zalo,
    ):
        if stored and stored.fields.get("access_token"):
            zalo.access_tokens[stored.fields["access_token"]] = float(stored.fields.get("expires_at", 0))
        zalo.not_on_zalo |= NOT_ON_ZALO
        settings = {
            "twilio_account_sid": DEMO_TWILIO[0], "twilio_auth_token": DEMO_TWILIO[1], "sms_sender": "LuatMinhAn",
            "twilio_api_url": twilio.url, "zalo_app_id": DEMO_ZALO[0], "zalo_app_secret": DEMO_ZALO[1],
            "zalo_refresh_token": "demo-first-refresh-token", "zalo_api_url": zalo.url, "zalo_oauth_url": zalo.url,
            "zalo_templates": ",".join(f"{kind}:{template}" for kind, template in DEMO_ZNS_IDS.items()),
            "zalo_oa_secret_key": DEMO_OA_KEY,
        }  # fmt: skip
        yield StandIns(settings, zalo)
