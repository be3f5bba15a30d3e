"""Vietnamese words, from underthesea (Apache-2.0): its dictionary of 74,000 words (Viet74K) and its
CRF word segmenter, both inside the wheel (no download, nothing leaves the project). Loaded once, on
first use: a run that hears no text never imports it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from functions.core.text import fold


class UndertheseaLexicon:
    """The `core.themes.Lexicon` port on underthesea."""

    def __init__(self) -> None:
        from underthesea.corpus import viet_dict_74K

        words = {tuple(w.lower().split()) for w in viet_dict_74K.words}
        self.words = frozenset(w for w in words if len(w) > 1)
        self.folded = frozenset(tuple(fold(s) for s in w) for w in self.words)

    def is_word(self, syllables: tuple[str, ...], plain: bool) -> bool:
        return syllables in (self.folded if plain else self.words)

    def word_starts(self, syllables: Sequence[str]) -> frozenset[int]:
        from underthesea import word_tokenize

        starts, at = set(), 0
        for word in word_tokenize(" ".join(syllables)):
            starts.add(at)
            at += len(word.split())
        return frozenset(starts)


@cache
def lexicon() -> UndertheseaLexicon:
    return UndertheseaLexicon()


class LazyLexicon:
    """The lexicon, loaded on first use (a run that hears no text never loads 74,000 words)."""

    def is_word(self, syllables: tuple[str, ...], plain: bool) -> bool:
        return lexicon().is_word(syllables, plain)

    def word_starts(self, syllables: Sequence[str]) -> frozenset[int]:
        return lexicon().word_starts(syllables)
