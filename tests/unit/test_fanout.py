"""Fan-out on fakes: a day with more due than a run sends goes through the send queue in batches,
each message sent once however often its batch arrives."""

from __future__ import annotations

import dataclasses

import pytest

from functions import bootstrap
from functions.core.ledger import QUEUED, RESERVED, SENT
from functions.fanout import BatchUnreadable, decode, encode
from functions.followup.job import run_followup
from functions.sendbatch.job import SendBatchDeps, run_send_batch
from functions.survey.offers import SurveyRules
from tests.helpers import NINE_AM
from tests.helpers import TEST_SECRET as SECRET
from tests.helpers.fakes import MemoryChannel, MemoryQueue
from tests.helpers.memory_store import MemoryStore
from tests.helpers.rules import business_settings
from tests.helpers.support import FAST_RETRY, deps, many_customers, memory_sheet


def worker(store, channels) -> SendBatchDeps:
    """A send_batch run's wiring by bootstrap, on the test's store and channels (the test's secret signs)."""
    return bootstrap.send_batch_deps(business_settings(), store=store, channels=channels, retry=FAST_RETRY)


def fanned_out(count: int, queue: MemoryQueue, store: MemoryStore, channel: MemoryChannel):
    wiring = deps(memory_sheet(many_customers(count, 1, 10_000)), store, channel, surveys=SurveyRules(30, 30),
                  queue=queue, fanout_after=10, fanout_batch_size=7)  # fmt: skip
    return run_followup(wiring, NINE_AM).report


def test_a_big_day_sends_what_fits_and_queues_the_rest_in_batches():
    queue, store, channel = MemoryQueue(), MemoryStore(), MemoryChannel()
    report = fanned_out(40, queue, store, channel)
    assert report["summary"]["sent"] == 10 and report["summary"]["queued"] == 30 and report["batches"] == 5
    assert len(channel.delivered) == 10 and [c for c, _ in queue.batches] == ["email"] * 5
    assert {store.ledger.entry(q["key"]).state for q in report["queued"]} == {QUEUED}
    queued = worker(store, {"email": channel})
    for _, batch in queue.batches + queue.batches[:2]:  # Pub/Sub delivers at least once: two batches twice
        run_send_batch(queued, batch, NINE_AM)
    assert len(channel.delivered) == 40 and len({m.to for m in channel.delivered}) == 40
    assert {e.state for e in store.ledger.entries.values()} == {SENT}
    rerun = fanned_out(40, queue, store, channel)
    assert rerun["summary"]["sent"] == rerun["summary"]["queued"] == 0


def test_a_batch_run_killed_mid_batch_leaves_one_in_doubt_and_its_redelivery_sends_the_rest():
    queue, store, channel = MemoryQueue(), MemoryStore(), MemoryChannel()
    fanned_out(17, queue, store, channel)
    (_, batch), *_ = queue.batches

    class Killed(MemoryChannel):
        def deliver(self, message):
            if len(self.delivered) == 3:
                raise KeyboardInterrupt("killed")  # the process dies while sending the 4th
            super().deliver(message)

    dying = Killed()
    with pytest.raises(KeyboardInterrupt):
        run_send_batch(worker(store, {"email": dying}), batch, NINE_AM)
    report = run_send_batch(worker(store, {"email": channel}), batch, NINE_AM)
    assert report["summary"]["skipped"] == 4 and report["summary"]["sent"] == 3
    states = [store.ledger.entry(d.key).state for d in decode(batch, SECRET)]
    assert states.count(SENT) == 6 and states.count(RESERVED) == 1  # the one in flight: in doubt, never resent


def test_the_queue_refusing_releases_the_batch_for_the_next_run():
    store, channel = MemoryStore(), MemoryChannel()
    report = fanned_out(15, MemoryQueue(refuse=True), store, channel)
    assert report["summary"]["queued"] == 0 and report["summary"]["sent"] == 10
    assert sum(s["reason"] == "deferred" for s in report["skipped"]) == 5
    assert len(store.ledger.entries) == 10  # the five queued were released
    assert fanned_out(15, MemoryQueue(), store, channel)["summary"]["queued"] == 0  # 10 more fit in the next run


