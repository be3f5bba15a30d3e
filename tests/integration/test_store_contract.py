"""The Store contract: every adapter (SQLite file, Firestore on its emulator) passes the same tests."""

from __future__ import annotations

import dataclasses
import multiprocessing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from functions.core.ledger import FAILED, RESERVED, SENT, UNCERTAIN, LedgerEntry
from tests.helpers import NINE_AM, TODAY


def entry(key="birthday/C-1/2026", customer="C-1", day=TODAY, at=NINE_AM, channel="email"):
    return LedgerEntry(key, customer, key.split("/")[0], channel, day, reserved_at=at)


def test_reserve_once(store):
    assert store.reserve(entry()) is True
    assert store.reserve(entry()) is False
    got = store.entry("birthday/C-1/2026")
    assert (got.state, got.customer_id, got.kind, got.channel, got.business_day) == (
        RESERVED,
        "C-1",
        "birthday",
        "email",
        TODAY,
    )
    assert store.entry("birthday/C-2/2026") is None


def test_reserve_many_one_taken_key_never_fails_its_neighbours(store):
    store.reserve(entry("k/2/1", "C-2"))
    won = store.reserve_many([entry(f"k/{i}/1", f"C-{i}") for i in range(5)])
    assert won == {"k/0/1", "k/1/1", "k/3/1", "k/4/1"}
    assert store.reserve_many([]) == set() and store.reserve_many([entry("k/0/1")]) == set()


def test_state_transitions(store):
    store.reserve_many([entry("a/1/1", "C-1"), entry("b/2/1", "C-2"), entry("c/3/1", "C-3")])
    store.confirm("a/1/1", NINE_AM + timedelta(minutes=1))
    store.fail("b/2/1", "SMTP 550: không có hộp thư", NINE_AM)
    store.confirm_many(["c/3/1", "never/reserved/1"], NINE_AM)  # a released key is left alone
    assert store.entry("a/1/1").state == SENT and store.entry("c/3/1").state == SENT
    failed = store.entry("b/2/1")
    assert failed.state == FAILED and failed.error == "SMTP 550: không có hộp thư"
    assert store.entry("never/reserved/1") is None
    store.fail("never/reserved/2", "x", NINE_AM)
    assert store.entry("never/reserved/2") is None


def test_facts(store):
    store.reserve(entry("birthday/C-1/2026", "C-1"))
    store.reserve(entry("checkin/C-2/2026-11-16", "C-2"))
    store.reserve(entry("checkin/C-3/2026-11-15", "C-3", day=TODAY - timedelta(days=1)))
    store.confirm("birthday/C-1/2026", NINE_AM + timedelta(minutes=5))
    store.fail("checkin/C-2/2026-11-16", "SMTP 550", NINE_AM)
    keys = ["birthday/C-1/2026", "checkin/C-2/2026-11-16", "nope/x/1"]
    facts = store.facts(keys, TODAY, customers=["C-1", "C-2", "C-3", "C-4"])
    assert facts.states == {"birthday/C-1/2026": SENT, "checkin/C-2/2026-11-16": FAILED}
    assert facts.sent_at == {"birthday/C-1/2026": NINE_AM + timedelta(minutes=5)}
    assert facts.contacted_today == {"C-1", "C-2"} and facts.reserved_today == 2
    store.reserve(entry("case_survey/C-4/x", "C-4"))  # another kind of message, not among the asked keys
    assert store.facts(keys[:1], TODAY, customers=["C-1", "C-4"]).contacted_today == {"C-1", "C-4"}
    without = store.facts(keys, TODAY)  # the day's figures only when asked for
    assert without.states == facts.states and without.contacted_today == frozenset() and without.reserved_today == 0
    empty = store.facts([], TODAY + timedelta(days=1), customers=[])
    assert empty.states == {} and empty.reserved_today == 0


