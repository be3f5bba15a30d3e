"""The Replies port's contract, on every adapter: each reply heard once, by kind and day, counted."""

from __future__ import annotations

from datetime import date

from functions.core.replies import HeardReply


def test_replies_are_kept_once_and_counted_by_kind_and_day(store):
    replies = store.replies
    heard = [
        HeardReply("PH-1", "reply", date(2026, 11, 23)),
        HeardReply("PH-2", "refusal", date(2026, 11, 24)),
        HeardReply("PH-3", "bounce", date(2026, 11, 30)),
        HeardReply("PH-4", "complaint", date(2026, 11, 29)),
    ]
    replies.record_replies(heard)
    replies.record_replies([HeardReply("PH-1", "bounce", date(2026, 11, 25))])  # heard again: stays as it was
    again = [HeardReply("PH-2", "bounce", date(2026, 11, 25)), HeardReply("PH-5", "reply", date(2026, 11, 26))]
    replies.record_replies(
        again
    )  # a batch (one commit) meeting a reply kept already: the new one kept, the old as it was
    replies.record_replies([])
    assert replies.replies_between(date(2026, 11, 23), date(2026, 11, 29)) == [heard[0], heard[1], again[1], heard[3]]
    assert replies.count_replies(date(2026, 11, 23), date(2026, 11, 29), ["reply", "refusal", "complaint"]) == 4
    assert replies.count_replies(date(2026, 11, 23), date(2026, 11, 29), ["bounce"]) == 0
    assert replies.count_replies(date(2026, 11, 30), date(2026, 12, 6), ["bounce"]) == 1
