"""What the weekly digest's figures are counted from, read from the store once per run: messages
confirmed since the first week, the surveys answered since, the cases that changed since (and every
open one: the digest lists those past their deadline), vouchers issued up to HISTORY_DAYS before
the first week (they may be used within it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from functions.core.weekly import HISTORY_DAYS, History
from functions.ports import Cases, Ledger, Surveys, Vouchers


class HistoryRecords(Ledger, Cases, Surveys, Vouchers, Protocol):
    """What the weekly figures are counted from."""


def read_history(store: HistoryRecords, first: datetime, last: date) -> History:
    """From `first` (a week's start) to the day `last`."""
    cases = {c.case_id: c for c in store.cases_updated(first)} | {c.case_id: c for c in store.cases(open_only=True)}
    return History(
        store.sent_between(first.date(), last),
        store.surveys_answered(first),
        sorted(cases.values(), key=lambda c: (c.created_at, c.case_id)),
        store.vouchers((first - timedelta(days=HISTORY_DAYS)).date()),
    )