def test_messages_sent_are_counted_by_day_kind_and_channel(store):
    sent = [("birthday/C-1/2026", "email", 0), ("checkin/C-2/x", "sms", 0), ("case_opened/C-3/x", "email", 2),
            ("case_survey/C-4/x", "zalo", 9)]  # fmt: skip
    for key, channel, days in sent:
        store.reserve(entry(key, key.split("/")[1], day=TODAY - timedelta(days=days), channel=channel))
        store.confirm(key, NINE_AM)
    store.reserve(entry("birthday/C-9/2026", "C-9"))  # reserved, not sent
    week = (TODAY - timedelta(days=6), TODAY)
    assert store.count_sent(*week) == 3
    assert store.count_sent(*week, channel="email") == 2
    assert store.count_sent(*week, kinds=("case_opened", "case_survey")) == 1
    assert store.count_sent(*week, kinds=("checkin",), channel="email") == 0
    assert store.count_sent(TODAY - timedelta(days=30), TODAY) == 4


def test_unconfirmed_and_release(store):
    store.reserve_many([entry("a/1/1", at=NINE_AM + timedelta(minutes=2)), entry("b/1/1", at=NINE_AM), entry("c/1/1")])
    store.confirm("c/1/1", NINE_AM)
    store.fail("a/1/1", "boom", NINE_AM)
    assert [e.key for e in store.unconfirmed()] == ["b/1/1", "a/1/1"]  # oldest reservation first
    assert store.release("a/1/1") is True and store.release("c/1/1") is False and store.release("zz/1/1") is False
    assert [e.key for e in store.unconfirmed()] == ["b/1/1"]
    assert store.reserve(entry("a/1/1")) is True  # released: a later run may reserve it again


def test_advance_confirms_one_and_reserves_the_next_together(store):
    assert store.advance(None, NINE_AM, entry("a/1/1")) is True
    assert store.advance("a/1/1", NINE_AM, entry("b/1/1")) is True
    store.reserve(entry("c/1/1"))  # another run holds c
    assert store.advance("b/1/1", NINE_AM, entry("c/1/1")) is False  # c is not won, b is confirmed all the same
    assert store.release("c/1/1")
    assert store.advance("gone/1/1", NINE_AM, entry("d/1/1")) is True  # confirming a released key harms nothing
    assert store.advance("d/1/1", NINE_AM, None) is False
    states = store.facts(["a/1/1", "b/1/1", "d/1/1"], TODAY).states
    assert states == {"a/1/1": SENT, "b/1/1": SENT, "d/1/1": SENT}


def test_a_survey_is_made_with_the_reservation_it_belongs_to(store):
    survey = a_survey("C-1")
    assert store.advance(None, NINE_AM, entry("checkin/C-1/x", "C-1"), survey) is True
    assert store.survey(survey.survey_id) == survey
    answered = store.add_answer(survey.survey_id, Answer(5, NINE_AM), limit=20)
    store.release("checkin/C-1/x")  # put off: a later run reserves it again, and the survey stands
    assert store.advance(None, NINE_AM, entry("checkin/C-1/x", "C-1"), survey) is True
    assert store.survey(survey.survey_id) == answered
    other = a_survey("C-2")
    store.reserve(entry("checkin/C-2/x", "C-2"))  # another run holds it
    assert store.advance("checkin/C-1/x", NINE_AM, entry("checkin/C-2/x", "C-2"), other) is False
    assert store.survey(other.survey_id) is None and store.entry("checkin/C-1/x").state == SENT


