"""What customers talk about (pure): a theme's keywords matched against a customer's text as
Vietnamese is written.

- By words, not characters: "giá" is not found inside "đánh giá", nor "cam" inside "cảm". A match
  that a dictionary word crosses (a longer word around it) is only taken when the word segmenter
  says the text's words start and end there; a maintained dictionary and segmenter do this
  (`Lexicon`, from underthesea in `adapters/vietnamese.py`), not a hand list.
- Diacritics respected where the customer typed them ("màn" is not "man"), ignored in a text typed
  without any ("khong hai long" is "không hài lòng").
- Case ignored; chat shorthand read first (ko → không, nv → nhân viên: templates/shorthand.toml).
- A keyword may be a phrase; keywords are comma-separated, as staff write them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple, Protocol

from functions.core.data_files import data_file
from functions.core.ids import digest_hex
from functions.core.text import fold

_SYLLABLE = re.compile(r"[^\W_]+")
LONGEST_WORD = 4  # syllables of the longest dictionary word looked for around a match


class Lexicon(Protocol):
    """What Vietnamese words are: a dictionary of words (of several syllables) and a segmenter."""

    def is_word(self, syllables: tuple[str, ...], plain: bool) -> bool:
        """Whether these syllables (lower case; folded when `plain`) are one dictionary word."""
        ...

    def word_starts(self, syllables: Sequence[str]) -> frozenset[int]:
        """Where the segmenter starts each word of this text (indices into `syllables`)."""
        ...

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """The text's words, each with its part of speech ("N", "V", "A", "R", "T"…)."""
        ...

    def zipf(self, word: str) -> float:
        """How common the word is in ordinary Vietnamese (Zipf scale, 0: unknown, 7: "là")."""
        ...


class Keyword(NamedTuple):
    text: str  # as staff typed it
    words: tuple[str, ...]  # its syllables, lower case
    plain: bool  # typed without diacritics: matched without them


class Theme(NamedTuple):
    name: str
    keywords: tuple[Keyword, ...]


def syllables(text: str) -> list[str]:
    """The text's syllables in lower case (Unicode NFC: a decomposed "ệ" is the same letter)."""
    return _SYLLABLE.findall(unicodedata.normalize("NFC", text).lower())


@cache
def _shorthand() -> dict[str, tuple[str, ...]]:
    table = data_file("shorthand")["shorthand"]
    return {unicodedata.normalize("NFC", key): tuple(syllables(words)) for key, words in table.items()}


def read_words(text: str) -> list[str]:
    """A customer's text as its syllables, chat shorthand read ("ko dc" → "không được")."""
    return _expanded(syllables(text))


def _expanded(typed: list[str]) -> list[str]:
    shorthand = _shorthand()
    out: list[str] = []
    for syllable in typed:
        out.extend(shorthand.get(syllable, (syllable,)))
    return out


