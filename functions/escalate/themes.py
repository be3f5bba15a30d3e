"""The Themes tab in the escalation run: what customers talk about, counted as they are heard.

The matcher is made from the tab's themes when the run listens; the mentions it found are added to
the per-day counts kept in the run's own job state, saved with the mailbox mark once the sheet shows
the replies: a reply is counted once, even when a run stops before its write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from functions.core.tables import Table, TabWrite
from functions.core.theme_tab import (
    Mention,
    add_mentions,
    latest_examples,
    read_theme_tab,
    theme_figures,
    theme_tab_write,
)
from functions.core.themes import Lexicon, Matcher
from functions.escalate.deps import EscalationDeps

STATE = "themes"  # in the escalation job's state: {"days": {day: {theme: counts}}, "examples": {theme: [day, quote]}}


def theme_matcher(table: Table | None, lexicon: Lexicon) -> Matcher:
    """The Themes tab's themes in use (the starter set for a sheet without the tab), ready to match."""
    return Matcher(read_theme_tab(table).themes, lexicon)


def theme_update(
    deps: EscalationDeps, table: Table | None, state: Mapping[str, Any], mentions: Sequence[Mention], now: datetime
) -> tuple[TabWrite | None, dict[str, Any] | None]:
    """The Themes tab's figures with this run's mentions, and the job state to save with the run's
    mark (None when no mention came)."""
    today = now.astimezone(deps.calendar.zone).date()
    days, examples = dict(state.get("days") or {}), dict(state.get("examples") or {})
    saved = None
    if mentions:
        days = {k: v for k, v in {**days, **add_mentions(days, mentions, today)}.items() if v is not None}
        examples |= latest_examples(examples, mentions)
        saved = {"days": days, "examples": examples}
    write = None
    if table is not None:
        write = theme_tab_write(read_theme_tab(table), theme_figures(days, today), examples, deps.staff_language)
    return write, saved