def test_queued_entries_are_claimed_once(store):
    from functions.core.ledger import QUEUED

    queued = [dataclasses.replace(entry(f"checkin/C-{n}/x", f"C-{n}"), state=QUEUED) for n in range(3)]
    survey = a_survey("C-0")
    assert store.reserve_many(queued, {"checkin/C-0/x": survey}) == {e.key for e in queued}
    assert store.entry("checkin/C-0/x").state == QUEUED and store.survey(survey.survey_id) == survey
    assert store.claim(None, NINE_AM, "checkin/C-0/x") is True
    assert store.claim(None, NINE_AM, "checkin/C-0/x") is False  # a batch delivered twice: claimed once
    assert store.claim("checkin/C-0/x", NINE_AM, "checkin/C-1/x") is True
    assert store.entry("checkin/C-0/x").state == SENT and store.entry("checkin/C-1/x").state == RESERVED
    assert store.claim(None, NINE_AM, "nope/C-9/x") is False
    assert {e.key for e in store.unconfirmed()} == {"checkin/C-1/x", "checkin/C-2/x"}
    assert store.release("checkin/C-2/x") is True  # never handed out (the publish failed): a later run sends it
    assert store.claim(None, NINE_AM, "checkin/C-2/x") is False
    assert store.claim("gone/C-8/x", NINE_AM, "checkin/C-1/x") is False  # confirming a released key harms nothing


def test_a_message_in_doubt_is_listed_and_released_only_by_force(store):
    store.reserve(entry("d/1/1"))
    store.doubt("d/1/1", "answer lost", NINE_AM)
    (listed,) = store.unconfirmed()
    assert (listed.key, listed.state, listed.error) == ("d/1/1", UNCERTAIN, "answer lost")
    assert store.facts(["d/1/1"], TODAY).states == {"d/1/1": UNCERTAIN}
    assert store.release("d/1/1") is False and store.release("d/1/1", force=True) is True
    assert store.unconfirmed() == []


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
    assert store.reserve(entry(key, customer=key.split("/")[1]))
    assert store.entry(key).key == key and store.entry(key).customer_id == key.split("/")[1]
    assert store.facts([key], TODAY).states == {key: RESERVED}
    assert not store.reserve(entry(key))


def test_times_keep_their_instant_and_zone_awareness(store):
    moments = {
        "a/1/1": NINE_AM,
        "b/1/1": datetime(2026, 2, 28, 23, 59, 59, 123000, tzinfo=UTC),
        "c/1/1": datetime(2027, 1, 1, 0, 0, tzinfo=ZoneInfo("America/New_York")),
    }
    for key, moment in moments.items():
        store.reserve(entry(key, at=moment))
        got = store.entry(key).reserved_at
        assert got == moment and got.utcoffset() is not None


def test_many_keys_at_once(store):
    keys = [f"k/{i}/1" for i in range(700)]
    store.reserve_many([entry(k, customer=f"C-{i}") for i, k in enumerate(keys[::2])])
    facts = store.facts(keys, TODAY, customers=[f"C-{i}" for i in range(700)])
    assert len(facts.states) == 350 and facts.reserved_today == 350 and len(facts.contacted_today) == 350


def test_opt_outs(store):
    store.record_opt_out("C-1", NINE_AM)
    store.record_opt_out("C-1", NINE_AM + timedelta(days=1))  # the first stays
    store.record_opt_out("KH-Đặng/1", NINE_AM)
    assert store.opt_outs() == {"C-1": NINE_AM, "KH-Đặng/1": NINE_AM}


def test_reports_newest_first(store):
    for day in (23, 24, 25):
        store.save_report(
            {
                "job": "followup",
                "now": f"2026-11-{day}T09:00:00+07:00",
                "summary": {"sent": day},
                "problems": [{"message": "Ngày sinh '31/02/1990' không tồn tại"}],
            }
        )
    store.save_report({"job": "escalate", "now": "2026-11-26T09:00:00+07:00", "summary": {}})
    store.save_report({"job": "followup", "now": "2026-11-23T09:00:00+07:00", "summary": {"sent": 99}})  # a re-run
    reports = store.reports("followup", limit=3)
    assert [r["summary"]["sent"] for r in reports] == [99, 25, 24]  # the order they were saved in
    assert reports[1]["problems"][0]["message"] == "Ngày sinh '31/02/1990' không tồn tại"


