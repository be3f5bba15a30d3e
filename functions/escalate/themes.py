"""The Themes tab in the escalation run: what customers say (their replies, survey comments, the notes
of care calls, the complaints staff note on the Customers tab), each a row of the Replies tab with its
themes, counted once, when heard.

The matcher is made from the tab's themes when the run listens; the mentions found are added to the
per-day counts kept in the run's own job state, saved with the mailbox mark once the sheet shows the
rows: a text is counted once, even when a run stops before its write. Staff changing the themes'
keywords makes the next run tag the last RETAG_DAYS' rows anew and count those days again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from functions.core.calls import CallRow
from functions.core.cases import CaseRecord
from functions.core.customers import Customer
from functions.core.i18n import say
from functions.core.ids import digest_hex
from functions.core.messages import message_words
from functions.core.sheet_schema import REPLIES, THEMES, locate_columns
from functions.core.surveys import Survey
from functions.core.tables import RowWrite, Table, TabWrite, moment_figure, row_cells
from functions.core.text import cell_text
from functions.core.theme_suggestions import add_words, content_words, suggestions, suggestions_write
from functions.core.theme_tab import (
    RETAG_DAYS,
    Mention,
    kept_examples,
    latest_examples,
    read_theme_tab,
    recounted,
    rising_themes,
    scrub_quote,
    theme_figures,
    theme_tab_write,
    with_mentions,
)
from functions.core.themes import Lexicon, Matcher
from functions.escalate.deps import EscalationDeps
from functions.escalate.plan import Flag

TEXTS_STATE = "theme_texts"  # a job state of its own: {reply ID: [day, complaint, score]}, read to tag anew
WORDS_STATE = "theme_words"  # a job state of its own: {day: {word: [texts, example, customer ID]}}
SUGGESTED_ON = "suggested_on"  # in the escalation's state: the day the Suggestions tab was last rewritten


def theme_matcher(table: Table | None, lexicon: Lexicon) -> Matcher:
    """The Themes tab's themes in use (the starter set for a sheet without the tab), ready to match."""
    return Matcher(read_theme_tab(table).themes, lexicon)


class HeardText(NamedTuple):
    """A text careloop heard outside the mailbox, as staff see it: its Replies row, and its mention."""

    mention: Mention
    row: RowWrite


def heard_text(
    matcher: Matcher,
    key: str,
    at: datetime,
    zone: tzinfo,
    customer: Customer | None,
    cells: Mapping[str, Any],  # channel, answers, text, action
    complaint: bool,
    score: int | None,
) -> HeardText:
    """One text's row of the Replies tab (its ID from `key`: the same text always the same row) with its
    themes, and the mention it counts for."""
    reply_id = "PH-" + digest_hex(key, 10).upper()
    text = cell_text(cells.get("text"))
    found = tuple(matcher.themes_of(text))
    name = customer.name if customer else ""
    mention = Mention(reply_id, at.astimezone(zone).date(), found, complaint, score, scrub_quote(text, [name]), text,
                      customer.id if customer else "")  # fmt: skip
    values = {"reply_id": reply_id, "received": moment_figure(at, zone), "customer_id": customer.id if customer else "",
              "name": name, **cells, "themes": ", ".join(found)}  # fmt: skip
    return HeardText(mention, RowWrite(0, reply_id, values, append=True))


def survey_heard(
    matcher: Matcher,
    answered: Sequence[Survey],
    customers: Mapping[str, Customer],
    state: Mapping[str, Any],
    zone: tzinfo,
    threshold: int,
    language: str,
) -> list[HeardText]:
    """The comments written on the survey page since the last run (`state`'s answers_seen: an answer read
    again in the reading's overlap is not heard twice); a comment replied by email or said on a call is
    heard there. A low score is a complaint."""
    seen = state.get("answers_seen")
    since = datetime.fromisoformat(seen) if seen else None
    heard = []
    for survey in answered:
        answer = survey.latest
        if answer is None or answer.via or not answer.comment or (since is not None and answer.at < since):
            continue
        low = answer.score <= threshold
        cells = {"channel": say("text_from_survey", language), "text": answer.comment,
                 "answers": say("text_survey_answers", language, score=answer.score,
                                occasion=message_words(survey.message_key, language)),
                 "action": say("text_survey_low", language) if low else ""}  # fmt: skip
        heard.append(heard_text(matcher, f"survey/{survey.survey_id}/{answer.at.isoformat()}", answer.at, zone,
                                customers.get(survey.customer_id), cells, low, answer.score))  # fmt: skip
    return heard


