"""The Ledger port's contract: every adapter (memory, SQLite file, Firestore on its emulator) passes it."""

from __future__ import annotations

import dataclasses
import multiprocessing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from functions.core.ledger import FAILED, RESERVED, SENT, UNCERTAIN
from functions.core.surveys import Answer
from tests.helpers import NINE_AM, TODAY
from tests.helpers.records import a_survey, entry


def test_reserve_once(store):
    assert store.ledger.reserve(entry()) is True
    assert store.ledger.reserve(entry()) is False
    got = store.ledger.entry("birthday/C-1/2026")
    assert (got.state, got.customer_id, got.kind, got.channel, got.business_day) == (
        RESERVED,
        "C-1",
        "birthday",
        "email",
        TODAY,
    )
    assert store.ledger.entry("birthday/C-2/2026") is None


def test_reserve_many_one_taken_key_never_fails_its_neighbours(store):
    store.ledger.reserve(entry("k/2/1", "C-2"))
    won = store.ledger.reserve_many([entry(f"k/{i}/1", f"C-{i}") for i in range(5)])
    assert won == {"k/0/1", "k/1/1", "k/3/1", "k/4/1"}
    assert store.ledger.reserve_many([]) == set() and store.ledger.reserve_many([entry("k/0/1")]) == set()


def test_state_transitions(store):
    store.ledger.reserve_many([entry("a/1/1", "C-1"), entry("b/2/1", "C-2"), entry("c/3/1", "C-3")])
    store.ledger.confirm("a/1/1", NINE_AM + timedelta(minutes=1))
    store.ledger.fail("b/2/1", "SMTP 550: không có hộp thư", NINE_AM)
    store.ledger.confirm_many(["c/3/1", "never/reserved/1"], NINE_AM)  # a released key is left alone
    assert store.ledger.entry("a/1/1").state == SENT and store.ledger.entry("c/3/1").state == SENT
    failed = store.ledger.entry("b/2/1")
    assert failed.state == FAILED and failed.error == "SMTP 550: không có hộp thư"
    assert store.ledger.entry("never/reserved/1") is None
    store.ledger.fail("never/reserved/2", "x", NINE_AM)
    assert store.ledger.entry("never/reserved/2") is None


def test_facts(store):
    store.ledger.reserve(entry("birthday/C-1/2026", "C-1"))
    store.ledger.reserve(entry("checkin/C-2/2026-11-16", "C-2"))
    store.ledger.reserve(entry("checkin/C-3/2026-11-15", "C-3", day=TODAY - timedelta(days=1)))
    store.ledger.confirm("birthday/C-1/2026", NINE_AM + timedelta(minutes=5))
    store.ledger.fail("checkin/C-2/2026-11-16", "SMTP 550", NINE_AM)
    keys = ["birthday/C-1/2026", "checkin/C-2/2026-11-16", "nope/x/1"]
    facts = store.ledger.facts(keys, TODAY, customers=["C-1", "C-2", "C-3", "C-4"])
    assert facts.states == {"birthday/C-1/2026": SENT, "checkin/C-2/2026-11-16": FAILED}
    assert facts.sent_at == {"birthday/C-1/2026": NINE_AM + timedelta(minutes=5)}
    assert facts.contacted_today == {"C-1", "C-2"} and facts.reserved_today == 2
    store.ledger.reserve(entry("case_survey/C-4/x", "C-4"))  # another kind of message, not among the asked keys
    assert store.ledger.facts(keys[:1], TODAY, customers=["C-1", "C-4"]).contacted_today == {"C-1", "C-4"}
    without = store.ledger.facts(keys, TODAY)  # the day's figures only when asked for
    assert without.states == facts.states and without.contacted_today == frozenset() and without.reserved_today == 0
    empty = store.ledger.facts([], TODAY + timedelta(days=1), customers=[])
    assert empty.states == {} and empty.reserved_today == 0


def test_messages_sent_are_counted_by_day_kind_and_channel(store):
    sent = [("birthday/C-1/2026", "email", 0), ("checkin/C-2/x", "sms", 0), ("case_opened/C-3/x", "email", 2),
            ("case_survey/C-4/x", "zalo", 9)]  # fmt: skip
    for key, channel, days in sent:
        store.ledger.reserve(entry(key, key.split("/")[1], day=TODAY - timedelta(days=days), channel=channel))
        store.ledger.confirm(key, NINE_AM)
    store.ledger.reserve(entry("birthday/C-9/2026", "C-9"))  # reserved, not sent
    week = (TODAY - timedelta(days=6), TODAY)
    assert store.ledger.count_sent(*week) == 3
    assert store.ledger.count_sent(*week, channel="email") == 2
    assert store.ledger.count_sent(*week, kinds=("case_opened", "case_survey")) == 1
    assert store.ledger.count_sent(*week, kinds=("checkin",), channel="email") == 0
    assert store.ledger.count_sent(TODAY - timedelta(days=30), TODAY) == 4