def _reserve_all(kind, location, keys, queue):
    from functions.adapters.stores.firestore import FirestoreStore
    from functions.adapters.stores.sqlite import SqliteStore

    store = SqliteStore(location) if kind == "sqlite" else FirestoreStore(location, timeout=20)
    queue.put([k for k in keys if store.reserve(entry(k))])


def test_processes_racing_never_both_reserve(store, tmp_path):
    from tests.helpers.fakes import MemoryStore
    from tests.helpers.firestore_emulator import PROJECT

    if isinstance(store, MemoryStore):
        pytest.skip("a memory store lives in one process: no other process can race it")
    kind = "sqlite" if hasattr(store, "path") else "firestore"
    location = store.path if kind == "sqlite" else PROJECT
    store.facts([], TODAY)  # make the schema before the race
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


# ---- cases --------------------------------------------------------------------------------

from functions.core.cases import IN_PROGRESS, OPEN, RESOLVED, CaseEvent, CaseRecord, case_id_for, flag_key  # noqa: E402


def a_case(n=1, status=OPEN, created=NINE_AM, **changes):
    key = flag_key("escalate", f"C-{n}", "Hợp đồng", "Tôi sẽ khởi kiện")
    values = dict(
        case_id=case_id_for(key),
        key=key,
        customer_id=f"C-{n}",
        customer_name="Nguyễn Thị Lan",
        category="Hợp đồng",
        issue="Tôi sẽ khởi kiện nếu không trả lời 😠",
        tier=3,
        initial_tier=3,
        owner="Giám đốc <gd@luat.vn>",
        owner_email="gd@luat.vn",
        status=status,
        created_at=created,
        first_response_due=created + timedelta(hours=4),
        resolve_due=created + timedelta(days=2),
        extra={"reason": "phrase: khoi kien", "row": 7},
    )
    values.update(changes)
    return CaseRecord(**values)


def test_a_case_is_created_once_with_its_first_event(store):
    case = a_case()
    assert store.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened", {"tier": 3})) is True
    assert store.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened", {"tier": 3})) is False
    assert store.case(case.case_id) == case
    assert [e.kind for e in store.case_events(case.case_id)] == ["opened"]
    assert store.case("HS-NONE") is None


def test_case_updates_and_history(store):
    case = a_case()
    store.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened"))
    later = NINE_AM + timedelta(hours=1)
    store.update_case(
        case.case_id,
        {"status": IN_PROGRESS, "first_responded_at": later, "updated_at": later},
        CaseEvent(case.case_id, later, "status", {"from": OPEN, "to": IN_PROGRESS, "by": "Nhân viên"}),
    )
    store.update_case(case.case_id, {}, CaseEvent(case.case_id, later, "notified", {"to": "gd@luat.vn"}))
    got = store.case(case.case_id)
    assert got.status == IN_PROGRESS and got.first_responded_at == later and got.issue == case.issue
    events = store.case_events(case.case_id)
    assert [e.kind for e in events] == ["opened", "status", "notified"] and events[1].detail["by"] == "Nhân viên"
    with pytest.raises(KeyError):
        store.update_case("HS-NONE", {"status": RESOLVED}, CaseEvent("HS-NONE", later, "status"))


def test_open_cases_and_all_cases(store):
    for n, status in enumerate([OPEN, IN_PROGRESS, RESOLVED], start=1):
        case = a_case(n, status=status, created=NINE_AM + timedelta(minutes=n))
        store.create_case(case, CaseEvent(case.case_id, NINE_AM, "opened"))
    assert [c.customer_id for c in store.cases(open_only=True)] == ["C-1", "C-2"]
    assert [c.customer_id for c in store.cases()] == ["C-1", "C-2", "C-3"]


