"""Zalo OA tokens: refreshed on expiry or when Zalo calls one invalid, kept in the store, and each
single-use refresh token spent once, even by two processes sending at the same time."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from functions.adapters.channels.zalo import ZaloChannel, ZaloConfig
from functions.adapters.channels.zalo_tokens import CREDENTIAL
from functions.core.errors import PermanentDeliveryError
from functions.standins.zalo_api import ZaloStandIn
from tests.helpers.memory_store import MemoryStore
from tests.integration.test_channel_contract import (
    FIRST_REFRESH,
    ZALO_APP,
    ZALO_SECRET,
    ZNS_PARAMS,
    ZNS_TEMPLATES,
    message,
)


def channel(server, store, refresh=FIRST_REFRESH) -> ZaloChannel:
    return ZaloChannel(
        ZaloConfig(ZALO_APP, ZALO_SECRET, refresh, ZNS_TEMPLATES, server.url, server.url, 5), store.credentials
    )


def test_the_first_refresh_token_is_spent_once_and_the_pair_is_kept_in_the_store():
    store = MemoryStore()
    with ZaloStandIn(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_PARAMS) as server:
        channel(server, store).deliver(message("zalo", "+84912345678"))
        channel(server, store).deliver(message("zalo", "+84912345679"))  # a second run: the stored token serves
    assert server.spent == [FIRST_REFRESH] and len(server.accepted) == 2
    kept = store.credentials.credential(CREDENTIAL).fields
    assert kept["refresh_token"] in server.refresh_tokens and kept["access_token"] in server.access_tokens


def test_an_access_token_zalo_calls_invalid_is_refreshed_and_the_message_tried_once_more():
    store = MemoryStore()
    with ZaloStandIn(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_PARAMS) as server:
        zalo = channel(server, store)
        zalo.deliver(message("zalo", "+84912345678"))
        server.expire_access_tokens()  # Zalo now answers -124 to the stored token
        zalo.deliver(message("zalo", "+84912345679"))
    assert len(server.spent) == 2 and len(server.accepted) == 2 and server.refused == []


def test_a_refused_refresh_token_fails_with_words_staff_can_act_on_until_a_new_one_is_set():
    store = MemoryStore()
    with ZaloStandIn(ZALO_APP, ZALO_SECRET, "RT-issued-by-hand", ZNS_PARAMS) as server:
        with pytest.raises(PermanentDeliveryError, match="zalo_refresh_token"):
            channel(server, store, refresh="RT-stale").deliver(message("zalo", "+84912345678"))
        with pytest.raises(PermanentDeliveryError, match="refused the refresh token"):  # not offered again
            channel(server, store, refresh="RT-stale").deliver(message("zalo", "+84912345678"))
        assert server.refused == ["RT-stale"]
        channel(server, store, refresh="RT-issued-by-hand").deliver(message("zalo", "+84912345678"))
    assert server.spent == ["RT-issued-by-hand"] and len(server.accepted) == 1


def _send_many(kind: str, location: str, url: str, phones: list[str], queue) -> None:
    from functions.adapters.stores.firestore import FirestoreStore
    from functions.adapters.stores.sqlite import SqliteStore

    store = SqliteStore(location) if kind == "sqlite" else FirestoreStore(location, timeout=20)
    zalo = ZaloChannel(ZaloConfig(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_TEMPLATES, url, url, 5), store.credentials)
    sent = []
    for phone in phones:
        zalo.deliver(message("zalo", phone))
        sent.append(phone)
        time.sleep(0.05)
    queue.put(sent)


@pytest.mark.parametrize("kind", ["sqlite", "firestore"])
def test_two_processes_sending_at_once_spend_each_refresh_token_once(kind, tmp_path, request):
    from tests.helpers.support import store_setting

    if kind == "firestore" and "FAKETIME" in os.environ:  # CI's run at another date (libfaketime)
        pytest.skip("gRPC in processes spawned under libfaketime hangs at random (1 run in 5 here); "
                    "this test runs at the real date in `make test`")  # fmt: skip
    location = store_setting(kind, tmp_path, request).removeprefix("firestore://")
    # Each access token is "about to expire" a second after it is issued: the runs refresh again and again.
    with ZaloStandIn(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_PARAMS, expires_in=301) as server:
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        batches = [[f"+8491234{n:04d}" for n in range(start, start + 30)] for start in (0, 1000)]
        workers = [context.Process(target=_send_many, args=(kind, location, server.url, b, queue)) for b in batches]
        for worker in workers:
            worker.start()
        sent = [phone for _ in workers for phone in queue.get(timeout=120)]
        for worker in workers:
            worker.join(30)
    assert sorted(sent) == sorted(p for b in batches for p in b) and len(server.accepted) == 60
    assert server.refused == []  # no refresh token offered twice
    assert len(server.spent) == len(set(server.spent)) >= 2  # refreshed more than once, each token once


def test_the_claim_on_a_refresh_outlasts_the_longest_refresh_call():
    """Issue 21 (3): a 30 s lease against a call of 30 s to connect plus 30 s to read."""
    zalo = ZaloChannel(
        ZaloConfig(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_TEMPLATES, timeout=30), MemoryStore().credentials
    )
    assert zalo.tokens.lease > 2 * 30 and zalo.tokens.wait > zalo.tokens.lease


@pytest.mark.parametrize("kind", ["sqlite", "firestore"])
def test_a_refresh_that_outlasts_its_lease_never_leaves_the_store_with_a_spent_token(kind, tmp_path, request):
    """Issue 21 (3), as reproduced: the lease scaled to 1 s, Zalo's first answer held back 2.5 s. The
    second run spends the same token and is refused; its error must not replace the good pair."""
    import threading

    from functions.adapters.channels.zalo_tokens import ZaloTokens
    from tests.helpers.support import store_setting

    location = store_setting(kind, tmp_path, request)
    with ZaloStandIn(ZALO_APP, ZALO_SECRET, FIRST_REFRESH, ZNS_PARAMS) as server:
        server.refresh_delays = [2.5]
        stores = [_open_store(location) for _ in range(2)]
        zalos = [channel(server, s) for s in stores]
        runs = [ZaloTokens(s.credentials, z._refresh, FIRST_REFRESH, lease_seconds=1.0, wait_seconds=10.0)
                for s, z in zip(stores, zalos, strict=True)]  # fmt: skip
        tokens: list[str] = []
        first = threading.Thread(target=lambda: tokens.append(runs[0].access_token()))
        first.start()
        time.sleep(1.3)  # the first run's lease has run out while Zalo's answer is on its way
        tokens.append(runs[1].access_token())
        first.join(10)
        assert server.refused == [FIRST_REFRESH]  # the second run did spend it again (the lease was short)
        kept = stores[0].credentials.credential(CREDENTIAL).fields
        assert not kept.get("error") and kept["refresh_token"] in server.refresh_tokens
        assert set(tokens) == {kept["access_token"]}  # both runs send with the pair Zalo holds
        zalos[0].deliver(message("zalo", "+84912345678"))  # and later runs go on working
        assert len(server.accepted) == 1 and server.refused == [FIRST_REFRESH]


def _open_store(location: str):
    from functions.adapters.stores.firestore import FirestoreStore
    from functions.adapters.stores.sqlite import SqliteStore

    if location.startswith("firestore://"):
        return FirestoreStore(location.removeprefix("firestore://"), timeout=20)
    return SqliteStore(location)
