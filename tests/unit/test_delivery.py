"""The one send path every job uses: reserve → create the survey → send with retry → fail or confirm."""

from __future__ import annotations

from datetime import datetime, timedelta

from functions.core.errors import PermanentDeliveryError, RecipientUnreachable, TransientDeliveryError
from functions.core.ledger import FAILED, RESERVED, SENT, LedgerEntry
from functions.core.messages import OutgoingMessage
from functions.core.surveys import Survey
from functions.delivery import Delivery, deliver
from functions.retry import RetryPolicy
from tests.helpers import NINE_AM, TODAY
from tests.helpers.fakes import MemoryChannel
from tests.helpers.memory_store import MemoryLedger, MemoryStore

RETRY = RetryPolicy(budget_seconds=1, first_delay=0.01, sleep=lambda s: None)


def delivery(key: str, channel: str = "email", survey: Survey | None = None) -> Delivery:
    entry = LedgerEntry(key, key.split("/")[1], key.split("/")[0], channel, TODAY, reserved_at=NINE_AM)
    message = OutgoingMessage(key, channel, "lan@example.com", "Lan", "Chào", "text", "<p>html</p>", "", "vi")
    return Delivery(entry, message, survey)


class Scripted(MemoryChannel):
    """A channel whose nth attempt for a key raises what the script says."""

    def __init__(self, script: dict[str, list[BaseException]]):
        super().__init__()
        self.script = script

    def deliver(self, message: OutgoingMessage) -> None:
        faults = self.script.get(message.key, [])
        if faults:
            raise faults.pop(0)
        super().deliver(message)


def test_sent_messages_are_confirmed_and_each_outcome_is_told_apart():
    store = MemoryStore()
    store.ledger.reserve(delivery("birthday/C-9/2026").entry)  # another run holds this one
    channel = Scripted(
        {
            "birthday/C-2/2026": [TransientDeliveryError("451 busy")],  # retried, then sent
            "birthday/C-3/2026": [PermanentDeliveryError("550 no such mailbox")],
            "birthday/C-4/2026": [ValueError("a header nobody planned for")],
        }
    )
    keys = ["birthday/C-1/2026", "birthday/C-2/2026", "birthday/C-3/2026", "birthday/C-4/2026", "birthday/C-9/2026"]
    outcome = deliver(store, {"email": channel}, RETRY, [delivery(k) for k in keys], NINE_AM)

    assert [d.key for d in outcome.sent] == ["birthday/C-1/2026", "birthday/C-2/2026"]
    assert [(d.key, error) for d, error in outcome.failed] == [("birthday/C-3/2026", "550 no such mailbox")]
    assert [(d.key, error) for d, error in outcome.unknown] == [
        ("birthday/C-4/2026", "ValueError: a header nobody planned for")
    ]
    assert [d.key for d in outcome.skipped] == ["birthday/C-9/2026"]
    states = {k: store.ledger.entry(k).state for k in keys}
    assert states == {"birthday/C-1/2026": SENT, "birthday/C-2/2026": SENT, "birthday/C-3/2026": FAILED,
                      "birthday/C-4/2026": RESERVED, "birthday/C-9/2026": RESERVED}  # fmt: skip
    assert [m.key for m in channel.delivered] == ["birthday/C-1/2026", "birthday/C-2/2026"]


def test_a_channel_not_set_up_fails_that_message_only():
    store = MemoryStore()
    outcome = deliver(
        store,
        {"email": MemoryChannel()},
        RETRY,
        [delivery("checkin/C-1/x", "zalo"), delivery("checkin/C-2/x")],
        NINE_AM,
    )
    assert [d.key for d in outcome.sent] == ["checkin/C-2/x"]
    assert outcome.failed[0][0].key == "checkin/C-1/x" and "zalo" in outcome.failed[0][1]
    assert store.ledger.entry("checkin/C-1/x").state == FAILED


def test_the_survey_a_message_links_to_exists_before_the_message_goes():
    store = MemoryStore()
    survey = Survey("SV-1", "C-1", "checkin/2026-11-16", "vi", NINE_AM, NINE_AM + timedelta(days=30))

    class Checking(MemoryChannel):
        def deliver(self, message: OutgoingMessage) -> None:
            assert store.surveys.survey("SV-1") is not None
            super().deliver(message)

    outcome = deliver(store, {"email": Checking()}, RETRY, [delivery("checkin/C-1/x", survey=survey)], NINE_AM)
    assert [d.key for d in outcome.sent] == ["checkin/C-1/x"]


