"""What the weekly figures are counted from, read from the store once per run (the digest, the
Dashboard's series): messages confirmed since the first week, surveys and vouchers made up to
HISTORY_DAYS before it (they may be answered or used within it), and every case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from functions.core.cases import CaseRecord
from functions.core.surveys import Survey
from functions.core.weekly import HISTORY_DAYS, History
from functions.ports import Store


def history_since(first: datetime) -> datetime:
    """The oldest survey or voucher the weeks from `first` count."""
    return first - timedelta(days=HISTORY_DAYS)


def read_history(
    store: Store,
    first: datetime,
    last: date,
    cases: Sequence[CaseRecord] | None = None,
    surveys: Sequence[Survey] | None = None,
) -> History:
    """From `first` (a week's start) to the day `last`; `cases` and `surveys` (made since
    history_since(first)) when the run has them already."""
    since = history_since(first)
    return History(
        store.sent_between(first.date(), last),
        store.surveys(since) if surveys is None else surveys,
        store.cases() if cases is None else cases,
        store.vouchers(since.date()),
    )
