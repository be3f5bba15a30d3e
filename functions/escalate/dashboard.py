"""The Dashboard tab's figures: worked out at most once an hour, from what the store holds for the
window they cover, never from its whole history.

What a count serves is counted (messages sent, surveys made, vouchers; Firestore bills a read per
1,000 entries counted); what needs each record is read for the window only (cases changed in it,
surveys answered in it). A week SETTLED days past its end keeps the figures last worked out for it:
they are kept in the job's state and not worked out again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from functions.core.business_calendar import BusinessCalendar
from functions.core.calls import OUTCOMES
from functions.core.cases import CaseRecord
from functions.core.channel_specs import ChannelBook
from functions.core.sheet_layout import THEME_SERIES
from functions.core.sheet_schema import dashboard_tab
from functions.core.tables import Table, TabWrite
from functions.core.theme_tab import weekly_mentions
from functions.core.vouchers import VoucherFigures
from functions.core.weekly import (
    KIND_GROUPS,
    REPLY_GROUPS,
    History,
    Tally,
    Week,
    dashboard_row,
    last_weeks,
    week_title,
)
from functions.escalate.metrics import care_metrics, survey_metrics
from functions.escalate.writeback import METRICS_DAYS, MonthFigures, dashboard_write, weekly_write
from functions.history import HistoryRecords

REFRESH = timedelta(hours=1)
SETTLED = timedelta(days=7)  # by then a week's cases are answered or past their due time
CALL_KINDS = tuple(f"call_{outcome}" for outcome in OUTCOMES)


class Refresh(NamedTuple):
    writes: list[TabWrite]
    state: dict[str, Any]  # saved into the job's state once the writes have landed


def refresh_due(state: Mapping[str, Any], now: datetime) -> bool:
    """No figures yet, an hour gone since the last, or a run dated before them (`--now` in the past)."""
    last = state.get("dashboard_at")
    return not last or not timedelta(0) <= now - datetime.fromisoformat(last) < REFRESH


def refresh(
    records: HistoryRecords,
    table: Table,
    changed: Iterable[CaseRecord],
    calendar: BusinessCalendar,
    now: datetime,
    language: str,
    state: Mapping[str, Any],
    channels: ChannelBook,
    consented: int = 0,
    occasions: Mapping[str, str] | None = None,
    theme_days: Mapping[str, Any] | None = None,
) -> Refresh:
    """The Dashboard's writes; `changed`: the cases as this run left them (newer than a read made earlier);
    `consented`: the customers whose consent to advertising is ticked now; `occasions`: the care plan's
    occasions that have sent (kind → name), each counted; `theme_days`: the Themes tab's per-day counts
    (the chart of the top themes, worked out anew each time: which themes are on top changes)."""
    weeks = last_weeks(now, calendar)
    kept: dict[str, Any] = {w.label: state["weeks"][w.label] for w in weeks if w.label in state.get("weeks", {})}
    month_start = now - timedelta(days=METRICS_DAYS)
    since = min([month_start] + [w.start for w in weeks if w.label not in kept])
    cases = {c.case_id: c for c in records.cases.cases_updated(since)} | {c.case_id: c for c in changed}
    history = History((), records.surveys.surveys_answered(since), list(cases.values()), ())
    rows = [
        kept.get(w.label) or dashboard_row(w, history, calendar, now, _tally(records, w, channels.names)) for w in weeks
    ]
    today = now.astimezone(calendar.zone).date()
    first = month_start.astimezone(calendar.zone).date()
    month = MonthFigures(
        care_metrics(history.cases, calendar, month_start, now + timedelta(seconds=1)),
        survey_metrics(
            records.surveys.count_surveys(month_start), history.surveys, month_start, now + timedelta(seconds=1)
        ),
        VoucherFigures(
            records.vouchers.count_vouchers(first, today),
            records.vouchers.count_vouchers(first, today, by="issued_used"),
        ),
        records.ledger.count_sent(first, today, kinds=CALL_KINDS),
        records.ledger.count_sent(first, today, kinds=("call_reached",)),
        consented,
        tuple(
            (name, records.ledger.count_sent(first, today, kinds=(kind,))) for kind, name in (occasions or {}).items()
        ),
    )
    found = weekly_mentions(theme_days or {}, [_days(w)[0] for w in weeks], len(THEME_SERIES))
    blank = [("", [""] * len(weeks))] * (len(THEME_SERIES) - len(found))  # a column without a theme
    top: list[tuple[str, Sequence[int | str]]] = [*found, *blank]
    shown = [{**row, **{key: counts[i] for key, (_, counts) in zip(THEME_SERIES, top, strict=True)},
              "week": week_title(w, language, w.holds(now))}
             for i, (w, row) in enumerate(zip(weeks, rows, strict=True))]  # fmt: skip
    tab = dashboard_tab(channels)
    titles = {
        key: tab.column(key).named_title(name, language) for key, (name, _) in zip(THEME_SERIES, top, strict=True)
    }
    writes = [dashboard_write(tab, table, month, calendar, now, language),
              weekly_write(tab, table, shown, language, titles)]  # fmt: skip
    settled = {w.label: row for w, row in zip(weeks, rows, strict=True) if w.end + SETTLED <= now}
    return Refresh(writes, {"dashboard_at": now.isoformat(), "weeks": settled})


def _tally(records: HistoryRecords, week: Week, channels: Iterable[str]) -> Tally:
    first, last = _days(week)
    return Tally(
        records.ledger.count_sent(first, last),
        {channel: records.ledger.count_sent(first, last, channel=channel) for channel in channels},
        {group: records.ledger.count_sent(first, last, kinds=kinds) for group, kinds in KIND_GROUPS.items()},
        records.vouchers.count_vouchers(first, last),
        records.vouchers.count_vouchers(first, last, by="used_on"),
        {group: records.replies.count_replies(first, last, kinds) for group, kinds in REPLY_GROUPS.items()},
    )


def _days(week: Week) -> tuple[date, date]:
    return week.start.date(), week.end.date() - timedelta(days=1)