def test_cases_by_id_and_by_last_change(store):
    for n, hours in enumerate([48, 5, 1], start=1):
        at = NINE_AM - timedelta(hours=hours)
        case = a_case(n, created=at, updated_at=at)
        store.create_case(case, CaseEvent(case.case_id, at, "opened"))
    first, second, third = store.cases()
    assert [c.customer_id for c in store.cases_by_id([third.case_id, first.case_id, "HS-NONE"])] == ["C-1", "C-3"]
    assert store.cases_by_id([]) == []
    assert [c.customer_id for c in store.cases_updated(NINE_AM - timedelta(hours=6))] == ["C-2", "C-3"]
    store.update_case(first.case_id, {"status": RESOLVED, "resolved_at": NINE_AM, "updated_at": NINE_AM},
                      CaseEvent(first.case_id, NINE_AM, "status"))  # fmt: skip
    assert [c.customer_id for c in store.cases_updated(NINE_AM - timedelta(minutes=1))] == ["C-1"]


# ---- surveys ------------------------------------------------------------------------------

from functions.core.surveys import Answer, Survey, TooManyAnswers, survey_id_for  # noqa: E402


def a_survey(customer="C-1", occasion="checkin/2026-11-16", created=NINE_AM):
    return Survey(survey_id_for(customer, occasion), customer, occasion, "vi", created, created + timedelta(days=30))


def test_a_survey_is_created_once_and_keeps_every_answer(store):
    survey = a_survey()
    assert store.create_survey(survey) is True and store.create_survey(survey) is False
    assert store.survey(survey.survey_id) == survey and store.survey("SV-NONE") is None
    first = Answer(2, NINE_AM + timedelta(hours=1), "Chờ lâu quá 😞 <b>", None)
    second = Answer(4, NINE_AM + timedelta(hours=2), "", 9)
    store.add_answer(survey.survey_id, first, limit=20)
    updated = store.add_answer(survey.survey_id, second, limit=20)
    assert updated.answers == (first, second) and updated.latest == second
    assert store.survey(survey.survey_id).answers == (first, second)
    again = store.add_answer(survey.survey_id, first, limit=20)  # the same answer twice is two answers
    assert len(again.answers) == 3
    with pytest.raises(KeyError):
        store.add_answer("SV-NONE", first, limit=20)


def test_answers_are_capped(store):
    survey = a_survey()
    store.create_survey(survey)
    for n in range(3):
        store.add_answer(survey.survey_id, Answer(5, NINE_AM + timedelta(minutes=n)), limit=3)
    with pytest.raises(TooManyAnswers):
        store.add_answer(survey.survey_id, Answer(1, NINE_AM), limit=3)
    assert len(store.survey(survey.survey_id).answers) == 3


def test_recent_surveys(store):
    for n, days in enumerate([40, 10, 1]):
        store.create_survey(a_survey(f"C-{n}", created=NINE_AM - timedelta(days=days)))
    assert [s.customer_id for s in store.surveys(NINE_AM - timedelta(days=30))] == ["C-1", "C-2"]
    assert store.count_surveys(NINE_AM - timedelta(days=30)) == 2 and store.count_surveys(NINE_AM) == 0
    assert [s.customer_id for s in store.surveys_of(["C-0", "C-2", "C-7"], NINE_AM - timedelta(days=60))] == [
        "C-0",
        "C-2",
    ]
    assert [s.customer_id for s in store.surveys_of(["C-0", "C-2"], NINE_AM - timedelta(days=30))] == ["C-2"]


def test_surveys_by_when_they_were_last_answered(store):
    for n in range(3):
        store.create_survey(a_survey(f"C-{n}", created=NINE_AM - timedelta(days=20)))
    old, fresh = (a_survey(f"C-{n}", created=NINE_AM - timedelta(days=20)) for n in (0, 1))
    store.add_answer(old.survey_id, Answer(5, NINE_AM - timedelta(days=10)), limit=20)
    store.add_answer(fresh.survey_id, Answer(1, NINE_AM - timedelta(days=10)), limit=20)
    store.add_answer(fresh.survey_id, Answer(2, NINE_AM + timedelta(minutes=1)), limit=20)
    answered = store.surveys_answered(NINE_AM)
    assert [s.customer_id for s in answered] == ["C-1"] and answered[0].latest.score == 2
    assert len(store.surveys_answered(NINE_AM - timedelta(days=11))) == 2


