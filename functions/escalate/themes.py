"""The Themes tab in the escalation run: what customers talk about (their replies, their survey
comments), counted as they are heard.

The matcher is made from the tab's themes when the run listens; the mentions it found are added to
the per-day counts kept in the run's own job state, saved with the mailbox mark once the sheet shows
the replies: a reply is counted once, even when a run stops before its write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from functions.core.business_calendar import BusinessCalendar
from functions.core.surveys import Survey
from functions.core.tables import Table, TabWrite
from functions.core.theme_tab import (
    THEMES_STATE,
    Mention,
    add_mentions,
    latest_examples,
    read_theme_tab,
    scrub_quote,
    theme_figures,
    theme_tab_write,
)
from functions.core.themes import Lexicon, Matcher
from functions.escalate.deps import EscalationDeps

STATE = THEMES_STATE


def theme_matcher(table: Table | None, lexicon: Lexicon) -> Matcher:
    """The Themes tab's themes in use (the starter set for a sheet without the tab), ready to match."""
    return Matcher(read_theme_tab(table).themes, lexicon)


def survey_mentions(
    matcher: Matcher,
    answered: Sequence[Survey],
    names: Mapping[str, str],
    state: Mapping[str, Any],
    calendar: BusinessCalendar,
    threshold: int,
) -> list[Mention]:
    """The themes of the survey comments answered since the last run (`state`'s answers_seen: an answer
    read again in the reading's overlap is not counted twice), with their scores; a low score is a
    complaint."""
    seen = state.get("answers_seen")
    since = datetime.fromisoformat(seen) if seen else None
    mentions = []
    for survey in answered:
        answer = survey.latest
        if answer is None or not answer.comment or (since is not None and answer.at < since):
            continue
        if found := matcher.themes_of(answer.comment):
            quote = scrub_quote(answer.comment, [names.get(survey.customer_id, "")])
            mentions.append(Mention(answer.at.astimezone(calendar.zone).date(), tuple(found),
                                    answer.score <= threshold, answer.score, quote))  # fmt: skip
    return mentions


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