def test_one_store_round_trip_a_message_and_a_crash_leaves_one_in_doubt():
    calls: list[str] = []

    class Counting(MemoryLedger):
        def advance(self, done, at: datetime, following, survey=None):
            calls.append("advance")
            return super().advance(done, at, following, survey)

    class Crashing(MemoryChannel):
        def deliver(self, message: OutgoingMessage) -> None:
            if message.key == "birthday/C-40/2026":
                raise KeyboardInterrupt("the process is killed")
            super().deliver(message)

    store = MemoryStore()
    store.ledger = Counting(store.surveys)
    outcome = deliver(store, {"email": MemoryChannel()}, RETRY, [delivery(f"birthday/C-{i}/2026") for i in range(30)],
                      NINE_AM)  # fmt: skip
    assert len(outcome.sent) == 30 and calls == ["advance"] * 31  # one a message, and the last confirmation
    crashed = MemoryStore()
    try:
        deliver(
            crashed, {"email": Crashing()}, RETRY, [delivery(f"birthday/C-{i}/2026") for i in range(30, 60)], NINE_AM
        )
    except KeyboardInterrupt:
        pass
    assert [e.key for e in crashed.ledger.unconfirmed()] == ["birthday/C-40/2026"]  # only the one in flight
    assert sum(e.state == SENT for e in crashed.ledger.entries.values()) == 10


def test_an_answer_lost_after_the_server_took_it_is_uncertain_and_never_retried():
    from functions.core.errors import AmbiguousDeliveryError
    from functions.core.ledger import UNCERTAIN

    store = MemoryStore()
    channel = Scripted({"birthday/C-1/2026": [AmbiguousDeliveryError("answer lost"), AmbiguousDeliveryError("again")]})
    outcome = deliver(store, {"email": channel}, RETRY, [delivery("birthday/C-1/2026")], NINE_AM)
    assert [(d.key, e) for d, e in outcome.unknown] == [("birthday/C-1/2026", "answer lost")]
    assert store.ledger.entry("birthday/C-1/2026").state == UNCERTAIN
    assert channel.script["birthday/C-1/2026"]  # the second fault was never reached: no retry
    assert not store.ledger.release("birthday/C-1/2026") and store.ledger.release("birthday/C-1/2026", force=True)


def test_when_the_runs_time_is_spent_the_rest_is_deferred_unreserved():
    from functions.delivery import RunClock

    class Clock:
        now = 0.0

    def slow_send(message: OutgoingMessage) -> None:
        Clock.now += 4  # each send takes 4 s of the run's 10

    channel = MemoryChannel()
    channel.deliver = slow_send  # type: ignore[method-assign]
    retry = RetryPolicy(budget_seconds=5, first_delay=0.01, sleep=lambda s: None, clock=lambda: Clock.now)
    store = MemoryStore()
    keys = [f"birthday/C-{i}/2026" for i in range(30)]
    outcome = deliver(store, {"email": channel}, RunClock.start(retry, 10), [delivery(k) for k in keys], NINE_AM)
    assert [d.key for d in outcome.sent] == keys[:3]  # at 0, 4 and 8 s; at 12 s the time is spent
    assert [d.key for d in outcome.deferred] == keys[3:]
    assert sorted(store.ledger.entries) == sorted(keys[:3])  # the deferred ones are not left reserved


def on_channels(key: str, *channels: str) -> Delivery:
    first, *rest = [delivery(key, c) for c in channels]
    return Delivery(first.entry, first.message, fallbacks=tuple(d.message for d in rest))