def call_heard(
    matcher: Matcher, calls: Sequence[CallRow], customers: Mapping[str, Customer], now: datetime, zone: tzinfo,
    threshold: int, language: str,
) -> list[HeardText]:  # fmt: skip
    """The notes of the calls this run recorded (each once: a call is recorded once)."""
    heard = []
    for call in calls:
        if not call.note:
            continue
        outcome = say(f"call_outcome_{call.outcome}", language) if call.outcome else "–"
        low = call.score is not None and call.score <= threshold
        cells = {"channel": say("text_from_call", language), "text": call.note,
                 "answers": say("text_call_answers", language, outcome=outcome),
                 "action": say("text_call_escalated", language) if call.escalate else ""}  # fmt: skip
        heard.append(heard_text(matcher, call.key, now, zone, customers.get(call.customer_id), cells,
                                call.escalate or low, call.score))  # fmt: skip
    return heard


def flag_heard(
    matcher: Matcher, opened: Sequence[tuple[Flag, CaseRecord]], customers: Mapping[str, Customer], zone: tzinfo,
    language: str,
) -> list[HeardText]:  # fmt: skip
    """The complaints staff noted on the Customers tab that opened a case in this run (a reply, a call
    or a survey that opened one was heard where it came from)."""
    heard = []
    for flag, case in opened:
        if flag.row <= 0 or not flag.issue:
            continue
        cells = {"channel": say("text_from_staff", language), "text": flag.issue,
                 "answers": say("text_flag_answers", language),
                 "action": say("text_flag_action", language, case_id=case.case_id)}  # fmt: skip
        heard.append(heard_text(matcher, case.key, case.created_at, zone, customers.get(flag.customer_id), cells,
                                True, None))  # fmt: skip
    return heard


def suggestion_update(
    deps: EscalationDeps,
    table: Table | None,
    heard: Sequence[Mention],
    matcher: Matcher,
    state: Mapping[str, Any],
    now: datetime,
) -> tuple[TabWrite | None, dict[str, Any]]:
    """The new texts' words added to the per-day counts (kept in the store at once: a run that stops
    before its write may count a text's words twice, which only nudges a ranking), and the
    Suggestions tab rewritten once a day; with the escalation state's mark of that day."""
    today = now.astimezone(deps.calendar.zone).date()
    rewrite = table is not None and state.get(SUGGESTED_ON) != today.isoformat()
    if not heard and not rewrite:
        return None, {}
    days = deps.records.job_state.job_state(WORDS_STATE)
    if heard:
        words = [(m.day, content_words(deps.lexicon.tagged(m.text), matcher.covers), m.quote, m.customer_id)
                 for m in heard]  # fmt: skip
        changed = add_words(days, words, today)
        deps.records.job_state.save_job_state(WORDS_STATE, changed)
        days = {k: v for k, v in {**days, **changed}.items() if v is not None}
    if not rewrite:
        return None, {}
    found = suggestions(days, today, deps.lexicon.zipf, matcher.covers)
    return suggestions_write(table, found, deps.staff_language), {SUGGESTED_ON: today.isoformat()}


class ThemeUpdate(NamedTuple):
    tab: TabWrite | None  # the Themes tab's figures
    retagged: list[RowWrite]  # Replies rows tagged anew (staff changed the keywords)
    saved: dict[str, Any] | None  # the job state to save with the run's mark (None: unchanged)
    rising: list[dict[str, Any]]  # themes rising: the manager is told (once a theme a week)


