from datetime import date, datetime, timedelta, timezone
import multiprocessing

import pytest

from functions.adapters.sqlite_store import SqliteStore
from functions.ports import FAILED, RESERVED, SENT, LedgerEntry, StoreUnavailable
from conftest import NINE_AM, TODAY


def entry(key="birthday/C-1/2026", customer="C-1", day=TODAY, at=NINE_AM):
    return LedgerEntry(key, customer, key.split("/")[0], "email", day, reserved_at=at)


@pytest.fixture
def store(tmp_path):
    return SqliteStore(tmp_path / "s.sqlite")


def test_reserve_once(store):
    assert store.reserve(entry()) is True
    assert store.reserve(entry()) is False
    assert store.entry("birthday/C-1/2026").state == RESERVED


def test_states_and_facts(store):
    store.reserve(entry("birthday/C-1/2026", "C-1"))
    store.reserve(entry("checkin/C-2/2026-11-16", "C-2"))
    store.reserve(entry("checkin/C-3/2026-11-15", "C-3", day=TODAY - timedelta(days=1)))
    store.confirm("birthday/C-1/2026", NINE_AM)
    store.fail("checkin/C-2/2026-11-16", "SMTP 550", NINE_AM)
    facts = store.facts(["birthday/C-1/2026", "checkin/C-2/2026-11-16", "nope"], TODAY)
    assert facts.states == {"birthday/C-1/2026": SENT, "checkin/C-2/2026-11-16": FAILED}
    assert facts.contacted_today == {"C-1", "C-2"} and facts.reserved_today == 2
    assert store.entry("checkin/C-2/2026-11-16").error == "SMTP 550"
    assert {e.key for e in store.unconfirmed()} == {"checkin/C-3/2026-11-15", "checkin/C-2/2026-11-16"}


def test_release_only_unconfirmed_or_failed(store):
    store.reserve(entry("a/1/1"))
    store.reserve(entry("b/1/1"))
    store.confirm("b/1/1", NINE_AM)
    assert store.release("a/1/1") is True and store.release("b/1/1") is False
    assert store.reserve(entry("a/1/1")) is True


def test_times_keep_their_zone_and_text_survives(store):
    store.reserve(entry("birthday/KH-Đặng/2026", "KH-Đặng", at=NINE_AM))
    got = store.entry("birthday/KH-Đặng/2026")
    assert got.reserved_at == NINE_AM and got.reserved_at.utcoffset() == timedelta(hours=7)
    assert got.customer_id == "KH-Đặng" and got.business_day == TODAY


def test_many_keys_at_once(store):
    keys = [f"k/{i}/1" for i in range(1200)]
    for k in keys[::2]:
        store.reserve(entry(k))
    assert len(store.facts(keys, TODAY).states) == 600


def test_opt_outs_and_reports(store):
    store.record_opt_out("C-1", NINE_AM)
    store.record_opt_out("C-1", NINE_AM + timedelta(days=1))  # the first stays
    assert store.opt_outs() == {"C-1": NINE_AM}
    store.save_report({"job": "followup", "now": "2026-11-23T09:00:00+07:00", "summary": {"sent": 1}})
    store.save_report({"job": "followup", "now": "2026-11-24T09:00:00+07:00", "summary": {"sent": 2}})
    assert [r["summary"]["sent"] for r in store.reports("followup")] == [2, 1]


def test_an_unreachable_store_says_so(tmp_path):
    with pytest.raises(StoreUnavailable, match="does not exist"):
        SqliteStore(tmp_path / "missing" / "s.sqlite").facts([], TODAY)
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(StoreUnavailable):
        SqliteStore(tmp_path / "dir.sqlite").facts([], TODAY)


def _reserve_many(path, keys, results):
    store = SqliteStore(path)
    results.extend([k for k in keys if store.reserve(entry(k))])


def test_two_processes_never_both_reserve(tmp_path):
    path = tmp_path / "s.sqlite"
    SqliteStore(path).facts([], TODAY)  # create the schema once
    keys = [f"birthday/C-{i}/2026" for i in range(200)]
    with multiprocessing.Manager() as manager:
        won = manager.list()
        workers = [multiprocessing.Process(target=_reserve_many, args=(path, keys, won)) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        assert sorted(won) == sorted(keys)