def test_a_channel_that_refuses_for_good_hands_the_message_to_the_next_under_the_same_key():
    store = MemoryStore()
    zalo = Scripted({"checkin/C-1/2026-11-16": [RecipientUnreachable("Zalo -118: Zalo account not existed")]})
    sms = MemoryChannel()
    outcome = deliver(store, {"zalo": zalo, "sms": sms}, RETRY, [on_channels("checkin/C-1/2026-11-16", "zalo", "sms")],
                      NINE_AM)  # fmt: skip
    assert [d.key for d in outcome.sent] == ["checkin/C-1/2026-11-16"]
    assert outcome.channel(outcome.sent[0]) == "sms" and len(sms.delivered) == 1 and not zalo.delivered
    got = store.ledger.entry("checkin/C-1/2026-11-16")
    assert (got.state, got.channel, got.attempts) == (SENT, "sms", ("zalo: Zalo -118: Zalo account not existed",))


def test_a_channel_not_set_up_is_skipped_and_noted_and_the_last_refusal_fails_the_message():
    store = MemoryStore()
    sms = Scripted({"birthday/C-1/2026": [RecipientUnreachable("21211 invalid To")]})
    outcome = deliver(store, {"sms": sms}, RETRY, [on_channels("birthday/C-1/2026", "zalo", "sms")], NINE_AM)
    assert [(d.key, e) for d, e in outcome.failed] == [("birthday/C-1/2026", "21211 invalid To")]
    got = store.ledger.entry("birthday/C-1/2026")
    assert (got.state, got.channel, len(got.attempts)) == (FAILED, "sms", 1)
    assert got.attempts[0].startswith("zalo: Kênh zalo chưa được cấu hình")


def test_only_an_unreachable_recipient_falls_back():
    from functions.core.errors import AmbiguousDeliveryError

    store = MemoryStore()
    zalo = Scripted({
        "birthday/C-1/2026": [TransientDeliveryError("Zalo -144 daily quota")] * 1000,
        "birthday/C-2/2026": [AmbiguousDeliveryError("connection lost after the request was sent")],
        "birthday/C-3/2026": [PermanentDeliveryError("Zalo -109: Template ID invalid")],  # staff must fix it
    })  # fmt: skip
    sms = MemoryChannel()
    keys = ("birthday/C-1/2026", "birthday/C-2/2026", "birthday/C-3/2026")
    outcome = deliver(store, {"zalo": zalo, "sms": sms}, RETRY, [on_channels(k, "zalo", "sms") for k in keys], NINE_AM)
    assert [d.key for d, _ in outcome.failed] == ["birthday/C-1/2026", "birthday/C-3/2026"]
    assert [d.key for d, _ in outcome.unknown] == ["birthday/C-2/2026"]
    assert sms.delivered == [] and all(store.ledger.entry(k).attempts == () for k in keys)


def test_a_provider_refusing_careloop_itself_passes_its_messages_on_and_is_not_asked_again():
    """Issue 23: Zalo refusing the refresh token (or SMTP 535, Twilio 20003) is nothing about the
    customer: the next channel carries each message, the refusing channel is asked once a run, and
    the outcome says why, for the manager's alert."""
    import dataclasses

    from functions.core.errors import ProviderRefused

    class Refusing(MemoryChannel):
        asked = 0

        def deliver(self, message: OutgoingMessage) -> None:
            Refusing.asked += 1
            raise ProviderRefused("Zalo refused the refresh token (-14014)")

    email = MemoryChannel()
    deliveries = []
    for n in range(3):
        first = delivery(f"birthday/C-{n}/2026", "zalo")
        deliveries.append(dataclasses.replace(first, fallbacks=(dataclasses.replace(first.message, channel="email"),)))
    outcome = deliver(MemoryStore(), {"zalo": Refusing(), "email": email}, RETRY, deliveries, NINE_AM)
    assert len(outcome.sent) == 3 and len(email.delivered) == 3 and Refusing.asked == 1
    assert outcome.refused == {"zalo": "Zalo refused the refresh token (-14014)"}


def test_twilio_refusing_careloops_credentials_is_a_provider_refusal():
    """(SMTP 535 is met for real in tests/integration/test_health.py.)"""
    from twilio.base.exceptions import TwilioRestException

    from functions.adapters.channels.twilio_sms import _failure
    from functions.core.errors import ProviderRefused

    assert isinstance(_failure(TwilioRestException(401, "uri", "Authenticate", code=20003)), ProviderRefused)
    assert not isinstance(_failure(TwilioRestException(400, "uri", "Invalid To", code=21211)), ProviderRefused)
    assert issubclass(ProviderRefused, RecipientUnreachable)  # the next channel carries the message
