"""The Channel contract: email (a real SMTP server), SMS (Twilio's library against a Twilio API
stand-in) and Zalo (ZNS and OAuth stand-ins) pass the same tests: success, transient then
success, a recipient the channel cannot reach, an answer lost after the provider took the message
(ambiguous: never re-sent on its own), the idempotency key carried, and retries bounded in time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.adapters.channels.smtp import SmtpChannel, SmtpConfig
from functions.adapters.channels.twilio_sms import TwilioConfig, TwilioSmsChannel
from functions.adapters.channels.zalo import ZaloChannel, ZaloConfig
from functions.core.errors import AmbiguousDeliveryError, RecipientUnreachable, TransientDeliveryError
from functions.core.ids import message_id_local
from functions.core.messages import OutgoingMessage
from functions.retry import RetryPolicy
from functions.standins.server import HANG_UP
from functions.standins.twilio_api import TwilioStandIn
from functions.standins.zalo_api import ZaloStandIn
from tests.helpers import TEST_SECRET
from tests.helpers.memory_store import MemoryStore
from tests.helpers.smtp_server import Recorder, SmtpServer

KEY = "checkin/KH-ABCDE12345/2026-11-16"
SID, TOKEN = "AC" + "0" * 32, "twilio-auth-token"
ZALO_APP, ZALO_SECRET, FIRST_REFRESH = "1234567890", "zalo-app-secret", "RT-first"
ZNS_TEMPLATES = {"checkin": "301234"}
ZNS_PARAMS = {"301234": ["customer_name", "business_name", "purchase_date", "survey_link"]}


def message(channel: str, to: str) -> OutgoingMessage:
    params = (("customer_name", "chị Lan"), ("business_name", "Luật Minh An"), ("purchase_date", "16/11/2026"),
              ("survey_link", "https://care.example.vn/s/abcdefghijklmnop"))  # fmt: skip
    return OutgoingMessage(KEY, channel, to, "Nguyễn Thị Lan", "Hỏi thăm", "Luat Minh An hoi tham chi Lan",
                           "<p>Hỏi thăm</p>", "https://care.example.vn/u/x", "vi", "checkin", params)  # fmt: skip


@dataclass
class Harness:
    """One channel wired to its local server, and the levers a test pulls on that server."""

    channel: Any
    address: str
    unreachable: str  # an address the channel cannot reach
    fault: Any  # fault(kind, address): "transient" once, "hang_up" once, "transient_always"
    accepted: Any  # accepted() → [(address, idempotency key as the provider saw it)]

    def message(self, to: str | None = None) -> OutgoingMessage:
        return message(next(iter(self.channel.channels)), to or self.address)


def email_harness() -> Iterator[Harness]:
    recorder = Recorder(reject={"nobody@example.com"})
    with SmtpServer(recorder) as server:
        channel = SmtpChannel(SmtpConfig("127.0.0.1", server.port, "none", sender_name="Luật Minh An",
                                         sender_email="cskh@luatminhan.vn", timeout=5,
                                         id_secret=TEST_SECRET))  # fmt: skip

        def fault(kind: str, address: str) -> None:
            if kind == "transient":
                recorder.busy = 1
            elif kind == "transient_always":
                recorder.busy = 10**6
            else:
                recorder.lose_answer = 1

        def accepted() -> list[tuple[str, str]]:
            return [(m["To"].addresses[0].addr_spec, m["Message-ID"]) for m in recorder.messages]

        yield Harness(channel, "lan@example.com", "nobody@example.com", fault, accepted)
        channel.close()


def sms_harness(tmp_path) -> Iterator[Harness]:
    with TwilioStandIn(SID, TOKEN) as server:
        config = TwilioConfig(SID, TOKEN, "LuatMinhAn", "https://care.example.vn/sms_status", server.url, timeout=5)
        channel = TwilioSmsChannel(config)

        def fault(kind: str, address: str) -> None:
            server.script[address] = {
                "transient": [(429, 20429, "Too Many Requests")],
                "transient_always": [(429, 20429, "Too Many Requests")] * 10**4,
                "hang_up": [HANG_UP],
            }[kind]

        def accepted() -> list[tuple[str, str]]:
            return [(m["to"], parse_qs(urlsplit(m["status_callback"]).query)["k"][0]) for m in server.accepted]

        yield Harness(channel, "+84912345678", "+8412", fault, accepted)


def zalo_harness(tmp_path) -> Iterator[Harness]:
    with ZaloStandIn(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_PARAMS) as server:
        server.not_on_zalo.add("84987654321")
        config = ZaloConfig(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_TEMPLATES, server.url, server.url, timeout=5)
        channel = ZaloChannel(config, MemoryStore().credentials)

        def fault(kind: str, address: str) -> None:
            phone = address.removeprefix("+")
            server.script[phone] = {
                "transient": [("http", 429)],  # -144 (daily quota) is a limit: the next channel, not a retry
                "transient_always": [("http", 503)] * 10**4,
                "hang_up": [HANG_UP],
            }[kind]

        def accepted() -> list[tuple[str, str]]:
            return [("+" + m["phone"], m["tracking_id"]) for m in server.accepted]

        yield Harness(channel, "+84912345678", "+84987654321", fault, accepted)


@pytest.fixture(params=["email", "sms", "zalo"])
def harness(request, tmp_path):
    made = {"email": email_harness, "sms": lambda: sms_harness(tmp_path), "zalo": lambda: zalo_harness(tmp_path)}
    yield from made[request.param]()


def expected_key(harness: Harness) -> str:
    """The ledger key as each provider carries it: in the Message-ID, the status URL, the tracking_id."""
    if "email" in harness.channel.channels:
        return f"<{message_id_local(KEY, TEST_SECRET)}@luatminhan.vn>"  # keyed: a reply naming it proves itself
    return KEY


def quick_retry() -> RetryPolicy:
    return RetryPolicy(budget_seconds=5, first_delay=0.01, max_delay=0.05)


def test_a_message_is_delivered_once_carrying_its_idempotency_key(harness):
    harness.channel.deliver(harness.message())
    assert harness.accepted() == [(harness.address, expected_key(harness))]


def test_a_transient_fault_is_retried_then_delivered(harness):
    harness.fault("transient", harness.address)
    with pytest.raises(TransientDeliveryError):
        harness.channel.deliver(harness.message())
    quick_retry().call(lambda: harness.channel.deliver(harness.message()), (TransientDeliveryError,))
    assert harness.accepted() == [(harness.address, expected_key(harness))]


def test_a_recipient_the_channel_cannot_reach_is_unreachable_so_the_next_channel_is_tried(harness):
    with pytest.raises(RecipientUnreachable):
        harness.channel.deliver(harness.message(harness.unreachable))
    assert harness.accepted() == []


def test_an_answer_lost_after_the_provider_took_the_message_is_ambiguous(harness):
    harness.fault("hang_up", harness.address)
    with pytest.raises(AmbiguousDeliveryError, match="may have been accepted"):
        harness.channel.deliver(harness.message())
    assert harness.accepted() == [(harness.address, expected_key(harness))]  # it did go out: never again alone


def test_retries_stop_within_their_budget(harness):
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    policy = RetryPolicy(budget_seconds=30, first_delay=1, max_delay=8, sleep=sleep, clock=lambda: clock[0])
    harness.fault("transient_always", harness.address)
    attempts = []

    def attempt() -> None:
        attempts.append(clock[0])
        harness.channel.deliver(harness.message())

    with pytest.raises(TransientDeliveryError):
        policy.call(attempt, (TransientDeliveryError,))
    assert clock[0] <= 30 and 2 <= len(attempts) <= 40 and harness.accepted() == []