def test_a_batch_round_trips_and_anything_else_is_refused_by_name():
    queue, store = MemoryQueue(), MemoryStore()
    fanned_out(12, queue, store, MemoryChannel())
    (_, batch), *_ = queue.batches
    (first, second) = decode(batch, SECRET)
    assert first.entry.state == QUEUED and first.message.to.endswith("@example.com") and first.survey is None
    assert decode(encode([first, second], SECRET), SECRET) == [first, second]
    for bad in (b"", b"{}", b'{"v": 2, "items": []}', b"\xff", b'{"v": 1, "items": [{"entry": {}}]}'):
        with pytest.raises(BatchUnreadable):
            decode(bad, SECRET)
    assert dataclasses.replace(first.entry, state=QUEUED) == first.entry


def test_a_forged_batch_sends_nothing_and_leaves_the_genuine_one_to_go_out():
    """Issue 21 (4): a batch reusing a genuinely queued key with another recipient (or text, or no
    signature, or another key's signature) is refused before anything is claimed."""
    import json

    queue, store, channel = MemoryQueue(), MemoryStore(), MemoryChannel()
    fanned_out(12, queue, store, channel)
    (_, genuine), *_ = queue.batches
    batch = json.loads(genuine)
    batch["items"][0]["choices"][0]["to"] = "attacker@evil.example"
    unsigned = {k: v for k, v in batch.items() if k != "sig"}
    resigned = json.loads(encode(decode(genuine, SECRET), "another-secret"))
    for forged in (batch, unsigned, resigned):
        with pytest.raises(BatchUnreadable):
            run_send_batch(
                worker(store, {"email": channel}),
                json.dumps(forged).encode(),
                NINE_AM,
            )
    assert len(channel.delivered) == 10 and {store.ledger.entry(d.key).state for d in decode(genuine, SECRET)} == {
        QUEUED
    }
    run_send_batch(worker(store, {"email": channel}), genuine, NINE_AM)
    assert "attacker@evil.example" not in {m.to for m in channel.delivered} and len(channel.delivered) == 12


def test_a_queued_message_to_a_customer_who_refused_or_was_erased_since_is_dropped_at_send_time():
    """Issue 32: send_batch checks opt-outs and erasure when it sends, not when the batch was queued."""
    from functions.core.ledger import FAILED
    from functions.core.privacy import suppression_opt_outs

    queue, store, channel = MemoryQueue(), MemoryStore(), MemoryChannel()
    fanned_out(12, queue, store, channel)
    (_, batch), *_ = queue.batches
    first, second = decode(batch, SECRET)
    store.opt_outs.record_opt_out(first.entry.customer_id, NINE_AM)  # replied HỦY after it was queued
    for mark in suppression_opt_outs([second.message.to], SECRET):  # erased on request after it was queued
        store.opt_outs.record_opt_out(mark, NINE_AM)
    report = run_send_batch(worker(store, {"email": channel}), batch, NINE_AM)
    assert report["dropped"] == [{"key": first.key, "reason": "opted_out"}, {"key": second.key, "reason": "erased"}]
    assert {first.message.to, second.message.to}.isdisjoint(m.to for m in channel.delivered)
    assert {store.ledger.entry(d.key).state for d in (first, second)} == {FAILED}
    again = run_send_batch(worker(store, {"email": channel}), batch, NINE_AM)  # Pub/Sub delivers it again
    assert again["dropped"] == [] and again["summary"]["sent"] == 0


def test_a_day_bigger_than_a_chunk_is_composed_and_sent_chunk_by_chunk(monkeypatch):
    """Issue 37: never every rendered text at once. A chunk is sent before the next is composed; a
    provider's daily limit met in one chunk is not asked again in the next; the report is whole."""
    from functions.core.errors import ProviderLimitReached
    from functions.followup.sending import CHUNK, SendingRun

    class Limited(MemoryChannel):
        asked = 0

        def deliver(self, message):
            self.asked += 1
            if len(self.delivered) == CHUNK + 3:
                raise ProviderLimitReached("550 5.4.5 Daily sending quota exceeded")
            super().deliver(message)

    channel, sent_when_composed = Limited(), []
    compose = SendingRun.compose

    def counted(run, message):
        sent_when_composed.append(channel.asked)
        return compose(run, message)

    monkeypatch.setattr(SendingRun, "compose", counted)
    wiring = deps(memory_sheet(many_customers(CHUNK * 2 + 50, 1, 10_000)), MemoryStore(), channel)
    report = run_followup(wiring, NINE_AM).report
    assert sent_when_composed[CHUNK - 1] == 0 and sent_when_composed[CHUNK] == CHUNK  # the first chunk went first
    assert report["summary"]["sent"] == CHUNK + 3 and channel.asked == CHUNK + 4  # the limit: asked once
    assert report["summary"]["failed"] == CHUNK * 2 + 50 - CHUNK - 3 and len(report["provider_limits"]) == 1
