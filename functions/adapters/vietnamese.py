"""Vietnamese words, from underthesea (Apache-2.0): its dictionary of 74,000 words (Viet74K), its CRF
word segmenter and part-of-speech tagger, all inside the wheel (no download, nothing leaves the
project); and how common a word is, from wordfreq's Vietnamese list (Apache-2.0). Loaded once, on
first use: a run that hears no text never imports them."""

from __future__ import annotations

import math
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
        """How common the word is; one typed without diacritics ("dau") as common as its commonest
        reading (đâu, đau, dầu…): the list holds Vietnamese as written, so it would look rare."""
        from wordfreq import zipf_frequency

        found = float(zipf_frequency(word, "vi"))
        if not word.isascii() or not word.strip():
            return found
        plain = _plain_zipf()
        syllables = [max(float(zipf_frequency(s, "vi")), plain.get(s, 0.0)) for s in word.lower().split()]
        if min(syllables) <= 0:
            return found
        # several syllables: combined as wordfreq combines a phrase's tokens (1 / Σ 1/frequency)
        return max(found, math.log10(1 / sum(10 ** (9 - z) for z in syllables)) + 9)


@cache
def _plain_zipf() -> dict[str, float]:
    """The commonest reading of each word of wordfreq's Vietnamese list, by its folded spelling."""
    from wordfreq import top_n_list, zipf_frequency

    table: dict[str, float] = {}
    for word in top_n_list("vi", 50_000):
        folded = fold(word)
        if folded != word:
            table[folded] = max(table.get(folded, 0.0), float(zipf_frequency(word, "vi")))
    return table


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