def theme_update(
    deps: EscalationDeps,
    tables: Mapping[str, Table],
    state: Mapping[str, Any],
    heard: Sequence[Mention],
    matcher: Matcher,
    now: datetime,
) -> ThemeUpdate:
    """The Themes tab's figures with this run's mentions (the last RETAG_DAYS counted anew when staff
    changed the themes since the last run), and the job state to save with the run's mark."""
    today = now.astimezone(deps.calendar.zone).date()
    days, examples = dict(state.get("days") or {}), dict(state.get("examples") or {})
    mentions = [m for m in heard if m.themes]
    retagged: list[RowWrite] = []
    changed = bool(mentions) or state.get("signature") != matcher.signature
    if heard:  # kept at once, by reply ID: what a later run tags anew
        texts = {m.reply_id: [m.day.isoformat(), m.complaint, m.score] for m in heard}
        deps.records.job_state.save_job_state(TEXTS_STATE, texts)
    if state.get("signature") not in (None, matcher.signature):
        first = today - timedelta(days=RETAG_DAYS)
        recent = _recent_texts(deps, first)
        again, retagged = tagged_anew(tables.get(REPLIES.key), recent, matcher, {m.reply_id for m in heard})
        days = recounted(days, [*again, *mentions], first, today)
        examples = {t: e for t, e in examples.items() if e[0] < first.isoformat()}
        examples |= latest_examples(examples, [*again, *mentions])
    elif mentions:
        days = with_mentions(days, mentions, today)
        examples |= latest_examples(examples, mentions)
    examples = kept_examples(examples, today - timedelta(days=deps.retention_days))
    figures = theme_figures(days, today)
    table = tables.get(THEMES.key)
    write = None
    if table is not None:
        write = theme_tab_write(read_theme_tab(table), figures, examples, deps.staff_language)
    rising = [{"theme": t, "last7": figures[t].last7, "prev7": figures[t].prev7,
               "example": (examples.get(t) or ["", ""])[1]} for t in rising_themes(figures)]  # fmt: skip
    saved = {"days": days, "examples": examples, "signature": matcher.signature} if changed else None
    return ThemeUpdate(write, retagged, saved, rising)


def _recent_texts(deps: EscalationDeps, first: date) -> dict[str, Any]:
    """What was heard since `first` ({reply ID: [day, complaint, score]}); older entries let go of."""
    texts = deps.records.job_state.job_state(TEXTS_STATE)
    old = {key: None for key, (day, *_) in texts.items() if day < first.isoformat()}
    if old:
        deps.records.job_state.save_job_state(TEXTS_STATE, old)
    return {key: value for key, value in texts.items() if key not in old}


def tagged_anew(
    table: Table | None, texts: Mapping[str, Any], matcher: Matcher, skip: set[str]
) -> tuple[list[Mention], list[RowWrite]]:
    """The Replies rows heard recently (`texts`, by reply ID), tagged with the themes as they are now:
    their mentions, and the rows whose Themes cell changes. A row whose words were erased is not counted."""
    if table is None:
        return [], []
    columns = locate_columns(REPLIES, table.header, require=False)
    if "reply_id" not in columns or "text" not in columns:
        return [], []
    mentions, writes = [], []
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        reply_id, text = cell_text(cells.get("reply_id")), cell_text(cells.get("text"))
        if reply_id not in texts or reply_id in skip or not text:
            continue
        day, complaint, score = texts[reply_id]
        found = tuple(matcher.themes_of(text))
        quote = scrub_quote(text, [cell_text(cells.get("name"))])
        mentions.append(Mention(reply_id, date.fromisoformat(day), found, bool(complaint), score, quote, text,
                                cell_text(cells.get("customer_id"))))  # fmt: skip
        if cell_text(cells.get("themes")) != ", ".join(found):
            writes.append(RowWrite(Table.row_number(index), reply_id, {"themes": ", ".join(found)}))
    return mentions, writes