def test_unconfirmed_and_release(store):
    store.ledger.reserve_many(
        [entry("a/1/1", at=NINE_AM + timedelta(minutes=2)), entry("b/1/1", at=NINE_AM), entry("c/1/1")]
    )
    store.ledger.confirm("c/1/1", NINE_AM)
    store.ledger.fail("a/1/1", "boom", NINE_AM)
    assert [e.key for e in store.ledger.unconfirmed()] == ["b/1/1", "a/1/1"]  # oldest reservation first
    assert (
        store.ledger.release("a/1/1") is True
        and store.ledger.release("c/1/1") is False
        and store.ledger.release("zz/1/1") is False
    )
    assert [e.key for e in store.ledger.unconfirmed()] == ["b/1/1"]
    assert store.ledger.reserve(entry("a/1/1")) is True  # released: a later run may reserve it again


def test_advance_confirms_one_and_reserves_the_next_together(store):
    assert store.ledger.advance(None, NINE_AM, entry("a/1/1")) is True
    assert store.ledger.advance("a/1/1", NINE_AM, entry("b/1/1")) is True
    store.ledger.reserve(entry("c/1/1"))  # another run holds c
    assert store.ledger.advance("b/1/1", NINE_AM, entry("c/1/1")) is False  # c is not won, b is confirmed all the same
    assert store.ledger.release("c/1/1")
    assert store.ledger.advance("gone/1/1", NINE_AM, entry("d/1/1")) is True  # confirming a released key harms nothing
    assert store.ledger.advance("d/1/1", NINE_AM, None) is False
    states = store.ledger.facts(["a/1/1", "b/1/1", "d/1/1"], TODAY).states
    assert states == {"a/1/1": SENT, "b/1/1": SENT, "d/1/1": SENT}


def test_a_survey_is_made_with_the_reservation_it_belongs_to(store):
    survey = a_survey("C-1")
    assert store.ledger.advance(None, NINE_AM, entry("checkin/C-1/x", "C-1"), survey) is True
    assert store.surveys.survey(survey.survey_id) == survey
    answered = store.surveys.add_answer(survey.survey_id, Answer(5, NINE_AM), limit=20)
    store.ledger.release("checkin/C-1/x")  # put off: a later run reserves it again, and the survey stands
    assert store.ledger.advance(None, NINE_AM, entry("checkin/C-1/x", "C-1"), survey) is True
    assert store.surveys.survey(survey.survey_id) == answered
    other = a_survey("C-2")
    store.ledger.reserve(entry("checkin/C-2/x", "C-2"))  # another run holds it
    assert store.ledger.advance("checkin/C-1/x", NINE_AM, entry("checkin/C-2/x", "C-2"), other) is False
    assert store.surveys.survey(other.survey_id) is None and store.ledger.entry("checkin/C-1/x").state == SENT


def test_queued_entries_are_claimed_once(store):
    from functions.core.ledger import QUEUED

    queued = [dataclasses.replace(entry(f"checkin/C-{n}/x", f"C-{n}"), state=QUEUED) for n in range(3)]
    survey = a_survey("C-0")
    assert store.ledger.reserve_many(queued, {"checkin/C-0/x": survey}) == {e.key for e in queued}
    assert store.ledger.entry("checkin/C-0/x").state == QUEUED and store.surveys.survey(survey.survey_id) == survey
    assert store.ledger.claim(None, NINE_AM, "checkin/C-0/x") is True
    assert store.ledger.claim(None, NINE_AM, "checkin/C-0/x") is False  # a batch delivered twice: claimed once
    assert store.ledger.claim("checkin/C-0/x", NINE_AM, "checkin/C-1/x") is True
    assert store.ledger.entry("checkin/C-0/x").state == SENT and store.ledger.entry("checkin/C-1/x").state == RESERVED
    assert store.ledger.claim(None, NINE_AM, "nope/C-9/x") is False
    assert {e.key for e in store.ledger.unconfirmed()} == {"checkin/C-1/x", "checkin/C-2/x"}
    assert store.ledger.release("checkin/C-2/x") is True  # never handed out (the publish failed): a later run sends it
    assert store.ledger.claim(None, NINE_AM, "checkin/C-2/x") is False
    assert (
        store.ledger.claim("gone/C-8/x", NINE_AM, "checkin/C-1/x") is False
    )  # confirming a released key harms nothing


def test_a_message_in_doubt_is_listed_and_released_only_by_force(store):
    store.ledger.reserve(entry("d/1/1"))
    store.ledger.doubt("d/1/1", "answer lost", NINE_AM)
    (listed,) = store.ledger.unconfirmed()
    assert (listed.key, listed.state, listed.error) == ("d/1/1", UNCERTAIN, "answer lost")
    assert store.ledger.facts(["d/1/1"], TODAY).states == {"d/1/1": UNCERTAIN}
    assert store.ledger.release("d/1/1") is False and store.ledger.release("d/1/1", force=True) is True
    assert store.ledger.unconfirmed() == []