# ---- channels: attempts, delivery reports, short links, provider credentials --------------

from functions.core.ledger import DELIVERED, UNDELIVERED, DeliveryReport  # noqa: E402
from functions.core.short_links import SURVEY, UNSUBSCRIBE, ShortLink, short_code  # noqa: E402


def test_a_failed_channel_is_noted_and_the_entry_moves_to_the_next(store):
    store.reserve(entry(channel="zalo"))
    store.record_attempt("birthday/C-1/2026", "zalo: -118 Zalo account not existed", "sms", NINE_AM)
    store.record_attempt("birthday/C-1/2026", "sms: 21211 invalid 'To'", "email", NINE_AM)
    store.confirm("birthday/C-1/2026", NINE_AM)
    got = store.entry("birthday/C-1/2026")
    assert (got.channel, got.state) == ("email", SENT)
    assert got.attempts == ("zalo: -118 Zalo account not existed", "sms: 21211 invalid 'To'")
    assert store.entry("birthday/C-1/2026").attempts == got.attempts
    store.record_attempt("checkin/C-9/2026-11-16", "zalo: x", "sms", NINE_AM)  # released meanwhile: left alone
    assert store.entry("checkin/C-9/2026-11-16") is None


def test_undelivered_reports_are_kept_until_delivered_replaces_them(store):
    def report(key, status, minutes):
        return DeliveryReport(
            key, "C-1", "sms", status, "30003 Unreachable handset", NINE_AM + timedelta(minutes=minutes)
        )

    store.record_delivery(report("checkin/C-1/2026-11-16", UNDELIVERED, 5))
    store.record_delivery(report("birthday/C-2/2026", UNDELIVERED, 1))
    store.record_delivery(report("birthday/C-3/2026", DELIVERED, 2))
    store.record_delivery(report("birthday/C-4/2026", UNDELIVERED, -60 * 24 * 10))  # long ago
    found = store.undelivered(NINE_AM - timedelta(days=1))
    assert [r.key for r in found] == ["birthday/C-2/2026", "checkin/C-1/2026-11-16"]
    assert found[0] == report("birthday/C-2/2026", UNDELIVERED, 1)
    store.record_delivery(report("birthday/C-2/2026", DELIVERED, 7))  # a late "delivered" wins
    assert [r.key for r in store.undelivered(NINE_AM - timedelta(days=1))] == ["checkin/C-1/2026-11-16"]


def test_short_links_are_stored_once_and_found_by_code(store):
    code = short_code("s" * 32, SURVEY, "SV-1")
    link = ShortLink(code, SURVEY, "SV-1", "vi", NINE_AM + timedelta(days=30))
    other = ShortLink(short_code("s" * 32, UNSUBSCRIBE, "C-1"), UNSUBSCRIBE, "C-1", "en", NINE_AM)
    store.save_short_links([link, other])
    store.save_short_links([ShortLink(code, SURVEY, "SV-OTHER", "en", NINE_AM)])  # the stored one stands
    assert store.short_link(code) == link and store.short_link(other.code) == other
    assert store.short_link("a" * 16) is None


def test_credentials_change_only_by_compare_and_swap(store):
    assert store.credential("zalo") is None
    assert store.swap_credential("zalo", 0, {"refresh_token": "R1"}) is True
    assert store.swap_credential("zalo", 0, {"refresh_token": "R-late"}) is False  # someone stored one first
    first = store.credential("zalo")
    assert (first.version, dict(first.fields)) == (1, {"refresh_token": "R1"})
    assert store.swap_credential("zalo", 1, {"refresh_token": "R2", "access_token": "A2"}) is True
    assert store.swap_credential("zalo", 1, {"refresh_token": "R2-again"}) is False  # spent already
    assert dict(store.credential("zalo").fields) == {"refresh_token": "R2", "access_token": "A2"}


