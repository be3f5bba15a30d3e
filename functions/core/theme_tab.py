"""The Themes tab (`Chủ đề`) (pure): staff's themes and their keywords, and careloop's figures beside
them — mentions in the last 7 days and the 7 before, the change, the mean CSAT of the mentions that
carry a score, the mentions in complaints or low scores, the latest example (personal data scrubbed).

A text is counted once, when it is heard: each run adds its mentions to per-day counts kept in the
store (`add_mentions`), so the figures never recount history.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from functions.core.i18n import say
from functions.core.sheet_schema import THEMES, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite, row_cells, same_cell
from functions.core.text import cell_text, fold, shorten, typed
from functions.core.themes import Theme, read_keywords, starter_themes
from functions.core.values import tick_or

# In the escalation job's state: {"days": {day: {theme: counts}}, "examples": {theme: [day, quote, customer ID]},
# "signature": the themes' keywords the counts were made with}
THEMES_STATE = "themes"
KEPT_DAYS = 91  # per-day counts kept: the two weeks the tab shows, the twelve weeks the Dashboard's chart draws
QUOTE_LIMIT = 160
RETAG_DAYS = 30  # staff changing keywords re-tag what was heard this far back
RISING = (5, 2)  # a theme rises: at least 5 mentions in 7 days, and twice the 7 days before


class ThemeRow(NamedTuple):
    number: int
    name: str  # as typed: the row is found by it
    problems: tuple[str, ...]
    cells: Mapping[str, Any]  # careloop's cells as read, to write only what changes


class ThemeTab(NamedTuple):
    themes: list[Theme]  # in use, in the tab's order
    rows: list[ThemeRow]  # every row; empty for a sheet without the tab


def starter_rows(language: str) -> list[list[Any]]:
    """The tab's first rows: a starter set for a service business, in use, staff's to change."""
    order = [c.key for c in THEMES.columns]
    return [[{"theme": name, "keywords": keywords, "active": True}.get(k) for k in order]
            for _, name, keywords in starter_themes(language)]  # fmt: skip


def read_theme_tab(table: Table | None) -> ThemeTab:
    """Staff's themes as written (a sheet without the tab: the starter set, unwritten)."""
    if table is None:
        return ThemeTab([Theme(name, read_keywords(words)) for _, name, words in starter_themes("vi")], [])
    columns = locate_columns(THEMES, table.header)
    themes: list[Theme] = []
    rows: list[ThemeRow] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(table.rows):
        cells = row_cells(raw, columns)
        name = " ".join(cell_text(cells.get("theme")).split())
        if not name and not typed(cells.get("keywords")):
            continue
        number, problems = Table.row_number(index), []
        keywords = read_keywords(cell_text(cells.get("keywords")))
        if not name:
            problems.append("theme_name_needed")
        elif not keywords:
            problems.append("theme_keywords_needed")
        elif fold(name) in seen:
            problems.append("theme_duplicate")
        elif tick_or(cells.get("active"), True):
            seen[fold(name)] = number
            themes.append(Theme(name, keywords))
        rows.append(ThemeRow(number, name, tuple(problems), cells))
    return ThemeTab(themes, rows)


class Mention(NamedTuple):
    """A text careloop heard (a row of the Replies tab), with its themes (none: still a text the
    suggestions read)."""

    reply_id: str
    day: date
    themes: tuple[str, ...]
    complaint: bool  # a complaint, or a survey's low score
    score: int | None  # the CSAT score it carries (a survey comment, a ZNS rating, a call)
    quote: str  # scrubbed of personal data
    text: str  # as heard: its words, for the suggestions; never kept
    customer_id: str = ""  # whose words: their quotes go when they are erased


def add_mentions(days: Mapping[str, Any], mentions: Iterable[Mention], today: date) -> dict[str, Any]:
    """The per-day counts ({day: {theme: [mentions, complaints, score total, scored]}}) with these
    mentions added: only the days that change, and days older than KEPT_DAYS set to None (removed)."""
    changed: dict[str, Any] = {}
    for mention in mentions:
        key = mention.day.isoformat()
        day = changed.setdefault(key, {k: list(v) for k, v in (days.get(key) or {}).items()})
        for theme in mention.themes:
            counts = day.setdefault(theme, [0, 0, 0, 0])
            counts[0] += 1
            counts[1] += int(mention.complaint)
            if mention.score is not None:
                counts[2] += mention.score
                counts[3] += 1
    oldest = (today - timedelta(days=KEPT_DAYS)).isoformat()
    changed.update({key: None for key in days if key < oldest})
    return changed


def with_mentions(days: Mapping[str, Any], mentions: Iterable[Mention], today: date) -> dict[str, Any]:
    """The per-day counts these mentions added to, days older than KEPT_DAYS gone."""
    return {k: v for k, v in {**days, **add_mentions(days, mentions, today)}.items() if v is not None}


def latest_examples(examples: Mapping[str, Any], mentions: Iterable[Mention]) -> dict[str, Any]:
    """Each theme's latest quote ({theme: [day, quote, customer ID]}), where these mentions change it."""
    changed: dict[str, Any] = {}
    for mention in sorted(mentions, key=lambda m: m.day):
        for theme in mention.themes:
            kept = changed.get(theme) or examples.get(theme)
            if mention.quote and (not kept or kept[0] <= mention.day.isoformat()):
                changed[theme] = [mention.day.isoformat(), mention.quote, mention.customer_id]
    return changed