@pytest.mark.parametrize(
    "key",
    [
        "birthday/C-1/2026",
        "birthday/Mã~KH 7/2026",
        "checkin/A/B%2F/2026-01-01",
        "birthday/Đặng Thị Ánh/2026",
        "birthday/__x__/2026",
        "checkin/../2026",
        "a/~/%7E",
    ],
)
def test_keys_with_odd_characters_round_trip(store, key):
    assert store.ledger.reserve(entry(key, customer=key.split("/")[1]))
    assert store.ledger.entry(key).key == key and store.ledger.entry(key).customer_id == key.split("/")[1]
    assert store.ledger.facts([key], TODAY).states == {key: RESERVED}
    assert not store.ledger.reserve(entry(key))


def test_times_keep_their_instant_and_zone_awareness(store):
    moments = {
        "a/1/1": NINE_AM,
        "b/1/1": datetime(2026, 2, 28, 23, 59, 59, 123000, tzinfo=UTC),
        "c/1/1": datetime(2027, 1, 1, 0, 0, tzinfo=ZoneInfo("America/New_York")),
    }
    for key, moment in moments.items():
        store.ledger.reserve(entry(key, at=moment))
        got = store.ledger.entry(key).reserved_at
        assert got == moment and got.utcoffset() is not None


def test_many_keys_at_once(store):
    keys = [f"k/{i}/1" for i in range(700)]
    store.ledger.reserve_many([entry(k, customer=f"C-{i}") for i, k in enumerate(keys[::2])])
    facts = store.ledger.facts(keys, TODAY, customers=[f"C-{i}" for i in range(700)])
    assert len(facts.states) == 350 and facts.reserved_today == 350 and len(facts.contacted_today) == 350


def _reserve_all(kind, location, keys, queue):
    from functions.adapters.stores.firestore import FirestoreStore
    from functions.adapters.stores.sqlite import SqliteStore

    store = SqliteStore(location) if kind == "sqlite" else FirestoreStore(location, timeout=20)
    queue.put([k for k in keys if store.ledger.reserve(entry(k))])


def test_processes_racing_never_both_reserve(store, tmp_path):
    from tests.helpers.firestore_emulator import PROJECT
    from tests.helpers.memory_store import MemoryStore

    if isinstance(store, MemoryStore):
        pytest.skip("a memory store lives in one process: no other process can race it")
    kind = "sqlite" if hasattr(store, "path") else "firestore"
    location = store.path if kind == "sqlite" else PROJECT
    store.ledger.facts([], TODAY)  # make the schema before the race
    keys = [f"birthday/C-{i}/2026" for i in range(120)]
    context = multiprocessing.get_context("spawn")  # no fork: gRPC does not survive one
    queue = context.Queue()
    workers = [context.Process(target=_reserve_all, args=(kind, location, keys, queue)) for _ in range(3)]
    for w in workers:
        w.start()
    won = [k for _ in workers for k in queue.get(timeout=120)]
    for w in workers:
        w.join(30)
    assert sorted(won) == sorted(keys)  # every key won exactly once


def test_a_failed_channel_is_noted_and_the_entry_moves_to_the_next(store):
    store.ledger.reserve(entry(channel="zalo"))
    store.ledger.record_attempt("birthday/C-1/2026", "zalo: -118 Zalo account not existed", "sms", NINE_AM)
    store.ledger.record_attempt("birthday/C-1/2026", "sms: 21211 invalid 'To'", "email", NINE_AM)
    store.ledger.confirm("birthday/C-1/2026", NINE_AM)
    got = store.ledger.entry("birthday/C-1/2026")
    assert (got.channel, got.state) == ("email", SENT)
    assert got.attempts == ("zalo: -118 Zalo account not existed", "sms: 21211 invalid 'To'")
    assert store.ledger.entry("birthday/C-1/2026").attempts == got.attempts
    store.ledger.record_attempt("checkin/C-9/2026-11-16", "zalo: x", "sms", NINE_AM)  # released meanwhile: left alone
    assert store.ledger.entry("checkin/C-9/2026-11-16") is None


def test_messages_sent_between_two_days(store):
    for n, days in enumerate([9, 3, 0]):
        store.ledger.reserve(entry(f"birthday/C-{n}/2026", f"C-{n}", day=TODAY - timedelta(days=days)))
        store.ledger.confirm(f"birthday/C-{n}/2026", NINE_AM)
    store.ledger.reserve(entry("checkin/C-9/2026-11-16", "C-9"))  # reserved, never confirmed: not sent
    found = store.ledger.sent_between(TODAY - timedelta(days=7), TODAY)
    assert [e.key for e in found] == ["birthday/C-1/2026", "birthday/C-2/2026"]