# ---- birthday vouchers ---------------------------------------------------------------------

from datetime import date  # noqa: E402

from functions.core.vouchers import Voucher  # noqa: E402


def a_voucher(code="7K3QW9XM", customer="C-1", year=2026, issued=date(2026, 11, 23)):
    return Voucher(code, customer, "Nguyễn Thị Lan", year, "giảm 15%", issued, issued + timedelta(days=30))


def test_a_voucher_code_is_issued_once_and_its_first_owner_stands(store):
    first = a_voucher()
    assert store.issue_voucher(first) == first and store.voucher(first.code) == first
    assert store.issue_voucher(a_voucher(customer="C-2")) == first  # the code is taken: the stored one comes back
    assert store.voucher("AAAAAAAA") is None


def test_vouchers_by_issue_day_and_their_use(store):
    for n, days in enumerate([400, 20, 1]):
        store.issue_voucher(a_voucher(f"CODE000{n}", f"C-{n}", issued=date(2026, 11, 23) - timedelta(days=days)))
    assert [v.code for v in store.vouchers(date(2026, 10, 24))] == ["CODE0001", "CODE0002"]
    store.set_voucher_used("CODE0002", date(2026, 11, 24))
    assert store.voucher("CODE0002").used_on == date(2026, 11, 24)
    store.set_voucher_used("CODE0002", None)  # staff unticked it
    assert store.voucher("CODE0002").used_on is None
    store.set_voucher_used("NOSUCH00", date(2026, 11, 24))  # nothing to mark: left alone
    store.set_voucher_used("CODE0001", date(2026, 11, 20))
    month = (date(2026, 10, 24), date(2026, 11, 23))
    assert store.count_vouchers(*month) == 2 and store.count_vouchers(*month, by="issued_used") == 1
    assert store.count_vouchers(date(2026, 11, 20), date(2026, 11, 26), by="used_on") == 1
    assert store.count_vouchers(date(2026, 11, 21), date(2026, 11, 26), by="used_on") == 0


def test_job_state_is_merged_field_by_field(store):
    assert store.job_state("escalate") == {}
    store.save_job_state("escalate", {"answers_seen": "2026-11-23T09:00:00+07:00", "weeks": {"2026-W47": {"n": 1}}})
    store.save_job_state("escalate", {"dashboard_at": "2026-11-23T10:00:00+07:00"})
    store.save_job_state("escalate-rows-0", {"HS-ABCD1234": "a1b2c3", "HS-EFGH5678": "d4e5f6"})
    store.save_job_state("escalate-rows-0", {"HS-ABCD1234": None, "HS-JKLM9012": "0f0f0f"})
    assert store.job_state("escalate") == {
        "answers_seen": "2026-11-23T09:00:00+07:00",
        "weeks": {"2026-W47": {"n": 1}},
        "dashboard_at": "2026-11-23T10:00:00+07:00",
    }
    assert store.job_state("escalate-rows-0") == {"HS-EFGH5678": "d4e5f6", "HS-JKLM9012": "0f0f0f"}


def test_messages_sent_between_two_days(store):
    for n, days in enumerate([9, 3, 0]):
        store.reserve(entry(f"birthday/C-{n}/2026", f"C-{n}", day=TODAY - timedelta(days=days)))
        store.confirm(f"birthday/C-{n}/2026", NINE_AM)
    store.reserve(entry("checkin/C-9/2026-11-16", "C-9"))  # reserved, never confirmed: not sent
    found = store.sent_between(TODAY - timedelta(days=7), TODAY)
    assert [e.key for e in found] == ["birthday/C-1/2026", "birthday/C-2/2026"]
