"""What the weekly figures are counted from, read from the store once per run (the digest, the
Dashboard's series): messages confirmed since the first week, surveys and vouchers made up to
HISTORY_DAYS before it (they may be answered or used within it), and every case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from functions.core.cases import CaseRecord
from functions.core.weekly import HISTORY_DAYS, History
from functions.ports import Store


def read_history(store: Store, first: datetime, last: date, cases: Sequence[CaseRecord] | None = None) -> History:
    """From `first` (a week's start) to the day `last`; `cases` when the run has them already."""
    return History(
        store.sent_between(first.date(), last),
        store.surveys(first - timedelta(days=HISTORY_DAYS)),
        store.cases() if cases is None else cases,
        store.vouchers((first - timedelta(days=HISTORY_DAYS)).date()),
    )