def is_plain(words: Sequence[str]) -> bool:
    """Typed without diacritics: no letter outside ASCII (a text of digits or emoji is not plain)."""
    letters = [c for word in words for c in word if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def read_keywords(cell: str) -> tuple[Keyword, ...]:
    """`giá, chi phí; đắt` → three keywords (a comma, a semicolon or a line between them); each once."""
    found: dict[tuple[str, ...], Keyword] = {}
    for part in re.split(r"[,;\n]", cell):
        words = tuple(read_words(part))
        if words and words not in found:
            found[words] = Keyword(" ".join(part.split()), words, is_plain(words))
    return tuple(found.values())


SEGMENT_CONTEXT = 6


class Reading:
    """One text as the matcher reads it: its syllables, folded too, and where its words start (asked
    of the segmenter only when a match needs it)."""

    def __init__(self, text: str, lexicon: Lexicon):
        typed = syllables(text)
        self.words = _expanded(typed)
        self.plain = is_plain(typed)  # as the customer typed it: shorthand read in says nothing of that
        self.folded = [fold(w) for w in self.words]
        self.lexicon = lexicon
        self._starts: dict[tuple[int, int], frozenset[int]] = {}  # where words start, by the window read

    def at(self, keyword: Keyword, start: int) -> bool:
        """Whether the keyword is the text's word (or run of words) starting at `start`."""
        folded = keyword.plain or self.plain
        target = tuple(fold(w) for w in keyword.words) if folded else keyword.words
        seq = self.folded if folded else self.words
        end = start + len(target)
        return tuple(seq[start:end]) == target and self._whole(start, end)

    def _whole(self, start: int, end: int) -> bool:
        """No longer word runs across the match's edges; or the segmenter says the words start there."""
        if not (self._crossed(start) or self._crossed(end)):
            return True
        if self.plain:  # no segmenter reads a text without its diacritics well: the dictionary decides
            return False
        # The segmenter reads the match with SEGMENT_CONTEXT syllables each side, not the whole text: its
        # cost follows the text's length, and words further away do not change where these ones start.
        low, high = max(0, start - SEGMENT_CONTEXT), min(len(self.words), end + SEGMENT_CONTEXT)
        if (low, high) not in self._starts:
            self._starts[low, high] = frozenset(low + s for s in self.lexicon.word_starts(self.words[low:high]))
        starts = self._starts[low, high]
        return start in starts and (end == len(self.words) or end in starts)

    def _crossed(self, edge: int) -> bool:
        """Whether a dictionary word of the text spans this edge (starts before it and ends after it)."""
        seq = self.folded if self.plain else self.words
        for a in range(max(0, edge - LONGEST_WORD + 1), edge):
            for b in range(edge + 1, min(len(seq), a + LONGEST_WORD) + 1):
                if self.lexicon.is_word(tuple(seq[a:b]), self.plain):
                    return True
        return False


class Matcher:
    """Themes ready to match many texts: each keyword found by its first syllable (with its diacritics,
    and without), so a text is read once whatever the number of keywords."""

    def __init__(self, themes: Sequence[Theme], lexicon: Lexicon):
        self.names = [t.name for t in themes]
        self.lexicon = lexicon
        # what the tags depend on: staff changing a theme's name or keywords changes it (texts are tagged anew)
        self.signature = digest_hex(repr([(t.name, sorted(k.words for k in t.keywords)) for t in themes]), 16)
        self.exact: dict[str, list[tuple[int, Keyword]]] = {}  # a keyword typed with diacritics
        self.folded: dict[str, list[tuple[int, Keyword]]] = {}  # every keyword, by its folded first syllable
        for index, theme in enumerate(themes):
            for keyword in theme.keywords:
                if not keyword.plain:
                    self.exact.setdefault(keyword.words[0], []).append((index, keyword))
                self.folded.setdefault(fold(keyword.words[0]), []).append((index, keyword))

    def covers(self, words: str) -> bool:
        """Whether a theme's keywords already cover these words (they are no suggestion)."""
        return bool(self.themes_of(words))

    def themes_text(self, text: str) -> str:
        """The themes' names as a cell shows them: "Thời gian chờ, Giá/phí"."""
        return ", ".join(self.themes_of(text))

    def themes_of(self, text: str) -> list[str]:
        """The names of the themes the text talks about, in the themes' order."""
        reading = Reading(text, self.lexicon)
        found: set[int] = set()
        for start, (word, folded) in enumerate(zip(reading.words, reading.folded, strict=True)):
            if reading.plain:
                candidates = self.folded.get(folded, ())
            else:  # with diacritics, only a keyword typed without them is compared folded
                candidates = [*self.exact.get(word, ()), *(c for c in self.folded.get(folded, ()) if c[1].plain)]
            for index, keyword in candidates:
                if index not in found and reading.at(keyword, start):
                    found.add(index)
        return [name for index, name in enumerate(self.names) if index in found]


def themes_of(text: str, themes: Sequence[Theme], lexicon: Lexicon) -> list[str]:
    """The names of the themes the text talks about (one text; many go through a Matcher)."""
    return Matcher(themes, lexicon).themes_of(text)


def naive_themes_of(text: str, themes: Sequence[Theme]) -> list[str]:
    """Substring matching of the same keywords, lower case: what word-aware matching is measured against."""
    lowered = text.lower()
    return [t.name for t in themes if any(k.text.lower() in lowered for k in t.keywords)]


def starter_themes(language: str = "vi") -> list[tuple[str, str, str]]:
    """(id, name, keywords) of the Themes tab's starter set (templates/themes.toml)."""
    return [(t["id"], t.get(language) or t["vi"], t["keywords"]) for t in data_file("themes")["themes"]]
