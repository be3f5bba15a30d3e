"""The Themes tab in the escalation run: what customers talk about (their replies, their survey
comments), counted as they are heard.

The matcher is made from the tab's themes when the run listens; the mentions it found are added to
the per-day counts kept in the run's own job state, saved with the mailbox mark once the sheet shows
the replies: a reply is counted once, even when a run stops before its write."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from functions.core.business_calendar import BusinessCalendar
from functions.core.surveys import Survey
from functions.core.tables import Table, TabWrite
from functions.core.theme_suggestions import add_words, content_words, suggestions, suggestions_write
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
) -> tuple[list[Mention], list[tuple[date, str, str]]]:
    """The themes of the survey comments answered since the last run (`state`'s answers_seen: an answer
    read again in the reading's overlap is not counted twice), with their scores (a low score is a
    complaint); and the comments, for the suggestions."""
    seen = state.get("answers_seen")
    since = datetime.fromisoformat(seen) if seen else None
    mentions, texts = [], []
    for survey in answered:
        answer = survey.latest
        if answer is None or not answer.comment or (since is not None and answer.at < since):
            continue
        day = answer.at.astimezone(calendar.zone).date()
        quote = scrub_quote(answer.comment, [names.get(survey.customer_id, "")])
        texts.append((day, answer.comment, quote))
        if found := matcher.themes_of(answer.comment):
            mentions.append(Mention(day, tuple(found), answer.score <= threshold, answer.score, quote))
    return mentions, texts


WORDS_STATE = "theme_words"  # a job state of its own: {day: {word: [texts, example]}}, read only when needed
SUGGESTED_ON = "suggested_on"  # in the escalation's state: the day the Suggestions tab was last rewritten


def suggestion_update(
    deps: EscalationDeps,
    table: Table | None,
    texts: Sequence[tuple[date, str, str]],
    matcher: Matcher,
    state: Mapping[str, Any],
    now: datetime,
) -> tuple[TabWrite | None, dict[str, Any]]:
    """The new texts' words added to the per-day counts (kept in the store at once: a run that stops
    before its write may count a text's words twice, which only nudges a ranking), and the
    Suggestions tab rewritten once a day; with the escalation state's mark of that day."""
    today = now.astimezone(deps.calendar.zone).date()
    rewrite = table is not None and state.get(SUGGESTED_ON) != today.isoformat()
    if not texts and not rewrite:
        return None, {}
    days = deps.records.job_state.job_state(WORDS_STATE)
    if texts:
        covered = _covered(matcher)
        heard = [(day, content_words(deps.lexicon.tagged(text), covered), quote) for day, text, quote in texts]
        changed = add_words(days, heard, today)
        deps.records.job_state.save_job_state(WORDS_STATE, changed)
        days = {k: v for k, v in {**days, **changed}.items() if v is not None}
    if not rewrite:
        return None, {}
    found = suggestions(days, today, deps.lexicon.zipf, _covered(matcher))
    return suggestions_write(table, found, deps.staff_language), {SUGGESTED_ON: today.isoformat()}


def _covered(matcher: Matcher) -> Callable[[str], bool]:
    """Whether a theme's keywords already cover these words."""
    return lambda words: bool(matcher.themes_of(words))


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