def kept_examples(examples: Mapping[str, Any], oldest: date, erased: Collection[str] = ()) -> dict[str, Any]:
    """The examples still to show: none older than `oldest` (retention), none of an erased customer."""
    return {theme: kept for theme, kept in examples.items()
            if kept[0] >= oldest.isoformat() and (len(kept) < 3 or kept[2] not in erased)}  # fmt: skip


def rising_themes(figures: Mapping[str, ThemeFigures]) -> list[str]:
    """The themes whose mentions in the last 7 days reach RISING: a manager is told."""
    least, times = RISING
    return sorted(t for t, f in figures.items() if f.last7 >= least and f.last7 >= times * f.prev7)


def weekly_mentions(days: Mapping[str, Any], starts: Sequence[date], top: int) -> list[tuple[str, list[int]]]:
    """The `top` themes with the most mentions over the weeks starting on `starts`, each with its
    mentions week by week (the Dashboard's chart)."""
    weeks = [mentions_between(days, start, start + timedelta(days=6)) for start in starts]
    series = {theme: [week.get(theme, 0) for week in weeks] for theme in {t for week in weeks for t in week}}
    ranked = sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return [(theme, counts) for theme, counts in ranked if sum(counts)][:top]


def recounted(days: Mapping[str, Any], mentions: Iterable[Mention], first: date, today: date) -> dict[str, Any]:
    """The per-day counts with the days from `first` counted again from `mentions` (staff changed the
    keywords: what was heard since then is tagged anew); days before `first` as they were."""
    return with_mentions({key: day for key, day in days.items() if key < first.isoformat()}, mentions, today)


class ThemeFigures(NamedTuple):
    last7: int
    prev7: int
    mean_score: float | None
    complaints: int

    @property
    def change(self) -> str:
        return f"{self.last7 - self.prev7:+d}" if self.last7 != self.prev7 else "0"


def theme_figures(days: Mapping[str, Any], today: date) -> dict[str, ThemeFigures]:
    """Each theme's figures over the last 7 days (today included) and the 7 before."""
    totals: dict[str, list[int]] = {}
    for key, day in days.items():
        if not day:
            continue
        age = (today - date.fromisoformat(key)).days
        if not 0 <= age < 14:
            continue
        for theme, (mentions, complaints, score_total, scored) in day.items():
            t = totals.setdefault(theme, [0, 0, 0, 0, 0])
            if age < 7:
                t[0] += mentions
                t[2] += complaints
                t[3] += score_total
                t[4] += scored
            else:
                t[1] += mentions
    return {theme: ThemeFigures(t[0], t[1], round(t[3] / t[4], 2) if t[4] else None, t[2])
            for theme, t in totals.items()}  # fmt: skip


def mentions_between(days: Mapping[str, Any], first: date, last: date) -> dict[str, int]:
    """Each theme's mentions from `first` to `last` (days included)."""
    totals: dict[str, int] = {}
    for key, day in days.items():
        if day and first <= date.fromisoformat(key) <= last:
            for theme, counts in day.items():
                totals[theme] = totals.get(theme, 0) + counts[0]
    return totals


def week_lines(days: Mapping[str, Any], examples: Mapping[str, Any], first: date, language: str) -> list[str]:
    """What the weekly digest says of themes for the week from `first`: the three largest against the
    week before, and the biggest riser with its latest example."""
    week = mentions_between(days, first, first + timedelta(days=6))
    before = mentions_between(days, first - timedelta(days=7), first - timedelta(days=1))
    largest = sorted((t for t in week if week[t]), key=lambda t: (-week[t], t))[:3]
    lines = [say("theme_week_line", language, theme=t, count=week[t], before=before.get(t, 0)) for t in largest]
    rises = {t: week[t] - before.get(t, 0) for t in week}
    if rises and (riser := max(sorted(rises), key=lambda t: rises[t])) and rises[riser] > 0:
        example = examples.get(riser)
        lines.append(say("theme_week_riser", language, theme=riser, change=f"+{rises[riser]}",
                         example=f"“{example[1]}”" if example else "—"))  # fmt: skip
    return lines


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(\+?\d[\d .-]{7,}\d)")


def scrub_quote(text: str, names: Sequence[str] = ()) -> str:
    """A customer's words fit to show staff as an example: no email, no phone number, not the
    customer's name (each of its words of two letters or more), one line, shortened."""
    said = _PHONE.sub("…", _EMAIL.sub("…", " ".join(text.split())))
    for name in names:
        for word in sorted({w for w in name.split() if len(w) > 1}, key=len, reverse=True):
            said = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", "…", said, flags=re.IGNORECASE)
    return shorten(said, QUOTE_LIMIT)


def theme_tab_write(
    tab: ThemeTab, figures: Mapping[str, ThemeFigures], examples: Mapping[str, Any], language: str
) -> TabWrite | None:
    """Each row's figures and note, where they change."""
    writes = []
    for row in tab.rows:
        found = figures.get(row.name) or ThemeFigures(0, 0, None, 0)
        example = examples.get(row.name)
        wanted = {
            "last7": found.last7,
            "prev7": found.prev7,
            "change": found.change,
            "mean_score": found.mean_score,
            "complaints": found.complaints,
            "example": f"{example[1]} ({date.fromisoformat(example[0]):%d/%m})" if example else None,
            "system_note": "; ".join(say(p, language) for p in row.problems),
        }
        changed = {k: v for k, v in wanted.items() if not same_cell(row.cells.get(k), v)}
        if changed:
            writes.append(RowWrite(row.number, row.name or None, changed))
    return TabWrite(THEMES, THEMES.column("theme"), writes, language) if writes else None
