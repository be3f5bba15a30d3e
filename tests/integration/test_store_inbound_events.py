"""The InboundEvents port's contract, on every adapter: an event is kept once (a replay changes
nothing), waits until taken, and a taken one's id is still known."""

from __future__ import annotations

from datetime import timedelta

from functions.core.inbound import InboundEvent
from tests.helpers import NINE_AM


def _event(n: int, minutes: int) -> InboundEvent:
    return InboundEvent(
        f"ev{n:02d}", "zalo", NINE_AM + timedelta(minutes=minutes), f'{{"event_name": "user_send_text", "n": {n}}}'
    )


def test_an_event_is_kept_once_and_waits_oldest_first_until_taken(store):
    events = store.inbound_events
    assert events.record_event(_event(2, 5)) is True
    assert events.record_event(_event(1, 1)) is True
    assert events.record_event(_event(3, 9)) is True
    assert events.record_event(_event(1, 1)._replace(body="{}")) is False  # a replay: refused, the first kept
    assert events.pending_events(10) == [_event(1, 1), _event(2, 5), _event(3, 9)]
    assert events.pending_events(2) == [_event(1, 1), _event(2, 5)]
    events.events_taken(["ev01", "ev02"], NINE_AM + timedelta(minutes=15))
    assert events.pending_events(10) == [_event(3, 9)]
    assert events.record_event(_event(2, 5)) is False  # taken, and still refused when posted again
    events.events_taken([], NINE_AM + timedelta(minutes=16))  # nothing to take: nothing happens
    assert events.pending_events(10) == [_event(3, 9)]
