"""Vietnamese words, from underthesea (Apache-2.0): its dictionary of 74,000 words (Viet74K), its CRF
word segmenter and part-of-speech tagger, all inside the wheel (no download, nothing leaves the
project); and how common a word is, from wordfreq's Vietnamese list (Apache-2.0). Loaded once, on
first use: a run that hears no text never imports them."""

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

    def tagged(self, text: str) -> list[tuple[str, str]]:
        from underthesea import pos_tag

        return [(word, tag) for word, tag in pos_tag(text)]

    def zipf(self, word: str) -> float:
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, "vi"))


@cache
def lexicon() -> UndertheseaLexicon:
    return UndertheseaLexicon()


class LazyLexicon:
    """The lexicon, loaded on first use (a run that hears no text never loads 74,000 words)."""

    def is_word(self, syllables: tuple[str, ...], plain: bool) -> bool:
        return lexicon().is_word(syllables, plain)

    def word_starts(self, syllables: Sequence[str]) -> frozenset[int]:
        return lexicon().word_starts(syllables)

    def tagged(self, text: str) -> list[tuple[str, str]]:
        return lexicon().tagged(text)

    def zipf(self, word: str) -> float:
        return lexicon().zipf(word)
