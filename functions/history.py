"""What the weekly digest's figures are counted from, read from the store once per run: messages
confirmed since the first week, the surveys answered since, the cases that changed since (and every
open one: the digest lists those past their deadline), vouchers issued up to HISTORY_DAYS before
the first week (they may be used within it), the replies heard since."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from functions.core.weekly import HISTORY_DAYS, History
from functions.ports import Cases, Ledger, Replies, Surveys, Vouchers


class HistoryRecords(Protocol):
    """What the weekly figures are counted from."""

    ledger: Ledger
    cases: Cases
    surveys: Surveys
    vouchers: Vouchers
    replies: Replies


def read_history(records: HistoryRecords, first: datetime, last: date) -> History:
    """From `first` (a week's start) to the day `last`."""
    updated, still_open = records.cases.cases_updated(first), records.cases.cases(open_only=True)
    cases = {c.case_id: c for c in updated} | {c.case_id: c for c in still_open}
    return History(
        records.ledger.sent_between(first.date(), last),
        records.surveys.surveys_answered(first),
        sorted(cases.values(), key=lambda c: (c.created_at, c.case_id)),
        records.vouchers.vouchers((first - timedelta(days=HISTORY_DAYS)).date()),
        records.replies.replies_between(first.date(), last),
    )
