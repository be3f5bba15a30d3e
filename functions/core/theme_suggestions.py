"""Theme suggestions (pure): the words and phrases of the last 30 days that no theme's keywords
cover, ranked by how characteristic they are of these customers' words — frequent here, rarer in
ordinary Vietnamese (wordfreq's list, through the `Lexicon`) — each with its count and an example.

Only content words are candidates (nouns, verbs, adjectives, as underthesea's tagger reads them:
never a function word, a particle, a pronoun or a name), and none of the very commonest words.
Word counts are kept per day in the store as texts are heard, never recounted from history.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from functions.core.sheet_schema import SUGGESTIONS, locate_columns
from functions.core.tables import RowWrite, Table, TabWrite, row_cells
from functions.core.text import cell_text

WINDOW_DAYS = 30
COMMONEST = 6.1  # a word this common in ordinary Vietnamese (Zipf scale: "em" 6.1, "là" 7.3) is never suggested
LIMIT = 20  # suggestions shown
PER_DAY = 300  # distinct words kept a day (the most frequent)
CONTENT_TAGS = frozenset({"N", "V", "A"})  # underthesea's tags for nouns, verbs, adjectives


class Suggestion(NamedTuple):
    words: str
    texts: int  # the texts that used it
    example: str


def content_words(tagged: Sequence[tuple[str, str]], covered: Callable[[str], bool]) -> set[str]:
    """The text's words worth suggesting: content words of two letters or more, in lower case, that
    no theme's keywords already cover."""
    found = set()
    for word, tag in tagged:
        lowered = " ".join(word.lower().split())
        if tag in CONTENT_TAGS and len(lowered) > 1 and all(c.isalpha() or c == " " for c in lowered):
            if not covered(lowered):
                found.add(lowered)
    return found


def add_words(days: Mapping[str, Any], heard: Iterable[tuple[date, set[str], str, str]], today: date) -> dict[str, Any]:
    """The per-day word counts ({day: {word: [texts, example, whose example]}}) with these texts' words
    (day, words, quote, customer ID) added (each word once a text); days past the window set to None."""
    changed: dict[str, Any] = {}
    for day, words, quote, customer_id in heard:
        key = day.isoformat()
        kept = changed.setdefault(key, {w: list(v) for w, v in (days.get(key) or {}).items()})
        for word in words:
            entry = kept.setdefault(word, [0, quote, customer_id])
            entry[0] += 1
        if len(kept) > PER_DAY:
            changed[key] = dict(sorted(kept.items(), key=lambda kv: -kv[1][0])[:PER_DAY])
    oldest = (today - timedelta(days=WINDOW_DAYS)).isoformat()
    changed.update({key: None for key in days if key < oldest})
    return changed


def suggestions(
    days: Mapping[str, Any], today: date, zipf: Callable[[str], float], covered: Callable[[str], bool]
) -> list[Suggestion]:
    """The last 30 days' most characteristic uncovered words, seen in two texts at least: the texts
    that used a word, times the square of how far it is from the commonest words (so "lag" in two
    texts outranks "máy" in eight: 2 × 3.4² against 8 × 0.1²)."""
    counts: dict[str, int] = {}
    examples: dict[str, str] = {}
    first = (today - timedelta(days=WINDOW_DAYS - 1)).isoformat()
    for key in sorted(days, reverse=True):  # the newest example first
        if key < first or not days[key]:
            continue
        for word, (count, quote, *_) in days[key].items():
            counts[word] = counts.get(word, 0) + count
            if quote:  # an erased customer's example is blank: an older one shows
                examples.setdefault(word, quote)
    scored = []
    for word, count in counts.items():
        common = zipf(word)
        if count >= 2 and common < COMMONEST and not covered(word):
            scored.append((-count * (COMMONEST - common) ** 2, word))
    return [Suggestion(word, counts[word], examples.get(word, "")) for _, word in sorted(scored)[:LIMIT]]


def suggestions_write(table: Table | None, found: Sequence[Suggestion], language: str) -> TabWrite | None:
    """The tab rewritten in rank order: row 2 the first suggestion, and so on; rows beyond cleared."""
    if table is None:
        return None
    columns = locate_columns(SUGGESTIONS, table.header, require=False)
    read = [cell_text(row_cells(raw, columns).get("words")) for raw in table.rows]
    writes = []
    for rank, suggestion in enumerate(found):
        there = read[rank] if rank < len(read) else ""
        values = {"words": suggestion.words, "count": suggestion.texts, "example": suggestion.example}
        writes.append(RowWrite(rank + 2, there or suggestion.words, values, append=not there))
    for index in range(len(found), len(read)):
        if read[index]:
            writes.append(RowWrite(index + 2, read[index], {"words": None, "count": None, "example": None}))
    return TabWrite(SUGGESTIONS, SUGGESTIONS.column("words"), writes, language) if writes else None


def without_examples_of(days: Mapping[str, Any], erased: Collection[str]) -> dict[str, Any]:
    """The days whose examples quote an erased customer, those examples blanked (the counts stay)."""
    changed = {}
    for key, words in days.items():
        if words and any(len(v) > 2 and v[2] in erased for v in words.values()):
            changed[key] = {w: [v[0], "", ""] if len(v) > 2 and v[2] in erased else v for w, v in words.items()}
    return changed
